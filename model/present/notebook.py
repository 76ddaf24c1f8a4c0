"""What the notebooks use: their set-up, showing figures, HTML tables and text, and the figures
only a notebook draws (so that its cells stay short); the tables and sentences written from the
results are :mod:`zonesim.present.reading`'s (shared with brief.html).

The notebooks start with ``from zonesim.present.notebook import *`` and
``SMALL, WORKERS, OUT, POOL = start(SIZE)``; everything else they use is defined here or in the
modules this one imports. Values carry the registry's display units (:func:`value_text`), never
units typed into a notebook; figures are in Chinese only where a CJK font is installed.
"""

from __future__ import annotations

import signal
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from zonesim.analysis.compare import scenario_differences
from zonesim.engine.zones import tier_criteria
from zonesim.present import reading
from zonesim.present.figures import (band, by_replicate, drivers_figure, fan_bands, fan_figure,
                                     p_met_figure, per_zone_figure)
from zonesim.present.formats import LIKELY, UNLIKELY, num, verdict_counts, wrap
from zonesim.present.labels import (goals, label, target_goal, target_label, target_labels,
                                    unit_scale, value_text, zone_labels)
from zonesim.present.reading import (GOAL_TYPES, by_goal_type, gap_table, goal_type, markdown, overshoot,
                                     tally, verdicts)
from zonesim.registry import scopes
from zonesim.registry.indicators import TIER_LABEL, TIERS

#: what ``from zonesim.present.notebook import *`` gives a notebook
__all__ = ["GOAL_TYPES", "LIKELY", "UNLIKELY", "band", "by_goal_type", "by_replicate", "comparison_table",
           "differences_table", "drivers", "fan", "fan_bands", "findings", "gap_table", "goals",
           "goal_type", "growth_rate", "held_back", "html_table", "label", "lever_chart",
           "lever_scale", "lever_text", "medians", "morris_chart", "num", "overshoot",
           "p_diff_chart", "p_met_chart", "path_text", "paths_chart", "per_zone", "planner_reading",
           "promotion_check", "relative_change_chart", "say", "show", "size_note", "sobol_chart",
           "start", "tally", "target_goal", "target_label", "target_table", "value_text",
           "verdict_counts", "verdicts", "wrap", "zone_dots_chart"]

#: figure resolution (keeps the HTML renders small)
DPI = 100
#: the folder figures are written to (a temporary folder, never the repository); set by start()
OUT: Path | None = None
#: whether the notebook runs at the test suite's small size; set by start()
SMALL = False
#: colours of the policies or variants a figure sets side by side
COLORS = ("tab:blue", "tab:gray", "tab:orange", "tab:green")


def start(size: str):
    """Settle a notebook's size: ``"small"`` (the test suite: a few replicates, one process) or
    ``"full"`` (presentation). Returns ``(SMALL, WORKERS, OUT, POOL)``: whether small, the
    worker processes, the figure folder and one process pool for every run of the notebook
    (None: run in the kernel's process). At small size it says so (:func:`size_note`)."""
    global OUT, SMALL
    if size not in ("small", "full"):
        raise ValueError(f"SIZE must be 'small' or 'full', got {size!r}")
    SMALL = small = size == "small"
    workers = 1 if small else 2
    OUT = Path(tempfile.mkdtemp(prefix="zonesim_notebook_"))
    pool = None
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        # workers leave Ctrl-C and the kernel's shutdown interrupt to the notebook's process,
        # which shuts the pool down: otherwise each worker prints a KeyboardInterrupt traceback
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts)
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    size_note()
    return small, workers, OUT, pool


def size_note():
    """At the test suite's small size, say that the numbers mean nothing (at full size nothing)."""
    if SMALL:
        say('*Small run (`SIZE = "small"`, for the test suite): a few replicates, so the numbers '
            "and the sentences written from them mean nothing.*")


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def show(fig, name):
    """Save a figure under OUT and display it."""
    from IPython.display import Image, display

    path = OUT / f"{name}.png"
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    display(Image(filename=str(path)))


