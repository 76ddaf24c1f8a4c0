"""The indicator registry: every quantity a target can be set on, with its unit, meaning, the
planner's label and the unit it is shown in; and the zone tiers.

The same snake_case names serve as target indicators and result columns. Where an indicator can
be measured depends on its level (the scopes themselves are in :mod:`zonesim.registry.scopes`):

- ``firms`` indicators aggregate over a set of enterprises, so they work for every scope;
- ``city`` indicators describe the city as a whole (zone counts by tier, tech-loan balance);
- ``zone`` indicators describe one zone (its tier, its land).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["firms", "city", "zone"]

#: How planners read values of a unit: divisor and display unit (shares in %, yuan in bn yuan,
#: yuan per mu in 10 000 yuan (万元) per mu); other units are shown as they are.
DISPLAY_UNITS = {
    "share": (0.01, "%"),
    "yuan": (1e9, "bn yuan"),
    "yuan per year": (1e9, "bn yuan per year"),
    "yuan per mu per year": (1e4, "10 000 yuan per mu per year"),
}


@dataclass(frozen=True)
class Indicator:
    name: str
    #: the planner's short label in figures and tables; English only, as matplotlib's default
    #: fonts have no CJK glyphs (the documents' Chinese terms are in ``meaning``)
    label: str
    unit: str
    meaning: str
    level: Level
    #: True for quantities counted within a year (flows): new certifications, patents filed
    flow: bool = False
    #: divisor and display unit where the unit's own (DISPLAY_UNITS) does not suit the amounts
    shown_in: tuple[float, str] | None = None

    @property
    def display(self) -> tuple[float, str]:
        """Divisor and unit the indicator's values are shown in."""
        return self.shown_in or DISPLAY_UNITS.get(self.unit, (1.0, self.unit))


_I = Indicator

