"""Partner parks (基地+拓展区, seed 004 §三(一)2): brand parks in Shanghai and south Jiangsu send
projects to their partnered parks when the benefit share reaches their reservation; the
projects land only there, in the parks' strategic industries, on land the parks have."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import MODEL_SETTINGS
from zonesim.engine.firms import ORIGINS
from zonesim.engine.joint_attraction import agreement_probability
from zonesim.engine.partners import partner_candidates

PARTNER = ORIGINS.index("partner")


def test_special_parks_are_partnered_first(make_model):
    m = make_model(partner_parks=1)
    assert [m.zones[i].zone_id for i in m.partners.zones] == ["bio_park"]
    m = make_model(partner_parks=5)
    assert [m.zones[i].zone_id for i in m.partners.zones] == ["bio_park", "port_core"], \
        "then the others, and no more parks than the city has"


@pytest.mark.parametrize("parks, share", [(0, 0.2), (2, 0.0), (2, 0.05)])
def test_no_partner_or_no_acceptable_share_sends_nothing(make_model, parks, share):
    """No partnered park, or a share below every reservation (0.05 < the lowest, 0.10): no
    project, and no random number drawn."""
    m, twin = (make_model(partner_parks=parks, partner_benefit_share=share,
                          partner_offers_per_year=500.0) for _ in range(2))
    assert partner_candidates(m, m.dt) is None
    assert m.rng.random() == twin.rng.random()


@given(keep=st.floats(0.0, 1.0), more=st.floats(0.0, 1.0))
def test_a_larger_share_is_accepted_at_least_as_often(keep, more):
    p = {"joint_attraction_reservation_low": 0.10, "joint_attraction_reservation_high": 0.25}
    a, b = agreement_probability(keep, p), agreement_probability(keep + more, p)
    assert 0.0 <= a <= b <= 1.0


@MODEL_SETTINGS
@given(parks=st.integers(1, 2), share=st.floats(0.1, 0.3), offers=st.floats(5.0, 400.0),
       seed=st.integers(0, 2**16))
def test_partner_projects_land_only_in_partnered_parks_on_free_land(make_model, parks, share,
                                                                    offers, seed):
    m = make_model(seed=seed, partner_parks=parks, partner_benefit_share=share,
                   partner_offers_per_year=offers)
    stock = np.array([z.land_stock_mu for z in m.zones])
    n0 = m.firms.n
    for _ in range(m.steps_per_year):
        m.step()
    e = m.firms
    new = np.arange(n0, e.n)
    partner = new[e.origin[new] == PARTNER]
    assert np.isin(e.zone[partner], m.partners.zones).all()
    assert m.zone_strategic[e.zone[partner], e.sector[partner]].all()
    landed = np.bincount(e.zone[partner], minlength=m.n_zones)
    np.testing.assert_array_equal(landed, m.partners.landed)
    used = m.land.used_mu[:m.n_zones]
    assert (used <= np.maximum(stock, [z.land_stock_mu for z in m.zones]) + 1e-6).all()


def test_partner_projects_arrive_at_the_offered_and_accepted_rate(make_model):
    """With land to spare and bars that every project meets, a partnered park receives
    offers × P(accept) projects a year."""
    m = make_model(seed=3, partner_parks=1, partner_benefit_share=0.2,
                   partner_offers_per_year=300.0, standard_land_min_investment_yuan_per_mu=0.0,
                   standard_land_min_tax_yuan_per_mu=0.0)
    for z in m.zones:
        z.land_stock_mu += 1e9
    for _ in range(m.steps_per_year):
        m.step()
    accept = agreement_probability(0.2, m.p)
    expected = 300.0 * accept
    assert m.partners.landed.sum() == pytest.approx(expected, rel=4 / np.sqrt(expected))
