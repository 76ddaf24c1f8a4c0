"""Quick what-ifs: a scenario with some parameters set from the command line (``--set
NAME=VALUE``), validated as if the values were in the file.

A value set this way is a planner's assumption: its provenance says so and names the option,
and its plausible range is the scenario's (or the registry's) widened to hold the value, so a
sensitivity analysis of the what-if still varies it over a range that contains it.
"""

from __future__ import annotations

import tomllib

from pydantic import ValidationError

from zonesim.errors import ZonesimError, cut
from zonesim.registry.parameters import PARAMETERS
from zonesim.registry.validate import ParameterError, check_value
from zonesim.scenario.schema import ID_MAX_CHARS, Scenario


#: What a what-if's id ends with.
SUFFIX = "_what_if"


class SettingError(ZonesimError):
    """A ``--set NAME=VALUE`` that is malformed or names a value the registry refuses."""


def parse_setting(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` → (name, value): VALUE is read as a TOML value (``0.1``, ``30``,
    ``by_rank`` or ``"by_rank"``), then checked by the registry's one validator."""
    name, sep, raw = str(text).partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name or not raw:
        raise SettingError(f"--set {cut(text)!r}: expected NAME=VALUE (e.g. "
                           "--set rd_subsidy_rate=0.1)")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word: a categorical parameter's choice
    try:
        value = check_value(name, value)
    except ParameterError as e:
        raise SettingError(f"--set {cut(name)}: {e.message}") from None
    return name, int(value) if PARAMETERS[name].integer else value


def with_settings(scenario: Scenario, settings: list[str] | None) -> Scenario:
    """``scenario`` with the ``NAME=VALUE`` settings applied (each name at most once), checked
    like a scenario file, its id ending in ``_what_if`` and its title naming the settings; the
    scenario itself when there are none."""
    if not settings:
        return scenario
    values: dict[str, object] = {}
    for text in settings:
        name, value = parse_setting(text)
        if name in values:
            raise SettingError(f"--set {name}: given twice")
        values[name] = value
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    for name, value in values.items():
        data["parameters"][name] = _assumed(scenario, name, value)
    # a what-if is named as one, so its results never pass for the scenario's own
    meta = data["scenario"]
    meta["id"] = f"{meta['id'][:ID_MAX_CHARS - len(SUFFIX)]}{SUFFIX}"
    meta["title"] = f"{meta['title']} — what-if: {', '.join(settings)}"
    try:
        out = Scenario(**data)
    except (ValidationError, ValueError) as e:
        raise SettingError(f"--set: the scenario with these values is inconsistent: "
                           f"{cut(e, 200)}") from None
    out._path = scenario.path
    return out


#: How a what-if's value says where it comes from (its source begins so).
WHAT_IF_SOURCE = "what-if: --set "


def set_values(scenario: Scenario) -> list[str]:
    """The parameters a what-if set (``--set``): runs hold them at the value set rather than
    draw them (:mod:`zonesim.analysis.uncertainty`)."""
    return [n for n, pv in scenario.parameters.items() if pv.source.startswith(WHAT_IF_SOURCE)]


def _assumed(scenario: Scenario, name: str, value) -> dict:
    """The parameter entry of a value set on the command line."""
    entry = {"value": value, "provenance": "assumption",
             "source": f"{WHAT_IF_SOURCE}{name}={value} on the command line"}
    if PARAMETERS[name].categorical:
        return entry
    prov = scenario.provenance(name)
    low, high = prov["low"], prov["high"]
    low = value if low is None else min(low, value)
    high = value if high is None else max(high, value)
    return {**entry, "low": low, "high": high}
