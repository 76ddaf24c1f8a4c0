"""Render the presentation notebooks to HTML under docs/notebooks/.

    python3 notebooks/render.py                 # all notebooks, full size (the presentation)
    python3 notebooks/render.py --size small    # quick check, a few replicates
    python3 notebooks/render.py 01 04           # only the notebooks whose names start so
    python3 notebooks/render.py --out DIR       # write the HTML elsewhere
    python3 notebooks/render.py --executed DIR  # also keep the executed .ipynb (outputs, figures) in DIR

Each notebook is executed with nbclient in a temporary working directory with
ZONESIM_NOTEBOOK_SIZE set, then exported with nbconvert's HTMLExporter (:func:`to_html`); the
code of cells tagged ``hide-input`` (the set-up, the plotting cells, the cells that write text
from the results) is left out of the HTML, their outputs stay (nbconvert's
TagRemovePreprocessor; tests/test_notebooks.py checks it). The stored .ipynb files are never
modified (they stay without outputs). Needs the `notebooks` extra:
``python3 -m pip install -e ".[notebooks]"``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def exporter():
    """nbconvert's HTMLExporter, set to leave out the code of cells tagged ``hide-input`` (their
    outputs stay): the plotting cells and the cells that write text from the results."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    html = HTMLExporter()
    html.register_preprocessor(TagRemovePreprocessor(remove_input_tags={"hide-input"}), enabled=True)
    return html


def to_html(nb) -> str:
    """An (executed) notebook as one HTML page, without the code of its ``hide-input`` cells."""
    return exporter().from_notebook_node(nb)[0]


def render(path: Path, out: Path, size: str, timeout: int, executed: Path | None = None) -> Path:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["ZONESIM_NOTEBOOK_SIZE"] = size
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="zonesim_render_") as cwd:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": cwd}}).execute()
    if executed is not None:
        nbformat.write(nb, executed / path.name)
    target = out / f"{path.stem}.html"
    target.write_text(to_html(nb), encoding="utf-8")
    return target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("only", nargs="*", help="name prefixes of the notebooks to render (default: all)")
    ap.add_argument("--size", choices=("full", "small"), default="full")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "notebooks")
    ap.add_argument("--timeout", type=int, default=None,
                    help="seconds per cell (default: none at full size, 300 at small)")
    ap.add_argument("--executed", type=Path, default=None,
                    help="also write the executed notebooks (with outputs) to this folder (never notebooks/)")
    args = ap.parse_args(argv)
    if args.executed is not None:
        if args.executed.resolve() == HERE:
            ap.error("--executed must not be notebooks/ (the stored notebooks carry no outputs)")
        args.executed.mkdir(parents=True, exist_ok=True)
    timeout = args.timeout if args.timeout is not None else (300 if args.size == "small" else -1)
    args.out.mkdir(parents=True, exist_ok=True)
    paths = sorted(HERE.glob("*.ipynb"))
    if args.only:
        paths = [p for p in paths if any(p.stem.startswith(o) for o in args.only)]
    if not paths:
        print("no notebook matches", file=sys.stderr)
        return 2
    for p in paths:
        t0 = time.time()
        target = render(p, args.out, args.size, timeout, args.executed)
        print(f"{p.name} → {target} ({time.time() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
