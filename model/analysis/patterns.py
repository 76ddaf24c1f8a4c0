"""Pattern-oriented checks: does a scenario reproduce four known patterns of firm behaviour?

``check_patterns(scenario)`` runs the scenario's replicates, records what it needs from the
firms' column store at each year end and tests four patterns (docs/VALIDATION.md):

1. ``rd_bunching`` — reported R&D intensity bunches just above the 5 / 4 / 3 % certification
   notches (Chen, Liu, Suárez Serrato & Xu, AER 2021);
2. ``growth_tent`` — annual log growth rates of surviving firms are tent-shaped with heavy
   tails: a Laplace fits better than a normal and the excess kurtosis is positive
   (Fu, Pammolli, Stanley et al., physics/0512005);
3. ``size_pareto_tail`` — firm size (annual revenue) lognormal in the body with a Pareto upper
   tail of exponent near Zipf's 1 (arXiv cond-mat/0310061);
4. ``exit_hazard_age`` — the exit hazard by year of life rises to a peak around year 3 and is
   near the SAIC 2013 figures (1.6 / 6.3 / 9.5 % in years 1 / 2 / 3, > 8 % in years 4–7).

Each check returns one row (pattern, statistic, value, reference, tolerance, passed, detail);
with ``figures_dir`` each also writes one PNG figure. The statistics are plain functions on
arrays (``bunching_ratio``, ``laplace_vs_normal``, ``hill_estimator``, ``lognormal_body_ks``,
``hazard_by_age``) so that they can be tested on synthetic data with known answers.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from zonesim import rules
from zonesim.engine.model import ZoneModel
from zonesim.run import map_ordered, replicate_seed
from zonesim.scenario import Scenario, load_scenario

# ------------------------------------------------------------------ thresholds (stated)

#: Bunching windows: the mass in [t, t·(1 + w)) against the mass in [t·(1 - w), t).
BUNCHING_WINDOW = 0.10
#: Pass if the ratio above / below exceeds this in every band with enough firms. Without a
#: notch a smooth, declining density gives a ratio slightly below 1.
BUNCHING_MIN_RATIO = 2.0
#: A band is judged only if at least this many firm-years lie in [t·0.9, t·1.1).
BUNCHING_MIN_FIRMS = 50
#: Firms the notch concerns: high-tech products ≥ 60 % of revenue.
BUNCHING_HT_SHARE = rules.HIGH_TECH_REVENUE_SHARE_MIN

#: Size: top share of firms used by the Hill estimator.
HILL_TOP_SHARE = 0.05
#: Plausible band for the Pareto (cumulative) tail exponent of firm size (Zipf ≈ 1).
TAIL_EXPONENT_BAND = (0.7, 1.6)
#: Body of the size distribution: firms below this quantile.
BODY_QUANTILE = 0.90
#: The (truncated) lognormal fit of the body is accepted if the Kolmogorov–Smirnov distance is
#: at most this (an effect size: with tens of thousands of firm-years any p-value rejects).
BODY_KS_MAX = 0.05

#: SAIC (2013) exit hazard by year of life (year k = age in [k-1, k)), the figures the model's
#: rule uses (years 4–7: "above 8 %", read as 8.5 %).
SAIC_HAZARD = dict(zip(("year 1", "year 2", "year 3", "years 4-7"),
                       rules.EXIT_HAZARD_BY_AGE[:4].tolist()))
#: Relative tolerance on each SAIC bin, and an absolute floor (percentage points as a share)
#: that keeps the tight year-1 figure from demanding sub-point precision.
HAZARD_REL_TOL = 0.5
HAZARD_ABS_TOL = 0.01
#: The peak (highest yearly hazard over years 1–10) must fall in years of life 2–4.
HAZARD_PEAK_YEARS = (2, 4)
HAZARD_MAX_YEAR = 10

FIGURE_NAMES = {
    "rd_bunching": "pattern_rd_bunching.png",
    "growth_tent": "pattern_growth_tent.png",
    "size_pareto_tail": "pattern_size_pareto_tail.png",
    "exit_hazard_age": "pattern_exit_hazard_age.png",
}


# ------------------------------------------------------------------------ statistics

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


# ------------------------------------------------------------------------ data collection

@dataclass
class PatternData:
    """What the checks need, pooled over years and replicates."""

    scenario: str
    replicates: int
    years: tuple[int, int]
    # R&D bunching: one entry per firm-year of a firm present all year
    rd_intensity: list = field(default_factory=list)   # reported R&D / revenue of the year
    band_revenue: list = field(default_factory=list)   # revenue the firm's band was set by
    ht_share: list = field(default_factory=list)       # high-tech share when it chose its R&D
    # growth: annual log growth of revenue of surviving firms with two full years
    growth: list = field(default_factory=list)
    # size: annual revenue at the last year end, firms present all year
    size: list = field(default_factory=list)
    # survival: per firm, entry, first and last time at risk, whether it exited
    birth: list = field(default_factory=list)
    at_risk_from: list = field(default_factory=list)
    at_risk_to: list = field(default_factory=list)
    exited: list = field(default_factory=list)
    origin: list = field(default_factory=list)          # 0 initial ... 4 new firm

    def cat(self, name: str) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.empty(0)


def collect(scenario: Scenario, replicates: int, seed: int = 0, parameters: dict | None = None,
            steps_per_year: int | None = None, executor: Executor | None = None) -> PatternData:
    """Run ``replicates`` replicates (replicate r seeded with ``replicate_seed(seed, r)``, on
    ``executor`` if given) and pool the firm-level data each records at its year ends."""
    meta = scenario.scenario
    data = PatternData(scenario.name, replicates, (meta.start_year, meta.end_year))
    jobs = [(scenario, seed, r, parameters, steps_per_year) for r in range(replicates)]
    for part in map_ordered(_collect_replicate, jobs, executor):
        for name, arrays in part.items():
            getattr(data, name).extend(arrays)
    return data


def _collect_replicate(scenario: Scenario, seed: int, replicate: int, parameters: dict | None,
                       steps_per_year: int | None) -> dict[str, list[np.ndarray]]:
    """One replicate's firm-level data: at each year end the year's R&D, growth and (last year)
    size of the firms present all year; at the end, each firm's time at risk and exit."""
    m = ZoneModel(scenario, seed=replicate_seed(seed, replicate), parameters=parameters,
                  steps_per_year=steps_per_year)
    e = m.firms
    t_start = float(m.time)
    prev_ht = e.high_tech_share.copy()   # the share each firm decides its R&D with next year
    out: dict[str, list[np.ndarray]] = {name: [] for name in
                                        ("rd_intensity", "band_revenue", "ht_share", "growth",
                                         "size", "birth", "at_risk_from", "at_risk_to",
                                         "exited", "origin")}
    for year in m.run_years():
        full = e.alive & (e.entry_year <= year) & (e.rev_hist_0 > 0)
        # bunching: reported intensity of the year; band and high-tech share as at the decision
        ids = np.flatnonzero(full & (e.rev_hist_1 > 0))
        ids = ids[ids < prev_ht.size]
        out["rd_intensity"].append(e.rd_hist_0[ids] / e.rev_hist_0[ids])
        out["band_revenue"].append(e.rev_hist_1[ids].copy())
        out["ht_share"].append(prev_ht[ids])
        prev_ht = e.high_tech_share.copy()
        # growth of survivors with two full years of sales
        g = full & (e.entry_year <= year - 1) & (e.rev_hist_1 > 0)
        with np.errstate(divide="ignore", over="ignore"):
            gr = np.log(e.rev_hist_0[g]) - np.log(e.rev_hist_1[g])
        out["growth"].append(gr[np.isfinite(gr)])
        if year == m.end_year:
            out["size"].append(e.rev_hist_0[full].copy())
    exited = ~e.alive
    out["birth"].append(e.birth_year.copy())
    out["at_risk_from"].append(np.maximum(e.entry_year, t_start))
    out["at_risk_to"].append(np.where(exited, e.exit_year, float(m.time)))
    out["exited"].append(exited)
    out["origin"].append(e.origin.astype(np.int8))
    return out


