"""The starting economy's scale (docs/ODD.md §7.1): the above-scale firms' output at the start is
the scenario's published base-year figure, and the back-cast accounts before the start grow,
in expectation, as the forward years do."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zonesim import rules
from zonesim.engine.history import revenue_path
from zonesim.engine.model import ZoneModel
from zonesim.engine.population import draw_initial_revenue, scale_tail_to_output
from zonesim.scenario import load_scenario

revenues = st.lists(st.floats(1e5, 1e11, allow_nan=False), min_size=2, max_size=60)


@settings(max_examples=200, deadline=None)
@given(revenues, st.floats(0.5, 0.95), st.floats(1e8, 1e13))
def test_the_scaled_tail_meets_the_output_or_stays_above_scale(revs, q, output):
    rev = np.asarray(revs)
    tail = rev > np.quantile(rev, q)
    out = scale_tail_to_output(rev, tail, output)
    np.testing.assert_array_equal(out[~tail], rev[~tail])          # the body as drawn
    if tail.any():
        ratio = out[tail] / rev[tail]
        np.testing.assert_allclose(ratio, ratio[0])                # one factor: ranks kept
        assert (out[tail] >= rules.ABOVE_SCALE_REVENUE_YUAN * (1 - 1e-12)).all()
        total = out[rules.above_scale(out)].sum()
        body = rev[~tail][rules.above_scale(rev[~tail])].sum()
        # feasible: the factor that meets the output keeps the smallest tail firm above scale
        factor = (output - body) / rev[tail].sum()
        if factor >= rules.ABOVE_SCALE_REVENUE_YUAN / rev[tail].min():
            assert total == pytest.approx(output, rel=1e-9)
        else:                                                      # the body alone is too big
            assert total >= output
    else:
        np.testing.assert_array_equal(out, rev)


def test_without_a_figure_the_drawn_sizes_stay():
    p = load_scenario("jiangsu_one_zone_one_industry_2018_2022").values()
    assert p["above_scale_output_start_yuan"] == 0
    a = draw_initial_revenue(np.random.default_rng(3), 2000, p)
    b = draw_initial_revenue(np.random.default_rng(3), 2000,
                             {**p, "above_scale_output_start_yuan": 0.0})
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["gaogang_2017_2020", "nantong_runin_2020_2023"])
def test_the_start_holds_the_published_output(name):
    sc = load_scenario(name)
    output = sc.value("above_scale_output_start_yuan")
    assert output > 0
    for seed in (1, 2):
        e = ZoneModel(sc, seed=seed).firms
        drawn = e.revenue[e.alive & rules.above_scale(e.revenue)].sum()
        # the tail meets the figure; firms of the body pushed over the line by the tail's
        # scaling do not exist (the body is not scaled), so the total is the figure exactly
        # unless the revenue ceiling bites
        assert drawn == pytest.approx(output, rel=1e-6)


def test_back_cast_accounts_fall_by_the_drift_in_expectation():
    sc = load_scenario("taizhou_jiangsu_2017_2020")
    model = ZoneModel(sc, seed=0)
    p = model.p
    n = 200_000
    path = revenue_path(model, np.full(n, 1e8), np.full(n, 50.0), 3)
    # year k before the start is centred k + ½ years back: mean revenue e^{−(k+½) drift}
    for k in range(3):
        expected = 1e8 * np.exp(-(k + 0.5) * p["growth_drift"])
        assert path[:, k].mean() == pytest.approx(expected, rel=0.03)
