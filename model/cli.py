"""The `zonesim` command line."""

from __future__ import annotations

import argparse
import sys

from .scenario import ScenarioError, load_scenario


def _cmd_validate(args) -> int:
    bad = 0
    for name in args.scenarios:
        try:
            sc = load_scenario(name)
        except ScenarioError as e:
            print(e, file=sys.stderr)
            bad += 1
            continue
        print(f"ok  {sc.path}  ({len(sc.targets)} targets, {len(sc.zones)} zones)")
    return 1 if bad else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="zonesim")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+")
    p.set_defaults(func=_cmd_validate)
    args = parser.parse_args(argv)
    return args.func(args)
