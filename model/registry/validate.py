"""Parameter values checked against the registry, in one place: a scenario file's values and
ranges, overrides of a run (sweeps, sensitivity, calibration) and experiment factors
all pass through :func:`check_value`.

A value is valid when its name is registered and it lies in the parameter's domain: one of the
choices of a categorical parameter; otherwise a finite number (not a bool or text), whole for an
integer parameter, within ``minimum``–``maximum``. NaN and infinities are rejected: a comparison
with NaN is always false, so a NaN would otherwise pass every bound and turn results into NaN.
"""

from __future__ import annotations

import difflib
import math
import numbers

from zonesim.errors import ZonesimError
from zonesim.registry.parameter import Parameter
from zonesim.registry.parameters import PARAMETERS


class ParameterError(ZonesimError):
    """A parameter name or value the registry rejects. ``name`` is the parameter, ``field``
    the part of its entry at fault (``value``, ``low``, ``high``; None for the name itself), so
    that the caller can say where it was given."""

    def __init__(self, name: str, field: str | None, message: str):
        super().__init__(message)
        self.name, self.field, self.message = name, field, message


def unknown_name(name: str) -> str:
    """What to tell a user who gave the unregistered parameter ``name``: close matches."""
    close = difflib.get_close_matches(str(name), list(PARAMETERS), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return (f"unknown parameter {str(name)[:80]!r}{hint}; see `zonesim parameters` for the "
            "valid names")


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
                                 f"expected one of {', '.join(p.choices)}, got {value!r:.80}")
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(name, field, f"expected a number ({p.unit}), got {value!r:.80}")
    x = float(value)
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
    """Overrides of registered values for a run (a sweep's point, a sensitivity design's row): every name
    known, every value in its domain (integer parameters rounded). The message names the
    parameter."""
    out = {}
    for name, value in (parameters or {}).items():
        try:
            out[name] = check_value(name, value, round_integers=True)
        except ParameterError as e:
            raise ParameterError(e.name, e.field,
                                 e.message if e.field is None else f"parameter {name}: {e.message}"
                                 ) from None
    return out
