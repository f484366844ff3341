"""The scenario's parameters as one flat namespace of paths, e.g. `actors.DPRK.launch_rate`."""

from __future__ import annotations

from axis_sim.scenario.schema import Parameter, Scenario

Loc = tuple[str | int, ...]


def flat_parameters(scenario: Scenario) -> dict[str, tuple[Parameter, Loc]]:
    """Every parameter, sorted by path, with the location of its definition in the file."""
    found: dict[str, tuple[Parameter, Loc]] = {}
    for name, p in scenario.context.items():
        found[f"context.{name}"] = (p, ("context", name))
    for actor, params in scenario.actors.items():
        for name, p in params.items():
            found[f"actors.{actor}.{name}"] = (p, ("actors", actor, name))
    for option, spec in scenario.options.items():
        for name, p in spec.parameters.items():
            found[f"options.{option}.{name}"] = (p, ("options", option, "parameters", name))
    for i, event in enumerate(scenario.events):
        found[f"events.{event.id}.probability"] = (event.probability, ("events", i, "probability"))
    return dict(sorted(found.items()))
