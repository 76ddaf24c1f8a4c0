"""The resumable result store: an experiment's folder.

The folder holds the full specification (``experiment.json``: scenario contents, design, seeds,
the series' indicators and scopes, zonesim version and a digest of the model code), the design
(``design.parquet``: point, scenario, parameters) and, in ``chunks/``, each task's results as a
pair of parquet files with one key, each written atomically as the task finishes: its runs'
yearly series (``series-<key>.parquet``) first, then their outcomes (``chunk-<key>.parquet``).
A run is finished when both hold it: the outcome chunk commits the pair, so a writer killed
between the two leaves series of unfinished runs only, which are run again. The outcomes stay
a small file of their own (summaries read them without the series, and their format is
unchanged); one file holding both would need one schema for two tables.

Resuming skips finished runs and never duplicates one; a folder holding a different experiment
is refused, never overwritten. A damaged table (an outcome or series chunk or the design that
cannot be read, or lacks its columns) is set aside as ``damaged-<name>`` when the experiment is
resumed (its runs are run again, the design written again) and named in an error when the
folder is only read.
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
#: The key columns of a result store's series: one row per run (point, replicate), year and
#: scope, then one column per indicator the specification's ``series`` lists.
SERIES_KEYS = ["point", "seed", "replicate", "year", "scope"]
SERIES_KINDS = {"point": "i", "seed": "i", "replicate": "i", "year": "i", "scope": "U"}
#: Page checksums (CRC32, pyarrow ≥ 15): without them 2 719 of 8 663 single-bit flips of a
#: chunk read back as other numbers, silently; with them (and the column check) 1 of 8 752
#: (measured). A file written without them still reads.
_WRITE = {"index": False, "write_page_checksum": True}
_READ = {"page_checksum_verification": True}
#: The series (mostly float indicators, ~3 times the outcomes' size) in zstd: 11 % smaller than
#: snappy, the default (measured on a sweep of gaogang_2017_2020; 1 % on the outcomes).
_WRITE_SERIES = {**_WRITE, "compression": "zstd"}
#: How the next step fixes a damaged table.
_RESUME = "run the same zonesim command again with --resume to set it aside and "


class ResultStore:
    """An experiment's folder: specification, design, outcome and series chunks written
    atomically."""

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

    def write_chunk(self, outcomes: pd.DataFrame, series: pd.DataFrame) -> None:
        """Store a task's results: its runs' series, then their outcomes under the same key
        (the outcome chunk commits the pair; see the module's docstring)."""
        key = f"{int(outcomes['point'].min()):07d}-{int(outcomes['replicate'].min()):05d}-" \
              f"{os.getpid()}-{time.monotonic_ns()}"
        for kind, df, how in (("series", series, _WRITE_SERIES), ("chunk", outcomes, _WRITE)):
            _atomic_write(self.chunks / f"{kind}-{key}.parquet",
                          lambda p, df=df, how=how: df.to_parquet(p, **how))

    def chunk_files(self) -> list[Path]:
        """The outcome chunks."""
        return sorted(self.chunks.glob("chunk-*.parquet"))

    def series_files(self) -> list[Path]:
        return sorted(self.chunks.glob("series-*.parquet"))

    def _read_chunks(self, files: list[Path], kinds: dict, what: str,
                     set_aside: bool) -> list[pd.DataFrame]:
        """Every chunk of ``files``; a damaged one raises :class:`ExperimentError` naming it, or
        with ``set_aside`` (when the experiment is resumed) is renamed ``damaged-<name>``
        instead, with a warning, and its runs count as not finished."""
        tables = []
        for f in files:
            try:
                tables.append(_read_table(f, kinds))
            except _Damaged as e:
                if not set_aside:
                    raise ExperimentError(f"{f}: damaged {what} chunk ({e}); {_RESUME}run "
                                          "its runs again") from None
                self._set_aside(f, str(e), "its runs will be run again")
        return tables

    def raw_outcomes(self, set_aside: bool = False) -> pd.DataFrame:
        """Every row of every outcome chunk, as written (duplicates, if any, included); a
        damaged chunk: see :meth:`_read_chunks`."""
        tables = self._read_chunks(self.chunk_files(), OUTCOME_KINDS, "outcome", set_aside)
        if not tables:
            return pd.DataFrame(columns=OUTCOME_COLUMNS)
        return pd.concat(tables, ignore_index=True)

    def raw_series(self, set_aside: bool = False) -> pd.DataFrame:
        """Every row of every series chunk, as written (see :meth:`raw_outcomes`)."""
        indicators = self.spec().get("series", {}).get("indicators", [])
        kinds = {**SERIES_KINDS, **dict.fromkeys(indicators, "if")}
        tables = self._read_chunks(self.series_files(), kinds, "series", set_aside)
        if not tables:
            return pd.DataFrame(columns=[*SERIES_KEYS, *indicators])
        return pd.concat(tables, ignore_index=True)

    def outcomes(self) -> pd.DataFrame:
        """All outcome rows, each (point, replicate, target) once, sorted."""
        df = self.raw_outcomes()
        df = df.drop_duplicates(["point", "replicate", "target"], keep="first")
        return df.sort_values(["point", "replicate", "target"], ignore_index=True)

    def series(self) -> pd.DataFrame:
        """All series rows, each (point, replicate, year, scope) once, sorted."""
        df = self.raw_series()
        df = df.drop_duplicates(["point", "replicate", "year", "scope"], keep="first")
        return df.sort_values(["point", "replicate", "year", "scope"], ignore_index=True)

    def finished(self, set_aside: bool = False) -> set[tuple[int, int]]:
        """The (point, replicate) pairs with both outcomes and series (a damaged chunk: see
        :meth:`_read_chunks`)."""
        return _runs(self.raw_outcomes(set_aside)) & _runs(self.raw_series(set_aside))

    def consolidate(self) -> pd.DataFrame:
        """Merge the outcome chunks into one and the series chunks into one (a pair written
        atomically before the parts are removed, so an interruption leaves at worst
        duplicates, which :meth:`outcomes` and :meth:`series` drop). Returns the outcomes."""
        df = self.outcomes()
        outcome_files, series_files = self.chunk_files(), self.series_files()
        if len(outcome_files) > 1 or len(series_files) > 1:
            self.write_chunk(df, self.series())
            for f in outcome_files + series_files:
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


def _runs(df: pd.DataFrame) -> set[tuple[int, int]]:
    """The (point, replicate) pairs of a table."""
    return set(zip(df["point"].astype(int), df["replicate"].astype(int)))


class _Damaged(Exception):
    """A table of the store that cannot be read or lacks a column; the message says why."""


def _read_table(path: Path, kinds: dict[str, str]) -> pd.DataFrame:
    """A parquet table of the store, checked to hold ``kinds`` (column → dtype kinds: "U"
    text, else numpy kinds, "if" integer or float)."""
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
        if not (pd.api.types.is_string_dtype(dtype) if kind == "U" else dtype.kind in kind):
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
