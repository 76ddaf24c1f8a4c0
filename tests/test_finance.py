"""Finance: small firms fund R&D from their cash flow and tech loans (whose defaults the
risk-compensation fund pays its share of), vouchers buy external R&D
with a co-payment, and the guidance fund co-invests in projects by zone rank and strategic
industry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import chisquare

from conftest import MODEL_SETTINGS
from zonesim import rules
from zonesim.engine.entry import new_firm_columns
from zonesim.engine.firms import last_year_revenue
from zonesim.engine.rd import decide_rd, desired_rd_intensity, rd_finance_limit
from zonesim.engine.zones import fund_backed_candidates


def test_finance_limit(make_model):
    m = make_model(seed=1, rd_internal_finance_share=0.04)
    e = m.firms
    small = np.flatnonzero(e.alive & ~rules.above_scale(last_year_revenue(e)))[:5]
    e.set("loan_until", small[:2], m.time + 2.0)
    e.set("loan_yuan", small[:2], 1e6)
    limit = rd_finance_limit(m)
    assert np.isinf(limit[rules.above_scale(last_year_revenue(e))]).all()
    np.testing.assert_allclose(limit[small[2:]], 0.04)
    np.testing.assert_allclose(limit[small[:2]],
                               0.04 + 1e6 / m.p["loan_years"] / e.revenue[small[:2]])


@MODEL_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([0.0, 0.02, 0.06]),
       loans=st.sampled_from([0.0, 5e7]), voucher=st.sampled_from([0.0, 1e5, 1e6]))
def test_no_firm_spends_more_rd_than_it_can_fund(make_model, seed, share, loans, voucher):
    """Real R&D (what is spent; relabelled spending costs nothing) never exceeds what the firm
    can fund: its cash flow, its loan's draw and the voucher it redeemed; entrants too."""
    m = make_model(seed=seed, rd_internal_finance_share=share, tech_loan_yuan_per_year=loans,
                   innovation_voucher_yuan=voucher, voucher_cost_share=0.5)
    for _ in range(2 * m.steps_per_year):
        m.step()
    e = m.firms
    decide_rd(m)                     # the year's decision, on the state two years in
    limit = rd_finance_limit(m)
    revenue = np.maximum(e.revenue, 1.0)
    voucher_part = np.where(e.meets_tech_sme_rules, voucher / revenue, 0.0)
    real = e.rd_intensity * e.real_rd_share
    small = e.alive & np.isfinite(limit)
    assert (real[small] <= limit[small] + voucher_part[small] + 1e-12).all()
    born = np.flatnonzero(e.alive & (e.entry_year > m.start_year))
    cols = new_firm_columns(m, 50, zone=-1, sector=0, revenue=np.geomspace(1e5, 1e8, 50),
                            origin=4)
    assert (cols["rd_intensity"][~rules.above_scale(cols["revenue"])] <= share + 1e-12).all()
    assert len(born) > 0


def test_a_loan_lets_a_constrained_firm_spend_more(make_model):
    m = make_model(seed=2, rd_internal_finance_share=0.01, innovation_voucher_yuan=0.0)
    e = m.firms
    desired = desired_rd_intensity(m)[0]
    constrained = np.flatnonzero(e.alive & (desired > rd_finance_limit(m)))
    assert len(constrained) > 10
    decide_rd(m)
    before = e.rd_intensity[constrained].copy()
    np.testing.assert_allclose(before[e.real_rd_share[constrained] == 1.0], 0.01)
    e.set("loan_until", constrained, m.time + 2.0)
    e.set("loan_yuan", constrained, 0.2 * e.revenue[constrained])
    decide_rd(m)
    after = e.rd_intensity[constrained]
    assert (after >= before - 1e-12).all() and (after > before).mean() > 0.9


def test_loans_go_to_constrained_firms_first(make_model):
    m = make_model(seed=3, rd_internal_finance_share=0.02, tech_loan_yuan_per_year=2e7,
                   loan_max_yuan=1e6)
    e = m.firms
    eligible = e.alive & e.meets_tech_sme_rules
    constrained = eligible & (desired_rd_intensity(m)[0] > rd_finance_limit(m))
    assert 0 < constrained.sum() < eligible.sum()
    m.government.grant_tech_loans(desired_rd_intensity(m)[0])
    lent = e.loan_until > m.time
    assert lent.any() and (lent <= eligible).all()
    if (~constrained & lent).any():
        assert (lent | ~constrained).all(), "an unconstrained firm got a loan before a needy one"
    assert e.loan_yuan[lent].sum() <= 2e7


