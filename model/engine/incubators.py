"""Incubation carriers: maker spaces, incubators, accelerators and offshore bases (mesa agents).

The carriers of the chain 众创空间 → 孵化器 → 加速器 → 产业园 of seed 000 (projects move along it:
:mod:`~zonesim.engine.chain`), and offshore incubation (离岸孵化: a base in an advanced region
feeding projects home; seeds 000, 003, 004). Projects enter at a rate the operating subsidy
raises (and local carriers take the talent programme's founder teams,
:mod:`~zonesim.engine.talent`), and leave by graduating or failing (constant hazards); graduates
become firms (:mod:`~zonesim.engine.graduates`). Local carriers differ in size, drawn at their
founding.

Offshore bases differ (seed 003 §三(五)1 tells 高质量 bases from 挂名/空壳/僵尸 ones): each draws a
quality at its founding and keeps it, a multiplier of its admissions and of its landing odds. A
base that stays below a minimum of admissions is weeded out (淘汰滕换): its tenants
are lost, and a new base with a fresh draw is founded in its row at the next year's start, paying
a set-up cost from the science budget and admitting only after a set-up lag.
"""

from __future__ import annotations

import math

import numpy as np

from zonesim.engine.agents import Agent
from zonesim.registry.indicators import CARRIER_LEVELS
from zonesim.rules import carrier_approval_probability, carrier_criteria

KINDS = ("maker_space", "incubator", "accelerator", "offshore_base")
#: the kinds a zone founds where it has none (seed 003 §三(五): 省级孵化器园区全覆盖, 市级众创空间全覆盖)
FOUNDED = ("incubator", "maker_space")
#: the kinds a town or street founds where it has none (003 §三(五)4: 市级众创空间…镇街全覆盖)
FOUNDED_IN_TOWNS = ("maker_space",)


def admission_factor(kind: str, p) -> float:
    """A carrier's admissions relative to ``incubator_admissions_per_year``, by kind
    (``<kind>_admission_factor``; an incubator is the reference)."""
    return 1.0 if kind == "incubator" else p[f"{kind}_admission_factor"]


def graduation_rate_parameter(kind: str) -> str:
    """The parameter of a carrier kind's yearly graduation probability."""
    return {"maker_space": "maker_space_graduation_rate",
            "offshore_base": "offshore_graduation_rate"}.get(kind, "incubator_graduation_rate")


def graduate_size(kind: str, p) -> float:
    """A graduate's median revenue at entry, as a multiple of ``firm_revenue_median_yuan``
    (``<kind>_graduate_size``)."""
    return p[f"{kind}_graduate_size"]


