"""The incubation chain 众创空间 → 孵化器 → 加速器 (seed 000 §(四), 002 §三(一)): a share of a
carrier's graduates goes on to a carrier of the next kind in its zone, taking the step's
admissions there; none is lost or made, and no carrier's intake grows."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import MODEL_SETTINGS
from zonesim.engine.chain import NEXT_KIND, pass_along_chain


@pytest.fixture
def chain_model(make_model, chain_scenario):
    return make_model(scenario=chain_scenario, carrier_chain_share=1.0)


def _rows(m, kind, zone):
    c = m.carriers
    return [i for i in range(c.n) if c.kind[i] == kind and c.zone_index[i] == m.zone_index(zone)]


def _step_admissions(m, counts):
    c = m.carriers
    c.admitted_step[:c.n] = np.resize(np.array(counts, dtype=np.int64), c.n)


@MODEL_SETTINGS
@given(share=st.floats(0.0, 1.0), counts=st.lists(st.integers(0, 40), min_size=12, max_size=12),
       slots=st.lists(st.integers(0, 30), min_size=12, max_size=12))
def test_graduates_passed_along_the_chain_take_admissions_and_are_neither_lost_nor_made(
        make_model, chain_scenario, share, counts, slots):
    m = make_model(scenario=chain_scenario, carrier_chain_share=share)
    c = m.carriers
    _step_admissions(m, slots)
    graduates = np.resize(np.array(counts, dtype=np.int64), c.n)
    tenants = c.tenants[:c.n].copy()
    leaving = pass_along_chain(m, graduates)
    moved = graduates - leaving
    received = c.chain_admitted_this_year[:c.n]
    assert (leaving >= 0).all() and (moved >= 0).all()
    assert received.sum() == moved.sum(), "every graduate passed on is admitted once"
    assert (received <= c.admitted_step[:c.n]).all(), "within the step's admissions"
    np.testing.assert_array_equal(c.tenants[:c.n], tenants)   # the intake is unchanged
    kinds = np.array(c.kind[:c.n], dtype=object)
    assert (moved[~np.isin(kinds, list(NEXT_KIND))] == 0).all(), \
        "accelerators and offshore bases pass none on"
    assert (received[~np.isin(kinds, list(NEXT_KIND.values()))] == 0).all()
    for kind, next_kind in NEXT_KIND.items():
        for row in np.flatnonzero((kinds == kind) & (moved > 0)):
            hosts = (kinds == next_kind) & (c.zone_index[:c.n] == c.zone_index[row])
            assert hosts.any(), "a graduate goes on only where its zone has the next kind"


def test_the_whole_share_goes_on_while_admissions_last(chain_model):
    m = chain_model
    c = m.carriers
    graduates = np.full(c.n, 7, dtype=np.int64)
    _step_admissions(m, [100] * c.n)
    leaving = pass_along_chain(m, graduates)
    for row in _rows(m, "maker_space", "port_core") + _rows(m, "incubator", "port_core"):
        assert leaving[row] == 0, "share 1 and admissions to spare: all go on"
    for row in _rows(m, "maker_space", "bio_park") + _rows(m, "accelerator", "port_core"):
        assert leaving[row] == 7, "no incubator in bio_park; an accelerator is the last carrier"
    m.carriers.chain_admitted_this_year[:] = 0
    _step_admissions(m, [0] * c.n)
    accelerator = _rows(m, "accelerator", "port_core")[0]
    c.admitted_step[accelerator] = 3
    leaving = pass_along_chain(m, graduates)
    incubators = _rows(m, "incubator", "port_core")
    assert (graduates - leaving)[incubators].sum() == 3, "three admissions, three go on"
    assert c.chain_admitted_this_year[accelerator] == 3


def test_no_share_no_chain_and_no_draw(make_model, chain_scenario):
    m, twin = (make_model(scenario=chain_scenario, carrier_chain_share=0.0) for _ in range(2))
    graduates = np.full(m.carriers.n, 5, dtype=np.int64)
    np.testing.assert_array_equal(pass_along_chain(m, graduates), graduates)
    assert m.rng.random() == twin.rng.random(), "no random number drawn"


def test_a_run_passes_projects_along_the_chain(make_model, chain_scenario):
    """Over a run the chain moves projects, and the indicator counts them."""
    m = make_model(scenario=chain_scenario, carrier_chain_share=0.5)
    table = m.run()
    city = table[table["scope"] == "city"]
    assert city["chain_projects"].iloc[1:].sum() > 0
