"""The pipeline of ``zonesim run``: a scenario's replicates, its targets evaluated and
summarised, and the tables written to an output folder."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

from zonesim import __version__
from zonesim.analysis.experiments import target_outcomes
from zonesim.analysis.results import RESULT_FORMAT
from zonesim.analysis.run_folder import MARKER, output_folder
from zonesim.analysis.store import TARGET_OUTCOMES
from zonesim.analysis.targets import evaluate_targets, met_at_start, summarise
from zonesim.analysis.uncertainty import ParameterDraws, draw_parameters
from zonesim.registry.validate import check_option
from zonesim.run import check_resources, run_replicates
from zonesim.scenario import Scenario
from zonesim.scenario.schema import check_scenario


def run_scenario(scenario: Scenario, replicates: int | None = None, seed: int = 0,
                 out: str | Path | None = None, workers: int | None = None,
                 steps_per_year: int | None = None, progress: bool = True,
                 force: bool = False,
                 write_more: Callable[[Path, dict], None] | None = None,
                 uncertainty: str = "posterior", executor: Executor | None = None) -> dict:
    """Run ``replicates`` replicates of ``scenario`` (default: its ``default_replicates``) on
    ``workers`` local processes (None: every core) or ``executor`` (any concurrent.futures
    executor, e.g. a notebook's pool), evaluate its targets and summarise them.
    A scenario without targets runs for its indicators (the summary is empty).

    ``uncertainty`` (:mod:`zonesim.analysis.uncertainty`): ``posterior`` draws the uncertain
    parameters of every pair of replicates from the scenario's shipped posterior and, for
    the rest and for a scenario without one, from their priors; ``prior`` ignores a
    posterior; ``fixed`` runs every replicate at the point values.

    With ``out``, writes there ``indicators.parquet`` (every indicator, year, scope and
    replicate, with the seed), ``targets_by_replicate.parquet`` (per replicate and target:
    ``TARGET_OUTCOMES``), ``summary.csv``, what ``write_more(folder, result)`` adds (the
    CLI's figures) and ``run.json`` (settings, zonesim version, wall time) last, which
    :func:`zonesim.load` reads. The folder is checked and locked before any replicate runs and
    appears only when complete (:mod:`zonesim.analysis.run_folder`); it must be new, empty or
    the finished run of the same scenario (same contents), replicates, seed and step length,
    unless ``force``.
    Returns a dict with ``table`` (the indicators), ``evaluations`` (the targets by
    replicate), ``summary``, ``draws`` (:class:`~zonesim.analysis.uncertainty.
    ParameterDraws`), ``replicates`` and ``seconds`` (wall time of the runs, s).
    """
    check_scenario(scenario)
    n = check_option("replicates", scenario.meta.default_replicates if replicates is None
                     else replicates)
    seed = check_option("seed", seed)
    draws = draw_parameters(scenario, n, seed, uncertainty)
    biggest = draws.table["initial_enterprises"].max() \
        if "initial_enterprises" in draws.table else None
    check_resources(scenario, n, None if biggest is None
                    else {"initial_enterprises": int(biggest)}, workers=workers,
                    executor=executor)
    if out is None:
        return _run(scenario, n, seed, workers, steps_per_year, progress, draws, executor)
    settings = {"scenario": scenario.name, "replicates": n, "seed": seed,
                "steps_per_year": steps_per_year or scenario.meta.steps_per_year,
                "scenario_digest": scenario_digest(scenario), "uncertainty": draws.mode}
    with output_folder(out, settings, force) as folder:
        res = _run(scenario, n, seed, workers, steps_per_year, progress, draws, executor)
        res["table"].to_parquet(folder / "indicators.parquet", index=False)
        res["evaluations"].to_parquet(folder / "targets_by_replicate.parquet", index=False)
        draws.table.to_parquet(folder / "parameters_by_replicate.parquet", index=False)
        res["summary"].to_csv(folder / "summary.csv", index=False)
        if write_more is not None:
            write_more(folder, res)
        (folder / MARKER).write_text(json.dumps({
            "kind": "run", "result_format": RESULT_FORMAT, **settings,
            "parameters": draws.record(), "parameters_text": draws.describe(),
            "scenario_file": scenario.path, "zonesim_version": __version__,
            "seconds": round(res["seconds"], 2)}, indent=2))
    return res


def scenario_digest(scenario: Scenario) -> str:
    """A short digest of everything a scenario says (after ``extends`` and ``--set``): a run
    folder holds the results of exactly this scenario when its run.json has it."""
    return hashlib.sha256(scenario.model_dump_json(by_alias=True).encode()).hexdigest()[:16]


def _run(scenario: Scenario, n: int, seed: int, workers: int | None,
         steps_per_year: int | None, progress: bool, draws: ParameterDraws,
         executor: Executor | None = None) -> dict:
    t0 = time.perf_counter()
    table = run_replicates(scenario, n, seed=seed, workers=workers, executor=executor,
                           steps_per_year=steps_per_year, progress=progress,
                           per_replicate=[draws.parameters(r) for r in range(n)])
    elapsed = time.perf_counter() - t0
    table.insert(0, "seed", seed)
    evaluations = target_outcomes(evaluate_targets(scenario, table),
                                  {t.id: t for t in scenario.modelled_targets},
                                  seed)[TARGET_OUTCOMES]
    summary = summarise(scenario, evaluations, met_at_start(scenario, table),
                        draws.table[["replicate", "draw"]])
    return {"table": table, "evaluations": evaluations, "summary": summary, "draws": draws,
            "replicates": n, "seconds": elapsed}
