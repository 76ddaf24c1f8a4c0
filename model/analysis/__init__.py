"""Analyses over runs: targets, experiments (compare, sweep, sensitivity), calibration and
pattern checks.

Modules: ``targets`` (evaluation and summary of a scenario's targets), ``run_scenario`` (the
pipeline of ``zonesim run``), ``space`` (factors), ``designs`` (sweep and sensitivity designs),
``store`` (the resumable result store), ``experiments`` (running a design × replicates),
``compare``, ``sweep``, ``sensitivity``, ``abc`` (the ABC-SMC sampler), ``calibration``,
``forecast`` and ``patterns``.
"""

from zonesim.analysis.abc import abc_smc
from zonesim.analysis.calibration import calibrate
from zonesim.analysis.compare import compare
from zonesim.analysis.designs import METHODS
from zonesim.analysis.forecast import forecast
from zonesim.analysis.patterns import check_patterns
from zonesim.analysis.run_scenario import run_scenario
from zonesim.analysis.sensitivity import MAIN_INDEX, sensitivity
from zonesim.analysis.space import check_factor, uncertainty_space
from zonesim.analysis.sweep import sweep
from zonesim.analysis.targets import evaluate_targets, measure_values, scope_values, summarise

__all__ = ["MAIN_INDEX", "METHODS", "abc_smc", "calibrate", "check_factor", "check_patterns",
           "compare", "evaluate_targets", "forecast", "measure_values", "run_scenario",
           "scope_values", "sensitivity", "summarise", "sweep", "uncertainty_space"]
