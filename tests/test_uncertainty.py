"""Parameter uncertainty in every run (issue 16 item 1): the prior and posterior draws, common
random numbers, the nested design's variance split, and the run that uses them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import GOOD_BASE
from zonesim.analysis import shipped_posterior
from zonesim.analysis.run_scenario import run_scenario
from zonesim.analysis.space import uncertainty_space
from zonesim.analysis.uncertainty import (RUNS_PER_DRAW, draw_parameters, prior_value,
                                          variance_split)
from zonesim.errors import ScenarioError
from zonesim.registry.parameters import PARAMETERS
from zonesim.run import run_replicates
from zonesim.scenario import load_scenario


@settings(max_examples=200, deadline=None)
@given(lo=st.floats(-1e6, 1e6), width=st.floats(1e-3, 1e6), at=st.floats(-0.5, 1.5),
       u=st.lists(st.floats(0, 1), min_size=2, max_size=20))
def test_prior_draws_stay_in_range_and_rise_with_the_quantile(lo, width, at, u):
    hi = lo + width
    x = prior_value(lo, hi, lo + at * width, np.sort(np.array(u)), integer=False)
    assert np.all(x >= lo - 1e-9 * width) and np.all(x <= hi + 1e-9 * width)
    assert np.all(np.diff(x) >= -1e-9 * width)


def test_prior_mode_is_the_scenario_value_and_integers_are_whole():
    u = np.linspace(0.001, 0.999, 20001)
    x = prior_value(0.0, 10.0, 2.0, u, integer=False)
    # a triangular distribution's CDF at its mode is (mode - low) / (high - low)
    assert np.mean(x <= 2.0) == pytest.approx(0.2, abs=1e-3)
    xi = prior_value(1.2, 7.9, 3.0, u, integer=True)
    assert np.all(xi == np.round(xi)) and xi.min() >= 2 and xi.max() <= 7


def test_every_uncertain_parameter_is_drawn_and_levers_are_not():
    sc = load_scenario("gaogang_2017_2020")
    draws = draw_parameters(sc, 6, seed=3, mode="prior")
    factors = uncertainty_space(sc, include_levers=False)
    assert set(draws.from_prior) == {f.name for f in factors}
    assert not any(PARAMETERS[n].kind == "lever" for n in draws.from_prior)
    for f in factors:
        col = draws.table[f.name]
        assert col.between(f.low, f.high).all(), f.name
    # replicates share a draw in pairs, and pairs differ
    t = draws.table
    assert (t["draw"] == t["replicate"] // RUNS_PER_DRAW).all()
    assert t.loc[0, "growth_drift"] == t.loc[1, "growth_drift"] != t.loc[2, "growth_drift"]


def test_draws_do_not_depend_on_the_number_of_replicates_and_are_common_across_variants():
    base = load_scenario("gaogang_2017_2020")
    variant = load_scenario("gaogang_high_subsidy_2017_2020")
    few = draw_parameters(base, 4, seed=7, mode="prior").table
    many = draw_parameters(base, 10, seed=7, mode="prior").table
    pd.testing.assert_frame_equal(few, many.iloc[:4])
    other = draw_parameters(variant, 4, seed=7, mode="prior").table
    same = [f.name for f in uncertainty_space(base, include_levers=False)
            if base.provenance(f.name) == variant.provenance(f.name)
            and base.value(f.name) == variant.value(f.name)]
    assert len(same) > 150
    pd.testing.assert_frame_equal(few[same], other[same])
    assert not few.equals(draw_parameters(base, 4, seed=8, mode="prior").table)


def test_fixed_runs_are_the_point_value_runs():
    sc = load_scenario(GOOD_BASE)
    res = run_scenario(sc, 3, seed=2, workers=1, progress=False, uncertainty="fixed")
    plain = run_replicates(sc, 3, seed=2, workers=1, progress=False)
    pd.testing.assert_frame_equal(res["table"].drop(columns="seed"), plain)
    assert res["draws"].describe().endswith("(--fixed).")
    assert "variance_from_parameters" in res["summary"]  # the design still splits: all chance


def test_drawn_runs_are_the_same_on_one_worker_or_two():
    sc = load_scenario(GOOD_BASE)
    one = run_scenario(sc, 4, seed=5, workers=1, progress=False, uncertainty="prior")
    two = run_scenario(sc, 4, seed=5, workers=2, progress=False, uncertainty="prior")
    pd.testing.assert_frame_equal(one["table"], two["table"])
    fixed = run_scenario(sc, 4, seed=5, workers=1, progress=False, uncertainty="fixed")
    assert not one["table"].equals(fixed["table"])
    summary = one["summary"].dropna(subset=["p_met"])
    assert summary["variance_from_parameters"].dropna().between(0, 1).all()


def test_variance_split_known_answers():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(2000), 2)
    between = np.repeat(rng.normal(0, 1, 2000), 2)
    assert variance_split(between, groups)[0] == pytest.approx(1.0)
    assert variance_split(rng.normal(0, 1, 4000), groups)[0] < 0.06
    share, deff = variance_split(between + rng.normal(0, 1, 4000), groups)
    assert share == pytest.approx(0.5, abs=0.06) and deff == pytest.approx(1.5, abs=0.06)
    assert np.isnan(variance_split(np.ones(10), np.repeat(np.arange(5), 2))[0])


def _posterior(tmp_path, monkeypatch, particles: pd.DataFrame, carried: list[str]):
    monkeypatch.setattr(shipped_posterior, "POSTERIOR_DIR", tmp_path)
    particles.to_csv(tmp_path / "gaogang_2017_2020.csv", index=False)
    (tmp_path / "gaogang_2017_2020.json").write_text(json.dumps({
        "runin": "gaogang_2017_2020", "parameters": carried, "drawn": carried,
        "carried_over": carried,
        "date": "2026-12-05"}))


def test_posterior_draws_take_whole_particles_by_weight(tmp_path, monkeypatch):
    particles = pd.DataFrame({"growth_drift": [0.01, 0.05, 0.09],
                              "high_tech_upgrade_rate": [0.04, 0.1, 0.19],
                              "weight": [0.0, 1.0, 0.0], "distance": [1, 0, 1]})
    _posterior(tmp_path, monkeypatch, particles, ["growth_drift", "high_tech_upgrade_rate"])
    variant = load_scenario("gaogang_high_subsidy_2017_2020")  # inherits [calibration]
    draws = draw_parameters(variant, 6, seed=1)
    assert draws.mode == "posterior"
    assert (draws.table["growth_drift"] == 0.05).all()
    assert (draws.table["high_tech_upgrade_rate"] == 0.1).all()
    assert "growth_drift" not in draws.from_prior
    assert "from the posterior calibrated on gaogang_2017_2020" in draws.describe()
    # --prior sets it aside and says so
    prior = draw_parameters(variant, 6, seed=1, mode="prior")
    assert prior.table["growth_drift"].nunique() == 3 and "--prior" in prior.describe()


@pytest.mark.parametrize("damage", ["missing", "weights", "value", "column"])
def test_a_damaged_posterior_is_one_clear_line(tmp_path, monkeypatch, damage):
    particles = pd.DataFrame({"growth_drift": [0.01, 0.05], "weight": [0.5, 0.5]})
    if damage == "weights":
        particles["weight"] = [-1.0, 0.0]
    if damage == "value":
        particles["growth_drift"] = [0.05, -7.0]
    _posterior(tmp_path, monkeypatch, particles,
               ["growth_drift"] if damage != "column" else ["no_such_column"])
    if damage == "missing":
        (tmp_path / "gaogang_2017_2020.csv").unlink()
    with pytest.raises(ScenarioError) as e:
        draw_parameters(load_scenario("gaogang_2017_2020"), 2)
    msg = str(e.value)
    assert "\n" not in msg and "gaogang_2017_2020.csv" in msg and "--ship" in msg


def test_pairs_that_share_a_draw_widen_the_interval_as_fewer_replicates():
    from zonesim.analysis.targets import summarise, wilson_interval
    sc = load_scenario(GOOD_BASE)
    target = sc.modelled_targets[0]
    n = 40
    met = np.repeat(np.arange(n // 2) % 2 == 0, 2)  # both runs of a draw agree
    ev = pd.DataFrame({"replicate": np.arange(n), "target": target.id, "met": met,
                       "value": met.astype(float), "first_met_year": np.nan})
    draws = pd.DataFrame({"replicate": np.arange(n), "draw": np.arange(n) // 2})
    row = summarise(sc, ev, draws=draws).set_index("target").loc[target.id]
    assert row["variance_from_parameters"] == pytest.approx(1.0)
    assert (row["p_met_low"], row["p_met_high"]) == pytest.approx(wilson_interval(10, 20))
    plain = summarise(sc, ev).set_index("target").loc[target.id]
    assert plain["p_met_high"] - plain["p_met_low"] < row["p_met_high"] - row["p_met_low"]


def test_a_value_set_on_the_command_line_is_held_not_drawn(tmp_path, monkeypatch):
    from zonesim.scenario.what_if import with_settings
    particles = pd.DataFrame({"growth_drift": [0.01, 0.09], "weight": [0.5, 0.5]})
    _posterior(tmp_path, monkeypatch, particles, ["growth_drift"])
    sc = with_settings(load_scenario("gaogang_2017_2020"),
                       ["growth_drift=0.08", "profit_margin=0.05"])
    for mode in ("posterior", "prior"):
        draws = draw_parameters(sc, 6, seed=1, mode=mode)
        assert "growth_drift" not in draws.table and "profit_margin" not in draws.table
        assert "growth_drift, profit_margin held at the value set" in draws.describe()
