"""The starting firms' history (docs/ODD.md §5): the years before the start, simulated by the
model's own firm rules, so that on the start date the certificates held and their expiry, the
tech-SME and pool registrations and the R&D and revenue histories are outcomes of those rules,
not handed out at set-up.

The starting economy (firm count, sizes, zones, sectors, patents, institutions) is drawn as
the scenario's initial parameters say. Each firm's revenue is back-cast by the growth process
(:func:`~zonesim.engine.growth.grow_revenue` without its R&D and agglomeration terms) to
``history_years`` + 3 years before the start, nothing before its founding. The history then
runs forward over those years: each year firms revise their R&D propensity and decide R&D under
the policy of that time, receive the grants of the pool's earlier subsidised filings, close
their accounts, upgrade products, are classified (tech SME, cultivation pool), apply for
certification and file the IP they lack to qualify. Only firms alive at the start have a history:
firms that left before it are not represented.

The policy of those years is the registry's default for every lever (the scenario's levers
are its plan, which starts with the start year; so a policy comparison starts from one state)
and the super-deduction of each year (:func:`~zonesim.rules.super_deduction_rate_in`).
"""

from __future__ import annotations

import contextlib

import numpy as np

from zonesim import rules
from zonesim.engine.growth import close_year_accounts, draw_growth_variance, mean_growth_variance
from zonesim.engine.patents import grant_examined_inventions
from zonesim.engine.rd import decide_rd, revise_rd_propensity
from zonesim.engine.status import (certify_high_tech, classify_tech_smes, enter_cultivation_pool,
                                   file_ip_to_qualify, upgrade_high_tech_share)
from zonesim.registry.parameters import PARAMETERS

#: Years of revenue a certification rule looks back on (its three-year R&D intensity).
RULE_WINDOW_YEARS = 3
#: Every lever at its registry default: the policy before a plan.
PRE_PLAN_LEVERS = {name: q.default for name, q in PARAMETERS.items() if q.kind == "lever"}


def revenue_path(model, revenue: np.ndarray, age: np.ndarray, years: int) -> np.ndarray:
    """(firm × year) revenue of the ``years`` years before the start, the latest first: each
    year's revenue is the rate at its middle, back-cast from ``revenue`` (the rate at the start)
    by the growth process; 0 for a year the firm was not yet founded by its middle (``age``:
    years at the start), as :func:`simulate_history` counts firms alive."""
    p, rng, n = model.p, model.rng, len(revenue)
    vol = p["growth_volatility"]
    # back by −growth_drift a year in expectation. The forward process centres its log shock
    # so that mean revenue grows at the drift; going back the shock's E exp(x) term has the
    # other sign: ⅛ σ²v̄ to the year's middle (half the shock), ½ σ²v̄ to its start (all of
    # it). Without this the back-cast accounts averaged 2 % above the start's rate where the
    # forward years' lie 6 % below it, and the first simulated year's output fell by 1 %
    # where the later years grew by 7 %
    drift, var = p["growth_drift"], vol ** 2 * mean_growth_variance(p)
    path = np.empty((n, years))
    log_rate = np.log(revenue)
    for k in range(years):
        shock = vol * np.sqrt(draw_growth_variance(rng, n, p)) * rng.standard_normal(n)
        middle = log_rate - 0.5 * drift - var / 8.0 - 0.5 * shock
        path[:, k] = np.where(age >= k + 0.5, np.exp(middle), 0.0)
        log_rate = log_rate - drift - var / 2.0 - shock
    return path


@contextlib.contextmanager
def pre_plan_policy(model, year: int):
    """The parameters of ``year`` before the plan: levers at their registry defaults, the
    super-deduction of that year."""
    plan = model.p
    model.p = {**plan, **PRE_PLAN_LEVERS,
               "super_deduction_rate": rules.super_deduction_rate_in(year)}
    try:
        yield
    finally:
        model.p = plan


def simulate_history(model, ids: np.ndarray, revenue: np.ndarray, age: np.ndarray) -> None:
    """Run the firms ``ids`` (just created, revenue ``revenue`` and ``age`` years at the start)
    through the ``history_years`` years before the start, then leave them at the start with
    three years of accounts."""
    e = model.firms
    history = int(model.p["history_years"])
    path = revenue_path(model, revenue, age, history + RULE_WINDOW_YEARS)
    first = model.start_year - history
    # accounts of the three years before the history's first year
    for k in range(RULE_WINDOW_YEARS):
        rev = path[:, history + k]
        e.set(f"rev_hist_{k}", ids, rev)
        e.set(f"rd_hist_{k}", ids, rev * e.rd_intensity[ids])
    born = model.start_year - age
    # the drawn propensities are the start's: the history starts them where their trend
    # (``rd_intensity_trend``, applied each year by revise_rd_propensity) brings them back
    back = np.exp(-history * model.p["rd_intensity_trend"])
    for col in ("rd_propensity", "base_rd_intensity"):
        e.set(col, ids, getattr(e, col)[ids] * back)
    start_time = model.time
    for year in range(first, model.start_year):
        col = model.start_year - 1 - year
        e.set("alive", ids, born <= year + 0.5)        # founded by the year's middle
        e.set("revenue", ids, path[:, col])
        with pre_plan_policy(model, year):
            model.time = float(year)
            revise_rd_propensity(model)
            decide_rd(model)
            e.set("revenue_year", ids, path[:, col])
            e.set("rd_year", ids, path[:, col] * e.rd_intensity[ids])
            model.time = float(year + 1)
            grant_examined_inventions(model)
            close_year_accounts(model)
            upgrade_high_tech_share(model)
            classify_tech_smes(model, year)
            enter_cultivation_pool(model, year)
            certify_high_tech(model, year)
            file_ip_to_qualify(model, year)
    e.set("alive", ids, True)
    e.set("revenue", ids, revenue)
    for flow in ("revenue_year", "rd_year"):        # the start year's accounts are still empty
        e.set(flow, ids, 0.0)
    model.time = start_time
    model.budget.clear()
