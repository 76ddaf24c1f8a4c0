"""Gaogang: when does weeding out zombie offshore bases pay?

Seed 003 §三(五)1 weeds out 挂名/空壳/僵尸 bases and founds new ones in their place (淘汰滕换). A
weeded base's tenants are lost and its successor admits only after a set-up lag, while the
better bases it selects feed landings only after their projects' incubation (about two years).
This script measures the weeding lever (zombie_base_min_projects, 0 → 6 projects a year) on the
landed offshore projects at horizons beyond the plan's 2020, running the 2017 scenario on with
its 2020 policies, on common random numbers (`zonesim levers` at each horizon).

    python experiments/gaogang_offshore_weeding.py [--quick]
"""

from __future__ import annotations

import _common
import pandas as pd

from zonesim.analysis.levers import lever_effects
from zonesim.scenario import load_scenario

LEVER = "zombie_base_min_projects"


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    out = _common.out_folder(args, __file__)
    replicates, horizons = (4, (2020, 2022)) if args.quick else (48, (2020, 2022, 2024, 2026))
    sc = load_scenario("gaogang_2017_2020")
    rows = []
    for year in horizons:
        run_on = sc.model_copy(update={"meta": sc.meta.model_copy(update={"end_year": year})})
        table = lever_effects(run_on, replicates=replicates, seed=args.seed,
                              out=out / str(year), levers=[LEVER], **_common.executor_kwargs(args))
        rows.append(table.assign(horizon=year))
    t = pd.concat(rows)
    print(f"{sc.name} run on past 2020: {LEVER} {t['low'].iloc[0]:g} → {t['high'].iloc[0]:g}, "
          f"{replicates} replicates on common random numbers\n")
    print("landed offshore projects in the horizon's year (mean at each end, paired change):")
    _common.show(t[["horizon", "mean_low", "mean_high", "relative", "effect_low", "effect_high",
                    "verdict"]], "{:.3g}")
    print(f"\nWritten to {out}/<horizon>/")


if __name__ == "__main__":
    _common.run(main)
