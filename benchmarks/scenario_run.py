"""Wall time per replicate of each seed scenario against a bare numpy floor.

Seed scenarios: ``scenarios/*.toml`` that do not ``extends`` another file, at their default
size and horizon. A replicate is ``zonesim.run.run_replicate`` (set-up, run, indicator table).
The floor is a bare numpy loop over the same enterprise arrays (the model's firms after set-up,
copied) for the same number of steps, that only advances them: R&D and revenue accrual,
knowledge stock, a lognormal growth shock, Poisson patents, a Bernoulli exit mask, and the yearly
history shift — no rules, no zones, no incubators, no indicators. Medians of ``--repeats``.

    python benchmarks/scenario_run.py [--repeats 7] [--profile]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from zonesim.engine.model import ZoneModel, new_generator
from zonesim.run import replicate_seed, run_replicate
from zonesim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
GOAL_SCENARIO, GOAL_MS, GOAL_FLOOR_RATIO = "nantong_2024_2027", 50.0, 10.0


def seed_scenarios() -> list[str]:
    out = []
    for f in sorted(SCENARIOS.glob("*.toml")):
        text = f.read_text(encoding="utf-8")
        if not any(line.strip().startswith("extends") for line in text.splitlines()):
            out.append(f.stem)
    return out


def floor_loop(cols: dict, n_steps: int, steps_per_year: int, rng) -> None:
    """Advance the arrays only (the cheapest loop that touches the same state every step)."""
    dt = 1.0 / steps_per_year
    rev, rdi, know = cols["revenue"], cols["rd_intensity"], cols["knowledge"]
    rd_year, rev_year, alive = cols["rd_year"], cols["revenue_year"], cols["alive"]
    pats = cols["patent_applications_year"]
    n = len(rev)
    for s in range(n_steps):
        rd = rdi * rev * dt
        rd_year += rd
        rev_year += rev * dt
        know *= np.exp(-0.15 * dt)
        know += rd
        rev *= np.exp(0.02 * dt + 0.2 * np.sqrt(dt) * rng.standard_normal(n))
        pats += rng.poisson(rd * 1e-6)
        alive &= rng.random(n) >= 0.01
        if (s + 1) % steps_per_year == 0:
            for k in ("rd", "rev"):
                cols[f"{k}_hist_2"][:] = cols[f"{k}_hist_1"]
                cols[f"{k}_hist_1"][:] = cols[f"{k}_hist_0"]
            cols["rd_hist_0"][:] = rd_year
            cols["rev_hist_0"][:] = rev_year
            rd_year[:] = 0.0
            rev_year[:] = 0.0


def time_replicates(sc, repeats: int) -> list[float]:
    out = []
    for r in range(repeats):
        t = time.perf_counter()
        run_replicate(sc, seed=0, replicate=r)
        out.append(time.perf_counter() - t)
    return out


def time_floor(sc, repeats: int) -> tuple[list[float], int, int]:
    m = ZoneModel(sc, seed=replicate_seed(0, 0))
    n_steps = (m.end_year - m.start_year + 1) * m.steps_per_year
    out = []
    for r in range(repeats):
        cols = {c: getattr(m.firms, c).copy() for c in m.firms._data}
        t = time.perf_counter()
        floor_loop(cols, n_steps, m.steps_per_year, new_generator(r))
        out.append(time.perf_counter() - t)
    return out, m.firms.n, n_steps


def profile(name: str, lines: int = 45) -> str:
    from pyinstrument import Profiler
    sc = load_scenario(name)
    run_replicate(sc, 0, 0)                 # warm caches and imports
    prof = Profiler(interval=0.0005)
    prof.start()
    run_replicate(sc, 0, 1)
    prof.stop()
    text = prof.output_text(unicode=False, color=False, show_all=False)
    return "\n".join(text.splitlines()[:lines])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--profile", action="store_true",
                    help="also print a pyinstrument profile of one Nantong replicate (skipped "
                         "with a note if pyinstrument, the bench extra, is not installed)")
    args = ap.parse_args(argv)
    print(f"scenario_run: seed scenarios at default size, median of {args.repeats} replicates")
    verdict = 0
    for name in seed_scenarios():
        sc = load_scenario(name)
        run_replicate(sc, 0, 0)             # warm-up (imports, caches)
        reps = time_replicates(sc, args.repeats)
        floor, rows, n_steps = time_floor(sc, args.repeats)
        ms, fl = statistics.median(reps) * 1e3, statistics.median(floor) * 1e3
        ratio = ms / fl
        print(f"  {name:<40} {rows:>7,} rows × {n_steps:>2} steps: {ms:8.1f} ms per replicate, "
              f"floor {fl:6.2f} ms, ratio {ratio:6.1f}", flush=True)
        if name == GOAL_SCENARIO:
            ok_ms, ok_ratio = ms <= GOAL_MS, ratio <= GOAL_FLOOR_RATIO
            verdict = (ms, ratio, ok_ms, ok_ratio)
    if verdict:
        ms, ratio, ok_ms, ok_ratio = verdict
        print(f"{GOAL_SCENARIO}: {ms:.1f} ms per replicate (goal ≤ {GOAL_MS:.0f} ms: "
              f"{'MET' if ok_ms else 'NOT MET'}); {ratio:.1f}× the floor (goal ≤ "
              f"{GOAL_FLOOR_RATIO:.0f}×: {'MET' if ok_ratio else 'NOT MET'})")
    if args.profile and importlib.util.find_spec("pyinstrument") is None:
        # an optional extra: the timings above stand without it
        print('\nprofile skipped: pyinstrument is not installed (pip install -e ".[bench]" '
              "adds it)")
    elif args.profile:
        print(f"\npyinstrument, one {GOAL_SCENARIO} replicate:\n{profile(GOAL_SCENARIO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
