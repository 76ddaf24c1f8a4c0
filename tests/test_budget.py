"""The government's science-and-technology budget: spending never exceeds it, rates scale down
when last year's claims did not fit, and the programmes act on what is paid."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import MODEL_SETTINGS
from zonesim.engine.budget import PROGRAMMES
from zonesim.engine.rd import decide_rd


@MODEL_SETTINGS
@given(seed=st.integers(0, 2**32 - 1),
       share=st.sampled_from([0.0, 1e-5, 1e-4, 0.003, 0.05]),
       subsidy=st.sampled_from([0.0, 0.1, 0.5]),
       reward=st.sampled_from([0.0, 5e5]),
       voucher=st.sampled_from([0.0, 2e5]),
       strategic=st.sampled_from([0.0, 0.3]))
def test_spending_never_exceeds_the_budget(make_model, seed, share, subsidy, reward, voucher,
                                           strategic):
    m = make_model(seed=seed, science_budget_share_of_gdp=share, rd_subsidy_rate=subsidy,
                   certification_reward_yuan=reward, innovation_voucher_yuan=voucher,
                   strategic_industry_rd_subsidy_rate=strategic)
    table = m.run()
    city = table[(table["scope"] == "city") & (table["year"] >= m.start_year)]
    spent, budget = city["government_spending_yuan"], city["science_budget_yuan"]
    assert (budget > 0).all() or share == 0.0
    assert (spent <= budget * (1 + 1e-12) + 1e-6).all()
    payout = city["budget_payout_share"]
    assert ((payout > 0) | (share == 0.0)).all() and (payout <= 1.0).all()


def test_rates_scale_down_when_claims_outgrew_the_budget(model):
    """Last year's claims twice this year's budget: every programme pays half its lever, and a
    claim beyond what is left is not paid."""
    b = model.budget
    b.claims_yuan = 2e8
    model.p["science_budget_share_of_gdp"] = 1e8 / 5e10
    b.open_year(5e10)
    assert b.limit_yuan == pytest.approx(1e8)
    assert b.payout == pytest.approx(0.5)
    for lever in PROGRAMMES:
        assert b.paid(lever) == pytest.approx(0.5 * model.p[lever])
    assert b.pay("rd_subsidy_rate", 1.6e8) == pytest.approx(0.8e8)
    assert b.pay("innovation_voucher_yuan", 1e8) == pytest.approx(0.2e8), "only what is left"
    assert b.pay("certification_reward_yuan", 1e6) == 0.0
    assert b.spent_yuan == pytest.approx(1e8)
    assert b.claims_yuan == pytest.approx(2.61e8)
    b.open_year(5e10)
    assert b.payout == pytest.approx(1e8 / 2.61e8) and b.spent_yuan == 0.0


def test_claims_that_fit_are_paid_in_full(model):
    b = model.budget
    b.claims_yuan = 1e7
    model.p["science_budget_share_of_gdp"] = 0.01
    b.open_year(5e10)
    assert b.payout == 1.0
    assert b.pay("rd_subsidy_rate", 3e6) == 3e6


def test_firms_decide_rd_on_the_subsidy_paid(make_model):
    """R&D responds to what the budget pays, not to the announced levers: at half the payout,
    R&D is what it is at half the subsidy rate, voucher and certification reward."""
    levers = dict(rd_subsidy_rate=0.3, innovation_voucher_yuan=1e5,
                  certification_reward_yuan=4e5)
    half = make_model(seed=3, **levers)
    half.budget.payout = 0.5
    at_rate = make_model(seed=3, **{k: v / 2 for k, v in levers.items()})
    full = make_model(seed=3, **levers)
    for m in (half, at_rate, full):
        decide_rd(m)
    np.testing.assert_allclose(half.firms.rd_intensity, at_rate.firms.rd_intensity)
    assert full.firms.rd_intensity.sum() > half.firms.rd_intensity.sum()


def test_carriers_follow_the_subsidy_paid(make_model):
    m = make_model(seed=4, incubator_operating_subsidy_yuan=1e6)
    local = [i for i in m.incubators if not i.offshore]
    before = [i.admissions_per_year for i in local]
    m.budget.payout = 0.0
    m.government.pay_incubator_subsidies()
    after = [i.admissions_per_year for i in local]
    assert all(a < b for a, b in zip(after, before))


def test_carriers_get_what_is_left_once_the_budget_is_spent(make_model):
    m = make_model(seed=4, incubator_operating_subsidy_yuan=1e6)
    local = [i for i in m.incubators if not i.offshore]
    b = m.budget
    b.limit_yuan, b.payout = 0.5e6 * len(m.incubators), 1.0
    b.clear()
    m.government.pay_incubator_subsidies()
    assert b.ledger["incubator_subsidies"] == pytest.approx(0.5e6 * len(m.incubators))
    half = make_model(seed=4, incubator_operating_subsidy_yuan=0.5e6)
    assert [i.admissions_per_year for i in local] == pytest.approx(
        [i.admissions_per_year for i in half.incubators if not i.offshore])
