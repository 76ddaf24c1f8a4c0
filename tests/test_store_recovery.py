"""Bad input never gives a wrong answer: a damaged result store and an oversize design.

A damaged outcome or series chunk (truncated, garbage, flipped bits, missing columns) is set
aside on --resume and its runs are run again, giving exactly the outcomes and series of an
undamaged run; read without --resume (``zonesim.load``) it is named in an error. A design of
more runs than ``MAX_RUNS`` is refused, from its factors, before it is built: the requests
below would need gigabytes and run under an address-space limit that a built design cannot
fit in.

The runs use tests/data/tiny.toml (a few hundredths of a second each).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import zonesim
from zonesim.analysis.designs import (MAX_RUNS, check_runs, sample_size, sensitivity_design,
                                      sweep_design)
from zonesim.analysis.space import check_factor
from zonesim.analysis.store import ResultStore
from zonesim.analysis.sweep import sweep
from zonesim.errors import ExperimentError
from zonesim.scenario import load_scenario

DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.toml"
SEED, REPLICATES, STEPS = 5, 2, 4          # 4 points × 2 replicates
#: Address space for the processes that must refuse an oversize design: imports fit in well
#: under 1 GB; the designs asked for need 8 GB or more.
ADDRESS_SPACE = 2 << 30


def _sweep(out: Path, **kw):
    return sweep(load_scenario(TINY), [check_factor("initial_enterprises", 80, 200)], "grid",
                 {"initial_enterprises": STEPS}, replicates=REPLICATES, seed=SEED, out=out,
                 workers=1, progress=False, **kw)


def _sweep_cmd(out: Path, *extra) -> list[str]:
    """The command line of :func:`_sweep` (the same experiment, so the same store)."""
    return [sys.executable, "-m", "zonesim", "sweep", str(TINY), "--param",
            f"initial_enterprises=80:200:{STEPS}", "--replicates", str(REPLICATES), "--seed",
            str(SEED), "--workers", "1", "--quiet", "--no-figures", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """An undamaged, finished store and its outcomes."""
    out = tmp_path_factory.mktemp("store") / "reference"
    _, outcomes, _ = _sweep(out)
    return out, outcomes


def _two_chunks(reference, folder: Path) -> dict[str, tuple[Path, Path]]:
    """A copy of the reference store whose outcomes and series are in two chunk pairs (points
    0–1, 2–3), as an interrupted experiment leaves them. Returns the chunks of each kind
    ("outcome", "series")."""
    shutil.copytree(reference[0], folder)
    store = ResultStore(folder)
    outcomes, series = store.outcomes(), store.series()
    for f in store.chunk_files() + store.series_files():
        f.unlink()
    store.write_chunk(outcomes[outcomes["point"] < 2], series[series["point"] < 2])
    store.write_chunk(outcomes[outcomes["point"] >= 2], series[series["point"] >= 2])
    chunks = {"outcome": tuple(store.chunk_files()), "series": tuple(store.series_files())}
    for first, second in chunks.values():
        assert set(pd.read_parquet(second)["point"]) == {2, 3}
    return chunks


def _flip_a_value(path: Path) -> None:
    """Flip one bit in the stored values (an outcome chunk's values, a series chunk's high-tech
    output shares) such that, read without page checksums, the file reads back as other
    numbers, silently."""
    raw = path.read_bytes()
    original = pd.read_parquet(path)
    name = "value" if "value" in original.columns else "high_tech_output_share"
    column = pq.ParquetFile(path).metadata.row_group(0).column(original.columns.get_loc(name))
    start = column.dictionary_page_offset or column.data_page_offset
    for at in range(start, start + column.total_compressed_size):
        flipped = raw[:at] + bytes([raw[at] ^ 0x10]) + raw[at + 1:]
        try:
            silent = not pd.read_parquet(io.BytesIO(flipped)).equals(original)
        except Exception:   # noqa: BLE001 — a flip that any reader notices: try the next
            continue
        if silent:
            path.write_bytes(flipped)
            return
    raise AssertionError("no bit of the values reads back silently as another number")


def _damage(path: Path, how: str) -> None:
    raw = path.read_bytes()
    if how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(len(raw)))
    elif how == "missing columns":      # outcomes: first_met_year, margin; series: two indicators
        table = pd.read_parquet(path)
        table.drop(columns=table.columns[-2:]).to_parquet(path, index=False)
    elif how == "flipped bit":
        _flip_a_value(path)
    else:
        raise ValueError(how)


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("zonesim: warning:")]


# ---------------------------------------------------------------- damaged chunk, resumed

DAMAGES = ["truncated", "empty", "garbage", "missing columns", "flipped bit"]


@pytest.mark.parametrize("kind", ["outcome", "series"])
@pytest.mark.parametrize("how", DAMAGES)
def test_damaged_chunk_is_set_aside_and_its_runs_run_again(reference, tmp_path, capsys, how,
                                                           kind):
    out = tmp_path / "store"
    _, damaged = _two_chunks(reference, out)[kind]
    _damage(damaged, how)
    kept = damaged.read_bytes()
    capsys.readouterr()
    _, outcomes, _ = _sweep(out, resume=True)
    err = capsys.readouterr().err
    pd.testing.assert_frame_equal(outcomes, reference[1])
    # identical to the undamaged run, and what the folder now holds is that too
    res, ref = zonesim.load(out), zonesim.load(reference[0])
    pd.testing.assert_frame_equal(res.outcomes, ref.outcomes)
    pd.testing.assert_frame_equal(res.series, ref.series)
    warned = _warnings(err)
    assert len(warned) == 1 and str(damaged) in warned[0], err
    assert "resuming: 4 of 8 runs already finished, 4 to run" in err
    aside = damaged.with_name(f"damaged-{damaged.name}")
    assert aside.read_bytes() == kept             # kept as it was, never deleted
    store = ResultStore(out)                      # merged again into one pair
    assert len(store.chunk_files()) == len(store.series_files()) == 1 and not damaged.exists()


def test_resume_from_the_command_line_recovers_a_damaged_chunk(reference, tmp_path):
    out = tmp_path / "store"
    _, damaged = _two_chunks(reference, out)["outcome"]
    _damage(damaged, "truncated")
    r = subprocess.run(_sweep_cmd(out, "--resume"), capture_output=True, text=True,
                       env={**os.environ, "MPLBACKEND": "Agg"}, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    warned = _warnings(r.stderr)
    assert len(warned) == 1 and str(damaged) in warned[0] and "run again" in warned[0]
    assert (damaged.parent / f"damaged-{damaged.name}").exists()
    pd.testing.assert_frame_equal(ResultStore(out).outcomes(), reference[1])
    pd.testing.assert_frame_equal(zonesim.load(out).series, zonesim.load(reference[0]).series)


# ------------------------------------------------------------------ damaged, only read

@pytest.mark.parametrize("kind", ["outcome", "series"])
@pytest.mark.parametrize("how", ["truncated", "missing columns"])
def test_load_names_the_damaged_chunk(reference, tmp_path, how, kind):
    out = tmp_path / "store"
    _, damaged = _two_chunks(reference, out)[kind]
    _damage(damaged, how)
    before = _snapshot(out)
    with pytest.raises(ExperimentError) as e:
        zonesim.load(out)
    msg = str(e.value)
    assert "\n" not in msg and str(damaged) in msg and "--resume" in msg, msg
    assert f"damaged {kind} chunk" in msg, msg
    assert _snapshot(out) == before               # reading changes nothing


def test_damaged_design_is_named_and_written_again_on_resume(reference, tmp_path, capsys):
    out = tmp_path / "store"
    shutil.copytree(reference[0], out)
    design = out / "design.parquet"
    _damage(design, "garbage")
    with pytest.raises(ExperimentError) as e:
        zonesim.load(out)
    msg = str(e.value)
    assert "\n" not in msg and str(design) in msg and "--resume" in msg, msg
    capsys.readouterr()
    _sweep(out, resume=True)
    warned = _warnings(capsys.readouterr().err)
    assert len(warned) == 1 and str(design) in warned[0], warned
    assert (out / "damaged-design.parquet").exists()
    res, ref = zonesim.load(out), zonesim.load(reference[0])
    for table in ("experiments", "outcomes", "series"):
        pd.testing.assert_frame_equal(getattr(res, table), getattr(ref, table))


@pytest.mark.parametrize("text", ["{ not json", "[1, 2]", "\udcff"])
def test_damaged_specification_is_named(reference, tmp_path, text):
    out = tmp_path / "store"
    shutil.copytree(reference[0], out)
    spec = out / "experiment.json"
    spec.write_bytes(text.encode("utf-8", "surrogateescape"))
    before = _snapshot(out)
    with pytest.raises(ExperimentError, match="experiment.json") as e:
        zonesim.load(out)
    assert "\n" not in str(e.value) and str(out) in str(e.value)
    # resuming cannot tell which experiment the chunks belong to: refused, nothing touched
    with pytest.raises(ExperimentError, match=r"experiment\.json is unreadable"):
        _sweep(out, resume=True)
    assert _snapshot(out) == before


# ------------------------------------------------------------------ design size bounded

def test_the_limit_counts_points_times_replicates():
    check_runs(MAX_RUNS, 1, "x")
    check_runs(MAX_RUNS // 10, 10, "x")
    for points, reps in ((MAX_RUNS + 1, 1), (MAX_RUNS // 10 + 1, 10), (MAX_RUNS + 1, None)):
        with pytest.raises(ExperimentError, match=f"{MAX_RUNS:,} runs"):
            check_runs(points, reps, "x")
    a, b = check_factor("rd_subsidy_rate", 0, 0.2), check_factor("growth_drift", 0, 0.1)
    steps = {"rd_subsidy_rate": 10, "growth_drift": 10}
    assert len(sweep_design([a, b], "grid", steps, replicates=MAX_RUNS // 100)) == 100
    with pytest.raises(ExperimentError, match=r"10 × 10 values .* 100 points × "):
        sweep_design([a, b], "grid", steps, replicates=MAX_RUNS // 100 + 1)
    # a whole-number axis is counted by the values its steps round to: 121 here, not 2 million
    n = check_factor("initial_enterprises", 80, 200)
    assert len(sweep_design([n], "grid", {"initial_enterprises": 2_000_000})) == 121


@pytest.mark.parametrize("grouped", [False, True])
def test_sample_sizes_are_counted_exactly(grouped):
    problem = {"num_vars": 5, "names": list("abcde"), "bounds": [[0, 1]] * 5}
    if grouped:
        problem["groups"] = ["u", "l", "u", "l", "u"]
    for method, n in (("morris", 4), ("sobol", 8), ("fast", 70), ("delta", 60), ("pawn", 60)):
        if grouped and method in ("fast", "delta", "pawn"):
            continue
        X, _ = sensitivity_design(method, problem, n, 1)
        assert sample_size(method, problem, n)[0] == len(X), method


OVERSIZE = textwrap.dedent("""
    import resource, sys, time
    from zonesim.analysis.compare import compare
    from zonesim.analysis.sensitivity import sensitivity
    from zonesim.analysis.space import check_factor
    from zonesim.analysis.sweep import sweep
    from zonesim.errors import ExperimentError
    from zonesim.scenario import load_scenario

    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    tiny = load_scenario({tiny!r})
    f = [check_factor(*a) for a in (("rd_subsidy_rate", 0, 0.2), ("growth_drift", 0, 0.1),
                                    ("super_deduction_rate", 0.5, 1.0))]
    two = ["rd_subsidy_rate", "growth_drift"]
    grid = {{x.name: 1000 for x in f}}
    out = {out!r}
    requests = {{
        "grid": lambda: sweep(tiny, f, "grid", grid, replicates=1, out=out),
        "grid steps": lambda: sweep(tiny, f[:1], "grid", {{"rd_subsidy_rate": 10**10}}, out=out),
        "lhs": lambda: sweep(tiny, f, "lhs", samples=10**9, replicates=1, out=out),
        "replicates": lambda: sweep(tiny, f[:1], "grid", {{"rd_subsidy_rate": 100}},
                                    replicates=100_000, out=out),
        "compare": lambda: compare(tiny, [tiny] * 31, replicates=100_000, out=out),
    }}
    for m, n in (("morris", 10**9), ("sobol", 2**29), ("fast", 10**9), ("delta", 10**9),
                 ("pawn", 10**9)):
        requests[m] = lambda m=m, n=n: sensitivity(tiny, m, n, replicates=1, names=two, out=out)
    for name, request in requests.items():
        t = time.perf_counter()
        try:
            request()
        except ExperimentError as e:
            print(f"{{name}}\\t{{time.perf_counter() - t:.3f}}\\t{{e}}")
        else:
            print(f"{{name}}\\tran")
