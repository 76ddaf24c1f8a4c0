"""Firms' growth and yearly accounts: Gibrat-like revenue growth with R&D returns and
localisation economies in a zone's clusters, tent-shaped growth rates with power-law tails, the
three-year history of R&D and revenue."""

from __future__ import annotations

import numpy as np


def draw_growth_variance(rng, n: int, p) -> np.ndarray:
    """Variance multiplier of a firm's growth shock for one year.

    A normal shock whose variance is exponential is Laplace (tent-shaped), whatever the number of
    steps the year is split into, since the variance is drawn once a year; a share of firm-years
    draws from a Pareto instead, which gives the power-law tails (Fu, Pammolli, Stanley et al.).
    The Laplace of scale b has variance 2 b², so the exponential has mean 2.
    """
    v = rng.exponential(2.0, n)
    heavy = rng.random(n) < p["growth_tail_probability"]
    v[heavy] = np.minimum(2.0 * rng.pareto(p["growth_tail_variance_exponent"],
                                           int(heavy.sum())) + 2.0, p["growth_variance_cap"])
    return v


def mean_growth_variance(p) -> float:
    """Expected variance multiplier of :func:`draw_growth_variance`.

    2 for the exponential part; 2 + 2 E[min(L, m)] for the heavy part, L Lomax(a) capped at
    m = (cap − 2) / 2, where E[min(L, m)] = ((1 + m)^(1−a) − 1) / (1 − a).
    """
    a = p["growth_tail_variance_exponent"]
    m = (p["growth_variance_cap"] - 2.0) / 2.0
    heavy = 2.0 + 2.0 * ((1.0 + m) ** (1.0 - a) - 1.0) / (1.0 - a)
    q = p["growth_tail_probability"]
    return (1.0 - q) * 2.0 + q * heavy


def grow_revenue(model, dt: float, demand_shock, real_rd: np.ndarray) -> None:
    """Gibrat-like growth of revenue with R&D returns and localisation economies.

    Localisation economies (seed 001 §(四) 特色创新集群: shared suppliers, a pool of skilled
    labour and knowledge spillovers, which the estimates bundle) make a firm's productivity
    rise with its zone-sector cluster's size at ``localisation_elasticity``; the level effect is
    taken as growth, a firm gaining that elasticity × the cluster's log growth of the year
    before (lagged, so that a firm's own growth does not feed back within the year).

    d log R = [growth_drift + rd_productivity_elasticity × (growth rate of the knowledge stock)
               + localisation_elasticity × (last year's log growth of its zone-sector cluster)
               + demand shock − ½ σ² E[v]] dt + σ × √(v dt) × N(0, 1),
    where v is the firm's yearly variance draw (Laplace body, power-law tails) and ``real_rd``
    the step's real R&D (yuan) from :func:`~zonesim.engine.rd.spend_on_rd`.
    """
    e, p = model.firms, model.p
    n = e.n
    knowledge = e.knowledge
    k_growth = np.divide(real_rd, knowledge, out=np.zeros(n), where=knowledge > 0)
    k_growth *= 1.0 / dt
    k_growth -= p["knowledge_depreciation_rate"]
    np.clip(k_growth, p["knowledge_growth_floor"], p["knowledge_growth_ceiling"], out=k_growth)
    vol = p["growth_volatility"]
    # centre the log shock so that mean revenue grows at the drift (the E exp(x) correction),
    # with the *mean* variance: correcting by the firm's own draw would give every heavy-tailed
    # firm-year a certain loss of ½ σ² v, collapsing its revenue
    base = p["growth_drift"] - 0.5 * vol ** 2 * mean_growth_variance(p)
    # zone × sector terms in one table; zone −1 (the rest of the city) indexes its last row,
    # where the cluster term is 0
    table = p["localisation_elasticity"] * model.cluster_growth_table() + (base + demand_shock)
    log_growth = np.take(table, e.zone * table.shape[1] + e.sector)
    log_growth += p["rd_productivity_elasticity"] * k_growth
    log_growth *= dt
    shock = model.rng.standard_normal(n)
    shock *= np.sqrt(e.growth_variance)
    shock *= vol * np.sqrt(dt)
    log_growth += shock
    np.multiply(e.revenue, np.exp(log_growth), out=e.revenue, where=e.alive)


def start_year_accounts(model) -> None:
    """Reset the yearly flows and draw this year's growth-variance multipliers."""
    e, p = model.firms, model.p
    for col in ("rd_year", "revenue_year"):
        e.set(col, slice(None), 0.0)
    for col in ("patent_applications_year", "invention_applications_year",
                "invention_grants_year", "other_grants_year"):
        e.set(col, slice(None), 0)
    e.set("growth_variance", slice(None), draw_growth_variance(model.rng, e.n, p))


def close_year_accounts(model) -> None:
    """Shift the three-year R&D and revenue history by this year's accounts."""
    e = model.firms
    for k in ("rd", "rev"):
        e.set(f"{k}_hist_2", slice(None), getattr(e, f"{k}_hist_1"))
        e.set(f"{k}_hist_1", slice(None), getattr(e, f"{k}_hist_0"))
    e.set("rd_hist_0", slice(None), e.rd_year)
    e.set("rev_hist_0", slice(None), e.revenue_year)
