"""zonesim's vectorised enterprise rules against the same rules as plain Mesa agents.

The enterprise rules (yearly accounts, R&D propensity, R&D decision with bunching at the
certification notch, R&D spending, growth, patents, exit, year-end accounts, high-tech share,
tech-SME status, cultivation pool with IP support, certification by the expected value of
applying and the experts' innovation score) are written a second time below, only here, as
``mesa.Agent`` objects stepped with ``model.agents.shuffle_do`` (idiomatic Mesa 3). Both sides
start from the same initial population (a ``ZoneModel``'s firms after set-up, their simulated
history included), use the same parameters, the same demand shocks and the same horizon.
Government, incubators, investment attraction and births are not part of either side.

Only the enterprise rules are timed. Prints µs per (alive) enterprise-step for each side, their
ratio (median of repeats), and checks that the yearly count of certified high-tech enterprises
has the same distribution on both sides over several seeds (Welch t-test per year and a
tolerance on the means), so the race is fair.

    python benchmarks/engine_vs_mesa.py [--n 10000] [--repeats 5] [--seeds 8]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from bisect import bisect_right

import mesa
import numpy as np
from scipy import stats

from zonesim import rules
from zonesim.engine import exits, growth, patents, rd, status
from zonesim.engine.entry import high_tech_share_at_entry
from zonesim.engine.firms import COLUMNS
from zonesim.engine.model import ZoneModel, new_generator
from zonesim.scenario import load_scenario

SCENARIO = "nantong_2024_2027"
POP_SEED = 12345          # the initial population (same on both sides, every repeat)


# ============================================================== zonesim side: its own rules

def zonesim_step(m: ZoneModel) -> None:
    """One step of the enterprise rules only, calling zonesim.engine's rule modules (growth,
    exits, rd, patents, status) in ZoneModel.step's order (government, incubators, attraction
    and births left out)."""
    dt = m.dt
    if m.year_step == 0:
        growth.start_year_accounts(m)
        exits.rate_exit_risk_by_size(m)
        m._update_clusters()
        rd.revise_rd_propensity(m)
        rd.decide_rd(m)
    shock = m._demand_shock[m.year] if m.year in m._demand_shock else \
        np.zeros(len(m.sector_ids))
    real_rd = rd.spend_on_rd(m, dt)
    growth.grow_revenue(m, dt, shock, real_rd)
    exits.exit_firms(m, dt)
    m.year_step += 1
    m.step_count += 1
    m.time = m.start_year + m.step_count * dt
    if m.year_step == m.steps_per_year:
        m.time = float(round(m.time))
        year = m.year - 1
        patents.produce_patents(m, year)
        growth.close_year_accounts(m)
        status.upgrade_high_tech_share(m)
        status.classify_tech_smes(m, year)
        status.enter_cultivation_pool(m, year)
        status.certify_high_tech(m, year)
        status.file_ip_to_qualify(m, year)
        m.year_step = 0


def run_zonesim(m: ZoneModel, n_steps: int) -> tuple[float, int, list[int]]:
    """Returns (seconds in the rules, alive enterprise-steps, yearly high-tech counts)."""
    spent, firm_steps, hte = 0.0, 0, []
    for _ in range(n_steps):
        firm_steps += int(m.firms.alive.sum())
        t = time.perf_counter()
        zonesim_step(m)
        spent += time.perf_counter() - t
        if m.year_step == 0:
            e = m.firms
            hte.append(int((e.alive & e.certified).sum()))
    return spent, firm_steps, hte


# ================================================================ Mesa side: per-agent rules

FIELDS = [c for c in COLUMNS if c != "alive"]
BAND0, BAND1 = rules.RD_BAND_EDGES_YUAN
THR0, THR1, THR2 = rules.RD_BAND_THRESHOLDS


def _threshold(revenue: float) -> float:
    return THR0 if revenue <= BAND0 else (THR1 if revenue <= BAND1 else THR2)


def _poisson(agent, lam: float) -> int:
    """Poisson draw: inversion with the stdlib generator for small means, numpy otherwise."""
    if lam <= 0.0:
        return 0
    if lam > 20.0:
        return int(agent.model.rng.poisson(lam))
    u, k, p = agent.random.random(), 0, math.exp(-lam)
    c = p
    while u > c:
        k += 1
        p *= lam / k
        c += p
    return k


def _band_points(value: float, bands) -> float:
    """Points of the first band (floor, points), highest floor first, that ``value`` reaches."""
    for floor, points in bands:
        if value >= floor:
            return points
    return 0.0


def _certificate_tax_saving(profit: float, staff: float, year: int) -> float:
    """Income tax a certificate saves in ``year``: the firm's own tax (25 %, or the small
    low-profit regime within its limits) less the certified 15 %, never below 0."""
    profit = max(profit, 0.0)
    tops, rates, max_staff = next(r[1:] for r in reversed(rules.SMALL_LOW_PROFIT_TAX)
                                  if year >= r[0])
    if profit <= tops[-1] and staff <= max_staff:
        tax, below = 0.0, 0.0
        for top, rate in zip(tops, rates):
            tax += rate * min(max(profit - below, 0.0), top - below)
            below = top
    else:
        tax = rules.CORPORATE_TAX_RATE * profit
    return max(tax - rules.HIGH_TECH_TAX_RATE * profit, 0.0)


class Firm(mesa.Agent):
    """One enterprise: the same rules as zonesim.engine's rule modules, one firm at a time."""

    def __init__(self, model: MesaFirms, state: dict):
        super().__init__(model)
        self.__dict__.update(state)

    # ---------------------------------------------------------------- start of the year
    def start_year(self):
        m, p, r = self.model, self.model.p, self.random
        self.rd_year = self.revenue_year = 0.0
        self.patent_applications_year = self.invention_applications_year = 0
        self.invention_grants_year = self.other_grants_year = 0
        # growth variance: exponential of mean 2, or 2 + 2 × Lomax(growth_tail_variance_exponent)
        # with the tail probability, capped
        if r.random() < p["growth_tail_probability"]:
            self.growth_variance = min(2.0 * r.paretovariate(p["growth_tail_variance_exponent"]),
                                       p["growth_variance_cap"])
        else:
            self.growth_variance = r.expovariate(0.5)
        # R&D propensity (AR(1) deviation around a trending long-run propensity)
        # the size multiplier of exit for the year
        self.size_factor = min(max((self.revenue / p["firm_revenue_median_yuan"])
                                   ** -p["exit_size_elasticity"], p["exit_size_factor_min"]),
                               p["exit_size_factor_max"])
        self.rd_propensity = min(self.rd_propensity * m.trend_factor, p["max_rd_intensity"])
        dev = math.log(max(self.base_rd_intensity, 1e-9) / max(self.rd_propensity, 1e-9))
        dev = m.phi * dev + m.prop_noise * r.gauss(0.0, 1.0)
        self.base_rd_intensity = min(self.rd_propensity * math.exp(dev), p["max_rd_intensity"])
        self.decide_rd()

    def decide_rd(self):
        m, p = self.model, self.model.p
        cost = m.cost_certified if self.certified else m.cost_plain
        desired = self.base_rd_intensity * (m.cost_ratio_cert if self.certified
                                            else m.cost_ratio_plain)
        if self.in_pool:
            desired *= 1.0 + p["pool_rd_boost"]
        desired = min(desired, p["max_desired_rd_intensity"])
        last_rev = self.rev_hist_0 if self.rev_hist_0 > 0 else self.revenue
        # what the firm can fund: above-scale firms borrow; others their cash flow and loan
        revenue = max(self.revenue, 1.0)
        limit = math.inf if rules.above_scale(last_rev) else p["rd_internal_finance_share"]
        if self.loan_until > m.time:
            limit += self.loan_yuan / p["loan_years"] / revenue
        voucher = p["innovation_voucher_yuan"]
        if voucher > 0 and self.meets_tech_sme_rules:
            service = voucher / p["voucher_cost_share"] / revenue
            if desired + service - voucher / revenue <= limit:
                desired += service
                limit += voucher / revenue
        desired = min(desired, limit)
        thr = _threshold(last_rev)
        bunch = False
        if (self.high_tech_share >= rules.HIGH_TECH_REVENUE_SHARE_MIN
                and self.st_share >= rules.ST_STAFF_SHARE_MIN * p["bunching_st_share_tolerance"]
                and (1 - p["bunching_window"]) * thr <= desired < thr):
            notch = thr * (1 + p["notch_margin"])
            gap = (notch - desired) * self.revenue
            extra_cost = gap * (1 - p["rd_relabel_share"]) * cost
            real = desired + (notch - desired) * (1 - p["rd_relabel_share"])
            bunch = self.certificate_value(m.year) > extra_cost and real <= limit
        if bunch:
            reported = thr * (1 + p["notch_margin"])
            real = desired + (reported - desired) * (1 - p["rd_relabel_share"])
        else:
            reported = real = desired
        self.rd_intensity = reported
        self.real_rd_share = real / reported if reported > 0 else 1.0
        self.st_share = min(max(p["st_share_base"] + p["st_staff_per_rd_intensity"] * real
                                + self.st_offset, 0.0), p["max_st_share"])

    def certificate_value(self, year: int) -> float:
        """A certificate's value a year (yuan): the tax saved at the firm's own rate, its other
        benefits and, never certified, the first-certification reward over the certificate's
        years."""
        p = self.model.p
        last_rev = self.rev_hist_0 if self.rev_hist_0 > 0 else self.revenue
        tax = _certificate_tax_saving(p["profit_margin"] * last_rev,
                                      self.revenue / p["revenue_per_employee_yuan"], year)
        reward = p["certification_reward_yuan"] if self.first_cert_year < 0 else 0.0
        return (tax + p["certificate_other_value_share"] * last_rev
                + reward / rules.CERTIFICATE_VALIDITY_YEARS)

    def innovation_points(self) -> float:
        """The innovation-capability score the firm's state shows: IP, transformation of
        results, R&D organisation and growth, each by its bands and caps."""
        p = self.model.p
        quantity = (rules.IP_QUANTITY_POINTS_CLASS_I if self.invention_patents >= 1
                    else _band_points(self.other_ip, rules.IP_QUANTITY_POINTS_CLASS_II))
        ip = min(quantity + (p["score_judged_ip_points"] if quantity > 0 else 0.0),
                 rules.SCORE_MAX_POINTS["ip"])
        transformation = _band_points((self.invention_patents + self.other_ip)
                                      * p["transformations_per_ip_right"],
                                      rules.TRANSFORMATION_POINTS)
        # the institution-and-cooperation item is worth at most 6 points
        institution = min(rules.RD_INSTITUTION_POINTS[self.rd_level] + self.university_coop,
                          6.0)
        organisation = min(institution + p["score_judged_organisation_points"],
                           rules.SCORE_MAX_POINTS["organisation"])
        y1, y2, y3 = self.rev_hist_2, self.rev_hist_1, self.rev_hist_0
        sales_growth = 0.5 * (y2 / y1 + y3 / y2) - 1.0 if y1 > 0 and y2 > 0 else 0.0
        # net assets, not modelled, score as sales do
        return ip + transformation + organisation + 2.0 * _band_points(sales_growth,
                                                                       rules.GROWTH_POINTS)

    # ----------------------------------------------------------------------- every step
    def operate(self):
        """R&D spending and growth of one step."""
        m, p, dt = self.model, self.model.p, self.model.dt
        # R&D spending and the knowledge stock
        rd = self.rd_intensity * self.revenue * dt
        real = rd * self.real_rd_share
        self.rd_year += rd
        self.revenue_year += self.revenue * dt
        self.knowledge = self.knowledge * m.knowledge_decay + real
        m.rd_subsidies += rd * p["rd_subsidy_rate"]
        # growth
        kg = real / (self.knowledge * dt) if self.knowledge > 0 else 0.0
        kg = min(max(kg - p["knowledge_depreciation_rate"], p["knowledge_growth_floor"]),
                 p["knowledge_growth_ceiling"])
        cluster = m.cluster_growth.get((self.zone, self.sector), 0.0) if self.zone >= 0 else 0.0
        drift = (m.base_drift + p["rd_productivity_elasticity"] * kg
                 + p["localisation_elasticity"] * cluster + m.shock[self.sector])
        log_growth = drift * dt + m.shock_sd * math.sqrt(self.growth_variance) * \
            self.random.gauss(0.0, 1.0)
        self.revenue *= math.exp(log_growth)
        # the age band of exit, whose mean size multiplier the model takes before exits
        self.age_band = bisect_right(m.hazard_edges, m.time - self.birth_year)

    def maybe_exit(self):
        m, p, dt = self.model, self.model.p, self.model.dt
        annual = m.band_hazard[self.age_band] * self.size_factor / m.size_norm[self.age_band]
        since_entry = m.time - self.entry_year
        if (self.origin == 1 or self.origin == 2) and since_entry < p["post_graduation_years"]:
            annual *= p["post_graduation_hazard_ratio"]
        annual = min(annual, 1.0)
        exposure = min(max(since_entry + dt, 0.0), dt)
        if self.random.random() < 1.0 - (1.0 - annual) ** exposure:
            self.remove()

    def file_inventions(self, count: int, year: int):
        """``count`` invention applications, each granted with invention_grant_rate after the
        examination lag."""
        if count == 0:
            return
        p, r = self.model.p, self.random
        if self.first_application_year < 0:
            self.first_application_year = year
        self.patent_applications_year += count
        self.invention_applications_year += count
        granted = sum(r.random() < p["invention_grant_rate"] for _ in range(count))
        lag = int(p["invention_examination_years"])
        if lag == 0:
            self.invention_grants_year += granted
            self.invention_patents += granted
        else:
            name = f"invention_grants_due_{lag}"
            setattr(self, name, getattr(self, name) + granted)

    # ------------------------------------------------------------------- end of the year
    def end_year(self):
        m, p, r = self.model, self.model.p, self.random
        year = m.year - 1
        # lapses of the invention stock, then the grants whose examination ends this year
        lapse = p["invention_patent_lapse_rate"]
        self.invention_patents -= sum(r.random() < lapse for _ in range(self.invention_patents))
        self.invention_grants_year += self.invention_grants_due_1
        self.invention_patents += self.invention_grants_due_1
        self.invention_grants_due_1, self.invention_grants_due_2, self.invention_grants_due_3 = \
            self.invention_grants_due_2, self.invention_grants_due_3, 0
        # patents of the year's real R&D
        lam = (p["patents_per_million_rd_yuan"] * self.rd_year * self.real_rd_share / 1e6
               * (m.coop_boost if self.university_coop else 1.0))
        apps = _poisson(self, lam)
        share = p["invention_share_of_applications"]
        inv_apps = other = 0
        for _ in range(apps):    # binomial thinning of the applications, as zonesim does
            u = r.random()
            if u < share:
                inv_apps += 1
            else:
                other += u < share + (1 - share) * p["other_ip_grant_rate"]
        self.patent_applications_year += apps - inv_apps
        if apps - inv_apps > 0 and self.first_application_year < 0:
            self.first_application_year = year
        self.file_inventions(inv_apps, year)
        self.other_grants_year += other
        self.other_ip += other
        # accounts
        self.rd_hist_2, self.rd_hist_1, self.rd_hist_0 = self.rd_hist_1, self.rd_hist_0, \
            self.rd_year
        self.rev_hist_2, self.rev_hist_1, self.rev_hist_0 = self.rev_hist_1, self.rev_hist_0, \
            self.revenue_year
        # high-tech share of revenue
        floor = m.ht_floor[self.sector]
        supported = floor + (p["high_tech_share_ceiling"] - floor) * min(
            self.rd_intensity * self.real_rd_share / p["rd_intensity_for_ceiling"], 1.0)
        hts = self.high_tech_share
        self.high_tech_share = min(max(hts + p["high_tech_upgrade_rate"]
                                       * (max(supported, hts * p["high_tech_share_retention"])
                                          - hts), 0.0), 1.0)
        # tech SME
        last_rev = self.rev_hist_0 if self.rev_hist_0 > 0 else self.revenue
        rev3 = self.rev_hist_0 + self.rev_hist_1 + self.rev_hist_2
        rd3 = (self.rd_hist_0 + self.rd_hist_1 + self.rd_hist_2) / rev3 if rev3 > 0 else 0.0
        own_ip = self.invention_patents >= 1 or self.other_ip >= p["min_other_ip_rights"]
        meets = (self.revenue / p["revenue_per_employee_yuan"] <= rules.TECH_SME_MAX_STAFF
                 and last_rev <= rules.TECH_SME_MAX_REVENUE_YUAN
                 and ((rd3 >= p["tech_sme_score_rd_with_staff"]
                       and self.st_share >= rules.ST_STAFF_SHARE_MIN)
                      or (rd3 >= p["tech_sme_score_rd_with_ip"] and own_ip)))
        # registered (入库) from 2017; once registered, kept while the rules are met
        registers = r.random() < p["tech_sme_registration_rate"]
        self.meets_tech_sme_rules = meets
        self.tech_sme = (year >= rules.TECH_SME_REGISTRATION_FIRST_YEAR and meets
                         and (self.tech_sme or registers))
        # cultivation pool, and IP support for pool firms
        if (not self.certified and not self.in_pool and self.tech_sme
                and rd3 >= p["pool_min_threshold_share"] * _threshold(self.revenue)
                and self.high_tech_share >= p["pool_min_high_tech_share"]
                and r.random() < p["pool_entry_rate"]):
            self.in_pool = True
        if self.in_pool and not own_ip and r.random() < p["ip_support_rate"]:
            self.file_inventions(1, year)   # the pool's patent subsidy pays one application
        # certification round
        eligible = (m.time - self.birth_year >= rules.MIN_AGE_YEARS and own_ip
                    and self.st_share >= rules.ST_STAFF_SHARE_MIN
                    and rd3 >= _threshold(last_rev)
                    and self.high_tech_share >= rules.HIGH_TECH_REVENUE_SHARE_MIN)
        renewing = self.certified and self.cert_expiry <= year
        passes = False
        if eligible and (not self.certified or renewing):
            # apply when the certificate's three years times the chance of passing outweigh
            # the application's cost (the pool's service prepares part of it)
            expected = self.innovation_points() + self.score_offset
            if self.application_pays(expected, year, 0.0):
                self.innovation_score = float(round(expected
                                                    + p["score_panel_sd"] * r.gauss(0.0, 1.0)))
                passes = self.innovation_score >= rules.CERTIFICATION_MIN_SCORE
        if renewing and not passes:
            self.certified = False
            self.leader = False
        if passes:
            self.certified = True
            self.cert_expiry = year + rules.CERTIFICATE_VALIDITY_YEARS
            if self.first_cert_year < 0:
                self.first_cert_year = year
                m.certification_rewards += p["certification_reward_yuan"]
            self.in_pool = False
        # held back only by the IP rule: file the other IP rights it lacks when applying with
        # them would pay (status.file_ip_to_qualify)
        need = max(int(p["min_other_ip_rights"]) - self.other_ip, 0)
        if (not self.certified and not own_ip and need > 0
                and m.time - self.birth_year >= rules.MIN_AGE_YEARS
                and self.st_share >= rules.ST_STAFF_SHARE_MIN and rd3 >= _threshold(last_rev)
                and self.high_tech_share >= rules.HIGH_TECH_REVENUE_SHARE_MIN):
            self.other_ip += need
            expected = self.innovation_points() + self.score_offset
            self.other_ip -= need
            grant = p["other_ip_grant_rate"]
            filing = need * p["ip_filing_cost_yuan"] / grant if grant > 0 else math.inf
            if self.application_pays(expected, year, filing):
                granted = sum(r.random() < grant for _ in range(need))
                self.patent_applications_year += need
                if self.first_application_year < 0:
                    self.first_application_year = year
                self.other_grants_year += granted
                self.other_ip += granted

    def application_pays(self, expected: float, year: int, extra_cost: float) -> bool:
        """Whether the certificate's three years times the chance of passing with the expected
        score outweigh the application's cost (the pool's service prepares part of it) and
        ``extra_cost``."""
        p = self.model.p
        sd = p["score_panel_sd"]
        cut = rules.CERTIFICATION_MIN_SCORE - 0.5    # whole points: 71 is 70.5 or more
        chance = (0.5 * math.erfc((cut - expected) / (sd * math.sqrt(2.0))) if sd > 0
                  else float(expected >= cut))
        value = self.certificate_value(year) * rules.CERTIFICATE_VALIDITY_YEARS
        cost = p["certification_application_cost_yuan"] * (
            p["pool_application_cost_share"] if self.in_pool else 1.0)
        return chance * value > cost + extra_cost


