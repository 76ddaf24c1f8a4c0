"""The experiment workbench: policy comparisons, parameter sweeps and sensitivity analyses.

Vocabulary after the EMA workbench: *uncertainties* (assumptions with a plausible range) and
*levers* (policy instruments) span the space; an experiment is a *design* of points in it (one row
per point: scenario and parameter values), each run ``replicates`` times; *outcomes* are per-run
target evaluations. Results have one shape: an experiments table (``design.parquet``: point,
scenario, parameters) aligned with an outcomes table (point, replicate, target, value, met,
margin).

Every run is a pure function of (scenario, parameters, seed, replicate). Replicate r of every
point and every variant draws from ``SeedSequence(seed, spawn_key=(r,))`` — common random
numbers — so comparisons are paired and results are identical on any executor and worker count.

Results go to a :class:`ResultStore`: the folder holds the full specification
(``experiment.json``: scenario contents, design, seeds, zonesim version and a digest of the model
code) and the outcomes in parquet chunks written atomically as tasks finish. ``resume=True``
skips finished runs and never duplicates one; a folder holding a different experiment is
refused, never overwritten.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import os
import sys
import time
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from zonesim.engine.model import ZoneModel
from zonesim.registry.parameters import PARAMETERS
from zonesim.run import default_workers, replicate_seed
from zonesim.errors import ExperimentError
from zonesim.scenario import Scenario, ScenarioError
from zonesim.analysis.targets import evaluate_targets, wilson_interval

#: Model runs sent to a worker at once: enough to amortise sending the scenario and
#: collecting the outcomes, few enough to keep both workers busy to the end.
RUNS_PER_TASK = 16
OUTCOME_COLUMNS = ["point", "replicate", "target", "value", "met", "margin"]
INDEX_COLUMNS = ["parameter", "output", "index", "value", "conf_low", "conf_high"]

#: Margins are capped at this value (and its negative): a target of growth from zero, or an
#: indicator of 0 under a '≤' target, would otherwise give an infinite margin.
MARGIN_CAP = 1e3


# ----------------------------------------------------------------------------- space

@dataclass(frozen=True)
class Factor:
    """One dimension of the experiment space."""

    name: str
    low: float
    high: float
    kind: str          # "uncertainty" or "lever" (registry kind; initial counts as uncertainty)
    integer: bool
    unit: str


def _unknown_name(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"unknown parameter {name!r}{hint}; see `zonesim parameters`"


def uncertainty_space(scenario: Scenario, names: list[str] | None = None,
                      include_levers: bool = True) -> list[Factor]:
    """The scenario's uncertain parameters (assumptions with a non-empty low–high range) and,
    if asked, its levers with ranges; ``names`` restricts (and validates) the selection."""
    factors = []
    for name, p in PARAMETERS.items():
        if p.categorical:
            continue
        prov = scenario.provenance(name)
        low, high = prov["low"], prov["high"]
        if low is None or high is None or not high > low:
            continue
        kind = "lever" if p.kind == "lever" else "uncertainty"
        if prov["provenance"] != "assumption" and kind != "lever":
            continue
        if kind == "lever" and not include_levers and not names:
            continue
        factors.append(Factor(name, float(low), float(high), kind, p.integer, p.unit))
    if names:
        unknown = [n for n in names if n not in PARAMETERS]
        if unknown:
            raise ExperimentError("; ".join(_unknown_name(n, PARAMETERS) for n in unknown))
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ExperimentError(f"parameter(s) given twice: {', '.join(dup)}")
        by_name = {f.name: f for f in factors}
        fixed = [n for n in names if n not in by_name]
        if fixed:
            raise ExperimentError(
                f"parameter(s) {', '.join(fixed)} have no low–high range in {scenario.name} "
                "(fixed by a seed clause or a statistic, a zero-width range, or categorical); "
                "give a range with `zonesim sweep --param NAME=LOW:HIGH` or an assumption range "
                "in the scenario")
        factors = [by_name[n] for n in names]
    return factors


def check_factor(name: str, low: float, high: float) -> Factor:
    """A factor given on the command line: known parameter, range inside its valid domain."""
    if name not in PARAMETERS:
        raise ExperimentError(_unknown_name(name, PARAMETERS))
    p = PARAMETERS[name]
    if p.categorical:
        raise ExperimentError(f"parameter {name} is categorical ({', '.join(p.choices)}); "
                              "compare scenario variants instead")
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ExperimentError(f"parameter {name}: range {low:g}:{high:g} is not finite")
    if not high > low:
        raise ExperimentError(f"parameter {name}: range {low:g}:{high:g} is empty "
                              "(LOW must be below HIGH)")
    lo_ok = p.minimum is None or low >= p.minimum
    hi_ok = p.maximum is None or high <= p.maximum
    if not (lo_ok and hi_ok):
        bad = low if not lo_ok else high
        dom_lo = "−∞" if p.minimum is None else f"{p.minimum:g}"
        dom_hi = "∞" if p.maximum is None else f"{p.maximum:g}"
        raise ExperimentError(f"parameter {name}: {bad:g} is outside its valid domain "
                              f"[{dom_lo}, {dom_hi}] ({p.unit})")
    if p.integer and math.floor(high) < math.ceil(low):
        raise ExperimentError(f"parameter {name} takes whole numbers and {low:g}:{high:g} "
                              "holds none")
    kind = "lever" if p.kind == "lever" else "uncertainty"
    return Factor(name, float(low), float(high), kind, p.integer, p.unit)


def salib_problem(factors: list[Factor], groups: str | None = None) -> dict:
    """A SALib problem dict; ``groups='kind'`` groups factors into uncertainties and levers."""
    problem = {"num_vars": len(factors), "names": [f.name for f in factors],
               "bounds": [[f.low, f.high] for f in factors]}
    if groups == "kind":
        problem["groups"] = [f.kind for f in factors]
        if len(set(problem["groups"])) < 2:
            raise ExperimentError("--groups kind needs both uncertainties and levers among the "
                                  "factors (drop --no-levers or add a lever to --params)")
    elif groups is not None:
        raise ExperimentError(f"unknown grouping {groups!r} (expected 'kind')")
    return problem


# ------------------------------------------------------------------------- one task

def run_points(scenarios: dict[str, Scenario], points: list[dict], replicates: list[int],
               seed: int) -> pd.DataFrame:
    """Run every (point, replicate) given and evaluate the targets; a pure function.

    ``points``: dicts with ``point`` (id), ``scenario`` (key of ``scenarios``) and
    ``parameters`` (overrides). Returns outcome rows (see ``OUTCOME_COLUMNS``).
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
    out = []
    for name, tabs in tables.items():
        ev = evaluate_targets(scenarios[name], pd.concat(tabs, ignore_index=True))
        k = ev["replicate"].to_numpy()
        ev.insert(0, "point", [keys[i][0] for i in k])
        ev["replicate"] = [keys[i][1] for i in k]
        out.append(ev)
    df = pd.concat(out, ignore_index=True).sort_values(["point", "replicate"], kind="stable",
                                                        ignore_index=True)
    targets = {t.id: t for s in scenarios.values() for t in s.modelled_targets}
    df["margin"] = [_margin(v, targets[t]) for v, t in zip(df["value"], df["target"])]
    df["point"] = df["point"].astype("int64")
    df["replicate"] = df["replicate"].astype("int64")
    df["met"] = df["met"].astype(bool)
    return df[OUTCOME_COLUMNS]


