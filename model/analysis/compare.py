"""Policy counterfactuals: a base scenario against variants on common random numbers, with
paired intervals of every target's difference, and what each variant changes in the base."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.analysis.experiments import run_experiment
from zonesim.analysis.targets import wilson_interval
from zonesim.errors import ExperimentError
from zonesim.registry.validate import check_option
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import Scenario
from zonesim.scenario.schema import check_scenario


def compare(base: Scenario, variants: list[Scenario], replicates: int, seed: int = 0,
            out: str | Path = "out/compare", resume: bool = False,
            executor: Executor | None = None, workers: int | None = None,
            scheduler: str | None = None, dask_local: int | None = None,
            progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Policy counterfactuals on common random numbers (replicate r of every scenario uses
    the same seed).

    Returns (outcomes, comparison): per variant and target of the base, P(met) of base and
    variant and their paired difference with a 95 % score interval
    (:func:`paired_difference_interval`), and the difference of the indicator's medians with
    a 95 % paired bootstrap interval. A variant may be the base itself (an A/A check: every
    difference is exactly 0, and the P(met) interval shows how small a change R replicates
    could tell). What each variant changes in the base: :func:`scenario_differences`.
    """
    check_scenario(base)
    if isinstance(variants, Scenario) or not isinstance(variants, (list, tuple)):
        raise ExperimentError("variants: expected a list of scenarios, got "
                              f"{type(variants).__name__}")
    if not variants:
        raise ExperimentError("compare needs at least one variant")
    for v in variants:
        check_scenario(v)
        lacking = [t.id for t in base.modelled_targets
                   if t.id not in {u.id for u in v.modelled_targets}]
        if lacking:  # its column of the comparison would be empty, silently
            raise ExperimentError(f"variant {v.name} lacks the base's target(s) "
                                  f"{', '.join(lacking[:5])}{' …' if len(lacking) > 5 else ''}: "
                                  "a comparison is of the same targets")
    if check_option("replicates", replicates) < 2:
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


def variant_labels(scenarios: list[Scenario]) -> list[str]:
    """Each scenario's name, numbered from its second appearance ('tiny (#2)')."""
    labels, seen = [], Counter()
    for s in scenarios:
        seen[s.name] += 1
        labels.append(s.name if seen[s.name] == 1 else f"{s.name} (#{seen[s.name]})")
    return labels


def comparison_table(outcomes: pd.DataFrame, design: pd.DataFrame,
                     scenarios: dict[str, Scenario], seed: int = 0) -> pd.DataFrame:
    """Paired differences variant − base per target (see :func:`compare`)."""
    rng = np.random.default_rng(seed)
    labels = dict(zip(design["scenario"],
                      variant_labels([scenarios[k] for k in design["scenario"]])))
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
            bm, vm = b["met"].to_numpy(bool), v["met"].to_numpy(bool)
            bv, vv = b["value"].to_numpy(float), v["value"].to_numpy(float)
            lo, hi = paired_difference_interval(int((bm & vm).sum()), int((vm & ~bm).sum()),
                                                int((bm & ~vm).sum()), int((~bm & ~vm).sum()))
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


def paired_difference_interval(a: int, b: int, c: int, d: int,
                               confidence: float = 0.95) -> tuple[float, float]:
    """Interval of the difference of two paired proportions, (b − c) / n: Newcombe's hybrid
    score interval, method 10 of R. G. Newcombe, "Improved confidence intervals for the
    difference between binomial proportions based on paired data", Statistics in Medicine
    17 (1998) 2635–2650.

    Cells of the n pairs (replicates): ``a`` met under both, ``b`` under the variant only,
    ``c`` under the base only, ``d`` under neither. With the Wilson intervals (l1, u1) of the
    variant's proportion p1 = (a + b) / n and (l2, u2) of the base's p2 = (a + c) / n, and φ
    the correlation of the pairs,

        L = (p1 − p2) − √((p1 − l1)² − 2φ (p1 − l1)(u2 − p2) + (u2 − p2)²)
        U = (p1 − p2) + √((u1 − p1)² − 2φ (u1 − p1)(p2 − l2) + (p2 − l2)²)

    φ = (ad − bc) / √((a + b)(c + d)(a + c)(b + d)), with ad − bc replaced by
    max(ad − bc − n/2, 0) when it is positive, and φ = 0 when a margin is empty (Newcombe's
    rules). Unlike a bootstrap over replicates it does not collapse when no replicate
    changes (b = c = 0): 27 pairs met under both and 27 under neither give ±0.035.
    """
    n = a + b + c + d
    if n == 0:
        return (np.nan, np.nan)
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, confidence)
    l2, u2 = wilson_interval(a + c, n, confidence)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    if cross > 0:
        cross = max(cross - n / 2, 0.0)
    phi = cross / np.sqrt(margins) if margins else 0.0
    low = np.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0.0))
    high = np.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0.0))
    return float(p1 - p2 - low), float(p1 - p2 + high)


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


