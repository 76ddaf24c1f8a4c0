"""Bad input to ``zonesim calibrate`` (and ``patterns --out``): each is refused before the ABC
runs, on one line naming the file, row and column (or the option), exit status 2, no
traceback, nothing written to --out. The scenario is tests/data/tiny.toml (runs of a few
hundredths of a second), so that even the trial run that checks a statistic is measured is fast.

Every case goes through the command line's own entry point (``zonesim.cli.main``) in this
process — an unexpected exception would fail the test — and a few of each kind also through
``python3 -m zonesim`` in a subprocess (which costs seconds of imports each).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from zonesim.analysis.calibration import calibrate
from zonesim.analysis.calibration_data import read_data, select_statistics
from cli_check import one_line_error, zonesim_cli
from zonesim.errors import CalibrationError, ZonesimError
from zonesim.scenario import load_scenario

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
TINY = TESTS / "data" / "tiny.toml"
HEADER = "indicator,scope,year,value,weight\n"
GOOD_ROW = "high_tech_output_share,city,2018,0.4,1\n"


def cli(capsys, *args) -> subprocess.CompletedProcess:
    """``zonesim ARGS`` run in this process, as a finished process."""
    from zonesim.cli import main

    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as e:  # argparse's refusals
        code = e.code
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() \
        else []


# rows after the header (line 1): the bad row is on the line the fragments name
BAD_CSV = [
    ("high_tech_output_share,city,2018,abc,1\n", ["line 2, column value", "'abc'"]),
    ("high_tech_output_share,city,,0.4,1\n", ["line 2, column year", "empty"]),
    ("high_tech_output_share,city,twenty,0.4,1\n", ["line 2, column year", "'twenty'"]),
    ("high_tech_output_share,city,2018.7,0.4,1\n", ["line 2, column year", "whole year"]),
    ("high_tech_output_share,city,2018,0.4,abc\n", ["line 2, column weight", "'abc'"]),
    ("high_tech_output_share,city,2018,0.4,inf\n", ["line 2, column weight", "finite"]),
    ("high_tech_output_share,city,2018,0.4,nan\n", ["line 2, column weight", "finite"]),
    ("high_tech_output_share,city,2018,nan,1\n", ["line 2, column value", "finite"]),
    ("high_tech_output_share,city,2018,0.4,-1\n", ["line 2, column weight", "≥ 0"]),
    ("high_tech_output_share,city,2018,,1\n", ["line 2, column value", "empty"]),
    (GOOD_ROW + "high_tech_output_share,city,2018,0.5,1\n",
     ["line 3", "given twice", "also line 2"]),
    ("high_tech_enterprises,city,2018,-3,1\n", ["line 2, column value", "negative"]),
    ("high_tech_output_share,city,2018,44.2,1\n", ["line 2, column value", "between 0 and 1"]),
    ("high_tech_output_share,city,2018,0,1\n", ["line 2, column value", "weight 0"]),
    ("zones_municipal_plus,zone:port_core,2018,3,1\n",
     ["line 2, column scope", "scope must be 'city'"]),
    ("high_tech_output_share,zone:nowhere,2018,0.4,1\n", ["line 2, column scope", "nowhere"]),
    ("high_tech_output_share,each_zone,2018,0.4,1\n", ["line 2, column scope", "one number"]),
    ("high_tech_output_share,downtown,2018,0.4,1\n", ["line 2, column scope", "county:"]),
    ("output_per_mu_yuan,county:gaogang,2018,3e6,1\n", ["line 2, column scope", "county"]),
    ("high_tech_output_share,county:elsewhere,2018,0.4,1\n", ["line 2, column scope",
                                                              "elsewhere"]),
    ("high_tech_output_shares,city,2018,0.4,1\n", ["line 2, column indicator",
                                                   "did you mean high_tech_output_share"]),
    ("high_tech_output_share,city,2018,0.4,1,extra\n", ["line 2", "6 fields"]),
    (GOOD_ROW + "\n" + "high_tech_output_share,zones,2018,x,1\n", ["line 4, column value"]),
]


SUBPROCESS = {0}  # a text value, as the probe found it


@pytest.mark.parametrize("case", range(len(BAD_CSV)))
def test_bad_csv_refused_before_any_run(tmp_path, capsys, case):
    rows, fragments = BAD_CSV[case]
    data = tmp_path / "stats.csv"
    data.write_text(HEADER + rows, encoding="utf-8")
    args = ["calibrate", TINY, "--data", data, "--params", "growth_drift", "--out",
            tmp_path / "out", "--particles", "2", "--populations", "1", "--workers", "1", "-q"]
    one_line_error(cli(capsys, *args), "stats.csv", *fragments)
    if case in SUBPROCESS:
        one_line_error(zonesim_cli(*args), "stats.csv", *fragments)
    assert listing(tmp_path) == ["stats.csv"]


def test_unmeasurable_statistic_refused_before_the_abc(tmp_path, capsys):
    """zone_tier_level is a zone row's: at the city scope the scope grammar lets it pass, but
    no run measures it, so every particle's distance would be infinite."""
    data = tmp_path / "stats.csv"
    data.write_text(HEADER + GOOD_ROW + "zone_tier_level,city,2018,2,1\n", encoding="utf-8")
    r = cli(capsys, "calibrate", TINY, "--data", data, "--params", "growth_drift", "--out",
            tmp_path / "out", "--workers", "1", "-q")
    one_line_error(r, "stats.csv, line 3", "zone_tier_level", "not measured")
    assert listing(tmp_path) == ["stats.csv"]


