"""The `zonesim` command line.

    zonesim run [SCENARIO] --replicates N --seed S --out DIR
    zonesim brief OUTDIR
    zonesim targets SCENARIO --format table|json
    zonesim validate SCENARIO...
    zonesim parameters | indicators | scenarios
    zonesim compare BASE VARIANT... --replicates N
    zonesim sweep SCENARIO --param NAME=LOW:HIGH[:STEPS]... --design grid|lhs
    zonesim sensitivity SCENARIO --method morris|sobol|fast|delta|pawn --samples N
    (the last three: --out DIR --resume --workers W | --scheduler ADDRESS | --dask-local N)
    zonesim patterns SCENARIO
    zonesim calibrate SCENARIO --data CSV

Argument parsing and printing only: each command calls one function of ``zonesim.analysis``
(and writes its figures and tables with ``zonesim.present``). A user's mistake (bad scenario,
bad option) prints a short message and exits with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from zonesim.cli.brief import add_brief
from zonesim.cli.commands import add_calibrate, add_patterns, add_registry_commands, add_run, \
    add_scenario_commands
from zonesim.cli.experiments import add_compare, add_levers, add_sensitivity, add_sweep
from zonesim.errors import ZonesimError, cut, one_line


class _Parser(argparse.ArgumentParser):
    """argparse's parser, with its errors on one line (the usage block is a --help away)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zonesim", description="Agent-based simulation of high-tech zone development: "
        "does a policy mix reach the plan's targets, and how likely?")
    sub = parser.add_subparsers(dest="command", required=True)
    add_run(sub)
    add_brief(sub)
    add_scenario_commands(sub)
    add_compare(sub)
    add_sweep(sub)
    add_sensitivity(sub)
    add_levers(sub)
    add_patterns(sub)
    add_calibrate(sub)
    add_registry_commands(sub)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if os.environ.get("ZONESIM_FIGURE_FONT"):  # a bad font name is refused before any run
            from zonesim.present.fonts import cjk_font
            cjk_font()
        return args.func(args)
    except ZonesimError as e:
        print(one_line(e if e.names_its_file else f"zonesim: {e}"), file=sys.stderr)
        return 2
    except OSError as e:
        where = f"{cut(e.filename, 200)}: " if e.filename else ""
        print(one_line(f"zonesim: {where}{e.strerror or e}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("zonesim: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 — a bug, not a user's mistake: say so in one line
        if os.environ.get("ZONESIM_TRACEBACK"):
            raise
        print(one_line(f"zonesim: internal error ({type(e).__name__}: {cut(e, 200)}); please "
                       "report it, with ZONESIM_TRACEBACK=1 set to show where"), file=sys.stderr)
        return 1
