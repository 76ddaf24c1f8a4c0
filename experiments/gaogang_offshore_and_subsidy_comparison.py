"""Gaogang 2017→2020: what do offshore incubation and stronger subsidies change?

Compares gaogang_2017_2020 (the plan: 30 offshore bases, 8 % R&D post-subsidy, 200 k yuan
certification reward) with two counterfactuals on common random numbers:
gaogang_no_offshore_2017_2020 (no offshore bases) and gaogang_high_subsidy_2017_2020 (15 % R&D
subsidy, 400 k yuan reward). Prints, per variant, the targets whose probability of being met
changes (95 % paired interval excluding 0) and the largest shifts of indicator medians.

    python experiments/gaogang_offshore_and_subsidy_comparison.py [--quick]
"""

from __future__ import annotations

import _common

from zonesim.analysis.compare import compare
from zonesim.present import write_comparison
from zonesim.scenario import load_scenario


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    out = _common.out_folder(args, __file__)
    replicates = 8 if args.quick else 50
    base = load_scenario("gaogang_2017_2020")
    variants = [load_scenario("gaogang_no_offshore_2017_2020"),
                load_scenario("gaogang_high_subsidy_2017_2020")]
    _, table = compare(base, variants, replicates, args.seed, out,
                       **_common.executor_kwargs(args))
    write_comparison(out, table)
    print(f"{base.name} against {', '.join(v.name for v in variants)}; {replicates} replicates "
          "on common random numbers\n")
    for v, t in table.groupby("variant", sort=False):
        sig = t[(t["p_met_diff_low"] > 0) | (t["p_met_diff_high"] < 0)]
        print(f"== {v}: {len(sig)} of {len(t)} targets change their probability of being met "
              "(95 % paired interval excludes 0)")
        if len(sig):
            _common.show(sig[["target", "p_met_base", "p_met_variant", "p_met_diff",
                              "p_met_diff_low", "p_met_diff_high"]])
        rel = (t["median_diff"] / t["median_base"].abs()).rename("median_change")
        moved = t.assign(median_change=rel).dropna(subset=["median_change"])
        moved = moved[(moved["median_diff_low"] > 0) | (moved["median_diff_high"] < 0)]
        moved = moved.reindex(moved["median_change"].abs().sort_values(ascending=False).index)
        print("\n   indicator medians that move (95 % interval excludes 0), largest first:")
        if len(moved):
            _common.show(moved[["target", "median_base", "median_variant", "median_change"]]
                         .head(10), "{:.3g}")
        else:
            print("   none")
        print()
    print(f"Written to {out}/: comparison.csv, comparison.png")


if __name__ == "__main__":
    _common.run(main)
