"""Calibration of a scenario against published statistics by ABC-SMC (:mod:`.abc`).

``calibrate(scenario, data)`` fits a scenario's uncertain parameters (assumptions with a
low–high range, the uniform priors) to published statistics that fall inside its run-in window
and writes the posterior, the fit and a calibrated variant of the scenario file;
:func:`zonesim.analysis.forecast.forecast` projects indicators past the data from that variant.

Seeds: the ABC-SMC simulations draw as :mod:`.abc` says; posterior-predictive run k (replicate
k + 1) from ``SeedSequence(seed, spawn_key=(PREDICTIVE_KEY, replicate))``; the trial run that
checks each statistic is measured from ``spawn_key=(TRIAL_KEY,)``.
"""

from __future__ import annotations

import datetime as _dt
import json
import numbers
import time
import warnings
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.analysis.abc import abc_smc
from zonesim.analysis.posterior_predictive import (joint_particles, posterior_predictive,
                                                    posterior_summary, predictive_fit)
from zonesim.analysis.calibrated_variant import calibrated_toml
from zonesim.analysis.calibration_data import (  # noqa: F401  (re-exported)
    DATA_COLUMNS, RATIOS, Statistic, read_data, select_statistics)
from zonesim.analysis.results import RESULT_FORMAT
from zonesim.analysis.run_folder import check_folder, finished_run, output_folder
from zonesim.analysis.run_scenario import scenario_digest
from zonesim.analysis.uncertainty import prior_draw, uncertain_factors
from zonesim.engine.model import ZoneModel
from zonesim.errors import CalibrationError, cut
from zonesim.present.experiment_figures import calibration_fit_figure
from zonesim.registry import scopes
from zonesim.registry.parameters import PARAMETERS
from zonesim.registry.validate import ParameterError, check_name, check_option
from zonesim.run import make_executor
from zonesim.scenario import Scenario, load_scenario

#: Spawn key of the trial run that checks every statistic is measured, before the ABC.
TRIAL_KEY = 10_001

#: Default parameters per statistic: the assumptions a statistic is most sensitive to, from the
#: rules' structure and a screening — Spearman rank correlation of each statistic with every
#: uncertain parameter over 150 prior draws (seed 11) of the Nantong and Taizhou (Jiangsu)
#: run-ins and Gaogang, keeping |ρ| ≥ 0.2 where 0.16 is the noise (docs/VALIDATION.md). The
#: default set of ``calibrate`` is the union over the statistics to fit, restricted to those
#: with an assumption range in the scenario.
_SHARE = ["high_tech_upgrade_rate", "baseline_rd_intensity", "high_tech_share_at_entry_ht_sector",
          "initial_strategic_share", "rd_intensity_for_ceiling"]
_RD = ["baseline_rd_intensity", "rd_intensity_dispersion", "high_tech_sector_rd_factor",
       "traditional_sector_rd_factor"]
# the score's judged parts, the application cost and what firms can spend on R&D decide who
# applies and passes
_CERTIFIED = ["certification_application_cost_yuan", "score_judged_ip_points",
              "score_judged_organisation_points", "transformations_per_ip_right",
              "rd_internal_finance_share", "high_tech_sector_rd_factor"]
PARAMETERS_BY_INDICATOR: dict[str, list[str]] = {
    "high_tech_output_yuan": ["firm_revenue_median_yuan", "growth_drift", *_SHARE],
    "above_scale_output_yuan": ["firm_revenue_median_yuan", "growth_drift"],
    "industrial_output_yuan": ["firm_revenue_median_yuan", "growth_drift"],
    "gdp_yuan": ["firm_revenue_median_yuan", "growth_drift", "above_scale_revenue_to_gdp"],
    "high_tech_output_share": _SHARE,
    "high_tech_value_added_share": _SHARE,
    "above_scale_rd_intensity": _RD,
    "enterprise_rd_intensity": _RD,
    # the bridge's other factors (revenue/GDP, industrial share) enter only as a product with
    # statistical_rd_ratio, so fitting all three would leave a ridge
    "rd_to_gdp": ["statistical_rd_ratio", *_RD],
    "high_tech_enterprises": _CERTIFIED,
    "new_high_tech_enterprises": _CERTIFIED,
    "patent_applications": ["patents_per_million_rd_yuan"],
    "invention_patent_applications": ["patents_per_million_rd_yuan",
                                      "invention_share_of_applications"],
}


