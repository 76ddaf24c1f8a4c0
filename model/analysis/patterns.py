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

from zonesim import rules
from zonesim.analysis.pattern_statistics import (BODY_QUANTILE, HAZARD_ABS_TOL, HAZARD_MAX_YEAR,
                                                 HAZARD_REL_TOL, HILL_TOP_SHARE, SAIC_HAZARD,
                                                 band_label, bunching_ratio, hazard_by_age,
                                                 hill_estimator, laplace_vs_normal,
                                                 lognormal_body_ks, pooled_hazard)
from zonesim.engine.model import ZoneModel
from zonesim.present import pattern_figures
from zonesim.run import map_ordered, replicate_seed
from zonesim.scenario import Scenario, load_scenario

# ------------------------------------------------------------------ thresholds (stated)

#: Pass if the ratio above / below exceeds this in every band with enough firms. Without a
#: notch a smooth, declining density gives a ratio slightly below 1.
BUNCHING_MIN_RATIO = 2.0
#: A band is judged only if at least this many firm-years lie in [t·0.9, t·1.1).
BUNCHING_MIN_FIRMS = 50
#: Firms the notch concerns: high-tech products ≥ 60 % of revenue.
BUNCHING_HT_SHARE = rules.HIGH_TECH_REVENUE_SHARE_MIN

#: Plausible band for the Pareto (cumulative) tail exponent of firm size (Zipf ≈ 1).
TAIL_EXPONENT_BAND = (0.7, 1.6)
#: The (truncated) lognormal fit of the body is accepted if the Kolmogorov–Smirnov distance is
#: at most this (an effect size: with tens of thousands of firm-years any p-value rejects).
BODY_KS_MAX = 0.05

#: The peak (highest yearly hazard over years 1–10) must fall in years of life 2–4.
HAZARD_PEAK_YEARS = (2, 4)

FIGURE_NAMES = {
    "rd_bunching": "pattern_rd_bunching.png",
    "growth_tent": "pattern_growth_tent.png",
    "size_pareto_tail": "pattern_size_pareto_tail.png",
    "exit_hazard_age": "pattern_exit_hazard_age.png",
}


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
    meta = scenario.meta
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
        f"{band_label(r['band'])}: {r['above']}/{r['below']} = {r['ratio']:.2f}"
        + ("" if r["judged"] else f" (not judged: < {BUNCHING_MIN_FIRMS} firm-years)")
        for r in rows) + (f"; firms with high-tech share < 0.6 (no notch): ratio {ratio_o:.2f}; "
                          f"{int(concerned.sum())} firm-years of firms with high-tech share >= 0.6")
    if fig_path is not None:
        pattern_figures.bunching_figure(x, thr, band, concerned, rows, fig_path)
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
        pattern_figures.growth_figure(g, fit, fig_path)
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
        pattern_figures.size_figure(s, hill, body, fig_path)
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
        pattern_figures.hazard_figure(table, sim, fig_path)
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
    n = int(replicates or scenario.meta.default_replicates)
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











