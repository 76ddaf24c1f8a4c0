"""Misuse of the command line, the Python API and output folders: each case gets one line that
names the option or parameter and what was expected, no traceback, and leaves nothing written
or half-written. (Bad scenario files are in tests/bad_scenarios/, see test_bad_input.py.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

import zonesim
from zonesim.analysis.run_scenario import run_scenario
from zonesim.engine import memory
from zonesim.engine.firms import peak_run_bytes
from zonesim.engine.model import ZoneModel
from cli_check import one_line_error, zonesim_cli
from zonesim.errors import ZonesimError
from zonesim.run import run_replicate, run_replicates

REPO = Path(__file__).resolve().parent.parent
GOOD = REPO / "tests" / "bad_scenarios" / "good_base.toml"


@pytest.fixture(scope="module")
def good():
    return zonesim.load_scenario(GOOD)


def listing(folder: Path) -> list[str]:
    """Every path under ``folder`` (hidden ones included), relative."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() \
        else []


# ---------------------------------------------------------------- command-line options
RUN = ["run", GOOD, "-n", "1", "--workers", "1", "-q", "--no-figures"]

OPTION_CASES = [
    (["--seed", "-1"], ["--seed", "0–"]),
    (["--seed", "1.5"], ["--seed", "whole number"]),
    (["--seed", str(2**64)], ["--seed"]),
    (["--steps-per-year", "0"], ["--steps-per-year", "1–52"]),
    (["--steps-per-year", "100000"], ["--steps-per-year", "1–52"]),
    (["--replicates", "0"], ["--replicates", "1–100000"]),
    (["--replicates", "abc"], ["--replicates", "'abc'"]),
    (["--replicates", "nan"], ["--replicates", "'nan'"]),
    (["--workers", "0"], ["--workers", "1–1024"]),
    (["--workers", "-3"], ["--workers"]),
    (["--frobnicate"], ["unrecognized arguments"]),
]


@pytest.mark.parametrize("extra,fragments", OPTION_CASES, ids=[" ".join(c[0]) for c in
                                                               OPTION_CASES])
def test_run_option_refused(tmp_path, extra, fragments):
    out = tmp_path / "out"
    one_line_error(zonesim_cli(*RUN, "--out", out, *extra), *fragments)
    assert listing(tmp_path) == []


@pytest.mark.parametrize("args,fragments", [
    (["run", "no_such_scenario"], ["no_such_scenario.toml: file not found"]),
    (["run", "/dev/null"], ["/dev/null", "not a regular file"]),
    (["sweep", GOOD, "--param", "rd_subsidy_rate=nan:0.2"], ["rd_subsidy_rate", "finite"]),
    (["sweep", GOOD, "--param", "rd_subsidy_rate=0:inf"], ["rd_subsidy_rate", "finite"]),
    (["sweep", GOOD, "--param", "rd_subsidy_rate=0.2:0.1"], ["rd_subsidy_rate", "empty"]),
    (["sweep", GOOD, "--param", "rd_subsidy_rat=0:0.2"], ["did you mean rd_subsidy_rate"]),
    (["sweep", GOOD, "--param", "rd_subsidy_rate=0-0.2"], ["NAME=LOW:HIGH"]),
    (["sweep", GOOD, "--param", "offshore_bases=0:40:1"], ["STEPS must be at least 2"]),
    (["sweep", GOOD, "--param", "land_allocation_rule=0:1"], ["categorical"]),
    (["sensitivity", GOOD, "--params", "rd_subsidy_rate,rd_subsidy_rate"], ["given twice"]),
    (["sensitivity", GOOD, "--method", "anova"], ["invalid choice: 'anova'"]),
    (["compare", GOOD, "no_such_variant.toml"], ["no_such_variant.toml: file not found"]),
    (["calibrate", GOOD, "--data", "no_such.csv"], ["no_such.csv"]),
    (["calibrate", GOOD], ["--data CSV is needed", "--ship"]),
    (["calibrate", GOOD, "--ship"], ["no [calibration] table"]),
    (["calibrate", "gaogang_2017_2020", "--ship", "--data", "x.csv"],
     ["[calibration] table", "leave out --data"]),
    (["run", GOOD, "--fixed", "--prior"], ["not allowed with argument"]),
    (["run", GOOD, "--scheduler", "x"], ["unrecognized arguments"]),
    (["compare", GOOD, GOOD, "--workers", "2", "--dask-local", "2"], ["--workers"]),
])
def test_command_misuse_refused(tmp_path, args, fragments):
    out = tmp_path / "out"
    one_line_error(zonesim_cli(*args, "--out", out), *fragments)
    assert listing(tmp_path) == []


