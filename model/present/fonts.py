"""The fonts figures are drawn in: Chinese where a CJK font is installed, English otherwise.

matplotlib's own fonts have no CJK glyphs, so figures show the documents' Chinese names (zones,
regions, 亿元) only when the machine has a CJK font; elsewhere they fall back to the English
part of each name (:func:`zonesim.present.formats.latin`) and yuan units. The environment
variable ``ZONESIM_FIGURE_FONT`` overrides the choice: a font family's name to draw Chinese in
it, or ``latin`` for English-only figures on any machine.
"""

from __future__ import annotations

import functools
import os
import re

from zonesim.errors import ZonesimError, cut
from zonesim.present.formats import latin

#: Families with Simplified-Chinese glyphs, in order of preference (Noto/Source Han: Debian's
#: ``fonts-noto-cjk``; WenQuanYi: ``fonts-wqy-zenhei``; the rest ship with Windows and macOS).
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
                "Noto Serif CJK SC", "Source Han Serif SC")
#: Font files that may hold one of :data:`CJK_FAMILIES`: matplotlib's font cache lists only
#: the fonts present when it was built, so a CJK font installed later is added from its file.
_CJK_FILE = re.compile(r"CJK|SourceHan|wqy|NotoSansSC|simhei|msyh|PingFang|STHeiti", re.I)
#: ``ZONESIM_FIGURE_FONT`` value for English-only figures
LATIN = "latin"


def _families() -> set[str]:
    from matplotlib import font_manager  # not at import: the console's text needs no matplotlib

    return {f.name for f in font_manager.fontManager.ttflist}


def _add_cjk_files() -> None:
    from matplotlib import font_manager

    for path in font_manager.findSystemFonts():
        if _CJK_FILE.search(os.path.basename(path)):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable font is not ours to mend
                continue


@functools.cache
def cjk_font() -> str | None:
    """The family figures draw Chinese in, or None (English-only figures); a font named in
    ``ZONESIM_FIGURE_FONT`` that is not installed is refused. The first call sets
    matplotlib to draw Latin text in its default font and fall back to this family for CJK
    glyphs (matplotlib ≥ 3.6 falls back glyph by glyph)."""
    wanted = os.environ.get("ZONESIM_FIGURE_FONT", "").strip()
    if wanted.lower() == LATIN:
        return None
    candidates = (wanted,) if wanted else CJK_FAMILIES
    if not _families() & set(candidates):
        _add_cjk_files()
    family = next((f for f in candidates if f in _families()), None)
    if wanted and family is None:
        raise ZonesimError(f"ZONESIM_FIGURE_FONT: no font family {cut(wanted)!r} is installed; "
                           f"expected an installed family (e.g. {CJK_FAMILIES[0]!r}) or "
                           f"{LATIN!r}")
    if family is not None:
        import matplotlib

        # glyph fallback runs over the families of ``font.family``, not over a generic
        # family's list (``font.sans-serif``)
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", family]
    return family


def set_up_figures() -> None:
    """What a module that draws figures runs on import: figures go to files (the Agg backend),
    and the font is chosen before any figure is made, since a text takes its font when it is
    created. A bad ``ZONESIM_FIGURE_FONT`` is left to the first label to report (the command
    line checks it before any run)."""
    import matplotlib

    matplotlib.use("Agg")  # figures are written to files, never drawn in a window
    try:
        cjk_font()
    except ZonesimError:
        cjk_font.cache_clear()


def figure_text(text: str) -> str:
    """``text`` as a figure shows it: whole where Chinese can be drawn, else its English."""
    return text if cjk_font() is not None else latin(text)
