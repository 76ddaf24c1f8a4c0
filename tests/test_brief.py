"""brief.html, the planner's page of a run: written by `zonesim run` and by `zonesim brief
OUTDIR`, self-contained, in the planner's words, computed from the results; and shown by a real
browser (headless chromium: the target table's rows and every figure render).

The browser test needs Debian's `chromium` (`apt-get install chromium fonts-noto-cjk`, as
.ci/run does) and skips without it. It loads a copy of the page with a probe script appended,
which writes what the browser rendered (row heights and text, each image's decoded width) into
the DOM that `chromium --headless --dump-dom` prints.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pandas as pd
import pytest

from conftest import GOOD_BASE, REPO
from zonesim.analysis.run_scenario import run_scenario
from zonesim.cli import main
from zonesim.present.brief import FILE, brief_html, key_targets
from zonesim.present.figures import p_met_figure
from zonesim.present.formats import verdict_counts
from zonesim.present.labels import label, target_goal
from zonesim.scenario import load_scenario

REPLICATES, SEED = 2, 3


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """A finished tiny run of good_base written by the command line."""
    out = tmp_path_factory.mktemp("brief") / "run"
    assert main(["run", str(GOOD_BASE), "-n", str(REPLICATES), "--seed", str(SEED),
                 "--workers", "1", "-q", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def page(run_folder):
    return (run_folder / FILE).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def summary(run_folder):
    return pd.read_csv(run_folder / "summary.csv")


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(text: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(text)
    return parser.tags


def _section(text: str, id_: str) -> str:
    """The HTML of the table with ``id_``."""
    return re.search(rf'<table id="{id_}">.*?</table>', text, re.S).group(0)


def _plain(fragment: str) -> str:
    """The text of an HTML fragment, tags as spaces, spaces as one."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    return re.sub(r" ([,.;:)])", r"\1", text)


def test_run_writes_a_self_contained_page(page):
    tags = _tags(page)
    assert not [t for t, a in tags if t in ("script", "link", "iframe", "object", "embed")]
    images = [a["src"] for t, a in tags if t == "img"]
    assert images and all(s.startswith("data:image/png;base64,") for s in images)
    assert not re.search(r"(?:src|href)=\"(?!data:|#)", page)
    assert "url(" not in page and "@import" not in page


def test_the_plan(page):
    sc = load_scenario(GOOD_BASE)
    text = _plain(page)
    for fact in (sc.meta.title, sc.meta.region, sc.meta.document, "2017→2020",
                 f"{REPLICATES} replicates, seed {SEED}"):
        assert fact in text, fact


def test_targets_in_the_planners_words(page, summary):
    sc = load_scenario(GOOD_BASE)
    rows = re.findall(r"<tr>.*?</tr>", _section(page, "targets").split("<tbody>")[1], re.S)
    assert len(rows) == len(sc.modelled_targets)
    for t, row in zip(sc.modelled_targets, rows):
        r = summary.set_index("target").loc[t.id]
        cells = _plain(row)
        assert label(t.indicator) in cells and target_goal(t) in cells
        assert f"{r['p_met']:.2f} [{r['p_met_low']:.2f}, {r['p_met_high']:.2f}]" in cells
    assert 'id="p-met"' in page


def test_reading_is_computed_from_the_results(page, summary):
    n = verdict_counts(summary["p_met"])
    m = len(summary)
    assert (f"{n['likely reached']} of {m} forecast targets likely reached, {n['uncertain']} "
            f"uncertain and {n['likely missed']} likely missed") in _plain(page)
    assert f"expected number met {summary['p_met'].sum():.1f} of {m}" in _plain(page)


def test_key_fan_charts_and_what_held_back(page, summary):
    # good_base has three targets: all are key targets, one chart each unless undefined
    charts = re.findall(r'<figure id="fan-([a-z0-9_]+)">', page)
    assert charts == [t for t in summary["target"] if t in charts]
    assert "all the forecast targets" in page
    missed = summary[summary["p_met"] < 0.5]["target"]
    held = re.search(r'<ul id="held-back">.*?</ul>', page, re.S)
    assert (held is None) == missed.empty
    for t in missed:
        assert f"<code>{t}</code>" in held.group(0)


def test_assumptions_with_provenance_and_range(page):
    levers = _plain(_section(page, "levers"))
    assert re.search(r"rd_subsidy_rate\s+0\.08\s+share of R&D expense\s+assumption\s+0 – 0\.2"
                     r"\s+test value", levers), levers[:500]
    assert re.search(r"offshore_bases\s+30\s+bases\s+the plan's text", levers)
    assert "registry default" in levers   # a lever the scenario leaves at its default
    assert "What was varied" in page and "demand shock" in page
    assert 'id="default-assumptions"' in page


def test_brief_command_writes_the_same_page_from_the_folder(run_folder, page):
    (run_folder / FILE).unlink()
    assert main(["brief", str(run_folder)]) == 0
    again = (run_folder / FILE).read_text(encoding="utf-8")
    # the wall time: the run's own, run.json's rounded to 10 ms
    seconds = re.compile(r"seed \d+ \([0-9.]+ s;")
    assert seconds.sub("", again) == seconds.sub("", page)


