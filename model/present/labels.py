"""Targets, parameters and values in the planner's words: indicator labels and display units
(from the indicator registry), parameter labels (from the parameter registry's meanings), scope
labels (from the scope grammar), zones by name, goals and values as text.

Figures carry these labels, so names and units are Chinese only where a CJK font can draw them
(:mod:`zonesim.present.fonts`): money in 亿元 and zones by their Chinese names then, else in
yuan units and by the English part of the name (the zone's id when it has none).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from zonesim.present.fonts import cjk_font, figure_text
from zonesim.present.formats import COMP, latin, num
from zonesim.registry import scopes
from zonesim.registry.indicators import DISPLAY_UNITS, INDICATORS, TIER_LABEL
from zonesim.registry.parameters import PARAMETERS

#: The factors of a sensitivity analysis grouped by kind (``--groups kind``).
GROUP_LABEL = {"lever": "All policy levers (one group)",
               "uncertainty": "All uncertain assumptions (one group)"}


def label(indicator):
    return INDICATORS[indicator].label


def scope_label(scope, scenario=None):
    """The scope in words; with a scenario, the whole city by its region and a zone by name."""
    if scenario is None:
        return scopes.label(scope)
    s = scopes.parse(scope)
    if s.kind == "zone":
        return zone_labels(scenario).get(s.zone, scopes.label(scope))
    return scopes.label(scope, city=figure_text(scenario.meta.region))


def zone_label(zone):
    """A zone (a scenario's ``ZoneSpec``) by name: its Chinese name where figures can show it,
    else the English part of the name, else (no English words: '省级高新区A（代表性）' leaves
    'A') its id."""
    if cjk_font() is not None:
        return zone.name
    english = latin(zone.name)
    return english if len(re.findall(r"[A-Za-z]", english)) >= 3 else zone.id


def zone_labels(scenario):
    """:func:`zone_label` by zone id."""
    return {z.id: zone_label(z) for z in scenario.zones}


def unit_scale(indicator, measure="level"):
    """Divisor and unit for display: the indicator's display unit (亿元 and 万元/亩 where figures
    can show Chinese, as the console writes them; else their English), growth rates in % a year.
    """
    if measure == "cagr":
        return 0.01, "% a year"
    ind = INDICATORS[indicator]
    chinese = ind.unit in DISPLAY_UNITS and cjk_font() is not None
    return ind.shown.divisor, ind.shown.text if chinese else ind.shown.latin


def years_text(years, flow=False):
    years = [int(y) for y in years]
    if len(years) == 1:
        return f"in {years[0]}" if flow else f"by {years[0]}"
    return f"every year {years[0]}–{years[-1]}"


def short_unit(unit):
    return "" if unit.startswith("tier") else (unit if unit in ("%", "% a year") else " " + unit)


def goal_text(indicator, comparator, value, measure, years, base_year=None, tolerance=None,
              zone_share=1.0, named_zones=0, shown=None):
    """The goal in words: '≥ 100 firms by 2020', 'average growth ≥ 30 % a year, 2016→2020',
    'increase ≥ 16 since 2016, by 2020', 'about 30 (27–33) by 2027', '≥ 1,000 (10 %
    tolerance: ≥ 900) by 2027'; '…, in ≥ 50 % of the zones' when not every zone must meet it,
    '…, of the 7 zones named' when the target names its zones (``named_zones``).
    ``shown(v)``: a value with its unit (default: the figures' units, :func:`unit_scale`)."""
    scale, unit = unit_scale(indicator, measure)
    if shown is None:
        def shown(v):
            return f"{num(v / scale)}{short_unit(unit) if measure != 'cagr' else ' %'}"
    share = ("" if zone_share >= 1 else f", in ≥ {100 * zone_share:.0f} % of the zones") + \
        (f", of the {named_zones} zones named" if named_zones else "")
    c = COMP[comparator]
    if indicator == "zone_tier_level":
        return f"{c} {TIER_LABEL.get(int(value), value)} {years_text(years)}"
    if measure == "cagr":
        last = list(years)[-1]
        since = f"{base_year}→{last}" if base_year is not None else f"to {last}"
        return f"average growth {c} {shown(value)} a year, {since}{share}"
    when = years_text(years, INDICATORS[indicator].flow)
    if measure == "change":
        when = f"since {base_year}, {when}"
    slack = (tolerance or 0.0) * abs(value)      # as targets.goal_bounds widens the goal
    if tolerance and comparator == "~":
        goal = (f"about {shown(value)} ({num((value - slack) / scale)}–"
                f"{num((value + slack) / scale)})")
    elif tolerance:
        edge = value - slack if comparator == ">=" else value + slack
        goal = f"{c} {shown(value)} ({100 * tolerance:.0f} % tolerance: {c} {shown(edge)})"
    else:
        goal = f"{c} {shown(value)}"
    return f"{'increase ' if measure == 'change' else ''}{goal} {when}{share}"


def target_goal(t):
    return goal_text(t.indicator, t.comparator, t.value, t.measure, t.target_years, t.base_year,
                     t.tolerance, t.zone_share, len(t.zones or []))


def target_label(t, scenario=None):
    """'What (where): goal' — a target in the planner's words; a one-zone target names the zone
    when the ``scenario`` is given."""
    w = scopes.short_label(t.scope)
    if scenario is not None and scopes.parse(t.scope).kind == "zone":
        w = zone_labels(scenario).get(w, w)
    return f"{label(t.indicator)}{f' ({w})' if w else ''}: {target_goal(t)}"


def target_labels(scenario):
    """:func:`target_label` of each modelled target, by target id."""
    return {t.id: target_label(t, scenario) for t in scenario.modelled_targets}


def goals(scenario):
    """Each modelled target's goal in words, by target id."""
    return {t.id: target_goal(t) for t in scenario.modelled_targets}


def value_text(v, indicator, measure="level", unit=True):
    scale, u = unit_scale(indicator, measure)
    if v is None or not np.isfinite(v):
        return "undefined"
    if indicator == "zone_tier_level":
        return TIER_LABEL.get(int(round(v)), num(v))
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


def parameter_label(name, width=90):
    """A parameter in the planner's words: the first sentence of its registry meaning without
    asides in brackets (the Chinese terms are in the meaning), cut at a word before ``width``
    characters (None: not cut); a group of a grouped analysis by :data:`GROUP_LABEL`; a name
    the registry does not know as it is."""
    if name in GROUP_LABEL:
        return GROUP_LABEL[name]
    if name not in PARAMETERS:
        return name
    text = PARAMETERS[name].meaning
    while (shorter := re.sub(r"\s*\([^()]*\)", "", text)) != text:   # nested brackets
        text = shorter
    text = re.split(r"[.;:](?:\s|$)", text, maxsplit=1)[0].strip(" ,")
    if width and len(text) > width:
        text = text[:width - 1].rsplit(" ", 1)[0].rstrip(",") + "…"
    return text


def parameter_labels(names, width=90):
    """:func:`parameter_label` of each name, uncut where cutting would make two alike."""
    labels = [parameter_label(n, width) for n in names]
    return [parameter_label(n, None) if labels.count(lab) > 1 else lab
            for n, lab in zip(names, labels)]


def parameter_unit(name):
    return PARAMETERS[name].unit if name in PARAMETERS else ""


def axis_label(name, width=90):
    """A parameter's label with its unit, for an axis or a column."""
    unit = parameter_unit(name)
    return parameter_label(name, width) + (f" ({unit})" if unit else "")


def factor_kind(name):
    """'lever' for a policy instrument (or the group of levers), else 'uncertainty' — as
    :func:`zonesim.analysis.space.uncertainty_space` classes factors."""
    if name in GROUP_LABEL:
        return name
    return "lever" if name in PARAMETERS and PARAMETERS[name].kind == "lever" else "uncertainty"


def parameter_value_text(name, v):
    """A parameter's value with its unit ('400,000 yuan per first certification')."""
    if isinstance(v, str):
        return v
    unit = parameter_unit(name)
    return f"{num(v)}{' ' + unit if unit else ''}"



#: The outputs of a sensitivity analysis by their prefix (see zonesim.analysis.sensitivity).
OUTPUT_KIND = {"p_met": "P(met)", "margin": "margin (indicator ÷ target)"}


def output_label(output, scenario):
    """A sensitivity output in words: 'P(met): Tech SMEs: ≥ 200 firms by 2020'."""
    kind, _, target = output.partition(":")
    targets = {t.id: t for t in scenario.modelled_targets}
    return (f"{OUTPUT_KIND.get(kind, kind)}: "
            f"{target_label(targets[target]) if target in targets else target}")
