"""The bridge from the firms' reported R&D to R&D/GDP (docs/ODD.md, Observation): known answers
from given sums, the identity with the above-scale R&D intensity on a run, and the validation of
its parameters."""

from __future__ import annotations

import numpy as np
import pytest

from zonesim.engine.group_sums import group_sums, pick_many, row
from zonesim.engine.observe import indicators_from_sums
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import ScenarioError

BRIDGE = {"statistical_rd_ratio": 0.6, "industrial_share_of_rd": 0.8,
          "above_scale_revenue_to_gdp": 1.5}


def _sums_of(model) -> dict:
    e = model.firms
    sums = group_sums(model, model.start_year - 1, np.where(e.alive, 0, -1))
    return row(pick_many(sums, [slice(None)]), 0)


def test_rd_to_gdp_from_sums_known_answer(make_model):
    m = make_model(seed=0)
    s = _sums_of(m)
    # 120 M yuan reported R&D of above-scale firms on 6 bn yuan of their revenue; the small
    # firms' R&D and revenue must not count
    s.update(rd_above=120e6, rev_year_above=6e9, rd=500e6, rev_year=9e9, va=2e9)
    p = {**m.p, **BRIDGE}
    out = indicators_from_sums(p, s, s)
    assert out["gdp_yuan"] == pytest.approx(6e9 / 1.5)                     # 4 bn yuan
    assert out["rd_to_gdp"] == pytest.approx(120e6 * 0.6 / 0.8 / 4e9)      # 2.25 %
    assert out["above_scale_rd_intensity"] == pytest.approx(0.02)
    assert out["rd_expenditure_yuan"] == 500e6


def test_rd_to_gdp_without_above_scale_firms_is_nan(make_model):
    m = make_model(seed=0)
    s = _sums_of(m)
    s.update(rd_above=0.0, rev_year_above=0.0)
    out = indicators_from_sums(m.p, s, s)
    assert np.isnan(out["rd_to_gdp"]) and out["gdp_yuan"] == 0.0


def test_rd_to_gdp_is_the_bridged_above_scale_intensity(make_model):
    table = make_model(seed=3, **BRIDGE).run()
    rows = table[table["above_scale_enterprises"] > 0]
    assert len(rows) > 10
    factor = 0.6 * 1.5 / 0.8
    np.testing.assert_allclose(rows["rd_to_gdp"], factor * rows["above_scale_rd_intensity"],
                               rtol=1e-12)


def test_bridge_parameters_leave_the_dynamics_alone(make_model):
    a = make_model(seed=5).run()
    b = make_model(seed=5, statistical_rd_ratio=0.8).run()
    np.testing.assert_array_equal(a["above_scale_rd_intensity"], b["above_scale_rd_intensity"])
    ok = a["rd_to_gdp"].notna()
    default = PARAMETERS["statistical_rd_ratio"].default
    np.testing.assert_allclose(b["rd_to_gdp"][ok], a["rd_to_gdp"][ok] * 0.8 / default,
                               rtol=1e-12)


def test_bridge_parameters_are_registered_with_provenance():
    for name in BRIDGE:
        p = PARAMETERS[name]
        assert p.source and "rd_gdp_bridge.csv" in p.source
        assert p.low is not None and p.low < p.default < p.high
    for divisor in ("industrial_share_of_rd", "above_scale_revenue_to_gdp"):
        assert PARAMETERS[divisor].minimum > 0
    for old in ("business_share_of_rd", "modelled_share_of_gdp"):
        assert old not in PARAMETERS


@pytest.mark.parametrize("name, value, message", [
    ("industrial_share_of_rd", 1.2, "must be ≤ 1"),
    ("above_scale_revenue_to_gdp", 0.0, "must be ≥ 0.01"),
    ("business_share_of_rd", 0.77, "unknown parameter"),   # retired with the old bridge
])
def test_bridge_parameter_validation(scenario_variant, name, value, message):
    line = f'{name} = {{ value = {value}, provenance = "statistic", source = "a test" }}'
    with pytest.raises(ScenarioError, match=message):
        scenario_variant(f"[parameters]\n{line}\n")
