"""Incubation carriers: maker spaces, incubators, accelerators and offshore bases (mesa agents).

The chain 众创空间 → 孵化器 → 加速器 → 产业园 of seed 000, and offshore incubation (离岸孵化:
a base in an advanced region feeding projects home; seeds 000, 003, 004). Projects enter at a
rate raised by talent programmes and the operating subsidy, and leave by graduating or failing
(constant hazards). A local graduate becomes a firm in the carrier's zone (or in the rest of the
city when the zone has no free land). An offshore graduate lands in its home zone only where land
is free, with a probability that rises with the landing reward; otherwise it is lost. Offshore
bases that admit too few projects in a year are weeded out and replaced (淘汰滕换).
"""

from __future__ import annotations

import math

import numpy as np

from zonesim.engine.agents import Agent
from zonesim.engine.entry import Candidates

KINDS = ("maker_space", "incubator", "accelerator", "offshore_base")


def admission_factor(kind: str, p) -> float:
    """A carrier's admissions relative to ``incubator_admissions_per_year``, by kind
    (``<kind>_admission_factor``; an incubator is the reference)."""
    return 1.0 if kind == "incubator" else p[f"{kind}_admission_factor"]


def graduate_size(kind: str, p) -> float:
    """A graduate's median revenue at entry, as a multiple of ``firm_revenue_median_yuan``
    (``<kind>_graduate_size``)."""
    return p[f"{kind}_graduate_size"]


class Carriers:
    """Every carrier's state as numpy columns, one row (slot) per carrier: the :class:`Incubator`
    agents read and write their row, and the step's rules act on all rows at once."""

    COUNTERS = ("tenants", "admitted_this_year", "graduated_this_year", "landed_this_year",
                "lost_this_year")
    RATES = ("admissions_per_year", "graduation_rate", "failure_rate", "mean_incubation_years",
             "graduate_size_multiple")

    def __init__(self, size: int):
        """Rows for ``size`` carriers (their number is fixed at set-up: a replaced base takes
        over its predecessor's row)."""
        self.n = 0
        self.kind: list[str] = [""] * size
        self.zone_index = np.zeros(size, dtype=np.intp)
        self.offshore = np.zeros(size, dtype=bool)
        for name in self.COUNTERS:
            setattr(self, name, np.zeros(size, dtype=np.int64))
        for name in self.RATES:
            setattr(self, name, np.zeros(size))

    def add(self) -> int:
        """The next free row; returns its slot."""
        if self.n == len(self.kind):
            raise IndexError("no free carrier row: replacements must reuse their row")
        self.n += 1
        return self.n - 1

    def reset_year(self) -> None:
        for name in self.COUNTERS[1:]:
            getattr(self, name)[:] = 0


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
        "talent programmes and the operating subsidy raise both")
    graduation_rate = _slot_property("graduation_rate", "yearly probability that a tenant "
                                     "graduates (raised by the operating subsidy)")
    failure_rate = _slot_property("failure_rate", "yearly probability that a tenant fails")
    mean_incubation_years = _slot_property(
        "mean_incubation_years", "mean stay of a tenant: with constant graduation and failure "
        "hazards the time to either is exponential with their summed rate")

    def __init__(self, model, kind: str, zone_index: int, slot: int | None = None):
        """A new carrier in a new row of ``model.carriers``, or in row ``slot`` (a replacement:
        its counters start at 0)."""
        super().__init__(model)
        if kind not in KINDS:
            raise ValueError(f"unknown incubator kind {kind!r}")
        c = model.carriers
        self.slot = c.add() if slot is None else slot
        c.kind[self.slot] = kind
        c.zone_index[self.slot] = zone_index
        c.offshore[self.slot] = kind == "offshore_base"
        for name in Carriers.COUNTERS:
            getattr(c, name)[self.slot] = 0
        self.set_rates(model.budget.paid("incubator_operating_subsidy_yuan"))

    def set_rates(self, subsidy_yuan: float) -> None:
        """The carrier's yearly admissions, graduation and failure rates, stay and graduates'
        size, under an operating subsidy of ``subsidy_yuan`` a year (what the budget pays)."""
        p, c, kind = self.model.p, self.model.carriers, self.kind
        subsidy_effect = subsidy_yuan / (subsidy_yuan + p["incubator_subsidy_scale_yuan"])
        base = (p["offshore_projects_per_base"] if self.offshore
                else p["incubator_admissions_per_year"] * admission_factor(kind, p))
        i = self.slot
        c.admissions_per_year[i] = (base * (0.5 + p["talent_programme_intensity"])
                                    * (1.0 + subsidy_effect))
        g = min(p["incubator_graduation_rate"]
                * (1.0 + p["subsidy_graduation_effect"] * subsidy_effect),
                p["max_graduation_rate"])
        f = p["incubator_failure_rate"]
        c.graduation_rate[i], c.failure_rate[i] = g, f
        # a yearly probability of 1 is an infinite hazard: tenants leave at once
        leave = -(math.log1p(-g) + math.log1p(-f)) if max(g, f) < 1.0 else math.inf
        c.mean_incubation_years[i] = 1.0 / leave
        c.graduate_size_multiple[i] = graduate_size(kind, p)

    @property
    def kind(self) -> str:
        return self.model.carriers.kind[self.slot]

    @property
    def zone_index(self) -> int:
        """Home zone (where graduates settle or land); −1 for the rest of the city."""
        return int(self.model.carriers.zone_index[self.slot])

    @property
    def offshore(self) -> bool:
        return bool(self.model.carriers.offshore[self.slot])

    def is_zombie(self) -> bool:
        """An offshore base that admitted fewer than ``zombie_base_min_projects`` this year."""
        return self.offshore and self.admitted_this_year < self.model.p["zombie_base_min_projects"]


