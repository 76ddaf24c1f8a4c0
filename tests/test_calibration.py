"""Calibration (ABC-SMC) and forecasts: a known-answer test on a toy model and a smoke run on a
scenario (outputs written, calibrated variant validates, forecast bands ordered)."""

import numpy as np
import pandas as pd
import pytest

import zonesim
from zonesim.analysis.abc import abc_smc, weighted_quantile
from zonesim.analysis.calibration import calibrate, parameter_space, select_statistics
from zonesim.analysis.forecast import forecast
from zonesim.errors import CalibrationError


class NormalMean:
    """Toy simulator: the mean of 20 draws of N(theta, 1) (picklable, seeded per job)."""

    def __call__(self, jobs):
        out = []
        for theta, seeds in jobs:
            vals = [np.random.default_rng(ss).normal(theta[0], 1.0, 20).mean() for ss in seeds]
            out.append([np.mean(vals)])
        return np.asarray(out)


def test_abc_smc_recovers_normal_mean():
    # posterior of the mean given an observed sample mean 1.5 of 20 draws: ≈ N(1.5, 0.22²)
    res = abc_smc(NormalMean(), [1.5], [-5.0], [5.0], populations=5, particles=200, seed=3)
    x, w = res.samples[:, 0], res.weights
    mean = float(w @ x)
    sd = float(np.sqrt(w @ (x - mean) ** 2))
    assert abs(mean - 1.5) < 0.25
    assert sd < 0.6                       # prior sd is 2.9
    assert np.isclose(w.sum(), 1.0)
    eps = res.history["epsilon"].to_numpy()
    assert np.all(np.diff(eps[1:]) <= 0)  # decreasing tolerance schedule
    q05, q95 = weighted_quantile(x, w, [0.05, 0.95])
    assert q05 < 1.5 < q95


class NormalMean2:
    """Toy simulator in two dimensions: the mean of 20 draws of N(theta, I)."""

    def __call__(self, jobs):
        return np.asarray([np.mean([np.random.default_rng(ss).normal(theta, 1.0, (20, 2))
                                    .mean(axis=0) for ss in seeds], axis=0)
                           for theta, seeds in jobs])


def test_abc_smc_recovers_a_known_gaussian_posterior():
    """With a flat prior wide enough, the posterior of theta given the observed mean of 20
    draws of N(theta, I) is N(observed, I / 20): the sampler's weighted particles recover its
    means, standard deviations (0.224, within ABC's tolerance-driven widening) and the absence
    of correlation."""
    observed = np.array([1.5, -0.8])
    res = abc_smc(NormalMean2(), observed, [-5.0, -5.0], [5.0, 5.0], populations=12,
                  particles=300, seed=11)
    x, w = res.samples, res.weights
    mean = w @ x
    sd = np.sqrt(w @ (x - mean) ** 2)
    exact_sd = 1 / np.sqrt(20)
    assert np.all(np.abs(mean - observed) < 0.1), mean
    assert np.all((sd > 0.8 * exact_sd) & (sd < 1.5 * exact_sd)), sd
    corr = (w @ ((x[:, 0] - mean[0]) * (x[:, 1] - mean[1]))) / (sd[0] * sd[1])
    assert abs(corr) < 0.2


class KilledAfter(NormalMean2):
    """The toy, killed (an exception) after ``calls`` batches."""

    def __init__(self, calls):
        self.calls = calls

    def __call__(self, jobs):
        self.calls -= 1
        if self.calls < 0:
            raise KeyboardInterrupt
        return super().__call__(jobs)


