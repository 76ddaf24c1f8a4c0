"""Zones: high-tech zones, development zones and special parks (mesa agents).

A zone has a tier on the ladder candidate → municipal → provincial "creating" → provincial
"recognized" → national, one or two strategic industries (一区一战略产业), a land stock that grows
by the yearly quota the government allocates, and an investment-attraction pipeline limited by
free land and the standard-land threshold. It applies for promotion when it meets the criteria,
and the upper level decides, after a lag and within a yearly quota (:func:`decide_applications`).
Development zones are on the economic-development-zone ladder (MOFCOM), which the model does not
simulate: they keep their tier.
"""

from __future__ import annotations

import numpy as np

from zonesim import rules
from zonesim.engine.agents import Agent
from zonesim.engine.entry import Candidates
from zonesim.engine.firms import ORIGINS
from zonesim.engine.joint_attraction import off_strategy, pass_on, pass_probability
from zonesim.engine.land import RecycledPlots
from zonesim.registry.indicators import TIER_LEVEL, TIERS


def tier_criteria(tier: int, special_park: bool, p) -> dict[str, float]:
    """The indicators a zone must reach to hold ``tier`` (a level 1-4), indicator → minimum
    (:func:`rules.zone_tier_criteria`), under the parameter values ``p``; for a special park,
    its recognition criteria (its only step)."""
    return rules.special_park_criteria(p) if special_park else rules.zone_tier_criteria(tier, p)


