"""The shipped posteriors, what they do to the answer, and the forecasts past their data
(docs/VALIDATION.md, "Calibration and forecasts", issue 16).

For each seed scenario: the statistics its run-in was fitted to against the prior- and
posterior-predictive 5–95 % bands (from the posterior's record); the posterior of each fitted
parameter against its prior range; the forecasts of the fitted indicators for the years after
the data, from the run-in's posterior; and the seed scenario's own run with the posterior
against the same run with the prior: each modelled target's 5–95 % band and P(met). At full
size it rewrites its section of docs/VALIDATION.md (between its markers).

    python experiments/calibration_report.py [--quick]
"""

from __future__ import annotations

import re

import _common
import numpy as np
import pandas as pd

from zonesim.analysis.forecast import forecast
from zonesim.analysis.run_scenario import run_scenario
from zonesim.analysis.shipped_posterior import load_posterior, posterior_paths
from zonesim.present.formats import num
from zonesim.registry.indicators import INDICATORS
from zonesim.run import make_executor
from zonesim.scenario import load_scenario

SCENARIOS = ("gaogang_2017_2020", "taizhou_jiangsu_2017_2020",
             "jiangsu_one_zone_one_industry_2018_2022", "taizhou_zhejiang_2024_2027",
             "nantong_2024_2027")
VALIDATION = _common.REPO / "docs" / "VALIDATION.md"
BEGIN = "<!-- calibration: begin (written by experiments/calibration_report.py; do not edit) -->"
END = "<!-- calibration: end -->"
#: Nantong's certified firms: 2 180 at end-2020 (published_statistics.csv) and 4 324 at
#: end-2025, the figure issue 16 names as the check of the run-in's forecast (not fitted).
NANTONG_2025 = 4324


def fmt(v, indicator: str) -> str:
    unit = INDICATORS[indicator].unit
    if unit == "share":
        return f"{100 * v:.2f} %"
    return f"{v / 1e9:.1f} bn yuan" if unit.startswith("yuan") else num(v)


def fit_table(record: dict) -> str:
    rows = ["| statistic | year | weight | published | prior 5–95 % | posterior 5–95 % | "
            "inside |", "|---|---|---|---|---|---|---|"]
    for r in record["fit"]:
        unit = r["indicator"]
        rows.append(f"| {r['indicator']} [{r['scope']}] | {r['year']} | {r['weight']:g} | "
                    f"{fmt(r['observed'], unit)} | {fmt(r['prior_q05'], unit)} – "
                    f"{fmt(r['prior_q95'], unit)} | {fmt(r['posterior_q05'], unit)} – "
                    f"{fmt(r['posterior_q95'], unit)} | {'yes' if r['inside_90'] else 'no'} |")
    return "\n".join(rows)


def parameter_table(record: dict) -> str:
    rows = ["| parameter | prior range | posterior median (5–95 %) | carries over |",
            "|---|---|---|---|"]
    for r in record["summary"]:
        rows.append(f"| {r['parameter']} | {r['prior_low']:.4g} – {r['prior_high']:.4g} | "
                    f"{r['median']:.4g} ({r['q05']:.4g} – {r['q95']:.4g}) | "
                    f"{'yes' if r['parameter'] in record['carried_over'] else 'no'} |")
    return "\n".join(rows)


def forecast_table(sc, record: dict, runs: int, executor) -> tuple[str, pd.DataFrame]:
    """The fitted indicators (city scope) for the years after the data to the seed scenario's
    end (Nantong: to 2025, the year of the issue's check)."""
    runin = load_scenario(record["runin"])
    last = max(s["year"] for s in record["statistics"])
    end = 2025 if sc.name == "nantong_2024_2027" else sc.meta.end_year
    years = list(range(last + 1, end + 1)) or [last]
    indicators = list(dict.fromkeys(s["indicator"] for s in record["statistics"]
                                    if s["scope"] == "city"))
    if sc.name == "nantong_2024_2027" and "high_tech_enterprises" not in indicators:
        indicators.append("high_tech_enterprises")
    csv_path, _ = posterior_paths(record["runin"])
    fc = forecast(runin, indicators, years, replicates=runs, posterior=csv_path,
                  executor=executor, events_from=sc)
    rows = ["| indicator (city) | year | median | 5–95 % |", "|---|---|---|---|"]
    for r in fc.to_dict("records"):
        unit = r["indicator"]
        rows.append(f"| {r['indicator']} | {r['year']} | {fmt(r['median'], unit)} | "
                    f"{fmt(r['q05'], unit)} – {fmt(r['q95'], unit)} |")
    return "\n".join(rows), fc


