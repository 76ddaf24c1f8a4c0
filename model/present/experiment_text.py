"""The console text of the experiments in the planner's words: what each variant of a
comparison changes in its base and how every target moves under it, and a sweep's dose–response
table — targets and parameters by their labels, values by the one formatter in their display
units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonesim.present.files import table_text
from zonesim.present.formats import CONSOLE_WIDTH, num, planner_unit, planner_value, wrap_lines
from zonesim.present.labels import axis_label, target_label
from zonesim.registry.indicators import INDICATORS
from zonesim.registry.scopes import short_label
from zonesim.scenario import Scenario

#: How the comparison's lines read, printed under them.
COMPARISON_NOTE = (
    "P(met): share of replicates meeting the target by its year. Changes are variant − base on\n"
    "the same replicates (common random numbers), with a 95 % interval: Newcombe's paired score\n"
    "interval for P(met), a paired bootstrap for the indicator's median. Changes of shares and\n"
    "growth rates are in percentage points.")


def _unit(indicator: str, measure: str) -> str:
    """The unit :func:`planner_value` writes after a number ("亿元", "%", "")."""
    return planner_unit(indicator, measure)[1]


def _signed(d, indicator: str, measure: str) -> str:
    """A signed number of the indicator's display unit, without the unit ("+1.2", "-3")."""
    if d is None or not np.isfinite(d):
        return "–"
    divisor = planner_unit(indicator, measure)[0]
    return ("+" if d > 0 else "-" if d < 0 else "") + num(abs(d) / divisor)


def _median_change(d, low, high, indicator: str, measure: str) -> str:
    """'+1.2 [+0.5, +2]亿元'; a change of a share or growth rate in points, a tier's in tiers."""
    if indicator == "zone_tier_level":
        numbers = [("+" if x > 0 else "") + num(x) for x in (d, low, high)]
        unit = " tiers"
    else:
        numbers = [_signed(x, indicator, measure) for x in (d, low, high)]
        unit = _unit(indicator, measure)
        # a change of a share is in percentage points, not per cent of the base's share
        unit = " points" if unit == "%" else unit
    return f"{numbers[0]} [{numbers[1]}, {numbers[2]}]{unit}"


def _target_lines(r, t) -> list[str]:
    """A target in words, then P(met) and the indicator's median under base and variant, each
    with its change and interval."""
    p = (f"P(met) {r.p_met_base:.2f} → {r.p_met_variant:.2f}  {r.p_met_diff:+.2f} "
         f"[{r.p_met_diff_low:+.2f}, {r.p_met_diff_high:+.2f}]")
    median = (f"median {planner_value(r.median_base, t.indicator, t.measure)} → "
              f"{planner_value(r.median_variant, t.indicator, t.measure)}  "
              + _median_change(r.median_diff, r.median_diff_low, r.median_diff_high,
                               t.indicator, t.measure))
    return [target_label(t), f"    {p}    {median}"]


def _values(base_value, variant_value, unit: str) -> str:
    def text(v):
        return v if isinstance(v, str) else num(v)
    return f"{text(base_value)} → {text(variant_value)}{' ' + unit if unit else ''}"


def differences_lines(differences: pd.DataFrame, variant: str) -> list[str]:
    """What ``variant`` changes in its base (rows of
    :func:`zonesim.analysis.compare.scenario_differences`): each parameter and run setting
    with its meaning, base and variant value; each collection by its count of changes."""
    d = differences[differences["variant"] == variant]
    if d.empty:
        return ["  nothing: the variant runs exactly as the base (an A/A check)"]
    lines = []
    for r in d.itertuples():
        if r.what in ("parameter", "setting"):
            lines += [f"  {r.name}: {_values(r.base_value, r.variant_value, r.unit)}",
                      f"      {r.meaning}"]
        else:
            ids = f": {r.name}" if r.name else ""
            lines.append(f"  {r.what}: {r.meaning} ({r.base_value} → {r.variant_value}){ids}")
    return lines


