"""Which parameters the model reads, with their units: the contract a scenario must meet."""

from __future__ import annotations

from axis_sim.model.allies import Japan, SouthKorea, UnitedStates
from axis_sim.model.china import China
from axis_sim.model.dprk import NorthKorea
from axis_sim.model.options import BUILTIN_OPTIONS, option_classes
from axis_sim.model.russia import Russia
from axis_sim.model.world import CONTEXT_PARAMETERS
from axis_sim.scenario.schema import Scenario

ACTOR_CLASSES = (UnitedStates, SouthKorea, Japan, China, Russia, NorthKorea)
EVENT_PROBABILITY_UNIT = "probability"


def required_parameters(scenario: Scenario) -> dict[str, str]:
    """Every parameter path the model reads for `scenario`, mapped to the unit it expects."""
    paths = {f"context.{name}": unit for name, unit in CONTEXT_PARAMETERS.items()}
    for actor in ACTOR_CLASSES:
        paths.update({f"actors.{actor.name}.{n}": u for n, u in actor.PARAMETERS.items()})
    known = option_classes()
    # The five built-in options are always read; a user-defined one when the scenario has it.
    used = [*BUILTIN_OPTIONS, *(o for o in scenario.options if o not in BUILTIN_OPTIONS)]
    for option_id in used:
        option = known.get(option_id)
        if option is None:
            continue  # an unknown option: `checks` says so
        paths.update({f"options.{option_id}.{n}": u for n, u in option.PARAMETERS.items()})
    for event in scenario.events:
        paths[f"events.{event.id}.probability"] = EVENT_PROBABILITY_UNIT
    return paths
