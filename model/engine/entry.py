"""Entry: the candidates of a step (incubator graduates, attracted projects, new firms) and the
drawing of entrants' individual attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from zonesim.engine.growth import draw_growth_variance
from zonesim.engine.rd import st_share

#: R&D propensity of firms in high-tech / traditional sectors relative to the baseline
#: (assumption: keeps the mean near the baseline for the usual ~1/3 high-tech share).
HIGH_TECH_RD_FACTOR = {True: 2.0, False: 0.7}
#: Mean high-tech revenue share of a firm in a high-tech / traditional sector at entry, and the
#: share that R&D intensity of 5 % or more supports (assumptions).
HIGH_TECH_SHARE_AT_ENTRY = {True: 0.8, False: 0.1}
#: Revenue of a newly founded firm in the rest of the city, relative to the median firm.
NEW_FIRM_SIZE_MULTIPLE = 0.3


@dataclass
class Candidates:
    """Firms that may enter in a step from one source (incubator graduates, attracted
    projects, new firms), before :func:`new_firm_columns` draws their individual attributes.

    ``admit(cols, free_mu)`` decides who of them enters, once their columns are drawn: it may
    change the columns in place (they are views of the step's batch) and takes the land it
    gives from ``free_mu`` (free land by zone, mu), so that the next source sees what is left.
    """

    zone: np.ndarray
    sector: np.ndarray
    revenue: np.ndarray        # yuan per year
    origin: np.ndarray         # ORIGINS code of each candidate
    admit: Callable[[dict, np.ndarray], np.ndarray]


def new_firm_columns(model, n: int, *, zone, sector, revenue, origin) -> dict:
    """Draw the individual attributes of ``n`` entering firms (arrays for :meth:`add`)."""
    rng, p = model.rng, model.p
    sector = np.asarray(sector, dtype=np.int32) * np.ones(n, dtype=np.int32)
    ht_sector = model.sector_high_tech[sector]
    base_rd = p["baseline_rd_intensity"] * np.exp(
        p["rd_intensity_dispersion"] * rng.standard_normal(n))
    base_rd = np.minimum(base_rd * np.where(ht_sector, HIGH_TECH_RD_FACTOR[True],
                                            HIGH_TECH_RD_FACTOR[False]), 0.3)
    ht0 = np.where(ht_sector, HIGH_TECH_SHARE_AT_ENTRY[True], HIGH_TECH_SHARE_AT_ENTRY[False])
    ht_share = np.clip(ht0 + 0.15 * rng.standard_normal(n), 0.0, 1.0)
    revenue = np.asarray(revenue, dtype=float) * np.ones(n)
    real_rd = base_rd * revenue
    knowledge = real_rd / (p["knowledge_depreciation_rate"] + max(p["growth_drift"], 0.02))
    st_offset = 0.04 * rng.standard_normal(n)
    land_prod = np.exp(0.4 * rng.standard_normal(n))
    zone = np.asarray(zone, dtype=np.int32) * np.ones(n, dtype=np.int32)
    land = revenue / (model.land.output_per_mu[zone] * land_prod)
    entry = model.time + model.dt / 2   # entrants arrive, on average, mid-step
    return dict(zone=zone, sector=sector, origin=origin, birth_year=entry, entry_year=entry,
                other_ip=np.zeros(n, dtype=np.int32),
                revenue=revenue, va_factor=np.exp(0.2 * rng.standard_normal(n)),
                land_productivity=land_prod, land_mu=land, base_rd_intensity=base_rd,
                rd_propensity=base_rd, rd_intensity=base_rd, knowledge=knowledge, high_tech_share=ht_share,
                st_offset=st_offset,
                st_share=st_share(base_rd, st_offset, p["talent_programme_intensity"]),
                growth_variance=draw_growth_variance(rng, n, p))


def new_firm_candidates(model, dt: float) -> Candidates | None:
    """New firms in the rest of the city at ``firm_birth_rate`` of its firm count (all
    enter: they need no zone land)."""
    e, p = model.firms, model.p
    n_rest = int((e.alive & (e.zone < 0)).sum())
    n = int(model.rng.poisson(p["firm_birth_rate"] * n_rest * dt))
    if n == 0:
        return None
    revenue = (p["firm_revenue_median_yuan"] * NEW_FIRM_SIZE_MULTIPLE
               * np.exp(model.rng.standard_normal(n)))
    return Candidates(np.full(n, -1, dtype=np.int32), model.draw_sectors(n), revenue,
                          np.full(n, 4, dtype=np.int8),
                          lambda cols, free_mu: np.ones(n, dtype=bool))
