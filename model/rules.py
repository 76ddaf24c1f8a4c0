"""Published rules the model encodes, as pure functions on scalars or numpy arrays.

Each function restates one rule of ``shared/data/RULES.md`` so that it can be checked against the
published text on its own; the agent modules call these rather than re-deriving thresholds.
"""

from __future__ import annotations

import numpy as np

#: Above-scale industrial enterprise (规模以上工业企业): main-business revenue ≥ 20 M yuan a year
#: (NBS, since 2011).
ABOVE_SCALE_REVENUE_YUAN = 20_000_000.0

#: Guokefahuo [2016] No. 32: R&D / sales over the last three years by revenue band.
RD_BAND_EDGES_YUAN = (50_000_000.0, 200_000_000.0)
RD_BAND_THRESHOLDS = (0.05, 0.04, 0.03)
HIGH_TECH_REVENUE_SHARE_MIN = 0.60
ST_STAFF_SHARE_MIN = 0.10
MIN_AGE_YEARS = 1.0
#: "Own core IP": ≥ 1 invention patent, or several utility models / software copyrights.
MIN_OTHER_IP = 4
CERTIFICATE_VALIDITY_YEARS = 3
CORPORATE_TAX_RATE = 0.25
HIGH_TECH_TAX_RATE = 0.15

#: Tech SME (科技型中小企业): ≤ 500 staff, revenue ≤ 200 M yuan.
TECH_SME_MAX_STAFF = 500
TECH_SME_MAX_REVENUE_YUAN = 200_000_000.0


def rd_intensity_threshold(revenue_yuan):
    """Minimum R&D intensity for certification in the firm's revenue band (5 / 4 / 3 %).

    Sales ≤ 50 M yuan: 5 %; 50–200 M yuan: 4 %; > 200 M yuan: 3 % (Guokefahuo [2016] 32).
    """
    r = np.asarray(revenue_yuan, dtype=float)
    out = np.where(r <= RD_BAND_EDGES_YUAN[0], RD_BAND_THRESHOLDS[0],
                   np.where(r <= RD_BAND_EDGES_YUAN[1], RD_BAND_THRESHOLDS[1],
                            RD_BAND_THRESHOLDS[2]))
    return out if out.ndim else float(out)


def high_tech_eligible(revenue_yuan, rd_intensity, high_tech_revenue_share, st_staff_share,
                       invention_patents, other_ip, age_years):
    """Whether a firm meets the national high-tech enterprise rules (Guokefahuo [2016] 32).

    All of: registered at least one year; own core IP (≥ 1 invention patent or ≥ 4 other IP
    rights such as utility models and software copyrights); S&T staff ≥ 10 % of employees;
    R&D / sales (three-year) at least 5 / 4 / 3 % by revenue band; high-tech products and
    services ≥ 60 % of revenue. The expert innovation score (≥ 71) is a separate, stochastic
    step of the certification round. Scalars give a bool, arrays an array of bools.
    """
    rd = np.asarray(rd_intensity, dtype=float)
    ok = ((np.asarray(age_years, dtype=float) >= MIN_AGE_YEARS)
          & ((np.asarray(invention_patents) >= 1) | (np.asarray(other_ip) >= MIN_OTHER_IP))
          & (np.asarray(st_staff_share, dtype=float) >= ST_STAFF_SHARE_MIN)
          & (rd >= rd_intensity_threshold(revenue_yuan))
          & (np.asarray(high_tech_revenue_share, dtype=float) >= HIGH_TECH_REVENUE_SHARE_MIN))
    return ok if ok.ndim else bool(ok)


def tech_sme_eligible(revenue_yuan, employees, rd_intensity, st_staff_share, own_ip):
    """Whether a firm qualifies as a tech SME (科技型中小企业).

    Staff ≤ 500 and revenue ≤ 200 M yuan (assets are not modelled and taken to follow revenue);
    the evaluation score ≥ 60 is represented by R&D intensity ≥ 2 % with S&T staff ≥ 10 %, or
    R&D intensity ≥ 1 % with own IP (an assumption: the score weighs S&T staff, R&D and IP).
    """
    rd = np.asarray(rd_intensity, dtype=float)
    score_ok = (((rd >= 0.02) & (np.asarray(st_staff_share) >= ST_STAFF_SHARE_MIN))
                | ((rd >= 0.01) & np.asarray(own_ip, dtype=bool)))
    ok = ((np.asarray(employees) <= TECH_SME_MAX_STAFF)
          & (np.asarray(revenue_yuan) <= TECH_SME_MAX_REVENUE_YUAN) & score_ok)
    return ok if ok.ndim else bool(ok)


def above_scale(revenue_yuan):
    """Above-scale industrial enterprise: revenue ≥ 20 M yuan a year."""
    out = np.asarray(revenue_yuan, dtype=float) >= ABOVE_SCALE_REVENUE_YUAN
    return out if out.ndim else bool(out)


#: SAIC (2013) annual exit hazard by age: 1.6 % in year 1, 6.3 % in year 2, 9.5 % in year 3
#: (the peak), above 8 % through year 7 (8.5 % used), lower after (4 % assumed).
EXIT_HAZARD_AGE_EDGES = np.array([1.0, 2.0, 3.0, 7.0])
EXIT_HAZARD_BY_AGE = np.array([0.016, 0.063, 0.095, 0.085, 0.04])


def exit_age_band(age_years):
    """Index of the SAIC age band (into ``EXIT_HAZARD_BY_AGE``) of the given ages."""
    age = np.asarray(age_years, dtype=float)
    # four comparisons summed are three times faster than searchsorted on large arrays
    band = np.zeros(age.shape, dtype=np.intp)
    for edge in EXIT_HAZARD_AGE_EDGES:
        band += age >= edge
    return band if band.ndim else int(band)


def exit_hazard_by_band(scale=1.0) -> np.ndarray:
    """Annual exit probability of each SAIC age band (2013, scaled)."""
    return np.clip(EXIT_HAZARD_BY_AGE * scale, 0.0, 1.0)


def exit_hazard(age_years, scale=1.0):
    """Annual exit probability of a firm of the given age (SAIC 2013, scaled)."""
    h = exit_hazard_by_band(scale)[exit_age_band(age_years)]
    return h if np.ndim(h) else float(h)


def probability_within(annual_probability, years):
    """Probability of an event within ``years`` at a constant hazard whose annual probability
    is given: 1 − (1 − p)^years, computed as −expm1(years · log1p(−p)) (accurate for small p;
    p = 1 gives 1 for any positive exposure)."""
    with np.errstate(divide="ignore"):      # log1p(−1) = −inf: a certain event
        return -np.expm1(years * np.log1p(-np.asarray(annual_probability, dtype=float)))


def per_step_probability(annual_probability, steps_per_year):
    """Probability per step equivalent to an annual probability (constant hazard in the year)."""
    return probability_within(annual_probability, 1.0 / steps_per_year)


def rd_user_cost(subsidy_rate, super_deduction_rate, tax_rate):
    """After-tax user cost of one yuan of R&D.

    A yuan of R&D is reimbursed at the subsidy rate and deductible from taxable income at
    ``1 + super_deduction_rate`` (an ordinary expense deducts at 1), so relative to an ordinary
    expense its cost falls by ``tax_rate × super_deduction_rate``.
    """
    return np.maximum(1.0 - subsidy_rate - tax_rate * super_deduction_rate, 0.05)
