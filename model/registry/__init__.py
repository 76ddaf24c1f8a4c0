"""The registries: parameters (every numeric assumption with its provenance), indicators
(definition, planner label, display unit; the zone tiers) and scopes (the scope grammar)."""
