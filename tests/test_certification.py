"""Certification as a process (issue 13): the innovation score by the evaluation's bands, the
certificate's value at the firm's own tax rate, the pass mark that is never crossed, and the
starting firms' history whose certification rounds leave the start's certificates."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from test_agents import CERT_SURE, make_eligible, some_alive
from zonesim import rules
from zonesim.engine.firms import certificate_value_per_year
from zonesim.engine.model import ZoneModel
from zonesim.engine.status import (certify_high_tech, file_ip_to_qualify, high_tech_eligible,
                                   innovation_score, pass_chance)

M = 1_000_000.0


def test_score_parts_follow_the_evaluation_bands():
    # invention patent: quantity 7.5 + judged 16; 5 results a year 27.5; municipal institution
    # with university cooperation 5 + judged 12 (capped at 20: 17); 20 % growth: 5.5 twice
    score = rules.innovation_score(1, 0, 16.0, 5.0, 2, True, 12.0, 0.20)
    assert score == pytest.approx(23.5 + 27.5 + 17.0 + 11.0)
    # no IP at all: no IP points, judged ones included; each part capped at its maximum
    assert rules.innovation_score(0, 0, 22.0, 0.0, 0, False, 0.0, -0.1) == pytest.approx(1.0)
    top = rules.innovation_score(9, 9, 22.0, 50.0, 3, True, 14.0, 1.0)
    assert top == pytest.approx(29.5 + 27.5 + 20.0 + 19.0), "band mid-points below each cap"
    # class-II rights by their count bands
    assert [float(rules.innovation_score(0, k, 0.0, 0.0, 0, False, 0.0, 0.0)) - 1.0
            for k in (1, 3, 5)] == [1.5, 3.5, 5.5]


def test_three_year_growth_is_the_evaluations_formula():
    assert rules.three_year_growth(100.0, 120.0, 150.0) == pytest.approx(0.5 * (1.2 + 1.25) - 1)
    assert rules.three_year_growth(0.0, 120.0, 150.0, 3) == 0.0, "a year missing: no growth"
    assert rules.three_year_growth(0.0, 120.0, 150.0, 2) == pytest.approx(0.25), "two years"
    # a partial first year of accounts (a firm two and a half years old) is not growth
    assert rules.three_year_growth(30.0, 120.0, 150.0, 2) == pytest.approx(0.25)
    assert rules.three_year_growth(0.0, 30.0, 150.0, 1) == 0.0


@pytest.mark.parametrize("year, profit, staff, own_rate", [
    (2014, 0.08 * M, 50, 0.10), (2016, 0.4 * M, 50, 0.25), (2016, 0.25 * M, 50, 0.10),
    (2017, 0.4 * M, 50, 0.10), (2018, 0.9 * M, 50, 0.10), (2020, 0.8 * M, 50, 0.05),
    (2020, 2.0 * M, 50, (0.05 * 1 + 0.10 * 1) / 2), (2024, 2.5 * M, 200, 0.05),
    (2024, 2.5 * M, 400, 0.25), (2024, 10 * M, 50, 0.25)])
def test_income_tax_by_regime(year, profit, staff, own_rate):
    assert rules.income_tax_yuan(profit, staff, year) == pytest.approx(own_rate * profit)


def test_a_small_low_profit_firm_values_the_certificate_at_its_own_tax_rate(make_model):
    """Its 5-10 % is below the certificate's 15 %: no tax saving, only the other benefits
    and the reward; a large firm saves ten points of its profit."""
    m = make_model(seed=2, profit_margin=0.05, certificate_other_value_share=0.0,
                   certification_reward_yuan=0.0, revenue_per_employee_yuan=1 * M)
    small, large = some_alive(m, 2)
    for firm, revenue in ((small, 20 * M), (large, 400 * M)):   # profits 1 M and 20 M yuan
        for k in range(3):
            m.firms.set(f"rev_hist_{k}", [firm], revenue)
    value = certificate_value_per_year(m, np.array([small, large]), 2020)
    assert value[0] == 0.0
    assert value[1] == pytest.approx(0.10 * 20 * M)


def test_super_deduction_by_year():
    assert [rules.super_deduction_rate_in(y) for y in (2016, 2018, 2020, 2021, 2025)] == \
        [0.5, 0.75, 0.75, 1.0, 1.0]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(judged=st.floats(0.0, 22.0), panel=st.floats(0.0, 8.0), firm=st.floats(0.0, 10.0),
       per_right=st.floats(0.0, 3.0), growth=st.floats(-0.3, 0.6), seed=st.integers(0, 50))
def test_no_firm_scoring_below_71_is_ever_certified(make_model, judged, panel, firm, per_right,
                                                    growth, seed):
    m = make_model(seed=seed, score_judged_ip_points=judged, score_panel_sd=panel,
                   score_firm_sd=firm, transformations_per_ip_right=per_right,
                   certification_application_cost_yuan=0.0)
    ids = some_alive(m, 60, rng_seed=seed)
    make_eligible(m, ids)
    m.firms.set("rev_hist_2", ids, 30 * M / (1 + growth) ** 2)
    m.firms.set("rev_hist_1", ids, 30 * M / (1 + growth))
    new = certify_high_tech(m, m.year)
    e = m.firms
    scored = ids[~np.isnan(e.innovation_score[ids])]
    assert (e.innovation_score[new] >= rules.CERTIFICATION_MIN_SCORE).all()
    assert not e.certified[scored[e.innovation_score[scored] < rules.CERTIFICATION_MIN_SCORE]].any()
    assert np.array_equal(e.certified[scored],
                          e.innovation_score[scored] >= rules.CERTIFICATION_MIN_SCORE)


def test_the_expected_score_is_the_states_plus_the_firms_own(make_model):
    m = make_model(seed=9, **{**CERT_SURE, "score_judged_ip_points": 0.0})
    ids = some_alive(m, 10)
    make_eligible(m, ids)
    m.firms.set("score_offset", ids, 30.0)    # lifts 42 state points over the mark
    assert (innovation_score(m, ids) < rules.CERTIFICATION_MIN_SCORE).all()
    certify_high_tech(m, m.year)
    assert m.firms.certified[ids].all()
    assert (m.firms.innovation_score[ids] == np.rint(innovation_score(m, ids) + 30.0)).all()


# ----------------------------------------------------------------------------- history

def test_start_certificates_are_the_history_rounds_outcomes(make_model):
    m = make_model(seed=3)
    e, start = m.firms, m.start_year
    held = np.flatnonzero(e.certified)
    assert len(held) > 0
    assert (e.innovation_score[held] >= rules.CERTIFICATION_MIN_SCORE).all()
    assert ((e.cert_expiry[held] >= start) & (e.cert_expiry[held] < start + 3)).all()
    history = int(m.p["history_years"])
    assert (e.first_cert_year[held] >= start - history).all()
    assert [r["year"] for r in m.certification_rounds] == list(range(start - history, start))
    assert m.records[0]["year"][0] == start - 1 and not m.budget.ledger


def test_history_does_not_depend_on_the_plans_levers(make_model):
    """A policy comparison starts from one state: the history runs at the registry's lever
    defaults whatever the scenario sets."""
    a = make_model(seed=4)
    b = make_model(seed=4, certification_reward_yuan=5 * M, rd_subsidy_rate=0.3,
                   pool_rd_boost=1.0, innovation_voucher_yuan=1e6)
    for col in ("certified", "cert_expiry", "rd_hist_0", "rd_hist_2", "tech_sme", "in_pool",
                "innovation_score"):
        np.testing.assert_array_equal(getattr(a.firms, col), getattr(b.firms, col), col)


def test_history_revenue_is_back_cast_and_absent_before_founding(make_model):
    m = make_model(seed=5)
    e = m.firms
    young = e.birth_year > m.start_year - 2          # founded in the last two years
    assert (e.rev_hist_2[young] == 0).all()
    old = np.flatnonzero(e.birth_year < m.start_year - 4)
    growth = np.log(e.rev_hist_0[old] / e.rev_hist_1[old])
    assert growth.std() > 0.05, "histories are not flat"
    assert abs(np.median(growth)) < 0.2


def test_history_years_change_only_the_history(base_scenario):
    short = ZoneModel(base_scenario, seed=6, parameters={"history_years": 3})
    assert [r["year"] for r in short.certification_rounds] == \
        list(range(short.start_year - 3, short.start_year))


# ------------------------------------------------------------------------ registration

def test_tech_smes_are_registered_from_2017_and_kept_while_eligible(make_model):
    from zonesim.engine.status import classify_tech_smes
    m = make_model(seed=8, tech_sme_registration_rate=1.0)
    e = m.firms
    classify_tech_smes(m, 2016)
    assert not e.tech_sme.any(), "no registration before the 2017 measures"
    classify_tech_smes(m, 2017)
    registered = e.tech_sme.copy()
    assert registered.any()
    m.p = {**m.p, "tech_sme_registration_rate": 0.0}
    classify_tech_smes(m, 2018)
    assert not (e.tech_sme & ~registered).any(), "no new registration at rate 0"
    assert np.array_equal(e.tech_sme, registered), "the registered stay while eligible"
    m.firms.set("rd_hist_0", np.flatnonzero(registered), 0.0)
    m.firms.set("rd_hist_1", np.flatnonzero(registered), 0.0)
    m.firms.set("rd_hist_2", np.flatnonzero(registered), 0.0)
    classify_tech_smes(m, 2019)
    assert not e.tech_sme.any(), "a firm that no longer meets the rules is no tech SME"


def test_every_registered_tech_sme_meets_the_rules_size_limits_in_a_run(make_model):
    """At each year end of a run, a registered tech SME is within the rules' staff and revenue
    limits (and meets the rest of the evaluation): registration never outlives eligibility."""
    from conftest import run_years
    from zonesim.engine.firms import employees, last_year_revenue
    m = make_model(seed=11, tech_sme_registration_rate=0.6)
    for _ in range(3):
        run_years(m, 1)
        e = m.firms
        sme = np.flatnonzero(e.tech_sme)
        assert len(sme) > 0
        assert (employees(e, m.p)[sme] <= rules.TECH_SME_MAX_STAFF).all()
        assert (last_year_revenue(e)[sme] <= rules.TECH_SME_MAX_REVENUE_YUAN).all()
        assert e.meets_tech_sme_rules[sme].all() and e.alive[sme].all()


def test_only_firms_held_back_by_the_ip_rule_file_ip_to_qualify(make_model):
    """Firms that meet every rule but the IP rule file the other IP rights they lack when
    applying would pay with them; certified firms, firms below another rule, and every firm
    when the filings cost more than the certificate is worth, do not."""
    m = make_model(seed=17, **{**CERT_SURE, "other_ip_grant_rate": 1.0})
    e = m.firms
    held_back, certified, low_rd = np.array_split(some_alive(m, 300), 3)
    everyone = np.concatenate([held_back, certified, low_rd])
    make_eligible(m, everyone)
    make_eligible(m, low_rd, rd=0.01)
    e.set("certified", certified, True)
    e.set("invention_patents", everyone, 0)
    e.set("other_ip", everyone, 1)
    e.set("patent_applications_year", everyone, 0)
    # a provincial institution and university cooperation take a firm with four other IP
    # rights and flat revenue past 71: 25.5 + 27.5 + 20 points
    e.set("rd_level", everyone, 3)
    e.set("university_coop", everyone, True)
    plan = m.p
    m.p = {**plan, "ip_filing_cost_yuan": 1e9}
    file_ip_to_qualify(m, 2017)
    assert e.patent_applications_year[everyone].sum() == 0
    m.p = {**plan, "ip_filing_cost_yuan": 1000.0}
    file_ip_to_qualify(m, 2017)
    need = int(plan["min_other_ip_rights"]) - 1
    assert (e.patent_applications_year[held_back] == need).all()
    assert (e.other_ip[held_back] == int(plan["min_other_ip_rights"])).all()
    for group in (certified, low_rd):
        assert (e.other_ip[group] == 1).all() and (e.patent_applications_year[group] == 0).all()
    # their filings make them eligible for the next round
    assert high_tech_eligible(m)[held_back].all()


def test_a_panel_without_spread_passes_exactly_the_expected_scores_at_71(make_model):
    """A panel sd near 0 (a domain end) gives the sd = 0 rule's chances, 1 at or above the mark
    and 0 below, without a numpy overflow warning."""
    expected = np.array([60.0, 70.4, 70.6, 80.0])
    chances = []
    for sd in (0.0, 1e-310):
        m = make_model(seed=1, score_panel_sd=sd)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            chances.append(pass_chance(m, expected))
    np.testing.assert_array_equal(chances[0], [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(chances[1], chances[0])