# ---------------------------------------------------------------------------- checks

def _band_label(i: int) -> str:
    return ("revenue <= 50 M yuan (5 %)", "50-200 M yuan (4 %)", "> 200 M yuan (3 %)")[i]


def check_bunching(data: PatternData, fig_path: Path | None = None) -> dict:
    x = data.cat("rd_intensity")
    rev = data.cat("band_revenue")
    ht = data.cat("ht_share")
    concerned = ht >= BUNCHING_HT_SHARE
    thr = rules.rd_intensity_threshold(rev)
    band = np.searchsorted(rules.RD_BAND_EDGES_YUAN, rev, side="left")  # ≤ 50 M → 0, ...
    rows = []
    for i in range(3):
        sel = concerned & (band == i)
        ratio, na, nb = bunching_ratio(x[sel], thr[sel])
        judged = na + nb >= BUNCHING_MIN_FIRMS
        rows.append({"band": i, "threshold": rules.RD_BAND_THRESHOLDS[i], "ratio": ratio,
                     "above": na, "below": nb, "judged": judged, "n_firms": int(sel.sum())})
    judged = [r for r in rows if r["judged"]]
    passed = bool(judged) and all(r["ratio"] > BUNCHING_MIN_RATIO for r in judged)
    value = min((r["ratio"] for r in judged), default=np.nan)
    # comparison: the same ratio for firms the notch does not concern (no bunching expected)
    others = ~concerned
    ratio_o, _, _ = bunching_ratio(x[others], thr[others])
    detail = "; ".join(
        f"{_band_label(r['band'])}: {r['above']}/{r['below']} = {r['ratio']:.2f}"
        + ("" if r["judged"] else f" (not judged: < {BUNCHING_MIN_FIRMS} firm-years)")
        for r in rows) + (f"; firms with high-tech share < 0.6 (no notch): ratio {ratio_o:.2f}; "
                          f"{int(concerned.sum())} firm-years of firms with high-tech share >= 0.6")
    if fig_path is not None:
        _fig_bunching(x, thr, band, concerned, rows, fig_path)
    return {"pattern": "rd_bunching",
            "statistic": "min over bands of N[t, 1.1t) / N[0.9t, t), firms with high-tech share >= 0.6",
            "value": value,
            "reference": "bunching just above the 5/4/3 % R&D-intensity notches of the high-tech "
                         "certificate (Chen, Liu, Suarez Serrato & Xu, AER 111(7), 2021)",
            "tolerance": f"> {BUNCHING_MIN_RATIO:g} in every revenue band with >= "
                         f"{BUNCHING_MIN_FIRMS} firm-years in [0.9t, 1.1t)",
            "passed": passed, "detail": detail}


