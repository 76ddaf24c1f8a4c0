"""Nantong 2025→2027: what drives the special-park targets? A Morris screening.

Morris elementary effects over every assumption with a range and every lever of
nantong_2024_2027 (10 trajectories, 5 replicates per point), for the four targets of seed 004:
30 special parks, 1 000 high-tech or specialised firms in them, 50 R&D institutions in them and
two 10-billion clusters. Prints the five most influential factors of each target's margin and
probability of being met.

    python experiments/nantong_special_park_sensitivity.py [--quick]
"""

from __future__ import annotations

import _common

from zonesim.analysis.sensitivity import sensitivity
from zonesim.present import write_sensitivity
from zonesim.scenario import load_scenario

QUICK_FACTORS = ["special_park_tilt", "land_quota_mu_per_year", "projects_attracted_per_zone",
                 "strategic_focus", "firm_birth_rate", "rd_institution_setup_rate",
                 "high_tech_upgrade_rate", "score_judged_ip_points"]


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    out = _common.out_folder(args, __file__)
    n, replicates = (3, 2) if args.quick else (10, 5)
    sc = load_scenario("nantong_2024_2027")
    res = sensitivity(sc, "morris", n, replicates, args.seed,
                      names=QUICK_FACTORS if args.quick else None, out=out,
                      **_common.executor_kwargs(args))
    write_sensitivity(out, res, sc)
    idx = res["indices"]
    noise = res["noise"].set_index("output")["noise_share_of_mean"]
    print(f"Morris screening of {sc.name}: {res['problem']['num_vars']} factors, {n} "
          f"trajectories = {len(res['design'])} points × {replicates} replicates\n")
    mu = idx[idx["index"] == "mu_star"]
    for o, d in mu.groupby("output", sort=False):
        top = d.sort_values("value", ascending=False).head(5)
        print(f"{o} (replicate noise {noise.get(o, float('nan')):.2f} of its variance):")
        print("   " + "; ".join(f"{r.parameter} {r.value:.3g}" for r in top.itertuples()))
    for r in res["skipped"].itertuples():
        print(f"{r.output}: not analysed ({r.reason})")
    print(f"\nWritten to {out}/: indices.csv, report.md, overview.png, figures/")


if __name__ == "__main__":
    _common.run(main)
