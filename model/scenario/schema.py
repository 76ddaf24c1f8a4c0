"""The scenario schema: what a scenario file may say, strictly validated.

A scenario is data: the place (sectors, zones, incubation carriers), parameter values from the
registry in :mod:`zonesim.registry.parameters` each with its provenance, the targets of the
source document with their clauses, and exogenous events. See docs/scenario_format.md for
the file format.

Every user mistake becomes a :class:`ScenarioError` naming the file, the key path and what was
expected; the CLI prints it without a traceback.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from zonesim.registry import scopes
from zonesim.registry.indicators import CARRIER_LEVELS, INDICATORS, TIERS
from zonesim.registry.parameters import PARAMETERS
from zonesim.errors import ScenarioError, cut
from zonesim.registry.validate import RUN_OPTIONS, ParameterError, check_value, unknown_name


class _Strict(BaseModel):
    # no NaN or infinity anywhere: a comparison with NaN is always false, so a NaN target is
    # always missed and -inf always met, silently
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


#: An id is part of file names (figures/<target>.png, out/<scenario>/): lower-case letters,
#: digits and underscores, at most 64 characters, so it is a valid name on every file system.
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
ID_MAX_CHARS = 64


class ParameterValue(_Strict):
    #: any TOML value: the registry's one validator checks it (a number or a choice, finite,
    #: not a bool, whole for integer parameters, in its domain) and says so with the unit
    value: Any
    provenance: Literal["seed", "statistic", "assumption"]
    source: str = Field(min_length=3)
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _assumption_has_range(self):
        if self.provenance == "assumption" and not isinstance(self.value, str):
            if self.low is None or self.high is None:
                raise ValueError("an 'assumption' needs a plausible range: give 'low' and 'high'")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"'low' ({self.low}) must not exceed 'high' ({self.high})")
        return self


class SectorSpec(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=ID_MAX_CHARS)
    name: str
    high_tech: bool
    firm_share: float = Field(ge=0.0, le=1.0)
    #: energy use per unit of value added, relative to the city's manufacturing average (1:
    #: the average, also when the scenario gives none); its source belongs in ``source``
    energy_intensity: float = Field(default=1.0, gt=0.0, le=100.0)
    source: str = Field(min_length=3)


class ZoneSpec(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=ID_MAX_CHARS)
    name: str
    county: str = Field(min_length=1)
    kind: Literal["high_tech_zone", "special_park", "development_zone"] = "high_tech_zone"
    tier: Literal[TIERS] = "candidate"  # type: ignore[valid-type]
    #: the year the zone reached its tier (None: unknown, taken as reached at the start)
    tier_since: int | None = Field(default=None, ge=1980, le=2100)
    strategic_industries: list[str] = Field(default_factory=list, max_length=4)
    focus: str = ""
    firm_share: float = Field(ge=0.0, le=1.0)
    #: at most 10 million mu (≈ 6 700 km²), more than any Chinese zone or new area holds
    land_stock_mu: float = Field(gt=0.0, le=1e7)
    land_used_share: float = Field(ge=0.0, le=1.0)
    host_zone: str | None = None
    provenance: Literal["seed", "statistic", "assumption"]
    source: str = Field(min_length=3)


class TownSpec(_Strict):
    """A town or street (镇街) outside the zones: a unit the plans want carriers in."""
    id: str = Field(pattern=ID_PATTERN, max_length=ID_MAX_CHARS)
    name: str
    source: str = Field(min_length=3)


class IncubatorGroup(_Strict):
    kind: Literal["maker_space", "incubator", "accelerator"]
    zone: str
    #: the town (``[[towns]]`` id) of carriers outside the zones (``zone = "city"``)
    town: str | None = None
    count: int = Field(ge=0, le=500)
    level: Literal[CARRIER_LEVELS] | None = Field(  # type: ignore[valid-type]
        None, description="accreditation at the start; by default the highest level whose "
        "criteria the carrier meets at the start (it has been in operation "
        "carrier_initial_age_years)")
    source: str = Field(min_length=3)


class Event(_Strict):
    kind: Literal["demand_shock"]
    year: int
    size: float = Field(ge=-0.9, le=0.9, description="log-revenue change over the year")
    sectors: list[str] = Field(default_factory=list)
    provenance: Literal["seed", "statistic", "assumption"]
    source: str = Field(min_length=3)


#: What a target's P(met) is (docs/scenario_format.md): only a forecast is the model's answer
#: to whether the plan reaches its goal; the others are shown as what they are.
TARGET_KINDS = {
    "forecast": "forecast",
    "input": "set by the scenario",
    "check": "start value taken from the goal",
    "threshold": "analyst's number for a goal without one",
}


class Target(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=ID_MAX_CHARS)
    indicator: str
    #: "~": within the tolerance band around ``value`` (左右, 约)
    comparator: Literal[">=", ">", "<=", "<", "~"] = ">="
    value: float
    year: int | None = None
    years: list[int] | None = None
    #: the indicator's level, its average yearly growth since ``base_year`` or its increase
    #: since ``base_year`` (新增)
    measure: Literal["level", "cagr", "change"] = "level"
    base_year: int | None = None
    scope: str = "city"
    #: for an ``each_zone`` scope: the share of the zones that must meet the goal (1: every
    #: zone, the worst decides; 0.5: the median zone)
    zone_share: float = Field(default=1.0, gt=0.0, le=1.0)
    #: for an ``each_zone`` scope: the zones the goal is about (default: every zone), e.g.
    #: the zones a plan builds, without those at a higher tier before it
    zones: list[str] | None = Field(default=None, min_length=1)
    #: an approximate goal's relative half-width (0.1: "30 左右" is 27–33), an assumption with
    #: its plausible ``tolerance_range``; with ">=" or "<=" it widens the goal on one side
    tolerance: float | None = Field(default=None, gt=0.0, lt=1.0)
    tolerance_range: list[float] | None = Field(default=None, min_length=2, max_length=2)
    kind: Literal[tuple(TARGET_KINDS)] = "forecast"  # type: ignore[valid-type]
    clause: str = Field(min_length=4)
    modelled: bool = True
    reason: str = ""
    note: str = ""

    @field_validator("indicator")
    @classmethod
    def _known_indicator(cls, v):
        if v not in INDICATORS and v != "not_modelled":
            import difflib
            close = difflib.get_close_matches(v[:200], INDICATORS, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ValueError(f"unknown indicator{hint}; see `zonesim indicators` for the "
                             "valid names")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        if (self.year is None) == (self.years is None):
            raise ValueError("give exactly one of 'year' (a stock target) or 'years' "
                             "(a target to meet in each listed year)")
        if self.years is not None and not self.years:
            raise ValueError("'years' must list at least one year")
        if self.years is not None and len(set(self.years)) < len(self.years):
            raise ValueError("'years' lists a year twice")
        if self.measure != "level" and self.base_year is None:
            raise ValueError(f"a '{self.measure}' target needs 'base_year'")
        if self.kind != "forecast" and len(self.note) < 4:
            raise ValueError(f"a target of kind '{self.kind}' needs a 'note' saying what set "
                             "its number")
        self._check_tolerance()
        if (self.zone_share < 1.0 or self.zones) and not self.scope.startswith("each_zone"):
            raise ValueError("'zone_share' and 'zones' are for an 'each_zone' scope")
        if not self.modelled and len(self.reason) < 4:
            raise ValueError("a target with modelled = false needs a 'reason'")
        if self.modelled and self.indicator == "not_modelled":
            raise ValueError("indicator 'not_modelled' is only for modelled = false")
        return self

    def _check_tolerance(self) -> None:
        if (self.tolerance is None) != (self.tolerance_range is None):
            raise ValueError("an approximate goal gives both 'tolerance' and its plausible "
                             "'tolerance_range' = [low, high]")
        if self.tolerance is not None:
            low, high = self.tolerance_range
            if not 0.0 <= low <= self.tolerance <= high < 1.0:
                raise ValueError(f"'tolerance_range' must hold 'tolerance' ({self.tolerance:g})"
                                 " within [0, 1)")
            if self.comparator in (">", "<"):
                raise ValueError("a tolerance goes with '~', '>=' or '<='")
        if self.comparator == "~":
            if self.tolerance is None:
                raise ValueError("comparator '~' (about) needs 'tolerance' and "
                                 "'tolerance_range'")
            if self.years is not None and len(self.years) > 1 or \
                    self.scope.startswith("each_zone"):
                raise ValueError("comparator '~' is for one year and one scope (a band has "
                                 "no worst side)")

    @property
    def target_years(self) -> list[int]:
        return list(self.years) if self.years is not None else [self.year]

    @property
    def final_year(self) -> int:
        return max(self.target_years)


class Meta(_Strict):
    id: str = Field(pattern=ID_PATTERN, max_length=ID_MAX_CHARS)
    title: str
    region: str
    document: str
    document_title: str = ""
    description: str = ""
    start_year: int = Field(ge=1990, le=2100)
    end_year: int = Field(ge=1990, le=2100)
    steps_per_year: int = Field(default=4, ge=RUN_OPTIONS["steps_per_year"][0],
                                le=RUN_OPTIONS["steps_per_year"][1])
    default_replicates: int = Field(default=50, ge=RUN_OPTIONS["replicates"][0],
                                    le=RUN_OPTIONS["replicates"][1])


class CalibrationSpec(_Strict):
    """How the scenario's posterior is made (``zonesim calibrate SCENARIO --ship``): the run-in
    fitted by ABC-SMC, the data and the sampler's settings. The posterior is stored at
    ``scenarios/posteriors/<runin>.csv``; variants inherit the table, so share it."""

    runin: str = Field(pattern=ID_PATTERN, max_length=ID_MAX_CHARS)
    data: str = Field(pattern=r"^[A-Za-z0-9_.-]+\.csv$")  # a file of the package's data/
    parameters: list[str] | None = None
    populations: int = Field(default=6, ge=1, le=RUN_OPTIONS["populations"][1])
    particles: int = Field(default=300, ge=1, le=RUN_OPTIONS["particles"][1])
    replicates: int = Field(default=1, ge=1, le=20)
    seed: int = Field(default=0, ge=0)
    predictive: int = Field(default=200, ge=10, le=10_000)


class Scenario(_Strict):
    """A validated scenario. Build with :func:`~zonesim.scenario.load.load_scenario`."""

    #: the file's ``[scenario]`` table: id, title, region, document, years, step length
    meta: Meta = Field(alias="scenario")
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    sectors: list[SectorSpec]
    zones: list[ZoneSpec] = Field(default_factory=list)
    towns: list[TownSpec] = Field(default_factory=list)
    incubators: list[IncubatorGroup] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    calibration: CalibrationSpec | None = None
    _path: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _cross_checks(self):
        m = self.meta
        if m.end_year < m.start_year:
            raise _at("scenario.end_year", f"{m.end_year} is before start_year "
                      f"({m.start_year})")
        _unique("sectors", [s.id for s in self.sectors])
        _unique("zones", [z.id for z in self.zones])
        _unique("targets", [t.id for t in self.targets])
        _unique("towns", [w.id for w in self.towns])
        sector_ids = {s.id for s in self.sectors}
        zone_ids = {z.id for z in self.zones}
        zone_kinds = {z.id: z.kind for z in self.zones}
        for i, z in enumerate(self.zones):
            for s in z.strategic_industries:
                if s not in sector_ids:
                    raise _at(f"zones[{i}].strategic_industries",
                              f"unknown sector {cut(s)!r}; sectors: {', '.join(sorted(sector_ids))}")
            if z.host_zone == z.id:
                raise _at(f"zones[{i}].host_zone", "a zone cannot host itself")
            if z.host_zone is not None and z.host_zone not in zone_ids:
                raise _at(f"zones[{i}].host_zone", f"unknown zone {cut(z.host_zone)!r}")
        if sum(z.firm_share for z in self.zones) > 1.0 + 1e-9:
            raise _at("zones", "the zones' firm_share values add up to more than 1")
        if abs(sum(s.firm_share for s in self.sectors) - 1.0) > 1e-6:
            raise _at("sectors", "the sectors' firm_share values must add up to 1 (they add "
                      f"up to {sum(s.firm_share for s in self.sectors):.4f})")
        for i, z in enumerate(self.zones):
            if z.tier_since is not None and z.tier_since > m.start_year:
                raise _at(f"zones[{i}].tier_since", f"{z.tier_since} is after the start year "
                          f"{m.start_year}: a zone starts at the tier it holds then")
        for i, g in enumerate(self.incubators):
            if g.zone != "city" and g.zone not in zone_ids:
                raise _at(f"incubators[{i}].zone", f"unknown zone {cut(g.zone)!r} (or 'city')")
            if g.town is not None and g.zone != "city":
                raise _at(f"incubators[{i}].town", "a town's carriers lie outside the zones: "
                          "give zone = 'city' with a town")
            if g.town is not None and g.town not in {w.id for w in self.towns}:
                raise _at(f"incubators[{i}].town", f"unknown town {cut(g.town)!r}; towns: "
                          + (", ".join(w.id for w in self.towns) or "none ([[towns]])"))
        for i, e in enumerate(self.events):
            if not m.start_year <= e.year <= m.end_year:
                raise _at(f"events[{i}].year", f"{cut(e.year, 12)} is outside the horizon "
                          f"{m.start_year}-{m.end_year}")
            for s in e.sectors:
                if s not in sector_ids:
                    raise _at(f"events[{i}].sectors", f"unknown sector {cut(s)!r}")
        for name, pv in self.parameters.items():
            _check_parameter(name, pv)
        for i, t in enumerate(self.targets):
            _check_target(i, t, m, zone_kinds, sum(z.firm_share for z in self.zones))
        return self

    # --------------------------------------------------------------- conveniences
    def value(self, name: str):
        """The value of parameter ``name`` in this scenario (the registry default if unset)."""
        if name in self.parameters:
            return self.parameters[name].value
        return PARAMETERS[name].default

    def values(self) -> dict[str, Any]:
        """Every registered parameter's value in this scenario."""
        return {name: self.value(name) for name in PARAMETERS}

    def provenance(self, name: str) -> dict[str, Any]:
        """Where the value of ``name`` comes from: provenance, source and range."""
        if name in self.parameters:
            pv = self.parameters[name]
            return {"provenance": pv.provenance, "source": pv.source, "low": pv.low,
                    "high": pv.high}
        p = PARAMETERS[name]
        return {"provenance": p.provenance, "source": "registry default: " + p.source,
                "low": p.low, "high": p.high}

    @property
    def modelled_targets(self) -> list[Target]:
        return [t for t in self.targets if t.modelled]

    @property
    def name(self) -> str:
        return self.meta.id

    @property
    def path(self) -> str:
        """The file the scenario was loaded from."""
        return self._path


