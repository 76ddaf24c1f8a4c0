"""The posteriors the seed scenarios ship (issue 16 item 2): each is there, current with its
run-in and data, and says where it comes from; --ship writes one that runs then use."""

from __future__ import annotations

import pandas as pd
import pytest

from zonesim.analysis import shipped_posterior
from zonesim.analysis.calibration_data import select_statistics
from zonesim.analysis.run_scenario import scenario_digest
from zonesim.analysis.ship_posterior import ship
from zonesim.analysis.shipped_posterior import DATA_DIR, load_posterior, posterior_paths
from zonesim.analysis.space import uncertainty_space
from zonesim.analysis.uncertainty import draw_parameters
from zonesim.scenario import load_scenario

SEED_SCENARIOS = ["gaogang_2017_2020", "taizhou_jiangsu_2017_2020",
                  "jiangsu_one_zone_one_industry_2018_2022", "taizhou_zhejiang_2024_2027",
                  "nantong_2024_2027"]


@pytest.mark.parametrize("name", SEED_SCENARIOS)
def test_every_seed_scenario_ships_a_current_posterior(name):
    sc = load_scenario(name)
    post = load_posterior(sc)
    assert post is not None and post.parameters, name
    rec = post.record
    remake = f"re-make it: zonesim calibrate {name} --ship"
    runin = load_scenario(rec["runin"])
    assert rec["runin_digest"] == scenario_digest(runin), f"the run-in changed; {remake}"
    fitted = [(s["indicator"], s["scope"], s["year"], s["value"], s["weight"])
              for s in rec["statistics"]]
    now = [(s.indicator, s.scope, s.year, s.value, s.weight)
           for s in select_statistics(runin, DATA_DIR / rec["data"])]
    assert fitted == now, f"the calibration data changed; {remake}"
    for key in ("method", "date", "code_digest", "data_digest", "settings", "fit"):
        assert rec[key], key
    # what the record says carries over is what runs draw, and the figures are there
    assert post.parameters == rec["carried_over"]
    csv_path, _ = posterior_paths(rec["runin"])
    for suffix in ("_fit.png", "_pairs.png"):
        assert csv_path.with_name(rec["runin"] + suffix).is_file()
    draws = draw_parameters(sc, 4, seed=0)
    assert draws.mode == "posterior" and draws.from_posterior == post.parameters


def test_ship_writes_a_posterior_that_runs_draw_from(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped_posterior, "POSTERIOR_DIR", tmp_path)
    sc = load_scenario("gaogang_2017_2020")
    tiny = sc.calibration.model_copy(update={"populations": 1, "particles": 8,
                                             "predictive": 10})
    sc = sc.model_copy(update={"calibration": tiny})
    record = ship(sc, workers=1)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {f"gaogang_2017_2020{s}" for s in (".csv", ".json", "_fit.png",
                                                        "_pairs.png")}
    # the particles hold the fitted parameters and the prior draws of every other uncertain
    # one; the run-in is the scenario itself here, so every one carries over
    everything = {f.name for f in uncertainty_space(sc, include_levers=False)}
    assert set(record["parameters"]) < set(record["drawn"]) == everything
    assert record["carried_over"] == record["drawn"]
    particles = pd.read_csv(tmp_path / "gaogang_2017_2020.csv")
    assert len(particles) == 8 and set(record["drawn"]) <= set(particles.columns)
    draws = draw_parameters(sc, 6, seed=2)
    assert draws.from_prior == []
    picked = draws.table[record["drawn"]].drop_duplicates()
    merged = picked.merge(particles[record["drawn"]], how="left", indicator=True)
    assert (merged["_merge"] == "both").all()  # every draw is a whole particle


def test_a_runin_with_its_own_start_carries_over_only_what_it_shares():
    nantong = load_scenario("nantong_2024_2027")
    runin = load_scenario("nantong_runin_2020_2023")
    kept = shipped_posterior.carried_over(
        nantong, runin, ["baseline_rd_intensity", "statistical_rd_ratio",
                         "firm_revenue_median_yuan", "high_tech_upgrade_rate"])
    assert kept == ["statistical_rd_ratio", "high_tech_upgrade_rate"]
