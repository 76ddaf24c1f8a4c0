"""Sobol sweep throughput: model runs per second, serial against 2 local processes.

A SALib Sobol design (calc_second_order=False) over the first D = 15 uncertain parameters and
levers of the default scenario (``zonesim.analysis.space.uncertainty_space``), with integer
parameters rounded as the workbench does, is cut into tasks of ``--runs-per-task`` runs (as
``zonesim.analysis.experiments.execute`` does) and run with
``zonesim.analysis.experiments.run_points`` through ``zonesim.run.map_unordered``: once in this
process, once on a ``ProcessPoolExecutor`` of 2 workers (pool started and warmed before the
clock starts; start-up reported separately). Alternating, ``--repeats`` times; medians.

Prints runs per second for each, their ratio, and the projected wall time of the full design
D = 15, N = 1024 (N × (D + 2) = 17 408 runs, one replicate each) on this machine with 2
processes (and per replicate: a sweep with R replicates takes R times as long).

    python benchmarks/sweep_throughput.py [--n 16] [--repeats 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from zonesim.analysis.space import uncertainty_space
from zonesim.analysis.designs import round_integers, sensitivity_design
from zonesim.analysis.experiments import RUNS_PER_TASK, run_points
from zonesim.analysis.space import salib_problem
from zonesim.run import map_unordered
from zonesim.scenario import load_scenario

D_FULL, N_FULL = 15, 1024


def _noop():
    import zonesim.engine.model  # noqa: F401  (warm the worker: imports done before timing)
    return 0


def design(n: int, d: int, seed: int = 0):
    sc = load_scenario(None)
    factors = uncertainty_space(sc)[:d]
    problem = salib_problem(factors)
    X, _ = sensitivity_design("sobol", problem, n, seed)
    X = round_integers(X, factors)
    points = [{"point": i, "scenario": sc.name,
               "parameters": {f.name: (int(v) if f.integer else float(v))
                              for f, v in zip(factors, row)}} for i, row in enumerate(X)]
    return sc, factors, points


def tasks_of(points, per_task):
    return [points[i:i + per_task] for i in range(0, len(points), per_task)]


def run_tasks(executor, scenarios, tasks, seed):
    """Seconds to run every task, in this process (``executor`` None) or on ``executor``."""
    t = time.perf_counter()
    for _ in map_unordered(run_points, [(scenarios, pts, [0], seed) for pts in tasks], executor):
        pass
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=16, help="Sobol base sample of the timed design")
    ap.add_argument("--d", type=int, default=D_FULL, help="factors")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs-per-task", type=int, default=RUNS_PER_TASK,
                    help="runs per task (default: the workbench's)")
    args = ap.parse_args(argv)
    sc, factors, points = design(args.n, args.d)
    scenarios = {sc.name: sc}
    tasks = tasks_of(points, args.runs_per_task)
    runs = len(points)
    print(f"sweep_throughput: {sc.name}, Sobol D = {len(factors)}, N = {args.n} → {runs} runs "
          f"in {len(tasks)} tasks; {args.workers} workers")
    t = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=args.workers)
    for f in [pool.submit(_noop) for _ in range(args.workers)]:
        f.result()
    startup = time.perf_counter() - t
    serial, parallel = [], []
    try:
        run_points(scenarios, points[:1], [0], 0)     # warm this process too
        for k in range(args.repeats):
            s = runs / run_tasks(None, scenarios, tasks, seed=k)
            p = runs / run_tasks(pool, scenarios, tasks, seed=k)
            serial.append(s)
            parallel.append(p)
            print(f"  repeat {k}: serial {s:6.2f} runs/s, {args.workers} processes {p:6.2f} "
                  f"runs/s, ratio {p / s:4.2f}", flush=True)
    finally:
        pool.shutdown()
    s, p = statistics.median(serial), statistics.median(parallel)
    ratio = statistics.median(b / a for a, b in zip(serial, parallel))
    print(f"serial            : {s:6.2f} runs/s ({1000 / s:6.1f} ms per run)")
    print(f"{args.workers} processes       : {p:6.2f} runs/s (pool start-up {startup:.1f} s, "
          "not counted)")
    print(f"speed-up          : {ratio:4.2f} (goal ≥ 1.8: {'MET' if ratio >= 1.8 else 'NOT MET'})")
    full = N_FULL * (D_FULL + 2)
    minutes = full / p / 60
    print(f"projection D = {D_FULL}, N = {N_FULL}: {full} runs × 1 replicate on {args.workers} "
          f"processes ≈ {minutes:.1f} min (goal ≤ 30: {'MET' if minutes <= 30 else 'NOT MET'});"
          f" with R replicates, R × that")
    return 0


if __name__ == "__main__":
    sys.exit(main())
