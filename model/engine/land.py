"""Land: every account of land used and free, in mu (亩), in one place.

A zone's land stock (``Zone.land_stock_mu``) grows by the quota the government allocates; the
land its firms use is kept here, by zone, and changes only through this module: firms occupy
land on entry (:meth:`Land.fit` decides who gets it), ask for more when they outgrow it
(:meth:`Land.expand_or_hold`) and return it on exit (:meth:`Land.release`). Firms in the rest
of the city use what they need. A firm's need is its revenue over its zone's revenue per mu
(亩均产出) times its own land productivity.

Land binds: a zone firm's output cannot outgrow what its land supports, so a zone without free
land grows only as fast as its land is used more intensively (:meth:`Land.intensify`,
提高平均容积率 — seed 002 §六(二)) or its quota and recycled plots bring land.

New-type industrial land (M0, seed 002 §六(二)): a share of the quota is supplied as M0, a
reserve within the zone's free land that only high-tech projects take (:meth:`Land.take_m0`),
building more floor space per mu; firms on it expand within the reserve, the others within the
rest of the free land (:meth:`Land.ordinary_free_mu`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class RecycledPlots:
    """Plots the government took back this year (腾笼换鸟), one per firm that left."""

    zone: np.ndarray                #: the zone of each plot
    land_mu: np.ndarray             #: its area (mu)
    value_added_per_mu: np.ndarray  #: what the firm that left produced on it (yuan a year)


class Land:
    """The city's land account: land used by zone and each zone's revenue per mu."""

    def __init__(self, model):
        self.model = model
        n_zones = len(model.zones)
        #: mu used by each zone's firms, in zone order
        self.used_mu = np.zeros(n_zones)
        #: revenue per mu (yuan a year) by zone, the rest of the city last (zone index −1);
        #: the zones' values are calibrated at set-up (:meth:`calibrate_output_per_mu`)
        self.output_per_mu = np.full(n_zones + 1, model.p["land_output_yuan_per_mu"])
        #: M0 land supplied and not yet taken, by zone (mu): part of the zone's free land
        self.m0_free_mu = np.zeros(n_zones)
        #: land the zone could not give, by zone (mu): this year's projects turned away
        #: (:meth:`fit`) and, at the last step, its firms' requests not granted
        self.refused_projects_mu = np.zeros(n_zones)
        self.refused_requests_mu = np.zeros(n_zones)

    def need_mu(self, revenue, zone, land_productivity) -> np.ndarray:
        """Land (mu) that firms of ``revenue`` (yuan a year) need in ``zone`` (−1: the rest of
        the city) at their ``land_productivity``."""
        return revenue / (self.output_per_mu[np.asarray(zone)] * land_productivity)

    def capacity_yuan(self, ids) -> np.ndarray:
        """Revenue (yuan a year) the land of firms ``ids`` supports: their holding at their
        zone's revenue per mu and their own land productivity, used up to
        ``land_request_slack`` times more intensively; unbounded (inf) in the rest of the
        city, where land follows need."""
        e = self.model.firms
        zone = e.zone[ids]
        cap = (e.land_mu[ids] * self.output_per_mu[zone] * e.land_productivity[ids]
               * self.model.p["land_request_slack"])
        return np.where(zone >= 0, cap, np.inf)

    def expand_or_hold(self) -> None:
        """Capacity growth needs land (every step, after growth): a zone firm whose revenue has
        outgrown what its land supports (:meth:`capacity_yuan`) asks its zone for the land it
        now needs (:meth:`grant_requests`); what it does not get, it cannot produce, so its
        revenue is held to the capacity of the land it holds."""
        e = self.model.firms
        inz = np.flatnonzero(e.alive & (e.zone >= 0))
        over = inz[e.revenue[inz] > self.capacity_yuan(inz)]
        if len(over) == 0:
            self.refused_requests_mu[:] = 0.0
            return
        self.grant_requests(over)
        e.revenue[over] = np.minimum(e.revenue[over], self.capacity_yuan(over))

    def intensify(self) -> None:
        """Land is used more intensively each year (higher plot ratios, denser standard
        factories): revenue per mu rises by ``land_use_intensification_rate`` a year, in the
        zones and elsewhere, for held land and new needs alike."""
        self.output_per_mu *= np.exp(self.model.p["land_use_intensification_rate"])

    def calibrate_output_per_mu(self, zone: np.ndarray, revenue: np.ndarray,
                                land_productivity: np.ndarray) -> None:
        """Scale each zone's revenue per mu so that its initial firms occupy the share of its
        land stock that the scenario states (``land_used_share``)."""
        for z, spec in zip(self.model.zones, self.model.scenario.zones):
            mine = zone == z.index
            target = spec.land_used_share * spec.land_stock_mu
            need = (revenue[mine] / land_productivity[mine]).sum()
            if mine.any() and target > 0:
                self.output_per_mu[z.index] = need / target

    # -------------------------------------------------------------------- accounts
    def free_by_zone(self) -> np.ndarray:
        """Free land of each zone (mu), in zone order."""
        return np.array([z.land_free_mu() for z in self.model.zones])

    def ordinary_free_mu(self) -> np.ndarray:
        """Free land of each zone (mu) outside its M0 reserve: what projects and expansions on
        ordinary industrial land can take."""
        return np.maximum(self.free_by_zone() - self.m0_free_mu, 0.0)

    def occupy(self, zone: np.ndarray, land_mu: np.ndarray) -> None:
        """Entrants in ``zone`` (−1: the rest of the city, not accounted) take ``land_mu``."""
        inz = zone >= 0
        if inz.any():
            self.used_mu += np.bincount(zone[inz], weights=np.asarray(land_mu)[inz],
                                        minlength=len(self.used_mu))

    def release(self, ids: np.ndarray) -> None:
        """Firms ``ids`` leave: their land returns to their zone."""
        e = self.model.firms
        zone = e.zone[ids]
        inz = zone >= 0
        if inz.any():
            self.used_mu -= np.bincount(zone[inz], weights=e.land_mu[ids][inz],
                                        minlength=len(self.used_mu))
        e.set("land_mu", ids, 0.0)

    def recount(self) -> None:
        """The account from the firms' own holdings (after set-up)."""
        e = self.model.firms
        inz = e.alive & (e.zone >= 0)
        self.used_mu = np.bincount(e.zone[inz], weights=e.land_mu[inz],
                                   minlength=len(self.used_mu)).astype(float)

    # ----------------------------------------------------------------------- rules
    def grant_requests(self, ids: np.ndarray) -> None:
        """Zone firms ``ids`` ask their zone for the land their revenue needs beyond their
        holding; each zone grants its requests in random order while land is free (a request
        larger than what is left gets the rest): firms on M0 land from the zone's M0 reserve,
        the others from the rest of its free land."""
        m = self.model
        e = m.firms
        # random order within each pool (zone × M0 or not): shuffle, then a stable sort
        ids = m.rng.permutation(ids)
        ids = ids[np.argsort(2 * e.zone[ids] + e.on_m0[ids], kind="stable")]
        zone, m0 = e.zone[ids], e.on_m0[ids]
        pool = 2 * zone + m0
        request = np.maximum(
            self.need_mu(e.revenue[ids], zone, e.land_productivity[ids]) - e.land_mu[ids], 0.0)
        asked_before = np.cumsum(request) - request          # within the pool, below
        first = np.flatnonzero(np.r_[True, pool[1:] != pool[:-1]])
        asked_before -= np.repeat(asked_before[first], np.diff(np.r_[first, len(ids)]))
        free = np.column_stack([self.ordinary_free_mu(), self.m0_free_mu]).ravel()
        granted = np.clip(free[pool] - asked_before, 0.0, request)
        e.land_mu[ids] += granted
        n = len(self.used_mu)
        self.used_mu += np.bincount(zone, weights=granted, minlength=n)
        self.refused_requests_mu = np.bincount(zone, weights=request - granted, minlength=n)
        self.m0_free_mu -= np.bincount(zone[m0], weights=granted[m0], minlength=n)

    def fit(self, zone: np.ndarray, land_need: np.ndarray, admissible: np.ndarray,
            free_mu: np.ndarray) -> np.ndarray:
        """:func:`fit_in_free_land`, noting the land of the admissible entrants it turns away
        as their zone's unmet need."""
        keep = fit_in_free_land(zone, land_need, admissible, free_mu)
        out = admissible & ~keep & (zone >= 0)
        self.refused_projects_mu += np.bincount(zone[out], weights=land_need[out],
                                                minlength=len(self.refused_projects_mu))
        return keep

    def take_unmet_need(self) -> np.ndarray:
        """Each zone's unmet need for land this year (mu): the land of the projects it turned
        away and what its firms asked for at the last step and did not get. The year's count
        of projects starts again."""
        need = self.refused_projects_mu + self.refused_requests_mu
        self.refused_projects_mu = np.zeros_like(self.refused_projects_mu)
        return need

    def supply_m0(self, quota_mu: np.ndarray) -> None:
        """新型产业用地 (M0, seed 002 §六(二)): ``m0_land_share`` of each zone's yearly quota
        (``quota_mu``, mu in zone order) is supplied as M0 land. A vacated M0 plot returns to
        the zone's ordinary free land (the reserve holds the land supplied as M0 only)."""
        self.m0_free_mu += self.model.p["m0_land_share"] * np.asarray(quota_mu, dtype=float)

    def take_m0(self, zone: np.ndarray, cols: dict, eligible: np.ndarray) -> np.ndarray:
        """Eligible entrants (high-tech projects: 优先保障高新技术产业和科研用地需求, seed 002
        §六(二)) take M0 land in arrival order while their zone's reserve holds them. On it
        they build ``m0_floor_space_multiple`` times the floor space per mu, so they need that
        many times less land: their land productivity rises, and their land falls, by the
        multiple (``cols``, the entrants' columns, changed in place). Returns who got M0."""
        if not (eligible.any() and self.m0_free_mu.any()):
            return np.zeros(len(zone), dtype=bool)
        k = self.model.p["m0_floor_space_multiple"]
        need = cols["land_mu"] / k
        # the reserve is fitted like free land (and takes what it gives)
        on = fit_in_free_land(zone, need, eligible, self.m0_free_mu)
        cols["land_mu"][on] = need[on]
        cols["land_productivity"][on] *= k
        cols["on_m0"][on] = True
        return on

    def follow_need_outside_zones(self) -> None:
        """Firms in the rest of the city use the land they need (yearly; not accounted)."""
        e = self.model.firms
        rest = e.alive & (e.zone < 0)
        e.land_mu[rest] = self.need_mu(e.revenue[rest], e.zone[rest],
                                       e.land_productivity[rest])


