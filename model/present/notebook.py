"""What the notebooks use: their set-up, showing figures and text; the tables and sentences
written from the results are :mod:`zonesim.present.reading`'s (shared with brief.html).

The notebooks start with ``from zonesim.present.notebook import *`` and
``SMALL, WORKERS, OUT, POOL = start(SIZE)``; everything else they use is defined here or in the
modules this one imports (the labels, formats and figures of :mod:`zonesim.present`). Figures
are English only (matplotlib's default fonts have no CJK glyphs); the documents' Chinese terms
are in the notebooks' text.
"""

from __future__ import annotations

import signal
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from zonesim.engine.zones import tier_criteria
from zonesim.present import reading
from zonesim.present.figures import (band, by_replicate, drivers_figure, fan_bands, fan_figure,
                                     p_met_figure, per_zone_figure)
from zonesim.present.formats import LIKELY, UNLIKELY, num, verdict_counts, wrap
from zonesim.present.labels import goals, label, target_goal, target_label, value_text
from zonesim.present.reading import (KINDS, by_kind, gap_table, kind_of, markdown, overshoot,
                                     tally, verdicts)
from zonesim.registry import scopes
from zonesim.registry.indicators import TIER_LABEL, TIERS

#: what ``from zonesim.present.notebook import *`` gives a notebook
__all__ = ["KINDS", "LIKELY", "UNLIKELY", "band", "by_kind", "drivers", "fan", "fan_bands",
           "findings", "gap_table", "goals", "growth_rate", "held_back", "kind_of", "label",
           "medians", "num", "overshoot", "p_met_chart", "path_text", "per_zone",
           "promotion_check", "say", "show", "start", "tally", "target_goal", "target_label",
           "value_text", "verdict_counts", "verdicts", "wrap"]

#: figure resolution (keeps the HTML renders small)
DPI = 100
#: the folder figures are written to (a temporary folder, never the repository); set by start()
OUT: Path | None = None


def start(size: str):
    """Settle a notebook's size: ``"small"`` (the test suite: a few replicates, one process) or
    ``"full"`` (presentation). Returns ``(SMALL, WORKERS, OUT, POOL)``: whether small, the
    worker processes, the figure folder and one process pool for every run of the notebook
    (None: run in the kernel's process)."""
    global OUT
    if size not in ("small", "full"):
        raise ValueError(f"SIZE must be 'small' or 'full', got {size!r}")
    small = size == "small"
    workers = 1 if small else 2
    OUT = Path(tempfile.mkdtemp(prefix="zonesim_notebook_"))
    pool = None
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        # workers leave Ctrl-C and the kernel's shutdown interrupt to the notebook's process,
        # which shuts the pool down: otherwise each worker prints a KeyboardInterrupt traceback
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts)
    pd.set_option("display.width", 170)
    pd.set_option("display.max_colwidth", 70)
    pd.set_option("display.max_rows", 200)
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    return small, workers, OUT, pool


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def show(fig, name):
    """Save a figure under OUT and display it."""
    from IPython.display import Image, display

    path = OUT / f"{name}.png"
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    display(Image(filename=str(path)))


def say(text):
    """Text computed from the results, shown as formatted text."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def fan(scenario, table, t, name):
    """Show :func:`fan_figure`, or say why there is none."""
    fig = fan_figure(scenario, table, t)
    if fig is None:
        say(
            f"*{t.id}: the indicator is undefined in every replicate "
            + ("(growth from a base year without a simulated value)" if t.measure == "cagr" else "")
            + " — no chart; the target counts as missed.*"
        )
        return
    show(fig, name)


def p_met_chart(summary, scenario, title, name):
    """Show :func:`p_met_figure`."""
    show(p_met_figure(summary, scenario, title), name)


def findings(summary, scenario, name):
    """Show the verdicts in sentences (:func:`zonesim.present.reading.findings`)."""
    say(markdown(reading.findings(summary, scenario, name)))


def drivers(table, scenario, pairs, title, name, ncols=3):
    """Show :func:`drivers_figure`."""
    show(drivers_figure(table, scenario, pairs, title, ncols), name)


def per_zone(table, scenario, target, name):
    """Show :func:`per_zone_figure`, or say that no zone is in the target's scope."""
    fig = per_zone_figure(table, scenario, target)
    if fig is None:
        print(f"{target.id}: no zone reaches the tier in scope in any replicate")
        return
    show(fig, name)


