"""Figures of the pattern checks (:mod:`zonesim.analysis.patterns`): one PNG per pattern."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from zonesim.analysis.pattern_statistics import (HAZARD_ABS_TOL, HAZARD_MAX_YEAR, HAZARD_REL_TOL,
                                                 SAIC_HAZARD, band_label)
from zonesim.present.fonts import set_up_figures

set_up_figures()


def bunching_figure(x, thr, band, concerned, rows, path: Path) -> None:
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
        ax.set_title(f"{band_label(i)}\nratio {r['ratio']:.2f} ({r['above']}/{r['below']})",
                     fontsize=9)
        ax.set_xlabel("reported R&D intensity / notch threshold")
        if i == 0:
            ax.set_ylabel("firm-years")
            ax.legend(fontsize=7)
    fig.suptitle("Bunching of reported R&D intensity at the certification notches")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def growth_figure(g, fit, path: Path) -> None:
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


def size_figure(s, hill, body, path: Path) -> None:
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


def hazard_figure(table: pd.DataFrame, sim: dict, path: Path) -> None:
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