class MesaFirms(mesa.Model):
    """The enterprise rules as a plain Mesa model."""

    def __init__(self, source: ZoneModel, seed: int):
        super().__init__(rng=seed)
        p = self.p = dict(source.p)
        self.dt = source.dt
        self.steps_per_year = source.steps_per_year
        self.start_year = source.start_year
        self.time = float(source.time)
        self.step_count = self.year_step = 0
        self.demand_shock = {y: v.copy() for y, v in source._demand_shock.items()}
        self.n_sectors = len(source.sector_ids)
        self.ht_floor = [float(high_tech_share_at_entry(p, h)) for h in source.sector_high_tech]
        self.cluster_growth: dict = {}
        self.shock = [0.0] * self.n_sectors
        self.rd_subsidies = self.certification_rewards = 0.0
        # per-run constants
        self.trend_factor = math.exp(p["rd_intensity_trend"])
        self.phi = p["rd_propensity_persistence"]
        self.prop_noise = p["rd_propensity_volatility"] * math.sqrt(1 - self.phi ** 2)
        floor = p["min_rd_user_cost"]
        cost0 = rules.rd_user_cost(0.0, rules.REFERENCE_SUPER_DEDUCTION_RATE,
                                   rules.CORPORATE_TAX_RATE, floor)
        self.cost_certified = float(rules.rd_user_cost(
            p["rd_subsidy_rate"], p["super_deduction_rate"], rules.HIGH_TECH_TAX_RATE, floor))
        self.cost_plain = float(rules.rd_user_cost(
            p["rd_subsidy_rate"], p["super_deduction_rate"], rules.CORPORATE_TAX_RATE, floor))
        el = p["rd_user_cost_elasticity"]
        self.cost_ratio_cert = float((self.cost_certified / cost0) ** (-el))
        self.cost_ratio_plain = float((self.cost_plain / cost0) ** (-el))
        self.knowledge_decay = math.exp(-p["knowledge_depreciation_rate"] * self.dt)
        vol = p["growth_volatility"]
        self.base_drift = p["growth_drift"] - 0.5 * vol * vol * growth.mean_growth_variance(p)
        self.shock_sd = vol * math.sqrt(self.dt)
        self.band_hazard = rules.exit_hazard_by_band(p).tolist()
        self.size_norm = [1.0] * rules.EXIT_AGE_BANDS
        self.coop_boost = p["coop_institution_multiplier"] ** p["coop_patent_elasticity"]
        self.hazard_edges = list(rules.EXIT_HAZARD_AGE_EDGES)
        # the same initial population, firm by firm
        e = source.firms
        cols = {c: getattr(e, c).tolist() for c in FIELDS}
        for i in np.flatnonzero(e.alive):
            Firm(self, {c: cols[c][i] for c in FIELDS})
        self.cluster_revenue = self._clusters(lambda a: a.rev_hist_1)

    @property
    def year(self) -> int:
        return int(math.floor(self.time + 1e-9))

    def _clusters(self, revenue) -> dict:
        """Revenue of each (zone, sector) cluster plus one median firm's, as the engine's."""
        sums: dict = {}
        for a in self.agents:
            if a.zone >= 0:
                key = (a.zone, a.sector)
                sums[key] = sums.get(key, self.p["firm_revenue_median_yuan"]) + revenue(a)
        return sums

    def _update_clusters(self):
        now = self._clusters(lambda a: a.rev_hist_0 if a.rev_hist_0 > 0 else a.revenue)
        floor = self.p["firm_revenue_median_yuan"]
        self.cluster_growth = {k: math.log(v / self.cluster_revenue.get(k, floor))
                               for k, v in now.items()}
        self.cluster_revenue = now

    def _average_size_by_band(self):
        """Each age band's mean size multiplier of exit over the living firms."""
        k = rules.EXIT_AGE_BANDS
        total, count = [0.0] * k, [0] * k
        for a in self.agents:
            total[a.age_band] += a.size_factor
            count[a.age_band] += 1
        self.size_norm = [t / c if c else 1.0 for t, c in zip(total, count)]

    def step(self):
        if self.year_step == 0:
            self._update_clusters()
            self.agents.shuffle_do("start_year")
        shock = self.demand_shock.get(self.year)
        self.shock = shock.tolist() if shock is not None else [0.0] * self.n_sectors
        self.agents.shuffle_do("operate")
        self._average_size_by_band()
        self.agents.shuffle_do("maybe_exit")
        self.year_step += 1
        self.step_count += 1
        self.time = self.start_year + self.step_count * self.dt
        if self.year_step == self.steps_per_year:
            self.time = float(round(self.time))
            self.agents.shuffle_do("end_year")
            self.year_step = 0


