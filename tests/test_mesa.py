"""The model is genuine Mesa: actors activated through the AgentSet in the documented order, and
one world runs under `mesa.batch_run` with the values it has in the batched model."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from axis_sim.api import run
from axis_sim.model.actor import Actor
from axis_sim.model.single import SingleWorld
from axis_sim.model.world import AxisModel
from axis_sim.scenario.schema import Scenario
from tests.conftest import BASELINE


def test_actors_decide_through_the_agentset_in_the_documented_order(
        short_baseline: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = {cls: cls.decide for cls in {type(a) for a in
                AxisModel(short_baseline, _params(short_baseline), seed=1).agents}}
    for cls, decide in original.items():
        def traced(self: Actor, month: int, _decide=decide) -> None:
            seen.append(self.name)
            _decide(self, month)
        monkeypatch.setattr(cls, "decide", traced)
    model = AxisModel(short_baseline, _params(short_baseline), seed=1)
    model.step()
    assert seen == ["US", "ROK", "Japan", "China", "Russia", "DPRK"]


def _params(scenario: Scenario) -> dict[str, np.ndarray]:
    from axis_sim.experiment.sampling import default_parameters

    return default_parameters(scenario, 3)


def test_batch_run_reproduces_the_batched_worlds(short_baseline: Scenario) -> None:
    """mesa.batch_run over five worlds gives, month by month, the batched run's values."""
    runs, seed, chunk = 12, 7, 5
    scenario = short_baseline.model_copy(update={"experiment": short_baseline.experiment
                                                 .model_copy(update={"chunk_size": chunk})})
    batched = run(scenario, runs=runs, seed=seed, options=["sanctions_listing"],
                  sample_worlds=runs)
    rows = mesa.batch_run(SingleWorld, {"scenario": [scenario], "world": [0, 3, 6, 11],
                                        "portfolio": ["sanctions_listing"], "runs": [runs]},
                          rng=[seed], max_steps=scenario.meta.horizon_months,
                          data_collection_period=1, display_progress=False)
    single = pd.DataFrame(rows)
    traj = batched.trajectories
    traj = traj[traj["portfolio"] == "sanctions_listing"]
    for outcome in scenario.headline_outcomes:
        for world in (0, 3, 6, 11):
            mine = single[single["world"] == world].sort_values("Step")[outcome].to_numpy()
            theirs = traj[traj["world"] == world].sort_values("month")[outcome].to_numpy()
            assert len(mine) == scenario.meta.horizon_months
            np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-6,
                                       err_msg=f"{outcome}, world {world}")


def test_single_world_checks_its_world(short_baseline: Scenario) -> None:
    with pytest.raises(ValueError, match="world must be"):
        SingleWorld(BASELINE, world=10_000_000, runs=10)


def test_single_world_survives_solaraviz_reset(short_baseline: Scenario) -> None:
    """SolaraViz re-creates the model passing Mesa's own `Scenario` as `scenario`; the world
    then comes from `scenario_file` (SolaraViz itself needs solara, not installed here)."""
    from mesa.experimental.scenarios import Scenario as MesaScenario

    first = SingleWorld(BASELINE, world=3, runs=20, rng=5)
    reset = SingleWorld(scenario=MesaScenario(), scenario_file=BASELINE, world=3, runs=20, rng=5)
    for model in (first, reset):
        for _ in range(4):
            model.step()
    pd.testing.assert_frame_equal(first.datacollector.get_model_vars_dataframe(),
                                  reset.datacollector.get_model_vars_dataframe())
    assert list(first.datacollector.get_model_vars_dataframe().columns) == \
        short_baseline.headline_outcomes
