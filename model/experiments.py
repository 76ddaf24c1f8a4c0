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
(``experiment.json``: scenario contents, design, seeds, zonesim version) and the outcomes in
parquet chunks written atomically as tasks finish. ``resume=True`` skips finished runs and never
duplicates one; a folder holding a different experiment is refused, never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import warnings
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .model import ZoneModel, check_overrides
from .params import PARAMETERS
from .runner import default_workers, replicate_seed
from .scenario import Scenario, ScenarioError
from .targets import evaluate_targets, wilson_interval

OUTCOME_COLUMNS = ["point", "replicate", "target", "value", "met", "margin"]


class ExperimentError(ScenarioError):
    """A bad experiment request (unknown parameter, bad range, bad method, folder clash)."""


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
        if kind == "lever" and not include_levers:
            continue
        factors.append(Factor(name, float(low), float(high), kind, p.integer, p.unit))
    if names:
        by_name = {f.name: f for f in factors}
        unknown = [n for n in names if n not in PARAMETERS]
        if unknown:
            raise ExperimentError(f"unknown parameter(s) {', '.join(unknown)}; see "
                                  "`zonesim parameters`")
        fixed = [n for n in names if n not in by_name]
        if fixed:
            raise ExperimentError(
                f"parameter(s) {', '.join(fixed)} have no low–high range in {scenario.name} "
                "(fixed by a seed clause or a statistic, or categorical); give a range with "
                "`zonesim sweep --param NAME=LOW:HIGH` or an assumption range in the scenario")
        factors = [by_name[n] for n in names]
    return factors


