"""The published statistics a calibration fits, read and checked before any run.

A statistics CSV (or a table given to the Python API) has the columns indicator, scope, year,
value and optionally scenario (rows of other scenarios are ignored), weight (default 1 when the
column is absent) and unit (when given, the indicator's registered unit). Every row is checked,
and a mistake is one line naming the file, the row (the CSV's line number) and the column:

- year a whole number; value and weight finite numbers, weight ≥ 0; a value is never negative
  (every indicator is a count, an amount or a share) and a share lies in 0–1 (44 % is 0.44);
- the indicator registered (:mod:`zonesim.registry.indicators`); for the scenario's rows the
  scope valid for it in that scenario (:func:`zonesim.registry.scopes.check`), or
  ``county:<id>`` — the scenario's zones in that county, summed — for a yuan total or a ratio
  of ``RATIOS``; ``each_zone`` is refused (a statistic is one number);
- one row per indicator, scope and year of the scenario; a fitted value (weight > 0) non-zero
  (the distance is relative to it).
"""

from __future__ import annotations

import csv
import difflib
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from zonesim.errors import CalibrationError, cut
from zonesim.registry import scopes
from zonesim.registry.indicators import INDICATORS
from zonesim.scenario import Scenario

DATA_COLUMNS = ["indicator", "scope", "year", "value"]
#: Ratio indicators that can be measured on a union of zones (scope ``county:<id>``), as
#: (numerator, denominator) totals of the zone rows; a ratio whose totals the table lacks
#: (the R&D intensities, R&D/GDP) cannot be summed over zones and is not listed.
RATIOS = {"high_tech_output_share": ("high_tech_output_yuan", "above_scale_output_yuan")}
#: Units whose values add up over zones (scope ``county:<id>``).
SUMMABLE_UNITS = ("yuan", "yuan per year")


@dataclass(frozen=True)
class Statistic:
    """One published statistic to fit: ``indicator`` at ``scope`` in ``year``, its observed
    ``value`` (in the indicator's unit) and its ``weight`` in the distance; ``where``: the
    file and row it was read from."""

    indicator: str
    scope: str
    year: int
    value: float
    weight: float = 1.0
    label: str = ""
    where: str = field(default="", compare=False)


@dataclass
class DataTable:
    """The rows of a statistics table as given: ``source`` (the file, or "calibration data"),
    its columns, and per row where it is (``line 3``, ``row 2``) and its cells."""

    source: str
    columns: list[str]
    rows: list[tuple[str, dict]]

    def error(self, where: str, column: str | None, message: str) -> CalibrationError:
        at = f", column {column}" if column else ""
        return CalibrationError(f"{self.source}, {where}{at}: {message}")


def read_data(path: str | Path) -> DataTable:
    """The statistics CSV at ``path``, every cell as text, each row with its line number."""
    p = Path(path)
    name = cut(p, 200)
    if not p.is_file():
        why = "file not found" if not p.exists() else "not a regular file"
        raise CalibrationError(f"{name}: {why} (expected a statistics CSV)")
    try:
        with open(p, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if not header or not any(h.strip() for h in header):
                raise CalibrationError(f"{name}: empty; expected a header line "
                                       f"{','.join(DATA_COLUMNS)}")
            columns = [h.strip() for h in header]
            twice = sorted({c for c in columns if columns.count(c) > 1})
            if twice:
                raise CalibrationError(f"{name}, line 1: column {cut(twice[0], 40)!r} given twice")
            table = DataTable(name, columns, [])
            start = reader.line_num + 1
            for cells in reader:
                where, start = f"line {start}", reader.line_num + 1
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) > len(columns):
                    raise table.error(where, None, f"{len(cells)} fields, the header has "
                                      f"{len(columns)} (a comma inside a value needs quotes)")
                table.rows.append((where, dict(zip(columns, cells))))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CalibrationError(f"{name}: cannot read the statistics CSV "
                               f"({cut(getattr(e, 'strerror', None) or e, 120)})") from None
    return table


def from_frame(data: pd.DataFrame) -> DataTable:
    """A table given to the Python API, each row named by its index label."""
    columns = [str(c) for c in data.columns]
    rows = [(f"row {cut(i, 40)}", dict(zip(columns, r)))
            for i, r in zip(data.index, data.itertuples(index=False, name=None))]
    return DataTable("calibration data", columns, rows)


def _missing(cell) -> bool:
    return cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)) \
        or (isinstance(cell, str) and not cell.strip())


def _text(t: DataTable, where: str, row: dict, column: str, what: str) -> str:
    cell = row.get(column)
    if _missing(cell):
        raise t.error(where, column, f"empty; expected {what}")
    return str(cell).strip()


def _number(t: DataTable, where: str, row: dict, column: str, what: str) -> float:
    """The cell as a finite number (a whole one for ``year``)."""
    cell = row.get(column)
    if _missing(cell):
        raise t.error(where, column, f"empty; expected {what}")
    got = cut(repr(cell.strip() if isinstance(cell, str) else cell), 40)
    try:
        if isinstance(cell, bool) or not isinstance(cell, (str, numbers.Real)):
            raise ValueError
        x = float(cell)
    except ValueError:
        raise t.error(where, column, f"expected {what}, got {got}") from None
    if not math.isfinite(x):
        raise t.error(where, column, f"expected a finite number ({what}), got {got}")
    if column == "year" and x != int(x):
        raise t.error(where, column, f"expected {what}, got {got}")
    return x