def check_scenario(scenario) -> Scenario:
    """``scenario`` if it is a loaded :class:`Scenario`, else a ScenarioError saying how to get
    one (a path or a dict passed to the Python API in its place)."""
    if not isinstance(scenario, Scenario):
        raise ScenarioError(f"scenario: expected a Scenario (zonesim.load_scenario(name or "
                            f"path)), got {type(scenario).__name__} {cut(repr(scenario), 60)}")
    return scenario


def _unique(what: str, ids: list[str]) -> None:
    seen = set()
    for i in ids:
        if i in seen:
            raise _at(what, f"id {i!r} appears twice")
        seen.add(i)


class _LocatedError(ValueError):
    def __init__(self, loc: str, msg: str):
        super().__init__(msg)
        self.loc = loc
        self.msg = msg


def _at(loc: str, msg: str) -> _LocatedError:
    return _LocatedError(loc, msg)


def _check_parameter(name: str, pv: ParameterValue) -> None:
    """The value and range of ``parameters.<name>`` by the registry's one validator."""
    try:
        for field, x in (("value", pv.value), ("low", pv.low), ("high", pv.high)):
            if x is not None:
                check_value(name, x, field)
    except ParameterError as e:
        if e.field is None:  # the key names the parameter: say it once
            raise _at(f"parameters.{cut(name)}", unknown_name(name, echo=False)) from None
        raise _at(f"parameters.{name}.{e.field}", e.message) from None
    if pv.low is not None and pv.high is not None and not pv.low <= pv.value <= pv.high:
        raise _at(f"parameters.{name}.value",
                  f"{pv.value:g} lies outside its own range [{pv.low:g}, {pv.high:g}]")


