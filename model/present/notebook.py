"""Presenting results in the notebooks: the planner's labels of the indicators, figures with
targets drawn in, goal and value texts, and sentences written from the results.

The notebooks start with ``from zonesim.present import *`` and
``SMALL, WORKERS, OUT, POOL = start(SIZE)``; everything else they use is defined here, once.
Figures are English only (matplotlib's default fonts have no CJK glyphs); the documents' Chinese
terms are in the notebooks' text.
"""

from __future__ import annotations

import signal
import tempfile
import textwrap
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")  # figures are written to files in OUT and shown from there
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.patches import Patch  # noqa: E402

from zonesim.registry.indicators import INDICATORS  # noqa: E402
from zonesim.present.report import latin, scope_label  # noqa: E402
from zonesim.analysis.targets import measure_values, scope_values  # noqa: E402
from zonesim.engine.zones import tier_criteria  # noqa: E402

#: what ``from zonesim.present import *`` gives a notebook
__all__ = ["start", "LABEL", "COMP", "TIERS", "LIKELY", "UNLIKELY", "verdict_counts", "label", "wrap", "show", "say", "fan_bands",
           "unit_scale", "num", "years_text", "short_unit", "goal_text",
           "target_goal", "where_short", "target_label", "goals", "value_text",
           "range_text", "tier_axis", "worst_member", "fan", "fan_figure",
           "p_met_chart", "verdict", "verdicts", "findings", "band", "drivers",
           "per_zone", "held_back", "gap_table", "tally", "KINDS", "kind_of",
           "by_kind", "overshoot", "medians", "path_text", "growth_rate",
           "promotion_check"]

#: figure resolution (keeps the HTML renders small)
DPI = 100
#: the folder figures are written to (a temporary folder, never the repository); set by start()
OUT: Path | None = None


