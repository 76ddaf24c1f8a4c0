"""The experiment space: the factors an experiment varies and their SALib problem.

Vocabulary after the EMA workbench: *uncertainties* (assumptions with a plausible range) and
*levers* (policy instruments) span the space; a :class:`Factor` is one of its dimensions, with
the range it is varied over in the parameter's own unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from zonesim.errors import ExperimentError, cut
from zonesim.registry.parameters import PARAMETERS
from zonesim.registry.validate import ParameterError, check_value, unknown_name
from zonesim.scenario import Scenario


@dataclass(frozen=True)
class Factor:
    """One dimension of the experiment space: a parameter varied over ``low``–``high`` in its
    registry ``unit``."""

    name: str
    low: float
    high: float
    kind: str          # "uncertainty" or "lever" (registry kind; initial counts as uncertainty)
    integer: bool
    unit: str


def uncertainty_space(scenario: Scenario, names: list[str] | None = None,
                      include_levers: bool = True) -> list[Factor]:
    """The scenario's uncertain parameters (assumptions with a non-empty low–high range) and,
    if asked, its levers with ranges; ``names`` restricts (and validates) the selection."""
    factors = []
    for name, p in PARAMETERS.items():
        if p.categorical:
            continue
        prov = scenario.provenance(name)
        low, high = prov["low"], prov["high"]
        if low is None or high is None or not high > low:
            continue
        kind = "lever" if p.kind == "lever" else "uncertainty"
        if prov["provenance"] != "assumption" and kind != "lever":
            continue
        if kind == "lever" and not include_levers and not names:
            continue
        factors.append(Factor(name, float(low), float(high), kind, p.integer, p.unit))
    if names:
        unknown = [n for n in names if n not in PARAMETERS]
        if unknown:
            raise ExperimentError("; ".join(unknown_name(n) for n in unknown))
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ExperimentError(f"parameter(s) given twice: {', '.join(dup)}")
        by_name = {f.name: f for f in factors}
        fixed = [n for n in names if n not in by_name]
        if fixed:
            raise ExperimentError(
                f"parameter(s) {', '.join(fixed)} have no low–high range in {scenario.name} "
                "(fixed by a seed clause or a statistic, a zero-width range, or categorical); "
                "give a range with `zonesim sweep --param NAME=LOW:HIGH` or an assumption range "
                "in the scenario")
        factors = [by_name[n] for n in names]
    return factors


def check_factor(name: str, low: float, high: float) -> Factor:
    """A factor given on the command line: known parameter, both ends of the range in its
    valid domain (:func:`~zonesim.registry.validate.check_value`), LOW below HIGH."""
    if name not in PARAMETERS:
        raise ExperimentError(unknown_name(name))
    p = PARAMETERS[name]
    if p.categorical:
        raise ExperimentError(f"parameter {name} is categorical ({', '.join(p.choices)}); "
                              "compare scenario variants instead")
    for end, x in (("LOW", low), ("HIGH", high)):
        try:
            check_value(name, x, end, round_integers=True)
        except ParameterError as e:
            raise ExperimentError(f"parameter {name}, {end}: {e.message}") from None
    if not high > low:
        raise ExperimentError(f"parameter {name}: range {low:g}:{high:g} is empty "
                              "(LOW must be below HIGH)")
    if p.integer and math.floor(high) < math.ceil(low):
        raise ExperimentError(f"parameter {name} takes whole numbers and {low:g}:{high:g} "
                              "holds none")
    kind = "lever" if p.kind == "lever" else "uncertainty"
    return Factor(name, float(low), float(high), kind, p.integer, p.unit)


def salib_problem(factors: list[Factor], groups: str | None = None) -> dict:
    """A SALib problem dict; ``groups='kind'`` groups factors into uncertainties and levers."""
    problem = {"num_vars": len(factors), "names": [f.name for f in factors],
               "bounds": [[f.low, f.high] for f in factors]}
    if groups == "kind":
        problem["groups"] = [f.kind for f in factors]
        if len(set(problem["groups"])) < 2:
            raise ExperimentError("--groups kind needs both uncertainties and levers among the "
                                  "factors (drop --no-levers or add a lever to --params)")
    elif groups is not None:
        raise ExperimentError(f"unknown grouping {groups!r} (expected 'kind')")
    return problem


def group_names(problem: dict) -> list[str]:
    """The names indices are reported by: the groups of a grouped problem, else the factors."""
    groups = problem.get("groups")
    if not groups:
        return list(problem["names"])
    return list(dict.fromkeys(groups))



def check_factors(factors) -> list[Factor]:
    """Factors given to the Python API: a list of :class:`Factor`, each re-checked as a range
    from the command line is (:func:`check_factor`), each name once."""
    if isinstance(factors, Factor) or not isinstance(factors, (list, tuple)) or \
            not all(isinstance(f, Factor) for f in factors):
        raise ExperimentError("factors: expected a list of Factor (zonesim.analysis.space."
                              f"check_factor(name, low, high)), got {cut(repr(factors), 60)}")
    names = [f.name for f in factors]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ExperimentError(f"parameter(s) given twice: {', '.join(dup)}")
    return [check_factor(f.name, f.low, f.high) for f in factors]


def check_names(names) -> list[str] | None:
    """Parameter names given to the Python API: None (every factor) or a non-empty list."""
    if names is None:
        return None
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise ExperimentError(f"names: expected a non-empty list of parameter names, got "
                              f"{cut(repr(names), 60)}")
    return list(names)
