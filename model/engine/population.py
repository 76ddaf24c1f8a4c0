"""The starting population: the city's firms at the start, calibrated to the scenario's initial
parameters (firm count, size distribution, R&D institutions, patents, university
cooperation), then run through their own history (:mod:`zonesim.engine.history`), which
decides their R&D and revenue accounts, registrations and certificates; last, the inventions
under examination at the start (:func:`~zonesim.engine.patents.initial_patent_pipeline`)."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from zonesim import rules
from zonesim.engine.entry import new_firm_columns
from zonesim.engine.firms import ORIGINS
from zonesim.engine.history import simulate_history
from zonesim.engine.patents import initial_patent_pipeline
from zonesim.engine.status import name_leaders, name_specialised_smes


def populate(model) -> None:
    """Create the initial firms, calibrated to the scenario's initial parameters."""
    p, rng = model.p, model.rng
    n = int(p["initial_enterprises"])
    zone_share = np.array([z.firm_share for z in model.scenario.zones] + [0.0])
    zone_share[-1] = max(1.0 - zone_share[:-1].sum(), 0.0)
    zone = rng.choice(model.n_zones + 1, size=n, p=zone_share / zone_share.sum())
    zone = np.where(zone == model.n_zones, -1, zone).astype(np.int32)
    sector = model.draw_sectors(n)
    moved = np.flatnonzero(zone >= 0)
    moved = moved[rng.random(len(moved)) < p["initial_strategic_share"]]
    sector[moved] = model.draw_strategic_sectors(zone[moved], sector[moved])
    revenue = draw_initial_revenue(rng, n, p)
    cols = new_firm_columns(model, n, zone=zone, sector=sector, revenue=revenue, origin=ORIGINS.index("initial"))
    age = 1.0 + rng.exponential(p["initial_mean_firm_age_years"] - 1.0, n)
    cols["birth_year"] = cols["entry_year"] = model.time - age
    model.land.calibrate_output_per_mu(zone, revenue, cols["land_productivity"])
    cols["land_mu"] = model.land.need_mu(revenue, zone, cols["land_productivity"])
    ids = model.firms.add(n, **cols)
    e = model.firms
    initial_patents(model)
    initial_institutions(model)
    above = rules.above_scale(e.revenue)
    coop = above & (rng.random(e.n) < p["initial_university_coop_share"])
    e.set("university_coop", coop, True)
    simulate_history(model, ids, revenue, age)
    initial_patent_pipeline(model)
    name_leaders(model)
    name_specialised_smes(model)
    model.land.recount()


def draw_initial_revenue(rng, n: int, p) -> np.ndarray:
    """Lognormal body with a Pareto upper tail above ``revenue_pareto_quantile``; the tail
    scaled so that the above-scale firms' output is ``above_scale_output_start_yuan`` where the
    scenario gives it (:func:`scale_tail_to_output`)."""
    mu = np.log(p["firm_revenue_median_yuan"])
    sigma = p["firm_revenue_dispersion"]
    rev = np.exp(mu + sigma * rng.standard_normal(n))
    q = p["revenue_pareto_quantile"]
    # q = 1: no tail (norm.ppf(1) is inf, and 0 × inf NaN where the body has no dispersion)
    x_min = np.exp(mu + sigma * norm.ppf(q)) if q < 1.0 else np.inf
    tail = rev > x_min
    # Pareto tail: P(R > x) = (1 - q) (x / x_min)^-alpha above x_min
    u = rng.random(int(tail.sum()))
    rev[tail] = x_min * (1.0 - u) ** (-1.0 / p["revenue_pareto_exponent"])
    if p["above_scale_output_start_yuan"] > 0:
        rev = scale_tail_to_output(rev, tail, p["above_scale_output_start_yuan"])
    return np.minimum(rev, p["max_firm_revenue_yuan"])


def scale_tail_to_output(revenue: np.ndarray, tail: np.ndarray, output_yuan: float
                         ) -> np.ndarray:
    """Scale the Pareto tail's revenues by one factor so that the above-scale firms' revenue
    totals ``output_yuan`` a year: the city's output at the start is a published figure, not a
    draw — with a tail exponent near 1 a few draws would otherwise set it (5–95 % of the total
    spanned a factor of 3–4). The body (which firms are above scale, the median firm) and the
    tail's ranks and relative sizes stay as drawn. The tail is scaled down no further than
    keeps its smallest firm above scale; the total then exceeds ``output_yuan``."""
    if not tail.any():
        return revenue
    body = revenue[~tail]
    needed = output_yuan - body[rules.above_scale(body)].sum()
    floor = rules.ABOVE_SCALE_REVENUE_YUAN / revenue[tail].min()
    out = revenue.copy()
    out[tail] *= max(needed / revenue[tail].sum(), floor)
    return out


def initial_patents(model) -> None:
    e, p = model.firms, model.p
    stock = int(round(p["invention_patents_per_10k_people_start"] * p["population_persons"]
                      / 1e4))
    total = e.knowledge.sum()
    # no knowledge anywhere (baseline_rd_intensity or max_rd_intensity 0): the stock spreads evenly
    w = e.knowledge / total if total > 0 else np.full(e.n, 1.0 / e.n)
    e.set("invention_patents", slice(None), model.rng.multinomial(stock, w))
    e.set("other_ip", slice(None), model.rng.poisson(
        p["patents_per_million_rd_yuan"] * e.knowledge / 1e6))


def initial_institutions(model) -> None:
    e, p = model.firms, model.p
    rd = e.rd_intensity * e.revenue
    k = min(int(p["initial_rd_institutions_municipal_plus"]), e.n)
    top = _largest(rd * np.exp(p["initial_institution_score_noise"]
                              * model.rng.standard_normal(e.n)), k)
    e.set("rd_level", top, 2)
    e.set("rd_level", top[: int(k * p["initial_provincial_institution_share"])], 3)
    e.set("rd_municipal_year", top, model.start_year - 2)
    rest = np.setdiff1d(np.arange(e.n), top, assume_unique=True)
    ent_level = rest[(rd[rest] >= p["enterprise_institution_min_rd_yuan"])
                     & (model.rng.random(len(rest)) < p["initial_enterprise_institution_share"])]
    e.set("rd_level", ent_level, 1)


def _largest(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first (a partial sort: O(n))."""
    k = min(k, len(values))
    if k == 0:
        return np.empty(0, dtype=np.intp)
    top = np.argpartition(-values, k - 1)[:k]
    return top[np.argsort(-values[top], kind="stable")]
