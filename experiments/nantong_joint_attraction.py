"""Nantong 2024→2027: what do the joint-attraction platform and its credit rule add?

Seed 004 §三(一)3 asks for a city-wide platform that shares the projects one park finds with
the others, with 考核双算(分算) and 项目收益分成. The scenario sets a revenue share of 15 % (range
10–25 %) and 双算. This script measures, on common random numbers:

1. the whole platform: the revenue share from 0 (nothing passed on: at 0 even 双算's credit,
   worth 10 %, does not reach the lowest reservation) to 25 % (every offered project passed
   on, whatever the credit), on the land the plan's projects hold in the parks (`zonesim
   levers` with the lever's range widened to 0–25 %);
2. the credit rule at the scenario's 15 %: 分算 and 双算 against crediting the host only, on
   that land and on the projects passed on (`zonesim compare`).

    python experiments/nantong_joint_attraction.py [--quick]
"""

from __future__ import annotations

import _common

from zonesim.analysis.compare import compare
from zonesim.analysis.levers import lever_effects, purpose_scenario
from zonesim.scenario import load_scenario
from zonesim.scenario.schema import Target

LEVER = "joint_attraction_revenue_share"
RULES = ("host", "split", "both")


def with_values(sc, **changes):
    """``sc`` with parameter entries changed (value, low, high)."""
    params = dict(sc.parameters)
    for name, update in changes.items():
        params[name] = params[name].model_copy(update=update)
    return sc.model_copy(update={"parameters": params})


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    out = _common.out_folder(args, __file__)
    replicates = 4 if args.quick else 48
    sc = load_scenario("nantong_2024_2027")
    run = _common.executor_kwargs(args)

    wide = with_values(sc, **{LEVER: {"low": 0.0, "high": 0.25}})
    platform = lever_effects(wide, replicates=replicates, seed=args.seed, out=out / "platform",
                             levers=[LEVER], **run)
    print(f"{sc.name}: {replicates} replicates on common random numbers\n")
    print(f"1. {LEVER} 0 → 25 % (credit {sc.values()['joint_attraction_credit']}): land held "
          "by the plan's projects in the parks, 2027")
    _common.show(platform[["mean_low", "mean_high", "relative", "effect_low", "effect_high",
                           "verdict"]], "{:.3g}")

    year = sc.meta.end_year
    passed = Target(id="projects_passed_on_zones", indicator="projects_passed_on", value=0.0,
                    year=year, scope="zones", clause="experiments: joint attraction")
    measured = purpose_scenario(sc, [LEVER])
    measured = measured.model_copy(update={"targets": measured.targets + [passed]})
    by_rule = {r: with_values(measured, joint_attraction_credit={"value": r}) for r in RULES}
    _, table = compare(by_rule["host"], [by_rule["split"], by_rule["both"]], replicates,
                       seed=args.seed, out=out / "credit", **run)
    # the variants' own labels are the scenario's name, numbered: name them by their rule
    table["variant"] = table["variant"].map(dict(zip(table["variant"].unique(), RULES[1:])))
    print(f"\n2. credit rule at the scenario's {sc.values()[LEVER]:.0%} share, against the host "
          f"only ({year}; median and its paired 95 % bootstrap interval)")
    _common.show(table[["variant", "indicator", "median_base", "median_variant", "median_diff",
                        "median_diff_low", "median_diff_high"]], "{:.3g}")
    print(f"\nWritten to {out}/platform and {out}/credit")


if __name__ == "__main__":
    _common.run(main)