def horizon(scenario: Scenario, end_year: int, extra_events=()) -> Scenario:
    """The scenario run to ``end_year`` (shortened or extended), with extra events if given."""
    meta = scenario.meta.model_copy(update={"end_year": int(end_year)})
    events = [e for e in scenario.events if e.year <= end_year] + [
        e for e in extra_events if scenario.meta.end_year < e.year <= end_year]
    out = scenario.model_copy(update={"meta": meta, "events": events})
    out._path = scenario.path
    return out


def _statistic_value(table: pd.DataFrame, st: Statistic, counties: dict[str, list[str]]) -> float:
    rows = table[table["year"] == st.year]
    if scopes.parse(st.scope).kind == "county":
        sub = rows[rows["scope"].isin(scopes.members(st.scope, (), counties))]
        ratio = RATIOS.get(st.indicator)
        if ratio:
            den = sub[ratio[1]].sum()
            return float(sub[ratio[0]].sum() / den) if den else float("nan")
        return float(sub[st.indicator].sum())
    sub = rows[rows["scope"] == st.scope]
    return float(sub[st.indicator].iloc[0]) if len(sub) else float("nan")


class ScenarioSimulator:
    """Picklable simulator of a scenario's statistics for :func:`abc_smc`.

    With ``nuisance`` (the default), every other uncertain parameter of the scenario — not
    fitted, not ``fixed`` — is drawn from its prior in each simulation, as ``zonesim run``
    draws it (:mod:`.uncertainty`), so the posterior is of the model that runs: marginal over
    what the data do not fit rather than conditional on point values. The draw comes from the
    simulation's own seed sequence (spawn key extended by ``UNCERTAINTY_KEY``)."""

    def __init__(self, scenario: Scenario, names: list[str], statistics: list[Statistic],
                 fixed: dict | None = None, nuisance: bool = True):
        self.scenario = scenario
        self.names = list(names)
        self.statistics = list(statistics)
        self.fixed = dict(fixed or {})
        self.nuisance = uncertain_factors(scenario, {*self.names, *self.fixed}) \
            if nuisance else []
        self.counties: dict[str, list[str]] = {}
        for z in scenario.zones:
            self.counties.setdefault(z.county, []).append(z.id)

    def parameters(self, theta, seed_sequence=None) -> dict:
        """The fixed values, the prior draw of the others (given the simulation's seed
        sequence) and ``theta``."""
        p = dict(self.fixed)
        if self.nuisance and seed_sequence is not None:
            p.update(self.nuisance_draw(seed_sequence))
        for n, v in zip(self.names, theta):
            p[n] = int(round(v)) if PARAMETERS[n].integer else float(v)
        return p

    def nuisance_draw(self, seed_sequence) -> dict:
        """The prior draw of the parameters not fitted, in the simulation seeded so."""
        return prior_draw(self.scenario, self.nuisance, seed_sequence)

    def run(self, theta, seed_sequence) -> pd.DataFrame:
        model = ZoneModel(self.scenario, seed=seed_sequence,
                          parameters=self.parameters(theta, seed_sequence))
        return model.run()

    def __call__(self, jobs) -> np.ndarray:
        out = np.empty((len(jobs), len(self.statistics)))
        for i, (theta, seeds) in enumerate(jobs):
            vals = []
            for ss in seeds:
                table = self.run(theta, ss)
                vals.append([_statistic_value(table, s, self.counties) for s in self.statistics])
            with warnings.catch_warnings():  # a statistic unmeasured in every replicate: NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                out[i] = np.nanmean(np.asarray(vals, float), axis=0) if vals else np.nan
        return out


