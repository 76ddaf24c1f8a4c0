"""Gaogang 2017→2020: how large must the offshore landing reward be?

Sweeps offshore_landing_reward_yuan (the reward for an offshore-incubated project that lands
and starts production in the district, seed 003 §三(五)4, proportion not stated) over its
assumption range, 0.2–2 M yuan, and reports the probability of meeting each target at each
reward — above all the offshore targets (≥ 80 landed projects and ≥ 180 admitted a year).

    python experiments/gaogang_landing_reward_sweep.py [--quick]
"""

from __future__ import annotations

import _common

from zonesim.analysis.space import check_factor
from zonesim.analysis.sweep import sweep
from zonesim.present import write_sweep
from zonesim.scenario import load_scenario

PARAM = "offshore_landing_reward_yuan"


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    out = _common.out_folder(args, __file__)
    steps, replicates = (3, 4) if args.quick else (7, 30)
    sc = load_scenario("gaogang_2017_2020")
    prov = sc.provenance(PARAM)
    factor = check_factor(PARAM, prov["low"], prov["high"])
    _, _, summary = sweep(sc, [factor], "grid", {PARAM: steps}, replicates=replicates,
                          seed=args.seed, out=out, **_common.executor_kwargs(args))
    write_sweep(out, summary, [PARAM], sc)
    wide = summary.pivot_table(index="target", columns=PARAM, values="p_met", sort=False)
    spread = (wide.max(axis=1) - wide.min(axis=1)).sort_values(ascending=False)
    print(f"{sc.name}: {PARAM} from {factor.low:,.0f} to {factor.high:,.0f} yuan, {steps} "
          f"steps × {replicates} replicates\n")
    print("targets whose probability of being met responds to the reward (max − min P(met)):")
    resp = wide.loc[spread.index[spread > 0.1]]
    if len(resp):
        resp.columns = [f"{c / 1e6:.2f} M" for c in resp.columns]
        _common.show(resp.reset_index(), "{:.2f}")
    else:
        print("  none by more than 0.1")
    landed = summary[summary["target"] == "offshore_projects_landed_per_year"]
    if len(landed):
        print("\nlanded offshore projects in 2020 (median, 5–95 %) by reward:")
        landed = landed.assign(**{"reward (M yuan)": landed[PARAM] / 1e6})
        _common.show(landed[["reward (M yuan)", "median", "q05", "q95", "p_met"]], "{:.3g}")
    print(f"\nWritten to {out}/: sweep_summary.csv, figures/ (one dose–response curve per target)")


if __name__ == "__main__":
    _common.run(main)
