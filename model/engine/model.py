"""ZoneModel: the city, its zones, incubators, government and enterprises, stepped in time.

The schedule (docs/ODD.md §3) — each step is 1/``steps_per_year`` of a year:

at the start of a year
    firms reset their yearly accounts and revise their R&D propensity; the government grants
    tech loans; firms decide this year's R&D (``decide_rd``); the government pays vouchers and
    incubator subsidies;
every step
    firms spend on R&D and grow; incubators admit and graduate projects (offshore
    graduates land or are lost); zones attract investment; new firms are founded in the rest of
    the city; firms exit (entrants of the step, born mid-step, are at risk for half of it);
at the end of a year
    firms file and are granted the patents of the year's R&D, close their accounts, upgrade
    products, are classified (tech SME, pool), certified,
    named leaders or specialised SMEs, set up R&D institutions, start or end university
    cooperation and ask for land; the government recycles land (腾笼换鸟), evaluates and ranks
    zones, rewards and warns; zones apply for promotion; the government allocates the land quota;
    the year's indicators are recorded; zombie offshore bases are replaced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import mesa
import numpy as np
import pandas as pd

from zonesim.engine import enterprises as ent
from zonesim import rules
from zonesim.engine.enterprises import Enterprises
from zonesim.engine.government import Government
from zonesim.engine.incubators import Carriers, Incubator, fill_to_steady_state, graduate_candidates, incubate
from zonesim.registry.indicators import INDICATORS
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import Scenario, ScenarioError
from zonesim.engine.zones import Zone, project_candidates

#: Zone-level indicators summed over a scope's zones (and carriers), besides the firm sums.
ZONE_LEVEL_SUMS = {"land_free_mu": float, "offshore_bases": int,
                   "offshore_projects_admitted": int, "offshore_projects_landed": int,
                   "incubated_projects": int, "incubator_graduates": int}
#: Share of a zone's initial firms in its strategic industries (the rest follow the city's
#: sector mix): assumption for the state before the policy.
INITIAL_STRATEGIC_SHARE = 0.3
#: Revenue of a newly founded firm in the rest of the city, relative to the median firm.
NEW_FIRM_SIZE_MULTIPLE = 0.3
#: A zone firm asks for more land when its need exceeds its holding by this factor (below it,
#: firms use their land more intensively: assumption).
LAND_REQUEST_SLACK = 1.5


def new_generator(seed) -> np.random.Generator:
    """The run's random generator: numpy's SFC64 bit generator, 20-30 % faster than the default
    PCG64 for the normal and uniform draws most rules make (measured here), and as well tested
    (PractRand, TestU01 BigCrush)."""
    return np.random.Generator(np.random.SFC64(seed))


def check_overrides(parameters: dict | None) -> dict:
    """Validate parameter overrides (sweeps, sensitivity): known names, values in domain."""
    out = {}
    for name, value in (parameters or {}).items():
        if name not in PARAMETERS:
            raise ScenarioError(f"unknown parameter {name!r}; see `zonesim parameters`")
        p = PARAMETERS[name]
        if p.categorical:
            if value not in p.choices:
                raise ScenarioError(f"parameter {name}: expected one of {p.choices}, got {value!r}")
        else:
            value = float(value)
            if (p.minimum is not None and value < p.minimum) or (
                    p.maximum is not None and value > p.maximum):
                raise ScenarioError(f"parameter {name}: {value:g} is outside its valid domain "
                                    f"[{p.minimum}, {p.maximum}] ({p.unit})")
            if p.integer:
                value = int(round(value))
        out[name] = value
    return out


class ZoneModel(mesa.Model):
    """The zonesim model for one scenario, one parameter set and one seed.

    Args:
        scenario: a validated :class:`~zonesim.scenario.Scenario`.
        seed: an int or a ``numpy.random.SeedSequence``; every draw of the run comes from the
            one generator built from it.
        parameters: overrides of registered parameter values (sweeps, sensitivity analyses).
        steps_per_year: overrides the scenario's step length.
    """

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence = 0,
                 parameters: dict | None = None, steps_per_year: int | None = None):
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        super().__init__(rng=new_generator(ss))
        self.scenario = scenario
        meta = scenario.scenario
        self.p = {**scenario.values(), **check_overrides(parameters)}
        self.steps_per_year = int(steps_per_year or meta.steps_per_year)
        self.dt = 1.0 / self.steps_per_year
        self.start_year, self.end_year = meta.start_year, meta.end_year
        self.time = float(self.start_year)
        self.ledger: dict[str, float] = defaultdict(float)
        self.records: list[dict] = []

        self.sector_ids = [s.id for s in scenario.sectors]
        self.sector_index = {s: i for i, s in enumerate(self.sector_ids)}
        self.sector_high_tech = np.array([s.high_tech for s in scenario.sectors])
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
        # revenue per mu by zone (last entry: the rest of the city), calibrated at set-up
        self.zone_output_per_mu = np.full(self.n_zones + 1, self.p["land_output_yuan_per_mu"])
        # room for the entrants of the run: zero pages cost no memory until rows are written
        self.firms = Enterprises(capacity=2 * int(self.p["initial_enterprises"]) + 1024)
        self._land_used = np.zeros(self.n_zones)
        self._same_sector = np.zeros((self.n_zones + 1, len(self.sector_ids)))
        self._demand_shock = defaultdict(lambda: np.zeros(len(self.sector_ids)))
        for ev in scenario.events:
            idx = [self.sector_index[s] for s in ev.sectors] or slice(None)
            self._demand_shock[ev.year][idx] += ev.size

        self._populate()
        self.government = Government(self)
        self.incubators: list[Incubator] = []
        self._set_up_incubators()
        self.year_step = 0
        self.step_count = 0
        self.record_year(self.start_year - 1)

    # ------------------------------------------------------------------ set-up
    def _populate(self) -> None:
        """Create the initial firms, calibrated to the scenario's initial parameters."""
        p, rng = self.p, self.rng
        n = int(p["initial_enterprises"])
        zone_share = np.array([z.firm_share for z in self.scenario.zones] + [0.0])
        zone_share[-1] = max(1.0 - zone_share[:-1].sum(), 0.0)
        zone = rng.choice(self.n_zones + 1, size=n, p=zone_share / zone_share.sum())
        zone = np.where(zone == self.n_zones, -1, zone).astype(np.int32)
        sector = self.draw_sectors(n)
        moved = np.flatnonzero(zone >= 0)
        moved = moved[rng.random(len(moved)) < INITIAL_STRATEGIC_SHARE]
        sector[moved] = self.draw_strategic_sectors(zone[moved], sector[moved])
        revenue = ent.draw_initial_revenue(rng, n, p)
        cols = ent.new_firm_columns(self, n, zone=zone, sector=sector, revenue=revenue, origin=0)
        age = 1.0 + rng.exponential(7.0, n)  # mean age ≈ 8 years (assumption)
        cols["birth_year"] = cols["entry_year"] = self.time - age
        # zone land: scale the zones' revenue per mu so that their firms occupy the stated share
        for z, spec in zip(self.zones, self.scenario.zones):
            mine = zone == z.index
            target = spec.land_used_share * spec.land_stock_mu
            need = (revenue[mine] / cols["land_productivity"][mine]).sum()
            if mine.any() and target > 0:
                self.zone_output_per_mu[z.index] = need / target
        cols["land_mu"] = revenue / (self.zone_output_per_mu[zone] * cols["land_productivity"])
        ids = self.firms.add(n, **cols)
        e = self.firms
        # three years of history at the chosen intensity
        for k in range(3):
            e.set(f"rev_hist_{k}", ids, revenue)
            e.set(f"rd_hist_{k}", ids, revenue * cols["rd_intensity"])
        self._initial_patents()
        self._initial_certificates()
        self._initial_institutions()
        above = rules.above_scale(e.revenue)
        coop = above & (rng.random(e.n) < p["initial_university_coop_share"])
        e.set("university_coop", coop, True)
        self._policy_consistent_history()
        ent.name_leaders(self)
        ent.name_specialised_smes(self)
        self._refresh_land_used()

    def _policy_consistent_history(self) -> None:
        """Rebuild the last three years of R&D as firms would have chosen them under the
        policies in force at the start (R&D decision, tech-SME status, cultivation pool and its
        IP support, year by year), so that the certification pipeline is not empty in the first
        simulated year. Revenue, certificates and counts are left as calibrated."""
        e = self.firms
        for k in (2, 1, 0):
            ent.decide_rd(self)
            e.set(f"rd_hist_{k}", slice(None), e.rd_intensity * e.revenue)
            ent.classify_tech_smes(self)
            ent.enter_cultivation_pool(self)

    def _initial_patents(self) -> None:
        e, p = self.firms, self.p
        stock = int(round(p["invention_patents_per_10k_people_start"] * p["population_persons"]
                          / 1e4))
        w = e.knowledge / e.knowledge.sum()
        e.set("invention_patents", slice(None), self.rng.multinomial(stock, w))
        e.set("other_ip", slice(None), self.rng.poisson(
            p["patents_per_million_rd_yuan"] * e.knowledge / 1e6))

    def _initial_certificates(self) -> None:
        """Certify the ``initial_high_tech_enterprises`` firms most likely to qualify, and make
        their state consistent with the rules they were certified under."""
        e, p = self.firms, self.p
        k = min(int(p["initial_high_tech_enterprises"]), e.n)
        if k == 0:
            return
        score = (e.base_rd_intensity / rules.rd_intensity_threshold(e.revenue)
                 + e.high_tech_share + 0.5 * (e.invention_patents > 0))
        noisy = score * np.exp(0.3 * self.rng.standard_normal(e.n))
        ids = _largest(noisy, k)
        thr = rules.rd_intensity_threshold(e.revenue[ids]) * (1 + ent.NOTCH_MARGIN)
        rd = np.maximum(e.rd_intensity[ids], thr)
        e.set("rd_intensity", ids, rd)
        e.set("rd_propensity", ids, np.maximum(e.rd_propensity[ids], 0.8 * thr))
        e.set("base_rd_intensity", ids, np.maximum(e.base_rd_intensity[ids], 0.8 * thr))
        for j in range(3):
            e.set(f"rd_hist_{j}", ids, e.revenue[ids] * rd)
        e.set("high_tech_share", ids, np.maximum(e.high_tech_share[ids], 0.62))
        e.set("st_offset", ids, np.maximum(e.st_offset[ids], 0.02))
        e.set("st_share", ids, np.maximum(e.st_share[ids], rules.ST_STAFF_SHARE_MIN))
        no_ip = ids[(e.invention_patents[ids] < 1) & (e.other_ip[ids] < rules.MIN_OTHER_IP)]
        e.set("other_ip", no_ip, rules.MIN_OTHER_IP)
        e.set("certified", ids, True)
        # staggered cohorts: certificates expire at the end of the next three years
        expiry = self.start_year + self.rng.integers(0, 3, size=k)
        e.set("cert_expiry", ids, expiry)
        e.set("first_cert_year", ids, expiry - rules.CERTIFICATE_VALIDITY_YEARS)

    def _initial_institutions(self) -> None:
        e, p = self.firms, self.p
        rd = e.rd_intensity * e.revenue
        k = min(int(p["initial_rd_institutions_municipal_plus"]), e.n)
        top = _largest(rd * np.exp(0.3 * self.rng.standard_normal(e.n)), k)
        e.set("rd_level", top, 2)
        e.set("rd_level", top[: k // 5], 3)
        e.set("rd_municipal_year", top, self.start_year - 2)
        rest = np.setdiff1d(np.arange(e.n), top, assume_unique=True)
        ent_level = rest[(rd[rest] >= ent.RD_INSTITUTION_MIN_RD_YUAN[0])
                         & (self.rng.random(len(rest)) < 0.5)]
        e.set("rd_level", ent_level, 1)

    def _set_up_incubators(self) -> None:
        self.carriers = Carriers(sum(g.count for g in self.scenario.incubators)
                                 + int(self.p["offshore_bases"]))
        for g in self.scenario.incubators:
            zi = -1 if g.zone == "city" else self.zone_index(g.zone)
            for _ in range(g.count):
                self.incubators.append(Incubator(self, g.kind, zi))
        homes = self._offshore_homes()
        for i in range(int(self.p["offshore_bases"])):
            self.incubators.append(Incubator(self, "offshore_base", homes[i % len(homes)]))
        fill_to_steady_state(self)

    def _offshore_homes(self) -> list[int]:
        """Home zones of offshore bases: the zones in order of their initial firm share."""
        if not self.zones:
            return [-1]
        order = sorted(self.zones, key=lambda z: -self.scenario.zones[z.index].firm_share)
        return [z.index for z in order]

    # ------------------------------------------------------------- firm plumbing
    def zone_index(self, zone_id: str) -> int:
        for z in self.zones:
            if z.zone_id == zone_id:
                return z.index
        raise KeyError(zone_id)

    def zone_land_output(self, zone) -> np.ndarray:
        """Revenue per mu of the given zone indices (-1: the rest of the city)."""
        return self.zone_output_per_mu[np.asarray(zone)]

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
        firms: :class:`~zonesim.enterprises.Candidates`, None for a source without any): their
        attributes are drawn in one batch, and each source admits its own against the land
        left by those before it. Returns the number of firms that entered."""
        sources = [c for c in sources if c is not None]
        if not sources:
            return 0
        cat = np.concatenate
        n = sum(len(c.zone) for c in sources)
        cols = ent.new_firm_columns(self, n, zone=cat([c.zone for c in sources]),
                                    sector=cat([c.sector for c in sources]),
                                    revenue=cat([c.revenue for c in sources]),
                                    origin=cat([c.origin for c in sources]))
        cols = {k: (np.full(n, v) if np.ndim(v) == 0 else v) for k, v in cols.items()}
        free_mu = self.land_free_by_zone()
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
        cols["exit_size_factor"] = ent.size_exit_multiplier(self.p, cols["revenue"])
        self.firms.add(n, **cols)
        zone = np.asarray(cols["zone"]) * np.ones(n, dtype=np.int32)
        inz = zone >= 0
        if inz.any():
            self._land_used += np.bincount(zone[inz], weights=np.asarray(cols["land_mu"])[inz],
                                           minlength=self.n_zones)
        return n

    def remove_firms(self, ids) -> None:
        """Firms leave: masked, certificates and statuses dropped, land returned to the zone."""
        e = self.firms
        ids = np.asarray(ids)
        if ids.size == 0:
            return
        zone = e.zone[ids]
        inz = zone >= 0
        if inz.any():
            self._land_used -= np.bincount(zone[inz], weights=e.land_mu[ids][inz],
                                           minlength=self.n_zones)
        e.set("alive", ids, False)
        e.set("land_mu", ids, 0.0)
        e.set("rd_intensity", ids, 0.0)   # an exited firm spends nothing
        for col in ("certified", "tech_sme", "in_pool", "leader", "specialised"):
            e.set(col, ids, False)

    def _refresh_land_used(self) -> None:
        e = self.firms
        inz = e.alive & (e.zone >= 0)
        self._land_used = np.bincount(e.zone[inz], weights=e.land_mu[inz],
                                      minlength=self.n_zones).astype(float)

    def land_used_by_zone(self) -> np.ndarray:
        return self._land_used

    def land_free_by_zone(self) -> np.ndarray:
        """Free land of each zone (mu), in zone order."""
        return np.array([z.land_free_mu() for z in self.zones])

    def same_sector_table(self) -> np.ndarray:
        """Share of each zone's firms in each sector (zones × sectors, updated at the start of
        the year), with a last row of zeros for the rest of the city (zone index −1)."""
        return self._same_sector

    def _update_same_sector(self) -> None:
        e = self.firms
        inz = e.alive & (e.zone >= 0)
        s = len(self.sector_ids)
        counts = np.bincount(e.zone[inz] * s + e.sector[inz],
                             minlength=(self.n_zones + 1) * s).reshape(self.n_zones + 1, s)
        tot = counts.sum(axis=1, keepdims=True)
        self._same_sector = np.divide(counts, tot, out=np.zeros(counts.shape), where=tot > 0)

    # -------------------------------------------------------------------- time
    @property
    def year(self) -> int:
        """The calendar year of the current step."""
        return int(np.floor(self.time + 1e-9))

    def step(self) -> None:
        """Advance one step (1/steps_per_year of a year)."""
        dt = self.dt
        if self.year_step == 0:
            self._start_year()
        shock = self._demand_shock[self.year] if self.year in self._demand_shock else \
            np.zeros(len(self.sector_ids))
        real_rd = ent.spend_on_rd(self, dt)
        ent.grow_revenue(self, dt, shock, real_rd)
        self.enter_firms([graduate_candidates(self, incubate(self, dt)),
                          project_candidates(self, dt), self._new_firm_candidates(dt)])
        ent.exit_firms(self, dt)
        self.year_step += 1
        self.step_count += 1
        self.time = self.start_year + self.step_count * dt  # no drift from summing dt
        if self.year_step == self.steps_per_year:
            self.time = float(round(self.time))
            self._end_year(self.year - 1)
            self.year_step = 0

    def run(self) -> pd.DataFrame:
        """Run to the end of ``end_year``; returns the yearly indicator table."""
        n_steps = (self.end_year - self.start_year + 1) * self.steps_per_year
        for _ in range(n_steps):
            self.step()
        return self.indicator_table()

    def _start_year(self) -> None:
        self.ledger.clear()
        ent.start_year_accounts(self)
        ent.rate_exit_risk_by_size(self)
        self._update_same_sector()
        ent.revise_rd_propensity(self)
        self.government.grant_tech_loans()
        ent.decide_rd(self)
        self.carriers.reset_year()
        self.government.pay_vouchers()
        self.government.pay_incubator_subsidies()

    def _new_firm_candidates(self, dt: float) -> ent.Candidates | None:
        """New firms in the rest of the city at ``firm_birth_rate`` of its firm count (all
        enter: they need no zone land)."""
        e, p = self.firms, self.p
        n_rest = int((e.alive & (e.zone < 0)).sum())
        n = int(self.rng.poisson(p["firm_birth_rate"] * n_rest * dt))
        if n == 0:
            return None
        revenue = (p["firm_revenue_median_yuan"] * NEW_FIRM_SIZE_MULTIPLE
                   * np.exp(self.rng.standard_normal(n)))
        return ent.Candidates(np.full(n, -1, dtype=np.int32), self.draw_sectors(n), revenue,
                              np.full(n, 4, dtype=np.int8),
                              lambda cols, free_mu: np.ones(n, dtype=bool))

    def _end_year(self, year: int) -> None:
        ent.produce_patents(self, year)
        ent.close_year_accounts(self)
        ent.upgrade_high_tech_share(self)
        ent.classify_tech_smes(self)
        ent.enter_cultivation_pool(self)
        ent.certify_high_tech(self, year)
        ent.name_leaders(self)
        ent.name_specialised_smes(self)
        ent.set_up_rd_institutions(self, year)
        ent.update_university_cooperation(self, year)
        self._expand_land()
        self.government.recycle_land()
        # one pass over the firms gives the sums behind every indicator of every scope: the
        # government's evaluation and the year's record read the same state
        sums = _group_sums(self, year, self.firms.zone)
        stats = self._zone_stats(sums)
        ranks = self.government.evaluate_zones(stats)
        self.government.reward_and_warn(ranks, stats, year)
        for z, s in zip(self.zones, stats):
            z.apply_for_promotion(s, year)
        self.government.allocate_land_quota(ranks)
        self.record_year(year, sums)
        self._replace_zombie_bases()

    def _expand_land(self) -> None:
        """Zone firms whose land need outgrows their holding ask their zone for more; each zone
        grants its requests in random order while land is free (a request larger than what is
        left gets the rest). Elsewhere land follows need."""
        e = self.firms
        need = e.revenue / (self.zone_output_per_mu[e.zone] * e.land_productivity)
        rest = e.alive & (e.zone < 0)
        e.land_mu[rest] = need[rest]
        asks = np.flatnonzero(e.alive & (e.zone >= 0) & (need > LAND_REQUEST_SLACK * e.land_mu))
        if len(asks) == 0:
            return
        # random order within each zone: shuffle, then a stable sort by zone
        ids = self.rng.permutation(asks)
        ids = ids[np.argsort(e.zone[ids], kind="stable")]
        zone = e.zone[ids]
        request = need[ids] - e.land_mu[ids]
        asked_before = np.cumsum(request) - request          # within the zone, below
        first = np.flatnonzero(np.r_[True, zone[1:] != zone[:-1]])
        asked_before -= np.repeat(asked_before[first], np.diff(np.r_[first, len(ids)]))
        free = self.land_free_by_zone()
        granted = np.clip(free[zone] - asked_before, 0.0, request)
        e.land_mu[ids] += granted
        self._land_used += np.bincount(zone, weights=granted, minlength=self.n_zones)

    def _replace_zombie_bases(self) -> None:
        """Offshore bases admitting too few projects in the year are weeded out and replaced."""
        for i, inc in enumerate(self.incubators):
            if inc.is_zombie():
                inc.remove()
                self.incubators[i] = Incubator(self, "offshore_base", inc.zone_index, inc.slot)
                self.ledger["zombie_bases_replaced"] += 1

    # ---------------------------------------------------------------- indicators
    def firm_indicators(self, mask, year: int) -> dict:
        """Firm-level indicators for ``year`` aggregated over the firms selected by ``mask``."""
        sums = _group_sums(self, year, np.where(mask, 0, -1))
        picks = _pick_many(sums, [[1], slice(None)])
        return _row(_indicators_from_sums(self.p, picks, _row(picks, 1)), 0)

    def _zone_stats(self, sums: dict) -> list[dict]:
        picks = _pick_many(sums, [[z.index + 1] for z in self.zones] + [slice(None)])
        table = _indicators_from_sums(self.p, picks, _row(picks, len(self.zones)))
        return [_Row(table, i) for i in range(len(self.zones))]

    def record_year(self, year: int, sums: dict | None = None) -> None:
        """Snapshot every indicator for every scope at the end of ``year`` (``sums``: the
        year's :func:`_group_sums` by zone, if already taken), as a block of columns (one
        entry per scope) of the indicator table."""
        if sums is None:
            sums = _group_sums(self, year, self.firms.zone)   # group 0: rest of city; z+1: zone z
        sums = {**sums, **self._zone_level_sums()}
        groups = {"city": slice(None), "zones": slice(1, None), "rest_of_city": [0]}
        parks = [z.index + 1 for z in self.zones if z.is_special_park]
        if parks:
            groups["special_parks"] = parks
        for z in self.zones:
            groups[f"zone:{z.zone_id}"] = [z.index + 1]
        picks = _pick_many(sums, list(groups.values()))     # scope "city" first
        block = _indicators_from_sums(self.p, picks, _row(picks, 0))
        for k, kind in ZONE_LEVEL_SUMS.items():
            block[k] = np.rint(picks[k]).astype(np.int64) if kind is int else picks[k]
        is_zone = np.array([scope.startswith("zone:") for scope in groups])
        block["zone_tier_level"] = np.where(is_zone, picks["zone_tier_level"], np.nan)
        for k, v in self._city_level(sums).items():      # recorded for the city only
            block[k] = np.r_[v, np.full(len(groups) - 1, np.nan)]
        if year < self.start_year:  # the initial state: no simulated year behind flows
            for k in block:
                if INDICATORS[k].flow:
                    block[k] = np.full(len(groups), np.nan)
        self.records.append({"year": np.full(len(groups), year),
                             "scope": np.array(list(groups), dtype=object), **block})

    def _zone_level_sums(self) -> dict[str, np.ndarray]:
        """Zone-level quantities by group (0: carriers outside the zones, z + 1: zone z), to be
        summed over a scope's groups like the firm sums."""
        ng = self.n_zones + 1
        land_free = np.zeros(ng)
        land_free[1:] = self.land_free_by_zone()
        tier = np.zeros(ng)
        tier[1:] = [z.tier for z in self.zones]
        c = self.carriers
        home = c.zone_index + 1

        def per_group(counts, only_offshore=False):
            w = counts * c.offshore if only_offshore else counts
            return np.bincount(home, weights=w, minlength=ng)

        return {
            "land_free_mu": land_free,
            "offshore_bases": per_group(1, True),
            "offshore_projects_admitted": per_group(c.admitted_this_year, True),
            "offshore_projects_landed": per_group(c.landed_this_year, True),
            "incubated_projects": per_group(c.tenants),
            "incubator_graduates": per_group(c.graduated_this_year),
            "zone_tier_level": tier,
        }

    def _city_level(self, sums: dict) -> dict:
        tiers = np.array([z.tier for z in self.zones if not z.is_special_park], dtype=int)
        covered = {z.county for z in self.zones if z.tier >= 1 and not z.is_special_park}
        e = self.firms
        # recorded at the turn of the year: loans due now are still on the books
        on_loan = e.alive & (e.loan_until >= self.time - 1e-9)
        provincial = [z for z in self.zones if z.tier >= 2 and not z.is_special_park]
        hosts = {i.zone_index for i in self.incubators if not i.offshore}
        strategic_out = sums["strategic_out"][1:]     # by zone
        return {
            "zones_municipal_plus": int((tiers >= 1).sum()),
            "zones_provincial_plus": int((tiers >= 2).sum()),
            "zones_provincial_recognized_plus": int((tiers >= 3).sum()),
            "zones_national": int((tiers >= 4).sum()),
            "zones_creating_to_recognized": sum(
                1 for z in self.zones for (_, t) in z.promotions if t == "provincial_recognized"),
            "county_units_covered_share": (len(covered) / len(self.counties)
                                           if self.counties else np.nan),
            "special_parks": sum(1 for z in self.zones if z.is_special_park and z.tier >= 1),
            "provincial_zones_with_incubator_share": (
                sum(z.index in hosts for z in provincial) / len(provincial) if provincial
                else np.nan),
            "zones_strategic_output_over_10bn": int((strategic_out >= 1e10).sum()),
            "tech_loan_balance_yuan": float(e.loan_yuan[on_loan].sum()),
            "government_spending_yuan": float(sum(v for k, v in self.ledger.items()
                                                  if k != "zombie_bases_replaced")),
        }

    def indicator_table(self) -> pd.DataFrame:
        """Yearly indicators, one row per (year, scope), one column per indicator."""
        cols = ["year", "scope"] + [c for c in INDICATORS if c in self.records[0]]
        return pd.DataFrame({c: np.concatenate([b[c] for b in self.records]) for c in cols})

    # ------------------------------------------------------------------ inspection
    def enterprise(self, firm_id: int) -> dict:
        """One enterprise's state, with derived fields, by its stable id."""
        row = self.firms.row(int(firm_id))
        row["id"] = int(firm_id)
        row["zone_id"] = self.zones[row["zone"]].zone_id if row["zone"] >= 0 else None
        row["sector_id"] = self.sector_ids[row["sector"]]
        row["age_years"] = self.time - row["birth_year"]
        row["above_scale"] = rules.above_scale(row["revenue"])
        row["rd_level_name"] = ent.RD_LEVELS[row["rd_level"]]
        row["origin_name"] = ent.ORIGINS[row["origin"]]
        return row

    def enterprises_frame(self, include_exited: bool = False) -> pd.DataFrame:
        """A pandas snapshot of the enterprises (one row per firm, index = id)."""
        e = self.firms
        df = pd.DataFrame({c: getattr(e, c) for c in ent.COLUMNS})
        df.index.name = "id"
        df["zone_id"] = [self.zones[z].zone_id if z >= 0 else None for z in df["zone"]]
        df["sector_id"] = np.asarray(self.sector_ids, dtype=object)[df["sector"].to_numpy()]
        df["age_years"] = self.time - df["birth_year"]
        df["above_scale"] = rules.above_scale(df["revenue"].to_numpy())
        return df if include_exited else df[df["alive"]]


