"""Time-step robustness: results must not depend materially on the step length (DESIGN §2).

The same scenario is run with 20 replicates at two step lengths; the final year's city indicators
must agree: a two-sided Mann-Whitney test at a Bonferroni-corrected level, and the difference of
means within 3.5 standard errors (Welch)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from conftest import small
from zonesim.run import run_replicates

REPLICATES = 20
INDICATORS = ["high_tech_enterprises", "industrial_output_yuan", "patent_applications",
              "enterprises", "new_high_tech_enterprises", "invention_patent_stock"]
ALPHA = 0.01 / len(INDICATORS)
MAX_Z = 3.5


def final_year(scenario, spy: int):
    table = run_replicates(scenario, REPLICATES, seed=2024, parameters=small(), workers=1,
                           steps_per_year=spy, progress=False)
    last = table["year"].max()
    return table[(table["scope"] == "city") & (table["year"] == last)].set_index("replicate")


@pytest.fixture(scope="module")
def quarterly(base_scenario):
    return final_year(base_scenario, 4)


def disagreements(a, b) -> list[str]:
    bad = []
    for ind in INDICATORS:
        x, y = a[ind].to_numpy(float), b[ind].to_numpy(float)
        assert np.isfinite(x).all() and np.isfinite(y).all(), ind
        p = mannwhitneyu(x, y, alternative="two-sided").pvalue
        se = np.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
        z = abs(x.mean() - y.mean()) / se if se > 0 else (0.0 if x.mean() == y.mean() else np.inf)
        if p < ALPHA or z > MAX_Z:
            bad.append(f"{ind}: means {x.mean():.4g} vs {y.mean():.4g} (z = {z:.1f}, "
                       f"Mann-Whitney p = {p:.2g})")
    return bad


def test_quarterly_and_monthly_steps_agree(base_scenario, quarterly):
    monthly = final_year(base_scenario, 12)
    assert not disagreements(quarterly, monthly), disagreements(quarterly, monthly)
    # the comparison has power: the indicators vary between replicates but not wildly
    assert quarterly["high_tech_enterprises"].std() > 0


def test_yearly_and_quarterly_steps_agree(base_scenario, quarterly):
    yearly = final_year(base_scenario, 1)
    assert not disagreements(quarterly, yearly), disagreements(quarterly, yearly)
