"""Each side's objectives: what a team's lookahead counts as better, by the actors it plays.

The side that plays the US and its allies judges by the scenario's own value model (each scored
outcome's direction and swing weight). The axis and China want other things: red's Russia wants
munitions and ties, the DPRK technology, food and energy, and ties; a lookahead scored with
blue's "lower is better" would tell red that shipping fewer shells is a gain. Each aim here names
the sentence of the seed (shared/seed/renewed_axis.md) it rests on. Weights are judgement (the
seed ranks nothing); they say how much moving the outcome across its range counts relative to the
actor's other aims, and are normalised per team.

A team's objective is the union of its actors' aims: the same outcome wanted by two of its
actors counts once, at the larger weight; wanted in opposite directions, the weights net out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from axis_sim.scenario.schema import Scenario

BLUE_ACTORS = ("US", "ROK", "Japan")


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


# Sentences of the seed, quoted verbatim so a reader can find them.
_ISOLATION = ("Russia’s arms negotiations with North Korea reflects its growing international "
              "isolation and the deplorable state of its military industrial complex that cannot "
              "meet the needs of its own armed forces.")
_PUTIN_LETTER = ("In his letter to Kim, Putin vowed to increase political, economic, and "
                 "security ties with North Korea […]")
_TACTICAL = ("The tactical advantage that each foe gains in expanding cooperation complicates "
             "U.S. efforts in the war in Ukraine.")
_CONSEQUENCES = ("In this regard, Putin may be trying to demonstrate that actions taken in Europe "
                 "by the U.S. will have consequences not just in that theater but also in the "
                 "Indo-Pacific detrimental to U.S. interests.")
_FOOD = ("Under heavy international sanctions, North Korea also needs food and energy "
         "assistance from Russia.")
_TECH = ("This stands in contrast to potential arms and missile deals with DPRK being negotiated "
         "by Moscow, which could transfer sensitive military technology that could accelerate "
         "North Korea’s military satellite, nuclear submarine, and ICBM programs.")
_ICBM = ("It also complicates U.S. efforts at shoring up extended deterrence on the Korean "
         "peninsula with its South Korean ally as North Korea demonstrates increasingly more "
         "capable and potentially survivable ICBMs.")
_KIM_EXPAND = ("And North Korean leader Kim Jong-un provided unusually visible VIP treatment to "
               "Shoigu, […] announcing to state-run media that he would expand military "
               "cooperation with Moscow.")
_TRANSACTIONAL = ("Russian interest in North Korea is equally transactional, but at the same time "
                  "relatively consistent over the centuries.")
_NO_TEST = ("But Beijing reportedly has been opposed to North Korea conducting a seventh nuclear "
            "test.")
_US_CHINA = ("The latter has not been supportive of the denuclearization agenda and has not "
             "helped to bring Pyongyang back to the negotiating table, given the state of U.S.-"
             "China relations.")

AIMS: dict[str, tuple[Aim, ...]] = {
    "Russia": (
        Aim("munitions_shipped", "higher", 1.0, _ISOLATION),
        Aim("russia_artillery_supply", "higher", 0.6, _TACTICAL),
        Aim("cooperation_level", "higher", 0.5, _PUTIN_LETTER),
        Aim("extended_deterrence", "lower", 0.3, _CONSEQUENCES),
    ),
    "DPRK": (
        # The gap is an index from 0 (no gap) to 1, so its range is 1.
        Aim("dprk_food_energy_gap", "lower", 1.0, _FOOD, scale=1.0),
        Aim("maturity_icbm", "higher", 0.7, _ICBM),
        Aim("tech_transfers", "higher", 0.5, _TECH, scale=6.0),
        Aim("cooperation_level", "higher", 0.5, _KIM_EXPAND),
        # Shells are what the DPRK pays for food, energy and technology with (its currency).
        Aim("munitions_shipped", "higher", 0.4, _TRANSACTIONAL),
    ),
    "China": (
        Aim("nuclear_test", "lower", 1.0, _NO_TEST),
        Aim("us_china_tension", "lower", 0.5, _US_CHINA),
    ),
}
"""The non-blue actors' aims. `tech_transfers` has no swing in the scenario: its scale (6
transfers, two per programme) is judgement, like the swings it stands beside."""


def actor_aims(scenario: Scenario, actor: str) -> tuple[Aim, ...]:
    """What `actor` wants: the scenario's value model for the US and its allies, else AIMS."""
    if actor in BLUE_ACTORS:
        return tuple(
            Aim(name, spec.better, spec.weight,
                f"The scenario's value model: {spec.label}, {spec.better} is better, swing "
                f"weight {spec.weight:g}.")
            for name, spec in scenario.outcomes.items() if spec.weight > 0 and spec.swing)
    return AIMS.get(actor, ())


def team_aims(scenario: Scenario, actors: list[str]) -> list[Aim]:
    """The union of the actors' aims (see the module's note on overlaps), in first-seen order."""
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
