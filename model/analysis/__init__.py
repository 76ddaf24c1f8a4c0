"""Analyses over runs: targets, experiments (compare, sweep, sensitivity), calibration and
pattern checks.

Modules: ``targets`` (evaluation and summary of a scenario's targets), ``run_scenario`` (the
pipeline of ``zonesim run``), ``space`` (factors), ``designs`` (sweep and sensitivity designs),
``store`` (the resumable result store), ``experiments`` (running a design × replicates),
``compare``, ``sweep``, ``sensitivity``, ``abc`` (the ABC-SMC sampler), ``calibration``,
``forecast`` and ``patterns``. Import what you use from its module (``from
zonesim.analysis.compare import compare``): the package re-exports nothing, so a module and the
function it is named after never shadow each other.
"""
