"""The `zonesim` command line.

    zonesim run [SCENARIO] --replicates N --seed S --out DIR
    zonesim targets SCENARIO --format table|json
    zonesim validate SCENARIO...
    zonesim parameters | indicators | scenarios
    zonesim compare BASE VARIANT... --replicates N
    zonesim sweep SCENARIO --param NAME=LOW:HIGH[:STEPS]... --design grid|lhs
    zonesim sensitivity SCENARIO --method morris|sobol|fast|delta|pawn --n N
    (the last three: --out DIR --resume --workers W | --scheduler ADDRESS | --dask-local N)
    zonesim patterns SCENARIO
    zonesim calibrate SCENARIO --data CSV

Argument parsing and printing only: each command calls one function of ``zonesim.analysis``
(and writes its figures and tables with ``zonesim.present``). A user's mistake (bad scenario,
bad option) prints a short message and exits with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from zonesim.errors import ZonesimError
from zonesim.scenario import DEFAULT_SCENARIO, ScenarioError, list_scenarios, load_scenario


class UsageError(ZonesimError):
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
    from zonesim.analysis.run_scenario import run_scenario
    from zonesim.present import fan_chart, target_table_text

    sc = load_scenario(args.scenario)
    out = Path(args.out or Path("out") / sc.name)
    res = run_scenario(sc, args.replicates, args.seed, out, args.workers, args.steps_per_year,
                       progress=not args.quiet)
    if not args.no_figures:
        figs = out / "figures"
        figs.mkdir(exist_ok=True)
        for t in sc.modelled_targets:
            fan_chart(sc, res["table"], t, figs / f"{t.id}.png")
    summary = res["summary"]
    print(f"{sc.meta.title}\n{sc.meta.region}, {sc.meta.start_year}→"
          f"{sc.meta.end_year}; {res['replicates']} replicates, seed {args.seed} "
          f"({res['seconds']:.1f} s)\n")
    print(target_table_text(summary))
    modelled = int(summary["modelled"].sum())
    print(f"\n{len(summary)} targets ({modelled} modelled, {len(summary) - modelled} not "
          f"modelled). Written to {out}/: summary.csv, indicators.parquet, "
          f"targets_by_replicate.parquet, run.json" + ("" if args.no_figures else ", figures/"))
    return 0


def _cmd_targets(args) -> int:
    from zonesim.registry.indicators import INDICATORS

    sc = load_scenario(args.scenario)
    rows = []
    for t in sc.targets:
        d = t.model_dump()
        d["unit"] = INDICATORS[t.indicator].unit if t.modelled else None
        d["document"] = sc.meta.document
        rows.append(d)
    if args.format == "json":
        print(json.dumps({"scenario": sc.name, "document": sc.meta.document,
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


def _executor_args(args) -> dict:
    if args.scheduler and args.dask_local:
        raise UsageError("give either --scheduler ADDRESS (an existing Dask cluster) or "
                         "--dask-local N (start one here), not both")
    if args.workers and (args.scheduler or args.dask_local):
        raise UsageError("--workers sets local processes; with Dask, size the cluster instead "
                         "(--dask-local N) and leave out --workers")
    return {"workers": args.workers, "scheduler": args.scheduler, "dask_local": args.dask_local,
            "progress": not args.quiet, "resume": args.resume}


def _parse_param(text: str):
    from zonesim.analysis.space import check_factor

    try:
        name, rng = text.split("=", 1)
        parts = rng.split(":")
        if len(parts) not in (2, 3):
            raise ValueError
        low, high = float(parts[0]), float(parts[1])
        steps = int(parts[2]) if len(parts) == 3 else None
    except ValueError:
        raise UsageError(f"--param {text!r}: expected NAME=LOW:HIGH or NAME=LOW:HIGH:STEPS "
                         "(numbers; STEPS a whole number)")
    if steps is not None and steps < 2:
        raise UsageError(f"--param {text!r}: STEPS must be at least 2")
    return check_factor(name.strip(), low, high), steps


def _out_folder(args, default: str) -> Path:
    return Path(args.out or Path("out") / default)


#: What every experiment store holds besides the files its command writes.
STORE_FILES = ["experiment.json", "design.parquet", "chunks/"]


def _written(out: Path, files: list[str], t0: float, what: str = "") -> None:
    """The closing line of an experiment command: what ran, how long, what was written."""
    print(f"\n{what}({time.perf_counter() - t0:.1f} s). Written to {out}/: "
          + ", ".join(files + STORE_FILES))


def _cmd_compare(args) -> int:
    from zonesim.analysis.compare import compare
    from zonesim.present import table_text, write_comparison

    base = load_scenario(args.base)
    variants = [load_scenario(v) for v in args.variants]
    ex = _executor_args(args)
    out = _out_folder(args, f"compare_{base.name}")
    t0 = time.perf_counter()
    _, table = compare(base, variants, args.replicates, args.seed, out, **ex)
    written = write_comparison(out, table, figures=not args.no_figures)
    show = table[["variant", "target", "p_met_base", "p_met_variant", "p_met_diff",
                  "p_met_diff_low", "p_met_diff_high", "median_diff"]]
    print(table_text(show))
    _written(out, written, t0, f"{len(variants)} variant(s) against {base.name}, "
             f"{args.replicates} replicates on common random numbers ")
    return 0


def _cmd_sweep(args) -> int:
    from zonesim.analysis.sweep import sweep
    from zonesim.present import table_text, write_sweep

    sc = load_scenario(args.scenario)
    parsed = [_parse_param(t) for t in args.param]
    factors = [f for f, _ in parsed]
    steps = {f.name: st for f, st in parsed if st}
    if steps and args.design == "lhs":
        raise UsageError("STEPS applies to --design grid; an lhs design takes --samples")
    ex = _executor_args(args)
    out = _out_folder(args, f"sweep_{sc.name}")
    t0 = time.perf_counter()
    design, _, summary = sweep(sc, factors, args.design, steps, args.samples, args.replicates,
                               args.seed, out, **ex)
    names = [f.name for f in factors]
    written = write_sweep(out, summary, names, sc, figures=not args.no_figures)
    by = names[0] if args.design == "grid" and len(names) == 1 else "point"
    if by == "point":
        print("points:")
        print(table_text(design.drop(columns="scenario")))
        print()
    wide = summary.pivot_table(index="target", columns=by, values="p_met", sort=False)
    print(f"probability of meeting each target, by {by}:")
    print(table_text(wide, index=True, floats=lambda v: f"{v:.2f}"))
    _written(out, written, t0, f"{len(design)} points × {args.replicates} replicates ")
    return 0


def _cmd_sensitivity(args) -> int:
    import warnings

    from zonesim.analysis.sensitivity import sensitivity
    from zonesim.present import write_sensitivity

    sc = load_scenario(args.scenario)
    names = [n.strip() for n in args.params.split(",") if n.strip()] if args.params else None
    ex = _executor_args(args)
    out = _out_folder(args, f"sensitivity_{args.method}_{sc.name}")
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        res = sensitivity(sc, args.method, args.n, args.replicates, args.seed, names,
                          args.groups, not args.no_levers, out, **ex)
    for msg in dict.fromkeys(str(w.message) for w in caught
                             if issubclass(w.category, UserWarning)):
        print(f"zonesim: warning: {msg}", file=sys.stderr)
    text = write_sensitivity(out, res, sc, figures=not args.no_figures)
    print(text, end="")
    _written(out, ["indices.csv", "convergence.csv", "replicate_noise.csv",
                   "skipped_outputs.csv", "report.md"]
             + ([] if args.no_figures else ["overview.png", "convergence.png", "figures/"]), t0)
    return 0


def _cmd_parameters(args) -> int:
    from zonesim.registry.parameters import PARAMETERS, registry_markdown
    if args.format == "markdown":
        print(registry_markdown())
        return 0
    for p in PARAMETERS.values():
        rng = f" [{p.low:g}, {p.high:g}]" if p.low is not None else ""
        print(f"{p.name} = {p.default!r} {p.unit} ({p.kind}, {p.provenance}{rng})\n"
              f"    {p.meaning}\n    source: {p.source}")
    return 0


def _cmd_indicators(args) -> int:
    from zonesim.registry.indicators import INDICATORS
    for i in INDICATORS.values():
        print(f"{i.name} [{i.unit}] ({i.level}{', flow' if i.flow else ''}): {i.meaning}")
    return 0


def _cmd_scenarios(args) -> int:
    for path in list_scenarios():
        try:
            sc = load_scenario(path)
            print(f"{path.stem:45} {sc.meta.title}")
        except ScenarioError as e:
            print(f"{path.stem:45} INVALID: {str(e).splitlines()[0]}")
    return 0


def _cmd_patterns(args) -> int:
    from zonesim.analysis.patterns import check_patterns

    sc = load_scenario(args.scenario)
    out = Path(args.out or Path("out") / "patterns" / sc.name)
    out.mkdir(parents=True, exist_ok=True)
    table = check_patterns(sc, replicates=args.replicates, seed=args.seed, figures_dir=out)
    table.to_csv(out / "patterns.csv", index=False)
    for r in table.itertuples():
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.pattern}: {r.statistic} = {r.value}\n"
              f"      reference: {r.reference}\n      tolerance: {r.tolerance}\n"
              f"      {r.detail}")
    print(f"\nWritten to {out}/: patterns.csv and one figure per pattern")
    return 0 if table["passed"].all() else 1


def _cmd_calibrate(args) -> int:
    from zonesim.analysis.calibration import calibrate

    sc = load_scenario(args.scenario)
    params = [n.strip() for n in args.params.split(",")] if args.params else None
    out = Path(args.out or Path("out") / f"calibration_{sc.name}")
    res = calibrate(sc, args.data, params, populations=args.populations,
                    particles=args.particles, seed=args.seed, out=out, workers=args.workers,
                    progress=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    print(res["summary"].to_string(index=False))
    print("\n" + res["fit"].to_string(index=False))
    print(f"\nWritten to {out}/ (posterior, summary, fit figure, calibrated scenario "
          f"{res.get('calibrated_scenario')})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zonesim", description="Agent-based simulation of high-tech zone development: "
        "does a policy mix reach the plan's targets, and how likely?")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_scenario_commands(sub)
    _add_compare(sub)
    _add_sweep(sub)
    _add_sensitivity(sub)
    _add_patterns(sub)
    _add_calibrate(sub)
    _add_registry_commands(sub)
    return parser


def _add_run(sub) -> None:
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


def _add_scenario_commands(sub) -> None:
    p = sub.add_parser("targets", help="list a scenario's targets with their sources")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_cmd_targets)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+")
    p.set_defaults(func=_cmd_validate)


def _executor_options(p, replicates: int = 10) -> None:
    """The options every experiment command shares: replicates, seed, output folder, where the
    runs go."""
    p.add_argument("--replicates", "-n", type=_positive, default=replicates,
                   help=f"replicates per point (default {replicates})")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--out", default=None, help="output folder (must be new or empty, "
                   "or hold this experiment with --resume)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted experiment in --out (finished runs are "
                        "kept, none is run twice)")
    p.add_argument("--workers", type=_positive, default=None,
                   help="local processes (default: all cores; 1 = serial)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on an existing Dask cluster (e.g. tcp://host:8786)")
    p.add_argument("--dask-local", type=_positive, default=None, metavar="N",
                   help="start a local Dask cluster with N worker processes")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def _add_compare(sub) -> None:
    p = sub.add_parser("compare", help="policy counterfactuals on common random numbers")
    p.add_argument("base", help="the base scenario")
    p.add_argument("variants", nargs="+", help="variant scenarios (policy counterfactuals)")
    _executor_options(p)
    p.set_defaults(func=_cmd_compare)


def _add_sweep(sub) -> None:
    p = sub.add_parser("sweep", help="grid or Latin-hypercube sweep over parameters")
    p.add_argument("scenario")
    p.add_argument("--param", action="append", required=True, metavar="NAME=LOW:HIGH[:STEPS]",
                   help="a parameter and its range (repeat for several; STEPS for grids, "
                        "default 5)")
    p.add_argument("--design", choices=("grid", "lhs"), default="grid")
    p.add_argument("--samples", type=_positive, default=16, help="points of an lhs design")
    _executor_options(p)
    p.set_defaults(func=_cmd_sweep)


def _add_sensitivity(sub) -> None:
    p = sub.add_parser("sensitivity", help="SALib global sensitivity analysis")
    p.add_argument("scenario")
    p.add_argument("--method", choices=("morris", "sobol", "fast", "delta", "pawn"),
                   default="morris")
    p.add_argument("--n", type=_positive, default=None,
                   help="trajectories (morris, default 20) or base samples (sobol, default 256, "
                        "a power of two; fast 512 per factor; delta/pawn max(512, 10 per "
                        "factor))")
    p.add_argument("--params", default=None,
                   help="comma-separated parameter names (default: every assumption with a range "
                        "and every lever)")
    p.add_argument("--groups", choices=("kind",), default=None,
                   help="group factors into uncertainties and levers (morris, sobol)")
    p.add_argument("--no-levers", action="store_true", help="vary uncertainties only")
    _executor_options(p, replicates=5)
    p.set_defaults(func=_cmd_sensitivity)


def _add_patterns(sub) -> None:
    p = sub.add_parser("patterns", help="check the known patterns (bunching, growth, size, exit)")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument("--replicates", "-n", type=_positive, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    p.set_defaults(func=_cmd_patterns)


def _add_calibrate(sub) -> None:
    p = sub.add_parser("calibrate", help="fit uncertain parameters to published statistics "
                       "(ABC-SMC)")
    p.add_argument("scenario")
    p.add_argument("--data", required=True, help="CSV with indicator, scope, year, value")
    p.add_argument("--params", default=None, help="comma-separated parameters to fit")
    p.add_argument("--populations", type=_positive, default=4)
    p.add_argument("--particles", type=_positive, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    p.add_argument("--workers", type=_positive, default=None)
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=_cmd_calibrate)


def _add_registry_commands(sub) -> None:
    p = sub.add_parser("parameters", help="the parameter registry")
    p.add_argument("--format", choices=("text", "markdown"), default="text",
                   help="markdown: the table of docs/ODD.md §10.1")
    p.set_defaults(func=_cmd_parameters)
    sub.add_parser("indicators", help="the indicators targets can use").set_defaults(
        func=_cmd_indicators)
    sub.add_parser("scenarios", help="the scenarios in scenarios/").set_defaults(
        func=_cmd_scenarios)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ZonesimError as e:
        print(str(e) if e.names_its_file else f"zonesim: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        print(f"zonesim: {where}{e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("zonesim: interrupted", file=sys.stderr)
        return 130
