"""Running an experiment: a design of points, each run ``replicates`` times, into a result store.

An experiment is a *design* of points (one row per point: scenario and parameter values), each
run ``replicates`` times; *outcomes* are per-run target evaluations, stored as ``OUTCOME_COLUMNS``
(point, seed, replicate, target, value, met, first_met_year, margin) beside the design
(``design.parquet``: point, scenario, parameters); each run's *series* are the yearly values of
the indicators its experiment's targets use, at the scopes they read (:func:`series_spec`),
stored as ``SERIES_KEYS`` (point, seed, replicate, year, scope) and one column per indicator.
:func:`zonesim.load` reads them into the experiments, outcomes and series tables every output
folder gives.

Every run is a pure function of (scenario, parameters, seed, replicate). Replicate r of every
point and every variant draws from ``SeedSequence(seed, spawn_key=(r,))`` — common random
numbers — so comparisons are paired and results are identical on any executor and worker count.
"""

from __future__ import annotations

import sys
from concurrent.futures import Executor

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from zonesim.analysis.designs import check_runs
from zonesim.analysis.results import RESULT_FORMAT
from zonesim.analysis.store import (OUTCOME_COLUMNS, ResultStore, design_digest,
                                    model_code_digest)
from zonesim.analysis.targets import evaluate_targets, goal_bounds, higher_is_better
from zonesim.engine.model import ZoneModel
from zonesim.registry import scopes
from zonesim.registry.indicators import INDICATORS
from zonesim.registry.validate import check_option
from zonesim.run import check_executor_options, make_executor, map_unordered, replicate_seed
from zonesim.scenario import Scenario

#: Model runs sent to a worker at once: enough to amortise sending the scenario and
#: collecting the outcomes, few enough to keep both workers busy to the end.
RUNS_PER_TASK = 16
#: Margins are capped at this value (and its negative): a target of growth from zero, or an
#: indicator of 0 under a '≤' target, would otherwise give an infinite margin.
MARGIN_CAP = 1e3


def series_spec(scenarios: dict[str, Scenario]) -> dict[str, list[str]]:
    """What each run of an experiment keeps of its yearly indicators: the ``indicators`` the
    modelled targets of its scenarios use (with ``zone_tier_level`` when a scope counts zones
    from a tier on), in the registry's order, at the ``scopes`` those targets read (every zone's
    for each_zone), sorted. One set for the whole experiment, so that every chunk has the same
    columns and dtypes, and a variant's runs can be drawn against the base's targets."""
    indicators, read = set(), set()
    for sc in scenarios.values():
        zone_ids = [z.id for z in sc.zones]
        for t in sc.modelled_targets:
            indicators.add(t.indicator)
            if scopes.parse(t.scope).min_level is not None:
                indicators.add("zone_tier_level")
            read.update(scopes.members(t.scope, zone_ids))
    return {"indicators": [n for n in INDICATORS if n in indicators], "scopes": sorted(read)}


