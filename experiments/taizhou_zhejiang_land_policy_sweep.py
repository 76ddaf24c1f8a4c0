"""Taizhou (Zhejiang) 2024→2027: land policy — yearly land quota against the standard-land bar.

A grid over two land levers of seed 002 (§六(二)): land_quota_mu_per_year (new industrial land
for the zones each year, 1 000–4 000 mu) and standard_land_min_tax_yuan_per_mu (the tax per mu
a project must promise under the 标准地 system, 50–300 k yuan). For each target, the
probability of meeting it at every combination; a heatmap per target.

    python experiments/taizhou_zhejiang_land_policy_sweep.py [--quick]
"""

from __future__ import annotations

import _common

from zonesim.analysis.space import check_factor
from zonesim.analysis.sweep import sweep
from zonesim.present import write_sweep
from zonesim.scenario import load_scenario

PARAMS = ["land_quota_mu_per_year", "standard_land_min_tax_yuan_per_mu"]


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    out = _common.out_folder(args, __file__)
    steps, replicates = (2, 2) if args.quick else (4, 12)
    sc = load_scenario("taizhou_zhejiang_2024_2027")
    factors = [check_factor(p, sc.provenance(p)["low"], sc.provenance(p)["high"]) for p in PARAMS]
    _, _, summary = sweep(sc, factors, "grid", {p: steps for p in PARAMS},
                          replicates=replicates, seed=args.seed, out=out,
                          **_common.executor_kwargs(args))
    write_sweep(out, summary, PARAMS, sc)
    print(f"{sc.name}: {steps}×{steps} grid × {replicates} replicates\n")
    for t, s in summary.groupby("target", sort=False):
        wide = s.pivot_table(index=PARAMS[0], columns=PARAMS[1], values="p_met")
        spread = wide.to_numpy().max() - wide.to_numpy().min()
        print(f"{t}: P(met) from {wide.to_numpy().min():.2f} to {wide.to_numpy().max():.2f}"
              + ("" if spread > 0.1 else "  (insensitive to land policy here)"))
        if spread > 0.1:
            wide.index = [f"{v:,.0f} mu" for v in wide.index]
            wide.columns = [f"{v / 1e4:.0f} 万/mu" for v in wide.columns]
            _common.show(wide.reset_index().rename(columns={"index": "quota \\ standard"}),
                         "{:.2f}")
    print(f"\nWritten to {out}/: sweep_summary.csv, figures/ (a heatmap per target)")


if __name__ == "__main__":
    _common.run(main)
