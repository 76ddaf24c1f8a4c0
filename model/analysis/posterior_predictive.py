"""What a calibration's final population says: the posterior summary per parameter, the joint
particles (fitted parameters and the prior draws their accepted simulations ran with), the
posterior-predictive runs and the fit of each statistic (:func:`.calibration.calibrate`).

Seeds: posterior-predictive run k (replicate k + 1) draws from ``SeedSequence(seed,
spawn_key=(PREDICTIVE_KEY, replicate))``, the particles it runs from ``spawn_key=
(PREDICTIVE_KEY, 0)``.
"""

from __future__ import annotations

from concurrent.futures import Executor

import numpy as np
import pandas as pd

from zonesim.analysis.abc import ABCResult, simulate_chunks, weighted_quantile
from zonesim.analysis.calibration_data import Statistic
from zonesim.scenario import Scenario

PREDICTIVE_KEY = 10_000


def posterior_summary(sc: Scenario, space: list[tuple[str, float, float]],
                       res: ABCResult) -> pd.DataFrame:
    """Per parameter: prior range, weighted posterior mean, median, 5 % and 95 % quantiles and
    the scenario's own value."""
    rows = []
    for (n, lo, hi), col in zip(space, res.samples.T):
        q05, q50, q95 = weighted_quantile(col, res.weights, [0.05, 0.5, 0.95])
        rows.append({"parameter": n, "prior_low": lo, "prior_high": hi,
                     "mean": float(res.weights @ col), "median": float(q50),
                     "q05": float(q05), "q95": float(q95),
                     "scenario_value": float(sc.value(n))})
    return pd.DataFrame(rows)


def joint_particles(sim, res: ABCResult, settings: dict) -> pd.DataFrame:
    """Every final particle's parameters: the fitted ones and, with one replicate a particle,
    the prior draw of the others its accepted simulation ran with (recomputed from its seed
    sequence), so the particles are a sample of the joint posterior of every uncertain
    parameter. With several replicates a particle was judged on several draws of the others,
    which then stay out (they are drawn afresh from the prior in each run)."""
    fitted = pd.DataFrame([sim.parameters(theta) for theta in res.samples])
    fitted = fitted[[c for c in fitted.columns if c in sim.names]]
    if not sim.nuisance or settings["replicates"] != 1:
        return fitted
    others = pd.DataFrame([sim.nuisance_draw(np.random.SeedSequence(
        settings["seed"], spawn_key=(int(t), int(k), 0))) for t, k in res.keys])
    return pd.concat([fitted, others], axis=1)


def posterior_predictive(sim, particles: pd.DataFrame, res: ABCResult,
                          seed: int, predictive: int, executor: Executor | None):
    """``predictive`` runs of particles drawn by weight, each with every parameter the particle
    holds (the others drawn from their priors) and a fresh seed (run k is replicate k + 1).
    Returns the runs (run, particle: its posterior row, scenario, seed, replicate, every
    parameter the run set), their outcomes (run, particle, seed, replicate, target: a
    statistic's label, value: simulated, in the indicator's unit) and the values as a runs ×
    statistics array."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PREDICTIVE_KEY, 0)))
    idx = rng.choice(len(res.weights), size=predictive, p=res.weights).astype("int64")
    joint = type(sim)(sim.scenario, list(particles.columns), sim.statistics, sim.fixed)
    jobs = [(particles.iloc[i].to_numpy(float),
             [np.random.SeedSequence(seed, spawn_key=(PREDICTIVE_KEY, k + 1))])
            for k, i in enumerate(idx)]
    labels = [s.label for s in sim.statistics]
    pred = simulate_chunks(joint, jobs, executor, 4) if predictive \
        else np.empty((0, len(labels)))
    k = np.arange(predictive, dtype="int64")
    keys = pd.DataFrame({"run": k, "particle": idx, "seed": np.int64(seed), "replicate": k + 1})
    parameters = pd.DataFrame([joint.parameters(particles.iloc[i].to_numpy(float))
                               for i in idx],
                              columns=list(dict.fromkeys([*sim.fixed, *particles.columns])))
    runs = pd.concat([keys, parameters], axis=1)
    runs.insert(2, "scenario", sim.scenario.name)
    outcomes = keys.loc[keys.index.repeat(len(labels))].reset_index(drop=True)
    outcomes["target"] = labels * predictive
    outcomes["value"] = pred.ravel()
    return runs, outcomes, pred


def predictive_fit(res: ABCResult, statistics: list[Statistic],
                    pred: np.ndarray) -> pd.DataFrame:
    """Each statistic's observed value against its prior- and posterior-predictive 5 %, median
    and 95 % (``pred``: the posterior-predictive runs × statistics)."""
    fit = []
    for j, s in enumerate(statistics):
        pq = np.nanquantile(pred[:, j], [0.05, 0.5, 0.95]) if len(pred) else [np.nan] * 3
        prq = np.nanquantile(res.prior_stats[:, j], [0.05, 0.5, 0.95])
        fit.append({"indicator": s.indicator, "scope": s.scope, "year": s.year,
                    "observed": s.value, "weight": s.weight,
                    "prior_q05": prq[0], "prior_median": prq[1], "prior_q95": prq[2],
                    "posterior_q05": pq[0], "posterior_median": pq[1], "posterior_q95": pq[2],
                    "inside_90": bool(pq[0] <= s.value <= pq[2])})
    return pd.DataFrame(fit)
