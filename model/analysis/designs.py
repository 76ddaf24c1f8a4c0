"""Experiment designs: the points of a sweep (grid or Latin hypercube) and the SALib sample of
each sensitivity method, as tables of one row per point (point, scenario, one column per
factor, in the parameters' own units)."""

from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pandas as pd

from zonesim.analysis.space import Factor, group_names
from zonesim.errors import ExperimentError
from zonesim.registry.validate import check_option

#: The sensitivity methods, by their SALib names.
METHODS = ("morris", "sobol", "fast", "delta", "pawn")
#: The most runs (design points × replicates) one experiment may have: what 2 cores finish in
#: about a day, 2 × 86 400 s ÷ 0.064 s per Nantong replicate (benchmarks/RESULTS.md) ≈ 2.7
#: million. Memory says the same: the outcomes (≈ 70 bytes per run and target) are held at once
#: when the chunks are merged, ≈ 2 GB for 3 million runs of a scenario with 10 targets. Designs
#: are counted from their factors and refused above it before any is built.
MAX_RUNS = 3_000_000


def check_runs(points: int, replicates: int | None, what: str) -> None:
    """Refuse an experiment of ``points`` × ``replicates`` runs above :data:`MAX_RUNS` (``what``
    says how the points were counted); ``replicates`` None counts the design's points only."""
    if replicates is not None:
        replicates = check_option("replicates", replicates)
    runs = points * (replicates or 1)
    if runs <= MAX_RUNS:
        return
    size = f"{points:,} points" if replicates is None else \
        f"{points:,} points × {replicates:,} replicates = {runs:,} runs"
    raise ExperimentError(
        f"{what} gives {size}, more than the {MAX_RUNS:,} runs one experiment may have (about a "
        "day on 2 cores); use fewer points or replicates, or split it into several experiments")


def _grid_axes(factors: list[Factor], steps: dict | None, replicates: int | None) -> list:
    """The axes of a grid, refused (:func:`check_runs`) before the grid is built. Whole-number
    axes hold the distinct whole numbers their steps round to, so they are built to be counted
    (one axis at a time, at most :data:`MAX_RUNS` values)."""
    counts = [int((steps or {}).get(f.name) or 5) for f in factors]
    for f, n in zip(factors, counts):
        if n > MAX_RUNS:
            raise ExperimentError(f"--param {f.name}: {n:,} STEPS is more than the {MAX_RUNS:,} "
                                  "runs one experiment may have (about a day on 2 cores)")
    axes = [np.unique(np.round(np.linspace(f.low, f.high, n))) if f.integer else None
            for f, n in zip(factors, counts)]
    sizes = [n if ax is None else len(ax) for ax, n in zip(axes, counts)]
    check_runs(math.prod(sizes), replicates, f"the grid of {' × '.join(map(str, sizes))} values "
               f"(of {', '.join(f.name for f in factors)})")
    return [np.linspace(f.low, f.high, n) if ax is None else ax
            for f, n, ax in zip(factors, counts, axes)]


def sweep_design(factors: list[Factor], design: str = "grid", steps: dict | None = None,
                 samples: int = 16, seed: int = 0, replicates: int | None = None
                 ) -> pd.DataFrame:
    """The points of a sweep: point, scenario, one column per factor. A design of more than
    :data:`MAX_RUNS` points (× ``replicates``, if given) is refused before it is built."""
    if not factors:
        raise ExperimentError("a sweep needs at least one --param NAME=LOW:HIGH[:STEPS]")
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise ExperimentError(f"a parameter is given twice: "
                              f"{', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    if design == "grid":
        axes = _grid_axes(factors, steps, replicates)
        # the axes broadcast (copy=False), so the points are the only copy of the grid
        pts = np.stack(np.meshgrid(*axes, indexing="ij", copy=False), axis=-1).reshape(
            -1, len(factors))
    elif design == "lhs":
        from scipy.stats import qmc
        if samples < 2:
            raise ExperimentError("an lhs sweep needs at least 2 samples (--samples)")
        check_runs(int(samples), replicates, "the lhs design (--samples)")
        unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(samples)
        pts = qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])
    else:
        raise ExperimentError(f"unknown design {design!r} (grid or lhs)")
    return design_table(round_integers(pts, factors), factors)


def round_integers(pts: np.ndarray, factors: list[Factor]) -> np.ndarray:
    """Whole-number parameters rounded to the nearest whole number inside their range."""
    pts = np.array(pts, dtype=float)
    for j, f in enumerate(factors):
        if f.integer:
            pts[:, j] = np.clip(np.round(pts[:, j]), math.ceil(f.low), math.floor(f.high))
    return pts


def design_table(pts: np.ndarray, factors: list[Factor]) -> pd.DataFrame:
    """A design of one base scenario: point, scenario, one column per factor (whole-number
    parameters as integers)."""
    table = pd.DataFrame(pts, columns=[f.name for f in factors])
    for f in factors:
        if f.integer:
            table[f.name] = table[f.name].astype("int64")
    table.insert(0, "scenario", "base")
    table.insert(0, "point", range(len(table)))
    return table


