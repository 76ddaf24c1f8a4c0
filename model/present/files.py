"""Output folders and their texts: the planner's console table of a run, the files of a
comparison, a sweep and a sensitivity analysis (tables, figures, the sensitivity report)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.present.experiment_figures import (comparison_chart, convergence_chart,
                                                sensitivity_chart, sensitivity_overview,
                                                sweep_chart)
from zonesim.present.formats import (CONSOLE_WIDTH, MET_AT_START, NOT_FORECASTS, num,
                                     planner_range, planner_value, text_width,
                                     tier_shares_text, wrap_lines)
from zonesim.present.labels import goal_text, label
from zonesim.registry import scopes
from zonesim.scenario import Scenario
from zonesim.scenario.schema import TARGET_KINDS


def _safe(name: str) -> str:
    """A file name for an output or target id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", name)


#: The run table's columns: heading, width (an int: fixed; a float: that share of the columns
#: left) and whether the cell is right-aligned.
_RUN_COLUMNS = (("target — where", 0.42, False), ("goal", 0.27, False),
                ("P(met) [95% CI]", 16, False), ("median (5–95%)", 0.31, False),
                ("first met", 5, True))
_GAP = "  "


def _run_widths(width: int) -> list[int]:
    """The widths of ``_RUN_COLUMNS`` in a table ``width`` columns wide."""
    fixed = sum(w for _, w, _ in _RUN_COLUMNS if isinstance(w, int))
    free = width - fixed - len(_GAP) * (len(_RUN_COLUMNS) - 1)
    widths = [w if isinstance(w, int) else int(w * free) for _, w, _ in _RUN_COLUMNS]
    widths[0] += width - sum(widths) - len(_GAP) * (len(widths) - 1)   # rounding
    return widths


def _cell(text: str, width: int, right: bool) -> str:
    pad = " " * (width - text_width(text))
    return pad + text if right else text + pad


def _block(cells: list[list[str]], widths: list[int]) -> list[str]:
    """Lines of one table row whose cells are already wrapped to their widths."""
    return [_GAP.join(_cell(c[i] if i < len(c) else "", w, right)
                      for c, w, (_, _, right) in zip(cells, widths, _RUN_COLUMNS)).rstrip()
            for i in range(max(map(len, cells)))]


def _goal(r) -> str:
    """The target as the planner reads it (:func:`~zonesim.present.labels.goal_text`), in
    the console's units (Chinese whatever the figures' fonts)."""
    def given(x):
        return None if pd.isna(x) else x
    base = given(r["base_year"])
    ind, measure = r["indicator"], r["measure"]
    named = r["zones"].split() if isinstance(r["zones"], str) else []
    return goal_text(ind, r["comparator"], r["target_value"], measure,
                     [int(y) for y in str(r["years"]).split()],
                     None if base is None else int(base), given(r["tolerance"]),
                     r["zone_share"], len(named),
                     shown=lambda v: planner_value(v, ind, measure))


def _target_block(r, widths: list[int]) -> list[str]:
    """A modelled target's lines: what (the indicator's label, where, its kind unless a
    forecast, whether the starting state already meets it in most runs, the id below it), goal,
    P(met) (and at both ends of a tolerance's range), the median and band in the target year
    (the share of replicates at each tier for tier targets), the median year first met."""
    ind, where = r["indicator"], scopes.short_label(r["scope"])
    kind = "" if r["kind"] == "forecast" else f" [{TARGET_KINDS[r['kind']]}]"
    start = r.get("p_met_at_start", np.nan)
    if start >= MET_AT_START:
        kind += f" (met at the start in {100 * start:.0f} % of runs)"
    what = wrap_lines(label(ind) + (f" — {where}" if where else "") + kind, widths[0], hang=2)
    what[1:] = ["  " + line for line in what[1:]]   # hanging indent: a row starts flush left
    shares = r.get("tier_shares")
    simulated = (tier_shares_text(shares) if isinstance(shares, dict) else
                 planner_range(r["median"], r["q05"], r["q95"], ind, r["measure"]))
    first = "–" if pd.isna(r["median_first_met_year"]) else f"{r['median_first_met_year']:.0f}"
    p = f"{r['p_met']:.2f} [{r['p_met_low']:.2f}–{r['p_met_high']:.2f}]"
    p = [p] + (wrap_lines(f"{r['p_met_tolerance_low']:.2f}–{r['p_met_tolerance_high']:.2f} "
                          "over the tolerance's range", widths[2])
               if pd.notna(r.get("p_met_tolerance_low", np.nan)) else [])
    lines = _block([what, wrap_lines(_goal(r), widths[1]), p,
                    wrap_lines(simulated, widths[3]), [first]], widths)
    target = "  " + r["target"]
    if text_width(target) > widths[0] or len(lines) <= len(what):
        return lines + [target]                    # a line of its own, as wide as it needs
    lines[len(what)] = target + lines[len(what)][text_width(target):]
    return lines


