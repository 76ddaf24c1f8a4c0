"""The parameter registry: every model parameter, its default, unit, meaning and provenance.

One registry in the manner of Covasim's ``parameters.py``, kept as data in
``parameters.toml`` beside this module: scenario files may only set names listed there (unknown
names are rejected with the closest valid ones), and every value a run uses carries a
provenance: ``seed`` (a clause of a source document), ``statistic`` (a published figure and
where) or ``assumption`` (with a plausible ``low``–``high`` range, which is what sensitivity
analysis and calibration vary). :class:`~zonesim.registry.parameter.Parameter` says what an
entry holds; :func:`_entry` checks each one as the package loads.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from dataclasses import fields
from pathlib import Path
from typing import get_args

from zonesim.registry.parameter import Kind, Parameter, Provenance

REGISTRY_FILE = Path(__file__).with_name("parameters.toml")
_FIELDS = {f.name for f in fields(Parameter)}


def _entry(raw: dict) -> Parameter:
    """One registry entry, checked: known fields, kind and provenance, a finite valid domain
    (``minimum`` and ``maximum``) for every numeric parameter, a default inside its range and
    domain, a range for every non-fixed numeric assumption and none for a fixed value."""
    name = raw.get("name", "?")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ValueError(f"{REGISTRY_FILE.name}: parameter {name}: unknown field(s) {unknown}")
    p = Parameter(**{**raw, "choices": tuple(raw.get("choices", ()))})
    if not p.categorical and not all(
            isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b)
            for b in (p.minimum, p.maximum)):
        # a run must never meet a value the model was not checked at (tests/test_parameter_bounds)
        raise ValueError(f"{REGISTRY_FILE.name}: parameter {name}: a numeric parameter needs a "
                         f"finite minimum and maximum, got {p.minimum!r} and {p.maximum!r}")
    problems = []
    if p.kind not in get_args(Kind) or p.provenance not in get_args(Provenance):
        problems.append(f"kind {p.kind!r} / provenance {p.provenance!r}")
    ranged = p.low is not None and p.high is not None
    if not p.categorical and not p.minimum <= p.default <= p.maximum:
        problems.append("default outside the valid domain")
    if p.integer and not (float(p.minimum).is_integer() and float(p.maximum).is_integer()):
        problems.append("an integer parameter's domain ends not whole")
    if ranged and not p.low <= p.default <= p.high:
        problems.append("default outside its range")
    if ranged and ((p.minimum is not None and p.low < p.minimum)
                   or (p.maximum is not None and p.high > p.maximum)):
        problems.append("range outside the valid domain")
    if p.kind == "fixed" and (p.low is not None or p.high is not None):
        problems.append("a fixed value has no range")
    if (p.provenance == "assumption" and p.kind != "fixed" and not p.categorical
            and not ranged):
        problems.append("an assumption needs a low-high range")
    if problems:
        raise ValueError(f"{REGISTRY_FILE.name}: parameter {name}: {'; '.join(problems)}")
    return p


PARAMETERS: dict[str, Parameter] = {
    p.name: p for p in map(_entry, tomllib.loads(
        REGISTRY_FILE.read_text(encoding="utf-8"))["parameter"])}


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
    ps = list(PARAMETERS.values())
    kinds, provs = Counter(p.kind for p in ps), Counter(p.provenance for p in ps)
    head = (f"{len(ps)} parameters: {kinds['lever']} levers, {kinds['uncertainty']} "
            f"uncertainties, {kinds['initial']} initial, {kinds['fixed']} fixed; provenance of "
            "the defaults: "
            + ", ".join(f"{provs[k]} {k}" for k in ("assumption", "statistic", "seed")) + ".")
    rows = ["| name | default | unit | kind | provenance | low–high | source |",
            "|---|---|---|---|---|---|---|"]
    for p in ps:
        rng = f"{_number(p.low)}–{_number(p.high)}" if p.low is not None else "—"
        rows.append(f"| `{p.name}` | {_number(p.default)} | {p.unit} | {p.kind} | "
                    f"{p.provenance} | {rng} | {p.source} |")
    return head + "\n\n" + "\n".join(rows)
