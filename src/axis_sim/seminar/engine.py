"""The seminar's engine: moves, odds, adjudication, overrides, undo and lookahead.

The game is one world run with the scenario's default parameters. Actors on a human team do
what the team's moves say (directives, `model/directives.py`); the rest follow the model's
doctrine. Every function takes a `Game` and returns a new one (or a table); none writes files.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from axis_sim.experiment.compare import mean_interval
from axis_sim.experiment.sampling import default_parameters, sample_parameters
from axis_sim.model.directives import DIRECTIVES, check
from axis_sim.model.metrics import record
from axis_sim.model.state import restore, snapshot
from axis_sim.model.world import AxisModel
from axis_sim.scenario.loader import load_scenario, scenario_hash
from axis_sim.scenario.schema import OPTIONS, Scenario
from axis_sim.seminar.game import (
    BLUE_OPTIONS,
    OPTION_PREFIX,
    Game,
    GameError,
    Order,
    Ruling,
    Turn,
)
from axis_sim.seminar.injects import injects_for

# What the room watches: the probability each happens during the turn, shown before the roll.
WATCHED_EVENTS: dict[str, str] = {
    "icbm_launches": "an ICBM launch",
    "nuclear_test": "the seventh nuclear test",
    "lethal_incidents": "a lethal incident",
    "escalation_crises": "an escalation crisis",
    "cooperation_level": "a new rung of Russia–DPRK cooperation",
    "satellites_in_orbit": "a satellite in orbit",
    "china_naval_exercise": "China joining a naval exercise",
}


def scenario_of(game: Game) -> Scenario:
    """The scenario the game was started on (stored in the game, so later edits don't matter)."""
    return Scenario.model_validate(game.scenario)


def new_game(scenario_file: Path | str, *, teams: dict[str, list[str]], seed: int | None = None,
             turn_months: int = 3) -> Game:
    """A game at the scenario's start month, no turn played yet."""
    scenario = load_scenario(scenario_file)
    seed = scenario.experiment.seed if seed is None else seed
    model = AxisModel(scenario, default_parameters(scenario, 1), seed=seed,
                      watched=np.array([0]))
    return Game(scenario_file=str(scenario_file), scenario_hash=scenario_hash(scenario),
                scenario=scenario.model_dump(mode="json"), seed=seed, turn_months=turn_months,
                teams=teams, initial_state=snapshot(model))


def menu(game: Game, team: str) -> dict[str, str]:
    """The decisions `team` may take: option ids for the side that plays the US, and the
    directives of every actor the team plays, each with what it means and takes."""
    if team not in game.teams:
        raise GameError(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    actors = game.teams[team]
    choices: dict[str, str] = {}
    if "US" in actors:
        scenario = scenario_of(game)
        for option, key in zip(OPTIONS, BLUE_OPTIONS, strict=True):
            choices[key] = f"{scenario.options[option].label}: intensity 0 (off) to 2"  # type: ignore[index]
    for key, d in DIRECTIVES.items():
        if d.actor in actors:
            takes = {"bool": "yes or no", "share": "a share 0–1",
                     "choice": " | ".join(d.choices)}[d.kind]
            choices[key] = f"{d.meaning}: {takes}"
    return choices


def submit(game: Game, team: str, decision: str, value: object, rationale: str = "") -> Game:
    """Add (or replace) a team's move for the coming turn."""
    allowed = menu(game, team)
    if decision not in allowed:
        raise GameError(f"team {team} cannot decide {decision!r}; its menu: "
                        + ", ".join(allowed))
    if decision.startswith(OPTION_PREFIX):
        try:
            intensity = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            intensity = -1.0
        if not 0.0 <= intensity <= 2.0:
            raise GameError(f"{decision} takes an intensity from 0 to 2, got {value!r}")
        checked: bool | float | str = intensity
    else:
        try:
            checked = check(decision, value)  # type: ignore[assignment]
        except ValueError as err:
            raise GameError(str(err)) from None
    orders = [m for m in game.orders if not (m.team == team and m.decision == decision)]
    orders.append(Order(team=team, decision=decision, value=checked, rationale=rationale,
                        since_turn=game.next_turn))
    return game.model_copy(update={"orders": orders})


def _turn_model(game: Game, scenario: Scenario, moves: list[Order], overrides: list[Ruling],
                *, worlds: int = 1, seed: int | None = None,
                uncertain: bool = False) -> AxisModel:
    """A model at the game's current state with this turn's moves in force.

    One world continues the game itself (its random streams restored); more worlds fork it,
    each with its own luck from `seed`, and with `uncertain` each with its own parameter draw.
    """
    params = (sample_parameters(scenario, worlds, "random", np.random.default_rng(seed))
              if uncertain else default_parameters(scenario, worlds))
    model = AxisModel(scenario, params, seed=game.seed if seed is None else seed,
                      watched=np.array([0]))
    restore(model, game.state, world=None if worlds == 1 and seed is None else 0)
    intensity = {m.decision.removeprefix(OPTION_PREFIX): float(m.value) for m in moves
                 if m.decision.startswith(OPTION_PREFIX) and float(m.value) > 0}
    model.set_portfolio(intensity, start=model.month)  # status quo's policies stay in force
    model.directives = {m.decision: m.value for m in moves
                        if not m.decision.startswith(OPTION_PREFIX)}
    model.directives |= {o.key: o.value for o in overrides if o.kind == "decision"}
    return model


def _months_left(game: Game, scenario: Scenario) -> int:
    return min(game.turn_months, scenario.meta.horizon_months - game.month)


def odds(game: Game, worlds: int = 500) -> dict[str, float]:
    """Before the roll: the chance of each watched event during the coming turn, given the
    pending moves (a quick Monte Carlo of the game's world forked `worlds` times)."""
    scenario = scenario_of(game)
    months = _months_left(game, scenario)
    if months <= 0:
        raise GameError("the game has reached the scenario's horizon")
    model = _turn_model(game, scenario, game.pending, [], worlds=worlds,
                        seed=_derived_seed(game, "odds"))
    names = tuple(WATCHED_EVENTS)
    before = record(model, names)
    for _ in range(months):
        model.step()
    after = record(model, names)
    return {name: float((after[i] > before[i]).mean()) for i, name in enumerate(names)}


def adjudicate(game: Game, overrides: list[Ruling] | None = None) -> Game:
    """Play the coming turn in the game's world with the pending moves; clear them."""
    scenario = scenario_of(game)
    months = _months_left(game, scenario)
    if months <= 0:
        raise GameError("the game has reached the scenario's horizon")
    chances = odds(game)
    model = _turn_model(game, scenario, game.pending, overrides or [])
    first = model.month
    for _ in range(months):
        model.step()
    events = model.log.to_frame()
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in events.astype({"actor": str, "event": str}).to_dict("records")]
    outcomes = dict(zip(scenario.outcomes, record(model, tuple(scenario.outcomes))[:, 0].tolist(),
                        strict=True))
    turn = Turn(number=len(game.turns) + 1, first_month=first, months=months,
                orders=list(game.orders), rulings=list(overrides or []), odds=chances,
                events=rows, outcomes=outcomes,
                briefings={who: {"happened": lines} for who, lines in
                           injects_for(game, scenario, rows, outcomes, first).items()},
                state=snapshot(model))
    return game.model_copy(update={"turns": [*game.turns, turn]})


def override(game: Game, decision: str, value: object, reason: str) -> Game:
    """Replay the last turn with the facilitator's ruling on one decision, reason logged."""
    if not game.turns:
        raise GameError("no turn to override yet")
    if not reason.strip():
        raise GameError("an override needs a reason (it goes into the after-action report)")
    try:
        checked = check(decision, value)
    except ValueError as err:
        raise GameError(str(err)) from None
    last = game.turns[-1]
    rolled_back = game.model_copy(update={"turns": game.turns[:-1], "orders": last.orders})
    rulings = [o for o in last.rulings if o.key != decision]
    rulings.append(Ruling(kind="decision", key=decision, value=checked, reason=reason))  # type: ignore[arg-type]
    return adjudicate(rolled_back, rulings)


def undo(game: Game) -> Game:
    """Take back the last turn; its moves become the pending moves again."""
    if not game.turns:
        raise GameError("nothing to undo: no turn has been played")
    return game.model_copy(update={"turns": game.turns[:-1], "orders": game.turns[-1].orders,
                                   "undone": [*game.undone, game.turns[-1]]})


def candidate_moves(game: Game, team: str) -> dict[str, list[Order]]:
    """Default candidates for a lookahead: for the side playing the US, status quo and each
    option alone at full intensity; otherwise each value of each of the team's yes/no or
    choice decisions, the rest left to doctrine."""
    candidates: dict[str, list[Order]] = {"doctrine": []}
    for decision in menu(game, team):
        if decision.startswith(OPTION_PREFIX):
            candidates[decision.removeprefix(OPTION_PREFIX)] = [
                Order(team=team, decision=decision, value=1.0,
                      since_turn=game.next_turn)]
            continue
        d = DIRECTIVES[decision]
        values: tuple[object, ...] = {"bool": (True, False), "share": (0.0, 1.0),
                                      "choice": d.choices}[d.kind]
        for value in values:
            candidates[f"{decision}={value}"] = [Order(team=team, decision=decision, value=value,  # type: ignore[arg-type]
                      since_turn=game.next_turn)]  # type: ignore[arg-type]
    return candidates


def lookahead(game: Game, team: str, candidates: dict[str, list[Order]] | None = None, *,
              worlds: int = 2000, uncertain: bool = True) -> pd.DataFrame:
    """Each candidate move kept to the horizon, from the game's current state, on the same
    forked worlds (paired): per candidate and headline outcome, the mean at the horizon and the
    difference from the first candidate with its 90% interval."""
    scenario = scenario_of(game)
    candidates = candidates or candidate_moves(game, team)
    headline = scenario.headline_outcomes
    seed = _derived_seed(game, "lookahead")
    finals = {}
    for name, moves in candidates.items():
        model = _turn_model(game, scenario, moves, [], worlds=worlds, seed=seed,
                            uncertain=uncertain)
        while model.running:
            model.step()
        finals[name] = record(model, tuple(headline))
    reference = next(iter(candidates))
    rows = []
    for name, values in finals.items():
        for i, outcome in enumerate(headline):
            diff = values[i] - finals[reference][i]
            low, high = mean_interval(diff)
            rows.append({"candidate": name, "outcome": outcome, "mean": values[i].mean(),
                         "diff_mean": diff.mean(), "diff_ci_low": low, "diff_ci_high": high})
    return pd.DataFrame.from_records(rows)


def _derived_seed(game: Game, purpose: str) -> int:
    """A seed for `purpose` at this point of the game: reproducible, distinct per turn."""
    return zlib.crc32(f"{game.seed}:{len(game.turns)}:{purpose}".encode())
