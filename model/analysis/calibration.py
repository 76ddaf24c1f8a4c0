"""Calibration by approximate Bayesian computation (ABC-SMC) and forecasts from the posterior.

``calibrate(scenario, data)`` fits a scenario's uncertain parameters (assumptions with a
low–high range) to published statistics that fall inside its run-in window; ``forecast``
projects indicators past the data from the calibrated variant, with 5–95 % bands.

The algorithm (written here on numpy/scipy; pyabc is not used because its dependency tree —
redis, distributed, sqlalchemy, jabbar, … — is far heavier than what one sampler needs, and a
hand-written sampler runs on the workbench's own executors):

ABC-SMC as population Monte Carlo (Toni et al. 2009, J R Soc Interface 6:187; Beaumont,
Cornuet, Marin & Robert 2009, Biometrika 96:983):

1. population 0 draws ``particles`` parameter vectors from the prior — independent uniforms on
   each parameter's low–high range in the scenario — and simulates each (tolerance ∞);
2. population t > 0 sets its tolerance ε_t to the ``quantile`` (default the median) of the
   distances of population t−1, then proposes by drawing a particle of population t−1 by its
   weight and perturbing it with a Gaussian kernel whose covariance is twice the weighted sample
   covariance of population t−1 (Beaumont et al. 2009); proposals outside the prior's support are
   redrawn; a proposal is accepted when its distance is ≤ ε_t, until ``particles`` are accepted;
3. accepted particles get importance weights w_i ∝ π(θ_i) / Σ_j w_j K(θ_i | θ_j), normalised.

Budget: a population stops proposing after ``max_proposals`` × ``particles`` simulations; if too
few were accepted by then, its tolerance is relaxed to the ``particles``-th smallest distance
seen (recorded in the history table as ``relaxed``). Proposals are simulated in batches on any
``concurrent.futures.Executor`` and taken in the order they were proposed, so the result does
not depend on the executor or the number of workers. The perturbation works on parameters
scaled to [0, 1] by their prior range.

Distance: the square root of the weighted mean of squared relative errors
((simulated − observed) / observed)² over the statistics, the simulated value being the mean
over ``replicates`` replicates of the particle.

Seeds: simulation k of population t, replicate r draws from ``SeedSequence(seed,
spawn_key=(t, k, r))``; posterior-predictive draw i from ``spawn_key=(PREDICTIVE_KEY, i)``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from zonesim.registry.indicators import INDICATORS
from zonesim.engine.model import ZoneModel
from zonesim.registry.parameters import PARAMETERS
from zonesim.errors import CalibrationError
from zonesim.scenario import Scenario, ScenarioError, load_scenario

PREDICTIVE_KEY = 10_000
FORECAST_KEY = 20_000

#: Default parameters per statistic: the behavioural (and, for levels, initial-size)
#: assumptions a statistic is sensitive to. The default set of ``calibrate`` is the union over
#: the statistics to fit, restricted to those with an assumption range in the scenario.
PARAMETERS_BY_INDICATOR: dict[str, list[str]] = {
    "high_tech_output_yuan": ["firm_revenue_median_yuan", "growth_drift",
                              "high_tech_upgrade_rate", "baseline_rd_intensity"],
    "above_scale_output_yuan": ["firm_revenue_median_yuan", "growth_drift"],
    "industrial_output_yuan": ["firm_revenue_median_yuan", "growth_drift"],
    "gdp_yuan": ["firm_revenue_median_yuan", "growth_drift", "above_scale_revenue_to_gdp"],
    "high_tech_output_share": ["high_tech_upgrade_rate", "baseline_rd_intensity"],
    "high_tech_value_added_share": ["high_tech_upgrade_rate", "baseline_rd_intensity"],
    "above_scale_rd_intensity": ["baseline_rd_intensity", "rd_intensity_dispersion"],
    "enterprise_rd_intensity": ["baseline_rd_intensity", "rd_intensity_dispersion"],
    # the bridge's other factors (revenue/GDP, industrial share) enter only as a product with
    # statistical_rd_ratio, so fitting all three would leave a ridge
    "rd_to_gdp": ["baseline_rd_intensity", "statistical_rd_ratio"],
    "high_tech_enterprises": ["certification_application_rate", "certification_approval_rate"],
    "new_high_tech_enterprises": ["certification_application_rate",
                                  "certification_approval_rate"],
    "patent_applications": ["patents_per_million_rd_yuan"],
    "invention_patent_applications": ["patents_per_million_rd_yuan",
                                      "invention_share_of_applications"],
}
#: Ratio indicators that can be measured on a union of zones (scope ``county:<id>``), as
#: (numerator, denominator) totals of the zone rows; a ratio whose totals the table lacks
#: (the R&D intensities, R&D/GDP) cannot be summed over zones and is not listed.
RATIOS = {"high_tech_output_share": ("high_tech_output_yuan", "above_scale_output_yuan")}

DATA_COLUMNS = ["indicator", "scope", "year", "value"]


# =============================================================================== ABC-SMC core

@dataclass
class ABCResult:
    """The final population and the run's history."""

    names: list[str]
    samples: np.ndarray          # particles × parameters (natural units)
    weights: np.ndarray          # normalised
    distances: np.ndarray
    stats: np.ndarray            # particles × statistics (simulated, mean over replicates)
    history: pd.DataFrame        # one row per population
    prior_stats: np.ndarray      # population 0's simulated statistics (prior predictive)


