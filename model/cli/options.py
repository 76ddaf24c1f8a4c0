"""What the commands share: the usage error, option types checked by the same validator as the
Python API, the options of the experiment commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from zonesim.errors import ZonesimError, cut
from zonesim.registry.validate import check_option


class UsageError(ZonesimError):
    """A command-line mistake; printed without a traceback."""


def option(name: str):
    """The argparse type of run option ``name``: a whole number within its bounds
    (:data:`zonesim.registry.validate.RUN_OPTIONS`), the same check as the Python API's."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {cut(text)!r}")
        try:
            return check_option(name, value)
        except ZonesimError as e:
            raise argparse.ArgumentTypeError(str(e).split(": ", 1)[-1]) from None
    parse.__name__ = name  # argparse names the type in its messages
    return parse


def executor_args(args) -> dict:
    """The experiment options as keyword arguments; :func:`zonesim.run.make_executor` checks
    that they go together."""
    return {"workers": args.workers, "scheduler": args.scheduler, "dask_local": args.dask_local,
            "progress": not args.quiet, "resume": args.resume}


def out_folder(args, default: str) -> Path:
    return Path(args.out or Path("out") / default)


def executor_options(p, replicates: int = 10) -> None:
    """The options every experiment command shares: replicates, seed, output folder, where the
    runs go."""
    p.add_argument("--replicates", "-n", type=option("replicates"), default=replicates,
                   help=f"replicates per point (default {replicates})")
    p.add_argument("--seed", type=option("seed"), default=0, help="master seed (default 0)")
    p.add_argument("--out", default=None, help="output folder (must be new or empty, "
                   "or hold this experiment with --resume)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted experiment in --out (finished runs are "
                        "kept, none is run twice)")
    p.add_argument("--workers", type=option("workers"), default=None,
                   help="local processes (default: all cores; 1 = serial)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on an existing Dask cluster (e.g. tcp://host:8786)")
    p.add_argument("--dask-local", type=option("dask_local"), default=None, metavar="N",
                   help="start a local Dask cluster with N worker processes")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")




def add_set_option(p, what: str = "set a parameter for this run") -> None:
    """``--set NAME=VALUE`` (repeatable): a quick what-if, checked like a scenario file."""
    p.add_argument("--set", action="append", default=None, metavar="NAME=VALUE",
                   help=f"{what}, e.g. --set rd_subsidy_rate=0.15 (repeat for several; checked "
                        "like a scenario file; `zonesim parameters SCENARIO` lists the names "
                        "and values)")