def comparison_text(comparison: pd.DataFrame, differences: pd.DataFrame,
                    base: Scenario) -> str:
    """Per variant: what it changes in the base, then each target in words with P(met) and
    the indicator's median under base and variant, their changes and paired intervals, values
    in their display units."""
    targets = {t.id: t for t in base.modelled_targets}
    blocks = []
    for variant, c in comparison.groupby("variant", sort=False):
        lines = [f"== {variant} against {base.name}", "What the variant changes in the base:",
                 *differences_lines(differences, variant), "",
                 "Per target: P(met) base → variant, change [95% CI]; its indicator's median "
                 "likewise"]
        for r in c.itertuples():
            lines += _target_lines(r, targets[r.target])
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks + [COMPARISON_NOTE])


def sweep_text(design: pd.DataFrame, summary: pd.DataFrame, factors: list[str],
               scenario: Scenario, by: str) -> str:
    """The probability of meeting each target (rows, in words) at each value of the one
    swept parameter or, ``by='point'``, at each point of the design (listed first, by the
    parameters' labels and units)."""
    lines = []
    if by == "point":
        points = design[factors].apply(lambda col: col.map(num)).rename(
            columns={f: axis_label(f, 50) for f in factors})
        points.insert(0, "point", design["point"])
        lines += ["points:", table_text(points), ""]
    labels = {t.id: target_label(t) for t in scenario.modelled_targets}
    wide = summary.pivot_table(index="target", columns=by, values="p_met", sort=False)
    wide.index = [labels.get(t, t) for t in wide.index]
    wide.columns = [num(v) for v in wide.columns]
    what = "point" if by == "point" else axis_label(by)
    lines += [f"probability of meeting each target, by {what}:",
              table_text(wide, index=True, floats=lambda v: f"{v:.2f}")]
    return "\n".join(lines)


#: How the lever table reads, printed under it.
LEVERS_NOTE = (
    "Each lever at the low and the high end of its range, every other parameter as the scenario\n"
    "has it, on the same replicates (common random numbers). Change: high − low of the\n"
    "indicator the lever is meant to move, in its scope and the scenario's last year, relative\n"
    "to the low end (absolute where the low end is 0), with a paired 95 % t interval.")


def lever_change_text(r) -> str:
    """A lever's change (a row of the lever table) with its interval: relative to the low end,
    "+12.1 % (+3.6 to +20.7)", or where the low end is 0 in the indicator's display unit,
    "+115 (+111 to +119)"."""
    if r.mean_low:
        return (f"{100 * r.relative:+.1f} % ({100 * r.effect_low / r.mean_low:+.1f} to "
                f"{100 * r.effect_high / r.mean_low:+.1f})")
    return (f"{_signed(r.effect, r.indicator, 'level')} ("
            f"{_signed(r.effect_low, r.indicator, 'level')} to "
            f"{_signed(r.effect_high, r.indicator, 'level')}){_unit(r.indicator, 'level')}")


def levers_text(table: pd.DataFrame) -> str:
    """The lever table of :func:`zonesim.analysis.levers.effect_table` in the planner's words,
    two lines a lever within the console's width: the lever and its range; what it is meant to
    move, the change with its interval, the verdict."""
    lines = []
    for r in table.itertuples():
        meant = (f"{'raise' if r.direction == 'up' else 'lower'} "
                 f"{INDICATORS[r.indicator].label.lower()} ({short_label(r.scope) or 'city'})")
        lines.append(f"{r.lever} ({num(r.low)} → {num(r.high)}): {r.verdict}")
        lines.extend("    " + line for line in wrap_lines(
            f"meant to {meant}: {lever_change_text(r)}", CONSOLE_WIDTH - 4))
    return "\n".join(lines) + "\n\n" + LEVERS_NOTE + "\n"
