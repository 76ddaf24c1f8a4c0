"""Observation: the indicators of every scope, recorded at each year end (docs/ODD.md §4
Observation and §7.22), from the year's group sums (:mod:`zonesim.engine.group_sums`).

The indicator table has one row per (year, scope) — ``city``, ``zones``, ``rest_of_city``,
``special_parks`` and ``recognised_parks`` (if there are special parks), ``zones:<tier>`` (if a
target reads it) and ``zone:<id>`` — and one column per registered indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zonesim.engine.firms import last_year_revenue
from zonesim.engine.group_sums import Row, group_sums, pick_many, row
from zonesim.registry import scopes
from zonesim.registry.indicators import INDICATORS, TIER_LEVEL

#: A strategic-industry cluster of "百亿级" size: 10 bn yuan of output a year (seed 001).
TEN_BILLION_YUAN = 1e10
#: Zone-level indicators summed over a scope's zones (and carriers), besides the firm sums.
ZONE_LEVEL_SUMS = {"land_free_mu": float, "offshore_bases": int,
                   "offshore_projects_admitted": int, "offshore_projects_landed": int,
                   "partner_projects_landed": int, "incubated_projects": int,
                   "incubator_graduates": int, "chain_projects": int,
                   "national_incubators": int, "national_maker_spaces": int,
                   "provincial_incubators": int, "municipal_maker_spaces": int,
                   "projects_passed_on": float, "projects_received": float,
                   "attracted_projects_credited": float}


def record_year(model, year: int, sums: dict | None = None) -> None:
    """Snapshot every indicator for every scope at the end of ``year`` (``sums``: the year's
    :func:`~zonesim.engine.group_sums.group_sums` by zone, if already taken), as a block of
    columns (one entry per scope) of the indicator table."""
    if sums is None:
        sums = group_sums(model, year, model.firms.zone)   # group 0: rest of city; z+1: zone z
    sums = {**sums, **zone_level_sums(model)}
    groups = {"city": slice(None), "zones": slice(1, None), "rest_of_city": [0]}
    parks = [z.index + 1 for z in model.zones if z.is_special_park]
    if parks:
        groups["special_parks"] = parks
        groups["recognised_parks"] = [z.index + 1 for z in model.zones
                                      if z.is_special_park and z.tier >= 1]
    for tier in model.tier_scopes:
        groups[scopes.tier_scope(tier)] = [
            z.index + 1 for z in model.zones
            if z.kind == "high_tech_zone" and z.tier >= TIER_LEVEL[tier]]
    for z in model.zones:
        groups[f"zone:{z.zone_id}"] = [z.index + 1]
    picks = pick_many(sums, list(groups.values()))     # scope "city" first
    block = indicators_from_sums(model.p, picks, row(picks, 0))
    for k, kind in ZONE_LEVEL_SUMS.items():
        block[k] = np.rint(picks[k]).astype(np.int64) if kind is int else picks[k]
    is_zone = np.array([scope.startswith("zone:") for scope in groups])
    block["zone_tier_level"] = np.where(is_zone, picks["zone_tier_level"], np.nan)
    for k, v in city_level(model, sums).items():      # recorded for the city only
        block[k] = np.r_[v, np.full(len(groups) - 1, np.nan)]
    if year < model.start_year:  # the initial state: only the history's flows are behind it
        for k in block:
            if INDICATORS[k].flow and not INDICATORS[k].in_history:
                block[k] = np.full(len(groups), np.nan)
    model.records.append({"year": np.full(len(groups), year),
                         "scope": np.array(list(groups), dtype=object), **block})


def zone_stats(model, sums: dict) -> list[dict]:
    picks = pick_many(sums, [[z.index + 1] for z in model.zones] + [slice(None)])
    table = indicators_from_sums(model.p, picks, row(picks, len(model.zones)))
    return [Row(table, i) for i in range(len(model.zones))]


def zone_level_sums(model) -> dict[str, np.ndarray]:
    """Zone-level quantities by group (0: carriers outside the zones, z + 1: zone z), to be
    summed over a scope's groups like the firm sums."""
    ng = model.n_zones + 1
    land_free = np.zeros(ng)
    land_free[1:] = model.land.free_by_zone()
    tier = np.zeros(ng)
    tier[1:] = [z.tier for z in model.zones]
    c = model.carriers
    home = c.zone_index[:c.n] + 1
    offshore = c.offshore[:c.n]

    def by_zone(values):
        out = np.zeros(ng)
        out[1:] = values
        return out

    def per_group(counts, only_offshore=False):
        w = counts * offshore if only_offshore else counts
        return np.bincount(home, weights=w, minlength=ng)

    return {
        "land_free_mu": land_free,
        "projects_passed_on": by_zone(model.joint.passed),
        "projects_received": by_zone(model.joint.received),
        "attracted_projects_credited": by_zone(
            model.joint.credited(model.p["joint_attraction_credit"])),
        "offshore_bases": per_group(c.in_operation(model.time), True),
        "offshore_projects_admitted": per_group(c.admitted_this_year[:c.n], True),
        "offshore_projects_landed": per_group(c.landed_this_year[:c.n], True),
        "partner_projects_landed": by_zone(model.partners.landed),
        "incubated_projects": per_group(c.tenants[:c.n]),
        "incubator_graduates": per_group(c.graduated_this_year[:c.n]),
        "chain_projects": per_group(c.chain_admitted_this_year[:c.n]),
        "national_incubators": per_group(c.accredited("incubator", 3, model.time)),
        "national_maker_spaces": per_group(c.accredited("maker_space", 3, model.time)),
        "provincial_incubators": per_group(c.accredited("incubator", 2, model.time)),
        "municipal_maker_spaces": per_group(c.accredited("maker_space", 1, model.time)),
        "zone_tier_level": tier,
    }


