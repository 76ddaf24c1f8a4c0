"""The base of zonesim's Mesa agents (zones, incubators, the government)."""

from __future__ import annotations

import itertools
import weakref

import mesa


class _IdCounters(weakref.WeakKeyDictionary):
    """Each model's agent-id counter, held weakly. Mesa 3.3 keeps these counters in a plain
    class-level dict keyed by model, so every model ever built stays in memory (1-7 MB a run,
    gigabytes over a sweep: mesa issue #3179, fixed upstream by PR #3180)."""

    def __getitem__(self, model):
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = self[model] = itertools.count(1)
            return counter


class Agent(mesa.Agent):
    """A mesa.Agent whose model can be freed once the run is over."""

    _ids = _IdCounters()
