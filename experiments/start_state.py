"""The starting state against published figures: certified-firm growth, the certification
pipeline at the start, base-year levels (docs/VALIDATION.md, "The starting state").

Runs the five seed scenarios and the two run-ins, prints three tables and, at full size,
rewrites their section of docs/VALIDATION.md (between its start-state markers).

    python experiments/start_state.py [--quick]
"""

from __future__ import annotations

import re

import _common
import numpy as np
import pandas as pd

from zonesim.analysis.start_state import (FIRST_TIME_PASS_RATE, GROWTH_INDICATORS, NANTONG,
                                          NATIONAL, RENEWAL_PASS_RATE, certified_path,
                                          first_certifications, levels, pipeline_at_start,
                                          read_levels, settled_backlog,
                                          settled_first_certifications, yearly_growth)
from zonesim.present.formats import num
from zonesim.registry.indicators import INDICATORS
from zonesim.run import run_replicates
from zonesim.scenario import load_scenario

SCENARIOS = ("gaogang_2017_2020", "taizhou_jiangsu_2017_2020", "taizhou_zhejiang_2024_2027",
             "nantong_2024_2027", "jiangsu_one_zone_one_industry_2018_2022",
             "taizhou_jiangsu_runin_2017_2018", "nantong_runin_2020_2023")
VALIDATION = _common.REPO / "docs" / "VALIDATION.md"
BEGIN = "<!-- start-state: begin (written by experiments/start_state.py; do not edit) -->"
END = "<!-- start-state: end -->"


def band(values, fmt=lambda v: f"{100 * v:.0f} %") -> str:
    q = np.nanquantile(values, [0.5, 0.05, 0.95])
    return f"{fmt(q[0])} ({fmt(q[1])} – {fmt(q[2])})"


def growth_rows(paths: dict) -> list[str]:
    rows = ["| scenario | certified at start | after the first year | at the end | first-year "
            "growth | mean yearly growth |", "|---|---|---|---|---|---|"]
    for name, p in paths.items():
        rows.append(f"| {name} | {band(p['start'], num)} | {band(p['first_year'], num)} | "
                    f"{band(p['end'], num)} | {band(p['first_year_growth'])} | "
                    f"{band(p['yearly_growth'])} |")
    return rows