def _weighted_cov(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = w @ x
    d = x - mean
    cov = (d * w[:, None]).T @ d / max(1.0 - (w ** 2).sum(), 1e-12)
    return np.atleast_2d(cov)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q) -> np.ndarray:
    """Quantiles of ``x`` under weights ``w`` (interpolated on the weighted CDF midpoints)."""
    x = np.asarray(x, float)
    w = np.asarray(w, float)
    order = np.argsort(x)
    x, w = x[order], w[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, x)


def abc_smc(simulate: Callable, observed: np.ndarray, low: Sequence[float],
            high: Sequence[float], *, names: Sequence[str] | None = None,
            weights: Sequence[float] | None = None, populations: int = 4,
            particles: int = 100, replicates: int = 1, seed: int = 0,
            executor: Executor | None = None, quantile: float = 0.5,
            max_proposals: float = 10.0, chunk: int = 4,
            progress: Callable[[str], None] | None = None) -> ABCResult:
    """Run ABC-SMC (see the module docstring).

    ``simulate(jobs)`` is a picklable callable taking a list of ``(theta, seed_sequences)``
    (one seed sequence per replicate) and returning an array (jobs × statistics) of the
    simulated statistics averaged over the replicates. ``observed``: the statistics' observed
    values (non-zero); ``weights``: their weights in the distance (default 1).
    """
    observed = np.asarray(observed, float)
    if np.any(observed == 0) or not np.all(np.isfinite(observed)):
        raise CalibrationError("observed statistics must be finite and non-zero (relative "
                               "errors)")
    lo, hi = np.asarray(low, float), np.asarray(high, float)
    if np.any(~(hi > lo)):
        raise CalibrationError("every parameter needs a range with high > low")
    d = len(lo)
    names = list(names or [f"theta{i}" for i in range(d)])
    sw = np.ones(len(observed)) if weights is None else np.asarray(weights, float)
    sw = sw / sw.sum()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(99_999,)))
    say = progress or (lambda msg: None)

    def distance(stats: np.ndarray) -> np.ndarray:
        rel = (stats - observed) / np.abs(observed)
        dist = np.sqrt((rel ** 2) @ sw)
        return np.where(np.isfinite(dist), dist, np.inf)

    def run_batch(t: int, k0: int, thetas_u: np.ndarray) -> np.ndarray:
        jobs = []
        for i, u in enumerate(thetas_u):
            theta = lo + u * (hi - lo)
            seeds = [np.random.SeedSequence(seed, spawn_key=(t, k0 + i, r))
                     for r in range(replicates)]
            jobs.append((theta, seeds))
        return _map_chunks(simulate, jobs, executor, chunk)

    history = []
    # ---------------------------------------------------------------- population 0: prior
    t0 = time.perf_counter()
    u = rng.random((particles, d))
    stats = run_batch(0, 0, u)
    dist = distance(stats)
    w = np.full(particles, 1.0 / particles)
    prior_stats = stats.copy()
    history.append({"population": 0, "epsilon": math.inf, "proposals": particles,
                    "accepted": particles, "acceptance": 1.0, "relaxed": False,
                    "median_distance": float(np.median(dist)),
                    "seconds": time.perf_counter() - t0})
    say(f"population 0 (prior): {particles} runs, median distance {np.median(dist):.3g}, "
        f"{time.perf_counter() - t0:.0f} s")

    for t in range(1, populations):
        t0 = time.perf_counter()
        finite = np.isfinite(dist)
        eps = float(np.quantile(dist[finite], quantile)) if finite.any() else math.inf
        cov = 2.0 * _weighted_cov(u, w) + 1e-10 * np.eye(d)
        kernel = multivariate_normal(mean=np.zeros(d), cov=cov, allow_singular=True)
        chol = np.linalg.cholesky(cov + 1e-12 * np.eye(d))
        cap = int(max_proposals * particles)
        acc_u, acc_stats, acc_dist = [], [], []
        all_u, all_stats, all_dist = [], [], []
        proposed = 0
        rate = max(history[-1]["acceptance"] * 0.5, quantile * 0.5)
        while len(acc_u) < particles and proposed < cap:
            need = particles - len(acc_u)
            batch = int(min(cap - proposed, max(math.ceil(need / max(rate, 0.02) * 1.2),
                                                2 * chunk)))
            props = np.empty((batch, d))
            for i in range(batch):
                while True:
                    j = rng.choice(particles, p=w)
                    cand = u[j] + chol @ rng.standard_normal(d)
                    if np.all((cand >= 0) & (cand <= 1)):
                        break
                props[i] = cand
            st = run_batch(t, proposed, props)
            ds = distance(st)
            proposed += batch
            for i in range(batch):
                all_u.append(props[i]); all_stats.append(st[i]); all_dist.append(ds[i])
                if ds[i] <= eps and len(acc_u) < particles:
                    acc_u.append(props[i]); acc_stats.append(st[i]); acc_dist.append(ds[i])
            rate = max(len(acc_u) / proposed, 0.02)
        relaxed = len(acc_u) < particles
        if relaxed:  # budget spent: take the best proposals, tolerance relaxed to match
            best = np.argsort(np.asarray(all_dist))[:particles]
            acc_u = [all_u[i] for i in best]
            acc_stats = [all_stats[i] for i in best]
            acc_dist = [all_dist[i] for i in best]
            eps = float(np.max(acc_dist))
        new_u = np.asarray(acc_u)
        # importance weights: uniform prior (constant on the support) over the mixture kernel
        logk = np.array([logsumexp(kernel.logpdf(new_u[i] - u), b=w) for i in range(particles)])
        lw = -logk
        new_w = np.exp(lw - lw.max())
        new_w /= new_w.sum()
        u, w, stats, dist = new_u, new_w, np.asarray(acc_stats), np.asarray(acc_dist)
        history.append({"population": t, "epsilon": eps, "proposals": proposed,
                        "accepted": particles, "acceptance": particles / proposed,
                        "relaxed": relaxed, "median_distance": float(np.median(dist)),
                        "ess": float(1.0 / (w ** 2).sum()),
                        "seconds": time.perf_counter() - t0})
        say(f"population {t}: ε = {eps:.3g}, {proposed} runs, acceptance "
            f"{particles / proposed:.2f}{' (relaxed)' if relaxed else ''}, "
            f"{time.perf_counter() - t0:.0f} s")
    return ABCResult(names, lo + u * (hi - lo), w, dist, stats, pd.DataFrame(history),
                     prior_stats)