def start(size: str):
    """Settle a notebook's size: ``"small"`` (the test suite: a few replicates, one process) or
    ``"full"`` (presentation). Returns ``(SMALL, WORKERS, OUT, POOL)``: whether small, the
    worker processes, the figure folder and one process pool for every run of the notebook
    (None: run in the kernel's process)."""
    global OUT
    if size not in ("small", "full"):
        raise ValueError(f"SIZE must be 'small' or 'full', got {size!r}")
    small = size == "small"
    workers = 1 if small else 2
    OUT = Path(tempfile.mkdtemp(prefix="zonesim_notebook_"))
    pool = None
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        # workers leave Ctrl-C and the kernel's shutdown interrupt to the notebook's process,
        # which shuts the pool down: otherwise each worker prints a KeyboardInterrupt traceback
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts)
    pd.set_option("display.width", 170)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.max_rows", 200)
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    return small, workers, OUT, pool


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# Short planner's labels of the indicators (figures are English only: matplotlib's default fonts
# have no CJK glyphs; the documents' Chinese terms are in the text).
LABEL = {
    "enterprises": "Enterprises",
    "above_scale_enterprises": "Above-scale industrial firms",
    "high_tech_enterprises": "Certified high-tech enterprises",
    "new_high_tech_enterprises": "Newly certified high-tech enterprises",
    "leader_enterprises": "Innovative leader enterprises",
    "cultivation_pool_enterprises": "Firms in the high-tech cultivation pool",
    "tech_smes": "Tech SMEs",
    "specialised_smes": "Specialised and sophisticated SMEs",
    "high_tech_or_specialised_enterprises": "High-tech or specialised SMEs (counted once)",
    "industrial_output_yuan": "Gross industrial output",
    "above_scale_output_yuan": "Output of above-scale firms",
    "high_tech_output_yuan": "High-tech industry output",
    "high_tech_output_share": "High-tech share of above-scale output",
    "above_scale_value_added_yuan": "Value added of above-scale firms",
    "high_tech_value_added_share": "High-tech share of above-scale value added",
    "value_added_share_of_city": "Share of the city's above-scale value added",
    "gdp_yuan": "GDP",
    "rd_expenditure_yuan": "R&D expense reported by firms",
    "rd_to_gdp": "R&D expenditure / GDP",
    "enterprise_rd_intensity": "Enterprises' R&D expense / revenue",
    "above_scale_rd_intensity": "Above-scale firms' R&D expense / revenue",
    "rd_institutions_municipal_plus": "R&D institutions (municipal level or above)",
    "new_rd_institutions_municipal_plus": "New R&D institutions (municipal level or above)",
    "rd_institutions_provincial_plus": "R&D institutions (provincial level or above)",
    "above_scale_with_rd_institution_share": "Above-scale firms with an R&D institution",
    "large_medium_and_hte_rd_institution_share": "Large/medium and certified firms with an R&D institution",
    "above_scale_university_coop_share": "Above-scale firms cooperating with a university",
    "new_university_cooperations": "New university-firm cooperations",
    "new_joint_university_rd_institutions": "New R&D institutions co-built with universities",
    "patent_applications": "Patent applications",
    "invention_patent_applications": "Invention-patent applications",
    "invention_patent_grants": "Invention-patent grants",
    "patent_grants": "Patent grants (all kinds)",
    "firms_first_patent_application": "Firms filing their first patent",
    "large_medium_and_hte_with_invention_patent_share": "Large/medium and certified firms holding an invention patent",
    "invention_patent_stock": "Valid invention patents",
    "invention_patents_per_10k_people": "Invention patents per 10 000 residents",
    "above_scale_with_patent_application_share": "Above-scale firms filing patents in the year",
    "hte_with_invention_patent_share": "Certified firms holding an invention patent",
    "firms_over_20_patent_applications": "Firms filing more than 20 patent applications",
    "high_tech_share_of_above_scale_enterprises": "Certified firms among above-scale firms",
    "high_tech_enterprises_share_of_city": "Share of the city's certified high-tech firms",
    "strategic_industry_output_share": "Strategic-industry share of output",
    "strategic_industry_output_yuan": "Strategic-industry output",
    "gazelle_enterprises": "Gazelle enterprises",
    "land_used_mu": "Land used",
    "output_per_mu_yuan": "Output per mu of land",
    "value_added_per_mu_yuan": "Value added per mu of land",
    "land_free_mu": "Developable land left",
    "offshore_bases": "Offshore incubation bases",
    "offshore_projects_admitted": "Offshore projects admitted",
    "offshore_projects_landed": "Offshore projects landed at home",
    "incubated_projects": "Projects in incubation",
    "incubator_graduates": "Incubator graduates",
    "zone_tier_level": "Zone tier",
    "zones_municipal_plus": "Zones at municipal tier or above",
    "zones_provincial_plus": "Zones at provincial tier or above",
    "zones_provincial_recognized_plus": "Zones at provincial 'recognized' tier or above",
    "zones_national": "National high-tech zones",
    "zones_creating_to_recognized": "Zones promoted 'creating' to 'recognized'",
    "county_units_covered_share": "County-level units with a municipal-or-higher zone",
    "special_parks": "Special parks holding their status",
    "provincial_zones_with_incubator_share": "Provincial zones hosting an incubator",
    "zones_strategic_output_over_10bn": "Zones with a 10-bn-yuan strategic cluster",
    "tech_loan_balance_yuan": "Tech-loan balance",
    "government_spending_yuan": "Government spending on the levers",
}
COMP = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
TIERS = {
    0: "candidate",
    1: "municipal",
    2: "provincial 'creating'",
    3: "provincial 'recognized'",
    4: "national",
}


def label(indicator):
    return LABEL.get(indicator) or latin(INDICATORS[indicator].meaning).rstrip(".")


def wrap(text, width=60):
    return "\n".join(textwrap.wrap(text, width))


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


