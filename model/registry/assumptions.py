"""The engine's structural assumptions: the numbers inside its rules that no source fixes —
how entrants are drawn, how firms' statuses respond, how carriers, zones and loans work — each
with the plausible range sensitivity analysis varies, and the numerical guards (kind
``fixed``), each with its reason."""

from zonesim.registry.parameter import SHARE, param

_NONE = "No published figure"


def _tier_criteria(tier: str, label: str, output_yuan: float, high_tech: int,
                   institutions: int, hte_share: float, years: int) -> list:
    """The promotion criteria of one tier above municipal: assumptions scaled from the Jiangsu
    provincial and national evaluation practice (no seed document sets them), each ±50 %."""
    why = f"Scaled from Jiangsu {label} evaluation practice; no seed document sets it"
    return [
        param(f"{tier}_min_output_yuan", output_yuan, "yuan per year",
              f"Industrial output a zone needs to move up to {label}.", "uncertainty",
              "assumption", why, 0.5 * output_yuan, 1.5 * output_yuan),
        param(f"{tier}_min_high_tech", high_tech, "firms",
              f"Certified high-tech firms a zone needs to move up to {label}.", "uncertainty",
              "assumption", why, high_tech // 2, high_tech * 3 // 2, integer=True),
        param(f"{tier}_min_rd_institutions", institutions, "institutions",
              f"Municipal-or-higher R&D institutions a zone needs to move up to {label}.",
              "uncertainty", "assumption", why, institutions // 2, institutions * 3 // 2,
              integer=True),
        param(f"{tier}_min_hte_share", hte_share, "share of above-scale firms",
              f"Share of certified firms among above-scale firms a zone needs to move up to "
              f"{label}.", "uncertainty", "assumption", why, 0.5 * hte_share, 1.5 * hte_share,
              **SHARE),
        param(f"{tier}_min_years_below", years, "years",
              f"Full years a zone must spend at the tier below before moving up to {label}.",
              "uncertainty", "assumption", why, max(years - 1, 0), years + 1, integer=True),
    ]

ASSUMPTIONS = [
    # ------------------------------------------------------------ entrants' attributes
    param("high_tech_sector_rd_factor", 2.0, "multiple of baseline_rd_intensity",
          "Baseline R&D propensity of a firm in a high-tech sector relative to "
          "baseline_rd_intensity.", "uncertainty", "assumption",
          "Keeps the mean near the baseline for the usual ~1/3 high-tech share of firms", 1.5, 3.0),
    param("traditional_sector_rd_factor", 0.7, "multiple of baseline_rd_intensity",
          "Baseline R&D propensity of a firm in a traditional sector relative to "
          "baseline_rd_intensity.", "uncertainty", "assumption",
          "Keeps the mean near the baseline for the usual ~1/3 high-tech share of firms", 0.5, 0.9),
    param("max_rd_intensity", 0.3, "R&D / revenue",
          "Ceiling on a firm's R&D propensity and baseline R&D intensity.", "uncertainty",
          "assumption", "The most R&D-intensive listed Chinese firms report 20-30 %", 0.2, 0.5,
          **SHARE),
    param("high_tech_share_at_entry_ht_sector", 0.8, "share of revenue",
          "Mean high-tech product share of revenue of an entrant in a high-tech sector.",
          "uncertainty", "assumption", _NONE, 0.65, 0.9, **SHARE),
    param("high_tech_share_at_entry_other_sector", 0.1, "share of revenue",
          "Mean high-tech product share of revenue of an entrant in a traditional sector.",
          "uncertainty", "assumption", _NONE, 0.05, 0.2, **SHARE),
    param("high_tech_share_dispersion", 0.15, "share of revenue",
          "Standard deviation of entrants' high-tech product share around its sector's mean.",
          "uncertainty", "assumption", _NONE, 0.05, 0.25),
    param("st_share_dispersion", 0.04, "share of employees",
          "Standard deviation of the firm-specific part of the S&T staff share.", "uncertainty",
          "assumption", _NONE, 0.02, 0.08),
    param("land_productivity_dispersion", 0.4, "log-sd",
          "Dispersion of firms' revenue per mu around their zone's (亩均产出 varies within "
          "zones).", "uncertainty", "assumption", _NONE, 0.2, 0.8),
    param("value_added_dispersion", 0.2, "log-sd",
          "Dispersion of firms' value-added rate around value_added_ratio.", "uncertainty",
          "assumption", _NONE, 0.1, 0.4),
    param("entrant_revenue_dispersion", 1.0, "log-sd",
          "Dispersion of the revenue of attracted projects and new firms at entry.",
          "uncertainty", "assumption", _NONE, 0.6, 1.4),
    param("min_knowledge_growth", 0.02, "per year",
          "Lowest growth rate used to set an entrant's steady-state knowledge stock (R&D / "
          "(depreciation + growth)), so that a zero or negative drift does not inflate it.",
          "fixed", "assumption", "Numerical guard on the steady-state formula"),
    param("new_firm_size_multiple", 0.3, "multiple of firm_revenue_median_yuan",
          "Median revenue of a firm newly founded in the rest of the city.", "uncertainty",
          "assumption", "New firms are smaller than the median incumbent", 0.1, 0.6),
    param("project_size_multiple", 3.0, "multiple of firm_revenue_median_yuan",
          "Median revenue of an attracted project at entry (outside projects are larger than "
          "the typical firm).", "uncertainty", "assumption", _NONE, 1.5, 6.0),

    # ------------------------------------------------------------- R&D and S&T staff
    param("st_share_base", 0.03, "share of employees",
          "S&T staff share of a firm that does no R&D.", "uncertainty", "assumption", _NONE,
          0.0, 0.06, **SHARE),
    param("st_staff_per_rd_intensity", 2.5, "share of employees per unit R&D / revenue",
          "Rise of the S&T staff share per unit of R&D intensity at talent-programme intensity "
          "0.5 (S&T staff = base + this × R&D intensity × talent factor + firm offset).",
          "uncertainty", "assumption", _NONE, 1.5, 4.0),
    param("talent_st_effect", 0.4, "relative change per unit of programme intensity",
          "How much the talent programme raises the S&T staff a unit of R&D brings: the factor "
          "is 1 − effect / 2 + effect × intensity (1 at intensity 0.5).", "uncertainty",
          "assumption", "Seeds 000 §五(二)4, 002 §二(二); no published effect size", 0.0, 0.8),
    param("max_st_share", 0.9, "share of employees", "Ceiling on a firm's S&T staff share.",
          "fixed", "assumption", "Numerical guard: a firm has other staff"),
    param("max_desired_rd_intensity", 0.5, "R&D / revenue",
          "Ceiling on the R&D intensity a firm desires after subsidies and support.", "fixed",
          "assumption", "Numerical guard on the user-cost response"),
    param("notch_margin", 0.02, "relative margin",
          "How far above its band's R&D-intensity threshold a bunching firm reports.",
          "uncertainty", "assumption", "Chen et al. (AER 2021): reported R&D bunches just above "
          "the notch", 0.005, 0.05),
    param("bunching_st_share_tolerance", 0.8, "share of the S&T staff minimum",
          "A firm weighs bunching at the notch only if its S&T staff share is at least this "
          "share of the certification minimum (it can hire the rest).", "uncertainty",
          "assumption", _NONE, 0.6, 1.0, **SHARE),
    param("reward_application_scale_yuan", 1_000_000.0, "yuan",
          "Certification reward that doubles the application rate of eligible firms outside "
          "the pool (application rate × (1 + reward / scale)).", "uncertainty", "assumption",
          _NONE, 500_000.0, 3_000_000.0, minimum=1.0),

    # ------------------------------------------------------- statuses at the year end
    param("tech_sme_score_rd_with_staff", 0.02, "R&D / revenue",
          "R&D intensity that, with S&T staff of 10 % or more, stands for a tech-SME evaluation "
          "score of 60 (the score weighs S&T staff, R&D and IP).", "uncertainty", "assumption",
          "MOST 2017 tech-SME evaluation rules (score, not thresholds)", 0.01, 0.03, **SHARE),
    param("tech_sme_score_rd_with_ip", 0.01, "R&D / revenue",
          "R&D intensity that, with own IP, stands for a tech-SME evaluation score of 60.",
          "uncertainty", "assumption",
          "MOST 2017 tech-SME evaluation rules (score, not thresholds)", 0.005, 0.02, **SHARE),
    param("high_tech_share_ceiling", 0.9, "share of revenue",
          "High-tech product share that R&D intensity of rd_intensity_for_ceiling or more "
          "supports.", "uncertainty", "assumption", _NONE, 0.8, 1.0, **SHARE),
    param("rd_intensity_for_ceiling", 0.05, "R&D / revenue",
          "Real R&D intensity at which a firm's R&D supports the high-tech share ceiling.",
          "uncertainty", "assumption", "The 5 % certification threshold of small firms", 0.03,
          0.08, **SHARE),
    param("high_tech_share_retention", 0.97, "share per year",
          "Share of its high-tech product share a firm keeps in a year when its R&D supports "
          "less.", "uncertainty", "assumption", _NONE, 0.9, 1.0, **SHARE),
    param("pool_min_high_tech_share", 0.5, "share of revenue",
          "High-tech product share a tech SME needs to be entered into the cultivation pool.",
          "uncertainty", "assumption", "Seed 003 §三(二)1 sets no number", 0.3, 0.6, **SHARE),
    param("pool_min_threshold_share", 0.5, "share of the R&D threshold",
          "Share of its band's R&D-intensity threshold a tech SME needs to enter the pool.",
          "uncertainty", "assumption", "Seed 003 §三(二)1 sets no number", 0.3, 0.8, **SHARE),
    param("leader_min_invention_patents", 5, "patents",
          "Valid invention patents a certified firm needs to count as an innovative leader.",
          "uncertainty", "assumption", "No official definition of 创新型领军企业", 3, 10,
          integer=True),
    param("enterprise_institution_min_rd_yuan", 300_000.0, "yuan of real R&D per year",
          "Real R&D a firm needs to set up an enterprise R&D institution.", "uncertainty",
          "assumption", "A few full-time researchers", 100_000.0, 1_000_000.0),
    param("municipal_institution_min_rd_yuan", 1_000_000.0, "yuan of real R&D per year",
          "Real R&D a firm needs for its institution to be accredited at municipal level.",
          "uncertainty", "assumption", _NONE, 500_000.0, 3_000_000.0),
    param("provincial_institution_min_rd_yuan", 5_000_000.0, "yuan of real R&D per year",
          "Real R&D a firm needs for its institution to be accredited at provincial level.",
          "uncertainty", "assumption", _NONE, 2_000_000.0, 10_000_000.0),
    param("coop_min_rd_intensity", 0.005, "R&D / revenue",
          "R&D intensity above which a firm may start cooperating with a university.",
          "uncertainty", "assumption", _NONE, 0.0, 0.02, **SHARE),
    param("university_programme_max_effect", 3.0, "relative rise of the start rate",
          "Rise of the rate of starting university cooperations at full programme intensity "
          "(the rate is base × (1 + effect × intensity)).", "uncertainty", "assumption",
          "Seed 003 §三(三); no published effect size", 1.0, 5.0),
    param("other_ip_grant_rate", 0.8, "share",
          "Share of utility-model, design and software applications granted.", "uncertainty",
          "assumption", "No substantive examination of utility models", 0.6, 0.95, **SHARE),

    # --------------------------------------------------------------- growth and exit
    param("growth_tail_variance_exponent", 1.5, "Pareto exponent",
          "Exponent of the Pareto variance-mixing draw of heavy-tailed growth years (1.5 gives "
          "growth-rate tails of cumulative exponent ≈ 3).", "uncertainty", "statistic",
          "Fu, Pammolli, Stanley et al. (physics/0512005)", 1.3, 1.8, minimum=1.01),
    param("growth_variance_cap", 50.0, "multiple of the growth variance",
          "Cap on a firm-year's growth-variance multiplier (≈ 1.8 log points of standard "
          "deviation at the default volatility; uncapped, a large run has firms growing or "
          "shrinking 10 000-fold in a year; ≈ 4 in 10 000 firm-years reach it).", "fixed",
          "assumption", "Numerical guard on the Pareto draw", minimum=2.0),
    param("max_knowledge_growth", 1.0, "per year",
          "Ceiling on the knowledge stock's growth rate that the R&D return reads (the floor "
          "is −0.5 a year).", "fixed", "assumption",
          "Numerical guard for firms whose stock is tiny against their R&D"),
    param("max_firm_revenue_yuan", 5e11, "yuan per year",
          "Ceiling on a firm's revenue drawn at the start.", "fixed", "assumption",
          "Numerical guard on the Pareto tail (China's largest industrial firms: ~ 5e11)"),
    param("exit_size_factor_min", 0.2, "multiplier",
          "Lowest size multiplier of the exit hazard (the largest firms).", "uncertainty",
          "assumption", _NONE, 0.1, 0.4),
    param("exit_size_factor_max", 2.0, "multiplier",
          "Highest size multiplier of the exit hazard (the smallest firms).", "uncertainty",
          "assumption", _NONE, 1.5, 3.0, minimum=1.0),
    param("post_graduation_years", 3.0, "years",
          "Years after graduation during which a graduate's exit hazard is raised.",
          "uncertainty", "statistic", "Schwartz (2009): up to three years", 2.0, 4.0),

    # ----------------------------------------------------------- incubation carriers
    param("maker_space_admission_factor", 1.5, "multiple of incubator admissions",
          "Admissions of a maker space relative to an incubator's (many small teams).",
          "uncertainty", "assumption", _NONE, 1.0, 2.5),
    param("accelerator_admission_factor", 0.5, "multiple of incubator admissions",
          "Admissions of an accelerator relative to an incubator's (fewer, larger firms).",
          "uncertainty", "assumption", _NONE, 0.3, 0.8),
    param("maker_space_graduate_size", 0.15, "multiple of firm_revenue_median_yuan",
          "Median revenue of a maker-space graduate at entry.", "uncertainty", "assumption",
          _NONE, 0.05, 0.3),
    param("incubator_graduate_size", 0.25, "multiple of firm_revenue_median_yuan",
          "Median revenue of an incubator graduate at entry.", "uncertainty", "assumption",
          _NONE, 0.1, 0.5),
    param("accelerator_graduate_size", 0.6, "multiple of firm_revenue_median_yuan",
          "Median revenue of an accelerator graduate at entry.", "uncertainty", "assumption",
          _NONE, 0.3, 1.2),
    param("offshore_graduate_size", 0.5, "multiple of firm_revenue_median_yuan",
          "Median revenue of an offshore-incubated project landing at home.", "uncertainty",
          "assumption", _NONE, 0.2, 1.0),
    param("graduate_revenue_dispersion", 0.5, "log-sd",
          "Dispersion of graduates' revenue at entry.", "uncertainty", "assumption", _NONE,
          0.3, 1.0),
    param("graduate_min_rd_intensity", 0.03, "R&D / revenue",
          "Lowest R&D propensity of an incubated project at graduation (technology ventures).",
          "uncertainty", "assumption", _NONE, 0.01, 0.05, **SHARE),
    param("graduate_rd_dispersion", 0.4, "log-sd",
          "Spread of graduates' R&D propensity above the lowest (half-normal in logs).",
          "uncertainty", "assumption", _NONE, 0.2, 0.8),
    param("graduate_min_high_tech_share", 0.6, "share of revenue",
          "Lowest high-tech product share of a graduate.", "uncertainty", "assumption", _NONE,
          0.3, 0.8, **SHARE),
    param("graduate_mean_other_ip", 2.0, "IP rights",
          "Mean number of utility models, designs and software copyrights a graduate holds.",
          "uncertainty", "assumption", _NONE, 0.5, 4.0),
    param("incubator_subsidy_scale_yuan", 2_000_000.0, "yuan per carrier per year",
          "Operating subsidy at which admissions double and graduation rises by half "
          "(saturating response).", "uncertainty", "assumption", _NONE, 1_000_000.0,
          5_000_000.0, minimum=1.0),

    param("max_graduation_rate", 0.95, "share per year",
          "Ceiling on a carrier's yearly graduation hazard.", "fixed", "assumption",
          "Numerical guard: some tenants stay a year or more", **SHARE),
    param("subsidy_graduation_effect", 0.5, "relative rise at saturation",
          "Rise of a carrier's graduation hazard as its operating subsidy saturates (half of "
          "it at incubator_subsidy_scale_yuan).", "uncertainty", "assumption", _NONE, 0.0, 1.0),

    # ----------------------------------------------------------------- zones and loans
    *_tier_criteria("provincial_creating", "provincial 'creating'", 20e9, 30, 30, 0.15, 1),
    *_tier_criteria("provincial_recognized", "provincial 'recognized'", 30e9, 50, 40, 0.25, 2),
    *_tier_criteria("national", "national", 80e9, 150, 80, 0.35, 3),
    param("special_park_min_high_tech_or_specialised", 15, "firms",
          "Certified or specialised firms a special park needs to be recognised (授牌).",
          "uncertainty", "assumption", "Seed 004 先建后评、分类指引 sets no numeric criteria", 8, 30,
          integer=True),
    param("special_park_min_strategic_output_share", 0.3, "share of output",
          "Share of its output in its strategic industries a special park needs to be "
          "recognised.", "uncertainty", "assumption",
          "Seed 004 先建后评、分类指引 sets no numeric criteria", 0.2, 0.5, **SHARE),
    param("candidate_zone_attraction", 0.6, "multiple of projects_attracted_per_zone",
          "Attraction capacity of a candidate zone relative to a municipal one.",
          "uncertainty", "assumption", _NONE, 0.3, 1.0),
    param("provincial_creating_zone_attraction", 1.3, "multiple of projects_attracted_per_zone",
          "Attraction capacity of a provincial 'creating' zone relative to a municipal one.",
          "uncertainty", "assumption", _NONE, 1.0, 1.6),
    param("provincial_recognized_zone_attraction", 1.6,
          "multiple of projects_attracted_per_zone",
          "Attraction capacity of a provincial 'recognized' zone relative to a municipal one.",
          "uncertainty", "assumption", _NONE, 1.2, 2.0),
    param("national_zone_attraction", 2.0, "multiple of projects_attracted_per_zone",
          "Attraction capacity of a national zone relative to a municipal one.", "uncertainty",
          "assumption", _NONE, 1.5, 3.0),
    param("min_free_land_share", 0.02, "share of land stock",
          "Free land a candidate zone must keep to count as having room (用地空间比较充裕) for "
          "municipal recognition.", "uncertainty", "assumption", "Seed 000 §四 sets no number",
          0.0, 0.1, **SHARE),
    param("loan_revenue_share", 0.2, "share of revenue",
          "Largest tech loan a firm can get, as a share of its revenue.", "uncertainty",
          "assumption", "苏科贷-type loan terms", 0.1, 0.3, **SHARE),
    param("loan_max_yuan", 5_000_000.0, "yuan", "Largest tech loan to one firm.",
          "uncertainty", "assumption", "苏科贷-type loan terms", 2_000_000.0, 10_000_000.0),
    param("loan_years", 2.0, "years", "Term of a tech loan.", "uncertainty", "assumption",
          "苏科贷-type loan terms", 1.0, 3.0),
]