#: Firm flags packed into bytes (up to 8 flags a byte): one bincount of group × byte gives each
#: group's joint distribution of the byte's flags, and every count of a combination of them is
#: a sum over the byte values where it holds — three bincounts instead of one per count.
FLAG_BYTES = (
    ("above", "certified", "rd_institution", "university_coop", "applied", "inventor",
     "large_or_hte", "specialised"),
    ("leader", "pool", "tech_sme", "rd_municipal", "rd_provincial", "new_hte",
     "new_rd_municipal", "gazelle"),
    ("new_coop", "new_joint_institution", "first_application", "over_20_applications"),
)
#: Counts of firms: key → (byte, condition on that byte's flags).
COUNTS = {
    "n": (0, lambda f: np.ones_like(f["above"])),
    "n_above": (0, lambda f: f["above"]),
    "n_hte": (0, lambda f: f["certified"]),
    "n_hte_above": (0, lambda f: f["above"] & f["certified"]),
    "n_spec": (0, lambda f: f["specialised"]),
    "n_hte_or_spec": (0, lambda f: f["certified"] | f["specialised"]),
    "n_above_inst": (0, lambda f: f["above"] & f["rd_institution"]),
    "n_lm_hte": (0, lambda f: f["large_or_hte"]),
    "n_lm_hte_inst": (0, lambda f: f["large_or_hte"] & f["rd_institution"]),
    "n_lm_hte_inv": (0, lambda f: f["large_or_hte"] & f["inventor"]),
    "n_above_coop": (0, lambda f: f["above"] & f["university_coop"]),
    "n_above_app": (0, lambda f: f["above"] & f["applied"]),
    "n_hte_inv": (0, lambda f: f["certified"] & f["inventor"]),
    "n_leader": (1, lambda f: f["leader"]),
    "n_pool": (1, lambda f: f["pool"]),
    "n_tech_sme": (1, lambda f: f["tech_sme"]),
    "n_rd_muni": (1, lambda f: f["rd_municipal"]),
    "n_rd_prov": (1, lambda f: f["rd_provincial"]),
    "n_new_hte": (1, lambda f: f["new_hte"]),
    "n_new_rd_muni": (1, lambda f: f["new_rd_municipal"]),
    "n_gazelle": (1, lambda f: f["gazelle"]),
    "n_new_coop": (2, lambda f: f["new_coop"]),
    "n_new_joint_inst": (2, lambda f: f["new_joint_institution"]),
    "n_first_app": (2, lambda f: f["first_application"]),
    "n_over20": (2, lambda f: f["over_20_applications"]),
}


