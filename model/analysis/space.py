"""The experiment space: the factors an experiment varies and their SALib problem.

Vocabulary after the EMA workbench: *uncertainties* (assumptions with a plausible range) and
*levers* (policy instruments) span the space; a :class:`Factor` is one of its dimensions, with
the range it is varied over in the parameter's own unit.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

from zonesim.errors import ExperimentError
from zonesim.registry.parameters import PARAMETERS
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


def _unknown_name(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown parameter {name!r}{hint}; see `zonesim parameters`"


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
            raise ExperimentError("; ".join(_unknown_name(n, PARAMETERS) for n in unknown))
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
    """A factor given on the command line: known parameter, range inside its valid domain."""
    if name not in PARAMETERS:
        raise ExperimentError(_unknown_name(name, PARAMETERS))
    p = PARAMETERS[name]
    if p.categorical:
        raise ExperimentError(f"parameter {name} is categorical ({', '.join(p.choices)}); "
                              "compare scenario variants instead")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ExperimentError(f"parameter {name}: range {low:g}:{high:g} is not finite")
    if not high > low:
        raise ExperimentError(f"parameter {name}: range {low:g}:{high:g} is empty "
                              "(LOW must be below HIGH)")
    lo_ok = p.minimum is None or low >= p.minimum
    hi_ok = p.maximum is None or high <= p.maximum
    if not (lo_ok and hi_ok):
        bad = low if not lo_ok else high
        dom_lo = "−∞" if p.minimum is None else f"{p.minimum:g}"
        dom_hi = "∞" if p.maximum is None else f"{p.maximum:g}"
        raise ExperimentError(f"parameter {name}: {bad:g} is outside its valid domain "
                              f"[{dom_lo}, {dom_hi}] ({p.unit})")
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

