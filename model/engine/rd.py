"""Firms' R&D: the yearly R&D plan and its spending every step (docs/ODD.md §7.3–7.5).

Life cycle: (incubated project →) firm → tech SME → cultivation pool → certified high-tech
enterprise; what a firm spends on R&D decides how far it gets. Each rule takes the model and
acts on all firms at once."""

from __future__ import annotations

import numpy as np

from zonesim import rules
from zonesim.engine.firms import certificate_value_per_year, last_year_revenue


def st_share(p, rd_intensity, offset):
    """S&T staff share of employees: rises with R&D intensity, plus the firm's own offset
    (which awarded hires raise: :func:`~zonesim.engine.talent.award_hires`)."""
    return np.clip(p["st_share_base"] + p["st_staff_per_rd_intensity"] * rd_intensity
                   + offset, 0.0, p["max_st_share"])


def revise_rd_propensity(model) -> None:
    """This year's R&D propensity: the firm's long-run propensity (growing at
    ``rd_intensity_trend``) times a transitory AR(1) deviation in logs, so that firms drift into
    and out of the certification notch over the years around a stable type."""
    e, p = model.firms, model.p
    e.set("rd_propensity", slice(None), np.minimum(
        e.rd_propensity * np.exp(p["rd_intensity_trend"]), p["max_rd_intensity"]))
    phi = p["rd_propensity_persistence"]
    dev = np.log(np.maximum(e.base_rd_intensity, 1e-9) / np.maximum(e.rd_propensity, 1e-9))
    dev = phi * dev + p["rd_propensity_volatility"] * np.sqrt(1 - phi ** 2) * \
        model.rng.standard_normal(e.n)
    e.set("base_rd_intensity", slice(None), np.minimum(e.rd_propensity * np.exp(dev),
                                                          p["max_rd_intensity"]))


