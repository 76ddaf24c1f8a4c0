"""Presenting a scenario run: the target table on the console and fan charts per target."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.scenario import Scenario, Target


#: CJK characters and full-width punctuation: matplotlib's default fonts have no CJK glyphs, so
#: figure labels keep only the English.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”]+")


def latin(text: str) -> str:
    """``text`` without its Chinese: brackets left empty go, a bracket whose Chinese opened it
    keeps the rest ("(规上, revenue …)" → "(revenue …)")."""
    out = _CJK.sub("", text)
    out = re.sub(r"\(\s*[,;:]?\s*\)", "", out)
    out = re.sub(r"\(\s*[,;:]\s*", "(", out)
    out = re.sub(r"\s+([,.;:)])", r"\1", out)
    return re.sub(r"\s{2,}", " ", out).strip()


def _fmt(v, unit: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if unit == "share":
        return f"{100 * v:.1f}%"
    if "yuan" in unit and abs(v) >= 1e8:
        return f"{v / 1e8:,.1f}亿"
    if "yuan" in unit and abs(v) >= 1e4:            # 万 (10 000), as planners write it
        return f"{v / 1e4:,.0f}万"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.3g}"


def format_value(v, target_row) -> str:
    unit = "share" if target_row["measure"] == "cagr" else target_row["unit"]
    return _fmt(v, unit)


def target_table_text(summary: pd.DataFrame, width: int = 150) -> str:
    """The planner's console table: one line per target."""
    w = max([len("target")] + [len(t) for t in summary["target"]])   # ids never cut
    lines = [f"{'target':{w}} {'scope':22} {'goal':>14} {'year':>9} {'P(met) [95% CI]':>19} "
             f"{'median (5–95%)':>28} {'first met':>9}"]
    lines.append("-" * min(width, len(lines[0]) + 2))
    for _, r in summary.iterrows():
        goal_unit = "share" if r["measure"] == "cagr" else r["unit"]
        goal = f"{r['comparator']} {_fmt(r['target_value'], goal_unit)}" if r["modelled"] else ""
        if r["measure"] == "cagr" and r["modelled"]:
            goal += "/yr"
        years = str(r["years"]) if len(str(r["years"])) <= 9 else \
            f"{str(r['years']).split()[0]}–{str(r['years']).split()[-1]}"
        if not r["modelled"]:
            lines.append(f"{r['target']:{w}} {'not modelled: ' + str(r['reason'])[:80]}")
            continue
        p = f"{r['p_met']:.2f} [{r['p_met_low']:.2f},{r['p_met_high']:.2f}]"
        med = (f"{format_value(r['median'], r)} ({format_value(r['q05'], r)}–"
               f"{format_value(r['q95'], r)})")
        first = "–" if pd.isna(r["median_first_met_year"]) else f"{r['median_first_met_year']:.0f}"
        lines.append(f"{r['target']:{w}} {r['scope'][:22]:22} {goal:>14} {years:>9} "
                     f"{p:>19} {med:>28} {first:>9}")
    return "\n".join(lines)


def fan_chart(scenario: Scenario, table: pd.DataFrame, target: Target, path: Path) -> bool:
    """Write the target's fan chart (the notebooks' :func:`zonesim.present.fan_figure`) to
    ``path``; False, and no file, when its indicator is undefined in every replicate."""
    from zonesim.present.notebook import fan_figure   # present builds on this module's labels
    fig = fan_figure(scenario, table, target)
    if fig is None:
        return False
    fig.savefig(path, dpi=110, bbox_inches="tight")
    _plt().close(fig)
    return True


def scope_label(scope: str, scenario: Scenario | None = None) -> str:
    if scope == "city":
        return latin(scenario.scenario.region) if scenario is not None else "whole city"
    if scope == "zones":
        return "all zones together"
    if scope == "special_parks":
        return "all special parks together"
    if scope == "rest_of_city":
        return "outside the zones"
    if scope.startswith("zone:"):
        return f"zone {scope[5:]}"
    if scope.startswith("each_zone:"):
        return f"every zone at tier ≥ {scope[10:]} (worst zone shown)"
    return "every zone (worst zone shown)"


# ------------------------------------------------------------------ workbench figures

def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _safe(name: str) -> str:
    """A file name for an output or target id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "__", name)


def comparison_chart(comparison, path: Path) -> None:
    """Per variant: change in the probability of meeting each target (variant − base) and
    relative change of the indicator's median, each with its 95 % paired interval."""
    plt = _plt()
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
    plt = _plt()
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
    plt = _plt()
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
    from zonesim.analysis.experiments import MAIN_INDEX

    plt = _plt()
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
    from zonesim.analysis.experiments import MAIN_INDEX

    plt = _plt()
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


# ------------------------------------------------------------- workbench output folders

def write_comparison(out: Path, comparison, figures: bool = True) -> list[str]:
    """comparison.csv and comparison.png in ``out``; returns the names written."""
    out = Path(out)
    comparison.to_csv(out / "comparison.csv", index=False)
    written = ["comparison.csv"]
    if figures and len(comparison):
        comparison_chart(comparison, out / "comparison.png")
        written.append("comparison.png")
    return written


def write_sweep(out: Path, summary, factors: list[str], scenario: Scenario,
                figures: bool = True) -> list[str]:
    """sweep_summary.csv and one figure per target in ``out/figures``."""
    out = Path(out)
    summary.to_csv(out / "sweep_summary.csv", index=False)
    written = ["sweep_summary.csv"]
    if figures:
        figs = out / "figures"
        figs.mkdir(exist_ok=True)
        targets = {t.id: t for t in scenario.modelled_targets}
        for t in summary["target"].unique():
            sweep_chart(summary, factors, t, figs / f"{_safe(t)}.png", targets[t].value,
                        targets[t].indicator)
        written.append("figures/")
    return written


