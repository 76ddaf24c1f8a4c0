"""The indicator registry: every quantity a target can be set on, with its unit, meaning, the
planner's label and the unit it is shown in (the entries are in ``indicators.toml`` beside
this module); and the zone tiers.

The same snake_case names serve as target indicators and result columns. Where an indicator can
be measured depends on its level (the scopes themselves are in :mod:`zonesim.registry.scopes`):

- ``firms`` indicators aggregate over a set of enterprises, so they work for every scope;
- ``city`` indicators describe the city as a whole (zone counts by tier, tech-loan balance);
- ``zone`` indicators describe one zone (its tier, its land).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Level = Literal["firms", "city", "zone"]

#: How planners read values of a unit: divisor and display unit (shares in %, yuan in bn yuan,
#: yuan per mu in 10 000 yuan (万元) per mu); other units are shown as they are.
DISPLAY_UNITS = {
    "share": (0.01, "%"),
    "yuan": (1e9, "bn yuan"),
    "yuan per year": (1e9, "bn yuan per year"),
    "yuan per mu per year": (1e4, "10 000 yuan per mu per year"),
}


@dataclass(frozen=True)
class Indicator:
    name: str
    #: the planner's short label in figures and tables; English only, as matplotlib's default
    #: fonts have no CJK glyphs (the documents' Chinese terms are in ``meaning``)
    label: str
    unit: str
    meaning: str
    level: Level
    #: True for quantities counted within a year (flows): new certifications, patents filed
    flow: bool = False
    #: divisor and display unit where the unit's own (DISPLAY_UNITS) does not suit the amounts
    shown_in: tuple[float, str] | None = None

    @property
    def display(self) -> tuple[float, str]:
        """Divisor and unit the indicator's values are shown in."""
        return self.shown_in or DISPLAY_UNITS.get(self.unit, (1.0, self.unit))


INDICATORS_FILE = Path(__file__).with_name("indicators.toml")
INDICATORS: dict[str, Indicator] = {
    raw["name"]: Indicator(**{**raw, "shown_in": tuple(raw["shown_in"]) if "shown_in" in raw
                              else None})
    for raw in tomllib.loads(INDICATORS_FILE.read_text(encoding="utf-8"))["indicator"]}

#: The zone tiers, lowest first (a tier's level is its position): the id scenario files and
#: scopes use, and the name shown to planners.
_TIER_TABLE = (
    ("candidate", "candidate"),
    ("municipal", "municipal"),
    ("provincial_creating", "provincial 'creating'"),
    ("provincial_recognized", "provincial 'recognized'"),
    ("national", "national"),
)
TIERS = tuple(tier for tier, _ in _TIER_TABLE)
TIER_LEVEL = {tier: level for level, tier in enumerate(TIERS)}
TIER_LABEL = {level: label for level, (_, label) in enumerate(_TIER_TABLE)}