def _indicator(t: DataTable, where: str, row: dict):
    name = _text(t, where, row, "indicator", "an indicator name")
    if name not in INDICATORS:
        close = difflib.get_close_matches(name[:200], list(INDICATORS), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise t.error(where, "indicator", f"unknown indicator {cut(name, 60)!r}{hint}; see "
                      "`zonesim indicators`")
    ind = INDICATORS[name]
    unit = row.get("unit")
    if not _missing(unit) and str(unit).strip() != ind.unit:
        raise t.error(where, "unit", f"{name} is in {ind.unit!r}, got {cut(str(unit), 40)!r} "
                      "(convert the value: percent / 100 for a share, 亿 yuan × 1e8)")
    return ind


def _value(t: DataTable, where: str, row: dict, ind) -> float:
    value = _number(t, where, row, "value", f"a number ({ind.unit})")
    if value < 0:
        raise t.error(where, "value", f"{ind.name} cannot be negative, got {value:g}")
    if ind.unit == "share" and value > 1:
        raise t.error(where, "value", f"{ind.name} is a share between 0 and 1 (44 % is 0.44), "
                      f"got {value:g}")
    return value


def _check_scope(t: DataTable, where: str, scope: str, ind, sc: Scenario) -> None:
    """``scope`` valid for indicator ``ind`` in scenario ``sc`` (the scope grammar's own check;
    a county scope as the calibration reads it)."""
    try:
        s = scopes.parse(scope)
    except ValueError:
        raise t.error(where, "scope", f"expected {scopes.HELP} or 'county:<county id>', got "
                      f"{cut(scope, 60)!r}") from None
    if s.kind != "county":
        try:
            scopes.check(scope, ind, {z.id: z.kind for z in sc.zones})
        except ValueError as e:
            raise t.error(where, "scope", f"{cut(scope, 60)!r} in {sc.name}: {e}") from None
    if s.kind == "each_zone":
        raise t.error(where, "scope", f"{cut(scope, 60)!r}: a statistic is one number; name one "
                      "zone ('zone:<zone id>'), an aggregate or 'county:<county id>'")
    if s.kind == "county":
        if s.county not in {z.county for z in sc.zones}:
            raise t.error(where, "scope", f"{cut(scope, 60)!r}: no zone of {sc.name} lies in "
                          f"county {cut(s.county, 60)!r}")
        if ind.name not in RATIOS and not (ind.level == "firms" and ind.unit in SUMMABLE_UNITS):
            raise t.error(where, "scope", f"{cut(scope, 60)!r}: a county scope sums its zones' "
                          f"rows, which works for yuan totals and {', '.join(RATIOS)} only, "
                          f"not {ind.name}")


def select_statistics(scenario: Scenario, data: pd.DataFrame | DataTable | str | Path
                      ) -> list[Statistic]:
    """Every row of ``data`` checked (see the module docstring); the statistics to fit are the
    rows that concern ``scenario`` (column ``scenario`` equal to its id, when the column exists),
    fall inside its run (start_year − 1, the start state the burn-in made, … end_year) and
    have weight > 0."""
    t = data if isinstance(data, DataTable) else from_frame(data) \
        if isinstance(data, pd.DataFrame) else read_data(data)
    missing = [c for c in DATA_COLUMNS if c not in t.columns]
    if missing:
        raise CalibrationError(f"{t.source}: lacks column(s) {', '.join(missing)} (expected "
                               f"{', '.join(DATA_COLUMNS)}, optional scenario, weight, unit)")
    m = scenario.meta
    out, seen = [], {}
    for where, row in t.rows:
        ind = _indicator(t, where, row)
        year = int(_number(t, where, row, "year", "a whole year"))
        value = _value(t, where, row, ind)
        weight = _number(t, where, row, "weight", "a weight ≥ 0") if "weight" in t.columns \
            else 1.0
        if weight < 0:
            raise t.error(where, "weight", f"expected a weight ≥ 0, got {weight:g}")
        if "scenario" in t.columns and (_missing(row["scenario"])
                                        or str(row["scenario"]).strip() != scenario.name):
            continue
        scope = _text(t, where, row, "scope", "a scope")
        _check_scope(t, where, scope, ind, scenario)
        key = (ind.name, scope, year)
        if key in seen:
            raise t.error(where, None, f"{ind.name} at {cut(scope, 60)} in {year} is given "
                          f"twice (also {seen[key]}); keep one row")
        seen[key] = where
        # the start state's row (start_year - 1) is the burn-in's outcome, so it can be fitted
        if weight > 0 and m.start_year - 1 <= year <= m.end_year:
            if value == 0:
                raise t.error(where, "value", "0 cannot be fitted (the distance is relative "
                              "to the observed value); give the row weight 0")
            out.append(Statistic(ind.name, scope, year, value, weight,
                                 f"{ind.name} [{scope}] {year}", f"{t.source}, {where}"))
    if not out:
        raise CalibrationError(
            f"{t.source}: no calibration data for scenario {scenario.name} inside its run "
            f"{m.start_year - 1}-{m.end_year} (rows need scenario = {scenario.name!r}, a year in "
            "the run and weight > 0)")
    return out
