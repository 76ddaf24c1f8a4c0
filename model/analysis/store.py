"""The resumable result store: an experiment's folder.

The folder holds the full specification (``experiment.json``: scenario contents, design, seeds,
zonesim version and a digest of the model code), the design (``design.parquet``: point,
scenario, parameters) and the outcomes in parquet chunks written atomically as tasks finish.
Resuming skips finished runs and never duplicates one; a folder holding a different experiment
is refused, never overwritten. A damaged table (a chunk or the design that cannot be read, or
lacks its columns) is set aside as ``damaged-<name>`` when the experiment is resumed (its runs
are run again, the design written again) and named in an error when the folder is only read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.errors import ExperimentError

#: What every writer stores per run and target (``zonesim run`` in targets_by_replicate.parquet,
#: a result store in its chunks): the run's master seed and replicate, the target, the
#: indicator's value in the target year, met, first year met (NaN: never) and margin.
TARGET_OUTCOMES = ["seed", "replicate", "target", "value", "met", "first_met_year", "margin"]
#: The outcomes table of a result store: one row per run (point, replicate) and target.
OUTCOME_COLUMNS = ["point", *TARGET_OUTCOMES]
#: The kind of every outcome column (numpy dtype kinds; "U": text), checked when a chunk is read.
OUTCOME_KINDS = {"point": "i", "seed": "i", "replicate": "i", "target": "U", "value": "f",
                 "met": "b", "first_met_year": "f", "margin": "f"}
#: Page checksums (CRC32, pyarrow ≥ 15): without them 2 719 of 8 663 single-bit flips of a
#: chunk read back as other numbers, silently; with them (and the column check) 1 of 8 752
#: (measured). A file written without them still reads.
_WRITE = {"index": False, "write_page_checksum": True}
_READ = {"page_checksum_verification": True}
#: How the next step fixes a damaged table.
_RESUME = "run the same zonesim command again with --resume to set it aside and "


class ResultStore:
    """An experiment's folder: specification, design, outcome chunks written atomically."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.chunks = self.folder / "chunks"

    @property
    def spec_path(self) -> Path:
        return self.folder / "experiment.json"

    @property
    def design_path(self) -> Path:
        return self.folder / "design.parquet"

    def spec(self) -> dict:
        return json.loads(self.spec_path.read_text())

    def check(self, spec: dict, resume: bool) -> None:
        """Refuse to use the folder for ``spec`` (without touching it) unless it is new, empty,
        or — with ``resume`` — holds exactly this experiment."""
        if self.folder.exists() and not self.folder.is_dir():
            raise ExperimentError(f"{self.folder} is a file, not a folder; choose another --out")
        digest = spec_digest(spec)
        if self.spec_path.exists():
            try:
                old = self.spec()
                if not isinstance(old, dict):
                    raise ValueError("not a JSON object")
            except (OSError, ValueError):
                raise ExperimentError(f"{self.folder}/experiment.json is unreadable; choose "
                                      "another --out folder (nothing was overwritten)")
            if old.get("digest") != digest:
                why = ""
                if old.get("result_format") != spec.get("result_format"):
                    why = " — it was stored in another result format"
                elif old.get("model_code") and old.get("model_code") != spec.get("model_code") \
                        and old.get("kind") == spec.get("kind"):
                    why = " — the model code has changed since it was run"
                raise ExperimentError(
                    f"{self.folder} holds a different experiment ({old.get('kind')} of "
                    f"{', '.join(old.get('scenario_ids') or [])}, created {old.get('created')})"
                    f"{why}; choose another --out folder (nothing was overwritten)")
            if not resume:
                raise ExperimentError(
                    f"{self.folder} already holds this experiment; add --resume to continue it "
                    "(finished runs are kept) or choose another --out folder")
            return
        if self.folder.exists() and not self._only_debris():
            raise ExperimentError(f"{self.folder} is not empty and holds no experiment; choose "
                                  "another --out folder (nothing was overwritten)")

    def _only_debris(self) -> bool:
        """True when the folder holds nothing but what an interrupted set-up leaves: an empty
        chunks/ folder, design.parquet and temporary files."""
        for p in self.folder.iterdir():
            if p.name == "chunks" and p.is_dir() and not any(p.iterdir()):
                continue
            if p.name == "design.parquet" or (p.name.startswith(".") and p.name.endswith(".tmp")):
                continue
            return False
        return True

    def open(self, spec: dict, design: pd.DataFrame, resume: bool) -> set[tuple[int, int]]:
        """Create the folder for ``spec`` or, with ``resume``, reopen it. Returns the finished
        (point, replicate) pairs. Refuses a folder that holds anything else."""
        self.check(spec, resume)
        if self.spec_path.exists():
            self._repair_design(design)
            self.chunks.mkdir(exist_ok=True)
            return self.finished(set_aside=True)
        self.chunks.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.design_path, lambda p: design.to_parquet(p, **_WRITE))
        # the specification last: a folder with experiment.json is a complete set-up
        _atomic_write(self.spec_path, lambda p: Path(p).write_text(
            json.dumps({**spec, "digest": spec_digest(spec),
                        "created": time.strftime("%Y-%m-%d %H:%M:%S")},
                       ensure_ascii=False, indent=1, default=_json_default)))
        return set()

    def write_chunk(self, df: pd.DataFrame) -> None:
        key = f"{int(df['point'].min()):07d}-{int(df['replicate'].min()):05d}-{os.getpid()}-" \
              f"{time.monotonic_ns()}"
        _atomic_write(self.chunks / f"chunk-{key}.parquet", lambda p: df.to_parquet(p, **_WRITE))

    def chunk_files(self) -> list[Path]:
        return sorted(self.chunks.glob("chunk-*.parquet"))

    def raw_outcomes(self, set_aside: bool = False) -> pd.DataFrame:
        """Every row of every chunk, as written (duplicates, if any, included).

        A damaged chunk raises :class:`ExperimentError` naming it; with ``set_aside`` (when the
        experiment is resumed) it is renamed ``damaged-<name>`` instead, with a warning, and its
        runs count as not finished."""
        tables = []
        for f in self.chunk_files():
            try:
                tables.append(_read_table(f, OUTCOME_KINDS))
            except _Damaged as e:
                if not set_aside:
                    raise ExperimentError(f"{f}: damaged outcome chunk ({e}); {_RESUME}run "
                                          "its runs again") from None
                self._set_aside(f, str(e), "its runs will be run again")
        if not tables:
            return pd.DataFrame(columns=OUTCOME_COLUMNS)
        return pd.concat(tables, ignore_index=True)

    def outcomes(self) -> pd.DataFrame:
        """All outcome rows, each (point, replicate, target) once, sorted."""
        df = self.raw_outcomes()
        df = df.drop_duplicates(["point", "replicate", "target"], keep="first")
        return df.sort_values(["point", "replicate", "target"], ignore_index=True)

    def finished(self, set_aside: bool = False) -> set[tuple[int, int]]:
        """The (point, replicate) pairs with outcomes (see :meth:`raw_outcomes`)."""
        df = self.raw_outcomes(set_aside)
        return set(zip(df["point"].astype(int), df["replicate"].astype(int)))

    def consolidate(self) -> pd.DataFrame:
        """Merge the chunks into one (written atomically before the parts are removed, so an
        interruption leaves at worst duplicates, which :meth:`outcomes` drops). Returns the
        outcomes."""
        df = self.outcomes()
        files = self.chunk_files()
        if len(files) > 1:
            self.write_chunk(df)
            for f in files:
                f.unlink(missing_ok=True)
        return df

    def design(self) -> pd.DataFrame:
        try:
            return _read_table(self.design_path, _DESIGN_KINDS)
        except _Damaged as e:
            raise ExperimentError(f"{self.design_path}: damaged design table ({e}); "
                                  f"{_RESUME}write it again") from None

    def _repair_design(self, design: pd.DataFrame) -> None:
        """On resume: a design table that cannot be read, or is not ``design`` (whose digest is
        in the specification just checked), is set aside and written again."""
        try:
            if design_digest(_read_table(self.design_path, _DESIGN_KINDS)) == \
                    design_digest(design):
                return
            why = "not this experiment's design"
        except _Damaged as e:
            why = str(e)
        self._set_aside(self.design_path, why, "written again from the specification")
        _atomic_write(self.design_path, lambda p: design.to_parquet(p, **_WRITE))

    @staticmethod
    def _set_aside(path: Path, why: str, then: str) -> None:
        """Rename a damaged file ``damaged-<name>`` (kept, never deleted) and say so in one
        line: what was wrong (``why``) and what happens ``then``."""
        if path.exists():
            target, k = path.with_name(f"damaged-{path.name}"), 1
            while target.exists():
                target, k = path.with_name(f"damaged-{k}-{path.name}"), k + 1
            path.rename(target)
            what = f"is damaged ({why}), kept as {target.name}"
        else:
            what = "is missing"
        print(f"zonesim: warning: {path} {what}; {then}", file=sys.stderr, flush=True)


