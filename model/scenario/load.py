"""Loading scenario files: TOML, ``extends`` for policy variants, and errors that name the file,
the key path and what was expected (see docs/scenario_format.md)."""

from __future__ import annotations

import copy
import re
import stat
import tomllib
from pathlib import Path

from pydantic import ValidationError

from zonesim.errors import ScenarioError, cut
from zonesim.scenario.schema import ID_PATTERN, Scenario, _at, _LocatedError

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT_SCENARIO = "gaogang_2017_2020"


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario given by path, or by name of a file in scenarios/ (with or without .toml)."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists() or len(p.parts) > 1:
        return p
    return SCENARIO_DIR / f"{name_or_path}.toml"


#: A scenario file larger than this is refused before it is read: the largest shipped scenario
#: is 43 KB, so 1 MiB leaves room for any real one and stops a path like /dev/zero.
MAX_FILE_BYTES = 1 << 20
#: Deepest nesting of tables and arrays a scenario needs is 3 (``targets[i].years[j]``); more
#: than this is a mistake, and unbounded depth would exhaust the parser's recursion.
MAX_DEPTH = 8
#: Longest chain of ``extends`` (a variant of a variant of …); the shipped ones use 1.
MAX_EXTENDS = 8


def _read_toml(path: Path) -> dict:
    """The table of the TOML file at ``path``: a regular UTF-8 file (a byte-order mark is
    allowed) within the size and nesting limits."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except OSError as e:
        raise ScenarioError(f"{path}: cannot be read ({e.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError(f"{path}: is a folder, expected a .toml scenario file")
    if not stat.S_ISREG(st.st_mode):
        raise ScenarioError(f"{path}: not a regular file (a device, pipe or socket); expected "
                            "a .toml scenario file")
    if st.st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: {st.st_size:,} bytes, more than a scenario file may hold "
                            f"({MAX_FILE_BYTES:,})")
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ScenarioError(f"{path}: cannot be read ({e.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:  # grew since stat
        raise ScenarioError(f"{path}: more than a scenario file may hold ({MAX_FILE_BYTES:,} "
                            "bytes)")
    try:
        # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {e.start}); save the file as UTF-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: not valid TOML: {cut(e, 200)}") from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_DEPTH:
        raise ScenarioError(f"{path}: tables or arrays nested more than {MAX_DEPTH} deep; a "
                            "scenario needs at most 3 (see docs/scenario_format.md)")
    return data


def _depth(value) -> int:
    """How deeply ``value`` nests tables and arrays (0 for a plain value); iterative, so that
    depth itself cannot exhaust the stack."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        children = v.values() if isinstance(v, dict) else v if isinstance(v, list) else None
        if children is None:
            continue
        deepest = max(deepest, d + 1)
        if deepest > MAX_DEPTH:
            break
        stack.extend((c, d + 1) for c in children)
    return deepest


_ID_LISTS = ("sectors", "zones", "towns", "targets")


class _ChainError(ScenarioError):
    """A fault of the chain of ``extends`` as a whole, told once from the first file."""


def _check_unique_ids(data: dict) -> None:
    """Each id once in each id list of one file: a variant's merge would otherwise keep only
    the last of a base's duplicates, hiding the mistake."""
    for key in _ID_LISTS:
        seen = set()
        for e in data.get(key) or []:
            i = e.get("id") if isinstance(e, dict) else None
            if not isinstance(i, str):
                continue  # not text: the schema says so, naming the entry
            if i in seen:
                raise _at(key, f"id {cut(i)!r} appears twice")
            seen.add(i)


def _key(entry) -> object:
    """What a list entry merges by: its id when it has a text id, else itself."""
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return entry["id"]
    return id(entry)


