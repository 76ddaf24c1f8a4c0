"""Figures of a run: fan charts of a target's indicator with the target drawn in (for the CLI's
output folder and the notebooks), the probability of meeting each target, indicators over the
years with the plan's goals, and each zone's value for a per-zone target.

Figures are built and returned; the CLI writes them to files, the notebooks show them
(:mod:`zonesim.present.notebook`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from zonesim.analysis.targets import (decisive, higher_is_better, measure_values,
                                      scope_values)
from zonesim.present.fonts import set_up_figures
from zonesim.present.formats import (VERDICT_COLOR, VERDICT_RULE, VERDICTS, verdict_masks,
                                     wrap)
from zonesim.present.labels import label, scope_label, target_goal, target_label, unit_scale
from zonesim.scenario.schema import TARGET_KINDS
from zonesim.registry.indicators import INDICATORS, TIER_LABEL

set_up_figures()


def tier_axis(ax):
    ax.set_yticks(list(TIER_LABEL))
    ax.set_yticklabels([f"{k} {v}" for k, v in TIER_LABEL.items()], fontsize=7)
    ax.set_ylim(-0.3, 4.3)


def member_values(table, scenario, t):
    """The target's measure by (replicate, year), a column per scope member (each zone for
    'every zone' targets); an infinite growth rate (from a zero base) as undefined."""
    values = measure_values(scope_values(table, t, [z.id for z in scenario.zones]), t)
    return values.replace([np.inf, -np.inf], np.nan)


def worst_member(table, scenario, t):
    """(replicate × year) table of the target's measure; for 'every zone' targets the worst zone."""
    values = member_values(table, scenario, t)
    worst = pd.Series(decisive(values.to_numpy(float), t), index=values.index)
    wide = worst.unstack("year")
    if t.measure != "level":
        wide = wide.loc[:, [c for c in wide.columns if c > t.base_year]]
    return wide


def fan_bands(ax, wide, scale, color="tab:blue", label_=None, quartiles=True, tiers=False):
    """Median, 25–75 % and 5–95 % of the replicates (columns: years) over the years. Tiers
    (``tiers``) are whole levels held from one year end to the next: their quantiles are
    levels some replicate holds, drawn as steps, never a fractional band."""
    years = np.array(wide.columns, dtype=float)
    q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95],
                      interpolation="nearest" if tiers else "linear").to_numpy() / scale
    step = {"step": "post"} if tiers else {}
    ax.fill_between(years, q[0], q[4], color=color, alpha=0.18, lw=0,
                    label="5–95 % of replicates" if label_ is None else None, **step)
    if quartiles:
        ax.fill_between(years, q[1], q[3], color=color, alpha=0.35, lw=0,
                        label="25–75 %" if label_ is None else None, **step)
    ax.plot(years, q[2], color=color, lw=2, label="median" if label_ is None else label_,
            drawstyle="steps-post" if tiers else "default")
    ax.set_xticks(years)
    ax.set_xticklabels([f"{y:.0f}" for y in years])


def _target_marks(ax, t, scale, lw=1.5):
    """Target value (red dashed) and target year(s) (red dotted), inside the axes' range."""
    tv = t.value / scale
    goal = target_goal(t)
    ax.axhline(tv, color="tab:red", ls="--", lw=lw, label=f"target: {goal}")
    for y in t.target_years:
        ax.axvline(y, color="tab:red", ls=":", lw=1)
    lo, hi = ax.get_ylim()
    pad = 0.06 * (max(hi, tv) - min(lo, tv) or 1)
    ax.set_ylim(min(lo, tv - pad), max(hi, tv + pad))


