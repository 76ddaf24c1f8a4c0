"""The parameter registry: every model parameter, its default, unit, meaning and provenance.

One registry in the manner of Covasim's ``parameters.py``: scenario files may only set names
listed here (unknown names are rejected with the list of valid ones), and every value a run uses
carries a provenance: ``seed`` (a clause of a source document), ``statistic`` (a published figure
and where) or ``assumption`` (with a plausible ``low``–``high`` range, which is what sensitivity
analysis varies). The entries live in one module per kind (:mod:`.levers`, :mod:`.uncertainties`,
:mod:`.assumptions`, :mod:`.initial`); :class:`~zonesim.registry.parameter.Parameter` says what
an entry holds.
"""

from __future__ import annotations

from zonesim.registry.assumptions import ASSUMPTIONS
from zonesim.registry.initial import INITIAL
from zonesim.registry.levers import LEVERS
from zonesim.registry.parameter import Parameter
from zonesim.registry.uncertainties import UNCERTAINTIES

PARAMETERS: dict[str, Parameter] = {p.name: p for p in [*LEVERS, *UNCERTAINTIES, *ASSUMPTIONS,
                                                         *INITIAL]}




def defaults() -> dict[str, float | int | str]:
    """Every parameter at its registry default."""
    return {name: p.default for name, p in PARAMETERS.items()}


def _number(v) -> str:
    if isinstance(v, str):
        return v
    if float(v).is_integer() and abs(v) >= 10_000:
        return f"{int(v):,}"
    return f"{v:g}"


def registry_markdown() -> str:
    """The registry as the Markdown table of docs/ODD.md §10.1, with its counts (printed by
    ``zonesim parameters --format markdown``; a test keeps the document equal to it)."""
    from collections import Counter

    ps = list(PARAMETERS.values())
    kinds, provs = Counter(p.kind for p in ps), Counter(p.provenance for p in ps)
    head = (f"{len(ps)} parameters: {kinds['lever']} levers, {kinds['uncertainty']} "
            f"uncertainties, {kinds['initial']} initial, {kinds['fixed']} fixed; provenance of the defaults: "
            + ", ".join(f"{provs[k]} {k}" for k in ("assumption", "statistic", "seed")) + ".")
    rows = ["| name | default | unit | kind | provenance | low–high | source |",
            "|---|---|---|---|---|---|---|"]
    for p in ps:
        rng = f"{_number(p.low)}–{_number(p.high)}" if p.low is not None else "—"
        rows.append(f"| `{p.name}` | {_number(p.default)} | {p.unit} | {p.kind} | "
                    f"{p.provenance} | {rng} | {p.source} |")
    return head + "\n\n" + "\n".join(rows)
