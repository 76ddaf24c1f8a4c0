"""The console table of ``zonesim run`` (issue 18, item 3): at most 100 columns with nothing cut
inside a word, planner labels, the targets not modelled in a footer with their whole reasons;
money in the plans' 亿元 (the unit figures name in English); zone tiers as shares of replicates.
Summaries are made from drawn evaluations of every scenario's targets, so no run is needed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zonesim.analysis.targets import meets, summarise
from zonesim.present import target_table_text
from zonesim.present.figures import fan_figure
from zonesim.present.fonts import cjk_font
from zonesim.present.formats import (planner_range, planner_value, text_width,
                                     tier_shares_text, wrap_lines)
from zonesim.present.labels import label, unit_scale
from zonesim.registry import scopes
from zonesim.registry.indicators import INDICATORS
from zonesim.scenario import SCENARIO_DIR, load_scenario

SCENARIOS = sorted(SCENARIO_DIR.glob("*.toml"))


def drawn_evaluations(scenario, n=20, seed=0) -> pd.DataFrame:
    """``n`` replicates of every modelled target: values around the goal (tiers 0–4), met as
    the comparator says, a first year met where met."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in scenario.modelled_targets:
        if INDICATORS[t.indicator].tiers:
            values = rng.integers(0, 5, n).astype(float)
        else:
            values = (t.value or 1.0) * rng.uniform(0.5, 1.5, n)
        met = meets(values, t)
        rows += [{"replicate": r, "target": t.id, "value": v, "met": bool(m),
                  "first_met_year": float(t.final_year) if m else np.nan}
                 for r, (v, m) in enumerate(zip(values, met))]
    return pd.DataFrame(rows)


def table_of(scenario, width=100) -> str:
    return target_table_text(summarise(scenario, drawn_evaluations(scenario)), width)


@pytest.mark.parametrize("width", [100, 80])
@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_table_fits_the_width_and_cuts_no_word(path, width):
    """No line wider than ``width`` terminal columns; every word of every label and goal, every
    id, and every not-modelled target's whole reason are there unbroken."""
    sc = load_scenario(path)
    text = table_of(sc, width)
    assert max(text_width(line) for line in text.splitlines()) <= width
    words = set(text.split())
    for t in sc.modelled_targets:
        where = scopes.short_label(t.scope)
        assert t.id in words
        assert set(f"{label(t.indicator)} {where}".split()) <= words, t.id
    table, _, footer = text.partition("\nNot modelled (")
    assert all(t.id not in table.split() for t in sc.targets if not t.modelled)
    footer = " ".join(footer.split())
    for t in sc.targets:
        if not t.modelled:
            assert f"- {t.id}: {' '.join(t.reason.split())}" in footer, t.id


def test_gaogang_table_reads_in_planner_units():
    """Money in 亿元 as the plan states it (贷款余额超5000万元 / 3亿元), shares in %, the goals'
    years, the not-modelled targets counted in the footer."""
    sc = load_scenario("gaogang_2017_2020")
    text = table_of(sc, width=200)     # wide enough that no goal is wrapped
    assert "> 0.5亿元 by 2017" in text and "> 3亿元 by 2020" in text
    assert "≥ 80% by 2020" in text and "≥ 10 every year 2017–2020" in text
    assert "average growth ≥ 20% a year, 2016→2020" in text
    not_modelled = sum(not t.modelled for t in sc.targets)
    assert f"Not modelled ({not_modelled}), with the reason:" in text
    assert "亿元" in next(line for line in text.splitlines() if "Tech-loan balance" in line)


def test_every_money_indicator_is_shown_in_the_plans_units():
    """One unit per amount for console and figures: 亿元, per mu 万元 (figures without a CJK
    font: × 100 million yuan, × 10 000 yuan); what the figures read (labels.unit_scale) is the
    same divisor and, where they can show Chinese, the same unit."""
    money = [i for i in INDICATORS.values() if "yuan" in i.unit]
    assert money
    for i in money:
        shown = i.shown
        wan = "per mu" in i.unit
        assert (shown.divisor, shown.text) == ((1e4, "万元/亩") if wan else (1e8, "亿元")), i.name
        assert shown.latin.startswith("× 10 000 yuan" if wan else "× 100 million yuan"), i.name
        assert unit_scale(i.name) == (shown.divisor, shown.text if cjk_font() else shown.latin)
    assert planner_value(1e11, "industrial_output_yuan") == "1,000亿元"
    assert planner_value(5e7, "tech_loan_balance_yuan") == "0.5亿元"
    assert planner_value(3.8e6, "output_per_mu_yuan") == "380万元/亩"
    assert planner_range(1.45e8, 1.37e8, 1.49e8, "tech_loan_balance_yuan") == \
        "1.45 (1.37–1.49)亿元"


