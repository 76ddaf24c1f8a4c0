"""The starting-state measures (zonesim.analysis.start_state) compute what they say: the
certified firms' growth, the pipeline at set-up by the certification rules, the settled
backlog, and published levels matched to the modelled ones; the published levels file names
only registered indicators, scopes and scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zonesim.analysis.start_state import (FIRST_TIME_PASS_RATE, NANTONG, NATIONAL,
                                          certified_path, levels, pipeline_at_start,
                                          read_levels, settled_backlog,
                                          settled_first_certifications, yearly_growth)
from zonesim.engine.model import ZoneModel
from zonesim.engine.status import high_tech_eligible
from zonesim.registry.indicators import INDICATORS
from zonesim.run import replicate_seed
from zonesim.scenario import load_scenario


def _table(counts: dict[int, list[int]], first_year: int) -> pd.DataFrame:
    """An indicator table of certified firms: replicate → counts from ``first_year`` − 1."""
    return pd.DataFrame([{"replicate": r, "year": first_year - 1 + k, "scope": "city",
                          "high_tech_enterprises": c, "new_high_tech_enterprises": 0}
                         for r, cs in counts.items() for k, c in enumerate(cs)])


def test_certified_path_growth():
    path = certified_path(_table({0: [100, 150, 180, 216], 1: [100, 100, 100, 100]}, 2017),
                          2017)
    assert path.loc[0, "first_year_growth"] == pytest.approx(0.5)
    assert path.loc[0, "yearly_growth"] == pytest.approx(2.16 ** (1 / 3) - 1)
    assert path.loc[1, "yearly_growth"] == 0.0 and path.loc[1, "end"] == 100


def test_published_growth_references():
    assert NATIONAL.yearly == pytest.approx((275 / 181) ** 0.5 - 1)
    assert 0.22 < NATIONAL.yearly < 0.24 and 0.14 < NANTONG.yearly < 0.16


def test_settled_backlog_is_a_year_of_applicants():
    flow = settled_first_certifications(1000)
    assert flow == pytest.approx(1000 * (NATIONAL.yearly + 0.15 / 3))
    assert settled_backlog(1000) == pytest.approx(flow / FIRST_TIME_PASS_RATE)


def test_pipeline_counts_what_the_rules_allow():
    sc = load_scenario("gaogang_2017_2020")
    pipe = pipeline_at_start(sc, seed=4, replicates=1)
    model = ZoneModel(sc, seed=replicate_seed(4, 0))
    e = model.firms
    assert pipe.loc[0, "certified"] == int((e.certified & e.alive).sum())
    assert pipe.loc[0, "eligible_uncertified"] == int((high_tech_eligible(model)
                                                       & ~e.certified).sum())


def test_levels_compare_the_same_year_and_scope():
    sc = load_scenario("gaogang_2017_2020")
    table = pd.DataFrame([{"replicate": r, "year": 2018, "scope": "city",
                           "high_tech_output_yuan": v} for r, v in enumerate([1e10, 2e10, 3e10])])
    published = pd.DataFrame([{"scenario": sc.name, "indicator": "high_tech_output_yuan",
                               "scope": "city", "year": 2018, "value": 4e10, "basis": "published",
                               "source": "test"}])
    row = levels(table, sc, published).iloc[0]
    assert row["median"] == 2e10 and row["off"] == pytest.approx(-0.5) and row["simulated"]


def test_published_levels_file_is_consistent():
    published = read_levels()
    assert set(published["basis"]) <= {"published", "derived", "assumption"}
    for _, r in published.iterrows():
        sc = load_scenario(r["scenario"])
        assert r["indicator"] in INDICATORS, r["indicator"]
        assert r["scope"] == "city" or r["scope"] in {f"zone:{z.id}" for z in sc.zones}
        assert sc.meta.start_year - 1 <= r["year"] <= sc.meta.end_year, (r["scenario"], r["year"])
        assert r["value"] > 0
        assert ("published_statistics.csv" in r["source"] or "÷" in r["source"]
                or r["basis"] == "assumption"), r["source"]


def test_a_start_level_the_scenario_sets_is_marked_as_an_input():
    sc = load_scenario("nantong_2024_2027")
    table = pd.DataFrame([{"replicate": r, "year": y, "scope": "city", "gdp_yuan": 1e12}
                          for r in range(2) for y in (2024, 2025)])
    published = pd.DataFrame([{"scenario": sc.name, "indicator": "gdp_yuan", "scope": "city",
                               "year": y, "value": 1.24e12, "basis": "published",
                               "source": "test"} for y in (2024, 2025)])
    rows = levels(table, sc, published).set_index("year")
    assert rows.loc[2024, "anchored"] and not rows.loc[2025, "anchored"]
    jiangsu = load_scenario("jiangsu_one_zone_one_industry_2018_2022")
    published["scenario"], published["year"] = jiangsu.name, 2017
    table["year"] = table["year"] - 7
    assert not levels(table, jiangsu, published)["anchored"].any()


def test_yearly_growth_is_the_mean_log_change_from_the_start():
    rows = [{"replicate": r, "year": y, "scope": "city", **{i: v * (1 + r) for i in
             ("above_scale_output_yuan", "enterprises", "above_scale_enterprises",
              "high_tech_enterprises")}}
            for r in range(2) for y, v in ((2016, 100.0), (2017, 110.0), (2018, 121.0))]
    g = yearly_growth(pd.DataFrame(rows), 2017)
    out = g[g["indicator"] == "enterprises"].set_index("year")
    assert list(out.index) == [2017, 2018]
    assert out["mean"].to_numpy() == pytest.approx(np.log(1.1))
    assert out["se"].to_numpy() == pytest.approx(0.0, abs=1e-12)
