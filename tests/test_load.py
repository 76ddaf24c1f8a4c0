"""``zonesim.load``: every kind of output folder (run, compare, sweep, sensitivity, calibration)
in one shape — an experiments table of one row per run with its seed and replicate, aligned by
run id with an outcomes table and (but for a calibration) a series table, which the fan charts
draw — holding exactly what the writer computed; anything else is refused with one line naming
the folder.

Runs use tests/data/tiny.toml (a few hundredths of a second each), serially."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import zonesim
from zonesim.analysis.posterior_predictive import PREDICTIVE_KEY
from zonesim.analysis.calibration import (ScenarioSimulator, calibrate, horizon,
                                          select_statistics)
from zonesim.analysis.compare import compare
from zonesim.analysis.run_scenario import run_scenario
from zonesim.analysis.sensitivity import sensitivity
from zonesim.analysis.space import check_factor
from zonesim.analysis.store import ResultStore
from zonesim.analysis.sweep import sweep
from zonesim.analysis.targets import evaluate_targets
from zonesim.errors import ExperimentError, ZonesimError
from zonesim.present.figures import fan_figure, worst_member
from zonesim.run import run_replicate

DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.toml"
SEED = 5


@pytest.fixture(scope="module")
def tiny():
    return zonesim.load_scenario(TINY)


def _check_shape(res, runs: int) -> None:
    """One experiments row per run, with seed and replicate; every outcome row's run is one of
    them, with the same seed and replicate."""
    e, o = res.experiments, res.outcomes
    assert list(e.columns[:1]) == ["run"] and {"scenario", "seed", "replicate"} <= set(e.columns)
    assert len(e) == runs and e["run"].is_unique
    assert list(o.columns[:1]) == ["run"] and {"seed", "replicate", "target", "value"} \
        <= set(o.columns)
    assert o["run"].isin(e["run"]).all()
    m = o.merge(e[["run", "seed", "replicate"]], on="run", suffixes=("", "_e"))
    assert len(m) == len(o)
    assert (m["seed"] == m["seed_e"]).all() and (m["replicate"] == m["replicate_e"]).all()
    assert o["run"].is_monotonic_increasing


def _check_store_series(res, tiny) -> None:
    """A store's series: keyed as its outcomes, for every run, with the indicators its targets
    use at the scopes they read (tiny: city and all zones)."""
    e, s = res.experiments, res.series
    assert list(s.columns) == ["run", "point", "seed", "replicate", "year", "scope",
                               "new_high_tech_enterprises", "high_tech_output_share",
                               "zones_municipal_plus"]
    assert set(s["run"]) == set(e["run"]) and s["run"].is_monotonic_increasing
    m = s.merge(e[["run", "point", "seed", "replicate"]], on="run", suffixes=("", "_e"))
    for key in ("point", "seed", "replicate"):
        assert (m[key] == m[f"{key}_e"]).all()
    assert len(s) == len(e) * 5 * 2                   # years × scopes (city, zones)
    assert set(s["scope"]) == {"city", "zones"}
    assert not s.duplicated(["run", "year", "scope"]).any()


# ------------------------------------------------------------------------------ run

@pytest.fixture(scope="module")
def run_folder(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return out, run_scenario(tiny, 3, seed=SEED, out=out, workers=1, progress=False)


def test_run_folder_loads(tiny, run_folder):
    out, written = run_folder
    res = zonesim.load(out)
    _check_shape(res, 3)
    assert res.experiments["replicate"].tolist() == [0, 1, 2] == res.experiments["run"].tolist()
    assert (res.experiments["seed"] == SEED).all()
    assert (res.experiments["scenario"] == "tiny").all()
    assert len(res.outcomes) == 3 * len(tiny.modelled_targets)
    assert res.metadata["kind"] == "run" and res.metadata["scenarios"] == ["tiny"]
    assert res.metadata["seed"] == SEED and res.metadata["settings"]["replicates"] == 3
    # the series are the indicators the run computed, keyed as the outcomes
    assert list(res.series.columns[:3]) == ["run", "seed", "replicate"]
    pd.testing.assert_frame_equal(res.series.drop(columns="run"), written["table"])
    # the outcomes are the targets evaluated on those series, and what the writer computed
    ev = evaluate_targets(tiny, res.series).sort_values("replicate", kind="stable",
                                                         ignore_index=True)
    for col in ("replicate", "target", "value", "met"):
        np.testing.assert_array_equal(res.outcomes[col].to_numpy(), ev[col].to_numpy())
    np.testing.assert_array_equal(res.outcomes["first_met_year"].to_numpy(),
                                  ev["first_met_year"].to_numpy(float))
    mine = written["evaluations"].sort_values("replicate", kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(res.outcomes.drop(columns="run"), mine)


def test_run_folder_same_on_two_workers(tiny, run_folder, tmp_path):
    out, _ = run_folder
    run_scenario(tiny, 3, seed=SEED, out=tmp_path, workers=2, progress=False)
    a, b = zonesim.load(out), zonesim.load(tmp_path)
    for table in ("experiments", "outcomes", "series"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))


# -------------------------------------------------------------------- result stores

def test_compare_store_loads(tiny, tmp_path):
    variant = zonesim.load_scenario(DATA / "tiny_high_subsidy.toml")
    outcomes, _ = compare(tiny, [variant], 2, seed=SEED, out=tmp_path, workers=1,
                          progress=False)
    res = zonesim.load(tmp_path)
    _check_shape(res, 2 * 2)
    assert res.experiments["scenario"].tolist() == ["tiny", "tiny", "tiny_high_subsidy",
                                                    "tiny_high_subsidy"]
    assert res.experiments["point"].tolist() == [0, 0, 1, 1]
    assert res.experiments["run"].tolist() == [0, 1, 2, 3]
    assert list(res.experiments.columns) == ["run", "point", "scenario", "seed", "replicate"]
    assert res.metadata["kind"] == "compare" and res.metadata["complete"]
    assert res.metadata["scenarios"] == ["tiny", "tiny_high_subsidy"]
    pd.testing.assert_frame_equal(res.outcomes.drop(columns="run"), outcomes)
    _check_store_series(res, tiny)


def test_sweep_store_loads_with_each_runs_parameters(tiny, tmp_path):
    factors = [check_factor("initial_enterprises", 80, 160),
               check_factor("rd_subsidy_rate", 0.0, 0.2)]
    design, outcomes, _ = sweep(tiny, factors, "lhs", samples=3, replicates=2, seed=SEED,
                                out=tmp_path, workers=1, progress=False)
    res = zonesim.load(tmp_path)
    _check_shape(res, 3 * 2)
    e = res.experiments
    assert list(e.columns) == ["run", "point", "scenario", "seed", "replicate",
                               "initial_enterprises", "rd_subsidy_rate"]
    expected = design.loc[design.index.repeat(2), ["point", *[f.name for f in factors]]]
    pd.testing.assert_frame_equal(e[expected.columns].reset_index(drop=True),
                                  expected.reset_index(drop=True))
    pd.testing.assert_frame_equal(res.outcomes.drop(columns="run"), outcomes)
    assert res.metadata["kind"] == "sweep"
    _check_store_series(res, tiny)
    # an experiments row is the whole recipe of its run: rerun alone, it gives its outcomes
    row = e.iloc[3]
    params = {f.name: row[f.name].item() for f in factors}
    ev = evaluate_targets(tiny, run_replicate(tiny, int(row["seed"]), int(row["replicate"]),
                                              params))
    got = res.outcomes[res.outcomes["run"] == row["run"]].set_index("target")
    np.testing.assert_array_equal(got.loc[ev["target"], "value"].to_numpy(),
                                  ev["value"].to_numpy())
    for col in ("met", "first_met_year"):
        np.testing.assert_array_equal(got.loc[ev["target"], col].to_numpy(),
                                      ev[col].to_numpy(got[col].dtype))


def test_a_sweep_points_series_draw_its_fan_chart(tiny, tmp_path):
    """One point's series are the table the fan charts draw, the same as the runs' own
    indicator tables give (a run folder's series shape)."""
    factors = [check_factor("rd_subsidy_rate", 0.0, 0.2)]
    sweep(tiny, factors, "grid", {"rd_subsidy_rate": 2}, replicates=4, seed=SEED, out=tmp_path,
          workers=1, progress=False)
    res = zonesim.load(tmp_path)
    for point, rate in enumerate((0.0, 0.2)):
        one = res.series[res.series["point"] == point]
        runs = pd.concat([run_replicate(tiny, SEED, r, {"rd_subsidy_rate": rate})
                          for r in range(4)], ignore_index=True)
        for t in tiny.modelled_targets:
            pd.testing.assert_frame_equal(worst_member(one, tiny, t),
                                          worst_member(runs, tiny, t))
            fig = fan_figure(tiny, one, t)
            assert fig is not None and len(fig.axes[0].collections) == 2    # the two bands
            plt.close(fig)


def test_sensitivity_store_loads(tiny, tmp_path):
    res_in = sensitivity(tiny, "morris", 2, replicates=2, seed=SEED,
                         names=["rd_subsidy_rate", "initial_enterprises"], out=tmp_path,
                         workers=1, progress=False)
    res = zonesim.load(tmp_path)
    _check_shape(res, len(res_in["design"]) * 2)
    assert res.metadata["kind"] == "sensitivity"
    assert {"rd_subsidy_rate", "initial_enterprises"} <= set(res.experiments.columns)
    pd.testing.assert_frame_equal(res.outcomes.drop(columns="run"), res_in["outcomes"])
    _check_store_series(res, tiny)


def test_unfinished_store_keeps_run_ids(tiny, tmp_path):
    """A store interrupted after some runs loads the finished ones, with the ids they will
    keep once it is resumed."""
    factors = [check_factor("initial_enterprises", 80, 160)]
    sweep(tiny, factors, "grid", {"initial_enterprises": 3}, replicates=2, seed=SEED,
          out=tmp_path, workers=1, progress=False)
    full = zonesim.load(tmp_path)
    store = ResultStore(tmp_path)
    outcomes, series = store.outcomes(), store.series()
    for f in store.chunk_files() + store.series_files():
        f.unlink()
    store.write_chunk(outcomes[outcomes["point"] != 1], series[series["point"] != 1])
    # point 1's outcomes alone (its series lost): its runs are not finished
    outcomes[outcomes["point"] == 1].to_parquet(store.chunks / "chunk-lone.parquet", index=False)
    part = zonesim.load(tmp_path)
    _check_shape(part, 2 * 2)
    assert not part.metadata["complete"] and full.metadata["complete"]
    assert store.finished() == {(p, r) for p in (0, 2) for r in (0, 1)}
    for table in ("experiments", "outcomes", "series"):
        whole = getattr(full, table)
        pd.testing.assert_frame_equal(getattr(part, table),
                                      whole[whole["point"] != 1].reset_index(drop=True))


@pytest.mark.parametrize("older", [None, 1])
def test_store_of_an_older_format_is_refused(tiny, tmp_path, older):
    """Before the format was recorded, and format 1 (outcomes without series)."""
    factors = [check_factor("initial_enterprises", 80, 160)]
    kw = dict(replicates=1, seed=SEED, out=tmp_path, workers=1, progress=False)
    sweep(tiny, factors, "grid", {"initial_enterprises": 2}, **kw)
    spec_path = tmp_path / "experiment.json"
    spec = json.loads(spec_path.read_text())
    del spec["series"]
    if older is None:
        del spec["result_format"]
    else:
        spec["result_format"] = older
    spec["digest"] = "0" * 16        # as a store written by the older zonesim
    spec_path.write_text(json.dumps(spec))
    for f in ResultStore(tmp_path).series_files():
        f.unlink()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(ZonesimError, match="older zonesim"):
        zonesim.load(tmp_path)
    with pytest.raises(ExperimentError, match="another result format"):
        sweep(tiny, factors, "grid", {"initial_enterprises": 2}, resume=True, **kw)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_run_folder_of_format_one_still_loads(run_folder, tmp_path):
    """Run folders have not changed since format 1: one written then loads as it did."""
    folder = tmp_path / "copy"
    shutil.copytree(run_folder[0], folder)
    meta = json.loads((folder / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps({**meta, "result_format": 1}))
    a, b = zonesim.load(folder), zonesim.load(run_folder[0])
    for table in ("experiments", "outcomes", "series"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))


# ---------------------------------------------------------------------- calibration

def test_calibration_folder_loads(tmp_path):
    data = pd.DataFrame([
        {"indicator": "high_tech_enterprises", "scope": "city", "year": 2018, "value": 12},
        {"indicator": "patent_applications", "scope": "city", "year": 2018, "value": 300}])
    names = ["score_judged_ip_points", "growth_drift"]
    written = calibrate(TINY, data, parameters=names, populations=2, particles=6, seed=SEED,
                        out=tmp_path, predictive=5, max_proposals=3)
    res = zonesim.load(tmp_path)
    _check_shape(res, 5)
    # the fitted parameters, then the prior draws of the others the particle ran with
    columns = list(res.experiments.columns)
    assert columns[:7] == ["run", "particle", "scenario", "seed", "replicate", *names]
    drawn = columns[5:]
    assert len(drawn) > 100
    pd.testing.assert_frame_equal(res.experiments, written["predictive_runs"])
    pd.testing.assert_frame_equal(res.outcomes, written["predictive_outcomes"])
    assert len(res.outcomes) == 5 * 2 and res.series is None
    assert res.metadata["kind"] == "calibration" and res.metadata["seed"] == SEED
    # the fit's posterior-predictive band is the one of these runs
    values = res.outcomes["value"].to_numpy().reshape(5, 2)
    for j, r in enumerate(written["fit"].itertuples()):
        assert [r.posterior_q05, r.posterior_median, r.posterior_q95] == \
            np.nanquantile(values[:, j], [0.05, 0.5, 0.95]).tolist()
    # each run is its row: parameters, seed and replicate give back its statistics
    sc = zonesim.load_scenario(TINY)
    stats = select_statistics(sc, data)
    sim = ScenarioSimulator(horizon(sc, 2018), drawn, stats, nuisance=False)
    row = res.experiments.iloc[2]
    ss = np.random.SeedSequence(int(row["seed"]), spawn_key=(PREDICTIVE_KEY, int(row["replicate"])))
    again = sim([(row[drawn].to_numpy(float), [ss])])[0]
    np.testing.assert_array_equal(res.outcomes.loc[res.outcomes["run"] == row["run"], "value"],
                                  again)


# ------------------------------------------------------------------------ not outputs

def _one_line_naming(folder: Path, excinfo) -> None:
    msg = str(excinfo.value)
    assert "\n" not in msg and str(folder) in msg, msg


def test_not_an_output_folder(tmp_path):
    for folder in (tmp_path / "missing", tmp_path):
        with pytest.raises(ZonesimError, match="zonesim output folder") as e:
            zonesim.load(folder)
        _one_line_naming(folder, e)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ZonesimError, match="run.json") as e:
        zonesim.load(tmp_path)
    _one_line_naming(tmp_path, e)


