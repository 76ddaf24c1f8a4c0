"""Each agent rule does what it must: the rule functions are called directly on a small model after
setting the state of chosen firms with ``model.firms.set``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, chisquare, kstest, poisson

from conftest import firm_indicators, land_used_from_columns, run_years
from zonesim.engine.exits import exit_firms, rate_exit_risk_by_size
from zonesim.engine.firms import COLUMNS, last_year_revenue, three_year_rd_intensity
from zonesim.engine.growth import draw_growth_variance, grow_revenue, mean_growth_variance
from zonesim.engine.patents import DUE, produce_patents, sparse_poisson
from zonesim.engine.rd import decide_rd, spend_on_rd
from zonesim.engine.status import certify_high_tech
from zonesim import rules
from zonesim.engine.entry import new_firm_columns
from zonesim.engine.graduates import graduate_candidates
from zonesim.engine.incubators import incubate
from zonesim.engine.zones import (decide_applications, meets_standard_land, tier_criteria,
                                  redevelopment_candidates)
from zonesim.registry.indicators import TIER_LEVEL, TIERS
from zonesim.registry.parameters import defaults

M = 1_000_000.0


def some_alive(model, k: int, rng_seed: int = 0) -> np.ndarray:
    """``k`` alive firm ids, chosen at random."""
    alive = np.flatnonzero(model.firms.alive)
    return np.sort(np.random.default_rng(rng_seed).choice(alive, k, replace=False))


def make_eligible(model, ids, revenue=30 * M, rd=0.08, in_pool=True):
    """Give firms ``ids`` a state that meets every certification rule (three-year R&D ``rd``)."""
    e = model.firms
    for k in range(3):
        e.set(f"rev_hist_{k}", ids, revenue)
        e.set(f"rd_hist_{k}", ids, revenue * rd)
    e.set("revenue", ids, revenue)
    e.set("high_tech_share", ids, 0.8)
    e.set("st_share", ids, 0.2)
    e.set("invention_patents", ids, 2)
    e.set("birth_year", ids, model.time - 5.0)
    e.set("certified", ids, False)
    e.set("cert_expiry", ids, -1)
    e.set("first_cert_year", ids, -1)
    e.set("in_pool", ids, in_pool)
    e.set("innovation_score", ids, np.nan)       # never assessed (not in the history either)


#: Every eligible firm applies and passes: no panel or firm-specific variation, no cost, and
#: judged points that take a firm with an invention patent and flat revenue (no growth points)
#: to 29.5 + 27.5 + 15 = 72 points.
CERT_SURE = dict(score_panel_sd=0.0, score_firm_sd=0.0, certification_application_cost_yuan=0.0,
                 score_judged_ip_points=22.0, score_judged_organisation_points=14.0,
                 transformations_per_ip_right=10.0)


# ----------------------------------------------------------------------- certification

def test_below_band_threshold_never_certified(make_model):
    m = make_model(seed=1, **CERT_SURE)
    ids = some_alive(m, 90)
    bands = [(30 * M, 0.05), (120 * M, 0.04), (300 * M, 0.03)]
    for part, (rev, thr) in zip(np.array_split(ids, 3), bands):
        make_eligible(m, part, revenue=rev, rd=thr * 0.999)
    new = certify_high_tech(m, m.year)
    assert not m.firms.certified[ids].any()
    assert not np.isin(ids, new).any()
    # just at the thresholds the same firms pass (the test above is not vacuous)
    for part, (rev, thr) in zip(np.array_split(ids, 3), bands):
        make_eligible(m, part, revenue=rev, rd=thr * 1.0001)
    certify_high_tech(m, m.year)
    assert m.firms.certified[ids].all()


def test_certified_firms_meet_the_rules_in_a_run(make_model):
    """In a simulated run, every firm certified in the latest round met every rule then."""
    m = make_model(seed=2)
    run_years(m, 2)
    year = m.year - 1
    e = m.firms
    fresh = np.flatnonzero(e.alive & e.certified
                           & (e.cert_expiry == year + rules.CERTIFICATE_VALIDITY_YEARS))
    assert len(fresh) > 0
    ok = rules.high_tech_eligible(last_year_revenue(e)[fresh],
                                  three_year_rd_intensity(e)[fresh], e.high_tech_share[fresh],
                                  e.st_share[fresh], e.invention_patents[fresh],
                                  e.other_ip[fresh], m.time - e.birth_year[fresh],
                                  m.p["min_other_ip_rights"])
    assert ok.all()


def test_eligible_pool_firm_is_certified(make_model):
    m = make_model(seed=3, **CERT_SURE)
    ids = some_alive(m, 40)
    make_eligible(m, ids)
    year = m.year
    new = certify_high_tech(m, year)
    e = m.firms
    assert e.certified[ids].all()
    assert (e.cert_expiry[ids] == year + 3).all()
    assert (e.first_cert_year[ids] == year).all()
    assert not e.in_pool[ids].any()
    assert np.isin(ids, new).all()


def test_ineligible_in_any_rule_not_certified(make_model):
    m = make_model(seed=4, **CERT_SURE)
    ids = some_alive(m, 50)
    make_eligible(m, ids)
    groups = np.array_split(ids, 5)
    e = m.firms
    e.set("high_tech_share", groups[0], 0.59)
    e.set("st_share", groups[1], 0.09)
    e.set("invention_patents", groups[2], 0)
    e.set("other_ip", groups[2], 0)
    e.set("birth_year", groups[3], m.time - 0.5)
    certify_high_tech(m, m.year)
    for g in groups[:4]:
        assert not e.certified[g].any()
    assert e.certified[groups[4]].all()


def test_certificate_lapses_after_three_years_unless_renewed(make_model):
    m = make_model(seed=5, **CERT_SURE)
    ids = some_alive(m, 40)
    make_eligible(m, ids)
    y0 = m.year
    certify_high_tech(m, y0)
    assert m.firms.certified[ids].all()
    lapse, renew = ids[:20], ids[20:]
    # the lapsing half stops doing R&D: no longer eligible, but the certificate is still valid
    for k in range(3):
        m.firms.set(f"rd_hist_{k}", lapse, 0.0)
    for year in (y0 + 1, y0 + 2):
        certify_high_tech(m, year)
        assert m.firms.certified[ids].all(), f"certificate lost before expiry ({year})"
        assert (m.firms.cert_expiry[ids] == y0 + 3).all()
    certify_high_tech(m, y0 + 3)
    e = m.firms
    assert not e.certified[lapse].any()
    assert e.certified[renew].all()
    assert (e.cert_expiry[renew] == y0 + 6).all()
    assert (e.first_cert_year[ids] == y0).all(), "first_cert_year must be set only once"


def test_first_cert_year_set_once(make_model):
    m = make_model(seed=6, **CERT_SURE)
    ids = some_alive(m, 20)
    make_eligible(m, ids)
    m.firms.set("first_cert_year", ids, 2010)  # certified once, certificate lapsed since
    new = certify_high_tech(m, m.year)
    assert m.firms.certified[ids].all()
    assert (m.firms.first_cert_year[ids] == 2010).all()
    assert not np.isin(ids, new).any(), "a re-certification is not a first certification"


def test_no_application_when_the_certificate_is_worth_less_than_applying(make_model):
    m = make_model(seed=7, **{**CERT_SURE, "certification_application_cost_yuan": 1e7,
                              "pool_application_cost_share": 1.0})
    ids = some_alive(m, 30)
    make_eligible(m, ids)
    assert len(certify_high_tech(m, m.year)) == 0
    assert not m.firms.certified[ids].any()
    assert np.isnan(m.firms.innovation_score[ids]).all(), "no firm was scored"


# ------------------------------------------------------------------------ R&D decision

def _rd_ready(m, ids, base=0.01, can_certify=False):
    e = m.firms
    e.set("base_rd_intensity", ids, base)
    e.set("revenue", ids, 30 * M)
    e.set("rev_hist_0", ids, 30 * M)  # the band is set by last year's revenue
    e.set("high_tech_share", ids, 0.8 if can_certify else 0.1)
    e.set("st_offset", ids, 0.1)
    e.set("st_share", ids, 0.2)
    for col, v in (("certified", False), ("in_pool", False), ("tech_sme", False),
                   ("meets_tech_sme_rules", False),
                   ("loan_until", -1.0), ("first_cert_year", -1), ("cert_expiry", -1)):
        e.set(col, ids, v)


@pytest.mark.parametrize("lever, low, high", [("rd_subsidy_rate", 0.0, 0.15),
                                              ("super_deduction_rate", 0.5, 1.0)])
def test_rd_rises_with_lever(make_model, lever, low, high):
    out = []
    for value in (low, high):
        m = make_model(seed=8, **{lever: value})
        ids = some_alive(m, 100)
        _rd_ready(m, ids, base=np.linspace(0.002, 0.02, 100))
        decide_rd(m)
        out.append(m.firms.rd_intensity[ids] * m.firms.real_rd_share[ids])
    assert (out[1] > out[0]).all(), f"higher {lever} must raise real R&D of every firm"


def test_rd_bunching_just_above_threshold(make_model):
    """Certifiable firms just below their band's threshold raise reported R&D to just above it
    (large bunching window, no relabelling): a hole below the notch, a spike just above."""
    common = dict(rd_relabel_share=0.0, profit_margin=0.1)
    m0 = make_model(seed=9, bunching_window=0.0, **common)
    m1 = make_model(seed=9, bunching_window=0.8, **common)
    ids = some_alive(m0, 300)
    base = np.linspace(0.005, 0.08, 300)
    for m in (m0, m1):
        _rd_ready(m, ids[:200], base=base[:200], can_certify=True)
        _rd_ready(m, ids[200:], base=base[::3][:100], can_certify=False)
        decide_rd(m)
    thr = rules.rd_intensity_threshold(30 * M)
    desired = m0.firms.rd_intensity[ids]      # no bunching with a zero window
    reported = m1.firms.rd_intensity[ids]
    cert, other = np.arange(200), np.arange(200, 300)
    close = cert[(desired[cert] >= 0.9 * thr) & (desired[cert] < thr)]
    assert len(close) >= 10
    assert (reported[close] >= thr).all() and (reported[close] <= 1.05 * thr).all()
    assert not ((reported[cert] >= 0.9 * thr) & (reported[cert] < thr)).any(), \
        "certifiable firms left just below the notch"
    above = cert[desired[cert] >= thr]
    np.testing.assert_allclose(reported[above], desired[above])
    np.testing.assert_allclose(m1.firms.real_rd_share[ids[close]], 1.0)  # no relabelling
    # firms that cannot be certified gain nothing from the notch
    np.testing.assert_allclose(reported[other], desired[other])


def test_relabelled_share_of_bunching_rise(make_model):
    """``rd_relabel_share`` of a buncher's rise in reported R&D is relabelled, not real."""
    common = dict(profit_margin=0.1, rd_relabel_share=0.3)
    m0 = make_model(seed=10, bunching_window=0.0, **common)
    m1 = make_model(seed=10, bunching_window=0.8, **common)
    ids = some_alive(m0, 200)
    for m in (m0, m1):
        _rd_ready(m, ids, base=np.linspace(0.005, 0.06, 200), can_certify=True)
        decide_rd(m)
    thr = rules.rd_intensity_threshold(30 * M)
    desired = m0.firms.rd_intensity[ids]
    close = (desired >= 0.9 * thr) & (desired < thr)
    assert close.sum() >= 10
    rep = m1.firms.rd_intensity[ids][close]
    real = rep * m1.firms.real_rd_share[ids][close]
    assert (rep >= thr).all()
    np.testing.assert_allclose(real - desired[close], 0.7 * (rep - desired[close]), rtol=1e-6)


