"""Published rules the model encodes, as pure functions on scalars or numpy arrays.

Each function restates one rule of ``shared/data/RULES.md`` so that it can be checked against the
published text on its own; the agent modules call these rather than re-deriving thresholds.
"""

from __future__ import annotations

import numpy as np

from zonesim.registry.indicators import CARRIER_LEVELS, TIERS

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

#: The innovation-capability evaluation of certification (高新技术企业认定管理工作指引,
#: Guokefahuo [2016] 195, §十): integer points for IP (≤ 30), transformation of results (≤ 30),
#: R&D organisation (≤ 20) and growth (≤ 20); a firm passes with more than 70.
CERTIFICATION_MIN_SCORE = 71
SCORE_MAX_POINTS = {"ip": 30, "transformation": 30, "organisation": 20, "growth": 20}
#: §十 (3) IP quantity (≤ 8): ≥ 1 class-I right (invention patent) 7–8; class-II rights (utility
#: models, software copyrights): ≥ 5 5–6, 3–4 3–4, 1–2 1–2; band mid-points.
IP_QUANTITY_POINTS_CLASS_I = 7.5
IP_QUANTITY_POINTS_CLASS_II = ((5, 5.5), (3, 3.5), (1, 1.5))
#: §十 transformation of results (≤ 30), by results transformed a year (three-year average):
#: ≥ 5 25–30, ≥ 4 19–24, ≥ 3 13–18, ≥ 2 7–12, ≥ 1 1–6, none 0; band mid-points.
TRANSFORMATION_POINTS = ((5, 27.5), (4, 21.5), (3, 15.5), (2, 9.5), (1, 3.5))
#: §十 growth (≤ 20): net-asset and sales growth (½(y2/y1 + y3/y2) − 1 over three years), each
#: ≤ 10: ≥ 35 % 9–10, ≥ 25 % 7–8, ≥ 15 % 5–6, ≥ 5 % 3–4, > 0 1–2, else 0; band mid-points.
GROWTH_POINTS = ((0.35, 9.5), (0.25, 7.5), (0.15, 5.5), (0.05, 3.5), (1e-12, 1.5))
#: §十 R&D organisation, its item "internal R&D institution and industry-university
#: cooperation" (≤ 6), as the model reads it by institution level (none, enterprise,
#: municipal, provincial), one more point with university cooperation.
RD_INSTITUTION_POINTS = (1.0, 3.0, 4.0, 5.0)

#: Small low-profit enterprises' (小型微利企业) effective income tax by year from which it holds:
#: (taxable-income bracket tops, yuan; rate on each bracket; staff limit, industrial firms).
#: Caishui [2014] 34 (≤ 0.1 M yuan at 10 %), [2015] 99 (≤ 0.3 M), [2017] 43 (≤ 0.5 M), [2018] 77
#: (≤ 1 M), [2019] 13 (≤ 1 M 5 %, 1-3 M 10 %), [2021] 12 (≤ 1 M 2.5 %), [2022] 13 (1-3 M 5 %),
#: [2023] 12 (≤ 3 M 5 %, to 2027).
SMALL_LOW_PROFIT_TAX = ((0, (0.1e6,), (0.10,), 100), (2015, (0.3e6,), (0.10,), 100),
                        (2017, (0.5e6,), (0.10,), 100), (2018, (1e6,), (0.10,), 100),
                        (2019, (1e6, 3e6), (0.05, 0.10), 300),
                        (2021, (1e6, 3e6), (0.025, 0.10), 300),
                        (2022, (1e6, 3e6), (0.025, 0.05), 300), (2023, (3e6,), (0.05,), 300))

#: Tech SMEs are registered (入库) under the evaluation measures of Guokefazheng [2017] 115 (May
#: 2017): none before.
TECH_SME_REGISTRATION_FIRST_YEAR = 2017
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


#: Yearly evaluations in a row below its level's criteria after which a carrier loses the level
#: (科技企业孵化器管理办法 §14: 对连续2次考核评价不合格的，取消其国家级科技企业孵化器资格; the model
#: judges on the accreditation criteria and applies it at every level).
CARRIER_FAILED_REVIEWS_TO_LOSE_LEVEL = 2


def carrier_criteria(kind: str, level: int, p) -> dict[str, float]:
    """What a local carrier of ``kind`` needs to be accredited at ``level`` (1-3,
    :data:`CARRIER_LEVELS`): tenants (the year's mean), graduates since its founding, graduates
    in the year and years in operation. Incubators and accelerators by
    ``carrier_<level>_min_tenants``, ``_min_graduates`` and ``_min_years`` (the national ones
    from 科技企业孵化器管理办法, 国科发区〔2018〕300号); maker spaces by
    ``maker_space_<level>_min_tenants``, ``_min_new_firms`` and ``_min_years`` (the national
    ones from 国家众创空间备案暂行规定, 国科发火〔2017〕120号), which count the teams that
    register as firms in a year instead of graduates since founding."""
    name = CARRIER_LEVELS[level]
    if kind == "maker_space":
        return {"tenants": p[f"maker_space_{name}_min_tenants"], "graduates_total": 0.0,
                "graduates_in_year": p[f"maker_space_{name}_min_new_firms"],
                "years_in_operation": p[f"maker_space_{name}_min_years"]}
    return {"tenants": p[f"carrier_{name}_min_tenants"],
            "graduates_total": p[f"carrier_{name}_min_graduates"], "graduates_in_year": 0.0,
            "years_in_operation": p[f"carrier_{name}_min_years"]}

