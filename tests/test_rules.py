"""The published rules (shared/data/RULES.md) as pure functions: boundary cases from the text,
scalar and array forms, and properties that must hold for any input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zonesim import rules
from zonesim.registry.parameters import defaults

M = 1_000_000.0

# a firm that meets every certification rule with room to spare (revenue 30 M: 5 % band)
OK = dict(revenue_yuan=30 * M, rd_intensity=0.08, high_tech_revenue_share=0.8,
          st_staff_share=0.2, invention_patents=1, other_ip=0, age_years=3.0, min_other_ip=4)
#: the registry's defaults, for the rules that read parameters
P = defaults()


def eligible(**changes):
    return rules.high_tech_eligible(**{**OK, **changes})


# ------------------------------------------------------------------ R&D intensity bands

@pytest.mark.parametrize("revenue, threshold", [
    (0.0, 0.05), (1 * M, 0.05), (49.99 * M, 0.05),
    (50 * M, 0.05),                      # ≤ 50 M (inclusive): 5 %
    (50 * M + 1, 0.04), (120 * M, 0.04),
    (200 * M, 0.04),                     # 50-200 M (200 M inclusive): 4 %
    (200 * M + 1, 0.03), (5_000 * M, 0.03),  # > 200 M: 3 %
])
def test_rd_threshold_bands(revenue, threshold):
    assert rules.rd_intensity_threshold(revenue) == pytest.approx(threshold)
    assert isinstance(rules.rd_intensity_threshold(revenue), float)


def test_rd_threshold_array_matches_scalars():
    rev = np.array([10 * M, 50 * M, 60 * M, 200 * M, 250 * M])
    out = rules.rd_intensity_threshold(rev)
    assert isinstance(out, np.ndarray) and out.shape == rev.shape
    np.testing.assert_allclose(out, [0.05, 0.05, 0.04, 0.04, 0.03])
    np.testing.assert_allclose(out, [rules.rd_intensity_threshold(r) for r in rev])


@given(st.floats(0, 1e12), st.floats(0, 1e12))
def test_rd_threshold_never_rises_with_revenue(a, b):
    lo, hi = sorted((a, b))
    assert rules.rd_intensity_threshold(hi) <= rules.rd_intensity_threshold(lo)
    assert rules.rd_intensity_threshold(a) in (0.05, 0.04, 0.03)


# ----------------------------------------------------------- high-tech certification

def test_reference_firm_is_eligible():
    assert eligible() is True


@pytest.mark.parametrize("revenue, rd, expected", [
    (50 * M, 0.05, True), (50 * M, 0.0499, False),          # 5 % band, edge inclusive
    (50 * M + 1, 0.04, True), (50 * M + 1, 0.0399, False),  # 4 % band starts above 50 M
    (200 * M, 0.04, True), (200 * M, 0.0399, False),        # 200 M still in the 4 % band
    (200 * M + 1, 0.03, True), (200 * M + 1, 0.0299, False),  # > 200 M: 3 %
    (10 * M, 0.045, False),                                  # 4.5 % is not enough below 50 M
    (300 * M, 0.035, True),
])
def test_certification_rd_band_edges(revenue, rd, expected):
    assert eligible(revenue_yuan=revenue, rd_intensity=rd) is expected


@pytest.mark.parametrize("share, expected", [(0.60, True), (0.5999, False), (1.0, True),
                                             (0.0, False)])
def test_certification_high_tech_revenue_at_least_60_percent(share, expected):
    assert eligible(high_tech_revenue_share=share) is expected


@pytest.mark.parametrize("share, expected", [(0.10, True), (0.0999, False), (0.5, True)])
def test_certification_st_staff_at_least_10_percent(share, expected):
    assert eligible(st_staff_share=share) is expected


@pytest.mark.parametrize("inv, other, expected", [
    (1, 0, True), (0, 0, False), (0, OK["min_other_ip"], True),
    (0, OK["min_other_ip"] - 1, False), (3, 10, True)])
def test_certification_needs_own_ip(inv, other, expected):
    assert eligible(invention_patents=inv, other_ip=other) is expected


@pytest.mark.parametrize("age, expected", [(1.0, True), (0.999, False), (0.0, False),
                                           (20.0, True)])
def test_certification_needs_one_year(age, expected):
    assert eligible(age_years=age) is expected


def test_certification_array_form_agrees_with_scalars():
    rng = np.random.default_rng(5)
    n = 500
    args = dict(revenue_yuan=np.exp(rng.uniform(np.log(1e6), np.log(1e9), n)),
                rd_intensity=rng.uniform(0, 0.08, n),
                high_tech_revenue_share=rng.uniform(0.4, 1, n),
                st_staff_share=rng.uniform(0.05, 0.2, n),
                invention_patents=rng.integers(0, 3, n), other_ip=rng.integers(0, 6, n),
                age_years=rng.uniform(0, 3, n))
    out = rules.high_tech_eligible(**args, min_other_ip=4)
    assert out.dtype == bool and out.shape == (n,)
    scalar = [rules.high_tech_eligible(**{k: v[i] for k, v in args.items()}, min_other_ip=4)
              for i in range(n)]
    assert out.tolist() == scalar
    assert 0 < out.sum() < n  # the draw covers both outcomes


firm = st.fixed_dictionaries(dict(
    revenue_yuan=st.floats(0, 1e10),
    rd_intensity=st.floats(0, 0.3),
    high_tech_revenue_share=st.floats(0, 1),
    st_staff_share=st.floats(0, 1),
    invention_patents=st.integers(0, 5),
    other_ip=st.integers(0, 10),
    age_years=st.floats(0, 30),
    min_other_ip=st.integers(1, 8),
))


@given(firm, st.floats(0, 0.3))
def test_eligibility_monotone_in_rd_intensity(f, more):
    """Spending more on R&D (same everything else) never makes a firm ineligible."""
    if rules.high_tech_eligible(**f):
        assert rules.high_tech_eligible(**{**f, "rd_intensity": f["rd_intensity"] + more})


@given(firm)
def test_below_band_threshold_never_eligible(f):
    thr = rules.rd_intensity_threshold(f["revenue_yuan"])
    below = {**f, "rd_intensity": min(f["rd_intensity"], np.nextafter(thr, 0))}
    assert rules.high_tech_eligible(**below) is False


@given(firm)
def test_eligible_means_every_rule_met(f):
    if rules.high_tech_eligible(**f):
        assert f["rd_intensity"] >= rules.rd_intensity_threshold(f["revenue_yuan"])
        assert f["high_tech_revenue_share"] >= 0.6
        assert f["st_staff_share"] >= 0.1
        assert f["age_years"] >= 1.0
        assert f["invention_patents"] >= 1 or f["other_ip"] >= f["min_other_ip"]


# ----------------------------------------------------------------------- tech SME

SME = dict(revenue_yuan=100 * M, employees=200, rd_intensity=0.03, st_staff_share=0.15,
           own_ip=False, rd_with_staff=0.02, rd_with_ip=0.01)


@pytest.mark.parametrize("changes, expected", [
    ({}, True),
    ({"employees": 500}, True), ({"employees": 501}, False),
    ({"revenue_yuan": 200 * M}, True), ({"revenue_yuan": 200 * M + 1}, False),
    ({"rd_intensity": 0.0}, False),
    ({"st_staff_share": 0.05}, False),                       # score: no S&T staff, no IP
    ({"st_staff_share": 0.05, "own_ip": True}, True),        # ... IP with 1 % R&D suffices
    ({"st_staff_share": 0.05, "own_ip": True, "rd_intensity": 0.009}, False),
])
def test_tech_sme(changes, expected):
    assert rules.tech_sme_eligible(**{**SME, **changes}) is expected


def test_tech_sme_array():
    out = rules.tech_sme_eligible(np.array([100 * M, 300 * M]), np.array([100, 100]),
                                  np.array([0.03, 0.03]), np.array([0.2, 0.2]),
                                  np.array([True, True]), 0.02, 0.01)
    assert out.tolist() == [True, False]


# -------------------------------------------------------------------- above scale

@pytest.mark.parametrize("revenue, expected", [(20 * M, True), (20 * M - 1, False),
                                               (0.0, False), (1e9, True)])
def test_above_scale_at_20_million(revenue, expected):
    assert rules.above_scale(revenue) is expected


def test_above_scale_array():
    assert rules.above_scale(np.array([19e6, 20e6, 21e6])).tolist() == [False, True, True]


# ------------------------------------------------------------------------ exit hazard

@pytest.mark.parametrize("age, hazard", [
    (0.0, 0.016), (0.5, 0.016),    # year 1: 1.6 %
    (1.0, 0.063), (1.9, 0.063),    # year 2: 6.3 %
    (2.0, 0.095), (2.99, 0.095),   # year 3: 9.5 % (the SAIC peak)
    (3.0, 0.085), (6.5, 0.085),    # years 4-7: above 8 %
    (7.0, 0.04), (40.0, 0.04),
])
def test_exit_hazard_by_age(age, hazard):
    assert rules.exit_hazard(age, P) == pytest.approx(hazard)


@given(st.floats(0, 100))
def test_exit_hazard_peaks_in_year_three(age):
    h = rules.exit_hazard(age, P)
    assert 0.0 <= h <= 0.095 + 1e-12
    assert (h == pytest.approx(0.095)) == (2.0 <= age < 3.0)


@given(st.floats(0, 100), st.floats(0, 20))
def test_exit_hazard_scales_and_stays_a_probability(age, scale):
    h = rules.exit_hazard(age, {**P, "exit_hazard_scale": scale})
    assert 0.0 <= h <= 1.0
    assert h == pytest.approx(min(rules.exit_hazard(age, P) * scale, 1.0))


def test_exit_hazard_array():
    out = rules.exit_hazard(np.array([0.5, 2.5, 10.0]), P)
    np.testing.assert_allclose(out, [0.016, 0.095, 0.04])


# ---------------------------------------------------------- probability within a step

@given(st.floats(0, 1), st.integers(1, 52))
def test_probability_within_a_step_compounds_to_annual(p, k):
    q = float(rules.probability_within(p, 1.0 / k))
    assert 0.0 <= q <= p + 1e-12
    assert 1.0 - (1.0 - q) ** k == pytest.approx(p, abs=1e-9)


def test_probability_within_values():
    assert float(rules.probability_within(0.19, 0.5)) == pytest.approx(0.1)
    assert float(rules.probability_within(0.3, 1.0)) == pytest.approx(0.3)
    np.testing.assert_allclose(rules.probability_within(np.array([0.0, 1.0]), 0.25), [0.0, 1.0])


# ----------------------------------------------------------------------- R&D user cost

def test_rd_user_cost_values():
    assert rules.rd_user_cost(0.0, 0.0, 0.25, 0.05) == pytest.approx(1.0)
    assert rules.rd_user_cost(0.0, 0.75, 0.25, 0.05) == pytest.approx(1 - 0.25 * 0.75)
    assert rules.rd_user_cost(0.1, 1.0, 0.25, 0.05) == pytest.approx(0.65)
    # the certificate's 15 % rate makes the deduction worth less: dearer R&D
    assert rules.rd_user_cost(0.0, 1.0, 0.15, 0.05) > rules.rd_user_cost(0.0, 1.0, 0.25, 0.05)


@given(st.floats(0, 0.5), st.floats(0, 0.5), st.floats(0, 2), st.floats(0, 2),
       st.sampled_from([0.15, 0.25]))
def test_rd_user_cost_falls_with_subsidy_and_deduction(s1, s2, d1, d2, tax):
    s_lo, s_hi = sorted((s1, s2))
    d_lo, d_hi = sorted((d1, d2))
    c_lo = rules.rd_user_cost(s_lo, d_lo, tax, 0.05)
    c_hi = rules.rd_user_cost(s_hi, d_hi, tax, 0.05)
    assert c_hi <= c_lo
    assert 0.0 < c_hi <= 1.0


# ------------------------------------------- firm classes: large/medium, specialised, gazelle

@given(st.floats(0, 10_000))
def test_large_or_medium_is_300_staff_or_more(staff):
    assert bool(rules.large_or_medium(staff)) == (staff >= 300)


SPEC = dict(revenue_yuan=50 * M, rd_intensity=0.04, invention_patents=0, other_ip=5,
            age_years=3.0)


@pytest.mark.parametrize("changes, expected", [
    ({}, True),
    ({"revenue_yuan": 10 * M}, True), ({"revenue_yuan": 10 * M - 1}, False),
    ({"revenue_yuan": 400 * M}, False),
    ({"rd_intensity": 0.03}, True), ({"rd_intensity": 0.029}, False),
    ({"other_ip": 4}, False), ({"other_ip": 0, "invention_patents": 1}, True),
    ({"age_years": 1.9}, False),
])
def test_specialised_sme(changes, expected):
    assert bool(rules.specialised_sme(**{**SPEC, **changes})) is expected


@given(st.floats(0, 20), st.floats(1 * M, 1e9), st.floats(0.5, 3.0))
def test_gazelle_needs_youth_size_and_20_percent_growth(age, before, ratio):
    is_gazelle = bool(rules.gazelle(age, before, before * ratio, 2))
    assert is_gazelle == (age <= 10 and before >= 10 * M and before * ratio >= before * 1.2 ** 2)


def test_innovative_leader_needs_every_criterion():
    args = dict(certified=True, revenue_yuan=600 * M, rd_level=2, invention_patents=5,
                min_revenue_yuan=500 * M, min_invention_patents=5)
    assert bool(rules.innovative_leader(**args))
    for change in ({"certified": False}, {"revenue_yuan": 499 * M}, {"rd_level": 1},
                   {"invention_patents": 4}):
        assert not bool(rules.innovative_leader(**{**args, **change}))


# ----------------------------------------------------------------- zone promotion criteria

def test_municipal_criteria_are_seed_000s():
    c = rules.zone_tier_criteria(1, {})
    assert c["industrial_output_yuan"] == 10e9 and c["high_tech_enterprises"] == 12
    assert c["rd_institutions_municipal_plus"] == 20
    assert rules.zone_years_below(1, {}) == 0


def test_higher_tier_criteria_come_from_the_parameters():
    from zonesim.registry.parameters import defaults
    p = {**defaults(), "national_min_high_tech": 999, "national_min_years_below": 7}
    assert rules.zone_tier_criteria(4, p)["high_tech_enterprises"] == 999
    assert rules.zone_years_below(4, p) == 7
    assert rules.special_park_criteria(p)["high_tech_or_specialised_enterprises"] == \
        p["special_park_min_high_tech_or_specialised"]