class Carriers:
    """Every carrier's state as numpy columns, one row (slot) per carrier: the :class:`Incubator`
    agents read and write their row, and the step's rules act on all rows at once."""

    COUNTERS = ("tenants", "admitted_this_year", "graduated_this_year", "landed_this_year",
                "lost_this_year", "chain_admitted_this_year", "admitted_step", "tenant_years")
    RATES = ("admissions_per_year", "graduation_rate", "failure_rate", "mean_incubation_years",
             "graduate_size_multiple")
    #: what a carrier draws at its founding and keeps (a local carrier's landing shift is 0)
    QUALITY = ("quality", "landing_log_odds")

    def __init__(self, size: int):
        """Rows for ``size`` carriers, those of the set-up: carriers founded later add rows
        (:meth:`add`), and a weeded base's successor takes over its predecessor's row."""
        self.n = 0
        #: the carrier's kind (:data:`KINDS`); a fixed-width string column compares in one
        #: vectorised call, where a list or object array goes element by element
        self.kind = np.full(size, "", dtype=f"<U{max(map(len, KINDS))}")
        self.zone_index = np.zeros(size, dtype=np.intp)
        #: the town (镇街, index of the scenario's towns) of a carrier outside the zones, or -1
        self.town = np.full(size, -1, dtype=np.intp)
        #: the firm (id) that founded the carrier, or -1
        self.sponsor = np.full(size, -1, dtype=np.int64)
        self.offshore = np.zeros(size, dtype=bool)
        for name in self.COUNTERS[:-1]:
            setattr(self, name, np.zeros(size, dtype=np.int64))
        #: tenants × years in operation since the year's start (their yearly mean at year end)
        self.tenant_years = np.zeros(size)
        for name in self.RATES + self.QUALITY:
            setattr(self, name, np.zeros(size))
        #: time (years) from which the carrier admits: −inf in operation from the start, +inf
        #: a weeded base's row awaiting its successor's founding
        self.opens_at = np.full(size, -np.inf)
        #: an offshore base's consecutive years of operation below the minimum
        self.years_below = np.zeros(size, dtype=np.int64)
        #: a local carrier's accreditation (CARRIER_LEVELS), founding time (years) and
        #: graduates since its founding
        self.level = np.zeros(size, dtype=np.int8)
        #: a local carrier's consecutive yearly reviews below its level's criteria
        self.reviews_failed = np.zeros(size, dtype=np.int64)
        self.founded_at = np.zeros(size)
        self.graduates_total = np.zeros(size, dtype=np.int64)

    def add(self) -> int:
        """The next free row (doubling the rows when none is left); returns its slot."""
        size = len(self.kind)
        if self.n == size:
            for name, column in vars(self).items():
                if isinstance(column, np.ndarray):
                    setattr(self, name, np.concatenate([column, np.zeros(max(size, 1),
                                                                         column.dtype)]))
        self.n += 1
        return self.n - 1

    def reset_year(self) -> None:
        for name in self.COUNTERS[1:]:
            getattr(self, name)[:] = 0

    def open_share(self, time: float, dt: float) -> np.ndarray:
        """Share of the step [time, time + dt) each carrier is open (admits projects)."""
        return np.clip((time + dt - self.opens_at[:self.n]) / dt, 0.0, 1.0)

    def meets_criteria(self, slots, levels, p, time: float) -> np.ndarray:
        """Whether carriers ``slots`` meet the criteria of accreditation ``levels`` (0: none) at
        ``time`` (:func:`~zonesim.rules.carrier_criteria`, by kind), on the year's mean tenants
        (a year-end count would promote carriers on one quarter's luck) and graduates."""
        slots, levels = np.asarray(slots), np.asarray(levels)
        have = {"tenants": self.tenant_years[slots], "graduates_total": self.graduates_total[slots],
                "graduates_in_year": self.graduated_this_year[slots],
                "years_in_operation": time - self.founded_at[slots]}
        kinds = self.kind[slots]
        ok = np.ones(np.shape(slots), dtype=bool)
        for kind in set(kinds.ravel()):
            need = [dict.fromkeys(have, -np.inf)] + [
                carrier_criteria(kind, k, p) for k in range(1, len(CARRIER_LEVELS))]
            of_kind = kinds == kind
            for k, values in have.items():
                bar = np.array([n[k] for n in need])[levels]
                ok &= ~of_kind | (values >= bar - 1e-9)
        return ok

    @staticmethod
    def approved(levels: np.ndarray, p, rng) -> np.ndarray:
        """Whether the reviews of carriers applying for ``levels`` approve them, each with
        :func:`~zonesim.rules.carrier_approval_probability` (a draw for every carrier
        reviewed, whether or not it meets the criteria, so that the draws do not depend on who
        does)."""
        chance = np.array([0.0] + [carrier_approval_probability(k, p)
                                   for k in range(1, len(CARRIER_LEVELS))])
        return rng.random(len(levels)) < chance[levels]

    def in_operation(self, time: float) -> np.ndarray:
        """Carriers open at ``time`` (建成并实质运营)."""
        return self.opens_at[:self.n] <= time + 1e-9

    def accredited(self, kind: str, level: int, time: float) -> np.ndarray:
        """Carriers of ``kind`` in operation at ``time`` accredited at ``level`` or above."""
        return ((self.kind[:self.n] == kind)
                & (self.level[:self.n] >= level) & self.in_operation(time))


def _slot_property(column: str, doc: str):
    def get(self):
        return getattr(self.model.carriers, column)[self.slot].item()

    def put(self, value):
        getattr(self.model.carriers, column)[self.slot] = value

    return property(get, put, doc=doc)