def _merge(base: dict, over: dict) -> dict:
    """Merge a variant over its base: tables recursively; lists of sectors, zones, towns and
    targets by their ``id`` (a matching id updates the entry, ``remove = true`` drops it, a new
    id is appended); other lists are replaced."""
    out = copy.deepcopy(base)
    for key, val in over.items():
        if key in _ID_LISTS and isinstance(val, list) and isinstance(out.get(key), list):
            merged = {_key(e): e for e in out[key]}
            for e in val:
                if not isinstance(e, dict) or not isinstance(e.get("id"), str):
                    merged[id(e)] = e  # not an entry with an id: the schema will say why
                    continue
                if e.get("remove") is True:
                    if e.get("id") not in merged:
                        raise _at(key, f"cannot remove {cut(e.get('id'))!r}: the base has no "
                                  "such id")
                    merged.pop(e.get("id"))
                elif e.get("id") in merged:
                    merged[e["id"]] = {**merged[e["id"]], **e}
                else:
                    merged[e.get("id")] = e
            out[key] = list(merged.values())
        elif key == "parameters" and isinstance(val, dict) and isinstance(out.get(key), dict):
            # a parameter a variant sets is replaced whole, so its provenance is restated
            out[key] = {**out[key], **copy.deepcopy(val)}
        elif isinstance(val, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], val)
        else:
            out[key] = copy.deepcopy(val)
    return out


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long for the file system: told as not found
        return False


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    """The merged table of the scenario at ``path`` and its bases; an error in a base is told
    as the variant's, naming the base too."""
    path = path.resolve()
    if path in chain:
        cycle = " → ".join(p.name for p in (*chain, path))
        raise _ChainError(f"{chain[0]}: key 'extends': cycle of extends ({cycle})")
    if len(chain) >= MAX_EXTENDS:  # this file would be the chain's (MAX_EXTENDS + 1)th
        raise _ChainError(f"{chain[0]}: key 'extends': a chain of more than {MAX_EXTENDS} "
                          "files, each extending the next")
    data = _read_toml(path)
    try:
        _check_unique_ids(data)
    except _LocatedError as e:
        raise ScenarioError(f"{path}: key '{e.loc}': {e.msg}") from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: key 'extends': expected a file name (text), got "
                            f"{type(parent).__name__}")
    # a bare name (no folder, no .toml) is a scenario of scenarios/, as on the command line
    bare = re.fullmatch(ID_PATTERN, parent) is not None
    base_path = SCENARIO_DIR / f"{parent}.toml" if bare else path.parent / parent
    if not _exists(base_path):
        raise ScenarioError(f"{path}: key 'extends': base file {cut(parent)!r} not found "
                            f"(looked at {cut(base_path, 200)})")
    try:
        base = _load_raw(base_path, (*chain, path))
    except _ChainError:
        raise
    except ScenarioError as e:
        raise ScenarioError(f"{path}: key 'extends': in the base {e}") from None
    # a variant keeps its own id and title: scenario metadata merge like any table
    try:
        return _merge(base, data)
    except _LocatedError as e:
        raise ScenarioError(f"{path}: key '{e.loc}': {e.msg}") from None


def load_scenario(name_or_path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario; ``None`` loads the default one.

    Raises :class:`ScenarioError`: one line with the file, the key path and what was expected
    (for a variant, the base the key was set in).
    """
    if name_or_path is not None and (not isinstance(name_or_path, (str, Path))
                                     or not str(name_or_path).strip()
                                     or "\0" in str(name_or_path)):
        raise ScenarioError(f"scenario: expected a scenario name or a path to a .toml file, "
                            f"got {cut(repr(name_or_path), 60)}")
    try:
        path = resolve_path(DEFAULT_SCENARIO if name_or_path is None else name_or_path)
    except OSError as e:  # a name too long for the file system
        raise ScenarioError(f"{cut(name_or_path, 200)}: cannot be read ({e.strerror})") from None
    data = _load_raw(path)
    try:
        sc = Scenario(**data)
        sc._path = str(path)
        return sc
    except ValidationError as e:
        problems = [_problem(err) for err in e.errors()]
    except _LocatedError as e:
        problems = [(e.loc, e.msg)]
    loc, msg = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    raise ScenarioError(f"{path}: key '{loc}'{_origin(path, loc, data)}: {msg}{more}")


def _problem(err: dict) -> tuple[str, str]:
    """The key path and the message of one pydantic error, in the scenario format's words; the
    input is echoed once, cut."""
    ctx_err = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_err, _LocatedError):
        return ctx_err.loc, ctx_err.msg
    loc, msg = _loc_string(err["loc"]), err["msg"]
    if err["type"] == "extra_forbidden":
        return loc, "unknown key (not part of the scenario format; see docs/scenario_format.md)"
    if err["type"] == "missing":
        return loc, "required key is missing"
    if err["type"] == "finite_number":
        msg = "expected a finite number"
    msg = msg.removeprefix("Value error, ")
    given = err.get("input")
    if "input" in err and not isinstance(given, (dict, list)):
        msg += f" (got {repr(cut(given)) if isinstance(given, str) else cut(repr(given))})"
    return loc, msg


def _origin(path: Path, loc: str, merged: dict) -> str:
    """For a variant, where the value at ``loc`` was set when not in the variant itself: ' (set
    in its base <file>)'; '' otherwise."""
    own = _read_toml(path.resolve())
    base = own.get("extends")
    if not isinstance(base, str):
        return ""
    top = re.match(r"[A-Za-z_]+", loc)
    key = top.group(0) if top else ""
    if key not in own:
        return f" (set in its base {cut(base)})"
    index = re.match(r"[A-Za-z_]+\[(\d+)\]", loc)
    entries = merged.get(key)
    if index and isinstance(entries, list) and int(index.group(1)) < len(entries):
        entry = entries[int(index.group(1))]
        own_ids = {_key(e) for e in own[key]} if isinstance(own[key], list) else set()
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and \
                entry["id"] not in own_ids:
            return f" (set in its base {cut(base)})"
    name = re.match(r"parameters\.([^.]+)", loc)
    # a long name is cut in the key path: match what is left of it
    if name and isinstance(own[key], dict) and \
            not any(k.startswith(name.group(1).removesuffix("…")) for k in own[key]):
        return f" (set in its base {cut(base)})"
    return ""


def _loc_string(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + cut(part)
    return out or "(top level)"


def list_scenarios() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.toml"))