#: What :func:`scenario_differences` returns: one row per parameter or run setting whose
#: value differs, and one per collection (sectors, zones, …) with the count of its changes.
DIFFERENCE_COLUMNS = ["variant", "what", "name", "meaning", "unit", "base_value",
                      "variant_value"]
#: The scenario settings that change a run (title, description and the like do not).
_SETTINGS = {"start_year": ("first simulated year", "year"),
             "end_year": ("last simulated year", "year"),
             "steps_per_year": ("time steps per simulated year", "steps")}
_COLLECTIONS = ("sectors", "zones", "incubators", "events", "targets")


def scenario_differences(base: Scenario, variants: list[Scenario]) -> pd.DataFrame:
    """What each variant changes in the base: every parameter whose value differs (with its
    registry meaning and unit), every run setting (years, step length), and per collection
    (sectors, zones, incubators, events, targets) how many entries were added, removed or
    changed — ``name`` lists the ids of those that have one. Variants are labelled as in
    :func:`compare`'s table; a variant identical to the base has no rows."""
    rows = []
    for label, v in zip(variant_labels([base, *variants])[1:], variants):
        row = {"variant": label}
        b_values, v_values = base.values(), v.values()
        rows += [{**row, "what": "parameter", "name": name, "meaning": p.meaning,
                  "unit": p.unit, "base_value": b_values[name], "variant_value": v_values[name]}
                 for name, p in PARAMETERS.items() if b_values[name] != v_values[name]]
        rows += [{**row, "what": "setting", "name": key, "meaning": meaning, "unit": unit,
                  "base_value": getattr(base.meta, key), "variant_value": getattr(v.meta, key)}
                 for key, (meaning, unit) in _SETTINGS.items()
                 if getattr(base.meta, key) != getattr(v.meta, key)]
        for what in _COLLECTIONS:
            change = _collection_change(getattr(base, what), getattr(v, what))
            if change:
                rows.append({**row, "what": what, "unit": what, **change})
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def _collection_change(base_items: list, variant_items: list) -> dict | None:
    """How two lists of scenario entries differ: entries with an id are matched by id (added,
    removed, changed); entries without one (incubator groups, events) by their content."""
    def key(item):
        return getattr(item, "id", None) or json.dumps(item.model_dump(), sort_keys=True,
                                                       default=str)
    b = Counter(key(x) for x in base_items)
    v = Counter(key(x) for x in variant_items)
    dump_b = {key(x): x.model_dump() for x in base_items}
    dump_v = {key(x): x.model_dump() for x in variant_items}
    added, removed = list((v - b).elements()), list((b - v).elements())
    changed = [k for k in dump_b if k in dump_v and dump_b[k] != dump_v[k]]
    if not (added or removed or changed):
        return None
    counts = [f"{len(ks)} {word}" for ks, word in ((added, "added"), (removed, "removed"),
                                                   (changed, "changed")) if ks]
    ids = [k for k in added + removed + changed if not k.startswith("{")]
    return {"name": ", ".join(dict.fromkeys(ids)), "meaning": ", ".join(counts),
            "base_value": len(base_items), "variant_value": len(variant_items)}