def check_growth(data: PatternData, fig_path: Path | None = None) -> dict:
    g = data.cat("growth")
    fit = laplace_vs_normal(g)
    tail = hill_estimator(np.abs(g - np.median(g)), top_share=0.01)
    passed = bool(fit["dlogl_per_obs"] > 0 and fit["excess_kurtosis"] > 0)
    detail = (f"n = {fit['n']} firm-years; Laplace loc {fit['laplace_loc']:.3f} scale "
              f"{fit['laplace_scale']:.3f}; normal mean {fit['normal_loc']:.3f} sd "
              f"{fit['normal_scale']:.3f}; logL/obs Laplace {fit['logl_laplace_per_obs']:.3f}, "
              f"normal {fit['logl_normal_per_obs']:.3f}; excess kurtosis "
              f"{fit['excess_kurtosis']:.2f}; Hill exponent of |g - median| (top 1 %) "
              f"{tail['alpha']:.2f} [{tail['low']:.2f}, {tail['high']:.2f}] (Fu et al. about 3; "
              f"not a pass criterion); min g {g.min():.1f}, share |g| > 3: "
              f"{(np.abs(g) > 3).mean():.1e}")
    if fig_path is not None:
        _fig_growth(g, fit, fig_path)
    return {"pattern": "growth_tent",
            "statistic": "logL/obs(Laplace) - logL/obs(normal), annual log growth of sales of survivors",
            "value": fit["dlogl_per_obs"],
            "reference": "tent-shaped (Laplace) annual growth rates with heavy tails (Fu, Pammolli, "
                         "Stanley et al., arXiv physics/0512005)",
            "tolerance": "> 0 (Laplace beats normal, both ML fits) and excess kurtosis > 0",
            "passed": passed, "detail": detail}


