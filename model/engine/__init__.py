"""The simulation engine: ZoneModel, the firm store and the agents' rules."""