def desired_rd_intensity(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The R&D intensity each firm wants this year, before financing: real R&D responds to its
    after-tax user cost with the elasticity of Chen et al. (AER 2021) — the R&D subsidy the
    budget pays and the super-deduction lower it, the certificate's 15 % tax rate raises it a
    little (the deduction is worth less); firms in the cultivation pool raise it by
    ``pool_rd_boost`` (coaching toward certification). Returns ``(desired, cost_plain,
    cost_cert)``, each firm's user costs."""
    e, p = model.firms, model.p
    floor = p["min_rd_user_cost"]
    cost0 = rules.rd_user_cost(0.0, rules.REFERENCE_SUPER_DEDUCTION_RATE,
                               rules.CORPORATE_TAX_RATE, floor)
    # the strategic-industry fund tops up the subsidy of zone firms in their zone's strategic
    # industries (seed 001 §(十七)), so the user cost differs by firm
    subsidy = (model.budget.paid("rd_subsidy_rate")
               + model.budget.paid("strategic_industry_rd_subsidy_rate")
               * model.in_strategic_industry())
    cost_plain = rules.rd_user_cost(subsidy, p["super_deduction_rate"],
                                    rules.CORPORATE_TAX_RATE, floor)
    cost_cert = rules.rd_user_cost(subsidy, p["super_deduction_rate"],
                                   rules.HIGH_TECH_TAX_RATE, floor)
    el = p["rd_user_cost_elasticity"]
    desired = e.base_rd_intensity * np.where(e.certified, (cost_cert / cost0) ** -el,
                                             (cost_plain / cost0) ** -el)
    np.multiply(desired, 1.0 + p["pool_rd_boost"], out=desired, where=e.in_pool)
    np.minimum(desired, p["max_desired_rd_intensity"], out=desired)
    return desired, cost_plain, cost_cert


def rd_finance_limit(model) -> np.ndarray:
    """The R&D intensity each firm can fund this year (share of revenue). Above-scale firms
    borrow from banks and are not limited (inf); smaller firms (融资难: no collateral for
    intangible R&D) fund R&D from their own cash flow, ``rd_internal_finance_share`` of revenue,
    plus the yearly draw of a tech loan they hold (loan / ``loan_years``)."""
    e, p = model.firms, model.p
    revenue = np.maximum(e.revenue, 1.0)
    limit = np.full(e.n, p["rd_internal_finance_share"])
    on_loan = e.loan_until > model.time
    limit[on_loan] += e.loan_yuan[on_loan] / p["loan_years"] / revenue[on_loan]
    limit[rules.above_scale(last_year_revenue(e))] = np.inf
    return limit


def redeem_vouchers(model, desired: np.ndarray, limit: np.ndarray) -> None:
    """Innovation vouchers (创新券) buy external R&D services: a voucher pays
    ``voucher_cost_share`` of a service, the firm the rest. Firms meeting the tech-SME rules
    (registered or not) redeem theirs when they can fund their share on top of their own R&D;
    the service adds to their R&D (and to what they can fund, by the voucher). The budget pays
    the vouchers redeemed. Changes ``desired`` and ``limit`` in place."""
    e, p = model.firms, model.p
    voucher = model.budget.paid("innovation_voucher_yuan")
    if voucher <= 0:
        return
    smes = np.flatnonzero(e.meets_tech_sme_rules & e.alive)
    revenue = np.maximum(e.revenue[smes], 1.0)
    service = voucher / p["voucher_cost_share"] / revenue     # intensities
    paid = voucher / revenue
    redeem = desired[smes] + service - paid <= limit[smes]
    users = smes[redeem]
    desired[users] += service[redeem]
    limit[users] += paid[redeem]
    model.budget.pay("innovation_voucher_yuan", len(users) * p["innovation_voucher_yuan"])


def decide_rd(model, wanted: tuple | None = None) -> None:
    """Each firm sets this year's R&D intensity (at the start of the year); ``wanted``: this
    year's :func:`desired_rd_intensity`, where the caller has it already.

    The firm wants :func:`desired_rd_intensity`, adds the external R&D its innovation voucher
    buys (:func:`redeem_vouchers`) and spends what it can fund (:func:`rd_finance_limit`).
    Firms that could be certified and whose intensity lies within ``bunching_window`` below
    their band's threshold raise reported R&D to just above the notch when the certificate's
    yearly value (:func:`~zonesim.engine.firms.certificate_value_per_year`) outweighs the extra
    cost and they can fund it; ``rd_relabel_share`` of that rise is relabelled spending, not
    real R&D.
    """
    e, p = model.firms, model.p
    alive, certified, revenue = e.alive, e.certified, e.revenue
    desired, cost_plain, cost_cert = wanted if wanted is not None else desired_rd_intensity(model)
    limit = rd_finance_limit(model)
    redeem_vouchers(model, desired, limit)
    np.minimum(desired, limit, out=desired)

    # the notch: only firms that could be certified and are just below it weigh bunching
    threshold = rules.rd_intensity_threshold(last_year_revenue(e))
    could_certify = ((e.high_tech_share >= rules.HIGH_TECH_REVENUE_SHARE_MIN)
                     & (e.st_share >= rules.ST_STAFF_SHARE_MIN * p["bunching_st_share_tolerance"])
                     & alive)
    near = np.flatnonzero((desired < threshold)
                          & (desired >= (1 - p["bunching_window"]) * threshold) & could_certify)
    notch = threshold[near] * (1 + p["notch_margin"])
    relabel = p["rd_relabel_share"]
    real_near = desired[near] + (notch - desired[near]) * (1 - relabel)
    extra_cost = ((notch - desired[near]) * revenue[near] * (1 - relabel)
                  * np.where(certified[near], cost_cert[near], cost_plain[near]))
    bunch = ((certificate_value_per_year(model, near, model.year) > extra_cost)
             & (real_near <= limit[near]))
    bunchers, reported_b, real_b = near[bunch], notch[bunch], real_near[bunch]

    np.multiply(desired, alive, out=e.rd_intensity)
    e.rd_intensity[bunchers] = reported_b
    e.real_rd_share[:] = 1.0
    e.real_rd_share[bunchers] = real_b / reported_b
    desired[bunchers] = real_b
    e.st_share[:] = st_share(p, desired, e.st_offset)


def spend_on_rd(model, dt: float) -> np.ndarray:
    """Accrue this step's R&D and revenue; the knowledge stock gains real R&D and depreciates.
    Returns each firm's real R&D of the step (yuan), whose growth effect
    :func:`~zonesim.engine.growth.grow_revenue` takes."""
    e, p = model.firms, model.p
    alive = e.alive
    rd = e.rd_intensity * e.revenue      # exited firms report none: remove_firms zeroes it
    rd *= dt
    e.rd_year += rd
    np.add(e.revenue_year, e.revenue * dt, out=e.revenue_year, where=alive)
    real = rd * e.real_rd_share
    np.multiply(e.knowledge, np.exp(-p["knowledge_depreciation_rate"] * dt), out=e.knowledge,
                where=alive)
    e.knowledge += real
    model.budget.pay("rd_subsidy_rate", float(rd.sum() * p["rd_subsidy_rate"]))
    if p["strategic_industry_rd_subsidy_rate"] > 0:
        model.budget.pay("strategic_industry_rd_subsidy_rate",
                         float(rd[model.in_strategic_industry()].sum()
                               * p["strategic_industry_rd_subsidy_rate"]))
    return real
