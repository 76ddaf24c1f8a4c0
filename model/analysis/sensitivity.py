"""Global sensitivity analysis (SALib) of every modelled target's outcomes, with intervals,
an N/2 convergence check and the share of each output's variance that is replicate noise."""

from __future__ import annotations

import copy
import warnings
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from zonesim.analysis.designs import (METHODS, default_n, design_table, half_design_rows,
                                      round_integers, sensitivity_design)
from zonesim.analysis.experiments import run_experiment
from zonesim.analysis.space import check_names, group_names, salib_problem, uncertainty_space
from zonesim.errors import ExperimentError, cut
from zonesim.registry.validate import check_option
from zonesim.scenario import Scenario
from zonesim.scenario.schema import check_scenario

#: The index each method ranks factors by.
MAIN_INDEX = {"morris": "mu_star", "sobol": "ST", "fast": "ST", "delta": "delta",
              "pawn": "pawn_median"}
#: The indices table: one row per factor (or group), output and index.
INDEX_COLUMNS = ["parameter", "output", "index", "value", "conf_low", "conf_high"]


def sensitivity(scenario: Scenario, method: str = "morris", n: int | None = None,
                replicates: int = 5, seed: int = 0, names: list[str] | None = None,
                groups: str | None = None, include_levers: bool = True,
                out: str | Path = "out/sensitivity", resume: bool = False,
                executor: Executor | None = None, workers: int | None = None,
                scheduler: str | None = None, dask_local: int | None = None,
                progress: bool = True) -> dict:
    """Global sensitivity analysis of every modelled target's outcomes.

    Outputs per target: ``p_met:<target>`` (share of replicates meeting it at its year) and
    ``margin:<target>`` (mean indicator / target). Returns a dict with ``indices`` (tidy:
    parameter, output, index, value, conf_low, conf_high), ``convergence`` (indices at N/2
    against N), ``noise`` (share of each output's variance that is replicate noise),
    ``skipped`` (outputs not analysed, with the reason), the design, the outcomes, the SALib
    problem, ``n`` and the store.
    """
    if method not in METHODS:
        raise ExperimentError(f"unknown method {cut(repr(method))}; choose one of "
                              f"{', '.join(METHODS)}")
    check_scenario(scenario)
    replicates, seed = check_option("replicates", replicates), check_option("seed", seed)
    factors = uncertainty_space(scenario, check_names(names), include_levers)
    if len(factors) < 2:
        raise ExperimentError("a sensitivity analysis needs at least two factors with ranges")
    problem = salib_problem(factors, groups)
    n = default_n(method, len(factors)) if n is None else check_option("samples", n)
    X, options = sensitivity_design(method, problem, n, seed, replicates)
    Xr = round_integers(X, factors)
    design = design_table(Xr, factors)
    store, outcomes = run_experiment(
        "sensitivity", {"base": scenario}, design, replicates, seed, out, resume, executor,
        workers, scheduler, dask_local, progress, method=method, n=n, groups=groups,
        problem=problem, options=options)
    # Morris elementary effects are defined on the design's grid; the other methods use the
    # values the runs had (rounded whole numbers).
    Xa = X if method == "morris" else Xr
    outputs = output_matrix(outcomes, len(design))
    indices, convergence, skipped = [], [], []
    half = half_design_rows(method, problem, n)
    for col in tqdm(outputs.columns, desc="analysis", unit="output", disable=not progress,
                    dynamic_ncols=True):
        Y = outputs[col].to_numpy(float)
        if not np.isfinite(Y).all():
            skipped.append({"output": col, "reason": f"undefined in {int((~np.isfinite(Y)).sum())}"
                            f" of {len(Y)} points"})
            continue
        if np.ptp(Y) == 0:
            skipped.append({"output": col, "reason": f"constant ({Y[0]:g}) over the design"})
            continue
        idx = analyse(method, problem, Xa, Y, options, seed, output=col)
        indices.append(idx)
        if half:
            h = analyse(method, problem, Xa[:half], Y[:half], options, seed, output=col)
            m = idx.merge(h[["parameter", "index", "value"]], on=["parameter", "index"],
                          suffixes=("", "_half"))
            convergence.append(m[["parameter", "output", "index", "value", "value_half"]])
    indices = pd.concat(indices, ignore_index=True) if indices else pd.DataFrame(
        columns=INDEX_COLUMNS)
    convergence = pd.concat(convergence, ignore_index=True) if convergence else pd.DataFrame(
        columns=["parameter", "output", "index", "value", "value_half"])
    return {"indices": indices[INDEX_COLUMNS], "convergence": convergence,
            "noise": replicate_noise(outcomes), "design": design, "outcomes": outcomes,
            "problem": problem, "n": n, "method": method, "replicates": replicates,
            "seed": seed, "skipped": pd.DataFrame(skipped, columns=["output", "reason"]),
            "store": store}


