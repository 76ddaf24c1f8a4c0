"""What each lever of the five seed scenarios moves (`zonesim levers`), written to docs/LEVERS.md.

Every numeric lever a seed scenario sets, at the low and high ends of its range, on common
random numbers (zonesim.analysis.levers); the table between the markers of docs/LEVERS.md is
rewritten at full size (24 replicates), printed only with --quick (4 replicates).

    python experiments/levers.py [--quick]
"""

from __future__ import annotations

import re

import _common
import pandas as pd

from zonesim.analysis.levers import lever_effects, scenario_levers
from zonesim.present.experiment_text import lever_change_text, levers_text
from zonesim.present.formats import num
from zonesim.scenario import load_scenario

SEEDS = ("gaogang_2017_2020", "taizhou_jiangsu_2017_2020", "taizhou_zhejiang_2024_2027",
         "nantong_2024_2027", "jiangsu_one_zone_one_industry_2018_2022")
#: Levers no seed scenario sets, measured where their mechanism exists (the cultivation pool
#: and offshore bases of seed 003; the science budget of seed 003 §四(二); M0 land of seed 002
#: §六(二)), at the registry's range.
UNSET = {"gaogang_2017_2020": ["pool_rd_boost", "ip_support_rate", "zombie_base_min_projects",
                              "zombie_base_streak_years", "science_budget_share_of_gdp"],
         "taizhou_zhejiang_2024_2027": ["m0_land_share", "science_budget_share_of_gdp"]}
#: The zone ranking's levers: every seed evaluates its zones (000 年考核的激励约束机制, 001
#: §(十八) 争先进位, 002 §七, 003 §三 争先进位, 004 有进有出、动态管理), so each is measured
#: in every seed scenario.
RANKING = ("laggard_demotion", "climber_bonus", "climber_award_yuan", "climber_land_share",
           "laggard_warning_streak")
LEVERS_DOC = _common.REPO / "docs" / "LEVERS.md"
BEGIN = "<!-- levers: begin (written by experiments/levers.py; do not edit) -->"
END = "<!-- levers: end -->"


def extra_levers(name: str) -> list[str]:
    """The levers measured in the seed scenario ``name`` beyond those it sets."""
    sc = load_scenario(name)
    return UNSET.get(name, []) + [r for r in RANKING if r not in sc.parameters]


def markdown(tables: dict[str, pd.DataFrame], replicates: int, seed: int) -> str:
    rows = [f"{replicates} replicates per end, seed {seed}; the change is high − low in the "
            "scenario's last year, relative to the low end (absolute where it is 0), with its "
            "paired 95 % t interval. † a lever the scenario does not set, measured at the "
            "registry's range.", "",
            "| scenario | lever (low → high) | meant to raise (− lower) | change (95 %) "
            "| verdict |",
            "|---|---|---|---|---|"]
    for name, table in tables.items():
        for r in table.itertuples():
            meant = f"{'−' if r.direction == 'down' else ''}{r.indicator} ({r.scope})"
            mark = " †" if r.lever in extra_levers(name) else ""
            rows.append(f"| {name} | `{r.lever}`{mark} ({num(r.low)} → {num(r.high)}) | {meant} | "
                        f"{lever_change_text(r)} | {r.verdict} |")
    return "\n".join([BEGIN, "", *rows, "", END])


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    replicates = 4 if args.quick else 24
    out = _common.out_folder(args, __file__)
    tables = {}
    for name in SEEDS:
        sc = load_scenario(name)
        tables[name] = lever_effects(sc, replicates, args.seed, out / name,
                                     scenario_levers(sc) + extra_levers(name),
                                     **_common.executor_kwargs(args))
        print(f"\n{name}\n{levers_text(tables[name])}")
    if args.quick:
        return
    text = LEVERS_DOC.read_text(encoding="utf-8")
    block = markdown(tables, replicates, args.seed)
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    LEVERS_DOC.write_text(text, encoding="utf-8")
    print(f"written to {LEVERS_DOC}")


if __name__ == "__main__":
    _common.run(main)