def set_up_incubators(model) -> None:
    """The scenario's carriers and the offshore bases, filled to their steady state."""
    model.carriers = Carriers(sum(g.count for g in model.scenario.incubators)
                             + int(model.p["offshore_bases"]))
    for g in model.scenario.incubators:
        zi = -1 if g.zone == "city" else model.zone_index(g.zone)
        for _ in range(g.count):
            model.incubators.append(Incubator(model, g.kind, zi))
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
    c = model.carriers
    c.tenants[:] = model.rng.poisson(c.admissions_per_year * c.mean_incubation_years)


def incubate(model, dt: float) -> np.ndarray:
    """One step of every carrier: projects are admitted at the carrier's yearly rate (Poisson),
    and tenants graduate or fail at its constant yearly hazards (binomial), the projects
    admitted in the step being exposed for half of it, as in continuous time. Returns the
    graduates of each carrier (by slot, the order of ``model.incubators``), whom
    :func:`graduate_candidates` turns into candidate enterprises."""
    c, rng = model.carriers, model.rng
    new = rng.poisson(c.admissions_per_year * dt)
    graduates = np.zeros(c.n, dtype=np.int64)
    failures = np.zeros(c.n, dtype=np.int64)
    for count, exposure in ((c.tenants, dt), (new, dt / 2)):
        g = rng.binomial(count, 1.0 - (1.0 - c.graduation_rate) ** exposure)
        failures += rng.binomial(count - g, 1.0 - (1.0 - c.failure_rate) ** exposure)
        graduates += g
    c.tenants += new - graduates - failures
    c.admitted_this_year += new
    c.graduated_this_year += graduates
    return graduates


