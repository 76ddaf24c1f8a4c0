"""Land: every account of land used and free, in mu (亩), in one place.

A zone's land stock (``Zone.land_stock_mu``) grows by the quota the government allocates; the
land its firms use is kept here, by zone, and changes only through this module: firms occupy
land on entry (:func:`fit_in_free_land` decides who gets it), ask for more as they grow
(:meth:`Land.grant_requests`) and return it on exit (:meth:`Land.release`). Firms in the rest of
the city use what they need. A firm's need is its revenue over its zone's revenue per mu
(亩均产出) times its own land productivity.
"""

from __future__ import annotations

import numpy as np


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

    def need_mu(self, revenue, zone, land_productivity) -> np.ndarray:
        """Land (mu) that firms of ``revenue`` (yuan a year) need in ``zone`` (−1: the rest of
        the city) at their ``land_productivity``."""
        return revenue / (self.output_per_mu[np.asarray(zone)] * land_productivity)

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
    def grant_requests(self) -> None:
        """Zone firms whose land need outgrows their holding by ``land_request_slack`` ask
        their zone for more; each zone grants its requests in random order while land is free
        (a request larger than what is left gets the rest). Elsewhere land follows need."""
        m = self.model
        e = m.firms
        need = self.need_mu(e.revenue, e.zone, e.land_productivity)
        rest = e.alive & (e.zone < 0)
        e.land_mu[rest] = need[rest]
        asks = np.flatnonzero(e.alive & (e.zone >= 0)
                              & (need > m.p["land_request_slack"] * e.land_mu))
        if len(asks) == 0:
            return
        # random order within each zone: shuffle, then a stable sort by zone
        ids = m.rng.permutation(asks)
        ids = ids[np.argsort(e.zone[ids], kind="stable")]
        zone = e.zone[ids]
        request = need[ids] - e.land_mu[ids]
        asked_before = np.cumsum(request) - request          # within the zone, below
        first = np.flatnonzero(np.r_[True, zone[1:] != zone[:-1]])
        asked_before -= np.repeat(asked_before[first], np.diff(np.r_[first, len(ids)]))
        free = self.free_by_zone()
        granted = np.clip(free[zone] - asked_before, 0.0, request)
        e.land_mu[ids] += granted
        self.used_mu += np.bincount(zone, weights=granted, minlength=len(self.used_mu))


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
