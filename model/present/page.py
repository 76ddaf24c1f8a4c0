"""A self-contained HTML page: escaping, the styled text of :mod:`.reading` as HTML, tables and
figures embedded as PNG data, so that the page needs no file or network beside itself."""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt
from matplotlib.colors import to_hex
from PIL import Image

from zonesim.present.formats import VERDICT_COLOR

#: resolution of the embedded figures (as the notebooks': keeps the page small)
DPI = 100

_TAGS = {"": "{}", "strong": "<strong>{}</strong>", "em": "<em>{}</em>",
         "code": "<code>{}</code>"}

_CSS = """
body { font: 15px/1.5 system-ui, "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #222;
       margin: 0; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5em 2em 3em; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin-top: 1.5em; }
.sub, .note, figcaption, .id, .clause { color: #666; }
.note, figcaption { font-size: 0.9em; }
.id, .clause { font-size: 0.8em; }
code { font-size: 0.9em; background: #f2f2f2; padding: 0 0.2em; border-radius: 3px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dt { font-weight: 600; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.88em; margin: 0.6em 0 1.2em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.35em 0.5em; text-align: left;
         vertical-align: top; }
th { background: #f2f2f2; }
tbody tr:nth-child(even) { background: #fbfbfb; }
td.num { text-align: right; white-space: nowrap; }
figure { margin: 1em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 1em; }
.verdict { display: inline-block; padding: 0 0.45em; border-radius: 0.6em; color: #fff;
           font-size: 0.85em; white-space: nowrap; }
details > summary { cursor: pointer; font-weight: 600; margin: 0.8em 0; }
footer { margin-top: 3em; font-size: 0.85em; color: #666; }
@media print { body { background: #fff; } main { padding: 0; } }
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def runs_html(runs) -> str:
    """Styled runs ``(text, style)`` as HTML."""
    return "".join(_TAGS[style].format(esc(text)) for text, style in runs)


def blocks_html(blocks) -> str:
    """Blocks of :mod:`.reading` (paragraphs and lists of runs) as HTML."""
    return "\n".join(f"<p>{runs_html(body)}</p>" if kind == "p" else
                     "<ul>" + "".join(f"<li>{runs_html(i)}</li>" for i in body) + "</ul>"
                     for kind, body in blocks)


def table(headers, rows, id_: str = "", numeric=()) -> str:
    """A table: ``headers`` are text, ``rows`` lists of HTML cells; the columns named in
    ``numeric`` are right-aligned."""
    right = [h in numeric for h in headers]
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f'<td class="num">{c}</td>' if r else f"<td>{c}</td>"
                                      for c, r in zip(row, right)) + "</tr>" for row in rows)
    ident = f' id="{esc(id_)}"' if id_ else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"


def figure(fig, alt: str, caption: str = "", id_: str = "") -> str:
    """A matplotlib figure as an embedded PNG (the figure is closed); ``caption`` is HTML."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    # a figure has few colours: a palette of 256 keeps it as it looks at a third of the bytes
    small = io.BytesIO()
    Image.open(buf).convert("RGB").quantize(256).save(small, format="png", optimize=True)
    data = base64.b64encode(small.getvalue()).decode("ascii")
    ident = f' id="{esc(id_)}"' if id_ else ""
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (f'<figure{ident}><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"{cap}</figure>")


def verdict_badge(verdict: str) -> str:
    """A verdict in the colour of the figures' bars (grey: not evaluable)."""
    color = to_hex(VERDICT_COLOR.get(verdict, "tab:gray"))
    return f'<span class="verdict" style="background:{color}">{esc(verdict)}</span>'


def document(title: str, body: str) -> str:
    """The whole page: ``body`` (HTML) under ``title``, with its style sheet inline."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")