def _map_chunks(fn: Callable, jobs: list, executor: Executor | None, chunk: int) -> np.ndarray:
    """Evaluate ``fn`` on ``jobs`` in chunks, serially or on ``executor``; results in order."""
    parts = [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)]
    if executor is None:
        out = [fn(p) for p in parts]
    else:
        futures = [executor.submit(fn, p) for p in parts]
        out = [f.result() for f in futures]
    return np.vstack(out)


# ======================================================================= zonesim statistics

@dataclass(frozen=True)
class Statistic:
    indicator: str
    scope: str
    year: int
    value: float
    weight: float = 1.0
    label: str = ""


def _horizon(scenario: Scenario, end_year: int, extra_events=()) -> Scenario:
    """The scenario run to ``end_year`` (shortened or extended), with extra events if given."""
    meta = scenario.scenario.model_copy(update={"end_year": int(end_year)})
    events = [e for e in scenario.events if e.year <= end_year] + [
        e for e in extra_events if scenario.scenario.end_year < e.year <= end_year]
    out = scenario.model_copy(update={"scenario": meta, "events": events})
    out._path = scenario.path
    return out


def _statistic_value(table: pd.DataFrame, st: Statistic, counties: dict[str, list[str]]) -> float:
    rows = table[table["year"] == st.year]
    if st.scope.startswith("county:"):
        zones = counties.get(st.scope[7:], [])
        sub = rows[rows["scope"].isin([f"zone:{z}" for z in zones])]
        ratio = RATIOS.get(st.indicator)
        if ratio:
            den = sub[ratio[1]].sum()
            return float(sub[ratio[0]].sum() / den) if den else float("nan")
        return float(sub[st.indicator].sum())
    sub = rows[rows["scope"] == st.scope]
    return float(sub[st.indicator].iloc[0]) if len(sub) else float("nan")


