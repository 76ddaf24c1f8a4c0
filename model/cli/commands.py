"""The commands about one scenario: run, targets, validate, patterns, calibrate; and the
registry listings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from zonesim.cli.options import UsageError, add_set_option, option
from zonesim.errors import one_line
from zonesim.present.formats import console_text
from zonesim.scenario import DEFAULT_SCENARIO, ScenarioError, list_scenarios, load_scenario
from zonesim.scenario.what_if import with_settings


def _cmd_run(args) -> int:
    from zonesim.analysis.run_scenario import run_scenario
    from zonesim.present import fan_chart, reading, target_table_text
    from zonesim.present.brief import write_brief

    sc = with_settings(load_scenario(args.scenario), args.set)
    out = Path("out") / sc.name if args.out is None else args.out

    def more_files(folder: Path, res: dict) -> None:
        if not args.no_figures and sc.modelled_targets:
            (folder / "figures").mkdir()
            for t in sc.modelled_targets:
                fan_chart(sc, res["table"], t, folder / "figures" / f"{t.id}.png")
        # the brief is the planner's reading of the run, so --no-figures does not skip it
        write_brief(folder, sc, res["table"], res["summary"], {
            "replicates": res["replicates"], "seed": args.seed, "seconds": res["seconds"],
            "parameters_text": res["draws"].describe(),
            "steps_per_year": args.steps_per_year or sc.meta.steps_per_year})

    res = run_scenario(sc, args.replicates, args.seed, out, args.workers, args.steps_per_year,
                       progress=not args.quiet, force=args.force, write_more=more_files,
                       uncertainty=args.uncertainty)
    summary = res["summary"]
    print(f"{sc.meta.title}\n{sc.meta.region}, {sc.meta.start_year}→"
          f"{sc.meta.end_year}; {res['replicates']} replicates, seed {args.seed} "
          f"({res['seconds']:.1f} s)\n{console_text(res['draws'].describe())}\n")
    if args.set:
        print("What-if: " + ", ".join(args.set) + "\n")
    print(target_table_text(summary) if len(summary) else
          "The scenario has no targets: its indicators alone are written.")
    modelled = int(summary["modelled"].sum()) if len(summary) else 0
    forecasts = len(reading.forecasts(summary)) if len(summary) else 0
    figs = "" if args.no_figures or not modelled else ", figures/"
    print("\n" + console_text(
        f"{len(summary)} targets ({modelled} modelled, {forecasts} of them forecasts; "
        f"{len(summary) - modelled} not modelled). Written to {out}/: summary.csv, "
        "indicators.parquet, "
        f"targets_by_replicate.parquet, parameters_by_replicate.parquet, run.json, "
        f"brief.html{figs}"))
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
            print(one_line(e), file=sys.stderr)
            bad += 1
            continue
        print(f"ok  {sc.path}  ({len(sc.targets)} targets, {len(sc.zones)} zones)")
    return 2 if bad else 0


def _cmd_parameters(args) -> int:
    from zonesim.registry.parameters import PARAMETERS, registry_markdown
    if args.format == "markdown":
        if args.scenario:
            raise UsageError("--format markdown lists the registry; leave out SCENARIO")
        print(registry_markdown())
        return 0
    sc = load_scenario(args.scenario) if args.scenario else None
    for p in PARAMETERS.values():
        # a scenario's own value and where it comes from; else the registry's default
        value, prov = (sc.value(p.name), sc.provenance(p.name)) if sc else (p.default, {
            "provenance": p.provenance, "source": p.source, "low": p.low, "high": p.high})
        rng = f" [{prov['low']:g}, {prov['high']:g}]" if prov["low"] is not None else ""
        print(f"{p.name} = {value!r} {p.unit} ({p.kind}, {prov['provenance']}{rng})\n"
              f"    {p.meaning}\n    source: {prov['source']}")
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
    from zonesim.analysis.run_folder import check_folder, finished_run, output_folder
    from zonesim.errors import cut

    sc = load_scenario(args.scenario)
    out = Path("out") / "patterns" / sc.name if args.out is None else Path(args.out)

    def check() -> None:  # new, empty or a previous patterns output (replaced), else --force
        check_folder(out, {}, True)  # a file, not writable
        if args.force or not out.is_dir() or not any(out.iterdir()):
            return
        if finished_run(out) is not None:
            raise UsageError(f"--out {cut(out, 200)}: holds a finished zonesim run "
                             "(run.json); choose another --out or add --force to replace it")
        if not (out / "patterns.csv").is_file() or any(
                (out / m).exists() for m in ("experiment.json", "calibration.json")):
            raise UsageError(f"--out {cut(out, 200)}: not empty and holds no patterns output; "
                             "choose another --out or add --force to replace it")

    check()
    with output_folder(out, {}, force=True) as tmp:  # written whole or not at all
        check()  # again, now that the folder is locked
        table = check_patterns(sc, replicates=args.replicates, seed=args.seed, figures_dir=tmp)
        if "figure" in table.columns:  # where the figures will be, not the temporary folder
            table["figure"] = [str(out / Path(f).name) for f in table["figure"]]
        table.to_csv(tmp / "patterns.csv", index=False)
    for r in table.itertuples():
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.pattern}: {r.statistic} = {r.value}\n"
              f"      reference: {r.reference}\n      tolerance: {r.tolerance}\n"
              f"      {r.detail}")
    print("\n" + console_text(f"Written to {out}/: patterns.csv and one figure per pattern"))
    return 0 if table["passed"].all() else 1


def _cmd_calibrate(args) -> int:
    from zonesim.analysis.calibration import calibrate

    sc = load_scenario(args.scenario)
    if args.ship:
        return _ship(sc, args)
    if args.data is None:
        raise UsageError("--data CSV is needed (or --ship, for a scenario with a "
                         "[calibration] table)")
    params = None if args.params is None else args.params.split(",")
    if params is not None and not all(n.strip() for n in params):
        raise UsageError(f"--params: expected comma-separated parameter names, got "
                         f"{args.params[:80]!r}")
    out = Path("out") / f"calibration_{sc.name}" if args.out is None else Path(args.out)
    res = calibrate(sc, args.data, params, populations=args.populations,
                    particles=args.particles, seed=args.seed, out=out, workers=args.workers,
                    force=args.force,
                    progress=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    print(res["summary"].to_string(index=False))
    print("\n" + res["fit"].to_string(index=False))
    print("\n" + console_text(f"Written to {out}/ (posterior, summary, fit figure, calibrated "
                              f"scenario {res.get('calibrated_scenario')})"))
    return 0


def _ship(sc, args) -> int:
    import pandas as pd

    from zonesim.analysis.ship_posterior import check_shippable, ship
    from zonesim.analysis.shipped_posterior import POSTERIOR_DIR

    check_shippable(sc)
    given = [o for o, v in (("--data", args.data), ("--params", args.params),
                            ("--out", args.out)) if v is not None]
    if given:
        raise UsageError(f"--ship takes its settings from {sc.name}'s [calibration] table; "
                         f"leave out {', '.join(given)}")
    record = ship(sc, workers=args.workers,
                  progress=None if args.quiet else (lambda m: print(m, file=sys.stderr)))
    print(pd.DataFrame(record["fit"]).to_string(index=False))
    print("\n" + console_text(
        f"Posterior of {record['runin']} ({len(record['parameters'])} parameters fitted; "
        f"{len(record['carried_over'])} of the {len(record['drawn'])} it holds carry over to "
        f"{sc.name}; {record['wall_time_s']:.0f} s) written to {POSTERIOR_DIR}/"))
    return 0


def add_run(sub) -> None:
    p = sub.add_parser("run", help="run a scenario's replicates and report every target")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario name in scenarios/ or a .toml path (default {DEFAULT_SCENARIO})")
    p.add_argument("--replicates", "-n", type=option("replicates"), default=None,
                   help="number of replicates (default: the scenario's default_replicates)")
    p.add_argument("--seed", type=option("seed"), default=0, help="master seed (default 0)")
    p.add_argument("--out", default=None, help="output folder (default out/<scenario id>): "
                   "new, empty or the finished run of the same command, which is replaced")
    p.add_argument("--force", action="store_true",
                   help="replace an --out folder that holds something else")
    p.add_argument("--workers", type=option("workers"), default=None,
                   help="local processes (default: all cores; 1 = serial)")
    p.add_argument("--steps-per-year", type=option("steps_per_year"), default=None,
                   help="override the scenario's step length (1-52)")
    add_set_option(p)
    drawn = p.add_mutually_exclusive_group()
    drawn.add_argument("--fixed", dest="uncertainty", action="store_const", const="fixed",
                       default="posterior", help="every replicate at the scenario's point "
                       "values (default: uncertain parameters drawn from the scenario's "
                       "posterior, or their priors)")
    drawn.add_argument("--prior", dest="uncertainty", action="store_const", const="prior",
                       help="draw every uncertain parameter from its prior, ignoring a "
                            "calibrated posterior")
    p.add_argument("--no-figures", action="store_true", help="skip the fan charts")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)


def add_scenario_commands(sub) -> None:
    p = sub.add_parser("targets", help="list a scenario's targets with their sources")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_cmd_targets)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+")
    p.set_defaults(func=_cmd_validate)


def add_patterns(sub) -> None:
    p = sub.add_parser("patterns", help="check the known patterns (bunching, growth, size, exit)")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument("--replicates", "-n", type=option("replicates"), default=None)
    p.add_argument("--seed", type=option("seed"), default=0)
    p.add_argument("--out", default=None,
                   help="output folder (default out/patterns/<scenario id>): new, empty or a "
                        "previous patterns output, which is replaced; written whole or not at all")
    p.add_argument("--force", action="store_true",
                   help="replace an --out folder that holds something else (e.g. a run)")
    p.set_defaults(func=_cmd_patterns)


def add_calibrate(sub) -> None:
    p = sub.add_parser("calibrate", help="fit uncertain parameters to published statistics "
                       "(ABC-SMC)")
    p.add_argument("scenario")
    p.add_argument("--data", default=None,
                   help="CSV with indicator, scope, year, value (optional: scenario, weight, "
                        "unit); every row is checked before anything runs")
    p.add_argument("--ship", action="store_true",
                   help="re-make the posterior the scenario ships: calibrate the run-in its "
                        "[calibration] table names, write to scenarios/posteriors/")
    p.add_argument("--params", default=None,
                   help="comma-separated parameters to fit (default: those the statistics "
                        "are sensitive to)")
    p.add_argument("--populations", type=option("populations"), default=4,
                   help="ABC-SMC populations, 1-100 (default 4)")
    p.add_argument("--particles", type=option("particles"), default=100,
                   help="particles per population, 1-100000 (default 100)")
    p.add_argument("--seed", type=option("seed"), default=0, help="master seed (default 0)")
    p.add_argument("--out", default=None,
                   help="output folder (default out/calibration_<scenario id>): new, empty or "
                        "a previous calibration of the same scenario, which is replaced; "
                        "checked before the ABC runs, written whole or not at all")
    p.add_argument("--force", action="store_true",
                   help="replace an --out folder that holds something else (e.g. a run)")
    p.add_argument("--workers", type=option("workers"), default=None,
                   help="local processes (default: all cores; 1 = serial)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    p.set_defaults(func=_cmd_calibrate)


def add_registry_commands(sub) -> None:
    p = sub.add_parser("parameters", help="the parameter registry, or one scenario's values")
    p.add_argument("scenario", nargs="?", default=None,
                   help="show this scenario's values and their sources (default: the registry)")
    p.add_argument("--format", choices=("text", "markdown"), default="text",
                   help="markdown: the table of docs/ODD.md §10.1")
    p.set_defaults(func=_cmd_parameters)
    sub.add_parser("indicators", help="the indicators targets can use").set_defaults(
        func=_cmd_indicators)
    sub.add_parser("scenarios", help="the scenarios in scenarios/").set_defaults(
        func=_cmd_scenarios)