class Incubator(Agent):
    """One incubation carrier; its tenants are counted, not individually stored. Its state is
    its row (``slot``) of ``model.carriers``; its yearly rates are fixed by its kind and the
    levers, and :func:`incubate` draws every carrier's admissions, graduations and failures of a
    step in one batch."""

    tenants = _slot_property("tenants", "projects in incubation now")
    admitted_this_year = _slot_property("admitted_this_year", "projects admitted this year")
    graduated_this_year = _slot_property("graduated_this_year", "projects graduated this year")
    landed_this_year = _slot_property("landed_this_year",
                                      "offshore graduates that landed at home this year")
    lost_this_year = _slot_property("lost_this_year", "offshore graduates lost this year")
    admissions_per_year = _slot_property(
        "admissions_per_year", "projects admitted per year: offshore bases at "
        "offshore_projects_per_base, local carriers at incubator_admissions_per_year by kind; "
        "the operating subsidy raises both")
    graduation_rate = _slot_property("graduation_rate", "yearly probability that a tenant "
                                     "graduates (raised by the operating subsidy)")
    failure_rate = _slot_property("failure_rate", "yearly probability that a tenant fails")
    mean_incubation_years = _slot_property(
        "mean_incubation_years", "mean stay of a tenant: with constant graduation and failure "
        "hazards the time to either is exponential with their summed rate")

    def __init__(self, model, kind: str, zone_index: int, slot: int | None = None,
                 opens_at: float = -np.inf, level: int = 0, town: int = -1, sponsor: int = -1):
        """A new carrier in a new row of ``model.carriers``, or in row ``slot`` (a replacement:
        its counters start at 0), admitting from time ``opens_at`` (founded then, or now if it
        operates from the start), accredited at ``level``, in ``town`` (outside the zones; -1:
        none), founded by firm ``sponsor`` (-1: none), with the quality it draws
        (:meth:`draw_quality`)."""
        super().__init__(model)
        if kind not in KINDS:
            raise ValueError(f"unknown incubator kind {kind!r}")
        c = model.carriers
        self.slot = c.add() if slot is None else slot
        c.kind[self.slot] = kind
        c.zone_index[self.slot] = zone_index
        c.town[self.slot] = town
        c.sponsor[self.slot] = sponsor
        c.offshore[self.slot] = kind == "offshore_base"
        c.opens_at[self.slot] = opens_at
        c.years_below[self.slot] = 0
        c.level[self.slot] = level
        c.reviews_failed[self.slot] = 0
        c.founded_at[self.slot] = model.time if np.isinf(opens_at) else opens_at
        c.graduates_total[self.slot] = 0
        for name in Carriers.COUNTERS:
            getattr(c, name)[self.slot] = 0
        c.quality[self.slot], c.landing_log_odds[self.slot] = self.draw_quality()
        self.set_rates(model.budget.paid("incubator_operating_subsidy_yuan"))

    def draw_quality(self) -> tuple[float, float]:
        """The carrier's quality, kept for its life: a lognormal multiplier of its admissions
        with mean 1 and, for an offshore base, a normal shift of its landing log-odds with
        median 0. An offshore base draws both with spread ``offshore_base_quality_dispersion``
        (seed 003 §三(五)1: 高质量 bases against 挂名/空壳/僵尸 ones), from ``offshore_rng``; a
        local carrier its size with spread ``carrier_size_dispersion`` (Torch's 50 tenants a
        carrier is a mean over carriers of every size), from ``carrier_rng``. Both spreads are
        assumptions."""
        m = self.model
        if self.offshore:
            sigma = m.p["offshore_base_quality_dispersion"]
            z = m.offshore_rng.standard_normal(2)
            return math.exp(sigma * z[0] - sigma * sigma / 2.0), sigma * z[1]
        sigma = m.p["carrier_size_dispersion"]
        return math.exp(sigma * m.carrier_rng.standard_normal() - sigma * sigma / 2.0), 0.0

    def set_rates(self, subsidy_yuan: float) -> None:
        """The carrier's yearly admissions, graduation and failure rates, stay and graduates'
        size, under an operating subsidy of ``subsidy_yuan`` a year (what the budget pays)."""
        p, c, kind = self.model.p, self.model.carriers, self.kind
        subsidy_effect = subsidy_yuan / (subsidy_yuan + p["incubator_subsidy_scale_yuan"])
        base = (p["offshore_projects_per_base"] if self.offshore
                else p["incubator_admissions_per_year"] * admission_factor(kind, p))
        i = self.slot
        c.admissions_per_year[i] = base * c.quality[i] * (1.0 + subsidy_effect)
        g = min(p[graduation_rate_parameter(kind)]
                * (1.0 + p["subsidy_graduation_effect"] * subsidy_effect), p["max_graduation_rate"])
        f = p["incubator_failure_rate"]
        c.graduation_rate[i], c.failure_rate[i] = g, f
        # a yearly probability of 1 is an infinite hazard: tenants leave at once
        leave = -(math.log1p(-g) + math.log1p(-f)) if max(g, f) < 1.0 else math.inf
        c.mean_incubation_years[i] = 1.0 / leave
        c.graduate_size_multiple[i] = graduate_size(kind, p)

    @property
    def kind(self) -> str:
        return str(self.model.carriers.kind[self.slot])

    @property
    def zone_index(self) -> int:
        """Home zone (where graduates settle or land); −1 for the rest of the city."""
        return int(self.model.carriers.zone_index[self.slot])

    @property
    def offshore(self) -> bool:
        return bool(self.model.carriers.offshore[self.slot])

    @property
    def opens_at(self) -> float:
        """Time (years) from which the carrier admits projects."""
        return float(self.model.carriers.opens_at[self.slot])

    def judge(self) -> None:
        """The year's evaluation of an offshore base in operation the whole year (one in its
        set-up is not judged): one more year below ``zombie_base_min_projects`` admissions, or
        the count starts again."""
        c = self.model.carriers
        if self.offshore and self.opens_at <= self.model.time - 1.0 + 1e-9:
            short = self.admitted_this_year < self.model.p["zombie_base_min_projects"]
            c.years_below[self.slot] = c.years_below[self.slot] + 1 if short else 0

    def is_zombie(self) -> bool:
        """An offshore base that stayed below the minimum for ``zombie_base_streak_years``
        evaluations in a row."""
        return self.offshore and bool(self.model.carriers.years_below[self.slot]
                                       >= self.model.p["zombie_base_streak_years"])