# --------------------------------------------------------------------------- patents

def test_patents_rise_with_rd(make_model):
    # grants at this year end, nothing lapsing: the rise is this year's R&D's
    m = make_model(seed=11, initial_enterprises=1000, invention_examination_years=0,
                   invention_patent_lapse_rate=0.0)
    ids = some_alive(m, 450)
    e = m.firms
    e.set("revenue", ids, 20 * M)
    e.set("real_rd_share", ids, 1.0)
    e.set("university_coop", ids, False)
    e.set("patent_applications_year", ids, 0)
    zero, low, high = np.array_split(ids, 3)
    e.set("rd_intensity", zero, 0.0)
    e.set("rd_intensity", low, 0.005)
    e.set("rd_intensity", high, 0.05)
    inv_before = e.invention_patents.copy()
    spend_on_rd(m, 1.0)
    produce_patents(m, m.year)
    apps = m.firms.patent_applications_year
    assert apps[zero].sum() == 0
    assert apps[high].sum() > 3 * max(apps[low].sum(), 1)
    assert apps[low].sum() > 0
    assert (m.firms.invention_patents >= inv_before).all()
    assert m.firms.invention_patents[high].sum() > inv_before[high].sum()


def test_patent_counts_follow_the_knowledge_production_function(make_model):
    """Known answer: applications have mean patents_per_million_rd_yuan × real R&D (M yuan);
    inventions, invention grants and other IP grants are their binomial thinnings."""
    m = make_model(seed=24, initial_enterprises=6000, invention_examination_years=0)
    e = m.firms
    e.set("alive", slice(None), True)
    e.set("university_coop", slice(None), False)
    e.set("rd_year", slice(None), 2 * M)
    e.set("real_rd_share", slice(None), 0.75)
    e.set("first_application_year", slice(None), -1)
    for col in ("patent_applications_year", "invention_applications_year",
                "invention_grants_year", "other_grants_year", *DUE):
        e.set(col, slice(None), 0)
    produce_patents(m, m.year)
    p = m.p
    lam = p["patents_per_million_rd_yuan"] * 1.5
    apps = e.patent_applications_year
    assert apps.mean() == pytest.approx(lam, rel=0.05)
    assert apps.var() == pytest.approx(lam, rel=0.1)           # Poisson: variance = mean
    s, g = p["invention_share_of_applications"], p["invention_grant_rate"]
    total = apps.sum()
    assert e.invention_applications_year.sum() / total == pytest.approx(s, abs=0.02)
    assert e.invention_grants_year.sum() / total == pytest.approx(s * g, abs=0.02)
    assert e.other_grants_year.sum() / total == pytest.approx(
        (1 - s) * p["other_ip_grant_rate"], abs=0.02)
    assert (e.first_application_year[apps > 0] == m.year).all()


