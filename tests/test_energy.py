"""Energy use per unit of value added (seed 002 §一(二), §六(四)): firms carry their sector's
energy intensity times a factor of their own; the entry screen refuses every project above its
bar; the zones' energy intensity is read against the city's."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_years
from zonesim import rules
from zonesim.engine.entry import draw_energy_intensity
from zonesim.engine.firms import ORIGINS, last_year_revenue

ATTRACTED = ORIGINS.index("attracted")
#: strong attraction and land recycling, so that many projects meet the screen
BUSY = dict(projects_attracted_per_zone=60.0, land_quota_mu_per_year=3000.0,
            land_recycling_share=0.03, standard_land_min_investment_yuan_per_mu=0.0)


def projects_since_start(m) -> np.ndarray:
    e = m.firms
    return (e.origin == ATTRACTED) & (e.entry_year >= m.start_year) & (e.zone >= 0)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), bar=st.sampled_from([0.8, 1.0, 1.5]),
       spread=st.sampled_from([0.5, 0.8]))
def test_a_screened_project_never_enters_a_zone(make_model, seed, bar, spread):
    m = make_model(seed=seed, energy_screen_max_relative_intensity=bar,
                   energy_intensity_dispersion=spread, **BUSY)
    run_years(m, 2)
    entered = projects_since_start(m)
    assert entered.any(), "no project entered: the screen is untested"
    assert (m.firms.energy_intensity[entered] <= bar).all()


def test_without_the_screen_projects_above_the_bar_enter(make_model):
    """The screen, not the draws, keeps them out: with no screen, projects above 1 enter."""
    m = make_model(seed=3, energy_intensity_dispersion=0.8, **BUSY)
    run_years(m, 2)
    entered = projects_since_start(m)
    assert (m.firms.energy_intensity[entered] > 1.0).sum() >= 5


def test_energy_intensity_draws_keep_the_sector_mean(model):
    model.sector_energy_intensity = np.array([0.5, 3.0])
    sector = np.repeat(np.array([0, 1], dtype=np.int32), 100_000)
    drawn = draw_energy_intensity(model, sector)
    np.testing.assert_allclose([drawn[:100_000].mean(), drawn[100_000:].mean()], [0.5, 3.0],
                               rtol=0.02)
    assert (drawn > 0).all()


def test_zones_energy_intensity_is_theirs_over_the_citys(make_model):
    m = make_model(seed=1, energy_intensity_dispersion=0.8)
    run_years(m, 1)
    e, p = m.firms, m.p
    rev = last_year_revenue(e)
    above = e.alive & rules.above_scale(rev)
    va = rev * p["value_added_ratio"] * e.va_factor
    energy = va * e.energy_intensity

    def intensity(rows):
        return energy[rows].sum() / va[rows].sum()

    want = intensity(above & (e.zone >= 0)) / intensity(above)
    table = m.indicator_table()
    got = table[(table.scope == "zones") & (table.year == m.year - 1)]
    assert abs(got["energy_intensity_relative_to_city"].iloc[0] - want) < 1e-9
    assert abs(want - 1.0) > 1e-3, "zones at the city's intensity: the ratio is untested"
    city = table[(table.scope == "city") & (table.year == m.year - 1)]
    assert abs(city["energy_intensity_relative_to_city"].iloc[0] - 1.0) < 1e-12


def test_energy_draws_leave_the_other_rules_unchanged(make_model):
    """The intensities come from their own stream: with no screen, their spread changes no
    other result (common random numbers for the screen lever)."""
    tables = []
    for spread in (0.3, 0.8):
        m = make_model(seed=2, energy_intensity_dispersion=spread)
        run_years(m, 2)
        tables.append(m.indicator_table().drop(columns="energy_intensity_relative_to_city"))
    assert tables[0].equals(tables[1])