def check_factor(name: str, low: float, high: float) -> Factor:
    """A factor given on the command line: known parameter, range inside its valid domain."""
    if name not in PARAMETERS:
        import difflib
        close = difflib.get_close_matches(name, PARAMETERS, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ExperimentError(f"unknown parameter {name!r}{hint}; see `zonesim parameters`")
    p = PARAMETERS[name]
    if p.categorical:
        raise ExperimentError(f"parameter {name} is categorical ({', '.join(p.choices)}); "
                              "compare scenario variants instead")
    if not high > low:
        raise ExperimentError(f"parameter {name}: range {low:g}:{high:g} is empty "
                              "(LOW must be below HIGH)")
    for x in (low, high):
        if (p.minimum is not None and x < p.minimum) or (p.maximum is not None and x > p.maximum):
            raise ExperimentError(f"parameter {name}: {x:g} is outside its valid domain "
                                  f"[{p.minimum:g}, {'∞' if p.maximum is None else f'{p.maximum:g}'}]"
                                  f" ({p.unit})")
    kind = "lever" if p.kind == "lever" else "uncertainty"
    return Factor(name, float(low), float(high), kind, p.integer, p.unit)


def salib_problem(factors: list[Factor], groups: str | None = None) -> dict:
    """A SALib problem dict; ``groups='kind'`` groups factors into uncertainties and levers."""
    problem = {"num_vars": len(factors), "names": [f.name for f in factors],
               "bounds": [[f.low, f.high] for f in factors]}
    if groups == "kind":
        problem["groups"] = [f.kind for f in factors]
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
    out = []
    for pt in points:
        sc = scenarios[pt["scenario"]]
        for r in replicates:
            model = ZoneModel(sc, seed=replicate_seed(seed, r), parameters=pt["parameters"])
            table = model.run()
            table.insert(0, "replicate", r)
            ev = evaluate_targets(sc, table)
            ev.insert(0, "point", pt["point"])
            out.append(ev)
    df = pd.concat(out, ignore_index=True)
    targets = {t.id: t for s in scenarios.values() for t in s.modelled_targets}
    df["margin"] = [_margin(v, targets[t]) for v, t in zip(df["value"], df["target"])]
    return df[OUTCOME_COLUMNS]


def _margin(value: float, target) -> float:
    """Continuous distance to the target, ≥ 1 when met: indicator / target for '≥' targets,
    target / indicator for '≤' targets; for a target value of 0, 1 + (indicator − target)."""
    if target.value == 0 or not np.isfinite(value):
        d = value - target.value if target.comparator in (">=", ">") else target.value - value
        return float(1.0 + d) if np.isfinite(d) else float(np.sign(d) * 1e6)
    if target.comparator in (">=", ">"):
        return float(value / target.value)
    return float(target.value / value) if value else 1e6


# ------------------------------------------------------------------------ the store

class ResultStore:
    """An experiment's folder: specification, design, outcome chunks written atomically."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.chunks = self.folder / "chunks"

    @property
    def spec_path(self) -> Path:
        return self.folder / "experiment.json"

    def open(self, spec: dict, design: pd.DataFrame, resume: bool) -> set[tuple[int, int]]:
        """Create the folder for ``spec`` or, with ``resume``, reopen it. Returns the finished
        (point, replicate) pairs. Refuses a folder that holds anything else."""
        digest = spec_digest(spec)
        if self.spec_path.exists():
            old = json.loads(self.spec_path.read_text())
            if old.get("digest") != digest:
                raise ExperimentError(
                    f"{self.folder} holds a different experiment ({old.get('kind')} of "
                    f"{old.get('scenario_ids')}, created {old.get('created')}); choose another "
                    "--out folder (nothing was overwritten)")
            if not resume:
                raise ExperimentError(
                    f"{self.folder} already holds this experiment; add --resume to continue it "
                    "(finished runs are kept) or choose another --out folder")
            return self.finished()
        if self.folder.exists() and any(self.folder.iterdir()):
            raise ExperimentError(f"{self.folder} is not empty and holds no experiment; choose "
                                  "another --out folder (nothing was overwritten)")
        self.chunks.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.folder / "design.parquet", lambda p: design.to_parquet(p, index=False))
        _atomic_write(self.spec_path, lambda p: Path(p).write_text(
            json.dumps({**spec, "digest": digest, "created": time.strftime("%Y-%m-%d %H:%M:%S")},
                       ensure_ascii=False, indent=1, default=_json_default)))
        return set()

    def write_chunk(self, df: pd.DataFrame) -> None:
        key = f"{int(df['point'].min()):07d}-{int(df['replicate'].min()):05d}-{os.getpid()}-" \
              f"{time.monotonic_ns()}"
        _atomic_write(self.chunks / f"chunk-{key}.parquet",
                      lambda p: df.to_parquet(p, index=False))

    def outcomes(self) -> pd.DataFrame:
        """All outcome rows, each (point, replicate, target) once."""
        files = sorted(self.chunks.glob("chunk-*.parquet"))
        if not files:
            return pd.DataFrame(columns=OUTCOME_COLUMNS)
        df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        df = df.drop_duplicates(["point", "replicate", "target"], keep="first")
        return df.sort_values(["point", "replicate", "target"], ignore_index=True)

    def finished(self) -> set[tuple[int, int]]:
        df = self.outcomes()
        return set(zip(df["point"].astype(int), df["replicate"].astype(int)))

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
    raise TypeError(type(o))


def spec_digest(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False,
                                     default=_json_default).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------- execution

def make_executor(workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None):
    """An executor and a closer: serial (None) for 1 worker, a local process pool by default,
    Dask's ``Client.get_executor()`` for ``scheduler`` (an address) or ``dask_local`` workers."""
    if scheduler or dask_local:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ExperimentError("Dask is not installed: pip install 'dask[distributed]'")
        if scheduler:
            client = Client(scheduler)
            cluster = None
        else:
            cluster = LocalCluster(n_workers=int(dask_local), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
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
    return pool, pool.shutdown


def execute(store: ResultStore, scenarios: dict[str, Scenario], design: pd.DataFrame,
            replicates: int, seed: int, executor: Executor | None = None,
            finished: set | None = None, progress: bool = True, runs_per_task: int = 16,
            label: str = "runs") -> pd.DataFrame:
    """Run every (point, replicate) of the design not yet finished, writing a chunk per task.
    Returns all outcomes of the store."""
    finished = finished or set()
    params = [c for c in design.columns if c not in ("point", "scenario")]
    todo = []
    for row in design.itertuples(index=False):
        row = row._asdict()
        missing = [r for r in range(replicates) if (int(row["point"]), r) not in finished]
        if missing:
            pt = {"point": int(row["point"]), "scenario": row["scenario"],
                  "parameters": {k: row[k] for k in params if pd.notna(row[k])}}
            todo.append((pt, missing))
    tasks = _pack(todo, runs_per_task)
    total = sum(len(m) for _, m in todo)
    bar = tqdm(total=total, desc=label, unit="run", disable=not progress)
    try:
        if executor is None:
            for pts, reps in tasks:
                df = run_points(scenarios, pts, reps, seed)
                store.write_chunk(df)
                bar.update(len(pts) * len(reps))
        else:
            futures = {executor.submit(run_points, scenarios, pts, reps, seed): len(pts) * len(reps)
                       for pts, reps in tasks}
            for f in as_completed(futures):
                store.write_chunk(f.result())
                bar.update(futures[f])
    finally:
        bar.close()
    return store.outcomes()


def _pack(todo, runs_per_task):
    """Group (point, missing replicates) into tasks of about ``runs_per_task`` runs: points with
    the same missing replicates travel together."""
    tasks, cur, cur_reps = [], [], None
    for pt, reps in todo:
        if cur and (reps != cur_reps or len(cur) * len(reps) >= runs_per_task):
            tasks.append((cur, cur_reps))
            cur = []
        cur.append(pt)
        cur_reps = reps
    if cur:
        tasks.append((cur, cur_reps))
    return tasks


def _base_spec(kind: str, scenarios: dict[str, Scenario], design: pd.DataFrame,
               replicates: int, seed: int, **extra) -> dict:
    from . import __version__
    return {"kind": kind, "zonesim_version": __version__,
            "scenario_ids": sorted(s.name for s in scenarios.values()),
            "scenarios": {k: s.model_dump(mode="json") for k, s in scenarios.items()},
            "design_digest": hashlib.sha256(pd.util.hash_pandas_object(
                design, index=False).to_numpy().tobytes()).hexdigest()[:16],
            "design_points": int(len(design)), "replicates": int(replicates),
            "seed": int(seed), "seeds": "SeedSequence(seed, spawn_key=(replicate,))", **extra}


def _run_experiment(kind, scenarios, design, replicates, seed, out, resume, executor, workers,
                    scheduler, dask_local, progress, **extra):
    spec = _base_spec(kind, scenarios, design, replicates, seed, **extra)
    store = ResultStore(out)
    finished = store.open(spec, design, resume)
    own_close = None
    if executor is None:
        executor, own_close = make_executor(workers, scheduler, dask_local)
    try:
        outcomes = execute(store, scenarios, design, replicates, seed, executor, finished,
                           progress, label=kind)
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

    Returns (outcomes, comparison): per variant and target, P(met) of base and variant, their
    paired difference with a 95 % bootstrap interval over replicates, and the difference of the
    indicator's medians with its interval.
    """
    scenarios = {"base": base, **{f"variant_{i}": v for i, v in enumerate(variants)}}
    names = [base.name] + [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ExperimentError("the base and variants must be different scenarios")
    design = pd.DataFrame({"point": range(len(scenarios)), "scenario": list(scenarios)})
    _, outcomes = _run_experiment("compare", scenarios, design, replicates, seed, out, resume,
                                  executor, workers, scheduler, dask_local, progress)
    return outcomes, comparison_table(outcomes, design, scenarios, seed)


def comparison_table(outcomes: pd.DataFrame, design: pd.DataFrame,
                     scenarios: dict[str, Scenario], seed: int = 0) -> pd.DataFrame:
    from scipy.stats import bootstrap

    rng = np.random.default_rng(seed)
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
            dp = vm.mean() - bm.mean()
            lo, hi = _paired_ci(bm, vm, np.mean, rng, bootstrap)
            ok = np.isfinite(bv) & np.isfinite(vv)
            dmed = np.median(vv[ok]) - np.median(bv[ok]) if ok.any() else np.nan
            mlo, mhi = _paired_ci(bv[ok], vv[ok], np.median, rng, bootstrap) if ok.sum() > 2 \
                else (np.nan, np.nan)
            rows.append({"variant": scenarios[row.scenario].name, "target": t.id,
                         "indicator": t.indicator, "p_met_base": bm.mean(),
                         "p_met_variant": vm.mean(), "p_met_diff": dp, "p_met_diff_low": lo,
                         "p_met_diff_high": hi, "median_base": np.median(bv[ok]) if ok.any()
                         else np.nan, "median_variant": np.median(vv[ok]) if ok.any() else np.nan,
                         "median_diff": dmed, "median_diff_low": mlo, "median_diff_high": mhi,
                         "replicates": len(bm)})
    return pd.DataFrame(rows)


def _paired_ci(base, variant, stat, rng, bootstrap):
    """95 % percentile-bootstrap interval of stat(variant) − stat(base), resampling replicates
    in pairs (common random numbers make the pairs)."""
    if len(base) < 2:
        return (np.nan, np.nan)
    if np.all(base == base[0]) and np.all(variant == variant[0]):
        d = stat(variant) - stat(base)
        return (d, d)
    res = bootstrap((base, variant), lambda b, v, axis=-1: stat(v, axis=axis) - stat(b, axis=axis),
                    paired=True, vectorized=True, n_resamples=2000, method="percentile",
                    random_state=rng)
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


# --------------------------------------------------------------------------- sweep

def sweep(scenario: Scenario, factors: list[Factor], design: str = "grid", steps: dict | None = None,
          samples: int = 16, replicates: int = 10, seed: int = 0, out: str | Path = "out/sweep",
          resume: bool = False, executor: Executor | None = None, workers: int | None = None,
          scheduler: str | None = None, dask_local: int | None = None,
          progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A grid or Latin-hypercube sweep. Returns (design, outcomes, per-point summary)."""
    if not factors:
        raise ExperimentError("a sweep needs at least one --param NAME=LOW:HIGH[:STEPS]")
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise ExperimentError("a parameter is given twice")
    if design == "grid":
        axes = [np.linspace(f.low, f.high, int((steps or {}).get(f.name, 5))) for f in factors]
        pts = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(factors), -1).T
    elif design == "lhs":
        from scipy.stats import qmc
        if samples < 2:
            raise ExperimentError("an lhs sweep needs at least 2 samples")
        unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(samples)
        pts = qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])
    else:
        raise ExperimentError(f"unknown design {design!r} (grid or lhs)")
    pts = _round_integers(pts, factors)
    table = pd.DataFrame(pts, columns=names)
    table.insert(0, "scenario", "base")
    table.insert(0, "point", range(len(table)))
    _, outcomes = _run_experiment("sweep", {"base": scenario}, table, replicates, seed, out,
                                  resume, executor, workers, scheduler, dask_local, progress,
                                  factors=[f.__dict__ for f in factors], design_kind=design)
    return table, outcomes, point_summary(outcomes, table)


