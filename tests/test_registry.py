"""The parameter registry's entries are checked as the package loads them: a broken entry
names itself and what is wrong."""

from __future__ import annotations

import pytest

from zonesim.registry.parameters import _entry

GOOD = dict(name="x_rate", default=0.5, unit="share", kind="uncertainty",
            provenance="assumption", low=0.2, high=0.8, minimum=0.0, maximum=1.0, meaning="m",
            source="s")


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
    ({"integer": True, "default": 1, "low": 0, "high": 1, "maximum": 2.5}, "domain ends not whole"),
])
def test_a_broken_entry_is_refused_by_name(change, problem):
    with pytest.raises(ValueError, match=problem) as e:
        _entry({**GOOD, **change})
    assert "x_rate" in str(e.value)


@pytest.mark.parametrize("change", [
    {"maximum": None}, {"minimum": None}, {"maximum": float("inf")}, {"minimum": float("nan")},
    {"maximum": "1"}, {"maximum": True},
])
def test_a_numeric_entry_without_a_finite_domain_is_refused_by_name(change):
    raw = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(ValueError, match="needs a finite minimum and maximum") as e:
        _entry(raw)
    assert "x_rate" in str(e.value) and "\n" not in str(e.value)


def test_a_categorical_entry_needs_no_domain():
    p = _entry(dict(name="x_rule", default="a", choices=["a", "b"], unit="rule", kind="lever",
                    provenance="assumption", meaning="m", source="s"))
    assert p.minimum is None and p.maximum is None


def test_every_indicator_has_a_level_and_a_unit():
    from zonesim.registry.indicators import INDICATORS
    for i in INDICATORS.values():
        assert i.level in ("firms", "city", "zone"), i.name
        assert i.unit and i.meaning and i.label, i.name