def unit_scale(indicator, measure="level"):
    """Divisor and unit for display: shares in %, yuan per mu in 10 000 yuan (万元), tech loans and
    spending in million yuan, other yuan in bn yuan (10 亿元)."""
    unit = INDICATORS[indicator].unit
    if measure == "cagr":
        return 0.01, "% a year"
    if unit == "share":
        return 0.01, "%"
    if "yuan per mu" in unit:
        return 1e4, unit.replace("yuan", "10 000 yuan")
    if indicator in ("tech_loan_balance_yuan", "government_spending_yuan"):
        return 1e6, unit.replace("yuan", "million yuan")
    if "yuan" in unit:
        return 1e9, unit.replace("yuan", "bn yuan")
    if indicator == "zone_tier_level":
        return 1.0, "tier (0 candidate … 4 national)"
    return 1.0, unit


def num(v):
    """A number for text: thousands separators, at most three significant digits for fractions."""
    if v is None or not np.isfinite(v):
        return "–"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.3g}"


def years_text(years, flow=False):
    years = [int(y) for y in years]
    if len(years) == 1:
        return f"in {years[0]}" if flow else f"by {years[0]}"
    return f"every year {years[0]}–{years[-1]}"


def short_unit(unit):
    return "" if unit.startswith("tier") else (unit if unit in ("%", "% a year") else " " + unit)


def goal_text(indicator, comparator, value, measure, years, base_year=None):
    """The goal in words: '≥ 100 firms by 2020', '≥ 30 % a year average growth 2016→2020'."""
    scale, unit = unit_scale(indicator, measure)
    if indicator == "zone_tier_level":
        return f"{COMP[comparator]} {TIERS.get(int(value), value)} {years_text(years)}"
    v = num(value / scale)
    if measure == "cagr":
        last = list(years)[-1]
        since = f"{base_year}→{last}" if base_year is not None else f"to {last}"
        return f"average growth {COMP[comparator]} {v} % a year, {since}"
    return (
        f"{COMP[comparator]} {v}{short_unit(unit)} {years_text(years, INDICATORS[indicator].flow)}"
    )


def target_goal(t):
    return goal_text(t.indicator, t.comparator, t.value, t.measure, t.target_years, t.base_year)


def where_short(scope):
    """The target's scope in a few words for labels ('' for the whole city)."""
    if scope.startswith("each_zone"):
        return "every zone" + (f" at tier ≥ {scope[10:]}" if scope.startswith("each_zone:") else "")
    return {
        "city": "",
        "zones": "all zones",
        "special_parks": "all special parks",
        "rest_of_city": "outside the zones",
    }.get(scope, scope.replace("zone:", ""))


def target_label(t):
    """'What (where): goal' — a target in the planner's words."""
    w = where_short(t.scope)
    return f"{label(t.indicator)}{f' ({w})' if w else ''}: {target_goal(t)}"


def goals(scenario):
    """Each modelled target's goal in words, by target id."""
    return {t.id: target_goal(t) for t in scenario.modelled_targets}


def value_text(v, indicator, measure="level", unit=True):
    scale, u = unit_scale(indicator, measure)
    if v is None or not np.isfinite(v):
        return "undefined"
    if indicator == "zone_tier_level":
        return TIERS.get(int(round(v)), num(v))
    return f"{num(v / scale)}{short_unit(u) if unit else ''}"


def range_text(r):
    """'median (5–95 %) unit' of a summary row."""
    ind, meas = r["indicator"], r["measure"]
    if pd.isna(r["median"]):
        return "undefined"
    if ind == "zone_tier_level":
        return f"{value_text(r['median'], ind)} ({value_text(r['q05'], ind)} – {value_text(r['q95'], ind)})"
    return (
        f"{value_text(r['median'], ind, meas, False)} ({value_text(r['q05'], ind, meas, False)}–"
        f"{value_text(r['q95'], ind, meas, False)}){short_unit(unit_scale(ind, meas)[1])}"
    )


def tier_axis(ax):
    ax.set_yticks(list(TIERS))
    ax.set_yticklabels([f"{k} {v}" for k, v in TIERS.items()], fontsize=7)
    ax.set_ylim(-0.3, 4.3)


def member_values(table, scenario, t):
    """The target's measure by (replicate, year), a column per scope member (each zone for
    'every zone' targets); an infinite growth rate (from a zero base) as undefined."""
    values = measure_values(scope_values(table, t, [z.id for z in scenario.zones]), t)
    return values.replace([np.inf, -np.inf], np.nan)


