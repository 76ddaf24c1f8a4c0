"""zonesim: an agent-based simulation of Chinese high-tech zone (高新区) and special-park development."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zonesim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from zonesim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

__all__ = ["Scenario", "ScenarioError", "load", "load_scenario", "__version__"]


def __getattr__(name: str):
    # ``zonesim.load`` is imported on first use: it needs pandas, which ``import zonesim`` and
    # the commands that need no tables (validate, targets, scenarios…) do not load.
    if name == "load":
        from zonesim.analysis.results import load
        return load
    raise AttributeError(f"module 'zonesim' has no attribute {name!r}")
