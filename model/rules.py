"""Published rules the model encodes, as pure functions on scalars or numpy arrays.

Each function restates one rule of ``shared/data/RULES.md`` so that it can be checked against the
published text on its own; the agent modules call these rather than re-deriving thresholds.
"""

from __future__ import annotations

import numpy as np

from zonesim.registry.indicators import TIERS

#: Above-scale industrial enterprise (规模以上工业企业): main-business revenue ≥ 20 M yuan a year
#: (NBS, since 2011).
ABOVE_SCALE_REVENUE_YUAN = 20_000_000.0

#: Guokefahuo [2016] No. 32: R&D / sales over the last three years by revenue band.
RD_BAND_EDGES_YUAN = (50_000_000.0, 200_000_000.0)
RD_BAND_THRESHOLDS = (0.05, 0.04, 0.03)
HIGH_TECH_REVENUE_SHARE_MIN = 0.60
ST_STAFF_SHARE_MIN = 0.10
MIN_AGE_YEARS = 1.0
CERTIFICATE_VALIDITY_YEARS = 3
CORPORATE_TAX_RATE = 0.25
HIGH_TECH_TAX_RATE = 0.15
#: The R&D super-deduction of the 2008 enterprise income tax rules (50 %): the reference user
#: cost that firms' no-policy R&D intensities are stated against.
REFERENCE_SUPER_DEDUCTION_RATE = 0.5

#: Tech SME (科技型中小企业): ≤ 500 staff, revenue ≤ 200 M yuan.
TECH_SME_MAX_STAFF = 500
TECH_SME_MAX_REVENUE_YUAN = 200_000_000.0

#: Large and medium-sized industrial enterprise (大中型工业企业): at least 300 employees (NBS
#: classification of enterprise sizes, 2017; its revenue floor of 20 M yuan is the above-scale
#: one).
LARGE_MEDIUM_MIN_STAFF = 300

#: Specialised and sophisticated SME (专精特新中小企业, MIIT 2022 criteria, simplified): revenue
#: 10 M – 400 M yuan, R&D ≥ 3 % of revenue, ≥ 1 invention patent or ≥ 5 other IP rights, at
#: least 2 years old.
SPECIALISED_REVENUE_YUAN = (10e6, 400e6)
SPECIALISED_MIN_RD_INTENSITY = 0.03
SPECIALISED_MIN_OTHER_IP = 5
SPECIALISED_MIN_AGE_YEARS = 2.0

#: Gazelle enterprise (瞪羚企业, Jiangsu practice): at most 10 years old, revenue ≥ 10 M yuan at
#: the start of the growth window, ≥ 20 % average yearly growth over it.
GAZELLE_MAX_AGE_YEARS = 10.0
GAZELLE_MIN_REVENUE_YUAN = 10e6
GAZELLE_MIN_GROWTH = 0.20

#: Municipal high-tech zone (seed 000 §四): 工业总产值100亿元以上; 国家高新技术企业不少于12家;
#: 市级以上企业研发机构不少于20家 (indicator → minimum); 用地空间比较充裕 is the registry's
#: ``min_free_land_share``.
MUNICIPAL_ZONE_CRITERIA = {"industrial_output_yuan": 10e9, "high_tech_enterprises": 12,
                           "rd_institutions_municipal_plus": 20,
                           "high_tech_share_of_above_scale_enterprises": 0.0}


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
                       invention_patents, other_ip, age_years, min_other_ip):
    """Whether a firm meets the national high-tech enterprise rules (Guokefahuo [2016] 32).

    All of: registered at least one year; own core IP (≥ 1 invention patent or ``min_other_ip``
    other IP rights such as utility models and software copyrights: the rules say "several");
    S&T staff ≥ 10 % of employees;
    R&D / sales (three-year) at least 5 / 4 / 3 % by revenue band; high-tech products and
    services ≥ 60 % of revenue. The expert innovation score (≥ 71) is a separate, stochastic
    step of the certification round. Scalars give a bool, arrays an array of bools.
    """
    rd = np.asarray(rd_intensity, dtype=float)
    ok = ((np.asarray(age_years, dtype=float) >= MIN_AGE_YEARS)
          & own_core_ip(invention_patents, other_ip, min_other_ip)
          & (np.asarray(st_staff_share, dtype=float) >= ST_STAFF_SHARE_MIN)
          & (rd >= rd_intensity_threshold(revenue_yuan))
          & (np.asarray(high_tech_revenue_share, dtype=float) >= HIGH_TECH_REVENUE_SHARE_MIN))
    return ok if ok.ndim else bool(ok)


