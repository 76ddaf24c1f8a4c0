"""Province scale: the Nantong scenario at 10 000, 100 000 and 1 000 000 enterprises.

Each size runs in its own subprocess (so peak memory, ``ru_maxrss``, is that size's alone) over
10 years, quarterly (``--quick``: 3 years). The scenario is scaled in memory: the counts that
go with the number of firms (initial enterprises, high-tech enterprises, municipal R&D
institutions, population) and every zone's land stock are multiplied by N / (scenario's
initial_enterprises), and end_year is moved; zones' land stocks are not parameters, so the
scenario is replaced by a scaled copy rather than given overrides.

Prints the cost per (alive) enterprise-step of the whole model step (set-up excluded), set-up
time and peak RSS, and the ratio of the cost at the largest size to that at 10 000.

    python benchmarks/scale.py [--quick] [--sizes 10000 100000 1000000] [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time

SCENARIO = "nantong_2024_2027"
SCALED = ("initial_enterprises", "initial_rd_institutions_municipal_plus",
          "population_persons")


def scaled_scenario(n: int, years: int):
    from zonesim.scenario import load_scenario
    sc = load_scenario(SCENARIO)
    f = n / sc.value("initial_enterprises")
    params = dict(sc.parameters)
    for name in SCALED:
        value = n if name == "initial_enterprises" else int(round(sc.value(name) * f))
        pv = params[name]
        params[name] = pv.model_copy(update={"value": value, "low": None, "high": None})
    zones = [z.model_copy(update={"land_stock_mu": z.land_stock_mu * f}) for z in sc.zones]
    meta = sc.meta.model_copy(update={"end_year": sc.meta.start_year + years - 1})
    return sc.model_copy(update={"meta": meta, "parameters": params, "zones": zones}), f


def child(n: int, years: int, seed: int) -> dict:
    from zonesim.engine.model import ZoneModel
    sc, f = scaled_scenario(n, years)
    t0 = time.perf_counter()
    m = ZoneModel(sc, seed=seed)
    setup = time.perf_counter() - t0
    steps = years * m.steps_per_year
    spent, firm_steps = 0.0, 0
    for _ in range(steps):
        firm_steps += m.firms.n_alive
        t = time.perf_counter()
        m.step()
        spent += time.perf_counter() - t
    t = time.perf_counter()
    m.indicator_table()
    table = time.perf_counter() - t
    return {"n": n, "land_multiplier": f, "years": years, "steps": steps, "setup_s": setup,
            "run_s": spent + table, "firm_steps": firm_steps,
            "us_per_firm_step": (spent + table) / firm_steps * 1e6,
            "rows_at_end": m.firms.n, "alive_at_end": m.firms.n_alive,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="3 years instead of 10")
    ap.add_argument("--repeats", type=int, default=1,
                    help="subprocess runs per size (median); the 10 000 size always runs ≥ 3")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    years = 3 if args.quick else args.years
    if args.child:
        print(json.dumps(child(args.child, years, args.seed)))
        return 0
    print(f"scale: {SCENARIO} scaled to N enterprises, {years} years × 4 steps, "
          "one subprocess per run")
    results = {}
    for n in args.sizes:
        runs = []
        for _ in range(max(args.repeats, 3 if n <= 10_000 else 1)):
            cmd = [sys.executable, __file__, "--child", str(n), "--years", str(years),
                   "--seed", str(args.seed)]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode:
                print(out.stderr, file=sys.stderr)
                return 1
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = dict(runs[0])
        for k in ("us_per_firm_step", "run_s", "setup_s", "peak_rss_mb"):
            r[k] = statistics.median(x[k] for x in runs)
        results[n] = r
        print(f"  N = {n:>9,}: {r['us_per_firm_step']:7.3f} µs per enterprise-step "
              f"(median of {len(runs)}), run {r['run_s']:7.1f} s, set-up {r['setup_s']:6.1f} s, "
              f"peak RSS {r['peak_rss_mb']:8.0f} MB, alive at end {r['alive_at_end']:,} "
              f"(land × {r['land_multiplier']:.3g})", flush=True)
    small, big = min(results), max(results)
    ratio = results[big]["us_per_firm_step"] / results[small]["us_per_firm_step"]
    print(f"cost at {big:,} / cost at {small:,}: {ratio:.2f} (goal ≤ 1.5: "
          f"{'MET' if ratio <= 1.5 else 'NOT MET'})")
    mem = results[big]["peak_rss_mb"] / 1024
    print(f"peak memory at {big:,}: {mem:.2f} GB (goal ≤ 4 GB: "
          f"{'MET' if mem <= 4 else 'NOT MET'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
