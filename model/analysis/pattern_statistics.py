"""The statistics of the pattern checks, as plain functions on arrays, so that each can be
tested on synthetic data with a known answer (:mod:`zonesim.analysis.patterns` applies them to
simulated firms)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from zonesim import rules
from zonesim.registry.parameters import defaults

#: SAIC (2013) exit hazard by year of life (year k = age in [k-1, k)), the figures the model's
#: rule uses (years 4–7: "above 8 %", read as 8.5 %).
SAIC_HAZARD = dict(zip(("year 1", "year 2", "year 3", "years 4-7"),
                       [*rules.SAIC_EXIT_HAZARD_YEARS_1_TO_3,
                        defaults()["exit_hazard_years_4_to_7"]]))
#: Relative tolerance on each SAIC bin, and an absolute floor (percentage points as a share)
#: that keeps the tight year-1 figure from demanding sub-point precision.
HAZARD_REL_TOL = 0.5
HAZARD_ABS_TOL = 0.01
#: Bunching windows: the mass in [t, t·(1 + w)) against the mass in [t·(1 - w), t).
BUNCHING_WINDOW = 0.10
#: Size: top share of firms used by the Hill estimator.
HILL_TOP_SHARE = 0.05
#: Body of the size distribution: firms below this quantile.
BODY_QUANTILE = 0.90
#: The hazard table runs to this year of life; its last bin pools the ages beyond.
HAZARD_MAX_YEAR = 10


def bunching_ratio(intensity, threshold, window: float = BUNCHING_WINDOW) -> tuple[float, int, int]:
    """Mass just above a notch against the mass just below it.

    Returns ``(ratio, n_above, n_below)`` with ``n_above`` the number of observations in
    ``[t, t·(1 + window))`` and ``n_below`` in ``[t·(1 - window), t)``; ``threshold`` is a
    scalar or one threshold per observation. The ratio is ``inf`` when ``n_below`` is 0 and
    ``nan`` when both are 0.
    """
    x = np.asarray(intensity, dtype=float)
    t = np.asarray(threshold, dtype=float) * np.ones_like(x)
    # tiny tolerance: a firm reporting exactly the threshold (rounded) counts as above it
    above = (x >= t * (1 - 1e-9)) & (x < t * (1 + window))
    below = (x >= t * (1 - window)) & (x < t * (1 - 1e-9))
    na, nb = int(above.sum()), int(below.sum())
    if nb == 0:
        return (np.inf if na else np.nan), na, nb
    return na / nb, na, nb


def laplace_vs_normal(x) -> dict:
    """Maximum-likelihood Laplace and normal fits of ``x``.

    Returns the fitted parameters, the mean log-likelihood per observation of each, their
    difference ``dlogl_per_obs`` (Laplace minus normal; > 0: the Laplace fits better) and the
    sample excess kurtosis (Fisher; 0 for a normal, 3 for a Laplace).
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    loc_l, scale_l = stats.laplace.fit(x)
    loc_n, scale_n = stats.norm.fit(x)
    # closed forms: scipy's generic logpdf can underflow to -inf far in the tails
    ll_l = float((-np.abs(x - loc_l) / scale_l - np.log(2 * scale_l)).mean())
    ll_n = float((-0.5 * ((x - loc_n) / scale_n) ** 2 - np.log(scale_n * np.sqrt(2 * np.pi))).mean())
    return {"n": int(x.size), "laplace_loc": float(loc_l), "laplace_scale": float(scale_l),
            "normal_loc": float(loc_n), "normal_scale": float(scale_n),
            "logl_laplace_per_obs": ll_l, "logl_normal_per_obs": ll_n,
            "dlogl_per_obs": ll_l - ll_n,
            "excess_kurtosis": float(stats.kurtosis(x, fisher=True, bias=False))}


def hill_estimator(x, k: int | None = None, top_share: float = HILL_TOP_SHARE) -> dict:
    """Hill estimator of the Pareto tail exponent α (P(X > x) ∝ x^-α) on the top ``k`` values.

    α̂ = k / Σ_{i<k} log(X_(i) / X_(k)) with X_(0) ≥ X_(1) ≥ … the order statistics; the 95 %
    interval is the asymptotic α̂ ± 1.96 α̂ / √k. ``k`` defaults to ``top_share`` of the sample.
    """
    x = np.sort(np.asarray(x, dtype=float)[np.isfinite(x) & (np.asarray(x) > 0)])[::-1]
    if k is None:
        k = int(np.floor(top_share * x.size))
    if k < 2 or k >= x.size:
        return {"alpha": np.nan, "low": np.nan, "high": np.nan, "k": int(k), "x_min": np.nan}
    logs = np.log(x[:k]) - np.log(x[k])
    alpha = k / logs.sum()
    half = 1.96 * alpha / np.sqrt(k)
    return {"alpha": float(alpha), "low": float(alpha - half), "high": float(alpha + half),
            "k": int(k), "x_min": float(x[k])}


