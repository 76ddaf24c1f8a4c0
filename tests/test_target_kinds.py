"""What a target is (issue 15): its kind, approximate goals with a tolerance band, the median
zone, increases since a base year, the high-tech zones at a tier in each year, and dates that
never fall before the plan's first simulated year."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_targets import simulated, tiny_table, with_targets, SCENARIOS
from zonesim.analysis.targets import decisive, evaluate_targets, meets, met_at_start, summarise
from zonesim.errors import ScenarioError
from zonesim.engine.observe import strategic_clusters
from zonesim.engine.status import set_up_rd_institutions
from zonesim.present.files import target_table_text
from zonesim.present.reading import forecasts, planner_reading, markdown, tally
from zonesim.run import run_replicates
from zonesim.scenario import Target, load_scenario
from zonesim.scenario.schema import TARGET_KINDS, Scenario

KNOWN = {"clause": "known answer"}


def one(base_scenario, **fields):
    """The evaluation of one target on tiny_table(), by replicate."""
    t = Target(id="t", **{**KNOWN, **fields})
    sc = with_targets(base_scenario, [t])
    return sc, evaluate_targets(sc, tiny_table()).set_index("replicate")


def validated(base_scenario, **fields):
    """A target checked as a scenario file would be (ScenarioError on a bad one)."""
    data = base_scenario.model_dump(by_alias=True, exclude_none=True)
    data["targets"] = [{"id": "t", **KNOWN, **fields}]
    return Scenario.model_validate(data)


# ------------------------------------------------------------------ kinds

@pytest.mark.parametrize("kind", sorted(TARGET_KINDS))
def test_every_kind_is_summarised_with_its_kind(base_scenario, kind):
    note = "" if kind == "forecast" else "the scenario sets it"
    sc, ev = one(base_scenario, indicator="high_tech_enterprises", value=100, year=2019,
                 kind=kind, note=note)
    row = summarise(sc, ev.reset_index()).iloc[0]
    assert row["kind"] == kind and row["p_met"] == 1.0


@pytest.mark.parametrize("kind", ["input", "check", "threshold"])
def test_a_kind_other_than_forecast_must_say_what_set_it(kind):
    with pytest.raises(ValueError, match=f"kind '{kind}' needs a 'note'"):
        Target(id="t", indicator="enterprises", value=1, year=2020, kind=kind, **KNOWN)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="forecast"):
        Target(id="t", indicator="enterprises", value=1, year=2020, kind="guess", **KNOWN)


def _mixed_summary(base_scenario):
    """Three targets: two forecasts (one met, one missed) and one input (met)."""
    targets = [Target(id="met", indicator="high_tech_enterprises", value=100, year=2019,
                      **KNOWN),
               Target(id="missed", indicator="high_tech_enterprises", value=1000, year=2019,
                      **KNOWN),
               Target(id="set", indicator="high_tech_enterprises", value=50, year=2019,
                      kind="input", note="the scenario sets it", **KNOWN)]
    sc = with_targets(base_scenario, targets)
    return sc, summarise(sc, evaluate_targets(sc, tiny_table()))


def test_headline_counts_forecasts_only(base_scenario):
    sc, summary = _mixed_summary(base_scenario)
    assert list(forecasts(summary)["target"]) == ["met", "missed"]
    t = tally(summary, "plan")
    assert t["modelled forecast targets"] == 2 and t["expected number met"] == 1.0
    assert t["not forecasts"] == 1
    text = markdown(planner_reading(summary, sc))
    assert "1 of 2 forecast targets likely reached" in text
    assert "Not forecasts (1)" in text and "`set`" in text


def test_console_sets_other_kinds_apart(base_scenario):
    _, summary = _mixed_summary(base_scenario)
    text = target_table_text(summary, width=100)
    forecast_part, _, rest = text.partition("Not forecasts (1)")
    assert "met" in forecast_part.split() and "missed" in forecast_part.split()
    assert "set" not in forecast_part.split() and "set" in rest.split()
    assert "[set by the scenario]" in " ".join(rest.split())


# ------------------------------------------------------------------ tolerance bands

def test_about_is_a_band_around_the_goal(base_scenario):
    # city high-tech enterprises in 2019: 121 in both replicates
    for goal, met in ((110, True), (132, True), (109, False), (135, False)):
        _, ev = one(base_scenario, indicator="high_tech_enterprises", comparator="~",
                    value=goal, tolerance=0.1, tolerance_range=[0.05, 0.15], year=2019)
        assert ev["met"].tolist() == [met, met], goal


def test_tolerance_widens_a_floor_on_one_side(base_scenario):
    _, ev = one(base_scenario, indicator="high_tech_enterprises", value=130, year=2019,
                tolerance=0.1, tolerance_range=[0.05, 0.15])
    assert ev["met"].all()                           # 121 ≥ 130 × 0.9
    _, ev = one(base_scenario, indicator="high_tech_enterprises", comparator="<=", value=115,
                year=2019, tolerance=0.1, tolerance_range=[0.05, 0.15])
    assert ev["met"].all()                           # 121 ≤ 115 × 1.1


def test_summary_gives_p_met_at_both_ends_of_the_tolerance_range(base_scenario):
    # 121 in 2019: met at tolerance 0.1 and 0.15 of 135 (≥ 121.5 fails, ≥ 114.75 holds)
    sc, ev = one(base_scenario, indicator="high_tech_enterprises", value=135, year=2019,
                 tolerance=0.1, tolerance_range=[0.05, 0.15])
    row = summarise(sc, ev.reset_index()).iloc[0]
    assert (row["p_met_tolerance_low"], row["p_met"], row["p_met_tolerance_high"]) == \
        (0.0, 0.0, 1.0)


@given(value=st.floats(-1e6, 1e6), goal=st.floats(-1e6, 1e6),
       tol=st.floats(0.0, 0.9), cmp=st.sampled_from([">=", "<=", "~"]))
@settings(max_examples=300, deadline=None)
def test_a_wider_tolerance_never_turns_met_into_missed(value, goal, tol, cmp):
    t = Target(id="t", indicator="enterprises", value=goal, year=2020, comparator=cmp,
               tolerance=0.05, tolerance_range=[0.0, 0.95], **KNOWN)
    if meets(value, t, tol):
        assert meets(value, t, min(tol + 0.05, 0.95))


@pytest.mark.parametrize("fields, message", [
    ({"tolerance": 0.1}, "both 'tolerance' and"),
    ({"tolerance_range": [0.05, 0.15]}, "both 'tolerance' and"),
    ({"tolerance": 0.2, "tolerance_range": [0.05, 0.15]}, "must hold 'tolerance'"),
    ({"comparator": "~"}, "needs 'tolerance'"),
    ({"comparator": ">", "tolerance": 0.1, "tolerance_range": [0.05, 0.15]},
     "a tolerance goes with"),
    ({"comparator": "~", "tolerance": 0.1, "tolerance_range": [0.05, 0.15],
      "scope": "each_zone"}, "one year and one scope"),
])
def test_bad_tolerances_are_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        Target(id="t", indicator="enterprises", value=30, year=2020, **{**KNOWN, **fields})


# ------------------------------------------------------------------ zones and years

def test_zone_share_one_half_is_decided_by_the_better_zone_of_two(base_scenario):
    # 2019: port_core 0.6 meets ≥ 0.5, bio_park 0.2 does not
    _, ev = one(base_scenario, indicator="high_tech_output_share", value=0.5, year=2019,
                scope="each_zone", zone_share=0.5)
    assert ev["met"].all() and ev["value"].tolist() == [0.6, 0.6]


@given(values=st.lists(st.one_of(st.floats(-100, 100), st.just(float("nan"))), min_size=1,
                       max_size=12),
       share=st.floats(0.05, 1.0), goal=st.floats(-100, 100),
       cmp=st.sampled_from([">=", ">", "<=", "<"]))
@settings(max_examples=300, deadline=None)
def test_deciding_zone_meets_exactly_when_the_share_of_zones_does(values, share, goal, cmp):
    t = Target(id="t", indicator="enterprises", value=goal, year=2020, comparator=cmp,
               scope="each_zone", zone_share=share, **KNOWN)
    v = np.array(values, dtype=float)
    present = v[~np.isnan(v)]
    need = math.ceil(round(share * len(present), 9))
    expected = len(present) > 0 and int(meets(present, t).sum()) >= need
    assert bool(meets(decisive(v, t), t)) == expected


def test_zones_named_restrict_an_each_zone_scope(base_scenario):
    _, ev = one(base_scenario, indicator="high_tech_output_share", value=0.5, year=2019,
                scope="each_zone", zones=["port_core"])
    assert ev["met"].all() and ev["value"].tolist() == [0.6, 0.6]


def test_change_is_the_increase_since_base_year(base_scenario):
    _, ev = one(base_scenario, indicator="high_tech_enterprises", measure="change",
                base_year=2017, value=21, year=2019)
    assert ev["value"].tolist() == [21.0, 21.0] and ev["met"].all()
    # 2018: 10 more, not yet 21; never met at or before the base year
    assert ev["first_met_year"].tolist() == [2019, 2019]


def test_several_years_report_the_worst(base_scenario):
    _, ev = one(base_scenario, indicator="new_high_tech_enterprises", value=10,
                years=[2017, 2018, 2019, 2020])
    assert ev["value"].tolist() == [8.0, 9.0]     # replicate 0: 2020; replicate 1: 2017


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_no_target_is_first_met_before_the_first_simulated_year(path):
    sc, table = simulated(path)
    first = evaluate_targets(sc, table)["first_met_year"].dropna()
    assert (first >= sc.meta.start_year).all()


# ------------------------------------------------------------------ zones at a tier

def test_tier_scope_holds_the_high_tech_zones_at_the_tier_in_each_year():
    """zones:municipal is the sum over the high-tech zones at municipal tier or above in that
    year: its members change as zones are promoted, development zones never count."""
    sc = load_scenario("taizhou_jiangsu_2017_2020")
    table = run_replicates(sc, 2, seed=3, workers=1, progress=False)
    kinds = {f"zone:{z.id}": z.kind for z in sc.zones}
    zones = table[table["scope"].isin(kinds)]
    ladder = zones[(zones["scope"].map(kinds) == "high_tech_zone")
                   & (zones["zone_tier_level"] >= 1)]
    expected = ladder.groupby(["replicate", "year"])["enterprises"].sum()
    got = table[table["scope"] == "zones:municipal"].set_index(["replicate", "year"])
    pd.testing.assert_series_equal(got["enterprises"].loc[expected.index], expected,
                                   check_names=False, check_dtype=False)
    assert (expected.groupby("replicate").nunique() > 1).all()   # it follows promotions


def test_tier_scope_is_refused_for_growth(base_scenario):
    with pytest.raises((ScenarioError, ValueError), match="promotions as growth"):
        validated(base_scenario, indicator="high_tech_enterprises", value=0.1, year=2020,
                  measure="cagr", base_year=2017, scope="zones:municipal")


# ------------------------------------------------------------------ indicators the targets read

@pytest.mark.parametrize("multiplier", [1.0, 3.0])
def test_co_built_institutions_are_the_set_ups_cooperation_adds(make_model, multiplier):
    """Seed 003 §三(四)3: only a cooperating firm co-builds, only when it sets up; without the
    cooperation's boost (multiplier 1) none is co-built; the count is the boost's share."""
    m = make_model(seed=5, initial_enterprises=3000, rd_institution_setup_rate=0.2,
                   coop_institution_multiplier=multiplier)
    e = m.firms
    e.set("rd_level", slice(None), 0)
    e.set("rd_setup_year", slice(None), -1)
    e.set("rd_hist_0", slice(None), 1e9)             # every firm able to set one up
    coop = np.arange(e.n) % 2 == 0
    e.set("university_coop", slice(None), coop)
    set_up_rd_institutions(m, 2017)
    joint = e.rd_joint_year[:e.n] == 2017
    assert (e.rd_setup_year[:e.n][joint] == 2017).all() and not joint[~coop[:e.n]].any()
    able = int((coop & e.alive)[:e.n].sum())
    expected = able * 0.2 * (multiplier - 1)
    assert abs(joint.sum() - expected) <= 4 * np.sqrt(expected) + 1e-9


def test_city_clusters_sum_a_strategic_industry_over_its_zones(make_model):
    """百亿级集群: a strategic industry counts when its output over the zones holding it as
    strategic reaches 10 bn yuan, wherever it sits; output outside those zones does not."""
    m = make_model(seed=2)
    e = m.firms
    strategic = m.zone_strategic[e.zone[:e.n], e.sector[:e.n]] & e.alive[:e.n]
    e.set("rev_hist_0", slice(None), 0.0)
    e.set("revenue", slice(None), 0.0)
    sector = int(e.sector[:e.n][strategic][0])
    ids = np.flatnonzero(strategic & (e.sector[:e.n] == sector))
    e.set("revenue", ids, 1.01e10 / len(ids))
    assert strategic_clusters(m) == 1
    e.set("revenue", np.flatnonzero(~strategic), 1e12)  # outside: no cluster
    assert strategic_clusters(m) == 1
    e.set("revenue", ids, 0.99e10 / len(ids))
    assert strategic_clusters(m) == 0


def test_loans_granted_since_the_start_cover_the_balance():
    sc, table = simulated(SCENARIOS[[p.stem for p in SCENARIOS].index("gaogang_2017_2020")])
    city = table[table["scope"] == "city"].sort_values(["replicate", "year"])
    assert (city["tech_loans_granted_yuan"] >= city["tech_loan_balance_yuan"] - 1e-6).all()
    assert (city.groupby("replicate")["tech_loans_granted_yuan"].diff().dropna() >= 0).all()
    assert (city.loc[city["year"] < sc.meta.start_year, "tech_loans_granted_yuan"] == 0).all()


def test_met_at_start_reads_the_starting_state_as_the_target_reads_its_years(base_scenario):
    """The city's certified firms are 90 at the end of 2016 in tiny_table: a goal of 90 is met
    by the starting state, one of 100 not; a growth goal is not asked."""
    targets = [Target(id="low", indicator="high_tech_enterprises", value=90, year=2019, **KNOWN),
               Target(id="high", indicator="high_tech_enterprises", value=100, year=2019,
                      **KNOWN),
               Target(id="growth", indicator="high_tech_enterprises", value=0.1, year=2019,
                      measure="cagr", base_year=2017, **KNOWN)]
    sc = with_targets(base_scenario, targets)
    at_start = met_at_start(sc, tiny_table())
    assert at_start == {"low": 1.0, "high": 0.0}
    summary = summarise(sc, evaluate_targets(sc, tiny_table()), at_start).set_index("target")
    assert summary.loc["low", "p_met_at_start"] == 1.0
    assert np.isnan(summary.loc["growth", "p_met_at_start"])
    assert "met at the start in 100 % of runs" in " ".join(
        target_table_text(summary.reset_index(), width=100).split())
