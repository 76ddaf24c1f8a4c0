"""Target evaluation: the array implementation of zonesim.analysis.targets gives exactly what a plain
pandas version of the same semantics gives (``ref_*`` below: one pivot per target, one
replicate at a time) on simulated tables of every scenario, and known answers on a hand-made
table."""

from __future__ import annotations

import math
import operator
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from zonesim.registry import scopes
from zonesim.registry.indicators import INDICATORS, TIER_LEVEL
from zonesim.run import run_replicates
from zonesim.scenario import SCENARIO_DIR, Target, load_scenario
from zonesim.analysis.targets import evaluate_targets, measure_values, scope_values, summarise

SCENARIOS = sorted(SCENARIO_DIR.glob("*.toml"))
REPLICATES = 3
COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


# ------------------------------------------------------------------ reference (pandas)

def ref_scope_values(table, target, zone_ids):
    """Values by (replicate, year), one column per scope member; zones below the tier of an
    each_zone:<tier> scope are NaN."""
    ind, scope = target.indicator, target.scope
    zone_ids = target.zones or zone_ids
    if not scope.startswith("each_zone"):
        sub = table[table["scope"] == scope]
        return sub.pivot(index=["replicate", "year"], columns="scope", values=ind)
    sub = table[table["scope"].isin([f"zone:{z}" for z in zone_ids])]
    values = sub.pivot(index=["replicate", "year"], columns="scope", values=ind)
    if ":" in scope[len("each_zone"):]:
        tiers = sub.pivot(index=["replicate", "year"], columns="scope", values="zone_tier_level")
        values = values.where(tiers >= TIER_LEVEL[scope.split(":", 1)[1]])
    return values


