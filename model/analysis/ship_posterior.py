"""``zonesim calibrate SCENARIO --ship``: calibrate a seed scenario's run-in as its
``[calibration]`` table says and write the posterior the scenario ships
(:mod:`.shipped_posterior` says what is written and how runs read it)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from zonesim.analysis import shipped_posterior
from zonesim.analysis.calibration import calibrate
from zonesim.analysis.run_scenario import scenario_digest
from zonesim.analysis.shipped_posterior import DATA_DIR, carried_over, code_digest
from zonesim.errors import CalibrationError
from zonesim.registry.parameters import PARAMETERS
from zonesim.present.experiment_figures import calibration_fit_figure, posterior_pairs_figure
from zonesim.scenario import Scenario, load_scenario


def check_shippable(scenario: Scenario):
    """The scenario's ``[calibration]`` table, or an error saying it has none."""
    if scenario.calibration is None:
        raise CalibrationError(f"{scenario.name} has no [calibration] table: name its run-in, "
                               "data and settings there (docs/scenario_format.md)")
    return scenario.calibration


def ship(scenario: Scenario, *, workers: int | None = None, progress=None) -> dict:
    """Calibrate ``scenario``'s run-in as its ``[calibration]`` says and write the posterior,
    its record and figures to ``scenarios/posteriors/`` (replacing the previous ones only once
    the new ones are complete). Returns the record."""
    spec = check_shippable(scenario)
    runin = load_scenario(spec.runin)
    data = DATA_DIR / spec.data
    folder = shipped_posterior.POSTERIOR_DIR
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".ship-") as tmp:
        res = calibrate(runin, data, spec.parameters, populations=spec.populations,
                        particles=spec.particles, replicates=spec.replicates, seed=spec.seed,
                        out=Path(tmp) / "calibration", workers=workers,
                        predictive=spec.predictive, progress=progress)
        # the fitted parameters and the prior draws the accepted simulations ran with
        drawn = [c for c in res["posterior"].columns if c in PARAMETERS]
        record = {
            "scenario": scenario.name, "runin": runin.name,
            "runin_digest": scenario_digest(runin), "data": spec.data,
            "data_digest": hashlib.sha256(data.read_bytes()).hexdigest()[:16],
            "statistics": json.loads((Path(tmp) / "calibration" / "calibration.json")
                                     .read_text(encoding="utf-8"))["statistics"],
            "method": "ABC-SMC (zonesim.analysis.abc), uniform priors on the run-in's "
                      "assumption ranges", "settings": spec.model_dump(),
            "date": _dt.date.today().isoformat(), "code_digest": code_digest(),
            "parameters": res["parameters"], "drawn": drawn,
            "carried_over": carried_over(scenario, runin, drawn),
            "summary": res["summary"].to_dict("records"),
            "fit": res["fit"].to_dict("records"), "history": res["history"].to_dict("records"),
            "wall_time_s": round(res["wall_time_s"], 1)}
        staged = Path(tmp)
        res["posterior"].to_csv(staged / f"{runin.name}.csv", index=False)
        (staged / f"{runin.name}.json").write_text(
            json.dumps(record, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        calibration_fit_figure(res["fit"], staged / f"{runin.name}_fit.png",
                               title=f"{runin.name}: published statistics against the prior- "
                                     "and posterior-predictive 5–95 %")
        posterior_pairs_figure(res["posterior"], res["summary"],
                               staged / f"{runin.name}_pairs.png", title=f"{runin.name} posterior")
        for suffix in (".csv", ".json", "_fit.png", "_pairs.png"):
            name = f"{runin.name}{suffix}"
            shutil.move(staged / name, folder / name)
    return record