def _check_target(i: int, t: Target, m: Meta, zone_kinds: dict[str, str],
                  zone_share: float) -> None:
    loc = f"targets[{i}] ({t.id})"
    for y in t.target_years:
        if not m.start_year - 1 <= y <= m.end_year:
            raise _at(loc + ".year", f"{cut(y, 12)} is outside the horizon "
                      f"{m.start_year}-{m.end_year}")
    if t.base_year is not None and not m.start_year - 1 <= t.base_year < min(t.target_years):
        raise _at(loc + ".base_year", f"{cut(t.base_year, 12)} must lie in {m.start_year - 1}.."
                  f"{min(t.target_years) - 1} (the start of the run to before the target year)")
    if not t.modelled:
        return
    indicator = INDICATORS[t.indicator]
    if indicator.flow and not indicator.in_history:
        # the year before the start is the starting state: its history gives only some flows
        if min(t.target_years) < m.start_year:
            raise _at(loc + ".year", f"{t.indicator} is a yearly flow the starting state does "
                      f"not hold; its years must lie in {m.start_year}-{m.end_year} (the "
                      "simulated years)")
        if t.base_year is not None and t.base_year < m.start_year:
            raise _at(loc + ".base_year", f"{t.indicator} is a yearly flow the starting state "
                      f"does not hold; its base year must lie in {m.start_year}-"
                      f"{min(t.target_years) - 1}")
    try:
        scope = scopes.check(t.scope, INDICATORS[t.indicator], zone_kinds)
    except ValueError as e:
        raise _at(loc + ".scope", str(e)) from None
    for z in t.zones or []:
        if z not in zone_kinds:
            raise _at(loc + ".zones", f"unknown zone {cut(z)!r}")
    if scope.kind == "zones" and scope.tier and t.measure != "level":
        raise _at(loc + ".scope", f"'{t.scope}' gains zones as they are promoted, so its "
                  f"{t.measure} would count promotions as growth; use 'zones' (a fixed set) "
                  "or a level goal")
    if t.scope == "rest_of_city" and zone_share >= 1.0 - 1e-9:
        raise _at(loc + ".scope", "scope 'rest_of_city' is empty: the zones' firm_share "
                  "values add up to 1")
