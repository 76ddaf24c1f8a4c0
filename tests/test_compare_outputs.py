"""What the experiments tell a planner: the paired interval of a change in P(met) against
published worked examples, what a variant changes in its base, the console text of compare and
sweep in planner labels and display units, and the figures' labels, units and legends.

No model runs: the tables are built by hand (tests/test_experiments.py runs the commands)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zonesim.analysis.compare import (COMPARISON_COLUMNS, DIFFERENCE_COLUMNS,
                                      paired_difference_interval, scenario_differences)
from zonesim.present import experiment_figures
from zonesim.present.experiment_figures import (KIND_COLOR, comparison_chart,
                                                sensitivity_chart, sensitivity_overview,
                                                sweep_chart)
from zonesim.present.experiment_text import comparison_text, sweep_text
from zonesim.present.formats import planner_value
from zonesim.present.labels import axis_label, parameter_labels, target_label
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import load_scenario

DATA = Path(__file__).resolve().parent / "data"

# ------------------------------------------------- the paired interval, published examples

#: Newcombe RG, "Improved confidence intervals for the difference between binomial proportions
#: based on paired data", Stat Med 17 (1998) 2635-2650, Table III, method 10 (the hybrid score
#: interval), 95 %, as printed (4 decimals). Cells (a, b, c, d): both, first only, second only,
#: neither; the difference is (b − c) / n.
NEWCOMBE_TABLE_III = {
    (36, 12, 2, 0): (0.0569, 0.3404), (20, 12, 2, 16): (0.0562, 0.3292),
    (18, 12, 2, 18): (0.0562, 0.3290), (36, 14, 0, 0): (0.1528, 0.4167),
    (35, 14, 0, 1): (0.1461, 0.4175), (18, 14, 0, 18): (0.1441, 0.3963),
    (2, 97, 1, 0): (0.8721, 0.9854), (1, 97, 1, 1): (0.8736, 0.9850),
    (0, 29, 1, 0): (0.6666, 0.9882), (2, 98, 0, 0): (0.9178, 0.9945),
    (1, 98, 0, 1): (0.9171, 0.9916), (0, 30, 0, 0): (0.8395, 1.0),
    (54, 0, 0, 0): (-0.0664, 0.0664), (53, 0, 0, 1): (-0.0729, 0.0729),
    (30, 0, 0, 24): (-0.0358, 0.0358), (29, 0, 0, 25): (-0.0354, 0.0354),
    (28, 0, 0, 26): (-0.0352, 0.0352), (27, 0, 0, 27): (-0.0351, 0.0351),
}
#: Fagerland MW, Lydersen S, Laake P, "Statistical Analysis of Contingency Tables" (CRC 2017),
#: ch. 8, complete response before and after consolidation therapy (Cavo et al. 2012): the
#: Newcombe square-and-add interval, −0.0621 (−0.1186 to −0.0046).
CAVO_2012 = ((59, 6, 16, 80), (-0.1186, -0.0046))


@pytest.mark.parametrize("cells,published", [*NEWCOMBE_TABLE_III.items(), CAVO_2012],
                         ids=lambda x: "-".join(map(str, x)) if len(x) == 4 else "")
def test_paired_interval_reproduces_published_examples(cells, published):
    low, high = paired_difference_interval(*cells)
    assert low == pytest.approx(published[0], abs=1e-4)
    assert high == pytest.approx(published[1], abs=1e-4)


@pytest.mark.parametrize("n", [2, 3, 5, 6, 10, 50])
def test_paired_interval_does_not_collapse_when_no_pair_changes(n):
    """Common random numbers make b = c = 0 common (a variant that changes nothing): the
    interval is the smallest change n replicates could tell, never [0, 0]."""
    for a in range(n + 1):
        low, high = paired_difference_interval(a, 0, 0, n - a)
        assert low < -0.02 and high > 0.02 and low == pytest.approx(-high)


def test_paired_interval_is_antisymmetric_and_holds_the_estimate():
    rng = np.random.default_rng(1)
    for a, b, c, d in rng.integers(0, 12, size=(200, 4)):
        if a + b + c + d == 0:
            continue
        low, high = paired_difference_interval(a, b, c, d)
        swapped = paired_difference_interval(a, c, b, d)
        assert swapped == pytest.approx((-high, -low), abs=1e-12)
        assert -1 <= low <= (b - c) / (a + b + c + d) <= high <= 1


# --------------------------------------------------------------- what a variant changes

@pytest.fixture(scope="module")
def tiny():
    return load_scenario(DATA / "tiny.toml")


def test_differences_name_parameters_with_meaning_unit_and_values(tiny):
    lever = load_scenario(DATA / "tiny_high_subsidy.toml")
    d = scenario_differences(tiny, [load_scenario(DATA / "tiny_copy.toml"), lever])
    assert list(d.columns) == DIFFERENCE_COLUMNS
    assert set(d["variant"]) == {"tiny_high_subsidy"}          # the copy changes nothing
    rows = d.set_index("name")
    assert set(rows.index) == {"rd_subsidy_rate", "certification_reward_yuan"}
    for name in rows.index:
        p = PARAMETERS[name]
        assert rows.loc[name, "meaning"] == p.meaning and rows.loc[name, "unit"] == p.unit
        assert rows.loc[name, "base_value"] == tiny.value(name)
        assert rows.loc[name, "variant_value"] == lever.value(name)


def test_differences_count_zones_targets_and_settings(tiny):
    zone = tiny.zones[1]
    variant = tiny.model_copy(update={
        "meta": tiny.meta.model_copy(update={"end_year": tiny.meta.end_year - 1}),
        "zones": [tiny.zones[0], zone.model_copy(update={"land_stock_mu": 999.0}),
                  zone.model_copy(update={"id": "new_park"})],
        "targets": tiny.targets[:-1]})
    d = scenario_differences(tiny, [variant, tiny]).set_index("what")
    assert set(d["variant"]) == {"tiny (#2)"}       # named as in compare; the base: no rows
    assert d.loc["setting", "name"] == "end_year"
    assert d.loc["zones", "meaning"] == "1 added, 1 changed"
    assert set(d.loc["zones", "name"].split(", ")) == {"new_park", zone.id}
    assert (d.loc["zones", "base_value"], d.loc["zones", "variant_value"]) == (2, 3)
    assert d.loc["targets", "meaning"] == "1 removed"
    assert "parameter" not in d.index


# ------------------------------------------------------------------------ console text

def _comparison(targets, rows) -> pd.DataFrame:
    return pd.DataFrame([{"variant": "lever", "target": t.id, "indicator": t.indicator,
                          "replicates": 20, **r} for t, r in zip(targets, rows)],
                        columns=COMPARISON_COLUMNS)


def test_comparison_text_in_labels_and_display_units():
    base = load_scenario("gaogang_2017_2020")
    loan = next(t for t in base.modelled_targets if t.indicator == "tech_loan_balance_yuan")
    share = next(t for t in base.modelled_targets
                 if t.measure == "level" and planner_value(0.5, t.indicator).endswith("%"))
    rows = [dict(p_met_base=0.4, p_met_variant=0.6, p_met_diff=0.2, p_met_diff_low=0.05,
                 p_met_diff_high=0.35, median_base=3.2e8, median_variant=3.9e8,
                 median_diff=7e7, median_diff_low=2e7, median_diff_high=1.2e8),
            dict(p_met_base=0.5, p_met_variant=0.5, p_met_diff=0.0, p_met_diff_low=-0.1,
                 p_met_diff_high=0.1, median_base=0.515, median_variant=0.548,
                 median_diff=0.033, median_diff_low=-0.01, median_diff_high=0.07)]
    diffs = scenario_differences(base, [load_scenario("gaogang_high_subsidy_2017_2020")])
    diffs["variant"] = "lever"
    text = comparison_text(_comparison([loan, share], rows), diffs, base)
    assert target_label(loan) in text and target_label(share) in text
    assert loan.id not in text and share.id not in text
    assert f"median {planner_value(3.2e8, loan.indicator)} → " in text      # display units
    assert "320000000" not in text and "e+0" not in text
    assert "+0.20 [+0.05, +0.35]" in text and "+0.00 [-0.10, +0.10]" in text
    assert "+3.3 [-1, +7] points" in text       # a share's change in percentage points
    assert "rd_subsidy_rate: " in text and PARAMETERS["rd_subsidy_rate"].meaning in text


def test_sweep_table_headers_read_as_numbers(tiny):
    values = [0.0, 1e6 / 3, 2e6 / 3, 1e6]
    t = tiny.modelled_targets[0]
    design = pd.DataFrame({"point": range(4), "certification_reward_yuan": values})
    summary = design.assign(target=t.id, p_met=[0.1, 0.2, 0.3, 0.4])
    text = sweep_text(design, summary, ["certification_reward_yuan"], tiny,
                      "certification_reward_yuan")
    assert "333,333" in text and "666,667" in text and "1,000,000" in text
    assert "e+0" not in text
    assert axis_label("certification_reward_yuan") in text and target_label(t) in text
    points = sweep_text(design, summary, ["certification_reward_yuan"], tiny, "point")
    assert "666,667" in points and axis_label("certification_reward_yuan", 50) in points


# ---------------------------------------------------------------------------- figures

@pytest.fixture
def figure(monkeypatch):
    """The figure a chart function would save, kept open to be read."""
    kept = []
    monkeypatch.setattr(experiment_figures, "_save", lambda fig, path, rect=None: kept.append(fig))
    yield kept
    import matplotlib.pyplot as plt
    for fig in kept:
        plt.close(fig)


def _ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def test_comparison_chart_labels_units_and_legend(figure, tiny):
    rows = [dict(p_met_base=0.5, p_met_variant=0.7, p_met_diff=0.2, p_met_diff_low=0.05,
                 p_met_diff_high=0.3, median_base=10.0, median_variant=12.0, median_diff=2.0,
                 median_diff_low=1.0, median_diff_high=3.0)] * len(tiny.modelled_targets)
    labels = {t.id: target_label(t) for t in tiny.modelled_targets}
    comparison_chart(_comparison(tiny.modelled_targets, rows), Path("unused.png"), labels, "tiny")
    (fig,) = figure
    ax, ax2 = fig.axes
    assert [t.replace("\n", " ") for t in _ticks(ax)] == list(labels.values())
    assert "probability" in ax.get_xlabel() and "% of the base's median" in ax2.get_xlabel()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(legend) == 4 and "interval above 0" in legend[0]


def test_sweep_chart_axes_in_labels_units_and_numbers(figure):
    s = pd.DataFrame({"certification_reward_yuan": [0.0, 2e6 / 3], "target": "t",
                      "p_met": [0.2, 0.5], "p_met_low": 0.0, "p_met_high": 1.0})
    sweep_chart(s, ["certification_reward_yuan"], "t", Path("unused.png"), "Tech SMEs: ≥ 200")
    ax = figure[0].axes[0]
    assert ax.get_xlabel().replace("\n", " ") == axis_label("certification_reward_yuan")
    assert ax.xaxis.get_major_formatter()(2e6 / 3, 0) == "666,667"
    assert ax.get_title() == "Tech SMEs: ≥ 200"


def _indices(names, outputs=("p_met:a", "margin:a", "p_met:b"), index="mu_star"):
    rng = np.random.default_rng(3)
    return pd.DataFrame([{"parameter": n, "output": o, "index": index,
                          "value": v, "conf_low": v * 0.8, "conf_high": v * 1.2}
                         for o in outputs for n, v in zip(names, rng.random(len(names)))])


def test_overview_of_60_factors_reads_as_sorted_bars_with_levers_marked(figure):
    levers = [n for n, p in PARAMETERS.items() if p.kind == "lever" and not p.categorical]
    others = [n for n, p in PARAMETERS.items() if p.kind == "uncertainty"]
    names = levers[:20] + others[:45]
    sensitivity_overview(_indices(names), "morris", Path("unused.png"))
    ax = figure[0].axes[0]
    bars = ax.patches
    assert len(bars) == 60                                    # the top 60 of 65
    widths = [b.get_width() for b in bars]
    assert widths == sorted(widths, reverse=True)              # largest first, top down
    shown = _ticks(ax)
    order = [names[i] for i in np.argsort([-w for w in _mean_scaled(names)], kind="stable")][:60]
    assert shown == parameter_labels(order) and not set(shown) & set(names)
    kinds = {n: "lever" if n in levers else "uncertainty" for n in names}
    assert [b.get_facecolor() for b in bars] == [
        pytest.approx(_rgba(KIND_COLOR[kinds[n]])) for n in order]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "policy lever" in legend and "uncertain assumption" in legend
    assert all(t.get_rotation() == 0 for t in ax.get_yticklabels())
    assert "60 most influential of 65" in ax.get_title()


def _mean_scaled(names):
    wide = _indices(names).pivot_table(index="parameter", columns="output", values="value")
    return list((wide / wide.max()).mean(axis=1).reindex(names))


def _rgba(color):
    from matplotlib.colors import to_rgba
    return to_rgba(color)


def test_sensitivity_chart_labels_and_kinds(figure):
    names = ["rd_subsidy_rate", "growth_drift", "initial_enterprises"]
    idx = pd.concat([_indices(names, ("p_met:a",), "S1"), _indices(names, ("p_met:a",), "ST")])
    sensitivity_chart(idx, "sobol", "p_met:a", Path("unused.png"), "P(met): Tech SMEs")
    ax = figure[0].axes[0]
    assert set(_ticks(ax)) == set(parameter_labels(names))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"policy lever", "uncertain assumption"} <= set(legend)
    assert any(t.startswith("S1") for t in legend) and any(t.startswith("ST") for t in legend)
    assert "share of the output's variance" in ax.get_xlabel()
    assert "P(met): Tech SMEs" in ax.get_title()
