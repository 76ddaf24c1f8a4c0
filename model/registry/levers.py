"""Policy levers: the instruments a government sets (subsidy rates, land quota, offshore bases, …)."""

from zonesim.registry.parameter import SHARE, param

LEVERS = [
    param("rd_subsidy_rate", 0.05, "share of R&D expense",
       "Share of a firm's R&D expense reimbursed by the government (R&D post-subsidy).",
       "lever", "assumption", "Typical Jiangsu/Zhejiang county R&D post-subsidies of 5-10 % of "
       "increased R&D; seed 003 §四(四) 'innovation ten measures'", 0.0, 0.2, **SHARE),
    param("certification_reward_yuan", 200_000, "yuan per first certification",
       "One-off reward paid to a firm on its first high-tech certification.",
       "lever", "assumption", "Municipal rewards of 100-300 k yuan per newly certified firm "
       "common in Jiangsu cities 2017-2020; seed 003 §三(二)4", 0.0, 500_000.0),
    param("innovation_voucher_yuan", 20_000, "yuan per tech SME per year",
       "Innovation voucher (创新券) spendable on R&D services; counts as R&D at zero cost.",
       "lever", "assumption", "Seed 003 §三(二)4 names the municipal innovation voucher; "
       "typical voucher ceilings 20-200 k yuan", 0.0, 200_000.0),
    param("super_deduction_rate", 0.75, "share of R&D expense",
       "R&D super-deduction (加计扣除): extra share of R&D expense deductible from taxable income.",
       "lever", "statistic", "RULES.md: 50 % originally, 75 % 2018-2020, 100 % for "
       "manufacturers from 2021 and all firms from 2023", 0.5, 1.0, minimum=0.0, maximum=2.0),
    param("incubator_operating_subsidy_yuan", 500_000, "yuan per incubator per year",
       "Operating subsidy paid to each incubation carrier and offshore base that is in operation.",
       "lever", "assumption", "Seed 003 §三(五)4 (运营补助); PRIORS.md: Jiangyin operators up to "
       "5 M yuan a year", 0.0, 5_000_000.0),
    param("offshore_bases", 0, "bases",
       "Number of offshore incubation bases (离岸孵化基地) the city keeps in operation.",
       "lever", "assumption", "Set by the scenario (seed 003: ≥ 30)", 0, 40, integer=True),
    param("offshore_projects_per_base", 6.0, "projects per base per year",
       "Mean number of new projects an offshore base admits in a year at talent-programme "
       "intensity 0.5 and no operating subsidy (both raise it; ×1.2 at the default subsidy).",
       "uncertainty", "statistic", "PRIORS.md: Jiangyin ≈ 5.5 per base a year; seed 003 implies "
       "180 / 30 = 6", 3.0, 10.0),
    param("offshore_landing_reward_yuan", 500_000, "yuan per landed project",
       "Reward paid when an offshore-incubated project lands and starts production at home.",
       "lever", "assumption", "Seed 003 §三(五)4 (按投资规模给予一定比例的奖励)", 0.0, 2_000_000.0),
    param("land_quota_mu_per_year", 1500.0, "mu per year",
       "New construction-land quota the city allocates to its zones each year.",
       "lever", "assumption", "Set by the scenario; county quotas of 1-3 k mu a year", 0.0, 5000.0),
    param("land_allocation_rule", "uniform", "rule",
       "How the yearly land quota is divided among zones: equally, by evaluation rank, or tilted "
       "to special parks.", "lever", "assumption",
       "Seed 001 §(六) differentiated allocation; seed 004 §(四)10 tilt to special parks",
       choices=("uniform", "by_rank", "special_parks")),
    param("special_park_tilt", 0.5, "share of quota",
       "Under the special_parks rule, share of the yearly quota reserved for special parks.",
       "lever", "assumption", "Seed 004 §(四)10 (统筹新增建设用地指标向特色园区倾斜)", 0.2, 0.8, **SHARE),
    param("land_recycling_share", 0.0, "share of zone firms per year",
       "Share of zone firms with the lowest value added per mu whose land is taken back each "
       "year (腾笼换鸟).", "lever", "assumption", "Seed 002 §四(二); 0-3 % a year", 0.0, 0.03,
       **SHARE),
    param("standard_land_min_output_yuan_per_mu", 3_000_000.0, "yuan of revenue per mu per year",
       "Standard-land (标准地) threshold: an attracted project is admitted only if its expected "
       "revenue per mu reaches it.", "lever", "assumption",
       "Seed 002 §六(二) 标准地; Zhejiang county thresholds of 2-5 M yuan per mu", 0.0, 6_000_000.0),
    param("talent_programme_intensity", 0.5, "index 0-1",
       "Intensity of talent programmes: raises incubator admissions and firms' S&T staff share.",
       "lever", "assumption", "Seeds 000 §五(二)4, 002 §二(二), 004 §(二)7", 0.0, 1.0, **SHARE),
    param("university_programme_intensity", 0.5, "index 0-1",
       "Intensity of industry-university programmes (博士工作团, 企业挂靠院校): raises the yearly "
       "rate at which firms start cooperating with universities.", "lever", "assumption",
       "Seed 003 §三(三)", 0.0, 1.0, **SHARE),
    param("strategic_focus", 0.6, "share of attracted projects",
       "Share of a zone's attracted projects that belong to its strategic industries "
       "(一区一战略产业).", "lever", "assumption", "Seed 001 §(二)-(三)", 0.0, 1.0, **SHARE),
    param("tech_loan_yuan_per_year", 100_000_000.0, "yuan per year",
       "New tech loans (苏科贷-type, backed by a risk-compensation fund) granted to tech SMEs "
       "each year; loans run for two years.", "lever", "assumption",
       "Seed 003 §三(五)3: balance > 50 M yuan (2017), > 300 M yuan cumulative by 2020",
       0.0, 500_000_000.0),
    param("guidance_fund_yuan_per_year", 0.0, "yuan per year",
       "Government guidance-fund money invested in zone projects each year; raises the number "
       "of projects a zone can attract.", "lever", "assumption",
       "Seed 002 §六(三) 拨改投; seed 004 §(二)5", 0.0, 2_000_000_000.0),
    param("laggard_demotion", 1, "flag",
       "Whether a zone ranked last in two consecutive evaluations loses one tier "
       "(有进有出, dynamic management).", "lever", "seed",
       "Seed 002 §七(二) (督促警告); seed 004 §三 (有进有出、动态管理)", 0, 1, maximum=1,
       integer=True),
    param("climber_bonus", 0.25, "share of extra attraction",
       "Extra investment-attraction capacity in the next year for zones that climb in the "
       "yearly ranking.", "lever", "assumption", "Seed 002 §七(三) (争先进位 support)", 0.0, 0.5),

]