@pytest.mark.parametrize("args,fragments", [
    (["run", "", "-q"], ["expected a scenario name or a path"]),
    (["validate", ""], ["expected a scenario name or a path"]),
    (["run", GOOD, "--seed", "1" + "0" * 400], ["--seed", "0–"]),
    (["run", GOOD, "--out", ""], ["--out: expected a folder"]),
    (["run", GOOD, "--out", "."], ["is the current folder"]),
    (["compare", GOOD, GOOD, "--scheduler", ""], ["--scheduler", "empty"]),
    (["compare", GOOD, GOOD, "--scheduler", "garbage://::"], ["cannot reach the Dask"]),
    (["sensitivity", GOOD, "--params", ","], ["--params", "got none"]),
    (["validate", "bad\nname.toml"], ["bad\\nname.toml"]),
])
def test_empty_or_odd_arguments_are_refused(tmp_path, args, fragments):
    """An empty argument never falls back to a default in silence; odd ones get one line."""
    one_line_error(zonesim_cli(*args, cwd=tmp_path), *fragments)
    assert listing(tmp_path) == []


# -------------------------------------------------------------------- scenario files
def test_fifo_is_not_read(tmp_path):
    """A named pipe would block the reader for ever."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    one_line_error(zonesim_cli("validate", fifo, timeout=30), "not a regular file")
    variant = tmp_path / "variant.toml"
    variant.write_text('extends = "pipe.toml"\n')
    one_line_error(zonesim_cli("validate", variant, timeout=30), "variant.toml",
                   "key 'extends'", "pipe.toml", "not a regular file")


def test_oversize_file_is_not_read(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (2 << 20) + "\n")
    one_line_error(zonesim_cli("validate", big), "big.toml", "more than a scenario file may hold")


def test_nesting_beyond_the_parser(tmp_path):
    """10 000 levels exhaust the TOML parser's recursion: one line, not 3 000 of traceback."""
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 10_000 + "]" * 10_000 + "\n")
    one_line_error(zonesim_cli("validate", deep), "deep.toml", "nested more than")


def test_long_name_echoed_once_and_cut(tmp_path):
    name = "q" * 200_000
    f = tmp_path / "long.toml"
    f.write_text(f'extends = "{GOOD}"\n[parameters]\n{name} = {{ value = 1, provenance = "seed", '
                 'source = "a long name" }\n')
    msg = one_line_error(zonesim_cli("validate", f), "unknown parameter")
    assert len(msg) < 400 and msg.count("q" * 50) == 1


def test_extends_chain_of_at_most_eight_files(tmp_path):
    (tmp_path / "c0.toml").write_bytes(GOOD.read_bytes())
    for i in range(1, 9):
        (tmp_path / f"c{i}.toml").write_text(f'extends = "c{i - 1}.toml"\n')
    assert zonesim.load_scenario(tmp_path / "c7.toml").name == "good_base"  # 8 files
    one_line_error(zonesim_cli("validate", tmp_path / "c8.toml"), "c8.toml",
                   "a chain of more than 8 files")


def test_utf8_byte_order_mark_is_accepted(tmp_path, good):
    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes())
    assert zonesim.load_scenario(f).model_dump() == good.model_dump()


def test_validate_reports_every_file(tmp_path):
    """A file that fails does not stop `validate A B C` at it."""
    bad = REPO / "tests" / "bad_scenarios" / "integer_parameter_inf.toml"
    r = zonesim_cli("validate", bad, GOOD, REPO / "tests" / "bad_scenarios" / "huge_integer.toml")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "good_base.toml" in r.stdout
    assert "integer_parameter_inf.toml" in r.stderr and "huge_integer.toml" in r.stderr


# ------------------------------------------------------------------------ Python API
@pytest.mark.parametrize("value,fragment", [
    (True, "expected a number"), ("abc", "expected a number"), (None, "expected a number"),
    ([0.1], "expected a number"), (float("nan"), "finite"), (float("inf"), "finite"),
    (1.5, "must be ≤ 1"),
])
def test_api_parameter_of_wrong_kind(good, value, fragment):
    with pytest.raises(ZonesimError) as info:
        ZoneModel(good, seed=1, parameters={"rd_subsidy_rate": value})
    assert "rd_subsidy_rate" in str(info.value) and fragment in str(info.value)