def _margin(value: float, target) -> float:
    """Continuous distance to the target, ≥ 1 when met: indicator / target for '≥' targets,
    target / indicator for '≤' targets; for a target value of 0, 1 + (indicator − target).
    Capped at ±``MARGIN_CAP``; NaN when the indicator is undefined."""
    if np.isnan(value):
        return float("nan")
    up = target.comparator in (">=", ">")
    if target.value == 0 or not np.isfinite(value):
        m = 1.0 + (value - target.value if up else target.value - value)
    elif up:
        m = value / target.value
    else:
        m = target.value / value if value else MARGIN_CAP
    return float(np.clip(m, -MARGIN_CAP, MARGIN_CAP))


# ------------------------------------------------------------------------ the store

class ResultStore:
    """An experiment's folder: specification, design, outcome chunks written atomically."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.chunks = self.folder / "chunks"

    @property
    def spec_path(self) -> Path:
        return self.folder / "experiment.json"

    def spec(self) -> dict:
        return json.loads(self.spec_path.read_text())

    def check(self, spec: dict, resume: bool) -> None:
        """Refuse to use the folder for ``spec`` (without touching it) unless it is new, empty,
        or — with ``resume`` — holds exactly this experiment."""
        if self.folder.exists() and not self.folder.is_dir():
            raise ExperimentError(f"{self.folder} is a file, not a folder; choose another --out")
        digest = spec_digest(spec)
        if self.spec_path.exists():
            try:
                old = self.spec()
            except (OSError, ValueError):
                raise ExperimentError(f"{self.folder}/experiment.json is unreadable; choose "
                                      "another --out folder (nothing was overwritten)")
            if old.get("digest") != digest:
                why = ""
                if old.get("model_code") and old.get("model_code") != spec.get("model_code") \
                        and old.get("kind") == spec.get("kind"):
                    why = " — the model code has changed since it was run"
                raise ExperimentError(
                    f"{self.folder} holds a different experiment ({old.get('kind')} of "
                    f"{', '.join(old.get('scenario_ids') or [])}, created {old.get('created')})"
                    f"{why}; choose another --out folder (nothing was overwritten)")
            if not resume:
                raise ExperimentError(
                    f"{self.folder} already holds this experiment; add --resume to continue it "
                    "(finished runs are kept) or choose another --out folder")
            return
        if self.folder.exists() and not self._only_debris():
            raise ExperimentError(f"{self.folder} is not empty and holds no experiment; choose "
                                  "another --out folder (nothing was overwritten)")

    def _only_debris(self) -> bool:
        """True when the folder holds nothing but what an interrupted set-up leaves: an empty
        chunks/ folder, design.parquet and temporary files."""
        for p in self.folder.iterdir():
            if p.name == "chunks" and p.is_dir() and not any(p.iterdir()):
                continue
            if p.name == "design.parquet" or (p.name.startswith(".") and p.name.endswith(".tmp")):
                continue
            return False
        return True

    def open(self, spec: dict, design: pd.DataFrame, resume: bool) -> set[tuple[int, int]]:
        """Create the folder for ``spec`` or, with ``resume``, reopen it. Returns the finished
        (point, replicate) pairs. Refuses a folder that holds anything else."""
        self.check(spec, resume)
        if self.spec_path.exists():
            return self.finished()
        self.chunks.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.folder / "design.parquet", lambda p: design.to_parquet(p, index=False))
        # the specification last: a folder with experiment.json is a complete set-up
        _atomic_write(self.spec_path, lambda p: Path(p).write_text(
            json.dumps({**spec, "digest": spec_digest(spec),
                        "created": time.strftime("%Y-%m-%d %H:%M:%S")},
                       ensure_ascii=False, indent=1, default=_json_default)))
        return set()

    def write_chunk(self, df: pd.DataFrame) -> None:
        key = f"{int(df['point'].min()):07d}-{int(df['replicate'].min()):05d}-{os.getpid()}-" \
              f"{time.monotonic_ns()}"
        _atomic_write(self.chunks / f"chunk-{key}.parquet",
                      lambda p: df.to_parquet(p, index=False))

    def chunk_files(self) -> list[Path]:
        return sorted(self.chunks.glob("chunk-*.parquet"))

    def raw_outcomes(self) -> pd.DataFrame:
        """Every row of every chunk, as written (duplicates, if any, included)."""
        files = self.chunk_files()
        if not files:
            return pd.DataFrame(columns=OUTCOME_COLUMNS)
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    def outcomes(self) -> pd.DataFrame:
        """All outcome rows, each (point, replicate, target) once, sorted."""
        df = self.raw_outcomes()
        df = df.drop_duplicates(["point", "replicate", "target"], keep="first")
        return df.sort_values(["point", "replicate", "target"], ignore_index=True)

    def finished(self) -> set[tuple[int, int]]:
        df = self.raw_outcomes()
        return set(zip(df["point"].astype(int), df["replicate"].astype(int)))

    def consolidate(self) -> pd.DataFrame:
        """Merge the chunks into one (written atomically before the parts are removed, so an
        interruption leaves at worst duplicates, which :meth:`outcomes` drops). Returns the
        outcomes."""
        df = self.outcomes()
        files = self.chunk_files()
        if len(files) > 1:
            self.write_chunk(df)
            for f in files:
                f.unlink(missing_ok=True)
        return df

    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.folder / "design.parquet")


def _atomic_write(path: Path, write) -> None:
    """Write to a temporary name in the same folder, then rename: a killed writer leaves no
    partial file under the real name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def spec_digest(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False,
                                     default=_json_default).encode()).hexdigest()[:16]