def output_matrix(outcomes: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """Per point: P(met) and mean margin of every target, as columns ``p_met:<id>`` and
    ``margin:<id>`` (rows in point order)."""
    g = outcomes.groupby(["point", "target"], sort=False)
    p = g["met"].mean().unstack("target").add_prefix("p_met:")
    m = g["margin"].mean().unstack("target").add_prefix("margin:")
    targets = list(dict.fromkeys(outcomes["target"]))
    cols = [f"{k}:{t}" for t in targets for k in ("p_met", "margin")]
    return pd.concat([p, m], axis=1).reindex(index=range(n_points), columns=cols)


def replicate_noise(outcomes: pd.DataFrame) -> pd.DataFrame:
    """How much of each output's variance is replicate noise (one-way random-effects ANOVA
    over points).

    ``noise_share``: within-point variance over the variance of a single run,
    σ²_w / (σ²_b + σ²_w). ``noise_share_of_mean``: the share of the variance of the analysed
    output — the mean over R replicates at each point — that is noise, (σ²_w / R) / Var(point
    means); the sensitivity indices apportion that variance, so a share near 1 means the
    indices mostly describe noise. NaN with a single replicate per point."""
    rows = []
    for t in dict.fromkeys(outcomes["target"]):
        sub = outcomes[outcomes["target"] == t]
        for col, prefix in (("met", "p_met:"), ("margin", "margin:")):
            y = sub[col].astype(float)
            g = y.groupby(sub["point"])
            counts = g.count()
            counts = counts[counts > 0]
            means = g.mean()[counts.index]
            within = g.var(ddof=1)[counts.index]
            within = within[counts > 1]
            r = round(len(counts) / float((1.0 / counts).sum()), 6) if len(counts) else np.nan
            row = {"output": prefix + t, "points": int(len(counts)),
                   "replicates": float(r), "within_variance": np.nan,
                   "between_variance": np.nan, "noise_share": np.nan,
                   "noise_share_of_mean": np.nan}
            if len(within) and len(means) > 1:
                sw = float(within.mean())
                var_means = float(means.var(ddof=1))
                sb = max(var_means - sw / r, 0.0)
                row.update(within_variance=sw, between_variance=sb)
                if sw + sb > 0:
                    row["noise_share"] = sw / (sw + sb)
                if var_means > 0:
                    row["noise_share_of_mean"] = min((sw / r) / var_means, 1.0)
                elif sw == 0:
                    row["noise_share_of_mean"] = np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=["output", "points", "replicates", "within_variance",
                                       "between_variance", "noise_share",
                                       "noise_share_of_mean"])


def _salib_seed(seed: int) -> int:
    """SALib's analysers ignore a seed of 0 (``if seed:``): map every seed to a non-zero one."""
    return int(seed) % (2 ** 31 - 2) + 1


