"""Zones: high-tech zones, development zones and special parks (mesa agents).

A zone has a tier on the ladder candidate → municipal → provincial "creating" → provincial
"recognized" → national, one or two strategic industries (一区一战略产业), a land stock that grows
by the yearly quota the government allocates, and an investment-attraction pipeline limited by
free land and the standard-land threshold. It applies for promotion when it meets the criteria.
"""

from __future__ import annotations

import numpy as np

from zonesim.engine.agents import Agent
from zonesim.engine.entry import Candidates
from zonesim.engine.land import fit_in_free_land
from zonesim.registry.indicators import TIER_LEVEL, TIERS

#: Promotion criteria for moving *up to* each tier: minimum industrial output (yuan a year),
#: certified high-tech firms, municipal-or-higher R&D institutions, full years spent at the
#: tier below (counted at year ends), and a minimum share of certified firms among above-scale
#: firms.
#: Municipal: seed 000 §四 (工业总产值100亿元以上; 国家高新技术企业不少于12家; 市级以上企业研发
#: 机构不少于20家; 用地空间比较充裕 → some free land). The higher tiers are assumptions, scaled
#: from the Jiangsu provincial and national evaluation practice; sensitivity runs can vary them
#: only by editing this table (they are not levers of any seed document).
PROMOTION_CRITERIA = {
    "municipal": dict(output_yuan=10e9, high_tech=12, rd_institutions=20, years_below=0,
                      hte_share=0.0),
    "provincial_creating": dict(output_yuan=20e9, high_tech=30, rd_institutions=30,
                                years_below=1, hte_share=0.15),
    "provincial_recognized": dict(output_yuan=30e9, high_tech=50, rd_institutions=40,
                                  years_below=2, hte_share=0.25),
    "national": dict(output_yuan=80e9, high_tech=150, rd_institutions=80, years_below=3,
                     hte_share=0.35),
}
#: A special park is recognised (授牌, tier "municipal") with at least this many certified or
#: specialised firms and this share of its output in its strategic industries (assumption for
#: seed 004's "先建后评、分类指引": the document sets no numeric criteria).
SPECIAL_PARK_CRITERIA = dict(high_tech_or_specialised=15, strategic_output_share=0.3)
#: Attraction capacity multiplier by tier (a national zone attracts more): assumption.
TIER_ATTRACTION = np.array([0.6, 1.0, 1.3, 1.6, 2.0])
#: An attracted project's revenue at entry: lognormal around this multiple of the city's median
#: firm revenue with log-sd 1 (assumption: outside projects are larger than the typical firm).
PROJECT_SIZE_MULTIPLE = 3.0
#: Share of free land a zone must keep to count as having "用地空间" for municipal promotion.
MIN_FREE_LAND_SHARE = 0.02


def tier_criteria(tier: int, special_park: bool = False) -> dict[str, float]:
    """The indicators a zone must reach to hold ``tier`` (a level 1-4), indicator → minimum;
    for a special park, its recognition criteria (its only step)."""
    if special_park:
        return {"high_tech_or_specialised_enterprises":
                SPECIAL_PARK_CRITERIA["high_tech_or_specialised"],
                "strategic_industry_output_share": SPECIAL_PARK_CRITERIA["strategic_output_share"]}
    c = PROMOTION_CRITERIA[TIERS[tier]]
    return {"industrial_output_yuan": c["output_yuan"], "high_tech_enterprises": c["high_tech"],
            "rd_institutions_municipal_plus": c["rd_institutions"],
            "high_tech_share_of_above_scale_enterprises": c["hte_share"]}


