"""Scenarios: the schema of a scenario file (:mod:`.schema`) and loading it (:mod:`.load`)."""

from zonesim.errors import ScenarioError
from zonesim.scenario.load import (DEFAULT_SCENARIO, SCENARIO_DIR, list_scenarios, load_scenario,
                                   resolve_path)
from zonesim.scenario.schema import Event, Meta, ParameterValue, Scenario, Target

__all__ = ["DEFAULT_SCENARIO", "SCENARIO_DIR", "Event", "Meta", "ParameterValue", "Scenario",
           "ScenarioError", "Target", "list_scenarios", "load_scenario", "resolve_path"]
