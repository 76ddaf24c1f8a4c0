"""Parameter sweeps: every target's dose–response over a grid or Latin-hypercube design."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import pandas as pd

from zonesim.analysis.designs import sweep_design
from zonesim.analysis.experiments import run_experiment
from zonesim.analysis.space import Factor, check_factors
from zonesim.analysis.targets import wilson_interval
from zonesim.errors import ExperimentError, cut
from zonesim.registry.validate import check_option
from zonesim.scenario import Scenario
from zonesim.scenario.schema import check_scenario


def sweep(scenario: Scenario, factors: list[Factor], design: str = "grid",
          steps: dict | None = None, samples: int = 16, replicates: int = 10, seed: int = 0,
          out: str | Path = "out/sweep", resume: bool = False, executor: Executor | None = None,
          workers: int | None = None, scheduler: str | None = None,
          dask_local: int | None = None, progress: bool = True
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A grid or Latin-hypercube sweep. Returns (design, outcomes, per-point summary).

    Grid axes of whole-number parameters hold distinct whole numbers only. A design of more
    than :data:`~zonesim.analysis.designs.MAX_RUNS` runs is refused before it is built."""
    check_scenario(scenario)
    replicates, seed = check_option("replicates", replicates), check_option("seed", seed)
    factors = check_factors(factors)
    samples = check_option("samples", samples)
    table = sweep_design(factors, design, check_steps(steps, factors), samples, seed,
                         replicates)
    _, outcomes = run_experiment("sweep", {"base": scenario}, table, replicates, seed, out,
                                 resume, executor, workers, scheduler, dask_local, progress,
                                 factors=[f.__dict__ for f in factors], design_kind=design)
    return table, outcomes, point_summary(outcomes, table)


def check_steps(steps, factors: list[Factor]) -> dict | None:
    """Grid steps given to the Python API: None, or a mapping of factor names to whole numbers
    of at least 2 (a step count is never rounded or defaulted in silence)."""
    if steps is None:
        return None
    if not isinstance(steps, dict):
        raise ExperimentError(f"steps: expected a mapping of factor names to step counts, "
                              f"got {cut(repr(steps), 60)}")
    names = {f.name for f in factors}
    for name, k in steps.items():
        if name not in names:
            raise ExperimentError(f"steps: {cut(name)!r} is not a factor of the sweep "
                                  f"({', '.join(sorted(names))})")
        if isinstance(k, bool) or not isinstance(k, int) or k < 2:
            raise ExperimentError(f"steps: {name}: expected a whole number ≥ 2, got "
                                  f"{cut(repr(k))}")
    return steps


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