@pytest.mark.parametrize("damage", ["bad json", "json list", "older", "no outcomes",
                                    "no replicates"])
def test_damaged_run_folder(run_folder, tmp_path, damage):
    folder = tmp_path / "copy"
    shutil.copytree(run_folder[0], folder)
    meta = json.loads((folder / "run.json").read_text())
    if damage == "bad json":
        (folder / "run.json").write_text("{ not json")
    elif damage == "json list":
        (folder / "run.json").write_text("[1, 2]")
    elif damage == "older":
        del meta["result_format"]
        (folder / "run.json").write_text(json.dumps(meta))
    elif damage == "no outcomes":
        (folder / "targets_by_replicate.parquet").unlink()
    else:
        del meta["replicates"]
        (folder / "run.json").write_text(json.dumps(meta))
    with pytest.raises(ZonesimError) as e:
        zonesim.load(folder)
    _one_line_naming(folder, e)


def test_the_model_digest_covers_engine_rules_and_registry_data():
    from zonesim.analysis.store import model_files
    files = model_files()
    for needed in ("engine/model.py", "rules.py", "registry/parameters.toml",
                   "registry/indicators.toml", "run.py", "analysis/targets.py"):
        assert needed in files
    assert not any(f.startswith(("present/", "cli.py")) for f in files)