def band_table(sc, replicates: int, executor) -> tuple[str, dict]:
    """Each modelled target under the prior and the posterior: 5–95 % band and P(met)."""
    runs = {}
    for mode in ("prior", "posterior"):
        summary = run_scenario(sc, replicates, seed=0, executor=executor, progress=False,
                               uncertainty=mode)["summary"]
        runs[mode] = summary[summary["modelled"]]
    both = runs["prior"].merge(runs["posterior"], on="target", suffixes=("_prior", "_post"))
    rows = ["| target | kind | year | prior 5–95 % | posterior 5–95 % | width ratio | P(met) "
            "prior → posterior | share of spread from parameters (posterior) |",
            "|---|---|---|---|---|---|---|---|"]
    ratios = []
    for r in both.to_dict("records"):
        w0, w1 = r["q95_prior"] - r["q05_prior"], r["q95_post"] - r["q05_post"]
        ratio = w1 / w0 if w0 > 0 else np.nan
        ratios.append(ratio)
        rows.append(f"| {r['target']} | {r['kind_prior']} | {int(r['year_prior'])} | "
                    f"{num(r['q05_prior'])} – "
                    f"{num(r['q95_prior'])} | {num(r['q05_post'])} – {num(r['q95_post'])} | "
                    f"{'–' if np.isnan(ratio) else f'{ratio:.2f}'} | {r['p_met_prior']:.2f} → "
                    f"{r['p_met_post']:.2f} | {r['variance_from_parameters_post']:.2f} |")
    ratios = np.array(ratios, float)
    finite = ratios[np.isfinite(ratios)]
    fc = ratios[(both["kind_prior"] == "forecast").to_numpy() & np.isfinite(ratios)]
    stats = {"targets": len(both), "narrower": int((finite < 1).sum()),
             "median_ratio": float(np.median(finite)) if len(finite) else np.nan,
             "forecasts": int((both["kind_prior"] == "forecast").sum()),
             "forecasts_narrower": int((fc < 1).sum()),
             "forecasts_median_ratio": float(np.median(fc)) if len(fc) else np.nan}
    return "\n".join(rows), stats


def scenario_section(name: str, replicates: int, runs: int, executor) -> str:
    sc = load_scenario(name)
    post = load_posterior(sc)
    rec = post.record
    fc_text, fc = forecast_table(sc, rec, runs, executor)
    bands, stats = band_table(sc, replicates, executor)
    text = [f"#### {sc.meta.title}", "",
            f"Run-in `{rec['runin']}`, calibrated {rec['date']} in {rec['wall_time_s']:.0f} s "
            f"({rec['settings']['populations']} populations × {rec['settings']['particles']} "
            f"particles; code {rec['code_digest']}, data {rec['data_digest']}); "
            f"{len(rec['parameters'])} parameters fitted; the particles hold "
            f"{len(rec['drawn'])}, of which {len(rec['carried_over'])} carry over to the "
            f"scenario. Figures: `scenarios/posteriors/{rec['runin']}_fit.png`, "
            f"`_pairs.png`.", "", fit_table(rec), "", parameter_table(rec), "",
            f"Forecasts past the data ({runs} runs of the run-in's posterior):", "", fc_text, ""]
    if name == "nantong_2024_2027":
        r = fc[(fc["indicator"] == "high_tech_enterprises") & (fc["year"] == 2025)].iloc[0]
        inside = r["q05"] <= NANTONG_2025 <= r["q95"]
        text += [f"Nantong's certified firms at end-2025: {NANTONG_2025:,} against the "
                 f"forecast's 5–95 % band {num(r['q05'])} – {num(r['q95'])}: "
                 f"**{'inside' if inside else 'outside'}**.", ""]
    text += [f"The scenario's {stats['targets']} modelled targets ({stats['forecasts']} "
             f"forecasts), {replicates} replicates with the prior and with the posterior (seed "
             f"0): {stats['narrower']} bands of the deciding value narrower with the posterior "
             f"(forecasts: {stats['forecasts_narrower']}); median width ratio posterior / prior "
             f"{stats['median_ratio']:.2f} (forecasts: {stats['forecasts_median_ratio']:.2f}).",
             "", bands, ""]
    return "\n".join(text)


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    replicates, runs = (20, 20) if args.quick else (100, 200)
    executor, close = make_executor(args.workers, args.scheduler, args.dask_local)
    try:
        sections = [scenario_section(n, replicates, runs, executor) for n in SCENARIOS]
    finally:
        close()
    body = "\n".join(sections)
    print(body)
    if args.quick:
        return
    doc = VALIDATION.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in doc:
        doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda m: block, doc,
                     flags=re.S)
    else:
        raise SystemExit(f"{VALIDATION}: add the markers {BEGIN} … {END} first")
    VALIDATION.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()