def worst_member(table, scenario, t):
    """(replicate × year) table of the target's measure; for 'every zone' targets the worst zone."""
    values = member_values(table, scenario, t)
    worst = values.min(axis=1) if t.comparator in (">=", ">") else values.max(axis=1)
    wide = worst.unstack("year")
    if t.measure == "cagr":
        wide = wide.loc[:, [c for c in wide.columns if c > t.base_year]]
    return wide


def fan_bands(ax, wide, scale, color="tab:blue", label_=None, quartiles=True):
    years = np.array(wide.columns, dtype=float)
    q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).to_numpy() / scale
    ax.fill_between(
        years,
        q[0],
        q[4],
        color=color,
        alpha=0.18,
        lw=0,
        label="5–95 % of replicates" if label_ is None else None,
    )
    if quartiles:
        ax.fill_between(
            years,
            q[1],
            q[3],
            color=color,
            alpha=0.35,
            lw=0,
            label="25–75 %" if label_ is None else None,
        )
    ax.plot(years, q[2], color=color, lw=2, label="median" if label_ is None else label_)
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
    fan_bands(ax, wide, scale)
    _target_marks(ax, t, scale)
    what = ("Average yearly growth of: " if t.measure == "cagr" else "") + label(t.indicator)
    ax.set_title(wrap(f"{what} — {scope}", 70) + f"\ntarget {t.id}", fontsize=9)
    ax.set_ylabel(unit if t.measure != "cagr" else f"growth since {t.base_year} [% a year]")
    if t.indicator == "zone_tier_level":
        tier_axis(ax)
    ax.set_xlabel("year (end of year)")
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    return fig


def fan(scenario, table, t, name):
    """Show :func:`fan_figure`, or say why there is none."""
    fig = fan_figure(scenario, table, t)
    if fig is None:
        say(
            f"*{t.id}: the indicator is undefined in every replicate "
            + ("(growth from a base year without a simulated value)" if t.measure == "cagr" else "")
            + " — no chart; the target counts as missed.*"
        )
        return
    show(fig, name)


def p_met_chart(summary, scenario, title, name):
    """Probability of meeting each modelled target in its year(s), with the 95 % Wilson interval;
    the goal written out on each bar."""
    s = summary[summary["modelled"]].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9.5, 0.3 * len(s) + 1.6))
    y = np.arange(len(s))
    masks = verdict_masks(s["p_met"])
    colors = np.select([masks[v] for v in VERDICTS], [VERDICT_COLOR[v] for v in VERDICTS],
                       default=VERDICT_COLOR["likely missed"])    # NaN: as missed
    err = np.vstack([s["p_met"] - s["p_met_low"], s["p_met_high"] - s["p_met"]]).clip(min=0)
    ax.barh(y, s["p_met"], color=colors, xerr=err, capsize=2, error_kw={"lw": 0.8})
    for yi, p in zip(y, s["p_met"]):
        ax.text(1.035, yi, f"{p:.2f}", va="center", fontsize=7)
    ax.set_yticks(y)
    tmap = {t.id: t for t in scenario.modelled_targets}
    ax.set_yticklabels([target_label(tmap[tid]) for tid in s["target"]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1)
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.axvline(0.5, color="k", ls=":", lw=0.8)
    ax.set_xlabel("probability of meeting the target in its target year(s) (95 % Wilson interval)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(
        handles=[Patch(color=VERDICT_COLOR[v], label=f"{v} ({VERDICT_RULE[v]})") for v in VERDICTS],
        fontsize=7,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.9 / (0.3 * len(s) + 1.6)),
        ncol=3,
        frameon=False,
    )
    show(fig, name)


#: P(met) from which a target reads as likely reached, and below which as likely missed.
LIKELY, UNLIKELY = 0.8, 0.2
VERDICTS = ("likely reached", "uncertain", "likely missed")
VERDICT_RULE = {"likely reached": f"P ≥ {LIKELY}", "uncertain": f"{UNLIKELY} ≤ P < {LIKELY}",
                "likely missed": f"P < {UNLIKELY}"}
