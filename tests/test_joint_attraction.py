"""Joint attraction across zones (协同招商, seed 004 §三(一)3): projects pass from the zone that
found them to one where they belong or where land is free, when the finder keeps enough (收益分成,
考核双算/分算); credit is counted for both, split or the host only, and never adds a firm."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import land_used_from_columns
from zonesim.engine.joint_attraction import FINDER_CREDIT, pass_probability
from zonesim.engine.zones import attracted_projects

RULES = sorted(FINDER_CREDIT)


def _p(share, credit, value=0.1, low=0.1, high=0.25):
    return {"joint_attraction_revenue_share": share, "joint_attraction_credit": credit,
            "evaluation_credit_value_share": value, "joint_attraction_reservation_low": low,
            "joint_attraction_reservation_high": high}


def test_nothing_kept_nothing_passed():
    assert pass_probability(_p(0.0, "host")) == 0.0
    assert pass_probability(_p(0.0, "both", value=0.0)) == 0.0
    assert pass_probability(_p(0.25, "host")) == 1.0, "the top of the satisfactory range"


@given(a=st.floats(0.0, 1.0), b=st.floats(0.0, 1.0), value=st.floats(0.0, 0.3),
       low=st.floats(0.0, 0.3), width=st.floats(0.0, 0.3))
def test_passing_rises_with_what_the_finder_keeps(a, b, value, low, width):
    lo, hi = sorted((a, b))
    probs = [pass_probability(_p(s, c, value, low, low + width))
             for s in (lo, hi) for c in ("host", "split", "both")]
    assert all(0.0 <= q <= 1.0 for q in probs)
    assert probs[0] <= probs[1] <= probs[2] and probs[3] <= probs[4] <= probs[5]
    assert probs[0] <= probs[3] and probs[2] <= probs[5]


def _projects(m, zone_id, sector_id, n=200):
    z = m.zone_index(zone_id)
    sector = m.sector_index[sector_id]
    revenue = np.full(n, 5.0 * m.p["firm_revenue_median_yuan"])
    return z, attracted_projects(m, np.full(n, z, dtype=np.int32),
                                 np.full(n, sector, dtype=np.int32), revenue)


@pytest.mark.parametrize("share", [0.0, 0.3])
def test_projects_outside_the_finders_strategy_go_where_they_belong(make_model, share):
    """bio_park finds machinery projects, port_core's strategic industry: with the platform they
    land in port_core and count as passed by bio_park and received by port_core; without it
    they stay with their finder."""
    m = make_model(seed=31, joint_attraction_revenue_share=share,
                   standard_land_min_tax_yuan_per_mu=0.0,
                   standard_land_min_investment_yuan_per_mu=0.0)
    bio, cand = _projects(m, "bio_park", "machinery")
    port = m.zone_index("port_core")
    m.zones[port].land_stock_mu += 1e6
    n0 = m.firms.n
    entered = m.enter_firms([cand])
    zones = m.firms.zone[n0:m.firms.n]
    assert entered > 0
    if share == 0.0:
        assert (zones == bio).all() and m.joint.passed.sum() == 0
    else:
        assert (zones == port).all()
        assert m.joint.passed[bio] == m.joint.received[port] == entered
    assert m.joint.passed.sum() == m.joint.received.sum()
    np.testing.assert_allclose(m.land.used_mu, land_used_from_columns(m), rtol=1e-9)
    assert all(z.land_used_mu() <= z.land_stock_mu + 1e-6 for z in m.zones)


def test_projects_without_land_at_home_go_where_land_is_free(make_model):
    m = make_model(seed=32, joint_attraction_revenue_share=0.3,
                   standard_land_min_tax_yuan_per_mu=0.0,
                   standard_land_min_investment_yuan_per_mu=0.0)
    port, cand = _projects(m, "port_core", "machinery", n=50)
    bio = m.zone_index("bio_park")
    m.zones[port].land_stock_mu = m.zones[port].land_used_mu()          # no free land at home
    free_bio = m.zones[bio].land_free_mu()
    n0 = m.firms.n
    m.enter_firms([cand])
    new = slice(n0, m.firms.n)
    assert m.firms.n > n0 and (m.firms.zone[new] == bio).all()
    assert m.firms.land_mu[new].sum() <= free_bio + 1e-6
    assert m.joint.received[bio] == m.firms.n - n0
    assert m.zones[port].land_used_mu() <= m.zones[port].land_stock_mu + 1e-6


@pytest.mark.parametrize("credit", RULES)
def test_credit_never_counts_a_firm_twice(make_model, credit):
    """Every firm is in one zone: the city's firm count is the zones' and the rest's; only the
    credit indicator counts a passed project for both (双算) or in halves (分算)."""
    m = make_model(seed=33, joint_attraction_revenue_share=0.3, joint_attraction_credit=credit,
                   projects_attracted_per_zone=60.0, standard_land_min_tax_yuan_per_mu=0.0,
                   standard_land_min_investment_yuan_per_mu=0.0)
    table = m.run()
    last = table[table["year"] == m.end_year].set_index("scope")
    parts = sum(last.loc[f"zone:{z.zone_id}", "enterprises"] for z in m.zones)
    assert last.loc["city", "enterprises"] == parts + last.loc["rest_of_city", "enterprises"]
    j = m.joint
    assert j.passed.sum() > 0, "projects were passed in the last year"
    credited = last.loc["zones", "attracted_projects_credited"]
    own_and_hosted = j.own.sum() + j.received.sum()
    extra = {"host": 0.0, "split": 0.0, "both": j.passed.sum()}[credit]
    assert credited == pytest.approx(own_and_hosted + extra)
