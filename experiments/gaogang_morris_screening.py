"""Gaogang 2017→2020: which assumptions and levers matter? A Morris screening.

Morris elementary effects (20 trajectories, 4 levels, 5 replicates per point) over every
assumption of gaogang_2017_2020 with a low–high range and every lever: for each target, the
probability of meeting it and its margin (indicator / target). Factors are then ranked for the
Sobol analysis (experiments/gaogang_sobol.py reads the choice from screening.csv):

- the margins (indicator / target) are used — P(met) is a thresholded, noisier view of the
  same runs — leaving out those whose variance is mostly replicate noise
  (noise_share_of_mean > 0.5);
- in each margin μ* is scaled by the largest μ* of that output;
- a factor's score is its mean scaled μ* over the outputs (breadth of influence; the largest,
  and the output where it occurs, are listed too); the 10 best are kept, fewer if scores fall
  below 0.1, but at least 8.

    python experiments/gaogang_morris_screening.py [--quick]
"""

from __future__ import annotations

import _common

from zonesim.analysis.sensitivity import sensitivity
from zonesim.present import write_sensitivity
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import load_scenario

SCENARIO = "gaogang_2017_2020"


def screen(indices, noise, keep_min: int = 8, keep_max: int = 10, threshold: float = 0.1,
           max_noise: float = 0.5):
    """Rank factors by their mean scaled μ* over the margins that are not mostly noise."""
    noisy = set(noise.loc[noise["noise_share_of_mean"] > max_noise, "output"])
    mu = indices[(indices["index"] == "mu_star") & indices["output"].str.startswith("margin:")]
    kept = mu[~mu["output"].isin(noisy)]
    if kept.empty:
        kept = mu
    scaled = kept.assign(scaled=kept["value"] / kept.groupby("output")["value"].transform("max"))
    scaled = scaled.dropna(subset=["scaled"])
    g = scaled.groupby("parameter")
    table = g["scaled"].agg(score="mean", max_score="max").reset_index()
    top = scaled.loc[g["scaled"].idxmax(), ["parameter", "output"]].rename(
        columns={"output": "top_output"})
    table = table.merge(top, on="parameter")
    table["kind"] = [PARAMETERS[p].kind for p in table["parameter"]]
    table = table.sort_values(["score", "max_score"], ascending=False, ignore_index=True)
    n = int((table["score"] >= threshold).sum())
    n = min(max(n, keep_min), keep_max, len(table))
    table["selected"] = table.index < n
    return table, sorted(noisy & set(mu["output"]))


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0]).parse_args()
    out = _common.out_folder(args, __file__)
    n, replicates = (4, 2) if args.quick else (20, 5)
    sc = load_scenario(SCENARIO)
    res = sensitivity(sc, "morris", n, replicates, args.seed, out=out,
                      **_common.executor_kwargs(args))
    write_sensitivity(out, res, sc)
    table, noisy = screen(res["indices"], res["noise"])
    table.to_csv(out / "screening.csv", index=False)
    d = res["problem"]["num_vars"]
    print(f"Morris screening of {sc.name}: {d} factors, {n} trajectories = {len(res['design'])} "
          f"points × {replicates} replicates")
    margins = res["noise"]["output"].str.startswith("margin:").sum()
    print(f"{len(noisy)} of {margins} margins left out as mostly replicate noise")
    print("\nfactors ranked (score = mean over margins of μ* scaled by the output's largest):")
    _common.show(table.head(20), "{:.2f}")
    sel = table.loc[table["selected"], "parameter"].tolist()
    print(f"\nselected for Sobol ({len(sel)}): {', '.join(sel)}")
    print(f"\nWritten to {out}/: screening.csv, indices.csv, convergence.csv, "
          "replicate_noise.csv, report.md, overview.png, figures/")


if __name__ == "__main__":
    _common.run(main)
