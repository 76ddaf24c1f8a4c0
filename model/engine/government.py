"""The government (city or district): owns the levers and the yearly evaluation of zones.

Each year it evaluates and ranks the zones (亩均效益 — value added per mu — and innovation
indicators; seeds 001 §(六), 002 §七(二)), rewards climbers and warns laggards (demoting a zone
ranked last ``laggard_warning_streak`` times running when ``laggard_demotion`` is on and it no
longer meets its tier's criteria: 有进有出), allocates the land quota by
the scenario's rule, takes back the land of the least efficient firms (腾笼换鸟) and grants tech
loans. What it spends on each lever is booked in the model's ledger.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from zonesim.engine.agents import Agent
from zonesim.engine.land import RecycledPlots
from zonesim.engine.rd import rd_finance_limit


def by_need(amount: float, need: np.ndarray) -> np.ndarray:
    """``amount`` (mu) shared in proportion to ``need`` (mu, by zone), no zone more than its
    need: what no zone needs is not given."""
    total = float(need.sum())
    if total <= 0 or amount <= 0:
        return np.zeros(len(need))
    return need * min(1.0, amount / total)


def rank_weights(ranks: np.ndarray) -> np.ndarray:
    """Weights n, n−1, …, 1 of zones ranked 1 (best) … n (亩均论英雄, 资源要素差别化配置: seed
    001 §(六)), in the order of ``ranks``."""
    return len(ranks) + 1.0 - np.asarray(ranks, dtype=float)


class Government(Agent):
    """The city (or district) government."""

    def __init__(self, model):
        super().__init__(model)
        self.last_ranks: dict[int, int] = {}
        self.last_place_streak: dict[int, int] = {}
        #: this year's tech-loan defaults (principal, yuan) and the risk-compensation fund's
        #: claims and payments for them (yuan)
        self.defaults_yuan = self.compensation_claimed_yuan = self.compensation_paid_yuan = 0.0
        #: tech loans granted from the first simulated year on (yuan)
        self.loans_granted_yuan = 0.0

    def last_rank_weights(self) -> np.ndarray:
        """:func:`rank_weights` of the last evaluation, in zone order; equal before the
        first."""
        n = len(self.model.zones)
        if not self.last_ranks:
            return np.ones(n)
        return rank_weights([self.last_ranks[i] for i in range(n)])

    def evaluate_zones(self, zone_stats: list[dict]) -> np.ndarray:
        """Rank zones (1 = best) by the mean of their ranks on value added per mu and on the
        innovation index (certified firms per 100 firms + ``innovation_index_rd_weight`` × R&D
        intensity in %)."""
        p = self.model.p
        if not zone_stats:
            return np.array([], dtype=int)
        # a zone without firms (NaN indicators) ranks last
        per_mu = np.nan_to_num([s["value_added_per_mu_yuan"] for s in zone_stats], nan=-np.inf)
        innov = np.nan_to_num([100.0 * s["high_tech_enterprises"] / max(s["enterprises"], 1)
                               + p["innovation_index_rd_weight"] * 100.0
                               * s["enterprise_rd_intensity"] for s in zone_stats],
                              nan=-np.inf)
        score = rankdata(-per_mu) + rankdata(-innov)
        return rankdata(score, method="ordinal").astype(int)

    def reward_and_warn(self, ranks: np.ndarray, zone_stats: list[dict], year: int) -> None:
        """争先进位 (seed 002 §七(三)): a zone whose rank improved on last year's (a climber) gets
        ``climber_bonus`` more attraction capacity next year, ``climber_award_yuan`` for its
        firms' R&D projects (:meth:`fund_climbers_projects`) and a share of the land quota
        (:meth:`allocate_land_quota`). A zone ranked last in ``laggard_warning_streak``
        consecutive evaluations is warned and, if ``laggard_demotion`` and it no longer meets
        its own tier's criteria, loses one tier (有进有出; development zones, off the
        high-tech-zone ladder, keep theirs)."""
        p = self.model.p
        zones = self.model.zones
        last = len(zones)
        for z, r, stats in zip(zones, ranks, zone_stats):
            before = self.last_ranks.get(z.index)
            z.climbed = before is not None and r < before
            z.attraction_bonus = p["climber_bonus"] if z.climbed else 0.0
            streak = self.last_place_streak.get(z.index, 0) + 1 if (r == last and last > 1) else 0
            self.last_place_streak[z.index] = streak
            if streak >= p["laggard_warning_streak"]:
                z.warnings += 1
                if (p["laggard_demotion"] and z.on_ladder
                        and not z.meets_criteria(z.tier, stats)):
                    z.demote(year)
                self.last_place_streak[z.index] = 0
            self.last_ranks[z.index] = int(r)

    def review_special_parks(self, zone_stats: list[dict], year: int) -> list:
        """先建后评、有进有出、动态管理 (seed 004 §三 end): every year the city reviews its
        recognised special parks against the recognition criteria; a park below them in
        ``special_park_review_streak`` consecutive reviews loses its recognition
        (:meth:`~zonesim.engine.zones.Zone.withdraw_recognition`). Returns the parks withdrawn."""
        streak = self.model.p["special_park_review_streak"]
        withdrawn = []
        for z, stats in zip(self.model.zones, zone_stats):
            if not (z.is_special_park and z.tier >= 1):
                continue
            z.reviews_failed = 0 if z.meets_criteria(1, stats) else z.reviews_failed + 1
            if z.reviews_failed >= streak:
                z.withdraw_recognition(year)
                withdrawn.append(z)
        return withdrawn

    def allocate_land_quota(self, ranks: np.ndarray) -> np.ndarray:
        """Divide ``land_quota_mu_per_year`` among zones (mu each), following what each zone
        could not give this year (its unmet need, :meth:`Land.take_unmet_need`). First the
        climbers' needs, up to ``climber_land_share`` of the quota (优先保障所需的…指标, seed
        002 §六(四)); the rest by the scenario's rule (:meth:`quota_by_rule`). The quota adds
        to the zones' land stock, ``m0_land_share`` of it as M0 (:meth:`Land.supply_m0`)."""
        p = self.model.p
        zones = self.model.zones
        if not zones:
            return np.zeros(0)
        quota = p["land_quota_mu_per_year"]
        need = self.model.land.take_unmet_need()
        climbers = np.array([z.climbed for z in zones])
        first = by_need(p["climber_land_share"] * quota, need * climbers)
        shares = first + self.quota_by_rule(quota - first.sum(), ranks, need - first)
        for z, s in zip(zones, shares):
            z.land_stock_mu += s
        self.model.land.supply_m0(shares)
        return shares

    def quota_by_rule(self, amount: float, ranks: np.ndarray, need: np.ndarray) -> np.ndarray:
        """``amount`` (mu) by ``land_allocation_rule``: ``uniform``; ``by_rank`` (weights n,
        n−1, …, 1 from best to worst: 亩均论英雄, seed 001 §(六)); ``special_parks`` (the
        special parks' ``need``, up to ``special_park_tilt`` of the amount, first — where every
        zone is a park, the recognised ones' — and the rest equally to the other zones:
        根据特色园区发展需求…倾斜, seed 004 §三(四)10)."""
        p = self.model.p
        zones = self.model.zones
        n = len(zones)
        if p["land_allocation_rule"] == "by_rank":
            w = rank_weights(ranks)
        elif p["land_allocation_rule"] == "special_parks":
            parks = np.array([z.is_special_park for z in zones])
            if parks.all():
                parks = np.array([z.tier >= 1 for z in zones])
            if parks.any() and not parks.all():
                tilt = by_need(p["special_park_tilt"] * amount, need * parks)
                return tilt + (amount - tilt.sum()) * ~parks / (~parks).sum()
            w = np.ones(n)
        else:
            w = np.ones(n)
        return amount * w / w.sum()

    def recycle_land(self) -> RecycledPlots | None:
        """腾笼换鸟 (seed 002 §四(二)): in each zone, the ``land_recycling_share`` of firms with
        the lowest value added per mu leave and their land returns to the zone. Returns their
        plots (None when nothing is recycled), which
        :func:`~zonesim.engine.zones.redevelopment_candidates` offers to new projects."""
        m, p = self.model, self.model.p
        share = p["land_recycling_share"]
        if share <= 0:
            return None
        e = m.firms
        in_zone = e.alive & (e.zone >= 0) & (e.land_mu > 0)
        per_mu = np.divide(e.revenue * e.va_factor * p["value_added_ratio"], e.land_mu,
                           out=np.full(e.n, np.inf), where=in_zone)
        out = []
        for z in m.zones:
            ids = np.flatnonzero(in_zone & (e.zone == z.index))
            k = int(np.floor(share * len(ids) + m.rng.random()))
            if k > 0:
                out.append(ids[np.argsort(per_mu[ids])[:k]])
        if not out:
            return None
        ids = np.concatenate(out)
        plots = RecycledPlots(e.zone[ids].copy(), e.land_mu[ids].copy(), per_mu[ids])
        m.remove_firms(ids)
        return plots

    def grant_tech_loans(self, desired: np.ndarray) -> None:
        """苏科贷-type tech loans (seed 003 §三(五)3, backed by a risk-compensation fund): up to
        ``tech_loan_yuan_per_year`` a year to firms meeting the tech-SME rules (registered or
        not: the lenders' lists screen by the rules) that hold no loan, each up to
        ``loan_revenue_share`` of revenue and ``loan_max_yuan``, for ``loan_years``. Firms that
        want more R&D (``desired``, :func:`~zonesim.engine.rd.desired_rd_intensity`) than they
        can fund (:func:`~zonesim.engine.rd.rd_finance_limit`) apply first; within each group
        the order is random. A loan's yearly draw raises what its holder can fund. The banks
        lend the volume times the share of last year's default claims the risk-compensation
        fund paid (:meth:`close_default_year`)."""
        m, p = self.model, self.model.p
        volume = p["tech_loan_yuan_per_year"] * self.close_default_year()
        if volume <= 0:
            return
        e = m.firms
        cand = np.flatnonzero(e.alive & e.meets_tech_sme_rules & (e.loan_until <= m.time))
        if len(cand) == 0:
            return
        constrained = (desired > rd_finance_limit(m))[cand]
        cand = np.concatenate([m.rng.permutation(cand[constrained]),
                               m.rng.permutation(cand[~constrained])])
        size = np.minimum(p["loan_revenue_share"] * e.revenue[cand], p["loan_max_yuan"])
        take = np.cumsum(size) <= volume
        e.set("loan_until", cand[take], m.time + p["loan_years"])
        e.set("loan_yuan", cand[take], size[take])
        if m.time >= m.start_year:
            self.loans_granted_yuan += float(size[take].sum())

    def compensate_defaults(self, ids: np.ndarray) -> None:
        """科技型中小企业风险补偿资金 (seed 003 §三(五)3): a firm that exits (``ids``) while it
        holds a tech loan defaults on it, and the risk-compensation fund pays the bank
        ``risk_compensation_share`` of the principal out of the science budget (§7.23), so
        that loans cost the budget what their defaults cost."""
        m = self.model
        e = m.firms
        gone = ids[e.loan_until[ids] > m.time]
        if len(gone) == 0:
            return
        principal = float(e.loan_yuan[gone].sum())
        claim = m.p["risk_compensation_share"] * principal
        self.defaults_yuan += principal
        self.compensation_claimed_yuan += claim
        self.compensation_paid_yuan += m.budget.pay("tech_loan_yuan_per_year", claim)

    def close_default_year(self) -> float:
        """Start a new year of defaults; returns the share of last year's claims the fund paid
        (1 without claims). What the budget did not pay the banks bore, and they lend under
        the fund only as far as it covers them."""
        claimed, paid = self.compensation_claimed_yuan, self.compensation_paid_yuan
        self.defaults_yuan = self.compensation_claimed_yuan = self.compensation_paid_yuan = 0.0
        return 1.0 if claimed <= 0 else min(paid / claimed, 1.0)

    def fund_climbers_projects(self) -> None:
        """Last year's climbers get ``climber_award_yuan`` each from the budget for their firms'
        R&D projects (重点研发计划项目, seed 002 §七(三)); :meth:`fund_zone_rd`."""
        for z in self.model.zones:
            if z.climbed:
                self.fund_zone_rd(z, "climber_award_yuan")

    def fund_recognised_parks(self) -> None:
        """Each recognised special park gets ``special_park_award_yuan`` a year from the budget
        for its firms' R&D (在相关政策支持方面予以倾斜, seed 004 §三 end); :meth:`fund_zone_rd`."""
        for z in self.model.zones:
            if z.is_special_park and z.tier >= 1:
                self.fund_zone_rd(z, "special_park_award_yuan")

    def fund_zone_rd(self, zone, lever: str) -> None:
        """Programme ``lever``'s award to ``zone``, paid from the budget and shared among the
        zone's certified firms and tech SMEs in proportion to their R&D: it adds to their real
        R&D this year (start of the year, after their own R&D decision)."""
        m = self.model
        e = m.firms
        if m.p[lever] <= 0.0:
            return
        ids = np.flatnonzero(e.alive & (e.zone == zone.index) & (e.certified | e.tech_sme)
                             & (e.rd_intensity > 0))
        if len(ids) == 0:
            return
        award = m.budget.pay(lever, m.p[lever])
        rd = e.rd_intensity[ids] * e.revenue[ids]
        extra = award * rd / rd.sum()
        real = e.rd_intensity[ids] * e.real_rd_share[ids] * e.revenue[ids] + extra
        e.rd_intensity[ids] += extra / np.maximum(e.revenue[ids], 1.0)
        e.real_rd_share[ids] = real / np.maximum(e.rd_intensity[ids] * e.revenue[ids], 1e-300)

    def pay_incubator_subsidies(self) -> None:
        """Every carrier's operating subsidy for the year; the carriers' admissions and
        graduation follow the subsidy paid
        (:meth:`~zonesim.engine.incubators.Incubator.set_rates`)."""
        m = self.model
        # carriers that operate this year (建成并实质运营), not rows awaiting a founding
        operating = int((m.carriers.opens_at[:m.carriers.n] < np.inf).sum())
        claim = operating * m.p["incubator_operating_subsidy_yuan"]
        amount = m.budget.pay("incubator_operating_subsidy_yuan", claim)
        # each carrier's subsidy: the rate paid, or its part of what is left of the budget
        paid = m.budget.paid("incubator_operating_subsidy_yuan")
        if operating and amount < claim * m.budget.payout:
            paid = amount / operating
        for inc in m.incubators:
            inc.set_rates(paid)