def city_level(model, sums: dict) -> dict:
    # the high-tech-zone ladder: not special parks, not development zones (their own ladder)
    ladder = [z for z in model.zones if z.kind == "high_tech_zone"]
    tiers = np.array([z.tier for z in ladder], dtype=int)
    covered = {z.county for z in ladder if z.tier >= 1}
    e = model.firms
    # recorded at the turn of the year: loans due now are still on the books
    on_loan = e.alive & (e.loan_until >= model.time - 1e-9)
    provincial = [z for z in ladder if z.tier >= 2]
    hosts = {i.zone_index for i in model.incubators if not i.offshore}
    strategic_out = sums["strategic_out"][1:]     # by zone
    return {
        "zones_municipal_plus": int((tiers >= 1).sum()),
        "zones_provincial_plus": int((tiers >= 2).sum()),
        "zones_provincial_recognized_plus": int((tiers >= 3).sum()),
        "zones_national": int((tiers >= 4).sum()),
        "zones_demoted": sum(1 for z in model.zones for (_, t) in z.promotions
                             if t.startswith("demoted")),
        "zones_creating_to_recognized": sum(
            1 for z in model.zones for (_, t) in z.promotions if t == "provincial_recognized"),
        "county_units_covered_share": (len(covered) / len(model.counties)
                                       if model.counties else np.nan),
        "special_parks": sum(1 for z in model.zones if z.is_special_park and z.tier >= 1),
        "special_parks_withdrawn": sum(1 for z in model.zones for (_, t) in z.promotions
                                       if t == "withdrawn"),
        "towns_with_municipal_maker_space_share": towns_covered(model),
        "provincial_zones_with_incubator_share": (
            sum(z.index in hosts for z in provincial) / len(provincial) if provincial
            else np.nan),
        "zones_strategic_output_over_10bn": int((strategic_out >= TEN_BILLION_YUAN).sum()),
        "strategic_clusters_over_10bn": strategic_clusters(model),
        "tech_loan_balance_yuan": float(e.loan_yuan[on_loan].sum()),
        "tech_loans_granted_yuan": model.government.loans_granted_yuan,
        "tech_loan_defaults_yuan": model.government.defaults_yuan,
        "government_spending_yuan": model.budget.spent_yuan,
        "science_budget_yuan": model.budget.limit_yuan,
        "budget_payout_share": model.budget.payout,
    }


def strategic_clusters(model) -> int:
    """百亿级特色产业集群 (seeds 002 §四(一), 004 §三(一)1): the strategic industries whose
    output over the zones that hold them as strategic reaches ``TEN_BILLION_YUAN`` a year."""
    e = model.firms
    strategic = e.alive & model.zone_strategic[e.zone, e.sector]
    out = np.bincount(e.sector[strategic], weights=last_year_revenue(e)[strategic],
                      minlength=len(model.sector_ids))
    return int((out >= TEN_BILLION_YUAN).sum())


def towns_covered(model) -> float:
    """Share of the scenario's towns and streets holding a maker space in operation accredited
    at municipal level or above (NaN without towns)."""
    n = len(model.scenario.towns)
    if n == 0:
        return np.nan
    c = model.carriers
    held = c.accredited("maker_space", 1, model.time) & (c.town[:c.n] >= 0)
    return len(np.unique(c.town[:c.n][held])) / n


def indicator_table(records: list[dict]) -> pd.DataFrame:
    """Yearly indicators, one row per (year, scope), one column per indicator, from the
    blocks :func:`record_year` appended to ``records``."""
    cols = ["year", "scope"] + [c for c in INDICATORS if c in records[0]]
    return pd.DataFrame({c: np.concatenate([b[c] for b in records]) for c in cols})