def say(text):
    """Text computed from the results, shown as formatted text."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def _cell(v):
    """A table cell: whole numbers without decimals, others to three decimals, '–' for none."""
    if not isinstance(v, (float, np.floating)):
        return str(v)
    return ("–" if not np.isfinite(v) else f"{v:.0f}" if float(v).is_integer()
            else np.format_float_positional(round(v, 3), trim="-"))


_TABLES = [0]


def html_table(frame, index=False):
    """A table shown as HTML (pandas' Styler), text left-aligned and wrapped, numbers as
    :func:`_cell` writes them; the row index hidden unless ``index``."""
    _TABLES[0] += 1                  # a fixed id per table, so that renders do not differ
    styled = (frame.style.format(_cell).set_uuid(f"t{_TABLES[0]}")
              .set_table_styles([{"selector": "td, th",
                                  "props": "text-align: left; vertical-align: top"}]))
    return styled if index else styled.hide(axis="index")


def target_table(summary, scenario):
    """The target table as HTML: one line per modelled target (:func:`verdicts`), then the
    targets the model does not represent, with the reason."""
    from IPython.display import display

    display(html_table(verdicts(summary, scenario)))
    rest = summary[~summary["modelled"].astype(bool)]
    if len(rest):
        say(f"*Not modelled ({len(rest)}), with the reason:*")
        display(html_table(rest[["target", "reason"]]))


def planner_reading(summary, scenario, name=None):
    """The run's reading for the planner in sentences
    (:func:`zonesim.present.reading.planner_reading`), under the plan's name when given."""
    head = [("p", [(name, "strong")])] if name else []
    say(markdown(head + reading.planner_reading(summary, scenario)))


def differences_table(base, variants):
    """What each variant changes in the plan: the parameter, its value in both (with units)."""
    d = scenario_differences(base, variants)
    return html_table(pd.DataFrame({
        "variant": d["variant"], "what changes": d["meaning"].str.split(r"\. ").str[0],
        "the plan": [lever_text(v, u) for v, u in zip(d["base_value"], d["unit"])],
        "the variant": [lever_text(v, u) for v, u in zip(d["variant_value"], d["unit"])]}))


def comparison_table(comparison, scenario, variants=None):
    """A comparison (:func:`zonesim.analysis.compare.compare`) in the planner's words, the rows
    where something changes: per variant and target P(met) under the plan and the variant, the
    change with its 95 % paired interval, the indicator's median under both."""
    c = comparison
    c = c[(c["p_met_diff"].abs() > 0) | (c["median_diff"].abs() > 1e-9 * c["median_base"].abs())]
    t = [next(x for x in scenario.modelled_targets if x.id == i) for i in c["target"]]
    return html_table(pd.DataFrame({
        "variant": c["variant"].map(variants) if variants else c["variant"],
        "target": [target_label(x, scenario) for x in t],
        "P(met) plan": c["p_met_base"], "P(met) variant": c["p_met_variant"],
        "change [95 % interval]": [f"{d:+.2f} [{lo:+.2f}, {hi:+.2f}]" for d, lo, hi in
                                   zip(c["p_met_diff"], c["p_met_diff_low"], c["p_met_diff_high"])],
        "median plan": [value_text(v, x.indicator, x.measure) for v, x in zip(c["median_base"], t)],
        "median variant": [value_text(v, x.indicator, x.measure)
                           for v, x in zip(c["median_variant"], t)]}))


def fan(scenario, table, t, name):
    """Show :func:`fan_figure`, or say why there is none."""
    fig = fan_figure(scenario, table, t)
    if fig is None:
        return say(f"*{t.id}: the indicator is undefined in every replicate "
                   + ("(growth from a base year without a simulated value)"
                      if t.measure == "cagr" else "") + " — no chart; the target counts as missed.*")
    show(fig, name)


def p_met_chart(summary, scenario, title, name):
    """Show :func:`p_met_figure`."""
    show(p_met_figure(summary, scenario, title), name)


def findings(summary, scenario, name):
    """Show the verdicts in sentences (:func:`zonesim.present.reading.findings`)."""
    say(markdown(reading.findings(summary, scenario, name)))


def drivers(table, scenario, pairs, title, name, ncols=3):
    """Show :func:`drivers_figure`."""
    show(drivers_figure(table, scenario, pairs, title, ncols), name)


def per_zone(table, scenario, target, name):
    """Show :func:`per_zone_figure`, or say that no zone is in the target's scope."""
    fig = per_zone_figure(table, scenario, target)
    if fig is None:
        return say(f"*{target.id}: no zone reaches the tier in scope in any replicate.*")
    show(fig, name)


def held_back(table, scenario, summary, threshold=0.5, prefix="missed"):
    """For every target met in fewer than `threshold` of replicates: one sentence on the gap
    (:func:`zonesim.present.reading.held_back`), the fan chart of its indicator against the
    target, and for per-zone targets each zone's value."""
    for t, runs in reading.held_back(summary, scenario, threshold):
        say(markdown([("p", runs)]))
        fan(scenario, table, t, f"{prefix}_{t.id}")
        if scopes.parse(t.scope).kind == "each_zone":
            per_zone(table, scenario, t, f"{prefix}_{t.id}_zones")


def medians(table, indicator, scope):
    """Median over replicates of an indicator by year, for one scope."""
    return table[table["scope"] == scope].groupby("year")[indicator].median()


def path_text(table, indicator, scope, y0=None, y1=None):
    """'from A (y0) to B (y1)' for the median path of an indicator."""
    s = medians(table, indicator, scope).dropna()
    y0 = s.index.min() if y0 is None else y0
    y1 = s.index.max() if y1 is None else y1
    return f"from {value_text(s[y0], indicator)} ({y0}) to {value_text(s[y1], indicator)} ({y1})"


def growth_rate(table, indicator, scope, y0, y1):
    """Median over replicates of the average yearly growth y0→y1."""
    w = by_replicate(table, indicator, scope)
    return float(((w[y1] / w[y0]) ** (1 / (y1 - y0)) - 1).median())


def promotion_check(table, scenario, year, zone_ids=None):
    """For each zone (not development zones) below its highest tier in `year`: the criteria of
    its next tier (zonesim.engine.zones.tier_criteria; for a special park its recognition's) —
    the zone's median value and the share of replicates meeting each; one row per zone and
    criterion, then all together. A zone meeting them all may still wait (ODD §7.18)."""
    rows, key = [], ["zone", f"tier in {year}", "next tier"]
    for z in scenario.zones:
        sub = table[(table["scope"] == scopes.zone_scope(z.id)) & (table["year"] == year)]
        if ((zone_ids is not None and z.id not in zone_ids) or sub.empty
                or z.kind == "development_zone"):
            continue
        now = int(round(sub["zone_tier_level"].median()))
        park = z.kind == "special_park"
        nxt = 1 if park else now + 1
        if (park and now >= 1) or nxt >= len(TIERS):
            continue
        crit = {i: need for i, need in tier_criteria(nxt, park, scenario.values()).items()
                if need > 0}
        met = {i: sub[i].to_numpy() >= need for i, need in crit.items()}
        zone = dict(zip(key, (z.id, TIER_LABEL[now], TIER_LABEL[nxt])))
        rows += [{**zone, "criterion": label(i), "required": f"≥ {value_text(need, i)}",
                  "zone's median": value_text(sub[i].median(), i),
                  "met in (% of replicates)": round(100 * float(met[i].mean()))}
                 for i, need in crit.items()]
        rows.append({**zone, "criterion": "all criteria together", "required": "",
                     "zone's median": "", "met in (% of replicates)":
                     round(100 * float(np.logical_and.reduce(list(met.values())).mean()))})
    return pd.DataFrame(rows).set_index(key) if rows else pd.DataFrame()


def lever_scale(unit):
    """Divisor and axis unit of a lever's values: shares and rates in %, yuan in 10 000 yuan."""
    if "share" in unit or unit == "rate":
        return 0.01, "%"
    return (1e4, unit.replace("yuan", "× 10 000 yuan")) if "yuan" in unit else (1.0, unit)


def lever_text(v, unit):
    """A lever's value with its unit, as text: '15 %', '400,000 yuan per first certification'."""
    if isinstance(v, str):
        return v
    return f"{num(100 * v)} %" if lever_scale(unit)[1] == "%" else f"{num(v)} {unit}".strip()


def _change_rows(ax, y, d, lo, hi, **kw):
    """Points (or bars with ``bar=True``) at ``d`` with the interval ``lo``–``hi``."""
    err = np.nan_to_num(np.vstack([d - lo, hi - d])).clip(min=0)
    if kw.pop("bar", False):
        ax.barh(y, d, xerr=err, capsize=2, **kw)
    else:
        ax.errorbar(d, y, xerr=err, fmt="o", ms=4, lw=0.8, capsize=2, **kw)
    ax.axvline(0, color="k", lw=0.8)
    ax.grid(alpha=0.3, axis="x")


def relative_change_chart(comparison, scenario, variants, title, name):
    """Per target, the change of its indicator's median under each variant, in % of the plan's
    median with the 95 % paired interval; targets whose plan median is zero left out."""
    names = target_labels(scenario)
    c = comparison.copy()
    base = c["median_base"].abs().replace(0, np.nan)
    for col in ("median_diff", "median_diff_low", "median_diff_high"):
        c[col] = 100 * c[col] / base
    keep = c.groupby("target")["median_diff"].apply(lambda r: r.notna().any())
    tids = [t for t in dict.fromkeys(c["target"]) if keep[t]]
    height = 0.32 * len(tids) + 1.8
    fig, ax = plt.subplots(figsize=(10, height))
    y = np.arange(len(tids))
    for k, (v, color) in enumerate(zip(variants, ("tab:red", "tab:green", *COLORS))):
        d = c[c["variant"] == v].set_index("target").reindex(tids)
        _change_rows(ax, y + 0.2 * (k - 0.5), d["median_diff"], d["median_diff_low"],
                     d["median_diff_high"], color=color, label=variants[v])
    ax.set_yticks(y, [names[t] for t in tids], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("change of the indicator's median in the target year, % of the plan's median "
                  "(95 % paired interval)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -1.0 / height), ncol=2,
              frameon=False)
    show(fig, name)


def p_diff_chart(comparison, scenario, variants, title, name):
    """The targets whose P(met) changes clearly under a variant (the 95 % paired interval of
    the change excludes zero), with that change."""
    names = target_labels(scenario)
    c = comparison[(comparison["p_met_diff_low"] > 0) | (comparison["p_met_diff_high"] < 0)]
    if c.empty:
        return say("*No target's probability changes clearly in this run.*")
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(c) + 1.5))
    y = np.arange(len(c))
    _change_rows(ax, y, c["p_met_diff"], c["p_met_diff_low"], c["p_met_diff_high"], bar=True,
                 color=np.where(c["p_met_diff"] > 0, "tab:green", "tab:red"))
    ax.set_yticks(y, [f"{names[t]}  [{variants[v]}]"
                      for t, v in zip(c["target"], c["variant"])], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("change in P(target met by its year), variant − plan "
                  "(95 % paired score interval)")
    ax.set_title(title, fontsize=10)
    show(fig, name)


def lever_chart(summary, factor, lever, plan_value, scenario, title, name, top=4):
    """Dose–response of the ``top`` targets whose P(met) spreads most over the lever's range:
    P(met) with its 95 % Wilson band (left), the mean margin (indicator / target, right); the
    plan's value dotted."""
    names = target_labels(scenario)
    p = summary.groupby("target")["p_met"]
    spread = (p.max() - p.min()).sort_values(ascending=False)
    chosen = [t for t in spread.index[:top] if spread[t] > 0] or list(spread.index[:1])
    scale, unit = lever_scale(factor.unit)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
    for t, color in zip(chosen, plt.cm.tab10.colors):
        s = summary[summary["target"] == t].sort_values(factor.name)
        x = s[factor.name] / scale
        axes[0].fill_between(x, s["p_met_low"], s["p_met_high"], color=color, alpha=0.15)
        axes[0].plot(x, s["p_met"], "o-", color=color, ms=4, label=wrap(names[t], 55))
        axes[1].plot(x, s["margin"], "o-", color=color, ms=4)
    axes[0].set(ylim=(-0.02, 1.02), ylabel="P(target met by its year)")
    axes[1].axhline(1, color="tab:red", ls="--", lw=1, label="on the target (margin = 1)")
    axes[1].set_ylabel("mean margin: indicator / target")
    for ax in axes:
        ax.axvline(plan_value / scale, color="gray", ls=":", lw=1.2, label="the plan's value")
        ax.set_xlabel(f"{lever} [{unit}]")
        ax.grid(alpha=0.3)
    (h0, l0), (h1, l1) = (ax.get_legend_handles_labels() for ax in axes)
    fig.legend(h0 + h1[:1], l0 + l1[:1], fontsize=7, loc="lower center", ncol=3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    show(fig, name)


def morris_chart(score, keep, kinds, title, name, top=20):
    """The ``top`` factors by screening score and the survivors kept, levers in orange."""
    s = score[list(score.index[:top]) + [p for p in keep if p not in score.index[:top]]]
    rank = {p: i + 1 for i, p in enumerate(score.index)}
    fig, ax = plt.subplots(figsize=(8.5, 0.3 * len(s) + 1.8))
    ax.barh(np.arange(len(s)), s.values, linewidth=1.2,
            color=["tab:orange" if kinds[p] == "lever" else "tab:blue" for p in s.index],
            edgecolor=["k" if p in keep else "none" for p in s.index])
    ax.set_yticks(np.arange(len(s)), [("▶ " if p in keep else "") + f"{p} (#{rank[p]})"
                                      for p in s.index], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("μ* relative to the most influential factor, mean over the targets' margins (0–1)")
    ax.set_title(f"{title}\n(top factors of {len(score)}, with their rank; orange = policy lever, "
                 "blue = uncertain assumption; ▶ = kept for Sobol)", fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    show(fig, name)


def sobol_chart(indices, noise, scenario, kinds, title, name):
    """Heat map of the total indices ST, a row per target, a column per factor; rows where
    replicate noise is more than half of the output's variance greyed out (and put last)."""
    names = target_labels(scenario)
    st = indices[(indices["index"] == "ST") & indices["output"].str.startswith("margin:")]
    st = st.pivot_table(index="output", columns="parameter", values="value").clip(0, 1)
    st = st[st.max().sort_values(ascending=False).index]
    noisy = (noise.set_index("output")["noise_share_of_mean"].reindex(st.index) > 0.5).to_numpy()
    order = np.argsort(noisy, kind="stable")
    st, noisy = st.iloc[order], noisy[order]
    fig, ax = plt.subplots(figsize=(0.55 * st.shape[1] + 7.5, 0.27 * st.shape[0] + 2.6))
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("0.85")
    im = ax.imshow(np.ma.masked_array(st.to_numpy(), np.repeat(noisy[:, None], st.shape[1], 1)),
                   aspect="auto", cmap=cmap, vmin=0, vmax=1)
    ax.set_yticks(range(st.shape[0]), [("(noise) " if n else "") + names[o[7:]]
                                       for o, n in zip(st.index, noisy)], fontsize=7)
    ax.set_xticks(range(st.shape[1]), [p + (" (lever)" if kinds.get(p) == "lever" else "")
                                       for p in st.columns], rotation=40, ha="right", fontsize=7)
    fig.colorbar(im, ax=ax, label="total Sobol index ST (share of variance, 0–1)", shrink=0.6)
    ax.set_title(title + "\n(outcome: margin = indicator / target in the target year; grey rows: "
                 "replicate noise dominates)", fontsize=10)
    show(fig, name)


def zone_dots_chart(frame, scenario, indicator, title, name, goal=None, start=False):
    """Each zone (row, named from the ``scenario``) under each column of ``frame`` (zone id ×
    case values of ``indicator``; with ``start`` the first column is the starting state, a
    black tick), sorted by the first case; ``goal`` (value, text) as a red dashed line."""
    scale, unit = unit_scale(indicator)
    frame = frame.sort_values(frame.columns[int(start)]) / scale
    fig, ax = plt.subplots(figsize=(8.5, 0.34 * len(frame) + 1.8))
    y = np.arange(len(frame))
    styles = [("black", "|")] * start + list(zip(COLORS, "os^v"))
    for col, (color, marker) in zip(frame.columns, styles):
        ax.plot(frame[col], y, marker, color=color, label=col, ms=7 if marker == "|" else 5, mew=2)
    if goal is not None:
        ax.axvline(goal[0] / scale, color="tab:red", ls="--", label=goal[1])
    ax.set_yticks(y, frame.index.map(lambda z: zone_labels(scenario).get(z, z)), fontsize=7)
    ax.set_xlabel(f"{label(indicator)} [{unit}] (median of replicates)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    show(fig, name)


def paths_chart(panels, end, title, name):
    """One panel per ``(title, indicator, {case: replicate × year values}, (goal, text))``:
    median and 5–95 % of each case over the years, the goal red dashed, ``end`` dotted."""
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.4), squeeze=False)
    for ax, (panel, indicator, cases, (goal, goal_text)) in zip(axes.flat, panels):
        scale, unit = unit_scale(indicator)
        for (case, wide), color in zip(cases.items(), COLORS):
            fan_bands(ax, wide, scale, color=color, label_=case, quartiles=False)
        ax.axhline(goal / scale, color="tab:red", ls="--", lw=1.2, label=goal_text)
        ax.axvline(end, color="tab:red", ls=":", lw=1)
        ax.set_ylabel(wrap(f"{label(indicator)} [{unit}]", 45), fontsize=8)
        ax.set_xlabel("year (end of year)")
        ax.set_title(panel, fontsize=9)
        ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
    fig.suptitle(title + " (median and 5–95 % of replicates)", fontsize=10)
    fig.tight_layout()
    show(fig, name)
