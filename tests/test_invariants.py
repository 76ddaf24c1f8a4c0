"""Invariants that hold at every step, for any seed and lever values (hypothesis).

Each example is a small city (300-500 firms) run for 2-3 simulated years, checked after every
``model.step()``: no negative stocks; land used within land available in every zone, the M0
reserve within the free land and held by high-tech firms only, and the
cached land account equal to the land recomputed from the firm columns; every zone firm holding
land and producing no more than its land supports; firm ids unique and stable; an exit time for
exactly the exited firms; after each year's certification round, no certificate already
expired."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import land_used_from_columns

NONNEGATIVE = ("revenue", "knowledge", "land_mu", "invention_patents", "other_ip",
               "patent_applications_year", "invention_grants_year", "rd_year", "revenue_year",
               "rd_hist_0", "rd_hist_1", "rd_hist_2", "rev_hist_0", "rev_hist_1", "rev_hist_2",
               "rd_intensity", "loan_yuan")
IDENTITY = ("birth_year", "origin", "sector", "zone")

levers = st.fixed_dictionaries({
    "initial_enterprises": st.integers(300, 500),
    "land_recycling_share": st.sampled_from([0.0, 0.01, 0.03]),
    "land_allocation_rule": st.sampled_from(["uniform", "by_rank", "special_parks"]),
    "land_quota_mu_per_year": st.sampled_from([0.0, 300.0, 3000.0]),
    "offshore_bases": st.sampled_from([0, 10, 40]),
    "offshore_landing_probability": st.sampled_from([0.15, 1.0]),
    "projects_attracted_per_zone": st.sampled_from([6.0, 60.0]),
    "standard_land_min_investment_yuan_per_mu": st.sampled_from([0.0, 2.4e6]),
    "standard_land_min_tax_yuan_per_mu": st.sampled_from([0.0, 2e5]),
    "rd_subsidy_rate": st.sampled_from([0.0, 0.2]),
    "m0_land_share": st.sampled_from([0.0, 0.3, 1.0]),
})

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def check_step(m, before: dict) -> dict:
    """Assert the invariants after one step; returns the snapshot for the next check."""
    e = m.firms
    n_prev = before.get("n", 0)
    assert e.n >= n_prev, "rows are never dropped"
    for col in NONNEGATIVE:
        v = getattr(e, col)
        assert np.isfinite(v).all(), f"non-finite {col}"
        assert (v >= 0).all(), f"negative {col}: {v.min()}"
    for inc in m.incubators:
        assert inc.tenants >= 0
    # land: cached account == recomputed from the columns; never above the stock
    used = np.asarray(m.land.used_mu, dtype=float)
    np.testing.assert_allclose(used, land_used_from_columns(m), rtol=1e-9, atol=1e-6,
                               err_msg="cached land account differs from the firm columns")
    for z in m.zones:
        assert z.land_stock_mu >= 0
        assert used[z.index] <= z.land_stock_mu * (1 + 1e-9) + 1e-6, \
            f"zone {z.zone_id}: land used {used[z.index]:.1f} > stock {z.land_stock_mu:.1f}"
        assert z.land_free_mu() >= 0
    # the M0 reserve is part of the free land, held by high-tech firms only
    m0 = m.land.m0_free_mu
    assert (m0 >= -1e-6).all() and (m0 <= m.land.free_by_zone() + 1e-6).all()
    assert not (e.on_m0 & ~m.sector_high_tech[e.sector]).any(), \
        "M0 land held by a non-high-tech firm"
    # capacity growth needs land: no zone firm is without land or produces beyond what its
    # land supports
    held = np.flatnonzero(e.alive & (e.zone >= 0))
    assert (e.land_mu[held] > 0).all(), "a zone firm without land"
    assert (e.revenue[held] <= m.land.capacity_yuan(held) * (1 + 1e-9)).all(), \
        "a zone firm produces more than its land supports"
    # exited firms hold nothing
    dead = ~e.alive
    assert not (e.certified & dead).any() and (e.land_mu[dead] == 0).all()
    # a firm has an exit time exactly when it has exited, within its life and the steps so far
    assert (np.isnan(e.exit_year) == e.alive).all()
    assert (e.exit_year[dead] >= e.entry_year[dead]).all()
    assert (e.exit_year[dead] <= m.time + 1e-9).all()
    # ids are rows: existing rows keep their identity; the dead stay dead
    if n_prev:
        for col in IDENTITY:
            np.testing.assert_array_equal(getattr(e, col)[:n_prev], before[col],
                                          err_msg=f"firm identity column {col} changed")
        assert not (e.alive[:n_prev] & ~before["alive"]).any(), "an exited firm came back"
    if m.year_step == 0 and m.step_count > 0:   # a certification round has just been held
        cert = e.alive & e.certified
        assert (e.cert_expiry[cert] >= m.year).all(), \
            "a certified firm holds a certificate that expired before the current year"
    return {"n": e.n, "alive": e.alive.copy(), **{c: getattr(e, c).copy() for c in IDENTITY}}


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), params=levers, years=st.integers(2, 3),
       spy=st.sampled_from([1, 2, 4]))
def test_invariants_every_step(make_model, seed, params, years, spy):
    m = make_model(seed=seed, steps_per_year=spy, **params)
    snap = check_step(m, {})
    ids0 = np.arange(m.firms.n)
    for _ in range(years * spy):
        m.step()
        snap = check_step(m, snap)
    assert m.firms.n >= len(ids0)
    # the yearly table counts exactly the alive firms
    table = m.indicator_table()
    last = table[(table["scope"] == "city") & (table["year"] == m.year - 1)]
    assert int(last["enterprises"].iloc[0]) == m.firms.n_alive


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), quota=st.sampled_from([0.0, 200.0]),
       attract=st.sampled_from([60.0, 200.0]))
def test_land_never_exceeds_stock_under_pressure(make_model, seed, quota, attract):
    """Strong attraction, landing offshore projects and little new land: zones fill up, and
    still never beyond their stock."""
    m = make_model(seed=seed, projects_attracted_per_zone=attract, land_quota_mu_per_year=quota,
                   standard_land_min_investment_yuan_per_mu=0.0, offshore_bases=40,
                   offshore_landing_probability=1.0, offshore_landing_reward_yuan=2e6)
    snap = check_step(m, {})
    for _ in range(3 * m.steps_per_year):
        m.step()
        snap = check_step(m, snap)
    used = np.asarray(m.land.used_mu)
    stock = np.array([z.land_stock_mu for z in m.zones])
    assert (used >= 0.9 * stock).any(), "the pressure test did not fill any zone"
