"""The seminar's engine: standing orders, odds, adjudication, rulings, undo and lookahead.

The game is one world run with the scenario's default parameters. Actors on a human team do
what the team's standing orders say (directives, `model/directives.py`); the rest follow the
model's doctrine. An order holds from the turn it is given until changed or withdrawn; a
per-turn order ("one ICBM this turn") applies in the turn's first month, is held off for the
turn's other months, and lapses after adjudication. Odds, adjudication and lookahead all play
orders through the same schedule (`_schedule`), so what the room is shown is what is rolled.
Every function takes a `Game` and returns a new one (or a table); none writes files.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from axis_sim.experiment.compare import mean_interval
from axis_sim.experiment.sampling import default_parameters, sample_parameters
from axis_sim.model import directives as model_directives
from axis_sim.model.directives import DIRECTIVES, check
from axis_sim.model.metrics import record
from axis_sim.model.state import restore, snapshot
from axis_sim.model.world import AxisModel
from axis_sim.scenario.loader import load_scenario, scenario_hash
from axis_sim.scenario.schema import OPTIONS, Scenario
from axis_sim.seminar.briefing import briefings_for, decision_label, value_text
from axis_sim.seminar.game import (
    BLUE_OPTIONS,
    OPTION_PREFIX,
    Game,
    GameError,
    Order,
    Ruling,
    Turn,
    Value,
)
from axis_sim.seminar.objectives import Aim, team_aims
from axis_sim.seminar.objectives import score as objective_score

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
PHASES: tuple[str, ...] = ("orders", "adjudication", "debrief")
# A phase timer's bounds, for the engine's check, the CLI option and the web form alike: under
# half a minute no room can act on it; longer than a day is a typing slip.
MIN_TIMER_MINUTES = 0.5
MAX_TIMER_MINUTES = 24 * 60
TIMER_RULE = f"a timer takes from {MIN_TIMER_MINUTES:g} to {MAX_TIMER_MINUTES} minutes (a day)"


def scenario_of(game: Game) -> Scenario:
    """The scenario the game was started on (stored in the game, so later edits don't matter)."""
    return Scenario.model_validate(game.scenario)


def new_game(scenario_file: Path | str, *, teams: dict[str, list[str]], seed: int | None = None,
             turn_months: int = 3, matrix: bool = False) -> Game:
    """A game at the scenario's start month, no turn played yet."""
    scenario = load_scenario(scenario_file)
    seed = scenario.experiment.seed if seed is None else seed
    return Game(scenario_file=str(scenario_file), scenario_hash=scenario_hash(scenario),
                scenario=scenario.model_dump(mode="json"), seed=seed, turn_months=turn_months,
                teams=teams, matrix=matrix, initial_state=_start_state(scenario, seed))


def restart(game: Game, seed: int) -> Game:
    """The same game (scenario, teams, turn length) from the start with another seed: other
    luck, nothing played or ordered. Cheaper than `new_game` (the stored scenario is reused)."""
    return Game(scenario_file=game.scenario_file, scenario_hash=game.scenario_hash,
                scenario=game.scenario, seed=seed, turn_months=game.turn_months,
                teams=game.teams, matrix=game.matrix,
                initial_state=_start_state(scenario_of(game), seed))


def _start_state(scenario: Scenario, seed: int) -> dict[str, Any]:
    """The game world at the scenario's start (one world, default parameters)."""
    model = AxisModel(scenario, default_parameters(scenario, 1), seed=seed,
                      watched=np.array([0]))
    return snapshot(model)


# --- the menu ----------------------------------------------------------------------------------

def _check_team(game: Game, team: str) -> list[str]:
    if team not in game.teams:
        raise GameError(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    return game.teams[team]


def _per(decision: str) -> str:
    """"turn" for a one-shot decision (once a turn), else "month" (options are standing)."""
    return DIRECTIVES[decision].per if decision in DIRECTIVES else "month"


def _all_decisions(game: Game, team: str) -> dict[str, str]:
    """Every decision the team's actors have, available or not, with what it means and takes."""
    actors = _check_team(game, team)
    choices: dict[str, str] = {}
    if "US" in actors:
        scenario = scenario_of(game)
        for option, key in zip(OPTIONS, BLUE_OPTIONS, strict=True):
            choices[key] = f"{scenario.options[option].label}: intensity 0 (off) to 2"  # type: ignore[index]
    for key, d in DIRECTIVES.items():
        if d.actor in actors:
            takes = {"bool": "yes or no", "share": "a share 0–1",
                     "choice": " | ".join(d.choices)}[d.kind]
            # A per-turn directive's meaning already says "this turn".
            choices[key] = f"{d.label} — {d.meaning}: {takes}"
    return choices


def unavailable(game: Game, team: str) -> dict[str, str]:
    """The team's decisions that cannot be taken now, each with why (spent or impossible: the
    nuclear test already conducted, the treaty already reached, …), as the model says from the
    game's current state."""
    decisions = _all_decisions(game, team)
    model = _current(game)
    reasons = {key: model_directives.unavailable(model, key) for key in decisions
               if key in DIRECTIVES}
    return {key: reason for key, reason in reasons.items() if reason}


def _current(game: Game) -> AxisModel:
    """The game's world as it stands (one world, for reading its state)."""
    scenario = scenario_of(game)
    model = AxisModel(scenario, default_parameters(scenario, 1), seed=game.seed,
                      watched=np.array([0]))
    restore(model, game.state)
    return model


# Spent for good in the seminar although the model's rules let an exception lift it: the model
# has one "seventh test" (one record of its month), so a second test would overwrite the first.
SPENT_ONCE_DONE: frozenset[str] = frozenset({"DPRK.nuclear_test"})


def spent_for_good(model: AxisModel, key: str) -> str | None:
    """Why directive `key` can no longer be taken at all in `model`'s world (the treaty already
    reached, the nuclear test already conducted), in plain words; None if it can, or if only a
    gate an umpire's exception lifts stops it."""
    if key not in DIRECTIVES:
        return None
    reason = model_directives.unavailable(model, key)
    if reason is None or (model_directives.can_except(model, key) and key not in SPENT_ONCE_DONE):
        return None
    return reason


def spent(game: Game, team: str) -> set[str]:
    """The team's unavailable decisions that no exception can lift (`spent_for_good`): the
    umpire console offers no exception for them."""
    model = _current(game)
    return {key for key in unavailable(game, team) if spent_for_good(model, key)}


def menu(game: Game, team: str) -> dict[str, str]:
    """The decisions `team` may take now: option ids for the side that plays the US, and the
    directives of every actor the team plays, each with what it means and takes. Spent or
    impossible decisions are left out (`unavailable` says why)."""
    decisions = _all_decisions(game, team)
    gone = unavailable(game, team)
    return {key: text for key, text in decisions.items() if key not in gone}


def _checked_value(decision: str, value: object) -> Value:
    """The value in the form the model uses; GameError naming what is allowed."""
    if decision.startswith(OPTION_PREFIX):
        try:
            intensity = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            intensity = -1.0
        if not 0.0 <= intensity <= 2.0:
            raise GameError(f"{decision} takes an intensity from 0 to 2, got {value!r}")
        return intensity
    try:
        return check(decision, value)  # type: ignore[return-value]
    except ValueError as err:
        raise GameError(str(err)) from None


# --- orders ------------------------------------------------------------------------------------

def submit(game: Game, team: str, decision: str, value: object, rationale: str = "") -> Game:
    """Give (or change) a team's standing order; it holds from the coming turn until changed or
    withdrawn (a per-turn order applies once, in the coming turn)."""
    decisions = _all_decisions(game, team)
    gone = unavailable(game, team)
    if decision not in decisions:
        # Only what can be taken now is "its menu"; the spent or gated ones are named apart.
        off = (f"; off the menu now: {', '.join(gone)} (the team's menu says why)"
               if gone else "")
        raise GameError(f"team {team} cannot decide {decision!r}; its menu: "
                        + ", ".join(k for k in decisions if k not in gone) + off)
    if decision in gone:
        lift = ("" if spent_for_good(_current(game), decision)
                else " (the umpire may approve an exception)")
        raise GameError(f"{decision} is not on the menu now: {gone[decision]}{lift}")
    checked = _checked_value(decision, value)
    before = next((o for o in game.orders if o.team == team and o.decision == decision), None)
    since = before.since_turn if before is not None and before.value == checked \
        else game.next_turn  # the same order restated keeps its date
    orders = [o for o in game.orders if o is not before]
    orders.append(Order(team=team, decision=decision, value=checked, rationale=rationale,
                        since_turn=since, per=_per(decision)))  # type: ignore[arg-type]
    return game.model_copy(update={"orders": orders})


def withdraw(game: Game, team: str, decision: str) -> Game:
    """Withdraw a team's standing order: the actor goes back to the model's doctrine."""
    _check_team(game, team)
    orders = [o for o in game.orders if not (o.team == team and o.decision == decision)]
    if len(orders) == len(game.orders):
        raise GameError(f"team {team} has no order on {decision!r} to withdraw")
    return game.model_copy(update={"orders": orders})


def approve_exception(game: Game, team: str, decision: str, reason: str,
                      value: object | None = None) -> Game:
    """The umpire lets a team's order past the model rule that would stop it (`GATES`: e.g.
    a proposal before the war lacks shells), reason logged. The order is the team's standing
    one on `decision`, or, with `value`, a new one (a decision the menu refuses until
    excepted)."""
    if not reason.strip():
        raise GameError("an exception needs a reason (it goes into the after-action report)")
    if decision not in _all_decisions(game, team):
        raise GameError(f"team {team} cannot decide {decision!r}")
    standing = next((o for o in game.orders if o.team == team and o.decision == decision), None)
    if value is None:
        if standing is None:
            raise GameError(f"team {team} has no order on {decision!r} to approve; give the "
                            "value to order and approve it at once")
        order = standing.model_copy(update={"exception": reason})
    else:
        why = spent_for_good(_current(game), decision)
        if why:
            raise GameError(f"{decision} cannot be excepted: {why}")
        order = Order(team=team, decision=decision, value=_checked_value(decision, value),
                      since_turn=game.next_turn, per=_per(decision), exception=reason)  # type: ignore[arg-type]
    orders = [o for o in game.orders if o is not standing]
    return game.model_copy(update={"orders": [*orders, order]})


def mark_ready(game: Game, team: str, ready: bool = True) -> Game:
    """A team says its orders for the coming turn are done (or takes that back)."""
    _check_team(game, team)
    teams = [t for t in game.ready if t != team] + ([team] if ready else [])
    return game.model_copy(update={"ready": [t for t in game.teams if t in teams]})


def set_phase(game: Game, phase: str, minutes: float | None = None, *,
              now: datetime | None = None) -> Game:
    """Move the game to `phase`, with a timer of `minutes` (the deadline, ISO-8601 UTC)."""
    if phase not in PHASES:
        raise GameError(f"unknown phase {phase!r}; phases: {', '.join(PHASES)}")
    deadline = None
    if minutes is not None:
        if not MIN_TIMER_MINUTES <= minutes <= MAX_TIMER_MINUTES:  # also refuses NaN
            raise GameError(f"{TIMER_RULE}, got {minutes:g}")
        end = (now or datetime.now(UTC)) + timedelta(minutes=minutes)
        deadline = end.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return game.model_copy(update={"phase": phase, "deadline": deadline})


def moved(game: Game) -> dict[str, dict[str, Any]]:
    """For the facilitator: per team, whether it said it is ready, its orders in force and how
    many it gave or changed for the coming turn."""
    return {team: {"ready": team in game.ready,
                   "orders": sum(o.team == team for o in game.orders),
                   "new": sum(o.team == team and o.since_turn == game.next_turn
                              for o in game.orders)}
            for team in game.teams}


# --- playing months ----------------------------------------------------------------------------

def _schedule(orders: Iterable[Order], rulings: Iterable[Ruling], step: int,
              months: int) -> tuple[dict[str, object], dict[str, bool]]:
    """The directives and chance-event rulings in force `step` months into the coming turn
    of `months` months (steps past it: later turns, for a lookahead). A per-turn order acts in
    the turn's first month and is held off for its other months (`for_month`); it lapses after
    the turn, as adjudication drops it."""
    in_turn = step < months
    decided = [(o.decision, o.value, o.per) for o in orders
               if in_turn or o.per != "turn"]
    if in_turn:  # the umpire's rulings replace the orders for the turn ruled on
        decided += [(r.key, r.value, _per(r.key)) for r in rulings if r.kind == "decision"]
    chosen = {key: value for key, value, _ in decided if not key.startswith(OPTION_PREFIX)}
    per = {key: kind for key, _, kind in decided if not key.startswith(OPTION_PREFIX)}
    directives = model_directives.for_month(chosen, step if in_turn else 0, per)  # type: ignore[arg-type]
    events = {r.key: bool(r.value) for r in rulings if r.kind == "event"} if in_turn else {}
    return directives, events


def _intensities(orders: Iterable[Order], rulings: Iterable[Ruling]) -> dict[str, float]:
    """Option intensities in force (standing), a ruling on an option replacing the order."""
    values = {o.decision: o.value for o in orders}
    values |= {r.key: r.value for r in rulings if r.kind == "decision"}
    return {k.removeprefix(OPTION_PREFIX): float(v) for k, v in values.items()
            if k.startswith(OPTION_PREFIX) and float(v) > 0}


def _model(game: Game, scenario: Scenario, orders: list[Order], rulings: list[Ruling], *,
           worlds: int = 1, seed: int | None = None, uncertain: bool = False) -> AxisModel:
    """A model at the game's current state with `orders` in force.

    One world continues the game itself (its random streams restored); more worlds fork it,
    each with its own luck from `seed`, and with `uncertain` each with its own parameter draw.
    """
    params = (sample_parameters(scenario, worlds, "random", np.random.default_rng(seed))
              if uncertain else default_parameters(scenario, worlds))
    model = AxisModel(scenario, params, seed=game.seed if seed is None else seed,
                      watched=np.array([0]))
    restore(model, game.state, world=None if worlds == 1 and seed is None else 0)
    put_in_force(model, orders, rulings)
    return model


def put_in_force(model: AxisModel, orders: list[Order], rulings: list[Ruling]) -> None:
    """Put the orders' options in force from the model's month (status quo's policies stay in
    force) and the umpire's exceptions; the directives go in month by month (`play_orders`).
    A decision the umpire ruled passes the model's rules as an excepted order does: the ruling
    is the umpire's word on what was done."""
    model.set_portfolio(_intensities(orders, rulings), start=model.month)  # type: ignore[arg-type]
    model.exceptions = ({o.decision for o in orders if o.exception}
                        | {r.key for r in rulings if r.kind == "decision"})


def play_orders(model: AxisModel, orders: list[Order], rulings: list[Ruling], months: int,
                steps: int | None = None,
                each_month: Callable[[AxisModel], None] | None = None) -> None:
    """Step `model` through a turn of `months` months with `orders` and `rulings` in force
    month by month (`_schedule`), or `steps` months to go past the turn (a lookahead: standing
    orders held, per-turn orders lapsed, rulings gone); `each_month` sees the model after each
    month. Start from `put_in_force`. Odds, the roll, lookaheads and the report's envelope all
    play orders through here, so they agree."""
    done: set[str] = set()  # chance events ruled "yes" that have happened this turn
    for step in range(months if steps is None else steps):
        if not model.running:
            break
        model.directives, events = _schedule(orders, rulings, step, months)
        # "It happened" means once this turn: after that the model's own chances decide
        # (a lethal incident ruled in is one incident, not one a month).
        model.rulings = {k: v for k, v in events.items() if k not in done}
        month = model.month
        model.step()
        done |= _happened_now(model, month, [k for k, v in model.rulings.items() if v])
        if each_month is not None:
            each_month(model)
    model.directives, model.rulings = {}, {}


def _happened_now(model: AxisModel, month: int, keys: list[str]) -> set[str]:
    """Which of the chance events `keys` the game's world logged in `month` (events the log
    cannot show stay ruled all turn)."""
    if not keys:
        return set()
    rows = [row for row in _rows(model) if row["month"] == month]
    return {k for k in keys if model_directives.chance_happened(rows, k)}


def _turn_length(game: Game, scenario: Scenario) -> int:
    """The coming turn's months (fewer near the horizon; 0 at it)."""
    return max(min(game.turn_months, scenario.meta.horizon_months - game.month), 0)


def _months_left(game: Game, scenario: Scenario) -> int:
    """The coming turn's months; GameError when the horizon is reached."""
    months = _turn_length(game, scenario)
    if months <= 0:
        raise GameError("the game has reached the scenario's horizon")
    return months


def _derived_seed(game: Game, purpose: str) -> int:
    """A seed for `purpose` at this point of the game: reproducible, distinct per turn."""
    return zlib.crc32(f"{game.seed}:{len(game.turns)}:{purpose}".encode())


def _turn_chances(game: Game, scenario: Scenario, orders: list[Order], worlds: int,
                  seed: int) -> dict[str, float]:
    """The chance of each watched event during the coming turn with `orders`, on the worlds
    `seed` makes (the same seed: the same worlds, so two order sets compare paired)."""
    months = _months_left(game, scenario)
    model = _model(game, scenario, orders, [], worlds=worlds, seed=seed)
    names = tuple(WATCHED_EVENTS)
    before = record(model, names)
    play_orders(model, orders, [], months)
    after = record(model, names)
    return {name: float((after[i] > before[i]).mean()) for i, name in enumerate(names)}


def odds(game: Game, worlds: int = 500) -> dict[str, float]:
    """Before the roll: the chance of each watched event during the coming turn, given the
    orders in force (a quick Monte Carlo of the game's world forked `worlds` times)."""
    scenario = scenario_of(game)
    return _turn_chances(game, scenario, game.orders, worlds, _derived_seed(game, "odds"))


def _order_text(scenario: Scenario, order: Order) -> str:
    return (f"{order.team}'s order “{decision_label(scenario, order.decision)}” = "
            f"{value_text(order.value)}")


def odds_report(game: Game, worlds: int = 500, *, top: int = 3) -> dict[str, Any]:
    """Before the roll, for the umpire: `odds` with the orders in force, `odds_doctrine` on the
    same worlds with nobody's orders (doing nothing), and `drivers`: per watched event, the
    orders that move its chance most (each removed in turn, same worlds), as sentences."""
    scenario = scenario_of(game)
    seed = _derived_seed(game, "odds")
    chances = _turn_chances(game, scenario, game.orders, worlds, seed)
    doctrine = (_turn_chances(game, scenario, [], worlds, seed) if game.orders
                else dict(chances))
    without = {i: _turn_chances(game, scenario, [o for o in game.orders if o is not order],
                                worlds, seed)
               for i, order in enumerate(game.orders)}
    drivers: dict[str, list[str]] = {}
    for event, meaning in WATCHED_EVENTS.items():
        moves = sorted(((chances[event] - without[i][event], i) for i in without),
                       key=lambda m: -abs(m[0]))
        lines = []
        for delta, i in moves[:top]:
            if abs(delta) < 0.01:
                break
            verb = "raises" if delta > 0 else "lowers"
            lines.append(f"{_order_text(scenario, game.orders[i])} {verb} the chance of "
                         f"{meaning} from {without[i][event]:.0%} to {chances[event]:.0%}.")
        if not lines:
            lines.append(f"No single order moves the chance of {meaning} by a point or more "
                         f"({chances[event]:.0%}; {doctrine[event]:.0%} under doctrine).")
        drivers[event] = lines
    return {"odds": chances, "odds_doctrine": doctrine, "drivers": drivers}


# --- adjudication ------------------------------------------------------------------------------

def _rows(model: AxisModel) -> list[dict[str, Any]]:
    """The model's event log as plain rows (JSON-ready)."""
    events = model.log.to_frame()
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in events.astype({"actor": str, "event": str}).to_dict("records")]


def _game_turn(game: Game, scenario: Scenario, orders: list[Order], rulings: list[Ruling],
               months: int) -> tuple[AxisModel, dict[str, bool]]:
    """Play the coming turn in the game's own world; which watched events happened."""
    model = _model(game, scenario, orders, rulings)
    names = tuple(WATCHED_EVENTS)
    before = record(model, names)[:, 0]
    play_orders(model, orders, rulings, months)
    after = record(model, names)[:, 0]
    return model, {name: bool(after[i] > before[i]) for i, name in enumerate(names)}


def adjudicate(game: Game, rulings: list[Ruling] | None = None, *, worlds: int = 500,
               report: dict[str, Any] | None = None) -> Game:
    """Play the coming turn in the game's world with the orders in force and the umpire's
    rulings; record the odds shown before the roll (`odds_report` on `worlds` worlds, or the
    `report` already shown), the roll, and the briefings. Per-turn orders lapse; standing
    orders stay in force for the next turn."""
    scenario = scenario_of(game)
    months = _months_left(game, scenario)
    rulings = list(rulings or [])
    report = report or odds_report(game, worlds)
    model, happened = _game_turn(game, scenario, game.orders, rulings, months)
    rows = _rows(model)
    outcomes = dict(zip(scenario.outcomes, record(model, tuple(scenario.outcomes))[:, 0].tolist(),
                        strict=True))
    model_rows, model_outcomes = None, None
    if rulings:  # keep the model's own result beside the ruling
        own, _ = _game_turn(game, scenario, game.orders, [], months)
        model_rows = _rows(own)
        model_outcomes = dict(zip(scenario.outcomes,
                                  record(own, tuple(scenario.outcomes))[:, 0].tolist(),
                                  strict=True))
        rulings = [r.model_copy(update={"model_value": _model_value(r, game.orders, model_rows)})
                   for r in rulings]
    first = game.month
    turn = Turn(number=game.next_turn, first_month=first, months=months,
                orders=list(game.orders), rulings=rulings, odds=report["odds"],
                odds_doctrine=report["odds_doctrine"], drivers=report["drivers"],
                happened=happened, events=rows, outcomes=outcomes, model_events=model_rows,
                model_outcomes=model_outcomes,
                briefings=briefings_for(game, scenario, rows, outcomes, first, rulings=rulings),
                arguments=list(game.arguments), state=snapshot(model))
    return game.model_copy(update={
        "turns": [*game.turns, turn], "orders": _still_in_force(game.orders, model),
        "ready": [], "arguments": [], "phase": "orders", "deadline": None})


def _still_in_force(orders: list[Order], model: AxisModel) -> list[Order]:
    """The orders that carry into the next turn: per-turn orders lapse, and so do orders the
    turn spent for good (accepting ties once the treaty is reached: the menu says why)."""
    return [o for o in orders if o.per != "turn" and not spent_for_good(model, o.decision)]


def _model_value(ruling: Ruling, orders: list[Order], model_rows: list[dict[str, Any]]
                 ) -> Value | None:
    """What the model's own run had for the ruled key: for a chance event, whether it happened;
    for a decision, the team's order on it (None: the doctrine decided)."""
    if ruling.kind == "event":
        return model_directives.chance_happened(model_rows, ruling.key)
    return next((o.value for o in orders if o.decision == ruling.key), None)


def chance_events() -> dict[str, str]:
    """The chance events the umpire may rule on (key → meaning), from the model."""
    return dict(model_directives.CHANCE_EVENTS)


def rule(game: Game, kind: str, key: str, value: object, reason: str) -> Game:
    """The umpire's ruling on a decision or a chance event of the last turn, reason logged:
    the turn is replayed with it; the model's own result is kept beside the ruling."""
    if not game.turns:
        raise GameError("no turn to rule on yet")
    if not reason.strip():
        raise GameError("a ruling needs a reason (it goes into the after-action report)")
    if kind == "event":
        try:
            checked: Value = model_directives.check_event(key, value)
        except ValueError as err:
            raise GameError(str(err)) from None
    elif kind == "decision":
        if not key.startswith(OPTION_PREFIX) and key not in DIRECTIVES:
            raise GameError(f"unknown decision {key!r}; allowed: {', '.join(DIRECTIVES)}")
        if key.startswith(OPTION_PREFIX) and key not in BLUE_OPTIONS:
            raise GameError(f"unknown option {key!r}; options: {', '.join(BLUE_OPTIONS)}")
        checked = _checked_value(key, value)
    else:
        raise GameError(f"a ruling is on a 'decision' or an 'event', got {kind!r}")
    last = game.turns[-1]
    rolled_back = game.model_copy(update={"turns": game.turns[:-1], "orders": last.orders,
                                          "arguments": last.arguments})
    if kind == "decision":  # as things stood when the ruled turn began
        spent = spent_for_good(_current(rolled_back), key)
        if spent:
            raise GameError(f"no ruling on {key}: it was spent before turn {last.number} "
                            f"began ({spent})")
    rulings = [r for r in last.rulings if not (r.kind == kind and r.key == key)]
    rulings.append(Ruling(kind=kind, key=key, value=checked, reason=reason))  # type: ignore[arg-type]
    shown = {"odds": last.odds, "odds_doctrine": last.odds_doctrine, "drivers": last.drivers}
    replayed = adjudicate(rolled_back, rulings, report=shown)  # the odds shown stay as shown
    # Orders given since for the coming turn, readiness and the timer are not the ruling's.
    return replayed.model_copy(update={"orders": game.orders, "ready": game.ready,
                                       "arguments": game.arguments, "phase": game.phase,
                                       "deadline": game.deadline})


def undo(game: Game) -> Game:
    """Take back the last turn: it is kept in `game.undone` (for the after-action report) and
    the orders and arguments it had are in force again."""
    if not game.turns:
        raise GameError("nothing to undo: no turn has been played")
    last = game.turns[-1]
    return game.model_copy(update={"turns": game.turns[:-1], "orders": last.orders,
                                   "arguments": last.arguments, "ready": [],
                                   "undone": [*game.undone, last]})


# --- lookahead ---------------------------------------------------------------------------------

def _with(orders: list[Order], order: Order) -> list[Order]:
    return [o for o in orders if o.decision != order.decision] + [order]


def candidate_orders(game: Game, team: str) -> dict[str, list[Order]]:
    """Default candidates for a lookahead: the team's standing orders as they are, doctrine
    (none of them), and each value of each decision on its menu put on top of its orders
    (options at full intensity)."""
    mine = [o for o in game.orders if o.team == team]
    candidates: dict[str, list[Order]] = {}
    if mine:
        candidates["your orders"] = mine
    candidates["doctrine"] = []

    def order(decision: str, value: Value) -> Order:
        return Order(team=team, decision=decision, value=value, since_turn=game.next_turn,
                     per=_per(decision))  # type: ignore[arg-type]

    for decision in menu(game, team):
        if decision.startswith(OPTION_PREFIX):
            candidates[decision.removeprefix(OPTION_PREFIX)] = _with(mine, order(decision, 1.0))
            continue
        d = DIRECTIVES[decision]
        values: tuple[Value, ...] = {"bool": (True, False), "share": (0.0, 1.0),
                                     "choice": d.choices}[d.kind]
        for value in values:
            candidates[f"{decision}={value_text(value)}"] = _with(mine, order(decision, value))
    return candidates


def lookahead(game: Game, team: str, candidates: dict[str, list[Order]] | None = None, *,
              worlds: int = 2000, uncertain: bool = True) -> pd.DataFrame:
    """Each candidate set of the team's orders held to the horizon (a per-turn order once, in
    the coming turn), from the game's current state, on the same forked worlds (paired); the
    other teams' actors follow doctrine (a team never learns another's orders from it).

    Rows per candidate and aimed outcome (the team's own side's objectives,
    `seminar/objectives.py`): the mean at the horizon, the difference from the first candidate
    with its 90% interval, the direction the team wants (`better`) and its weight; `score` is
    the candidate's gain over the first on the team's objectives (positive: better for the
    team), with its interval."""
    _check_team(game, team)
    scenario = scenario_of(game)
    candidates = candidates or candidate_orders(game, team)
    aims = team_aims(scenario, game.teams[team])
    if not aims:
        raise GameError(f"team {team} has no objectives to score a lookahead by")
    names = tuple(a.outcome for a in aims)
    months = _turn_length(game, scenario)
    seed = _derived_seed(game, f"lookahead:{team}")
    finals: dict[str, np.ndarray] = {}
    for name, orders in candidates.items():
        model = _model(game, scenario, orders, [], worlds=worlds, seed=seed, uncertain=uncertain)
        play_orders(model, orders, [], months, steps=model.horizon - model.month)
        finals[name] = record(model, names)
    return _lookahead_table(scenario, aims, finals)


def _lookahead_table(scenario: Scenario, aims: list[Aim], finals: dict[str, np.ndarray]
                     ) -> pd.DataFrame:
    reference = next(iter(finals))
    ref = {a.outcome: finals[reference][i] for i, a in enumerate(aims)}
    rows = []
    for name, values in finals.items():
        mine = {a.outcome: values[i] for i, a in enumerate(aims)}
        gain = objective_score(scenario, aims, mine, ref)
        s_low, s_high = mean_interval(gain)
        for i, aim in enumerate(aims):
            diff = values[i] - finals[reference][i]
            low, high = mean_interval(diff)
            rows.append({"candidate": name, "outcome": aim.outcome, "mean": values[i].mean(),
                         "diff_mean": diff.mean(), "diff_ci_low": low, "diff_ci_high": high,
                         "better": aim.direction, "weight": aim.weight,
                         "score": gain.mean(), "score_ci_low": s_low, "score_ci_high": s_high})
    return pd.DataFrame.from_records(rows)


def save_lookahead(game: Game, team: str, table: pd.DataFrame) -> Game:
    """Keep a lookahead in the game as a what-if for the after-action report."""
    _check_team(game, team)
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in table.to_dict("records")]
    entry = {"turn": game.next_turn, "team": team, "rows": rows}
    return game.model_copy(update={"lookaheads": [*game.lookaheads, entry]})

