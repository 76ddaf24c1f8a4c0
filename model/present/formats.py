"""How numbers and text read: the number formatter, values in the planner's units (the
registry's ``DISPLAY_UNITS``: money in 亿元 and 万元, shares in %, tiers by name), text helpers
for the console and figures and the verdict a probability of meeting a target reads as."""

from __future__ import annotations

import re
import textwrap
import unicodedata

import numpy as np

from zonesim.registry.indicators import INDICATORS, TIER_LABEL, TIER_LEVEL, TIERS

#: CJK characters and full-width punctuation, which figures drop on a machine without a CJK font
#: (:mod:`zonesim.present.fonts`)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”]+")
#: a target's comparator as written for planners
COMP = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "~": "≈"}

#: P(met) from which a target reads as likely reached, and below which as likely missed.
LIKELY, UNLIKELY = 0.8, 0.2
#: The share of runs whose starting state meets a goal from which the planner is told so.
MET_AT_START = 0.5
#: What the targets that are not forecasts are, in a sentence.
NOT_FORECASTS = ("the scenario sets the quantity, its start value was taken from the goal, or the "
                 "number is the analyst's reading of a goal the document does not quantify: "
                 "their P(met) says so, not whether the plan succeeds, and no headline counts "
                 "them")
VERDICTS = ("likely reached", "uncertain", "likely missed")
VERDICT_RULE = {"likely reached": f"P ≥ {LIKELY}", "uncertain": f"{UNLIKELY} ≤ P < {LIKELY}",
                "likely missed": f"P < {UNLIKELY}"}
VERDICT_COLOR = {"likely reached": "tab:green", "uncertain": "tab:orange",
                 "likely missed": "tab:red"}


def latin(text: str) -> str:
    """``text`` without its Chinese: brackets left empty go, a bracket whose Chinese opened it
    keeps the rest ("(规上, revenue …)" → "(revenue …)")."""
    out = _CJK.sub("", text)
    out = re.sub(r"\(\s*[,;:]?\s*\)", "", out)
    out = re.sub(r"\(\s*[,;:]\s*", "(", out)
    out = re.sub(r"\s+([,.;:)])", r"\1", out)
    return re.sub(r"\s{2,}", " ", out).strip()


def wrap(text, width=60):
    return "\n".join(textwrap.wrap(text, width))


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for wide characters (Chinese), none for
    combining marks."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


#: Where a word too wide for its line may break: after an id's underscore, a hyphen, a slash or
#: a dash, and between Chinese characters (Chinese breaks between any two).
_WORD_BREAK = re.compile(r"(?<=[_/\-–])|(?<=[\u3000-\u9fff\uff00-\uffef])")


def _word_pieces(word: str, width: int) -> list[str]:
    """``word`` in lines of at most ``width`` columns, broken where :data:`_WORD_BREAK` allows
    (a part with no such place, which no label, id or reason has, is cut by characters)."""
    parts = []
    for part in _WORD_BREAK.split(word):
        while text_width(part) > width:
            n = next(i for i in range(len(part), 0, -1) if text_width(part[:i]) <= width)
            parts.append(part[:n])
            part = part[n:]
        parts.append(part)
    lines = [""]
    for part in filter(None, parts):
        if text_width(lines[-1] + part) > width:
            lines.append("")
        lines[-1] += part
    return lines


#: Columns the console's text fits in.
CONSOLE_WIDTH = 100


def console_text(text: str) -> str:
    """``text`` in lines of at most :data:`CONSOLE_WIDTH` columns (:func:`wrap_lines`)."""
    return "\n".join(wrap_lines(text, CONSOLE_WIDTH))


def wrap_lines(text: str, width: int, hang: int = 0) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns (:func:`text_width`), those
    after the first ``hang`` columns narrower (for a hanging indent), broken between words; a
    word wider than a line is broken inside it only where :data:`_WORD_BREAK` allows. No lines
    for empty text."""
    def room(line: int) -> int:
        return width if line == 0 else width - hang

    lines: list[str] = []
    for word in str(text).split():
        if lines and text_width(f"{lines[-1]} {word}") <= room(len(lines) - 1):
            lines[-1] += " " + word
        elif text_width(word) <= room(len(lines)):
            lines.append(word)
        else:
            lines += _word_pieces(word, width - hang)
    return lines


def _missing(v) -> bool:
    return v is None or not np.isfinite(v)


def num(v):
    """A number for text and tables: thousands separators, at most three significant digits for
    fractions; '–' when there is none."""
    if _missing(v):
        return "–"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.3g}"


def planner_unit(indicator: str, measure: str = "level") -> tuple[float, str]:
    """Divisor and the unit written after a value of ``indicator`` in text ("亿元", "%", ""
    for counts); growth rates (cagr) in %."""
    shown = INDICATORS[indicator].shown
    return (0.01, "%") if measure == "cagr" else (shown.divisor, shown.text)


def planner_value(v, indicator: str, measure: str = "level") -> str:
    """A value of ``indicator`` as the console writes it, in the registry's display unit:
    "57.7%", "1,000亿元", "2,258"; a tier by its name."""
    if INDICATORS[indicator].tiers and measure == "level" and not _missing(v):
        return TIER_LABEL.get(int(round(v)), num(v))
    divisor, unit = planner_unit(indicator, measure)
    return num(v) if _missing(v) else f"{num(v / divisor)}{unit}"


def planner_range(median, low, high, indicator: str, measure: str = "level") -> str:
    """Median and band in one unit, written once and to the median's precision (three
    significant digits, as :func:`num`, at most two decimals): "3.58 (1.90–4.69)%", "29 (26–32)",
    "1.45 (1.37–1.49)亿元"; an infinite growth rate (from zero) as ∞."""
    divisor, unit = planner_unit(indicator, measure)
    if _missing(median):
        return num(median)
    m = median / divisor
    digits = (0 if abs(m) >= 100 or float(m).is_integer() else
              min(2, 2 - int(np.floor(np.log10(abs(m))))))

    def fixed(v):
        if abs(v) >= np.finfo(float).max:
            return "∞" if v > 0 else "−∞"
        return f"{v / divisor:,.{digits}f}"
    return f"{fixed(median)} ({fixed(low)}–{fixed(high)}){unit}"


def tier_shares_text(shares: dict[str, float]) -> str:
    """Shares of replicates by tier, lowest tier first: "candidate 40%, municipal 60%"."""
    return ", ".join(f"{TIER_LABEL[TIER_LEVEL[t]]} {num(100 * shares[t])}%"
                     for t in TIERS if t in shares)


def verdict_masks(p_met) -> dict[str, np.ndarray]:
    """Which probabilities of meeting a target read as each of ``VERDICTS`` (NaN as none)."""
    p = np.asarray(p_met, dtype=float)
    return {"likely reached": p >= LIKELY, "uncertain": (p >= UNLIKELY) & (p < LIKELY),
            "likely missed": p < UNLIKELY}


def verdict_counts(p_met) -> dict[str, int]:
    """How many of the probabilities read as each of ``VERDICTS``."""
    return {v: int(mask.sum()) for v, mask in verdict_masks(p_met).items()}


def verdict(p):
    return next((v for v, mask in verdict_masks(p).items() if mask), "likely missed")