def parameter_space(scenario: Scenario, statistics: list[Statistic],
                    parameters: list[str] | None = None) -> list[tuple[str, float, float]]:
    """(name, low, high) of the parameters to calibrate. Given names need a low–high range in
    the scenario (or the registry); by default the parameters of ``PARAMETERS_BY_INDICATOR`` for
    the statistics that are assumptions with a range in the scenario."""
    if parameters is not None:
        names = _parameter_names(parameters)
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
        try:
            p = check_name(n)
        except ParameterError as e:
            raise CalibrationError(e.message) from None
        prov = scenario.provenance(n)
        if p.categorical or prov["low"] is None or prov["high"] is None \
                or not prov["high"] > prov["low"]:
            raise CalibrationError(f"parameter {n} has no low–high range in {scenario.name}")
        space.append((n, float(prov["low"]), float(prov["high"])))
    return space


def _parameter_names(parameters) -> list[str]:
    """The parameters a caller named: a non-empty list of names, none twice."""
    if isinstance(parameters, str) or not all(isinstance(n, str) for n in parameters):
        raise CalibrationError("parameters: expected a list of parameter names, got "
                               f"{cut(repr(parameters))}")
    names = [n.strip() for n in parameters]
    if not names or not all(names):
        raise CalibrationError("parameters: an empty name or list; name the parameters to fit "
                               "(or give none for the defaults)")
    twice = [n for i, n in enumerate(names) if n in names[:i]]
    if twice:
        raise CalibrationError(f"parameters: {cut(twice[0])} given twice")
    return names


def calibrate(scenario: Scenario | str | Path, data: pd.DataFrame | str | Path,
              parameters: list[str] | None = None, populations: int = 4,
              particles: int = 100, replicates: int = 1, seed: int = 0,
              executor: Executor | None = None, out: str | Path | None = None, *,
              workers: int | None = 1, fixed: dict | None = None, predictive: int = 100,
              quantile: float = 0.5, max_proposals: float = 10.0, force: bool = False,
              progress: Callable[[str], None] | None = None) -> dict:
    """Fit ``scenario``'s uncertain parameters to the statistics in ``data`` by ABC-SMC.

    ``data``: a table, or the path of a CSV, with columns indicator, scope, year, value
    (optional: scenario — rows for other scenarios are ignored —, weight, unit, source). Only
    rows inside the scenario's run are used; the run is shortened to the last data year.
    ``fixed``: parameter values held fixed in every run (e.g. a smaller ``initial_enterprises``
    for speed). ``predictive``: posterior-predictive runs for the fit figure.
    ``executor``: any concurrent.futures executor; without one, ``workers`` local processes
    (1: serial in this process; None: every core). ``out``: folder for the outputs (see below);
    nothing is written if None. It must be new, empty or hold a previous calibration of the
    same scenario, which is replaced (``force``: replace whatever it holds); it is checked
    before any run and written whole or not at all (a temporary folder renamed into place).

    Everything is checked before the ABC runs: the options (populations 1–100, particles
    1–100 000, :data:`zonesim.registry.validate.RUN_OPTIONS`), every row of the data
    (:mod:`.calibration_data`), the parameters, and — in one trial run — that each statistic is
    measured by the scenario.

    Writes to ``out``: ``posterior.csv`` (final population: parameters, weight, distance),
    ``summary.csv`` (weighted mean, median, 5 % and 95 % per parameter, with the prior range),
    ``history.csv`` (tolerance, proposals, acceptance per population), ``fit.csv`` and
    ``fit.png`` (each statistic's observed value against the prior- and posterior-predictive
    5–95 % bands), ``<id>_calibrated.toml`` (a variant that ``extends`` the input file with each
    parameter at its posterior median, range = the posterior 90 % interval),
    ``predictive_runs.parquet`` and ``predictive_outcomes.parquet`` (the posterior-predictive
    runs and their statistics, for :func:`zonesim.load`) and ``calibration.json`` (settings,
    timings). Returns a dict with these tables and paths.
    """
    t_start = time.perf_counter()
    settings = _check_settings(populations, particles, replicates, seed, predictive, quantile,
                               max_proposals)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if out is not None:  # before anything runs: a bad folder is told at once
        check_out(Path(out), sc.name, force)
    statistics = select_statistics(sc, data)
    space = parameter_space(sc, statistics, parameters)
    names = [n for n, _, _ in space]
    both = sorted(set(names) & set(fixed or {}))
    if both:
        raise CalibrationError(f"parameter {both[0]} is both fixed and calibrated; leave it "
                               "out of one")
    sim = ScenarioSimulator(horizon(sc, max(s.year for s in statistics)), names, statistics,
                            fixed)
    check_measurable(sim, space, seed)
    settings["fixed"] = fixed or {}
    if out is None:
        return _fit(sim, space, settings, executor, workers, progress, t_start)
    checkpoint = Path(out).parent / f".{Path(out).name}.abc-checkpoint.npz"
    with output_folder(out, {}, force=True) as tmp:
        check_out(Path(out), sc.name, force)  # again, now that the folder is locked
        result = _fit(sim, space, settings, executor, workers, progress, t_start, checkpoint)
        result.update(_write_outputs(tmp, Path(out), sc, statistics, result, settings))
    checkpoint.unlink(missing_ok=True)
    return result