def fit_in_free_land(zone: np.ndarray, land_need: np.ndarray, admissible: np.ndarray,
                     free_mu: np.ndarray) -> np.ndarray:
    """Which admissible entrants get land in their zone (``zone`` ≥ 0): every one where the
    zone's free land (``free_mu``, by zone) holds them all (the usual case), else in arrival
    order, each while it fits into what is still free (one too large is turned away; a smaller
    later one may fit). The land given is taken from ``free_mu``."""
    n_zones = len(free_mu)
    keep = admissible.copy()
    asked = np.bincount(zone[admissible], weights=land_need[admissible], minlength=n_zones)
    for z in np.flatnonzero(asked > free_mu).tolist():
        rows = np.flatnonzero(zone == z)
        keep[rows] = _first_fit(land_need[rows], admissible[rows], free_mu[z])
    free_mu -= np.bincount(zone[keep], weights=land_need[keep], minlength=n_zones)
    return keep


def _first_fit(land_need: np.ndarray, admissible: np.ndarray, free: float) -> np.ndarray:
    keep = np.zeros(len(land_need), dtype=bool)
    # a loop over a step's few candidates in one zone: first fit in order is sequential
    for i in np.flatnonzero(admissible):
        if land_need[i] <= free:
            keep[i] = True
            free -= land_need[i]
    return keep