@pytest.mark.parametrize("lam", [0.01, 0.3, 2.0, 25.0])
def test_sparse_poisson_is_poisson(lam):
    n = 200_000
    idx, k = sparse_poisson(np.random.default_rng(7), np.full(n, lam))
    assert (k >= 1).all() and len(np.unique(idx)) == len(idx)
    counts = np.zeros(n, dtype=int)
    counts[idx] = k
    support = np.arange(counts.max() + 1)
    expected = poisson.pmf(support, lam) * n
    keep = expected >= 5          # pool the sparse tails for the chi-square test
    obs = np.append(np.bincount(counts, minlength=len(support))[keep],
                    n - np.bincount(counts, minlength=len(support))[keep].sum())
    exp = np.append(expected[keep], n - expected[keep].sum())
    if exp[-1] < 5:
        obs, exp = obs[:-1], exp[:-1]
    assert chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 1e-3


# --------------------------------------------------------------------------------- exit

@pytest.mark.parametrize("age", [0.5, 1.5, 2.5, 5.0, 10.0])
def test_exit_hazard_respected_on_average(make_model, age):
    m = make_model(seed=12, initial_enterprises=6000)
    e = m.firms
    n = e.n
    e.set("revenue", slice(None), m.p["firm_revenue_median_yuan"])  # size factor 1
    e.set("origin", slice(None), 0)
    e.set("birth_year", slice(None), m.time - age)
    rate_exit_risk_by_size(m)
    gone = exit_firms(m, 1.0)
    h = rules.exit_hazard(age, m.p)
    assert binomtest(len(gone), n, h).pvalue > 1e-3, (len(gone) / n, h)
    assert not m.firms.alive[gone].any()
    assert (m.firms.land_mu[gone] == 0).all()
    np.testing.assert_allclose(m.land.used_mu, land_used_from_columns(m), rtol=1e-9)


def test_exit_hazard_independent_of_step_length(make_model):
    """Four quarterly exit draws remove the annual share (age kept inside year 3)."""
    m = make_model(seed=13, initial_enterprises=6000)
    e = m.firms
    n = e.n
    e.set("revenue", slice(None), m.p["firm_revenue_median_yuan"])
    e.set("origin", slice(None), 0)
    e.set("birth_year", slice(None), m.time - 2.2)
    rate_exit_risk_by_size(m)
    gone = sum(len(exit_firms(m, 0.25)) for _ in range(4))
    assert binomtest(gone, n, rules.exit_hazard(2.2, m.p)).pvalue > 1e-3, gone / n


def test_larger_firms_exit_less(make_model):
    m = make_model(seed=14, initial_enterprises=6000)
    e = m.firms
    half = e.n // 2
    med = m.p["firm_revenue_median_yuan"]
    e.set("revenue", slice(0, half), med)
    e.set("revenue", slice(half, None), 50 * med)
    e.set("origin", slice(None), 0)
    e.set("birth_year", slice(None), m.time - 5.0)
    rate_exit_risk_by_size(m)
    gone = exit_firms(m, 1.0)
    assert (gone < half).sum() > (gone >= half).sum()


def test_size_effect_keeps_the_saic_hazard_on_average(make_model):
    """Firm sizes spread the hazard within an age band; the band's average stays SAIC's (young
    firms are small, and SAIC's hazards already average over them)."""
    m = make_model(seed=20, initial_enterprises=8000)
    e = m.firms
    small_firms = 0.1 * m.p["firm_revenue_median_yuan"] * np.exp(m.rng.standard_normal(e.n))
    e.set("revenue", slice(None), small_firms)
    e.set("origin", slice(None), 0)
    e.set("birth_year", slice(None), m.time - 2.5)
    e.set("entry_year", slice(None), m.time - 2.5)
    rate_exit_risk_by_size(m)
    gone = exit_firms(m, 1.0)
    assert binomtest(len(gone), e.n, rules.exit_hazard(2.5, m.p)).pvalue > 1e-3, len(gone) / e.n


def test_graduates_exit_more_for_three_years_after_graduation(make_model):
    m = make_model(seed=21, initial_enterprises=12000,
                   post_graduation_hazard_ratio=2.0)
    e = m.firms
    e.set("revenue", slice(None), m.p["firm_revenue_median_yuan"])
    e.set("birth_year", slice(None), m.time - 5.0)          # SAIC band 3-7 years: 8.5 %
    groups = np.array_split(np.arange(e.n), 4)
    #          (origin, years since graduation or entry, hazard ratio)
    cases = [(0, 1.0, 1.0), (1, 1.0, 2.0), (2, 1.0, 2.0), (1, 4.0, 1.0)]
    for ids, (origin, since, _) in zip(groups, cases):
        e.set("origin", ids, origin)
        e.set("entry_year", ids, m.time - since)
    rate_exit_risk_by_size(m)
    gone = exit_firms(m, 1.0)
    for ids, (origin, since, ratio) in zip(groups, cases):
        k = int(np.isin(gone, ids).sum())
        assert binomtest(k, len(ids), 0.085 * ratio).pvalue > 1e-3, (origin, since, k / len(ids))


def test_graduates_age_counts_from_admission(make_model):
    """Tenants are registered firms: a graduate's age at entry is its time in the carrier,
    exponential with the carrier's summed graduation and failure hazards."""
    m = make_model(seed=22)
    inc = next(i for i in m.incubators if i.kind == "incubator")
    n0 = m.firms.n
    m.enter_firms([graduate_candidates(m, graduates_of(m, inc, 3000))])
    e = m.firms
    new = np.arange(n0, e.n)
    assert len(new) == 3000 and (e.origin[new] == 1).all()
    np.testing.assert_allclose(e.entry_year[new], m.time + m.dt / 2)
    age = e.entry_year[new] - e.birth_year[new]
    assert (age > 0).all()
    assert kstest(age, "expon", args=(0.0, inc.mean_incubation_years)).pvalue > 1e-3


def test_incubation_step_graduates_and_fails_at_the_carriers_rates(make_model):
    m = make_model(seed=25)
    m.carriers.reset_year()
    for inc in m.incubators:
        inc.tenants = 0
    inc = next(i for i in m.incubators if i.kind == "incubator")
    inc.tenants = 20_000
    graduates = incubate(m, 1.0)
    assert graduates[m.incubators.index(inc)] == inc.graduated_this_year
    assert graduates.sum() == sum(i.graduated_this_year for i in m.incubators)
    admitted = sum(i.admitted_this_year for i in m.incubators)
    assert admitted == pytest.approx(sum(i.admissions_per_year for i in m.incubators), rel=0.2)
    g, f = inc.graduation_rate, inc.failure_rate
    new = inc.admitted_this_year
    expected_g = 20_000 * g + new * (1 - (1 - g) ** 0.5)
    assert inc.graduated_this_year == pytest.approx(expected_g, rel=0.03)
    failed = 20_000 + new - inc.graduated_this_year - inc.tenants
    assert failed == pytest.approx(20_000 * (1 - g) * f, rel=0.06)
    assert all(i.tenants >= 0 for i in m.incubators)