def write_sensitivity(out: Path, res: dict, scenario: Scenario, figures: bool = True) -> str:
    """indices.csv, convergence.csv, replicate_noise.csv, skipped_outputs.csv, report.md and
    figures (one per output, an overview, the convergence check) in ``out``; returns the
    report's text."""
    out = Path(out)
    method = res["method"]
    res["indices"].to_csv(out / "indices.csv", index=False)
    res["convergence"].to_csv(out / "convergence.csv", index=False)
    res["noise"].to_csv(out / "replicate_noise.csv", index=False)
    res["skipped"].to_csv(out / "skipped_outputs.csv", index=False)
    if figures:
        figs = out / "figures"
        figs.mkdir(exist_ok=True)
        for o in res["indices"]["output"].unique():
            sensitivity_chart(res["indices"], method, o, figs / f"{_safe(o)}.png")
        sensitivity_overview(res["indices"], method, out / "overview.png")
        if len(res["convergence"]):
            convergence_chart(res["convergence"], method, out / "convergence.png")
    text = sensitivity_report(res, scenario)
    (out / "report.md").write_text(text, encoding="utf-8")
    return text


def convergence_summary(convergence, method: str):
    """Per output: the largest change of the main index between N/2 and N (relative to the
    largest index of the output) and the rank correlation of the factors at N/2 and N."""
    from scipy.stats import spearmanr

    from zonesim.analysis.experiments import MAIN_INDEX

    c = convergence[convergence["index"] == MAIN_INDEX[method]]
    rows = []
    for o, d in c.groupby("output", sort=False):
        scale = max(float(d["value"].abs().max()), 1e-12)
        change = float((d["value"] - d["value_half"]).abs().max())
        with np.errstate(invalid="ignore"):
            rho = (spearmanr(d["value"], d["value_half"]).statistic
                   if len(d) > 2 and d["value"].nunique() > 1 and d["value_half"].nunique() > 1
                   else np.nan)
        rows.append({"output": o, "max_abs_change": change, "max_rel_change": change / scale,
                     "rank_correlation": float(rho)})
    return pd.DataFrame(rows, columns=["output", "max_abs_change", "max_rel_change",
                                       "rank_correlation"])


def sensitivity_report(res: dict, scenario: Scenario) -> str:
    """A short markdown report: top factors per output, convergence, replicate noise."""
    from zonesim.analysis.experiments import MAIN_INDEX

    method = res["method"]
    idx, conv, noise = res["indices"], res["convergence"], res["noise"]
    main = MAIN_INDEX[method]
    groups = res["problem"].get("groups")
    lines = [f"# {method} sensitivity of {scenario.name}", "",
             f"N = {res['n']}, {len(res['design'])} points × {res['replicates']} replicates "
             f"= {len(res['design']) * res['replicates']} runs; "
             f"{res['problem']['num_vars']} factors"
             + (f" in {len(set(groups))} groups" if groups else "") + f"; seed {res['seed']}.",
             "", f"## Top factors by {main} (95 % interval)", ""]
    for o, d in idx[idx["index"] == main].groupby("output", sort=False):
        top = d.sort_values("value", ascending=False).head(5)
        lines.append(f"- **{o}**: " + "; ".join(
            f"{r.parameter} {r.value:.3g} [{r.conf_low:.3g}, {r.conf_high:.3g}]"
            for r in top.itertuples()))
    lines += ["", "## Convergence (N/2 against N)", ""]
    if len(conv):
        cs = convergence_summary(conv, method)
        lines.append(f"Largest change of {main} between N/2 and N (absolute; relative to the "
                     "output's largest index) and the rank correlation of the factors:")
        lines.append("")
        lines += [f"- {r.output}: {r.max_abs_change:.3g} ({100 * r.max_rel_change:.0f} %), "
                  f"ρ = {r.rank_correlation:.2f}" for r in cs.itertuples()]
        bad = cs[(cs["rank_correlation"] < 0.8) | (cs["max_rel_change"] > 0.3)]
        lines += ["", f"{len(bad)} of {len(cs)} outputs look unconverged (ρ < 0.8 or a change "
                  "over 30 %)" + ("; raise N." if len(bad) else ".")]
    else:
        lines.append(f"- not available for {method} at N = {res['n']} (the design is not "
                     "nested or N/2 is too small)")
    lines += ["", "## Share of variance that is replicate noise", "",
              "noise_share: of a single run's variance; noise_share_of_mean: of the variance "
              "of the analysed output (mean over replicates per point).", ""]
    lines += [f"- {r.output}: {r.noise_share:.2f} / {r.noise_share_of_mean:.2f}"
              for r in noise.itertuples() if r.noise_share == r.noise_share]
    if len(res["skipped"]):
        lines += ["", "## Outputs not analysed", ""]
        lines += [f"- {r.output}: {r.reason}" for r in res["skipped"].itertuples()]
    notes = []
    if method == "fast":
        notes.append("FAST intervals come from SALib's bootstrap, which is unreliable for this "
                     "method: treat them as indicative.")
    if method == "morris" and any(_integer_factors(res)):
        notes.append("Whole-number factors were rounded for the runs; their elementary effects "
                     "use the design's nominal step.")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def _integer_factors(res: dict) -> list[str]:
    """The whole-number factors of an analysis."""
    from zonesim.registry.parameters import PARAMETERS
    return [n for n in res["problem"]["names"] if PARAMETERS[n].integer]