def lognormal_body_ks(x, quantile: float = BODY_QUANTILE) -> dict:
    """Fit a lognormal to the body of ``x`` (values below its ``quantile``) and measure the fit.

    The body is a truncated sample, so the fit is the maximum-likelihood normal of log x
    truncated above at the cut (fitting an untruncated normal to a truncated sample would be
    biased). Returns mu, sigma (of log x), the cut, and the Kolmogorov–Smirnov distance and
    p-value of the body against the fitted truncated lognormal.
    """
    x = np.asarray(x, dtype=float)
    y = np.log(x[np.isfinite(x) & (x > 0)])
    cut = float(np.quantile(y, quantile))
    body = y[y < cut]

    def nll(theta):
        mu, log_s = theta
        s = np.exp(log_s)
        return -(stats.norm.logpdf(body, mu, s).sum() - body.size * stats.norm.logcdf((cut - mu) / s))

    start = np.array([body.mean(), np.log(body.std() + 1e-9)])
    res = optimize.minimize(nll, start, method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 2000})
    mu, s = float(res.x[0]), float(np.exp(res.x[1]))
    b = (cut - mu) / s
    ks = stats.kstest(body, stats.truncnorm(-np.inf, b, loc=mu, scale=s).cdf)
    return {"mu": mu, "sigma": s, "cut": float(np.exp(cut)), "n_body": int(body.size),
            "ks": float(ks.statistic), "p_value": float(ks.pvalue)}


def hazard_by_age(birth, start, end, exited, max_year: int = HAZARD_MAX_YEAR) -> pd.DataFrame:
    """Annual exit hazard by year of life from firms observed over ``[start, end]``.

    ``birth``: registration time of each firm (its age counts from it); ``start`` / ``end``: when
    each was first / last observed
    at risk (``end`` is the exit time for firms that exited); ``exited``: whether the firm
    exited at ``end``. Year of life k covers ages [k-1, k); the last bin pools ages ≥
    ``max_year``. The hazard is the occurrence–exposure rate turned into an annual probability,
    1 - exp(-exits / firm-years at risk), which handles left truncation (firms first seen at
    age > 0) and right censoring.
    """
    birth = np.asarray(birth, dtype=float)
    a0 = np.maximum(np.asarray(start, dtype=float) - birth, 0.0)
    a1 = np.maximum(np.asarray(end, dtype=float) - birth, a0)
    exited = np.asarray(exited, dtype=bool)
    edges = np.append(np.arange(max_year + 1, dtype=float), np.inf)
    lo, hi = edges[:-1], edges[1:]
    # exposure per bin: overlap of [a0, a1] with [lo, hi)
    exposure = np.array([np.clip(np.minimum(a1, h) - np.maximum(a0, l), 0.0, None).sum()
                         for l, h in zip(lo, hi)])
    bins = np.clip(np.searchsorted(edges, a1[exited], side="right") - 1, 0, max_year)
    deaths = np.bincount(bins, minlength=max_year + 1)[: max_year + 1].astype(float)
    rate = np.divide(deaths, exposure, out=np.full(exposure.shape, np.nan), where=exposure > 0)
    labels = [f"year {k + 1}" for k in range(max_year)] + [f"years {max_year + 1}+"]
    return pd.DataFrame({"year_of_life": np.arange(1, max_year + 2), "label": labels,
                         "firm_years": exposure, "exits": deaths, "hazard": 1 - np.exp(-rate)})


def pooled_hazard(table: pd.DataFrame, first: int, last: int) -> float:
    """Annual hazard pooled over years of life ``first``..``last`` of a :func:`hazard_by_age` table."""
    sel = table[(table.year_of_life >= first) & (table.year_of_life <= last)]
    fy = sel.firm_years.sum()
    return float(1 - np.exp(-sel.exits.sum() / fy)) if fy > 0 else np.nan


def band_label(i: int) -> str:
    return ("revenue <= 50 M yuan (5 %)", "50-200 M yuan (4 %)", "> 200 M yuan (3 %)")[i]