def _not_modelled(summary: pd.DataFrame, width: int) -> list[str]:
    """The targets the model has no quantity for, each with its reason, wrapped."""
    lines = [f"Not modelled ({len(summary)}), with the reason:"]
    for r in summary.itertuples():
        text = wrap_lines(f"{r.target}: {r.reason}", width - 2)
        lines += ["- " + text[0]] + ["  " + t for t in text[1:]]
    return lines


def target_table_text(summary: pd.DataFrame, width: int = CONSOLE_WIDTH) -> str:
    """The planner's console table, no line wider than ``width`` terminal columns (Chinese
    counts two): one row per modelled forecast target, its cells wrapped between words, in the
    registry's display units (money in 亿元); then the modelled targets that are not forecasts,
    each with its kind; then the targets not modelled with their reasons."""
    widths = _run_widths(width)
    modelled = summary["modelled"].astype(bool)
    forecast = summary["kind"] == "forecast"
    lines = _block([wrap_lines(h, w) for (h, _, _), w in zip(_RUN_COLUMNS, widths)], widths)
    lines.append("-" * width)
    for _, r in summary[modelled & forecast].iterrows():
        lines += _target_block(r, widths)
    if (modelled & ~forecast).any():
        lines += [""] + wrap_lines(
            f"Not forecasts ({(modelled & ~forecast).sum()}): {NOT_FORECASTS}.", width
        ) + ["-" * width]
        for _, r in summary[modelled & ~forecast].iterrows():
            lines += _target_block(r, widths)
    if not modelled.all():
        lines += [""] + _not_modelled(summary[~modelled], width)
    return "\n".join(lines)


def write_comparison(out: Path, comparison, figures: bool = True, base: Scenario | None = None,
                     differences: pd.DataFrame | None = None) -> list[str]:
    """comparison.csv, differences.csv (what each variant changes in the base, when given)
    and comparison.png (targets in words when ``base`` is given) in ``out``; returns the
    names written."""
    from zonesim.present.labels import target_labels

    out = Path(out)
    comparison.to_csv(out / "comparison.csv", index=False)
    written = ["comparison.csv"]
    if differences is not None:
        differences.to_csv(out / "differences.csv", index=False)
        written.append("differences.csv")
    if figures and len(comparison):
        labels = target_labels(base) if base else None
        comparison_chart(comparison, out / "comparison.png", labels, base.name if base else None)
        written.append("comparison.png")
    return written


def write_sweep(out: Path, summary, factors: list[str], scenario: Scenario,
                figures: bool = True) -> list[str]:
    """sweep_summary.csv and one figure per target in ``out/figures``."""
    from zonesim.present.labels import target_labels

    out = Path(out)
    summary.to_csv(out / "sweep_summary.csv", index=False)
    written = ["sweep_summary.csv"]
    if figures:
        figs = out / "figures"
        figs.mkdir(exist_ok=True)
        labels = target_labels(scenario)
        for t in summary["target"].unique():
            sweep_chart(summary, factors, t, figs / f"{_safe(t)}.png", labels[t])
        written.append("figures/")
    return written


def write_sensitivity(out: Path, res: dict, scenario: Scenario, figures: bool = True) -> str:
    """indices.csv, convergence.csv, replicate_noise.csv, skipped_outputs.csv, report.md and
    figures (one per output, an overview, the convergence check) in ``out``; returns the
    report's text."""
    from zonesim.present.labels import output_label

    out = Path(out)
    method = res["method"]
    res["indices"].to_csv(out / "indices.csv", index=False)
    res["convergence"].to_csv(out / "convergence.csv", index=False)
    res["noise"].to_csv(out / "replicate_noise.csv", index=False)
    res["skipped"].to_csv(out / "skipped_outputs.csv", index=False)
    if figures:
        figs = out / "figures"
        figs.mkdir(exist_ok=True)
        for o in res["indices"]["output"].unique():
            sensitivity_chart(res["indices"], method, o, figs / f"{_safe(o)}.png",
                              output_label(o, scenario))
        sensitivity_overview(res["indices"], method, out / "overview.png")
        if len(res["convergence"]):
            convergence_chart(res["convergence"], method, out / "convergence.png")
    text = sensitivity_report(res, scenario)
    (out / "report.md").write_text(text, encoding="utf-8")
    return text


