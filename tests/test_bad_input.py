"""Bad scenario files give a short message naming the file, the key path and what was expected.

The corpus lives in tests/bad_scenarios/: one file per mistake (most `extends` good_base.toml and
break one thing) and expected.toml, which lists for each file the key path and the fragments its
message must contain. Every file is checked twice: through :func:`zonesim.load_scenario` (which
must raise :class:`zonesim.ScenarioError`) and through `python -m zonesim validate` in a
subprocess (non-zero exit, the message on stderr, no traceback).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import zonesim

BAD_DIR = Path(__file__).resolve().parent / "bad_scenarios"
REPO = BAD_DIR.parent.parent
GOOD = BAD_DIR / "good_base.toml"
EXPECTED = BAD_DIR / "expected.toml"
NOT_SCENARIOS = {GOOD.name, EXPECTED.name}
#: a "short message": characters of the message once the folder names are taken out
MAX_MESSAGE_CHARS = 400

CASES: list[dict] = tomllib.loads(EXPECTED.read_text(encoding="utf-8"))["case"]


def _param(case: dict):
    marks = []
    if "xfail" in case:
        marks.append(pytest.mark.xfail(strict=True, reason=case["xfail"]))
    return pytest.param(case, id=case["file"].removesuffix(".toml"), marks=marks)


PARAMS = [_param(c) for c in CASES]


def _path(case: dict) -> Path:
    return BAD_DIR / case["file"]


def _validate(*paths) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonesim", "validate", *map(str, paths)],
                          capture_output=True, text=True, cwd=REPO, timeout=60)


def _check_message(case: dict, msg: str) -> None:
    """The message a user should see for ``case``."""
    assert case["file"] in msg, f"message does not name the file {case['file']}: {msg!r}"
    if "key" in case:
        assert f"key '{case['key']}" in msg, \
            f"message does not give the key path {case['key']!r}: {msg!r}"
    for fragment in case["expect"]:
        assert fragment in msg, f"message lacks {fragment!r}: {msg!r}"
    bare = msg.replace(str(BAD_DIR), "").replace(str(BAD_DIR.relative_to(REPO)), "")
    assert len(bare) <= MAX_MESSAGE_CHARS, f"message is not short ({len(bare)} chars): {msg!r}"
    assert "Traceback" not in msg
    assert "\n" not in msg.strip(), f"message is more than one line: {msg!r}"


# ----------------------------------------------------------------------- the corpus itself

def test_corpus_is_complete():
    """Every bad file has an expectation, every expectation a file, and there are enough."""
    listed = {c["file"] for c in CASES}
    on_disk = {p.name for p in BAD_DIR.glob("*.toml")} - NOT_SCENARIOS
    missing_on_purpose = {c["file"] for c in CASES if c.get("missing")}
    assert on_disk - listed == set(), "bad files without an entry in expected.toml"
    assert listed - on_disk == missing_on_purpose, "entries of expected.toml without a file"
    assert not any((BAD_DIR / f).exists() for f in missing_on_purpose)
    assert len(listed) >= 60
    assert len(listed) == len(CASES), "a file is listed twice in expected.toml"
    for c in CASES:
        assert c["expect"], c["file"]
        assert set(c) <= {"file", "key", "expect", "missing", "xfail", "current"}, c["file"]


def test_non_utf8_file_is_really_not_utf8():
    """Guard against the corpus file being re-encoded (git, editors)."""
    raw = (BAD_DIR / "not_utf8_gbk.toml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "高港区".encode("gbk") in raw


def test_good_base_loads():
    sc = zonesim.load_scenario(GOOD)
    assert (len(sc.sectors), len(sc.zones), len(sc.targets)) == (2, 2, 3)


def test_good_base_validates_from_cli():
    r = _validate(GOOD)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok ") and "good_base.toml" in r.stdout
    assert r.stderr == ""


# --------------------------------------------------------------------------- bad files

@pytest.mark.parametrize("case", PARAMS)
def test_load_scenario_raises(case):
    with pytest.raises(zonesim.ScenarioError) as info:
        zonesim.load_scenario(_path(case))
    _check_message(case, str(info.value))


@pytest.mark.parametrize("case", PARAMS)
def test_cli_validate_reports(case):
    r = _validate(_path(case))
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    assert r.returncode != 0, f"exit 0 for a bad file; stdout: {r.stdout!r}"
    assert r.stdout == "", "a bad file must not be reported 'ok'"
    _check_message(case, r.stderr.strip())


def test_cli_good_and_bad_together():
    """One bad file makes the exit status non-zero, but the good file is still reported ok."""
    bad = BAD_DIR / "negative_land_quota.toml"
    r = _validate(GOOD, bad)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    assert r.stdout.startswith("ok ") and "good_base.toml" in r.stdout
    assert "negative_land_quota.toml" in r.stderr
    assert "negative_land_quota.toml" not in r.stdout
