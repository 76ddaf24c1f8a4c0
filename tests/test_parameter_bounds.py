"""Every numeric parameter runs cleanly at both ends of its valid domain.

For each non-categorical parameter of the registry, one replicate of the small test scenario
(tests/bad_scenarios/good_base.toml: two zones, 2017-2020, quarterly; about 0.03 s a run) with the
parameter at its ``minimum`` and again at its ``maximum``, the others at their scenario values:
the run finishes, no indicator is ±inf, and an indicator is NaN only where it is undefined by
construction:

- a flow (patents filed, certifications of the year, ...) in the row of the initial state
  (``start_year - 1``), which has no simulated year behind it;
- a city-level indicator (zone counts, loan balance, ...) in any scope but ``city``, and the
  zone tier outside the ``zone:<id>`` scopes;
- a share or ratio whose denominator is 0: a scope without firms, above-scale firms, certified
  firms, value added, land or provincial zones (0/0; at the domain ends this happens when every
  firm exits, e.g. ``exit_hazard_scale`` or ``land_recycling_share`` at their maximum, when no
  firm is above scale, ``max_firm_revenue_yuan`` at its minimum, or none can be certified,
  ``max_st_share`` at 0). :data:`DENOMINATOR` names the column each one divides by.

No numpy RuntimeWarning (division by zero, overflow, invalid value) may occur on the way.
A few pairs of ends that meet in one formula are run together (:data:`COMBINED_ENDS`).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import TWO_TOWNS, load_variant
from zonesim.registry.indicators import INDICATORS
from zonesim.registry.parameters import PARAMETERS
from zonesim.run import run_replicate

#: Tested values capped below the domain's end where one run there is too large for a test.
#: initial_enterprises: run time and memory grow with the firm count (≈ 4.5 s and 0.65 GB per
#: million firms measured on this scenario, so ≈ 25 s and several GB at the maximum of 5
#: million); 20 000 firms, about seven times the default, run in under 0.1 s. The other size
#: drivers need no cap: the initial certified firms and R&D institutions are at most one per
#: firm, and 1 000 offshore bases, 1 000 projects a base, carrier or zone, or 10¹² yuan of
#: guidance fund each run in under 0.1 s.
CAPPED = {"initial_enterprises": 20_000}

#: The indicator each ratio divides by (in the same row, or the city's row of the year for a
#: share of the city): the ratio is NaN only where that column is 0. Where the denominator is
#: not itself an indicator, a column that must be 0 when it is: no revenue in the year means no
#: R&D (both accrue over the same steps), and every certified firm counts among the "large,
#: medium or certified" firms.
DENOMINATOR = {
    "high_tech_output_share": "above_scale_output_yuan",
    "high_tech_value_added_share": "above_scale_value_added_yuan",
    "value_added_share_of_city": ("city", "above_scale_value_added_yuan"),
    "energy_intensity_relative_to_city": "above_scale_value_added_yuan",
    "rd_to_gdp": "gdp_yuan",
    "enterprise_rd_intensity": "rd_expenditure_yuan",
    "above_scale_rd_intensity": "gdp_yuan",          # GDP is above-scale revenue over a ratio
    "above_scale_with_rd_institution_share": "above_scale_enterprises",
    "above_scale_university_coop_share": "above_scale_enterprises",
    "above_scale_with_patent_application_share": "above_scale_enterprises",
    "high_tech_share_of_above_scale_enterprises": "above_scale_enterprises",
    "large_medium_and_hte_rd_institution_share": "high_tech_enterprises",
    "large_medium_and_hte_with_invention_patent_share": "high_tech_enterprises",
    "hte_with_invention_patent_share": "high_tech_enterprises",
    "high_tech_enterprises_share_of_city": ("city", "high_tech_enterprises"),
    "strategic_industry_output_share": "industrial_output_yuan",
    "output_per_mu_yuan": "land_used_mu",
    "value_added_per_mu_yuan": "land_used_mu",
    "new_project_value_added_per_mu_yuan": "new_project_land_mu",
    "provincial_zones_with_incubator_share": "zones_provincial_plus",
}

# a numpy division by zero or overflow is an error here: one that reaches no indicator (an
# exited firm's state, a rejected candidate) is still a rule the domain end breaks
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

BOUNDS = [pytest.param(name, end, id=f"{name}-{end}")
          for name, p in PARAMETERS.items() if not p.categorical for end in ("minimum", "maximum")]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """good_base with two towns, one holding a maker space, so that the towns' coverage is
    defined and the towns' founding meets every domain end too."""
    return load_variant(tmp_path_factory.mktemp("bounds"), TWO_TOWNS, "bounds")