def _count_selectors() -> list[tuple[list[str], np.ndarray]]:
    """Per byte: the count keys it serves and a (byte values × keys) 0/1 matrix of where
    each holds."""
    out = []
    values = np.arange(256)
    for b, names in enumerate(FLAG_BYTES):
        flags = {name: (values >> bit) & 1 == 1 for bit, name in enumerate(names)}
        keys = [k for k, (byte, _) in COUNTS.items() if byte == b]
        out.append((keys, np.column_stack([COUNTS[k][1](flags) for k in keys]).astype(float)))
    return out


_COUNT_SELECTORS = _count_selectors()


def _largest(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first (a partial sort: O(n))."""
    k = min(k, len(values))
    if k == 0:
        return np.empty(0, dtype=np.intp)
    top = np.argpartition(-values, k - 1)[:k]
    return top[np.argsort(-values[top], kind="stable")]


def _group_sums(model: ZoneModel, year: int, group: np.ndarray) -> dict[str, np.ndarray]:
    """Sums and counts over alive firms by group ``group + 1`` (so a zone index gives 0 for
    the rest of the city and z + 1 for zone z), from which every firm-level indicator of any
    union of groups follows."""
    e, p = model.firms, model.p
    alive = e.alive
    ng = max(int(group.max(initial=0)) + 2, model.n_zones + 1)
    g = np.where(alive, group + 1, ng).astype(np.intp)    # exited firms: one extra group
    rev = ent.last_year_revenue(e)
    above = rules.above_scale(rev)
    apps = e.patent_applications_year
    flags = {
        "above": above, "certified": e.certified, "rd_institution": e.rd_level >= 1,
        "university_coop": e.university_coop, "applied": apps > 0,
        "inventor": e.invention_patents > 0,
        "large_or_hte": (ent.employees(e, p) >= 300) | e.certified,
        "specialised": e.specialised,
        "leader": e.leader, "pool": e.in_pool, "tech_sme": e.tech_sme,
        "rd_municipal": e.rd_level >= 2, "rd_provincial": e.rd_level >= 3,
        "new_hte": e.first_cert_year == year, "new_rd_municipal": e.rd_municipal_year == year,
        "gazelle": ent.gazelles(model),
        "new_coop": e.coop_start_year == year,
        "new_joint_institution": (e.rd_setup_year == year) & e.university_coop,
        "first_application": e.first_application_year == year,
        "over_20_applications": apps > 20,
    }
    sums = {}
    for names, (keys, selector) in zip(FLAG_BYTES, _COUNT_SELECTORS):
        byte = np.zeros(len(g), dtype=np.uint8)      # bytes: 8 times less to move than ints
        for bit, name in enumerate(names):
            np.add(byte, flags[name].view(np.uint8) * np.uint8(1 << bit), out=byte)
        code = g * 256
        code += byte
        joint = np.bincount(code, minlength=(ng + 1) * 256).reshape(ng + 1, 256)[:ng]
        sums.update(zip(keys, (joint @ selector).T))

    # value sums by group and by three flags at once: column c of a group's row of 8 holds
    # the firms with above = c & 4, land = c & 2, strategic = c & 1
    code = g * 8
    code += above.astype(np.intp) << 2
    code += (e.land_mu > 0).astype(np.intp) << 1
    code += model.zone_strategic[e.zone, e.sector]

    def split(values):
        return np.bincount(code, weights=values, minlength=(ng + 1) * 8).reshape(ng + 1, 8)[:ng]

    def total(values):
        return np.bincount(g, weights=values, minlength=ng + 1)[:ng]

    above_cols, land_cols, strategic_cols = [4, 5, 6, 7], [2, 3, 6, 7], [1, 3, 5, 7]
    va = rev * p["value_added_ratio"] * e.va_factor
    by_rev = split(rev)
    by_va = split(va)
    by_rd, by_rev_year = split(e.rd_hist_0), split(e.rev_hist_0)
    inv_grants = total(e.invention_grants_year.astype(float))
    sums.update({
        "out": by_rev.sum(1), "above_out": by_rev[:, above_cols].sum(1),
        "ht_out_above": split(rev * e.high_tech_share)[:, above_cols].sum(1),
        "va": by_va.sum(1), "above_va": by_va[:, above_cols].sum(1),
        "ht_va_above": split(va * e.high_tech_share)[:, above_cols].sum(1),
        "rd": by_rd.sum(1), "rev_year": by_rev_year.sum(1),
        "rd_above": by_rd[:, above_cols].sum(1),
        "rev_year_above": by_rev_year[:, above_cols].sum(1),
        "apps": total(apps.astype(float)),
        "inv_apps": total(e.invention_applications_year.astype(float)),
        "inv_grants": inv_grants,
        "grants": inv_grants + total(e.other_grants_year.astype(float)),
        "inv_stock": total(e.invention_patents.astype(float)),
        "strategic_out": by_rev[:, strategic_cols].sum(1),
        "land": total(e.land_mu), "rev_land": by_rev[:, land_cols].sum(1),
        "va_land": by_va[:, land_cols].sum(1),
    })
    return sums


def _pick_many(sums: dict, selections: list) -> dict[str, np.ndarray]:
    """The sums of several unions of groups (index lists or slices) at once, one matrix
    product: key → array over the selections."""
    keys = list(sums)
    table = np.vstack([sums[k] for k in keys])              # keys × groups
    member = np.zeros((len(selections), table.shape[1]))    # unions × groups
    for i, sel in enumerate(selections):
        member[i, sel] = 1.0
    return dict(zip(keys, table @ member.T))                # key → unions


class _Row(Mapping):
    """Entry ``i`` of every column, read on access (a zone's indicators, of which a rule reads
    a few)."""

    def __init__(self, columns: dict, i: int):
        self._columns, self._i = columns, i

    def __getitem__(self, key):
        return self._columns[key][self._i].item()

    def __iter__(self):
        return iter(self._columns)

    def __len__(self):
        return len(self._columns)


def _row(columns: dict, i: int) -> dict:
    """Entry ``i`` of every column, as a dict of Python numbers."""
    return dict(_Row(columns, i))


def _indicators_from_sums(p: dict, s: dict, city: dict) -> dict:
    """Firm-level indicators of scopes from their sums (arrays, one entry per scope) and the
    city's (numbers, for shares of the city)."""

    def ratio(a, b):
        return np.divide(a, b, out=np.full(np.shape(a), np.nan), where=np.asarray(b) != 0)

    def count(a):
        return np.rint(a).astype(np.int64)

    # GDP and gross R&D are bridged from the above-scale industrial firms, the population the
    # published ratios describe; their reported R&D (研发费用) is not the statistical R&D
    # expenditure (R&D经费) that R&D/GDP counts (docs/ODD.md §4 Observation)
    gdp = s["rev_year_above"] / p["above_scale_revenue_to_gdp"]
    gross_rd = s["rd_above"] * p["statistical_rd_ratio"] / p["industrial_share_of_rd"]
    return {
        "enterprises": count(s["n"]),
        "above_scale_enterprises": count(s["n_above"]),
        "high_tech_enterprises": count(s["n_hte"]),
        "new_high_tech_enterprises": count(s["n_new_hte"]),
        "leader_enterprises": count(s["n_leader"]),
        "cultivation_pool_enterprises": count(s["n_pool"]),
        "tech_smes": count(s["n_tech_sme"]),
        "specialised_smes": count(s["n_spec"]),
        "high_tech_or_specialised_enterprises": count(s["n_hte_or_spec"]),
        "industrial_output_yuan": s["out"],
        "above_scale_output_yuan": s["above_out"],
        "high_tech_output_yuan": s["ht_out_above"],
        "high_tech_output_share": ratio(s["ht_out_above"], s["above_out"]),
        "above_scale_value_added_yuan": s["above_va"],
        "high_tech_value_added_share": ratio(s["ht_va_above"], s["above_va"]),
        "value_added_share_of_city": ratio(s["above_va"], city["above_va"]),
        "gdp_yuan": gdp,
        "rd_expenditure_yuan": s["rd"],
        "rd_to_gdp": ratio(gross_rd, gdp),
        "enterprise_rd_intensity": ratio(s["rd"], s["rev_year"]),
        "above_scale_rd_intensity": ratio(s["rd_above"], s["rev_year_above"]),
        "rd_institutions_municipal_plus": count(s["n_rd_muni"]),
        "new_rd_institutions_municipal_plus": count(s["n_new_rd_muni"]),
        "rd_institutions_provincial_plus": count(s["n_rd_prov"]),
        "above_scale_with_rd_institution_share": ratio(s["n_above_inst"], s["n_above"]),
        "large_medium_and_hte_rd_institution_share": ratio(s["n_lm_hte_inst"], s["n_lm_hte"]),
        "above_scale_university_coop_share": ratio(s["n_above_coop"], s["n_above"]),
        "new_university_cooperations": count(s["n_new_coop"]),
        "new_joint_university_rd_institutions": count(s["n_new_joint_inst"]),
        "patent_applications": count(s["apps"]),
        "invention_patent_applications": count(s["inv_apps"]),
        "invention_patent_grants": count(s["inv_grants"]),
        "patent_grants": count(s["grants"]),
        "firms_first_patent_application": count(s["n_first_app"]),
        "large_medium_and_hte_with_invention_patent_share": ratio(s["n_lm_hte_inv"],
                                                                  s["n_lm_hte"]),
        "invention_patent_stock": count(s["inv_stock"]),
        "invention_patents_per_10k_people": s["inv_stock"] / p["population_persons"] * 1e4,
        "above_scale_with_patent_application_share": ratio(s["n_above_app"], s["n_above"]),
        "hte_with_invention_patent_share": ratio(s["n_hte_inv"], s["n_hte"]),
        "firms_over_20_patent_applications": count(s["n_over20"]),
        "high_tech_share_of_above_scale_enterprises": ratio(s["n_hte_above"], s["n_above"]),
        "high_tech_enterprises_share_of_city": ratio(s["n_hte"], city["n_hte"]),
        "strategic_industry_output_share": ratio(s["strategic_out"], s["out"]),
        "strategic_industry_output_yuan": s["strategic_out"],
        "gazelle_enterprises": count(s["n_gazelle"]),
        "land_used_mu": s["land"],
        "output_per_mu_yuan": ratio(s["rev_land"], s["land"]),
        "value_added_per_mu_yuan": ratio(s["va_land"], s["land"]),
    }