def test_carriers_start_at_steady_state_occupancy(make_model):
    """Carriers in operation at the start hold admissions × mean stay tenants (Little's law)."""
    tenants, expected = [], []
    for seed in range(20):
        m = make_model(seed=seed)
        c = m.carriers
        tenants.append(c.tenants[:c.n].sum())
        expected.append((c.admissions_per_year[:c.n] * c.mean_incubation_years[:c.n]).sum())
    mean = float(np.mean(expected))
    assert mean > 100
    assert abs(np.mean(tenants) - mean) < 4 * np.sqrt(mean / len(tenants))


def test_growth_centred_alike_for_heavy_tailed_years(make_model):
    """A heavy-tailed year widens a firm's growth shock without shifting its median: every firm's
    log shock is centred with the *mean* variance multiplier."""
    m = make_model(seed=23, initial_enterprises=8000, localisation_elasticity=0.0,
                   rd_productivity_elasticity=0.0)
    e = m.firms
    half = e.n // 2
    e.set("growth_variance", slice(0, half), 2.0)
    e.set("growth_variance", slice(half, None), m.p["growth_variance_cap"])
    before = e.revenue.copy()
    grow_revenue(m, 1.0, np.zeros(len(m.sector_ids)), np.zeros(e.n))
    g = np.log(e.revenue / before)
    centre = m.p["growth_drift"] - 0.5 * m.p["growth_volatility"] ** 2 * mean_growth_variance(m.p)
    assert np.median(g[:half]) == pytest.approx(centre, abs=0.03)
    assert np.median(g[half:]) == pytest.approx(centre, abs=0.15)
    assert np.std(g[half:]) > 4 * np.std(g[:half])


def test_mean_growth_variance_matches_draws():
    p = {**defaults(), "growth_tail_probability": 0.2}
    v = draw_growth_variance(np.random.default_rng(1), 2_000_000, p)
    assert v.max() <= p["growth_variance_cap"]
    assert v.mean() == pytest.approx(mean_growth_variance(p), rel=0.01)


# --------------------------------------------------------------------- offshore bases

def _offshore(m):
    return next(i for i in m.incubators if i.offshore and i.zone_index >= 0)


def graduates_of(m, inc, count: int) -> np.ndarray:
    """Graduates per carrier of ``m`` with ``count`` from ``inc`` only (as incubate returns),
    the first of a new year."""
    m.carriers.reset_year()
    out = np.zeros(len(m.incubators), dtype=np.int64)
    out[m.incubators.index(inc)] = count
    inc.graduated_this_year += count
    return out


def test_offshore_projects_land_only_where_land_is_free(make_model):
    m = make_model(seed=15, offshore_landing_probability=1.0, offshore_graduation_rate=0.9)
    inc = _offshore(m)
    zone = m.zones[inc.zone_index]
    zone.land_stock_mu = zone.land_used_mu()  # no free land
    n0 = m.firms.n
    m.enter_firms([graduate_candidates(m, graduates_of(m, inc, 200))])
    assert inc.graduated_this_year > 0
    assert inc.landed_this_year == 0
    assert inc.lost_this_year == inc.graduated_this_year
    assert not (m.firms.origin[n0:] == 2).any()
    assert m.land.used_mu[zone.index] <= zone.land_stock_mu + 1e-9


def test_offshore_projects_land_with_free_land(make_model):
    m = make_model(seed=16, offshore_landing_probability=1.0, offshore_graduation_rate=0.9)
    inc = _offshore(m)
    zone = m.zones[inc.zone_index]
    zone.land_stock_mu = zone.land_used_mu() + 1e7
    used0 = zone.land_used_mu()
    n0 = m.firms.n
    m.enter_firms([graduate_candidates(m, graduates_of(m, inc, 200))])
    landed = np.flatnonzero(m.firms.origin[n0:] == 2) + n0
    assert inc.graduated_this_year > 0
    assert inc.landed_this_year == inc.graduated_this_year == len(landed)
    assert (m.firms.zone[landed] == zone.index).all()
    assert zone.land_used_mu() == pytest.approx(used0 + m.firms.land_mu[landed].sum())


def test_offshore_landings_fit_scarce_land(make_model):
    m = make_model(seed=17, offshore_landing_probability=1.0, offshore_graduation_rate=0.9)
    inc = _offshore(m)
    zone = m.zones[inc.zone_index]
    zone.land_stock_mu = zone.land_used_mu() + 5.0  # room for a few projects only
    m.enter_firms([graduate_candidates(m, graduates_of(m, inc, 200))])
    assert 0 < inc.landed_this_year < inc.graduated_this_year
    assert zone.land_used_mu() <= zone.land_stock_mu + 1e-9
    np.testing.assert_allclose(m.land.used_mu, land_used_from_columns(m), rtol=1e-9)


def test_yearly_offshore_landings_count_every_landed_project(make_model):
    m = make_model(seed=3, zombie_base_min_projects=6, offshore_projects_per_base=3.0,
                   offshore_landing_probability=0.5)
    table = m.run()
    city = table[table["scope"] == "city"].set_index("year")
    e = m.firms
    for y in range(m.start_year, m.end_year + 1):
        landed = int(((e.origin == 2) & (e.entry_year >= y) & (e.entry_year < y + 1)).sum())
        assert city.loc[y, "offshore_projects_landed"] == landed, y


# ------------------------------------------------------------------------ land requests

