"""Each side's objectives: what a team's lookahead counts as better, by the actors it plays.

The side that plays the US and its allies judges by the scenario's own value model (each scored
outcome's direction and swing weight). The axis and China want other things: red's Russia wants
munitions and ties, the DPRK technology, food and energy, and ties; a lookahead scored with
blue's "lower is better" would tell red that shipping fewer shells is a gain. Their aims are
scenario data (`aims:`, `axis_sim.scenario.schema.AimSpec`; the baseline's quote the seed
sentence each rests on and state the basis of its weight), so a facilitator reads and changes
them as the value model; weights are normalised per team.

A team's objective is the union of its actors' aims: the same outcome wanted by two of its
actors counts once, at the larger weight; wanted in opposite directions, the weights net out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from axis_sim.scenario.schema import BLUE_ACTORS, Scenario
from axis_sim.seminar.game import GameError

__all__ = ["BLUE_ACTORS", "Aim", "actor_aims", "scale_of", "score", "team_aims"]


@dataclass(frozen=True)
class Aim:
    """One thing an actor wants: an outcome to move `direction` ("higher" or "lower"),
    weighted, with the sentence it comes from. `scale` is the outcome's range in natural units
    for outcomes the scenario gives no swing (None: use the scenario's swing width)."""

    outcome: str
    direction: str
    weight: float
    source: str
    scale: float | None = None


def actor_aims(scenario: Scenario, actor: str) -> tuple[Aim, ...]:
    """What `actor` wants: the scenario's value model for the US and its allies, else the
    scenario's `aims:` for it (none if it has none)."""
    if actor in BLUE_ACTORS:
        return tuple(
            Aim(name, spec.better, spec.weight,
                f"The scenario's value model: {spec.label}, {spec.better} is better, swing "
                f"weight {spec.weight:g}.")
            for name, spec in scenario.outcomes.items() if spec.weight > 0 and spec.swing)
    return tuple(Aim(a.outcome, a.better, a.weight, a.source, a.scale)
                 for a in scenario.aims.get(actor, ()))


def team_aims(scenario: Scenario, actors: list[str]) -> list[Aim]:
    """The union of the actors' aims (see the module's note on overlaps), in first-seen order.

    GameError if the scenario gives one of the actors no aims: its team would be scored without
    it (or by nothing), which no facilitator would notice (a game stored before scenarios had
    `aims:` carries none)."""
    missing = [a for a in actors if a not in BLUE_ACTORS and not scenario.aims.get(a)]
    if missing:
        raise GameError(f"this scenario gives {' and '.join(missing)} no aims, so a lookahead "
                        f"for {'them' if len(missing) > 1 else 'it'} has nothing to score by; "
                        "add an aims: section (see scenarios/baseline.yaml)")
    first: dict[str, Aim] = {}
    wanted: dict[str, dict[str, float]] = {}  # outcome -> direction -> largest weight
    for actor in actors:
        for aim in actor_aims(scenario, actor):
            first.setdefault(aim.outcome, aim)
            directions = wanted.setdefault(aim.outcome, {})
            directions[aim.direction] = max(directions.get(aim.direction, 0.0), aim.weight)
    aims = []
    for outcome, directions in wanted.items():
        net = directions.get("higher", 0.0) - directions.get("lower", 0.0)
        if net == 0:
            continue
        aim = first[outcome]
        aims.append(Aim(outcome, "higher" if net > 0 else "lower", abs(net), aim.source,
                        aim.scale))
    return aims


def scale_of(scenario: Scenario, aim: Aim) -> float:
    """The outcome's range in natural units: the aim's own, or the scenario's swing width."""
    if aim.scale is not None:
        return aim.scale
    swing = scenario.outcomes[aim.outcome].swing
    if swing is None or swing.worst == swing.best:
        raise ValueError(f"aim on {aim.outcome} needs a scale: the scenario gives no swing")
    return abs(swing.best - swing.worst)


def score(scenario: Scenario, aims: list[Aim], values: dict[str, np.ndarray],
          reference: dict[str, np.ndarray]) -> np.ndarray:
    """World by world, how much better `values` are than `reference` for a team with `aims`:
    the weighted sum (weights normalised to 1) of each aimed outcome's change over its range,
    positive where the outcome moved the way the team wants. 1 = every aim moved across its
    whole range the right way."""
    total = sum(a.weight for a in aims)
    result = np.zeros_like(next(iter(values.values())), dtype=np.float64)
    for aim in aims:
        sign = 1.0 if aim.direction == "higher" else -1.0
        change = np.asarray(values[aim.outcome], dtype=np.float64) - reference[aim.outcome]
        result += aim.weight / total * sign * change / scale_of(scenario, aim)
    return result
