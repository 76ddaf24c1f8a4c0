"""The experiment commands: compare, sweep, sensitivity, levers (each on a resumable result
store)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from zonesim.cli.options import (UsageError, add_set_option, executor_args,
                                  executor_options, option, out_folder)
from zonesim.present.formats import console_text
from zonesim.scenario import load_scenario
from zonesim.scenario.what_if import with_settings


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


#: What every experiment store holds besides the files its command writes.
STORE_FILES = ["experiment.json", "design.parquet", "chunks/"]


def _written(out: Path, files: list[str], t0: float, what: str = "") -> None:
    """The closing line of an experiment command: what ran, how long, what was written."""
    print("\n" + console_text(f"{what}({time.perf_counter() - t0:.1f} s). Written to {out}/: "
                              + ", ".join(files + STORE_FILES)))


def _cmd_compare(args) -> int:
    from zonesim.analysis.compare import compare, scenario_differences
    from zonesim.present import write_comparison
    from zonesim.present.experiment_text import comparison_text

    base = load_scenario(args.base)
    variants = [load_scenario(v) for v in args.variants]
    if args.set:  # the quick what-if: the base with the values set, as one more variant
        variants.append(with_settings(base, args.set))
    if not variants:
        raise UsageError("compare needs a VARIANT scenario or --set NAME=VALUE")
    ex = executor_args(args)
    out = out_folder(args, f"compare_{base.name}")
    t0 = time.perf_counter()
    _, table = compare(base, variants, args.replicates, args.seed, out, **ex)
    differences = scenario_differences(base, variants)
    written = write_comparison(out, table, not args.no_figures, base, differences)
    print(comparison_text(table, differences, base))
    _written(out, written, t0, f"{len(variants)} variant(s) against {base.name}, "
             f"{args.replicates} replicates on common random numbers ")
    return 0


def _cmd_sweep(args) -> int:
    from zonesim.analysis.sweep import sweep
    from zonesim.present import write_sweep
    from zonesim.present.experiment_text import sweep_text

    sc = with_settings(load_scenario(args.scenario), args.set)
    parsed = [_parse_param(t) for t in args.param]
    factors = [f for f, _ in parsed]
    steps = {f.name: st for f, st in parsed if st}
    if steps and args.design == "lhs":
        raise UsageError("STEPS applies to --design grid; an lhs design takes --samples")
    ex = executor_args(args)
    out = out_folder(args, f"sweep_{sc.name}")
    t0 = time.perf_counter()
    design, _, summary = sweep(sc, factors, args.design, steps, args.samples, args.replicates,
                               args.seed, out, **ex)
    names = [f.name for f in factors]
    written = write_sweep(out, summary, names, sc, figures=not args.no_figures)
    by = names[0] if args.design == "grid" and len(names) == 1 else "point"
    print(sweep_text(design, summary, names, sc, by))
    _written(out, written, t0, f"{len(design)} points × {args.replicates} replicates ")
    return 0


def _base_samples(args) -> int | None:
    """--samples, or its old name --n with a note (scripts written for it keep working)."""
    if args.old_n is None:
        return args.samples
    if args.samples is not None:
        raise UsageError("give the base samples once, as --samples (--n is its old name)")
    print("zonesim: note: --n is now --samples (base samples); -n stays the replicates",
          file=sys.stderr)
    return args.old_n


def _cmd_sensitivity(args) -> int:
    import warnings

    from zonesim.analysis.sensitivity import sensitivity
    from zonesim.present import write_sensitivity

    samples = _base_samples(args)
    sc = load_scenario(args.scenario)
    names = None if args.params is None else [n.strip() for n in args.params.split(",")
                                              if n.strip()]
    if names == []:
        raise UsageError("--params: expected comma-separated parameter names, got none")
    ex = executor_args(args)
    out = out_folder(args, f"sensitivity_{args.method}_{sc.name}")
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        res = sensitivity(sc, args.method, samples, args.replicates, args.seed, names,
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


def _cmd_levers(args) -> int:
    from zonesim.analysis.levers import lever_effects
    from zonesim.present.experiment_text import levers_text

    sc = with_settings(load_scenario(args.scenario), args.set)
    out = out_folder(args, f"levers_{sc.name}")
    t0 = time.perf_counter()
    table = lever_effects(sc, args.replicates, args.seed, out, args.lever, **executor_args(args))
    table.to_csv(out / "levers.csv", index=False)
    print(f"What each lever of {sc.name} moves, {sc.meta.end_year}\n")
    print(levers_text(table), end="")
    _written(out, ["levers.csv"], t0, f"{len(table)} levers × 2 ends × {args.replicates} "
             "replicates on common random numbers ")
    return 0


def add_levers(sub) -> None:
    p = sub.add_parser("levers", help="what each lever of a scenario moves: paired runs at the "
                       "ends of its range")
    p.add_argument("scenario")
    p.add_argument("--lever", action="append", default=None, metavar="NAME",
                   help="only this lever (repeat for several; it may be one the scenario "
                        "leaves at the registry's default; default: every numeric lever the "
                        "scenario sets)")
    add_set_option(p, "the scenario's values around which the levers are moved")
    executor_options(p, replicates=24)
    p.set_defaults(func=_cmd_levers)


def add_compare(sub) -> None:
    p = sub.add_parser("compare", help="policy counterfactuals on common random numbers")
    p.add_argument("base", help="the base scenario")
    p.add_argument("variants", nargs="*", help="variant scenarios (policy counterfactuals)")
    add_set_option(p, "the base with these values is one more variant (a quick what-if)")
    executor_options(p)
    p.set_defaults(func=_cmd_compare)


def add_sweep(sub) -> None:
    p = sub.add_parser("sweep", help="grid or Latin-hypercube sweep over parameters")
    p.add_argument("scenario")
    p.add_argument("--param", action="append", required=True, metavar="NAME=LOW:HIGH[:STEPS]",
                   help="a parameter and its range (repeat for several; STEPS for grids, "
                        "default 5)")
    p.add_argument("--design", choices=("grid", "lhs"), default="grid")
    p.add_argument("--samples", type=option("samples"), default=16,
                   help="points of an lhs design")
    add_set_option(p, "the scenario's values to sweep around")
    executor_options(p)
    p.set_defaults(func=_cmd_sweep)


def add_sensitivity(sub) -> None:
    p = sub.add_parser("sensitivity", help="SALib global sensitivity analysis")
    p.add_argument("scenario")
    p.add_argument("--method", choices=("morris", "sobol", "fast", "delta", "pawn"),
                   default="morris")
    p.add_argument("--samples", type=option("samples"), default=None, metavar="N",
                   help="base samples: trajectories (morris, default 20), base sample (sobol, "
                        "default 256, a power of two), samples per factor (fast, default 512) "
                        "or samples (delta/pawn, default max(512, 10 per factor)); -n is the "
                        "replicates per sample point")
    p.add_argument("--n", dest="old_n", type=option("samples"), default=None,
                   help=argparse.SUPPRESS)
    p.add_argument("--params", default=None,
                   help="comma-separated parameter names (default: every assumption with a range "
                        "and every lever)")
    p.add_argument("--groups", choices=("kind",), default=None,
                   help="group factors into uncertainties and levers (morris, sobol)")
    p.add_argument("--no-levers", action="store_true", help="vary uncertainties only")
    executor_options(p, replicates=5)
    p.set_defaults(func=_cmd_sensitivity)


