"""Gaogang 2017→2020: Sobol indices of the factors that survive the Morris screening.

Reads the selected factors from the screening's screening.csv (run
experiments/gaogang_morris_screening.py first; with --quick, its quick version) and runs a
Sobol analysis with N = 256 (a power of two; N × (D + 2) points, 5 replicates each): first-order
and total indices with bootstrap intervals for every target's probability of being met and its
margin, the N/2 convergence check and the share of variance that is replicate noise.

    python experiments/gaogang_sobol.py [--quick]
"""

from __future__ import annotations

import sys

import pandas as pd

import _common

from zonesim.analysis.sensitivity import sensitivity
from zonesim.present import convergence_summary, write_sensitivity
from zonesim.scenario import load_scenario

SCENARIO = "gaogang_2017_2020"


def main() -> None:
    p = _common.parser(__doc__.splitlines()[0])
    p.add_argument("--screening", default=None,
                   help="screening.csv of the Morris run (default: the screening script's "
                        "output folder)")
    args = p.parse_args()
    out = _common.out_folder(args, __file__)
    screening = args.screening or (_common.REPO / "out" / (
        "gaogang_morris_screening" + ("_quick" if args.quick else "")) / "screening.csv")
    try:
        table = pd.read_csv(screening)
    except FileNotFoundError:
        print(f"error: {screening} not found; run experiments/gaogang_morris_screening.py"
              + (" --quick" if args.quick else "") + " first", file=sys.stderr)
        raise SystemExit(2)
    factors = table.loc[table["selected"], "parameter"].tolist()
    if args.quick:
        factors = factors[:4]
    n, replicates = (16, 2) if args.quick else (256, 5)
    sc = load_scenario(SCENARIO)
    res = sensitivity(sc, "sobol", n, replicates, args.seed, names=factors, out=out,
                      **_common.executor_kwargs(args))
    write_sensitivity(out, res, sc)
    idx = res["indices"]
    print(f"Sobol analysis of {sc.name}: {len(factors)} factors from {screening}, N = {n} → "
          f"{len(res['design'])} points × {replicates} replicates\n")
    st = idx[idx["index"] == "ST"].pivot_table(index="parameter", columns="output",
                                               values="value")
    summary = pd.DataFrame({"median ST over outputs": st.median(axis=1),
                            "max ST": st.max(axis=1),
                            "outputs with ST > 0.1": (st > 0.1).sum(axis=1),
                            "max S1": idx[idx["index"] == "S1"].groupby("parameter")["value"]
                            .max()}).sort_values("median ST over outputs", ascending=False)
    _common.show(summary.reset_index(), "{:.2f}")
    s1 = idx[idx["index"] == "S1"].groupby("output")["value"].sum()
    print(f"\nsum of S1 over factors, median over outputs: {s1.median():.2f} "
          "(1 = additive; lower = interactions)")
    if len(res["convergence"]):
        cs = convergence_summary(res["convergence"], "sobol")
        print(f"convergence: median rank correlation of ST at N/2 and N "
              f"{cs['rank_correlation'].median():.2f}; {int((cs['rank_correlation'] < 0.8).sum())} "
              f"of {len(cs)} outputs below 0.8")
    noise = res["noise"]["noise_share_of_mean"]
    print(f"replicate noise: median share of an output's variance {noise.median():.2f}")
    print(f"\nWritten to {out}/: indices.csv, convergence.csv, replicate_noise.csv, report.md, "
          "overview.png, figures/")


if __name__ == "__main__":
    _common.run(main)
