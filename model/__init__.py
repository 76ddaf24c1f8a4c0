"""zonesim: an agent-based simulation of Chinese high-tech zone (高新区) and special-park development."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zonesim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from zonesim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

__all__ = ["Scenario", "ScenarioError", "load_scenario", "__version__"]
