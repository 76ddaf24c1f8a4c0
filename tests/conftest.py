"""Shared fixtures: a small scenario (tests/bad_scenarios/good_base.toml, two sectors, two zones,
30 offshore bases) with the initial firm population cut down by parameter overrides, and a
factory for fresh models on it.

Tests that need other zone layouts write a variant that ``extends`` good_base.toml
(:func:`scenario_variant`)."""

from __future__ import annotations
import os

# one BLAS thread per test process: pytest -n 2 on 2 cores must not oversubscribe
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from zonesim.engine.group_sums import group_sums, pick_many, row
from zonesim.engine.model import ZoneModel
from zonesim.engine.observe import indicators_from_sums
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import load_scenario

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
GOOD_BASE = TESTS / "bad_scenarios" / "good_base.toml"

#: Hypothesis settings for tests that build a model per example (slow examples, and the
#: function-scoped model factory reused across them, are expected).
MODEL_SETTINGS = settings(max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow,
                                                 HealthCheck.function_scoped_fixture])

#: A small city: ~400 firms with proportionally few certified firms and R&D institutions
#: (the registry defaults are sized for ~3000 firms).
SMALL = {
    "initial_enterprises": 400,
    "initial_rd_institutions_municipal_plus": 15,
}


def small(**overrides) -> dict:
    """``SMALL`` with overrides; names not in the registry are dropped (so that a test can ask
    for a parameter that a newer model version introduced without breaking on an older one)."""
    out = {**SMALL, **overrides}
    return {k: v for k, v in out.items() if k in PARAMETERS}


@pytest.fixture(scope="session")
def base_scenario():
    """The validated good_base scenario (2017-2020, quarterly)."""
    return load_scenario(GOOD_BASE)


@pytest.fixture(scope="session")
def make_model(base_scenario):
    """Factory: ``make_model(seed=0, steps_per_year=None, scenario=None, **parameters)`` gives a
    fresh :class:`ZoneModel` on the small scenario (parameters override ``SMALL``)."""

    def _make(seed: int = 0, steps_per_year: int | None = None, scenario=None, **params):
        return ZoneModel(scenario or base_scenario, seed=seed, parameters=small(**params),
                         steps_per_year=steps_per_year)

    return _make


@pytest.fixture
def model(make_model):
    """A fresh small model, seed 0, at the start of its first year."""
    return make_model(seed=0)


#: Two towns, a maker space in the first (scenario text for :func:`load_variant`).
TWO_TOWNS = ('[[towns]]\nid = "east"\nname = "东镇"\nsource = "test"\n\n'
             '[[towns]]\nid = "west"\nname = "西镇"\nsource = "test"\n\n'
             '[[incubators]]\nkind = "maker_space"\nzone = "city"\ntown = "east"\ncount = 1\n'
             'source = "test"\n')


#: The whole chain in port_core (two maker spaces, two incubators, an accelerator) and a maker
#: space in bio_park, which has no incubator (scenario text: it replaces good_base's carriers).
CHAIN = "".join(f'[[incubators]]\nkind = "{kind}"\nzone = "{zone}"\ncount = {n}\n'
                'source = "test"\n\n'
                for kind, zone, n in (("maker_space", "port_core", 2),
                                      ("incubator", "port_core", 2),
                                      ("accelerator", "port_core", 1),
                                      ("maker_space", "bio_park", 1)))


@pytest.fixture(scope="session")
def chain_scenario(tmp_path_factory):
    """good_base with the carriers of :data:`CHAIN`."""
    return load_variant(tmp_path_factory.mktemp("chain"), CHAIN, "chain")


def load_variant(folder: Path, text: str, name: str = "variant"):
    """The scenario that extends good_base with ``text`` appended (zones, parameters... in the
    scenario file format), written to ``folder``."""
    path = folder / f"{name}.toml"
    path.write_text(f'extends = "{GOOD_BASE.as_posix()}"\n[scenario]\nid = "{name}"\n\n'
                    + text, encoding="utf-8")
    return load_scenario(path)


@pytest.fixture
def scenario_variant(tmp_path):
    """Factory: ``scenario_variant(toml_text, name)``: :func:`load_variant` in the test's own
    folder."""

    def _variant(text: str, name: str = "variant"):
        return load_variant(tmp_path, text, name)

    return _variant


def land_used_from_columns(model) -> np.ndarray:
    """Land used per zone recomputed from the firm columns (alive firms in zones)."""
    e = model.firms
    inz = e.alive & (e.zone >= 0)
    return np.bincount(e.zone[inz], weights=e.land_mu[inz], minlength=model.n_zones)


def run_years(model, years: int) -> None:
    """Step ``model`` through ``years`` whole simulated years."""
    for _ in range(years * model.steps_per_year):
        model.step()


def firm_indicators(model, mask, year: int) -> dict:
    """Firm-level indicators for ``year`` of the firms selected by ``mask`` (a zone's statistics
    as the government's evaluation sees them), from the engine's own group sums and formulas."""
    sums = group_sums(model, year, np.where(mask, 0, -1))
    picks = pick_many(sums, [[1], slice(None)])
    return row(indicators_from_sums(model.p, picks, row(picks, 1)), 0)