def _round_integers(pts: np.ndarray, factors: list[Factor]) -> np.ndarray:
    pts = np.array(pts, dtype=float)
    for j, f in enumerate(factors):
        if f.integer:
            pts[:, j] = np.round(pts[:, j])
    return pts


def point_summary(outcomes: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Per point and target: P(met) with a Wilson interval, indicator median and 5–95 %."""
    g = outcomes.groupby(["point", "target"])
    s = g.agg(replicates=("met", "size"), met=("met", "sum"), median=("value", "median"),
              q05=("value", lambda v: v.quantile(0.05)), q95=("value", lambda v: v.quantile(0.95)),
              margin=("margin", "mean")).reset_index()
    s["p_met"] = s["met"] / s["replicates"]
    ci = [wilson_interval(k, n) for k, n in zip(s["met"], s["replicates"])]
    s["p_met_low"] = [c[0] for c in ci]
    s["p_met_high"] = [c[1] for c in ci]
    return design.merge(s.drop(columns="met"), on="point")


# ---------------------------------------------------------------------- sensitivity

METHODS = ("morris", "sobol", "fast", "delta", "pawn")


def sensitivity_design(method: str, problem: dict, n: int, seed: int) -> tuple[np.ndarray, dict]:
    """The SALib sample for ``method`` and the options its analysis needs."""
    from SALib.sample import fast_sampler, latin, morris as morris_s, sobol as sobol_s

    d = problem["num_vars"]
    if method == "morris":
        if n < 2:
            raise ExperimentError("morris needs at least 2 trajectories (--n)")
        return morris_s.sample(problem, n, num_levels=4, seed=seed), {"num_levels": 4}
    if method == "sobol":
        if n < 2:
            raise ExperimentError("sobol needs N ≥ 2 (--n)")
        if n & (n - 1):
            warnings.warn(f"Sobol N = {n} is not a power of two: the Sobol sequence loses its "
                          "balance properties and the indices converge more slowly; use N = "
                          f"{2 ** round(math.log2(n))}", stacklevel=2)
        return sobol_s.sample(problem, n, calc_second_order=False, seed=seed), \
            {"calc_second_order": False}
    if method == "fast":
        if problem.get("groups"):
            raise ExperimentError("fast does not support groups (use morris or sobol)")
        if n <= 4 * 4 ** 2:
            raise ExperimentError(f"fast needs N > 4 M² = 64 samples per factor (--n), got {n}")
        return fast_sampler.sample(problem, n, M=4, seed=seed), {"M": 4}
    if method in ("delta", "pawn"):
        if problem.get("groups"):
            raise ExperimentError(f"{method} does not support groups (use morris or sobol)")
        if n < 10 * d:
            raise ExperimentError(f"{method} needs at least 10 samples per factor: --n ≥ "
                                  f"{10 * d} for {d} factors, got {n}")
        return latin.sample(problem, n, seed=seed), {}
    raise ExperimentError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def analyse(method: str, problem: dict, X: np.ndarray, Y: np.ndarray, options: dict,
            seed: int) -> pd.DataFrame:
    """Indices of one output as a tidy table: parameter, index, value, conf_low, conf_high."""
    from SALib.analyze import delta, fast, morris, pawn, sobol

    names = _group_names(problem)
    rows = []

    def add(index, values, conf=None):
        for i, name in enumerate(names):
            v = float(values[i])
            c = float(conf[i]) if conf is not None else np.nan
            rows.append({"parameter": name, "index": index, "value": v,
                         "conf_low": v - c if np.isfinite(c) else np.nan,
                         "conf_high": v + c if np.isfinite(c) else np.nan})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "morris":
            r = morris.analyze(problem, X, Y, num_levels=options["num_levels"], seed=seed)
            add("mu_star", r["mu_star"], r["mu_star_conf"])
            add("sigma", r["sigma"])
            add("mu", r["mu"])
        elif method == "sobol":
            r = sobol.analyze(problem, Y, calc_second_order=False, seed=seed)
            add("S1", r["S1"], r["S1_conf"])
            add("ST", r["ST"], r["ST_conf"])
        elif method == "fast":
            r = fast.analyze(problem, Y, M=options["M"], seed=seed)
            add("S1", r["S1"], r["S1_conf"])
            add("ST", r["ST"], r["ST_conf"])
        elif method == "delta":
            r = delta.analyze(problem, X, Y, seed=seed)
            add("delta", r["delta"], r["delta_conf"])
            add("S1", r["S1"], r["S1_conf"])
        elif method == "pawn":
            r = pawn.analyze(problem, X, Y, S=10, seed=seed)
            lo, hi = _pawn_interval(problem, X, Y, seed)
            for i, name in enumerate(names):
                rows.append({"parameter": name, "index": "pawn_median",
                             "value": float(r["median"][i]), "conf_low": lo[i],
                             "conf_high": hi[i]})
    return pd.DataFrame(rows)


def _pawn_interval(problem, X, Y, seed, resamples: int = 50):
    """SALib's PAWN gives no interval: a 95 % percentile bootstrap over sample rows."""
    from SALib.analyze import pawn

    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(resamples):
        idx = rng.integers(0, len(Y), len(Y))
        stats.append(pawn.analyze(problem, X[idx], Y[idx], S=10, seed=seed)["median"])
    stats = np.array(stats)
    return np.nanpercentile(stats, 2.5, axis=0), np.nanpercentile(stats, 97.5, axis=0)


def _group_names(problem: dict) -> list[str]:
    groups = problem.get("groups")
    if not groups:
        return list(problem["names"])
    return list(dict.fromkeys(groups))


def _half_design_rows(method: str, problem: dict, n: int) -> int | None:
    """Rows of the sample that form a valid design of N/2 (for the convergence check)."""
    d = len(_group_names(problem)) if method in ("morris", "sobol") else problem["num_vars"]
    if method == "morris":
        return (n // 2) * (d + 1) if n // 2 >= 2 else None
    if method == "sobol":
        return (n // 2) * (d + 2) if n // 2 >= 2 else None
    if method in ("delta", "pawn"):
        return n // 2 if n // 2 >= 10 * problem["num_vars"] else None
    return None  # FAST samples are not nested


def sensitivity(scenario: Scenario, method: str = "morris", n: int = 20, replicates: int = 5,
                seed: int = 0, names: list[str] | None = None, groups: str | None = None,
                include_levers: bool = True, out: str | Path = "out/sensitivity",
                resume: bool = False, executor: Executor | None = None,
                workers: int | None = None, scheduler: str | None = None,
                dask_local: int | None = None, progress: bool = True) -> dict:
    """Global sensitivity analysis of every modelled target's outcomes.

    Outputs per target: ``p_met:<target>`` (share of replicates meeting it at its year) and
    ``margin:<target>`` (mean indicator / target). Returns a dict with ``indices`` (tidy:
    parameter, output, index, value, conf_low, conf_high), ``convergence`` (indices at N/2
    against N), ``noise`` (share of each output's variance that is replicate noise), the design
    and the outcomes.
    """
    if method not in METHODS:
        raise ExperimentError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    factors = uncertainty_space(scenario, names, include_levers)
    if len(factors) < 2:
        raise ExperimentError("a sensitivity analysis needs at least two factors with ranges")
    problem = salib_problem(factors, groups)
    X, options = sensitivity_design(method, problem, n, seed)
    X = _round_integers(X, factors)
    design = pd.DataFrame(X, columns=problem["names"])
    design.insert(0, "scenario", "base")
    design.insert(0, "point", range(len(design)))
    store, outcomes = _run_experiment(
        "sensitivity", {"base": scenario}, design, replicates, seed, out, resume, executor,
        workers, scheduler, dask_local, progress, method=method, n=n, groups=groups,
        problem=problem, options=options)
    outputs = output_matrix(outcomes, len(design))
    indices, convergence = [], []
    half = _half_design_rows(method, problem, n)
    for col in outputs.columns:
        Y = outputs[col].to_numpy(float)
        if not np.isfinite(Y).all() or np.ptp(Y) == 0:
            continue
        idx = analyse(method, problem, X, Y, options, seed)
        idx.insert(1, "output", col)
        indices.append(idx)
        if half:
            h = analyse(method, problem, X[:half], Y[:half], options, seed)
            m = idx.merge(h, on=["parameter", "index"], suffixes=("", "_half"))
            convergence.append(m[["parameter", "output", "index", "value", "value_half"]])
    indices = pd.concat(indices, ignore_index=True) if indices else pd.DataFrame(
        columns=["parameter", "output", "index", "value", "conf_low", "conf_high"])
    convergence = pd.concat(convergence, ignore_index=True) if convergence else pd.DataFrame()
    return {"indices": indices, "convergence": convergence,
            "noise": replicate_noise(outcomes), "design": design, "outcomes": outcomes,
            "problem": problem, "store": store}


def output_matrix(outcomes: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """Per point: P(met) and mean margin of every target, as columns ``p_met:<id>`` and
    ``margin:<id>`` (rows in point order)."""
    g = outcomes.groupby(["point", "target"])
    p = g["met"].mean().unstack("target").add_prefix("p_met:")
    m = g["margin"].mean().unstack("target").add_prefix("margin:")
    return pd.concat([p, m], axis=1).reindex(range(n_points))


def replicate_noise(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Share of each output's variance (over all runs) that lies within points (replicate
    noise): mean within-point variance / total variance."""
    rows = []
    for (t, col), _ in [((t, c), None) for t in outcomes["target"].unique()
                        for c in ("met", "margin")]:
        sub = outcomes[outcomes["target"] == t]
        y = sub[col].astype(float)
        total = y.var()
        within = sub.groupby("point")[col].apply(lambda v: v.astype(float).var()).mean()
        name = ("p_met:" if col == "met" else "margin:") + t
        rows.append({"output": name, "noise_share": within / total if total > 0 else np.nan})
    return pd.DataFrame(rows)
