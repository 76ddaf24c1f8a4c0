"""Parameter values checked against the registry, in one place: a scenario file's values and
ranges, overrides of a run (sweeps, sensitivity, calibration, the Python API) and experiment
factors all pass through :func:`check_value`; the options of a run (replicates, seed, steps per
year, workers) from the command line or the API through :func:`check_option`.

A value is valid when its name is registered and it lies in the parameter's domain: one of the
choices of a categorical parameter; otherwise a finite number (not a bool or text), whole for an
integer parameter, within ``minimum``–``maximum``. NaN and infinities are rejected: a comparison
with NaN is always false, so a NaN would otherwise pass every bound and turn results into NaN.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping

from zonesim.errors import ZonesimError, cut
from zonesim.registry.parameter import Parameter
from zonesim.registry.parameters import PARAMETERS


class ParameterError(ZonesimError):
    """A parameter name or value the registry rejects. ``name`` is the parameter, ``field``
    the part of its entry at fault (``value``, ``low``, ``high``; None for the name itself), so
    that the caller can say where it was given."""

    def __init__(self, name: str, field: str | None, message: str):
        super().__init__(message)
        self.name, self.field, self.message = name, field, message


def unknown_name(name: str, echo: bool = True) -> str:
    """What to tell a user who gave the unregistered parameter ``name``: close matches;
    ``echo``: repeat the name (not when the message's key path gives it already)."""
    close = difflib.get_close_matches(str(name)[:200], list(PARAMETERS), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    named = f" {cut(name)!r}" if echo else ""
    return f"unknown parameter{named}{hint}; see `zonesim parameters` for the valid names"


def check_name(name: str) -> Parameter:
    """The registered parameter ``name``; an unknown name is an error with close matches."""
    if name in PARAMETERS:
        return PARAMETERS[name]
    raise ParameterError(name, None, unknown_name(name))


def check_value(name: str, value, field: str = "value", round_integers: bool = False):
    """``value`` of parameter ``name`` if it is valid, else a :class:`ParameterError`.

    ``round_integers``: an integer parameter's value is rounded to the nearest whole number
    (an experiment design's continuous draw) instead of being required whole. Returns the value
    as the engine uses it: the choice, a float, or an int for integer parameters when rounded.
    """
    p = check_name(name)
    if p.categorical:
        if value not in p.choices:
            raise ParameterError(name, field,
                                 f"expected one of {', '.join(p.choices)}, got {cut(repr(value))}")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, field, f"expected a number ({p.unit}), got {cut(repr(value))}")
    try:
        x = float(value)
    except OverflowError:  # a whole number beyond any float: beyond every domain too
        above = value > 0
        raise ParameterError(name, field, f"must be {'≤' if above else '≥'} "
                             f"{p.maximum if above else p.minimum:g} ({p.unit}), got "
                             f"{cut(value, 30)}") from None
    if not math.isfinite(x):
        raise ParameterError(name, field, f"expected a finite number ({p.unit}), got {x}")
    if p.integer and not round_integers and x != int(x):
        raise ParameterError(name, field, f"expected a whole number ({p.unit}), got {value!r}")
    if p.minimum is not None and x < p.minimum:
        raise ParameterError(name, field, f"must be ≥ {p.minimum:g} ({p.unit}), got {x:g}")
    if p.maximum is not None and x > p.maximum:
        raise ParameterError(name, field, f"must be ≤ {p.maximum:g} ({p.unit}), got {x:g}")
    return int(round(x)) if p.integer and round_integers else x


def check_overrides(parameters: dict | None) -> dict:
    """Overrides of registered values for a run (a sweep's point, a sensitivity design's row,
    a call of the Python API): a mapping of known names to values in their domain, integer
    parameters whole (a design rounds its draws before it gets here, so a fraction is a
    mistake, never rounded in silence). The message names the parameter."""
    if parameters is None:
        return {}
    if not isinstance(parameters, Mapping):
        raise ParameterError("parameters", None, "parameters: expected a mapping of parameter "
                             f"names to values, got {type(parameters).__name__}")
    out = {}
    for name, value in parameters.items():
        try:
            x = check_value(name, value)
        except ParameterError as e:
            raise ParameterError(e.name, e.field,
                                 e.message if e.field is None else f"parameter {name}: {e.message}"
                                 ) from None
        out[name] = int(x) if PARAMETERS[name].integer else x
    return out


#: The options of a run besides its parameters: (minimum, maximum, what it is). The bounds of
#: ``steps_per_year`` and ``replicates`` are the scenario format's (docs/scenario_format.md); a
#: seed is stored in int64 columns; workers beyond 1024 processes no machine we run on has.
RUN_OPTIONS: dict[str, tuple[int, int, str]] = {
    "replicates": (1, 100_000, "replicates"),
    "seed": (0, 2**63 - 1, "master seed"),
    "steps_per_year": (1, 52, "steps per year"),
    "workers": (1, 1024, "worker processes"),
    "dask_local": (1, 1024, "worker processes"),
    "replicate": (0, 99_999, "replicate number"),
    # design sizes are bounded by designs.MAX_RUNS once the points are counted; this bound
    # only keeps the count itself a number a machine can hold
    "samples": (1, 10**9, "samples"),
    # ABC-SMC: a population of 100 000 particles or 100 generations is beyond any calibration
    # the 2-core machines here could finish (a particle is at least one ≈ 0.06 s run)
    "particles": (1, 100_000, "particles"),
    "populations": (1, 100, "populations"),
}


def check_option(name: str, value) -> int:
    """``value`` of run option ``name`` (see :data:`RUN_OPTIONS`) if it is a whole number in its
    bounds — not a bool, not a fraction — else a :class:`ParameterError` naming the option."""
    low, high, what = RUN_OPTIONS[name]
    whole = isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and math.isfinite(value) and value == int(value))
    if isinstance(value, bool) or not whole:
        raise ParameterError(name, "value", f"{name}: expected a whole number of {what}, "
                             f"got {cut(repr(value))}")
    if not low <= value <= high:
        raise ParameterError(name, "value", f"{name}: expected {low}–{high} ({what}), "
                             f"got {cut(int(value), 30)}")
    return int(value)


def check_run_options(**options) -> dict:
    """The given run options checked by :func:`check_option`; None means "the default" and is
    kept as it is."""
    return {k: None if v is None else check_option(k, v) for k, v in options.items()}
