"""The posterior a seed scenario ships: made by calibrating its run-in, read by every run.

A scenario's ``[calibration]`` table names its run-in (the place started earlier, or the
scenario's own first years, so that published statistics fall inside a simulated run), the
data file and the ABC-SMC settings. ``zonesim calibrate SCENARIO --ship``
(:func:`zonesim.analysis.ship_posterior.ship`) fits the run-in and writes to
``scenarios/posteriors/``:

- ``<runin>.csv``: the final population — every fitted parameter and, calibrated with one
  replicate a particle, the prior draw of every other uncertain parameter its accepted
  simulation ran with: a sample of the joint posterior — with weight and distance;
- ``<runin>.json``: the record — scenario and run-in (with the run-in's digest), the data rows
  fitted and the data file's digest, the method and settings, the date, a digest of the model
  code, the parameters fitted and drawn, which carry over to the scenario, the fit, timings;
- ``<runin>_fit.png`` (each statistic observed against its prior- and posterior-predictive
  5–95 % band) and ``<runin>_pairs.png`` (the posterior pair plot on the prior ranges).

A fitted parameter carries over to the scenario when the run-in takes it from the scenario
unchanged (same value, provenance and range): a parameter the run-in sets itself describes the
run-in's own start (its firm count, its R&D level of an earlier year), not the scenario's.
:func:`load_posterior` gives :mod:`.uncertainty` the carried-over parameters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.errors import ScenarioError, cut
from zonesim.registry.parameters import PARAMETERS
from zonesim.registry.validate import ParameterError, check_overrides
from zonesim.scenario import SCENARIO_DIR, Scenario

POSTERIOR_DIR = SCENARIO_DIR / "posteriors"
DATA_DIR = SCENARIO_DIR.parent / "data"
CODE_DIR = Path(__file__).resolve().parents[1]


@dataclass
class ShippedPosterior:
    """The particles of a shipped posterior restricted to the parameters that carry over."""

    parameters: list[str]
    particles: pd.DataFrame   # one column per parameter, and weight
    record: dict


def posterior_paths(runin: str) -> tuple[Path, Path]:
    return POSTERIOR_DIR / f"{runin}.csv", POSTERIOR_DIR / f"{runin}.json"


def code_digest() -> str:
    """A digest of the model's source (every .py of the package), for the record."""
    h = hashlib.sha256()
    for p in sorted(CODE_DIR.rglob("*.py")):
        h.update(p.relative_to(CODE_DIR).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def load_posterior(scenario: Scenario) -> ShippedPosterior | None:
    """The scenario's shipped posterior (None without a ``[calibration]`` table); a declared
    one that is missing or damaged is an error naming the file and the command that makes
    it."""
    spec = scenario.calibration
    if spec is None:
        return None
    csv_path, json_path = posterior_paths(spec.runin)
    remake = f"make it with `zonesim calibrate {scenario.name} --ship`, or run with --prior"
    if not csv_path.is_file() or not json_path.is_file():
        raise ScenarioError(f"{cut(csv_path, 200)}: the posterior of {scenario.name}'s "
                            f"[calibration] is missing; {remake}")
    try:
        record = json.loads(json_path.read_text(encoding="utf-8"))
        particles = pd.read_csv(csv_path)
        # the run-in itself takes every parameter of the particles, the scenario those that
        # carry over
        names = list(record["drawn" if scenario.name == spec.runin else "carried_over"])
        particles = particles[[*names, "weight"]]
        w = particles["weight"].to_numpy(float)
        if not len(w) or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
            raise ValueError("weights must be finite, non-negative and not all zero")
        for row in particles[names].itertuples(index=False):
            check_overrides({n: int(round(v)) if PARAMETERS[n].integer else float(v)
                             for n, v in zip(names, row)})
    except (OSError, ValueError, KeyError, TypeError, ParameterError) as e:
        raise ScenarioError(f"{cut(csv_path, 200)}: damaged posterior ({cut(str(e), 160)}); "
                            f"{remake}") from None
    return ShippedPosterior(names, particles.reset_index(drop=True), record)


def carried_over(scenario: Scenario, runin: Scenario, names: list[str]) -> list[str]:
    """The fitted parameters the run-in takes from the scenario unchanged."""
    return [n for n in names if runin.value(n) == scenario.value(n)
            and runin.provenance(n) == scenario.provenance(n)]
