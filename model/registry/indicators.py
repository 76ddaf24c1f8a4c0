"""The indicator registry: every quantity a target can be set on, with its unit and meaning.

The same snake_case names serve as target indicators, result columns and figure labels.

Scopes an indicator can be measured on:

- ``firms`` indicators aggregate over a set of enterprises, so they work for every scope:
  ``city`` (all firms), ``zones`` (firms in any zone), ``special_parks``, ``rest_of_city``,
  ``zone:<id>`` and ``each_zone[:<tier>]``;
- ``city`` indicators describe the city as a whole (zone counts by tier, tech-loan balance);
- ``zone`` indicators describe one zone (its tier, its land).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["firms", "city", "zone"]


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    meaning: str
    level: Level
    #: True for quantities counted within a year (flows): new certifications, patents filed
    flow: bool = False


_I = Indicator

INDICATORS: dict[str, Indicator] = {i.name: i for i in [
    # enterprises by status
    _I("enterprises", "firms", "Enterprises alive at year end.", "firms"),
    _I("above_scale_enterprises", "firms",
       "Above-scale industrial enterprises (规上, revenue ≥ 20 M yuan).", "firms"),
    _I("high_tech_enterprises", "firms",
       "Certified high-tech enterprises (高新技术企业) holding a valid certificate.", "firms"),
    _I("new_high_tech_enterprises", "firms per year",
       "Firms certified high-tech for the first time during the year.", "firms", flow=True),
    _I("leader_enterprises", "firms", "Innovative leader enterprises (创新型领军企业).", "firms"),
    _I("cultivation_pool_enterprises", "firms",
       "Firms in the provincial high-tech cultivation pool (培育库).", "firms"),
    _I("tech_smes", "firms", "Tech SMEs (科技型中小企业) meeting the evaluation rules.", "firms"),
    _I("specialised_smes", "firms",
       "Specialised and sophisticated SMEs (专精特新中小企业).", "firms"),
    _I("high_tech_or_specialised_enterprises", "firms",
       "Firms that are certified high-tech or specialised SMEs (counted once).", "firms"),
    # output and value added
    _I("industrial_output_yuan", "yuan per year", "Gross industrial output (工业总产值).",
       "firms"),
    _I("above_scale_output_yuan", "yuan per year", "Output of above-scale firms.", "firms"),
    _I("high_tech_output_yuan", "yuan per year",
       "High-tech industry output (高新技术产业产值) of above-scale firms.", "firms"),
    _I("high_tech_output_share", "share",
       "High-tech output as a share of above-scale industrial output.", "firms"),
    _I("above_scale_value_added_yuan", "yuan per year",
       "Value added of above-scale firms (规上工业增加值).", "firms"),
    _I("high_tech_value_added_share", "share",
       "High-tech industry value added as a share of above-scale industrial value added.",
       "firms"),
    _I("value_added_share_of_city", "share",
       "The scope's above-scale industrial value added as a share of the city's.", "firms"),
    _I("gdp_yuan", "yuan per year",
       "GDP of the scope: the year's revenue of its above-scale firms over "
       "above_scale_revenue_to_gdp (the published ratio of the two).", "firms"),
    # R&D
    _I("rd_expenditure_yuan", "yuan per year",
       "R&D expense the firms report (研发费用, their accounting figure).", "firms"),
    _I("rd_to_gdp", "share",
       "Gross R&D expenditure (R&D经费) as a share of GDP: the above-scale firms' reported R&D "
       "× statistical_rd_ratio / industrial_share_of_rd, over gdp_yuan.", "firms"),
    _I("enterprise_rd_intensity", "share",
       "Enterprises' reported R&D expense as a share of their revenue (研发投入占营收比例).",
       "firms"),
    _I("above_scale_rd_intensity", "share",
       "Reported R&D expense (研发费用) of above-scale firms as a share of their revenue "
       "(规上工业企业研发强度).", "firms"),
    _I("rd_institutions_municipal_plus", "institutions",
       "Enterprise R&D institutions accredited at municipal level or above.", "firms"),
    _I("new_rd_institutions_municipal_plus", "institutions per year",
       "Enterprise R&D institutions newly accredited at municipal level or above in the year.",
       "firms", flow=True),
    _I("rd_institutions_provincial_plus", "institutions",
       "Enterprise R&D institutions at provincial level or above (e.g. engineering centres).",
       "firms"),
    _I("above_scale_with_rd_institution_share", "share",
       "Share of above-scale firms with an R&D institution of any level.", "firms"),
    _I("large_medium_and_hte_rd_institution_share", "share",
       "Share of large and medium firms (≥ 300 staff) and certified firms that have an R&D "
       "institution.", "firms"),
    _I("above_scale_university_coop_share", "share",
       "Share of above-scale firms cooperating with a university or research institute.",
       "firms"),
    _I("new_university_cooperations", "firms per year",
       "Firms that start a cooperation with a university or research institute in the year "
       "(new cooperation agreements).", "firms", flow=True),
    _I("new_joint_university_rd_institutions", "institutions per year",
       "R&D institutions set up in the year by firms cooperating with a university (co-built).",
       "firms", flow=True),
    # patents
    _I("patent_applications", "applications per year", "Patent applications filed in the year.",
       "firms", flow=True),
    _I("invention_patent_applications", "applications per year",
       "Invention-patent applications filed in the year.", "firms", flow=True),
    _I("invention_patent_grants", "patents per year", "Invention patents granted in the year.",
       "firms", flow=True),
    _I("patent_grants", "patents per year",
       "Patents of all kinds (invention, utility model, design) and software copyrights granted "
       "in the year.", "firms", flow=True),
    _I("firms_first_patent_application", "firms per year",
       "Firms filing their first-ever patent application in the year (zero-patent firms "
       "eliminated).", "firms", flow=True),
    _I("large_medium_and_hte_with_invention_patent_share", "share",
       "Share of large and medium firms (≥ 300 staff) and certified firms holding an invention "
       "patent.", "firms"),
    _I("invention_patent_stock", "patents", "Valid invention patents held.", "firms"),
    _I("invention_patents_per_10k_people", "patents per 10 000 people",
       "Invention patents held per 10 000 residents (万人发明专利拥有量).", "firms"),
    _I("above_scale_with_patent_application_share", "share",
       "Share of above-scale firms that filed at least one patent application in the year.",
       "firms", flow=True),
    _I("hte_with_invention_patent_share", "share",
       "Share of certified high-tech firms that hold at least one invention patent.", "firms"),
    _I("firms_over_20_patent_applications", "firms",
       "Firms filing more than 20 patent applications in the year.", "firms", flow=True),
    # composition
    _I("high_tech_share_of_above_scale_enterprises", "share",
       "Certified high-tech firms among above-scale firms, as a share.", "firms"),
    _I("high_tech_enterprises_share_of_city", "share",
       "The scope's certified high-tech firms as a share of the city's.", "firms"),
    _I("strategic_industry_output_share", "share",
       "Share of the scope's output made in its zones' strategic industries.", "firms"),
    _I("strategic_industry_output_yuan", "yuan per year",
       "Output of firms in their zone's strategic industries.", "firms"),
    _I("gazelle_enterprises", "firms",
       "Gazelles (瞪羚企业): ≤ 10 years old, ≥ 10 M yuan revenue two years before last year and "
       "≥ 20 % yearly growth since.", "firms"),
    # land
    _I("land_used_mu", "mu", "Land used by firms.", "firms"),
    _I("output_per_mu_yuan", "yuan per mu per year", "Revenue per mu of land used (亩均产出).",
       "firms"),
    _I("value_added_per_mu_yuan", "yuan per mu per year",
       "Value added per mu of land used (亩均增加值).", "firms"),
    _I("land_free_mu", "mu", "Developable land not yet used in the zone(s).", "zone"),
    # incubation
    _I("offshore_bases", "bases", "Offshore incubation bases in operation at year end.", "zone"),
    _I("offshore_projects_admitted", "projects per year",
       "New projects admitted by offshore bases in the year (在孵项目新增).", "zone", flow=True),
    _I("offshore_projects_landed", "projects per year",
       "Offshore-incubated projects that landed at home in the year (落户项目).", "zone",
       flow=True),
    _I("incubated_projects", "projects",
       "Projects in incubation (all carriers) at year end.", "zone"),
    _I("incubator_graduates", "projects per year", "Projects graduating in the year.", "zone",
       flow=True),
    # zones as a system
    _I("zone_tier_level", "tier (0 candidate … 4 national)", "The zone's tier.", "zone"),
    _I("zones_municipal_plus", "zones", "Zones at municipal tier or above.", "city"),
    _I("zones_provincial_plus", "zones",
       "Zones at provincial tier ('creating' or 'recognized') or above.", "city"),
    _I("zones_provincial_recognized_plus", "zones",
       "Zones at provincial 'recognized' tier or national.", "city"),
    _I("zones_national", "zones", "National high-tech zones.", "city"),
    _I("zones_creating_to_recognized", "zones",
       "Zones promoted from provincial 'creating' to 'recognized' since the start.", "city"),
    _I("county_units_covered_share", "share",
       "Share of county-level units with at least one zone at municipal tier or above.", "city"),
    _I("special_parks", "parks", "Special parks holding their status.", "city"),
    _I("provincial_zones_with_incubator_share", "share",
       "Share of zones at provincial tier or above that host at least one incubator, maker space "
       "or accelerator.", "city"),
    _I("zones_strategic_output_over_10bn", "zones",
       "Zones whose output in their own strategic industries reaches 10 bn yuan a year "
       "(百亿级特色产业集群).", "city"),
    _I("tech_loan_balance_yuan", "yuan", "Outstanding tech loans to tech SMEs.", "city"),
    _I("government_spending_yuan", "yuan per year",
       "Government spending on the levers in the year: R&D subsidies, certification rewards, "
       "vouchers, incubator subsidies and landing rewards.", "city", flow=True),
]}

TIERS = ("candidate", "municipal", "provincial_creating", "provincial_recognized", "national")
TIER_LEVEL = {name: i for i, name in enumerate(TIERS)}

SCOPE_HELP = ("'city', 'zones', 'special_parks', 'rest_of_city', 'zone:<zone id>', 'each_zone' "
              "or 'each_zone:<tier>' (tier one of " + ", ".join(TIERS) + ")")
