"""Presenting a scenario run: the target table on the console and fan charts per target."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .indicators import INDICATORS
from .scenario import Scenario, Target
from .targets import measure_values, scope_values


#: CJK characters and the brackets around them: matplotlib's default fonts have no CJK glyphs,
#: so figure labels keep only the English.
_CJK = re.compile(r"\s*[(（]?[\u3000-\u9fff“”、]+[)）]?")


def latin(text: str) -> str:
    return _CJK.sub("", text).replace("()", "").strip()


def _fmt(v, unit: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if unit == "share":
        return f"{100 * v:.1f}%"
    if "yuan" in unit and abs(v) >= 1e8:
        return f"{v / 1e8:,.1f}亿"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.3g}"


def format_value(v, target_row) -> str:
    unit = "share" if target_row["measure"] == "cagr" else target_row["unit"]
    return _fmt(v, unit)


def target_table_text(summary: pd.DataFrame, width: int = 150) -> str:
    """The planner's console table: one line per target."""
    lines = [f"{'target':34} {'scope':22} {'goal':>14} {'year':>9} {'P(met) [95% CI]':>19} "
             f"{'median (5–95%)':>28} {'first met':>9}"]
    lines.append("-" * min(width, len(lines[0]) + 2))
    for _, r in summary.iterrows():
        goal_unit = "share" if r["measure"] == "cagr" else r["unit"]
        goal = f"{r['comparator']} {_fmt(r['target_value'], goal_unit)}" if r["modelled"] else ""
        if r["measure"] == "cagr" and r["modelled"]:
            goal += "/yr"
        years = str(r["years"]) if len(str(r["years"])) <= 9 else \
            f"{str(r['years']).split()[0]}–{str(r['years']).split()[-1]}"
        if not r["modelled"]:
            lines.append(f"{r['target'][:34]:34} {'not modelled: ' + str(r['reason'])[:80]}")
            continue
        p = f"{r['p_met']:.2f} [{r['p_met_low']:.2f},{r['p_met_high']:.2f}]"
        med = (f"{format_value(r['median'], r)} ({format_value(r['q05'], r)}–"
               f"{format_value(r['q95'], r)})")
        first = "–" if pd.isna(r["median_first_met_year"]) else f"{r['median_first_met_year']:.0f}"
        lines.append(f"{r['target'][:34]:34} {r['scope'][:22]:22} {goal:>14} {years:>9} "
                     f"{p:>19} {med:>28} {first:>9}")
    return "\n".join(lines)


