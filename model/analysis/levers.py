"""What each lever does (``zonesim levers SCENARIO``; docs/LEVERS.md).

For every lever the scenario sets (its plan's levers; categorical ones aside), two points of
an experiment: the lever at the low and at the high end of its range (the scenario's, else the
registry's), every other parameter as the scenario has it. Replicate r of both points draws
from the same seed — common random numbers — so the difference of a replicate's pair is the
lever's, not the dice's. Measured: the indicator the lever is meant to move (its registry
``moves``: "indicator@scope", "-" first where the high end is meant to lower it) in the
scenario's last year, as a paired difference high − low with its 95 % t interval
(``scipy.stats.ttest_rel``). The runs go through the experiment runner
(:func:`~zonesim.analysis.experiments.run_experiment`): any executor, resumable, the same
numbers on any worker count. Each lever's purpose is read as one target of a copy of the
scenario (a level at the last year), so the runner keeps exactly the series it needs.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from zonesim.analysis.experiments import run_experiment
from zonesim.errors import ExperimentError, cut
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import Scenario
from zonesim.scenario.schema import Target, check_scenario

#: Columns of the lever table.
LEVER_COLUMNS = ["lever", "low", "high", "indicator", "scope", "direction", "year", "mean_low",
                 "mean_high", "effect", "effect_low", "effect_high", "relative", "t",
                 "verdict", "replicates"]
#: A lever's verdict from its paired 95 % interval and its meant direction.
VERDICTS = ("moves as meant", "moves the wrong way", "no effect shown")


@dataclass(frozen=True)
class Purpose:
    """What a lever is meant to move: ``indicator`` in ``scope``, up (``sign`` +1) or down."""
    indicator: str
    scope: str
    sign: int


def purpose(name: str) -> Purpose:
    """The lever ``name``'s purpose from its registry ``moves``."""
    text = PARAMETERS[name].moves
    sign = -1 if text.startswith("-") else 1
    indicator, _, scope = text.lstrip("-").partition("@")
    return Purpose(indicator, scope, sign)


def lever_range(scenario: Scenario, name: str) -> tuple[float, float]:
    """The low and high ends the lever is compared at: the scenario's range, else the
    registry's."""
    given = scenario.provenance(name)
    if given["low"] is not None and given["high"] is not None:
        return given["low"], given["high"]
    return PARAMETERS[name].low, PARAMETERS[name].high


def scenario_levers(scenario: Scenario, only: list[str] | None = None) -> list[str]:
    """The levers the scenario sets that have a purpose and a range (categorical levers are
    compared by their choices, with ``zonesim compare --set``), in registry order; or ``only``
    these, which may also be levers the scenario leaves at the registry's default (what would
    this lever do here?). A name that is no numeric lever is refused."""
    numeric = [n for n, q in PARAMETERS.items() if q.kind == "lever" and not q.categorical
               and q.moves]
    if only:
        unknown = [n for n in only if n not in numeric]
        if unknown:
            raise ExperimentError(f"--lever {cut(unknown[0])!r}: not a numeric lever; the "
                                  f"levers are: {', '.join(numeric)}")
        return [n for n in numeric if n in only]
    return [n for n in numeric if n in scenario.parameters]


def purpose_scenario(scenario: Scenario, levers: list[str]) -> Scenario:
    """A copy of ``scenario`` whose targets are the levers' purposes, one per lever (id
    ``lever_<name>``, a level in the last year), so that the runner keeps their series."""
    year = scenario.meta.end_year
    targets = [Target(id=f"lever_{n}", indicator=purpose(n).indicator, value=0.0, year=year,
                      scope=purpose(n).scope, clause=f"zonesim levers: {n}")
               for n in levers]
    return scenario.model_copy(update={"targets": targets})


def levers_design(scenario: Scenario, levers: list[str]) -> pd.DataFrame:
    """Two points per lever (low end, high end), the other levers as the scenario has them."""
    rows = []
    for i, name in enumerate(levers):
        low, high = lever_range(scenario, name)
        for k, value in enumerate((low, high)):
            rows.append({"point": 2 * i + k, "scenario": "levers", name: value})
    return pd.DataFrame(rows)


def lever_effects(scenario: Scenario, replicates: int = 24, seed: int = 0,
                  out: str | Path = "out/levers", levers: list[str] | None = None,
                  resume: bool = False, executor: Executor | None = None,
                  workers: int | None = None, scheduler: str | None = None,
                  dask_local: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Every lever of ``scenario`` (or ``levers``) at both ends of its range on common random
    numbers; returns the table of :func:`effect_table` (``LEVER_COLUMNS``)."""
    check_scenario(scenario)
    names = scenario_levers(scenario, levers)
    if not names:
        raise ExperimentError(f"{scenario.name} sets no numeric lever with a range")
    if replicates < 2:
        raise ExperimentError("levers needs at least 2 replicates for paired intervals")
    design = levers_design(scenario, names)
    _, outcomes = run_experiment("levers", {"levers": purpose_scenario(scenario, names)},
                                 design, replicates, seed, out, resume, executor, workers,
                                 scheduler, dask_local, progress)
    return effect_table(outcomes, scenario, names)


def effect_table(outcomes: pd.DataFrame, scenario: Scenario, levers: list[str]
                 ) -> pd.DataFrame:
    """Per lever: the purpose's mean at both ends, the paired effect (high − low) with its 95 %
    interval, the effect relative to the low end's mean, the paired t statistic and the
    verdict (:data:`VERDICTS`: its interval excludes 0 on the meant side, on the other, or
    holds 0)."""
    rows = []
    for i, name in enumerate(levers):
        pur = purpose(name)
        mine = outcomes[outcomes["target"] == f"lever_{name}"]
        ends = [mine[mine["point"] == 2 * i + k].set_index("replicate")["value"]
                for k in (0, 1)]
        pair = pd.concat(ends, axis=1, keys=["low", "high"]).dropna()
        low, high = lever_range(scenario, name)
        rows.append({"lever": name, "low": low, "high": high, "indicator": pur.indicator,
                     "scope": pur.scope, "direction": "up" if pur.sign > 0 else "down",
                     "year": scenario.meta.end_year, "replicates": len(pair),
                     **paired_effect(pair["low"].to_numpy(), pair["high"].to_numpy(),
                                     pur.sign)})
    return pd.DataFrame(rows, columns=LEVER_COLUMNS)


def paired_effect(low: np.ndarray, high: np.ndarray, sign: int) -> dict:
    """The paired effect high − low of one lever: mean, 95 % t interval, relative to the low
    end's mean, t statistic and verdict. Identical pairs (no effect in any replicate) give a
    zero-width interval at 0."""
    diff = high - low
    effect = float(diff.mean()) if len(diff) else np.nan
    if len(diff) < 2:
        lo = hi = t = np.nan
    elif np.all(diff == diff[0]):
        lo = hi = effect
        t = 0.0 if effect == 0 else np.copysign(np.inf, effect)
    else:
        test = stats.ttest_rel(high, low)
        lo, hi = test.confidence_interval(0.95)
        t = float(test.statistic)
    base = float(low.mean()) if len(low) else np.nan
    if lo > 0 or hi < 0:
        verdict = VERDICTS[0] if np.sign(effect) == sign else VERDICTS[1]
    else:
        verdict = VERDICTS[2]
    return {"mean_low": base, "mean_high": float(high.mean()) if len(high) else np.nan,
            "effect": effect, "effect_low": float(lo), "effect_high": float(hi),
            "relative": effect / base if base else np.nan, "t": t, "verdict": verdict}