""")


def test_oversize_designs_are_refused_before_they_are_built(tmp_path):
    """Each request is beyond the limit (the designs need ≥ 8 GB if built); under a 2 GB address
    space each is refused at once with its count and the limit (a design that were built would
    raise MemoryError)."""
    out = tmp_path / "out"
    script = OVERSIZE.format(limit=ADDRESS_SPACE, tiny=str(TINY), out=str(out))
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"})
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    lines = dict(line.split("\t", 1) for line in r.stdout.splitlines())
    assert len(lines) == 10, r.stdout
    for name, line in lines.items():
        assert line != "ran", name
        seconds, msg = line.split("\t")
        assert float(seconds) < 2, (name, seconds)
        assert f"{MAX_RUNS:,} runs" in msg, msg
    assert "1,000,000,000 points" in lines["grid"] and "1000 × 1000 × 1000" in lines["grid"]
    assert "10,000,000,000 STEPS" in lines["grid steps"]
    assert "32 points × 100,000 replicates" in lines["compare"]
    assert "536,870,912 × (2 factors + 2)" in lines["sobol"]
    assert "1,000,000,000 × 2 factors" in lines["fast"]
    assert not out.exists()
    assert time.perf_counter() - t < 60


CLI_OVERSIZE = {
    "grid": ["sweep", str(TINY), "--param", "rd_subsidy_rate=0:0.2:1000", "--param",
             "growth_drift=0:0.1:1000", "--param", "super_deduction_rate=0.5:1:1000"],
    "lhs": ["sweep", str(TINY), "--param", "rd_subsidy_rate=0:0.2", "--param",
            "growth_drift=0:0.1", "--design", "lhs", "--samples", str(10**9)],
    "sobol": ["sensitivity", str(TINY), "--method", "sobol", "--samples", str(2**29), "--params",
              "rd_subsidy_rate,growth_drift"],
    # 32 points × 100 000 replicates (the most the option takes)
    "compare": ["compare", str(TINY), *[str(TINY)] * 31, "--replicates", "100000"],
}


def _address_space_limit():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.mark.parametrize("case", list(CLI_OVERSIZE))
def test_oversize_design_from_the_command_line(tmp_path, case):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "zonesim", *CLI_OVERSIZE[case], "--out", str(out),
                        "--workers", "1", "--quiet"], capture_output=True, text=True,
                       env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg"},
                       preexec_fn=_address_space_limit, timeout=60)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("zonesim: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr and f"{MAX_RUNS:,} runs" in r.stderr
    assert not out.exists()
