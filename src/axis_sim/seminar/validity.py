"""Is a game meaningful, not just well-formed? Checked on every load and before every save.

The game's schema (`game.py`) accepts any string as a decision and any dict as a state; a hand
edit (or a bug) can then produce a game the engine would misread: `DPRK.invade`, a team `Mars`,
a scenario swapped under its stored hash, a turn that skips months, a state missing half the
model. `check` refuses such a game with one plain sentence naming what is wrong, so the store
never saves it over the last good state (issue 19) and the seminar never plays on from it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from axis_sim.model import directives as model_directives
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.schema import ACTORS, OPTIONS, Scenario
from axis_sim.seminar.game import OPTION_PREFIX, Game, GameError, Order, Ruling, Turn

# Briefing keys beside the teams' own.
SHARED_BRIEFINGS = ("facilitator", "public")
# Deepest nesting any part of a game needs (a state array is 3 deep, an event row 2).
MAX_DEPTH = 32
MAX_TEAM_NAME = 40
MAX_INTENSITY = 2.0
MAX_TEXT = 4000  # characters in a rationale, reason or argument


def check(game: Game) -> None:
    """Raise GameError with the first thing in `game` that makes no sense; None if none."""
    _depth(game)
    scenario = _scenario(game)
    _teams(game)
    horizon = scenario.meta.horizon_months
    if game.seed < 0:
        raise GameError(f"seed {game.seed} is negative")
    if game.turn_months > horizon:
        raise GameError(f"turn_months {game.turn_months} is longer than the scenario's "
                        f"{horizon}-month horizon")
    reference = _reference_state(_canonical(game.scenario))
    _state(game.initial_state, reference, "initial_state", month=0)
    _turns(game, game.turns, horizon, reference)
    _orders(game, game.orders, "orders", up_to=game.next_turn)
    for team in game.ready:
        _known_team(game, team, "ready")
    if len(set(game.ready)) != len(game.ready):
        raise GameError("ready: a team is listed twice")
    if game.deadline is not None:
        try:
            datetime.fromisoformat(game.deadline)
        except ValueError:
            raise GameError(f"deadline {game.deadline!r} is not an ISO-8601 time") from None
    _arguments(game, game.arguments, "arguments")
    if not game.matrix and (game.arguments or any(t.arguments for t in game.turns)):
        raise GameError("arguments in a game without matrix-game turns")
    ids = [a.id for t in game.turns for a in t.arguments] + [a.id for a in game.arguments]
    if len(set(ids)) != len(ids):
        raise GameError("an argument id is used in two turns")
    _lookaheads(game)
    for i, turn in enumerate(game.undone):
        _turn_records(game, turn, f"undone[{i}]", reference)


# --- the parts ------------------------------------------------------------------------------------


def _scenario(game: Game) -> Scenario:
    """The stored scenario, validated as the loader would, and its hash recomputed."""
    from axis_sim.scenario.loader import scenario_hash

    try:
        scenario = _validated_scenario(_canonical(game.scenario))
    except ScenarioError as err:
        first = str(err.problems[0]) if err.problems else str(err)
        raise GameError(first) from None
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise GameError(f"the stored scenario cannot be read ({err})") from None
    if scenario_hash(scenario) != game.scenario_hash:
        raise GameError("the stored scenario does not match its hash (scenario_hash): it was "
                        "changed after the game began")
    return scenario


@lru_cache(maxsize=8)
def _validated_scenario(scenario_json: str) -> Scenario:
    """The loader's full validation (schema, domains, dates) of a stored scenario, once per
    content: a served game is checked on every read, and its scenario never changes."""
    from axis_sim.scenario.loader import Positions, validate_data

    return validate_data(json.loads(scenario_json), Positions(), "the stored scenario")


def _teams(game: Game) -> None:
    if not game.teams:
        raise GameError("teams: the game has no team")
    seen: dict[str, str] = {}
    for team, actors in game.teams.items():
        if not team.strip() or len(team) > MAX_TEAM_NAME or not team.isprintable():
            raise GameError(f"teams: {team[:MAX_TEAM_NAME]!r} is not a team name (1–"
                            f"{MAX_TEAM_NAME} printable characters)")
        if team in SHARED_BRIEFINGS:
            raise GameError(f"teams: {team!r} is reserved for the shared briefings")
        if not actors:
            raise GameError(f"teams: {team} plays no actor")
        for actor in actors:
            if actor not in ACTORS:
                raise GameError(f"teams: {team} plays {actor!r}, which is not an actor "
                                f"(actors: {', '.join(ACTORS)})")
            if actor in seen:
                raise GameError(f"teams: {actor} is on two teams ({seen[actor]} and {team})")
            seen[actor] = team


def _known_team(game: Game, team: object, where: str) -> None:
    if team not in game.teams:
        raise GameError(f"{where}: {str(team)[:MAX_TEAM_NAME]!r} is not a team of this game "
                        f"(teams: {', '.join(game.teams)})")


def _menu(game: Game, team: str) -> set[str]:
    """Every decision `team` may ever take: the US's options if it plays the US, and the
    directives of the actors it plays (whether spent or not: a spent one may be in a turn)."""
    actors = game.teams[team]
    keys = {f"{OPTION_PREFIX}{o}" for o in OPTIONS} if "US" in actors else set()
    return keys | {k for k, d in model_directives.DIRECTIVES.items() if d.actor in actors}


def _value(decision: str, value: object, where: str) -> None:
    """The value is one the decision takes, already in the form the engine stores."""
    if decision.startswith(OPTION_PREFIX):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0.0 <= float(value) <= MAX_INTENSITY:
            raise GameError(f"{where}: {decision} takes an intensity from 0 to "
                            f"{MAX_INTENSITY:g}, not {value!r}")
        return
    try:
        checked = model_directives.check(decision, value)
    except ValueError as err:
        raise GameError(f"{where}: {err}") from None
    if checked != value or isinstance(checked, bool) != isinstance(value, bool) \
            or isinstance(checked, str) != isinstance(value, str):
        raise GameError(f"{where}: {decision} = {value!r} is not stored as the engine "
                        f"stores it ({checked!r})")


def _orders(game: Game, orders: Iterable[Order], where: str, *, up_to: int) -> None:
    seen: set[tuple[str, str]] = set()
    for i, order in enumerate(orders):
        at = f"{where}[{i}]"
        _known_team(game, order.team, f"{at}.team")
        if order.decision not in _menu(game, order.team):
            raise GameError(f"{at}: {order.decision!r} is not a decision team {order.team} "
                            f"can take")
        _value(order.decision, order.value, at)
        _text(order.rationale, at)
        _text(order.exception, at)
        if order.since_turn > up_to:
            raise GameError(f"{at}: since_turn {order.since_turn} is after turn {up_to}")
        if (order.team, order.decision) in seen:
            raise GameError(f"{at}: {order.team} has two orders for {order.decision}")
        seen.add((order.team, order.decision))


def _rulings(rulings: Iterable[Ruling], where: str) -> None:
    events: dict[str, str] | None = getattr(model_directives, "CHANCE_EVENTS", None)
    for i, ruling in enumerate(rulings):
        at = f"{where}[{i}]"
        if not ruling.reason.strip():
            raise GameError(f"{at}: a ruling without a reason")
        _text(ruling.reason, at)
        if ruling.kind == "decision":
            if ruling.key not in model_directives.DIRECTIVES and ruling.key not in {
                    f"{OPTION_PREFIX}{o}" for o in OPTIONS}:
                raise GameError(f"{at}: {ruling.key!r} is not a decision the model knows")
            _value(ruling.key, ruling.value, at)
        else:
            if events is not None and ruling.key not in events:
                raise GameError(f"{at}: {ruling.key!r} is not a chance event the umpire may "
                                f"rule on")
            if not isinstance(ruling.value, bool):
                raise GameError(f"{at}: a chance event is ruled yes/no, not {ruling.value!r}")


def _briefing(briefing: dict[str, Any], where: str) -> None:
    """Sections are lists of sentences (plain, or items with their `text`); the rest plain."""
    for key, value in briefing.items():
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, str) and not (isinstance(item, dict)
                                                      and isinstance(item.get("text"), str)):
                    raise GameError(f"{where}.{key}: an item that is not a sentence")
        elif isinstance(value, dict):
            raise GameError(f"{where}.{key}: not a list of sentences")


def _lookaheads(game: Game) -> None:
    for i, saved in enumerate(game.lookaheads):
        at = f"lookaheads[{i}]"
        if set(saved) != {"turn", "team", "rows"} or not isinstance(saved["rows"], list) \
                or not isinstance(saved["turn"], int) or isinstance(saved["turn"], bool):
            raise GameError(f"{at}: a saved lookahead is its turn, its team and its rows")
        _known_team(game, saved["team"], f"{at}.team")
        if saved["turn"] < 1:  # may be past the head: a lookahead outlives an undo
            raise GameError(f"{at}: turn {saved['turn']} is not a turn of this game")
        for row in saved["rows"]:
            if not isinstance(row, dict) or any(isinstance(v, dict | list)
                                                for v in row.values()):
                raise GameError(f"{at}.rows: a row that is not a flat record")


def _arguments(game: Game, arguments: Iterable[Any], where: str) -> None:
    from axis_sim.seminar.engine import WATCHED_EVENTS

    ids: set[int] = set()
    for i, argument in enumerate(arguments):
        at = f"{where}[{i}]"
        _known_team(game, argument.team, f"{at}.team")
        for counter in argument.counters:
            _known_team(game, counter.get("team"), f"{at}.counters")
        if argument.event is not None and argument.event not in WATCHED_EVENTS:
            raise GameError(f"{at}: {argument.event[:40]!r} is not an event the seminar "
                            f"watches")
        if argument.id in ids:
            raise GameError(f"{at}: argument id {argument.id} is used twice")
        ids.add(argument.id)
        if not argument.action.strip() or not argument.arguments:
            raise GameError(f"{at}: an argument is an action with at least one reason")
        for text in (argument.action, *argument.arguments,
                     *(str(c.get("text", "")) for c in argument.counters)):
            _text(text, at)
        if argument.roll is not None and (argument.odds is None or argument.success != (
                argument.roll < argument.odds)):
            raise GameError(f"{at}: the roll {argument.roll!r} against odds {argument.odds!r} "
                            f"does not give success = {argument.success!r}")
        if argument.roll is None and argument.success is not None:
            raise GameError(f"{at}: a success without a roll")


def _text(text: str, where: str) -> None:
    """Free text a seat typed: bounded, so one field cannot bloat every stored version."""
    if len(text) > MAX_TEXT:
        raise GameError(f"{where}: a text of {len(text):,} characters (at most {MAX_TEXT:,})")


def _turns(game: Game, turns: list[Turn], horizon: int, reference: _Shape) -> None:
    month = 0
    for i, turn in enumerate(turns):
        at = f"turns[{i}]"
        if turn.number != i + 1:
            raise GameError(f"{at}: turn number {turn.number}, expected {i + 1} (turns are "
                            f"numbered 1, 2, … in order)")
        if turn.first_month != month:
            raise GameError(f"{at}: turn {turn.number} starts in month {turn.first_month}, "
                            f"but the turn before ends at month {month}")
        if not 1 <= turn.months <= game.turn_months:
            raise GameError(f"{at}: turn {turn.number} lasts {turn.months} months (turns are "
                            f"1 to {game.turn_months})")
        month = turn.first_month + turn.months
        if month > horizon:
            raise GameError(f"{at}: turn {turn.number} ends at month {month}, past the "
                            f"scenario's {horizon}-month horizon")
        _turn_records(game, turn, at, reference)


def _turn_records(game: Game, turn: Turn, at: str, reference: _Shape) -> None:
    """A turn's orders, rulings, odds, outcomes, briefings and state (played or undone)."""
    _orders(game, turn.orders, f"{at}.orders", up_to=turn.number)
    _rulings(turn.rulings, f"{at}.rulings")
    _arguments(game, turn.arguments, f"{at}.arguments")
    from axis_sim.seminar.engine import WATCHED_EVENTS

    for name, table in (("odds", turn.odds), ("odds_doctrine", turn.odds_doctrine),
                        ("drivers", turn.drivers), ("happened", turn.happened)):
        unknown = set(table) - set(WATCHED_EVENTS)
        if unknown:
            raise GameError(f"{at}.{name}: {sorted(unknown)[0][:40]!r} is not an event the "
                            f"seminar watches")
    for name, table in (("odds", turn.odds), ("odds_doctrine", turn.odds_doctrine)):
        for key, p in table.items():
            if not 0.0 <= p <= 1.0:
                raise GameError(f"{at}.{name}: the chance of {key} is {p!r}, not 0 to 1")
    for name, values in (("outcomes", turn.outcomes), ("model_outcomes", turn.model_outcomes)):
        for key, value in (values or {}).items():
            if not math.isfinite(value):
                raise GameError(f"{at}.{name}: {key} is {value!r}")
    for who, briefing in turn.briefings.items():
        if who not in game.teams and who not in SHARED_BRIEFINGS:
            raise GameError(f"{at}.briefings: {who[:MAX_TEAM_NAME]!r} is neither a team nor "
                            f"{' nor '.join(SHARED_BRIEFINGS)}")
        _briefing(briefing, f"{at}.briefings.{who}")
    end = turn.first_month + turn.months
    for rows, name in ((turn.events, "events"), (turn.model_events or [], "model_events")):
        for row in rows:
            if any(isinstance(v, dict | list) for v in row.values()):
                raise GameError(f"{at}.{name}: an event row holds nested data")
            month = row.get("month")
            if not isinstance(row.get("event"), str) or not isinstance(row.get("actor"), str) \
                    or not isinstance(month, int) or not turn.first_month <= month < end:
                raise GameError(f"{at}.{name}: an event row without an event, an actor and a "
                                f"month of the turn")
    _state(turn.state, reference, f"{at}.state", month=turn.first_month + turn.months)


