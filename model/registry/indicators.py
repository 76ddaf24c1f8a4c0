"""The indicator registry: every quantity a target can be set on, with its unit, meaning and the
planner's label (the entries are in ``indicators.toml`` beside this module); how each unit is
shown (``DISPLAY_UNITS``, the one place that says it for the console, figures and notebooks);
and the zone tiers.

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


@dataclass(frozen=True)
class DisplayUnit:
    """How values of a unit are shown: divided by ``divisor``, then followed by ``text`` where
    Chinese can be shown (the console; figures where a CJK font is installed) and by ``latin``
    where it cannot (figures on a machine without one)."""
    divisor: float
    text: str
    latin: str


#: How planners read values of a unit; other units are shown as they are (in text without
#: the unit, which the indicator's label names: "Tech SMEs ≥ 200"). Money is in the
#: units the plans set their goals in — 亿元 (10⁸ yuan: "工业开票销售突破1000亿元") and, per mu,
#: 万元 (10⁴ yuan: 亩均产出) — so a simulated value reads against the plan's own number. The
#: Latin names are the China Statistical Yearbook's English for the same units, with "×" so that
#: an amount reads as one number ("1,000 × 100 million yuan", not "1,000 100 million yuan").
#: The Chinese leaves "per year" out, as the plans do.
DISPLAY_UNITS = {
    "share": DisplayUnit(0.01, "%", "%"),
    "yuan": DisplayUnit(1e8, "亿元", "× 100 million yuan"),
    "yuan per year": DisplayUnit(1e8, "亿元", "× 100 million yuan per year"),
    "yuan per mu per year": DisplayUnit(1e4, "万元/亩", "× 10 000 yuan per mu per year"),
}


@dataclass(frozen=True)
class Indicator:
    name: str
    #: the planner's short label in figures and tables; English only, as figures on a machine
    #: without a CJK font must show it (the documents' Chinese terms are in ``meaning``)
    label: str
    unit: str
    meaning: str
    level: Level
    #: True for quantities counted within a year (flows): new certifications, patents filed
    flow: bool = False
    #: True for flows the starting firms' history gives the year before the start (its last
    #: certification round, a settled year of patent filings and grants); the initial state's
    #: other flows are NaN
    in_history: bool = False

    @property
    def shown(self) -> DisplayUnit:
        """How the indicator's values are shown: its unit's entry of ``DISPLAY_UNITS``."""
        return DISPLAY_UNITS.get(self.unit, DisplayUnit(1.0, "", self.unit))

    @property
    def tiers(self) -> bool:
        """True when the values are zone tier levels (0 … 4, see ``TIERS``)."""
        return self.unit.startswith("tier")


INDICATORS_FILE = Path(__file__).with_name("indicators.toml")
INDICATORS: dict[str, Indicator] = {
    raw["name"]: Indicator(**raw)
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

#: Accreditation levels of a local incubation carrier (maker space, incubator, accelerator),
#: lowest first (a level's number is its position): the ids scenario files use.
CARRIER_LEVELS = ("unaccredited", "municipal", "provincial", "national")
