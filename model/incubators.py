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

import mesa
import numpy as np

from . import enterprises as ent

KINDS = ("maker_space", "incubator", "accelerator", "offshore_base")
#: Admissions relative to ``incubator_admissions_per_year`` by kind (maker spaces take many
#: small teams, accelerators fewer, larger firms): assumption.
ADMISSION_FACTOR = {"maker_space": 1.5, "incubator": 1.0, "accelerator": 0.5}
#: Revenue of a graduate at entry, as a multiple of the city's median firm revenue, by kind
#: (assumption: accelerator graduates are larger).
GRADUATE_SIZE_MULTIPLE = {"maker_space": 0.15, "incubator": 0.25, "accelerator": 0.6,
                          "offshore_base": 0.5}
#: Operating subsidy (yuan a year) that doubles admissions and raises graduation by half
#: (saturating response: assumption).
SUBSIDY_SCALE_YUAN = 2_000_000.0


class Incubator(mesa.Agent):
    """One incubation carrier; its tenants are counted, not individually stored. Its yearly
    rates are fixed by its kind and the levers; :func:`incubate` draws every carrier's
    admissions, graduations and failures of a step in one batch."""

    def __init__(self, model, kind: str, zone_index: int):
        super().__init__(model)
        if kind not in KINDS:
            raise ValueError(f"unknown incubator kind {kind!r}")
        self.kind = kind
        self.zone_index = zone_index  # home zone; -1 for the rest of the city
        self.tenants = 0
        self.admitted_this_year = 0
        self.graduated_this_year = 0
        self.landed_this_year = 0
        self.lost_this_year = 0
        p = model.p
        s = p["incubator_operating_subsidy_yuan"]
        subsidy_effect = s / (s + SUBSIDY_SCALE_YUAN)
        base = (p["offshore_projects_per_base"] if self.offshore
                else p["incubator_admissions_per_year"] * ADMISSION_FACTOR[kind])
        #: projects admitted per year: offshore bases at ``offshore_projects_per_base``, local
        #: carriers at ``incubator_admissions_per_year`` by kind; talent programmes and the
        #: operating subsidy raise both
        self.admissions_per_year = (base * (0.5 + p["talent_programme_intensity"])
                                    * (1.0 + subsidy_effect))
        #: yearly probabilities that a tenant graduates (raised by the subsidy), or fails
        self.graduation_rate = min(p["incubator_graduation_rate"] * (1.0 + 0.5 * subsidy_effect),
                                   0.95)
        self.failure_rate = p["incubator_failure_rate"]
        #: mean stay of a tenant: with constant graduation and failure hazards the time to
        #: either is exponential with their summed rate, whichever ends it
        self.mean_incubation_years = 1.0 / -(np.log1p(-self.graduation_rate)
                                              + np.log1p(-self.failure_rate))

    @property
    def offshore(self) -> bool:
        return self.kind == "offshore_base"

    def fill_to_steady_state(self) -> None:
        """A carrier in operation at the start holds the tenants its admissions and leaving
        rates sustain (Little's law), so that graduates flow from the first year."""
        self.tenants = int(self.model.rng.poisson(self.admissions_per_year
                                                  * self.mean_incubation_years))

    def start_year(self) -> None:
        self.admitted_this_year = self.graduated_this_year = 0
        self.landed_this_year = self.lost_this_year = 0

    def is_zombie(self) -> bool:
        """An offshore base that admitted fewer than ``zombie_base_min_projects`` this year."""
        return self.offshore and self.admitted_this_year < self.model.p["zombie_base_min_projects"]


def incubate(model, dt: float) -> np.ndarray:
    """One step of every carrier (``model.incubators``): projects are admitted at the
    carrier's yearly rate (Poisson), and tenants graduate or fail at its constant yearly hazards
    (binomial), the projects admitted in the step being exposed for half of it, as in
    continuous time. Returns the graduates of each carrier, whom :func:`settle_graduates` turns
    into enterprises."""
    incs = model.incubators
    rng = model.rng
    k = len(incs)
    if k == 0:
        return np.zeros(0, dtype=np.int64)

    def column(attr, dtype=float):
        return np.fromiter((getattr(i, attr) for i in incs), dtype=dtype, count=k)

    tenants = column("tenants", np.int64)
    g_rate, f_rate = column("graduation_rate"), column("failure_rate")
    new = rng.poisson(column("admissions_per_year") * dt)
    graduates = np.zeros(k, dtype=np.int64)
    failures = np.zeros(k, dtype=np.int64)
    for count, exposure in ((tenants, dt), (new, dt / 2)):
        g = rng.binomial(count, 1.0 - (1.0 - g_rate) ** exposure)
        failures += rng.binomial(count - g, 1.0 - (1.0 - f_rate) ** exposure)
        graduates += g
    for inc, a, g, f in zip(incs, new.tolist(), graduates.tolist(), failures.tolist()):
        inc.tenants += a - g - f
        inc.admitted_this_year += a
        inc.graduated_this_year += g
    return graduates


