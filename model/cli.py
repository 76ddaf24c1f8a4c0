"""The `zonesim` command line.

    zonesim run [SCENARIO] --replicates N --seed S --out DIR
    zonesim targets SCENARIO --format table|json
    zonesim validate SCENARIO...
    zonesim parameters | indicators | scenarios

A user's mistake (bad scenario, bad option) prints a short message and exits with status 2;
no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .scenario import DEFAULT_SCENARIO, ScenarioError, list_scenarios, load_scenario


class UsageError(Exception):
    """A command-line mistake; printed without a traceback."""


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {v}")
    return v


def _cmd_run(args) -> int:
    import json as _json

    from . import __version__
    from .report import fan_chart, target_table_text
    from .runner import run_replicates
    from .targets import evaluate_targets, summarise

    sc = load_scenario(args.scenario)
    n = args.replicates or sc.scenario.default_replicates
    out = Path(args.out or Path("out") / sc.name)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    table = run_replicates(sc, n, seed=args.seed, workers=args.workers,
                           steps_per_year=args.steps_per_year, progress=not args.quiet)
    elapsed = time.perf_counter() - t0
    evaluations = evaluate_targets(sc, table)
    summary = summarise(sc, evaluations)
    table.to_parquet(out / "indicators.parquet", index=False)
    evaluations.to_parquet(out / "targets_by_replicate.parquet", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    (out / "run.json").write_text(_json.dumps({
        "scenario": sc.name, "scenario_file": sc.path, "replicates": n, "seed": args.seed,
        "steps_per_year": args.steps_per_year or sc.scenario.steps_per_year,
        "zonesim_version": __version__, "seconds": round(elapsed, 2)}, indent=2))
    if not args.no_figures:
        figs = out / "figures"
        figs.mkdir(exist_ok=True)
        for t in sc.modelled_targets:
            fan_chart(sc, table, t, figs / f"{t.id}.png")
    print(f"{sc.scenario.title}\n{sc.scenario.region}, {sc.scenario.start_year}→"
          f"{sc.scenario.end_year}; {n} replicates, seed {args.seed} ({elapsed:.1f} s)\n")
    print(target_table_text(summary))
    modelled = int(summary["modelled"].sum())
    print(f"\n{len(summary)} targets ({modelled} modelled, {len(summary) - modelled} not "
          f"modelled). Written to {out}/: summary.csv, indicators.parquet, "
          f"targets_by_replicate.parquet" + ("" if args.no_figures else ", figures/"))
    return 0


def _cmd_targets(args) -> int:
    from .indicators import INDICATORS

    sc = load_scenario(args.scenario)
    rows = []
    for t in sc.targets:
        d = t.model_dump()
        d["unit"] = INDICATORS[t.indicator].unit if t.modelled else None
        d["document"] = sc.scenario.document
        rows.append(d)
    if args.format == "json":
        print(json.dumps({"scenario": sc.name, "document": sc.scenario.document,
                          "targets": rows}, ensure_ascii=False, indent=2))
        return 0
    for d in rows:
        years = d["years"] or [d["year"]]
        goal = (f"{d['indicator']} {d['comparator']} {d['value']:g}"
                + (f" (cagr from {d['base_year']})" if d["measure"] == "cagr" else "")
                if d["modelled"] else f"not modelled: {d['reason']}")
        print(f"{d['id']}\n  {goal}\n  scope {d['scope']}, year(s) "
              f"{', '.join(map(str, years))}\n  clause: {d['clause']}")
    print(f"\n{len(rows)} targets, {sum(d['modelled'] for d in rows)} modelled")
    return 0


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
    return 2 if bad else 0


def _cmd_parameters(args) -> int:
    from .params import PARAMETERS
    for p in PARAMETERS.values():
        rng = f" [{p.low:g}, {p.high:g}]" if p.low is not None else ""
        print(f"{p.name} = {p.default!r} {p.unit} ({p.kind}, {p.provenance}{rng})\n"
              f"    {p.meaning}\n    source: {p.source}")
    return 0


def _cmd_indicators(args) -> int:
    from .indicators import INDICATORS
    for i in INDICATORS.values():
        print(f"{i.name} [{i.unit}] ({i.level}{', flow' if i.flow else ''}): {i.meaning}")
    return 0


def _cmd_scenarios(args) -> int:
    for path in list_scenarios():
        try:
            sc = load_scenario(path)
            print(f"{path.stem:45} {sc.scenario.title}")
        except ScenarioError as e:
            print(f"{path.stem:45} INVALID: {str(e).splitlines()[0]}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zonesim", description="Agent-based simulation of high-tech zone development: "
        "does a policy mix reach the plan's targets, and how likely?")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run a scenario's replicates and report every target")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario name in scenarios/ or a .toml path (default {DEFAULT_SCENARIO})")
    p.add_argument("--replicates", "-n", type=_positive, default=None,
                   help="number of replicates (default: the scenario's default_replicates)")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--out", default=None, help="output folder (default out/<scenario id>)")
    p.add_argument("--workers", type=_positive, default=None,
                   help="local processes (default: all cores; 1 = serial)")
    p.add_argument("--steps-per-year", type=_positive, default=None,
                   help="override the scenario's step length")
    p.add_argument("--no-figures", action="store_true", help="skip the fan charts")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("targets", help="list a scenario's targets with their sources")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_cmd_targets)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+")
    p.set_defaults(func=_cmd_validate)

    sub.add_parser("parameters", help="the parameter registry").set_defaults(
        func=_cmd_parameters)
    sub.add_parser("indicators", help="the indicators targets can use").set_defaults(
        func=_cmd_indicators)
    sub.add_parser("scenarios", help="the scenarios in scenarios/").set_defaults(
        func=_cmd_scenarios)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, UsageError) as e:
        print(f"zonesim: {e}" if isinstance(e, UsageError) else str(e), file=sys.stderr)
        return 2
    except OSError as e:
        print(f"zonesim: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("zonesim: interrupted", file=sys.stderr)
        return 130
