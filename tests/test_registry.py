"""The parameter registry's entries are checked as the package loads them: a broken entry
names itself and what is wrong."""

from __future__ import annotations

import pytest

from zonesim.registry.parameters import _entry

GOOD = dict(name="x_rate", default=0.5, unit="share", kind="uncertainty",
            provenance="assumption", low=0.2, high=0.8, maximum=1.0, meaning="m", source="s")


def test_a_good_entry_loads():
    p = _entry(GOOD)
    assert (p.low, p.high, p.minimum, p.maximum) == (0.2, 0.8, 0.0, 1.0)


@pytest.mark.parametrize("change, problem", [
    ({"default": 0.9}, "default outside its range"),
    ({"high": 1.2}, "range outside the valid domain"),
    ({"low": None, "high": None}, "an assumption needs a low-high range"),
    ({"kind": "fixed"}, "a fixed value has no range"),
    ({"kind": "policy"}, "kind 'policy'"),
    ({"colour": "red"}, "unknown field"),
    ({"kind": "fixed", "low": None, "high": None, "default": 1.5}, "default outside the valid domain"),
])
def test_a_broken_entry_is_refused_by_name(change, problem):
    with pytest.raises(ValueError, match=problem) as e:
        _entry({**GOOD, **change})
    assert "x_rate" in str(e.value)


def test_every_indicator_has_a_level_and_a_unit():
    from zonesim.registry.indicators import INDICATORS
    for i in INDICATORS.values():
        assert i.level in ("firms", "city", "zone"), i.name
        assert i.unit and i.meaning and i.label, i.name
