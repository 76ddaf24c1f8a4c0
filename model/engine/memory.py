"""Runs too large for the machine are refused before they start, with the estimate.

A run's memory is its firm store and the temporaries of the yearly rules, bounded above by
:data:`PEAK_ROW_FACTOR` times the store's bytes, plus the process itself. Without this check a
scenario with 10⁹ initial firms allocates until the machine runs out and dies with a MemoryError
traceback (or is killed) after minutes of work; the same check guards the store when entry makes
it grow during a run.
"""

from __future__ import annotations

import psutil

from zonesim.errors import ZonesimError

#: A run's peak memory per row of its firm store, in multiples of the row's bytes: the store and
#: the temporaries of the yearly rules. Measured with tracemalloc at 1.31 (Gaogang, Nantong 2024,
#: Jiangsu one-zone-one-industry at 5 000, 20 000 and 80 000 initial firms); 1.5 leaves a
#: margin, and tests/test_misuse.py checks it stays above what runs use.
PEAK_ROW_FACTOR = 1.5
#: Resident memory of a worker process with zonesim imported, bytes: measured ≈ 200 MB
#: (psutil RSS after importing zonesim and running one Gaogang replicate), rounded up.
PROCESS_BYTES = 256 * 2**20


class MemoryLimitError(ZonesimError):
    """A run whose estimated memory exceeds what the machine has available."""


def peak_store_bytes(rows: int, row_bytes: int) -> int:
    """An upper estimate of a run's peak memory with a firm store of ``rows`` rows of
    ``row_bytes`` bytes, the process itself aside."""
    return int(PEAK_ROW_FACTOR * row_bytes * rows)


def require(each: int, at_once: int, cause: str, remedy: str) -> int:
    """``at_once`` × ``each`` bytes, if the machine has that much available; otherwise a
    :class:`MemoryLimitError` saying ``cause`` needs it and suggesting ``remedy``."""
    need = at_once * each
    have = psutil.virtual_memory().available
    if need > have:
        side = f"{at_once} runs at once × {_gb(each)} each" if at_once > 1 else "one run"
        fewer = "fewer --workers or " if at_once > 1 and each <= have else ""
        raise MemoryLimitError(f"{cause}: the run needs about {_gb(need)} ({side}) and this "
                               f"machine has {_gb(have)} available; use {fewer}{remedy}")
    return need


def _gb(n: int) -> str:
    return f"{n / 2**30:.1f} GB"
