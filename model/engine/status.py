"""Firms' statuses at the year end, in schedule order: high-tech product share, tech SME,
cultivation pool and its IP support, high-tech certification, leaders, specialised SMEs,
R&D institutions and university cooperation."""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from zonesim import rules
from zonesim.engine.entry import high_tech_share_at_entry
from zonesim.engine.firms import (certificate_value_per_year, employees, last_year_revenue,
                                  own_ip, three_year_rd_intensity)
from zonesim.engine.patents import file_inventions, record_filings
from zonesim.engine.talent import match_with_universities


def institution_min_rd_yuan(p) -> np.ndarray:
    """Real R&D (yuan a year) a firm needs to set up an R&D institution (index 0) and to have
    it accredited at municipal (1) and provincial (2) level."""
    return np.array([p["enterprise_institution_min_rd_yuan"],
                     p["municipal_institution_min_rd_yuan"],
                     p["provincial_institution_min_rd_yuan"]])


def upgrade_high_tech_share(model) -> None:
    """The high-tech share of revenue moves toward what the firm's R&D supports."""
    e, p = model.firms, model.p
    ht_sector = model.sector_high_tech[e.sector]
    floor = high_tech_share_at_entry(p, ht_sector)
    supported = floor + (p["high_tech_share_ceiling"] - floor) * np.minimum(
        e.rd_intensity * e.real_rd_share / p["rd_intensity_for_ceiling"], 1.0)
    rate = p["high_tech_upgrade_rate"]
    e.set("high_tech_share", slice(None),
          np.clip(e.high_tech_share
                  + rate * (np.maximum(supported,
                                       e.high_tech_share * p["high_tech_share_retention"])
                            - e.high_tech_share), 0.0, 1.0))


def classify_tech_smes(model, year: int) -> None:
    """Tech SMEs (科技型中小企业) are the registered ones (入库), as statistics and plans count
    them: registration opened in ``rules.TECH_SME_REGISTRATION_FIRST_YEAR``; from then each year
    firms that meet the evaluation rules register at ``tech_sme_registration_rate``, and a
    registered firm stays registered while it meets them (its yearly re-registration taken as
    routine). Whether a firm meets the rules is kept apart (``meets_tech_sme_rules``): the
    support programmes for tech SMEs (tech loans, vouchers) screen by the rules, not by the
    register, which opened only in 2017."""
    e, p = model.firms, model.p
    eligible = e.alive & rules.tech_sme_eligible(
        last_year_revenue(e), employees(e, p), three_year_rd_intensity(e), e.st_share,
        own_ip(e, p), p["tech_sme_score_rd_with_staff"], p["tech_sme_score_rd_with_ip"])
    e.set("meets_tech_sme_rules", slice(None), eligible)
    if year < rules.TECH_SME_REGISTRATION_FIRST_YEAR:
        e.set("tech_sme", slice(None), False)
        return
    registers = model.rng.random(e.n) < p["tech_sme_registration_rate"]
    e.set("tech_sme", slice(None), eligible & (e.tech_sme | registers))


def enter_cultivation_pool(model, year: int) -> None:
    """Near-eligible firms that are not certified enter the provincial cultivation pool
    (培育库) at ``pool_entry_rate``: tech SMEs with R&D at ``pool_min_threshold_share`` of their
    threshold or more and a high-tech revenue share of at least ``pool_min_high_tech_share``
    (half and half by default). Pool firms without own IP then file with its support
    (:func:`support_ip`)."""
    e, p = model.firms, model.p
    sme = np.flatnonzero(e.alive & ~e.certified & ~e.in_pool & e.tech_sme
                         & (e.high_tech_share >= p["pool_min_high_tech_share"]))
    floor = p["pool_min_threshold_share"] * rules.rd_intensity_threshold(e.revenue[sme])
    candidates = sme[three_year_rd_intensity(e, sme) >= floor]
    enter = candidates[model.rng.random(len(candidates)) < p["pool_entry_rate"]]
    e.in_pool[enter] = True
    support_ip(model, year)