def run_points(scenarios: dict[str, Scenario], points: list[dict], replicates: list[int],
               seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every (point, replicate) given and evaluate the targets; a pure function.

    ``points``: dicts with ``point`` (id), ``scenario`` (key of ``scenarios``) and
    ``parameters`` (overrides). Returns outcome rows (``OUTCOME_COLUMNS``) and series rows
    (``SERIES_KEYS`` and :func:`series_spec`'s indicators), each sorted by point and replicate.
    """
    # Targets are evaluated once per scenario for all runs of the task (evaluation has a large
    # fixed cost per call and none per replicate): each run gets a task-local key in the
    # ``replicate`` column, mapped back to (point, replicate) afterwards.
    tables: dict[str, list[pd.DataFrame]] = {}
    keys: list[tuple[int, int]] = []
    for pt in points:
        for r in replicates:
            model = ZoneModel(scenarios[pt["scenario"]], seed=replicate_seed(seed, r),
                              parameters=pt["parameters"])
            table = model.run()
            table.insert(0, "replicate", len(keys))
            keys.append((int(pt["point"]), int(r)))
            tables.setdefault(pt["scenario"], []).append(table)
    kept = series_spec(scenarios)
    out, series = [], []
    for name, tabs in tables.items():
        table = pd.concat(tabs, ignore_index=True)
        ev = evaluate_targets(scenarios[name], table)
        k = ev["replicate"].to_numpy()
        ev.insert(0, "point", [keys[i][0] for i in k])
        ev["replicate"] = [keys[i][1] for i in k]
        out.append(ev)
        series.append(_series_rows(table, kept, keys, seed))
    df = pd.concat(out, ignore_index=True).sort_values(["point", "replicate"], kind="stable",
                                                        ignore_index=True)
    targets = {t.id: t for s in scenarios.values() for t in s.modelled_targets}
    df["point"] = df["point"].astype("int64")
    series = pd.concat(series, ignore_index=True).sort_values(
        ["point", "replicate"], kind="stable", ignore_index=True)
    return target_outcomes(df, targets, seed)[OUTCOME_COLUMNS], series


def _series_rows(table: pd.DataFrame, kept: dict, keys: list[tuple[int, int]],
                 seed: int) -> pd.DataFrame:
    """The series of the runs in ``table`` (indicator tables of a task, the task-local key of
    each run in ``replicate``): ``kept``'s scopes and indicators, keyed by (point, seed,
    replicate), ``keys`` mapping the task-local key to (point, replicate)."""
    read = table["scope"].isin(kept["scopes"]).to_numpy()
    rows = table.loc[read, ["year", "scope", *kept["indicators"]]]
    run = np.asarray(keys, dtype=np.int64)[table["replicate"].to_numpy()[read]]
    rows.insert(0, "point", run[:, 0])
    rows.insert(1, "seed", np.int64(seed))
    rows.insert(2, "replicate", run[:, 1])
    return rows


def target_outcomes(evaluations: pd.DataFrame, targets: dict, seed: int) -> pd.DataFrame:
    """Target evaluations (as :func:`evaluate_targets` gives them) completed to the stored
    outcome columns: the runs' master ``seed``, ``margin`` to the target (``targets``: id →
    target) and ``first_met_year`` as a float year (NaN: never met), so that every chunk and
    folder stores the same dtypes. Returns ``evaluations`` with those columns."""
    evaluations.insert(0, "seed", np.int64(seed))
    evaluations["replicate"] = evaluations["replicate"].astype("int64")
    evaluations["met"] = evaluations["met"].astype(bool)
    evaluations["first_met_year"] = evaluations["first_met_year"].astype(float)
    evaluations["margin"] = [_margin(v, targets[t]) for v, t in
                             zip(evaluations["value"], evaluations["target"])]
    return evaluations


def _margin(value: float, target) -> float:
    """Continuous distance to the target, ≥ 1 when met: indicator / goal for '≥' targets,
    goal / indicator for '≤' targets, the nearer side of the band for '~' targets, the goal
    widened by an approximate goal's tolerance (:func:`goal_bounds`); for a goal of 0,
    1 + (indicator − goal). Capped at ±``MARGIN_CAP``; NaN when the indicator is undefined."""
    if np.isnan(value):
        return float("nan")
    low, high = goal_bounds(target)
    if target.comparator == "~":
        return min(_side_margin(value, low, True), _side_margin(value, high, False))
    up = higher_is_better(target)
    return _side_margin(value, low if up else high, up)


def _side_margin(value: float, goal: float, up: bool) -> float:
    if goal == 0 or not np.isfinite(value):
        m = 1.0 + (value - goal if up else goal - value)
    elif up:
        m = value / goal
    else:
        m = goal / value if value else MARGIN_CAP
    return float(np.clip(m, -MARGIN_CAP, MARGIN_CAP))


def execute(store: ResultStore, scenarios: dict[str, Scenario], design: pd.DataFrame,
            replicates: int, seed: int, executor: Executor | None = None,
            finished: set | None = None, progress: bool = True,
            runs_per_task: int | None = None,
            label: str = "runs") -> pd.DataFrame:
    """Run every (point, replicate) of the design not yet finished, writing a pair of chunks
    (series, outcomes) per task of ``runs_per_task`` runs (default :data:`RUNS_PER_TASK`).
    Returns all outcomes of the store."""
    finished = finished or set()
    params = [c for c in design.columns if c not in ("point", "scenario")]
    todo = []
    for row in design.to_dict("records"):
        missing = [r for r in range(replicates) if (int(row["point"]), r) not in finished]
        if missing:
            pt = {"point": int(row["point"]), "scenario": row["scenario"],
                  "parameters": {k: _plain(row[k]) for k in params if pd.notna(row[k])}}
            todo.append((pt, missing))
    tasks = _pack(todo, runs_per_task or RUNS_PER_TASK)
    total = len(design) * replicates
    remaining = sum(len(m) for _, m in todo)
    if finished:
        print(f"resuming: {total - remaining} of {total} runs already finished, {remaining} to "
              "run", file=sys.stderr, flush=True)
    bar = tqdm(total=total, initial=total - remaining, desc=label, unit="run",
               disable=not progress, dynamic_ncols=True, smoothing=0.1)
    jobs = [(scenarios, pts, reps, seed) for pts, reps in tasks]
    try:
        for i, (df, series) in map_unordered(run_points, jobs, executor):
            store.write_chunk(df, series)
            pts, reps = tasks[i]
            bar.update(len(pts) * len(reps))
    finally:
        bar.close()
    return store.consolidate()


def _plain(v):
    """A design value as a plain Python number (integers stay integers)."""
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


def _pack(todo, runs_per_task):
    """Group (point, missing replicates) into tasks of about ``runs_per_task`` runs: points with
    the same missing replicates travel together."""
    tasks, cur, cur_reps = [], [], None
    for pt, reps in todo:
        if cur and (reps != cur_reps or (len(cur) + 1) * len(reps) > runs_per_task):
            tasks.append((cur, cur_reps))
            cur = []
        cur.append(pt)
        cur_reps = reps
    if cur:
        tasks.append((cur, cur_reps))
    return tasks


def _base_spec(kind: str, scenarios: dict[str, Scenario], design: pd.DataFrame,
               replicates: int, seed: int, **extra) -> dict:
    from zonesim import __version__
    return {"kind": kind, "result_format": RESULT_FORMAT, "zonesim_version": __version__,
            "model_code": model_code_digest(),
            "scenario_ids": [s.name for s in scenarios.values()],
            "scenarios": {k: s.model_dump(mode="json", by_alias=True)
                          for k, s in scenarios.items()},
            "design_digest": design_digest(design),
            "design_points": int(len(design)), "replicates": int(replicates),
            "series": series_spec(scenarios),
            "seed": int(seed), "seeds": "SeedSequence(seed, spawn_key=(replicate,))", **extra}


def run_experiment(kind: str, scenarios: dict[str, Scenario], design: pd.DataFrame,
                   replicates: int, seed: int, out, resume: bool, executor: Executor | None,
                   workers: int | None, scheduler: str | None, dask_local: int | None,
                   progress: bool, **extra) -> tuple[ResultStore, pd.DataFrame]:
    """Run ``design`` × ``replicates`` into the result store at ``out``; returns the store and
    all its outcomes. The folder is checked before any executor starts; without ``executor``
    one is made from ``workers`` / ``scheduler`` / ``dask_local`` and closed afterwards.
    ``extra``: further fields of the stored specification."""
    replicates, seed = check_option("replicates", replicates), check_option("seed", seed)
    check_executor_options(workers, scheduler, dask_local)
    check_runs(len(design), replicates, f"the {kind} design")
    spec = _base_spec(kind, scenarios, design, replicates, seed, **extra)
    store = ResultStore(out)
    store.check(spec, resume)              # refuse before starting any executor
    own_close = None
    if executor is None:
        executor, own_close = make_executor(workers, scheduler, dask_local)
    try:
        finished = store.open(spec, design, resume)
        n = len(design)
        outcomes = execute(store, scenarios, design, replicates, seed, executor, finished,
                           progress, label=f"{kind}: {n} point{'s' * (n != 1)} × {replicates}")
    finally:
        if own_close is not None:
            own_close()
    return store, outcomes
