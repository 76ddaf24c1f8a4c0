"""The output folder of ``zonesim run``, written whole or not at all.

A run writes into a temporary folder beside the output folder and renames it into place when
every file is written, ``run.json`` last: a folder with ``run.json`` is a finished run, and a
run that fails or is killed leaves no folder that looks finished. Before any replicate runs,
the folder is checked (writable; new, empty, or the finished run of the same command, unless
forced) and locked, so two runs never write one folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from zonesim.errors import ZonesimError, cut


class OutputFolderError(ZonesimError):
    """An output folder that cannot take this run's results."""


#: The file a finished run writes last: its presence marks the folder complete.
MARKER = "run.json"
#: How a setting that differs is told, where its stored value says nothing to a reader.
_WORDS = {"scenario_digest": "other scenario contents (edited, or other --set values)"}


def finished_run(folder: Path) -> dict | None:
    """The settings of the finished run in ``folder`` (its run.json), or None."""
    try:
        info = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("kind") == "run" else None


def check_folder(out: Path, settings: dict, force: bool) -> None:
    """Refuse ``out`` unless it is new, empty, the finished run of the same ``settings``
    (scenario and its contents, replicates, seed, steps per year: the same command again,
    replaced) or ``force``
    is given; nothing is touched. A run with other settings is never replaced silently: a
    5-replicate run would otherwise overwrite a 50-replicate one."""
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"--out {cut(out, 200)}: is a file, not a folder; choose "
                                "another --out")
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise OutputFolderError(f"--out {cut(out, 200)}: not writable; choose another --out")
    if not out.is_dir() or force or not any(out.iterdir()):
        return
    info = finished_run(out)
    if info is None:
        raise OutputFolderError(f"--out {cut(out, 200)}: not empty and holds no finished "
                                "zonesim run; choose another --out or add --force to replace it")
    differ = [k for k in settings if info.get(k) != settings[k]]
    if differ:
        was = ", ".join(_WORDS[k] if k in _WORDS else f"{k.replace('_', ' ')} "
                        f"{cut(info.get(k), 40)}" for k in differ)
        raise OutputFolderError(
            f"--out {cut(out, 200)}: holds another run ({was}); choose another --out or add "
            "--force to replace it")


@contextmanager
def output_folder(out: str | Path, settings: dict, force: bool = False) -> Iterator[Path]:
    """A temporary folder to write a run's files into, renamed to ``out`` when the block ends
    without an error and removed when it fails. Checked (:func:`check_folder`) and locked
    before the block starts."""
    if not isinstance(out, (str, Path)) or not str(out).strip():
        raise OutputFolderError(f"--out: expected a folder, got {cut(repr(out), 60)}")
    out = Path(out)
    here = Path.cwd().resolve()
    if out.resolve() == here or out.resolve() in here.parents:
        raise OutputFolderError(f"--out {cut(out, 200)}: is the current folder or holds it; "
                                "a run replaces its output folder whole, so choose another")
    check_folder(out, settings, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(out.parent, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied")
        lock = FileLock(out.parent / f".{out.name}.lock")
        lock.acquire(timeout=0)
    except Timeout:
        raise OutputFolderError(f"--out {cut(out, 200)}: another zonesim run is writing there; "
                                "wait for it to finish or choose another --out") from None
    except OSError as e:
        raise OutputFolderError(f"--out {cut(out, 200)}: cannot be written "
                                f"({e.strerror or e})") from None
    try:
        check_folder(out, settings, force)  # again: another run may have finished meanwhile
        _remove_debris(out)
        tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
        try:
            tmp.mkdir()
        except OSError as e:
            raise OutputFolderError(f"--out {cut(out, 200)}: cannot be written "
                                    f"({e.strerror or e})") from None
        try:
            yield tmp
            _replace(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    finally:
        lock.release()


def _remove_debris(out: Path) -> None:
    """Temporary folders a killed run left beside ``out`` (the lock is held: nobody writes
    them)."""
    for p in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(p, ignore_errors=True)


def _replace(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` at ``out``; an old ``out`` is moved aside first and then
    removed, so at every moment ``out`` is either the old run or the new one."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