def undefined_by_construction(table, name: str, start_year: int) -> np.ndarray:
    """Rows where indicator ``name`` may be NaN (see the module docstring)."""
    ind = INDICATORS[name]
    ok = np.zeros(len(table), dtype=bool)
    if ind.flow:
        ok |= (table["year"] < start_year).to_numpy()
    if ind.level == "city":
        ok |= (table["scope"] != "city").to_numpy()
    if name == "zone_tier_level":
        ok |= ~table["scope"].str.startswith("zone:").to_numpy(dtype=bool)
    denominator = DENOMINATOR.get(name)
    if isinstance(denominator, tuple):
        city = table[table["scope"] == "city"].set_index("year")[denominator[1]]
        ok |= city.loc[table["year"]].to_numpy(dtype=float) == 0
    elif denominator is not None:
        ok |= table[denominator].to_numpy(dtype=float) == 0
    return ok


#: Domain ends that meet in one formula, where each end alone is harmless.
COMBINED_ENDS = {
    # a yearly graduation probability of 1: an infinite hazard, a mean stay of 0
    "certain graduation": {"incubator_graduation_rate": 1.0, "offshore_graduation_rate": 1.0,
                           "max_graduation_rate": 1.0},
    # the longest stay: no graduation and the lowest failure rate
    "no graduation": {"incubator_graduation_rate": 0.0, "offshore_graduation_rate": 0.0,
                      "incubator_failure_rate": 0.01},
    # no Pareto tail above a size distribution without dispersion (0 × norm.ppf(1) = 0 × inf)
    "no tail, no dispersion": {"revenue_pareto_quantile": 1.0, "firm_revenue_dispersion": 0.0},
    # an entrant's steady-state knowledge R&D / (depreciation + growth) with both at their least
    "no depreciation, shrinking firms": {"knowledge_depreciation_rate": 0.0,
                                         "growth_drift": -0.5,
                                         "entrant_knowledge_growth_floor": 0.001},
    # R&D at its floor cost, with the strongest response to it
    "free R&D": {"rd_subsidy_rate": 1.0, "super_deduction_rate": 2.0, "min_rd_user_cost": 0.01,
                 "rd_user_cost_elasticity": 10.0},
    # no R&D anywhere, and the largest patent stock to hand out at the start
    "patents without R&D": {"max_rd_intensity": 0.0, "population_persons": 2_000_000_000,
                            "invention_patents_per_10k_people_start": 1000.0},
}


def non_finite(table, start_year: int) -> dict:
    """Indicators with values ±inf, or NaN where they are defined: indicator → (year, scope)
    of the first few."""
    bad = {}
    for indicator in INDICATORS:
        v = table[indicator].to_numpy(dtype=float)
        wrong = np.isinf(v) | (np.isnan(v) & ~undefined_by_construction(table, indicator,
                                                                         start_year))
        if wrong.any():
            bad[indicator] = list(zip(table["year"][wrong], table["scope"][wrong]))[:3]
    return bad


@pytest.mark.parametrize("name, end", BOUNDS)
def test_a_run_at_a_domain_end_is_finite_where_defined(scenario, name, end):
    p = PARAMETERS[name]
    value = getattr(p, end)
    value = min(value, CAPPED.get(name, value))
    value = int(value) if p.integer else float(value)
    table = run_replicate(scenario, seed=1, replicate=0, parameters={name: value})
    bad = non_finite(table, scenario.meta.start_year)
    assert not bad, f"{name} = {value:g}: non-finite indicators (year, scope): {bad}"


@pytest.mark.parametrize("case", COMBINED_ENDS)
def test_a_run_at_combined_domain_ends_is_finite_where_defined(scenario, case):
    table = run_replicate(scenario, seed=1, replicate=0, parameters=COMBINED_ENDS[case])
    bad = non_finite(table, scenario.meta.start_year)
    assert not bad, f"{case}: non-finite indicators (year, scope): {bad}"