def test_abc_smc_resumes_a_killed_run_as_if_never_stopped(tmp_path):
    """Killed in its third population (after 60 batches), a run restarted on its checkpoint
    ends where one uninterrupted run ends; asked for more populations it goes on from the last; another
    run's checkpoint, or a damaged one, is not resumed."""
    args = (np.array([1.5, -0.8]), [-5.0, -5.0], [5.0, 5.0])
    opts = dict(particles=40, seed=4)
    whole = abc_smc(NormalMean2(), *args, populations=6, **opts)
    ck = tmp_path / "abc.npz"
    with pytest.raises(KeyboardInterrupt):
        abc_smc(KilledAfter(60), *args, populations=6, checkpoint=ck, **opts)
    said = []
    resumed = abc_smc(NormalMean2(), *args, populations=6, checkpoint=ck, progress=said.append,
                      **opts)
    assert "resuming after population 1" in " ".join(said)
    assert np.array_equal(resumed.samples, whole.samples)
    assert np.array_equal(resumed.weights, whole.weights)
    assert resumed.history["epsilon"].tolist() == whole.history["epsilon"].tolist()
    ck2 = tmp_path / "short.npz"
    abc_smc(NormalMean2(), *args, populations=3, checkpoint=ck2, **opts)
    longer = abc_smc(NormalMean2(), *args, populations=6, checkpoint=ck2, **opts)
    assert np.array_equal(longer.samples, whole.samples)
    said = []
    other = abc_smc(NormalMean2(), *args, populations=2, checkpoint=ck2, progress=said.append,
                    particles=40, seed=5)
    assert any("starting afresh" in m for m in said) and len(other.history) == 2
    ck2.write_bytes(b"not a checkpoint")
    again = abc_smc(NormalMean2(), *args, populations=2, checkpoint=ck2, particles=40, seed=5)
    assert np.array_equal(again.samples, other.samples)


def test_abc_smc_is_reproducible():
    a = abc_smc(NormalMean(), [0.5], [-2.0], [2.0], populations=2, particles=30, seed=1)
    b = abc_smc(NormalMean(), [0.5], [-2.0], [2.0], populations=2, particles=30, seed=1)
    assert np.array_equal(a.samples, b.samples) and np.array_equal(a.weights, b.weights)


def test_calibrate_smoke_on_scenario(tmp_path):
    data = pd.DataFrame([
        {"scenario": "taizhou_jiangsu_runin_2017_2018", "indicator": "high_tech_output_share",
         "scope": "city", "year": 2018, "value": 0.4422, "weight": 1.0},
        {"scenario": "other", "indicator": "rd_to_gdp", "scope": "city", "year": 2018,
         "value": 0.02, "weight": 1.0},
    ])
    out = tmp_path / "cal"
    res = calibrate("scenarios/taizhou_jiangsu_runin_2017_2018.toml", data,
                    parameters=["high_tech_upgrade_rate", "baseline_rd_intensity"],
                    populations=2, particles=6, seed=0, out=out, predictive=4,
                    max_proposals=3, fixed={"initial_enterprises": 800})
    for f in ("posterior.csv", "summary.csv", "history.csv", "fit.csv", "fit.png",
              "calibration.json"):
        assert (out / f).exists(), f
    assert not list(tmp_path.glob(".cal.abc-checkpoint*"))   # removed once the folder is whole
    post = pd.read_csv(out / "posterior.csv")
    assert len(post) == 6 and np.isclose(post["weight"].sum(), 1.0)
    summ = pd.read_csv(out / "summary.csv")
    assert (summ["q05"] <= summ["median"]).all() and (summ["median"] <= summ["q95"]).all()
    assert len(res["fit"]) == 1          # the other scenario's row is ignored
    sc = zonesim.load_scenario(res["calibrated_scenario"])
    assert sc.name == "taizhou_jiangsu_runin_2017_2018_calibrated"
    for r in summ.to_dict("records"):
        prov = sc.provenance(r["parameter"])
        assert prov["provenance"] == "assumption" and "ABC-SMC" in prov["source"]
        assert prov["low"] <= sc.value(r["parameter"]) <= prov["high"]
    fc = forecast(sc, ["high_tech_share_of_above_scale_enterprises", "rd_to_gdp"], [2019],
                  replicates=3, seed=0, posterior=out / "posterior.csv",
                  fixed={"initial_enterprises": 800})
    assert set(fc["year"]) == {2019} and len(fc) == 2
    assert (fc["q05"] <= fc["median"]).all() and (fc["median"] <= fc["q95"]).all()