VERDICT_COLOR = {"likely reached": "tab:green", "uncertain": "tab:orange",
                 "likely missed": "tab:red"}


def verdict_masks(p_met) -> dict[str, np.ndarray]:
    """Which probabilities of meeting a target read as each of ``VERDICTS`` (NaN as none)."""
    p = np.asarray(p_met, dtype=float)
    return {"likely reached": p >= LIKELY, "uncertain": (p >= UNLIKELY) & (p < LIKELY),
            "likely missed": p < UNLIKELY}


def verdict_counts(p_met) -> dict[str, int]:
    """How many of the probabilities read as each of ``VERDICTS``."""
    return {v: int(mask.sum()) for v, mask in verdict_masks(p_met).items()}


def verdict(p):
    return next((v for v, mask in verdict_masks(p).items() if mask), "likely missed")


def verdicts(summary, scenario):
    """One plain-language line per modelled target."""
    rows = []
    goal = goals(scenario)
    for _, r in summary[summary["modelled"]].iterrows():
        defined = pd.notna(r["median"])
        rows.append(
            {
                "target": r["target"],
                "what": label(r["indicator"]),
                "goal": goal[r["target"]],
                "where": scope_label(r["scope"], scenario),
                "verdict": verdict(r["p_met"]) if defined else "not evaluable",
                "P(met) [95 % CI]": f"{r['p_met']:.2f} [{r['p_met_low']:.2f}, {r['p_met_high']:.2f}]",
                "simulated in the target year: median (5–95 %)": range_text(r),
            }
        )
    return pd.DataFrame(rows)


def findings(summary, scenario, name):
    """The verdicts in sentences, computed from the results (so the text always follows the data)."""
    m = summary[summary["modelled"]]
    undefined = m[m["median"].isna()]
    m = m[m["median"].notna()]

    tmap = {t.id: t for t in scenario.modelled_targets}

    def item(r):
        return (
            f"{target_label(tmap[r['target']])} (`{r['target']}`): "
            f"P = {r['p_met']:.2f}, simulated {value_text(r['median'], r['indicator'], r['measure'])}"
        )

    parts = [
        f"**{name}: {len(m) + len(undefined)} modelled targets.** "
        f"Expected number met: {m['p_met'].sum():.1f}."
    ]
    for v, sel in verdict_masks(m["p_met"]).items():
        title = f"{v.capitalize()} ({VERDICT_RULE[v]})"
        rows = m[sel]
        parts.append(f"\n\n*{title}:* " + ("none." if rows.empty else ""))
        parts += [f"\n- {item(r)}" for _, r in rows.iterrows()]
    if len(undefined):
        parts.append(
            "\n\n*Not evaluable* (indicator undefined in the base year, counted as missed): "
            + ", ".join(f"`{t}`" for t in undefined["target"])
            + "."
        )
    say("".join(parts))


def by_replicate(table, indicator, scope):
    """An indicator of one scope as a (replicate × year) table."""
    return table[table["scope"] == scope].pivot(index="replicate", columns="year", values=indicator)


def band(ax, table, indicator, scope, color="tab:blue", label_=None):
    """Median and 5–95 % band of an indicator over the years, for one scope. Returns the
    (replicate × year) table drawn, its scale and unit."""
    sub = by_replicate(table, indicator, scope)
    scale, unit = unit_scale(indicator)
    fan_bands(ax, sub, scale, color=color, label_=label_ or "median", quartiles=False)
    return sub, scale, unit


def drivers(table, scenario, pairs, title, name, ncols=3):
    """Small multiples: median and 5–95 % band of (indicator, scope) pairs, with the scenario's
    targets on the same indicator and scope (red dashed: level goal; red dash-dot: the path a
    growth goal requires from the median of its base year; dotted verticals: target years)."""
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
                ax.plot(
                    yrs,
                    b * (1 + t.value) ** (yrs - base_year) / scale,
                    color="tab:red",
                    ls="-.",
                    lw=1.2,
                    label=f"path of {100 * t.value:g} % a year from {base_year}",
                )
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
    show(fig, name)