def default_n(method: str, num_vars: int) -> int:
    """Sensible sample sizes: Morris 20 trajectories, Sobol N = 256 (a power of two), FAST 512
    per factor, delta and PAWN 512 or 10 per factor, whichever is larger."""
    if method == "morris":
        return 20
    if method == "sobol":
        return 256
    if method == "fast":
        return 512
    return max(512, 10 * num_vars)


def sample_size(method: str, problem: dict, n: int) -> tuple[int, str] | None:
    """Rows of ``method``'s SALib sample of base size ``n``, counted without drawing it, and how
    (D: factors or groups): Morris n × (D + 1), Sobol without second-order indices n × (D + 2),
    FAST n × factors, delta and PAWN n. None for an unknown method."""
    d, k = len(group_names(problem)), problem["num_vars"]
    what = "groups" if problem.get("groups") else "factors"
    rows = {"morris": (n * (d + 1), f"{n:,} trajectories × ({d} {what} + 1)"),
            "sobol": (n * (d + 2), f"N = {n:,} × ({d} {what} + 2)"),
            "fast": (n * k, f"N = {n:,} × {k} factors"), "delta": (n, f"N = {n:,}"),
            "pawn": (n, f"N = {n:,}")}.get(method)
    return None if rows is None else (rows[0], f"the {method} design ({rows[1]} rows)")


def sensitivity_design(method: str, problem: dict, n: int, seed: int,
                       replicates: int | None = None) -> tuple[np.ndarray, dict]:
    """The SALib sample for ``method`` (unrounded) and the options its analysis needs.

    Raises :class:`ExperimentError` for a sample too small for the method, or one of more
    than :data:`MAX_RUNS` rows (× ``replicates``, if given: counted before it is drawn); warns
    (and runs) for a Sobol N that is not a power of two."""
    from SALib.sample import fast_sampler, latin, morris as morris_s, sobol as sobol_s

    problem = copy.deepcopy(problem)        # SALib's samplers add keys to the dict
    d = problem["num_vars"]
    n = int(n)
    size = sample_size(method, problem, n)
    if size is not None:
        check_runs(size[0], replicates, size[1])
    if method == "morris":
        if n < 2:
            raise ExperimentError(f"morris needs at least 2 trajectories (--samples), got {n}; 10–20 "
                                  "is usual for screening")
        return morris_s.sample(problem, n, num_levels=4, seed=seed), {"num_levels": 4}
    if method == "sobol":
        if n < 4:
            raise ExperimentError(f"sobol needs a base sample N ≥ 4 (--samples), got {n}; N = 256 or "
                                  "more is usual, a power of two")
        if n & (n - 1):
            lower, upper = 2 ** int(math.log2(n)), 2 ** (int(math.log2(n)) + 1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")   # SALib's own warning says the same
                X = sobol_s.sample(problem, n, calc_second_order=False, seed=seed)
            warnings.warn(
                f"Sobol N = {n} is not a power of two: the Sobol sequence is balanced only for "
                "powers of two, so the indices converge more slowly and the N/2 convergence check "
                f"is less meaningful; use N = {lower} or {upper}. Running with N = {n}.",
                UserWarning, stacklevel=2)
            return X, {"calc_second_order": False}
        return sobol_s.sample(problem, n, calc_second_order=False, seed=seed), \
            {"calc_second_order": False}
    if method == "fast":
        if problem.get("groups"):
            raise ExperimentError("fast does not support groups (use morris or sobol)")
        if n <= 4 * 4 ** 2:
            raise ExperimentError(f"fast needs N > 4·M² = 64 samples per factor (--samples), got {n}")
        return fast_sampler.sample(problem, n, M=4, seed=seed), {"M": 4}
    if method in ("delta", "pawn"):
        if problem.get("groups"):
            raise ExperimentError(f"{method} does not support groups (use morris or sobol)")
        if n < 10 * d:
            raise ExperimentError(f"{method} needs at least 10 samples per factor: --n ≥ "
                                  f"{10 * d} for {d} factors, got {n}")
        opts = {"num_resamples": 30} if method == "delta" else {"S": 10}
        return latin.sample(problem, n, seed=seed), opts
    raise ExperimentError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def half_design_rows(method: str, problem: dict, n: int) -> int | None:
    """Rows of the sample that form a valid design of N/2 (for the convergence check): whole
    Morris trajectories (D + 1 rows each, D = factors or groups), whole Sobol blocks (D + 2
    rows each without second-order indices), the first half of a delta / PAWN sample. None
    where no such design exists (FAST samples are not nested)."""
    d = len(group_names(problem))
    h = n // 2
    if method == "morris":
        return h * (d + 1) if h >= 2 else None
    if method == "sobol":
        return h * (d + 2) if h >= 2 else None
    if method in ("delta", "pawn"):
        return h if h >= 10 * problem["num_vars"] else None
    return None