def ref_measure_values(values, target):
    """Level, or (value / value in base_year) ** (1 / years since base_year) - 1, or value -
    value in base_year (NaN at and before base_year)."""
    if target.measure == "level":
        return values
    base = values.xs(target.base_year, level="year")
    years = values.index.get_level_values("year").to_numpy()
    span = (years - target.base_year).astype(float)
    b = base.reindex(values.index.get_level_values("replicate")).to_numpy()
    if target.measure == "change":
        change = (values.to_numpy() - b).astype(float)
        change[span <= 0] = np.nan
        return pd.DataFrame(change, index=values.index, columns=values.columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = (values.to_numpy() / b) ** (1.0 / np.where(span > 0, span, np.nan)[:, None]) - 1.0
    return pd.DataFrame(g, index=values.index, columns=values.columns)


def ref_meets(v, t, tolerance=None):
    """The goal as the scenario format words it, one value at a time."""
    if v is None or np.isnan(v):
        return False
    tol = t.tolerance if tolerance is None else tolerance
    slack = (tol or 0.0) * abs(t.value)
    if t.comparator == "~":
        return t.value - slack <= v <= t.value + slack
    if t.comparator in (">=", ">"):
        return COMPARE[t.comparator](v, t.value - slack)
    return COMPARE[t.comparator](v, t.value + slack)


def ref_decisive(row, t):
    """The member at zone_share from the best (the worst at 1) among those with a value."""
    vals = sorted((v for v in row if not np.isnan(v)), reverse=t.comparator in (">=", ">", "~"))
    if not vals:
        return np.nan
    return float(vals[math.ceil(round(t.zone_share * len(vals), 9)) - 1])


def ref_evaluate(scenario, table):
    """One row per (modelled target, replicate): the deciding member's value, worst over the
    target years (NaN if a year has none), met if that meets the goal, the first year from the
    start year on (after base_year for cagr and change) the deciding value met it."""
    zone_ids = [z.id for z in scenario.zones]
    rows = []
    for t in scenario.modelled_targets:
        values = ref_measure_values(ref_scope_values(table, t, zone_ids), t)
        deciding = values.apply(lambda row: ref_decisive(row.to_numpy(float), t), axis=1)
        for r in np.sort(table["replicate"].unique()):
            d = deciding.loc[r]
            listed = [float(d.get(y, np.nan)) for y in t.target_years]
            worst = (np.nan if any(np.isnan(listed)) else
                     (min if t.comparator in (">=", ">", "~") else max)(listed))
            eligible = [y for y in d.index if y >= scenario.meta.start_year
                        and (t.measure == "level" or y > t.base_year)]
            rows.append({"replicate": int(r), "target": t.id, "value": float(worst),
                         "met": bool(ref_meets(worst, t)),
                         "first_met_year": next((y for y in eligible if ref_meets(d[y], t)),
                                                np.nan)})
    return pd.DataFrame(rows, columns=["replicate", "target", "value", "met", "first_met_year"])


# ------------------------------------------------------------------ simulated tables

@lru_cache(maxsize=None)
def simulated(path):
    sc = load_scenario(path)
    return sc, run_replicates(sc, REPLICATES, seed=0, workers=1, progress=False)


def probe_targets(scenario, table):
    """Targets beyond the scenario's own: every scope kind (one zone, each_zone with and without
    a tier filter; a city indicator, without zone values), level and cagr, every comparator, a
    flow target over all years, a target year missing from the table."""
    years = sorted(int(y) for y in table["year"].unique())
    zone = scenario.zones[0].id
    probe_scopes = ["city", "zones", f"zone:{zone}", "each_zone", "each_zone:municipal",
                    "each_zone:provincial_recognized"]
    indicators = ["high_tech_enterprises", "high_tech_output_share", "zone_tier_level",
                  "zones_municipal_plus"]
    out = []
    for i, (ind, scope, cmp) in enumerate(  # every scope with every comparator
            (ind, scope, list(COMPARE)[(a + b) % len(COMPARE)])
            for a, ind in enumerate(indicators) for b, scope in enumerate(probe_scopes)):
        rows = (table["scope"].str.startswith("zone:") if scope.startswith("each_zone")
                else table["scope"] == scope)
        col = table.loc[rows, ind]
        level = float(np.nanmedian(col)) if col.notna().any() else 0.0
        common = dict(indicator=ind, scope=scope, comparator=cmp, clause="probe")
        out += [Target(id=f"p{i}_level", value=level, years=years[1:], **common),
                Target(id=f"p{i}_cagr", value=0.02, year=years[-1], measure="cagr",
                       base_year=years[0], **common),
                Target(id=f"p{i}_change", value=level / 10, year=years[-1], measure="change",
                       base_year=years[0], **common),
                Target(id=f"p{i}_missing_year", value=level, years=[years[0] - 1, years[-1]],
                       **common)]
        if cmp in (">=", "<="):
            out.append(Target(id=f"p{i}_tolerance", value=level, years=years[1:],
                              tolerance=0.1, tolerance_range=[0.05, 0.2], **common))
        if scope.startswith("each_zone"):
            out.append(Target(id=f"p{i}_half", value=level, years=years[1:], zone_share=0.5,
                              zones=[z.id for z in scenario.zones[:3]], **common))
    return out


def with_targets(scenario, targets):
    return scenario.model_copy(update={"targets": targets})


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_evaluation_equals_reference(path):
    sc, table = simulated(path)
    assert sc.modelled_targets
    pd.testing.assert_frame_equal(evaluate_targets(sc, table), ref_evaluate(sc, table),
                                  check_exact=True)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_probe_targets_equal_reference(path):
    sc, table = simulated(path)
    probe = with_targets(sc, probe_targets(sc, table))
    pd.testing.assert_frame_equal(evaluate_targets(probe, table), ref_evaluate(probe, table),
                                  check_exact=True)


@pytest.mark.parametrize("path", SCENARIOS[:1] + SCENARIOS[-1:],
                         ids=[p.stem for p in SCENARIOS[:1] + SCENARIOS[-1:]])
def test_scope_and_measure_values_equal_reference(path):
    sc, table = simulated(path)
    zone_ids = [z.id for z in sc.zones]
    for t in sc.modelled_targets + probe_targets(sc, table):
        got, ref = scope_values(table, t, zone_ids), ref_scope_values(table, t, zone_ids)
        pd.testing.assert_frame_equal(got, ref, check_exact=True, obj=t.id)
        pd.testing.assert_frame_equal(measure_values(got, t), ref_measure_values(ref, t),
                                      check_exact=True, obj=t.id)


def test_ragged_table_equals_reference():
    """Rows missing from the table (a zone in one year, one replicate's whole year) count as
    no value, as in a pivot; the order of the rows does not matter."""
    sc, table = simulated(SCENARIOS[0])
    zone = f"zone:{sc.zones[0].id}"
    years = sorted(int(y) for y in table["year"].unique())
    drop = (((table["scope"] == zone) & (table["year"] == years[-1]) & (table["replicate"] == 0))
            | ((table["year"] == years[2]) & (table["replicate"] == 1)))
    ragged = table[~drop].sample(frac=1.0, random_state=0).reset_index(drop=True)
    probe = with_targets(sc, sc.targets + probe_targets(sc, table))
    pd.testing.assert_frame_equal(evaluate_targets(probe, ragged), ref_evaluate(probe, ragged),
                                  check_exact=True)
    zone_ids = [z.id for z in sc.zones]
    for t in probe.modelled_targets:
        pd.testing.assert_frame_equal(scope_values(ragged, t, zone_ids),
                                      ref_scope_values(ragged, t, zone_ids), check_exact=True,
                                      obj=t.id)


def test_all_met_gives_integer_years():
    """first_met_year is int64 when every replicate met every target (float with NaN for the
    others, as before)."""
    sc, table = simulated(SCENARIOS[0])
    t = Target(id="always", indicator="enterprises", value=0.0, year=int(table["year"].max()),
               clause="probe")
    ev = evaluate_targets(with_targets(sc, [t]), table)
    pd.testing.assert_frame_equal(ev, ref_evaluate(with_targets(sc, [t]), table),
                                  check_exact=True)
    assert ev["first_met_year"].dtype == np.int64


# ------------------------------------------------------------------ known answers

def tiny_table():
    """Two replicates, 2016-2020, a city, two zones of the scenario and one of another file.

    new_high_tech_enterprises (city): 11 12 12 8 in 2017-2020 (replicate 0), 9 10 10 15
    (replicate 1). high_tech_enterprises: the city grows from 100 (2017) to 121 (2019) in both
    replicates; port_core has 0 in 2016 (growth from zero). high_tech_output_share: port_core
    0.6, bio_park 0.2 (NaN in 2020 of replicate 1). zone_tier_level: port_core municipal,
    bio_park candidate (both candidate in 2020 of replicate 1).
    """
    rows = []
    new_hte = {0: [5, 11, 12, 12, 8], 1: [5, 9, 10, 10, 15]}
    for r in (0, 1):
        for i, y in enumerate(range(2016, 2021)):
            city_hte = [90, 100, 110, 121, 130][i]
            both_candidate = r == 1 and y == 2020
            rows += [
                (r, y, "city", new_hte[r][i], city_hte, 0.5, np.nan),
                (r, y, "zone:port_core", 0, [0, 4, 5, 6, 7][i], 0.6,
                 0 if both_candidate else 1),
                (r, y, "zone:bio_park", 0, 3, np.nan if both_candidate else 0.2, 0),
                (r, y, "zone:elsewhere", 0, 1, 0.0, 4),
            ]
    return pd.DataFrame(rows, columns=["replicate", "year", "scope", "new_high_tech_enterprises",
                                       "high_tech_enterprises", "high_tech_output_share",
                                       "zone_tier_level"])


@pytest.fixture
def evaluate(base_scenario):
    """evaluate(**target fields) → the evaluation of that one target on tiny_table(), checked
    against the reference."""
    def _evaluate(**fields):
        t = Target(id="t", clause="known answer", **fields)
        sc = with_targets(base_scenario, [t])
        table = tiny_table()
        ev = evaluate_targets(sc, table)
        pd.testing.assert_frame_equal(ev, ref_evaluate(sc, table), check_exact=True)
        return ev.set_index("replicate")
    return _evaluate


def test_flow_target_must_be_met_in_every_listed_year(evaluate):
    ev = evaluate(indicator="new_high_tech_enterprises", value=10, years=[2019, 2020])
    # replicate 0 meets it in 2019 but not 2020; replicate 1 in both; the worst year shows
    assert ev["met"].tolist() == [False, True]
    assert ev["value"].tolist() == [8.0, 10.0]
    assert ev["first_met_year"].tolist() == [2017, 2018]


def test_each_zone_reports_the_worst_zone(evaluate):
    # bio_park (0.2) fails; the zone of another file (0.0) is not a member
    ev = evaluate(indicator="high_tech_output_share", value=0.5, year=2019, scope="each_zone")
    assert ev["met"].tolist() == [False, False]
    assert ev["value"].tolist() == [0.2, 0.2]
    # replicate 1 meets it in 2020, when bio_park has no value (see below)
    assert ev["first_met_year"].isna().tolist() == [True, False]
    # for an upper bound the worst is the largest
    ev = evaluate(indicator="high_tech_output_share", comparator="<=", value=0.7, year=2019,
                  scope="each_zone")
    assert ev["met"].tolist() == [True, True]
    assert ev["value"].tolist() == [0.6, 0.6]


def test_each_zone_skips_zones_without_a_value(evaluate):
    # replicate 1, 2020: bio_park has no value, port_core alone decides
    ev = evaluate(indicator="high_tech_output_share", value=0.5, year=2020, scope="each_zone")
    assert ev["met"].tolist() == [False, True]
    assert ev["value"].tolist() == [0.2, 0.6]
    assert ev["first_met_year"].tolist()[1] == 2020


def test_tier_filter_drops_zones_below_the_tier(evaluate):
    # bio_park (a candidate) is not in scope: port_core (0.6) meets it
    ev = evaluate(indicator="high_tech_output_share", value=0.5, year=2019,
                  scope="each_zone:municipal")
    assert ev["met"].tolist() == [True, True]
    assert ev["value"].tolist() == [0.6, 0.6]
    # met in 2016 too, but that is the starting state: first met is a simulated year
    assert ev["first_met_year"].tolist() == [2017, 2017]
    # replicate 1, 2020: no zone at municipal tier, so no value and not met
    ev = evaluate(indicator="high_tech_output_share", value=0.5, year=2020,
                  scope="each_zone:municipal")
    assert ev["met"].tolist() == [True, False]
    assert ev["value"].iloc[0] == 0.6 and np.isnan(ev["value"].iloc[1])


def test_cagr_is_the_average_yearly_growth_since_base_year(evaluate):
    ev = evaluate(indicator="high_tech_enterprises", measure="cagr", base_year=2017,
                  value=0.09, year=2019)
    assert ev["value"].tolist() == pytest.approx([0.1, 0.1])  # 100 → 121 in two years
    assert ev["met"].all()
    # met from the first year after base_year (growth 10 % in 2018), never in base_year
    assert ev["first_met_year"].tolist() == [2018, 2018]
    ev = evaluate(indicator="high_tech_enterprises", measure="cagr", base_year=2017,
                  value=-1.0, year=2019)
    assert ev["first_met_year"].tolist() == [2018, 2018]


def test_growth_from_zero_is_infinite(evaluate):
    ev = evaluate(indicator="high_tech_enterprises", measure="cagr", base_year=2016,
                  value=0.2, year=2020, scope="zone:port_core")
    assert ev["value"].tolist() == [np.inf, np.inf]
    assert ev["met"].all()


def test_summary_gives_the_share_of_replicates_at_each_tier(base_scenario):
    """A tier target's summary holds the share of replicates at each tier in the target year
    (port_core is municipal in 2020 of replicate 0, a candidate in replicate 1); a replicate
    without a value (no zone at the scope's tier) counts in none; other targets have none."""
    known = {"year": 2020, "clause": "known answer"}
    targets = [Target(id="tier", indicator="zone_tier_level", value=1, scope="zone:port_core",
                      **known),
               Target(id="tier_each_municipal", indicator="zone_tier_level", value=1,
                      scope="each_zone:municipal", **known),
               Target(id="share", indicator="high_tech_output_share", value=0.5,
                      scope="zone:port_core", **known)]
    sc = with_targets(base_scenario, targets)
    summary = summarise(sc, evaluate_targets(sc, tiny_table())).set_index("target")
    assert summary.loc["tier", "tier_shares"] == {"candidate": 0.5, "municipal": 0.5}
    assert summary.loc["tier", "median"] == 0.5           # the fractional tier it replaces
    assert summary.loc["tier_each_municipal", "tier_shares"] == {"municipal": 0.5}
    assert pd.isna(summary.loc["share", "tier_shares"])


# ------------------------------------------------------------------ the scope grammar

@pytest.mark.parametrize("scope, members, label, short", [
    ("city", ["city"], "whole city", ""),
    ("zones", ["zones"], "all zones together", "all zones"),
    ("special_parks", ["special_parks"], "all special parks together", "all special parks"),
    ("recognised_parks", ["recognised_parks"],
     "the special parks recognised in the year, together", "recognised parks"),
    ("rest_of_city", ["rest_of_city"], "outside the zones", "outside the zones"),
    ("zone:a", ["zone:a"], "zone a", "a"),
    ("each_zone", ["zone:a", "zone:b"], "every zone (worst zone shown)", "every zone"),
    ("each_zone:municipal", ["zone:a", "zone:b"],
     "every zone at tier ≥ municipal (worst zone shown)", "every zone at tier ≥ municipal"),
    ("zones:municipal", ["zones:municipal"],
     "the high-tech zones at tier ≥ municipal in the year, together",
     "zones at tier ≥ municipal"),
])
def test_scope_members_and_labels(scope, members, label, short):
    assert scopes.members(scope, ["a", "b"]) == members
    assert scopes.label(scope) == label
    assert scopes.short_label(scope) == short


@pytest.mark.parametrize("scope", ["county", "zone", "each_zones", "each_zone:",
                                   "each_zone:provincial", ""])
def test_scope_outside_the_grammar(scope):
    with pytest.raises(ValueError, match="expected 'city', 'zones'"):
        scopes.parse(scope)


def test_scope_checked_against_zones_and_indicator_level():
    assert scopes.check("each_zone:national", INDICATORS["zone_tier_level"], ["a"]).min_level \
        == TIER_LEVEL["national"]
    assert scopes.parse("each_zone").min_level is None
    with pytest.raises(ValueError, match="unknown zone 'b'"):
        scopes.check("zone:b", INDICATORS["enterprises"], ["a"])
    with pytest.raises(ValueError, match="scope must be 'city'"):
        scopes.check("zones", INDICATORS["zones_national"], ["a"])
    with pytest.raises(ValueError, match="measured for zones"):
        scopes.check("rest_of_city", INDICATORS["land_free_mu"], ["a"])


def test_county_scope_reads_its_zones_and_is_for_data_only():
    counties = {"c1": ["a", "b"], "c2": ["z"]}
    assert scopes.members("county:c1", ["a", "b", "z"], counties) == ["zone:a", "zone:b"]
    assert scopes.members("county:none", ["a"], counties) == []
    with pytest.raises(ValueError, match="calibration data"):
        scopes.check("county:c1", INDICATORS["high_tech_output_share"], ["a", "b"])