def analyse(method: str, problem: dict, X: np.ndarray, Y: np.ndarray, options: dict,
            seed: int, output: str | None = None) -> pd.DataFrame:
    """Indices of one output as a tidy table: parameter, [output,] index, value, conf_low,
    conf_high (95 % intervals; for PAWN a bootstrap over sample rows)."""
    from SALib.analyze import delta, fast, morris, pawn, sobol

    problem = copy.deepcopy(problem)        # SALib adds keys to the dict
    names = group_names(problem)
    rows = []
    s = _salib_seed(seed)

    def add(index, values, conf=None):
        for i, name in enumerate(names):
            v = float(values[i])
            c = float(conf[i]) if conf is not None else np.nan
            low = v - c if np.isfinite(c) else np.nan
            if index in ("mu_star", "sigma") and np.isfinite(low):
                low = max(low, 0.0)            # non-negative by definition
            rows.append({"parameter": name, "index": index, "value": v, "conf_low": low,
                         "conf_high": v + c if np.isfinite(c) else np.nan})

    formatwarning = warnings.formatwarning      # SALib's delta replaces it
    try:
        # SALib's notices (and delta's own simplefilter("once")) are recorded here and dropped
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("ignore")
            if method == "morris":
                r = morris.analyze(problem, X, Y, num_levels=options["num_levels"], seed=s)
                add("mu_star", r["mu_star"], r["mu_star_conf"])
                add("sigma", r["sigma"])
                add("mu", r["mu"])
            elif method == "sobol":
                r = sobol.analyze(problem, Y, calc_second_order=False, seed=s)
                add("S1", r["S1"], r["S1_conf"])
                add("ST", r["ST"], r["ST_conf"])
            elif method == "fast":
                r = fast.analyze(problem, Y, M=options["M"], seed=s)
                add("S1", r["S1"], r["S1_conf"])
                add("ST", r["ST"], r["ST_conf"])
            elif method == "delta":
                with _one_blas_thread():
                    r = delta.analyze(problem, X, Y, seed=s,
                                      num_resamples=options.get("num_resamples", 30))
                add("delta", r["delta_raw"], r["delta_raw_conf"])
                add("S1", r["S1"], r["S1_conf"])
            elif method == "pawn":
                S = options.get("S", 10)
                r = pawn.analyze(problem, X, Y, S=S, seed=s)
                lo, hi = _pawn_interval(problem, X, Y, S, s)
                for i, name in enumerate(names):
                    rows.append({"parameter": name, "index": "pawn_median",
                                 "value": float(r["median"][i]), "conf_low": float(lo[i]),
                                 "conf_high": float(hi[i])})
            else:
                raise ExperimentError(f"unknown method {method!r}")
    finally:
        warnings.formatwarning = formatwarning
    df = pd.DataFrame(rows, columns=["parameter", "index", "value", "conf_low", "conf_high"])
    if output is not None:
        df.insert(1, "output", output)
    return df


class _one_blas_thread:
    """Run a block with one OpenBLAS thread (as threadpoolctl would, without needing it).

    SALib's delta method calls scipy's gaussian_kde thousands of times on tiny matrices; with
    OpenBLAS's default of one thread per core, any other busy process on the machine (a pool
    worker, a parallel test) makes those threads spin and the analysis 5–10× slower. Linux
    only; elsewhere, or if no OpenBLAS is loaded, a no-op."""

    def __enter__(self):
        self._restore = []
        try:
            import ctypes
            paths = sorted({line.split()[-1] for line in open("/proc/self/maps")
                            if "openblas" in line.lower() and line.split()[-1].startswith("/")})
            for path in paths:
                lib = ctypes.CDLL(path)
                for pre in ("scipy_openblas", "openblas"):
                    for suf in ("64_", ""):
                        get = getattr(lib, f"{pre}_get_num_threads{suf}", None)
                        put = getattr(lib, f"{pre}_set_num_threads{suf}", None)
                        if get is not None and put is not None:
                            n = int(get())
                            put(1)
                            self._restore.append((put, n))
                            break
                    else:
                        continue
                    break
        except Exception:   # noqa: BLE001 — best effort, never fatal
            pass
        return self

    def __exit__(self, *exc):
        for put, n in self._restore:
            try:
                put(n)
            except Exception:   # noqa: BLE001
                pass


def _pawn_interval(problem, X, Y, S, seed, resamples: int = 50):
    """SALib's PAWN gives no interval: a 95 % percentile bootstrap over sample rows."""
    from SALib.analyze import pawn

    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(resamples):
        idx = rng.integers(0, len(Y), len(Y))
        stats.append(pawn.analyze(problem, X[idx], Y[idx], S=S, seed=seed)["median"])
    stats = np.array(stats, dtype=float)
    return np.nanpercentile(stats, 2.5, axis=0), np.nanpercentile(stats, 97.5, axis=0)
