"""Pattern checks (zonesim.analysis.patterns): the statistics on synthetic data with known answers, and a
fast run of the four checks on the default scenario at default parameters."""

from __future__ import annotations

import numpy as np
import pytest

from zonesim.analysis import pattern_statistics, patterns
from zonesim.scenario import DEFAULT_SCENARIO, load_scenario


# ------------------------------------------------------------- statistics, known answers

def test_laplace_beats_normal_on_laplace_sample():
    x = np.random.default_rng(1).laplace(0.1, 0.2, 20_000)
    fit = pattern_statistics.laplace_vs_normal(x)
    assert fit["dlogl_per_obs"] > 0.03          # theory: 0.5·log(π/e)+... ≈ 0.072
    assert fit["excess_kurtosis"] == pytest.approx(3.0, abs=0.6)
    assert fit["laplace_scale"] == pytest.approx(0.2, rel=0.03)


def test_normal_beats_laplace_on_normal_sample():
    x = np.random.default_rng(2).normal(0.0, 0.3, 20_000)
    fit = pattern_statistics.laplace_vs_normal(x)
    assert fit["dlogl_per_obs"] < 0
    assert abs(fit["excess_kurtosis"]) < 0.2


def test_laplace_loglik_finite_far_in_the_tails():
    x = np.r_[np.random.default_rng(3).laplace(0, 0.2, 1000), -300.0]
    assert np.isfinite(pattern_statistics.laplace_vs_normal(x)["dlogl_per_obs"])


@pytest.mark.parametrize("alpha", [1.0, 1.5])
def test_hill_estimator_recovers_pareto_exponent(alpha):
    x = np.random.default_rng(4).pareto(alpha, 100_000) + 1.0   # P(X > x) = x^-alpha
    h = pattern_statistics.hill_estimator(x, top_share=0.05)
    assert h["k"] == 5000
    assert h["low"] < alpha < h["high"]
    assert h["high"] - h["low"] == pytest.approx(2 * 1.96 * h["alpha"] / np.sqrt(5000))


def test_lognormal_body_ks_small_for_lognormal_and_fits_truncated_body():
    x = np.exp(np.random.default_rng(5).normal(16.5, 1.3, 50_000))
    body = pattern_statistics.lognormal_body_ks(x, quantile=0.9)
    assert body["ks"] < 0.01
    assert body["mu"] == pytest.approx(16.5, abs=0.05)       # truncation corrected
    assert body["sigma"] == pytest.approx(1.3, rel=0.03)
    # a clearly non-lognormal body (uniform in logs) is far off
    y = np.exp(np.random.default_rng(6).uniform(10, 20, 50_000))
    assert pattern_statistics.lognormal_body_ks(y)["ks"] > patterns.BODY_KS_MAX


def test_bunching_ratio_on_constructed_sample():
    t = 0.05
    below = np.linspace(0.9 * t, t, 10, endpoint=False)      # 10 just below
    above = np.r_[np.full(25, t * 1.02), np.linspace(t, 1.1 * t, 5, endpoint=False)]  # 30
    far = np.array([0.01, 0.2, 1.1 * t, 0.899 * t])          # outside both windows
    ratio, na, nb = pattern_statistics.bunching_ratio(np.r_[below, above, far], t)
    assert (na, nb) == (30, 10) and ratio == pytest.approx(3.0)
    # per-observation thresholds (the three bands)
    x = np.array([0.0305, 0.0295, 0.0405, 0.0395, 0.0505, 0.0495])
    thr = np.array([0.03, 0.03, 0.04, 0.04, 0.05, 0.05])
    assert pattern_statistics.bunching_ratio(x, thr)[1:] == (3, 3)
    assert np.isnan(pattern_statistics.bunching_ratio(np.array([0.5]), t)[0])


def test_hazard_by_age_constant_hazard_and_truncation():
    rng = np.random.default_rng(7)
    n, lam = 200_000, 0.1
    birth = -rng.uniform(0, 6, n)                    # left-truncated: observed from time 0
    life = rng.exponential(1 / lam, n)
    death = birth + life
    keep = death > 0                                 # only firms alive at time 0 are observed
    end = np.minimum(death[keep], 5.0)
    tab = pattern_statistics.hazard_by_age(birth[keep], np.zeros(keep.sum()), end, death[keep] <= 5.0,
                                 max_year=8)
    h = tab.hazard.to_numpy()[:8]
    assert np.allclose(h, 1 - np.exp(-lam), atol=0.006)
    assert pattern_statistics.pooled_hazard(tab, 4, 7) == pytest.approx(1 - np.exp(-lam), abs=0.004)


# ------------------------------------------------------- fast run on the default scenario

@pytest.fixture(scope="module")
def default_patterns(tmp_path_factory):
    figs = tmp_path_factory.mktemp("pattern_figures")
    df = patterns.check_patterns(load_scenario(DEFAULT_SCENARIO), replicates=8, seed=0,
                                 figures_dir=figs)
    return df.set_index("pattern"), figs


def test_pattern_table_shape_and_figures(default_patterns):
    df, figs = default_patterns
    assert list(df.index) == list(patterns.CHECKS)
    for col in ("statistic", "value", "reference", "tolerance", "passed", "detail"):
        assert col in df.columns
    for name in patterns.FIGURE_NAMES.values():
        assert (figs / name).stat().st_size > 5_000


@pytest.mark.parametrize("pattern", list(patterns.CHECKS))
def test_default_scenario_reproduces_pattern(default_patterns, pattern):
    df, _ = default_patterns
    assert df.loc[pattern, "passed"], df.loc[pattern, "detail"]