def tier_attraction(tier: int, p) -> float:
    """A zone's attraction capacity relative to a municipal zone's (the reference), by tier
    (``<tier>_zone_attraction``: a higher tier attracts more)."""
    return 1.0 if tier == TIER_LEVEL["municipal"] else p[f"{TIERS[tier]}_zone_attraction"]


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
        #: year ends spent at the tier (since ``tier_since`` when the scenario knows it)
        self.years_at_tier = (model.start_year - spec.tier_since if spec.tier_since is not None
                              else 0)
        #: (year filed, tier applied for) of a pending application, or None
        self.application: tuple[int, int] | None = None
        self.strategic = np.array([model.sector_index[s] for s in spec.strategic_industries],
                                  dtype=np.int32)
        self.land_stock_mu = float(spec.land_stock_mu)
        self.attraction_bonus = 0.0
        #: whether the zone climbed in the last evaluation (争先进位: rewards next year)
        self.climbed = False
        self.warnings = 0
        #: a recognised special park's consecutive yearly reviews below the criteria
        self.reviews_failed = 0
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
        tier factor × (1 + climber bonus)."""
        p = self.model.p
        return (p["projects_attracted_per_zone"] * tier_attraction(self.tier, p)
                * (1.0 + self.attraction_bonus))

    def meets_criteria(self, tier: int, stats: dict) -> bool:
        """Whether the zone's indicators meet the criteria of ``tier`` (a level 1-4); for a
        special park, the recognition criteria (tier 1)."""
        if self.is_special_park:
            if tier != 1:
                return False
        elif tier <= 0:
            return True
        return all(stats[ind] >= need
                   for ind, need in tier_criteria(tier, self.is_special_park, self.model.p).items())

    @property
    def on_ladder(self) -> bool:
        """High-tech zones climb the tiers and special parks seek recognition; development
        zones do neither."""
        return self.kind != "development_zone"

    def eligible_for(self, tier: int, stats: dict) -> bool:
        """Whether the zone may hold ``tier`` (one above its own): the criteria met on this
        year's indicators; for a high-tech zone also the years the tier requires at the one
        below and, for a candidate, free land ≥ ``min_free_land_share`` of its stock (用地空间)."""
        ok = self.meets_criteria(tier, stats)
        if not self.is_special_park:
            ok = ok and self.years_at_tier >= rules.zone_years_below(tier, self.model.p)
            if self.tier == 0:
                ok = ok and (self.land_free_mu()
                             >= self.model.p["min_free_land_share"] * self.land_stock_mu)
        return ok

    def apply_for_promotion(self, stats: dict, year: int) -> bool:
        """At the year's end the zone has spent one more year at its tier; a zone on the ladder
        with no pending application applies for the next tier when eligible
        (:meth:`eligible_for`). Returns whether it applied; :func:`decide_applications`
        promotes."""
        self.years_at_tier += 1
        nxt = self.tier + 1
        if (self.application is not None or not self.on_ladder or nxt >= len(TIERS)
                or (self.is_special_park and nxt > 1)):
            return False
        if self.eligible_for(nxt, stats):
            self.application = (year, nxt)
            return True
        return False

    def promote(self, year: int) -> None:
        self.tier += 1
        self.years_at_tier = 0
        self.promotions.append((year, TIERS[self.tier]))

    def withdraw_recognition(self, year: int) -> None:
        """A special park loses its recognition (摘牌, seed 004 §三 end 有进有出): back to candidate,
        free to apply again."""
        self.tier = 0
        self.years_at_tier = 0
        self.reviews_failed = 0
        self.application = None
        self.promotions.append((year, "withdrawn"))

    def demote(self, year: int) -> None:
        self.application = None
        if self.tier > 0:
            self.tier -= 1
            self.years_at_tier = 0
            self.promotions.append((year, "demoted to " + TIERS[self.tier]))


def approval_quota(zone: Zone, tier: int, p) -> int:
    """Promotions to ``tier`` the deciding level grants the city's zones in a year: its own
    recognitions of special parks (``special_park_recognitions_per_year``) and of municipal
    zones (``municipal_recognitions_per_year``); the province's or the State Council's
    (``tier_approvals_per_year``) above."""
    if zone.is_special_park:
        return p["special_park_recognitions_per_year"]
    return p["municipal_recognitions_per_year"] if tier == 1 else p["tier_approvals_per_year"]


def decide_applications(model, zone_stats: list[dict], ranks: np.ndarray, year: int) -> list:
    """The deciding level's yearly decisions on applications filed at least
    ``tier_approval_lag_years`` ago, oldest first, then by this year's rank: a zone still
    eligible (:meth:`Zone.eligible_for`) is promoted while the year's quota for its step lasts
    (:func:`approval_quota`), else it waits; one no longer eligible is refused and may apply
    again. Returns the zones promoted."""
    p = model.p
    due = [z for z in model.zones if z.application is not None
           and year - z.application[0] >= p["tier_approval_lag_years"]]
    due.sort(key=lambda z: (z.application[0], ranks[z.index]))
    granted: dict[tuple[bool, int], int] = {}
    promoted = []
    for z in due:
        tier = z.application[1]
        if tier != z.tier + 1 or not z.eligible_for(tier, zone_stats[z.index]):
            z.application = None
            continue
        key = (z.is_special_park, tier)
        if granted.get(key, 0) < approval_quota(z, tier, p):
            granted[key] = granted.get(key, 0) + 1
            z.application = None
            z.promote(year)
            promoted.append(z)
    return promoted


def passes_energy_screen(p, energy_intensity) -> np.ndarray:
    """Seed 002 §六(四) 严格控制高耗能企业入驻: a project may enter a zone only if its energy use
    per unit of value added is at most ``energy_screen_max_relative_intensity`` times the
    city's manufacturing average. A refused project is lost to the city, as one that misses
    the standard-land bars is."""
    return energy_intensity <= p["energy_screen_max_relative_intensity"]


def meets_standard_land(p, revenue, land_mu, va_factor) -> np.ndarray:
    """标准地 (seed 002 §六(二)): a project gets land only if its fixed investment per mu
    (``project_investment_per_revenue`` × its yearly revenue) and its tax per mu at full
    production (``tax_share_of_value_added`` × its value added) reach the scenario's bars
    (``standard_land_min_investment_yuan_per_mu``, ``standard_land_min_tax_yuan_per_mu``)."""
    investment_per_mu = p["project_investment_per_revenue"] * revenue / land_mu
    tax_per_mu = (p["tax_share_of_value_added"] * p["value_added_ratio"] * va_factor
                  * revenue / land_mu)
    return ((investment_per_mu >= p["standard_land_min_investment_yuan_per_mu"])
            & (tax_per_mu >= p["standard_land_min_tax_yuan_per_mu"]))


def admissible(p, revenue, cols: dict) -> np.ndarray:
    """Projects (``revenue``, yuan a year; their drawn columns ``cols``) that may enter a zone:
    they meet the standard-land bars (:func:`meets_standard_land`) on the land in
    ``cols["land_mu"]`` and pass the energy screen (:func:`passes_energy_screen`)."""
    return (meets_standard_land(p, revenue, cols["land_mu"], cols["va_factor"])
            & passes_energy_screen(p, cols["energy_intensity"]))


def land_projects(model, zone, cols: dict, ok: np.ndarray, high_tech: np.ndarray,
                  free_mu: np.ndarray) -> np.ndarray:
    """The ``ok`` projects that get land in ``zone``: a high-tech project first on its M0
    reserve (:meth:`~zonesim.engine.land.Land.take_m0`), the others while their land fits into
    the zone's free land ``free_mu`` (taken from it)."""
    on_m0 = model.land.take_m0(zone, cols, ok & high_tech)
    return on_m0 | model.land.fit(zone, cols["land_mu"], ok & ~on_m0, free_mu)


def project_sectors(model, zone: np.ndarray) -> np.ndarray:
    """Sectors of attracted projects in ``zone``: a share ``strategic_focus`` in the zone's
    strategic industries (一区一战略产业), the rest by the city's sector mix."""
    n = len(zone)
    sector = model.draw_sectors(n)
    focused = model.rng.random(n) < model.p["strategic_focus"]
    # every project draws its strategic alternative, so that the focus (a lever) does not
    # change how many draws follow (common random numbers across its values)
    return np.where(focused, model.draw_strategic_sectors(zone, sector), sector)