def test_api_integer_parameter_is_not_rounded(good):
    with pytest.raises(ZonesimError, match="offshore_bases.*whole number.*2.7"):
        ZoneModel(good, seed=1, parameters={"offshore_bases": 2.7})
    assert ZoneModel(good, seed=1, parameters={"offshore_bases": 3.0}).p["offshore_bases"] == 3


@pytest.mark.parametrize("parameters,fragment", [
    ([("rd_subsidy_rate", 0.1)], "expected a mapping"),
    ({"rd_subsidy_rat": 0.1}, "did you mean rd_subsidy_rate"),
    ({"x" * 200_000: 1}, "unknown parameter"),
])
def test_api_parameters_mapping(good, parameters, fragment):
    with pytest.raises(ZonesimError) as info:
        ZoneModel(good, seed=1, parameters=parameters)
    assert fragment in str(info.value) and len(str(info.value)) < 400


@pytest.mark.parametrize("options,fragment", [
    ({"steps_per_year": 0}, "steps_per_year: expected 1–52"),
    ({"steps_per_year": 2.5}, "steps_per_year: expected a whole number"),
    ({"steps_per_year": True}, "steps_per_year: expected a whole number"),
    ({"seed": -1}, "seed: expected 0–"),
    ({"seed": "1"}, "seed: expected a whole number"),
])
def test_api_model_options(good, options, fragment):
    with pytest.raises(ZonesimError, match=fragment):
        ZoneModel(good, **options)


@pytest.mark.parametrize("options,fragment", [
    ({"replicates": 0}, "replicates: expected 1–"),
    ({"replicates": "abc"}, "replicates: expected a whole number"),
    ({"replicates": 1, "seed": -5}, "seed: expected 0–"),
    ({"replicates": 1, "workers": 0}, "workers: expected 1–"),
    ({"replicates": 1, "steps_per_year": 0}, "steps_per_year: expected 1–52"),
])
def test_api_run_options(good, options, fragment):
    with pytest.raises(ZonesimError, match=fragment):
        run_replicates(good, progress=False, **options)


def test_api_run_scenario_refuses_before_writing(good, tmp_path):
    with pytest.raises(ZonesimError, match="seed"):
        run_scenario(good, 1, seed=-1, out=tmp_path / "out", workers=1, progress=False)
    assert listing(tmp_path) == []


def test_api_scenario_argument(tmp_path):
    with pytest.raises(zonesim.ScenarioError, match="expected a scenario name or a path"):
        zonesim.load_scenario(123)


def test_api_scenario_must_be_a_scenario(good):
    for call in (lambda: run_replicates(str(GOOD), 1, progress=False),
                 lambda: run_replicate({"scenario": 1}),
                 lambda: ZoneModel(None),
                 lambda: run_scenario(str(GOOD), 1, progress=False)):
        with pytest.raises(zonesim.ScenarioError, match="expected a Scenario"):
            call()


@pytest.mark.parametrize("options,fragment", [
    ({"seed": -1}, "seed: expected 0–"), ({"replicate": 2.5}, "replicate: expected a whole"),
    ({"replicate": True}, "replicate: expected a whole"), ({"seed": "1"}, "seed: expected a whole"),
])
def test_api_replicate_options(good, options, fragment):
    with pytest.raises(ZonesimError, match=fragment):
        run_replicate(good, **options)


def test_api_zero_replicates_is_not_the_default(good, tmp_path):
    with pytest.raises(ZonesimError, match="replicates: expected 1–"):
        run_scenario(good, 0, progress=False)


