"""axis-sim: a policy-option wargaming simulator for the Russia–DPRK military alignment.

>>> import axis_sim
>>> scenario = axis_sim.load_scenario("scenarios/baseline.yaml")
>>> result = axis_sim.run(scenario, runs=500, options=["sanctions_listing"], seed=1)
>>> result.outcomes.head()  # doctest: +SKIP
>>> axis_sim.explain(scenario, runs=500, portfolios=["sanctions_listing"])  # doctest: +SKIP
"""

from axis_sim.api import explain, load_scenario, run
from axis_sim.experiment.results import RunResult

__all__ = ["RunResult", "explain", "load_scenario", "run"]