def held_back(table, scenario, summary, threshold=0.5, prefix="missed"):
    """For every target met in fewer than `threshold` of replicates: one sentence on the gap
    (:func:`zonesim.present.reading.held_back`), the fan chart of its indicator against the
    target, and for per-zone targets each zone's value."""
    for t, runs in reading.held_back(summary, scenario, threshold):
        say(markdown([("p", runs)]))
        fan(scenario, table, t, f"{prefix}_{t.id}")
        if scopes.parse(t.scope).kind == "each_zone":
            per_zone(table, scenario, t, f"{prefix}_{t.id}_zones")


def medians(table, indicator, scope):
    """Median over replicates of an indicator by year, for one scope."""
    return table[table["scope"] == scope].groupby("year")[indicator].median()


def path_text(table, indicator, scope, y0=None, y1=None):
    """'from A (y0) to B (y1)' for the median path of an indicator."""
    s = medians(table, indicator, scope).dropna()
    y0 = s.index.min() if y0 is None else y0
    y1 = s.index.max() if y1 is None else y1
    return f"from {value_text(s[y0], indicator)} ({y0}) to {value_text(s[y1], indicator)} ({y1})"


def growth_rate(table, indicator, scope, y0, y1):
    """Median over replicates of the average yearly growth y0→y1."""
    w = by_replicate(table, indicator, scope)
    return float(((w[y1] / w[y0]) ** (1 / (y1 - y0)) - 1).median())


def promotion_check(table, scenario, year, zone_ids=None):
    """For each zone not yet at its highest tier in `year`: the criteria of its next tier at the
    scenario's parameter values (zonesim.engine.zones.tier_criteria; for special parks, whose
    only step is recognition, their recognition criteria) — the zone's median value, and the
    share of replicates meeting each. Shows which criterion holds a zone back. One row per zone
    and criterion."""
    rows = []
    for z in scenario.zones:
        if zone_ids is not None and z.id not in zone_ids:
            continue
        sub = table[(table["scope"] == scopes.zone_scope(z.id)) & (table["year"] == year)]
        if sub.empty:
            continue
        now = int(round(sub["zone_tier_level"].median()))
        park = z.kind == "special_park"
        nxt = 1 if park else now + 1
        if (park and now >= 1) or nxt >= len(TIERS):
            continue
        crit = tier_criteria(nxt, park, scenario.values())
        crit = {ind: need for ind, need in crit.items() if need > 0}
        together = np.logical_and.reduce(
            [sub[ind].to_numpy() >= need for ind, need in crit.items()]
        )
        for ind, need in crit.items():
            rows.append(
                {
                    "zone": z.id,
                    f"tier in {year}": TIER_LABEL[now],
                    "next tier": TIER_LABEL[nxt],
                    "criterion": label(ind),
                    "required": f"≥ {value_text(need, ind)}",
                    "zone's median": value_text(sub[ind].median(), ind),
                    "met in (% of replicates)": round(100 * float((sub[ind] >= need).mean())),
                }
            )
        rows.append(
            {
                "zone": z.id,
                f"tier in {year}": TIER_LABEL[now],
                "next tier": TIER_LABEL[nxt],
                "criterion": "all criteria together",
                "required": "",
                "zone's median": "",
                "met in (% of replicates)": round(100 * float(together.mean())),
            }
        )
    return (
        pd.DataFrame(rows).set_index(["zone", f"tier in {year}", "next tier"])
        if rows
        else pd.DataFrame()
    )