def carrier_approval_probability(level: int, p) -> float:
    """Probability that a carrier meeting the criteria of ``level`` is accredited at it in a
    year's review (``carrier_<level>_approval_probability``): the reviewer also tests what the
    model does not carry (floor space, service staff, funds), and batches are limited."""
    return p[f"carrier_{CARRIER_LEVELS[level]}_approval_probability"]


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


def income_tax_yuan(taxable_profit_yuan, employees, year: int):
    """Enterprise income tax of a firm without a certificate in ``year``: 25 %, or the small
    low-profit regime (:data:`SMALL_LOW_PROFIT_TAX`) when its taxable income and staff are
    within that year's limits."""
    profit = np.maximum(np.asarray(taxable_profit_yuan, dtype=float), 0.0)
    tops, rates, staff = next(r[1:] for r in reversed(SMALL_LOW_PROFIT_TAX) if year >= r[0])
    small = (profit <= tops[-1]) & (np.asarray(employees) <= staff)
    tax, below = np.zeros_like(profit), 0.0
    for top, rate in zip(tops, rates):
        tax += rate * np.clip(profit - below, 0.0, top - below)
        below = top
    return np.where(small, tax, CORPORATE_TAX_RATE * profit)


def certificate_tax_saving_yuan(taxable_profit_yuan, employees, year: int):
    """Income tax a certificate saves in ``year``: the firm's own tax less the certified 15 %,
    never below 0 (a small low-profit firm keeps its lower regime)."""
    profit = np.maximum(np.asarray(taxable_profit_yuan, dtype=float), 0.0)
    return np.maximum(income_tax_yuan(profit, employees, year) - HIGH_TECH_TAX_RATE * profit,
                      0.0)


def _band_points(value, bands):
    """Points of the first band (floor, points) whose floor ``value`` reaches, else 0."""
    v = np.asarray(value, dtype=float)
    out = np.zeros(v.shape)
    for floor, points in reversed(bands):
        out = np.where(v >= floor, points, out)
    return out


def three_year_growth(first, second, third, full_years=3):
    """The evaluation's growth rate of three yearly values: ½(y2/y1 + y3/y2) − 1 for a firm
    with three full years of accounts, y3/y2 − 1 with two (a younger firm is judged on the
    years it has), 0 with fewer or where a year is missing — a first, partial year of accounts
    is never read as growth."""
    a, b, c = (np.asarray(x, dtype=float) for x in (first, second, third))
    years = np.asarray(full_years)
    three = (years >= 3) & (a > 0) & (b > 0)
    two = (years == 2) & (b > 0)
    ratio = np.divide(c, b, out=np.zeros_like(c), where=b > 0)
    return np.where(three, 0.5 * (np.divide(b, a, out=np.zeros_like(b), where=a > 0) + ratio)
                    - 1.0, np.where(two, ratio - 1.0, 0.0))


def innovation_score(invention_patents, other_ip, judged_ip_points, transformations_per_year,
                     rd_level, university_coop, judged_organisation_points, sales_growth):
    """The innovation-capability score (0-100) by the evaluation's four parts (Guokefahuo
    [2016] 195 §十): IP — the quantity band (:data:`IP_QUANTITY_POINTS_CLASS_I`, class II) plus
    the points experts give for advancement, core role and own development
    (``judged_ip_points``, for firms holding any IP); transformation of results by its band;
    R&D organisation — institution and cooperation (:data:`RD_INSTITUTION_POINTS`, ≤ 6) plus
    the judged points for systems, incentives and talent; growth — sales growth's band twice
    (net assets, not modelled, taken to grow with sales). Each part capped at its maximum."""
    inv = np.asarray(invention_patents)
    quantity = np.where(inv >= 1, IP_QUANTITY_POINTS_CLASS_I,
                        _band_points(other_ip, IP_QUANTITY_POINTS_CLASS_II))
    ip = np.minimum(quantity + np.where(quantity > 0, judged_ip_points, 0.0),
                    SCORE_MAX_POINTS["ip"])
    transformation = _band_points(transformations_per_year, TRANSFORMATION_POINTS)
    institution = np.minimum(np.take(RD_INSTITUTION_POINTS, np.asarray(rd_level, dtype=int))
                             + np.asarray(university_coop, dtype=float), 6.0)
    organisation = np.minimum(institution + judged_organisation_points,
                              SCORE_MAX_POINTS["organisation"])
    growth = 2.0 * _band_points(sales_growth, GROWTH_POINTS)
    return ip + transformation + organisation + growth


#: The R&D super-deduction (研发费用加计扣除) by the year from which it holds: 50 % (2008 rules),
#: 75 % (Caishui [2018] 99, 2018-2020), 100 % for manufacturers (Caishui [2021] 13; the model's
#: firms are industrial) and for all firms from 2023 (Caishui [2023] 7).
SUPER_DEDUCTION_BY_YEAR = ((0, 0.5), (2018, 0.75), (2021, 1.0))


def super_deduction_rate_in(year: int) -> float:
    """The super-deduction rate in force in ``year`` (:data:`SUPER_DEDUCTION_BY_YEAR`)."""
    return next(rate for first, rate in reversed(SUPER_DEDUCTION_BY_YEAR) if year >= first)