def project_candidates(model, dt: float) -> Candidates | None:
    """This step's investment attraction by every zone, as candidate enterprises.

    Each zone draws its candidates at its yearly :meth:`Zone.attraction_rate`, in the sectors
    of :func:`project_sectors`. A candidate is admitted only if it meets the standard-land
    bars (:func:`meets_standard_land`) and its land fits into the zone's free land.
    """
    rng = model.rng
    zones = model.zones
    if not zones:
        return None
    counts = rng.poisson(np.array([z.attraction_rate() for z in zones]) * dt)
    n = int(counts.sum())
    if n == 0:
        return None
    zone = np.repeat(np.arange(len(zones), dtype=np.int32), counts)
    sector = project_sectors(model, zone)
    revenue = draw_project_revenue(model, n)

    return attracted_projects(model, zone, sector, revenue)


def draw_project_revenue(model, n: int) -> np.ndarray:
    """Revenue (yuan a year) of ``n`` attracted projects at full production: lognormal about
    ``project_size_multiple`` × the median firm's (:func:`mean_project_revenue` its mean)."""
    p = model.p
    return (p["firm_revenue_median_yuan"] * p["project_size_multiple"]
            * np.exp(p["entrant_revenue_dispersion"] * model.rng.standard_normal(n)))


def mean_project_revenue(p) -> float:
    """The mean of :func:`draw_project_revenue` (yuan a year)."""
    return (p["firm_revenue_median_yuan"] * p["project_size_multiple"]
            * np.exp(0.5 * p["entrant_revenue_dispersion"] ** 2))


def attracted_projects(model, zone, sector, revenue) -> Candidates:
    """Attracted projects as candidates: admitted if they may enter (:func:`admissible`) and
    get land (:func:`land_projects`). Under
    joint attraction (:mod:`~zonesim.engine.joint_attraction`) a project outside its zone's
    strategic industries may first be passed to a zone that has them, and one its zone has no
    land for to a zone that has."""
    p = model.p
    high_tech = model.sector_high_tech[sector]
    sharing = pass_probability(p) > 0.0

    def admit(cols: dict, free_mu: np.ndarray) -> np.ndarray:
        ok = admissible(p, revenue, cols)
        away = np.zeros(len(zone), dtype=bool)
        if sharing:
            away = pass_on(model, cols, ok & off_strategy(model, zone, sector), free_mu,
                           meets_standard_land)
        home = ok & ~away
        landed = land_projects(model, zone, cols, home, high_tech, free_mu)
        model.joint.own += np.bincount(zone[landed], minlength=model.n_zones)
        if sharing:
            away |= pass_on(model, cols, home & ~landed, free_mu, meets_standard_land)
        return landed | away

    return Candidates(zone, sector, revenue,
                      np.full(len(zone), ORIGINS.index("attracted"), np.int8), admit)


def fund_backed_candidates(model, dt: float) -> Candidates | None:
    """This step's projects co-financed by the guidance fund (拨改投 / 拨—投—股: seed 002
    §六(三), seed 004 §三(二)4). The fund takes ``fund_stake_share`` of a backed project's
    investment (``project_investment_per_revenue`` × its revenue), so
    ``guidance_fund_yuan_per_year`` backs that money's worth of projects a year, on average;
    they go to the zones by their last evaluation rank
    (:meth:`~zonesim.engine.government.Government.last_rank_weights`) and into the zone's
    strategic industries (细分赛道), and get land like any attracted project."""
    p, rng = model.p, model.rng
    fund = p["guidance_fund_yuan_per_year"] * dt
    if fund <= 0 or not model.zones:
        return None
    stake = (p["fund_stake_share"] * p["project_investment_per_revenue"]
             * mean_project_revenue(p))
    n = int(rng.poisson(fund / stake)) if stake > 0 else 0
    if n == 0:
        return None
    weights = model.government.last_rank_weights()
    zone = rng.choice(model.n_zones, size=n, p=weights / weights.sum()).astype(np.int32)
    sector = model.draw_strategic_sectors(zone, model.draw_sectors(n))
    revenue = draw_project_revenue(model, n)

    return attracted_projects(model, zone, sector, revenue)


def redevelopment_candidates(model, plots: RecycledPlots | None) -> Candidates | None:
    """腾笼换鸟 (seed 002 §四(二)): each plot the government takes back is offered to one
    attracted project sized to it (it uses the whole plot at a land productivity drawn as any
    entrant's). The project takes the plot only if it yields more value added per mu than the
    firm that left and meets the standard-land bars; otherwise the plot returns to the zone's
    free land."""
    if plots is None or len(plots.zone) == 0:
        return None
    p, rng = model.p, model.rng
    zone, plot_mu = plots.zone, plots.land_mu
    n = len(zone)
    land_prod = np.exp(p["land_productivity_dispersion"] * rng.standard_normal(n))
    revenue = plot_mu * model.land.output_per_mu[zone] * land_prod

    def admit(cols: dict, free_mu: np.ndarray) -> np.ndarray:
        cols["land_productivity"][:] = land_prod
        cols["land_mu"][:] = plot_mu
        va_per_mu = revenue * p["value_added_ratio"] * cols["va_factor"] / plot_mu
        ok = (va_per_mu > plots.value_added_per_mu) & admissible(p, revenue, cols)
        return model.land.fit(zone, plot_mu, ok, free_mu)

    return Candidates(zone, project_sectors(model, zone), revenue,
                      np.full(n, ORIGINS.index("attracted"), np.int8), admit)
