"""Talent and industry-university programmes as counts a year: founder teams enter local
carriers as tenants, hires go to zone firms with an R&D institution and raise their S&T staff and
patents, the university programme pairs firms that do R&D, and every award is one the budget
paid."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import MODEL_SETTINGS, run_years
from zonesim.engine.firms import employees
from zonesim.engine.patents import application_rate
from zonesim.engine.rd import st_share
from zonesim.engine.status import update_university_cooperation
from zonesim.engine.talent import (award_founder_teams, award_hires, hire_patent_multiplier,
                                   match_with_universities)


def test_founder_teams_enter_local_carriers_in_operation_only(make_model):
    m = make_model(seed=1, talent_founder_teams_per_year=200.0)
    c = m.carriers
    before = c.tenants[:c.n].copy()
    m.budget.open_year(1e12)                 # a budget that pays every award
    n = award_founder_teams(m)
    gained = c.tenants[:c.n] - before
    local = c.in_operation(m.time) & ~c.offshore[:c.n]
    assert n > 100 and gained.sum() == n
    assert (gained[~local] == 0).all(), "a team entered an offshore or closed carrier"
    assert (c.admitted_this_year[:c.n] >= gained).all()
    assert m.budget.ledger["talent_founder_awards"] == pytest.approx(
        n * m.p["talent_founder_award_yuan"])


def test_hires_go_to_zone_firms_with_an_rd_institution(make_model):
    m = make_model(seed=2, talent_hires_per_year=300.0)
    e = m.firms
    m.budget.open_year(1e12)
    offset, share = e.st_offset.copy(), e.st_share.copy()
    n = award_hires(m)
    hosts = np.flatnonzero(e.st_offset != offset)
    assert n > 200 and len(hosts) > 0
    assert (e.zone[hosts] >= 0).all() and (e.rd_level[hosts] >= 1).all()
    # one S&T employee each: the offsets gained add up to the hires over their staff
    gained = (e.st_offset - offset)[hosts] * employees(e, m.p)[hosts]
    assert gained.sum() == pytest.approx(n)
    assert np.allclose(gained, np.rint(gained))
    assert (st_share(m.p, e.rd_intensity, e.st_offset)[hosts] >= share[hosts] - 1e-12).all()
    assert (e.talent_hire_until[hosts] == pytest.approx(m.time + m.p["talent_hire_years"]))


def test_an_awarded_hire_raises_its_firms_patent_rate_while_it_stays(make_model):
    m = make_model(seed=3, talent_hire_patent_effect=0.3)
    e = m.firms
    rd = np.full(e.n, 2e6)
    plain = application_rate(m, rd)
    e.talent_hire_until[:10] = m.time + 1.0
    raised = application_rate(m, rd)
    np.testing.assert_allclose(raised[:10], 1.3 * plain[:10])
    np.testing.assert_allclose(raised[10:], plain[10:])
    m.time += 2.0                              # the hire has left
    np.testing.assert_allclose(hire_patent_multiplier(m)[:10], 1.0)


@MODEL_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([1e-6, 1e-4, 0.003]),
       award=st.sampled_from([0.0, 2e5, 5e6]))
def test_awards_are_those_the_budget_paid(make_model, seed, share, award):
    m = make_model(seed=seed, science_budget_share_of_gdp=share,
                   talent_founder_teams_per_year=50.0, talent_founder_award_yuan=award,
                   talent_hires_per_year=50.0, talent_hire_award_yuan=award)
    run_years(m, 1)
    m.budget.open_year(m.records[-1]["gdp_yuan"][0])
    teams, hires = award_founder_teams(m), award_hires(m)
    books = m.budget.ledger
    assert books["talent_founder_awards"] + books["talent_hire_awards"] <= \
        m.budget.limit_yuan * (1 + 1e-9)
    if award > 0:
        assert books["talent_founder_awards"] >= teams * award * (1 - 1e-9)
        assert books["talent_hire_awards"] >= hires * award * (1 - 1e-9)


def test_university_matching_pairs_only_rd_firms_without_a_partner(make_model):
    m = make_model(seed=4, university_matches_per_year=40, university_match_success=1.0,
                   university_coop_base_rate=0.0)
    e = m.firms
    coop = e.university_coop.copy()
    could = np.flatnonzero(e.alive & ~coop & (e.rd_intensity > m.p["coop_min_rd_intensity"]))
    assert len(could) > 40
    update_university_cooperation(m, m.start_year)
    started = np.flatnonzero(e.university_coop & ~coop)
    assert len(started) == 40
    assert np.isin(started, could).all()


def test_more_matches_keep_the_smaller_programmes_pairings(make_model):
    """The pairings do not depend on how many there are: a larger programme pairs the same
    firms first (common random numbers across the lever)."""
    could = np.arange(500)
    picked = []
    for matches in (20, 60):
        m = make_model(seed=5, university_matches_per_year=matches)
        picked.append(set(could[match_with_universities(m, could)].tolist()))
    assert picked[0] < picked[1]
