"""The calibrated variant of a scenario: a scenario file that ``extends`` the calibrated one
and sets each fitted parameter to its posterior median, with the posterior 90 % interval as its
range and the data, method and date as its source (:func:`.calibration.calibrate` writes it)."""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import Scenario


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def calibrated_toml(sc: Scenario, summary: pd.DataFrame, statistics, path: Path,
                    settings: dict) -> str:
    """Text of the calibrated variant of ``sc`` (to be written at ``path``)."""
    base = Path(sc.path).resolve()
    rel = os.path.relpath(base, Path(path).resolve().parent)
    today = _dt.date.today().isoformat()
    data = "; ".join(f"{s.indicator} [{s.scope}] {s.year} = {s.value:g}" for s in statistics)
    method = (f"ABC-SMC (zonesim.analysis.calibration; {settings['populations']} populations × "
              f"{settings['particles']} particles, {settings['replicates']} replicate(s), "
              f"seed {settings['seed']})")
    lines = [f"# Calibrated variant of {sc.name}, written by zonesim.analysis.calibration on {today}.",
             f"# Method: {method}; uniform priors on the assumption ranges of {base.name}.",
             f"# Data: {data}.",
             "# Each calibrated parameter: value = posterior median, low/high = posterior 5 % /"
             " 95 % quantiles.",
             f"extends = {_toml_str(rel)}", "",
             "[scenario]",
             f"id = {_toml_str(sc.name + '_calibrated')}",
             f"title = {_toml_str(sc.meta.title + ' (calibrated)')}", "",
             "[parameters]"]
    for r in summary.to_dict("records"):
        p = PARAMETERS[r["parameter"]]
        lo, med, hi = r["q05"], r["median"], r["q95"]
        if p.integer:
            lo, med, hi = math.floor(lo), int(round(med)), math.ceil(hi)
        else:  # rounded as written, the value must stay inside its own range
            lo, med, hi = (float(f"{float(x):.6g}") for x in (lo, med, hi))
            med = min(max(med, lo), hi)
        src = (f"Calibrated {today} by {method} against {data} (calibration data derived from "
               f"shared/data/published_statistics.csv). Prior: uniform "
               f"{r['prior_low']:.6g}–{r['prior_high']:.6g}; posterior mean {r['mean']:.6g}; "
               f"value = median, low/high = 90 % interval.")
        lines.append(f"{r['parameter']} = {{ value = {_num(med)}, provenance = \"assumption\", "
                     f"low = {_num(lo)}, high = {_num(hi)}, source = {_toml_str(src)} }}")
    return "\n".join(lines) + "\n"


def _num(x) -> str:
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return repr(float(f"{float(x):.6g}"))
