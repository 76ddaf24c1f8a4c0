"""The parameter registry: every model parameter, its default, unit, meaning and provenance.

One registry in the manner of Covasim's ``parameters.py``: scenario files may only set names
listed here (unknown names are rejected with the list of valid ones), and every value a run uses
carries a provenance: ``seed`` (a clause of a source document), ``statistic`` (a published figure
and where) or ``assumption`` (with a plausible ``low``–``high`` range, which is what sensitivity
analysis varies).

Kinds follow the EMA workbench vocabulary:

- ``lever`` — a policy instrument the government sets (subsidy rate, land quota, ...);
- ``uncertainty`` — a behavioural or structural quantity nobody controls and nobody knows exactly;
- ``initial`` — the starting population and its calibration to the place simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Provenance = Literal["seed", "statistic", "assumption"]
Kind = Literal["lever", "uncertainty", "initial"]


@dataclass(frozen=True)
class Parameter:
    """One registered parameter and the provenance of its default value."""

    name: str
    default: float | int | str
    unit: str
    meaning: str
    kind: Kind
    provenance: Provenance
    source: str
    low: float | None = None
    high: float | None = None
    #: hard limits of the valid domain (a value outside them is an input error)
    minimum: float | None = None
    maximum: float | None = None
    #: allowed values of a categorical parameter
    choices: tuple[str, ...] = field(default=())
    integer: bool = False

    @property
    def categorical(self) -> bool:
        return bool(self.choices)


def _p(name, default, unit, meaning, kind, provenance, source, low=None, high=None,
       minimum=0.0, maximum=None, choices=(), integer=False) -> Parameter:
    return Parameter(name, default, unit, meaning, kind, provenance, source, low, high,
                     minimum, maximum, tuple(choices), integer)


_SHARE = dict(minimum=0.0, maximum=1.0)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in [
    # ------------------------------------------------------------------ levers
    _p("rd_subsidy_rate", 0.05, "share of R&D expense",
       "Share of a firm's R&D expense reimbursed by the government (R&D post-subsidy).",
       "lever", "assumption", "Typical Jiangsu/Zhejiang county R&D post-subsidies of 5-10 % of "
       "increased R&D; seed 003 §四(四) 'innovation ten measures'", 0.0, 0.2, **_SHARE),
    _p("certification_reward_yuan", 200_000, "yuan per first certification",
       "One-off reward paid to a firm on its first high-tech certification.",
       "lever", "assumption", "Municipal rewards of 100-300 k yuan per newly certified firm "
       "common in Jiangsu cities 2017-2020; seed 003 §三(二)4", 0.0, 500_000.0),
    _p("innovation_voucher_yuan", 20_000, "yuan per tech SME per year",
       "Innovation voucher (创新券) spendable on R&D services; counts as R&D at zero cost.",
       "lever", "assumption", "Seed 003 §三(二)4 names the municipal innovation voucher; "
       "typical voucher ceilings 20-200 k yuan", 0.0, 200_000.0),
    _p("super_deduction_rate", 0.75, "share of R&D expense",
       "R&D super-deduction (加计扣除): extra share of R&D expense deductible from taxable income.",
       "lever", "statistic", "RULES.md: 50 % originally, 75 % 2018-2020, 100 % for "
       "manufacturers from 2021 and all firms from 2023", 0.5, 1.0, minimum=0.0, maximum=2.0),
    _p("incubator_operating_subsidy_yuan", 500_000, "yuan per incubator per year",
       "Operating subsidy paid to each incubation carrier and offshore base that is in operation.",
       "lever", "assumption", "Seed 003 §三(五)4 (运营补助); PRIORS.md: Jiangyin operators up to "
       "5 M yuan a year", 0.0, 5_000_000.0),
    _p("offshore_bases", 0, "bases",
       "Number of offshore incubation bases (离岸孵化基地) the city keeps in operation.",
       "lever", "assumption", "Set by the scenario (seed 003: ≥ 30)", 0, 40, integer=True),
    _p("offshore_projects_per_base", 6.0, "projects per base per year",
       "Mean number of new projects an offshore base admits in a year at talent-programme "
       "intensity 0.5 and no operating subsidy (both raise it; ×1.2 at the default subsidy).",
       "uncertainty", "statistic", "PRIORS.md: Jiangyin ≈ 5.5 per base a year; seed 003 implies "
       "180 / 30 = 6", 3.0, 10.0),
    _p("offshore_landing_reward_yuan", 500_000, "yuan per landed project",
       "Reward paid when an offshore-incubated project lands and starts production at home.",
       "lever", "assumption", "Seed 003 §三(五)4 (按投资规模给予一定比例的奖励)", 0.0, 2_000_000.0),
    _p("land_quota_mu_per_year", 1500.0, "mu per year",
       "New construction-land quota the city allocates to its zones each year.",
       "lever", "assumption", "Set by the scenario; county quotas of 1-3 k mu a year", 0.0, 5000.0),
    _p("land_allocation_rule", "uniform", "rule",
       "How the yearly land quota is divided among zones: equally, by evaluation rank, or tilted "
       "to special parks.", "lever", "assumption",
       "Seed 001 §(六) differentiated allocation; seed 004 §(四)10 tilt to special parks",
       choices=("uniform", "by_rank", "special_parks")),
    _p("special_park_tilt", 0.5, "share of quota",
       "Under the special_parks rule, share of the yearly quota reserved for special parks.",
       "lever", "assumption", "Seed 004 §(四)10 (统筹新增建设用地指标向特色园区倾斜)", 0.2, 0.8, **_SHARE),
    _p("land_recycling_share", 0.0, "share of zone firms per year",
       "Share of zone firms with the lowest value added per mu whose land is taken back each "
       "year (腾笼换鸟).", "lever", "assumption", "Seed 002 §四(二); 0-3 % a year", 0.0, 0.03,
       **_SHARE),
    _p("standard_land_min_output_yuan_per_mu", 3_000_000.0, "yuan of revenue per mu per year",
       "Standard-land (标准地) threshold: an attracted project is admitted only if its expected "
       "revenue per mu reaches it.", "lever", "assumption",
       "Seed 002 §六(二) 标准地; Zhejiang county thresholds of 2-5 M yuan per mu", 0.0, 6_000_000.0),
    _p("talent_programme_intensity", 0.5, "index 0-1",
       "Intensity of talent programmes: raises incubator admissions and firms' S&T staff share.",
       "lever", "assumption", "Seeds 000 §五(二)4, 002 §二(二), 004 §(二)7", 0.0, 1.0, **_SHARE),
    _p("university_programme_intensity", 0.5, "index 0-1",
       "Intensity of industry-university programmes (博士工作团, 企业挂靠院校): raises the yearly "
       "rate at which firms start cooperating with universities.", "lever", "assumption",
       "Seed 003 §三(三)", 0.0, 1.0, **_SHARE),
    _p("strategic_focus", 0.6, "share of attracted projects",
       "Share of a zone's attracted projects that belong to its strategic industries "
       "(一区一战略产业).", "lever", "assumption", "Seed 001 §(二)-(三)", 0.0, 1.0, **_SHARE),
    _p("tech_loan_yuan_per_year", 100_000_000.0, "yuan per year",
       "New tech loans (苏科贷-type, backed by a risk-compensation fund) granted to tech SMEs "
       "each year; loans run for two years.", "lever", "assumption",
       "Seed 003 §三(五)3: balance > 50 M yuan (2017), > 300 M yuan cumulative by 2020",
       0.0, 500_000_000.0),
    _p("guidance_fund_yuan_per_year", 0.0, "yuan per year",
       "Government guidance-fund money invested in zone projects each year; raises the number "
       "of projects a zone can attract.", "lever", "assumption",
       "Seed 002 §六(三) 拨改投; seed 004 §(二)5", 0.0, 2_000_000_000.0),
    _p("laggard_demotion", 1, "flag",
       "Whether a zone ranked last in two consecutive evaluations loses one tier "
       "(有进有出, dynamic management).", "lever", "seed",
       "Seed 002 §七(二) (督促警告); seed 004 §三 (有进有出、动态管理)", 0, 1, maximum=1,
       integer=True),
    _p("climber_bonus", 0.25, "share of extra attraction",
       "Extra investment-attraction capacity in the next year for zones that climb in the "
       "yearly ranking.", "lever", "assumption", "Seed 002 §七(三) (争先进位 support)", 0.0, 0.5),

    # -------------------------------------------------------------- uncertainties
    _p("rd_user_cost_elasticity", 1.14, "elasticity",
       "Elasticity of real R&D spending with respect to its after-tax user cost.",
       "uncertainty", "statistic",
       "Chen, Liu, Suárez Serrato & Xu (AER 2021), earlier version: real R&D ≈ 1.14",
       0.5, 2.0),
    _p("rd_relabel_share", 0.242, "share of reported R&D",
       "Share of the reported R&D increase at the certification notch that is relabelled "
       "spending rather than real R&D.", "uncertainty", "statistic",
       "Chen et al. (AER 2021): 24.2 %", 0.1, 0.35, **_SHARE),
    _p("rd_productivity_elasticity", 0.13, "elasticity",
       "Elasticity of firm productivity (revenue) with respect to its real R&D knowledge stock.",
       "uncertainty", "statistic",
       "Chen et al. (AER 2021): doubling real R&D raises productivity ≈ 9 % (0.09 / ln 2)",
       0.05, 0.2),
    _p("baseline_rd_intensity", 0.005, "R&D / revenue",
       "Median R&D intensity firms choose with no policy support (firm draws are lognormal).",
       "uncertainty", "assumption", "Above-scale industrial R&D intensity ≈ 1.2-1.5 % in "
       "Jiangsu 2017; Nantong 2.94 % in 2022 (published_statistics.csv); the lognormal mean is "
       "≈ 1.6 × the median and policy raises it further", 0.003, 0.015,
       **_SHARE),
    _p("rd_intensity_dispersion", 1.0, "log-sd",
       "Dispersion (standard deviation of the log) of firms' baseline R&D intensities.",
       "uncertainty", "assumption", "Wide firm heterogeneity in R&D intensity", 0.6, 1.4),
    _p("rd_intensity_trend", 0.03, "log change per year",
       "Secular yearly growth of firms' R&D propensity (industrial upgrading).", "uncertainty",
       "statistic", "R&D / GDP: China 2.06 % (2015) → 2.40 % (2020), Jiangsu 2.55 % → 2.93 % "
       "(NBS; published_statistics.csv): ≈ 3 % a year", 0.0, 0.06, minimum=-0.1),
    _p("rd_propensity_persistence", 0.7, "autocorrelation per year",
       "Year-to-year persistence of the transitory part of a firm's log R&D propensity (AR(1) "
       "around the firm's long-run propensity).", "uncertainty", "assumption",
       "R&D intensities are persistent but not fixed (firm panels)", 0.5, 0.9, **_SHARE),
    _p("rd_propensity_volatility", 0.3, "log-sd",
       "Stationary standard deviation of the transitory part of a firm's log R&D propensity.",
       "uncertainty", "assumption", "Year-to-year changes of firm R&D intensity", 0.1, 0.5),
    _p("pool_rd_boost", 0.3, "relative rise of desired R&D",
       "Rise of desired R&D of firms in the cultivation pool (one-firm-one-policy coaching, "
       "补缺培优).", "lever", "assumption", "Seed 003 §三(二)1-3; no published effect size",
       0.0, 0.6),
    _p("ip_support_rate", 0.5, "share per year",
       "Share of cultivation-pool firms lacking own core IP that obtain it in a year with patent "
       "subsidies and IP coaching (专利资助资金重点支持列入培育计划的企业).", "lever", "assumption",
       "Seed 003 §三(二)2; no published rate", 0.2, 0.9, **_SHARE),
    _p("certificate_other_value_share", 0.005, "share of revenue per year",
       "Yearly value to a firm of the certificate's benefits other than the tax cut (priority "
       "for programmes and projects, local support, credit), as a share of revenue.",
       "uncertainty", "assumption", "Seed 003 §三(二)4 (优先支持高新技术企业申报各类科技计划项目); "
       "no published figure", 0.0, 0.015, **_SHARE),
    _p("bunching_window", 0.5, "share of threshold",
       "Firms whose desired R&D intensity is within this share below their band's certification "
       "threshold consider raising it to the threshold (bunching at the notch).",
       "uncertainty", "assumption", "Chen et al. (AER 2021) bunching region", 0.2, 0.8, **_SHARE),
    _p("profit_margin", 0.06, "profit / revenue",
       "Pre-tax profit margin, which sets the value of the certificate's 10-point tax cut.",
       "uncertainty", "assumption", "Chinese industrial profit margins 5-7 % (NBS 2017-2020)",
       0.03, 0.1, **_SHARE),
    _p("growth_drift", 0.06, "log revenue per year",
       "Mean nominal annual log growth of a firm's revenue before R&D and agglomeration effects.",
       "uncertainty", "assumption", "Nominal industrial output growth 5-8 % (Jiangsu 2017-2019)",
       0.0, 0.1, minimum=-0.5),
    _p("growth_volatility", 0.25, "log revenue per year",
       "Scale of the annual log-growth shock (Laplace body).", "uncertainty", "assumption",
       "Fu, Pammolli, Stanley et al. (physics/0512005): tent-shaped growth rates", 0.15, 0.4),
    _p("growth_tail_probability", 0.05, "share of firm-years",
       "Share of firm-years whose growth shock comes from the heavy (power-law) tail.",
       "uncertainty", "assumption", "Power-law tails of growth rates (Fu et al.)", 0.0, 0.1,
       **_SHARE),
    _p("agglomeration_elasticity", 0.03, "log growth per unit same-sector share",
       "Extra annual log growth of a firm per unit of its sector's share of firms in its zone "
       "(same-sector agglomeration).", "uncertainty", "assumption",
       "Localisation economies of a few % (assumption)", 0.0, 0.08),
    _p("knowledge_depreciation_rate", 0.15, "per year",
       "Depreciation rate of the R&D knowledge stock.", "uncertainty", "assumption",
       "15 % is the Griliches convention", 0.1, 0.25, **_SHARE),
    _p("patents_per_million_rd_yuan", 0.8, "applications per million yuan",
       "Patent applications per million yuan of real R&D spending (constant returns).",
       "uncertainty", "assumption", "China 2019: ≈ 1.4 M firm applications on ≈ 1.7 tn yuan "
       "business R&D; PRIORS.md constant returns", 0.4, 1.5),
    _p("invention_share_of_applications", 0.35, "share",
       "Share of patent applications that are invention patents (the rest: utility models, "
       "designs, software copyrights).", "uncertainty", "assumption",
       "≈ 35 % of Chinese applications (CNIPA 2017-2020)", 0.2, 0.5, **_SHARE),
    _p("invention_grant_rate", 0.5, "share",
       "Share of invention applications eventually granted.", "uncertainty", "assumption",
       "CNIPA grant rates 40-60 %", 0.3, 0.6, **_SHARE),
    _p("certification_application_rate", 0.5, "share per year",
       "Probability that an eligible firm outside the cultivation pool applies in a yearly round "
       "(before rewards).", "uncertainty", "assumption", "No published rate", 0.2, 0.8, **_SHARE),
    _p("pool_application_rate", 0.85, "share per year",
       "Probability that an eligible firm in the cultivation pool applies in a yearly round.",
       "uncertainty", "assumption", "Seed 003 §三(二)3 one-firm-one-policy service", 0.6, 1.0,
       **_SHARE),
    _p("renewal_application_rate", 0.9, "share",
       "Probability that a certified firm whose certificate expires re-applies (if eligible).",
       "uncertainty", "assumption", "No published rate; most holders re-apply for the tax "
       "advantage", 0.7, 1.0, **_SHARE),
    _p("renewal_approval_rate", 0.9, "share",
       "Probability that an eligible firm re-applying at the end of its certificate passes.",
       "uncertainty", "assumption", "Re-certification of firms that already passed the expert "
       "score; no published rate", 0.75, 1.0, **_SHARE),
    _p("certification_approval_rate", 0.75, "share",
       "Probability that an eligible applicant passes the expert innovation-capability score "
       "(≥ 71 points).", "uncertainty", "assumption", "RULES.md innovation score; pass rates "
       "of 60-85 % reported by provinces", 0.6, 0.9, **_SHARE),
    _p("pool_entry_rate", 0.5, "share per year",
       "Probability that a near-eligible tech SME is entered into the provincial cultivation "
       "pool in a year.", "uncertainty", "assumption", "Seed 003 §三(二)1", 0.2, 0.9, **_SHARE),
    _p("rd_institution_setup_rate", 0.12, "share per year",
       "Yearly probability that a firm with real R&D of at least 0.3 M yuan sets up an "
       "enterprise R&D institution.", "uncertainty", "assumption", "No published rate", 0.05, 0.25, **_SHARE),
    _p("rd_institution_upgrade_rate", 0.06, "share per year",
       "Yearly probability that a qualifying R&D institution is accredited one level up "
       "(enterprise → municipal → provincial).", "uncertainty", "assumption",
       "No published rate", 0.02, 0.12, **_SHARE),
    _p("university_coop_base_rate", 0.06, "share per year",
       "Yearly rate at which a firm starts cooperating with a university with no programme.",
       "uncertainty", "assumption", "No published rate", 0.02, 0.12, **_SHARE),
    _p("university_coop_end_rate", 0.05, "share per year",
       "Yearly rate at which a cooperation ends.", "uncertainty", "assumption",
       "No published rate", 0.0, 0.15, **_SHARE),
    _p("exit_hazard_scale", 1.0, "multiplier",
       "Multiplier on the age-dependent exit hazard of SAIC (2013).", "uncertainty",
       "assumption", "SAIC 2013 aggregate death rate fell from 9.3 % (2008) to 6.2 % (2012)",
       0.6, 1.4),
    _p("exit_size_elasticity", 0.25, "elasticity",
       "Elasticity of the exit hazard with respect to revenue relative to the median firm "
       "(larger firms exit less; the multiplier is kept within 0.2-2).", "uncertainty",
       "assumption", "Firm survival rises with size (Geroski 1995 stylised fact); SAIC reports "
       "age only", 0.0, 0.5),
    _p("incubator_graduation_rate", 0.3, "share per year",
       "Yearly hazard that an incubated project graduates.", "uncertainty", "assumption",
       "PRIORS.md: cumulative graduates / (graduates + tenants) ≈ 0.4 (2012)", 0.15, 0.45,
       **_SHARE),
    _p("incubator_failure_rate", 0.15, "share per year",
       "Yearly hazard that an incubated project fails.", "uncertainty", "assumption",
       "No published rate", 0.05, 0.3, **_SHARE),
    _p("post_graduation_hazard_ratio", 1.5, "hazard ratio",
       "Multiplier on a graduate's exit hazard for its first three years out of incubation.",
       "uncertainty", "assumption", "Schwartz (2009) J Technol Transfer "
       "doi 10.1007/s10961-008-9095-x: graduation has an immediate negative effect on survival "
       "lasting up to three years (about a third of graduates fail over the whole, up to "
       "17-year, observation window); Schwartz (2013) doi 10.1007/s10961-012-9254-y: graduates "
       "survive less than matched non-incubated firms in 3 of 5 locations. Size not published",
       1.0, 2.5, minimum=1.0),
    _p("incubator_admissions_per_year", 12.0, "projects per carrier per year",
       "Mean yearly admissions of a maker space, incubator or accelerator at programme "
       "intensity 0.5.", "uncertainty", "assumption",
       "PRIORS.md: ≈ 50-57 tenants per carrier, staying ≈ 3-4 years", 6.0, 20.0),
    _p("offshore_landing_probability", 0.3, "probability",
       "Probability that a graduating offshore project lands at home with no landing reward "
       "(and land free).", "uncertainty", "assumption",
       "Seed 003 implies ≈ 44 % (80 of 180) with its reward", 0.15, 0.5, **_SHARE),
    _p("landing_reward_scale_yuan", 1_000_000.0, "yuan",
       "Reward at which the gap between the no-reward landing probability and 1 shrinks by "
       "1/e.", "uncertainty", "assumption", "No published figure", 300_000.0, 3_000_000.0),
    _p("projects_attracted_per_zone", 6.0, "projects per zone per year",
       "Mean number of outside projects a municipal-tier zone attracts in a year when land is "
       "free (higher tiers attract more).", "uncertainty", "assumption",
       "No published rate", 2.0, 12.0),
    _p("firm_birth_rate", 0.06, "share of firms per year",
       "Yearly rate of new firms founded in the rest of the city, relative to its firm count.",
       "uncertainty", "assumption", "Offsets the SAIC exit rate of 6-9 % a year", 0.03, 0.1,
       **_SHARE),
    _p("value_added_ratio", 0.25, "value added / revenue",
       "Value added per yuan of revenue (industrial value-added rate).", "uncertainty",
       "assumption", "Chinese industrial VA rates 22-28 %", 0.2, 0.3, **_SHARE),
    _p("revenue_per_employee_yuan", 1_000_000.0, "yuan per employee per year",
       "Revenue per employee, used for the tech-SME staff ceiling (≤ 500).", "uncertainty",
       "assumption", "Jiangsu industrial labour productivity ≈ 1 M yuan revenue per worker",
       600_000.0, 1_500_000.0),
    _p("land_output_yuan_per_mu", 4_000_000.0, "yuan of revenue per mu per year",
       "Median revenue per mu of land used (亩均产出); sets firms' land needs.",
       "uncertainty", "assumption", "Jiangsu/Zhejiang zones 3-6 M yuan per mu", 2_000_000.0,
       8_000_000.0),
    _p("above_scale_revenue_to_gdp", 1.3, "yuan of revenue per yuan of GDP",
       "Operating revenue of above-scale industrial firms per yuan of the place's GDP: GDP = "
       "their revenue over this ratio.", "uncertainty", "statistic",
       "Jiangsu 2022: above-scale industrial revenue 16 tn yuan / GDP 12.29 tn yuan = 1.30; "
       "Taizhou (Jiangsu) 2018 above-scale output / GDP = 1.44; Nantong 2018 1.66, before the "
       "2019 revision of above-scale statistics (data/rd_gdp_bridge.csv)", 1.1, 1.7,
       minimum=0.01),  # GDP divides by it
    _p("industrial_share_of_rd", 0.85, "share of gross R&D expenditure",
       "Above-scale industrial firms' share of the place's gross R&D expenditure (R&D经费); the "
       "rest is spent by other firms, universities and institutes.", "uncertainty",
       "assumption", "Nantong 2020: 232 of 256.4 亿 yuan = 0.905; Jiangsu 2022: all enterprises "
       "0.876, industry most of it (data/rd_gdp_bridge.csv)", 0.75, 0.93, minimum=0.01,
       maximum=1.0),  # gross R&D divides by it
    _p("statistical_rd_ratio", 0.65, "yuan of R&D expenditure per yuan of reported R&D",
       "Statistical R&D expenditure (R&D经费内部支出, Frascati) of above-scale industrial firms per "
       "yuan of the R&D expense they report (研发费用, their accounting figure, from which the "
       "certification's R&D-intensity rule and the super-deduction also start).",
       "uncertainty", "assumption",
       "Implied by Nantong 2022: R&D/GDP 2.74 % × industrial share 0.905 / (研发费用 intensity "
       "2.94 % × revenue/GDP 1.3) = 0.65, or 0.51-0.77 for revenue/GDP 1.66-1.1; no published "
       "direct comparison found (data/rd_gdp_bridge.csv)", 0.5, 0.85),
    _p("tech_sme_rd_financing_gain", 0.15, "R&D multiplier per loan",
       "Relative rise of a tech SME's desired R&D in the years it holds a tech loan.",
       "uncertainty", "assumption", "Credit constraints on SME R&D (assumption)", 0.0, 0.4),
    _p("coop_institution_multiplier", 1.5, "multiplier",
       "How much university cooperation multiplies a firm's yearly rate of setting up or "
       "upgrading an R&D institution.", "uncertainty", "assumption",
       "Co-built R&D institutions (seed 003 §三(四)3); no published rate", 1.0, 2.5),
    _p("high_tech_upgrade_rate", 0.1, "share of gap per year",
       "Yearly rate at which a firm's high-tech revenue share moves toward the level its R&D "
       "intensity supports (高新技术改造传统产业).", "uncertainty", "assumption",
       "Seed 000 §五(四)2; no published rate", 0.03, 0.2, **_SHARE),
    _p("zombie_base_min_projects", 2, "projects per year",
       "An offshore base admitting fewer projects than this in a year is weeded out and "
       "replaced (淘汰滕换 of 挂名/空壳/僵尸 bases).", "lever", "seed",
       "Seed 003 §三(五)1; the threshold itself is an assumption", 0, 6, integer=True),
    _p("land_request_slack", 1.5, "ratio of land need to land held",
       "A zone firm asks its zone for more land when its need exceeds its holding by this "
       "factor; below it, firms use their land more intensively.", "uncertainty", "assumption",
       "No published figure", 1.1, 2.0, minimum=1.0),
    _p("fund_yuan_per_project", 50_000_000.0, "yuan per project",
       "Guidance-fund money that brings one extra attracted project to a zone.",
       "uncertainty", "assumption", "No published figure", 20_000_000.0, 200_000_000.0),
    _p("leader_revenue_yuan", 500_000_000.0, "yuan per year",
       "Revenue a certified firm needs to count as an innovative leader (创新型领军企业).",
       "uncertainty", "assumption", "No official definition; 0.3-1 bn yuan in Jiangsu counties",
       300_000_000.0, 1_000_000_000.0),

    # --------------------------------------------------------------- initial state
    _p("initial_enterprises", 3000, "firms",
       "Firms in the city (zones and elsewhere) at the start: above-scale firms and the small "
       "firms that could grow into them.", "initial", "assumption", "Set by the scenario",
       500, 200_000, integer=True),
    _p("initial_high_tech_enterprises", 150, "firms",
       "Certified high-tech enterprises at the start.", "initial", "assumption",
       "Set by the scenario", 0, 50_000, integer=True),
    _p("initial_rd_institutions_municipal_plus", 100, "institutions",
       "Enterprise R&D institutions accredited at municipal level or above at the start.",
       "initial", "assumption", "Set by the scenario", 0, 20_000, integer=True),
    _p("initial_university_coop_share", 0.3, "share of above-scale firms",
       "Share of above-scale firms cooperating with universities at the start.", "initial",
       "assumption", "Set by the scenario", 0.1, 0.6, **_SHARE),
    _p("firm_revenue_median_yuan", 15_000_000.0, "yuan per year",
       "Median firm revenue at the start (lognormal body).", "initial", "assumption",
       "Set by the scenario", 5_000_000.0, 40_000_000.0),
    _p("firm_revenue_dispersion", 1.3, "log-sd",
       "Dispersion of log revenue at the start (lognormal body).", "initial", "assumption",
       "Size distributions: lognormal body (arXiv cond-mat/0310061)", 1.0, 1.6),
    _p("revenue_pareto_exponent", 1.05, "tail exponent",
       "Pareto exponent of the upper tail of the firm-size distribution (Zipf ≈ 1).",
       "initial", "assumption", "Pareto-Zipf upper tail (arXiv cond-mat/0310061)", 0.9, 1.3),
    _p("revenue_pareto_quantile", 0.9, "quantile",
       "Quantile of the size distribution above which the Pareto tail replaces the lognormal.",
       "initial", "assumption", "Upper decile", 0.8, 0.97, **_SHARE),
    _p("population_persons", 5_000_000, "persons",
       "Resident population (for invention patents per 10 000 people).", "initial",
       "assumption", "Set by the scenario", 10_000, 200_000_000, integer=True),
    _p("invention_patents_per_10k_people_start", 15.0, "patents per 10 000 people",
       "Invention-patent stock per 10 000 people at the start (distributed over firms by their "
       "knowledge stock).", "initial", "assumption", "Set by the scenario", 0.0, 100.0),
]}


def registry_table():
    """The registry as a pandas DataFrame (one row per parameter), for docs and CLI."""
    import pandas as pd

    return pd.DataFrame([{
        "name": p.name, "default": p.default, "unit": p.unit, "kind": p.kind,
        "provenance": p.provenance, "low": p.low, "high": p.high, "meaning": p.meaning,
        "source": p.source} for p in PARAMETERS.values()])


def _number(v) -> str:
    if isinstance(v, str):
        return v
    if float(v).is_integer() and abs(v) >= 10_000:
        return f"{int(v):,}"
    return f"{v:g}"


def registry_markdown() -> str:
    """The registry as the Markdown table of docs/ODD.md §10.1, with its counts (printed by
    ``zonesim parameters --format markdown``; a test keeps the document equal to it)."""
    from collections import Counter

    ps = list(PARAMETERS.values())
    kinds, provs = Counter(p.kind for p in ps), Counter(p.provenance for p in ps)
    head = (f"{len(ps)} parameters: {kinds['lever']} levers, {kinds['uncertainty']} "
            f"uncertainties, {kinds['initial']} initial; provenance of the defaults: "
            + ", ".join(f"{provs[k]} {k}" for k in ("assumption", "statistic", "seed")) + ".")
    rows = ["| name | default | unit | kind | provenance | low–high | source |",
            "|---|---|---|---|---|---|---|"]
    for p in ps:
        rng = f"{_number(p.low)}–{_number(p.high)}" if p.low is not None else "—"
        rows.append(f"| `{p.name}` | {_number(p.default)} | {p.unit} | {p.kind} | "
                    f"{p.provenance} | {rng} | {p.source} |")
    return head + "\n\n" + "\n".join(rows)