def test_api_experiment_arguments(good, tmp_path):
    from zonesim.analysis.compare import compare
    from zonesim.analysis.sensitivity import sensitivity
    from zonesim.analysis.space import Factor, check_factor
    from zonesim.analysis.sweep import sweep
    from zonesim.scenario.what_if import with_settings
    f = [check_factor("rd_subsidy_rate", 0.0, 0.2)]
    out = tmp_path / "x"
    cases = [
        (lambda: sweep(good, f, steps={"rd_subsidy_rate": 0}, out=out), "whole number ≥ 2"),
        (lambda: sweep(good, f, steps={"growth_drift": 3}, out=out), "not a factor"),
        (lambda: sweep(good, f, design="lhs", samples=2.5, out=out), "samples: expected a whole"),
        (lambda: sweep(good, "rd_subsidy_rate", out=out), "expected a list of Factor"),
        (lambda: sweep(good, [Factor("rd_subsidy_rate", float("nan"), 0.2, "lever", False, "")],
                       out=out), "finite"),
        (lambda: sensitivity(good, names="rd_subsidy_rate", out=out), "non-empty list"),
        (lambda: sensitivity(good, n=2.5, out=out), "samples: expected a whole"),
        (lambda: sensitivity(good, seed=-1, out=out), "seed: expected 0–"),
        (lambda: compare(good, good, 2, out=out), "expected a list of scenarios"),
        (lambda: compare(good, [good], "3", out=out), "replicates: expected a whole"),
        (lambda: compare(good, [with_settings(good, [])], None, out=out), "replicates"),
    ]
    for call, fragment in cases:
        with pytest.raises(ZonesimError, match=fragment):
            call()
    assert not out.exists()


def test_compare_refuses_a_variant_without_the_bases_targets(good, tmp_path):
    from zonesim.analysis.compare import compare
    variant = tmp_path / "v.toml"
    variant.write_text(f'extends = "{GOOD}"\n[[targets]]\nid = "municipal_zones"\n'
                       'remove = true\n')
    with pytest.raises(ZonesimError, match="lacks the base's target.*municipal_zones"):
        compare(good, [zonesim.load_scenario(variant)], 2, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ memory
def test_run_too_large_for_the_machine_is_refused(good, monkeypatch):
    """The estimate is compared with what the machine has available, before any work."""
    class Small:
        available = 4 << 30
    monkeypatch.setattr(memory.psutil, "virtual_memory", lambda: Small)
    with pytest.raises(memory.MemoryLimitError, match=r"initial_enterprises = 5,000,000.*GB"):
        ZoneModel(good, parameters={"initial_enterprises": 5_000_000})
    with pytest.raises(memory.MemoryLimitError, match="fewer --workers"):
        run_replicates(good, 8, workers=8, parameters={"initial_enterprises": 1_000_000},
                       progress=False)


def test_firm_store_outgrowing_the_machine_is_refused(monkeypatch):
    """Entry that makes the population outgrow the machine (a birth rate of 1 with no exits
    over decades) stops with the estimate when the store would grow, not a MemoryError."""
    from zonesim.engine.firms import Enterprises
    store = Enterprises(capacity=16)
    store.add(10)

    class Small:
        available = 1 << 20
    monkeypatch.setattr(memory.psutil, "virtual_memory", lambda: Small)
    with pytest.raises(memory.MemoryLimitError, match="growing to 1,000,010 firms"):
        store.add(1_000_000)
    assert store.n == 10


def test_memory_estimate_is_above_what_runs_use(good):
    """tracemalloc's peak over a run stays below the estimate the refusal is based on."""
    import tracemalloc
    for n in (2_000, 20_000):
        tracemalloc.start()
        run_replicate(good, seed=3, parameters={"initial_enterprises": n})
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < peak_run_bytes(n), (n, peak, peak_run_bytes(n))


# ------------------------------------------------------------------------ output folders
def _run_out(out: Path, *extra, scenario=GOOD):
    return zonesim_cli("run", scenario, "-n", "1", "--workers", "1", "-q", "--no-figures",
                       "--out", out, *extra)


def test_run_folder_holding_another_scenario_is_refused(tmp_path):
    out = tmp_path / "out"
    assert _run_out(out).returncode == 0
    before = {p: p.read_bytes() for p in out.iterdir()}
    other = tmp_path / "other.toml"
    other.write_text(GOOD.read_text().replace('id = "good_base"', 'id = "other_scenario"'))
    one_line_error(_run_out(out, scenario=other), "holds another run (scenario good_base,",
                   "--force")
    assert {p: p.read_bytes() for p in out.iterdir()} == before
    r = _run_out(out, "--force", scenario=other)
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "run.json").read_text())["scenario"] == "other_scenario"


