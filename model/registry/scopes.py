"""The scope grammar: where an indicator is read and a target must be met.

- ``city`` (all firms), ``zones`` (firms in any zone), ``special_parks``, ``recognised_parks``
  (the special parks recognised in the year) and ``rest_of_city``: rows of the indicator table
  that aggregate over a set of firms or zones;
- ``zones:<tier>``: the high-tech zones at that tier or above in the year, together (市级以上
  高新区: the set follows promotions); recorded for the scenarios whose targets read it;
- ``zone:<id>``: one zone, the table's row of that name;
- ``each_zone`` and ``each_zone:<tier>``: every zone (at that tier or above in the year), each
  on its own row: the target must hold in each, so the worst zone decides;
- ``county:<id>`` (calibration data only, not targets): the zones of one county-level unit
  together, summed from their rows.

Which scopes an indicator allows follows from its level (:class:`Indicator`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from zonesim.registry.indicators import TIER_LEVEL, TIERS, Indicator

#: the scopes that are one row of the indicator table, each in words (long, short)
AGGREGATES = {
    "city": ("whole city", ""),
    "zones": ("all zones together", "all zones"),
    "special_parks": ("all special parks together", "all special parks"),
    "recognised_parks": ("the special parks recognised in the year, together",
                         "recognised parks"),
    "rest_of_city": ("outside the zones", "outside the zones"),
}
HELP = ("'city', 'zones', 'zones:<tier>', 'special_parks', 'recognised_parks', "
        "'rest_of_city', 'zone:<zone id>', 'each_zone' or 'each_zone:<tier>' (tier one of "
        + ", ".join(TIERS) + ")")


@dataclass(frozen=True)
class Scope:
    #: one of AGGREGATES, "zone", "each_zone" or "county"
    kind: str
    #: the zone of a ``zone:<id>`` scope
    zone: str = ""
    #: the county-level unit of a ``county:<id>`` scope
    county: str = ""
    #: the lowest tier of an ``each_zone:<tier>`` or ``zones:<tier>`` scope
    tier: str = ""

    @property
    def min_level(self) -> int | None:
        """The lowest tier level a zone must hold to count (None: every zone counts)."""
        return TIER_LEVEL[self.tier] if self.tier else None


def tier_scope(tier: str) -> str:
    """The indicator table's scope of the high-tech zones at ``tier`` or above."""
    return f"zones:{tier}"


def aggregate_tiers(scope_names: Iterable[str]) -> list[str]:
    """The tiers of the ``zones:<tier>`` scopes among ``scope_names``, lowest first: the rows
    a run records besides the fixed ones."""
    tiers = {s.tier for s in map(parse, scope_names) if s.kind == "zones" and s.tier}
    return sorted(tiers, key=TIER_LEVEL.get)


def parse(scope: str) -> Scope:
    """The scope ``scope`` names; ValueError when it follows no form of the grammar."""
    if scope.startswith("zone:"):
        return Scope("zone", zone=scope[5:])
    if scope.startswith("county:"):
        return Scope("county", county=scope[7:])
    if scope == "each_zone":
        return Scope("each_zone")
    if scope.startswith("each_zone:") and scope[10:] in TIERS:
        return Scope("each_zone", tier=scope[10:])
    if scope.startswith("zones:") and scope[6:] in TIERS:
        return Scope("zones", tier=scope[6:])
    if scope in AGGREGATES:
        return Scope(scope)
    raise ValueError(f"expected {HELP}, got {scope[:80]!r}")


def check(scope: str, indicator: Indicator, zone_kinds: Mapping[str, str]) -> Scope:
    """The scope ``scope`` names, checked against the scenario's zones (``zone_kinds``: zone id →
    kind) and where ``indicator`` is measured; ValueError says what is wrong. A scope no zone
    of the scenario can fill is refused: its indicator would be zero in every run and the target
    reported as missed for a reason that is not the policy."""
    s = parse(scope)
    if s.kind == "county":
        raise ValueError(f"a county scope is for calibration data; expected {HELP}")
    if s.kind == "zone" and s.zone not in zone_kinds:
        raise ValueError(f"unknown zone {s.zone[:80]!r}")
    if s.kind in ("zones", "each_zone") and not zone_kinds:
        raise ValueError(f"scope {scope!r} needs zones and the scenario has none")
    if s.kind in ("special_parks", "recognised_parks") and \
            "special_park" not in zone_kinds.values():
        raise ValueError(f"scope {s.kind!r} needs a zone of kind 'special_park' and the "
                         "scenario has none")
    if indicator.level == "city" and s.kind != "city":
        raise ValueError(f"indicator {indicator.name} is measured for the whole city: "
                         "scope must be 'city'")
    if indicator.level == "zone" and s.kind == "rest_of_city":
        raise ValueError(f"indicator {indicator.name} is measured for zones")
    return s


def zone_scope(zone_id: str) -> str:
    """The indicator table's scope of one zone."""
    return f"zone:{zone_id}"


def members(scope: str, zone_ids: Iterable[str],
            counties: dict[str, list[str]] | None = None) -> list[str]:
    """The indicator table's scopes a scope reads: itself, every zone's (each_zone), or its
    county's zones' (``counties``: county id → its zone ids)."""
    s = parse(scope)
    if s.kind == "each_zone":
        return [zone_scope(z) for z in zone_ids]
    if s.kind == "county":
        return [zone_scope(z) for z in (counties or {}).get(s.county, [])]
    return [scope]


def label(scope: str, city: str = AGGREGATES["city"][0]) -> str:
    """The scope in words ('all zones together', 'every zone at tier ≥ municipal (worst zone
    shown)'); ``city``: what to call the whole city."""
    s = parse(scope)
    if s.kind == "city":
        return city
    if s.kind == "zone":
        return f"zone {s.zone}"
    if s.kind == "each_zone":
        return f"every zone{_at_tier(s)} (worst zone shown)"
    if s.tier:
        return f"the high-tech zones at tier ≥ {s.tier} in the year, together"
    return AGGREGATES[s.kind][0]


def short_label(scope: str) -> str:
    """The scope in a few words for a target's label ('' for the whole city, the zone's id for
    one zone)."""
    s = parse(scope)
    if s.kind == "zone":
        return s.zone
    if s.kind == "each_zone":
        return f"every zone{_at_tier(s)}"
    if s.tier:
        return f"zones at tier ≥ {s.tier}"
    return AGGREGATES[s.kind][1]


def _at_tier(s: Scope) -> str:
    return f" at tier ≥ {s.tier}" if s.tier else ""