INDICATORS: dict[str, Indicator] = {i.name: i for i in [
    # enterprises by status
    _I("enterprises", "Enterprises",
       "firms", "Enterprises alive at year end.", "firms"),
    _I("above_scale_enterprises", "Above-scale industrial firms",
       "firms", "Above-scale industrial enterprises (规上, revenue ≥ 20 M yuan).", "firms"),
    _I("high_tech_enterprises", "Certified high-tech enterprises",
       "firms", "Certified high-tech enterprises (高新技术企业) holding a valid certificate.", "firms"),
    _I("new_high_tech_enterprises", "Newly certified high-tech enterprises",
       "firms per year", "Firms certified high-tech for the first time during the year.",
       "firms", flow=True),
    _I("leader_enterprises", "Innovative leader enterprises",
       "firms", "Innovative leader enterprises (创新型领军企业).", "firms"),
    _I("cultivation_pool_enterprises", "Firms in the high-tech cultivation pool",
       "firms", "Firms in the provincial high-tech cultivation pool (培育库).", "firms"),
    _I("tech_smes", "Tech SMEs",
       "firms", "Tech SMEs (科技型中小企业) meeting the evaluation rules.", "firms"),
    _I("specialised_smes", "Specialised and sophisticated SMEs",
       "firms", "Specialised and sophisticated SMEs (专精特新中小企业).", "firms"),
    _I("high_tech_or_specialised_enterprises", "High-tech or specialised SMEs (counted once)",
       "firms", "Firms that are certified high-tech or specialised SMEs (counted once).", "firms"),
    # output and value added
    _I("industrial_output_yuan", "Gross industrial output",
       "yuan per year", "Gross industrial output (工业总产值).", "firms"),
    _I("above_scale_output_yuan", "Output of above-scale firms",
       "yuan per year", "Output of above-scale firms.", "firms"),
    _I("high_tech_output_yuan", "High-tech industry output",
       "yuan per year", "High-tech industry output (高新技术产业产值) of above-scale firms.", "firms"),
    _I("high_tech_output_share", "High-tech share of above-scale output",
       "share", "High-tech output as a share of above-scale industrial output.", "firms"),
    _I("above_scale_value_added_yuan", "Value added of above-scale firms",
       "yuan per year", "Value added of above-scale firms (规上工业增加值).", "firms"),
    _I("high_tech_value_added_share", "High-tech share of above-scale value added",
       "share", "High-tech industry value added as a share of above-scale industrial value added.",
       "firms"),
    _I("value_added_share_of_city", "Share of the city's above-scale value added",
       "share", "The scope's above-scale industrial value added as a share of the city's.",
       "firms"),
    _I("gdp_yuan", "GDP",
       "yuan per year", "GDP of the scope: the year's revenue of its above-scale firms over "
       "above_scale_revenue_to_gdp (the published ratio of the two).", "firms"),
    # R&D
    _I("rd_expenditure_yuan", "R&D expense reported by firms",
       "yuan per year", "R&D expense the firms report (研发费用, their accounting figure).", "firms"),
    _I("rd_to_gdp", "R&D expenditure / GDP",
       "share", "Gross R&D expenditure (R&D经费) as a share of GDP: the above-scale firms' reported "
       "R&D × statistical_rd_ratio / industrial_share_of_rd, over gdp_yuan.", "firms"),
    _I("enterprise_rd_intensity", "Enterprises' R&D expense / revenue",
       "share", "Enterprises' reported R&D expense as a share of their revenue (研发投入占营收比例).",
       "firms"),
    _I("above_scale_rd_intensity", "Above-scale firms' R&D expense / revenue",
       "share", "Reported R&D expense (研发费用) of above-scale firms as a share of their revenue "
       "(规上工业企业研发强度).", "firms"),
    _I("rd_institutions_municipal_plus", "R&D institutions (municipal level or above)",
       "institutions", "Enterprise R&D institutions accredited at municipal level or above.",
       "firms"),
    _I("new_rd_institutions_municipal_plus", "New R&D institutions (municipal level or above)",
       "institutions per year", "Enterprise R&D institutions newly accredited at municipal level "
       "or above in the year.", "firms", flow=True),
    _I("rd_institutions_provincial_plus", "R&D institutions (provincial level or above)",
       "institutions", "Enterprise R&D institutions at provincial level or above (e.g. "
       "engineering centres).", "firms"),
    _I("above_scale_with_rd_institution_share", "Above-scale firms with an R&D institution",
       "share", "Share of above-scale firms with an R&D institution of any level.", "firms"),
    _I("large_medium_and_hte_rd_institution_share",
       "Large/medium and certified firms with an R&D institution",
       "share", "Share of large and medium firms (≥ 300 staff) and certified firms that have an "
       "R&D institution.", "firms"),
    _I("above_scale_university_coop_share", "Above-scale firms cooperating with a university",
       "share", "Share of above-scale firms cooperating with a university or research institute.",
       "firms"),
    _I("new_university_cooperations", "New university-firm cooperations",
       "firms per year", "Firms that start a cooperation with a university or research institute "
       "in the year (new cooperation agreements).", "firms", flow=True),
    _I("new_joint_university_rd_institutions", "New R&D institutions co-built with universities",
       "institutions per year", "R&D institutions set up in the year by firms cooperating with a "
       "university (co-built).", "firms", flow=True),
    # patents
    _I("patent_applications", "Patent applications",
       "applications per year", "Patent applications filed in the year.", "firms", flow=True),
    _I("invention_patent_applications", "Invention-patent applications",
       "applications per year", "Invention-patent applications filed in the year.",
       "firms", flow=True),
    _I("invention_patent_grants", "Invention-patent grants",
       "patents per year", "Invention patents granted in the year.", "firms", flow=True),
    _I("patent_grants", "Patent grants (all kinds)",
       "patents per year", "Patents of all kinds (invention, utility model, design) and software "
       "copyrights granted in the year.", "firms", flow=True),
    _I("firms_first_patent_application", "Firms filing their first patent",
       "firms per year", "Firms filing their first-ever patent application in the year "
       "(zero-patent firms eliminated).", "firms", flow=True),
    _I("large_medium_and_hte_with_invention_patent_share",
       "Large/medium and certified firms holding an invention patent",
       "share", "Share of large and medium firms (≥ 300 staff) and certified firms holding an "
       "invention patent.", "firms"),
    _I("invention_patent_stock", "Valid invention patents",
       "patents", "Valid invention patents held.", "firms"),
    _I("invention_patents_per_10k_people", "Invention patents per 10 000 residents",
       "patents per 10 000 people", "Invention patents held per 10 000 residents (万人发明专利拥有量).",
       "firms"),
    _I("above_scale_with_patent_application_share", "Above-scale firms filing patents in the year",
       "share", "Share of above-scale firms that filed at least one patent application in the "
       "year.", "firms", flow=True),
    _I("hte_with_invention_patent_share", "Certified firms holding an invention patent",
       "share", "Share of certified high-tech firms that hold at least one invention patent.",
       "firms"),
    _I("firms_over_20_patent_applications", "Firms filing more than 20 patent applications",
       "firms", "Firms filing more than 20 patent applications in the year.", "firms", flow=True),
    # composition
    _I("high_tech_share_of_above_scale_enterprises", "Certified firms among above-scale firms",
       "share", "Certified high-tech firms among above-scale firms, as a share.", "firms"),
    _I("high_tech_enterprises_share_of_city", "Share of the city's certified high-tech firms",
       "share", "The scope's certified high-tech firms as a share of the city's.", "firms"),
    _I("strategic_industry_output_share", "Strategic-industry share of output",
       "share", "Share of the scope's output made in its zones' strategic industries.", "firms"),
    _I("strategic_industry_output_yuan", "Strategic-industry output",
       "yuan per year", "Output of firms in their zone's strategic industries.", "firms"),
    _I("gazelle_enterprises", "Gazelle enterprises",
       "firms", "Gazelles (瞪羚企业): ≤ 10 years old, ≥ 10 M yuan revenue two years before last year "
       "and ≥ 20 % yearly growth since.", "firms"),
    # land
    _I("land_used_mu", "Land used",
       "mu", "Land used by firms.", "firms"),
    _I("output_per_mu_yuan", "Output per mu of land",
       "yuan per mu per year", "Revenue per mu of land used (亩均产出).", "firms"),
    _I("value_added_per_mu_yuan", "Value added per mu of land",
       "yuan per mu per year", "Value added per mu of land used (亩均增加值).", "firms"),
    _I("land_free_mu", "Developable land left",
       "mu", "Developable land not yet used in the zone(s).", "zone"),
    # incubation
    _I("offshore_bases", "Offshore incubation bases",
       "bases", "Offshore incubation bases in operation at year end.", "zone"),
    _I("offshore_projects_admitted", "Offshore projects admitted",
       "projects per year", "New projects admitted by offshore bases in the year (在孵项目新增).",
       "zone", flow=True),
    _I("offshore_projects_landed", "Offshore projects landed at home",
       "projects per year", "Offshore-incubated projects that landed at home in the year (落户项目).",
       "zone", flow=True),
    _I("incubated_projects", "Projects in incubation",
       "projects", "Projects in incubation (all carriers) at year end.", "zone"),
    _I("incubator_graduates", "Incubator graduates",
       "projects per year", "Projects graduating in the year.", "zone", flow=True),
    # zones as a system
    _I("zone_tier_level", "Zone tier",
       "tier (0 candidate … 4 national)", "The zone's tier.", "zone"),
    _I("zones_municipal_plus", "Zones at municipal tier or above",
       "zones", "Zones at municipal tier or above.", "city"),
    _I("zones_provincial_plus", "Zones at provincial tier or above",
       "zones", "Zones at provincial tier ('creating' or 'recognized') or above.", "city"),
    _I("zones_provincial_recognized_plus", "Zones at provincial 'recognized' tier or above",
       "zones", "Zones at provincial 'recognized' tier or national.", "city"),
    _I("zones_national", "National high-tech zones",
       "zones", "National high-tech zones.", "city"),
    _I("zones_creating_to_recognized", "Zones promoted 'creating' to 'recognized'",
       "zones", "Zones promoted from provincial 'creating' to 'recognized' since the start.",
       "city"),
    _I("county_units_covered_share", "County-level units with a municipal-or-higher zone",
       "share", "Share of county-level units with at least one zone at municipal tier or above.",
       "city"),
    _I("special_parks", "Special parks holding their status",
       "parks", "Special parks holding their status.", "city"),
    _I("provincial_zones_with_incubator_share", "Provincial zones hosting an incubator",
       "share", "Share of zones at provincial tier or above that host at least one incubator, "
       "maker space or accelerator.", "city"),
    _I("zones_strategic_output_over_10bn", "Zones with a 10-bn-yuan strategic cluster",
       "zones", "Zones whose output in their own strategic industries reaches 10 bn yuan a year "
       "(百亿级特色产业集群).", "city"),
    _I("tech_loan_balance_yuan", "Tech-loan balance",
       "yuan", "Outstanding tech loans to tech SMEs.", "city", shown_in=(1e6, "million yuan")),
    _I("government_spending_yuan", "Government spending on the levers",
       "yuan per year", "Government spending on the levers in the year: R&D subsidies, "
       "certification rewards, vouchers, incubator subsidies and landing rewards.",
       "city", flow=True, shown_in=(1e6, "million yuan per year")),
]}

#: The zone tiers, lowest first (a tier's level is its position): the id scenario files and
#: scopes use, and the name shown to planners.
_TIER_TABLE = (
    ("candidate", "candidate"),
    ("municipal", "municipal"),
    ("provincial_creating", "provincial 'creating'"),
    ("provincial_recognized", "provincial 'recognized'"),
    ("national", "national"),
)
TIERS = tuple(tier for tier, _ in _TIER_TABLE)
TIER_LEVEL = {tier: level for level, tier in enumerate(TIERS)}
TIER_LABEL = {level: label for level, (_, label) in enumerate(_TIER_TABLE)}
