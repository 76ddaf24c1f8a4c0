"""Uncertainties: behavioural and structural quantities nobody controls and nobody knows
exactly, with the published figure or the plausible range each default rests on."""

from zonesim.registry.parameter import SHARE, param

UNCERTAINTIES = [
    param("rd_user_cost_elasticity", 1.14, "elasticity",
       "Elasticity of real R&D spending with respect to its after-tax user cost.",
       "uncertainty", "statistic",
       "Chen, Liu, Suárez Serrato & Xu (AER 2021), earlier version: real R&D ≈ 1.14",
       0.5, 2.0),
    param("rd_relabel_share", 0.242, "share of reported R&D",
       "Share of the reported R&D increase at the certification notch that is relabelled "
       "spending rather than real R&D.", "uncertainty", "statistic",
       "Chen et al. (AER 2021): 24.2 %", 0.1, 0.35, **SHARE),
    param("rd_productivity_elasticity", 0.13, "elasticity",
       "Elasticity of firm productivity (revenue) with respect to its real R&D knowledge stock.",
       "uncertainty", "statistic",
       "Chen et al. (AER 2021): doubling real R&D raises productivity ≈ 9 % (0.09 / ln 2)",
       0.05, 0.2),
    param("baseline_rd_intensity", 0.005, "R&D / revenue",
       "Median R&D intensity firms choose with no policy support (firm draws are lognormal).",
       "uncertainty", "assumption", "Above-scale industrial R&D intensity ≈ 1.2-1.5 % in "
       "Jiangsu 2017; Nantong 2.94 % in 2022 (published_statistics.csv); the lognormal mean is "
       "≈ 1.6 × the median and policy raises it further", 0.003, 0.015,
       **SHARE),
    param("rd_intensity_dispersion", 1.0, "log-sd",
       "Dispersion (standard deviation of the log) of firms' baseline R&D intensities.",
       "uncertainty", "assumption", "Wide firm heterogeneity in R&D intensity", 0.6, 1.4),
    param("rd_intensity_trend", 0.03, "log change per year",
       "Secular yearly growth of firms' R&D propensity (industrial upgrading).", "uncertainty",
       "statistic", "R&D / GDP: China 2.06 % (2015) → 2.40 % (2020), Jiangsu 2.55 % → 2.93 % "
       "(NBS; published_statistics.csv): ≈ 3 % a year", 0.0, 0.06, minimum=-0.1),
    param("rd_propensity_persistence", 0.7, "autocorrelation per year",
       "Year-to-year persistence of the transitory part of a firm's log R&D propensity (AR(1) "
       "around the firm's long-run propensity).", "uncertainty", "assumption",
       "R&D intensities are persistent but not fixed (firm panels)", 0.5, 0.9, **SHARE),
    param("rd_propensity_volatility", 0.3, "log-sd",
       "Stationary standard deviation of the transitory part of a firm's log R&D propensity.",
       "uncertainty", "assumption", "Year-to-year changes of firm R&D intensity", 0.1, 0.5),
    param("pool_rd_boost", 0.3, "relative rise of desired R&D",
       "Rise of desired R&D of firms in the cultivation pool (one-firm-one-policy coaching, "
       "补缺培优).", "lever", "assumption", "Seed 003 §三(二)1-3; no published effect size",
       0.0, 0.6),
    param("ip_support_rate", 0.5, "share per year",
       "Share of cultivation-pool firms lacking own core IP that obtain it in a year with patent "
       "subsidies and IP coaching (专利资助资金重点支持列入培育计划的企业).", "lever", "assumption",
       "Seed 003 §三(二)2; no published rate", 0.2, 0.9, **SHARE),
    param("certificate_other_value_share", 0.005, "share of revenue per year",
       "Yearly value to a firm of the certificate's benefits other than the tax cut (priority "
       "for programmes and projects, local support, credit), as a share of revenue.",
       "uncertainty", "assumption", "Seed 003 §三(二)4 (优先支持高新技术企业申报各类科技计划项目); "
       "no published figure", 0.0, 0.015, **SHARE),
    param("bunching_window", 0.5, "share of threshold",
       "Firms whose desired R&D intensity is within this share below their band's certification "
       "threshold consider raising it to the threshold (bunching at the notch).",
       "uncertainty", "assumption", "Chen et al. (AER 2021) bunching region", 0.2, 0.8, **SHARE),
    param("profit_margin", 0.06, "profit / revenue",
       "Pre-tax profit margin, which sets the value of the certificate's 10-point tax cut.",
       "uncertainty", "assumption", "Chinese industrial profit margins 5-7 % (NBS 2017-2020)",
       0.03, 0.1, **SHARE),
    param("growth_drift", 0.06, "log revenue per year",
       "Mean nominal annual log growth of a firm's revenue before R&D and agglomeration effects.",
       "uncertainty", "assumption", "Nominal industrial output growth 5-8 % (Jiangsu 2017-2019)",
       0.0, 0.1, minimum=-0.5),
    param("growth_volatility", 0.25, "log revenue per year",
       "Scale of the annual log-growth shock (Laplace body).", "uncertainty", "assumption",
       "Fu, Pammolli, Stanley et al. (physics/0512005): tent-shaped growth rates", 0.15, 0.4),
    param("growth_tail_probability", 0.05, "share of firm-years",
       "Share of firm-years whose growth shock comes from the heavy (power-law) tail.",
       "uncertainty", "assumption", "Power-law tails of growth rates (Fu et al.)", 0.0, 0.1,
       **SHARE),
    param("agglomeration_elasticity", 0.03, "log growth per unit same-sector share",
       "Extra annual log growth of a firm per unit of its sector's share of firms in its zone "
       "(same-sector agglomeration).", "uncertainty", "assumption",
       "Localisation economies of a few % (assumption)", 0.0, 0.08),
    param("knowledge_depreciation_rate", 0.15, "per year",
       "Depreciation rate of the R&D knowledge stock.", "uncertainty", "assumption",
       "15 % is the Griliches convention", 0.1, 0.25, **SHARE),
    param("patents_per_million_rd_yuan", 0.8, "applications per million yuan",
       "Patent applications per million yuan of real R&D spending (constant returns).",
       "uncertainty", "assumption", "China 2019: ≈ 1.4 M firm applications on ≈ 1.7 tn yuan "
       "business R&D; PRIORS.md constant returns", 0.4, 1.5),
    param("invention_share_of_applications", 0.35, "share",
       "Share of patent applications that are invention patents (the rest: utility models, "
       "designs, software copyrights).", "uncertainty", "assumption",
       "≈ 35 % of Chinese applications (CNIPA 2017-2020)", 0.2, 0.5, **SHARE),
    param("invention_grant_rate", 0.5, "share",
       "Share of invention applications eventually granted.", "uncertainty", "assumption",
       "CNIPA grant rates 40-60 %", 0.3, 0.6, **SHARE),
    param("certification_application_rate", 0.5, "share per year",
       "Probability that an eligible firm outside the cultivation pool applies in a yearly round "
       "(before rewards).", "uncertainty", "assumption", "No published rate", 0.2, 0.8, **SHARE),
    param("pool_application_rate", 0.85, "share per year",
       "Probability that an eligible firm in the cultivation pool applies in a yearly round.",
       "uncertainty", "assumption", "Seed 003 §三(二)3 one-firm-one-policy service", 0.6, 1.0,
       **SHARE),
    param("renewal_application_rate", 0.9, "share",
       "Probability that a certified firm whose certificate expires re-applies (if eligible).",
       "uncertainty", "assumption", "No published rate; most holders re-apply for the tax "
       "advantage", 0.7, 1.0, **SHARE),
    param("renewal_approval_rate", 0.9, "share",
       "Probability that an eligible firm re-applying at the end of its certificate passes.",
       "uncertainty", "assumption", "Re-certification of firms that already passed the expert "
       "score; no published rate", 0.75, 1.0, **SHARE),
    param("certification_approval_rate", 0.75, "share",
       "Probability that an eligible applicant passes the expert innovation-capability score "
       "(≥ 71 points).", "uncertainty", "assumption", "RULES.md innovation score; pass rates "
       "of 60-85 % reported by provinces", 0.6, 0.9, **SHARE),
    param("pool_entry_rate", 0.5, "share per year",
       "Probability that a near-eligible tech SME is entered into the provincial cultivation "
       "pool in a year.", "uncertainty", "assumption", "Seed 003 §三(二)1", 0.2, 0.9, **SHARE),
    param("rd_institution_setup_rate", 0.12, "share per year",
       "Yearly probability that a firm with real R&D of at least 0.3 M yuan sets up an "
       "enterprise R&D institution.", "uncertainty", "assumption", "No published rate", 0.05, 0.25, **SHARE),
    param("rd_institution_upgrade_rate", 0.06, "share per year",
       "Yearly probability that a qualifying R&D institution is accredited one level up "
       "(enterprise → municipal → provincial).", "uncertainty", "assumption",
       "No published rate", 0.02, 0.12, **SHARE),
    param("university_coop_base_rate", 0.06, "share per year",
       "Yearly rate at which a firm starts cooperating with a university with no programme.",
       "uncertainty", "assumption", "No published rate", 0.02, 0.12, **SHARE),
    param("university_coop_end_rate", 0.05, "share per year",
       "Yearly rate at which a cooperation ends.", "uncertainty", "assumption",
       "No published rate", 0.0, 0.15, **SHARE),
    param("exit_hazard_scale", 1.0, "multiplier",
       "Multiplier on the age-dependent exit hazard of SAIC (2013).", "uncertainty",
       "assumption", "SAIC 2013 aggregate death rate fell from 9.3 % (2008) to 6.2 % (2012)",
       0.6, 1.4),
    param("exit_size_elasticity", 0.25, "elasticity",
       "Elasticity of the exit hazard with respect to revenue relative to the median firm "
       "(larger firms exit less; the multiplier is kept within 0.2-2).", "uncertainty",
       "assumption", "Firm survival rises with size (Geroski 1995 stylised fact); SAIC reports "
       "age only", 0.0, 0.5),
    param("incubator_graduation_rate", 0.3, "share per year",
       "Yearly hazard that an incubated project graduates.", "uncertainty", "assumption",
       "PRIORS.md: cumulative graduates / (graduates + tenants) ≈ 0.4 (2012)", 0.15, 0.45,
       **SHARE),
    param("incubator_failure_rate", 0.15, "share per year",
       "Yearly hazard that an incubated project fails.", "uncertainty", "assumption",
       "No published rate", 0.05, 0.3, **SHARE),
    param("post_graduation_hazard_ratio", 1.5, "hazard ratio",
       "Multiplier on a graduate's exit hazard for its first three years out of incubation.",
       "uncertainty", "assumption", "Schwartz (2009) J Technol Transfer "
       "doi 10.1007/s10961-008-9095-x: graduation has an immediate negative effect on survival "
       "lasting up to three years (about a third of graduates fail over the whole, up to "
       "17-year, observation window); Schwartz (2013) doi 10.1007/s10961-012-9254-y: graduates "
       "survive less than matched non-incubated firms in 3 of 5 locations. Size not published",
       1.0, 2.5, minimum=1.0),
    param("incubator_admissions_per_year", 12.0, "projects per carrier per year",
       "Mean yearly admissions of a maker space, incubator or accelerator at programme "
       "intensity 0.5.", "uncertainty", "assumption",
       "PRIORS.md: ≈ 50-57 tenants per carrier, staying ≈ 3-4 years", 6.0, 20.0),
    param("offshore_landing_probability", 0.3, "probability",
       "Probability that a graduating offshore project lands at home with no landing reward "
       "(and land free).", "uncertainty", "assumption",
       "Seed 003 implies ≈ 44 % (80 of 180) with its reward", 0.15, 0.5, **SHARE),
    param("landing_reward_scale_yuan", 1_000_000.0, "yuan",
       "Reward at which the gap between the no-reward landing probability and 1 shrinks by "
       "1/e.", "uncertainty", "assumption", "No published figure", 300_000.0, 3_000_000.0),
    param("projects_attracted_per_zone", 6.0, "projects per zone per year",
       "Mean number of outside projects a municipal-tier zone attracts in a year when land is "
       "free (higher tiers attract more).", "uncertainty", "assumption",
       "No published rate", 2.0, 12.0),
    param("firm_birth_rate", 0.06, "share of firms per year",
       "Yearly rate of new firms founded in the rest of the city, relative to its firm count.",
       "uncertainty", "assumption", "Offsets the SAIC exit rate of 6-9 % a year", 0.03, 0.1,
       **SHARE),
    param("value_added_ratio", 0.25, "value added / revenue",
       "Value added per yuan of revenue (industrial value-added rate).", "uncertainty",
       "assumption", "Chinese industrial VA rates 22-28 %", 0.2, 0.3, **SHARE),
    param("revenue_per_employee_yuan", 1_000_000.0, "yuan per employee per year",
       "Revenue per employee, used for the tech-SME staff ceiling (≤ 500).", "uncertainty",
       "assumption", "Jiangsu industrial labour productivity ≈ 1 M yuan revenue per worker",
       600_000.0, 1_500_000.0),
    param("land_output_yuan_per_mu", 4_000_000.0, "yuan of revenue per mu per year",
       "Median revenue per mu of land used (亩均产出); sets firms' land needs.",
       "uncertainty", "assumption", "Jiangsu/Zhejiang zones 3-6 M yuan per mu", 2_000_000.0,
       8_000_000.0),
    param("above_scale_revenue_to_gdp", 1.3, "yuan of revenue per yuan of GDP",
       "Operating revenue of above-scale industrial firms per yuan of the place's GDP: GDP = "
       "their revenue over this ratio.", "uncertainty", "statistic",
       "Jiangsu 2022: above-scale industrial revenue 16 tn yuan / GDP 12.29 tn yuan = 1.30; "
       "Taizhou (Jiangsu) 2018 above-scale output / GDP = 1.44; Nantong 2018 1.66, before the "
       "2019 revision of above-scale statistics (data/rd_gdp_bridge.csv)", 1.1, 1.7,
       minimum=0.01),  # GDP divides by it
    param("industrial_share_of_rd", 0.85, "share of gross R&D expenditure",
       "Above-scale industrial firms' share of the place's gross R&D expenditure (R&D经费); the "
       "rest is spent by other firms, universities and institutes.", "uncertainty",
       "assumption", "Nantong 2020: 232 of 256.4 亿 yuan = 0.905; Jiangsu 2022: all enterprises "
       "0.876, industry most of it (data/rd_gdp_bridge.csv)", 0.75, 0.93, minimum=0.01,
       maximum=1.0),  # gross R&D divides by it
    param("statistical_rd_ratio", 0.65, "yuan of R&D expenditure per yuan of reported R&D",
       "Statistical R&D expenditure (R&D经费内部支出, Frascati) of above-scale industrial firms per "
       "yuan of the R&D expense they report (研发费用, their accounting figure, from which the "
       "certification's R&D-intensity rule and the super-deduction also start).",
       "uncertainty", "assumption",
       "Implied by Nantong 2022: R&D/GDP 2.74 % × industrial share 0.905 / (研发费用 intensity "
       "2.94 % × revenue/GDP 1.3) = 0.65, or 0.51-0.77 for revenue/GDP 1.66-1.1; no published "
       "direct comparison found (data/rd_gdp_bridge.csv)", 0.5, 0.85),
    param("tech_sme_rd_financing_gain", 0.15, "R&D multiplier per loan",
       "Relative rise of a tech SME's desired R&D in the years it holds a tech loan.",
       "uncertainty", "assumption", "Credit constraints on SME R&D (assumption)", 0.0, 0.4),
    param("coop_institution_multiplier", 1.5, "multiplier",
       "How much university cooperation multiplies a firm's yearly rate of setting up or "
       "upgrading an R&D institution.", "uncertainty", "assumption",
       "Co-built R&D institutions (seed 003 §三(四)3); no published rate", 1.0, 2.5),
    param("high_tech_upgrade_rate", 0.1, "share of gap per year",
       "Yearly rate at which a firm's high-tech revenue share moves toward the level its R&D "
       "intensity supports (高新技术改造传统产业).", "uncertainty", "assumption",
       "Seed 000 §五(四)2; no published rate", 0.03, 0.2, **SHARE),
    param("zombie_base_min_projects", 2, "projects per year",
       "An offshore base admitting fewer projects than this in a year is weeded out and "
       "replaced (淘汰滕换 of 挂名/空壳/僵尸 bases).", "lever", "seed",
       "Seed 003 §三(五)1; the threshold itself is an assumption", 0, 6, integer=True),
    param("land_request_slack", 1.5, "ratio of land need to land held",
       "A zone firm asks its zone for more land when its need exceeds its holding by this "
       "factor; below it, firms use their land more intensively.", "uncertainty", "assumption",
       "No published figure", 1.1, 2.0, minimum=1.0),
    param("fund_yuan_per_project", 50_000_000.0, "yuan per project",
       "Guidance-fund money that brings one extra attracted project to a zone.",
       "uncertainty", "assumption", "No published figure", 20_000_000.0, 200_000_000.0),
    param("leader_revenue_yuan", 500_000_000.0, "yuan per year",
       "Revenue a certified firm needs to count as an innovative leader (创新型领军企业).",
       "uncertainty", "assumption", "No official definition; 0.3-1 bn yuan in Jiangsu counties",
       300_000_000.0, 1_000_000_000.0),

]
