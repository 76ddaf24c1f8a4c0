"""Incubator graduates: only a share are technology ventures (docs/ODD.md §7.8)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zonesim.engine.graduates import make_technology_ventures
from zonesim.registry.parameters import PARAMETERS

P = {name: q.default for name, q in PARAMETERS.items()}


def _cols(n: int) -> dict:
    rd = np.full(n, 0.004)
    return {"rd_propensity": rd.copy(), "base_rd_intensity": rd.copy(), "rd_intensity": rd.copy(),
            "high_tech_share": np.full(n, 0.2), "other_ip": np.zeros(n, dtype=np.int32)}


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_only_technology_ventures_get_the_floors_and_ip(share, seed):
    n = 4000
    cols = _cols(n)
    p = {**P, "graduate_technology_share": share}
    make_technology_ventures(np.random.default_rng(seed), p, cols, n)
    tech = cols["high_tech_share"] >= p["graduate_min_high_tech_share"]
    plain = ~tech
    assert (cols["rd_intensity"][tech] >= p["graduate_min_rd_intensity"]).all()
    # the others keep an ordinary entrant's draws and hold no IP
    assert (cols["rd_intensity"][plain] == 0.004).all()
    assert (cols["high_tech_share"][plain] == 0.2).all() and (cols["other_ip"][plain] == 0).all()
    # within 5 standard errors of the share and of the Poisson mean
    assert tech.mean() == pytest.approx(share, abs=5 * np.sqrt(share * (1 - share) / n) + 1e-9)
    if tech.any():
        mean_ip = p["graduate_mean_other_ip"]
        assert cols["other_ip"][tech].mean() == pytest.approx(
            mean_ip, abs=5 * np.sqrt(mean_ip / tech.sum()))
