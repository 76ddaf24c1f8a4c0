"""Run the four zonesim benchmarks one after another (none is a pytest test).

    python benchmarks/run_all.py [--quick]

``--quick``: fewer repeats everywhere and 3 instead of 10 years in ``scale``.
Each benchmark prints its own figures and, where a goal applies, the ratio measured in the same
process and whether the goal is met.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    runs = [
        ("engine_vs_mesa.py", ["--repeats", "3", "--seeds", "6"] if quick else []),
        ("scale.py", ["--quick"] if quick else []),
        ("sweep_throughput.py", ["--repeats", "2"] if quick else []),
        ("scenario_run.py", ["--repeats", "3", "--profile"] if quick else ["--profile"]),
    ]
    status = 0
    for script, extra in runs:
        print(f"\n=== {script} {' '.join(extra)}", flush=True)
        t = time.perf_counter()
        rc = subprocess.call([sys.executable, str(HERE / script), *extra])
        print(f"=== {script}: exit {rc}, {time.perf_counter() - t:.0f} s", flush=True)
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main())
