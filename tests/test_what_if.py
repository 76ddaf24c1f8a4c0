"""Quick what-ifs: --set NAME=VALUE validated like a file, `extends` by a built-in scenario's
name, `zonesim parameters SCENARIO` showing that scenario's values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import zonesim
import zonesim.run
from zonesim.scenario.what_if import SettingError, with_settings

REPO = Path(__file__).resolve().parent.parent
GOOD = REPO / "tests" / "bad_scenarios" / "good_base.toml"


@pytest.fixture(scope="module")
def good():
    return zonesim.load_scenario(GOOD)


def test_set_changes_only_the_named_values(good):
    sc = with_settings(good, ["rd_subsidy_rate=0.5", "offshore_bases=12",
                              "land_allocation_rule=uniform"])
    assert (sc.value("rd_subsidy_rate"), sc.value("offshore_bases"),
            sc.value("land_allocation_rule")) == (0.5, 12, "uniform")
    assert isinstance(sc.value("offshore_bases"), int)
    changed = {n for n in sc.values() if sc.value(n) != good.value(n)}
    assert changed == {"rd_subsidy_rate", "offshore_bases", "land_allocation_rule"}
    assert sc.model_dump()["targets"] == good.model_dump()["targets"]
    assert sc.name == "good_base_what_if" and "what-if: rd_subsidy_rate=0.5" in sc.meta.title


def test_set_value_is_an_assumption_whose_range_holds_it(good):
    """0.5 lies outside the file's range 0–0.2: the range widens to hold it, and the source
    names the option."""
    prov = with_settings(good, ["rd_subsidy_rate=0.5"]).provenance("rd_subsidy_rate")
    assert prov["provenance"] == "assumption" and "--set rd_subsidy_rate=0.5" in prov["source"]
    assert (prov["low"], prov["high"]) == (0.0, 0.5)


def test_same_seed_same_results_with_a_set_equal_to_the_file(good):
    same = with_settings(good, [f"rd_subsidy_rate={good.value('rd_subsidy_rate')}"])
    a = zonesim.run.run_replicate(good, seed=4)
    b = zonesim.run.run_replicate(same, seed=4)
    assert a.equals(b)


@pytest.mark.parametrize("text,fragment", [
    ("rd_subsidy_rate", "expected NAME=VALUE"),
    ("=0.1", "expected NAME=VALUE"),
    ("rd_subsidy_rate=nan", "finite number"),
    ("rd_subsidy_rate=inf", "finite number"),
    ("rd_subsidy_rate=true", "expected a number"),
    ("rd_subsidy_rate=2", "must be ≤ 1"),
    ("offshore_bases=2.5", "whole number"),
    ("rd_subsidy_rat=0.1", "did you mean rd_subsidy_rate"),
    ("land_allocation_rule=by_size", "expected one of"),
])
def test_bad_settings_are_refused_naming_the_option(good, text, fragment):
    with pytest.raises(SettingError) as info:
        with_settings(good, [text])
    msg = str(info.value)
    assert msg.startswith("--set") and fragment in msg and "\n" not in msg


def test_a_name_set_twice_is_refused(good):
    with pytest.raises(SettingError, match="given twice"):
        with_settings(good, ["rd_subsidy_rate=0.1", "rd_subsidy_rate=0.2"])


def test_extends_a_built_in_scenario_by_name(tmp_path):
    variant = tmp_path / "mine.toml"
    variant.write_text('extends = "gaogang_2017_2020"\n[scenario]\nid = "mine"\n')
    sc = zonesim.load_scenario(variant)
    base = zonesim.load_scenario("gaogang_2017_2020")
    assert sc.name == "mine" and sc.values() == base.values()
    missing = tmp_path / "missing.toml"
    missing.write_text('extends = "no_such_scenario"\n')
    with pytest.raises(zonesim.ScenarioError, match="scenarios/no_such_scenario.toml"):
        zonesim.load_scenario(missing)


def test_parameters_of_a_scenario_show_its_values():
    r = subprocess.run([sys.executable, "-m", "zonesim", "parameters", "gaogang_2017_2020"],
                       capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith("offshore_bases ="))
    assert line.startswith("offshore_bases = 30 ") and "seed" in line
    registry = subprocess.run([sys.executable, "-m", "zonesim", "parameters"],
                              capture_output=True, text=True, cwd=REPO, timeout=60)
    assert any(x.startswith("offshore_bases = 0 ") for x in registry.stdout.splitlines())


def test_run_with_set_writes_beside_the_scenarios_own_run(tmp_path):
    """`zonesim run --set` runs the what-if into out/<id>_what_if and records the value."""
    r = subprocess.run([sys.executable, "-m", "zonesim", "run", str(GOOD), "-n", "1",
                        "--workers", "1", "-q", "--no-figures", "--set", "rd_subsidy_rate=0.15"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "What-if: rd_subsidy_rate=0.15" in r.stdout
    out = tmp_path / "out" / "good_base_what_if"  # the what-if's id
    assert (out / "run.json").exists() and not (tmp_path / "out" / "good_base").exists()
    bad = subprocess.run([sys.executable, "-m", "zonesim", "run", str(GOOD), "--set",
                          "rd_subsidy_rate=nan"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "zonesim: --set rd_subsidy_rate: expected a finite number (share of R&D expense), "
        "got nan")


def test_compare_and_sweep_take_set(tmp_path):
    """compare BASE --set: the base's what-if is the variant; sweep --set: around the what-if."""
    cmp = subprocess.run([sys.executable, "-m", "zonesim", "compare", str(GOOD), "-n", "2",
                          "--workers", "1", "-q", "--no-figures", "--set", "offshore_bases=0",
                          "--out", str(tmp_path / "cmp")], capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert cmp.returncode == 0, cmp.stderr
    assert "offshore_bases: 30 → 0" in cmp.stdout
    sw = subprocess.run([sys.executable, "-m", "zonesim", "sweep", str(GOOD), "--param",
                         "rd_subsidy_rate=0:0.2:2", "-n", "1", "--workers", "1", "-q",
                         "--no-figures", "--set", "offshore_bases=0", "--out",
                         str(tmp_path / "sw")], capture_output=True, text=True, cwd=tmp_path,
                        timeout=300)
    assert sw.returncode == 0, sw.stderr
    spec = zonesim.load(tmp_path / "sw").metadata
    assert "good_base_what_if" in str(spec)
    none = subprocess.run([sys.executable, "-m", "zonesim", "compare", str(GOOD)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert none.returncode == 2 and "needs a VARIANT scenario or --set" in none.stderr