def own_core_ip(invention_patents, other_ip, min_other_ip):
    """Own core IP for certification: an invention patent, or ``min_other_ip`` other IP rights
    (utility models, designs, software copyrights)."""
    return (np.asarray(invention_patents) >= 1) | (np.asarray(other_ip) >= min_other_ip)


def tech_sme_eligible(revenue_yuan, employees, rd_intensity, st_staff_share, own_ip,
                      rd_with_staff, rd_with_ip):
    """Whether a firm qualifies as a tech SME (科技型中小企业).

    Staff ≤ 500 and revenue ≤ 200 M yuan (assets are not modelled and taken to follow revenue);
    the evaluation score ≥ 60 is represented by R&D intensity ≥ ``rd_with_staff`` with S&T
    staff ≥ 10 %, or R&D intensity ≥ ``rd_with_ip`` with own IP (registry assumptions: the
    score weighs S&T staff, R&D and IP).
    """
    rd = np.asarray(rd_intensity, dtype=float)
    score_ok = (((rd >= rd_with_staff) & (np.asarray(st_staff_share) >= ST_STAFF_SHARE_MIN))
                | ((rd >= rd_with_ip) & np.asarray(own_ip, dtype=bool)))
    ok = ((np.asarray(employees) <= TECH_SME_MAX_STAFF)
          & (np.asarray(revenue_yuan) <= TECH_SME_MAX_REVENUE_YUAN) & score_ok)
    return ok if ok.ndim else bool(ok)


def above_scale(revenue_yuan):
    """Above-scale industrial enterprise: revenue ≥ 20 M yuan a year."""
    out = np.asarray(revenue_yuan, dtype=float) >= ABOVE_SCALE_REVENUE_YUAN
    return out if out.ndim else bool(out)


def large_or_medium(employees):
    """Large or medium-sized industrial enterprise: at least 300 employees."""
    return np.asarray(employees) >= LARGE_MEDIUM_MIN_STAFF


def specialised_sme(revenue_yuan, rd_intensity, invention_patents, other_ip, age_years):
    """Whether a firm meets the (simplified) MIIT criteria of a specialised and sophisticated
    SME; ``rd_intensity`` is R&D / sales over the last three years."""
    rev = np.asarray(revenue_yuan, dtype=float)
    return ((rev >= SPECIALISED_REVENUE_YUAN[0]) & (rev < SPECIALISED_REVENUE_YUAN[1])
            & (np.asarray(rd_intensity) >= SPECIALISED_MIN_RD_INTENSITY)
            & ((np.asarray(invention_patents) >= 1)
               | (np.asarray(other_ip) >= SPECIALISED_MIN_OTHER_IP))
            & (np.asarray(age_years) >= SPECIALISED_MIN_AGE_YEARS))


def gazelle(age_years, revenue_before_yuan, revenue_yuan, growth_years):
    """Whether a firm is a gazelle: young, of some size ``growth_years`` years before, and
    growing at least 20 % a year on average since (the usual definition takes three years)."""
    before = np.asarray(revenue_before_yuan, dtype=float)
    return ((np.asarray(age_years) <= GAZELLE_MAX_AGE_YEARS)
            & (before >= GAZELLE_MIN_REVENUE_YUAN)
            & (np.asarray(revenue_yuan) >= before * (1 + GAZELLE_MIN_GROWTH) ** growth_years))


def innovative_leader(certified, revenue_yuan, rd_level, invention_patents, min_revenue_yuan,
                      min_invention_patents):
    """Innovative leader enterprise (创新型领军企业; no official definition, so its thresholds
    are registry assumptions): certified, large, with an R&D institution of municipal level or
    above (``rd_level`` ≥ 2) and invention patents."""
    return (np.asarray(certified, dtype=bool) & (np.asarray(revenue_yuan) >= min_revenue_yuan)
            & (np.asarray(rd_level) >= 2)
            & (np.asarray(invention_patents) >= min_invention_patents))