#: The columns every design has (the parameters' columns vary).
_DESIGN_KINDS = {"point": "i", "scenario": "U"}


class _Damaged(Exception):
    """A table of the store that cannot be read or lacks a column; the message says why."""


def _read_table(path: Path, kinds: dict[str, str]) -> pd.DataFrame:
    """A parquet table of the store, checked to hold ``kinds`` (column → dtype kind)."""
    if not path.exists():
        raise _Damaged("missing")
    try:
        df = pd.read_parquet(path, **_READ)
    # whatever a damaged file makes pyarrow or pandas raise: ArrowInvalid, OSError, and from a
    # damaged footer KeyError, TypeError, ArrowNotImplementedError…
    except Exception as e:  # noqa: BLE001
        text = (str(e).splitlines() or [""])[0]     # the first sentence says what is wrong
        text = re.sub(r"^Could not open Parquet input source '.*?': ", "", text).split(". ")[0]
        if isinstance(e, KeyError):                # a damaged footer lacks a metadata key
            text = f"no {text} in its metadata"
        raise _Damaged(text.strip() or type(e).__name__) from None
    for col, kind in kinds.items():
        if col not in df.columns:
            raise _Damaged(f"no {col!r} column")
        dtype = df[col].dtype
        if not (pd.api.types.is_string_dtype(dtype) if kind == "U" else dtype.kind == kind):
            raise _Damaged(f"column {col!r} holds {dtype}")
    return df