def run_mesa(m: MesaFirms, n_steps: int) -> tuple[float, int, list[int]]:
    spent, firm_steps, hte = 0.0, 0, []
    for _ in range(n_steps):
        firm_steps += len(m.agents)
        t = time.perf_counter()
        m.step()
        spent += time.perf_counter() - t
        if m.year_step == 0:
            hte.append(sum(1 for a in m.agents if a.certified))
    return spent, firm_steps, hte


# ========================================================================== the race

def make_source(n: int) -> ZoneModel:
    sc = load_scenario(SCENARIO)
    return ZoneModel(sc, seed=POP_SEED, parameters={"initial_enterprises": n})


def one_pair(n: int, n_steps: int, seed: int):
    """Both sides from the same initial population, the run's draws seeded by ``seed``."""
    zs = make_source(n)
    ms = MesaFirms(zs, seed)                          # built before zonesim moves on
    zs.rng = new_generator(seed)                      # this run's draws
    z_time, z_fs, z_hte = run_zonesim(zs, n_steps)
    m_time, m_fs, m_hte = run_mesa(ms, n_steps)
    return (z_time / z_fs * 1e6, z_hte), (m_time / m_fs * 1e6, m_hte)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="initial enterprises")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats (median)")
    ap.add_argument("--seeds", type=int, default=12,
                    help="runs per side for the distribution check")
    ap.add_argument("--years", type=int, default=None,
                    help="horizon in years (default: the scenario's)")
    args = ap.parse_args(argv)
    sc = load_scenario(SCENARIO)
    years = args.years or (sc.meta.end_year - sc.meta.start_year + 1)
    n_steps = years * sc.meta.steps_per_year
    print(f"engine_vs_mesa: {SCENARIO}, {args.n} initial enterprises, {years} years × "
          f"{sc.meta.steps_per_year} steps; mesa {mesa.__version__}, numpy {np.__version__}")

    z_us, m_us, ratios, z_hte, m_hte = [], [], [], [], []
    for k in range(max(args.repeats, args.seeds)):
        (zu, zh), (mu, mh) = one_pair(args.n, n_steps, seed=1000 + k)
        z_hte.append(zh)
        m_hte.append(mh)
        if k < args.repeats:
            z_us.append(zu)
            m_us.append(mu)
            ratios.append(mu / zu)
            print(f"  repeat {k}: zonesim {zu:8.3f} µs  mesa {mu:8.3f} µs  ratio {mu / zu:7.1f}",
                  flush=True)
    zmed, mmed, rmed = (statistics.median(x) for x in (z_us, m_us, ratios))
    print(f"zonesim vectorised : {zmed:8.3f} µs per enterprise-step (median of {len(z_us)})")
    print(f"mesa shuffle_do    : {mmed:8.3f} µs per enterprise-step (median of {len(m_us)})")
    print(f"ratio mesa/zonesim : {rmed:8.1f}  (goal ≥ 100: {'MET' if rmed >= 100 else 'NOT MET'})")

    # same distribution of the yearly high-tech enterprise count
    z, m = np.array(z_hte, float), np.array(m_hte, float)
    ok = True
    print(f"high-tech enterprises by year ({len(z)} runs per side; mean ± sd):")
    for j in range(z.shape[1]):
        t = stats.ttest_ind(z[:, j], m[:, j], equal_var=False)
        rel = abs(z[:, j].mean() - m[:, j].mean()) / max(z[:, j].mean(), 1.0)
        good = rel <= 0.02 or t.pvalue > 0.01
        ok &= good
        print(f"  year {j + 1}: zonesim {z[:, j].mean():8.1f} ± {z[:, j].std(ddof=1):5.1f}  "
              f"mesa {m[:, j].mean():8.1f} ± {m[:, j].std(ddof=1):5.1f}  "
              f"rel diff {rel:6.2%}  Welch p = {t.pvalue:.3f}  {'ok' if good else 'DIFFERENT'}")
    print(f"same distribution (|Δmean| ≤ 2 % or Welch p > 0.01 every year): "
          f"{'YES' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