def convergence_summary(convergence, method: str):
    """Per output: the largest change of the main index between N/2 and N (relative to the
    largest index of the output) and the rank correlation of the factors at N/2 and N."""
    from scipy.stats import spearmanr

    from zonesim.analysis.sensitivity import MAIN_INDEX

    c = convergence[convergence["index"] == MAIN_INDEX[method]]
    rows = []
    for o, d in c.groupby("output", sort=False):
        scale = max(float(d["value"].abs().max()), 1e-12)
        change = float((d["value"] - d["value_half"]).abs().max())
        with np.errstate(invalid="ignore"):
            rho = (spearmanr(d["value"], d["value_half"]).statistic
                   if len(d) > 2 and d["value"].nunique() > 1 and d["value_half"].nunique() > 1
                   else np.nan)
        rows.append({"output": o, "max_abs_change": change, "max_rel_change": change / scale,
                     "rank_correlation": float(rho)})
    return pd.DataFrame(rows, columns=["output", "max_abs_change", "max_rel_change",
                                       "rank_correlation"])


def sensitivity_report(res: dict, scenario: Scenario) -> str:
    """A short markdown report: top factors per output, convergence, replicate noise."""
    from zonesim.analysis.sensitivity import MAIN_INDEX

    method = res["method"]
    idx, conv, noise = res["indices"], res["convergence"], res["noise"]
    main = MAIN_INDEX[method]
    groups = res["problem"].get("groups")
    from zonesim.present.labels import factor_kind, output_label, parameter_label

    lines = [f"# {method} sensitivity of {scenario.name}", "",
             f"N = {res['n']} base samples (--samples), {len(res['design'])} points × "
             f"{res['replicates']} replicates = {len(res['design']) * res['replicates']} runs; "
             f"{res['problem']['num_vars']} factors"
             + (f" in {len(set(groups))} groups" if groups else "") + f"; seed {res['seed']}.",
             "", f"## Top factors by {main} (95 % interval)", "",
             "Each output in words (its id), then its five most influential factors: a lever is "
             "a policy instrument, an uncertainty an assumption nobody sets.", ""]
    for o, d in idx[idx["index"] == main].groupby("output", sort=False):
        top = d.sort_values("value", ascending=False).head(5)
        lines.append(f"- **{output_label(o, scenario)}** (`{o}`): " + "; ".join(
            f"{parameter_label(r.parameter, 60)} ({factor_kind(r.parameter)}, `{r.parameter}`) "
            f"{r.value:.3g} [{r.conf_low:.3g}, {r.conf_high:.3g}]" for r in top.itertuples()))
    lines += ["", "## Convergence (N/2 against N)", ""]
    if len(conv):
        cs = convergence_summary(conv, method)
        lines.append(f"Largest change of {main} between N/2 and N (absolute; relative to the "
                     "output's largest index) and the rank correlation of the factors:")
        lines.append("")
        lines += [f"- {r.output}: {r.max_abs_change:.3g} ({100 * r.max_rel_change:.0f} %), "
                  f"ρ = {r.rank_correlation:.2f}" for r in cs.itertuples()]
        bad = cs[(cs["rank_correlation"] < 0.8) | (cs["max_rel_change"] > 0.3)]
        lines += ["", f"{len(bad)} of {len(cs)} outputs look unconverged (ρ < 0.8 or a change "
                  "over 30 %)" + ("; raise N (--samples)." if len(bad) else ".")]
    else:
        lines.append(f"- not available for {method} at N = {res['n']} (the design is not "
                     "nested or N/2 is too small)")
    lines += ["", "## Share of variance that is replicate noise", "",
              ("noise_share: of a single run's variance; noise_share_of_mean: of the variance "
               "of the analysed output (mean over replicates per point)."), ""]
    lines += [f"- {r.output}: {r.noise_share:.2f} / {r.noise_share_of_mean:.2f}"
              for r in noise.itertuples() if r.noise_share == r.noise_share]
    if len(res["skipped"]):
        lines += ["", "## Outputs not analysed", ""]
        lines += [f"- {r.output}: {r.reason}" for r in res["skipped"].itertuples()]
    notes = []
    if method == "fast":
        notes.append("FAST intervals come from SALib's bootstrap, which is unreliable for this "
                     "method: treat them as indicative.")
    if method == "morris" and any(_integer_factors(res)):
        notes.append("Whole-number factors were rounded for the runs; their elementary effects "
                     "use the design's nominal step.")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _integer_factors(res: dict) -> list[str]:
    """The whole-number factors of an analysis."""
    from zonesim.registry.parameters import PARAMETERS
    return [n for n in res["problem"]["names"] if PARAMETERS[n].integer]


def table_text(df: pd.DataFrame, index: bool = False, floats=num) -> str:
    """A table as the console shows it: wide, every row, numbers by the one formatter (or
    ``floats``)."""
    with pd.option_context("display.width", 200, "display.max_columns", 40,
                           "display.max_rows", 500):
        return df.to_string(index=index, float_format=floats)