def check_size(data: PatternData, fig_path: Path | None = None) -> dict:
    s = data.cat("size")
    hill = hill_estimator(s)
    body = lognormal_body_ks(s)
    lo, hi = TAIL_EXPONENT_BAND
    in_band = bool(np.isfinite(hill["alpha"]) and hill["low"] >= lo and hill["high"] <= hi)
    body_ok = bool(body["ks"] <= BODY_KS_MAX)
    passed = in_band and body_ok
    detail = (f"n = {s.size} firms (last year, {data.replicates} replicates pooled); Hill on top "
              f"k = {hill['k']} (revenue >= {hill['x_min'] / 1e6:.0f} M yuan): alpha "
              f"{hill['alpha']:.2f}, 95 % CI [{hill['low']:.2f}, {hill['high']:.2f}]; body "
              f"(< p{BODY_QUANTILE * 100:.0f} = {body['cut'] / 1e6:.1f} M yuan, n = "
              f"{body['n_body']}): truncated lognormal median {np.exp(body['mu']) / 1e6:.1f} M "
              f"yuan, sigma {body['sigma']:.2f}, KS D = {body['ks']:.3f} (p = "
              f"{body['p_value']:.2g})")
    if fig_path is not None:
        _fig_size(s, hill, body, fig_path)
    return {"pattern": "size_pareto_tail",
            "statistic": f"Hill tail exponent of revenue, top {HILL_TOP_SHARE:.0%} (95 % CI)",
            "value": hill["alpha"],
            "reference": "lognormal body, Pareto-Zipf upper tail, exponent about 1 (arXiv "
                         "cond-mat/0310061)",
            "tolerance": f"95 % CI within [{lo:g}, {hi:g}] and KS distance of the body (< "
                         f"p{BODY_QUANTILE * 100:.0f}) to a truncated lognormal <= {BODY_KS_MAX:g}",
            "passed": passed, "detail": detail}


def _hazard_refs(table: pd.DataFrame) -> dict:
    return {"year 1": pooled_hazard(table, 1, 1), "year 2": pooled_hazard(table, 2, 2),
            "year 3": pooled_hazard(table, 3, 3), "years 4-7": pooled_hazard(table, 4, 7)}


def check_exit_hazard(data: PatternData, fig_path: Path | None = None) -> dict:
    table = hazard_by_age(data.cat("birth"), data.cat("at_risk_from"), data.cat("at_risk_to"),
                          data.cat("exited").astype(bool))
    sim = _hazard_refs(table)
    graduate = np.isin(data.cat("origin"), (1, 2))
    ng = ~graduate
    t_ng = hazard_by_age(data.cat("birth")[ng], data.cat("at_risk_from")[ng],
                         data.cat("at_risk_to")[ng], data.cat("exited").astype(bool)[ng])
    sim_ng = _hazard_refs(t_ng)
    yearly = table[table.year_of_life <= HAZARD_MAX_YEAR]
    peak = int(yearly.year_of_life.iloc[int(np.nanargmax(yearly.hazard.to_numpy()))])
    peak_ok = HAZARD_PEAK_YEARS[0] <= peak <= HAZARD_PEAK_YEARS[1]
    checks = {k: abs(sim[k] - ref) <= max(HAZARD_REL_TOL * ref, HAZARD_ABS_TOL)
              for k, ref in SAIC_HAZARD.items()}
    passed = bool(peak_ok and all(checks.values()))
    detail = (f"peak in year {peak}; " + "; ".join(
        f"{k}: {sim[k] * 100:.1f} % (SAIC {SAIC_HAZARD[k] * 100:.1f} %{'' if ok else ', OUT'})"
        for k, ok in checks.items())
        + f"; years 8+: {pooled_hazard(table, 8, 99) * 100:.1f} %; "
        + f"{int(table.exits.sum())} exits in {table.firm_years.sum():.0f} firm-years "
        "(exits include firms removed by land recycling); for information, without incubator "
        "and offshore graduates ("
        + f"{graduate.mean():.0%} of firms ever present): "
        + ", ".join(f"{k} {v * 100:.1f} %" for k, v in sim_ng.items()))
    if fig_path is not None:
        _fig_hazard(table, sim, fig_path)
    return {"pattern": "exit_hazard_age",
            "statistic": "year of life with the highest annual exit hazard (years 1-10)",
            "value": float(peak),
            "reference": "SAIC 2013: annual exit hazard 1.6 % (year 1), 6.3 % (year 2), 9.5 % "
                         "(year 3, the peak), > 8 % through year 7 (8.5 % used)",
            "tolerance": f"peak in years {HAZARD_PEAK_YEARS[0]}-{HAZARD_PEAK_YEARS[1]}; each of "
                         f"year 1, 2, 3 and years 4-7 within +/-{HAZARD_REL_TOL:.0%} relative or "
                         f"+/-{HAZARD_ABS_TOL * 100:g} points, whichever is wider (levels move "
                         "with exit_hazard_scale and the size multiplier)",
            "passed": passed, "detail": detail, "table": table}


