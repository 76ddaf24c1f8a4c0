"""A registered parameter: its default, unit, meaning, kind and provenance (the entries are in
``parameters.toml``; :mod:`zonesim.registry.parameters` loads and checks them).

One registry in the manner of Covasim's ``parameters.py``: scenario files may only set names
listed here (unknown names are rejected with the closest valid ones), and every value a run uses
carries a provenance: ``seed`` (a clause of a source document), ``statistic`` (a published figure
and where) or ``assumption`` (with a plausible ``low``–``high`` range, which is what sensitivity
analysis varies).

Kinds follow the EMA workbench vocabulary:

- ``lever`` — a policy instrument the government sets (subsidy rate, land quota, ...);
- ``uncertainty`` — a behavioural or structural quantity nobody controls and nobody knows exactly;
- ``initial`` — the starting population and its calibration to the place simulated;
- ``fixed`` — a number the engine needs that is not for analysis to vary: a numerical guard or
  a definition, each with its reason in ``source`` (no range).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Provenance = Literal["seed", "statistic", "assumption"]
Kind = Literal["lever", "uncertainty", "initial", "fixed"]


@dataclass(frozen=True)
class Parameter:
    """One registered parameter and the provenance of its default value."""

    name: str
    default: float | int | str
    unit: str
    meaning: str
    kind: Kind
    provenance: Provenance
    source: str
    low: float | None = None
    high: float | None = None
    #: hard limits of the valid domain (a value outside them is an input error)
    minimum: float | None = None
    maximum: float | None = None
    #: allowed values of a categorical parameter
    choices: tuple[str, ...] = field(default=())
    integer: bool = False
    #: a lever's purpose, "indicator@scope": what its high end is meant to raise ("-" first:
    #: to lower) in the scope it acts on, measured by ``zonesim levers``
    #: (:mod:`zonesim.analysis.levers`)
    moves: str = ""

    @property
    def categorical(self) -> bool:
        return bool(self.choices)
