"""axis-sim: a policy-option wargaming simulator for the Russia–DPRK military alignment.

>>> import axis_sim
>>> scenario = axis_sim.load_scenario("scenarios/baseline.yaml")
>>> result = axis_sim.run(scenario, runs=500, options=["sanctions_listing"], seed=1)
>>> result.outcomes.head()  # doctest: +SKIP
>>> axis_sim.explain(scenario, runs=500, portfolios=["sanctions_listing"])  # doctest: +SKIP

Importing the package is cheap: each name below is imported from its module on first use
(pandas, scipy and Mesa load then), so the command line starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from axis_sim.api import (
        PolicyOption,
        RunResult,
        explain,
        load_results,
        load_scenario,
        register_option,
        run,
        sensitivity,
        write_results,
    )
    from axis_sim.scenario.errors import ScenarioError
    from axis_sim.scenario.schema import Scenario

# Public name → the module it is imported from on first access (PEP 562): `axis_sim.api` for
# the notebook API; the scenario types from their own (light) modules.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("PolicyOption", "RunResult", "explain", "load_results", "load_scenario",
                     "register_option", "run", "sensitivity", "write_results"), "axis_sim.api"),
    "Scenario": "axis_sim.scenario.schema",
    "ScenarioError": "axis_sim.scenario.errors",
}

__all__ = ["PolicyOption", "RunResult", "Scenario", "ScenarioError", "explain", "load_results",
           "load_scenario", "register_option", "run", "sensitivity", "write_results"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("axis-sim")
        except PackageNotFoundError:  # run from a checkout without installing
            return "0+unknown"
    if name not in _LAZY:
        raise AttributeError(f"module 'axis_sim' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    helpers = {"Any", "TYPE_CHECKING", "annotations", "import_module"}
    return sorted({*(n for n in globals() if n not in helpers), *_LAZY, "__version__"})