# --- the model's state ----------------------------------------------------------------------------

_KINDS = {"b": "yes/no", "i": "integer", "u": "unsigned integer", "f": "floating-point"}
# A state's shape: per array its dtype's kind and the shape of one world; the random streams' names.
_Shape = tuple[dict[str, tuple[str, tuple[int, ...]]], frozenset[str]]


def _canonical(scenario: dict[str, Any]) -> str:
    return json.dumps(scenario, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=8)
def _reference_state(scenario_json: str) -> _Shape:
    """What a one-world state of this scenario's model looks like (built once per scenario)."""
    import numpy as np

    from axis_sim.experiment.sampling import default_parameters
    from axis_sim.model.state import snapshot
    from axis_sim.model.world import AxisModel

    scenario = Scenario.model_validate(json.loads(scenario_json))
    model = AxisModel(scenario, default_parameters(scenario, 1), seed=0, watched=np.array([0]))
    state = snapshot(model)
    arrays = {key: (np.dtype(saved["dtype"]).kind, np.asarray(saved["data"]).shape[1:])
              for key, saved in state["arrays"].items()}
    return arrays, frozenset(state["streams"])


def _state(state: dict[str, Any], reference: _Shape, where: str, *, month: int) -> None:
    """The state has exactly the model's arrays (dtype, one world, shape) with finite values,
    the model's random streams, and the month the turns say."""
    import numpy as np

    arrays, streams = reference
    if set(state) != {"month", "worlds", "arrays", "streams"}:
        raise GameError(f"{where}: not a model state (keys {', '.join(sorted(state))})")
    if state["month"] != month or isinstance(state["month"], bool):
        raise GameError(f"{where}: month {state['month']!r}, but the turns say {month}")
    if state["worlds"] != 1 or isinstance(state["worlds"], bool):
        raise GameError(f"{where}: a game's state has one world, not {state['worlds']!r}")
    saved = state["arrays"]
    if not isinstance(saved, dict) or set(saved) != set(arrays):
        missing = sorted(set(arrays) - set(saved)) if isinstance(saved, dict) else []
        extra = sorted(set(saved) - set(arrays)) if isinstance(saved, dict) else []
        raise GameError(f"{where}: the arrays are not the model's (missing "
                        f"{', '.join(missing[:3]) or 'none'}; unknown "
                        f"{', '.join(extra[:3]) or 'none'})")
    for key, (kind, shape) in arrays.items():
        item = saved[key]
        try:
            dtype = np.dtype(item["dtype"]) if isinstance(item, dict) and set(item) == {
                "dtype", "data"} else None
        except (TypeError, ValueError):
            dtype = None
        # The kind, not the exact type: a rule may widen an int32 to int64 as it goes.
        if dtype is None or dtype.kind != kind or dtype.itemsize > 8:
            raise GameError(f"{where}: {key} is not stored as {_KINDS.get(kind, kind)} data")
        try:
            value = np.asarray(item["data"], dtype=dtype)
        except (TypeError, ValueError, OverflowError, RecursionError):
            raise GameError(f"{where}: {key} holds values that are not {dtype}") from None
        if value.shape != (1, *shape):
            raise GameError(f"{where}: {key} has shape {value.shape}, the model's is "
                            f"{(1, *shape)}")
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise GameError(f"{where}: {key} holds a value that is not finite")
    if not isinstance(state["streams"], dict) or set(state["streams"]) != streams:
        raise GameError(f"{where}: the random streams are not the model's")
    for name, stream in state["streams"].items():
        if not isinstance(stream, dict) or not isinstance(stream.get("state"), dict) \
                or stream.get("bit_generator") != "PCG64":
            raise GameError(f"{where}: random stream {name} is not a saved generator")


def _depth(game: Game) -> None:
    """No part is nested deeper than a game needs (deep nesting breaks the JSON tools later).
    Walks the records and their plain data as they are, without dumping a copy."""
    from pydantic import BaseModel

    stack: list[tuple[object, int]] = [(game, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise GameError(f"the game is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, BaseModel):
            stack.extend((v, depth + 1) for v in vars(value).values())
        elif isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple):
            if value and all(isinstance(v, int | float | str) for v in value):
                continue  # a list of plain values (a state array, a row of text) ends here
            stack.extend((v, depth + 1) for v in value)