#: What a stored outcome depends on: the engine, the rules, the registries, replicate seeding
#: and how targets are measured (paths relative to the package).
MODEL_CODE = ("engine", "registry", "rules.py", "run.py", "analysis/targets.py")


def model_code_digest() -> str:
    """A digest of the simulation's source files: an experiment resumed with other model code
    would mix results of two models, so it counts as a different experiment."""
    package = Path(__file__).resolve().parents[1]
    files = sorted(f for part in MODEL_CODE for f in
                   ((package / part).rglob("*.py") if (package / part).is_dir() else [package / part]))
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------- execution

def make_executor(workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None):
    """An executor and a closer: serial (None) for 1 worker, a local process pool by default,
    Dask's ``Client.get_executor()`` for ``scheduler`` (an address) or ``dask_local`` workers."""
    if scheduler and dask_local:
        raise ExperimentError("give either a Dask scheduler address or a local Dask cluster "
                              "size, not both")
    if scheduler or dask_local:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ExperimentError("Dask is not installed: pip install 'dask[distributed]'")
        import logging
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as e:
                raise ExperimentError(f"cannot reach the Dask scheduler at {scheduler}: {e}")
            cluster = None
        else:
            cluster = LocalCluster(n_workers=int(dask_local), threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
            client = Client(cluster)

        def close():
            client.close()
            if cluster is not None:
                cluster.close()
        return client.get_executor(), close
    workers = default_workers() if workers is None else int(workers)
    if workers <= 1:
        return None, lambda: None
    pool = ProcessPoolExecutor(max_workers=workers)
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


def execute(store: ResultStore, scenarios: dict[str, Scenario], design: pd.DataFrame,
            replicates: int, seed: int, executor: Executor | None = None,
            finished: set | None = None, progress: bool = True,
            runs_per_task: int = RUNS_PER_TASK,
            label: str = "runs") -> pd.DataFrame:
    """Run every (point, replicate) of the design not yet finished, writing a chunk per task.
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
    tasks = _pack(todo, runs_per_task)
    total = len(design) * replicates
    remaining = sum(len(m) for _, m in todo)
    if finished:
        print(f"resuming: {total - remaining} of {total} runs already finished, {remaining} to "
              "run", file=sys.stderr, flush=True)
    bar = tqdm(total=total, initial=total - remaining, desc=label, unit="run",
               disable=not progress, dynamic_ncols=True, smoothing=0.1)
    try:
        if executor is None:
            for pts, reps in tasks:
                df = run_points(scenarios, pts, reps, seed)
                store.write_chunk(df)
                bar.update(len(pts) * len(reps))
        else:
            futures = {executor.submit(run_points, scenarios, pts, reps, seed): len(pts) * len(reps)
                       for pts, reps in tasks}
            try:
                for f in as_completed(futures):
                    store.write_chunk(f.result())
                    bar.update(futures[f])
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
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
    return {"kind": kind, "zonesim_version": __version__, "model_code": model_code_digest(),
            "scenario_ids": [s.name for s in scenarios.values()],
            "scenarios": {k: s.model_dump(mode="json") for k, s in scenarios.items()},
            "design_digest": hashlib.sha256(pd.util.hash_pandas_object(
                design, index=False).to_numpy().tobytes()).hexdigest()[:16],
            "design_points": int(len(design)), "replicates": int(replicates),
            "seed": int(seed), "seeds": "SeedSequence(seed, spawn_key=(replicate,))", **extra}


def _run_experiment(kind, scenarios, design, replicates, seed, out, resume, executor, workers,
                    scheduler, dask_local, progress, **extra):
    if replicates < 1:
        raise ExperimentError("replicates must be at least 1")
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


# ------------------------------------------------------------------------- compare

def compare(base: Scenario, variants: list[Scenario], replicates: int, seed: int = 0,
            out: str | Path = "out/compare", resume: bool = False,
            executor: Executor | None = None, workers: int | None = None,
            scheduler: str | None = None, dask_local: int | None = None,
            progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Policy counterfactuals on common random numbers.

    Returns (outcomes, comparison): per variant and target of the base, P(met) of base and
    variant, their paired difference with a 95 % bootstrap interval over replicates, and the
    difference of the indicator's medians with its interval. A variant may be the base itself
    (an A/A check: every difference is exactly 0).
    """
    if not variants:
        raise ExperimentError("compare needs at least one variant")
    if replicates < 2:
        raise ExperimentError("compare needs at least 2 replicates for paired intervals")
    scenarios = {"base": base, **{f"variant_{i}": v for i, v in enumerate(variants)}}
    design = pd.DataFrame({"point": range(len(scenarios)), "scenario": list(scenarios)})
    _, outcomes = _run_experiment("compare", scenarios, design, replicates, seed, out, resume,
                                  executor, workers, scheduler, dask_local, progress)
    return outcomes, comparison_table(outcomes, design, scenarios, seed)


COMPARISON_COLUMNS = ["variant", "target", "indicator", "p_met_base", "p_met_variant",
                      "p_met_diff", "p_met_diff_low", "p_met_diff_high", "median_base",
                      "median_variant", "median_diff", "median_diff_low", "median_diff_high",
                      "replicates"]


def _variant_labels(design, scenarios) -> dict:
    labels, seen = {}, {}
    for key in design["scenario"]:
        name = scenarios[key].name
        seen[name] = seen.get(name, 0) + 1
        labels[key] = name if seen[name] == 1 else f"{name} (#{seen[name]})"
    return labels


def comparison_table(outcomes: pd.DataFrame, design: pd.DataFrame,
                     scenarios: dict[str, Scenario], seed: int = 0) -> pd.DataFrame:
    """Paired differences variant − base per target (see :func:`compare`)."""
    rng = np.random.default_rng(seed)
    labels = _variant_labels(design, scenarios)
    base_pt = int(design.loc[design["scenario"] == "base", "point"].iloc[0])
    base = outcomes[outcomes["point"] == base_pt].set_index(["replicate", "target"])
    rows = []
    for row in design.itertuples(index=False):
        if row.scenario == "base":
            continue
        var = outcomes[outcomes["point"] == row.point].set_index(["replicate", "target"])
        for t in scenarios["base"].modelled_targets:
            if t.id not in var.index.get_level_values("target"):
                continue
            b = base.xs(t.id, level="target")
            v = var.xs(t.id, level="target").reindex(b.index)
            bm, vm = b["met"].to_numpy(float), v["met"].to_numpy(float)
            bv, vv = b["value"].to_numpy(float), v["value"].to_numpy(float)
            lo, hi = _paired_ci(bm, vm, np.mean, rng)
            ok = np.isfinite(bv) & np.isfinite(vv)
            mb = float(np.median(bv[ok])) if ok.any() else np.nan
            mv = float(np.median(vv[ok])) if ok.any() else np.nan
            mlo, mhi = _paired_ci(bv[ok], vv[ok], np.median, rng) if ok.sum() >= 2 \
                else (np.nan, np.nan)
            rows.append({"variant": labels[row.scenario], "target": t.id,
                         "indicator": t.indicator, "p_met_base": bm.mean(),
                         "p_met_variant": vm.mean(), "p_met_diff": vm.mean() - bm.mean(),
                         "p_met_diff_low": lo, "p_met_diff_high": hi, "median_base": mb,
                         "median_variant": mv, "median_diff": mv - mb, "median_diff_low": mlo,
                         "median_diff_high": mhi, "replicates": len(bm)})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _paired_ci(base, variant, stat, rng, n_resamples: int = 2000, level: float = 0.95):
    """Percentile-bootstrap interval of stat(variant) − stat(base), resampling replicates in
    pairs (common random numbers make the pairs). Identical samples give exactly [0, 0]."""
    base, variant = np.asarray(base, float), np.asarray(variant, float)
    if len(base) < 2:
        return (np.nan, np.nan)
    if np.array_equal(base, variant):
        return (0.0, 0.0)
    idx = rng.integers(0, len(base), size=(n_resamples, len(base)))
    d = stat(variant[idx], axis=1) - stat(base[idx], axis=1)
    a = (1 - level) / 2
    return float(np.quantile(d, a)), float(np.quantile(d, 1 - a))


# --------------------------------------------------------------------------- sweep

def sweep(scenario: Scenario, factors: list[Factor], design: str = "grid", steps: dict | None = None,
          samples: int = 16, replicates: int = 10, seed: int = 0, out: str | Path = "out/sweep",
          resume: bool = False, executor: Executor | None = None, workers: int | None = None,
          scheduler: str | None = None, dask_local: int | None = None,
          progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A grid or Latin-hypercube sweep. Returns (design, outcomes, per-point summary).

    Grid axes of whole-number parameters hold distinct whole numbers only."""
    table = sweep_design(factors, design, steps, samples, seed)
    _, outcomes = _run_experiment("sweep", {"base": scenario}, table, replicates, seed, out,
                                  resume, executor, workers, scheduler, dask_local, progress,
                                  factors=[f.__dict__ for f in factors], design_kind=design)
    return table, outcomes, point_summary(outcomes, table)


def sweep_design(factors: list[Factor], design: str = "grid", steps: dict | None = None,
                 samples: int = 16, seed: int = 0) -> pd.DataFrame:
    """The points of a sweep: point, scenario, one column per factor."""
    if not factors:
        raise ExperimentError("a sweep needs at least one --param NAME=LOW:HIGH[:STEPS]")
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise ExperimentError(f"a parameter is given twice: "
                              f"{', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    if design == "grid":
        axes = []
        for f in factors:
            ax = np.linspace(f.low, f.high, int((steps or {}).get(f.name) or 5))
            axes.append(np.unique(np.round(ax)) if f.integer else ax)
        pts = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(factors), -1).T
    elif design == "lhs":
        from scipy.stats import qmc
        if samples < 2:
            raise ExperimentError("an lhs sweep needs at least 2 samples (--samples)")
        unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(samples)
        pts = qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])
    else:
        raise ExperimentError(f"unknown design {design!r} (grid or lhs)")
    table = pd.DataFrame(_round_integers(pts, factors), columns=names)
    for f in factors:
        if f.integer:
            table[f.name] = table[f.name].astype("int64")
    table.insert(0, "scenario", "base")
    table.insert(0, "point", range(len(table)))
    return table


def _round_integers(pts: np.ndarray, factors: list[Factor]) -> np.ndarray:
    """Whole-number parameters rounded to the nearest whole number inside their range."""
    pts = np.array(pts, dtype=float)
    for j, f in enumerate(factors):
        if f.integer:
            pts[:, j] = np.clip(np.round(pts[:, j]), math.ceil(f.low), math.floor(f.high))
    return pts


def point_summary(outcomes: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Per point and target: P(met) with a Wilson interval, indicator median and 5–95 %."""
    g = outcomes.groupby(["point", "target"])
    s = g.agg(replicates=("met", "size"), met=("met", "sum"), median=("value", "median"),
              q05=("value", lambda v: v.quantile(0.05)), q95=("value", lambda v: v.quantile(0.95)),
              margin=("margin", "mean")).reset_index()
    s["p_met"] = s["met"] / s["replicates"]
    ci = {(k, n): wilson_interval(k, n) for k, n in set(zip(s["met"], s["replicates"]))}
    s["p_met_low"] = [ci[k, n][0] for k, n in zip(s["met"], s["replicates"])]
    s["p_met_high"] = [ci[k, n][1] for k, n in zip(s["met"], s["replicates"])]
    return design.merge(s.drop(columns="met"), on="point")


# ---------------------------------------------------------------------- sensitivity

METHODS = ("morris", "sobol", "fast", "delta", "pawn")
#: The index each method ranks factors by.
MAIN_INDEX = {"morris": "mu_star", "sobol": "ST", "fast": "ST", "delta": "delta",
              "pawn": "pawn_median"}


def default_n(method: str, num_vars: int) -> int:
    """Sensible sample sizes: Morris 20 trajectories, Sobol N = 256 (a power of two), FAST 512
    per factor, delta and PAWN 512 or 10 per factor, whichever is larger."""
    if method == "morris":
        return 20
    if method == "sobol":
        return 256
    if method == "fast":
        return 512
    return max(512, 10 * num_vars)


def design_rows(method: str, problem: dict, n: int) -> int:
    """Rows (points) of the design ``sensitivity_design`` makes."""
    d = len(_group_names(problem))
    return {"morris": n * (d + 1), "sobol": n * (d + 2),
            "fast": n * problem["num_vars"]}.get(method, n)


def sensitivity_design(method: str, problem: dict, n: int, seed: int) -> tuple[np.ndarray, dict]:
    """The SALib sample for ``method`` (unrounded) and the options its analysis needs.

    Raises :class:`ExperimentError` for a sample too small for the method; warns (and runs)
    for a Sobol N that is not a power of two."""
    from SALib.sample import fast_sampler, latin, morris as morris_s, sobol as sobol_s

    problem = copy.deepcopy(problem)        # SALib's samplers add keys to the dict
    d = problem["num_vars"]
    n = int(n)
    if method == "morris":
        if n < 2:
            raise ExperimentError(f"morris needs at least 2 trajectories (--n), got {n}; 10–20 "
                                  "is usual for screening")
        return morris_s.sample(problem, n, num_levels=4, seed=seed), {"num_levels": 4}
    if method == "sobol":
        if n < 4:
            raise ExperimentError(f"sobol needs a base sample N ≥ 4 (--n), got {n}; N = 256 or "
                                  "more is usual, a power of two")
        if n & (n - 1):
            lower, upper = 2 ** int(math.log2(n)), 2 ** (int(math.log2(n)) + 1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")   # SALib's own warning says the same
                X = sobol_s.sample(problem, n, calc_second_order=False, seed=seed)
            warnings.warn(
                f"Sobol N = {n} is not a power of two: the Sobol sequence is balanced only for "
                "powers of two, so the indices converge more slowly and the N/2 convergence check "
                f"is less meaningful; use N = {lower} or {upper}. Running with N = {n}.",
                UserWarning, stacklevel=2)
            return X, {"calc_second_order": False}
        return sobol_s.sample(problem, n, calc_second_order=False, seed=seed), \
            {"calc_second_order": False}
    if method == "fast":
        if problem.get("groups"):
            raise ExperimentError("fast does not support groups (use morris or sobol)")
        if n <= 4 * 4 ** 2:
            raise ExperimentError(f"fast needs N > 4·M² = 64 samples per factor (--n), got {n}")
        return fast_sampler.sample(problem, n, M=4, seed=seed), {"M": 4}
    if method in ("delta", "pawn"):
        if problem.get("groups"):
            raise ExperimentError(f"{method} does not support groups (use morris or sobol)")
        if n < 10 * d:
            raise ExperimentError(f"{method} needs at least 10 samples per factor: --n ≥ "
                                  f"{10 * d} for {d} factors, got {n}")
        opts = {"num_resamples": 30} if method == "delta" else {"S": 10}
        return latin.sample(problem, n, seed=seed), opts
    raise ExperimentError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def _salib_seed(seed: int) -> int:
    """SALib's analysers ignore a seed of 0 (``if seed:``): map every seed to a non-zero one."""
    return int(seed) % (2 ** 31 - 2) + 1


def analyse(method: str, problem: dict, X: np.ndarray, Y: np.ndarray, options: dict,
            seed: int, output: str | None = None) -> pd.DataFrame:
    """Indices of one output as a tidy table: parameter, [output,] index, value, conf_low,
    conf_high (95 % intervals; for PAWN a bootstrap over sample rows)."""
    from SALib.analyze import delta, fast, morris, pawn, sobol

    problem = copy.deepcopy(problem)        # SALib adds keys to the dict
    names = _group_names(problem)
    rows = []
    s = _salib_seed(seed)

    def add(index, values, conf=None):
        for i, name in enumerate(names):
            v = float(values[i])
            c = float(conf[i]) if conf is not None else np.nan
            low = v - c if np.isfinite(c) else np.nan
            if index in ("mu_star", "sigma") and np.isfinite(low):
                low = max(low, 0.0)            # non-negative by definition
            rows.append({"parameter": name, "index": index, "value": v, "conf_low": low,
                         "conf_high": v + c if np.isfinite(c) else np.nan})

    formatwarning = warnings.formatwarning      # SALib's delta replaces it
    try:
        # SALib's notices (and delta's own simplefilter("once")) are recorded here and dropped
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("ignore")
            if method == "morris":
                r = morris.analyze(problem, X, Y, num_levels=options["num_levels"], seed=s)
                add("mu_star", r["mu_star"], r["mu_star_conf"])
                add("sigma", r["sigma"])
                add("mu", r["mu"])
            elif method == "sobol":
                r = sobol.analyze(problem, Y, calc_second_order=False, seed=s)
                add("S1", r["S1"], r["S1_conf"])
                add("ST", r["ST"], r["ST_conf"])
            elif method == "fast":
                r = fast.analyze(problem, Y, M=options["M"], seed=s)
                add("S1", r["S1"], r["S1_conf"])
                add("ST", r["ST"], r["ST_conf"])
            elif method == "delta":
                with _one_blas_thread():
                    r = delta.analyze(problem, X, Y, seed=s,
                                      num_resamples=options.get("num_resamples", 30))
                add("delta", r["delta_raw"], r["delta_raw_conf"])
                add("S1", r["S1"], r["S1_conf"])
            elif method == "pawn":
                S = options.get("S", 10)
                r = pawn.analyze(problem, X, Y, S=S, seed=s)
                lo, hi = _pawn_interval(problem, X, Y, S, s)
                for i, name in enumerate(names):
                    rows.append({"parameter": name, "index": "pawn_median",
                                 "value": float(r["median"][i]), "conf_low": float(lo[i]),
                                 "conf_high": float(hi[i])})
            else:
                raise ExperimentError(f"unknown method {method!r}")
    finally:
        warnings.formatwarning = formatwarning
    df = pd.DataFrame(rows, columns=["parameter", "index", "value", "conf_low", "conf_high"])
    if output is not None:
        df.insert(1, "output", output)
    return df


class _one_blas_thread:
    """Run a block with one OpenBLAS thread (as threadpoolctl would, without needing it).

    SALib's delta method calls scipy's gaussian_kde thousands of times on tiny matrices; with
    OpenBLAS's default of one thread per core, any other busy process on the machine (a pool
    worker, a parallel test) makes those threads spin and the analysis 5–10× slower. Linux
    only; elsewhere, or if no OpenBLAS is loaded, a no-op."""

    def __enter__(self):
        self._restore = []
        try:
            import ctypes
            paths = sorted({line.split()[-1] for line in open("/proc/self/maps")
                            if "openblas" in line.lower() and line.split()[-1].startswith("/")})
            for path in paths:
                lib = ctypes.CDLL(path)
                for pre in ("scipy_openblas", "openblas"):
                    for suf in ("64_", ""):
                        get = getattr(lib, f"{pre}_get_num_threads{suf}", None)
                        put = getattr(lib, f"{pre}_set_num_threads{suf}", None)
                        if get is not None and put is not None:
                            n = int(get())
                            put(1)
                            self._restore.append((put, n))
                            break
                    else:
                        continue
                    break
        except Exception:   # noqa: BLE001 — best effort, never fatal
            pass
        return self

    def __exit__(self, *exc):
        for put, n in self._restore:
            try:
                put(n)
            except Exception:   # noqa: BLE001
                pass


def _pawn_interval(problem, X, Y, S, seed, resamples: int = 50):
    """SALib's PAWN gives no interval: a 95 % percentile bootstrap over sample rows."""
    from SALib.analyze import pawn

    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(resamples):
        idx = rng.integers(0, len(Y), len(Y))
        stats.append(pawn.analyze(problem, X[idx], Y[idx], S=S, seed=seed)["median"])
    stats = np.array(stats, dtype=float)
    return np.nanpercentile(stats, 2.5, axis=0), np.nanpercentile(stats, 97.5, axis=0)


def _group_names(problem: dict) -> list[str]:
    groups = problem.get("groups")
    if not groups:
        return list(problem["names"])
    return list(dict.fromkeys(groups))


def _half_design_rows(method: str, problem: dict, n: int) -> int | None:
    """Rows of the sample that form a valid design of N/2 (for the convergence check): whole
    Morris trajectories (D + 1 rows each, D = factors or groups), whole Sobol blocks (D + 2
    rows each without second-order indices), the first half of a delta / PAWN sample. None
    where no such design exists (FAST samples are not nested)."""
    d = len(_group_names(problem))
    h = n // 2
    if method == "morris":
        return h * (d + 1) if h >= 2 else None
    if method == "sobol":
        return h * (d + 2) if h >= 2 else None
    if method in ("delta", "pawn"):
        return h if h >= 10 * problem["num_vars"] else None
    return None


def sensitivity(scenario: Scenario, method: str = "morris", n: int | None = None,
                replicates: int = 5, seed: int = 0, names: list[str] | None = None,
                groups: str | None = None, include_levers: bool = True,
                out: str | Path = "out/sensitivity", resume: bool = False,
                executor: Executor | None = None, workers: int | None = None,
                scheduler: str | None = None, dask_local: int | None = None,
                progress: bool = True) -> dict:
    """Global sensitivity analysis of every modelled target's outcomes.

    Outputs per target: ``p_met:<target>`` (share of replicates meeting it at its year) and
    ``margin:<target>`` (mean indicator / target). Returns a dict with ``indices`` (tidy:
    parameter, output, index, value, conf_low, conf_high), ``convergence`` (indices at N/2
    against N), ``noise`` (share of each output's variance that is replicate noise),
    ``skipped`` (outputs not analysed, with the reason), the design, the outcomes, the SALib
    problem, ``n`` and the store.
    """
    if method not in METHODS:
        raise ExperimentError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    factors = uncertainty_space(scenario, names, include_levers)
    if len(factors) < 2:
        raise ExperimentError("a sensitivity analysis needs at least two factors with ranges")
    problem = salib_problem(factors, groups)
    n = default_n(method, len(factors)) if n is None else int(n)
    X, options = sensitivity_design(method, problem, n, seed)
    Xr = _round_integers(X, factors)
    design = pd.DataFrame(Xr, columns=problem["names"])
    for f in factors:
        if f.integer:
            design[f.name] = design[f.name].astype("int64")
    design.insert(0, "scenario", "base")
    design.insert(0, "point", range(len(design)))
    store, outcomes = _run_experiment(
        "sensitivity", {"base": scenario}, design, replicates, seed, out, resume, executor,
        workers, scheduler, dask_local, progress, method=method, n=n, groups=groups,
        problem=problem, options=options)
    # Morris elementary effects are defined on the design's grid; the other methods use the
    # values the runs had (rounded whole numbers).
    Xa = X if method == "morris" else Xr
    outputs = output_matrix(outcomes, len(design))
    indices, convergence, skipped = [], [], []
    half = _half_design_rows(method, problem, n)
    for col in tqdm(outputs.columns, desc="analysis", unit="output", disable=not progress,
                    dynamic_ncols=True):
        Y = outputs[col].to_numpy(float)
        if not np.isfinite(Y).all():
            skipped.append({"output": col, "reason": f"undefined in {int((~np.isfinite(Y)).sum())}"
                            f" of {len(Y)} points"})
            continue
        if np.ptp(Y) == 0:
            skipped.append({"output": col, "reason": f"constant ({Y[0]:g}) over the design"})
            continue
        idx = analyse(method, problem, Xa, Y, options, seed, output=col)
        indices.append(idx)
        if half:
            h = analyse(method, problem, Xa[:half], Y[:half], options, seed, output=col)
            m = idx.merge(h[["parameter", "index", "value"]], on=["parameter", "index"],
                          suffixes=("", "_half"))
            convergence.append(m[["parameter", "output", "index", "value", "value_half"]])
    indices = pd.concat(indices, ignore_index=True) if indices else pd.DataFrame(
        columns=INDEX_COLUMNS)
    convergence = pd.concat(convergence, ignore_index=True) if convergence else pd.DataFrame(
        columns=["parameter", "output", "index", "value", "value_half"])
    return {"indices": indices[INDEX_COLUMNS], "convergence": convergence,
            "noise": replicate_noise(outcomes), "design": design, "outcomes": outcomes,
            "problem": problem, "n": n, "method": method, "replicates": replicates,
            "seed": seed, "skipped": pd.DataFrame(skipped, columns=["output", "reason"]),
            "store": store}


def output_matrix(outcomes: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """Per point: P(met) and mean margin of every target, as columns ``p_met:<id>`` and
    ``margin:<id>`` (rows in point order)."""
    g = outcomes.groupby(["point", "target"], sort=False)
    p = g["met"].mean().unstack("target").add_prefix("p_met:")
    m = g["margin"].mean().unstack("target").add_prefix("margin:")
    targets = list(dict.fromkeys(outcomes["target"]))
    cols = [f"{k}:{t}" for t in targets for k in ("p_met", "margin")]
    return pd.concat([p, m], axis=1).reindex(index=range(n_points), columns=cols)


def replicate_noise(outcomes: pd.DataFrame) -> pd.DataFrame:
    """How much of each output's variance is replicate noise (one-way random-effects ANOVA
    over points).

    ``noise_share``: within-point variance over the variance of a single run,
    σ²_w / (σ²_b + σ²_w). ``noise_share_of_mean``: the share of the variance of the analysed
    output — the mean over R replicates at each point — that is noise, (σ²_w / R) / Var(point
    means); the sensitivity indices apportion that variance, so a share near 1 means the
    indices mostly describe noise. NaN with a single replicate per point."""
    rows = []
    for t in dict.fromkeys(outcomes["target"]):
        sub = outcomes[outcomes["target"] == t]
        for col, prefix in (("met", "p_met:"), ("margin", "margin:")):
            y = sub[col].astype(float)
            g = y.groupby(sub["point"])
            counts = g.count()
            counts = counts[counts > 0]
            means = g.mean()[counts.index]
            within = g.var(ddof=1)[counts.index]
            within = within[counts > 1]
            r = round(len(counts) / float((1.0 / counts).sum()), 6) if len(counts) else np.nan
            row = {"output": prefix + t, "points": int(len(counts)),
                   "replicates": float(r), "within_variance": np.nan,
                   "between_variance": np.nan, "noise_share": np.nan,
                   "noise_share_of_mean": np.nan}
            if len(within) and len(means) > 1:
                sw = float(within.mean())
                var_means = float(means.var(ddof=1))
                sb = max(var_means - sw / r, 0.0)
                row.update(within_variance=sw, between_variance=sb)
                if sw + sb > 0:
                    row["noise_share"] = sw / (sw + sb)
                if var_means > 0:
                    row["noise_share_of_mean"] = min((sw / r) / var_means, 1.0)
                elif sw == 0:
                    row["noise_share_of_mean"] = np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=["output", "points", "replicates", "within_variance",
                                       "between_variance", "noise_share",
                                       "noise_share_of_mean"])
