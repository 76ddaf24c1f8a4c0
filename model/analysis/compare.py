"""Policy counterfactuals: a base scenario against variants on common random numbers, with
paired bootstrap intervals of every target's difference."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.analysis.experiments import run_experiment
from zonesim.errors import ExperimentError
from zonesim.scenario import Scenario


def compare(base: Scenario, variants: list[Scenario], replicates: int, seed: int = 0,
            out: str | Path = "out/compare", resume: bool = False,
            executor: Executor | None = None, workers: int | None = None,
            scheduler: str | None = None, dask_local: int | None = None,
            progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Policy counterfactuals on common random numbers.

    Returns (outcomes, comparison): per variant and target of the base, P(met) of base and
    variant, their paired difference with a 95 % bootstrap interval over replicates, and the
    difference of the indicator's medians with its interval. A variant may be the base itself
    (an A/A check: every difference is exactly 0).
    """
    if not variants:
        raise ExperimentError("compare needs at least one variant")
    if replicates < 2:
        raise ExperimentError("compare needs at least 2 replicates for paired intervals")
    scenarios = {"base": base, **{f"variant_{i}": v for i, v in enumerate(variants)}}
    design = pd.DataFrame({"point": range(len(scenarios)), "scenario": list(scenarios)})
    _, outcomes = run_experiment("compare", scenarios, design, replicates, seed, out, resume,
                                 executor, workers, scheduler, dask_local, progress)
    return outcomes, comparison_table(outcomes, design, scenarios, seed)


COMPARISON_COLUMNS = ["variant", "target", "indicator", "p_met_base", "p_met_variant",
                      "p_met_diff", "p_met_diff_low", "p_met_diff_high", "median_base",
                      "median_variant", "median_diff", "median_diff_low", "median_diff_high",
                      "replicates"]


def _variant_labels(design, scenarios) -> dict:
    labels, seen = {}, {}
    for key in design["scenario"]:
        name = scenarios[key].name
        seen[name] = seen.get(name, 0) + 1
        labels[key] = name if seen[name] == 1 else f"{name} (#{seen[name]})"
    return labels


def comparison_table(outcomes: pd.DataFrame, design: pd.DataFrame,
                     scenarios: dict[str, Scenario], seed: int = 0) -> pd.DataFrame:
    """Paired differences variant − base per target (see :func:`compare`)."""
    rng = np.random.default_rng(seed)
    labels = _variant_labels(design, scenarios)
    base_pt = int(design.loc[design["scenario"] == "base", "point"].iloc[0])
    base = outcomes[outcomes["point"] == base_pt].set_index(["replicate", "target"])
    rows = []
    for row in design.itertuples(index=False):
        if row.scenario == "base":
            continue
        var = outcomes[outcomes["point"] == row.point].set_index(["replicate", "target"])
        for t in scenarios["base"].modelled_targets:
            if t.id not in var.index.get_level_values("target"):
                continue
            b = base.xs(t.id, level="target")
            v = var.xs(t.id, level="target").reindex(b.index)
            bm, vm = b["met"].to_numpy(float), v["met"].to_numpy(float)
            bv, vv = b["value"].to_numpy(float), v["value"].to_numpy(float)
            lo, hi = _paired_ci(bm, vm, np.mean, rng)
            ok = np.isfinite(bv) & np.isfinite(vv)
            mb = float(np.median(bv[ok])) if ok.any() else np.nan
            mv = float(np.median(vv[ok])) if ok.any() else np.nan
            mlo, mhi = _paired_ci(bv[ok], vv[ok], np.median, rng) if ok.sum() >= 2 \
                else (np.nan, np.nan)
            rows.append({"variant": labels[row.scenario], "target": t.id,
                         "indicator": t.indicator, "p_met_base": bm.mean(),
                         "p_met_variant": vm.mean(), "p_met_diff": vm.mean() - bm.mean(),
                         "p_met_diff_low": lo, "p_met_diff_high": hi, "median_base": mb,
                         "median_variant": mv, "median_diff": mv - mb, "median_diff_low": mlo,
                         "median_diff_high": mhi, "replicates": len(bm)})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _paired_ci(base, variant, stat, rng, n_resamples: int = 2000, level: float = 0.95):
    """Percentile-bootstrap interval of stat(variant) − stat(base), resampling replicates in
    pairs (common random numbers make the pairs). Identical samples give exactly [0, 0]."""
    base, variant = np.asarray(base, float), np.asarray(variant, float)
    if len(base) < 2:
        return (np.nan, np.nan)
    if np.array_equal(base, variant):
        return (0.0, 0.0)
    idx = rng.integers(0, len(base), size=(n_resamples, len(base)))
    d = stat(variant[idx], axis=1) - stat(base[idx], axis=1)
    a = (1 - level) / 2
    return float(np.quantile(d, a)), float(np.quantile(d, 1 - a))
