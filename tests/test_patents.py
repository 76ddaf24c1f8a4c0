"""Invention patents pass an examination lag and lapse (docs/ODD.md §7.9); the start holds the
inventions under examination and who has filed before (§7.1)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zonesim.engine.patents import DUE, EXAMINATION_YEARS_MAX, produce_patents
from zonesim.engine.status import support_ip
from zonesim.registry.parameters import PARAMETERS

M = 1e6


def _quiet(model):
    """Every firm alive, without patents, pending grants or R&D."""
    e = model.firms
    e.set("alive", slice(None), True)
    for col in ("invention_patents", "invention_grants_year", *DUE):
        e.set(col, slice(None), 0)
    e.set("rd_year", slice(None), 0.0)


def test_the_store_holds_every_lag_the_registry_allows():
    assert PARAMETERS["invention_examination_years"].maximum == EXAMINATION_YEARS_MAX


@settings(max_examples=8, deadline=None)
@given(st.integers(0, EXAMINATION_YEARS_MAX))
def test_an_invention_grant_never_precedes_its_examination(make_model, lag):
    m = make_model(seed=3, initial_enterprises=600, invention_examination_years=lag,
                   invention_patent_lapse_rate=0.0)
    _quiet(m)
    e = m.firms
    e.set("rd_year", slice(None), 5 * M)
    e.set("real_rd_share", slice(None), 1.0)
    produce_patents(m, 2017)                      # the applications of 2017
    granted_by_year = [e.invention_patents.sum()]
    e.set("rd_year", slice(None), 0.0)            # no later applications
    for year in range(2018, 2018 + EXAMINATION_YEARS_MAX + 1):
        e.set("invention_grants_year", slice(None), 0)
        produce_patents(m, year)
        granted_by_year.append(e.invention_patents.sum())
    # nothing is granted before year 2017 + lag, everything at it, nothing after
    assert all(g == 0 for g in granted_by_year[:lag])
    assert granted_by_year[lag] > 0
    assert all(g == granted_by_year[lag] for g in granted_by_year[lag:])
    assert sum(getattr(e, c).sum() for c in DUE) == 0


def test_patents_lapse_at_their_rate_and_never_below_zero(make_model):
    m = make_model(seed=5, initial_enterprises=4000, invention_patent_lapse_rate=0.25)
    _quiet(m)
    e = m.firms
    e.set("invention_patents", slice(None), 8)
    produce_patents(m, 2017)
    assert e.invention_patents.min() >= 0
    assert e.invention_patents.sum() / (8 * e.n) == pytest.approx(0.75, abs=0.01)
    e.set("invention_patents", slice(None), 3)
    m.p = {**m.p, "invention_patent_lapse_rate": 1.0}
    produce_patents(m, 2018)
    assert e.invention_patents.sum() == 0


def test_the_start_holds_a_settled_pipeline_and_past_filers(make_model):
    lag = 2
    m = make_model(seed=9, initial_enterprises=3000, invention_examination_years=lag)
    e, p = m.firms, m.p
    pending = [getattr(e, c) for c in DUE]
    assert sum(x.sum() for x in pending[lag:]) == 0
    rd = e.rd_intensity * e.revenue * e.real_rd_share
    expected = (rd / M * p["patents_per_million_rd_yuan"]
                * np.where(e.university_coop, p["coop_institution_multiplier"]
                           ** p["coop_patent_elasticity"], 1.0)
                * p["invention_share_of_applications"] * p["invention_grant_rate"]).sum()
    for due in pending[:lag]:           # a Poisson total: within 4 standard deviations
        assert abs(due.sum() - expected) <= 4 * np.sqrt(expected)
    filed = (e.invention_patents > 0) | (e.other_ip > 0) | (sum(pending) > 0)
    assert (e.first_application_year[filed] < m.start_year).all()
    assert (e.first_application_year[filed] >= np.floor(e.birth_year[filed])).all()
    assert (e.first_application_year[~filed] == -1).all()


def test_ip_support_pays_for_applications_not_rights(make_model):
    """Seed 003 §三(二)2: pool firms without own IP file inventions with the subsidy; the IP
    comes only with the grant, after the examination."""
    m = make_model(seed=13, initial_enterprises=2000, ip_support_rate=1.0,
                   invention_examination_years=2, invention_patent_lapse_rate=0.0)
    e, p = m.firms, m.p
    _quiet(m)
    e.set("other_ip", slice(None), 0)
    e.set("patent_applications_year", slice(None), 0)
    e.set("invention_applications_year", slice(None), 0)
    e.set("first_application_year", slice(None), -1)
    e.set("in_pool", slice(None), False)
    pool = np.arange(0, e.n, 3)
    e.set("in_pool", pool, True)
    support_ip(m, 2017)
    assert (e.invention_applications_year[pool] == 1).all()
    assert (e.first_application_year[pool] == 2017).all()
    assert e.invention_applications_year.sum() == len(pool)
    assert e.invention_patents.sum() == 0 and e.other_ip.sum() == 0     # no right yet
    pending = e.invention_grants_due_2[pool]
    assert pending.mean() == pytest.approx(p["invention_grant_rate"], abs=0.08)
    for year in (2018, 2019):
        produce_patents(m, year)
    np.testing.assert_array_equal(e.invention_patents[pool], pending)


def test_the_initial_state_holds_the_historys_flows_only(make_model):
    m = make_model(seed=2, initial_enterprises=1500)
    table = m.indicator_table()
    start = table[(table["year"] == m.start_year - 1) & (table["scope"] == "city")].iloc[0]
    e = m.firms
    assert start["new_high_tech_enterprises"] == int(
        (e.alive & (e.first_cert_year == m.start_year - 1)).sum())
    assert start["invention_patent_grants"] == e.invention_grants_year.sum() > 0
    assert start["patent_applications"] >= start["invention_patent_applications"] > 0
    for flow in ("incubator_graduates", "firms_first_patent_application",
                 "government_spending_yuan"):
        assert np.isnan(start[flow]), flow


def test_a_flow_the_history_holds_may_be_a_target_in_the_start_year(scenario_variant):
    sc = scenario_variant("""
[[targets]]
id = "grants_growth"
indicator = "invention_patent_grants"
value = 0.1
year = 2020
measure = "cagr"
base_year = 2016
clause = "test: growth from the history's year"
""")
    assert sc.targets[-1].base_year == 2016
