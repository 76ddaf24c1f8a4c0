"""Figures show the documents' Chinese (zone names, the region, 亿元) where a CJK font is
installed, and a clean English fallback where none is (issue 18, item 4): no figure ever draws
a missing glyph as an empty box."""

from __future__ import annotations

import re
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest

from cli_check import one_line_error, zonesim_cli
from zonesim.analysis.run_scenario import run_scenario
from zonesim.errors import ZonesimError
from zonesim.present import fonts
from zonesim.present.figures import fan_figure, p_met_figure, per_zone_figure
from zonesim.present.labels import scope_label, target_label, unit_scale, zone_label
from zonesim.scenario import load_scenario

CJK = re.compile(r"[\u3400-\u9fff]")
GAOGANG = load_scenario("gaogang_2017_2020")
NANTONG = load_scenario("nantong_2024_2027")
LINGANG = next(z for z in GAOGANG.zones if z.id == "lingang_park")
ONE_ZONE = next(t for t in GAOGANG.modelled_targets if t.scope == "zone:lingang_park")
JIANGSU = load_scenario("jiangsu_one_zone_one_industry_2018_2022")   # zones named in Chinese
EVERY_ZONE = next(t for t in JIANGSU.modelled_targets if t.scope == "each_zone")


@pytest.fixture(scope="module")
def runs():
    return {sc.name: run_scenario(sc, replicates=2, seed=1, workers=1, progress=False)
            for sc in (GAOGANG, JIANGSU)}


@pytest.fixture
def font(monkeypatch):
    """``font(value)``: the figure font chosen with ``ZONESIM_FIGURE_FONT`` set to ``value``
    (None: unset, the automatic choice); matplotlib's settings are restored afterwards."""
    def choose(value):
        if value is None:
            monkeypatch.delenv("ZONESIM_FIGURE_FONT", raising=False)
        else:
            monkeypatch.setenv("ZONESIM_FIGURE_FONT", value)
        fonts.cjk_font.cache_clear()
        return fonts.cjk_font()

    with matplotlib.rc_context():
        yield choose
    fonts.cjk_font.cache_clear()


def _texts(fig) -> list[str]:
    """Every text the figure draws: titles, axis labels, tick labels, legend entries."""
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


def _draw(fig) -> list[str]:
    """Draw ``fig`` and return its texts; a glyph missing from every font fails the test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph.*missing")
        fig.canvas.draw()
    texts = _texts(fig)
    plt.close(fig)
    return texts


def _figures(runs):
    """A P(met) chart and a one-zone target's fan chart of Gaogang, the per-zone chart of a
    Jiangsu target every zone must meet."""
    gaogang, jiangsu = runs[GAOGANG.name], runs[JIANGSU.name]
    return [p_met_figure(gaogang["summary"], GAOGANG,
                         fonts.figure_text("高港 Gaogang: P(met) of each target")),
            fan_figure(GAOGANG, gaogang["table"], ONE_ZONE),
            per_zone_figure(jiangsu["table"], JIANGSU, EVERY_ZONE)]


def test_english_figures_without_a_cjk_font(font, runs):
    assert font("latin") is None
    assert zone_label(LINGANG) == "Lingang (port-side) economic park"
    chinese_only = NANTONG.zones[0]
    assert not re.search(r"[A-Za-z]", chinese_only.name)
    assert zone_label(chinese_only) == chinese_only.id, "a name with no English: the id"
    assert scope_label("city", NANTONG) == "Nantong, Jiangsu"
    assert unit_scale("gdp_yuan") == (1e8, "× 100 million yuan per year")
    assert "Lingang (port-side) economic park" in target_label(ONE_ZONE, GAOGANG)
    p_met, fan, per_zone = texts = [_draw(f) for f in _figures(runs)]
    assert not any(CJK.search(t) for t in sum(texts, [])), "no Chinese drawn as empty boxes"
    assert any("Lingang" in t for t in p_met) and any("Lingang" in t for t in fan)
    assert {z.id for z in JIANGSU.zones} <= set(per_zone), "Chinese-only names: by id"


def test_chinese_figures_where_a_cjk_font_is_installed(font, runs):
    family = font(None)
    if family is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-noto-cjk); the "
                    "English fallback is tested above")
    assert zone_label(LINGANG) == LINGANG.name
    assert scope_label("city", NANTONG) == NANTONG.meta.region
    assert unit_scale("gdp_yuan") == (1e8, "亿元"), "the console's unit"
    assert LINGANG.name in target_label(ONE_ZONE, GAOGANG)
    p_met, fan, per_zone = (_draw(f) for f in _figures(runs))
    assert any("临港经济园" in t for t in p_met) and any("高港" in t for t in p_met)
    assert any("临港经济园" in t for t in fan)
    assert {z.name for z in JIANGSU.zones} <= set(per_zone), "zones by their Chinese names"
    assert not {z.id for z in JIANGSU.zones} & set(per_zone)


def test_a_font_that_is_not_installed_is_refused_in_one_line(font, monkeypatch):
    with pytest.raises(ZonesimError, match="ZONESIM_FIGURE_FONT: no font family 'No Such"):
        font("No Such Font")
    monkeypatch.setenv("ZONESIM_FIGURE_FONT", "No Such Font")
    one_line_error(zonesim_cli("targets", "gaogang_2017_2020"), "ZONESIM_FIGURE_FONT",
                   "'No Such Font'", "'latin'")