def _boxes(ax, data):
    try:
        return ax.boxplot(data, orientation="horizontal", widths=0.6)
    except TypeError:  # matplotlib < 3.10
        return ax.boxplot(data, vert=False, widths=0.6)


def per_zone(table, scenario, target, name):
    """For a per-zone target: each zone's value in the target year (box = replicates), so the
    laggard zones stand out. Zones outside the target's tier scope are left out."""
    t = target
    final = member_values(table, scenario, t).xs(t.final_year, level="year")
    final = final.loc[:, final.notna().any()]
    scale, unit = unit_scale(t.indicator, t.measure)
    if final.empty:
        print(f"{t.id}: no zone reaches the tier in scope in any replicate")
        return
    order = final.median().sort_values(ascending=t.comparator in (">=", ">")).index
    data = [final[c].dropna() / scale for c in order]
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(order) + 1.7))
    _boxes(ax, data)
    ax.set_yticks(range(1, len(order) + 1))
    ax.set_yticklabels([c.replace("zone:", "") for c in order], fontsize=7)
    ax.axvline(t.value / scale, color="tab:red", ls="--", label=f"target: {target_goal(t)}")
    allv = pd.concat(data)
    if (
        t.measure == "level"
        and INDICATORS[t.indicator].unit != "share"
        and (allv > 0).all()
        and allv.max() > 30 * allv.min()
    ):
        ax.set_xscale("log")
    what = (
        f"Average yearly growth {t.base_year}→{t.final_year} of: " if t.measure == "cagr" else ""
    ) + label(t.indicator)
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
    show(fig, name)


def held_back(table, scenario, summary, threshold=0.5, prefix="missed"):
    """For every target met in fewer than `threshold` of replicates: one sentence on the gap, the
    fan chart of its indicator against the target, and for per-zone targets each zone's value."""
    missed = summary[summary["modelled"] & (summary["p_met"] < threshold)]
    targets = {t.id: t for t in scenario.modelled_targets}
    for _, r in missed.iterrows():
        t = targets[r["target"]]
        gap = ""
        if (
            pd.notna(r["median"])
            and t.measure == "level"
            and t.value
            and t.indicator != "zone_tier_level"
        ):
            gap = f" — {100 * r['median'] / t.value:.0f} % of the goal"
        say(
            f"**{label(t.indicator)} {target_goal(t)}** (`{t.id}`, {scope_label(t.scope, scenario)}): "
            f"P(met) = {r['p_met']:.2f}; simulated median {value_text(r['median'], t.indicator, t.measure)}{gap}; "
            f"reached in at least one year in {100 * r['p_ever_met']:.0f} % of replicates."
            + (
                " *The threshold is the scenario's reading; the document sets no number.*"
                if "analyst's reading" in t.note
                else ""
            )
        )
        fan(scenario, table, t, f"{prefix}_{t.id}")
        if t.scope.startswith("each_zone"):
            per_zone(table, scenario, t, f"{prefix}_{t.id}_zones")


def gap_table(summary, scenario):
    """Missed and uncertain targets: how far the median is from the goal."""
    s = summary[summary["modelled"] & (summary["p_met"] < LIKELY)].copy()
    s["what"] = s["indicator"].map(label)
    s["goal"] = s["target"].map(goals(scenario))
    s["simulated median"] = [
        value_text(r["median"], r["indicator"], r["measure"]) for _, r in s.iterrows()
    ]
    s["median / goal"] = np.where(s["measure"] == "level", s["median"] / s["target_value"], np.nan)
    s["growth: median − goal [points]"] = np.where(
        s["measure"] == "cagr", 100 * (s["median"] - s["target_value"]), np.nan
    )
    return s[
        [
            "target",
            "what",
            "goal",
            "simulated median",
            "p_met",
            "p_ever_met",
            "median_first_met_year",
            "median / goal",
            "growth: median − goal [points]",
        ]
    ].round(2)


