"""Analyses over runs: targets, experiments (compare, sweep, sensitivity), calibration and
pattern checks."""
