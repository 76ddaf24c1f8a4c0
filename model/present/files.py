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
from zonesim.present.formats import num, planner_value
from zonesim.scenario import Scenario


def _safe(name: str) -> str:
    """A file name for an output or target id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", name)


def target_table_text(summary: pd.DataFrame, width: int = 150) -> str:
    """The planner's console table: one line per target."""
    w = max([len("target")] + [len(t) for t in summary["target"]])   # ids never cut
    lines = [(f"{'target':{w}} {'scope':22} {'goal':>14} {'year':>9} {'P(met) [95% CI]':>19} "
              f"{'median (5–95%)':>28} {'first met':>9}")]
    lines.append("-" * min(width, len(lines[0]) + 2))
    for _, r in summary.iterrows():
        years = str(r["years"]) if len(str(r["years"])) <= 9 else \
            f"{str(r['years']).split()[0]}–{str(r['years']).split()[-1]}"
        if not r["modelled"]:
            lines.append(f"{r['target']:{w}} {'not modelled: ' + str(r['reason'])[:80]}")
            continue
        unit = "share" if r["measure"] == "cagr" else r["unit"]   # growth rates read as shares
        goal = f"{r['comparator']} {planner_value(r['target_value'], unit)}"
        if r["measure"] == "cagr":
            goal += "/yr"
        p = f"{r['p_met']:.2f} [{r['p_met_low']:.2f},{r['p_met_high']:.2f}]"
        med = (f"{planner_value(r['median'], unit)} ({planner_value(r['q05'], unit)}–"
               f"{planner_value(r['q95'], unit)})")
        first = "–" if pd.isna(r["median_first_met_year"]) else f"{r['median_first_met_year']:.0f}"
        lines.append(f"{r['target']:{w}} {r['scope'][:22]:22} {goal:>14} {years:>9} "
                     f"{p:>19} {med:>28} {first:>9}")
    return "\n".join(lines)


def write_comparison(out: Path, comparison, figures: bool = True) -> list[str]:
    """comparison.csv and comparison.png in ``out``; returns the names written."""
    out = Path(out)
    comparison.to_csv(out / "comparison.csv", index=False)
    written = ["comparison.csv"]
    if figures and len(comparison):
        comparison_chart(comparison, out / "comparison.png")
        written.append("comparison.png")
    return written


def write_sweep(out: Path, summary, factors: list[str], scenario: Scenario,
                figures: bool = True) -> list[str]:
    """sweep_summary.csv and one figure per target in ``out/figures``."""
    out = Path(out)
    summary.to_csv(out / "sweep_summary.csv", index=False)
    written = ["sweep_summary.csv"]
    if figures:
        figs = out / "figures"
        figs.mkdir(exist_ok=True)
        targets = {t.id: t for t in scenario.modelled_targets}
        for t in summary["target"].unique():
            sweep_chart(summary, factors, t, figs / f"{_safe(t)}.png", targets[t].value,
                        targets[t].indicator)
        written.append("figures/")
    return written


def write_sensitivity(out: Path, res: dict, scenario: Scenario, figures: bool = True) -> str:
    """indices.csv, convergence.csv, replicate_noise.csv, skipped_outputs.csv, report.md and
    figures (one per output, an overview, the convergence check) in ``out``; returns the
    report's text."""
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
            sensitivity_chart(res["indices"], method, o, figs / f"{_safe(o)}.png")
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
    lines = [f"# {method} sensitivity of {scenario.name}", "",
             f"N = {res['n']}, {len(res['design'])} points × {res['replicates']} replicates "
             f"= {len(res['design']) * res['replicates']} runs; "
             f"{res['problem']['num_vars']} factors"
             + (f" in {len(set(groups))} groups" if groups else "") + f"; seed {res['seed']}.",
             "", f"## Top factors by {main} (95 % interval)", ""]
    for o, d in idx[idx["index"] == main].groupby("output", sort=False):
        top = d.sort_values("value", ascending=False).head(5)
        lines.append(f"- **{o}**: " + "; ".join(
            f"{r.parameter} {r.value:.3g} [{r.conf_low:.3g}, {r.conf_high:.3g}]"
            for r in top.itertuples()))
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
                  "over 30 %)" + ("; raise N." if len(bad) else ".")]
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