def fan_chart(scenario: Scenario, table: pd.DataFrame, target: Target, path: Path) -> None:
    """Median, 50 % and 90 % bands of the target's indicator over the years, with the target
    value and target year(s) drawn in."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = measure_values(scope_values(table, target, [z.id for z in scenario.zones]), target)
    worst = values.min(axis=1) if target.comparator in (">=", ">") else values.max(axis=1)
    wide = worst.unstack("year")
    if target.measure == "cagr":
        wide = wide.loc[:, [c for c in wide.columns if c > target.base_year]]
    ind = INDICATORS[target.indicator]
    years = np.array(wide.columns, dtype=float)
    with np.errstate(invalid="ignore"):  # growth from zero is +inf
        q = wide.replace([np.inf, -np.inf], np.nan).quantile(
            [0.05, 0.25, 0.5, 0.75, 0.95]).to_numpy()
    share = ind.unit == "share" or target.measure == "cagr"
    scale = 100.0 if share else (1e8 if "yuan" in ind.unit else 1.0)
    unit = "%" if share else ("100 million yuan" + ind.unit.replace("yuan", "")
                              if "yuan" in ind.unit else ind.unit)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.fill_between(years, q[0] / scale, q[4] / scale, color="tab:blue", alpha=0.18,
                    label="5–95 % of replicates")
    ax.fill_between(years, q[1] / scale, q[3] / scale, color="tab:blue", alpha=0.35,
                    label="25–75 %")
    ax.plot(years, q[2] / scale, color="tab:blue", lw=2, label="median")
    ax.axhline(target.value / scale, color="tab:red", ls="--", lw=1.5,
               label=f"target {target.comparator} {target.value / scale:g}")
    for y in target.target_years:
        ax.axvline(y, color="tab:red", ls=":", lw=1)
    what = ("average yearly growth of " if target.measure == "cagr" else "") + \
        latin(ind.meaning).rstrip(".")
    ax.set_title(f"{what[:70]}\n{scope_label(target.scope, scenario)} — target {target.id}",
                 fontsize=9)
    ax.set_ylabel(f"{what[:60]}\n[{unit}]" if len(what) > 30 else f"{what} [{unit}]",
                  fontsize=8)
    ax.set_xlabel("year (end of year)")
    ax.set_xticks(years)
    ax.set_xticklabels([f"{y:.0f}" for y in years])
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def scope_label(scope: str, scenario: Scenario | None = None) -> str:
    if scope == "city":
        return latin(scenario.scenario.region) if scenario is not None else "whole city"
    if scope == "zones":
        return "all zones together"
    if scope == "special_parks":
        return "all special parks together"
    if scope == "rest_of_city":
        return "outside the zones"
    if scope.startswith("zone:"):
        return f"zone {scope[5:]}"
    if scope.startswith("each_zone:"):
        return f"every zone at tier ≥ {scope[10:]} (worst zone shown)"
    return "every zone (worst zone shown)"


# ------------------------------------------------------------------ workbench figures

def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def comparison_chart(comparison, path: Path) -> None:
    """Difference in probability of meeting each target (variant − base), with 95 % paired
    intervals, one panel per variant."""
    plt = _plt()
    variants = list(dict.fromkeys(comparison["variant"]))
    n_t = comparison["target"].nunique()
    fig, axes = plt.subplots(1, len(variants), figsize=(6 * len(variants), 0.28 * n_t + 1.5),
                             squeeze=False, sharey=True)
    for ax, v in zip(axes[0], variants):
        c = comparison[comparison["variant"] == v].reset_index(drop=True)
        y = np.arange(len(c))
        err = np.vstack([c["p_met_diff"] - c["p_met_diff_low"],
                         c["p_met_diff_high"] - c["p_met_diff"]]).clip(min=0)
        colors = np.where(c["p_met_diff_low"] > 0, "tab:green",
                          np.where(c["p_met_diff_high"] < 0, "tab:red", "tab:gray"))
        ax.errorbar(c["p_met_diff"], y, xerr=err, fmt="none", ecolor="k", lw=0.8, capsize=2)
        ax.scatter(c["p_met_diff"], y, c=colors, zorder=3, s=18)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(c["target"], fontsize=7)
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel("change in probability of meeting the target\n(variant − base, 95 % paired CI)")
        ax.set_title(f"{v}", fontsize=9)
        ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sweep_chart(summary, factors: list[str], target: str, path: Path, target_value=None,
                indicator: str | None = None) -> None:
    """Dose–response of one target: P(met) against one parameter (line with Wilson band), or a
    heatmap over two parameters."""
    plt = _plt()
    s = summary[summary["target"] == target]
    fig, ax = plt.subplots(figsize=(6.5, 4))
    if len(factors) == 1:
        f = factors[0]
        s = s.sort_values(f)
        ax.fill_between(s[f], s["p_met_low"], s["p_met_high"], alpha=0.25, color="tab:blue",
                        label="95 % Wilson interval")
        ax.plot(s[f], s["p_met"], marker="o", color="tab:blue", label="P(target met)")
        ax.set_xlabel(f)
        ax.set_ylabel("probability of meeting the target")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=7)
    else:
        f1, f2 = factors[:2]
        piv = s.groupby([f2, f1])["p_met"].mean().unstack(f1)
        im = ax.imshow(piv.to_numpy(), origin="lower", aspect="auto", vmin=0, vmax=1,
                       cmap="RdYlGn", extent=[piv.columns.min(), piv.columns.max(),
                                              piv.index.min(), piv.index.max()])
        fig.colorbar(im, ax=ax, label="probability of meeting the target")
        ax.set_xlabel(f1)
        ax.set_ylabel(f2)
    ax.set_title(f"{target}" + (f" ({indicator} target {target_value:g})"
                               if target_value is not None else ""), fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sensitivity_chart(indices, method: str, output: str, path: Path) -> None:
    """Morris μ*–σ scatter, or bars of the first and total (or method's) indices with
    intervals, for one output."""
    plt = _plt()
    d = indices[indices["output"] == output]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    if method == "morris":
        mu = d[d["index"] == "mu_star"].set_index("parameter")
        sg = d[d["index"] == "sigma"].set_index("parameter").reindex(mu.index)
        ax.errorbar(mu["value"], sg["value"], xerr=(mu["conf_high"] - mu["value"]).fillna(0),
                    fmt="o", ms=4, capsize=2)
        top = mu["value"].sort_values(ascending=False).index[:10]
        for name in top:
            ax.annotate(name, (mu.loc[name, "value"], sg.loc[name, "value"]), fontsize=7)
        ax.set_xlabel("μ* (mean absolute elementary effect)")
        ax.set_ylabel("σ (interactions / non-linearity)")
    else:
        kinds = [k for k in ("S1", "ST", "delta", "pawn_median") if k in set(d["index"])]
        order = d[d["index"] == kinds[-1]].sort_values("value", ascending=False)["parameter"]
        order = list(order[:15])
        y = np.arange(len(order))
        h = 0.8 / len(kinds)
        for j, k in enumerate(kinds):
            dk = d[d["index"] == k].set_index("parameter").reindex(order)
            err = np.vstack([dk["value"] - dk["conf_low"], dk["conf_high"] - dk["value"]])
            ax.barh(y + j * h, dk["value"], height=h, label=k,
                    xerr=np.nan_to_num(err).clip(min=0), capsize=2)
        ax.set_yticks(y + h * (len(kinds) - 1) / 2)
        ax.set_yticklabels(order, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("sensitivity index (95 % interval)")
        ax.legend(fontsize=7)
    ax.set_title(f"{method}: {output}", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
