"""The year's group sums, from which every firm-level indicator of every scope follows, equal
direct counts and sums over the firms of each zone."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_years
from zonesim import rules
from zonesim.engine.firms import employees, last_year_revenue
from zonesim.engine.group_sums import group_sums
from zonesim.engine.status import gazelles
from zonesim.present.formats import latin
from zonesim.registry.indicators import INDICATORS


def direct(m, year: int, rows: np.ndarray) -> dict[str, float]:
    """The sums over the living firms ``rows``, one mask at a time."""
    e, p = m.firms, m.p
    r = rows & e.alive
    rev = last_year_revenue(e)
    above = r & rules.above_scale(rev)
    va = rev * p["value_added_ratio"] * e.va_factor
    apps = e.patent_applications_year
    large_or_hte = r & ((employees(e, p) >= 300) | e.certified)
    strategic = r & m.zone_strategic[e.zone, e.sector]
    # projects (origin 3) landed since the start, holding land
    project = r & (e.origin == 3) & (e.entry_year >= m.start_year) & (e.land_mu > 0)
    return {
        "n": r.sum(), "n_above": above.sum(), "n_hte": (r & e.certified).sum(),
        "n_hte_above": (above & e.certified).sum(),
        "n_hte_or_spec": (r & (e.certified | e.specialised)).sum(),
        "n_above_inst": (above & (e.rd_level >= 1)).sum(),
        "n_lm_hte_inv": (large_or_hte & (e.invention_patents > 0)).sum(),
        "n_rd_prov": (r & (e.rd_level >= 3)).sum(),
        "n_new_hte": (r & (e.first_cert_year == year)).sum(),
        "n_gazelle": (r & gazelles(m)).sum(),
        "n_new_joint_inst": (r & (e.rd_joint_year == year)).sum(),
        "n_over20": (r & (apps > 20)).sum(),
        "out": rev[r].sum(), "above_out": rev[above].sum(),
        "ht_va_above": (va * e.high_tech_share)[above].sum(),
        "energy_above": (va * e.energy_intensity)[above].sum(),
        "rd_above": e.rd_hist_0[above].sum(), "rev_year": e.rev_hist_0[r].sum(),
        "grants": (e.invention_grants_year + e.other_grants_year)[r].sum(),
        "strategic_out": rev[strategic].sum(),
        "land": e.land_mu[r].sum(), "va_land": va[r & (e.land_mu > 0)].sum(),
        "land_project": e.land_mu[project].sum(), "va_land_project": va[project].sum(),
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_group_sums_equal_direct_sums_by_zone(make_model, seed):
    m = make_model(seed=seed, initial_enterprises=1500)
    run_years(m, 2)
    year = m.year - 1
    sums = group_sums(m, year, m.firms.zone)
    projects_land = 0.0
    for group, rows in [(0, m.firms.zone < 0)] + [(z.index + 1, m.firms.zone == z.index)
                                                   for z in m.zones]:
        want = direct(m, year, rows)
        assert want["n"] > 0
        projects_land += want["land_project"]
        for key, value in want.items():
            assert sums[key][group] == pytest.approx(value, rel=1e-9, abs=1e-6), (group, key)
    assert projects_land > 0, "no project landed in any zone: the projects' sums are untested"


def test_every_indicator_has_an_english_label_and_a_display_unit():
    """Figures carry the labels and display units, and on a machine without a CJK font they
    must show them in English."""
    for i in INDICATORS.values():
        assert i.label and latin(i.label) == i.label, i.name
        shown = i.shown
        assert shown.divisor > 0 and shown.latin and latin(shown.latin) == shown.latin, i.name