def test_vouchers_buy_external_rd_with_a_copayment(make_model):
    m = make_model(seed=4, innovation_voucher_yuan=2e5, voucher_cost_share=0.4,
                   rd_internal_finance_share=0.05)
    e = m.firms
    m.budget.clear()
    desired = desired_rd_intensity(m)[0]
    limit = rd_finance_limit(m)
    decide_rd(m)
    smes = e.alive & e.meets_tech_sme_rules
    revenue = np.maximum(e.revenue, 1.0)
    service = 2e5 / 0.4 / revenue
    can = smes & (np.minimum(desired, np.inf) + service - 2e5 / revenue <= limit)
    assert can.any() and (smes & ~can).any(), "some firms redeem, some cannot co-pay"
    plain = can & (e.real_rd_share == 1.0)
    np.testing.assert_allclose(e.rd_intensity[plain],
                               np.minimum(desired[plain] + service[plain], np.inf))
    assert m.budget.ledger["vouchers"] == pytest.approx(can.sum() * 2e5)


def test_guidance_fund_backs_projects_by_rank_in_strategic_industries(make_model):
    m = make_model(seed=5, guidance_fund_yuan_per_year=5e10, fund_stake_share=0.2)
    ranks = {z.index: r for z, r in zip(m.zones, [2, 1])}
    m.government.last_ranks = ranks
    weights = m.government.last_rank_weights()
    np.testing.assert_allclose(weights, [1.0, 2.0])
    cands = [fund_backed_candidates(m, 1.0) for _ in range(20)]
    zone = np.concatenate([c.zone for c in cands])
    sector = np.concatenate([c.sector for c in cands])
    counts = np.bincount(zone, minlength=m.n_zones)
    assert chisquare(counts, counts.sum() * weights / weights.sum()).pvalue > 1e-3
    for z in m.zones:
        if len(z.strategic):
            assert np.isin(sector[zone == z.index], z.strategic).all()
    p = m.p
    mean_stake = (p["fund_stake_share"] * p["project_investment_per_revenue"]
                  * p["firm_revenue_median_yuan"] * p["project_size_multiple"]
                  * np.exp(0.5 * p["entrant_revenue_dispersion"] ** 2))
    expected = 20 * 5e10 / mean_stake
    assert abs(len(zone) - expected) < 5 * np.sqrt(expected)


def test_no_fund_no_backed_projects(make_model):
    assert fund_backed_candidates(make_model(seed=5, guidance_fund_yuan_per_year=0.0), 1.0) \
        is None


@MODEL_SETTINGS
@given(share=st.floats(0.0, 1.0), budget=st.sampled_from([0.0, 3e5, 1e12]),
       seed=st.integers(0, 99))
def test_a_loan_holder_that_exits_defaults_and_the_fund_pays_its_share(make_model, share,
                                                                      budget, seed):
    """A firm that exits while its tech loan runs defaults: the fund claims
    risk_compensation_share of the principal from the budget, never more than is left of it;
    a firm without a running loan defaults on nothing; next year the banks lend the volume
    times the share of the claims the fund paid."""
    m = make_model(seed=seed, risk_compensation_share=share, tech_loan_yuan_per_year=5e7,
                   loan_max_yuan=1e6)
    e, g = m.firms, m.government
    rng = np.random.default_rng(seed)
    ids = np.flatnonzero(e.alive)[:60]
    running = rng.random(60) < 0.5
    e.loan_yuan[ids] = rng.uniform(1e5, 1e6, 60)
    e.loan_until[ids] = np.where(running, m.time + 1.0, m.time - 0.5)
    m.budget.limit_yuan = budget
    g.compensate_defaults(ids)
    principal = e.loan_yuan[ids[running]].sum()
    assert g.defaults_yuan == pytest.approx(principal)
    assert g.compensation_claimed_yuan == pytest.approx(share * principal)
    paid = m.budget.ledger["loan_risk_compensation"]
    assert paid == pytest.approx(g.compensation_paid_yuan)
    assert paid <= min(share * principal, budget) * (1 + 1e-12)
    assert m.budget.spent_yuan <= budget * (1 + 1e-12)
    cover = 1.0 if share * principal == 0 else paid / (share * principal)
    e.loan_until[:] = -1.0                              # the loans are repaid or written off
    m.government.grant_tech_loans(desired_rd_intensity(m)[0])
    assert g.defaults_yuan == 0.0
    lent = e.loan_until > m.time
    assert e.loan_yuan[lent].sum() <= 5e7 * cover * (1 + 1e-12)
    if cover == 0.0:
        assert not lent.any(), "the banks lend under the fund only as far as it paid"


def test_exits_of_loan_holders_are_defaults_the_budget_compensates(make_model):
    """Over a year of the model, loan holders exit like other firms; their principal is the
    year's defaults, and the fund's payment for them is in the books."""
    m = make_model(seed=5, initial_enterprises=3000, tech_loan_yuan_per_year=3e8,
                   risk_compensation_share=0.6)
    next(m.run_years())
    g = m.government
    assert g.defaults_yuan > 0
    assert g.compensation_claimed_yuan == pytest.approx(0.6 * g.defaults_yuan)
    assert m.budget.ledger["loan_risk_compensation"] == pytest.approx(g.compensation_paid_yuan)
    city = m.indicator_table().query("scope == 'city'").iloc[-1]
    assert city["tech_loan_defaults_yuan"] == pytest.approx(g.defaults_yuan)