class ScenarioSimulator:
    """Picklable simulator of a scenario's statistics for :func:`abc_smc`."""

    def __init__(self, scenario: Scenario, names: list[str], statistics: list[Statistic],
                 fixed: dict | None = None):
        self.scenario = scenario
        self.names = list(names)
        self.statistics = list(statistics)
        self.fixed = dict(fixed or {})
        self.counties: dict[str, list[str]] = {}
        for z in scenario.zones:
            self.counties.setdefault(z.county, []).append(z.id)

    def parameters(self, theta) -> dict:
        p = dict(self.fixed)
        for n, v in zip(self.names, theta):
            p[n] = int(round(v)) if PARAMETERS[n].integer else float(v)
        return p

    def run(self, theta, seed_sequence) -> pd.DataFrame:
        model = ZoneModel(self.scenario, seed=seed_sequence, parameters=self.parameters(theta))
        return model.run()

    def __call__(self, jobs) -> np.ndarray:
        out = np.empty((len(jobs), len(self.statistics)))
        for i, (theta, seeds) in enumerate(jobs):
            vals = []
            for ss in seeds:
                table = self.run(theta, ss)
                vals.append([_statistic_value(table, s, self.counties) for s in self.statistics])
            out[i] = np.nanmean(np.asarray(vals, float), axis=0) if vals else np.nan
        return out


def select_statistics(scenario: Scenario, data: pd.DataFrame) -> list[Statistic]:
    """The rows of ``data`` that concern ``scenario`` (column ``scenario`` equal to its id, when
    the column exists) and fall inside its run (start_year … end_year), with weight > 0."""
    missing = [c for c in DATA_COLUMNS if c not in data.columns]
    if missing:
        raise CalibrationError(f"calibration data lacks column(s) {', '.join(missing)} "
                               f"(expected {', '.join(DATA_COLUMNS)}, optional scenario, weight)")
    df = data.copy()
    if "scenario" in df.columns:
        df = df[df["scenario"].astype(str) == scenario.name]
    if "weight" not in df.columns:
        df["weight"] = 1.0
    m = scenario.scenario
    zone_ids = {z.id for z in scenario.zones}
    counties = {z.county for z in scenario.zones}
    out = []
    for r in df.to_dict("records"):
        if not (float(r["weight"]) > 0 and m.start_year <= int(r["year"]) <= m.end_year):
            continue
        ind, scope = str(r["indicator"]), str(r["scope"])
        if ind not in INDICATORS:
            raise CalibrationError(f"unknown indicator {ind!r} in the calibration data")
        if scope.startswith("zone:") and scope[5:] not in zone_ids:
            raise CalibrationError(f"scope {scope!r}: no such zone in {scenario.name}")
        if scope.startswith("county:"):
            if scope[7:] not in counties:
                raise CalibrationError(f"scope {scope!r}: no zone of {scenario.name} lies in "
                                       f"county {scope[7:]!r}")
            if ind not in RATIOS and not ind.endswith("_yuan"):
                raise CalibrationError(f"scope {scope!r} supports yuan totals and "
                                       f"{', '.join(RATIOS)} only")
        out.append(Statistic(ind, scope, int(r["year"]), float(r["value"]), float(r["weight"]),
                             f"{ind} [{scope}] {int(r['year'])}"))
    if not out:
        raise CalibrationError(
            f"no calibration data for scenario {scenario.name} inside its run "
            f"{m.start_year}-{m.end_year} (rows need scenario = {scenario.name!r}, a year in "
            "the run and weight > 0)")
    return out


