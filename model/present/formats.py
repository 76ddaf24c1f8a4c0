"""How numbers and text read: the number formatter, the console table's planner units, text
helpers for figures and the verdict a probability of meeting a target reads as."""

from __future__ import annotations

import re
import textwrap

import numpy as np

#: CJK characters and full-width punctuation: matplotlib's default fonts have no CJK glyphs, so
#: figure labels keep only the English.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”]+")
#: a target's comparator as written for planners
COMP = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}

#: P(met) from which a target reads as likely reached, and below which as likely missed.
LIKELY, UNLIKELY = 0.8, 0.2
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


def planner_value(v, unit: str) -> str:
    """A value of ``unit`` as the console table writes it: shares in %, yuan in 亿 (10⁸) or
    万 (10⁴) as planners write them, anything else by :func:`num`."""
    if _missing(v):
        return num(v)
    if unit == "share":
        return f"{100 * v:.1f}%"
    if "yuan" in unit and abs(v) >= 1e8:
        return f"{v / 1e8:,.1f}亿"
    if "yuan" in unit and abs(v) >= 1e4:
        return f"{v / 1e4:,.0f}万"
    return num(v)


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
