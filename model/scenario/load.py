"""Loading scenario files: TOML, ``extends`` for policy variants, and errors that name the file,
the key path and what was expected (see docs/scenario_format.md)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from pydantic import ValidationError

from zonesim.errors import ScenarioError
from zonesim.scenario.schema import Scenario, _at, _LocatedError

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT_SCENARIO = "gaogang_2017_2020"


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario given by path, or by name of a file in scenarios/ (with or without .toml)."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists() or len(p.parts) > 1:
        return p
    return SCENARIO_DIR / f"{name_or_path}.toml"


def _read_toml(path: Path) -> dict:
    if not path.exists():
        raise ScenarioError(f"{path}: file not found")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, expected a .toml scenario file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {e.start}); save the file as UTF-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: not valid TOML: {e}")


_ID_LISTS = ("sectors", "zones", "targets")


def _merge(base: dict, over: dict, where: str = "") -> dict:
    """Merge a variant over its base: tables recursively; lists of sectors, zones and targets by
    their ``id`` (a matching id updates the entry, ``remove = true`` drops it, a new id is
    appended); other lists are replaced."""
    out = copy.deepcopy(base)
    for key, val in over.items():
        if key in _ID_LISTS and isinstance(val, list) and isinstance(out.get(key), list):
            merged = {e.get("id"): e for e in out[key]}
            for e in val:
                if not isinstance(e, dict):
                    merged[id(e)] = e
                    continue
                if e.get("remove") is True:
                    if e.get("id") not in merged:
                        raise _at(key, f"cannot remove {e.get('id')!r}: the base has no such "
                                  f"id (it has {', '.join(map(str, merged))})")
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


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    if path in chain:
        cycle = " → ".join(p.name for p in (*chain, path))
        raise ScenarioError(f"{chain[-1]}: key 'extends': cycle of extends ({cycle})")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: key 'extends': expected a file name (text), got "
                            f"{type(parent).__name__}")
    base_path = (path.parent / parent)
    if not base_path.exists():
        raise ScenarioError(f"{path}: key 'extends': base file {parent!r} not found "
                            f"(looked at {base_path})")
    base = _load_raw(base_path, (*chain, path))
    # a variant keeps its own id and title: scenario metadata merge like any table
    try:
        return _merge(base, data)
    except _LocatedError as e:
        raise ScenarioError(f"{path}: key '{e.loc}': {e.msg}") from None


def load_scenario(name_or_path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario; ``None`` loads the default one.

    Raises :class:`ScenarioError` with the file, the key path and what was expected.
    """
    path = resolve_path(name_or_path or DEFAULT_SCENARIO)
    data = _load_raw(path)
    try:
        sc = Scenario(**data)
        sc._path = str(path)
        return sc
    except ValidationError as e:
        raise ScenarioError(_format_validation(path, e)) from None
    except _LocatedError as e:
        raise ScenarioError(f"{path}: key '{e.loc}': {e.msg}") from None


def _format_validation(path: Path, e: ValidationError) -> str:
    lines = []
    for err in e.errors()[:5]:
        loc = _loc_string(err["loc"])
        msg = err["msg"]
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, _LocatedError):
            loc, msg = ctx_err.loc, ctx_err.msg
        elif err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the scenario format; see docs/scenario_format.md)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if "input" in err and err["type"] not in ("missing", "extra_forbidden") \
                and not isinstance(err["input"], (dict, list)):
            msg += f" (got {err['input']!r})"
        lines.append(f"{path}: key '{loc}': {msg}")
    more = len(e.errors()) - 5
    if more > 0:
        lines.append(f"... and {more} more problems")
    return "\n".join(lines)


def _loc_string(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def list_scenarios() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.toml"))