def _check_settings(populations, particles, replicates, seed, predictive, quantile,
                    max_proposals) -> dict:
    """The ABC's settings checked before anything is allocated or run."""
    settings = {k: check_option(k, v) for k, v in (
        ("populations", populations), ("particles", particles), ("replicates", replicates),
        ("seed", seed))}
    if isinstance(predictive, bool) or not isinstance(predictive, numbers.Integral) \
            or not 0 <= predictive <= 100_000:
        raise CalibrationError(f"predictive: expected 0–100000 (posterior-predictive runs), "
                               f"got {cut(repr(predictive))}")
    for name, x, ok, what in (("quantile", quantile, lambda q: 0 < q < 1, "between 0 and 1"),
                              ("max_proposals", max_proposals, lambda m: 1 <= m <= 1000,
                               "1–1000 (× particles per population)")):
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not ok(float(x)):
            raise CalibrationError(f"{name}: expected a number {what}, got {cut(repr(x))}")
    settings.update(quantile=float(quantile), max_proposals=float(max_proposals),
                    predictive=int(predictive))
    return settings


def check_out(out: Path, scenario: str, force: bool) -> None:
    """Refuse the output folder ``out`` unless it is new, empty or holds a previous calibration
    of ``scenario`` (which is replaced), or ``force`` is given; a file or an unwritable folder
    is refused always. Nothing is touched."""
    check_folder(out, {}, True)  # a file, not writable
    try:
        if force or not out.is_dir() or not any(out.iterdir()):
            return
    except OSError as e:
        raise CalibrationError(f"--out {cut(out, 200)}: cannot be read ({e.strerror or e})")
    if finished_run(out) is not None:
        raise CalibrationError(f"--out {cut(out, 200)}: holds a finished zonesim run "
                               "(run.json); choose another --out or add --force to replace it")
    try:
        info = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict) or info.get("kind") != "calibration":
        raise CalibrationError(f"--out {cut(out, 200)}: not empty and holds no zonesim "
                               "calibration; choose another --out or add --force to replace it")
    if info.get("scenario") != scenario:
        raise CalibrationError(f"--out {cut(out, 200)}: holds the calibration of another "
                               f"scenario ({cut(info.get('scenario'), 60)}); choose another "
                               "--out or add --force to replace it")


def check_measurable(sim: ScenarioSimulator, space, seed: int) -> None:
    """One trial run at the middle of the prior (its own seed, apart from the ABC's): a
    statistic it does not measure would give every particle an infinite distance, and the
    "posterior" would be the prior."""
    theta = np.array([(lo + hi) / 2 for _, lo, hi in space])
    values = sim([(theta, [np.random.SeedSequence(seed, spawn_key=(TRIAL_KEY,))])])[0]
    for st, v in zip(sim.statistics, values):
        if not np.isfinite(v):
            raise CalibrationError(
                f"{st.where}: {st.indicator} at {st.scope} in {st.year} is not measured in a "
                f"run of {sim.scenario.name} (a trial run gives no value), so no particle could "
                "be compared with it; remove the row or give it weight 0")


