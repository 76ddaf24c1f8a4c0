"""Strategic clusters (seed 001 §(四), §(十七)): a zone-sector cluster's growth raises its firms'
growth at the localisation elasticity, and the strategic-industry fund lowers the R&D user cost
of the zone firms in their zone's strategic industries only, paid from the budget."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_years
from zonesim.engine.firms import last_year_revenue
from zonesim.engine.growth import grow_revenue
from zonesim.engine.rd import desired_rd_intensity


def test_cluster_growth_is_the_log_growth_of_each_zone_sector_revenue(make_model):
    m = make_model(seed=4)
    run_years(m, 1)
    before = m._cluster_revenue.copy()
    e = m.firms
    rev = last_year_revenue(e)
    want = np.zeros_like(before)
    for z in range(m.n_zones):
        for s in range(len(m.sector_ids)):
            rows = e.alive & (e.zone == z) & (e.sector == s)
            want[z, s] = rev[rows].sum() + m.p["firm_revenue_median_yuan"]
    m.step()                                 # the year's start updates the clusters
    np.testing.assert_allclose(m._cluster_revenue, want, rtol=1e-12)
    np.testing.assert_allclose(m.cluster_growth_table()[:-1], np.log(want[:-1] / before[:-1]),
                               rtol=1e-12)
    assert (m.cluster_growth_table()[-1] == 0).all(), "the rest of the city has no cluster term"
    assert np.abs(m.cluster_growth_table()[:-1]).max() > 0


@pytest.mark.parametrize("elasticity", [0.0, 0.05, 0.5])
def test_a_firm_gains_the_elasticity_times_its_clusters_growth(make_model, elasticity):
    m = make_model(seed=5, localisation_elasticity=elasticity, rd_productivity_elasticity=0.0,
                   growth_volatility=0.0)
    e = m.firms
    m._cluster_growth = np.zeros_like(m._cluster_growth)
    m._cluster_growth[0, 1] = 0.3           # zone 0's sector-1 cluster grew by 0.3 log points
    before = e.revenue.copy()
    grow_revenue(m, 1.0, np.zeros(len(m.sector_ids)), np.zeros(e.n))
    g = np.log(e.revenue / before)
    inside = e.alive & (e.zone == 0) & (e.sector == 1)
    others = e.alive & ~inside
    assert inside.any() and others.any()
    np.testing.assert_allclose(g[inside] - g[others].mean(), elasticity * 0.3, atol=1e-12)
    np.testing.assert_allclose(g[others], g[others][0], atol=1e-12)


def test_the_strategic_fund_lowers_only_strategic_firms_user_cost(make_model):
    plain = make_model(seed=6)
    funded = make_model(seed=6, strategic_industry_rd_subsidy_rate=0.2)
    strategic = funded.in_strategic_industry()
    assert strategic.any() and (~strategic).any()
    assert not strategic[funded.firms.zone < 0].any(), "a firm outside the zones is covered"
    _, cost_plain, cost_cert = desired_rd_intensity(plain)
    _, fund_plain, fund_cert = desired_rd_intensity(funded)
    np.testing.assert_allclose(fund_plain[~strategic], cost_plain[~strategic])
    np.testing.assert_allclose(fund_cert[~strategic], cost_cert[~strategic])
    assert (fund_plain[strategic] < cost_plain[strategic]).all()
    np.testing.assert_allclose(fund_plain[strategic],
                               np.maximum(cost_plain[strategic] - 0.2,
                                          funded.p["min_rd_user_cost"]))


def test_the_strategic_fund_is_booked_at_its_rate_of_the_covered_rd(make_model):
    m = make_model(seed=7, strategic_industry_rd_subsidy_rate=0.1,
                   science_budget_share_of_gdp=0.2)
    run_years(m, 1)
    m.step()                                 # the plan's second year: the books were opened
    e = m.firms
    rd = e.rd_year[m.in_strategic_industry()].sum()
    assert m.budget.ledger["strategic_industry_fund"] == pytest.approx(0.1 * rd, rel=1e-9)
    assert m.budget.ledger["strategic_industry_fund"] > 0
