"""Enterprises: thousands to millions of firms, held column-wise, with vectorised rules.

Firms are agents with individual state, but stored as one numpy array per attribute (one row
per enterprise), the approach of Mesa's mesa-frames: a firm's id is its row, rows are appended
on entry and masked (``alive = False``) on exit, so ids are stable and never reused.
``ZoneModel.enterprise(id)`` and ``ZoneModel.enterprises_frame()`` show them as individuals.

Life cycle: (incubated project →) firm → tech SME → cultivation pool → certified high-tech
enterprise (three-year certificate, re-certification) → leader. The rules below are called by
``ZoneModel.step`` in the order of docs/ODD.md; each takes the model and acts on all firms at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from zonesim import rules

#: column name → dtype. Monetary flows are in yuan per year; land in mu; years are calendar
#: years (fractional for entry times).
COLUMNS: dict[str, type] = {
    "alive": bool,
    "zone": np.int32,            # index of the zone, -1 for the rest of the city
    "sector": np.int32,
    "origin": np.int8,           # 0 initial, 1 incubator graduate, 2 offshore landing,
                                 # 3 attracted project, 4 new firm in the rest of the city
    "birth_year": float,         # calendar time of registration (age counts from it)
    "entry_year": float,         # calendar time the firm entered the city's population:
                                 # founding, landing or graduation (graduates were registered
                                 # when their incubator admitted them)
    "revenue": float,            # yuan per year (current rate)
    "va_factor": float,          # firm's value-added rate relative to the average
    "land_productivity": float,  # firm's revenue per mu relative to the zone average
    "land_mu": float,
    "rd_propensity": float,      # the firm's long-run R&D / revenue with no policy
    "base_rd_intensity": float,  # this year's R&D / revenue the firm would choose with no policy
    "rd_intensity": float,       # reported R&D / revenue chosen for this year
    "real_rd_share": float,      # share of reported R&D that is real (rest relabelled)
    "knowledge": float,          # R&D capital stock, yuan
    "high_tech_share": float,    # high-tech products' share of revenue
    "st_offset": float,          # firm-specific part of its S&T staff share
    "st_share": float,           # S&T staff / employees
    "invention_patents": np.int32,
    "other_ip": np.int32,
    "patent_applications_year": np.int32,
    "invention_applications_year": np.int32,
    "invention_grants_year": np.int32,
    "other_grants_year": np.int32,   # utility models, designs, software copyrights granted
    "first_application_year": np.int32,  # year of the firm's first patent application, or -1
    "rd_year": float,            # reported R&D spent so far this year, yuan
    "revenue_year": float,       # revenue earned so far this year, yuan
    "rd_hist_0": float, "rd_hist_1": float, "rd_hist_2": float,     # last three years' R&D
    "rev_hist_0": float, "rev_hist_1": float, "rev_hist_2": float,  # and revenue, yuan
    "growth_variance": float,    # this year's variance multiplier of the growth shock
    "exit_size_factor": float,   # this year's exit hazard multiplier for the firm's size
    "tech_sme": bool,
    "in_pool": bool,
    "certified": bool,
    "cert_expiry": np.int32,     # last calendar year the certificate is valid
    "first_cert_year": np.int32,  # -1 if never certified
    "leader": bool,
    "specialised": bool,
    "rd_level": np.int8,         # R&D institution: 0 none, 1 enterprise, 2 municipal,
                                 # 3 provincial
    "rd_municipal_year": np.int32,  # year first accredited at municipal level or above
    "rd_setup_year": np.int32,   # year the firm set up its R&D institution, or -1
    "university_coop": bool,
    "coop_start_year": np.int32,  # year the current university cooperation started, or -1
    "loan_until": float,         # calendar time until which the firm holds a tech loan
    "loan_yuan": float,
}

RD_LEVELS = ("none", "enterprise", "municipal", "provincial")
ORIGINS = ("initial", "incubator", "offshore", "attracted", "new_firm")

#: A firm needs at least this much real R&D (yuan a year) to set up an R&D institution, and this
#: much per level to be accredited at municipal / provincial level (assumption: 0.3, 1, 5 M yuan,
#: i.e. a few full-time researchers for an enterprise-level centre).
RD_INSTITUTION_MIN_RD_YUAN = (0.3e6, 1e6, 5e6)
#: Innovative leader: besides the revenue threshold, a municipal R&D institution and ≥ 5 valid
#: invention patents (assumption; no official definition).
LEADER_MIN_INVENTION_PATENTS = 5
#: Specialised and sophisticated SME (专精特新, MIIT 2022 criteria, simplified): revenue 10 M –
#: 400 M yuan, R&D ≥ 3 % of revenue, ≥ 1 invention patent or ≥ 5 other IP, ≥ 2 years old.
SPECIALISED_REVENUE_YUAN = (10e6, 400e6)
SPECIALISED_MIN_RD_INTENSITY = 0.03
SPECIALISED_MIN_AGE_YEARS = 2.0
#: R&D propensity of firms in high-tech / traditional sectors relative to the baseline
#: (assumption: keeps the mean near the baseline for the usual ~1/3 high-tech share).
HIGH_TECH_RD_FACTOR = {True: 2.0, False: 0.7}
#: Share of utility-model / design / software applications granted (no substantive
#: examination: assumption).
OTHER_IP_GRANT_RATE = 0.8
#: Gazelle enterprise (瞪羚企业, Jiangsu practice): age, starting revenue and yearly growth.
GAZELLE_MAX_AGE_YEARS = 10.0
GAZELLE_MIN_REVENUE_YUAN = 10e6
GAZELLE_MIN_GROWTH = 0.20
#: Mean high-tech revenue share of a firm in a high-tech / traditional sector at entry, and the
#: share that R&D intensity of 5 % or more supports (assumptions).
HIGH_TECH_SHARE_AT_ENTRY = {True: 0.8, False: 0.1}
HIGH_TECH_SHARE_CEILING = 0.9
#: S&T staff share = 0.03 + ST_PER_RD × R&D intensity × (0.8 + 0.4 × talent programme) + offset
#: (assumption: S&T staff rise with R&D; talent programmes make staff easier to hire).
ST_PER_RD = 2.5
#: A reported R&D intensity just above the notch, as bunching firms choose (relative margin).
NOTCH_MARGIN = 0.02
#: The size multiplier of the exit hazard is kept within this range (assumption).
EXIT_SIZE_FACTOR_RANGE = (0.2, 2.0)
#: Years after graduation during which graduates carry a raised exit hazard (Schwartz 2009).
POST_GRADUATION_YEARS = 3.0
#: Pareto exponent of the variance-mixing draw for heavy-tailed growth years: variance mixing
#: with a Pareto(1.5) variable gives growth-rate tails with cumulative exponent ≈ 3 (Fu et al.).
GROWTH_TAIL_VARIANCE_EXPONENT = 1.5
#: Cap on the yearly variance multiplier: at the default volatility a firm-year's shock has at
#: most ≈ 1.8 log points of standard deviation. Uncapped, the Pareto draw gives a few firm-years
#: of ±10 log points in a large run (a firm growing or shrinking 10 000-fold in a year); about
#: 4 in 10 000 firm-years reach the cap, too few to move the tail exponent of the top 1 %.
GROWTH_VARIANCE_CAP = 50.0


class Enterprises:
    """Column store of firms. ``self.<column>`` is a numpy view of the rows in use; in-place
    operations on it (``e.revenue *= g``) write into the store."""

    def __init__(self, capacity: int = 1024):
        self._capacity = max(int(capacity), 16)
        self._data = _allocate(self._capacity)
        self.n = 0
        self._refresh_views()

    def _refresh_views(self) -> None:
        # views held as plain attributes: a column access is a dict lookup, not a slice
        for name, arr in self._data.items():
            self.__dict__[name] = arr[: self.n]

    def __len__(self) -> int:
        return self.n

    @property
    def n_alive(self) -> int:
        return int(np.count_nonzero(self.alive))

    def add(self, count: int, **values) -> np.ndarray:
        """Append ``count`` firms; ``values`` maps columns to scalars or arrays. Returns ids."""
        if count <= 0:
            return np.empty(0, dtype=np.int64)
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown enterprise columns: {sorted(unknown)}")
        need = self.n + count
        if need > self._capacity:
            new_cap = max(need, int(self._capacity * 1.5))
            grown = _allocate(new_cap)
            for name, arr in self._data.items():
                grown[name][: self.n] = arr[: self.n]
            self._data = grown
            self._capacity = new_cap
        ids = np.arange(self.n, need)
        for name, arr in self._data.items():
            value = values.get(name)
            if value is not None:
                arr[self.n:need] = value
            elif name in _DEFAULTS:
                arr[self.n:need] = _DEFAULTS[name]
            # other columns are 0 already: the store is zero-filled and rows are never reused
        self.n = need
        self._refresh_views()
        return ids

    def set(self, name: str, ids, value) -> None:
        """Write ``value`` into column ``name`` at rows ``ids`` (ids or a boolean mask)."""
        self._data[name][: self.n][ids] = value

    def row(self, firm_id: int) -> dict:
        if not 0 <= firm_id < self.n:
            raise KeyError(f"no enterprise with id {firm_id}")
        return {name: arr[firm_id].item() for name, arr in self._data.items()}


def _allocate(capacity: int) -> dict[str, np.ndarray]:
    """Zeroed columns of ``capacity`` rows."""
    return {name: np.zeros(capacity, dtype=dt) for name, dt in COLUMNS.items()}


_DEFAULTS = {"alive": True, "cert_expiry": -1, "first_cert_year": -1, "rd_municipal_year": -1,
             "rd_setup_year": -1, "coop_start_year": -1, "first_application_year": -1,
             "va_factor": 1.0, "land_productivity": 1.0, "real_rd_share": 1.0,
             "growth_variance": 1.0, "exit_size_factor": 1.0, "loan_until": -1.0}


# ------------------------------------------------------------------------- derived state

def employees(e: Enterprises, p) -> np.ndarray:
    """Staff, from revenue and revenue per employee."""
    return e.revenue / p["revenue_per_employee_yuan"]


def three_year_rd_intensity(e: Enterprises, rows=slice(None)) -> np.ndarray:
    """R&D / sales over the last three completed years (fewer for younger firms), of all firms
    or of ``rows``."""
    rd = e.rd_hist_0[rows] + e.rd_hist_1[rows] + e.rd_hist_2[rows]
    rev = e.rev_hist_0[rows] + e.rev_hist_1[rows] + e.rev_hist_2[rows]
    return np.divide(rd, rev, out=np.zeros_like(rd), where=rev > 0)


def last_year_revenue(e: Enterprises) -> np.ndarray:
    return np.where(e.rev_hist_0 > 0, e.rev_hist_0, e.revenue)


def gazelles(model) -> np.ndarray:
    """Gazelles (瞪羚企业): at most 10 years old, revenue ≥ 10 M yuan two years before last year,
    and at least 20 % average yearly growth over those two years (the usual definition uses
    three years; the model keeps a three-year history, hence two growth years)."""
    e = model.firms
    return (e.alive & (model.time - e.birth_year <= GAZELLE_MAX_AGE_YEARS)
            & (e.rev_hist_2 >= GAZELLE_MIN_REVENUE_YUAN)
            & (e.rev_hist_0 >= e.rev_hist_2 * (1 + GAZELLE_MIN_GROWTH) ** 2))


def own_ip(e: Enterprises) -> np.ndarray:
    return (e.invention_patents >= 1) | (e.other_ip >= rules.MIN_OTHER_IP)


# ------------------------------------------------------------------------------ creation

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
    land = revenue / (model.zone_land_output(zone) * land_prod)
    entry = model.time + model.dt / 2   # entrants arrive, on average, mid-step
    return dict(zone=zone, sector=sector, origin=origin, birth_year=entry, entry_year=entry,
                other_ip=np.zeros(n, dtype=np.int32),
                revenue=revenue, va_factor=np.exp(0.2 * rng.standard_normal(n)),
                land_productivity=land_prod, land_mu=land, base_rd_intensity=base_rd,
                rd_propensity=base_rd, rd_intensity=base_rd, knowledge=knowledge, high_tech_share=ht_share,
                st_offset=st_offset,
                st_share=_st_share(base_rd, st_offset, p["talent_programme_intensity"]),
                growth_variance=draw_growth_variance(rng, n, p))


def _st_share(rd_intensity, offset, talent):
    return np.clip(0.03 + ST_PER_RD * rd_intensity * (0.8 + 0.4 * talent) + offset, 0.0, 0.9)


def draw_initial_revenue(rng, n: int, p) -> np.ndarray:
    """Lognormal body with a Pareto upper tail above ``revenue_pareto_quantile``."""
    mu = np.log(p["firm_revenue_median_yuan"])
    sigma = p["firm_revenue_dispersion"]
    rev = np.exp(mu + sigma * rng.standard_normal(n))
    q = p["revenue_pareto_quantile"]
    from scipy.stats import norm
    x_min = np.exp(mu + sigma * norm.ppf(q))
    tail = rev > x_min
    # Pareto tail: P(R > x) = (1 - q) (x / x_min)^-alpha above x_min
    u = rng.random(int(tail.sum()))
    rev[tail] = x_min * (1.0 - u) ** (-1.0 / p["revenue_pareto_exponent"])
    return np.minimum(rev, 5e11)


def draw_growth_variance(rng, n: int, p) -> np.ndarray:
    """Variance multiplier of a firm's growth shock for one year.

    A normal shock whose variance is exponential is Laplace (tent-shaped), whatever the number of
    steps the year is split into, since the variance is drawn once a year; a share of firm-years
    draws from a Pareto instead, which gives the power-law tails (Fu, Pammolli, Stanley et al.).
    The Laplace of scale b has variance 2 b², so the exponential has mean 2.
    """
    v = rng.exponential(2.0, n)
    heavy = rng.random(n) < p["growth_tail_probability"]
    v[heavy] = np.minimum(2.0 * rng.pareto(GROWTH_TAIL_VARIANCE_EXPONENT, int(heavy.sum()))
                          + 2.0, GROWTH_VARIANCE_CAP)
    return v


def mean_growth_variance(p) -> float:
    """Expected variance multiplier of :func:`draw_growth_variance`.

    2 for the exponential part; 2 + 2 E[min(L, m)] for the heavy part, L Lomax(a) capped at
    m = (cap − 2) / 2, where E[min(L, m)] = ((1 + m)^(1−a) − 1) / (1 − a).
    """
    a = GROWTH_TAIL_VARIANCE_EXPONENT
    m = (GROWTH_VARIANCE_CAP - 2.0) / 2.0
    heavy = 2.0 + 2.0 * ((1.0 + m) ** (1.0 - a) - 1.0) / (1.0 - a)
    q = p["growth_tail_probability"]
    return (1.0 - q) * 2.0 + q * heavy


# ------------------------------------------------------------------------ yearly R&D plan

def revise_rd_propensity(model) -> None:
    """This year's R&D propensity: the firm's long-run propensity (growing at
    ``rd_intensity_trend``) times a transitory AR(1) deviation in logs, so that firms drift into
    and out of the certification notch over the years around a stable type."""
    e, p = model.firms, model.p
    e.set("rd_propensity", slice(None), np.minimum(
        e.rd_propensity * np.exp(p["rd_intensity_trend"]), 0.3))
    phi = p["rd_propensity_persistence"]
    dev = np.log(np.maximum(e.base_rd_intensity, 1e-9) / np.maximum(e.rd_propensity, 1e-9))
    dev = phi * dev + p["rd_propensity_volatility"] * np.sqrt(1 - phi ** 2) * \
        model.rng.standard_normal(e.n)
    e.set("base_rd_intensity", slice(None), np.minimum(e.rd_propensity * np.exp(dev), 0.3))


def decide_rd(model) -> None:
    """Each firm sets this year's R&D intensity (at the start of the year).

    Real R&D responds to its after-tax user cost with the elasticity of Chen et al. (AER 2021):
    the R&D subsidy and the super-deduction lower it, the certificate's 15 % tax rate raises it
    a little (the deduction is worth less). Firms that could be certified and whose desired
    intensity lies within ``bunching_window`` below their band's threshold raise reported R&D to
    just above the notch when the certificate's value (tax saving, other benefits and the
    first-time reward) outweighs the extra cost; ``rd_relabel_share`` of that rise is relabelled spending, not real R&D.
    Tech SMEs holding a tech loan raise desired R&D by ``tech_sme_rd_financing_gain``; innovation
    vouchers add R&D at no cost to tech SMEs; firms in the cultivation pool raise desired R&D
    by ``pool_rd_boost`` (coaching toward certification).
    """
    e, p = model.firms, model.p
    alive, certified, revenue = e.alive, e.certified, e.revenue
    cost0 = rules.rd_user_cost(0.0, 0.5, rules.CORPORATE_TAX_RATE)  # reference: 2008 rules
    cost_plain = rules.rd_user_cost(p["rd_subsidy_rate"], p["super_deduction_rate"],
                                    rules.CORPORATE_TAX_RATE)
    cost_cert = rules.rd_user_cost(p["rd_subsidy_rate"], p["super_deduction_rate"],
                                   rules.HIGH_TECH_TAX_RATE)
    el = p["rd_user_cost_elasticity"]
    desired = e.base_rd_intensity * np.where(certified, (cost_cert / cost0) ** -el,
                                             (cost_plain / cost0) ** -el)
    np.multiply(desired, 1.0 + p["tech_sme_rd_financing_gain"], out=desired,
                where=e.loan_until > model.time)
    np.multiply(desired, 1.0 + p["pool_rd_boost"], out=desired, where=e.in_pool)
    smes = np.flatnonzero(e.tech_sme)
    desired[smes] += p["innovation_voucher_yuan"] / np.maximum(revenue[smes], 1.0)
    np.minimum(desired, 0.5, out=desired)

    # the notch: only firms that could be certified and are just below it weigh bunching
    threshold = rules.rd_intensity_threshold(last_year_revenue(e))
    near = np.flatnonzero((desired < threshold) & (desired >= (1 - p["bunching_window"]) * threshold)
                          & (e.high_tech_share >= rules.HIGH_TECH_REVENUE_SHARE_MIN)
                          & (e.st_share >= rules.ST_STAFF_SHARE_MIN * 0.8) & alive)
    notch = threshold[near] * (1 + NOTCH_MARGIN)
    relabel = p["rd_relabel_share"]
    extra_cost = ((notch - desired[near]) * revenue[near] * (1 - relabel)
                  * np.where(certified[near], cost_cert, cost_plain))
    tax_saving = ((rules.CORPORATE_TAX_RATE - rules.HIGH_TECH_TAX_RATE) * p["profit_margin"]
                  + p["certificate_other_value_share"]) * revenue[near]
    reward = np.where(e.first_cert_year[near] < 0, p["certification_reward_yuan"] / 3.0, 0.0)
    bunch = tax_saving + reward > extra_cost
    bunchers, reported_b = near[bunch], notch[bunch]
    real_b = desired[bunchers] + (reported_b - desired[bunchers]) * (1 - relabel)

    np.multiply(desired, alive, out=e.rd_intensity)
    e.rd_intensity[bunchers] = reported_b
    e.real_rd_share[:] = 1.0
    e.real_rd_share[bunchers] = real_b / reported_b
    desired[bunchers] = real_b
    e.st_share[:] = _st_share(desired, e.st_offset, p["talent_programme_intensity"])


# ---------------------------------------------------------------------- every step (dt)

def spend_on_rd(model, dt: float) -> np.ndarray:
    """Accrue this step's R&D and revenue; the knowledge stock gains real R&D and depreciates.
    Returns each firm's real R&D of the step (yuan), whose growth effect
    :func:`grow_revenue` takes."""
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
    model.ledger["rd_subsidies"] += float(rd.sum() * p["rd_subsidy_rate"])
    return real


def grow_revenue(model, dt: float, demand_shock, real_rd: np.ndarray) -> None:
    """Gibrat-like growth of revenue with R&D returns and same-sector agglomeration.

    d log R = [growth_drift + rd_productivity_elasticity × (growth rate of the knowledge stock)
               + agglomeration_elasticity × (share of the firm's zone in its sector)
               + demand shock − ½ σ² E[v]] dt + σ × √(v dt) × N(0, 1),
    where v is the firm's yearly variance draw (Laplace body, power-law tails) and ``real_rd``
    the step's real R&D (yuan) from :func:`spend_on_rd`.
    """
    e, p = model.firms, model.p
    n = e.n
    knowledge = e.knowledge
    k_growth = np.divide(real_rd, knowledge, out=np.zeros(n), where=knowledge > 0)
    k_growth *= 1.0 / dt
    k_growth -= p["knowledge_depreciation_rate"]
    np.clip(k_growth, -0.5, 1.0, out=k_growth)
    vol = p["growth_volatility"]
    # centre the log shock so that mean revenue grows at the drift (the E exp(x) correction),
    # with the *mean* variance: correcting by the firm's own draw would give every heavy-tailed
    # firm-year a certain loss of ½ σ² v, collapsing its revenue
    base = p["growth_drift"] - 0.5 * vol ** 2 * mean_growth_variance(p)
    # zone × sector terms in one table; zone −1 (the rest of the city) indexes its last row,
    # where the same-sector share is 0
    table = p["agglomeration_elasticity"] * model.same_sector_table() + (base + demand_shock)
    log_growth = np.take(table, e.zone * table.shape[1] + e.sector)
    log_growth += p["rd_productivity_elasticity"] * k_growth
    log_growth *= dt
    shock = model.rng.standard_normal(n)
    shock *= np.sqrt(e.growth_variance)
    shock *= vol * np.sqrt(dt)
    log_growth += shock
    np.multiply(e.revenue, np.exp(log_growth), out=e.revenue, where=e.alive)


def sparse_poisson(rng, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts of means ``lam`` where most are 0: returns (indices, counts ≥ 1) of the
    non-zero ones.

    One uniform u per firm decides zero (u ≤ e^−λ); for the others, u' = (u − e^−λ) / (1 − e^−λ)
    is uniform and independent of that, and gives the first event's time in the unit interval,
    T = −ln(1 − u'(1 − e^−λ)) / λ; the events after it are Poisson(λ(1 − T)). Exact, and
    cheaper than ``rng.poisson`` over all firms when most counts are 0 (why it is written out:
    0.45 against 0.59 ms for 22 000 firms of which a third file; less the fewer file).
    """
    u = rng.random(lam.shape[0])
    p0 = np.exp(-lam)
    idx = np.flatnonzero(u > p0)
    lam_i, p0_i = lam[idx], p0[idx]
    first = -np.log1p(-(u[idx] - p0_i)) / lam_i     # 1 − u'(1 − e^−λ) = 1 − (u − e^−λ)
    return idx, 1 + rng.poisson(lam_i * np.maximum(1.0 - first, 0.0))


def produce_patents(model, year: int) -> None:
    """The year's patent applications and grants from its real R&D (constant returns), at the
    year end: yearly counts are Poisson of the year's R&D whatever the step length (a sum of
    independent Poissons is Poisson), and nothing reads patents within the year.

    Applications ~ Poisson(λ = patents_per_million_rd_yuan × real R&D in M yuan), a share s =
    ``invention_share_of_applications`` of them inventions, a share g =
    ``invention_grant_rate`` of those granted, entering the stock at once (the 2-3 year
    examination lag is not modelled); other IP (utility models, software) from the rest, 80 %
    of it granted (utility models are not examined in substance). Drawn as four independent
    Poissons of λ × the kinds' shares (granted inventions s·g, pending s(1 − g), granted other
    IP (1 − s)·0.8, refused (1 − s)·0.2): the same joint law as thinning one Poisson count.
    University cooperation raises productivity by the coop multiplier's square root (assumption).
    """
    e, p = model.firms, model.p
    rng = model.rng
    lam = e.rd_year * e.real_rd_share
    lam *= p["patents_per_million_rd_yuan"] / 1e6
    np.multiply(lam, np.sqrt(p["coop_institution_multiplier"]), out=lam, where=e.university_coop)
    lam *= e.alive
    s, g = p["invention_share_of_applications"], p["invention_grant_rate"]
    other_granted = (1 - s) * OTHER_IP_GRANT_RATE
    granted_inv, pending_inv, granted_other, refused = (
        sparse_poisson(rng, lam * share)
        for share in (s * g, s * (1 - g), other_granted, 1 - s - other_granted))
    for firms, count in (granted_inv, pending_inv, granted_other, refused):
        e.patent_applications_year[firms] += count.astype(np.int32)
        new = firms[e.first_application_year[firms] < 0]
        e.first_application_year[new] = year
    for firms, count in (granted_inv, pending_inv):
        e.invention_applications_year[firms] += count.astype(np.int32)
    e.invention_grants_year[granted_inv[0]] += granted_inv[1].astype(np.int32)
    e.invention_patents[granted_inv[0]] += granted_inv[1].astype(np.int32)
    e.other_grants_year[granted_other[0]] += granted_other[1].astype(np.int32)
    e.other_ip[granted_other[0]] += granted_other[1].astype(np.int32)


def size_exit_multiplier(p, revenue) -> np.ndarray:
    """Exit hazard multiplier for firm size: (R / firm_revenue_median_yuan)^−exit_size_elasticity
    of revenue R (yuan a year), clipped to ``EXIT_SIZE_FACTOR_RANGE`` (larger firms exit less:
    Geroski's stylised fact)."""
    m = np.log(np.asarray(revenue, dtype=float) * (1.0 / p["firm_revenue_median_yuan"]))
    m *= -p["exit_size_elasticity"]
    np.exp(m, out=m)
    return np.clip(m, *EXIT_SIZE_FACTOR_RANGE, out=m)


def rate_exit_risk_by_size(model) -> None:
    """At the start of the year, each firm's exit multiplier for its size from its opening
    revenue (entrants: their revenue at entry), as the certification uses a year's accounts."""
    e = model.firms
    e.exit_size_factor[:] = size_exit_multiplier(model.p, e.revenue)


def exit_firms(model, dt: float) -> np.ndarray:
    """Firms exit with the age-dependent SAIC hazard times their ``exit_size_factor`` over its
    mean in their age band; incubator and offshore graduates' hazard is
    ``post_graduation_hazard_ratio`` times higher for three years after graduation (Schwartz
    2009: graduation has an immediate negative effect on survival that lasts up to three
    years). Returns the ids that exited."""
    e, p = model.firms, model.p
    alive = e.alive
    band = rules.exit_age_band(model.time - e.birth_year)
    # SAIC's hazards are averages over the firms of each age, young firms being small: the
    # size multiplier only spreads the hazard within an age band, whose mean over the living
    # firms stays SAIC's
    nb = len(rules.EXIT_HAZARD_BY_AGE)
    factor = e.exit_size_factor
    total = np.bincount(band, weights=factor * alive, minlength=nb)
    count = np.bincount(band, weights=alive, minlength=nb)
    mean = np.divide(total, count, out=np.ones(nb), where=count > 0)
    hazard = rules.exit_hazard_by_band(p["exit_hazard_scale"]) / mean
    ratio = p["post_graduation_hazard_ratio"]
    # thinning: a firm's yearly hazard is at most its band's × the largest size factor ×
    # the graduation ratio; only firms whose draw falls under that bound's step probability
    # need their own, and the same draw decides, so exits are exactly as if all were computed
    bound = rules.probability_within(
        np.minimum(hazard * EXIT_SIZE_FACTOR_RANGE[1] * max(ratio, 1.0), 1.0), dt)
    u = model.rng.random(e.n)
    ids = np.flatnonzero((u < np.take(bound, band)) & alive)
    annual = hazard[band[ids]] * factor[ids]
    since_entry = model.time - e.entry_year[ids]
    if ratio != 1.0:
        origin = e.origin[ids]
        annual[((origin == 1) | (origin == 2)) & (since_entry < POST_GRADUATION_YEARS)] *= ratio
    np.minimum(annual, 1.0, out=annual)
    # exposure: the step, or less for firms that entered during it (mid-step)
    exposure = np.clip(since_entry + dt, 0.0, dt)
    ids = ids[u[ids] < rules.probability_within(annual, exposure)]
    model.remove_firms(ids)
    return ids


# ------------------------------------------------------------------------- year end

def close_year_accounts(model) -> None:
    """Shift the three-year R&D and revenue history by this year's accounts."""
    e = model.firms
    for k in ("rd", "rev"):
        e.set(f"{k}_hist_2", slice(None), getattr(e, f"{k}_hist_1"))
        e.set(f"{k}_hist_1", slice(None), getattr(e, f"{k}_hist_0"))
    e.set("rd_hist_0", slice(None), e.rd_year)
    e.set("rev_hist_0", slice(None), e.revenue_year)


def start_year_accounts(model) -> None:
    """Reset the yearly flows and draw this year's growth-variance multipliers."""
    e, p = model.firms, model.p
    for col in ("rd_year", "revenue_year"):
        e.set(col, slice(None), 0.0)
    for col in ("patent_applications_year", "invention_applications_year",
                "invention_grants_year", "other_grants_year"):
        e.set(col, slice(None), 0)
    e.set("growth_variance", slice(None), draw_growth_variance(model.rng, e.n, p))


def upgrade_high_tech_share(model) -> None:
    """The high-tech share of revenue moves toward what the firm's R&D supports."""
    e, p = model.firms, model.p
    ht_sector = model.sector_high_tech[e.sector]
    floor = np.where(ht_sector, HIGH_TECH_SHARE_AT_ENTRY[True], HIGH_TECH_SHARE_AT_ENTRY[False])
    supported = floor + (HIGH_TECH_SHARE_CEILING - floor) * np.minimum(
        e.rd_intensity * e.real_rd_share / 0.05, 1.0)
    rate = p["high_tech_upgrade_rate"]
    e.set("high_tech_share", slice(None),
          np.clip(e.high_tech_share + rate * (np.maximum(supported, e.high_tech_share * 0.97)
                                              - e.high_tech_share), 0.0, 1.0))


def classify_tech_smes(model) -> None:
    """Tech SME status (科技型中小企业) by the evaluation rules, re-checked each year."""
    e, p = model.firms, model.p
    status = rules.tech_sme_eligible(last_year_revenue(e), employees(e, p),
                                     three_year_rd_intensity(e), e.st_share, own_ip(e))
    e.set("tech_sme", slice(None), status & e.alive)


def enter_cultivation_pool(model) -> None:
    """Near-eligible firms that are not certified enter the provincial cultivation pool
    (培育库) at ``pool_entry_rate``: tech SMEs with R&D at half their threshold or more and a
    high-tech revenue share of at least half."""
    e, p = model.firms, model.p
    sme = np.flatnonzero(e.alive & ~e.certified & ~e.in_pool & e.tech_sme
                         & (e.high_tech_share >= 0.5))
    candidates = sme[three_year_rd_intensity(e, sme)
                     >= 0.5 * rules.rd_intensity_threshold(e.revenue[sme])]
    enter = candidates[model.rng.random(len(candidates)) < p["pool_entry_rate"]]
    e.in_pool[enter] = True
    support_ip(model)


def support_ip(model) -> None:
    """Pool firms without own core IP obtain it (patent subsidies aimed at the pool) at
    ``ip_support_rate``: they are granted the utility models / software copyrights that count
    as own IP (seed 003 §三(二)2)."""
    e, p = model.firms, model.p
    lacking = np.flatnonzero(e.in_pool & ~own_ip(e))
    helped = lacking[model.rng.random(len(lacking)) < p["ip_support_rate"]]
    e.other_ip[helped] = np.maximum(e.other_ip[helped], rules.MIN_OTHER_IP)


def certify_high_tech(model, year: int) -> np.ndarray:
    """The yearly certification round (Guokefahuo [2016] 32). Returns newly certified ids.

    Certificates expiring this year lapse unless the firm re-applies and passes; eligible firms
    without a certificate apply (more often from the cultivation pool, and more often the higher
    the certification reward) and pass the expert score with ``certification_approval_rate``.
    Only firms that meet every rule of :func:`rules.high_tech_eligible` can be certified.
    """
    e, p = model.firms, model.p
    eligible = e.alive & rules.high_tech_eligible(
        last_year_revenue(e), three_year_rd_intensity(e), e.high_tech_share, e.st_share,
        e.invention_patents, e.other_ip, model.time - e.birth_year)
    renewing = e.certified & (e.cert_expiry <= year)
    applicants = np.flatnonzero(eligible & (~e.certified | renewing))
    renews = renewing[applicants]
    reward_pull = 1.0 + p["certification_reward_yuan"] / 1e6
    apply_rate = np.where(
        renews, p["renewal_application_rate"],
        np.where(e.in_pool[applicants], p["pool_application_rate"],
                 min(p["certification_application_rate"] * reward_pull, 1.0)))
    approval = np.where(renews, p["renewal_approval_rate"], p["certification_approval_rate"])
    # applying and passing the expert score are independent: one draw for both
    passes = applicants[model.rng.random(len(applicants)) < apply_rate * approval]

    lapsed = renewing
    lapsed[passes] = False
    e.certified[lapsed] = False
    e.leader[lapsed] = False
    e.certified[passes] = True
    e.cert_expiry[passes] = year + rules.CERTIFICATE_VALIDITY_YEARS
    first = passes[e.first_cert_year[passes] < 0]
    e.first_cert_year[first] = year
    e.in_pool[passes] = False
    model.ledger["certification_rewards"] += float(len(first) * p["certification_reward_yuan"])
    return first


def name_leaders(model) -> None:
    """Innovative leaders (创新型领军企业): certified, large, with a municipal R&D institution and
    invention patents (documented assumption)."""
    e, p = model.firms, model.p
    e.set("leader", slice(None), e.alive & e.certified & (e.revenue >= p["leader_revenue_yuan"])
          & (e.rd_level >= 2) & (e.invention_patents >= LEADER_MIN_INVENTION_PATENTS))


def name_specialised_smes(model) -> None:
    """Specialised and sophisticated SMEs (专精特新中小企业), MIIT criteria simplified."""
    e = model.firms
    rev = last_year_revenue(e)
    e.set("specialised", slice(None),
          e.alive & (rev >= SPECIALISED_REVENUE_YUAN[0]) & (rev < SPECIALISED_REVENUE_YUAN[1])
          & (three_year_rd_intensity(e) >= SPECIALISED_MIN_RD_INTENSITY)
          & ((e.invention_patents >= 1) | (e.other_ip >= 5))
          & (model.time - e.birth_year >= SPECIALISED_MIN_AGE_YEARS))


def set_up_rd_institutions(model, year: int) -> None:
    """Firms with enough real R&D set up an enterprise R&D institution; institutions are
    accredited one level up (municipal, provincial) when the firm's R&D qualifies.
    University cooperation multiplies both rates (co-built institutions)."""
    e, p = model.firms, model.p
    real_rd = e.rd_hist_0 * e.real_rd_share
    level = e.rd_level
    # firms whose real R&D qualifies them to set up (level 0) or to move up (levels 1-2)
    able = np.flatnonzero(e.alive & (level < 3)
                          & (real_rd >= np.take(RD_INSTITUTION_MIN_RD_YUAN, level, mode="clip")))
    rate = np.where(level[able] == 0, p["rd_institution_setup_rate"],
                    p["rd_institution_upgrade_rate"])
    rate = np.where(e.university_coop[able], rate * p["coop_institution_multiplier"], rate)
    moving = able[model.rng.random(len(able)) < rate]
    setup = moving[level[moving] == 0]
    e.rd_setup_year[setup] = year
    level[moving] += 1
    newly_municipal = moving[(level[moving] == 2) & (e.rd_municipal_year[moving] < 0)]
    e.rd_municipal_year[newly_municipal] = year


def update_university_cooperation(model, year: int) -> None:
    """Firms doing R&D start cooperating with universities at the base rate, raised by the
    industry-university programme (up to 4× at full intensity); cooperations end at a
    constant rate."""
    e, p = model.firms, model.p
    start_rate = p["university_coop_base_rate"] * (1.0 + 3.0 * p["university_programme_intensity"])
    could_start = np.flatnonzero(e.alive & ~e.university_coop & (e.rd_intensity > 0.005))
    cooperating = np.flatnonzero(e.university_coop)
    u = model.rng.random(len(could_start) + len(cooperating))
    start = could_start[u[:len(could_start)] < start_rate]
    end = cooperating[u[len(could_start):] < p["university_coop_end_rate"]]
    e.university_coop[start] = True
    e.coop_start_year[start] = year
    e.university_coop[end] = False
    e.coop_start_year[end] = -1
