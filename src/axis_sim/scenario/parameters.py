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


def parameter_labels(scenario: Scenario) -> dict[str, tuple[str, str]]:
    """A readable label and the unit of every parameter path, for sentences and tables.

    `actors.Russia.front_rebuild_months` → ("Russia front rebuild months", "months").
    """
    labels: dict[str, tuple[str, str]] = {}
    for path, (parameter, _) in flat_parameters(scenario).items():
        section, *middle, name = path.split(".")
        words = name.replace("_", " ")
        if section == "actors":
            label = f"{middle[0]} {words}"
        elif section == "options":
            label = f"{middle[0].replace('_', ' ')} {words}"
        elif section == "events":
            label = f"chance of {next(e.name for e in scenario.events if e.id == middle[0])}"
        else:
            label = words
        labels[path] = (label, parameter.unit)
    return labels