def _atomic_write(path: Path, write) -> None:
    """Write to a temporary name in the same folder, then rename: a killed writer leaves no
    partial file under the real name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    os.replace(tmp, path)


def design_digest(design: pd.DataFrame) -> str:
    """A short digest of a design's values (stored in the specification)."""
    return hashlib.sha256(pd.util.hash_pandas_object(design, index=False).to_numpy()
                          .tobytes()).hexdigest()[:16]


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def spec_digest(spec: dict) -> str:
    """A short digest of a specification: a folder holds the same experiment when its stored
    digest equals this."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False,
                                     default=_json_default).encode()).hexdigest()[:16]


#: What a stored outcome depends on: the engine, the rules, the registries (their code and data
#: files), replicate seeding, how targets are measured and how a run's outcomes are taken from
#: them (paths relative to the package).
MODEL_CODE = ("engine", "registry", "rules.py", "run.py", "analysis/targets.py",
              "analysis/experiments.py")


def model_files() -> list[str]:
    """The package's source and data files of :data:`MODEL_CODE`, as paths in the package."""
    package = Path(__file__).resolve().parents[1]
    return sorted(f.relative_to(package).as_posix() for part in MODEL_CODE for f in
                  ([g for g in (package / part).rglob("*") if g.suffix in (".py", ".toml")]
                   if (package / part).is_dir() else [package / part]))


def model_code_digest() -> str:
    """A digest of the simulation's source and data files: an experiment resumed with another
    model would mix results of two models, so it counts as a different experiment."""
    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for name in model_files():
        h.update(name.encode() + b"\0" + (package / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]
