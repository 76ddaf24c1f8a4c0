"""What a run's results say, in tables and sentences computed from them (so the text always
follows the data): the verdict table, the findings, what held back the missed targets, how far
off they are, tallies by type of goal and the reading for the planner. One implementation for
the notebooks (:mod:`.notebook` shows it) and the planner's brief (:mod:`.brief` writes it into
brief.html).

Sentences are *blocks*, so that one wording reads as Markdown in a notebook and as HTML in the
brief: a block is ``("p", runs)`` (a paragraph) or ``("ul", [runs, ...])`` (a list); runs are
``(text, style)`` pairs, style ``""``, ``"strong"``, ``"em"`` or ``"code"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonesim.present.formats import (LIKELY, MET_AT_START, NOT_FORECASTS, UNLIKELY,
                                     VERDICT_RULE, verdict, verdict_counts, verdict_masks)
from zonesim.present.labels import (goals, label, range_text, scope_label, target_goal,
                                    target_label, value_text)
from zonesim.registry import scopes
from zonesim.registry.indicators import INDICATORS
from zonesim.scenario.schema import TARGET_KINDS

_MARKDOWN = {"": "{}", "strong": "**{}**", "em": "*{}*", "code": "`{}`"}


def markdown(blocks) -> str:
    """Blocks as Markdown (a notebook's text)."""
    def line(runs):
        return "".join(_MARKDOWN[style].format(text) for text, style in runs)

    return "\n\n".join(line(body) if kind == "p" else "\n".join(f"- {line(i)}" for i in body)
                       for kind, body in blocks)


def forecasts(summary):
    """The modelled targets whose P(met) is the model's forecast: the only ones a headline
    counts (inputs, checks and the analyst's thresholds are shown as what they are)."""
    return summary[summary["modelled"] & (summary["kind"] == "forecast")]


def not_forecasts(summary):
    """The modelled targets of another kind than forecast."""
    return summary[summary["modelled"] & (summary["kind"] != "forecast")]


def other_kinds(summary, scenario) -> list:
    """Blocks listing the modelled targets that are not forecasts, each with its kind, P(met)
    and what set its number (the target's note); none when every target is a forecast."""
    rest = not_forecasts(summary)
    if rest.empty:
        return []
    tmap = {t.id: t for t in scenario.modelled_targets}
    items = [[(target_label(tmap[r["target"]]), ""), (" (", ""), (r["target"], "code"),
              (f"): {TARGET_KINDS[r['kind']]}", "em"), (f", P(met) {r['p_met']:.2f}. ", ""),
              (tmap[r["target"]].note, "")] for _, r in rest.iterrows()]
    return [("p", [(f"Not forecasts ({len(rest)}):", "em"), (f" {NOT_FORECASTS}.", "")]),
            ("ul", items)]


def first_met_text(year) -> str:
    """The median year a target was first met, as the console table writes it."""
    return "–" if pd.isna(year) else f"{year:.0f}"


def verdicts(summary, scenario):
    """One plain-language line per modelled target."""
    rows = []
    goal = goals(scenario)
    for _, r in summary[summary["modelled"]].iterrows():
        defined = pd.notna(r["median"])
        forecast = r["kind"] == "forecast"
        rows.append({
            "target": r["target"],
            "kind": TARGET_KINDS[r["kind"]],
            "what": label(r["indicator"]),
            "goal": goal[r["target"]],
            "where": scope_label(r["scope"], scenario),
            "verdict": ((verdict(r["p_met"]) if defined else "not evaluable") if forecast
                        else TARGET_KINDS[r["kind"]]),
            "P(met) [95 % CI]": f"{r['p_met']:.2f} [{r['p_met_low']:.2f}, {r['p_met_high']:.2f}]",
            "simulated in the target year: median (5–95 %)": range_text(r),
            "first met (median year)": first_met_text(r["median_first_met_year"]),
            SPREAD: spread_text(r.get("variance_from_parameters")),
        })
    return pd.DataFrame(rows)


#: The column of the share of a target's spread that the parameter draws make.
SPREAD = "spread from the assumptions"


def spread_text(share) -> str:
    """``variance_from_parameters`` as a percentage; '–' for a run at point values."""
    return "–" if share is None or pd.isna(share) else f"{share:.0%}"


def _listed(ids) -> list:
    """Target ids as code runs separated by commas."""
    runs = []
    for t in ids:
        if runs:
            runs.append((", ", ""))
        runs.append((t, "code"))
    return runs


def findings(summary, scenario, name):
    """The verdicts in sentences (blocks): the forecast targets by verdict, the ones not
    evaluable, then the targets that are not forecasts."""
    m = forecasts(summary)
    undefined = m[m["median"].isna()]
    m = m[m["median"].notna()]
    tmap = {t.id: t for t in scenario.modelled_targets}

    def item(r):
        return [(f"{target_label(tmap[r['target']])} (", ""), (r["target"], "code"),
                (f"): P = {r['p_met']:.2f}, simulated "
                 f"{value_text(r['median'], r['indicator'], r['measure'])}", "")]

    blocks = [("p", [(f"{name}: {len(m) + len(undefined)} modelled forecast targets.",
                      "strong"),
                     (f" Expected number met: {m['p_met'].sum():.1f}.", "")])]
    for v, sel in verdict_masks(m["p_met"]).items():
        rows = m[sel]
        blocks.append(("p", [(f"{v.capitalize()} ({VERDICT_RULE[v]}):", "em")]
                       + ([(" none.", "")] if rows.empty else [])))
        if not rows.empty:
            blocks.append(("ul", [item(r) for _, r in rows.iterrows()]))
    if len(undefined):
        blocks.append(("p", [("Not evaluable", "em"), (" (indicator undefined in the base year, "
                                                       "counted as missed): ", "")]
                       + _listed(undefined["target"]) + [(".", "")]))
    return blocks + other_kinds(summary, scenario)


def held_back(summary, scenario, threshold=0.5):
    """Every forecast target met in fewer than ``threshold`` of the replicates, with one
    sentence (runs) on its gap: ``[(target, runs), ...]`` in the scenario's order."""
    missed = forecasts(summary)
    missed = missed[missed["p_met"] < threshold]
    targets = {t.id: t for t in scenario.modelled_targets}
    out = []
    for _, r in missed.iterrows():
        t = targets[r["target"]]
        gap = ""
        if (pd.notna(r["median"]) and t.measure == "level" and t.value
                and t.indicator != "zone_tier_level"):
            gap = f" — {100 * r['median'] / t.value:.0f} % of the goal"
        runs = [(f"{label(t.indicator)} {target_goal(t)}", "strong"), (" (", ""),
                (t.id, "code"),
                (f", {scope_label(t.scope, scenario)}): P(met) = {r['p_met']:.2f}; simulated "
                 f"median {value_text(r['median'], t.indicator, t.measure)}{gap}; reached in at "
                 f"least one year in {100 * r['p_ever_met']:.0f} % of replicates.", "")]
        out.append((t, runs))
    return out


def gap_table(summary, scenario):
    """Missed and uncertain forecast targets: how far the median is from the goal."""
    s = forecasts(summary)
    s = s[s["p_met"] < LIKELY].copy()
    s["what"] = s["indicator"].map(label)
    s["goal"] = s["target"].map(goals(scenario))
    s["simulated median"] = [value_text(r["median"], r["indicator"], r["measure"])
                             for _, r in s.iterrows()]
    # a ratio of tiers means nothing
    level = (s["measure"] == "level") & (s["indicator"] != "zone_tier_level")
    s["median / goal"] = np.where(level, s["median"] / s["target_value"], np.nan)
    s["growth: median − goal [points]"] = np.where(
        s["measure"] == "cagr", 100 * (s["median"] - s["target_value"]), np.nan)
    return s[["target", "what", "goal", "simulated median", "p_met", "p_ever_met",
              "median_first_met_year", "median / goal", "growth: median − goal [points]"]
             ].round(2)


def tally(s, name):
    m = forecasts(s)
    n = verdict_counts(m["p_met"])
    return {
        "plan": name,
        "modelled forecast targets": len(m),
        f"likely reached ({VERDICT_RULE['likely reached']})": n["likely reached"],
        "uncertain": n["uncertain"],
        f"likely missed ({VERDICT_RULE['likely missed']})": n["likely missed"],
        "expected number met": round(float(m["p_met"].sum()), 1),
        "not forecasts": len(not_forecasts(s)),
    }


GOAL_TYPES = ["count and flow goals", "share goals", "growth-rate goals",
         "goals every zone must meet", "zone-tier and park goals"]


def goal_type(r):
    if scopes.parse(r["scope"]).kind == "each_zone":
        return "goals every zone must meet"
    if r["measure"] == "cagr":
        return "growth-rate goals"
    if (r["indicator"] == "zone_tier_level" or r["indicator"].startswith("zones_")
            or r["indicator"] == "special_parks"):
        return "zone-tier and park goals"
    if INDICATORS[r["indicator"]].unit == "share":
        return "share goals"
    return "count and flow goals"


def by_goal_type(summary):
    """Per type of goal (forecasts only): how many likely reached / uncertain / likely missed,
    and which are missed."""
    m = forecasts(summary).copy()
    m["type"] = [goal_type(r) for _, r in m.iterrows()]
    rows = []
    for k in GOAL_TYPES:
        g = m[m["type"] == k]
        if g.empty:
            continue
        rows.append({"type of goal": k, "targets": len(g), **verdict_counts(g["p_met"]),
                     "mean P(met)": round(float(g["p_met"].mean()), 2),
                     "missed or uncertain": ", ".join(g.loc[g["p_met"] < LIKELY, "target"])})
    return pd.DataFrame(rows)


def overshoot(summary, factor=2.0):
    """Level goals the median exceeds `factor`-fold (≥ goals) — a sign the goal was modest for
    the simulated place, or that the starting state needs checking against the statistics."""
    m = forecasts(summary)
    m = m[(m["measure"] == "level") & m["comparator"].isin([">=", ">"])]
    m = m[(m["target_value"] > 0) & (m["median"] >= factor * m["target_value"])]
    return [(r["target"], r["indicator"], r["median"], r["target_value"])
            for _, r in m.iterrows()]


def planner_reading(summary, scenario):
    """The run's results in a few sentences (blocks): counts of forecast targets by verdict and
    the expected number met, the likeliest and least likely targets, the kinds of goal reached
    or out of reach, how firm the verdicts are at this number of replicates, targets not
    evaluable, met by the starting state in most runs or exceeded twice over, then the targets
    that are not forecasts."""
    if summary.empty:
        return [("p", [("The scenario has no targets: ", "strong"),
                       ("its indicators alone were simulated.", "")])]
    m = forecasts(summary)
    if m.empty:
        return [("p", [("No target of the plan is modelled as a forecast: ", "strong"),
                       (f"its {len(summary)} targets are listed with their kinds or "
                        "reasons.", "")])] + other_kinds(summary, scenario)
    tmap = {t.id: t for t in scenario.modelled_targets}
    n = verdict_counts(m["p_met"])
    rest = len(summary) - len(summary[summary["modelled"]])
    blocks = [("p", [(f"{n['likely reached']} of {len(m)} forecast targets likely reached",
                      "strong"),
                     (f", {n['uncertain']} uncertain and {n['likely missed']} likely missed; "
                      f"expected number met {m['p_met'].sum():.1f} of {len(m)}."
                      + (f" {rest} more targets of the plan are not modelled (listed with "
                         "their reasons)." if rest else ""), "")])]

    k = min(3, len(m) // 2)
    if k:
        blocks += (_extremes("Likeliest", m.sort_values("p_met", ascending=False,
                                                         kind="stable"), k, tmap)
                   + _extremes("Least likely", m.sort_values("p_met", kind="stable"), k, tmap))
    blocks += _by_goal_type_sentence(summary) + _firmness(m)
    undefined = m[m["median"].isna()]
    if len(undefined):
        blocks.append(("p", [("Not evaluable", "em"), (" (the indicator is undefined, so the "
                                                       "target counts as missed): ", "")]
                       + _listed(undefined["target"]) + [(".", "")]))
    if "p_met_at_start" in m:
        early = m[m["p_met_at_start"] >= MET_AT_START]
        if len(early):
            blocks.append(("p", [("Met by the starting state in most runs", "em"),
                                 (" (a modest goal, or a start to check against the "
                                  "statistics): ", "")] + _listed(early["target"])
                           + [(".", "")]))
    big = overshoot(summary)
    if big:
        blocks += [("p", [("Exceeded more than twice over by the median", "em"),
                          (" (a modest goal for the simulated place, or a starting state to "
                           "check against the statistics):", "")]),
                   ("ul", [[(target_label(tmap[t]), "")] for t, *_ in big])]
    return blocks + other_kinds(summary, scenario)


def _extremes(title, ranked, k, tmap) -> list:
    """The first ``k`` targets of ``ranked``; when more share the k-th one's P(met), how many
    do (the first in the plan's order are listed)."""
    tied = int((ranked["p_met"] == ranked["p_met"].iloc[k - 1]).sum())
    runs = [(f"{title}:", "em")]
    if tied > k:
        runs.append((f" {tied} targets share P(met) {ranked['p_met'].iloc[k - 1]:.2f}; among "
                     "them", ""))
    return [("p", runs), ("ul", [[(target_label(tmap[r["target"]]), ""),
                                  (f" — P(met) {r['p_met']:.2f}", "")]
                                 for _, r in ranked.head(k).iterrows()])]


def _by_goal_type_sentence(summary) -> list:
    """The kinds of goal reached with confidence and out of reach (mean P(met))."""
    k = by_goal_type(summary).set_index("type of goal")
    easy = k.index[k["mean P(met)"] >= LIKELY].tolist()
    hard = k.index[k["mean P(met)"] < UNLIKELY].tolist()
    runs = []
    if easy:
        runs.append((f"Reached with confidence: {', '.join(easy)}. ", ""))
    if hard:
        runs.append((f"Out of reach in the simulation: {', '.join(hard)}. ", ""))
    return [("p", runs + [(f"(By type of goal, mean P(met) ≥ {LIKELY} or < {UNLIKELY}.)",
                           "em")])] if runs else []


def _firmness(m) -> list:
    """How many verdicts more replicates could change: those whose 95 % interval crosses a
    verdict boundary."""
    reps = int(m["replicates"].max())
    open_ = [verdict(lo) != verdict(hi) for lo, hi in zip(m["p_met_low"], m["p_met_high"])]
    if not any(open_):
        return [("p", [(f"With {reps} replicates every verdict is firm: each 95 % interval lies "
                        "within one verdict band.", "")])]
    return [("p", [(f"With {reps} replicates, {sum(open_)} of the {len(m)} verdicts could "
                    f"change with more replicates (their 95 % interval crosses {UNLIKELY} or "
                    f"{LIKELY}).", "")])]
