"""Checks that need more than the schema: the scenario against what the model reads.

Each problem is `(loc, message)`, `loc` being the path of keys in the scenario file, so the
loader can point at the file, line and column.
"""

from __future__ import annotations

import difflib

from axis_sim.model.catalogue import required_parameters
from axis_sim.model.metrics import METRICS
from axis_sim.scenario.parameters import Loc, flat_parameters
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.schema import Fixed, Scenario, month_index

Problem = tuple[Loc, str]


def semantic_problems(scenario: Scenario) -> list[Problem]:
    """Everything wrong with a schema-valid scenario, or an empty list."""
    return [
        *_parameter_problems(scenario),
        *_outcome_problems(scenario),
        *_timing_problems(scenario),
        *_portfolio_problems(scenario),
    ]


def _parameter_problems(scenario: Scenario) -> list[Problem]:
    required = required_parameters(scenario)
    defined = flat_parameters(scenario)
    problems: list[Problem] = []
    for path, unit in required.items():
        if path not in defined:
            section, _, name = path.rpartition(".")
            loc = _section_loc(section)
            problems.append((loc, f"missing parameter {name!r} (unit: {unit}); the model reads "
                                  f"{path}"))
        elif defined[path][0].unit != unit:
            problems.append(((*defined[path][1], "unit"),
                             f"unit must be {unit!r} (the model reads {path} in {unit}), "
                             f"got {defined[path][0].unit!r}"))
    for path, (_, loc) in defined.items():
        if path not in required:
            section = path.rpartition(".")[0]
            known = [p.rpartition(".")[2] for p in required if p.rpartition(".")[0] == section]
            hint = difflib.get_close_matches(path.rpartition(".")[2], known, n=1)
            problems.append((loc, f"unknown parameter {path!r}: the model does not read it"
                                  + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                  + f"; allowed here: {', '.join(sorted(known)) or 'none'}"))
    entities = defined.get("actors.Russia.procurement_entities")
    if entities is not None:
        param, loc = entities
        if not isinstance(param.dist, Fixed) or param.value < 1 or param.value != int(param.value):
            problems.append((loc, "procurement_entities must be a whole number >= 1 with "
                                  "dist {kind: fixed} (it sets the size of the network array)"))
    return problems


def _section_loc(section: str) -> Loc:
    parts = section.split(".")
    if parts[0] == "options":
        return ("options", parts[1], "parameters")
    return tuple(parts)


def _outcome_problems(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    for name, spec in scenario.outcomes.items():
        if name not in METRICS:
            hint = difflib.get_close_matches(name, METRICS, n=1)
            problems.append((("outcomes", name), f"unknown outcome {name!r}"
                             + (f" (did you mean {hint[0]!r}?)" if hint else "")
                             + f"; allowed: {', '.join(METRICS)}"))
        elif spec.unit != METRICS[name].unit:
            problems.append((("outcomes", name, "unit"),
                             f"unit must be {METRICS[name].unit!r}, the unit the model "
                             f"reports {name} in; got {spec.unit!r}"))
        problems += _restatement_problems(scenario, name)
    return problems


def _restatement_problems(scenario: Scenario, name: str) -> list[Problem]:
    """An outcome that restates others is not scored, and what it restates must be."""
    spec, problems = scenario.outcomes[name], []
    if spec.restates and spec.weight > 0:
        problems.append((("outcomes", name, "weight"),
                         f"{name} restates {', '.join(spec.restates)}, so scoring it would count "
                         f"the same harm twice: its weight must be 0, got {spec.weight:g}"))
    for i, other in enumerate(spec.restates):
        if other not in scenario.outcomes or other == name:
            allowed = ", ".join(o for o in scenario.outcomes if o != name)
            problems.append((("outcomes", name, "restates", i),
                             f"{other!r} is not another outcome of this scenario; allowed: "
                             f"{allowed}"))
        elif scenario.outcomes[other].weight <= 0:
            problems.append((("outcomes", name, "restates", i),
                             f"{other} carries no weight, so nothing would score the harm "
                             f"{name} restates: give {other} a weight"))
    return problems


def _timing_problems(scenario: Scenario) -> list[Problem]:
    start, horizon = scenario.meta.start, scenario.meta.horizon_months
    problems: list[Problem] = []
    for i, event in enumerate(scenario.events):
        first = month_index(start, event.month)
        if event.every_months is None and not 0 <= first < horizon:
            problems.append((("events", i, "month"),
                             f"{event.month} is outside the simulated months {start} to "
                             f"{horizon} months later; give every_months or move it"))
    for option, spec in scenario.options.items():
        begin = month_index(start, spec.start)
        if not 0 <= begin < horizon:
            problems.append((("options", option, "start"),
                             f"start {spec.start!r} is outside the simulated months (0 to "
                             f"{horizon - 1}, or {start} onward)"))
    return problems


def _portfolio_problems(scenario: Scenario) -> list[Problem]:
    try:
        resolve_portfolios(scenario, scenario.experiment.portfolios)
    except ValueError as err:
        return [(("experiment", "portfolios"), str(err))]
    return []
