"""Rewrite the stored regression baseline: ``python3 tests/update_baseline.py``.

The only command that changes ``tests/baseline/``. Run it when a change of results is meant,
and say in the commit why the numbers moved. It prints which scenarios' tables changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regression import BASELINE, SCENARIOS, compute, path, stored  # noqa: E402


def main() -> None:
    BASELINE.mkdir(exist_ok=True)
    for scenario in SCENARIOS:
        table = compute(scenario)
        before = stored(scenario) if path(scenario).exists() else None
        status = "new" if before is None else ("unchanged" if before.equals(table) else "CHANGED")
        table.to_parquet(path(scenario), index=False)
        print(f"{scenario}: {status} ({len(table)} rows)")


if __name__ == "__main__":
    main()