def set_up_incubators(model) -> None:
    """The scenario's carriers, ``carrier_initial_age_years`` old, at their level (given, or
    the levels whose criteria they meet at the start and a review approves), and the offshore
    bases, filled to their steady state."""
    towns = [w.id for w in model.scenario.towns]
    model.carriers = Carriers(sum(g.count for g in model.scenario.incubators)
                             + int(model.p["offshore_bases"]))
    for g in model.scenario.incubators:
        zi = -1 if g.zone == "city" else model.zone_index(g.zone)
        town = -1 if g.town is None else towns.index(g.town)
        for _ in range(g.count):
            level = -1 if g.level is None else CARRIER_LEVELS.index(g.level)
            model.incubators.append(Incubator(model, g.kind, zi, level=level, town=town))
    homes = _offshore_homes(model)
    for i in range(int(model.p["offshore_bases"])):
        model.incubators.append(Incubator(model, "offshore_base", homes[i % len(homes)]))
    fill_to_steady_state(model)


def _offshore_homes(model) -> list[int]:
    """Home zones of offshore bases: the zones in order of their initial firm share."""
    if not model.zones:
        return [-1]
    order = sorted(model.zones, key=lambda z: -model.scenario.zones[z.index].firm_share)
    return [z.index for z in order]


def fill_to_steady_state(model) -> None:
    """Carriers in operation at the start hold the tenants their admissions and leaving rates
    sustain (Little's law: Poisson of admissions a year × mean stay), so that graduates flow
    from the first year."""
    c, n = model.carriers, model.carriers.n
    c.tenants[:n] = model.rng.poisson(c.admissions_per_year[:n] * c.mean_incubation_years[:n])
    # their past: in operation for carrier_initial_age_years, graduating their steady flow
    age = model.p["carrier_initial_age_years"]
    c.founded_at[:n] = model.time - age
    g = -np.log1p(-np.minimum(c.graduation_rate[:n], 1 - 1e-12))
    c.graduates_total[:n] = np.round(c.admissions_per_year[:n] * c.mean_incubation_years[:n]
                                     * g * age).astype(np.int64)
    # carriers whose level the scenario leaves open climb the levels whose criteria they meet,
    # on their tenants now and a year's graduates (draws of their steady state, as the yearly
    # reviews will see them; the first year's start clears both), each approved as in a review
    c.tenant_years[:n] = c.tenants[:n]
    c.graduated_this_year[:n] = model.rng.poisson(c.tenants[:n] * g)
    rows = np.flatnonzero(c.level[:n] < 0)
    c.level[rows] = 0
    top = len(CARRIER_LEVELS) - 1
    for _ in range(top):
        target = np.minimum(c.level[rows] + 1, top)
        up = rows[(c.level[rows] < top) & c.meets_criteria(rows, target, model.p, model.time)
                  & c.approved(target, model.p, model.rng)]
        c.level[up] += 1


