"""Special parks in and out (seed 004 §三 end: 先建后评、有进有出、动态管理, 认定和授牌…在相关
政策支持方面予以倾斜): recognised parks are reviewed every year against the recognition criteria
and lose their status when they stay below them; a recognised park's firms get the yearly
award for their R&D."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import firm_indicators
from zonesim import rules
from zonesim.engine.observe import city_level
from zonesim.engine.rd import decide_rd


def _park(model):
    return next(z for z in model.zones if z.is_special_park)


def _stats(model, zone, meets: bool) -> list[dict]:
    """Every zone's indicators, ``zone``'s set just at (or just below) the recognition
    criteria."""
    s = firm_indicators(model, model.firms.zone == zone.index, model.year)
    need = rules.special_park_criteria(model.p)
    s.update(need)
    if not meets:
        s["high_tech_or_specialised_enterprises"] = need["high_tech_or_specialised_enterprises"] - 1
    return [s if z is zone else {} for z in model.zones]


def test_a_park_below_the_criteria_for_the_streak_loses_its_recognition(model):
    model.p["special_park_review_streak"] = 2
    park = _park(model)
    park.tier = 1
    gov = model.government
    assert gov.review_special_parks(_stats(model, park, False), 2017) == []
    assert park.tier == 1, "one review below is a warning"
    gov.review_special_parks(_stats(model, park, True), 2018)
    assert park.reviews_failed == 0, "a review that meets the criteria clears the count"
    gov.review_special_parks(_stats(model, park, False), 2019)
    assert gov.review_special_parks(_stats(model, park, False), 2020) == [park]
    assert park.tier == 0 and park.promotions[-1] == (2020, "withdrawn")
    city = city_level(model, {"strategic_out": np.zeros(model.n_zones + 1)})
    assert city["special_parks_withdrawn"] == 1 and city["special_parks"] == 0


def test_candidates_and_high_tech_zones_are_not_reviewed(model):
    model.p["special_park_review_streak"] = 1
    park = _park(model)
    zone = next(z for z in model.zones if not z.is_special_park)
    tier = zone.tier
    assert model.government.review_special_parks(_stats(model, park, False), 2017) == []
    assert park.tier == 0 and park.reviews_failed == 0
    assert model.government.review_special_parks(_stats(model, zone, False), 2017) == []
    assert zone.tier == tier


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reviews=st.lists(st.booleans(), min_size=1, max_size=8), streak=st.integers(1, 4))
def test_a_park_is_withdrawn_exactly_when_it_stays_below(make_model, reviews, streak):
    """Never withdrawn in a year it meets the criteria; withdrawn as soon as it has failed
    ``streak`` reviews running."""
    m = make_model(seed=1, special_park_review_streak=streak)
    park = _park(m)
    park.tier = 1
    run = 0
    for year, meets in enumerate(reviews, start=2017):
        if park.tier == 0:
            break
        out = m.government.review_special_parks(_stats(m, park, meets), year)
        run = 0 if meets else run + 1
        assert (park in out) == (run >= streak)
        assert not (meets and park in out)


def test_recognised_parks_get_their_award_for_their_firms_rd(make_model):
    """A recognised park's certified firms and tech SMEs get special_park_award_yuan of R&D a
    year, shared by their R&D; a candidate park's firms nothing; the budget pays it."""
    m = make_model(seed=7, special_park_award_yuan=3e6, initial_enterprises=3000)
    e = m.firms
    decide_rd(m)
    park = _park(m)
    rd0 = e.rd_intensity * e.revenue
    m.budget.clear()
    m.government.fund_recognised_parks()
    np.testing.assert_allclose(e.rd_intensity * e.revenue, rd0, err_msg="a candidate: nothing")
    park.tier = 1
    m.government.fund_recognised_parks()
    rd1 = e.rd_intensity * e.revenue
    mine = e.alive & (e.zone == park.index) & (e.certified | e.tech_sme) & (rd0 > 0)
    assert mine.sum() > 0
    assert (rd1 - rd0)[mine].sum() == pytest.approx(3e6)
    np.testing.assert_allclose(rd1[~mine], rd0[~mine])
    assert m.budget.ledger["special_park_awards"] == pytest.approx(3e6)
