"""Matrix-game turns: a team argues for an action, others counter, the umpire sets the odds
(guided by the model's odds for a linked watched event) and the dice decide.

As in the matrix-game method (MaGCK), the argument, not the model, is the move; the model
informs the umpire's odds. The roll is reproducible: it is drawn from the game's seed, the
turn and the argument's id, so a replayed or forked game rolls the same. The turn's arguments
move into the turn at adjudication (`engine.adjudicate`).
"""

from __future__ import annotations

import zlib

import numpy as np

from axis_sim.seminar.engine import WATCHED_EVENTS, odds
from axis_sim.seminar.game import Argument, Game, GameError


def _require_matrix(game: Game) -> None:
    if not game.matrix:
        raise GameError("this game has no matrix-game turns (start it with matrix turns on)")


def _find(game: Game, argument_id: int) -> tuple[int, Argument]:
    for i, argument in enumerate(game.arguments):
        if argument.id == argument_id:
            return i, argument
    raise GameError(f"no argument {argument_id} this turn; arguments: "
                    + (", ".join(str(a.id) for a in game.arguments) or "none"))


def _replace(game: Game, index: int, argument: Argument) -> Game:
    arguments = list(game.arguments)
    arguments[index] = argument
    return game.model_copy(update={"arguments": arguments})


def argue(game: Game, team: str, action: str, arguments: list[str],
          event: str | None = None) -> Game:
    """`team` states an action and the arguments for it; `event` links a watched event whose
    model odds guide the umpire."""
    _require_matrix(game)
    if team not in game.teams:
        raise GameError(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    if not action.strip():
        raise GameError("an argument needs an action (what the team does)")
    reasons = [a.strip() for a in arguments if a.strip()]
    if not reasons:
        raise GameError("an action needs at least one argument for why it would work")
    if event is not None and event not in WATCHED_EVENTS:
        raise GameError(f"unknown event {event!r}; events: {', '.join(WATCHED_EVENTS)}")
    used = [a.id for t in game.turns for a in t.arguments] + [a.id for a in game.arguments]
    argument = Argument(id=max(used, default=0) + 1, team=team, action=action.strip(),
                        arguments=reasons, event=event)
    return game.model_copy(update={"arguments": [*game.arguments, argument]})


def counter(game: Game, team: str, argument_id: int, text: str) -> Game:
    """Another team's counter-argument to an argument (a team does not counter itself)."""
    _require_matrix(game)
    if team not in game.teams:
        raise GameError(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    index, argument = _find(game, argument_id)
    if argument.team == team:
        raise GameError("a team counters other teams' arguments, not its own")
    if not text.strip():
        raise GameError("a counter-argument needs its text")
    if argument.roll is not None:
        raise GameError(f"argument {argument_id} has been rolled; it takes no more counters")
    counters = [*argument.counters, {"team": team, "text": text.strip()}]
    return _replace(game, index, argument.model_copy(update={"counters": counters}))


def set_odds(game: Game, argument_id: int, chance: float | None = None, *,
             worlds: int = 500) -> Game:
    """The umpire sets the chance of success; with a linked event the model's odds for it are
    recorded beside (`model_odds`), and stand as the odds when the umpire gives none."""
    _require_matrix(game)
    index, argument = _find(game, argument_id)
    if argument.roll is not None:
        raise GameError(f"argument {argument_id} has been rolled; its odds are fixed")
    model_odds = odds(game, worlds)[argument.event] if argument.event else None
    if chance is None:
        if model_odds is None:
            raise GameError("give the odds (0–1): the argument is linked to no model event")
        chance = model_odds
    if not 0.0 <= chance <= 1.0:
        raise GameError(f"odds are a chance from 0 to 1, got {chance!r}")
    return _replace(game, index, argument.model_copy(
        update={"odds": float(chance), "model_odds": model_odds}))


def draw(game: Game, argument_id: int) -> float:
    """The argument's die, uniform in [0, 1): from the game's seed, the turn and the id."""
    key = f"{game.seed}:{game.next_turn}:{argument_id}:matrix"
    return float(np.random.default_rng(zlib.crc32(key.encode())).random())


def roll(game: Game, argument_id: int) -> Game:
    """Roll for an argument whose odds are set: success when the die falls below the odds."""
    _require_matrix(game)
    index, argument = _find(game, argument_id)
    if argument.odds is None:
        raise GameError(f"set the odds for argument {argument_id} before rolling")
    if argument.roll is not None:
        raise GameError(f"argument {argument_id} has been rolled already")
    die = draw(game, argument_id)
    return _replace(game, index, argument.model_copy(
        update={"roll": die, "success": die < argument.odds}))
