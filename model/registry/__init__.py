"""The registries: parameters (every numeric assumption with its provenance), indicators
(definition, planner label, display unit) and scopes."""