def parameter_space(scenario: Scenario, statistics: list[Statistic],
                    parameters: list[str] | None = None) -> list[tuple[str, float, float]]:
    """(name, low, high) of the parameters to calibrate. Given names need a low–high range in
    the scenario (or the registry); by default the parameters of ``PARAMETERS_BY_INDICATOR`` for
    the statistics that are assumptions with a range in the scenario."""
    if parameters:
        names = list(parameters)
    else:
        names = []
        for s in statistics:
            for n in PARAMETERS_BY_INDICATOR.get(s.indicator, []):
                if n not in names and scenario.provenance(n)["provenance"] == "assumption":
                    names.append(n)
        if not names:
            raise CalibrationError("no default parameters for these statistics; name them")
    space = []
    for n in names:
        if n not in PARAMETERS:
            raise CalibrationError(f"unknown parameter {n!r}; see `zonesim parameters`")
        p = PARAMETERS[n]
        prov = scenario.provenance(n)
        if p.categorical or prov["low"] is None or prov["high"] is None \
                or not prov["high"] > prov["low"]:
            raise CalibrationError(f"parameter {n} has no low–high range in {scenario.name}")
        space.append((n, float(prov["low"]), float(prov["high"])))
    return space


# =========================================================================== calibrate

def calibrate(scenario: Scenario | str | Path, data: pd.DataFrame,
              parameters: list[str] | None = None, populations: int = 4,
              particles: int = 100, replicates: int = 1, seed: int = 0,
              executor: Executor | None = None, out: str | Path | None = None, *,
              fixed: dict | None = None, predictive: int = 100, quantile: float = 0.5,
              max_proposals: float = 10.0, progress: Callable[[str], None] | None = None
              ) -> dict:
    """Fit ``scenario``'s uncertain parameters to the statistics in ``data`` by ABC-SMC.

    ``data``: columns indicator, scope, year, value (optional: scenario — rows for other
    scenarios are ignored —, weight, unit, source). Only rows inside the scenario's run are
    used; the run is shortened to the last data year. ``fixed``: parameter values held fixed in
    every run (e.g. a smaller ``initial_enterprises`` for speed). ``predictive``: posterior-
    predictive simulations for the fit figure. ``executor``: any concurrent.futures executor
    (None: serial). ``out``: folder for the outputs (see below); nothing is written if None.

    Writes to ``out``: ``posterior.csv`` (final population: parameters, weight, distance),
    ``summary.csv`` (weighted mean, median, 5 % and 95 % per parameter, with the prior range),
    ``history.csv`` (tolerance, proposals, acceptance per population), ``fit.csv`` and
    ``fit.png`` (each statistic's observed value against the prior- and posterior-predictive
    5–95 % bands), ``<id>_calibrated.toml`` (a variant that ``extends`` the input file with each
    parameter at its posterior median, range = the posterior 90 % interval) and
    ``calibration.json`` (settings, timings). Returns a dict with these tables and paths.
    """
    t_start = time.perf_counter()
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    statistics = select_statistics(sc, data)
    space = parameter_space(sc, statistics, parameters)
    names = [n for n, _, _ in space]
    run_sc = _horizon(sc, max(s.year for s in statistics))
    sim = ScenarioSimulator(run_sc, names, statistics, fixed)
    obs = np.array([s.value for s in statistics])
    res = abc_smc(sim, obs, [lo for _, lo, _ in space], [hi for _, _, hi in space], names=names,
                  weights=[s.weight for s in statistics], populations=populations,
                  particles=particles, replicates=replicates, seed=seed, executor=executor,
                  quantile=quantile, max_proposals=max_proposals, progress=progress)
    t_abc = time.perf_counter() - t_start

    posterior = pd.DataFrame(res.samples, columns=names)
    posterior["weight"] = res.weights
    posterior["distance"] = res.distances
    rows = []
    for (n, lo, hi), col in zip(space, res.samples.T):
        q05, q50, q95 = weighted_quantile(col, res.weights, [0.05, 0.5, 0.95])
        rows.append({"parameter": n, "prior_low": lo, "prior_high": hi,
                     "mean": float(res.weights @ col), "median": float(q50),
                     "q05": float(q05), "q95": float(q95),
                     "scenario_value": float(sc.value(n))})
    summary = pd.DataFrame(rows)

    # posterior predictive: parameter sets drawn by weight, fresh seeds
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PREDICTIVE_KEY, 0)))
    idx = rng.choice(len(res.weights), size=predictive, p=res.weights)
    jobs = [(res.samples[i], [np.random.SeedSequence(seed, spawn_key=(PREDICTIVE_KEY, k + 1))])
            for k, i in enumerate(idx)]
    pred = _map_chunks(sim, jobs, executor, 4) if predictive else np.empty((0, len(obs)))
    fit = []
    for j, s in enumerate(statistics):
        pq = np.nanquantile(pred[:, j], [0.05, 0.5, 0.95]) if len(pred) else [np.nan] * 3
        prq = np.nanquantile(res.prior_stats[:, j], [0.05, 0.5, 0.95])
        fit.append({"indicator": s.indicator, "scope": s.scope, "year": s.year,
                    "observed": s.value, "weight": s.weight,
                    "prior_q05": prq[0], "prior_median": prq[1], "prior_q95": prq[2],
                    "posterior_q05": pq[0], "posterior_median": pq[1], "posterior_q95": pq[2],
                    "inside_90": bool(pq[0] <= s.value <= pq[2])})
    fit = pd.DataFrame(fit)
    wall = time.perf_counter() - t_start
    result = {"scenario": sc.name, "parameters": names, "posterior": posterior,
              "summary": summary, "history": res.history, "fit": fit,
              "wall_time_s": wall, "abc_time_s": t_abc}
    if out is not None:
        result.update(_write_outputs(Path(out), sc, statistics, result, dict(
            populations=populations, particles=particles, replicates=replicates, seed=seed,
            quantile=quantile, max_proposals=max_proposals, predictive=predictive,
            fixed=fixed or {}, executor=type(executor).__name__ if executor else "serial")))
    return result