def support_ip(model, year: int) -> None:
    """Seed 003 §三(二)2: 专利资助资金重点支持列入培育计划的企业申请国内外发明专利 — the patent
    subsidy pays for pool firms' invention applications. Pool firms without own core IP file
    one, with it, at ``ip_support_rate`` a year; the application is examined like any other
    (:func:`~zonesim.engine.patents.file_inventions`: granted with ``invention_grant_rate``
    after ``invention_examination_years``), so the support brings IP only by the grant."""
    e, p = model.firms, model.p
    lacking = np.flatnonzero(e.alive & e.in_pool & ~own_ip(e, p))
    helped = lacking[model.rng.random(len(lacking)) < p["ip_support_rate"]]
    file_inventions(model, helped, np.ones(len(helped), dtype=np.int64), year)


def high_tech_eligible(model, own_ip_held: bool = False) -> np.ndarray:
    """Which firms meet every rule of :func:`rules.high_tech_eligible` now (a mask of rows);
    with ``own_ip_held``, every rule but the IP rule (as if each held own core IP)."""
    e, p = model.firms, model.p
    inventions = 1 if own_ip_held else e.invention_patents
    return e.alive & rules.high_tech_eligible(
        last_year_revenue(e), three_year_rd_intensity(e), e.high_tech_share, e.st_share,
        inventions, e.other_ip, model.time - e.birth_year, p["min_other_ip_rights"])


def innovation_score(model, rows: np.ndarray, other_ip: np.ndarray | None = None
                     ) -> np.ndarray:
    """The innovation-capability score of firms ``rows`` as their state shows it
    (:func:`rules.innovation_score`): transformations are ``transformations_per_ip_right`` per
    IP right held, growth the last three years' revenue (the full years of accounts the firm
    has in the city: a graduate or a landed project keeps accounts from its entry). With
    ``other_ip``, the score the firms would have holding that many other IP rights."""
    e, p = model.firms, model.p
    other = e.other_ip[rows] if other_ip is None else other_ip
    return rules.innovation_score(
        e.invention_patents[rows], other, p["score_judged_ip_points"],
        (e.invention_patents[rows] + other) * p["transformations_per_ip_right"],
        e.rd_level[rows], e.university_coop[rows], p["score_judged_organisation_points"],
        rules.three_year_growth(e.rev_hist_2[rows], e.rev_hist_1[rows], e.rev_hist_0[rows],
                                np.floor(model.time - e.entry_year[rows])))


def pass_chance(model, expected: np.ndarray) -> np.ndarray:
    """The chance that applicants whose expected score (their state's and their own lasting
    part) is ``expected`` pass: the panel's whole-point score (``score_panel_sd`` about it)
    reaches ``rules.CERTIFICATION_MIN_SCORE`` (71), i.e. the score before rounding 70.5."""
    sd = model.p["score_panel_sd"]
    cut = rules.CERTIFICATION_MIN_SCORE - 0.5
    if sd <= 0:
        return (expected >= cut).astype(float)
    # the normal survival function as scipy.special.ndtr(−x): the same numbers as
    # scipy.stats.norm.sf without its per-call overhead (0.1 ms a round); a panel sd near 0
    # divides to ±inf, whose ndtr is the sd = 0 rule's 1 or 0
    with np.errstate(over="ignore"):
        return ndtr((expected - cut) / sd)


def application_cost_yuan(model, rows: np.ndarray) -> np.ndarray:
    """What applying for the certificate costs firms ``rows``:
    ``certification_application_cost_yuan``, for members of the cultivation pool (whose
    service prepares the application) its ``pool_application_cost_share``."""
    e, p = model.firms, model.p
    return p["certification_application_cost_yuan"] * np.where(
        e.in_pool[rows], p["pool_application_cost_share"], 1.0)


