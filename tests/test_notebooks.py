"""The presentation notebooks run end to end at small size, are stored without outputs, and read
as a presentation: no text about the run size outside code that speaks only at small size, no
console text tables, plotting in the package (zonesim.present.notebook) and the code of plotting
and text cells left out of the rendered HTML.

Each notebook in notebooks/ is executed with nbclient (kernel python3) with
ZONESIM_NOTEBOOK_SIZE=small; any error in any cell fails the test. The kernel's working
directory is a temporary folder, so nothing is written into the repository. The HTML is made
by notebooks/render.py's exporter (cells tagged ``hide-input`` lose their code, keep their
outputs), on the executed notebook and, without executing, on stored notebooks given stand-in
outputs.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = ["01_quickstart", "02_targets_2020", "03_targets_2027", "04_policy_levers",
            "05_sensitivity", "06_one_zone_one_industry"]
HIDE = "hide-input"
#: the helpers of zonesim.present.notebook that draw a figure
DRAWS = re.compile(r"\b(show|fan|p_met_chart|drivers|per_zone|held_back|relative_change_chart|"
                   r"p_diff_chart|lever_chart|morris_chart|sobol_chart|zone_dots_chart|"
                   r"paths_chart)\(")
#: a visible code cell longer than this belongs in zonesim.present.notebook
MAX_VISIBLE_LINES = 30
#: the widest line printed to a cell's output (wider lines wrap or overflow the page)
MAX_PRINTED_WIDTH = 100


def _render_module():
    pytest.importorskip("nbconvert")
    spec = importlib.util.spec_from_file_location("render", ROOT / "notebooks" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _hidden(cell) -> bool:
    return HIDE in cell.metadata.get("tags", [])


def _page_text(page: str) -> str:
    """The text of an HTML page (tags dropped, entities resolved): a cell's code, which the
    exporter splits into highlighted spans, reads in it as written."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_all_notebooks_present():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in _code(nb):
        assert cell.outputs == [], f"{path.name}: a code cell has stored outputs"
        assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "ZONESIM_NOTEBOOK_SIZE" in tagged[0].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_reads_as_a_presentation(path):
    """Text about the run size only from code (size_note, which speaks at small size only);
    no units typed beside values; no console tables; plotting in the package and hidden."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        where = f"{path.name} cell {cell.id}"
        if cell.cell_type == "markdown":
            assert not re.search(r"\bSIZE\b|mean nothing", cell.source), \
                f"{where}: text about the run size belongs in code (size_note)"
        assert not re.search(r"\bbn[ -]yuan", cell.source), \
            f"{where}: a unit typed in; take it from the code (value_text, goals)"
        if cell.cell_type != "code":
            continue
        assert "table_text" not in cell.source, f"{where}: a console table (use html_table)"
        assert not re.search(r"\bplt\.|matplotlib", cell.source), \
            f"{where}: plotting code belongs in zonesim.present.notebook"
        if DRAWS.search(cell.source):
            assert _hidden(cell), f"{where}: a plotting cell not tagged {HIDE}"
        if not _hidden(cell):
            assert len(cell.source.splitlines()) <= MAX_VISIBLE_LINES, f"{where}: a long cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_html_leaves_out_hidden_code_and_keeps_its_output(path):
    """render.py's exporter on a stored notebook whose code cells are given stand-in outputs
    (no execution): a hidden cell's code is not on the page, its output is; other cells keep
    both."""
    nb = nbformat.read(path, as_version=4)
    cells = _code(nb)
    assert any(_hidden(c) for c in cells)
    for c in cells:
        c.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"output of {c.id}\n"),
                     nbformat.v4.new_output("display_data",
                                            data={"text/markdown": f"said by {c.id}",
                                                  "text/plain": "said"})]
    text = _page_text(_render_module().to_html(nb))
    for c in cells:
        assert f"output of {c.id}" in text and f"said by {c.id}" in text, c.id
        assert (c.source.strip() in text) != _hidden(c), \
            f"{c.id}: code {'shown' if _hidden(c) else 'missing'}"


def test_size_note_speaks_only_at_small_size(monkeypatch):
    notebook = pytest.importorskip("zonesim.present.notebook")
    said = []
    monkeypatch.setattr(notebook, "say", said.append)
    monkeypatch.setattr(notebook, "SMALL", False)
    notebook.size_note()
    assert said == []
    monkeypatch.setattr(notebook, "SMALL", True)
    notebook.size_note()
    assert len(said) == 1 and "small" in said[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_at_small_size(path, tmp_path, monkeypatch):
    monkeypatch.setenv("ZONESIM_NOTEBOOK_SIZE", "small")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()   # raises CellExecutionError on any error
    outputs = [o for c in _code(nb) for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    wide = [line for o in outputs if o.get("output_type") == "stream"
            for line in o["text"].splitlines() if len(line) > MAX_PRINTED_WIDTH]
    assert not wide, f"printed lines wider than the page: {wide[:3]}"
    # the rendered page: hidden code left out, every figure kept
    page = _render_module().to_html(nb)
    text = _page_text(page)
    for c in _code(nb):
        assert (c.source.strip() in text) != _hidden(c), c.id
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    assert images and page.count("<img") >= images