def test_the_same_command_again_replaces_its_run_and_no_other(tmp_path):
    """The same scenario, replicates, seed and step length: the run is replaced. Other settings
    (a 1-replicate run over a 2-replicate one) need --force."""
    out = tmp_path / "out"
    assert _run_out(out, "--seed", "7").returncode == 0
    first = (out / "indicators.parquet").read_bytes()
    assert _run_out(out, "--seed", "7").returncode == 0
    assert (out / "indicators.parquet").read_bytes() == first
    one_line_error(_run_out(out, "--seed", "8"), "holds another run (seed 7)", "--force")
    assert json.loads((out / "run.json").read_text())["seed"] == 7
    assert _run_out(out, "--seed", "8", "--force").returncode == 0
    assert json.loads((out / "run.json").read_text())["seed"] == 8
    assert [p for p in listing(tmp_path) if ".tmp-" in p or ".old-" in p] == []


def test_run_folder_with_other_files_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    one_line_error(_run_out(out), "holds no finished zonesim run", "--force")
    assert listing(out) == ["notes.txt"]


def test_run_out_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("a file")
    one_line_error(_run_out(out), "is a file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_found_before_running(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        one_line_error(_run_out(parent / "out"), "cannot be written")
    finally:
        parent.chmod(0o755)


def test_read_only_output_refused_before_running(good, tmp_path, monkeypatch):
    """(Also as root.) An output folder that cannot be written is found before any replicate:
    the runs never start."""
    out = tmp_path / "out"
    out.mkdir()
    import zonesim.analysis.run_folder as rf
    monkeypatch.setattr(rf.os, "access", lambda path, mode: False)
    started = []
    monkeypatch.setattr("zonesim.analysis.run_scenario.run_replicates",
                        lambda *a, **k: started.append(1))
    with pytest.raises(ZonesimError, match="not writable"):
        run_scenario(good, 1, out=out, workers=1, progress=False)
    assert started == []


def test_two_runs_never_write_one_folder(tmp_path):
    """While a run holds the folder's lock, another is refused at once."""
    out = tmp_path / "out"
    with FileLock(tmp_path / ".out.lock"):
        one_line_error(_run_out(out), "another zonesim run is writing there")
    assert listing(tmp_path) == [".out.lock"]


def test_failed_run_leaves_no_folder(good, tmp_path):
    out = tmp_path / "out"

    def fail(folder, res):
        (folder / "half.txt").write_text("half")
        raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        run_scenario(good, 1, out=out, workers=1, progress=False, write_more=fail)
    assert not out.exists()
    assert [p for p in listing(tmp_path) if not p.endswith(".lock")] == []


def test_killed_run_leaves_no_folder_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, "-m", "zonesim", "run", GOOD, "-n", "200",
                          "--workers", "1", "-q", "--no-figures", "--out", str(out)],
                         cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not list(tmp_path.glob(".out.tmp-*")) and time.time() < deadline:
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert not out.exists()
    assert _run_out(out).returncode == 0
    assert (out / "run.json").exists()
    assert [q for q in listing(tmp_path) if ".tmp-" in q] == []


def test_scenario_without_targets_runs_for_its_indicators(tmp_path):
    variant = tmp_path / "no_targets.toml"
    variant.write_text(f'extends = "{GOOD}"\n' + "".join(
        f'[[targets]]\nid = "{t}"\nremove = true\n'
        for t in ("new_hte_each_year", "zone_hte_output_share", "municipal_zones")))
    out = tmp_path / "out"
    r = _run_out(out, scenario=variant)
    assert r.returncode == 0, r.stderr
    assert "no targets" in r.stdout
    assert zonesim.load(out).series["replicate"].nunique() == 1


# ------------------------------------------------------------------------------ workers
def test_pool_workers_end_when_their_parent_is_killed():
    """kill -9 of the parent: its pool workers notice and end (they would run on, orphaned)."""
    script = (
        "import time, sys\n"
        "from zonesim.run import make_executor\n"
        "pool, close = make_executor(2)\n"
        "pids = [pool.submit(__import__('os').getpid).result() for _ in range(4)]\n"
        "print(' '.join(map(str, set(pids))), flush=True)\n"
        "time.sleep(600)\n")
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(x) for x in p.stdout.readline().split()]
    assert pids
    p.send_signal(signal.SIGKILL)
    p.wait()
    deadline = time.time() + 15
    alive = pids
    while alive and time.time() < deadline:
        time.sleep(0.2)
        alive = [q for q in pids if _alive(q)]
    assert alive == [], f"workers {alive} outlived their parent"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for init to reap it has ended
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
