"""axis-sim: a policy-option wargaming simulator for the Russia–DPRK military alignment.

>>> import axis_sim
>>> scenario = axis_sim.load_scenario("scenarios/baseline.yaml")
>>> result = axis_sim.run(scenario, runs=500, options=["sanctions_listing"], seed=1)
>>> result.outcomes.head()  # doctest: +SKIP
"""

from axis_sim.api import load_scenario, run
from axis_sim.experiment.results import RunResult

__all__ = ["RunResult", "load_scenario", "run"]
