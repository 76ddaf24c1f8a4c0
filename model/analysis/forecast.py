"""Forecasts from a calibrated scenario: indicators past the data, with 5–95 % bands that hold
stochastic and, given the posterior, parameter uncertainty.

Seeds: run k draws from ``SeedSequence(seed, spawn_key=(FORECAST_KEY, k + 1))``, its posterior
draw from ``spawn_key=(FORECAST_KEY, 0)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.analysis.calibration import horizon
from zonesim.analysis.uncertainty import prior_draw, uncertain_factors
from zonesim.engine.model import ZoneModel
from zonesim.errors import CalibrationError
from zonesim.registry.indicators import INDICATORS
from zonesim.registry.parameters import PARAMETERS
from zonesim.run import map_ordered
from zonesim.scenario import Scenario, load_scenario

FORECAST_KEY = 20_000


def _forecast_chunk(scenario: Scenario, jobs: list, indicators: list[str],
                    scopes: list[str]) -> list[pd.DataFrame]:
    """Run (draw k, parameters, seed sequence) jobs; each run's rows of ``scopes``."""
    out = []
    for k, params, ss in jobs:
        table = ZoneModel(scenario, seed=ss, parameters=params).run()
        sub = table[table["scope"].isin(scopes)][["year", "scope", *indicators]].copy()
        sub.insert(0, "draw", k)
        out.append(sub)
    return out


def forecast(calibrated_scenario: Scenario | str | Path, indicators: Sequence[str],
             years: Sequence[int], replicates: int = 100, seed: int = 0, *,
             posterior: pd.DataFrame | str | Path | None = None, scope: str = "city",
             executor: Executor | None = None, events_from: Scenario | str | Path | None = None,
             fixed: dict | None = None, chunk: int = 4, nuisance: bool = True) -> pd.DataFrame:
    """Median and 5–95 % band of ``indicators`` in ``years`` over ``replicates`` runs of the
    calibrated scenario.

    If ``years`` run past the scenario's end year the horizon is extended (events of
    ``events_from`` — e.g. the seed scenario a run-in variant shortened — that fall in the added
    years are added). With ``posterior`` (a DataFrame or the ``posterior.csv`` of
    :func:`calibrate`), run k draws its calibrated parameters from the weighted posterior, so the
    band holds parameter and stochastic uncertainty; without it every run uses the file's values
    (posterior medians). With ``nuisance`` every other uncertain parameter is drawn from its
    prior in each run (:mod:`.uncertainty`), as calibration and ``zonesim run`` draw them; without
    it, and without a posterior, the band is stochastic only. Run k draws from
    ``SeedSequence(seed, spawn_key=(FORECAST_KEY, k + 1))``.

    Returns one row per (indicator, year): scope, median, q05, q95, mean, runs.
    """
    sc = calibrated_scenario if isinstance(calibrated_scenario, Scenario) \
        else load_scenario(calibrated_scenario)
    bad = [i for i in indicators if i not in INDICATORS]
    if bad:
        raise CalibrationError(f"unknown indicator(s) {', '.join(bad)}")
    years = [int(y) for y in years]
    end = max(years)
    extra = []
    if events_from is not None:
        src = events_from if isinstance(events_from, Scenario) else load_scenario(events_from)
        extra = list(src.events)
    run_sc = horizon(sc, max(end, sc.meta.start_year), extra)
    if isinstance(posterior, (str, Path)):
        posterior = pd.read_csv(posterior)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(FORECAST_KEY, 0)))
    params = [dict(fixed or {}) for _ in range(replicates)]
    posterior_names = None
    if posterior is not None:
        cols = posterior_names = [c for c in posterior.columns if c in PARAMETERS]
        w = posterior["weight"].to_numpy(float) if "weight" in posterior else \
            np.ones(len(posterior))
        idx = rng.choice(len(posterior), size=replicates, p=w / w.sum())
        for k, i in enumerate(idx):
            for c in cols:
                v = posterior[c].iloc[i]
                params[k][c] = int(round(v)) if PARAMETERS[c].integer else float(v)
    if nuisance:  # the other uncertain parameters from their priors, as zonesim run does
        factors = uncertain_factors(run_sc, {*params[0], *(posterior_names or [])})
        for k in range(replicates):
            params[k].update(prior_draw(
                run_sc, factors, np.random.SeedSequence(seed, spawn_key=(FORECAST_KEY, k + 1))))
    jobs = [(k, params[k], np.random.SeedSequence(seed, spawn_key=(FORECAST_KEY, k + 1)))
            for k in range(replicates)]
    parts = [(run_sc, jobs[i:i + chunk], list(indicators), [scope])
             for i in range(0, len(jobs), chunk)]
    tables = [t for part in map_ordered(_forecast_chunk, parts, executor) for t in part]
    df = pd.concat(tables, ignore_index=True)
    df = df[df["year"].isin(years)]
    rows = []
    for ind in indicators:
        for y, g in df.groupby("year"):
            v = g[ind].to_numpy(float)
            rows.append({"indicator": ind, "scope": scope, "year": int(y),
                         "median": float(np.nanmedian(v)), "q05": float(np.nanquantile(v, 0.05)),
                         "q95": float(np.nanquantile(v, 0.95)), "mean": float(np.nanmean(v)),
                         "runs": int(np.isfinite(v).sum()),
                         "parameter_uncertainty": posterior is not None})
    return pd.DataFrame(rows)