def test_fan_chart_names_the_console_unit():
    """A money target's fan chart is drawn in 亿元 and says so (in Latin letters where no CJK
    font is installed)."""
    sc = load_scenario("gaogang_2017_2020")
    t = next(t for t in sc.targets if t.id == "tech_loan_balance_2020")
    years = range(sc.meta.start_year - 1, sc.meta.end_year + 1)
    table = pd.DataFrame([{"replicate": r, "year": y, "scope": "city", "zone_tier_level": np.nan,
                           "tech_loan_balance_yuan": 1e8 * (1 + r + y - 2016)}
                          for r in range(3) for y in years])
    ax = fan_figure(sc, table, t).axes[0]
    assert ax.get_ylabel() == ("亿元" if cjk_font() else "× 100 million yuan")
    assert any(np.allclose(line.get_ydata(), 3.0) for line in ax.lines)   # the goal, 3亿元


def test_tier_targets_show_the_share_of_each_tier():
    """A tier target reads as the share of replicates at each tier, not as a fractional band."""
    sc = load_scenario("gaogang_2017_2020")
    t = next(t for t in sc.modelled_targets if INDICATORS[t.indicator].tiers)
    ev = pd.DataFrame({"replicate": range(5), "target": t.id,
                       "value": [0.0, 1.0, 1.0, 2.0, 1.0], "met": [False, True, True, True, True],
                       "first_met_year": [np.nan, 2019, 2019, 2018, 2020]})
    summary = summarise(sc.model_copy(update={"targets": [t]}), ev)
    text = target_table_text(summary, width=300)     # wide enough that no cell is wrapped
    assert "candidate 20%, municipal 60%, provincial 'creating' 20%" in text
    assert "(0.2" not in text and "1.8)" not in text     # the 5–95 % band of tier levels


def test_tier_fan_chart_draws_whole_tiers():
    """A tier target's fan chart draws levels some replicate holds, as steps: no fractional band
    (a 5–95 % band of 0 … 0.55 read as a tier nobody holds)."""
    sc = load_scenario("gaogang_2017_2020")
    t = next(t for t in sc.modelled_targets if INDICATORS[t.indicator].tiers)
    scope = t.scope
    years = range(sc.meta.start_year - 1, sc.meta.end_year + 1)
    rng = np.random.default_rng(0)
    table = pd.DataFrame([{"replicate": r, "year": y, "scope": scope,
                           "zone_tier_level": float(rng.integers(0, 3))}
                          for r in range(7) for y in years])
    ax = fan_figure(sc, table, t).axes[0]
    drawn = np.concatenate([c.get_paths()[0].vertices[:, 1] for c in ax.collections]
                           + [line.get_ydata() for line in ax.lines[:1]])
    assert np.allclose(drawn, np.round(drawn))
    assert ax.lines[0].get_drawstyle() == "steps-post"


def test_tier_shares_text_orders_tiers_from_the_lowest():
    assert tier_shares_text({"national": 0.25, "candidate": 0.75}) == \
        "candidate 75%, national 25%"


@pytest.mark.parametrize("text, width, hang, lines", [
    ("Tech-loan balance of the firms", 14, 0, ["Tech-loan", "balance of the", "firms"]),
    ("Tech-loan balance of the firms", 14, 3, ["Tech-loan", "balance of", "the firms"]),
    ("a joint_university_rd_institutions_per_year b", 20, 0,
     ["a", "joint_university_rd_", "institutions_per_", "year b"]),
    ("知识产权密集型企业 is a designation", 12, 0, ["知识产权密集", "型企业 is a", "designation"]),
    ("", 10, 0, []),
])
def test_wrap_lines_breaks_between_words(text, width, hang, lines):
    """Breaks between words; a word too wide breaks after an underscore or between Chinese
    characters (two columns each); lines after the first are ``hang`` narrower."""
    got = wrap_lines(text, width, hang)
    assert got == lines
    assert all(text_width(line) <= (width if i == 0 else width - hang)
               for i, line in enumerate(got))


def test_everything_run_prints_fits_the_console(tmp_path, capsys):
    """Not only the table: the header, footer and closing file list of ``zonesim run`` fit
    ``CONSOLE_WIDTH`` columns, whatever the output folder's path."""
    from conftest import GOOD_BASE
    from zonesim.cli import main
    from zonesim.present.formats import CONSOLE_WIDTH
    out = tmp_path / ("a_long_folder_name_" * 6) / "run"
    assert main(["run", str(GOOD_BASE), "-n", "2", "--workers", "1", "-q", "--no-figures",
                 "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and max(map(text_width, lines)) <= CONSOLE_WIDTH