def _fit(sim: ScenarioSimulator, space, settings: dict, executor: Executor | None,
         workers: int | None, progress, t_start: float, checkpoint: Path | None = None) -> dict:
    """The ABC-SMC and the posterior-predictive runs (see :func:`calibrate`); with
    ``checkpoint``, a killed calibration of the same scenario, data and settings resumes at
    the population it was in."""
    names, close = sim.names, None
    if executor is None:  # only now: a request that fails its checks starts no processes
        executor, close = make_executor(workers)
    settings["executor"] = type(executor).__name__ if executor else "serial"
    try:
        res = abc_smc(sim, np.array([s.value for s in sim.statistics]),
                      [lo for _, lo, _ in space], [hi for _, _, hi in space], names=names,
                      weights=[s.weight for s in sim.statistics],
                      populations=settings["populations"], particles=settings["particles"],
                      replicates=settings["replicates"], seed=settings["seed"],
                      executor=executor, quantile=settings["quantile"],
                      max_proposals=settings["max_proposals"], progress=progress,
                      checkpoint=checkpoint, checkpoint_key=_simulator_key(sim))
        t_abc = time.perf_counter() - t_start
        particles = joint_particles(sim, res, settings)
        runs, outcomes, pred = posterior_predictive(sim, particles, res, settings["seed"],
                                                     settings["predictive"], executor)
    finally:
        if close is not None:
            close()
    posterior = particles.assign(weight=res.weights, distance=res.distances)
    return {"scenario": sim.scenario.name, "parameters": names, "posterior": posterior,
            "summary": posterior_summary(sim.scenario, space, res), "history": res.history,
            "fit": predictive_fit(res, sim.statistics, pred), "predictive_runs": runs,
            "predictive_outcomes": outcomes, "wall_time_s": time.perf_counter() - t_start,
            "abc_time_s": t_abc}


def _simulator_key(sim: ScenarioSimulator) -> str:
    """What the simulations depend on besides the sampler's settings: the scenario's contents
    (its horizon shortened to the data), the statistics and the fixed parameters."""
    return json.dumps([scenario_digest(sim.scenario),
                       [(st.indicator, st.scope, st.year, st.value, st.weight)
                        for st in sim.statistics], sorted(sim.fixed.items()),
                       [f.name for f in sim.nuisance]], default=str)


def _write_outputs(out: Path, final: Path, sc: Scenario, statistics, result: dict,
                   settings: dict) -> dict:
    """Write the outputs into ``out``, the temporary folder that becomes ``final`` (beside it,
    so the calibrated variant's relative ``extends`` holds in both)."""
    result["posterior"].to_csv(out / "posterior.csv", index=False)
    result["summary"].to_csv(out / "summary.csv", index=False)
    result["history"].to_csv(out / "history.csv", index=False)
    result["fit"].to_csv(out / "fit.csv", index=False)
    fig_path = out / "fit.png"
    calibration_fit_figure(result["fit"], fig_path, title=f"{sc.name}: observed vs simulated 5–95 %")
    toml_path = out / f"{sc.name}_calibrated.toml"
    toml_path.write_text(calibrated_toml(sc, result["summary"], statistics, toml_path,
                                         settings), encoding="utf-8")
    load_scenario(toml_path)  # the variant must validate
    result["predictive_runs"].to_parquet(out / "predictive_runs.parquet", index=False)
    result["predictive_outcomes"].to_parquet(out / "predictive_outcomes.parquet", index=False)
    (out / "calibration.json").write_text(json.dumps({
        "kind": "calibration", "result_format": RESULT_FORMAT, "scenario": sc.name,
        "scenario_file": sc.path, "parameters": result["parameters"],
        "statistics": [s.__dict__ for s in statistics], "settings": settings,
        "wall_time_s": result["wall_time_s"], "abc_time_s": result["abc_time_s"],
        "date": _dt.date.today().isoformat()}, indent=1, ensure_ascii=False, default=str))
    return {"calibrated_scenario": str(final / toml_path.name),
            "figure": str(final / fig_path.name), "out": str(final)}