CHECKS = {"rd_bunching": check_bunching, "growth_tent": check_growth,
          "size_pareto_tail": check_size, "exit_hazard_age": check_exit_hazard}


def check_patterns(scenario: Scenario | str | Path, replicates: int | None = None, seed: int = 0,
                   figures_dir: str | Path | None = None, parameters: dict | None = None,
                   steps_per_year: int | None = None, executor: Executor | None = None
                   ) -> pd.DataFrame:
    """Run the scenario and check the four patterns.

    Args:
        scenario: a :class:`Scenario`, or a scenario name / .toml path.
        replicates: replicates pooled for the statistics (default: the scenario's
            ``default_replicates``).
        seed: master seed; replicate r draws from ``replicate_seed(seed, r)``.
        figures_dir: if given, one PNG per pattern is written there (``FIGURE_NAMES``).
        parameters: parameter overrides (as for ``ZoneModel``).
        steps_per_year: overrides the scenario's step length.
        executor: runs the replicates (any ``concurrent.futures.Executor``; default: serially).

    Returns:
        One row per pattern: pattern, statistic, value, reference, tolerance, passed, detail
        (and ``figure``, the PNG path, when figures are written).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    n = int(replicates or scenario.scenario.default_replicates)
    data = collect(scenario, n, seed=seed, parameters=parameters, steps_per_year=steps_per_year,
                   executor=executor)
    figs = None
    if figures_dir is not None:
        figs = Path(figures_dir)
        figs.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, check in CHECKS.items():
        path = figs / FIGURE_NAMES[name] if figs is not None else None
        row = check(data, path)
        row.pop("table", None)
        if path is not None:
            row["figure"] = str(path)
        rows.append(row)
    cols = ["pattern", "statistic", "value", "reference", "tolerance", "passed", "detail"]
    df = pd.DataFrame(rows)
    df = df[cols + [c for c in df.columns if c not in cols]]
    df["passed"] = df["passed"].astype(bool)
    df.attrs.update(scenario=scenario.name, replicates=n, seed=seed)
    return df


# --------------------------------------------------------------------------- figures

def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _fig_bunching(x, thr, band, concerned, rows, path: Path) -> None:
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=False)
    bins = np.arange(0.5, 1.5001, 0.02)
    for i, ax in enumerate(axes):
        sel = concerned & (band == i)
        rel = x[sel] / thr[sel]
        ax.hist(rel, bins=bins, color="tab:blue", alpha=0.8, label="high-tech share >= 0.6")
        other = ~concerned & (band == i)
        if other.any():
            w = np.full(int(other.sum()), sel.sum() / max(other.sum(), 1))
            ax.hist(x[other] / thr[other], bins=bins, histtype="step", color="grey", weights=w,
                    label="high-tech share < 0.6 (rescaled)")
        ax.axvline(1.0, color="red", lw=1)
        ax.axvspan(0.9, 1.0, color="orange", alpha=0.15)
        ax.axvspan(1.0, 1.1, color="green", alpha=0.15)
        r = rows[i]
        ax.set_title(f"{_band_label(i)}\nratio {r['ratio']:.2f} ({r['above']}/{r['below']})",
                     fontsize=9)
        ax.set_xlabel("reported R&D intensity / notch threshold")
        if i == 0:
            ax.set_ylabel("firm-years")
            ax.legend(fontsize=7)
    fig.suptitle("Bunching of reported R&D intensity at the certification notches")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fig_growth(g, fit, path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    lo, hi = np.quantile(g, [0.0005, 0.9995])
    bins = np.linspace(lo, hi, 121)
    dens, edges = np.histogram(g, bins=bins, density=True)
    mid = 0.5 * (edges[1:] + edges[:-1])
    ax.semilogy(mid[dens > 0], dens[dens > 0], "o", ms=3, color="black", label="simulated")
    xs = np.linspace(lo, hi, 400)
    ax.semilogy(xs, stats.laplace.pdf(xs, fit["laplace_loc"], fit["laplace_scale"]), "-",
                color="tab:red", label="Laplace ML fit")
    ax.semilogy(xs, stats.norm.pdf(xs, fit["normal_loc"], fit["normal_scale"]), "--",
                color="tab:blue", label="normal ML fit")
    ax.set_ylim(max(dens[dens > 0].min() / 3, 1e-4), dens.max() * 3)
    ax.set_xlabel("annual log growth of sales")
    ax.set_ylabel("density (log scale)")
    ax.set_title(f"Growth rates: dlogL/obs = {fit['dlogl_per_obs']:.3f}, "
                 f"excess kurtosis = {fit['excess_kurtosis']:.1f}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fig_size(s, hill, body, path: Path) -> None:
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    y = np.log(s[s > 0])
    cut = np.log(body["cut"])
    lo_y, hi_y = np.quantile(y, [0.001, 0.999])
    a1.hist(y, bins=np.linspace(lo_y, hi_y, 80), density=True, color="tab:blue", alpha=0.6, label="simulated")
    xs = np.linspace(lo_y, cut, 300)
    # the truncated fit rescaled to the body's share of the whole sample
    share = (y < cut).mean()
    b = (cut - body["mu"]) / body["sigma"]
    a1.plot(xs, share * stats.truncnorm.pdf(xs, -np.inf, b, loc=body["mu"], scale=body["sigma"]),
            color="tab:red", label=f"lognormal body fit (KS D = {body['ks']:.3f})")
    a1.axvline(cut, color="grey", ls=":", label="90th percentile")
    a1.set_xlabel("log revenue (yuan)")
    a1.set_ylabel("density")
    a1.legend(fontsize=8)
    srt = np.sort(s)[::-1]
    ccdf = np.arange(1, srt.size + 1) / srt.size
    a2.loglog(srt, ccdf, ".", ms=2, color="black", label="simulated")
    if np.isfinite(hill["alpha"]):
        xs = np.logspace(np.log10(hill["x_min"]), np.log10(srt[0]), 50)
        p0 = (hill["k"] + 1) / srt.size
        a2.loglog(xs, p0 * (xs / hill["x_min"]) ** -hill["alpha"], color="tab:red",
                  label=f"Hill alpha = {hill['alpha']:.2f} [{hill['low']:.2f}, {hill['high']:.2f}]")
    a2.set_xlim(left=max(srt[-1], np.quantile(srt, 0.001)))
    a2.set_xlabel("revenue (yuan)")
    a2.set_ylabel("P(revenue > x)")
    a2.legend(fontsize=8)
    fig.suptitle("Firm size: lognormal body and Pareto upper tail")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fig_hazard(table: pd.DataFrame, sim: dict, path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    t = table[table.year_of_life <= HAZARD_MAX_YEAR]
    ax.plot(t.year_of_life, 100 * t.hazard, "o-", color="black", label="simulated")
    ref_x = {"year 1": [1], "year 2": [2], "year 3": [3], "years 4-7": [4, 5, 6, 7]}
    for i, (k, ref) in enumerate(SAIC_HAZARD.items()):
        xs = np.array(ref_x[k], dtype=float)
        tol = max(HAZARD_REL_TOL * ref, HAZARD_ABS_TOL)
        ax.fill_between(np.r_[xs.min() - 0.3, xs.max() + 0.3], 100 * (ref - tol),
                        100 * (ref + tol), color="tab:orange", alpha=0.2,
                        label="tolerance" if i == 0 else None)
        ax.hlines(100 * ref, xs.min() - 0.3, xs.max() + 0.3, color="tab:red",
                  label="SAIC 2013" if i == 0 else None)
    ax.set_xlabel("year of life")
    ax.set_ylabel("annual exit hazard (%)")
    ax.set_xticks(range(1, HAZARD_MAX_YEAR + 1))
    ax.set_title("Exit hazard by age")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