@pytest.mark.parametrize("case, fragments", [
    ("missing", ["no such folder"]),
    ("empty", ["is not a zonesim output folder"]),
    ("scenario gone", ["scenario file of its run", "not found", "--scenario FILE"]),
    ("other scenario", ["not the scenario of the run", "--scenario FILE"]),
])
def test_bad_folder_is_one_line(run_folder, tmp_path, capsys, case, fragments):
    folder, extra = tmp_path / "x", []
    if case == "empty":
        folder.mkdir()
    elif case in ("scenario gone", "other scenario"):
        shutil.copytree(run_folder, folder)
        info = json.loads((folder / "run.json").read_text())
        if case == "scenario gone":
            info["scenario_file"] = str(tmp_path / "gone.toml")
        else:
            extra = ["--scenario", str(REPO / "scenarios" / "nantong_2024_2027.toml")]
        (folder / "run.json").write_text(json.dumps(info))
    capsys.readouterr()
    assert main(["brief", str(folder), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("zonesim: ") and "\n" not in err and "Traceback" not in err
    for f in fragments:
        assert f in err, err


def _variant_page(scenario_variant, text):
    sc = scenario_variant(text)
    res = run_scenario(sc, 1, 0, workers=1, progress=False)
    return brief_html(sc, res["table"], res["summary"],
                      {"replicates": 1, "seed": 0, "seconds": 0.5, "steps_per_year": 4})


REMOVE_ALL = "".join(f'[[targets]]\nid = "{t}"\nremove = true\n\n' for t in
                     ("new_hte_each_year", "zone_hte_output_share", "municipal_zones"))


def test_not_modelled_targets_listed_with_their_reasons(scenario_variant):
    page = _variant_page(scenario_variant, REMOVE_ALL + (
        '[[targets]]\nid = "trademarks_2020"\nindicator = "not_modelled"\nvalue = 12\n'
        'year = 2020\nclause = "test: 12 well-known trademarks"\nmodelled = false\n'
        'reason = "Trademarks are not represented."\n'))
    table = _plain(_section(page, "not-modelled"))
    assert "trademarks_2020" in table and "Trademarks are not represented." in table
    assert "No target of the plan is modelled" in page and 'id="p-met"' not in page


def test_a_scenario_without_targets_has_a_page(scenario_variant):
    page = _variant_page(scenario_variant, REMOVE_ALL)
    assert "The scenario has no targets" in page and "<img" not in page.split("Assumptions")[0]
    assert 'id="levers"' in page


def test_key_targets_closest_to_one_half_in_the_plans_order():
    s = pd.DataFrame({"target": list("abcdefgh"),
                      "p_met": [1.0, 0.5, 0.0, 0.3, 0.7, 0.9, 0.1, 0.45]})
    # distances to 0.5: a .5, b 0, c .5, d .2, e .2, f .4, g .4, h .05; a tie goes to the
    # less likely (d before e)
    assert key_targets(s, 3) == ["b", "d", "h"]
    assert key_targets(s, 4) == ["b", "d", "e", "h"]
    assert key_targets(s, 6) == ["b", "d", "e", "f", "g", "h"]
    assert key_targets(s.iloc[:0]) == []


def test_a_bar_at_zero_is_still_drawn(summary):
    sc = load_scenario(GOOD_BASE)
    s = summary.assign(p_met=0.0, p_met_low=0.0, p_met_high=0.5)
    ax = p_met_figure(s, sc, "zero").axes[0]
    ticks = [c for c in ax.collections if len(c.get_offsets()) == len(s)]
    assert ticks and (ticks[0].get_offsets()[:, 0] == 0).all()
    assert ax.get_xlim()[0] < 0


# ---------------------------------------------------------------- in a real browser
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)

PROBE = """<script>
window.addEventListener("load", () => {
  const rows = [...document.querySelectorAll("#targets tbody tr")].map(r => ({
    height: r.getBoundingClientRect().height, text: r.innerText}));
  const images = [...document.images].map(i => ({
    width: i.naturalWidth, complete: i.complete, shown: i.getBoundingClientRect().height,
    folded: i.closest("details:not([open])") !== null}));
  const out = document.createElement("pre");
  out.id = "zonesim-probe";
  out.textContent = JSON.stringify({rows, images});
  document.body.append(out);
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium "
                    "fonts-noto-cjk; .ci/run installs it)")
def test_page_renders_in_a_browser(page, summary, tmp_path):
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2000", "--dump-dom",
         probed.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="zonesim-probe">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no probe in the rendered page (status {done.returncode}): {done.stderr[-800:]}"
    shown = json.loads(html.unescape(found.group(1)))
    sc = load_scenario(GOOD_BASE)
    assert len(shown["rows"]) == len(sc.modelled_targets)
    for t, row in zip(sc.modelled_targets, shown["rows"]):
        assert row["height"] > 0 and label(t.indicator) in row["text"], row
    assert shown["images"] and all(i["complete"] and i["width"] > 0 for i in shown["images"])
    assert all(i["shown"] > 0 for i in shown["images"] if not i["folded"])


def test_a_plan_without_forecasts_says_so(tmp_path):
    """A plan whose modelled targets are all the analyst's thresholds (Jiangsu's): its key
    charts are of those targets, said to be no forecasts, and "what held back" counts no
    forecast."""
    from zonesim.analysis.run_scenario import run_scenario
    from zonesim.present.brief import brief_html
    sc = load_scenario("jiangsu_one_zone_one_industry_2018_2022")
    res = run_scenario(sc, 2, workers=1, progress=False)
    page = brief_html(sc, res["table"], res["summary"], {"replicates": 2, "seed": 0,
                                                         "steps_per_year": 4, "seconds": 1.0})
    text = _plain(page)
    assert "the plan has no forecast targets: none of these is one" in text
    assert "No target of the plan is modelled as a forecast" in text
    assert "every forecast target is met" not in text