def file_ip_to_qualify(model, year: int) -> None:
    """Firms that meet every certification rule but the IP rule and hold no certificate file
    the other IP rights they lack — the "several utility models / software copyrights" that
    count as own core IP (RULES.md, Guokefahuo [2016] 32), granted without substantive
    examination at ``other_ip_grant_rate`` — when applying would pay once they held them: the
    certificate's value over its term times their chance of passing with that IP exceeds the
    application's cost plus the filings' (``ip_filing_cost_yuan`` each, the refusals'
    included). The IP counterpart of bunching at the R&D notch (Chen, Liu, Suárez Serrato &
    Xu 2021; RULES.md); the rights come at this year end, so the firms apply from the next
    round."""
    e, p = model.firms, model.p
    rows = np.flatnonzero(high_tech_eligible(model, own_ip_held=True) & ~e.certified
                          & ~own_ip(e, p))
    need = np.maximum(int(p["min_other_ip_rights"]) - e.other_ip[rows], 0)
    held = e.other_ip[rows] + need
    expected = innovation_score(model, rows, held) + e.score_offset[rows]
    value = certificate_value_per_year(model, rows, year) * rules.CERTIFICATE_VALIDITY_YEARS
    grant = p["other_ip_grant_rate"]
    filing = need * p["ip_filing_cost_yuan"] / grant if grant > 0 else np.inf
    files = (need > 0) & (pass_chance(model, expected) * value
                          > application_cost_yuan(model, rows) + filing)
    filers, filed = rows[files], need[files]
    granted = model.rng.binomial(filed, grant).astype(np.int32)
    record_filings(e, filers, filed, year)
    e.other_grants_year[filers] += granted
    e.other_ip[filers] += granted


def certify_high_tech(model, year: int) -> np.ndarray:
    """The yearly certification round (Guokefahuo [2016] 32 and 195). Returns newly certified
    ids.

    Firms that meet every rule of :func:`rules.high_tech_eligible` and hold no certificate, or
    whose certificate expires this year, apply when the certificate's value over its three
    years times their chance of passing exceeds ``certification_application_cost_yuan`` (for
    members of the cultivation pool, whose service prepares the application, its
    ``pool_application_cost_share``). Experts score each applicant: its
    :func:`innovation_score` plus its own lasting offset (``score_offset``) plus the panel's
    variation (``score_panel_sd``), in whole points; it passes with
    ``rules.CERTIFICATION_MIN_SCORE`` (71) or more. Expiring certificates not renewed lapse.
    Each round's applicants and passes are appended to ``model.certification_rounds``.
    """
    e, p = model.firms, model.p
    eligible = high_tech_eligible(model)
    renewing = e.certified & (e.cert_expiry <= year)
    candidates = np.flatnonzero(eligible & (~e.certified | renewing))
    expected = innovation_score(model, candidates) + e.score_offset[candidates]
    value = certificate_value_per_year(model, candidates, year) * rules.CERTIFICATE_VALIDITY_YEARS
    applies = pass_chance(model, expected) * value > application_cost_yuan(model, candidates)
    applicants = candidates[applies]
    scored = np.rint(expected[applies]
                     + p["score_panel_sd"] * model.rng.standard_normal(len(applicants)))
    e.innovation_score[applicants] = scored
    passes = applicants[scored >= rules.CERTIFICATION_MIN_SCORE]
    renewal = renewing[applicants]
    model.certification_rounds.append({
        "year": year, "renewals_due": int(renewing.sum()),
        "first_applicants": int((~renewal).sum()), "renewal_applicants": int(renewal.sum()),
        "first_passes": int((~renewing[passes]).sum()), "renewals": int(renewing[passes].sum())})

    lapsed = renewing
    lapsed[passes] = False
    e.certified[lapsed] = False
    e.leader[lapsed] = False
    e.certified[passes] = True
    e.cert_expiry[passes] = year + rules.CERTIFICATE_VALIDITY_YEARS
    first = passes[e.first_cert_year[passes] < 0]
    e.first_cert_year[first] = year
    e.in_pool[passes] = False
    model.budget.pay("certification_reward_yuan",
                     float(len(first) * p["certification_reward_yuan"]))
    return first