class Zone(Agent):
    """A high-tech zone, development zone or special park."""

    def __init__(self, model, index: int, spec):
        super().__init__(model)
        self.index = index
        self.zone_id = spec.id
        self.name = spec.name
        self.county = spec.county
        self.kind = spec.kind
        self.tier = TIER_LEVEL[spec.tier]
        self.years_at_tier = 0
        self.strategic = np.array([model.sector_index[s] for s in spec.strategic_industries],
                                  dtype=np.int32)
        self.land_stock_mu = float(spec.land_stock_mu)
        self.attraction_bonus = 0.0
        self.warnings = 0
        self.promotions: list[tuple[int, str]] = []

    @property
    def tier_name(self) -> str:
        return TIERS[self.tier]

    @property
    def is_special_park(self) -> bool:
        return self.kind == "special_park"

    def land_used_mu(self) -> float:
        return float(self.model.land.used_mu[self.index])

    def land_free_mu(self) -> float:
        return max(self.land_stock_mu - self.land_used_mu(), 0.0)

    # ------------------------------------------------------------------ rules
    def attraction_rate(self) -> float:
        """Outside projects approaching the zone per year: ``projects_attracted_per_zone`` ×
        tier factor × (1 + climber bonus), plus one per ``fund_yuan_per_project`` of guidance
        fund (shared by the zones)."""
        m, p = self.model, self.model.p
        return (p["projects_attracted_per_zone"] * TIER_ATTRACTION[self.tier]
                * (1.0 + self.attraction_bonus)
                + p["guidance_fund_yuan_per_year"] / p["fund_yuan_per_project"] / max(m.n_zones, 1))

    def meets_criteria(self, tier: int, stats: dict) -> bool:
        """Whether the zone's indicators meet the criteria of ``tier`` (a level 1-4); for a
        special park, the recognition criteria (tier 1)."""
        if self.is_special_park:
            if tier != 1:
                return False
        elif tier <= 0:
            return True
        return all(stats[ind] >= need
                   for ind, need in tier_criteria(tier, self.is_special_park).items())

    def apply_for_promotion(self, stats: dict, year: int) -> bool:
        """Move up one tier when the criteria of the next tier are met, after the years the
        next tier requires at this one (yearly)."""
        self.years_at_tier += 1
        nxt = self.tier + 1
        if nxt >= len(TIERS) or (self.is_special_park and nxt > 1):
            return False
        ok = self.meets_criteria(nxt, stats)
        if not self.is_special_park:
            ok = ok and self.years_at_tier >= PROMOTION_CRITERIA[TIERS[nxt]]["years_below"]
            if self.tier == 0:
                ok = ok and self.land_free_mu() >= MIN_FREE_LAND_SHARE * self.land_stock_mu
        if ok:
            self.promote(year)
        return ok

    def promote(self, year: int) -> None:
        self.tier += 1
        self.years_at_tier = 0
        self.promotions.append((year, TIERS[self.tier]))

    def demote(self, year: int) -> None:
        if self.tier > 0:
            self.tier -= 1
            self.years_at_tier = 0
            self.promotions.append((year, "demoted to " + TIERS[self.tier]))


def project_candidates(model, dt: float) -> Candidates | None:
    """This step's investment attraction by every zone, as candidate enterprises.

    Each zone draws its candidates at its yearly :meth:`Zone.attraction_rate`. A share
    ``strategic_focus`` of them are in its strategic industries (一区一战略产业), the rest follow
    the city's sector mix. A candidate is admitted only if its expected revenue per mu reaches
    the standard-land threshold (标准地) and its land fits into the zone's free land.
    """
    p, rng = model.p, model.rng
    zones = model.zones
    if not zones:
        return None
    counts = rng.poisson(np.array([z.attraction_rate() for z in zones]) * dt)
    n = int(counts.sum())
    if n == 0:
        return None
    zone = np.repeat(np.arange(len(zones), dtype=np.int32), counts)
    sector = model.draw_sectors(n)
    focused = rng.random(n) < p["strategic_focus"]
    sector[focused] = model.draw_strategic_sectors(zone[focused], sector[focused])
    revenue = (p["firm_revenue_median_yuan"] * PROJECT_SIZE_MULTIPLE
               * np.exp(rng.standard_normal(n)))

    def admit(cols: dict, free_mu: np.ndarray) -> np.ndarray:
        meets_standard = revenue / cols["land_mu"] >= p["standard_land_min_output_yuan_per_mu"]
        return fit_in_free_land(zone, cols["land_mu"], meets_standard, free_mu)

    return Candidates(zone, sector, revenue, np.full(n, 3, dtype=np.int8), admit)