@pytest.mark.parametrize("free_share", [0.0, 0.3, 5.0])
def test_land_requests_granted_while_land_is_free(make_model, free_share):
    """Firms that outgrow their land ask for more; a zone grants at most its free land, no
    firm more than it asked, and all requests when land suffices; then no firm produces more
    than its land supports."""
    m = make_model(seed=26, initial_enterprises=1500)
    e = m.firms
    revenue0 = e.revenue.copy()
    e.revenue[:] *= 3.0                                  # everyone outgrows its land
    need = e.revenue / (m.land.output_per_mu[e.zone] * e.land_productivity)
    asked = np.where(e.alive & (e.zone >= 0), need - e.land_mu, 0.0)
    asked_by_zone = np.bincount(e.zone[e.zone >= 0], weights=asked[e.zone >= 0],
                                minlength=m.n_zones)
    for z in m.zones:
        z.land_stock_mu = z.land_used_mu() + free_share * asked_by_zone[z.index]
    free = np.array([z.land_free_mu() for z in m.zones])
    before = e.land_mu.copy()
    m.land.expand_or_hold()
    got = e.land_mu - before
    inz = e.zone >= 0
    assert (got[inz] >= -1e-9).all() and (got[inz] <= asked[inz] + 1e-6).all()
    granted = np.bincount(e.zone[inz], weights=got[inz], minlength=m.n_zones)
    np.testing.assert_allclose(granted, np.minimum(free, asked_by_zone), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(m.land.used_mu, land_used_from_columns(m), rtol=1e-9)
    held = np.flatnonzero(e.alive & inz)
    assert (e.revenue[held] <= m.land.capacity_yuan(held) * (1 + 1e-12)).all()
    if free_share >= 1.0:
        np.testing.assert_allclose(e.revenue, 3.0 * revenue0, rtol=1e-12,
                                   err_msg="land enough for every request: nobody is held")


# ------------------------------------------------------------------------ M0 land

@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(multiple=st.floats(1.0, 4.0), reserve=st.floats(0.0, 400.0), seed=st.integers(0, 99))
def test_only_high_tech_projects_take_m0_land_at_its_floor_space(make_model, multiple,
                                                                 reserve, seed):
    """High-tech projects take the M0 reserve in arrival order while it holds them, needing
    m0_floor_space_multiple times less land; no other project takes it, and the reserve falls
    by exactly what they take."""
    m = make_model(seed=seed, m0_floor_space_multiple=multiple)
    rng = np.random.default_rng(seed)
    n = 40
    zone = rng.integers(0, m.n_zones, n).astype(np.int32)
    eligible = rng.random(n) < 0.6
    land0 = rng.uniform(1.0, 60.0, n)
    cols = {"land_mu": land0.copy(), "land_productivity": np.ones(n),
            "on_m0": np.zeros(n, dtype=bool)}
    m.land.m0_free_mu[:] = reserve
    on = m.land.take_m0(zone, cols, eligible)
    assert not (on & ~eligible).any()
    np.testing.assert_allclose(cols["land_mu"][on], land0[on] / multiple)
    np.testing.assert_allclose(cols["land_productivity"][on], multiple)
    np.testing.assert_array_equal(cols["land_mu"][~on], land0[~on])
    np.testing.assert_array_equal(cols["on_m0"], on)
    taken = np.bincount(zone[on], weights=cols["land_mu"][on], minlength=m.n_zones)
    np.testing.assert_allclose(m.land.m0_free_mu, reserve - taken, atol=1e-9)
    assert (m.land.m0_free_mu >= -1e-9).all()
    # an eligible project left out did not fit into what its zone's reserve had left then
    for i in np.flatnonzero(eligible & ~on):
        before = reserve - cols["land_mu"][:i][on[:i] & (zone[:i] == zone[i])].sum()
        assert land0[i] / multiple > before - 1e-9


def test_expansion_draws_on_the_m0_reserve_for_m0_firms_only(make_model):
    """A firm on M0 land grows within its zone's M0 reserve, the others within the rest of
    the free land: with no ordinary free land, only M0 firms get land."""
    m = make_model(seed=4, initial_enterprises=1500)
    e = m.firms
    inz = np.flatnonzero(e.alive & (e.zone >= 0))
    m0 = inz[::5]
    e.on_m0[m0] = True
    e.revenue[inz] *= 2.0                                  # everyone outgrows its land
    reserve = 1e7
    for z in m.zones:
        z.land_stock_mu = z.land_used_mu() + reserve       # all the free land is the reserve
    m.land.m0_free_mu[:] = reserve
    before = e.land_mu.copy()
    m.land.expand_or_hold()
    got = e.land_mu - before
    assert (got[m0] > 0).all()
    np.testing.assert_array_equal(got[np.setdiff1d(inz, m0)], 0.0)
    np.testing.assert_allclose(reserve - m.land.m0_free_mu,
                               np.bincount(e.zone[m0], weights=got[m0], minlength=m.n_zones))
    np.testing.assert_allclose(m.land.used_mu, land_used_from_columns(m), rtol=1e-9)


def test_m0_share_of_the_quota_is_supplied_as_m0(make_model, four_zones):
    m = make_model(scenario=four_zones, land_allocation_rule="uniform",
                   land_quota_mu_per_year=2000, m0_land_share=0.25)
    shares = np.asarray(m.government.allocate_land_quota(np.array([1, 2, 3, 4])), dtype=float)
    np.testing.assert_allclose(m.land.m0_free_mu, 0.25 * shares)


# ---------------------------------------------------------------------- land recycling

def test_land_recycling_removes_lowest_per_mu_firms(make_model):
    m = make_model(seed=19, initial_enterprises=3000, land_recycling_share=0.03)
    e = m.firms
    alive0 = e.alive.copy()
    in_zone = alive0 & (e.zone >= 0) & (e.land_mu > 0)
    per_mu = np.where(in_zone, e.revenue * e.va_factor / np.where(e.land_mu > 0, e.land_mu, 1),
                      np.inf)
    land0 = e.land_mu.copy()
    used0 = m.land.used_mu.copy()
    plots = m.government.recycle_land()
    gone = np.flatnonzero(alive0 & ~m.firms.alive)
    assert len(plots.zone) == len(gone) > 0
    np.testing.assert_allclose(np.sort(plots.land_mu), np.sort(land0[gone]))
    assert (m.firms.zone[gone] >= 0).all(), "only zone firms are recycled"
    for z in m.zones:
        mine = np.flatnonzero(in_zone & (e.zone == z.index))
        out = np.intersect1d(mine, gone)
        kept = np.setdiff1d(mine, gone)
        k = 0.03 * len(mine)
        assert np.floor(k) <= len(out) <= np.ceil(k)
        if len(out):
            assert per_mu[out].max() <= per_mu[kept].min()
        assert m.land.used_mu[z.index] == pytest.approx(
            used0[z.index] - land0[out].sum())
    np.testing.assert_allclose(m.land.used_mu, land_used_from_columns(m), rtol=1e-9)


def test_no_recycling_at_zero_share(make_model):
    m = make_model(seed=19, land_recycling_share=0.0)
    n_alive = m.firms.n_alive
    assert m.government.recycle_land() is None
    assert m.firms.n_alive == n_alive


@pytest.mark.parametrize("seed", [22, 20])
def test_recycled_plot_goes_to_a_more_productive_firm(make_model, seed):
    """腾笼换鸟: a project takes a recycled plot only if it yields more value added per mu than
    the firm that left it, uses exactly that plot and meets the standard-land bars; the others'
    plots stay free."""
    m = make_model(seed=seed, initial_enterprises=3000, land_recycling_share=0.05,
                   standard_land_min_tax_yuan_per_mu=1e5)
    plots = m.government.recycle_land()
    cand = redevelopment_candidates(m, plots)
    n = len(plots.zone)
    cols = new_firm_columns(m, n, zone=cand.zone, sector=cand.sector, revenue=cand.revenue,
                            origin=cand.origin)
    free = m.land.free_by_zone()
    free0 = free.copy()
    keep = cand.admit(cols, free)
    assert 0 < keep.sum() < n, "some plots redeveloped, some not (seeded)"
    np.testing.assert_allclose(cols["land_mu"], plots.land_mu)
    va_per_mu = cand.revenue * m.p["value_added_ratio"] * cols["va_factor"] / plots.land_mu
    assert (va_per_mu[keep] > plots.value_added_per_mu[keep]).all()
    assert meets_standard_land(m.p, cand.revenue, plots.land_mu, cols["va_factor"])[keep].all()
    taken = np.bincount(plots.zone[keep], weights=plots.land_mu[keep], minlength=m.n_zones)
    np.testing.assert_allclose(free0 - free, taken)
    # the entrants' land at their zone's revenue per mu is the plot: they fill it, no more
    np.testing.assert_allclose(m.land.need_mu(cand.revenue, cand.zone,
                                              cols["land_productivity"]), plots.land_mu)


# -------------------------------------------------------------------- land quota rules

FOUR_ZONES = """
[[zones]]
id = "river_zone"
name = "沿江区"
county = "other"
kind = "high_tech_zone"
tier = "candidate"
strategic_industries = ["machinery"]
firm_share = 0.1
land_stock_mu = 4000
land_used_share = 0.6
provenance = "assumption"
source = "test zone"

[[zones]]
id = "chip_park"
name = "芯片特色园"
county = "other"
kind = "special_park"
tier = "candidate"
strategic_industries = ["biomedicine"]
firm_share = 0.05
land_stock_mu = 1000
land_used_share = 0.5
provenance = "assumption"
source = "test zone"
"""


@pytest.fixture
def four_zones(scenario_variant):
    return scenario_variant(FOUR_ZONES, "four_zones")


def _quota(m, need, ranks=(2, 1, 4, 3)):
    """The year's quota shares when the zones could not give ``need`` (mu by zone)."""
    m.land.refused_projects_mu = np.asarray(need, dtype=float)
    m.land.refused_requests_mu = np.zeros(m.n_zones)
    return np.asarray(m.government.allocate_land_quota(np.array(ranks)), dtype=float)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rule=st.sampled_from(["uniform", "by_rank", "special_parks"]),
       need=st.lists(st.sampled_from([0.0, 50.0, 400.0, 3000.0]), min_size=4, max_size=4),
       climbed=st.lists(st.booleans(), min_size=4, max_size=4),
       climber_share=st.sampled_from([0.0, 0.3, 1.0]), tilt=st.sampled_from([0.0, 0.7, 1.0]))
