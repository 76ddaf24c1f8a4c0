"""`zonesim levers`: each lever at both ends of its range on common random numbers, and the
change of what it is meant to move (zonesim.analysis.levers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import GOOD_BASE
from scipy import stats

from zonesim.analysis.levers import (LEVER_COLUMNS, VERDICTS, lever_effects, lever_range,
                                     paired_effect, purpose, scenario_levers)
from zonesim.cli import main
from zonesim.errors import ExperimentError
from zonesim.present.formats import CONSOLE_WIDTH, text_width
from zonesim.registry import scopes
from zonesim.registry.indicators import INDICATORS
from zonesim.registry.parameters import PARAMETERS


def test_every_numeric_lever_says_what_it_is_meant_to_move():
    for name, q in PARAMETERS.items():
        if q.kind != "lever" or q.categorical:
            continue
        pur = purpose(name)
        assert pur.indicator in INDICATORS, name
        assert pur.scope in scopes.AGGREGATES, name
        scopes.check(pur.scope, INDICATORS[pur.indicator], {"z": "zone", "p": "special_park"})
        assert pur.sign in (1, -1)


@pytest.mark.parametrize("shift, sign, verdict", [(1.0, 1, VERDICTS[0]), (-1.0, 1, VERDICTS[1]),
                                                   (-1.0, -1, VERDICTS[0]), (0.0, 1, VERDICTS[2])])
def test_paired_effect_is_the_paired_t_interval(shift, sign, verdict):
    rng = np.random.default_rng(3)
    low = rng.normal(100.0, 30.0, 40)
    high = low + shift + rng.normal(0.0, 0.5, 40) * (shift != 0)
    out = paired_effect(low, high, sign)
    assert out["verdict"] == verdict
    assert out["effect"] == pytest.approx(np.mean(high - low))
    if shift:
        ci = stats.ttest_rel(high, low).confidence_interval(0.95)
        assert (out["effect_low"], out["effect_high"]) == pytest.approx((ci.low, ci.high))
    else:                       # identical pairs: no effect in any replicate
        assert out["effect_low"] == out["effect_high"] == 0.0 and out["t"] == 0.0


def test_a_lever_at_one_value_changes_nothing_on_common_random_numbers(scenario_variant,
                                                                       tmp_path):
    """Both ends at the same value: replicate r of both points draws the same numbers, so
    every pair is identical and the effect exactly 0 (common random numbers)."""
    sc = scenario_variant('[parameters]\nrd_subsidy_rate = { value = 0.1, provenance = '
                          '"assumption", low = 0.1, high = 0.1, source = "test" }\n')
    assert lever_range(sc, "rd_subsidy_rate") == (0.1, 0.1)
    table = lever_effects(sc, replicates=2, out=tmp_path / "lev", levers=["rd_subsidy_rate"],
                          workers=1, progress=False)
    row = table.iloc[0]
    assert row["effect"] == 0.0 and row["verdict"] == VERDICTS[2] and row["replicates"] == 2


def test_offshore_bases_land_projects(base_scenario, tmp_path):
    """0 bases land nothing; the registry's 40 land some in every replicate (four: how many
    land varies with the free land incumbents leave, and two give a t interval too wide)."""
    table = lever_effects(base_scenario, replicates=4, out=tmp_path / "lev",
                          levers=["offshore_bases"], workers=1, progress=False)
    row = table.set_index("lever").loc["offshore_bases"]
    assert (row["low"], row["high"]) == (PARAMETERS["offshore_bases"].low,
                                         PARAMETERS["offshore_bases"].high)
    assert row["mean_low"] == 0 and row["effect_low"] > 0 and row["verdict"] == VERDICTS[0]


def test_only_the_levers_the_scenario_sets(base_scenario):
    assert scenario_levers(base_scenario) == ["rd_subsidy_rate", "offshore_bases",
                                              "science_budget_share_of_gdp",
                                              "land_quota_mu_per_year"]
    # a lever the scenario leaves at the registry's default, asked for by name
    assert scenario_levers(base_scenario, ["land_recycling_share"]) == ["land_recycling_share"]
    assert lever_range(base_scenario, "land_recycling_share") == (
        PARAMETERS["land_recycling_share"].low, PARAMETERS["land_recycling_share"].high)
    for bad in ("growth_drift", "land_allocation_rule", "no_such_lever"):
        with pytest.raises(ExperimentError, match="not a numeric lever"):
            scenario_levers(base_scenario, [bad])


def test_the_command_writes_the_table(tmp_path, capsys):
    out = tmp_path / "levers"
    code = main(["levers", str(GOOD_BASE), "-n", "4", "--lever",
                 "offshore_bases", "--out", str(out), "--workers", "1", "-q"])
    assert code == 0
    text = capsys.readouterr().out
    assert "offshore_bases (0 → 40)" in text and VERDICTS[0] in text
    assert max(text_width(line) for line in text.splitlines()) <= CONSOLE_WIDTH
    table = pd.read_csv(out / "levers.csv")
    assert list(table.columns) == LEVER_COLUMNS and list(table["lever"]) == ["offshore_bases"]