def fan_figure(scenario, table, t):
    """Fan chart of a target's indicator (median, 25–75 % and 5–95 % of replicates) with the target
    value and target year(s). 'Every zone' targets show the worst zone of each replicate; growth
    targets the average yearly growth since the base year. None when the indicator is undefined
    in every replicate (the target then counts as missed)."""
    wide = worst_member(table, scenario, t)
    if wide.notna().sum().sum() == 0:
        return None
    scale, unit = unit_scale(t.indicator, t.measure)
    scope = scope_label(t.scope, scenario)
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    fan_bands(ax, wide, scale, tiers=INDICATORS[t.indicator].tiers)
    _target_marks(ax, t, scale)
    what = _measure_words(t) + label(t.indicator)
    ax.set_title(wrap(f"{what} — {scope}", 70) + f"\ntarget {t.id}", fontsize=9)
    ax.set_ylabel({"cagr": f"growth since {t.base_year} [% a year]",
                   "change": f"{unit} more than in {t.base_year}"}.get(t.measure, unit))
    if t.indicator == "zone_tier_level":
        tier_axis(ax)
    ax.set_xlabel("year (end of year)")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return fig


def fan_chart(scenario, table, target, path: Path) -> bool:
    """Write the target's :func:`fan_figure` to ``path``; False, and no file, when its indicator
    is undefined in every replicate."""
    fig = fan_figure(scenario, table, target)
    if fig is None:
        return False
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return True


def p_met_figure(summary, scenario, title):
    """Probability of meeting each modelled target in its year(s), with the 95 % Wilson interval;
    the goal written out on each bar; targets that are not forecasts in grey, their kind
    named."""
    s = summary[summary["modelled"]].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9.5, 0.3 * len(s) + 1.6))
    y = np.arange(len(s))
    masks = verdict_masks(s["p_met"])
    colors = np.select([masks[v] for v in VERDICTS], [VERDICT_COLOR[v] for v in VERDICTS],
                       default=VERDICT_COLOR["likely missed"])    # NaN: as missed
    forecast = (s["kind"] == "forecast").to_numpy()
    colors = np.where(forecast, colors, "tab:gray")   # not the model's forecast: no verdict
    err = np.vstack([s["p_met"] - s["p_met_low"], s["p_met_high"] - s["p_met"]]).clip(min=0)
    ax.barh(y, s["p_met"], color=colors, xerr=err, capsize=2, error_kw={"lw": 0.8})
    # a tick at each probability, so that a bar of length 0 still shows its verdict colour
    ax.scatter(s["p_met"], y, c=list(colors), marker="|", s=90, linewidths=2.5, zorder=3)
    for yi, p in zip(y, s["p_met"]):
        ax.text(1.035, yi, f"{p:.2f}", va="center", fontsize=7)
    ax.set_yticks(y)
    tmap = {t.id: t for t in scenario.modelled_targets}
    ax.set_yticklabels([target_label(tmap[tid], scenario)
                        + ("" if k == "forecast" else f" [{TARGET_KINDS[k]}]")
                        for tid, k in zip(s["target"], s["kind"])], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(-0.02, 1.1)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.axvline(0.5, color="k", ls=":", lw=0.8)
    ax.set_xlabel("probability of meeting the target in its target year(s) (95 % Wilson interval)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(
        handles=[Patch(color=VERDICT_COLOR[v], label=f"{v} ({VERDICT_RULE[v]})") for v in VERDICTS]
        + ([Patch(color="tab:gray", label="not a forecast")] if not forecast.all() else []),
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.9 / (0.3 * len(s) + 1.6)),
        ncol=3,
        frameon=False,
    )
    return fig


def by_replicate(table, indicator, scope):
    """An indicator of one scope as a (replicate × year) table."""
    return table[table["scope"] == scope].pivot(index="replicate", columns="year", values=indicator)


def band(ax, table, indicator, scope, color="tab:blue", label_=None):
    """Median and 5–95 % band of an indicator over the years, for one scope. Returns the
    (replicate × year) table drawn, its scale and unit."""
    sub = by_replicate(table, indicator, scope)
    scale, unit = unit_scale(indicator)
    fan_bands(ax, sub, scale, color=color, label_=label_ or "median", quartiles=False,
              tiers=INDICATORS[indicator].tiers)
    return sub, scale, unit


def _measure_words(t) -> str:
    """What a growth or increase target measures of its indicator, as a title's prefix."""
    return {"cagr": f"Average yearly growth {t.base_year}→{t.final_year} of: ",
            "change": f"Increase {t.base_year}→{t.final_year} of: "}.get(t.measure, "")