def tally(s, name):
    m = s[s["modelled"]]
    n = verdict_counts(m["p_met"])
    return {
        "plan": name,
        "modelled targets": len(m),
        f"likely reached ({VERDICT_RULE['likely reached']})": n["likely reached"],
        "uncertain": n["uncertain"],
        f"likely missed ({VERDICT_RULE['likely missed']})": n["likely missed"],
        "expected number met": round(float(m["p_met"].sum()), 1),
    }


KINDS = [
    "count and flow goals",
    "share goals",
    "growth-rate goals",
    "goals every zone must meet",
    "zone-tier and park goals",
]


def kind_of(r):
    if str(r["scope"]).startswith("each_zone"):
        return "goals every zone must meet"
    if r["measure"] == "cagr":
        return "growth-rate goals"
    if (
        r["indicator"] == "zone_tier_level"
        or r["indicator"].startswith("zones_")
        or r["indicator"] == "special_parks"
    ):
        return "zone-tier and park goals"
    if INDICATORS[r["indicator"]].unit == "share":
        return "share goals"
    return "count and flow goals"


def by_kind(summary):
    """Per kind of goal: how many likely reached / uncertain / likely missed, and which are missed."""
    m = summary[summary["modelled"]].copy()
    m["kind"] = [kind_of(r) for _, r in m.iterrows()]
    rows = []
    for k in KINDS:
        g = m[m["kind"] == k]
        if g.empty:
            continue
        rows.append(
            {
                "kind of goal": k,
                "targets": len(g),
                **verdict_counts(g["p_met"]),
                "mean P(met)": round(float(g["p_met"].mean()), 2),
                "missed or uncertain": ", ".join(g.loc[g["p_met"] < LIKELY, "target"]),
            }
        )
    return pd.DataFrame(rows)


def overshoot(summary, factor=2.0):
    """Level goals the median exceeds `factor`-fold (≥ goals) — a sign the goal was modest for the
    simulated place, or that the starting state needs checking against the statistics."""
    m = summary[
        summary["modelled"]
        & (summary["measure"] == "level")
        & summary["comparator"].isin([">=", ">"])
    ]
    m = m[(m["target_value"] > 0) & (m["median"] >= factor * m["target_value"])]
    return [(r["target"], r["indicator"], r["median"], r["target_value"]) for _, r in m.iterrows()]


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
    """For each zone not yet at its highest tier in `year`: the criteria of its next tier
    (zonesim.zones.tier_criteria; for special parks, whose only step is recognition, their
    recognition criteria) — the zone's median value, and the share of replicates meeting each.
    Shows which criterion holds a zone back. One row per zone and criterion."""
    rows = []
    for z in scenario.zones:
        if zone_ids is not None and z.id not in zone_ids:
            continue
        sub = table[(table["scope"] == f"zone:{z.id}") & (table["year"] == year)]
        if sub.empty:
            continue
        now = int(round(sub["zone_tier_level"].median()))
        park = z.kind == "special_park"
        nxt = 1 if park else now + 1
        if (park and now >= 1) or nxt > 4:
            continue
        crit = tier_criteria(nxt, park)
        crit = {ind: need for ind, need in crit.items() if need > 0}
        together = np.logical_and.reduce(
            [sub[ind].to_numpy() >= need for ind, need in crit.items()]
        )
        for ind, need in crit.items():
            rows.append(
                {
                    "zone": z.id,
                    f"tier in {year}": TIERS[now],
                    "next tier": TIERS[nxt],
                    "criterion": label(ind),
                    "required": f"≥ {value_text(need, ind)}",
                    "zone's median": value_text(sub[ind].median(), ind),
                    "met in (% of replicates)": round(100 * float((sub[ind] >= need).mean())),
                }
            )
        rows.append(
            {
                "zone": z.id,
                f"tier in {year}": TIERS[now],
                "next tier": TIERS[nxt],
                "criterion": "all criteria together",
                "required": "",
                "zone's median": "",
                "met in (% of replicates)": round(100 * float(together.mean())),
            }
        )
    return (
        pd.DataFrame(rows).set_index(["zone", f"tier in {year}", "next tier"])
        if rows
        else pd.DataFrame()
    )