def test_land_quota_sums_to_quota_and_follows_need(make_model, four_zones, rule, need, climbed,
                                                   climber_share, tilt):
    """The whole quota is given, none of it negative, into the zones' stock; the climbers'
    part and the special parks' tilt go only to zones that need land, none beyond its need."""
    m = make_model(scenario=four_zones, land_allocation_rule=rule, land_quota_mu_per_year=2000,
                   special_park_tilt=tilt, climber_land_share=climber_share)
    for z, c in zip(m.zones, climbed):
        z.climbed = c
    stock0 = np.array([z.land_stock_mu for z in m.zones])
    shares = _quota(m, need)
    assert shares.sum() == pytest.approx(2000)
    assert (shares >= -1e-9).all()
    np.testing.assert_allclose(np.array([z.land_stock_mu for z in m.zones]) - stock0, shares,
                               atol=1e-6)
    need, climbed = np.array(need), np.array(climbed)
    first = need * climbed * min(1.0, climber_share * 2000 / max((need * climbed).sum(), 1e-9))
    parks = np.array([z.is_special_park for z in m.zones])
    rest = 2000 - first.sum()
    if rule == "uniform":
        np.testing.assert_allclose(shares, first + rest / 4, atol=1e-6)
    elif rule == "special_parks":
        left = (need - first) * parks
        tilt_mu = left * min(1.0, tilt * rest / max(left.sum(), 1e-9))
        np.testing.assert_allclose(shares[parks], first[parks] + tilt_mu[parks], atol=1e-6)
        assert (shares[parks] <= first[parks] + need[parks] - first[parks] + 1e-6).all()


def test_quota_examples(make_model, four_zones):
    """By rank a better rank gets more; climbers get their needs first, up to their share, and
    a climber that needs no land gets no climber's part; the special parks get their needs up
    to the tilt and the rest goes to the other zones."""
    m = make_model(scenario=four_zones, land_allocation_rule="by_rank",
                   land_quota_mu_per_year=2000)
    ranks = np.array([2, 1, 4, 3])
    shares = _quota(m, [0, 0, 0, 0], ranks)
    assert (np.diff(shares[np.argsort(ranks)]) < 0).all(), "a better rank must get more land"
    m = make_model(scenario=four_zones, land_allocation_rule="uniform",
                   land_quota_mu_per_year=2000, climber_land_share=0.4)
    for z in m.zones:
        z.climbed = z.index in (1, 2)
    np.testing.assert_allclose(_quota(m, [500, 300, 0, 900]), [425, 300 + 425, 425, 425])
    np.testing.assert_allclose(_quota(m, [0, 3000, 1000, 0]),
                               [300, 600 + 300, 200 + 300, 300])
    m = make_model(scenario=four_zones, land_allocation_rule="special_parks",
                   land_quota_mu_per_year=2000, special_park_tilt=0.7)
    parks = np.array([z.is_special_park for z in m.zones])
    assert parks.sum() == 2
    need = np.where(parks, [100.0, 300.0, 100.0, 300.0], 0.0)
    shares = _quota(m, need)
    np.testing.assert_allclose(shares[parks], need[parks])
    np.testing.assert_allclose(shares[~parks], (2000 - need.sum()) / 2)
    shares = _quota(m, np.where(parks, 5000.0, 0.0))
    np.testing.assert_allclose(shares[parks], 0.7 * 2000 / 2)
    np.testing.assert_allclose(shares[~parks], 0.3 * 2000 / 2)


def test_special_park_rule_tilts_to_recognised_parks_where_all_are_parks(make_model,
                                                                        four_zones):
    """Where every zone is a special park, the special-park tilt meets the recognised ones'
    need (it would otherwise be uniform and the lever idle)."""
    m = make_model(scenario=four_zones, land_allocation_rule="special_parks",
                   land_quota_mu_per_year=2000, special_park_tilt=0.8)
    for z in m.zones:
        z.kind, z.tier = "special_park", int(z.index == 1)
    shares = _quota(m, [5000, 5000, 5000, 5000], [1, 2, 3, 4])
    assert shares[1] == pytest.approx(0.8 * 2000)
    np.testing.assert_allclose(np.delete(shares, 1), 0.2 * 2000 / 3)


