"""Shared plumbing of the experiment scripts: command-line flags, output folders, printing.

Every script takes ``--quick`` (a small version that checks the pipeline in a minute or so),
``--workers`` / ``--dask-local`` / ``--scheduler`` (where the runs go), ``--out`` (default
``out/<script name>`` in the repository, ``out/<script name>_quick`` with --quick) and
``--quiet``. A script re-run with the same settings resumes (or re-reads) its experiment: the
folder keeps every finished run. A folder that holds a different experiment (other settings,
or other model code) is refused; remove it or give another --out.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def parser(description: str) -> argparse.ArgumentParser:
    """The scripts' flags; numbers are checked as `zonesim`'s own options are."""
    from zonesim.cli.options import option
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a small version (1–2 minutes)")
    p.add_argument("--out", default=None, help="output folder (default out/<script>[_quick])")
    p.add_argument("--workers", type=option("workers"), default=None,
                   help="local processes (default all)")
    p.add_argument("--dask-local", type=option("dask_local"), default=None, metavar="N",
                   help="run on a local Dask cluster of N workers")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on an existing Dask cluster")
    p.add_argument("--seed", type=option("seed"), default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def out_folder(args, script: str) -> Path:
    name = Path(script).stem + ("_quick" if args.quick else "")
    return Path(args.out) if args.out else REPO / "out" / name


def executor_kwargs(args) -> dict:
    return {"workers": args.workers, "dask_local": args.dask_local,
            "scheduler": args.scheduler, "progress": not args.quiet, "resume": True}


def run(main) -> None:
    """Run a script's main(), turning a zonesim error (bad scenario, experiment request or
    output folder) into a message and exit status 2."""
    from zonesim.errors import ZonesimError
    t0 = time.perf_counter()
    try:
        main()
    except ZonesimError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2)
    print(f"\n[{time.perf_counter() - t0:.0f} s]")


def show(df: pd.DataFrame, floats: str = "{:.3g}") -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 40,
                           "display.max_rows", 500, "display.max_colwidth", 60):
        print(df.to_string(index=False, float_format=lambda v: floats.format(v)))