@pytest.mark.parametrize("args,fragments", [
    (["--particles", "1000000000000"], ["--particles", "1–100000"]),
    (["--particles", "0"], ["--particles"]),
    (["--populations", str(10**12)], ["--populations", "1–100"]),
    (["--populations", "2.5"], ["--populations", "whole number"]),
    (["--params", ""], ["--params", "parameter names"]),
    (["--params", ","], ["--params"]),
    (["--params", "growth_drift,,baseline_rd_intensity"], ["--params"]),
    (["--params", "growth_drift,growth_drift"], ["growth_drift given twice"]),
    (["--params", "growth_drif"], ["did you mean growth_drift"]),
])
def test_bad_options_refused(tmp_path, capsys, args, fragments):
    data = tmp_path / "stats.csv"
    data.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    argv = ["calibrate", TINY, "--data", data, "--out", tmp_path / "out", "-q", *args]
    one_line_error(cli(capsys, *argv), *fragments)
    if args[1] == "1000000000000":  # as the probe found it
        one_line_error(zonesim_cli(*argv), *fragments)
    assert listing(tmp_path) == ["stats.csv"]


def _folders(tmp_path: Path) -> dict[str, Path]:
    """Output folders that a calibration must not write into: a file, a finished run, a folder
    of other things, another scenario's calibration."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"kind": "run", "scenario": "tiny"}))
    (run / "summary.csv").write_text("the run's summary\n")
    other = tmp_path / "notes"
    other.mkdir()
    (other / "notes.txt").write_text("mine\n")
    cal = tmp_path / "cal_other"
    cal.mkdir()
    (cal / "calibration.json").write_text(json.dumps({"kind": "calibration",
                                                      "scenario": "good_base"}))
    (tmp_path / "a_file").write_text("x\n")
    return {"run": run, "notes": other, "cal_other": cal, "a_file": tmp_path / "a_file"}


@pytest.mark.parametrize("which,fragments", [
    ("run", ["finished zonesim run", "--force"]),
    ("notes", ["no zonesim calibration", "--force"]),
    ("cal_other", ["another scenario (good_base)", "--force"]),
    ("a_file", ["is a file"]),
])
def test_calibrate_out_checked_before_the_abc(tmp_path, capsys, which, fragments):
    folders = _folders(tmp_path)
    data = tmp_path / "stats.csv"
    data.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    argv = ["calibrate", TINY, "--data", data, "--params", "growth_drift", "-q", "--out",
            folders[which]]
    one_line_error(cli(capsys, *argv), str(folders[which]), *fragments)
    if which == "run":
        one_line_error(zonesim_cli(*argv), str(folders[which]), *fragments)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("which,fragments", [
    ("run", ["finished zonesim run", "--force"]),
    ("notes", ["no patterns output", "--force"]),
    ("a_file", ["is a file"]),
])
def test_patterns_out_refuses_a_run_folder(tmp_path, capsys, which, fragments):
    folders = _folders(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    argv = ["patterns", TINY, "-n", "1", "--out", folders[which]]
    one_line_error(cli(capsys, *argv), str(folders[which]), *fragments)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


# ------------------------------------------------------------------------- Python API
SMALL = {"parameters": ["growth_drift"], "populations": 1, "particles": 2, "predictive": 1,
         "max_proposals": 2, "seed": 0}
ROWS = pd.DataFrame([{"indicator": "high_tech_output_share", "scope": "city", "year": 2018,
                      "value": 0.4}])


@pytest.mark.parametrize("kwargs,fragment", [
    ({"particles": 10**12}, "particles"),
    ({"populations": 10**12}, "populations"),
    ({"particles": 2.5}, "particles"),
    ({"replicates": 0}, "replicates"),
    ({"predictive": 10**12}, "predictive"),
    ({"quantile": 1.5}, "quantile"),
    ({"parameters": []}, "parameters"),
    ({"parameters": "growth_drift"}, "parameters"),
    ({"fixed": {"growth_drift": 0.01}}, "both fixed and calibrated"),
])
def test_api_refuses_bad_settings(tmp_path, kwargs, fragment):
    with pytest.raises(ZonesimError, match=fragment) as e:
        calibrate(TINY, ROWS, out=tmp_path / "out", **{**SMALL, **kwargs})
    assert "\n" not in str(e.value)
    assert listing(tmp_path) == []


def test_api_table_rows_named_by_index():
    sc = load_scenario(TINY)
    bad = pd.DataFrame([{"indicator": "high_tech_output_share", "scope": "city",
                         "year": 2018, "value": float("inf")}], index=[7])
    with pytest.raises(CalibrationError, match=r"calibration data, row 7, column value"):
        select_statistics(sc, bad)
    with pytest.raises(CalibrationError, match="column year"):
        select_statistics(sc, ROWS.assign(year="2018.7"))


def test_csv_line_numbers_count_quoted_newlines(tmp_path):
    data = tmp_path / "stats.csv"
    data.write_text("indicator,scope,year,value,note\n"
                    'high_tech_output_share,city,2018,0.4,"two\nlines"\n'
                    "high_tech_output_share,zones,2018,x,\n", encoding="utf-8")
    with pytest.raises(CalibrationError, match=r"stats.csv, line 4, column value"):
        select_statistics(load_scenario(TINY), read_data(data))


def test_output_written_whole_replaced_and_forced(tmp_path):
    out = tmp_path / "cal"

    def fail(message):
        raise KeyboardInterrupt  # killed during the ABC: nothing may be left behind

    with pytest.raises(KeyboardInterrupt):
        calibrate(TINY, ROWS, out=out, progress=fail, **SMALL)
    assert listing(tmp_path) in ([], [".cal.lock"])
    first = calibrate(TINY, ROWS, out=out, **SMALL)
    assert Path(first["calibrated_scenario"]) == out / "tiny_calibrated.toml"
    assert load_scenario(first["calibrated_scenario"]).name == "tiny_calibrated"
    calibrate(TINY, ROWS, out=out, **{**SMALL, "seed": 1})  # the same scenario's: replaced
    assert json.loads((out / "calibration.json").read_text())["settings"]["seed"] == 1
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    (tmp_path / "f").mkdir()
    run = _folders(tmp_path / "f")["run"]
    with pytest.raises(CalibrationError, match="finished zonesim run"):
        calibrate(TINY, ROWS, out=run, **SMALL)
    calibrate(TINY, ROWS, out=run, force=True, **SMALL)
    assert not (run / "run.json").exists() and (run / "calibration.json").exists()