def test_zones_count_the_land_they_could_not_give(make_model):
    """A zone's unmet need is the land of the admissible projects it turned away and what
    its firms asked for at the last step and did not get; the count of projects starts again
    each year."""
    m = make_model(seed=8, initial_enterprises=1500)
    free = np.array([50.0] * m.n_zones)
    zone = np.zeros(4, dtype=np.int32)
    keep = m.land.fit(zone, np.array([30.0, 30.0, 10.0, 40.0]),
                      np.array([True, True, True, False]), free)
    np.testing.assert_array_equal(keep, [True, False, True, False])
    e = m.firms
    inz = np.flatnonzero(e.alive & (e.zone >= 0))
    e.revenue[inz] *= 3.0
    for z in m.zones:
        z.land_stock_mu = z.land_used_mu()                  # no free land at all
    asked = m.land.need_mu(e.revenue[inz], e.zone[inz], e.land_productivity[inz]) \
        - e.land_mu[inz]
    m.land.expand_or_hold()
    want = np.bincount(e.zone[inz], weights=asked, minlength=m.n_zones)
    want[0] += 30.0
    np.testing.assert_allclose(m.land.take_unmet_need(), want, rtol=1e-9)
    np.testing.assert_allclose(m.land.refused_projects_mu, 0.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_ranking_survives_a_zone_without_firms(make_model, scenario_variant):
    sc = scenario_variant(FOUR_ZONES.replace("firm_share = 0.05", "firm_share = 0.0")
                          .replace("land_used_share = 0.5\nprovenance",
                                   "land_used_share = 0.0\nprovenance"), "empty_park")
    m = make_model(scenario=sc, land_allocation_rule="by_rank")
    stats = [firm_indicators(m, m.firms.zone == z.index, m.year) for z in m.zones]
    assert stats[3]["enterprises"] == 0
    ranks = m.government.evaluate_zones(stats)
    assert sorted(ranks.tolist()) == [1, 2, 3, 4]


# -------------------------------------------------------------------------- promotion

def _stats(m, zone, tier_name, **changes):
    """Indicator dict of ``zone`` set exactly at the criteria of ``tier_name``."""
    s = firm_indicators(m, m.firms.zone == zone.index, m.year)
    s.update(rules.zone_tier_criteria(TIER_LEVEL[tier_name], m.p))
    s.update(changes)
    return s


def _promote(m, zone, stats, year, ranks=None) -> bool:
    """Apply, then the deciding level's decision of the same year (no lag): promoted?"""
    m.p["tier_approval_lag_years"] = 0
    zone.apply_for_promotion(stats, year)
    all_stats = [stats if z is zone else {} for z in m.zones]
    ranks = np.arange(1, m.n_zones + 1) if ranks is None else ranks
    return zone in decide_applications(m, all_stats, ranks, year)


@pytest.mark.parametrize("tier_name", ["provincial_creating", "provincial_recognized",
                                       "national"])
def test_zone_promoted_when_meeting_next_tier(model, tier_name):
    z = model.zones[0]
    assert not z.is_special_park
    z.tier = TIER_LEVEL[tier_name] - 1
    z.years_at_tier = 10
    assert _promote(model, z, _stats(model, z, tier_name), 2017)
    assert z.tier_name == tier_name
    assert z.promotions[-1] == (2017, tier_name)


@pytest.mark.parametrize("short", ["industrial_output_yuan", "high_tech_enterprises",
                                   "rd_institutions_municipal_plus",
                                   "high_tech_share_of_above_scale_enterprises"])
def test_zone_not_promoted_when_short_of_one_criterion(model, short):
    z = model.zones[0]
    z.tier = 1
    z.years_at_tier = 10
    s = _stats(model, z, "provincial_creating")
    s[short] = s[short] * 0.99 if isinstance(s[short], float) else s[short] - 1
    if short == "high_tech_share_of_above_scale_enterprises":
        s[short] = model.p["provincial_creating_min_hte_share"] - 0.01
    assert not _promote(model, z, s, 2017)
    assert z.tier == 1 and not z.promotions and z.application is None


def test_zone_needs_years_at_tier(model):
    """Meeting the national criteria is not enough: the zone must have spent
    ``years_below`` full years (year ends) at the tier below."""
    z = model.zones[0]
    z.tier, z.years_at_tier = 3, 0
    s = _stats(model, z, "national")
    need = rules.zone_years_below(TIER_LEVEL["national"], model.p)
    assert need >= 2
    for _ in range(need - 1):
        assert not _promote(model, z, s, 2017)
    assert _promote(model, z, s, 2018)
    assert z.tier_name == "national"


def test_candidate_zone_needs_free_land(model):
    z = model.zones[0]
    z.tier, z.years_at_tier = 0, 5
    s = _stats(model, z, "municipal")
    z.land_stock_mu = z.land_used_mu()  # 用地空间: none left
    assert not _promote(model, z, s, 2017)
    z.land_stock_mu = z.land_used_mu() * 2
    assert _promote(model, z, s, 2017)
    assert z.tier_name == "municipal"


def test_special_park_recognised_by_its_criteria_only(model):
    park = next(z for z in model.zones if z.is_special_park)
    assert park.tier == 0
    s = firm_indicators(model, model.firms.zone == park.index, model.year)
    need = rules.special_park_criteria(model.p)
    s.update(high_tech_or_specialised_enterprises=need["high_tech_or_specialised_enterprises"]
             - 1, strategic_industry_output_share=0.9)
    assert not _promote(model, park, s, 2017)
    s.update(high_tech_or_specialised_enterprises=need["high_tech_or_specialised_enterprises"],
             strategic_industry_output_share=need["strategic_industry_output_share"] - 0.01)
    assert not _promote(model, park, s, 2017)
    s.update(strategic_industry_output_share=need["strategic_industry_output_share"])
    assert _promote(model, park, s, 2017)
    assert park.tier == 1
    # a recognised park does not climb the high-tech-zone ladder, however big it gets
    big = _stats(model, park, "national", high_tech_or_specialised_enterprises=10_000,
                 strategic_industry_output_share=1.0)
    park.years_at_tier = 50
    assert not _promote(model, park, big, 2018)
    assert park.tier == 1


def test_development_zone_keeps_its_tier(model):
    z = model.zones[0]
    z.kind, z.tier, z.years_at_tier = "development_zone", 0, 10
    assert not z.apply_for_promotion(_stats(model, z, "municipal"), 2017)
    assert z.application is None and z.tier == 0


def test_tier_since_gives_the_years_at_tier(make_model, scenario_variant):
    river = 'tier = "candidate"\nstrategic_industries = ["machinery"]'
    sc = scenario_variant(FOUR_ZONES.replace(river, 'tier = "provincial_creating"\n'
                                             'tier_since = 2012\n'
                                             'strategic_industries = ["machinery"]'), "since")
    m = make_model(scenario=sc)
    river = m.zones[m.zone_index("river_zone")]
    assert river.tier_name == "provincial_creating" and river.years_at_tier == 2017 - 2012
    assert all(z.years_at_tier == 0 for z in m.zones if z is not river)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(lag=st.integers(0, 2), quota=st.integers(0, 3), parks_quota=st.integers(0, 2),
       years=st.lists(st.integers(2017, 2021), min_size=4, max_size=4), seed=st.integers(0, 99))
def test_promotions_need_approval_after_the_lag_within_the_quota(make_model, four_zones, lag,
                                                                 quota, parks_quota, years,
                                                                 seed):
    """Zones that meet their next tier's criteria apply in random years; the deciding level
    never promotes a zone that has not applied, nor before the lag, nor more zones to one step
    in a year than its quota."""
    m = make_model(scenario=four_zones, tier_approval_lag_years=lag,
                   municipal_recognitions_per_year=quota, tier_approvals_per_year=quota,
                   special_park_recognitions_per_year=parks_quota)
    rng = np.random.default_rng(seed)
    for z in m.zones:
        z.years_at_tier = 10
        z.land_stock_mu = 10 * z.land_used_mu() + 100
    filed = {}
    for year in range(2017, 2025):
        stats = []
        for z, first in zip(m.zones, years):
            nxt = "special_park" if z.is_special_park else TIERS[min(z.tier + 1, 4)]
            s = (_park_stats(m, z) if z.is_special_park else _stats(m, z, nxt))
            stats.append(s if year >= first else {k: 0 for k in s})
            if z.apply_for_promotion(stats[-1], year):
                filed[z.index] = year
        before = {z.index: z.tier for z in m.zones}
        promoted = decide_applications(m, stats, rng.permutation(m.n_zones) + 1, year)
        steps = {}
        for z in m.zones:
            if z.tier != before[z.index]:
                assert z in promoted and z.tier == before[z.index] + 1
                assert year - filed[z.index] >= lag, "promoted before the lag"
                key = (z.is_special_park, z.tier)
                steps[key] = steps.get(key, 0) + 1
        for (park, _), n in steps.items():
            assert n <= (parks_quota if park else quota)
        assert len(promoted) == sum(steps.values())


def test_quota_spreads_promotions_over_the_years(make_model, four_zones):
    """Two candidates eligible in 2017, a year's assessment and one recognition a year: one is
    promoted in 2018 (the better ranked), the other in 2019, none in 2017."""
    m = make_model(scenario=four_zones, tier_approval_lag_years=1,
                   municipal_recognitions_per_year=1)
    a, b = m.zones[m.zone_index("river_zone")], m.zones[m.zone_index("port_core")]
    for z in (a, b):
        z.tier, z.years_at_tier, z.land_stock_mu = 0, 5, 10 * z.land_used_mu() + 100
    ranks = np.arange(m.n_zones, 0, -1)          # the last zone ranks best
    history = {}
    for year in (2017, 2018, 2019):
        stats = [_stats(m, z, "municipal") if z in (a, b) else {} for z in m.zones]
        for z in (a, b):
            z.apply_for_promotion(stats[z.index], year)
        history[year] = decide_applications(m, stats, ranks, year)
    first = max((a, b), key=lambda z: z.index)
    assert history[2017] == [] and history[2018] == [first]
    assert history[2019] == [a if first is b else b]


def _park_stats(m, park) -> dict:
    s = firm_indicators(m, m.firms.zone == park.index, m.year)
    s.update(rules.special_park_criteria(m.p))
    return s


# ------------------------------------------------------------------ inspection views

def test_enterprise_view_and_frame_agree_with_columns(make_model):
    m = make_model(seed=20)
    run_years(m, 2)
    e = m.firms
    dead = np.flatnonzero(~e.alive)
    assert len(dead) > 0
    picks = np.concatenate([dead[:5], some_alive(m, 10), [e.n - 1]])
    for i in picks:
        row = m.enterprise(int(i))
        assert row["id"] == i
        for col in COLUMNS:
            np.testing.assert_equal(row[col], getattr(e, col)[i], err_msg=f"{i} {col}")
        assert row["zone_id"] == (m.zones[e.zone[i]].zone_id if e.zone[i] >= 0 else None)
        assert row["sector_id"] == m.sector_ids[e.sector[i]]
        assert row["age_years"] == pytest.approx(m.time - e.birth_year[i])
        assert row["above_scale"] == rules.above_scale(e.revenue[i])
    df = m.enterprises_frame()
    assert df.index.tolist() == np.flatnonzero(e.alive).tolist()
    for col in COLUMNS:
        np.testing.assert_array_equal(df[col].to_numpy(), getattr(e, col)[e.alive], err_msg=col)
    full = m.enterprises_frame(include_exited=True)
    assert len(full) == e.n and full.index.tolist() == list(range(e.n))
    np.testing.assert_array_equal(full["alive"].to_numpy(), e.alive)
    for bad in (-1, e.n):
        with pytest.raises(KeyError):
            m.enterprise(bad)


def test_a_finished_model_is_freed(make_model):
    """No class-level registry keeps a model alive once the caller drops it (Mesa 3.3 keeps
    its agent-id counters by model: mesa#3179)."""
    import gc
    import weakref

    m = make_model(seed=27)
    m.run()
    ids = [a.unique_id for a in m.agents]
    assert len(ids) == len(set(ids))
    ref = weakref.ref(m)
    del m
    gc.collect()
    assert ref() is None


# --------------------------------------------------------------- ranking consequences

def test_climbers_get_their_award_for_their_firms_rd(make_model):
    """A climbing zone's certified firms and tech SMEs get climber_award_yuan of R&D this
    year, shared by their R&D; other zones' firms nothing; the budget pays it."""
    m = make_model(seed=7, climber_award_yuan=5e6, initial_enterprises=3000)
    e = m.firms
    decide_rd(m)
    counts = [int((e.alive & (e.zone == z.index) & (e.certified | e.tech_sme)).sum())
              for z in m.zones]
    climber, other = sorted(m.zones, key=lambda z: -counts[z.index])
    climber.climbed, other.climbed = True, False
    rd0 = e.rd_intensity * e.revenue
    real0 = rd0 * e.real_rd_share
    m.budget.clear()
    m.government.fund_climbers_projects()
    rd1 = e.rd_intensity * e.revenue
    mine = e.alive & (e.zone == climber.index) & (e.certified | e.tech_sme) & (rd0 > 0)
    assert mine.sum() > 0
    assert (rd1 - rd0)[mine].sum() == pytest.approx(5e6)
    np.testing.assert_allclose((rd1 - rd0)[mine], 5e6 * rd0[mine] / rd0[mine].sum())
    np.testing.assert_allclose((rd1 * e.real_rd_share - real0)[mine], (rd1 - rd0)[mine])
    np.testing.assert_allclose(rd1[~mine], rd0[~mine])
    assert m.budget.ledger["climber_awards"] == pytest.approx(5e6)


def test_recognised_parks_row_sums_the_recognised_parks(make_model, four_zones):
    """The recognised_parks row of a year is the sum of the special parks at tier ≥ 1 that
    year (none recognised: an empty sum), beside the special_parks row of all of them."""
    m = make_model(scenario=four_zones, special_park_review_streak=100)   # never withdrawn
    parks = [z for z in m.zones if z.is_special_park]
    parks[0].tier = 1
    m.run()
    table = m.indicator_table()
    last = table[table["year"] == m.end_year].set_index("scope")
    recognised = [z for z in m.zones if z.is_special_park and z.tier >= 1]
    assert recognised
    for ind in ("enterprises", "land_used_mu", "above_scale_output_yuan"):
        want = sum(last.loc[f"zone:{z.zone_id}", ind] for z in recognised)
        assert last.loc["recognised_parks", ind] == pytest.approx(want, rel=1e-9)
        assert last.loc["special_parks", ind] >= last.loc["recognised_parks", ind]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["high_tech_zone", "special_park", "development_zone"]),
       tier=st.integers(0, 4), streak=st.integers(1, 3), fails=st.booleans(),
       demotion=st.booleans())