def drivers_figure(table, scenario, pairs, title, ncols=3):
    """Small multiples: median and 5–95 % band of (indicator, scope) pairs, with the scenario's
    targets on the same indicator and scope (red dashed: level goal; red dash-dot: the path a
    growth or increase goal requires from the median of its base year; dotted verticals:
    target years)."""
    n = len(pairs)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.3 * nrows), squeeze=False)
    for ax, (ind, scope) in zip(axes.flat, pairs):
        sub, scale, unit = band(ax, table, ind, scope)
        for t in scenario.modelled_targets:
            if t.indicator != ind or t.scope != scope:
                continue
            if t.measure == "level":
                _target_marks(ax, t, scale, lw=1.2)
            else:
                base_year = (
                    t.base_year
                    if sub[t.base_year].notna().any()
                    else min(c for c in sub.columns if sub[c].notna().any())
                )
                b = sub[base_year].median()
                yrs = np.arange(base_year, t.final_year + 1)
                if t.measure == "cagr":
                    path = b * (1 + t.value) ** (yrs - base_year)
                    what = f"path of {100 * t.value:g} % a year from {base_year}"
                else:  # an increase by the target year, drawn as an even path to it
                    path = b + t.value * (yrs - base_year) / (t.final_year - base_year)
                    what = f"path to {t.value:g} more than in {base_year}"
                ax.plot(yrs, path / scale, color="tab:red", ls="-.", lw=1.2, label=what)
                ax.axvline(t.final_year, color="tab:red", ls=":", lw=1)
        ax.set_title(
            wrap(label(ind), 42) + f"\n{wrap(scope_label(scope, scenario), 50)}", fontsize=8
        )
        ax.set_ylabel(unit, fontsize=8)
        if ind == "zone_tier_level":
            tier_axis(ax)
        ax.set_xlabel("year (end of year)", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if len(ax.get_legend_handles_labels()[0]) > 1:
            ax.legend(fontsize=6, loc="best")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    fig.suptitle(
        title + "\n(median and 5–95 % of replicates; red = the plan's goal on the same indicator, "
        "dotted = target year)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


def _boxes(ax, data):
    try:
        return ax.boxplot(data, orientation="horizontal", widths=0.6)
    except TypeError:  # matplotlib < 3.10
        return ax.boxplot(data, vert=False, widths=0.6)


def per_zone_figure(table, scenario, target):
    """For a per-zone target: each zone's value in the target year (box = replicates), so the
    laggard zones stand out. Zones outside the target's tier scope are left out; None when no
    zone is in scope in any replicate."""
    t = target
    final = member_values(table, scenario, t).xs(t.final_year, level="year")
    final = final.loc[:, final.notna().any()]
    scale, unit = unit_scale(t.indicator, t.measure)
    if final.empty:
        return None
    order = final.median().sort_values(ascending=higher_is_better(t)).index
    data = [final[c].dropna() / scale for c in order]
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(order) + 1.7))
    _boxes(ax, data)
    ax.set_yticks(range(1, len(order) + 1))
    ax.set_yticklabels([scope_label(c, scenario) for c in order], fontsize=7)
    ax.axvline(t.value / scale, color="tab:red", ls="--", label=f"target: {target_goal(t)}")
    allv = pd.concat(data)
    if (
        t.measure == "level"
        and INDICATORS[t.indicator].unit != "share"
        and (allv > 0).all()
        and allv.max() > 30 * allv.min()
    ):
        ax.set_xscale("log")
    what = _measure_words(t) + label(t.indicator)
    ax.set_xlabel(
        f"{what}, {t.final_year} [{unit}]" + (" (log scale)" if ax.get_xscale() == "log" else ""),
        fontsize=8,
    )
    ax.set_title(
        wrap(
            f"{label(t.indicator)} by zone in {t.final_year}: every zone in scope must meet the target "
            f"(box = replicates; the weakest zones at the bottom)",
            80,
        ),
        fontsize=9,
    )
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3, axis="x")
    return fig


