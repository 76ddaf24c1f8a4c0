"""Running replicates: each run is a pure function of (scenario, parameters, seed, replicate).

Replicate r of a run with seed s draws from ``SeedSequence(s, spawn_key=(r,))`` — the r-th
child of the seed — so a replicate's results do not depend on how many replicates are run, in
what order, or on which worker: the same numbers serially, on a process pool or on Dask.

Every loop that runs model replicates (``zonesim run``, the experiments, calibration,
forecasts and pattern checks) sends its work through :func:`map_unordered` (or
:func:`map_ordered`) on any ``concurrent.futures.Executor`` (``ProcessPoolExecutor``, Dask's
``Client.get_executor()``, mpi4py's ``MPIPoolExecutor``) or serially in this process;
:func:`make_executor` builds one.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from zonesim.engine.model import ZoneModel
from zonesim.engine.firms import check_run_memory
from zonesim.registry.validate import check_option, check_overrides, check_run_options
from zonesim.errors import ExperimentError
from zonesim.scenario import Scenario
from zonesim.scenario.schema import check_scenario


def replicate_seed(seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed sequence of replicate ``replicate`` of a run seeded with ``seed``."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(replicate),))


def run_replicate(scenario: Scenario, seed: int = 0, replicate: int = 0,
                  parameters: dict | None = None,
                  steps_per_year: int | None = None) -> pd.DataFrame:
    """Run one replicate; returns its yearly indicators (one row per year and scope) with a
    ``replicate`` column first."""
    seed, replicate = check_option("seed", seed), check_option("replicate", replicate)
    model = ZoneModel(scenario, seed=replicate_seed(seed, replicate), parameters=parameters,
                      steps_per_year=steps_per_year)
    table = model.run()
    table.insert(0, "replicate", replicate)
    return table


def default_workers() -> int:
    return max(os.cpu_count() or 1, 1)


def check_executor_options(workers: int | None = None, scheduler: str | None = None,
                           dask_local: int | None = None) -> None:
    """Where runs go, given once: local processes, a Dask cluster's address, or a local Dask
    cluster's size."""
    check_run_options(workers=workers, dask_local=dask_local)
    if scheduler is not None and not str(scheduler).strip():
        raise ExperimentError("--scheduler: expected a Dask scheduler address "
                              "(e.g. tcp://host:8786), got an empty one")
    if scheduler and dask_local:
        raise ExperimentError("give either --scheduler ADDRESS (an existing Dask cluster) or "
                              "--dask-local N (start one here), not both")
    if workers and (scheduler or dask_local):
        raise ExperimentError("--workers sets local processes; with Dask, size the cluster "
                              "instead (--dask-local N) and leave out --workers")


def make_executor(workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None):
    """An executor and a closer: serial (None) for 1 worker, a local process pool by default,
    Dask's ``Client.get_executor()`` for ``scheduler`` (an address) or ``dask_local`` workers."""
    check_executor_options(workers, scheduler, dask_local)
    if scheduler or dask_local:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ExperimentError("Dask is not installed: pip install 'dask[distributed]'")
        import logging
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as e:  # ValueError: a malformed address
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
    pool = ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent,
                               initargs=(os.getpid(),))
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)


def end_with_parent(parent_pid: int, every_s: float = 1.0) -> None:
    """In a pool worker: end this process when the process that started it has gone (killed
    with -9, it cannot shut its pool down, and workers would otherwise run on, orphaned)."""
    def watch():
        while os.getppid() == parent_pid:
            time.sleep(every_s)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="zonesim-parent-watch").start()
    # Ctrl-C reaches the whole process group: the parent stops the pool and says so once;
    # workers would each print a KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_unordered(fn: Callable, jobs: Sequence[tuple], executor: Executor | None = None
                  ) -> Iterator[tuple[int, Any]]:
    """Yield ``(i, fn(*jobs[i]))`` for every job as it finishes: in job order serially
    (``executor`` None), in order of completion on ``executor``.

    Work not yet started is cancelled when the caller stops early or a job fails, so an
    interrupted experiment stops sending runs out."""
    if executor is None:
        for i, job in enumerate(jobs):
            yield i, fn(*job)
        return
    futures = {executor.submit(fn, *job): i for i, job in enumerate(jobs)}
    try:
        for f in as_completed(futures):
            yield futures[f], f.result()
    finally:
        for f in futures:
            f.cancel()


def map_ordered(fn: Callable, jobs: Sequence[tuple], executor: Executor | None = None
                ) -> list:
    """``[fn(*job) for job in jobs]``, run through :func:`map_unordered`."""
    results = dict(map_unordered(fn, jobs, executor))
    return [results[i] for i in range(len(jobs))]


def check_resources(scenario: Scenario, replicates: int, parameters: dict | None = None,
                    workers: int | None = None, executor: Executor | None = None) -> int:
    """The memory ``replicates`` runs need side by side (one per worker; an executor passed in
    is taken to run one per core of this machine), refused if the machine has not that much
    available; before any folder is made or work sent out."""
    p = {**scenario.values(), **check_overrides(parameters)}
    at_once = default_workers() if executor is not None or workers is None else workers
    return check_run_memory(p["initial_enterprises"], min(replicates, at_once))


def run_replicates(scenario: Scenario, replicates: int, seed: int = 0,
                   parameters: dict | None = None, executor: Executor | None = None,
                   workers: int | None = None, steps_per_year: int | None = None,
                   progress: bool = True,
                   per_replicate: Sequence[dict] | None = None) -> pd.DataFrame:
    """Run ``replicates`` replicates and return their indicator tables, stacked.

    ``executor``: any ``concurrent.futures.Executor``; if None, ``workers`` > 1 starts a local
    process pool and ``workers`` = 1 (or a single replicate) runs serially in this process.
    ``per_replicate``: overrides of replicate r (``per_replicate[r]``, e.g. its draw of the
    uncertain parameters, :mod:`zonesim.analysis.uncertainty`) on top of ``parameters``.
    """
    # fail before any work is sent out
    check_scenario(scenario)
    replicates, seed = check_option("replicates", replicates), check_option("seed", seed)
    opts = check_run_options(workers=workers, steps_per_year=steps_per_year)
    steps_per_year = opts["steps_per_year"]
    check_resources(scenario, replicates, parameters, workers, executor)
    workers = default_workers() if workers is None else opts["workers"]
    bar = tqdm(total=replicates, desc=f"{scenario.name}", unit="run", disable=not progress)
    close = None
    if executor is None:
        executor, close = make_executor(min(workers, replicates))
    if per_replicate is not None and len(per_replicate) != replicates:
        raise ExperimentError(f"per_replicate: expected {replicates} overrides (one a "
                              f"replicate), got {len(per_replicate)}")
    jobs = [(scenario, seed, r, parameters if per_replicate is None
             else {**(parameters or {}), **per_replicate[r]}, steps_per_year)
            for r in range(replicates)]
    results: dict[int, pd.DataFrame] = {}
    try:
        for r, table in map_unordered(run_replicate, jobs, executor):
            results[r] = table
            bar.update()
    finally:
        bar.close()
        if close is not None:
            close()
    return pd.concat([results[r] for r in range(replicates)], ignore_index=True)
