"""What the bad-input tests check of a command: `zonesim ARGS` in a subprocess, and that it
failed with one line naming what was wrong (shared by test_misuse and test_calibration_input)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def zonesim_cli(*args, cwd=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonesim", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd or REPO, timeout=timeout)


def one_line_error(r: subprocess.CompletedProcess, *fragments: str) -> str:
    """The run failed with status 2 and one line on stderr holding every fragment."""
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    assert r.returncode == 2, (r.returncode, r.stderr)
    msg = r.stderr.strip()
    assert msg and "\n" not in msg, f"not one line: {msg!r}"
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"
    return msg