def _write_outputs(out: Path, sc: Scenario, statistics, result: dict, settings: dict) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    result["posterior"].to_csv(out / "posterior.csv", index=False)
    result["summary"].to_csv(out / "summary.csv", index=False)
    result["history"].to_csv(out / "history.csv", index=False)
    result["fit"].to_csv(out / "fit.csv", index=False)
    fig_path = out / "fit.png"
    plot_fit(result["fit"], fig_path, title=f"{sc.name}: observed vs simulated 5–95 %")
    toml_path = out / f"{sc.name}_calibrated.toml"
    toml_path.write_text(calibrated_toml(sc, result["summary"], statistics, toml_path,
                                         settings), encoding="utf-8")
    load_scenario(toml_path)  # the variant must validate
    (out / "calibration.json").write_text(json.dumps({
        "scenario": sc.name, "scenario_file": sc.path, "parameters": result["parameters"],
        "statistics": [s.__dict__ for s in statistics], "settings": settings,
        "wall_time_s": result["wall_time_s"], "abc_time_s": result["abc_time_s"],
        "date": _dt.date.today().isoformat()}, indent=1, ensure_ascii=False, default=str))
    return {"calibrated_scenario": str(toml_path), "figure": str(fig_path), "out": str(out)}


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def calibrated_toml(sc: Scenario, summary: pd.DataFrame, statistics, path: Path,
                    settings: dict) -> str:
    """Text of the calibrated variant of ``sc`` (to be written at ``path``)."""
    base = Path(sc.path).resolve()
    rel = os.path.relpath(base, Path(path).resolve().parent)
    today = _dt.date.today().isoformat()
    data = "; ".join(f"{s.indicator} [{s.scope}] {s.year} = {s.value:g}" for s in statistics)
    method = (f"ABC-SMC (zonesim.calibration; {settings['populations']} populations × "
              f"{settings['particles']} particles, {settings['replicates']} replicate(s), "
              f"seed {settings['seed']})")
    lines = [f"# Calibrated variant of {sc.name}, written by zonesim.calibration on {today}.",
             f"# Method: {method}; uniform priors on the assumption ranges of {base.name}.",
             f"# Data: {data}.",
             "# Each calibrated parameter: value = posterior median, low/high = posterior 5 % /"
             " 95 % quantiles.",
             f"extends = {_toml_str(rel)}", "",
             "[scenario]",
             f"id = {_toml_str(sc.name + '_calibrated')}",
             f"title = {_toml_str(sc.scenario.title + ' (calibrated)')}", "",
             "[parameters]"]
    for r in summary.to_dict("records"):
        p = PARAMETERS[r["parameter"]]
        lo, med, hi = r["q05"], r["median"], r["q95"]
        if p.integer:
            lo, med, hi = math.floor(lo), int(round(med)), math.ceil(hi)
        else:  # rounded as written, the value must stay inside its own range
            lo, med, hi = (float(f"{float(x):.6g}") for x in (lo, med, hi))
            med = min(max(med, lo), hi)
        src = (f"Calibrated {today} by {method} against {data} (calibration data derived from "
               f"shared/data/published_statistics.csv). Prior: uniform "
               f"{r['prior_low']:.6g}–{r['prior_high']:.6g}; posterior mean {r['mean']:.6g}; "
               f"value = median, low/high = 90 % interval.")
        lines.append(f"{r['parameter']} = {{ value = {_num(med)}, provenance = \"assumption\", "
                     f"low = {_num(lo)}, high = {_num(hi)}, source = {_toml_str(src)} }}")
    return "\n".join(lines) + "\n"


