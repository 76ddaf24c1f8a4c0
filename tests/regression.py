"""The stored regression baseline (in the manner of Covasim's ``tests/baseline.json``): the
yearly indicator tables of the five base scenarios, two replicates each at a fixed seed.

``tests/test_regression_baseline.py`` compares a fresh run with the stored tables exactly;
only ``python3 tests/update_baseline.py`` rewrites them, and a commit that does so says why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zonesim.run import run_replicates
from zonesim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parent / "baseline"
SCENARIOS = ("taizhou_jiangsu_2017_2020", "jiangsu_one_zone_one_industry_2018_2022",
             "taizhou_zhejiang_2024_2027", "gaogang_2017_2020", "nantong_2024_2027")
SEED = 20261204
REPLICATES = 2


def path(scenario: str) -> Path:
    return BASELINE / f"{scenario}.parquet"


def compute(scenario: str) -> pd.DataFrame:
    """The indicator table the baseline stores for ``scenario`` (serial: the executor does not
    change it, which the reproducibility tests check)."""
    return run_replicates(load_scenario(scenario), REPLICATES, seed=SEED, workers=1,
                          progress=False)


def stored(scenario: str) -> pd.DataFrame:
    return pd.read_parquet(path(scenario))
