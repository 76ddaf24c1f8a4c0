"""Running replicates: each run is a pure function of (scenario, parameters, seed, replicate).

Replicate r of a run with seed s draws from ``SeedSequence(s, spawn_key=(r,))`` — the r-th
child of the seed — so a replicate's results do not depend on how many replicates are run, in
what order, or on which worker: the same numbers serially, on a process pool or on Dask.
Any ``concurrent.futures.Executor`` can run them (``ProcessPoolExecutor``, Dask's
``Client.get_executor()``, mpi4py's ``MPIPoolExecutor``).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from zonesim.engine.model import ZoneModel, check_overrides
from zonesim.scenario import Scenario


def replicate_seed(seed: int, replicate: int) -> np.random.SeedSequence:
    """The seed sequence of replicate ``replicate`` of a run seeded with ``seed``."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(replicate),))


def run_replicate(scenario: Scenario, seed: int = 0, replicate: int = 0,
                  parameters: dict | None = None,
                  steps_per_year: int | None = None) -> pd.DataFrame:
    """Run one replicate; returns its yearly indicators (one row per year and scope) with a
    ``replicate`` column first."""
    model = ZoneModel(scenario, seed=replicate_seed(seed, replicate), parameters=parameters,
                      steps_per_year=steps_per_year)
    table = model.run()
    table.insert(0, "replicate", replicate)
    return table


def default_workers() -> int:
    return max(os.cpu_count() or 1, 1)


def run_replicates(scenario: Scenario, replicates: int, seed: int = 0,
                   parameters: dict | None = None, executor: Executor | None = None,
                   workers: int | None = None, steps_per_year: int | None = None,
                   progress: bool = True) -> pd.DataFrame:
    """Run ``replicates`` replicates and return their indicator tables, stacked.

    ``executor``: any ``concurrent.futures.Executor``; if None, ``workers`` > 1 starts a local
    process pool and ``workers`` = 1 (or a single replicate) runs serially in this process.
    """
    check_overrides(parameters)  # fail before any work is sent out
    workers = default_workers() if workers is None else int(workers)
    bar = tqdm(total=replicates, desc=f"{scenario.name}", unit="run", disable=not progress)
    results: dict[int, pd.DataFrame] = {}
    own_pool = None
    if executor is None and workers > 1 and replicates > 1:
        executor = own_pool = ProcessPoolExecutor(max_workers=min(workers, replicates))
    try:
        if executor is None:
            for r in range(replicates):
                results[r] = run_replicate(scenario, seed, r, parameters, steps_per_year)
                bar.update()
        else:
            futures = {executor.submit(run_replicate, scenario, seed, r, parameters,
                                       steps_per_year): r for r in range(replicates)}
            for f in as_completed(futures):
                results[futures[f]] = f.result()
                bar.update()
    finally:
        bar.close()
        if own_pool is not None:
            own_pool.shutdown()
    return pd.concat([results[r] for r in range(replicates)], ignore_index=True)