def name_leaders(model) -> None:
    """Innovative leaders (创新型领军企业): certified, large, with a municipal R&D institution and
    invention patents (documented assumption)."""
    e, p = model.firms, model.p
    e.set("leader", slice(None), e.alive & rules.innovative_leader(
        e.certified, e.revenue, e.rd_level, e.invention_patents, p["leader_revenue_yuan"],
        p["leader_min_invention_patents"]))


def name_specialised_smes(model) -> None:
    """Specialised and sophisticated SMEs (专精特新中小企业), MIIT criteria simplified."""
    e = model.firms
    rev = last_year_revenue(e)
    e.set("specialised", slice(None), e.alive & rules.specialised_sme(
        rev, three_year_rd_intensity(e), e.invention_patents, e.other_ip,
        model.time - e.birth_year))


def gazelles(model) -> np.ndarray:
    """Gazelles (瞪羚企业, :func:`rules.gazelle`) over the last two years (the usual definition
    uses three; the model keeps a three-year history, hence two growth years), among firms whose
    three years of accounts are all full years in the city (a partial entry year is not a base
    to grow from)."""
    e = model.firms
    full = model.time - e.entry_year >= 3.0
    return e.alive & full & rules.gazelle(model.time - e.birth_year, e.rev_hist_2, e.rev_hist_0,
                                          2)


def set_up_rd_institutions(model, year: int) -> None:
    """Firms with enough real R&D set up an enterprise R&D institution; institutions are
    accredited one level up (municipal, provincial) when the firm's R&D qualifies.
    University cooperation multiplies both rates: the set-ups it adds, those a firm's draw
    would not have brought at the base rate, are the institutions co-built with a university
    (seed 003 §三(四)3 合作共建研发机构)."""
    e, p = model.firms, model.p
    real_rd = e.rd_hist_0 * e.real_rd_share
    level = e.rd_level
    # firms whose real R&D qualifies them to set up (level 0) or to move up (levels 1-2)
    able = np.flatnonzero(e.alive & (level < 3)
                          & (real_rd >= np.take(institution_min_rd_yuan(p), level, mode="clip")))
    base = np.where(level[able] == 0, p["rd_institution_setup_rate"],
                    p["rd_institution_upgrade_rate"])
    coop = e.university_coop[able]
    rate = np.where(coop, base * p["coop_institution_multiplier"], base)
    u = model.rng.random(len(able))
    go = u < rate
    moving = able[go]
    setup = moving[level[moving] == 0]
    e.rd_setup_year[setup] = year
    e.rd_joint_year[able[go & coop & (u >= base) & (level[able] == 0)]] = year
    level[moving] += 1
    newly_municipal = moving[(level[moving] == 2) & (e.rd_municipal_year[moving] < 0)]
    e.rd_municipal_year[newly_municipal] = year


def update_university_cooperation(model, year: int) -> None:
    """Firms doing R&D (above ``coop_min_rd_intensity``) start cooperating with universities at
    ``university_coop_base_rate`` a year, and those the industry-university programme pairs with
    one and keep the pairing (:func:`~zonesim.engine.talent.match_with_universities`);
    cooperations end at a constant rate."""
    e, p = model.firms, model.p
    could_start = np.flatnonzero(e.alive & ~e.university_coop
                                 & (e.rd_intensity > p["coop_min_rd_intensity"]))
    cooperating = np.flatnonzero(e.university_coop)
    u = model.rng.random(len(could_start) + len(cooperating))
    start = could_start[(u[:len(could_start)] < p["university_coop_base_rate"])
                        | match_with_universities(model, could_start)]
    end = cooperating[u[len(could_start):] < p["university_coop_end_rate"]]
    e.university_coop[start] = True
    e.coop_start_year[start] = year
    e.university_coop[end] = False
    e.coop_start_year[end] = -1
