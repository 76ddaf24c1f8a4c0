"""Figures of the experiments: policy comparison, dose–response sweeps, sensitivity indices and
their convergence, each written to a file of the experiment's output folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

matplotlib.use("Agg")  # figures are written to files, never drawn in a window


def comparison_chart(comparison, path: Path) -> None:
    """Per variant: change in the probability of meeting each target (variant − base) and
    relative change of the indicator's median, each with its 95 % paired interval."""
    variants = list(dict.fromkeys(comparison["variant"]))
    n_t = comparison["target"].nunique()
    fig, axes = plt.subplots(len(variants), 2, figsize=(12, len(variants) * (0.26 * n_t + 1.6)),
                             squeeze=False)
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
        ax.set_yticklabels(c["target"], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(-1.05, 1.05)
        ax.set_xlabel("change in P(target met), variant − base (95 % paired CI)", fontsize=8)
        ax.set_title(f"{v}: probability of meeting each target", fontsize=9)
        ax.grid(alpha=0.3, axis="x")
        # relative change of the median indicator value
        base = c["median_base"].abs().replace(0, np.nan)
        rel = 100 * c["median_diff"] / base
        rlo = 100 * c["median_diff_low"] / base
        rhi = 100 * c["median_diff_high"] / base
        ok = np.isfinite(rel)
        err2 = np.vstack([rel - rlo, rhi - rel])
        ax2.errorbar(rel[ok], y[ok], xerr=np.nan_to_num(err2[:, ok]).clip(min=0), fmt="o", ms=3,
                     color="tab:blue", ecolor="k", lw=0.8, capsize=2)
        ax2.axvline(0, color="k", lw=0.8)
        ax2.set_yticks(y)
        ax2.set_yticklabels([])
        ax2.set_ylim(ax.get_ylim())
        ax2.set_xlabel("change in the indicator's median, % of base median (95 % paired CI)",
                       fontsize=8)
        ax2.set_title("median indicator value", fontsize=9)
        ax2.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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


def sweep_chart(summary, factors: list[str], target: str, path: Path, target_value=None,
                indicator: str | None = None) -> None:
    """Dose–response of one target: P(met) against one parameter (line with Wilson band); over
    two parameters a heatmap when the points form a grid, else (Latin hypercube) a scatter of
    the points coloured by P(met). With more parameters the first two are drawn (a grid
    averages over the others)."""
    s = summary[summary["target"] == target]
    fig, ax = plt.subplots(figsize=(6.5, 4.3))
    title = f"{target}" + (f"\n({indicator} target {target_value:g})"
                           if target_value is not None else "")
    if len(factors) == 1:
        f = factors[0]
        s = s.sort_values(f)
        ax.fill_between(s[f], s["p_met_low"], s["p_met_high"], alpha=0.25, color="tab:blue",
                        label="95 % Wilson interval")
        ax.plot(s[f], s["p_met"], marker="o", ms=4, color="tab:blue", label="P(target met)")
        ax.set_xlabel(f)
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
            if piv.size <= 100:
                for i, yv in enumerate(ys):
                    for j, xv in enumerate(xs):
                        val = piv.iat[i, j]
                        if np.isfinite(val):
                            ax.text(xv, yv, f"{val:.2f}", ha="center", va="center", fontsize=7)
            if len(factors) > 2:
                title += f"\nmean over {', '.join(factors[2:])}"
        else:
            im = ax.scatter(s[f1], s[f2], c=s["p_met"], vmin=0, vmax=1, cmap="RdYlGn", s=45,
                            edgecolors="k", linewidths=0.4)
            if len(factors) > 2:
                title += f"\n(points also differ in {', '.join(factors[2:])})"
        fig.colorbar(im, ax=ax, label="probability of meeting the target")
        ax.set_xlabel(f1)
        ax.set_ylabel(f2)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sensitivity_chart(indices, method: str, output: str, path: Path, top: int = 15) -> None:
    """Morris μ*–σ scatter (μ* bars with intervals for groups, whose σ is undefined), or bars
    of the first and total (or the method's) indices with intervals, for one output."""
    d = indices[indices["output"] == output]
    fig, ax = plt.subplots(figsize=(7, 4.8))
    if method == "morris":
        mu = d[d["index"] == "mu_star"].set_index("parameter")
        sg = d[d["index"] == "sigma"].set_index("parameter").reindex(mu.index)
        if sg["value"].notna().any():
            ax.errorbar(mu["value"], sg["value"],
                        xerr=(mu["conf_high"] - mu["value"]).fillna(0).clip(lower=0),
                        fmt="o", ms=4, capsize=2)
            lim = max(float(np.nanmax(mu["value"])), float(np.nanmax(sg["value"])), 1e-12)
            ax.plot([0, lim], [0, lim], ls=":", color="gray", lw=0.8, label="σ = μ*")
            for name in mu["value"].sort_values(ascending=False).index[:10]:
                ax.annotate(name, (mu.loc[name, "value"], sg.loc[name, "value"]), fontsize=7)
            ax.set_xlabel("μ* (mean absolute elementary effect)")
            ax.set_ylabel("σ (interactions / non-linearity)")
            ax.legend(fontsize=7)
        else:
            m = mu.sort_values("value", ascending=False).head(top)
            y = np.arange(len(m))
            err = np.vstack([m["value"] - m["conf_low"], m["conf_high"] - m["value"]])
            ax.barh(y, m["value"], xerr=np.nan_to_num(err).clip(min=0), capsize=2)
            ax.set_yticks(y)
            ax.set_yticklabels(m.index, fontsize=7)
            ax.invert_yaxis()
            ax.set_xlabel("μ* (mean absolute elementary effect, 95 % interval)")
    else:
        kinds = [k for k in ("S1", "ST", "delta", "pawn_median") if k in set(d["index"])]
        order = d[d["index"] == kinds[-1]].sort_values("value", ascending=False)["parameter"]
        order = list(order[:top])
        y = np.arange(len(order))
        h = 0.8 / len(kinds)
        for j, k in enumerate(kinds):
            dk = d[d["index"] == k].set_index("parameter").reindex(order)
            err = np.vstack([dk["value"] - dk["conf_low"], dk["conf_high"] - dk["value"]])
            ax.barh(y + j * h, dk["value"], height=h, label=k,
                    xerr=np.nan_to_num(err).clip(min=0), capsize=2)
        ax.set_yticks(y + h * (len(kinds) - 1) / 2)
        ax.set_yticklabels(order, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("sensitivity index (95 % interval)")
        ax.legend(fontsize=7)
    ax.set_title(f"{method}: {output}", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def sensitivity_overview(indices, method: str, path: Path, top: int = 20) -> None:
    """One picture of the whole analysis: the method's main index, scaled to the largest in
    each output, for the most influential factors (rows) and every output (columns)."""
    from zonesim.analysis.sensitivity import MAIN_INDEX

    d = indices[indices["index"] == MAIN_INDEX[method]]
    if d.empty:
        return
    wide = d.pivot_table(index="parameter", columns="output", values="value")
    wide = wide[list(dict.fromkeys(o for o in d["output"] if o in wide.columns))]
    scaled = wide.clip(lower=0) / wide.clip(lower=0).max(axis=0).replace(0, np.nan)
    order = scaled.max(axis=1).sort_values(ascending=False).index[:top]
    scaled = scaled.loc[order]
    fig, ax = plt.subplots(figsize=(max(6, 0.22 * scaled.shape[1] + 3),
                                    0.3 * len(order) + 2.5))
    im = ax.imshow(scaled.to_numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=1,
                   interpolation="nearest")
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels(order, fontsize=7)
    ax.set_xticks(range(scaled.shape[1]))
    ax.set_xticklabels(scaled.columns, rotation=90, fontsize=6)
    fig.colorbar(im, ax=ax, label=f"{MAIN_INDEX[method]} / largest in the output")
    ax.set_title(f"{method}: most influential factors across outputs", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def convergence_chart(convergence, method: str, path: Path) -> None:
    """The main index at N against N/2, every factor and output: points on the diagonal have
    converged."""
    from zonesim.analysis.sensitivity import MAIN_INDEX

    c = convergence[convergence["index"] == MAIN_INDEX[method]]
    if c.empty:
        return
    fig, ax = plt.subplots(figsize=(4.8, 4.5))
    ax.scatter(c["value_half"], c["value"], s=8, alpha=0.5)
    lo = float(np.nanmin([c["value"].min(), c["value_half"].min(), 0]))
    hi = float(np.nanmax([c["value"].max(), c["value_half"].max()]))
    ax.plot([lo, hi], [lo, hi], color="k", lw=0.8, ls=":")
    ax.set_xlabel(f"{MAIN_INDEX[method]} at N/2")
    ax.set_ylabel(f"{MAIN_INDEX[method]} at N")
    ax.set_title(f"{method}: convergence check", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
