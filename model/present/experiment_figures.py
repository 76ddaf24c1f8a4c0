"""Figures of the experiments: policy comparison, dose–response sweeps, sensitivity indices and
their convergence, each written to a file of the experiment's output folder. Parameters and
targets carry the planner's labels (:mod:`zonesim.present.labels`), axes their units; factors
of a sensitivity analysis are coloured by kind, policy levers against uncertain assumptions."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from zonesim.present.fonts import set_up_figures
from zonesim.present.formats import num, wrap
from zonesim.present.labels import axis_label, factor_kind, parameter_labels

set_up_figures()

KIND_COLOR = {"lever": "tab:orange", "uncertainty": "tab:blue"}
KIND_LABEL = {"lever": "policy lever", "uncertainty": "uncertain assumption"}
#: The sensitivity indices in words.
INDEX_LABEL = {"mu_star": "μ* (mean absolute elementary effect)",
               "sigma": "σ (spread of the elementary effects)",
               "mu": "μ (mean elementary effect)",
               "S1": "S1 (first-order index)", "ST": "ST (total index)",
               "delta": "δ (moment-independent index)", "pawn_median": "PAWN (median KS distance)"}
#: What a sensitivity output measures (its prefix), for axis labels.
OUTPUT_UNIT = {"p_met": "probability of meeting the target, 0–1",
               "margin": "margin: indicator ÷ target"}


def _numbers() -> FuncFormatter:
    """Tick labels by the one number formatter ("666,667", not "6.7e5")."""
    return FuncFormatter(lambda v, _: num(v))


def _kind_legend(kinds) -> list:
    present = set(kinds)
    return [Patch(color=KIND_COLOR[k], label=KIND_LABEL[k]) for k in ("lever", "uncertainty")
            if k in present]


def _save(fig, path: Path, rect=None) -> None:
    fig.tight_layout(rect=rect)
    # long planner labels can outgrow the margins tight_layout leaves: the page grows instead
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def comparison_chart(comparison, path: Path, labels: dict | None = None,
                     base: str | None = None) -> None:
    """Per variant: change in the probability of meeting each target (variant − base) and
    relative change of the indicator's median, each with its 95 % paired interval; targets
    by ``labels`` (target id → planner label)."""
    labels = labels or {}
    variants = list(dict.fromkeys(comparison["variant"]))
    n_t = comparison["target"].nunique()
    height = len(variants) * (0.34 * n_t + 1.6) + 0.6
    fig, axes = plt.subplots(len(variants), 2, figsize=(14, height), squeeze=False,
                             gridspec_kw={"width_ratios": [1.3, 1]})
    for (ax, ax2), v in zip(axes, variants):
        c = comparison[comparison["variant"] == v].reset_index(drop=True)
        y = np.arange(len(c))
        err = np.vstack([c["p_met_diff"] - c["p_met_diff_low"],
                         c["p_met_diff_high"] - c["p_met_diff"]])
        colors = np.where(c["p_met_diff_low"] > 0, "tab:green",
                          np.where(c["p_met_diff_high"] < 0, "tab:red", "tab:gray"))
        ax.errorbar(c["p_met_diff"], y, xerr=np.nan_to_num(err).clip(min=0), fmt="none",
                    ecolor="k", lw=0.8, capsize=2)
        ax.scatter(c["p_met_diff"], y, c=colors, zorder=3, s=18)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([wrap(labels.get(t, t), 60) for t in c["target"]], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel("change in the probability of meeting the target, variant − base\n"
                      "(95 % paired score interval)", fontsize=8)
        ax.set_title(f"{v} against {base or 'the base'}: probability of meeting each target",
                     fontsize=9)
        ax.grid(alpha=0.3, axis="x")
        # relative change of the median indicator value
        # tier levels are ranks: a per cent of one means nothing
        base_median = c["median_base"].abs().replace(0, np.nan) \
            .where(c["indicator"] != "zone_tier_level")
        rel = 100 * c["median_diff"] / base_median
        rlo = 100 * c["median_diff_low"] / base_median
        rhi = 100 * c["median_diff_high"] / base_median
        ok = np.isfinite(rel)
        err2 = np.vstack([rel - rlo, rhi - rel])
        ax2.errorbar(rel[ok], y[ok], xerr=np.nan_to_num(err2[:, ok]).clip(min=0), fmt="o", ms=3,
                     color="tab:blue", ecolor="k", lw=0.8, capsize=2)
        ax2.axvline(0, color="k", lw=0.8)
        ax2.set_yticks(y)
        ax2.set_yticklabels([])
        ax2.set_ylim(ax.get_ylim())
        ax2.set_xlabel("change in the indicator's median, % of the base's median", fontsize=8)
        ax2.set_title("median value of each target's indicator", fontsize=9)
        ax2.grid(alpha=0.3, axis="x")
    fig.legend(handles=[Patch(color="tab:green", label="P(met) higher: interval above 0"),
                        Patch(color="tab:red", label="P(met) lower: interval below 0"),
                        Patch(color="tab:gray", label="no clear change"),
                        Line2D([], [], marker="o", ms=3, color="tab:blue", ls="",
                               label="median change, 95 % paired bootstrap interval")],
               loc="upper center", ncol=4, fontsize=8, frameon=False)
    _save(fig, path, rect=(0, 0, 1, 1 - 0.4 / height))   # room for the legend above


def _is_grid(x, y) -> bool:
    """Whether the (x, y) points form a full grid (every combination of their values)."""
    pairs = set(zip(np.asarray(x), np.asarray(y)))
    return len(pairs) == len(np.unique(x)) * len(np.unique(y)) and len(pairs) > 1


def _edges(values) -> np.ndarray:
    """Cell edges around sorted grid values (midpoints; half a step beyond the ends)."""
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def sweep_chart(summary, factors: list[str], target: str, path: Path,
                title: str | None = None) -> None:
    """Dose–response of one target (``title``: the target in words): P(met) against one
    parameter (line with Wilson band); over two parameters a heatmap when the points form a
    grid, else (Latin hypercube) a scatter of the points coloured by P(met). With more
    parameters the first two are drawn (a grid averages over the others)."""
    s = summary[summary["target"] == target]
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(6))   # amounts in yuan are wide: few ticks
        axis.set_major_formatter(_numbers())
    title = wrap(title or target, 80)
    others = ", ".join(parameter_labels(factors[2:], 50))
    if len(factors) == 1:
        f = factors[0]
        s = s.sort_values(f)
        ax.fill_between(s[f], s["p_met_low"], s["p_met_high"], alpha=0.25, color="tab:blue",
                        label="95 % Wilson interval")
        ax.plot(s[f], s["p_met"], marker="o", ms=4, color="tab:blue", label="P(target met)")
        ax.set_ylabel("probability of meeting the target")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    else:
        f1, f2 = factors[:2]
        if _is_grid(s[f1], s[f2]) and len(s) % (s[f1].nunique() * s[f2].nunique()) == 0:
            piv = s.groupby([f2, f1])["p_met"].mean().unstack(f1).sort_index() \
                .sort_index(axis=1)
            xs, ys = piv.columns.to_numpy(float), piv.index.to_numpy(float)
            im = ax.pcolormesh(_edges(xs), _edges(ys), piv.to_numpy(), vmin=0, vmax=1,
                               cmap="RdYlGn", shading="flat")
            if len(xs) <= 6:
                ax.set_xticks(xs)        # a cell's own value under it
            if len(ys) <= 6:
                ax.set_yticks(ys)
            if piv.size <= 100:
                for i, yv in enumerate(ys):
                    for j, xv in enumerate(xs):
                        val = piv.iat[i, j]
                        if np.isfinite(val):
                            ax.text(xv, yv, f"{val:.2f}", ha="center", va="center", fontsize=7)
            if others:
                title += f"\nmean over {others}"
        else:
            im = ax.scatter(s[f1], s[f2], c=s["p_met"], vmin=0, vmax=1, cmap="RdYlGn", s=45,
                            edgecolors="k", linewidths=0.4)
            if others:
                title += f"\n(points also differ in {others})"
        fig.colorbar(im, ax=ax, label="probability of meeting the target")
        ax.set_ylabel(wrap(axis_label(f2), 45), fontsize=8)
    ax.set_xlabel(wrap(axis_label(factors[0]), 80), fontsize=8)
    ax.set_title(title, fontsize=9)
    _save(fig, path)


def _output_unit(output: str) -> str:
    return OUTPUT_UNIT.get(output.split(":", 1)[0], output)


def sensitivity_chart(indices, method: str, output: str, path: Path, title: str | None = None,
                      top: int = 15) -> None:
    """The most influential factors of one output (``title``: the output in words), largest
    first, coloured by kind: Morris μ* with its interval and σ as a marker (σ is undefined for
    groups); for the other methods the first-order (light) and total or the method's (dark)
    indices with intervals."""
    d = indices[indices["output"] == output]
    if method == "morris":
        kinds = ["mu_star"]
        unit = f"in the output's unit ({_output_unit(output)})"
    else:
        kinds = [k for k in ("S1", "ST", "delta", "pawn_median") if k in set(d["index"])]
        unit = "share of the output's variance, 0–1" if "ST" in kinds else "0–1"
    order = list(d[d["index"] == kinds[-1]].sort_values("value", ascending=False)
                 ["parameter"][:top])
    colors = [KIND_COLOR[factor_kind(p)] for p in order]
    fig, ax = plt.subplots(figsize=(11, 0.3 * len(order) * len(kinds) + 1.9))
    y = np.arange(len(order))
    h = 0.8 / len(kinds)
    handles = _kind_legend(map(factor_kind, order))
    for j, k in enumerate(kinds):
        dk = d[d["index"] == k].set_index("parameter").reindex(order)
        err = np.vstack([dk["value"] - dk["conf_low"], dk["conf_high"] - dk["value"]])
        alpha = 1.0 if j == len(kinds) - 1 else 0.45
        ax.barh(y + j * h, dk["value"], height=h, color=colors, alpha=alpha,
                xerr=np.nan_to_num(err).clip(min=0), capsize=2)
        if len(kinds) > 1:
            handles.append(Patch(color="0.4", alpha=alpha, label=INDEX_LABEL.get(k, k)))
    sigma = d[d["index"] == "sigma"].set_index("parameter")["value"].reindex(order)
    if method == "morris" and sigma.notna().any():
        ax.plot(sigma, y, "D", color="k", ms=3.5)
        handles.append(Line2D([], [], marker="D", ls="", color="k", ms=3.5,
                              label=f"{INDEX_LABEL['sigma']}: interactions, non-linearity"))
    ax.set_yticks(y + h * (len(kinds) - 1) / 2)
    ax.set_yticklabels(parameter_labels(order), fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(f"{' and '.join(INDEX_LABEL.get(k, k) for k in kinds)}, 95 % interval; "
                  f"{unit}", fontsize=8)
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    ax.set_title(wrap(f"{method}: {title or output}", 90), fontsize=9)
    ax.grid(alpha=0.3, axis="x")
    _save(fig, path)


def sensitivity_overview(indices, method: str, path: Path, top: int = 60) -> None:
    """One picture of the whole analysis: per factor, the method's main index relative to the
    most influential factor of each output — its mean over the outputs (bar, coloured by
    kind) and its largest (marker) — the ``top`` factors, largest mean first."""
    from zonesim.analysis.sensitivity import MAIN_INDEX

    main = MAIN_INDEX[method]
    d = indices[indices["index"] == main]
    if d.empty:
        return
    wide = d.pivot_table(index="parameter", columns="output", values="value").clip(lower=0)
    scaled = (wide / wide.max(axis=0).replace(0, np.nan)).fillna(0.0)
    mean = scaled.mean(axis=1).sort_values(ascending=False)
    order = list(mean.index[:top])
    fig, ax = plt.subplots(figsize=(12, 0.2 * len(order) + 2.0))
    y = np.arange(len(order))
    ax.barh(y, mean[order], color=[KIND_COLOR[factor_kind(p)] for p in order], height=0.7)
    ax.plot(scaled.max(axis=1)[order], y, "D", color="k", ms=3)
    ax.set_yticks(y)
    ax.set_yticklabels(parameter_labels(order), fontsize=7)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel(f"{INDEX_LABEL.get(main, main)} relative to the most influential factor of "
                  f"each output (0–1): mean over the {wide.shape[1]} outputs", fontsize=8)
    # the legend above the bars: with many factors, every corner holds a bar or a marker
    ax.legend(handles=_kind_legend(map(factor_kind, order)) + [
        Line2D([], [], marker="D", ls="", color="k", ms=3,
               label="largest on any one output")], fontsize=7, loc="lower center",
              bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    shown = f"the {len(order)} most influential of {len(mean)} factors" \
        if len(order) < len(mean) else f"all {len(mean)} factors"
    ax.set_title(f"{method}: influence on the targets' outcomes, {shown}", fontsize=9, pad=20)
    ax.grid(alpha=0.3, axis="x")
    _save(fig, path)


def convergence_chart(convergence, method: str, path: Path) -> None:
    """The main index at N against N/2, every factor and output, coloured by kind: points on
    the diagonal have converged."""
    from zonesim.analysis.sensitivity import MAIN_INDEX

    main = MAIN_INDEX[method]
    c = convergence[convergence["index"] == main]
    if c.empty:
        return
    kinds = c["parameter"].map(factor_kind)
    fig, ax = plt.subplots(figsize=(5.2, 4.8))
    ax.scatter(c["value_half"], c["value"], s=8, alpha=0.5, c=kinds.map(KIND_COLOR))
    lo = float(np.nanmin([c["value"].min(), c["value_half"].min(), 0]))
    hi = float(np.nanmax([c["value"].max(), c["value_half"].max()]))
    ax.plot([lo, hi], [lo, hi], color="k", lw=0.8, ls=":")
    ax.set_xlabel(f"{INDEX_LABEL.get(main, main)}, first half of the design (N/2)", fontsize=8)
    ax.set_ylabel(f"{INDEX_LABEL.get(main, main)}, whole design (N)", fontsize=8)
    ax.legend(handles=_kind_legend(kinds) + [Line2D([], [], color="k", lw=0.8, ls=":",
                                                    label="converged: same at N/2 and N")],
              fontsize=7)
    ax.set_title(f"{method}: convergence check (one point per factor and output)", fontsize=9)
    ax.grid(alpha=0.3)
    _save(fig, path)


def calibration_fit_figure(fit: pd.DataFrame, path: Path, title: str = "") -> None:
    """One panel per statistic: observed value, prior- and posterior-predictive 5–95 % bands."""
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


def posterior_pairs_figure(posterior: pd.DataFrame, summary: pd.DataFrame, path: Path,
                           title: str = "", points: int = 400) -> None:
    """The posterior pair plot: weighted histograms on the diagonal, ``points`` particles
    resampled by weight below it, every axis spanning the parameter's prior range."""
    names = list(summary["parameter"])
    ranges = {r["parameter"]: (r["prior_low"], r["prior_high"])
              for r in summary.to_dict("records")}
    w = posterior["weight"].to_numpy(float)
    rng = np.random.default_rng(0)  # which particles are drawn only thins the picture
    pick = rng.choice(len(w), size=min(points, 4 * len(w)), p=w / w.sum())
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(1.9 * n + 0.6, 1.9 * n + 0.4), squeeze=False)
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(posterior[xj], bins=20, range=ranges[xj], weights=w, color="tab:blue")
                ax.set_yticks([])
            else:
                ax.scatter(posterior[xj].to_numpy()[pick], posterior[yi].to_numpy()[pick],
                           s=3, alpha=0.4, color="tab:blue")
                ax.set_ylim(*ranges[yi])
            ax.set_xlim(*ranges[xj])
            ax.tick_params(labelsize=6)
            if i == n - 1:
                ax.set_xlabel(xj, fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(yi, fontsize=7)
    if title:
        fig.suptitle(title + " (axes: prior range)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