def first_year_rows(growth: dict) -> list[str]:
    """Per scenario and indicator: the first simulated year's growth beside the later years'."""
    labels = [INDICATORS[i].label for i in GROWTH_INDICATORS]
    rows = ["| scenario | " + " | ".join(labels) + " |", "|---|" + "---|" * len(labels)]

    def pct(v):
        return f"{100 * v:+.1f}"

    for name, g in growth.items():
        cells = []
        for indicator in GROWTH_INDICATORS:
            mine = g[g["indicator"] == indicator].sort_values("year")
            first, later = mine.iloc[0], mine.iloc[1:]
            rest = (f"{pct(later['mean'].min())} to {pct(later['mean'].max())}" if len(later) > 1
                    else pct(later["mean"].iloc[0]) if len(later) else "—")
            cells.append(f"{pct(first['mean'])} ± {100 * first['se']:.1f}; later {rest}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return rows


def pipeline_rows(pipes: dict) -> list[str]:
    rows = ["| scenario | certified at set-up | eligible by the rules, not certified | of them "
            "expected to score ≥ 71 | settled backlog | ratio | first-time certifications, "
            "first year | settled flow | pass rate, first-time / renewal |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name, (pipe, first) in pipes.items():
        backlog = settled_backlog(pipe["certified"])
        rows.append(f"| {name} | {band(pipe['certified'], num)} | "
                    f"{band(pipe['eligible_uncertified'], num)} | "
                    f"{band(pipe['would_pass'], num)} | {band(backlog, num)} | "
                    f"{band(pipe['would_pass'] / backlog, lambda v: f'{v:.1f}')} | "
                    f"{band(first, num)} | "
                    f"{band(settled_first_certifications(pipe['certified']), num)} | "
                    f"{band(pipe['first_time_pass_rate'])} / {band(pipe['renewal_pass_rate'])} |")
    return rows


def level_rows(table: pd.DataFrame) -> list[str]:
    rows = ["| scenario | statistic | year | published | modelled median (5–95 %) | off |",
            "|---|---|---|---|---|---|"]
    for _, r in table.iterrows():
        shown = INDICATORS[r["indicator"]].shown
        divisor, unit = shown.divisor, shown.text
        what = (f"{INDICATORS[r['indicator']].label}"
                + ("" if r["basis"] == "published" else f" ({r['basis']})")
                + ("" if r["simulated"] else ", start")
                + (" — set from this figure" if r["anchored"] else ""))
        rows.append(f"| {r['scenario']} | {what} | {r['year']} | {num(r['published'] / divisor)}"
                    f"{unit} | {num(r['median'] / divisor)} ({num(r['q05'] / divisor)} – "
                    f"{num(r['q95'] / divisor)}){unit} | {100 * r['off']:+.0f} % |")
    return rows


def section(paths, growth, pipes, level_table, replicates: int, seed: int) -> str:
    return "\n".join([
        BEGIN, "",
        f"{replicates} replicates per scenario, seed {seed}; median (5–95 %) over replicates.",
        "", "**Certified high-tech firms.** Published references: "
        f"{NATIONAL.what} {NATIONAL.first_year}→{NATIONAL.last_year} "
        f"{100 * NATIONAL.yearly:.0f} % a year; {NANTONG.what} {NANTONG.first_year}→"
        f"{NANTONG.last_year} {100 * NANTONG.yearly:.0f} % a year.", "",
        *growth_rows(paths), "",
        "**The first simulated year beside the later ones.** Yearly growth of the city's "
        "indicators, % (log change; mean over replicates ± its standard error) in the first "
        "simulated year; the range of the later years' means. The history before the "
        "start simulates R&D, accounts and registrations on back-cast revenue, not entry, exit "
        "or output, so the later simulated years are the reference a start-up artefact would "
        "stand out against.", "",
        *first_year_rows(growth), "",
        "**The certification pipeline at the start.** A settled pipeline holds about one year "
        "of first-time applicants beside its certified firms (firms that meet the rules and "
        "expect to pass the innovation score apply within the year): the first-time "
        "certifications "
        f"that grow the stock at the national {100 * NATIONAL.yearly:.0f} % a year and replace "
        f"the certificates lost at renewal ({100 * RENEWAL_PASS_RATE:.0f} % of renewals pass), "
        f"divided by the first-time pass rate ({100 * FIRST_TIME_PASS_RATE:.0f} %; "
        "PRIORS.md). The ratio is the firms expected to pass over that backlog: far above 1 "
        "means the start holds more firms able to pass than its certificates allow, and the "
        "first years release the difference. Pass rates are the history's last three rounds "
        "(published: first-time 50–70 %, renewal 80–90 %; PRIORS.md).", "",
        *pipeline_rows(pipes), "",
        "**Base-year levels** (`data/base_year_levels.csv`; \"start\": the state before the "
        "first simulated year; derived: computed from two published figures; assumption: the "
        "scenario author's reading where no statistic exists).", "",
        *level_rows(level_table), "", END])


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    replicates = 3 if args.quick else 40
    published = read_levels()
    paths, growth, pipes, level_tables = {}, {}, {}, []
    for name in SCENARIOS:
        sc = load_scenario(name)
        table = run_replicates(sc, replicates, args.seed, workers=args.workers,
                               progress=not args.quiet)
        paths[name] = certified_path(table, sc.meta.start_year)
        growth[name] = yearly_growth(table, sc.meta.start_year)
        pipes[name] = (pipeline_at_start(sc, args.seed, min(replicates, 10)),
                       first_certifications(table, sc.meta.start_year))
        level_tables.append(levels(table, sc, published))
    text = section(paths, growth, pipes, pd.concat(level_tables, ignore_index=True), replicates,
                   args.seed)
    print(text)
    if not args.quick:
        doc = VALIDATION.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        if not pattern.search(doc):
            raise SystemExit(f"{VALIDATION}: no start-state markers ({BEGIN} … {END})")
        VALIDATION.write_text(pattern.sub(lambda _: text, doc), encoding="utf-8")
        print(f"\nwritten to {VALIDATION}")


if __name__ == "__main__":
    _common.run(main)
