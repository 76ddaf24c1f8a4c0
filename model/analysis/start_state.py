"""How the model starts, measured against published figures (docs/VALIDATION.md, "The starting
state"; re-made by ``python3 experiments/start_state.py``):

- the certified high-tech firms' path: growth in the first simulated year and over the horizon,
  beside the published national growth (181 000 at end-2018 → 275 000 at end-2020, 23 % a year;
  ``shared/data/PRIORS.md``) and, for Nantong, the city's own 2021–2025 growth;
- the firms eligible for certification but not certified at the start, against what a settled
  pipeline holds (:func:`settled_backlog`), and the first year's first-time certifications
  against a settled flow (:func:`settled_first_certifications`);
- the base-year levels (output, GDP, certified firms) against the figures of
  ``data/base_year_levels.csv``: published, derived from two published figures, or — for the
  certified firms at the start of most scenarios, which no statistic gives — the scenario
  author's assumption (these were inputs before the history simulated them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim import rules
from zonesim.engine.model import ZoneModel
from zonesim.engine.status import high_tech_eligible, innovation_score
from zonesim.run import replicate_seed
from zonesim.scenario import Scenario

LEVELS_FILE = Path(__file__).resolve().parents[2] / "data" / "base_year_levels.csv"


@dataclass(frozen=True)
class GrowthReference:
    """A published growth of the certified-firm stock, in % a year."""
    what: str
    first_year: int
    last_year: int
    first: float
    last: float

    @property
    def yearly(self) -> float:
        return (self.last / self.first) ** (1.0 / (self.last_year - self.first_year)) - 1.0


#: published_statistics.csv: China 181 000 (end-2018, Xinhua citing MOST) → 275 000 (end-2020,
#: State Taxation Administration); Nantong 2 178 (end-2020) → 4 324 (end-2025, net +2 146).
NATIONAL = GrowthReference("China, certified firms", 2018, 2020, 181_000, 275_000)
NANTONG = GrowthReference("Nantong, certified firms", 2020, 2025, 2_178, 4_324)


def certified_path(table: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """Per replicate: certified firms at the start (end of the year before the first simulated
    one), after the first simulated year and at the end; the first year's growth and the mean
    yearly growth over the horizon (shares)."""
    city = table[table["scope"] == "city"].pivot(index="replicate", columns="year",
                                                  values="high_tech_enterprises")
    start, first, end = city[start_year - 1], city[start_year], city[city.columns.max()]
    years = city.columns.max() - (start_year - 1)
    return pd.DataFrame({"start": start, "first_year": first, "end": end,
                         "first_year_growth": first / start - 1.0,
                         "yearly_growth": (end / start) ** (1.0 / years) - 1.0})


def pipeline_at_start(scenario: Scenario, seed: int, replicates: int) -> pd.DataFrame:
    """Per replicate, at set-up (before any simulated year): certified firms, the firms that
    meet every certification rule without a certificate, those of them whose expected
    innovation score (their state's and their own lasting part) reaches the pass mark, and the
    first-time and renewal pass rates of the history's last three certification rounds."""
    rows = []
    for r in range(replicates):
        model = ZoneModel(scenario, seed=replicate_seed(seed, r))
        e = model.firms
        certified = e.certified & e.alive
        waiting = np.flatnonzero(high_tech_eligible(model) & ~certified)
        expected = innovation_score(model, waiting) + e.score_offset[waiting]
        settled = pd.DataFrame(model.certification_rounds).tail(rules.CERTIFICATE_VALIDITY_YEARS)
        rows.append({"replicate": r, "certified": int(certified.sum()),
                     "eligible_uncertified": len(waiting),
                     "would_pass": int((expected >= rules.CERTIFICATION_MIN_SCORE - 0.5).sum()),
                     "first_time_pass_rate": (settled["first_passes"].sum()
                                              / max(settled["first_applicants"].sum(), 1)),
                     "renewal_pass_rate": (settled["renewals"].sum()
                                           / max(settled["renewal_applicants"].sum(), 1))})
    return pd.DataFrame(rows).set_index("replicate")


#: PRIORS.md: first-time applications pass at 50–70 %, renewals at 80–90 % (mid-points).
FIRST_TIME_PASS_RATE, RENEWAL_PASS_RATE = 0.6, 0.85


def settled_first_certifications(certified: float) -> float:
    """First-time certifications a year that keep a stock of ``certified`` firms growing at the
    national rate (:data:`NATIONAL`): the growth plus the certificates lost at renewal (a third
    of the stock renews each year, and :data:`RENEWAL_PASS_RATE` of it passes)."""
    lapse = (1.0 - RENEWAL_PASS_RATE) / rules.CERTIFICATE_VALIDITY_YEARS
    return certified * (NATIONAL.yearly + lapse)


def settled_backlog(certified: float) -> float:
    """Eligible-but-uncertified firms a settled pipeline holds beside ``certified`` certified
    ones: one year of first-time applicants, i.e. :func:`settled_first_certifications` divided
    by the first-time pass rate."""
    return settled_first_certifications(certified) / FIRST_TIME_PASS_RATE


def first_certifications(table: pd.DataFrame, year: int) -> pd.Series:
    """Per replicate, the first-time certifications of ``year`` (city)."""
    city = table[(table["scope"] == "city") & (table["year"] == year)]
    return city.set_index("replicate")["new_high_tech_enterprises"]


#: City indicators whose first simulated year is compared with the later ones.
GROWTH_INDICATORS = ("above_scale_output_yuan", "enterprises", "above_scale_enterprises",
                     "high_tech_enterprises")
#: Start-year levels set from the scenario's ``above_scale_output_start_yuan`` (GDP follows
#: from it by ``above_scale_revenue_to_gdp``): inputs, not checks.
ANCHORED_INDICATORS = ("above_scale_output_yuan", "gdp_yuan")


def yearly_growth(table: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """Per (indicator of :data:`GROWTH_INDICATORS`, simulated year): the city's log growth on
    the year before, its mean over replicates and that mean's standard error."""
    city = table[table["scope"] == "city"]
    rows = []
    for indicator in GROWTH_INDICATORS:
        wide = city.pivot(index="replicate", columns="year", values=indicator).astype(float)
        growth = np.log(wide).diff(axis=1).loc[:, start_year:]
        for year in growth.columns:
            g = growth[year].dropna()
            rows.append({"indicator": indicator, "year": int(year), "mean": float(g.mean()),
                         "se": float(g.std(ddof=1) / np.sqrt(len(g))) if len(g) > 1
                         else np.nan})
    return pd.DataFrame(rows)


def levels(table: pd.DataFrame, scenario: Scenario, published: pd.DataFrame) -> pd.DataFrame:
    """The published base-year levels of ``scenario`` (rows of ``data/base_year_levels.csv``)
    beside the modelled median and 5–95 % band in the same year and scope; ``anchored`` marks
    a start-year level the scenario sets (:data:`ANCHORED_INDICATORS`)."""
    anchor = scenario.value("above_scale_output_start_yuan") > 0
    rows = []
    for _, row in published[published["scenario"] == scenario.name].iterrows():
        cells = table[(table["scope"] == row["scope"]) & (table["year"] == row["year"])]
        values = cells[row["indicator"]].to_numpy(dtype=float)
        if len(values) == 0:
            continue
        median = float(np.median(values))
        rows.append({"scenario": scenario.name, "indicator": row["indicator"],
                     "scope": row["scope"], "year": int(row["year"]),
                     "simulated": row["year"] >= scenario.meta.start_year,
                     "anchored": (anchor and row["year"] < scenario.meta.start_year
                                  and row["indicator"] in ANCHORED_INDICATORS),
                     "published": float(row["value"]), "basis": row["basis"],
                     "median": median, "q05": float(np.quantile(values, 0.05)),
                     "q95": float(np.quantile(values, 0.95)),
                     "off": median / float(row["value"]) - 1.0, "source": row["source"]})
    return pd.DataFrame(rows)


def read_levels(path: Path = LEVELS_FILE) -> pd.DataFrame:
    return pd.read_csv(path)