def _num(x) -> str:
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return repr(float(f"{float(x):.6g}"))


def plot_fit(fit: pd.DataFrame, path: Path, title: str = "") -> None:
    """One panel per statistic: observed value, prior- and posterior-predictive 5–95 % bands."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(fit)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n + 0.5, 3.4), squeeze=False)
    for ax, r in zip(axes[0], fit.to_dict("records")):
        for x, key, colour, lab in ((0, "prior", "0.7", "prior"),
                                    (1, "posterior", "tab:blue", "posterior")):
            lo, med, hi = r[f"{key}_q05"], r[f"{key}_median"], r[f"{key}_q95"]
            ax.plot([x, x], [lo, hi], color=colour, lw=8, solid_capstyle="butt",
                    label=f"{lab} 5–95 %")
            ax.plot([x - 0.15, x + 0.15], [med, med], color="k", lw=1)
        ax.axhline(r["observed"], color="tab:red", ls="--", label="observed")
        ax.set_xticks([0, 1], ["prior", "posterior"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(f"{r['indicator']}\n[{r['scope']}] {r['year']}", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=6, loc="best")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ============================================================================= forecast

def _forecast_chunk(args) -> list[pd.DataFrame]:
    scenario, jobs, indicators, scopes = args
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
             fixed: dict | None = None, chunk: int = 4) -> pd.DataFrame:
    """Median and 5–95 % band of ``indicators`` in ``years`` over ``replicates`` runs of the
    calibrated scenario.

    If ``years`` run past the scenario's end year the horizon is extended (events of
    ``events_from`` — e.g. the seed scenario a run-in variant shortened — that fall in the added
    years are added). With ``posterior`` (a DataFrame or the ``posterior.csv`` of
    :func:`calibrate`), run k draws its calibrated parameters from the weighted posterior, so the
    band holds parameter and stochastic uncertainty; without it every run uses the file's values
    (posterior medians) and the band is stochastic only. Run k draws from
    ``SeedSequence(seed, spawn_key=(FORECAST_KEY, k))``.

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
    run_sc = _horizon(sc, max(end, sc.scenario.start_year), extra)
    if isinstance(posterior, (str, Path)):
        posterior = pd.read_csv(posterior)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(FORECAST_KEY, 0)))
    params = [dict(fixed or {}) for _ in range(replicates)]
    if posterior is not None:
        cols = [c for c in posterior.columns if c in PARAMETERS]
        w = posterior["weight"].to_numpy(float) if "weight" in posterior else \
            np.ones(len(posterior))
        idx = rng.choice(len(posterior), size=replicates, p=w / w.sum())
        for k, i in enumerate(idx):
            for c in cols:
                v = posterior[c].iloc[i]
                params[k][c] = int(round(v)) if PARAMETERS[c].integer else float(v)
    jobs = [(k, params[k], np.random.SeedSequence(seed, spawn_key=(FORECAST_KEY, k + 1)))
            for k in range(replicates)]
    parts = [(run_sc, jobs[i:i + chunk], list(indicators), [scope])
             for i in range(0, len(jobs), chunk)]
    if executor is None:
        tables = [t for p in parts for t in _forecast_chunk(p)]
    else:
        futures = [executor.submit(_forecast_chunk, p) for p in parts]
        tables = [t for f in futures for t in f.result()]
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
