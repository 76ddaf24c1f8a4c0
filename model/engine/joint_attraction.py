"""Joint attraction across the zones (协同招商, seed 004 §三(一)3).

A city-wide platform shares the projects one zone finds with the others (科技招商共享平台,
项目资源的整合共享). A project its finder cannot host (no free land left for it), or one outside
the finder's strategic industries that another zone has as its own, is offered to the other
zones; it lands there if the finder agrees to pass it on and a host has the land. The finder
agrees when what it keeps of a passed project — its share of the project's revenue (项目收益分成,
``joint_attraction_revenue_share``) plus what the evaluation credit it keeps is worth to it
(考核双算/分算, ``joint_attraction_credit`` × ``evaluation_credit_value_share``) — reaches its
reservation, drawn uniformly between ``joint_attraction_reservation_low`` and ``_high``
(PRIORS.md: a compensation rate of 10-25 % for passed projects was found satisfactory in a Xi'an
model of competing zones, Kou & Wang 2019). With nothing kept, no project is passed on and no
random number is drawn: a scenario without the platform runs as before.

Credit is an account of the evaluation, not of the firms: a passed project is one firm, in its
host zone, in every firm count and sum; ``attracted_projects_credited`` gives the finder and the
host their credit for it (both 1 under 双算, ½ each under 分算, the host 1 otherwise).
"""

from __future__ import annotations

import numpy as np

#: the finder's evaluation credit for a project it passed on, by ``joint_attraction_credit``
FINDER_CREDIT = {"host": 0.0, "split": 0.5, "both": 1.0}
#: the host's credit for a project passed to it
HOST_CREDIT = {"host": 1.0, "split": 0.5, "both": 1.0}


def agreement_probability(keep: float, p) -> float:
    """Probability that a party keeping ``keep`` (a share of a project's proceeds, or its worth)
    of a project it gives up agrees: the chance that ``keep`` reaches its reservation, drawn
    uniformly between ``joint_attraction_reservation_low`` and ``_high``."""
    low, high = p["joint_attraction_reservation_low"], p["joint_attraction_reservation_high"]
    if keep <= 0.0:
        return 0.0
    if high <= low:
        return float(keep >= low)
    return float(np.clip((keep - low) / (high - low), 0.0, 1.0))


def pass_probability(p) -> float:
    """Probability that a finder passes an offered project on: the
    :func:`agreement_probability` of what it keeps (revenue share + credit value)."""
    return agreement_probability(
        p["joint_attraction_revenue_share"]
        + FINDER_CREDIT[p["joint_attraction_credit"]] * p["evaluation_credit_value_share"], p)


class JointAttraction:
    """The year's passed projects by zone: found and passed on, and received (counts)."""

    def __init__(self, n_zones: int):
        self.passed = np.zeros(n_zones)
        self.received = np.zeros(n_zones)
        self.own = np.zeros(n_zones)

    def reset_year(self) -> None:
        for a in (self.passed, self.received, self.own):
            a[:] = 0.0

    def credited(self, credit_rule: str) -> np.ndarray:
        """Each zone's attracted projects credited in the year's evaluation."""
        return (self.own + FINDER_CREDIT[credit_rule] * self.passed
                + HOST_CREDIT[credit_rule] * self.received)


def off_strategy(model, zone: np.ndarray, sector: np.ndarray) -> np.ndarray:
    """Projects outside their finder's strategic industries that another zone has as its own
    (the platform offers them where they belong: 精准招商)."""
    strategic = model.zone_strategic[:model.n_zones, sector]          # zones × projects
    elsewhere = strategic.sum(axis=0) - strategic[zone, np.arange(len(zone))]
    return ~model.zone_strategic[zone, sector] & (elsewhere > 0)


def choose_hosts(model, finder: np.ndarray, sector: np.ndarray, revenue: np.ndarray,
                 land_productivity: np.ndarray, free_mu: np.ndarray) -> np.ndarray:
    """A host for each passed project: another zone with the land it needs there, one whose
    strategic industries hold the project's sector if there is one, each with probability in
    proportion to its free land; −1 where no zone has the land."""
    nz = model.n_zones
    host = np.full(len(finder), -1, dtype=np.int32)
    for i in range(len(finder)):
        room = free_mu[:nz] >= model.land.need_mu(revenue[i], np.arange(nz), land_productivity[i])
        room[finder[i]] = False
        match = room & model.zone_strategic[:nz, sector[i]]
        pool = match if match.any() else room
        if pool.any():
            w = np.cumsum(np.where(pool, free_mu[:nz], 0.0))
            host[i] = int(np.searchsorted(w, model.rng.random() * w[-1], side="right"))
    return host


def pass_on(model, cols: dict, offered: np.ndarray, free_mu: np.ndarray,
            meets_bars) -> np.ndarray:
    """The ``offered`` projects (a mask over the candidates' columns ``cols``) that their finders
    pass on (:func:`pass_probability`) move to a host (:func:`choose_hosts`) with the land they
    need there, if they meet the standard-land bars (``meets_bars``) at it; the passes are
    counted by finder and host. Returns the mask of passed projects that landed (their columns
    now the host's)."""
    p = model.p
    landed = np.zeros(len(offered), dtype=bool)
    chance = pass_probability(p)
    if chance <= 0.0 or not offered.any():
        return landed
    idx = np.flatnonzero(offered)
    idx = idx[model.rng.random(len(idx)) < chance]
    finder = cols["zone"][idx].copy()
    host = choose_hosts(model, finder, cols["sector"][idx], cols["revenue"][idx],
                        cols["land_productivity"][idx], free_mu)
    idx, finder, host = idx[host >= 0], finder[host >= 0], host[host >= 0]
    land = model.land.need_mu(cols["revenue"][idx], host, cols["land_productivity"][idx])
    ok = meets_bars(p, cols["revenue"][idx], land, cols["va_factor"][idx])
    fits = model.land.fit(host, land, ok, free_mu)
    idx, finder, host, land = idx[fits], finder[fits], host[fits], land[fits]
    cols["zone"][idx], cols["land_mu"][idx] = host, land
    j = model.joint
    np.add.at(j.passed, finder, 1.0)
    np.add.at(j.received, host, 1.0)
    landed[idx] = True
    return landed
