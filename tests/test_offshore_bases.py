"""Offshore bases that differ (seed 003 §三(五)1): each base keeps the quality it drew at its
founding; a base below the minimum is weeded out, and its successor is a fresh draw that pays a
set-up cost and admits only after a set-up lag."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonesim.engine.graduates import base_landing_probability
from zonesim.engine.incubators import (Incubator, found_offshore_bases, incubate,
                                       weed_out_zombie_bases)


def offshore(m):
    return [i for i in m.incubators if i.offshore]


def weed(m, zombies):
    """Mark ``zombies`` as admitting nothing this year and every other base as admitting
    plenty; weed; return the successors in the zombies' rows."""
    for inc in offshore(m):
        inc.admitted_this_year = 0 if inc in zombies else 1000
    weed_out_zombie_bases(m)
    return [next(i for i in m.incubators if i.slot == z.slot) for z in zombies]


def test_weeded_base_is_replaced_by_a_fresh_draw(make_model):
    m = make_model(seed=18, zombie_base_min_projects=2, zombie_base_streak_years=1,
                   offshore_base_quality_dispersion=0.8)
    bases, local = offshore(m), [i for i in m.incubators if not i.offshore]
    assert len(bases) >= 4 and local
    for inc in local:
        inc.admitted_this_year = 0
    zombies, kept = bases[::2], bases[1::2]
    quality = m.carriers.quality.copy()
    successors = weed(m, zombies)
    assert len(offshore(m)) == len(bases)
    assert all(z not in m.incubators and z not in m.agents for z in zombies)
    assert all(i in m.incubators for i in kept + local), "only the zombies are weeded out"
    for z, s in zip(zombies, successors):
        assert isinstance(s, Incubator) and s.offshore and s not in bases
        assert s.zone_index == z.zone_index and s.tenants == 0
        assert m.carriers.quality[s.slot] != quality[z.slot], "a fresh draw"
        assert np.isinf(s.opens_at) and s.opens_at > 0, "awaiting its founding"
    np.testing.assert_array_equal(m.carriers.quality[[k.slot for k in kept]],
                                  quality[[k.slot for k in kept]])


def test_successor_pays_its_set_up_and_admits_only_after_the_lag(make_model):
    m = make_model(seed=19, offshore_base_setup_cost_yuan=2e6, offshore_base_setup_years=0.5,
                   offshore_projects_per_base=200.0, zombie_base_streak_years=1)
    successors = weed(m, offshore(m)[:3])
    found_offshore_bases(m)
    assert m.budget.ledger["offshore_base_set_up"] == pytest.approx(3 * 2e6)
    for s in successors:
        assert s.opens_at == pytest.approx(m.time + 0.5)
    dt = m.dt
    for _ in range(int(round(1 / dt))):
        before = m.carriers.admitted_this_year.copy()
        incubate(m, dt)
        admitted = m.carriers.admitted_this_year - before
        for s in successors:
            if m.time + dt <= s.opens_at + 1e-9:
                assert admitted[s.slot] == 0, "no admissions during set-up"
        m.time += dt
    assert all(m.carriers.admitted_this_year[s.slot] > 0 for s in successors)


def test_a_short_budget_delays_the_founding(make_model):
    m = make_model(seed=20, offshore_base_setup_cost_yuan=1e6, offshore_base_setup_years=0.5,
                   zombie_base_streak_years=1)
    m.budget.limit_yuan = 1.5e6                   # a budget for one and a half set-ups
    a, b, c = weed(m, offshore(m)[:3])
    found_offshore_bases(m)
    assert m.budget.spent_yuan == pytest.approx(1.5e6)
    assert a.opens_at == pytest.approx(m.time + 0.5)
    assert b.opens_at == pytest.approx(m.time + 1.0), "half paid: twice the lag"
    assert np.isinf(c.opens_at), "nothing paid: not founded this year"
    m.budget.limit_yuan = np.inf                  # next year
    found_offshore_bases(m)
    assert c.opens_at == pytest.approx(m.time + 0.5)
    assert a.opens_at == pytest.approx(m.time + 0.5), "founded once"


def test_a_base_is_judged_only_after_a_full_year_of_operation(make_model):
    m = make_model(seed=21, zombie_base_min_projects=5, zombie_base_streak_years=1)
    young, old = offshore(m)[:2]
    m.carriers.opens_at[young.slot] = m.time - 0.5
    for inc in (young, old):
        inc.admitted_this_year = 0
        inc.judge()
    assert not young.is_zombie() and old.is_zombie()


def test_a_base_is_weeded_out_only_when_it_stays_below_the_minimum(make_model):
    """With a streak of 2, one year below the minimum is a warning; a good year clears it; two
    years in a row below it weed the base out."""
    m = make_model(seed=21, zombie_base_min_projects=5, zombie_base_streak_years=2)
    base = offshore(m)[0]
    for admitted, zombie in ((0, False), (9, False), (0, False), (4, True)):
        base.admitted_this_year = admitted
        base.judge()
        assert base.is_zombie() is zombie, admitted


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sigma=st.floats(0.0, 1.5), p0=st.floats(0.01, 0.99))
def test_quality_draws_are_centred(make_model, sigma, p0):
    """Admissions multipliers have mean 1 and landing shifts median 0, so the spread changes who
    is good, not the average base; at spread 0 every base is the median base."""
    m = make_model(seed=22, offshore_base_quality_dispersion=sigma,
                   offshore_landing_probability=p0)
    inc = offshore(m)[0]
    draws = np.array([inc.draw_quality() for _ in range(4000)])
    assert (draws[:, 0] > 0).all()
    assert abs(draws[:, 0].mean() - 1.0) < 6 * np.sqrt(np.expm1(sigma ** 2) / 4000) + 1e-12
    assert abs(np.median(draws[:, 1])) < 0.1 * sigma + 1e-12
    land = base_landing_probability(m.p, draws[:, 1])
    assert ((land > 0) & (land < 1)).all()
    assert np.median(land) == pytest.approx(p0, abs=0.05)
    if sigma == 0.0:
        np.testing.assert_allclose(draws[:, 0], 1.0)
        np.testing.assert_allclose(land, p0)


def test_weeding_selects_better_bases(make_model):
    """Over four years of weeding at 6 projects a year, the bases in operation are better, on
    average, than without weeding (same seed, same draws at the start)."""
    def mean_log_quality(min_projects):
        m = make_model(seed=23, zombie_base_min_projects=min_projects,
                       zombie_base_streak_years=1, offshore_base_quality_dispersion=1.0)
        m.run()
        c = m.carriers
        live = c.offshore[:c.n] & c.in_operation(m.time)
        return np.log(c.quality[:c.n][live]).mean()
    assert mean_log_quality(6) > mean_log_quality(0) + 0.1


def test_bases_in_set_up_are_not_counted_as_operating(make_model):
    """Every base weeded at the end of the first year; successors need 1.5 years to open: no base
    operates (or admits) at the end of the second year, all of them again at the end of the
    third."""
    m = make_model(seed=24, zombie_base_min_projects=1000, zombie_base_streak_years=1,
                   offshore_base_setup_years=1.5, offshore_base_setup_cost_yuan=0.0)
    n = len(offshore(m))
    city = m.run().query("scope == 'city'").set_index("year")
    y0 = m.start_year
    assert city.loc[y0, "offshore_bases"] == n
    assert city.loc[y0 + 1, "offshore_bases"] == 0
    assert city.loc[y0 + 1, "offshore_projects_admitted"] == 0
    assert city.loc[y0 + 2, "offshore_bases"] == n