def incubate(model, dt: float) -> np.ndarray:
    """One step of every carrier: projects are admitted at the carrier's yearly rate (Poisson),
    and tenants graduate or fail at its constant yearly hazards (binomial), the projects
    admitted in the step being exposed for half of it, as in continuous time. Returns the
    graduates of each carrier (by slot, the order of ``model.incubators``), whom
    :func:`~zonesim.engine.graduates.graduate_candidates` turns into candidate enterprises."""
    c, rng = model.carriers, model.rng
    new = rng.poisson(c.admissions_per_year[:c.n] * dt * c.open_share(model.time, dt))
    graduates = np.zeros(c.n, dtype=np.int64)
    failures = np.zeros(c.n, dtype=np.int64)
    g_rate, f_rate = c.graduation_rate[:c.n], c.failure_rate[:c.n]
    for count, exposure in ((c.tenants[:c.n], dt), (new, dt / 2)):
        g = rng.binomial(count, 1.0 - (1.0 - g_rate) ** exposure)
        failures += rng.binomial(count - g, 1.0 - (1.0 - f_rate) ** exposure)
        graduates += g
    c.tenants[:c.n] += new - graduates - failures
    c.tenant_years[:c.n] += c.tenants[:c.n] * dt
    c.admitted_this_year[:c.n] += new
    c.admitted_step[:c.n] = new
    c.graduated_this_year[:c.n] += graduates
    c.graduates_total[:c.n] += graduates
    return graduates


def weed_out_zombie_bases(model) -> None:
    """At the year's end, offshore bases are judged on the year's admissions, and those that
    stayed below the minimum are weeded out (淘汰, seed 003 §三(五)1): their tenants are lost
    with them, and their row waits for a successor (:func:`found_offshore_bases`)."""
    for i, inc in enumerate(model.incubators):
        inc.judge()
        if inc.is_zombie():
            inc.remove()
            model.incubators[i] = Incubator(model, "offshore_base", inc.zone_index, inc.slot,
                                            opens_at=np.inf)


def found_offshore_bases(model) -> None:
    """At the year's start, the successor of each weeded base (滕换; its quality drawn afresh
    when its predecessor went) is founded: its set-up cost ``offshore_base_setup_cost_yuan``
    is claimed from the science budget, and it admits from ``offshore_base_setup_years`` on,
    stretched by the share of the cost the budget pays (a base paid nothing is not founded
    this year)."""
    p, c = model.p, model.carriers
    for inc in model.incubators:
        if not (inc.offshore and inc.opens_at == np.inf):
            continue
        cost = p["offshore_base_setup_cost_yuan"]
        paid = model.budget.pay("offshore_base_setup_cost_yuan", cost)
        if cost > 0.0 and paid <= 0.0:
            continue
        funded = 1.0 if cost <= 0.0 else paid / cost
        c.opens_at[inc.slot] = model.time + p["offshore_base_setup_years"] / funded
