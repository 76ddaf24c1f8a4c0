"""Entry: the candidates of a step (incubator graduates, attracted projects, new firms) and the
drawing of entrants' individual attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from zonesim import rules
from zonesim.engine.growth import draw_growth_variance
from zonesim.engine.rd import st_share


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


def high_tech_share_at_entry(p, high_tech_sector: np.ndarray) -> np.ndarray:
    """Mean high-tech product share of revenue of an entrant, by whether its sector is
    high-tech (also the floor its share falls back toward)."""
    return np.where(high_tech_sector, p["high_tech_share_at_entry_ht_sector"],
                    p["high_tech_share_at_entry_other_sector"])


def new_firm_columns(model, n: int, *, zone, sector, revenue, origin) -> dict:
    """Draw the individual attributes of ``n`` entering firms (arrays for
    :meth:`~zonesim.engine.firms.Enterprises.add`)."""
    rng, p = model.rng, model.p
    sector = np.asarray(sector, dtype=np.int32) * np.ones(n, dtype=np.int32)
    ht_sector = model.sector_high_tech[sector]
    base_rd = p["baseline_rd_intensity"] * np.exp(
        p["rd_intensity_dispersion"] * rng.standard_normal(n))
    base_rd = np.minimum(base_rd * np.where(ht_sector, p["high_tech_sector_rd_factor"],
                                            p["traditional_sector_rd_factor"]),
                         p["max_rd_intensity"])
    ht_share = np.clip(high_tech_share_at_entry(p, ht_sector)
                       + p["high_tech_share_dispersion"] * rng.standard_normal(n), 0.0, 1.0)
    revenue = np.asarray(revenue, dtype=float) * np.ones(n)
    real_rd = base_rd * revenue
    knowledge = real_rd / (p["knowledge_depreciation_rate"]
                           + max(p["growth_drift"], p["entrant_knowledge_growth_floor"]))
    st_offset = p["st_share_dispersion"] * rng.standard_normal(n)
    land_prod = np.exp(p["land_productivity_dispersion"] * rng.standard_normal(n))
    zone = np.asarray(zone, dtype=np.int32) * np.ones(n, dtype=np.int32)
    land = model.land.need_mu(revenue, zone, land_prod)
    entry = model.time + model.dt / 2   # entrants arrive, on average, mid-step
    return dict(zone=zone, sector=sector, origin=origin, birth_year=entry, entry_year=entry,
                other_ip=np.zeros(n, dtype=np.int32),
                revenue=revenue,
                va_factor=np.exp(p["value_added_dispersion"] * rng.standard_normal(n)),
                energy_intensity=draw_energy_intensity(model, sector),
                land_productivity=land_prod, land_mu=land, on_m0=np.zeros(n, dtype=bool),
                base_rd_intensity=base_rd,
                rd_propensity=base_rd, knowledge=knowledge,
                # until its first R&D decision, what a small entrant can fund (rd.py)
                rd_intensity=np.where(rules.above_scale(revenue), base_rd,
                                      np.minimum(base_rd, p["rd_internal_finance_share"])),
                high_tech_share=ht_share, st_offset=st_offset,
                score_offset=p["score_firm_sd"] * rng.standard_normal(n),
                st_share=st_share(p, base_rd, st_offset),
                growth_variance=draw_growth_variance(rng, n, p))


def draw_energy_intensity(model, sector: np.ndarray) -> np.ndarray:
    """Energy use per unit of value added of firms of ``sector``, relative to the city's
    manufacturing average: the sector's (scenario) times a lognormal factor of mean 1 and
    spread ``energy_intensity_dispersion``, from the model's own energy stream."""
    s = model.p["energy_intensity_dispersion"]
    z = model.energy_rng.standard_normal(len(sector))
    return model.sector_energy_intensity[sector] * np.exp(s * z - 0.5 * s * s)


def new_firm_candidates(model, dt: float) -> Candidates | None:
    """New firms in the rest of the city at ``firm_birth_rate`` of its firm count (all
    enter: they need no zone land)."""
    e, p = model.firms, model.p
    n_rest = int((e.alive & (e.zone < 0)).sum())
    n = int(model.rng.poisson(p["firm_birth_rate"] * n_rest * dt))
    if n == 0:
        return None
    revenue = (p["firm_revenue_median_yuan"] * p["new_firm_size_multiple"]
               * np.exp(p["entrant_revenue_dispersion"] * model.rng.standard_normal(n)))
    return Candidates(np.full(n, -1, dtype=np.int32), model.draw_sectors(n), revenue,
                          np.full(n, 4, dtype=np.int8),
                          lambda cols, free_mu: np.ones(n, dtype=bool))
