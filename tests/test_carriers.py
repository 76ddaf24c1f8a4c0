"""Local carriers founded and accredited (seed 003 §三(五), 002 §三(一); 科技企业孵化器管理办法
2018): zones found the carriers they lack under the founding subsidy; carriers climb one level
a year when they meet the next level's criteria and lose one after two reviews below their
own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CHAIN, TWO_TOWNS
from zonesim import rules
from zonesim.engine.accreditation import accredit_carriers, found_carriers
from zonesim.engine.incubators import FOUNDED
from zonesim.engine.observe import towns_covered


def _local(m):
    return [i for i in m.incubators if not i.offshore]


def _set(m, slot, tenants, graduates, age, in_year=0):
    c = m.carriers
    c.tenant_years[slot], c.graduates_total[slot] = tenants, graduates
    c.graduated_this_year[slot] = in_year
    c.founded_at[slot] = m.time - age


def _first(m, kind):
    return next(i for i in _local(m) if i.kind == kind).slot


@pytest.fixture
def chain_model(make_model, chain_scenario):
    """A small model with maker spaces, incubators and an accelerator."""
    return make_model(scenario=chain_scenario)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["incubator", "maker_space"]), level=st.integers(0, 3),
       tenants=st.floats(0, 80), graduates=st.integers(0, 40), in_year=st.integers(0, 15),
       age=st.floats(0, 6), failed=st.integers(0, 1))
def test_a_carrier_is_never_promoted_without_meeting_the_criteria(chain_model, kind, level,
                                                                  tenants, graduates, in_year,
                                                                  age, failed):
    model = chain_model
    c = model.carriers
    slot = _first(model, kind)
    c.level[slot], c.reviews_failed[slot] = level, failed
    _set(model, slot, tenants, graduates, age, in_year)
    promoted, demoted = accredit_carriers(model)
    new = int(c.level[slot])
    assert abs(new - level) <= 1, "one level a year"
    meets = {k: bool(c.meets_criteria([slot], [k], model.p, model.time)[0]) for k in range(1, 4)}
    if slot in promoted:
        assert new == level + 1 and meets[new]
        need = rules.carrier_criteria(kind, new, model.p)
        assert tenants >= need["tenants"] - 1e-9 and graduates >= need["graduates_total"]
        assert in_year >= need["graduates_in_year"]
        assert age >= need["years_in_operation"] - 1e-9
    if slot in demoted:
        assert new == level - 1 and not meets[level] and failed == 1
    if level > 0 and meets[level]:
        assert slot not in demoted and c.reviews_failed[slot] == 0


def test_maker_spaces_are_filed_on_their_own_criteria(chain_model):
    """A maker space with an incubator's national tenants and graduates since founding but
    fewer teams registering in the year than the national maker-space filing asks
    (国家众创空间备案暂行规定) is not national; with them it is."""
    model = chain_model
    c, p = model.carriers, model.p
    slot = _first(model, "maker_space")
    need = rules.carrier_criteria("maker_space", 3, p)
    assert need["graduates_in_year"] > 0 and need["graduates_total"] == 0
    incubator = rules.carrier_criteria("incubator", 3, p)
    _set(model, slot, incubator["tenants"], incubator["graduates_total"], 5.0,
         need["graduates_in_year"] - 1)
    assert not c.meets_criteria([slot], [3], p, model.time)[0]
    c.graduated_this_year[slot] = need["graduates_in_year"]
    assert c.meets_criteria([slot], [3], p, model.time)[0]


def test_a_level_is_lost_after_two_reviews_below_it(model):
    c = model.carriers
    slot = _first(model, "incubator")
    c.level[slot], c.reviews_failed[slot] = 2, 0
    need = rules.carrier_criteria("incubator", 2, model.p)
    below, above = need["tenants"] - 1, need["tenants"] + 1
    for tenants, level in ((below, 2), (above, 2), (below, 2), (below, 1)):
        top = rules.carrier_criteria("incubator", 3, model.p)["tenants"]
        _set(model, slot, min(tenants, top - 1),
             need["graduates_total"], need["years_in_operation"] + 1)
        accredit_carriers(model)
        assert c.level[slot] == level, tenants


def test_zones_found_only_the_carriers_they_lack_and_pay_for_them(make_model):
    m = make_model(seed=41, carrier_founding_subsidy_yuan=2e6, carrier_founding_rate_per_year=50)
    c = m.carriers
    before = {(int(c.zone_index[i]), c.kind[i]) for i in range(c.n) if not c.offshore[i]}
    lacking = {(z.index, k) for z in m.zones for k in FOUNDED} - before
    assert lacking, "the test scenario has zones without an incubator or maker space"
    m.budget.clear()
    founded = found_carriers(m)
    assert {(i.zone_index, i.kind) for i in founded} == lacking, "hazard 50: all found"
    assert m.budget.ledger["carrier_founding"] == pytest.approx(2e6 * len(founded))
    for inc in founded:
        assert inc.tenants == 0 and c.level[inc.slot] == 0 and inc.opens_at == m.time
    assert c.n <= len(c.kind)
    assert found_carriers(m) == [], "none lacking now"


def test_no_subsidy_no_founding(make_model):
    m = make_model(seed=42, carrier_founding_subsidy_yuan=0.0, carrier_founding_rate_per_year=50)
    n = m.carriers.n
    before = m.rng.random()
    m2 = make_model(seed=42, carrier_founding_subsidy_yuan=0.0, carrier_founding_rate_per_year=50)
    assert found_carriers(m2) == [] and m2.carriers.n == n
    assert m2.rng.random() == before, "no random number drawn"


def test_set_up_levels_follow_the_scenario_or_the_criteria(make_model, scenario_variant):
    """Two incubators the scenario makes national keep the level; the others (the chain's,
    their level left open) hold the levels whose criteria they meet where every review
    approves, and none where none does."""
    sc = scenario_variant(CHAIN + '[[incubators]]\nkind = "incubator"\nzone = "bio_park"\n'
                          'count = 2\nlevel = "national"\nsource = "test"\n', "levels")
    approve_all = {f"carrier_{k}_approval_probability": 1.0
                   for k in ("municipal", "provincial", "national")}
    for chance in (1.0, 0.0):
        m = make_model(scenario=sc, carrier_initial_age_years=4.0,
                       **dict.fromkeys(approve_all, chance))
        c = m.carriers
        given = [i for i in _local(m) if i.zone_index == m.zone_index("bio_park")
                 and i.kind == "incubator"]
        assert len(given) == 2 and all(c.level[i.slot] == 3 for i in given)
        others = [i for i in _local(m) if i not in given]
        assert len(others) == 6
        for i in others:
            lvl = int(c.level[i.slot])
            if not chance:
                assert lvl == 0
                continue
            assert all(c.meets_criteria([i.slot], [k], m.p, m.time)[0]
                       for k in range(1, lvl + 1))
            assert lvl == 3 or not c.meets_criteria([i.slot], [lvl + 1], m.p, m.time)[0]


def test_coverage_indicators_count_accredited_carriers_in_operation(make_model):
    m = make_model(seed=43)
    c = m.carriers
    for i in _local(m):
        c.level[i.slot] = 2 if i.kind == "incubator" else 1
    table = m.run()
    last = table[(table["year"] == m.end_year) & (table["scope"] == "city")].iloc[0]
    n = c.n
    kinds = np.array(c.kind[:n], dtype=object)
    live = c.in_operation(m.time)
    assert last["provincial_incubators"] == ((kinds == "incubator") & (c.level[:n] >= 2)
                                             & live).sum()
    assert last["municipal_maker_spaces"] == ((kinds == "maker_space") & (c.level[:n] >= 1)
                                              & live).sum()
    assert last["national_incubators"] == ((kinds == "incubator") & (c.level[:n] == 3)).sum()


def test_towns_found_the_maker_spaces_they_lack_outside_the_zones(make_model, scenario_variant):
    sc = scenario_variant(TWO_TOWNS, "towns")
    m = make_model(scenario=sc, carrier_founding_subsidy_yuan=2e6,
                   carrier_founding_rate_per_year=50)
    c = m.carriers
    west = [w.id for w in sc.towns].index("west")
    m.budget.clear()
    founded = found_carriers(m)
    in_towns = [i for i in founded if c.town[i.slot] >= 0]
    assert [(int(c.town[i.slot]), i.kind) for i in in_towns] == [(west, "maker_space")], \
        "only the town without a maker space founds one, a maker space"
    assert all(i.zone_index == -1 for i in in_towns), "a town's carrier lies outside the zones"
    assert not [i for i in found_carriers(m) if c.town[i.slot] >= 0], "none lacking now"


def test_town_coverage_counts_towns_with_an_accredited_maker_space(make_model, scenario_variant):
    sc = scenario_variant(TWO_TOWNS, "towns_cover")
    m = make_model(scenario=sc)
    c = m.carriers
    east = next(i for i in _local(m) if c.town[i.slot] >= 0)
    for level, covered in ((0, 0.0), (1, 0.5)):      # unaccredited: not covered; 1 of 2 towns
        c.level[east.slot] = level
        assert towns_covered(m) == covered
    c.opens_at[east.slot] = m.time + 1.0              # not yet in operation
    assert towns_covered(m) == 0.0


@pytest.mark.parametrize("chance", [0.0, 1.0])
def test_the_review_decides_among_carriers_that_meet_the_criteria(chain_model, chance):
    """Approval probability 0: no carrier is promoted, whatever it holds; 1: every carrier
    that meets the next level's criteria is."""
    m = chain_model
    c = m.carriers
    for level in ("municipal", "provincial", "national"):
        m.p[f"carrier_{level}_approval_probability"] = chance
    rows = [i.slot for i in _local(m)]
    for slot in rows:
        c.level[slot], c.reviews_failed[slot] = 0, 0
        _set(m, slot, 1000, 1000, 10.0, 1000)
    promoted, _ = accredit_carriers(m)
    assert sorted(promoted) == (sorted(rows) if chance else [])
