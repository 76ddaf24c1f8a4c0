"""Evaluating a scenario's targets on simulated indicator tables.

For every replicate and modelled target: the indicator's value in the target year (the worst
zone's for ``each_zone`` scopes; the average yearly growth rate since ``base_year`` for ``cagr``
targets), whether the target is met (in every listed year for flow targets), and the first year
in which it was met. :func:`summarise` turns those into the planner's table: probability of
meeting each target with a 95 % Wilson interval, median and 5–95 % band of the indicator,
median year first met.
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from .indicators import INDICATORS, TIER_LEVEL
from .scenario import Scenario, Target

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


def scope_values(table: pd.DataFrame, target: Target, zone_ids: list[str]) -> pd.DataFrame:
    """Indicator values by (replicate, year) for the target's scope: one column per scope
    member (one for plain scopes, one per zone for each_zone)."""
    ind = target.indicator
    scope = target.scope
    if not scope.startswith("each_zone"):
        sub = table[table["scope"] == scope]
        return sub.pivot(index=["replicate", "year"], columns="scope", values=ind)
    scopes = [f"zone:{z}" for z in zone_ids]
    sub = table[table["scope"].isin(scopes)]
    values = sub.pivot(index=["replicate", "year"], columns="scope", values=ind)
    if ":" in scope[len("each_zone"):]:
        tier = TIER_LEVEL[scope.split(":", 1)[1]]
        tiers = sub.pivot(index=["replicate", "year"], columns="scope", values="zone_tier_level")
        values = values.where(tiers >= tier)
    return values


def measure_values(values: pd.DataFrame, target: Target) -> pd.DataFrame:
    """Level, or average yearly growth since base_year (for cagr targets)."""
    if target.measure == "level":
        return values
    base = values.xs(target.base_year, level="year")
    years = values.index.get_level_values("year").to_numpy()
    span = (years - target.base_year).astype(float)
    b = base.reindex(values.index.get_level_values("replicate")).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (values.to_numpy() / b) ** (1.0 / np.where(span > 0, span, np.nan)[:, None]) - 1.0
    return pd.DataFrame(g, index=values.index, columns=values.columns)


def _combine(values: pd.DataFrame, target: Target) -> tuple[pd.Series, pd.Series]:
    """Per (replicate, year): the reported value (worst member) and whether all members meet
    the target (False where no zone is in scope)."""
    cmp = COMPARE[target.comparator]
    present = values.notna()
    meets = cmp(values, target.value) & present
    all_meet = meets.sum(axis=1).eq(present.sum(axis=1)) & present.any(axis=1)
    worst = values.min(axis=1) if target.comparator in (">=", ">") else values.max(axis=1)
    return worst, all_meet


def evaluate_targets(scenario: Scenario, table: pd.DataFrame) -> pd.DataFrame:
    """One row per (replicate, modelled target): value, met, first_met_year."""
    zone_ids = [z.id for z in scenario.zones]
    rows = []
    replicates = np.sort(table["replicate"].unique())
    for t in scenario.modelled_targets:
        values = measure_values(scope_values(table, t, zone_ids), t)
        worst, ok = _combine(values, t)
        years = t.target_years
        for r in replicates:
            w, k = worst.loc[r], ok.loc[r]
            met = bool(all(k.get(y, False) for y in years))
            eligible = [y for y in k.index if t.measure == "level" or y > t.base_year]
            first = next((y for y in eligible if k[y]), np.nan)
            rows.append({"replicate": int(r), "target": t.id,
                         "value": float(w.get(t.final_year, np.nan)), "met": met,
                         "first_met_year": first})
    return pd.DataFrame(rows, columns=["replicate", "target", "value", "met", "first_met_year"])


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (scipy.stats.binomtest)."""
    if n == 0:
        return (np.nan, np.nan)
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def summarise(scenario: Scenario, evaluations: pd.DataFrame) -> pd.DataFrame:
    """The target table: one row per target of the scenario (unmodelled ones included, with
    their reason), probability met with a 95 % interval, indicator median and 5–95 % band."""
    rows = []
    for t in scenario.targets:
        base = {"target": t.id, "indicator": t.indicator, "scope": t.scope,
                "comparator": t.comparator, "target_value": t.value, "measure": t.measure,
                "year": t.final_year, "years": " ".join(map(str, t.target_years)),
                "unit": INDICATORS[t.indicator].unit if t.modelled else "",
                "modelled": t.modelled, "clause": t.clause, "reason": t.reason}
        if not t.modelled:
            rows.append(base)
            continue
        ev = evaluations[evaluations["target"] == t.id]
        n, k = len(ev), int(ev["met"].sum())
        lo, hi = wilson_interval(k, n)
        v = ev["value"].dropna()
        v = v.where(np.isfinite(v), np.sign(v) * np.finfo(float).max)  # growth from zero
        first = ev["first_met_year"].dropna()
        rows.append({**base, "replicates": n, "p_met": k / n if n else np.nan,
                     "p_met_low": lo, "p_met_high": hi,
                     "median": v.median() if len(v) else np.nan,
                     "q05": v.quantile(0.05) if len(v) else np.nan,
                     "q95": v.quantile(0.95) if len(v) else np.nan,
                     "median_first_met_year": first.median() if len(first) else np.nan,
                     "p_ever_met": len(first) / n if n else np.nan})
    return pd.DataFrame(rows)