def test_only_a_laggard_on_the_ladder_failing_its_tier_is_demoted(make_model, four_zones, kind,
                                                                  tier, streak, fails,
                                                                  demotion):
    """A zone ranked last ``laggard_warning_streak`` evaluations running loses one tier only
    if ``laggard_demotion`` is on, it is on the high-tech-zone ladder (development zones keep
    theirs) and it no longer meets its own tier's criteria; zones_demoted counts it."""
    m = make_model(scenario=four_zones, laggard_warning_streak=streak,
                   laggard_demotion=int(demotion))
    last = m.zones[0]
    last.kind = kind
    last.tier = min(tier, 1) if kind == "special_park" else tier
    before, others = last.tier, [z.tier for z in m.zones[1:]]
    need = tier_criteria(max(before, 1), last.is_special_park, m.p)
    stats = [firm_indicators(m, m.firms.zone == z.index, m.year) for z in m.zones]
    stats[0].update({k: (0.5 if fails else 1.0) * v for k, v in need.items()})
    ranks = np.array([4, 1, 2, 3])
    for year in range(2017, 2017 + streak):
        m.government.reward_and_warn(ranks, stats, year)
    meant = demotion and kind != "development_zone" and before > 0 and fails
    assert last.tier == before - meant
    assert last.warnings == 1
    assert [z.tier for z in m.zones[1:]] == others
    demoted = sum(t.startswith("demoted") for z in m.zones for _, t in z.promotions)
    assert demoted == int(meant)
