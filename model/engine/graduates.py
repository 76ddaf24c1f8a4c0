"""Graduates of the carriers entering as firms: local graduates settle in their carrier's zone,
offshore graduates land at home or are lost (seeds 000, 003, 004); a share of every carrier's
graduates are technology ventures."""

from __future__ import annotations

import numpy as np

from zonesim.engine.entry import Candidates
from zonesim.engine.firms import ORIGINS


def graduate_candidates(model, graduates: np.ndarray) -> Candidates | None:
    """The step's graduates of all carriers (a count per carrier of ``model.incubators``) as
    candidate enterprises.

    A local graduate settles in its carrier's zone while land is free there, otherwise in the
    rest of the city. An offshore graduate lands in its home zone with probability
    1 − (1 − p₀) × exp(−reward / landing_reward_scale_yuan), p₀ its base's landing probability
    without a reward (:func:`base_landing_probability`), and only
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
        reward = m.budget.paid("offshore_landing_reward_yuan") / p["landing_reward_scale_yuan"]
        p_land = 1.0 - (1.0 - base_landing_probability(p, carriers.landing_log_odds[owner])) \
            * np.exp(-reward)
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
        n_rows = carriers.n
        landed = np.bincount(owner[offshore & fits], minlength=n_rows)
        carriers.landed_this_year[:n_rows] += landed
        carriers.lost_this_year[:n_rows] += np.where(carriers.offshore[:n_rows],
                                                     graduates - landed, 0)
        m.budget.pay("offshore_landing_reward_yuan",
                     float(landed.sum() * p["offshore_landing_reward_yuan"]))
        return ~offshore | fits

    return Candidates(home, m.draw_sectors(n, high_tech=True), revenue,
                      np.where(offshore, ORIGINS.index("offshore"),
                               ORIGINS.index("incubator")).astype(np.int8), admit)


def base_landing_probability(p, log_odds_shift: np.ndarray) -> np.ndarray:
    """An offshore base's probability that a graduate lands with no reward: the median base's
    ``offshore_landing_probability`` with the base's log-odds shift
    (:meth:`~zonesim.engine.incubators.Incubator.draw_quality`)."""
    p0 = p["offshore_landing_probability"]
    if p0 <= 0.0 or p0 >= 1.0:
        return np.full(np.shape(log_odds_shift), p0)
    return 1.0 / (1.0 + (1.0 - p0) / p0 * np.exp(-log_odds_shift))


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
