"""The experiment workbench: sensitivity pipeline on a function with known indices, the result
store (kill and resume), identical numbers on every executor, common random numbers in
comparisons, replicate noise, and bad input through the command line.

The model runs use tests/data/tiny.toml (good_base with ~120 firms, half-yearly steps): a run
takes a few hundredths of a second.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

import zonesim

from zonesim.analysis.compare import COMPARISON_COLUMNS, DIFFERENCE_COLUMNS, _paired_ci
from zonesim.analysis.designs import (half_design_rows, round_integers,
                                      sensitivity_design, sweep_design)
from zonesim.analysis.experiments import MARGIN_CAP, _margin, run_points, series_spec
from zonesim.analysis.sensitivity import INDEX_COLUMNS, analyse, replicate_noise
from zonesim.analysis.space import check_factor, salib_problem, uncertainty_space
from zonesim.analysis.store import OUTCOME_COLUMNS, SERIES_KEYS, ResultStore
from zonesim.analysis.sweep import sweep
from zonesim.analysis.targets import evaluate_targets
from zonesim.cli import main
from zonesim.present import sweep_chart
from zonesim.present.experiment_figures import _is_grid
from zonesim.present.labels import target_label
from zonesim.run import run_replicate
from zonesim.scenario import load_scenario

DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.toml"
TINY_COPY = DATA / "tiny_copy.toml"
TINY_SUBSIDY = DATA / "tiny_high_subsidy.toml"
REPO = Path(__file__).resolve().parent.parent

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
#: Analytical Ishigami indices (a = 7, b = 0.1).
S1_TRUE = np.array([0.3139, 0.4424, 0.0])
ST_TRUE = np.array([0.5576, 0.4424, 0.2437])


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def _ishigami(method: str, n: int, seed: int = 1) -> pd.DataFrame:
    X, options = sensitivity_design(method, ISHIGAMI, n, seed)
    Y = Ishigami.evaluate(X)
    return analyse(method, ISHIGAMI, X, Y, options, seed, output="y")


def _index(table: pd.DataFrame, index: str) -> np.ndarray:
    return table[table["index"] == index].set_index("parameter").loc[
        ["x1", "x2", "x3"], "value"].to_numpy()


# ------------------------------------------------------------- known answers (Ishigami)

def test_sobol_recovers_ishigami_indices():
    t = _ishigami("sobol", 1024)
    assert list(t.columns) == INDEX_COLUMNS
    np.testing.assert_allclose(_index(t, "S1"), S1_TRUE, atol=0.06)
    np.testing.assert_allclose(_index(t, "ST"), ST_TRUE, atol=0.06)
    # intervals bracket the estimates
    assert (t["conf_low"] <= t["value"]).all() and (t["value"] <= t["conf_high"]).all()


def test_fast_recovers_ishigami_indices():
    t = _ishigami("fast", 1000)
    np.testing.assert_allclose(_index(t, "S1"), S1_TRUE, atol=0.05)
    np.testing.assert_allclose(_index(t, "ST"), ST_TRUE, atol=0.06)


def test_morris_ranks_ishigami_factors():
    """With 4 levels, μ* of x1 (≈ 7.6) and x2 (≈ 7.9) are close and both above x3 (≈ 5.9);
    x3 acts only through its interaction with x1, so its μ is ≈ 0 and its σ exceeds its μ*."""
    t = _ishigami("morris", 200)
    mu_star, mu, sigma = _index(t, "mu_star"), _index(t, "mu"), _index(t, "sigma")
    np.testing.assert_allclose(mu_star, [7.64, 7.87, 5.94], rtol=0.12)
    assert mu_star[2] < min(mu_star[0], mu_star[1])
    assert abs(mu[2]) < 0.3 * mu_star[2]
    assert sigma[2] > mu_star[2]
    assert (t.loc[t["index"] == "mu_star", "conf_low"] >= 0).all()


def test_delta_ranks_ishigami_factors():
    t = _ishigami("delta", 2000)
    d, s1 = _index(t, "delta"), _index(t, "S1")
    assert d[1] > d[0] > d[2]
    assert s1[1] > s1[0] > s1[2]
    assert s1[2] < 0.1
    assert np.isfinite(t["conf_low"]).all()


def test_pawn_ranks_ishigami_factors():
    t = _ishigami("pawn", 2000)
    p = _index(t, "pawn_median")
    assert p[1] > p[0] > p[2]
    assert (t["conf_low"] <= t["value"] + 1e-12).all() and (t["value"] <= t["conf_high"] + 1e-12).all()


def test_analysis_is_reproducible_with_seed_zero():
    """SALib ignores a seed of 0 (``if seed:``): the workbench maps it to a real one."""
    X, options = sensitivity_design("delta", ISHIGAMI, 60, 0)
    Y = Ishigami.evaluate(X)
    a = analyse("delta", ISHIGAMI, X, Y, options, 0)
    b = analyse("delta", ISHIGAMI, X, Y, options, 0)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("method", ["sobol", "morris"])
@pytest.mark.parametrize("grouped", [False, True])
def test_half_design_is_the_design_at_half_n(method, grouped):
    """The convergence check analyses the first rows of the sample as the design at N/2:
    N × (D + 2) rows for Sobol without second-order indices, N × (D + 1) for Morris, D being
    the number of groups when factors are grouped."""
    problem = {"num_vars": 4, "names": list("abcd"), "bounds": [[0, 1]] * 4}
    if grouped:
        problem["groups"] = ["g1", "g2", "g1", "g2"]
    d = 2 if grouped else 4
    X16, _ = sensitivity_design(method, problem, 16, 3)
    X8, _ = sensitivity_design(method, problem, 8, 3)
    per = d + 2 if method == "sobol" else d + 1
    assert X16.shape[0] == 16 * per
    half = half_design_rows(method, problem, 16)
    assert half == 8 * per
    np.testing.assert_allclose(X16[:half], X8)
    assert "sample_scaled" not in problem and ("groups" in problem) == grouped  # not mutated


def test_grouped_analysis_reports_groups():
    problem = {**ISHIGAMI, "groups": ["a", "b", "a"]}
    X, options = sensitivity_design("sobol", problem, 256, 1)
    t = analyse("sobol", problem, X, Ishigami.evaluate(X), options, 1, output="y")
    assert sorted(set(t["parameter"])) == ["a", "b"]


# --------------------------------------------------------------------- design details

def test_integer_parameters_are_rounded(tiny):
    factors = [check_factor("initial_enterprises", 80, 200),
               check_factor("rd_subsidy_rate", 0.0, 0.2)]
    lhs = sweep_design(factors, "lhs", samples=9, seed=4)
    assert lhs["initial_enterprises"].dtype.kind == "i"
    assert lhs["initial_enterprises"].between(80, 200).all()
    assert not (lhs["rd_subsidy_rate"] == lhs["rd_subsidy_rate"].round()).all()
    grid = sweep_design([check_factor("laggard_demotion", 0, 1)], "grid", {"laggard_demotion": 5})
    assert grid["laggard_demotion"].tolist() == [0, 1]        # distinct whole numbers only
    X, _ = sensitivity_design("sobol", salib_problem(factors), 8, 0)
    r = round_integers(X, factors)
    assert (r[:, 0] == np.round(r[:, 0])).all() and not (X[:, 0] == np.round(X[:, 0])).all()


def test_batched_target_evaluation_matches_one_run_at_a_time(tiny):
    pts = [{"point": 5, "scenario": "base", "parameters": {"initial_enterprises": 90}},
           {"point": 2, "scenario": "base", "parameters": {"rd_subsidy_rate": 0.15}}]
    got, series = run_points({"base": tiny}, pts, [0, 3], seed=7)
    assert list(got.columns) == OUTCOME_COLUMNS
    kept = series_spec({"base": tiny})
    # the targets' indicators at the scopes they read, nothing else
    assert kept == {"indicators": ["new_high_tech_enterprises", "high_tech_output_share",
                                   "zones_municipal_plus"], "scopes": ["city", "zones"]}
    assert list(series.columns) == [*SERIES_KEYS, *kept["indicators"]]
    assert (series["seed"] == 7).all()
    for pt in pts:
        for r in (0, 3):
            table = run_replicate(tiny, 7, r, pt["parameters"])
            ev = evaluate_targets(tiny, table)
            mine = got[(got["point"] == pt["point"]) & (got["replicate"] == r)]
            np.testing.assert_array_equal(mine["value"].to_numpy(), ev["value"].to_numpy())
            np.testing.assert_array_equal(mine["met"].to_numpy(), ev["met"].to_numpy())
            # the run's series are the rows and columns of its indicator table the targets read
            ours = series[(series["point"] == pt["point"]) & (series["replicate"] == r)]
            theirs = table[table["scope"].isin(kept["scopes"])]
            pd.testing.assert_frame_equal(
                ours[["year", "scope", *kept["indicators"]]].reset_index(drop=True),
                theirs[["year", "scope", *kept["indicators"]]].reset_index(drop=True))
            # and evaluated on their own they give the run's outcomes
            again = evaluate_targets(tiny, ours.drop(columns=["point", "seed"]))
            np.testing.assert_array_equal(again["value"].to_numpy(), ev["value"].to_numpy())
            np.testing.assert_array_equal(again["met"].to_numpy(), ev["met"].to_numpy())


def test_margin_is_capped_and_oriented():
    class T:
        def __init__(self, comparator, value, tolerance=None):
            self.comparator, self.value, self.tolerance = comparator, value, tolerance
    assert _margin(15.0, T(">=", 10)) == 1.5
    assert _margin(5.0, T("<=", 10)) == 2.0
    assert _margin(0.0, T("<=", 10)) == MARGIN_CAP
    assert _margin(float("inf"), T(">=", 0.2)) == MARGIN_CAP
    assert math.isnan(_margin(float("nan"), T(">=", 1)))
    # an approximate goal: from the widened goal; "~": the nearer side of the band
    assert _margin(9.0, T(">=", 10, 0.1)) == pytest.approx(1.0)
    assert _margin(30.0, T("~", 30, 0.1)) == pytest.approx(min(30 / 27, 33 / 30))
    assert _margin(40.0, T("~", 30, 0.1)) == pytest.approx(33 / 40)


# ------------------------------------------------------------------- replicate noise

def _synthetic(points, reps, sd_between, sd_within, seed=0):
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, sd_between, points)
    rows = [{"point": p, "replicate": r, "target": "t", "value": 0.0, "met": False,
             "margin": effect[p] + rng.normal(0, sd_within)}
            for p in range(points) for r in range(reps)]
    return pd.DataFrame(rows)


def test_replicate_noise_pure_noise_and_no_noise():
    pure = replicate_noise(_synthetic(400, 5, 0.0, 1.0)).set_index("output")
    assert pure.loc["margin:t", "noise_share"] > 0.9
    assert pure.loc["margin:t", "noise_share_of_mean"] > 0.85
    none = _synthetic(50, 4, 1.0, 0.0)
    none["margin"] = none["point"] * 1.0
    quiet = replicate_noise(none).set_index("output")
    assert quiet.loc["margin:t", "noise_share"] == 0.0
    assert quiet.loc["margin:t", "noise_share_of_mean"] == 0.0


def test_replicate_noise_known_mixture():
    """σ_b = σ_w = 1 with R = 4: half of a run's variance is noise, and (1/4)/(1 + 1/4) = 0.2
    of the variance of the point means."""
    n = replicate_noise(_synthetic(3000, 4, 1.0, 1.0, seed=3)).set_index("output")
    assert n.loc["margin:t", "noise_share"] == pytest.approx(0.5, abs=0.04)
    assert n.loc["margin:t", "noise_share_of_mean"] == pytest.approx(0.2, abs=0.03)
    assert n.loc["margin:t", "replicates"] == 4
    one = replicate_noise(_synthetic(20, 1, 1.0, 1.0)).set_index("output")
    assert math.isnan(one.loc["margin:t", "noise_share"])   # cannot be told with 1 replicate


# ------------------------------------------------------------------ executors agree

def test_same_numbers_on_every_executor(tiny, tmp_path, monkeypatch):
    """Serial, a 2-process pool and a 2-worker Dask LocalCluster give identical outcomes and
    series (with runs_per_task=1 the pool and Dask write a chunk pair per run, in the order
    the runs finish)."""
    monkeypatch.setattr("zonesim.analysis.experiments.RUNS_PER_TASK", 1)
    factors = [check_factor("initial_enterprises", 80, 160)]
    results, series = {}, {}
    for name, kw in {"serial": {"workers": 1}, "pool": {"workers": 2},
                     "dask": {"dask_local": 2}}.items():
        design, outcomes, summary = sweep(tiny, factors, "grid", {"initial_enterprises": 2},
                                          replicates=2, seed=11, out=tmp_path / name,
                                          progress=False, **kw)
        assert len(design) == 2 and len(outcomes) == 2 * 2 * len(tiny.modelled_targets)
        results[name] = outcomes
        series[name] = zonesim.load(tmp_path / name).series
        store = ResultStore(tmp_path / name)           # 4 chunk pairs merged into one
        assert len(store.chunk_files()) == len(store.series_files()) == 1
        assert len(series[name]) == 2 * 2 * 5 * 2       # runs × years × scopes
    for name in ("pool", "dask"):
        pd.testing.assert_frame_equal(results["serial"], results[name])
        pd.testing.assert_frame_equal(series["serial"], series[name])
    # the two points differ (the sweep did change something)
    v = results["serial"].groupby("point")["value"].apply(tuple)
    assert v.iloc[0] != v.iloc[1]
    s = series["serial"].groupby("point")["high_tech_output_share"].apply(tuple)
    assert s.iloc[0] != s.iloc[1]


# ----------------------------------------------------------- result store: kill, resume

def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def _sweep_cmd(out: Path, *extra) -> list[str]:
    return [sys.executable, "-m", "zonesim", "sweep", str(TINY), "--param",
            "initial_enterprises=80:200:10", "--replicates", "6", "--seed", "3", "--workers", "1",
            "--quiet", "--no-figures", "--out", str(out), *extra]


def test_kill_and_resume_equals_uninterrupted_run(tmp_path, tiny):
    out = tmp_path / "killed"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(_sweep_cmd(out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=tmp_path)
    chunks = out / "chunks"
    deadline = time.monotonic() + 60
    while not (chunks.exists() and any(chunks.glob("chunk-*.parquet"))):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "no chunk written within 60 s"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    store = ResultStore(out)
    partial = store.raw_outcomes()
    total_runs = 10 * 6
    done = store.finished()
    assert 0 < len(done) < total_runs, "the sweep was not interrupted mid-way"
    # every run with outcomes has its series (written first); a kill between the two writes
    # leaves series of a run that is not finished, never outcomes without series
    assert set(zip(partial["point"], partial["replicate"])) == done
    assert done <= set(zip(store.raw_series()["point"], store.raw_series()["replicate"]))
    assert not partial.duplicated(["point", "replicate", "target"]).any()

    # the same command without --resume refuses and leaves the folder alone
    before = _snapshot(out)
    r = subprocess.run(_sweep_cmd(out), capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 2 and "--resume" in r.stderr and "Traceback" not in r.stderr
    assert _snapshot(out) == before

    r = subprocess.run(_sweep_cmd(out, "--resume"), capture_output=True, text=True, env=env,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    m = re.search(r"resuming: (\d+) of (\d+) runs", r.stderr)
    assert m and int(m.group(1)) == len(done) and int(m.group(2)) == total_runs
    resumed = store.raw_outcomes()
    assert not resumed.duplicated(["point", "replicate", "target"]).any()
    assert len(resumed) == total_runs * len(tiny.modelled_targets)
    assert not store.raw_series().duplicated(["point", "replicate", "year", "scope"]).any()
    assert len(store.chunk_files()) == len(store.series_files()) == 1

    factors = [check_factor("initial_enterprises", 80, 200)]
    _, reference, _ = sweep(tiny, factors, "grid", {"initial_enterprises": 10}, replicates=6,
                            seed=3, out=tmp_path / "reference", workers=1, progress=False)
    pd.testing.assert_frame_equal(store.outcomes(), reference)
    pd.testing.assert_frame_equal(store.series(), ResultStore(tmp_path / "reference").series())
    assert len(store.series()) == total_runs * 5 * 2      # runs × years × scopes
    assert ResultStore(tmp_path / "reference").spec()["digest"] == store.spec()["digest"]


def test_folder_with_another_experiment_is_refused_untouched(tmp_path, capsys):
    out = tmp_path / "exp"
    assert main(["sweep", str(TINY), "--param", "initial_enterprises=80:120:2", "-n", "2",
                 "--workers", "1", "--quiet", "--no-figures", "--out", str(out)]) == 0
    before = _snapshot(out)
    capsys.readouterr()
    for argv in (["sweep", str(TINY), "--param", "initial_enterprises=80:140:2"],
                 ["sweep", str(TINY), "--param", "initial_enterprises=80:120:2", "--seed", "1"],
                 ["compare", str(TINY), str(TINY_COPY)]):
        for resume in ([], ["--resume"]):
            rc = main(argv + ["-n", "2", "--workers", "1", "--quiet", "--out", str(out)] + resume)
            err = capsys.readouterr().err
            assert rc == 2 and "different experiment" in err and "nothing was overwritten" in err
            assert _snapshot(out) == before
    # a non-empty folder that holds no experiment is refused too
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["compare", str(TINY), str(TINY_COPY), "--out", str(other), "--quiet"]) == 2
    assert "holds no experiment" in capsys.readouterr().err
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


# --------------------------------------------------------------------------- compare

def test_compare_common_random_numbers(tmp_path, capsys, tiny):
    out = tmp_path / "cmp"
    rc = main(["compare", str(TINY), str(TINY), str(TINY_COPY), str(TINY_SUBSIDY), "-n", "6",
               "--workers", "2", "--quiet", "--out", str(out)])
    printed = capsys.readouterr()
    assert rc == 0, printed.err
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == COMPARISON_COLUMNS
    assert (out / "comparison.png").stat().st_size > 0
    assert set(table["variant"]) == {"tiny (#2)", "tiny_copy", "tiny_high_subsidy"}
    same = table[table["variant"] != "tiny_high_subsidy"]
    assert len(same) == 2 * len(tiny.modelled_targets)
    assert (same["p_met_diff"] == 0).all()
    # no replicate changes, yet the interval says how small a change 6 replicates could tell
    assert (same["p_met_diff_low"] < -0.1).all() and (same["p_met_diff_high"] > 0.1).all()
    np.testing.assert_allclose(same["p_met_diff_low"], -same["p_met_diff_high"])
    assert (same["median_diff"] == 0).all()
    assert (same["median_diff_low"] == 0).all() and (same["median_diff_high"] == 0).all()
    lever = table[table["variant"] == "tiny_high_subsidy"]
    assert (lever["median_diff"].abs() > 0).any()
    assert ((lever["p_met_diff_low"] <= lever["p_met_diff"])
            & (lever["p_met_diff"] <= lever["p_met_diff_high"])).all()
    # what each variant changes in the base: the copies nothing, the lever variant two levers
    diffs = pd.read_csv(out / "differences.csv")
    assert list(diffs.columns) == DIFFERENCE_COLUMNS
    assert set(diffs["variant"]) == {"tiny_high_subsidy"}
    assert dict(zip(diffs["name"], diffs["variant_value"])) == {
        "rd_subsidy_rate": 0.2, "certification_reward_yuan": 500000}
    text = printed.out
    assert text.count("nothing: the variant runs exactly as the base") == 2
    assert "rd_subsidy_rate: 0.08 → 0.2 share of R&D expense" in text
    assert "certification_reward_yuan: 200,000 → 500,000 yuan per first certification" in text
    for t in tiny.modelled_targets:       # targets in words, not by id
        assert target_label(t) in text and t.id not in text
    # common random numbers: replicate r of the copy is replicate r of the base, run for run
    o = ResultStore(out).outcomes()
    base = o[o["point"] == 0].drop(columns="point").reset_index(drop=True)
    s = ResultStore(out).series()
    base_series = s[s["point"] == 0].drop(columns="point").reset_index(drop=True)
    for p in (1, 2):
        pd.testing.assert_frame_equal(base, o[o["point"] == p].drop(columns="point")
                                      .reset_index(drop=True))
        pd.testing.assert_frame_equal(base_series, s[s["point"] == p].drop(columns="point")
                                      .reset_index(drop=True))


def test_paired_interval_of_identical_samples_is_zero():
    rng = np.random.default_rng(0)
    x = rng.normal(size=30)
    assert _paired_ci(x, x.copy(), np.median, rng) == (0.0, 0.0)
    lo, hi = _paired_ci(x, x + 1.0, np.mean, rng)
    assert lo == pytest.approx(1.0) and hi == pytest.approx(1.0)
    lo, hi = _paired_ci(x, x + rng.normal(size=30), np.mean, rng)
    assert lo < hi


# ------------------------------------------------------------ outputs of the commands

def test_sensitivity_cli_writes_every_output(tmp_path, capsys):
    out = tmp_path / "morris"
    rc = main(["sensitivity", str(TINY), "--method", "morris", "--samples", "4", "-n", "2",
               "--params", "rd_subsidy_rate,initial_enterprises,growth_drift", "--workers", "2",
               "--quiet", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    idx = pd.read_csv(out / "indices.csv")
    assert list(idx.columns) == INDEX_COLUMNS
    assert {"mu_star", "sigma", "mu"} <= set(idx["index"])
    assert set(idx["parameter"]) == {"rd_subsidy_rate", "initial_enterprises", "growth_drift"}
    assert set(idx["output"]) <= {f"{k}:{t}" for k in ("p_met", "margin")
                                  for t in ("new_hte_each_year", "zone_hte_output_share",
                                            "municipal_zones")}
    conv = pd.read_csv(out / "convergence.csv")
    assert list(conv.columns) == ["parameter", "output", "index", "value", "value_half"]
    assert len(conv) > 0
    noise = pd.read_csv(out / "replicate_noise.csv")
    assert {"output", "noise_share", "noise_share_of_mean"} <= set(noise.columns)
    assert len(noise) == 2 * 3
    design = pd.read_parquet(out / "design.parquet")
    assert len(design) == 4 * 4 and design["initial_enterprises"].dtype.kind == "i"
    for f in ("report.md", "overview.png", "convergence.png", "experiment.json"):
        assert (out / f).stat().st_size > 0, f
    assert len(list((out / "figures").glob("*.png"))) == idx["output"].nunique()
    assert "mu_star" in (out / "report.md").read_text()


def test_old_name_of_samples_still_works_with_a_note(tmp_path, capsys):
    """--n was the base samples' name beside -n (replicates); it still works, and says so."""
    out = tmp_path / "old"
    rc = main(["sensitivity", str(TINY), "--method", "morris", "--n", "4", "-n", "1",
               "--params", "rd_subsidy_rate,growth_drift", "--workers", "1", "--quiet",
               "--no-figures", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "--n is now --samples" in err and err.count("\n") == 1
    assert len(pd.read_parquet(out / "design.parquet")) == 4 * (2 + 1)


def test_grouped_sobol_cli(tmp_path, capsys):
    out = tmp_path / "sobol"
    rc = main(["sensitivity", str(TINY), "--method", "sobol", "--samples", "8", "-n", "1",
               "--params", "rd_subsidy_rate,initial_enterprises,growth_drift", "--groups", "kind",
               "--workers", "2", "--quiet", "--no-figures", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    idx = pd.read_csv(out / "indices.csv")
    assert set(idx["parameter"]) == {"lever", "uncertainty"}
    assert set(idx["index"]) == {"S1", "ST"}
    assert len(pd.read_parquet(out / "design.parquet")) == 8 * (2 + 2)
    assert len(pd.read_csv(out / "convergence.csv")) > 0


def test_lhs_sweep_with_two_parameters_draws_a_scatter(tmp_path, capsys):
    out = tmp_path / "lhs"
    rc = main(["sweep", str(TINY), "--param", "rd_subsidy_rate=0:0.2", "--param",
               "initial_enterprises=80:200", "--design", "lhs", "--samples", "6", "-n", "1",
               "--workers", "2", "--quiet", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    s = pd.read_csv(out / "sweep_summary.csv")
    assert {"point", "rd_subsidy_rate", "initial_enterprises", "target", "p_met", "p_met_low",
            "p_met_high", "median"} <= set(s.columns)
    assert len(list((out / "figures").glob("*.png"))) == 3
    one = s[s["target"] == s["target"].iloc[0]]
    assert not _is_grid(one["rd_subsidy_rate"], one["initial_enterprises"])
    grid = pd.DataFrame({"a": [0, 0, 1, 1], "b": [0, 1, 0, 1]})
    assert _is_grid(grid["a"], grid["b"])


def test_sweep_chart_uses_scatter_for_scattered_points(tmp_path, monkeypatch):
    import matplotlib.axes
    calls = []
    for name in ("scatter", "pcolormesh", "imshow"):
        orig = getattr(matplotlib.axes.Axes, name)
        monkeypatch.setattr(matplotlib.axes.Axes, name,
                            lambda self, *a, _n=name, _o=orig, **k: (calls.append(_n), _o(self, *a, **k))[1])
    rng = np.random.default_rng(0)
    s = pd.DataFrame({"a": rng.random(8), "b": rng.random(8), "target": "t",
                      "p_met": rng.random(8), "p_met_low": 0.0, "p_met_high": 1.0})
    sweep_chart(s, ["a", "b"], "t", tmp_path / "lhs.png")
    assert calls[0] == "scatter" and "imshow" not in calls     # (the colour bar draws a mesh)
    calls.clear()
    g = pd.DataFrame({"a": [0, 0, 1, 1, 2, 2], "b": [0, 1] * 3, "target": "t",
                      "p_met": np.linspace(0, 1, 6), "p_met_low": 0.0, "p_met_high": 1.0})
    sweep_chart(g, ["a", "b"], "t", tmp_path / "grid.png")
    assert calls[0] == "pcolormesh" and "scatter" not in calls


# ------------------------------------------------------------------------ bad input

@pytest.fixture
def existing(tmp_path):
    """An existing output folder with a file of the user's in it."""
    d = tmp_path / "existing"
    d.mkdir()
    (d / "keep.txt").write_text("user data")
    return d


BAD = [
    (["sweep", str(TINY), "--param", "rd_subsidy_rat=0:0.1"],
     "unknown parameter 'rd_subsidy_rat' (did you mean rd_subsidy_rate"),
    (["sensitivity", str(TINY), "--params", "rd_subsidy_rate,growth_drif"],
     "unknown parameter 'growth_drif' (did you mean growth_drift"),
    (["sweep", str(TINY), "--param", "rd_subsidy_rate=0:1.5"],
     "rd_subsidy_rate, HIGH: must be ≤ 1 (share of R&D expense), got 1.5"),
    (["sweep", str(TINY), "--param", "initial_enterprises=-5:100"],
     "initial_enterprises, LOW: must be ≥ "),
    (["sweep", str(TINY), "--param", "rd_subsidy_rate=0:nan"],
     "rd_subsidy_rate, HIGH: expected a finite number"),
    (["sweep", str(TINY), "--param", "rd_subsidy_rate=0.2:0.1"], "LOW must be below HIGH"),
    (["sweep", str(TINY), "--param", "rd_subsidy_rate=0.1:0.1"], "LOW must be below HIGH"),
    (["sweep", str(TINY), "--param", "rd_subsidy_rate=low:high"], "expected NAME=LOW:HIGH"),
    (["sweep", str(TINY), "--param", "land_allocation_rule=0:1"], "categorical"),
    (["sensitivity", str(TINY), "--method", "morris", "--samples", "1"],
     "morris needs at least 2 trajectories"),
    (["sensitivity", str(TINY), "--method", "sobol", "--samples", "2"], "sobol needs a base sample"),
    (["sensitivity", str(TINY), "--method", "fast", "--samples", "50"], "fast needs N > 4·M² = 64"),
    (["sensitivity", str(TINY), "--method", "delta", "--samples", "15", "--params",
      "rd_subsidy_rate,growth_drift"], "--n ≥ 20 for 2 factors, got 15"),
    (["sensitivity", str(TINY), "--method", "pawn", "--samples", "100"], "at least 10 samples per factor"),
    (["sensitivity", str(TINY), "--method", "fast", "--groups", "kind"], "does not support groups"),
    (["sensitivity", str(TINY), "--samples", "4", "--n", "4"], "give the base samples once"),
    (["sensitivity", str(TINY), "--params", "offshore_bases,rd_subsidy_rate"],
     "have no low–high range"),
    (["compare", str(TINY), str(TINY_COPY), "--scheduler", "tcp://127.0.0.1:1", "--dask-local",
      "2"], "either --scheduler"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_input_clear_message_nothing_written(argv, message, existing, capsys):
    before = _snapshot(existing)
    rc = main(argv + ["--out", str(existing), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert message in err, err
    assert err.startswith("zonesim: ") and "Traceback" not in err
    assert _snapshot(existing) == before


def test_bad_input_exit_code_from_the_shell(existing):
    r = subprocess.run([sys.executable, "-m", "zonesim", "sweep", str(TINY), "--param",
                        "rd_subsidy_rat=0:0.1", "--out", str(existing)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "did you mean rd_subsidy_rate" in r.stderr and "Traceback" not in r.stderr
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_sobol_n_not_power_of_two_warns_and_runs(tmp_path, capsys):
    out = tmp_path / "sobol12"
    rc = main(["sensitivity", str(TINY), "--method", "sobol", "--samples", "12", "-n", "1",
               "--params", "rd_subsidy_rate,growth_drift", "--workers", "1", "--quiet",
               "--no-figures", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "Sobol N = 12 is not a power of two" in err and "N = 8 or 16" in err
    assert err.count("not a power of two") == 1
    assert len(pd.read_parquet(out / "design.parquet")) == 12 * 4
    assert (out / "indices.csv").exists()


def test_api_warning_for_sobol_n(tiny):
    problem = salib_problem(uncertainty_space(tiny, ["rd_subsidy_rate", "growth_drift"]))
    with pytest.warns(UserWarning, match="not a power of two"):
        sensitivity_design("sobol", problem, 100, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sensitivity_design("sobol", problem, 64, 0)
