"""Firms' exit: the SAIC (2013) age-dependent hazard, spread by size within an age band,
raised for recent incubator graduates."""

from __future__ import annotations

import numpy as np

from zonesim import rules
from zonesim.engine.firms import ORIGINS


def size_exit_multiplier(p, revenue) -> np.ndarray:
    """Exit hazard multiplier for firm size: (R / firm_revenue_median_yuan)^−exit_size_elasticity
    of revenue R (yuan a year), clipped to [``exit_size_factor_min``, ``exit_size_factor_max``]
    (larger firms exit less: Geroski's stylised fact)."""
    m = np.log(np.asarray(revenue, dtype=float) * (1.0 / p["firm_revenue_median_yuan"]))
    m *= -p["exit_size_elasticity"]
    np.exp(m, out=m)
    return np.clip(m, p["exit_size_factor_min"], p["exit_size_factor_max"], out=m)


def rate_exit_risk_by_size(model) -> None:
    """At the start of the year, each firm's exit multiplier for its size from its opening
    revenue (entrants: their revenue at entry), as the certification uses a year's accounts."""
    e = model.firms
    e.exit_size_factor[:] = size_exit_multiplier(model.p, e.revenue)


def exit_firms(model, dt: float) -> np.ndarray:
    """Firms exit with the age-dependent SAIC hazard times their ``exit_size_factor`` over its
    mean in their age band; incubator and offshore graduates' hazard is
    ``post_graduation_hazard_ratio`` times higher for ``post_graduation_years`` after graduation
    (Schwartz 2009: graduation has an immediate negative effect on survival that lasts up to
    three years). Returns the ids that exited."""
    e, p = model.firms, model.p
    alive = e.alive
    band = rules.exit_age_band(model.time - e.birth_year)
    # SAIC's hazards are averages over the firms of each age, young firms being small: the
    # size multiplier only spreads the hazard within an age band, whose mean over the living
    # firms stays SAIC's
    nb = rules.EXIT_AGE_BANDS
    factor = e.exit_size_factor
    total = np.bincount(band, weights=factor * alive, minlength=nb)
    count = np.bincount(band, weights=alive, minlength=nb)
    mean = np.divide(total, count, out=np.ones(nb), where=count > 0)
    hazard = rules.exit_hazard_by_band(p) / mean
    ratio = p["post_graduation_hazard_ratio"]
    # thinning: a firm's yearly hazard is at most its band's × the largest size factor ×
    # the graduation ratio; only firms whose draw falls under that bound's step probability
    # need their own, and the same draw decides, so exits are exactly as if all were computed
    bound = rules.probability_within(
        np.minimum(hazard * p["exit_size_factor_max"] * max(ratio, 1.0), 1.0), dt)
    u = model.rng.random(e.n)
    ids = np.flatnonzero((u < np.take(bound, band)) & alive)
    annual = hazard[band[ids]] * factor[ids]
    since_entry = model.time - e.entry_year[ids]
    if ratio != 1.0:
        origin = e.origin[ids]
        recent_graduate = np.isin(origin, [ORIGINS.index("incubator"), ORIGINS.index("offshore")])
        annual[recent_graduate & (since_entry < p["post_graduation_years"])] *= ratio
    np.minimum(annual, 1.0, out=annual)
    # exposure: the step, or less for firms that entered during it (mid-step)
    exposure = np.clip(since_entry + dt, 0.0, dt)
    ids = ids[u[ids] < rules.probability_within(annual, exposure)]
    # exits happen within the step: at the middle of each firm's exposure
    model.government.compensate_defaults(ids)
    model.remove_firms(ids, 0.5 * (np.maximum(model.time, e.entry_year[ids]) + model.time + dt))
    return ids
