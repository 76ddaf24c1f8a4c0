"""ZoneModel: the city, its zones, incubators, government and enterprises, stepped in time.

The schedule (docs/ODD.md §3) — each step is 1/``steps_per_year`` of a year:

at the start of a year
    the year's science budget opens; firms reset their yearly accounts and revise their R&D
    propensity; the government grants tech loans; firms decide this year's R&D
    (``decide_rd``: vouchers redeemed within what they can fund); last year's climbers get
    their award, recognised special parks theirs; successors of weeded offshore bases are
    founded, and zones found the carriers they lack; the government pays the incubator
    subsidies;
every step
    firms spend on R&D and grow, as far as their land or the land their zone grants them
    allows; incubators admit and graduate projects (offshore
    graduates land or are lost); zones attract investment; new firms are founded in the rest of
    the city; firms exit (entrants of the step, born mid-step, are at risk for half of it);
at the end of a year
    firms file and are granted the patents of the year's R&D, close their accounts, upgrade
    products, are classified (tech SME, pool), certified,
    named leaders or specialised SMEs, set up R&D institutions, start or end university
    cooperation; firms outside the zones use the land they need; the government recycles land
    (腾笼换鸟) and offers the plots to new projects, evaluates and ranks zones, rewards and
    warns, reviews the recognised special parks; zones apply for promotion and the deciding
    level decides the applications due; the government allocates the land quota; land is used
    more intensively; carriers meeting the next level's criteria are accredited; the year's
    indicators are recorded; zombie offshore bases are weeded out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import mesa
import numpy as np
import pandas as pd

from zonesim import rules
from zonesim.engine.accreditation import (accredit_carriers, firms_found_maker_spaces,
                                          found_carriers)
from zonesim.engine.budget import Budget
from zonesim.engine.chain import pass_along_chain
from zonesim.engine.entry import new_firm_candidates, new_firm_columns
from zonesim.engine.exits import exit_firms, rate_exit_risk_by_size, size_exit_multiplier
from zonesim.engine.firms import (COLUMNS, ORIGINS, RD_LEVELS, Enterprises, check_run_memory,
                                  initial_capacity, last_year_revenue)
from zonesim.engine.government import Government
from zonesim.engine.group_sums import group_sums
from zonesim.engine.growth import close_year_accounts, grow_revenue, start_year_accounts
from zonesim.engine.graduates import graduate_candidates
from zonesim.engine.incubators import (Incubator, found_offshore_bases, incubate, set_up_incubators,
                                       weed_out_zombie_bases)
from zonesim.engine.joint_attraction import JointAttraction
from zonesim.engine.land import Land
from zonesim.engine.partners import Partnerships, partner_candidates
from zonesim.engine.observe import indicator_table, record_year, zone_stats
from zonesim.engine.patents import produce_patents
from zonesim.engine.population import populate
from zonesim.engine.rd import decide_rd, desired_rd_intensity, revise_rd_propensity, spend_on_rd
from zonesim.engine.status import (certify_high_tech, classify_tech_smes, enter_cultivation_pool,
                                   file_ip_to_qualify, name_leaders, name_specialised_smes,
                                   set_up_rd_institutions, update_university_cooperation,
                                   upgrade_high_tech_share)
from zonesim.engine.talent import award_talent
from zonesim.engine.zones import (Zone, decide_applications, fund_backed_candidates,
                                  project_candidates, redevelopment_candidates)
from zonesim.registry import scopes
from zonesim.registry.validate import check_option, check_overrides, check_run_options
from zonesim.scenario import Scenario
from zonesim.scenario.schema import check_scenario


def new_generator(seed) -> np.random.Generator:
    """The run's random generator: numpy's SFC64 bit generator, 20-30 % faster than the default
    PCG64 for the normal and uniform draws most rules make (measured here), and as well tested
    (PractRand, TestU01 BigCrush)."""
    return np.random.Generator(np.random.SFC64(seed))


#: The model's own random streams besides the step's, each made from the seed and its key. Draws
#: whose count a lever changes have a stream of their own, so that the lever does not shift every
#: other rule's draws (common random numbers): the offshore bases' qualities (how many are
#: weeded), the firms' energy intensities (the screen refuses projects), the local carriers'
#: sizes (the founding subsidy founds carriers) and the talent and university programmes' awards
#: and matches (their sizes).
OWN_STREAMS = {"offshore_rng": 0x0FF5, "energy_rng": 0xE4E6, "carrier_rng": 0xCA21,
               "programme_rng": 0x7A1E}


class ZoneModel(mesa.Model):
    """The zonesim model for one scenario, one parameter set and one seed.

    Args:
        scenario: a validated :class:`~zonesim.scenario.Scenario`.
        seed: an int or a ``numpy.random.SeedSequence``; every draw of the run comes from the
            generators built from it (``rng`` and the :data:`OWN_STREAMS`).
        parameters: overrides of registered parameter values (sweeps, sensitivity analyses).
        steps_per_year: overrides the scenario's step length.
    """

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence = 0,
                 parameters: dict | None = None, steps_per_year: int | None = None):
        check_scenario(scenario)
        if not isinstance(seed, np.random.SeedSequence):
            seed = np.random.SeedSequence(check_option("seed", seed))
        steps_per_year = check_run_options(steps_per_year=steps_per_year)["steps_per_year"]
        super().__init__(rng=new_generator(seed))
        #: each step draws from a generator of its own, made from the seed and the step
        #: (:meth:`step`): two runs that differ in a lever then differ in one step's draws at
        #: most, rather than in every draw after the first count that differs (common random
        #: numbers for paired comparisons)
        self._step_seed = state = seed.generate_state(4).tolist()
        for name, key in OWN_STREAMS.items():
            setattr(self, name, new_generator(np.random.SeedSequence([*state, key])))
        self.scenario = scenario
        #: the tiers of the ``zones:<tier>`` scopes the targets read (rows recorded for them)
        self.tier_scopes = scopes.aggregate_tiers(t.scope for t in scenario.modelled_targets)
        meta = scenario.meta
        self.p = {**scenario.values(), **check_overrides(parameters)}
        check_run_memory(self.p["initial_enterprises"])
        self.steps_per_year = steps_per_year or meta.steps_per_year
        self.dt = 1.0 / self.steps_per_year
        self.start_year, self.end_year = meta.start_year, meta.end_year
        self.time = float(self.start_year)
        #: the government's yearly science-and-technology budget and its books
        self.budget = Budget(self)
        self.records: list[dict] = []
        #: each certification round's applicants and passes, first-time and renewal
        #: (:func:`~zonesim.engine.status.certify_high_tech`), the history's included
        self.certification_rounds: list[dict] = []

        self.sector_ids = [s.id for s in scenario.sectors]
        self.sector_index = {s: i for i, s in enumerate(self.sector_ids)}
        self.sector_high_tech = np.array([s.high_tech for s in scenario.sectors])
        self.sector_energy_intensity = np.array([s.energy_intensity for s in scenario.sectors])
        share = np.array([s.firm_share for s in scenario.sectors], dtype=float)
        self.sector_share = share / share.sum()
        high_tech_share = np.where(self.sector_high_tech, self.sector_share, 0.0)
        self._sector_cdf = {False: np.cumsum(self.sector_share),
                            True: np.cumsum(high_tech_share / max(high_tech_share.sum(), 1e-300))}
        self.zones: list[Zone] = [Zone(self, i, z) for i, z in enumerate(scenario.zones)]
        self.n_zones = len(self.zones)
        self.counties = sorted({z.county for z in self.zones})
        self.zone_strategic = np.zeros((self.n_zones + 1, len(self.sector_ids)), dtype=bool)
        self._n_strategic = np.array([len(z.strategic) for z in self.zones], dtype=np.intp)
        # each zone's strategic sectors, padded to the longest list
        self._strategic_sectors = np.zeros((self.n_zones, max(self._n_strategic.max(initial=0), 1)),
                                           dtype=np.int32)
        for z in self.zones:
            self.zone_strategic[z.index, z.strategic] = True
            self._strategic_sectors[z.index, :len(z.strategic)] = z.strategic
        self.firms = Enterprises(capacity=initial_capacity(self.p["initial_enterprises"]))
        self._demand_shock = defaultdict(lambda: np.zeros(len(self.sector_ids)))
        for ev in scenario.events:
            idx = [self.sector_index[s] for s in ev.sectors] or slice(None)
            self._demand_shock[ev.year][idx] += ev.size

        self.land = Land(self)
        #: the year's projects passed between zones (协同招商)
        self.joint = JointAttraction(self.n_zones)
        self.partners = Partnerships(self)
        populate(self)
        #: each zone-sector cluster's revenue at the last year start, and its log growth over
        #: the year before (zones + 1 rows: the last, the rest of the city, stays 0)
        self._cluster_revenue = self._clusters(self.firms.rev_hist_1)
        self._cluster_growth = np.zeros(self._cluster_revenue.shape)
        self.government = Government(self)
        self.incubators: list[Incubator] = []
        set_up_incubators(self)
        self.year_step = 0
        self.step_count = 0
        record_year(self, self.start_year - 1)

    # ------------------------------------------------------------- firm plumbing
    def zone_index(self, zone_id: str) -> int:
        for z in self.zones:
            if z.zone_id == zone_id:
                return z.index
        raise KeyError(zone_id)

    def draw_sectors(self, n: int, high_tech: bool = False) -> np.ndarray:
        """Sectors for ``n`` firms by the city's mix (only high-tech sectors if asked and any)."""
        cdf = self._sector_cdf[bool(high_tech and self.sector_high_tech.any())]
        # inversion on the cumulative shares: what rng.choice(p=...) does, without its checks
        return np.minimum(np.searchsorted(cdf, self.rng.random(n), side="right"),
                          len(cdf) - 1).astype(np.int32)

    def draw_strategic_sectors(self, zone: np.ndarray, otherwise: np.ndarray) -> np.ndarray:
        """One of its zone's strategic industries (uniformly) for each firm of ``zone``; the
        ``otherwise`` sector where the zone has none."""
        k = self._n_strategic[zone]
        pick = np.floor(self.rng.random(len(zone)) * np.maximum(k, 1)).astype(np.intp)
        return np.where(k > 0, self._strategic_sectors[zone, pick], otherwise)

    def enter_firms(self, sources: list) -> int:
        """Firms enter from the step's sources, in order (graduates, attracted projects, new
        firms: :class:`~zonesim.engine.entry.Candidates`, None for a source without any): their
        attributes are drawn in one batch, and each source admits its own against the land
        left by those before it. Returns the number of firms that entered."""
        sources = [c for c in sources if c is not None]
        if not sources:
            return 0
        cat = np.concatenate
        n = sum(len(c.zone) for c in sources)
        cols = new_firm_columns(self, n, zone=cat([c.zone for c in sources]),
                                    sector=cat([c.sector for c in sources]),
                                    revenue=cat([c.revenue for c in sources]),
                                    origin=cat([c.origin for c in sources]))
        cols = {k: (np.full(n, v) if np.ndim(v) == 0 else v) for k, v in cols.items()}
        free_mu = self.land.ordinary_free_mu()
        keep = np.empty(n, dtype=bool)
        start = 0
        for c in sources:
            rows = slice(start, start + len(c.zone))
            keep[rows] = c.admit({k: v[rows] for k, v in cols.items()}, free_mu)
            start = rows.stop
        return self.add_firms(cols, keep)

    def add_firms(self, cols: dict, keep: np.ndarray | None = None) -> int:
        """Append firms (optionally only rows where ``keep``); keeps the land account."""
        if keep is not None:
            cols = {c: (v[keep] if isinstance(v, np.ndarray) else v) for c, v in cols.items()}
        n = len(cols["revenue"])
        if n == 0:
            return 0
        cols["exit_size_factor"] = size_exit_multiplier(self.p, cols["revenue"])
        self.firms.add(n, **cols)
        self.land.occupy(np.asarray(cols["zone"]) * np.ones(n, dtype=np.int32), cols["land_mu"])
        return n

    def remove_firms(self, ids, when=None) -> None:
        """Firms leave: masked, their exit time noted (``when``, calendar time, one for all or
        one per firm; default: now), certificates and statuses dropped, land returned to the
        zone."""
        e = self.firms
        ids = np.asarray(ids)
        if ids.size == 0:
            return
        self.land.release(ids)
        e.set("alive", ids, False)
        e.set("exit_year", ids, self.time if when is None else when)
        e.set("rd_intensity", ids, 0.0)   # an exited firm spends nothing
        for col in ("certified", "tech_sme", "in_pool", "leader", "specialised"):
            e.set(col, ids, False)

    def cluster_growth_table(self) -> np.ndarray:
        """Log growth over the last year of each zone-sector cluster's revenue (zones + 1 rows
        × sectors, updated at the start of the year), the last row, the rest of the city
        (zone index −1), zeros: its firms are not in a zone's cluster."""
        return self._cluster_growth

    def in_strategic_industry(self) -> np.ndarray:
        """Per firm: whether it is in one of its zone's strategic industries (一区一战略产业);
        firms of the rest of the city are not."""
        return self.zone_strategic[self.firms.zone, self.firms.sector]

    def _clusters(self, revenue: np.ndarray) -> np.ndarray:
        """Revenue (yuan a year) of each zone's living firms by sector, plus one median firm's
        (``firm_revenue_median_yuan``), so that a cluster born from nothing grows by a finite
        log; the last row (the rest of the city) stays 0."""
        e = self.firms
        inz = e.alive & (e.zone >= 0)
        s = len(self.sector_ids)
        # float even without firms (bincount of nothing is an int array)
        sums = np.bincount(e.zone[inz] * s + e.sector[inz], weights=revenue[inz],
                           minlength=(self.n_zones + 1) * s).reshape(self.n_zones + 1, s)
        sums = sums.astype(float)
        sums[:-1] += self.p["firm_revenue_median_yuan"]
        return sums

    def _update_clusters(self) -> None:
        now = self._clusters(last_year_revenue(self.firms))
        self._cluster_growth = np.zeros(now.shape)
        self._cluster_growth[:-1] = np.log(now[:-1] / self._cluster_revenue[:-1])
        self._cluster_revenue = now

    # -------------------------------------------------------------------- time
    @property
    def year(self) -> int:
        """The calendar year of the current step."""
        return int(np.floor(self.time + 1e-9))

    def step(self) -> None:
        """Advance one step (1/steps_per_year of a year)."""
        dt = self.dt
        self.rng = new_generator(np.random.SeedSequence([*self._step_seed, 0x57E9,
                                                        self.step_count]))
        if self.year_step == 0:
            self._start_year()
        shock = self._demand_shock[self.year] if self.year in self._demand_shock else \
            np.zeros(len(self.sector_ids))
        real_rd = spend_on_rd(self, dt)
        grow_revenue(self, dt, shock, real_rd)
        self.land.expand_or_hold()
        self.enter_firms([graduate_candidates(self, pass_along_chain(self, incubate(self, dt))),
                          project_candidates(self, dt), fund_backed_candidates(self, dt),
                          partner_candidates(self, dt), new_firm_candidates(self, dt)])
        exit_firms(self, dt)
        self.year_step += 1
        self.step_count += 1
        self.time = self.start_year + self.step_count * dt  # no drift from summing dt
        if self.year_step == self.steps_per_year:
            self.time = float(round(self.time))
            self._end_year(self.year - 1)
            self.year_step = 0

    def run(self) -> pd.DataFrame:
        """Run to the end of ``end_year``; returns the yearly indicator table."""
        for _ in self.run_years():
            pass
        return self.indicator_table()

    def run_years(self) -> Iterator[int]:
        """Run to the end of ``end_year``, yielding each year as it closes (its indicators
        recorded), so that an observer can look at the firms at every year end."""
        for year in range(self.start_year, self.end_year + 1):
            for _ in range(self.steps_per_year):
                self.step()
            yield year

    def _start_year(self) -> None:
        self.budget.open_year(self.records[-1]["gdp_yuan"][0])   # the city's, last year
        start_year_accounts(self)
        rate_exit_risk_by_size(self)
        self._update_clusters()
        revise_rd_propensity(self)
        # what firms want before financing: the lenders' screen and the firms' decision
        wanted = desired_rd_intensity(self)
        self.government.grant_tech_loans(wanted[0])
        decide_rd(self, wanted)
        self.government.fund_climbers_projects()
        self.government.fund_recognised_parks()
        self.carriers.reset_year()
        self.joint.reset_year()
        self.partners.reset_year()
        found_offshore_bases(self)
        found_carriers(self)
        firms_found_maker_spaces(self)
        award_talent(self)
        self.government.pay_incubator_subsidies()

    def _end_year(self, year: int) -> None:
        produce_patents(self, year)
        close_year_accounts(self)
        upgrade_high_tech_share(self)
        classify_tech_smes(self, year)
        enter_cultivation_pool(self, year)
        certify_high_tech(self, year)
        file_ip_to_qualify(self, year)
        name_leaders(self)
        name_specialised_smes(self)
        set_up_rd_institutions(self, year)
        update_university_cooperation(self, year)
        self.land.follow_need_outside_zones()
        self.enter_firms([redevelopment_candidates(self, self.government.recycle_land())])
        # one pass over the firms gives the sums behind every indicator of every scope: the
        # government's evaluation and the year's record read the same state
        sums = group_sums(self, year, self.firms.zone)
        stats = zone_stats(self, sums)
        ranks = self.government.evaluate_zones(stats)
        self.government.reward_and_warn(ranks, stats, year)
        self.government.review_special_parks(stats, year)
        for z, s in zip(self.zones, stats):
            z.apply_for_promotion(s, year)
        decide_applications(self, stats, ranks, year)
        self.government.allocate_land_quota(ranks)
        self.land.intensify()
        accredit_carriers(self)
        record_year(self, year, sums)
        weed_out_zombie_bases(self)

    # ---------------------------------------------------------------- inspection
    def indicator_table(self) -> pd.DataFrame:
        """Yearly indicators, one row per (year, scope), one column per indicator."""
        return indicator_table(self.records)

    def enterprise(self, firm_id: int) -> dict:
        """One enterprise's state, with derived fields, by its stable id."""
        row = self.firms.row(int(firm_id))
        row["id"] = int(firm_id)
        row["zone_id"] = self.zones[row["zone"]].zone_id if row["zone"] >= 0 else None
        row["sector_id"] = self.sector_ids[row["sector"]]
        row["age_years"] = self.time - row["birth_year"]
        row["above_scale"] = rules.above_scale(row["revenue"])
        row["rd_level_name"] = RD_LEVELS[row["rd_level"]]
        row["origin_name"] = ORIGINS[row["origin"]]
        return row

    def enterprises_frame(self, include_exited: bool = False) -> pd.DataFrame:
        """A pandas snapshot of the enterprises (one row per firm, index = id)."""
        e = self.firms
        df = pd.DataFrame({c: getattr(e, c) for c in COLUMNS})
        df.index.name = "id"
        df["zone_id"] = [self.zones[z].zone_id if z >= 0 else None for z in df["zone"]]
        df["sector_id"] = np.asarray(self.sector_ids, dtype=object)[df["sector"].to_numpy()]
        df["age_years"] = self.time - df["birth_year"]
        df["above_scale"] = rules.above_scale(df["revenue"].to_numpy())
        return df if include_exited else df[df["alive"]]
