"""One world of a Monte Carlo run as an ordinary Mesa model, so Mesa's own tools can run it.

`mesa.batch_run(SingleWorld, {"scenario": "baseline", "world": range(5)},
rng=[20230901], max_steps=36)` runs worlds 0–4 of the scenario's Monte Carlo run one model at a
time, each with the parameter draw and the random numbers it has in the batched run (its chunk's
streams are drawn whole and this world's column kept), and collects the headline outcomes with a
Mesa `DataCollector` every month. It is the slow path — one Python model per world, which is
what the batched `AxisModel` exists to avoid — kept so that the model can be checked and used
with the Mesa ecosystem unchanged.

Mesa's SolaraViz can show one world too, with `pip install "mesa[viz]"` (solara and its web
server: not an axis-sim dependency). Its Reset button re-creates the model passing a Mesa
`Scenario` as `scenario` (Mesa 3.5's own experiment object, not an axis-sim scenario), so give
the axis-sim scenario as `scenario_file` there:

    from mesa.visualization import SolaraViz, make_plot_component
    from axis_sim.model.single import SingleWorld

    params = {"scenario_file": "scenarios/baseline.yaml", "runs": 1000,
              "world": {"type": "SliderInt", "value": 0, "min": 0, "max": 999, "step": 1,
                        "label": "World"},
              "portfolio": {"type": "Select", "value": "status_quo", "label": "Portfolio",
                            "values": ["status_quo", "sanctions_listing", "warn_beijing"]}}
    page = SolaraViz(SingleWorld(scenario_file="scenarios/baseline.yaml", runs=1000),
                     components=[make_plot_component("munitions_shipped"),
                                 make_plot_component("cooperation_level")],
                     model_params=params, name="axis-sim: one world")

(save as `world_page.py`, then `solara run world_page.py`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from mesa.datacollection import DataCollector
from mesa.experimental.scenarios import Scenario as MesaScenario

from axis_sim.experiment.plan import plan
from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model.metrics import METRICS
from axis_sim.model.streams import Streams, parameter_rng
from axis_sim.model.world import AxisModel
from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.schema import STATUS_QUO, Scenario

DEFAULT_SCENARIO = "baseline"  # the bundled baseline: works outside a checkout


def _report(name: str, model: AxisModel) -> float:
    return float(np.asarray(METRICS[name].read(model), dtype=np.float64)[0])


class SingleWorld(AxisModel):
    """World `world` of a run of `runs` worlds of `scenario` under `portfolio`, on its own.

    `rng` (Mesa's name, which `batch_run` fills in) is the run's seed, None for the scenario's;
    `runs` and `chunk_size` default to the scenario's, and matter because a chunk's parameter
    design is drawn for the whole chunk. `scenario_file`, when given, is loaded instead of
    `scenario` (which SolaraViz sets to a Mesa `Scenario` of its own on reset).
    """

    def __init__(self, scenario: Scenario | str | Path | MesaScenario = DEFAULT_SCENARIO,
                 world: int = 0, portfolio: str = STATUS_QUO, runs: int | None = None,
                 chunk_size: int | None = None, rng: int | None = None,
                 scenario_file: str | Path | None = None) -> None:
        if scenario_file is not None:
            scenario = scenario_file
        elif isinstance(scenario, MesaScenario):  # SolaraViz's reset: no axis-sim scenario
            scenario = DEFAULT_SCENARIO
        spec = scenario if isinstance(scenario, Scenario) else _load(scenario)
        seed = rng
        the_plan = plan(spec, runs=runs, seed=seed, chunk_size=chunk_size,
                        portfolios=[portfolio], sample_worlds=0)
        if not 0 <= world < the_plan.runs:
            raise ValueError(f"world must be 0 to {the_plan.runs - 1}, got {world}")
        chunk = the_plan.chunks[world // the_plan.chunk_size]
        offset = world - chunk.start
        drawn = sample_parameters(spec, chunk.size, the_plan.sampling,
                                  parameter_rng(the_plan.seed, chunk.index))
        params = {path: values[offset:offset + 1] for path, values in drawn.items()}
        entities = int(params["actors.Russia.procurement_entities"][0])
        streams = Streams(the_plan.seed, chunk.index, chunk.size, entities,
                          tuple(e.id for e in spec.events), select=offset)
        options = resolve_portfolios(spec, [portfolio])[portfolio]
        super().__init__(spec, params, seed=the_plan.seed, chunk=chunk.index,
                         portfolio=options, streams=streams)
        self.world = world
        self.datacollector = DataCollector(model_reporters={
            name: partial(_report, name) for name in spec.headline_outcomes})

    def step(self) -> None:
        """One month, then collect the headline outcomes."""
        super().step()
        self.datacollector.collect(self)


def _load(scenario: str | Path) -> Scenario:
    """A scenario file, or a bundled scenario by name (`baseline`) when no such file exists."""
    from axis_sim.bundled import find_scenario

    path = Path(scenario)
    if not path.is_file() and (bundled := find_scenario(str(scenario))) is not None:
        path = bundled
    return load_scenario(path)