def graduate_candidates(model, graduates: np.ndarray) -> Candidates | None:
    """The step's graduates of all carriers (a count per carrier of ``model.incubators``) as
    candidate enterprises.

    A local graduate settles in its carrier's zone while land is free there, otherwise in the
    rest of the city. An offshore graduate lands in its home zone with probability
    1 − (1 − offshore_landing_probability) × exp(−reward / landing_reward_scale_yuan), and only
    while its land fits into the zone's free land; otherwise it is lost. Land is given in
    arrival order until it runs out.
    """
    m, p, carriers = model, model.p, model.carriers
    n = int(graduates.sum())
    if n == 0:
        return None
    rng = m.rng
    owner = np.repeat(np.arange(carriers.n), graduates)       # the carrier (slot) of each graduate
    offshore = carriers.offshore[owner]
    home = carriers.zone_index[owner].astype(np.int32)
    size = carriers.graduate_size_multiple[owner]
    revenue = p["firm_revenue_median_yuan"] * size * np.exp(p["graduate_revenue_dispersion"]
                                                           * rng.standard_normal(n))

    def admit(cols: dict, free_mu: np.ndarray) -> np.ndarray:
        make_technology_ventures(rng, p, cols, n)
        # tenants are registered firms: a graduate's age counts from its admission
        cols["birth_year"][:] = cols["entry_year"] - rng.exponential(
            carriers.mean_incubation_years[owner])
        p_land = 1.0 - (1.0 - p["offshore_landing_probability"]) * np.exp(
            -m.budget.paid("offshore_landing_reward_yuan") / p["landing_reward_scale_yuan"])
        wants_home = ~offshore | (rng.random(n) < p_land)
        fits = wants_home & (home < 0)
        at_zone = np.flatnonzero(home >= 0)
        fits[at_zone] = model.land.fit(home[at_zone], cols["land_mu"][at_zone],
                                       wants_home[at_zone], free_mu)
        # local graduates without land at home settle in the rest of the city
        elsewhere = ~offshore & ~fits
        cols["zone"][elsewhere] = -1
        cols["land_mu"][elsewhere] = m.land.need_mu(revenue[elsewhere], -1,
                                                    cols["land_productivity"][elsewhere])
        landed = np.bincount(owner[offshore & fits], minlength=carriers.n)
        carriers.landed_this_year += landed
        carriers.lost_this_year += np.where(carriers.offshore, graduates - landed, 0)
        m.budget.pay("offshore_landing_reward_yuan",
                     float(landed.sum() * p["offshore_landing_reward_yuan"]))
        return ~offshore | fits

    return Candidates(home, m.draw_sectors(n, high_tech=True), revenue,
                          np.where(offshore, 2, 1).astype(np.int8), admit)


def make_technology_ventures(rng, p, cols: dict, n: int) -> None:
    """A share ``graduate_technology_share`` of ``n`` graduates (columns ``cols`` of
    :func:`~zonesim.engine.entry.new_firm_columns`) are technology ventures: R&D-intensive (a
    floor ``graduate_min_rd_intensity``, spread lognormally above it), high-tech products (at
    least ``graduate_min_high_tech_share``) and Poisson(``graduate_mean_other_ip``) IP rights.
    The others keep an ordinary entrant's draws and hold no IP: carriers house service and
    trading start-ups too."""
    tech = np.flatnonzero(rng.random(n) < p["graduate_technology_share"])
    floor = p["graduate_min_rd_intensity"] * np.exp(
        np.abs(p["graduate_rd_dispersion"] * rng.standard_normal(len(tech))))
    for c in ("rd_propensity", "base_rd_intensity", "rd_intensity"):
        cols[c][tech] = np.maximum(cols[c][tech], floor)
    cols["high_tech_share"][tech] = np.maximum(cols["high_tech_share"][tech],
                                               p["graduate_min_high_tech_share"])
    cols["other_ip"][tech] = rng.poisson(p["graduate_mean_other_ip"], len(tech))


def replace_zombie_bases(model) -> None:
    """Offshore bases admitting too few projects in the year are weeded out and replaced."""
    for i, inc in enumerate(model.incubators):
        if inc.is_zombie():
            inc.remove()
            model.incubators[i] = Incubator(model, "offshore_base", inc.zone_index, inc.slot)