def test_default_parameters_of_the_nantong_rd_statistics():
    sc = zonesim.load_scenario("scenarios/nantong_runin_2020_2023.toml")
    data = pd.read_csv("data/calibration_targets.csv")
    stats = select_statistics(sc, data)
    names = [n for n, _, _ in parameter_space(sc, stats)]
    # the bridge's one assumption is fitted; the published industrial share is not
    assert "statistical_rd_ratio" in names and "industrial_share_of_rd" not in names
    assert not {"modelled_share_of_gdp", "value_added_ratio"} & set(names)


def test_county_scope_rejects_ratios_it_cannot_sum():
    sc = zonesim.load_scenario("scenarios/taizhou_jiangsu_runin_2017_2018.toml")
    for ind in ("above_scale_rd_intensity", "rd_to_gdp"):
        data = pd.DataFrame([{"indicator": ind, "scope": "county:gaogang", "year": 2018,
                              "value": 0.02}])
        with pytest.raises(CalibrationError, match="county"):
            select_statistics(sc, data)


def test_abc_smc_same_on_a_process_pool():
    """Proposals are simulated on the executor and taken in the order proposed: a pool gives
    the serial result exactly."""
    from concurrent.futures import ProcessPoolExecutor

    serial = abc_smc(NormalMean(), [0.5], [-2.0], [2.0], populations=2, particles=20, seed=4)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = abc_smc(NormalMean(), [0.5], [-2.0], [2.0], populations=2, particles=20,
                         seed=4, executor=pool)
    assert np.array_equal(serial.samples, pooled.samples)
    assert np.array_equal(serial.weights, pooled.weights)
    assert np.array_equal(serial.distances, pooled.distances)


def test_killed_calibration_resumes_from_its_last_population(tmp_path):
    """A calibration killed after its first population leaves its checkpoint beside the output
    folder; the same command again resumes there and writes what an uninterrupted one writes."""
    data = pd.DataFrame([{"indicator": "high_tech_output_share", "scope": "city", "year": 2018,
                          "value": 0.4422, "weight": 1.0}])
    kw = dict(parameters=["high_tech_upgrade_rate"], populations=3, particles=6, seed=0,
              predictive=2, max_proposals=3, fixed={"initial_enterprises": 600})
    file = "scenarios/taizhou_jiangsu_runin_2017_2018.toml"
    whole = calibrate(file, data, out=tmp_path / "whole", **kw)

    def kill(message):
        if message.startswith("population 1"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        calibrate(file, data, out=tmp_path / "cal", progress=kill, **kw)
    assert (tmp_path / ".cal.abc-checkpoint.npz").exists() and not (tmp_path / "cal").exists()
    said = []
    resumed = calibrate(file, data, out=tmp_path / "cal", progress=said.append, **kw)
    assert "resuming after population 0" in " ".join(said)
    pd.testing.assert_frame_equal(resumed["posterior"], whole["posterior"])
    assert not (tmp_path / ".cal.abc-checkpoint.npz").exists()


def test_final_particles_carry_the_prior_draws_their_simulations_ran_with():
    """A final particle's unfitted parameters are those its accepted simulation drew: run
    again with them and the same seed sequence, it gives the statistics it was accepted on."""
    from zonesim.analysis.calibration import ScenarioSimulator, horizon
    from zonesim.analysis.posterior_predictive import joint_particles
    from zonesim.scenario import load_scenario
    sc = load_scenario("gaogang_2017_2020")
    stats = select_statistics(sc, "data/calibration_targets.csv")
    sim = ScenarioSimulator(horizon(sc, 2018), ["growth_drift"], stats,
                            {"initial_enterprises": 300})
    res = abc_smc(sim, np.array([s.value for s in stats]), [0.0], [0.1], particles=6,
                  populations=2, seed=4)
    particles = joint_particles(sim, res, {"replicates": 1, "seed": 4})
    assert len(particles.columns) > 100 and "growth_drift" in particles
    joint = ScenarioSimulator(sim.scenario, list(particles.columns), stats, sim.fixed,
                              nuisance=False)
    for i in (0, 5):
        t, k = res.keys[i]
        ss = np.random.SeedSequence(4, spawn_key=(int(t), int(k), 0))
        again = joint([(particles.iloc[i].to_numpy(float), [ss])])[0]
        np.testing.assert_allclose(again, res.stats[i])
