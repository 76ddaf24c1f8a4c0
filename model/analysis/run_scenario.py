"""The pipeline of ``zonesim run``: a scenario's replicates, its targets evaluated and
summarised, and the tables written to an output folder."""

from __future__ import annotations

import json
import time
from pathlib import Path

from zonesim import __version__
from zonesim.analysis.experiments import target_outcomes
from zonesim.analysis.results import RESULT_FORMAT
from zonesim.analysis.store import TARGET_OUTCOMES
from zonesim.analysis.targets import evaluate_targets, summarise
from zonesim.run import run_replicates
from zonesim.scenario import Scenario


def run_scenario(scenario: Scenario, replicates: int | None = None, seed: int = 0,
                 out: str | Path | None = None, workers: int | None = None,
                 steps_per_year: int | None = None, progress: bool = True) -> dict:
    """Run ``replicates`` replicates of ``scenario`` (default: its ``default_replicates``) on
    ``workers`` local processes (None: every core), evaluate its targets and summarise them.

    With ``out``, writes there ``indicators.parquet`` (every indicator, year, scope and
    replicate, with the seed), ``targets_by_replicate.parquet`` (per replicate and target:
    ``TARGET_OUTCOMES``), ``summary.csv`` and ``run.json`` (settings, zonesim version, wall
    time), which :func:`zonesim.load` reads. Returns a dict with ``table`` (the indicators),
    ``evaluations`` (the targets by replicate), ``summary``, ``replicates`` and ``seconds``
    (wall time of the runs, s).
    """
    n = replicates or scenario.meta.default_replicates
    if out is not None:  # a folder that cannot be made fails before the runs
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    table = run_replicates(scenario, n, seed=seed, workers=workers,
                           steps_per_year=steps_per_year, progress=progress)
    elapsed = time.perf_counter() - t0
    table.insert(0, "seed", seed)
    evaluations = target_outcomes(evaluate_targets(scenario, table),
                                  {t.id: t for t in scenario.modelled_targets},
                                  seed)[TARGET_OUTCOMES]
    summary = summarise(scenario, evaluations)
    if out is not None:
        table.to_parquet(out / "indicators.parquet", index=False)
        evaluations.to_parquet(out / "targets_by_replicate.parquet", index=False)
        summary.to_csv(out / "summary.csv", index=False)
        (out / "run.json").write_text(json.dumps({
            "kind": "run", "result_format": RESULT_FORMAT, "scenario": scenario.name,
            "scenario_file": scenario.path, "replicates": n, "seed": seed,
            "steps_per_year": steps_per_year or scenario.meta.steps_per_year,
            "zonesim_version": __version__, "seconds": round(elapsed, 2)}, indent=2))
    return {"table": table, "evaluations": evaluations, "summary": summary, "replicates": n,
            "seconds": elapsed}