def settle_graduates(model, graduates: np.ndarray) -> int:
    """Turn one step's graduates of all carriers (a count per carrier of ``model.incubators``)
    into enterprises, in one batch.

    A local graduate settles in its carrier's zone while land is free there, otherwise in the
    rest of the city. An offshore graduate lands in its home zone with probability
    1 − (1 − offshore_landing_probability) × exp(−reward / landing_reward_scale_yuan), and only
    while its land fits into the zone's free land; otherwise it is lost. Land is given in
    arrival order until it runs out. Returns the number of enterprises created.
    """
    graduates = np.asarray(graduates)
    which = np.flatnonzero(graduates)
    if len(which) == 0:
        return 0
    m, p = model, model.p
    rng = m.rng
    incs = [m.incubators[i] for i in which]
    counts = graduates[which]
    owner = np.repeat(np.arange(len(incs)), counts)
    n = len(owner)
    offshore = np.array([inc.offshore for inc in incs])[owner]
    home = np.array([inc.zone_index for inc in incs], dtype=np.int32)[owner]
    size = np.array([GRADUATE_SIZE_MULTIPLE[inc.kind] for inc in incs])[owner]
    revenue = p["firm_revenue_median_yuan"] * size * np.exp(0.5 * rng.standard_normal(n))
    cols = ent.new_firm_columns(m, n, zone=home, sector=m.draw_sectors(n, high_tech=True),
                                revenue=revenue, origin=np.where(offshore, 2, 1).astype(np.int8))
    # incubated projects are technology ventures: R&D-intensive (at least ~3 %, spread
    # lognormally above it: assumption), high-tech products, a few IP rights
    floor = 0.03 * np.exp(np.abs(0.4 * rng.standard_normal(n)))
    for c in ("rd_propensity", "base_rd_intensity", "rd_intensity"):
        cols[c] = np.maximum(cols[c], floor)
    cols["high_tech_share"] = np.maximum(cols["high_tech_share"], 0.6)
    cols["other_ip"] = rng.poisson(2.0, n)
    # tenants are registered firms: a graduate's age counts from its admission
    stay = np.array([inc.mean_incubation_years for inc in incs])[owner]
    cols["birth_year"] = cols["entry_year"] - rng.exponential(stay)
    p_land = 1.0 - (1.0 - p["offshore_landing_probability"]) * np.exp(
        -p["offshore_landing_reward_yuan"] / p["landing_reward_scale_yuan"])
    wants_home = ~offshore | (rng.random(n) < p_land)
    fits = wants_home & (home < 0)
    for z in np.unique(home[home >= 0]):
        rows = np.flatnonzero(home == z)
        fits[rows] = m.zones[z].fit_in_free_land(cols["land_mu"][rows], wants_home[rows])
    # local graduates without land at home settle in the rest of the city
    elsewhere = ~offshore & ~fits
    cols["zone"] = np.where(elsewhere, -1, home).astype(np.int32)
    cols["land_mu"] = np.where(elsewhere, revenue / (m.zone_output_per_mu[-1]
                                                     * cols["land_productivity"]),
                               cols["land_mu"])
    keep = ~offshore | fits
    landed = np.bincount(owner[offshore & fits], minlength=len(incs))
    for i in np.flatnonzero([inc.offshore for inc in incs]).tolist():
        incs[i].landed_this_year += int(landed[i])
        incs[i].lost_this_year += int(counts[i] - landed[i])
    m.ledger["landing_rewards"] += float(landed.sum() * p["offshore_landing_reward_yuan"])
    return m.add_firms(cols, keep)