def indicators_from_sums(p: dict, s: dict, city: dict) -> dict:
    """Firm-level indicators of scopes from their sums (arrays, one entry per scope) and the
    city's (numbers, for shares of the city)."""

    def ratio(a, b):
        return np.divide(a, b, out=np.full(np.shape(a), np.nan), where=np.asarray(b) != 0)

    def count(a):
        return np.rint(a).astype(np.int64)

    # GDP and gross R&D are bridged from the above-scale industrial firms, the population the
    # published ratios describe; their reported R&D (研发费用) is not the statistical R&D
    # expenditure (R&D经费) that R&D/GDP counts (docs/ODD.md §4 Observation)
    gdp = s["rev_year_above"] / p["above_scale_revenue_to_gdp"]
    gross_rd = s["rd_above"] * p["statistical_rd_ratio"] / p["industrial_share_of_rd"]
    return {
        "enterprises": count(s["n"]),
        "above_scale_enterprises": count(s["n_above"]),
        "high_tech_enterprises": count(s["n_hte"]),
        "new_high_tech_enterprises": count(s["n_new_hte"]),
        "leader_enterprises": count(s["n_leader"]),
        "cultivation_pool_enterprises": count(s["n_pool"]),
        "tech_smes": count(s["n_tech_sme"]),
        "specialised_smes": count(s["n_spec"]),
        "high_tech_or_specialised_enterprises": count(s["n_hte_or_spec"]),
        "industrial_output_yuan": s["out"],
        "above_scale_output_yuan": s["above_out"],
        "high_tech_output_yuan": s["ht_out_above"],
        "high_tech_output_share": ratio(s["ht_out_above"], s["above_out"]),
        "above_scale_value_added_yuan": s["above_va"],
        "high_tech_value_added_share": ratio(s["ht_va_above"], s["above_va"]),
        "value_added_share_of_city": ratio(s["above_va"], city["above_va"]),
        "energy_intensity_relative_to_city": ratio(ratio(s["energy_above"], s["above_va"]),
                                                   ratio(city["energy_above"], city["above_va"])),
        "gdp_yuan": gdp,
        "rd_expenditure_yuan": s["rd"],
        "below_scale_rd_expenditure_yuan": s["rd"] - s["rd_above"],
        "rd_to_gdp": ratio(gross_rd, gdp),
        "enterprise_rd_intensity": ratio(s["rd"], s["rev_year"]),
        "above_scale_rd_intensity": ratio(s["rd_above"], s["rev_year_above"]),
        "rd_institutions_municipal_plus": count(s["n_rd_muni"]),
        "new_rd_institutions_municipal_plus": count(s["n_new_rd_muni"]),
        "rd_institutions_provincial_plus": count(s["n_rd_prov"]),
        "above_scale_with_rd_institution_share": ratio(s["n_above_inst"], s["n_above"]),
        "large_medium_and_hte_rd_institution_share": ratio(s["n_lm_hte_inst"], s["n_lm_hte"]),
        "above_scale_university_coop_share": ratio(s["n_above_coop"], s["n_above"]),
        "new_university_cooperations": count(s["n_new_coop"]),
        "new_joint_university_rd_institutions": count(s["n_new_joint_inst"]),
        "patent_applications": count(s["apps"]),
        "invention_patent_applications": count(s["inv_apps"]),
        "invention_patent_grants": count(s["inv_grants"]),
        "patent_grants": count(s["grants"]),
        "firms_first_patent_application": count(s["n_first_app"]),
        "large_medium_and_hte_with_invention_patent_share": ratio(s["n_lm_hte_inv"],
                                                                  s["n_lm_hte"]),
        "invention_patent_stock": count(s["inv_stock"]),
        "invention_patents_per_10k_people": s["inv_stock"] / p["population_persons"] * 1e4,
        "above_scale_with_patent_application_share": ratio(s["n_above_app"], s["n_above"]),
        "hte_with_invention_patent_share": ratio(s["n_hte_inv"], s["n_hte"]),
        "firms_over_20_patent_applications": count(s["n_over20"]),
        "high_tech_share_of_above_scale_enterprises": ratio(s["n_hte_above"], s["n_above"]),
        "high_tech_enterprises_share_of_city": ratio(s["n_hte"], city["n_hte"]),
        "strategic_industry_output_share": ratio(s["strategic_out"], s["out"]),
        "strategic_industry_output_yuan": s["strategic_out"],
        "gazelle_enterprises": count(s["n_gazelle"]),
        "land_used_mu": s["land"],
        "output_per_mu_yuan": ratio(s["rev_land"], s["land"]),
        "value_added_per_mu_yuan": ratio(s["va_land"], s["land"]),
        "new_project_land_mu": s["land_project"],
        "new_project_value_added_per_mu_yuan": ratio(s["va_land_project"], s["land_project"]),
    }
