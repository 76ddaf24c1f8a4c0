"""One result shape for every output folder, and :func:`load`, which reads any of them.

As the EMA workbench's ``experiments, outcomes = load_results(...)``: a folder written by
``zonesim run`` (marked by ``run.json``), ``compare``, ``sweep`` or ``sensitivity`` (a result
store, ``experiment.json``) or ``calibrate`` (``calibration.json``) loads into

- ``experiments``: one row per run — ``run`` (the run id), the design ``point`` (stores) or the
  posterior ``particle`` the run's parameters were drawn from (calibration), ``scenario`` (its
  id), ``seed`` and ``replicate``, then one column per parameter the run set over its
  scenario's values (none for ``run`` and ``compare``, whose runs differ by scenario only);
- ``outcomes``: one row per run and target, in run order, keyed by ``run`` (and ``point`` or
  ``particle``), ``seed`` and ``replicate``: ``target``, ``value`` (the indicator in the target
  year, in the indicator's unit), ``met``, ``first_met_year`` (NaN: never met) and ``margin``
  (the value's distance to the target, ≥ 1 when it meets it; see
  :func:`zonesim.analysis.experiments.target_outcomes`); for a calibration, ``target`` is a
  published statistic (``indicator [scope] year``) and ``value`` its simulated value, with no
  ``met``: a statistic is fitted, not met;
- ``series``: every run's yearly indicators, keyed as the outcomes (``run``, ``point`` for
  stores, ``seed``, ``replicate``), then ``year``, ``scope`` and one column per indicator: all
  indicators at every scope for a ``run`` folder; for a store, those its targets use at the
  scopes they read (:func:`zonesim.analysis.experiments.series_spec`); None for a calibration.
  One point's rows (a run folder's as they are) are the table the fan charts of
  :mod:`zonesim.present.figures` draw;
- ``metadata``: ``kind`` (run, compare, sweep, sensitivity, calibration), ``scenarios`` (ids),
  ``seed``, ``complete`` (every planned run finished) and ``settings`` (the folder's JSON).

Run ids: a ``run`` folder's run is its replicate; a store's is point × replicates + replicate,
so that a run keeps its id when an interrupted store is resumed; a calibration's is the index
of the posterior-predictive run, whose seed sequence is ``SeedSequence(seed,
spawn_key=(PREDICTIVE_KEY, replicate))``. Replicate r of a run or a store draws from
``SeedSequence(seed, spawn_key=(r,))``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zonesim.analysis.store import ResultStore
from zonesim.errors import ExperimentError, ZonesimError

#: Version of the stored columns :func:`load` reads; every writer records it as
#: ``result_format`` (folders written before it lack the ``seed`` columns; 2: a result store
#: keeps each run's series beside its outcomes).
RESULT_FORMAT = 2
#: The oldest format of each kind of folder :func:`load` reads: run and calibration folders
#: are unchanged since format 1; a result store of format 1 has no series.
OLDEST_FORMAT = {"run.json": 1, "experiment.json": 2, "calibration.json": 1}

#: The file that marks each kind of output folder, and the command that writes it.
MARKERS = {"run.json": "zonesim run", "experiment.json": "compare, sweep or sensitivity",
           "calibration.json": "calibrate"}


@dataclass(frozen=True, eq=False)
class Results:
    """An output folder in the one result shape (columns: see :mod:`zonesim.analysis.results`).
    """

    folder: Path
    experiments: pd.DataFrame
    outcomes: pd.DataFrame
    series: pd.DataFrame | None
    metadata: dict

    def __repr__(self) -> str:
        series = "" if self.series is None else f", {len(self.series)} series rows"
        return (f"Results({self.metadata['kind']} of {', '.join(self.metadata['scenarios'])} "
                f"in {self.folder}: {len(self.experiments)} runs, {len(self.outcomes)} "
                f"outcome rows{series})")


def load(folder: str | Path) -> Results:
    """Read any zonesim output folder (run, compare, sweep, sensitivity, calibration) into
    experiments, outcomes, series (None for a calibration) and metadata.

    A folder that is not a zonesim output, was written in another result format or is
    damaged raises a :class:`ZonesimError` of one line naming the folder (for a result store an
    :class:`ExperimentError`; a damaged table of it is named, with how to repair it)."""
    folder = Path(folder)
    expected = "; ".join(f"{m} ({cmd})" for m, cmd in MARKERS.items())
    if not folder.is_dir():
        raise ZonesimError(f"{folder}: no such folder; expected a zonesim output folder with "
                           f"one of {expected}")
    marker = next((m for m in MARKERS if (folder / m).is_file()), None)
    if marker is None:
        raise ZonesimError(f"{folder} is not a zonesim output folder: expected one of "
                           f"{expected}")
    readers = {"run.json": _load_run, "experiment.json": _load_store,
               "calibration.json": _load_calibration}
    try:
        settings = _settings(folder / marker)
        found = settings.get("result_format")
        if not (isinstance(found, int) and OLDEST_FORMAT[marker] <= found <= RESULT_FORMAT):
            older = not isinstance(found, int) or found < RESULT_FORMAT
            raise ZonesimError(
                f"{folder} was written by {'an older' if older else 'a newer'} zonesim (result "
                f"format {found or 'not recorded'}; this one reads {RESULT_FORMAT}): run it "
                "again to load it")
        return readers[marker](folder, settings)
    except (OSError, ValueError, KeyError, TypeError) as e:
        error = ExperimentError if marker == "experiment.json" else ZonesimError
        raise error(f"{folder}: not a complete zonesim output folder ({_why(e)})") from None


def _settings(path: Path) -> dict:
    """The folder's JSON (run.json, experiment.json or calibration.json)."""
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path.name} is not JSON: {e}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not text (UTF-8)") from None
    if not isinstance(settings, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return settings


def _why(e: Exception) -> str:
    """What is wrong with a damaged folder, in a few words."""
    if isinstance(e, FileNotFoundError):   # pyarrow gives the path as the message only
        return f"no {Path(e.filename or str(e)).name}"
    if isinstance(e, KeyError):
        return f"no {e.args[0]!r} in its settings or tables"
    return (str(e).splitlines() or [type(e).__name__])[0]


def _load_run(folder: Path, settings: dict) -> Results:
    """A ``zonesim run`` folder: run id = replicate."""
    n, seed = int(settings["replicates"]), int(settings["seed"])
    experiments = pd.DataFrame({"run": range(n), "scenario": settings["scenario"],
                                "seed": seed, "replicate": range(n)})
    # stored target by target; in run order, as a store's
    outcomes = pd.read_parquet(folder / "targets_by_replicate.parquet").sort_values(
        "replicate", kind="stable", ignore_index=True)
    series = pd.read_parquet(folder / "indicators.parquet")
    for table in (outcomes, series):
        table.insert(0, "run", table["replicate"])
    return Results(folder, experiments, _keys_first(outcomes), _keys_first(series),
                   {"kind": "run", "scenarios": [settings["scenario"]], "seed": seed,
                    "complete": True, "settings": settings})


def _load_store(folder: Path, settings: dict) -> Results:
    """A result store (compare, sweep, sensitivity): the runs finished so far (with both
    outcomes and series)."""
    store = ResultStore(folder)
    design = store.design()
    replicates, seed = int(settings["replicates"]), int(settings["seed"])
    outcomes, series = store.outcomes(), store.series()
    for table in (outcomes, series):
        table.insert(0, "run", table["point"] * replicates + table["replicate"])
    finished = pd.Index(outcomes["run"].unique()).intersection(series["run"].unique())
    outcomes = outcomes[outcomes["run"].isin(finished)].reset_index(drop=True)
    series = series[series["run"].isin(finished)].reset_index(drop=True)
    runs = outcomes[["run", "point", "seed", "replicate"]].drop_duplicates(ignore_index=True)
    experiments = runs.merge(design, on="point", how="left", validate="many_to_one")
    # the design names each point's scenario by its key in the specification ("base",
    # "variant_0", …); the specification lists the scenarios' ids in the same order
    ids = dict(zip(settings["scenarios"], settings["scenario_ids"]))
    experiments["scenario"] = experiments["scenario"].map(ids)
    parameters = [c for c in design.columns if c not in ("point", "scenario")]
    experiments = experiments[["run", "point", "scenario", "seed", "replicate", *parameters]]
    return Results(folder, experiments, _keys_first(outcomes), _keys_first(series),
                   {"kind": settings["kind"], "scenarios": list(settings["scenario_ids"]),
                    "seed": seed, "complete": len(runs) == len(design) * replicates,
                    "settings": settings})


def _load_calibration(folder: Path, settings: dict) -> Results:
    """A calibration folder: its posterior-predictive runs."""
    experiments = pd.read_parquet(folder / "predictive_runs.parquet")
    outcomes = pd.read_parquet(folder / "predictive_outcomes.parquet")
    return Results(folder, experiments, outcomes, None,
                   {"kind": "calibration", "scenarios": [settings["scenario"]],
                    "seed": int(settings["settings"]["seed"]), "complete": True,
                    "settings": settings})


def _keys_first(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the run keys (and the design point, if any) as its first columns."""
    first = [c for c in ("run", "point", "seed", "replicate") if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]