def zone_tier_criteria(tier: int, p) -> dict[str, float]:
    """The indicators (→ minimum) a high-tech zone must reach to hold ``tier`` (a level 1-4):
    the municipal tier's from seed 000, the higher tiers' from the parameters ``p``."""
    if tier == 1:
        return dict(MUNICIPAL_ZONE_CRITERIA)
    name = TIERS[tier]
    return {"industrial_output_yuan": p[f"{name}_min_output_yuan"],
            "high_tech_enterprises": p[f"{name}_min_high_tech"],
            "rd_institutions_municipal_plus": p[f"{name}_min_rd_institutions"],
            "high_tech_share_of_above_scale_enterprises": p[f"{name}_min_hte_share"]}


def zone_years_below(tier: int, p) -> int:
    """Full years a zone must have spent at the tier below ``tier`` before it moves up."""
    return 0 if tier == 1 else p[f"{TIERS[tier]}_min_years_below"]


def special_park_criteria(p) -> dict[str, float]:
    """The indicators (→ minimum) a special park must reach to be recognised (its one step)."""
    return {"high_tech_or_specialised_enterprises": p["special_park_min_high_tech_or_specialised"],
            "strategic_industry_output_share": p["special_park_min_strategic_output_share"]}


#: SAIC (2013) annual exit hazard in years of life 1, 2 and 3: 1.6 %, 6.3 %, 9.5 % (the peak).
#: Its "above 8 %" through year 7 and "lower" after are the registry's readings
#: ``exit_hazard_years_4_to_7`` and ``exit_hazard_after_year_7``.
SAIC_EXIT_HAZARD_YEARS_1_TO_3 = (0.016, 0.063, 0.095)
#: Ages (years) at which the SAIC bands start: years 1, 2, 3, 4-7 and 8 on.
EXIT_HAZARD_AGE_EDGES = np.array([1.0, 2.0, 3.0, 7.0])
EXIT_AGE_BANDS = len(EXIT_HAZARD_AGE_EDGES) + 1


def exit_age_band(age_years):
    """Index of the SAIC age band (0 … ``EXIT_AGE_BANDS`` − 1) of the given ages."""
    age = np.asarray(age_years, dtype=float)
    # four comparisons summed are three times faster than searchsorted on large arrays
    band = np.zeros(age.shape, dtype=np.intp)
    for edge in EXIT_HAZARD_AGE_EDGES:
        band += age >= edge
    return band if band.ndim else int(band)


def exit_hazard_by_band(p) -> np.ndarray:
    """Annual exit probability of each SAIC age band: SAIC (2013) for years 1-3, the readings
    of the parameters ``p`` after, all times ``exit_hazard_scale``."""
    by_age = np.array([*SAIC_EXIT_HAZARD_YEARS_1_TO_3, p["exit_hazard_years_4_to_7"],
                       p["exit_hazard_after_year_7"]])
    return np.clip(by_age * p["exit_hazard_scale"], 0.0, 1.0)


def exit_hazard(age_years, p):
    """Annual exit probability of a firm of the given age (:func:`exit_hazard_by_band`)."""
    h = exit_hazard_by_band(p)[exit_age_band(age_years)]
    return h if np.ndim(h) else float(h)


def probability_within(annual_probability, years):
    """Probability of an event within ``years`` at a constant hazard whose annual probability
    is given: 1 − (1 − p)^years, computed as −expm1(years · log1p(−p)) (accurate for small p;
    p = 1 gives 1 for any positive exposure)."""
    with np.errstate(divide="ignore"):      # log1p(−1) = −inf: a certain event
        return -np.expm1(years * np.log1p(-np.asarray(annual_probability, dtype=float)))


def rd_user_cost(subsidy_rate, super_deduction_rate, tax_rate, floor):
    """After-tax user cost of one yuan of R&D.

    A yuan of R&D is reimbursed at the subsidy rate and deductible from taxable income at
    ``1 + super_deduction_rate`` (an ordinary expense deducts at 1), so relative to an ordinary
    expense its cost falls by ``tax_rate × super_deduction_rate``; it stays above ``floor``.
    """
    return np.maximum(1.0 - subsidy_rate - tax_rate * super_deduction_rate, floor)
