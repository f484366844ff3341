"""What each seat may see: the fog of war, enforced on the server.

The web pages and their JSON never get a `Game`: they get one of these plain dicts. A team's
view is built from the team's own records only (its orders, its lookaheads, its briefings, its
arguments in full); it never copies another team's orders, briefings or lookaheads, the raw
event log (which holds covert events), the umpire's odds, or the rulings. The umpire's view
holds everything; the projector's holds what is public (the public briefing, the timer, and
matrix rolls made on screen).

Matrix-game arguments are stated to the room so the other teams can counter them (that is the
game): an argument in `game.arguments` is tabled, and other teams see its action, reasons,
counters and the umpire's odds and roll, never the model's odds (computed with every team's
orders in force). An argument still being written lives only in its author's browser.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from axis_sim.model.directives import DIRECTIVES
from axis_sim.scenario.schema import month_label
from axis_sim.seminar import engine
from axis_sim.seminar.briefing import model_had, value_text
from axis_sim.seminar.game import OPTION_PREFIX, Argument, Game, GameError, Order, Turn

FACILITATOR = "facilitator"
PUBLIC = "public"

# How an order repeats, in the words a player reads next to it.
PER_WORDS = {
    "turn": "once this turn, then it lapses",
    "month": "every month until changed or withdrawn",
}


def stamp(view: dict[str, Any]) -> str:
    """A short fingerprint of a view: the page's script reloads when its seat's view changes,
    and only then (another team's move changes nobody else's stamp)."""
    text = json.dumps(view, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _start(game: Game) -> str:
    return str(game.scenario["meta"]["start"])


def _per(decision: str) -> str:
    """"turn" for a decision that happens once per turn (one ICBM), else "month"."""
    directive = DIRECTIVES.get(decision)
    return str(getattr(directive, "per", "month")) if directive is not None else "month"


def _value_text(decision: str, value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if decision.startswith(OPTION_PREFIX):
        return f"intensity {float(value):g}"  # type: ignore[arg-type]
    return str(value)


def _order_text(order: Order, meaning: str) -> str:
    """"launch an ICBM = yes": what the order decides, and the value chosen."""
    return f"{meaning or order.decision} = {_value_text(order.decision, order.value)}"


def _order_row(order: Order, meanings: dict[str, str]) -> dict[str, Any]:
    return {
        "team": order.team,
        "decision": order.decision,
        "value": order.value,
        "value_text": _value_text(order.decision, order.value),
        "meaning": meanings.get(order.decision, order.decision),
        "text": _order_text(order, meanings.get(order.decision, "")),
        "rationale": order.rationale,
        "since_turn": order.since_turn,
        "per": order.per,
        "per_text": PER_WORDS[order.per],
        "exception": order.exception,
    }


def _meanings(game: Game) -> dict[str, str]:
    """Every decision's short label ("Launch an ICBM", "Sanctions listings of Russian
    entities"), for order tables."""
    options = game.scenario.get("options", {})
    labels = {f"{OPTION_PREFIX}{key}": str(o.get("label", key)) for key, o in options.items()
              if isinstance(o, dict)}
    return labels | {key: d.label for key, d in DIRECTIVES.items()}


def _menu(game: Game, team: str) -> dict[str, str]:
    try:
        return engine.menu(game, team)
    except GameError:
        return {}


def _unavailable(game: Game, team: str) -> dict[str, str]:
    """Decisions the team cannot take now, with the reason (spent, impossible)."""
    return engine.unavailable(game, team)


def _input(decision: str) -> dict[str, Any]:
    """How the page asks for a decision's value."""
    if decision.startswith(OPTION_PREFIX):
        return {"kind": "intensity", "choices": [], "min": 0, "max": 2}
    d = DIRECTIVES[decision]
    choices = {"bool": ["yes", "no"], "choice": list(d.choices)}.get(d.kind, [])
    return {"kind": d.kind, "choices": choices, "min": 0, "max": 1}


def _menu_rows(game: Game, team: str) -> list[dict[str, Any]]:
    rows = []
    for decision, meaning in _menu(game, team).items():
        per = _per(decision)
        label = DIRECTIVES[decision].label if decision in DIRECTIVES else meaning.split(":")[0]
        rows.append({"decision": decision, "label": label, "meaning": meaning, "per": per,
                     "per_text": PER_WORDS[per], **_input(decision)})
    return rows


def _turn_head(game: Game, turn: Turn) -> dict[str, Any]:
    start = _start(game)
    last = turn.first_month + max(turn.months - 1, 0)
    return {"number": turn.number, "from": month_label(start, turn.first_month),
            "to": month_label(start, last), "months": turn.months}


def _common(game: Game) -> dict[str, Any]:
    """What every seat sees: where the game stands and the phase's timer."""
    return {
        "turn": game.next_turn,
        "month": month_label(_start(game), game.month),
        "turn_months": game.turn_months,
        "phase": game.phase,
        "deadline": game.deadline,
        "matrix": game.matrix,
        "title": str(game.scenario["meta"].get("title", game.scenario["meta"].get("name", ""))),
        "teams": list(game.teams),
    }


def _argument_row(argument: Argument, *, full: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": argument.id, "team": argument.team, "action": argument.action,
        "arguments": list(argument.arguments), "counters": [dict(c) for c in argument.counters],
        "odds": argument.odds, "roll": argument.roll, "success": argument.success,
    }
    if full:  # the model's odds were computed with every team's orders in force
        row |= {"event": argument.event, "model_odds": argument.model_odds}
    return row


def _lookahead(entry: dict[str, Any]) -> dict[str, Any]:
    """A saved lookahead, per candidate: its score on the team's own aims (gain over the
    first candidate, with its 90% interval), best first, and its outcomes."""
    candidates: dict[str, dict[str, Any]] = {}
    for row in entry.get("rows", []):
        name = str(row.get("candidate", ""))
        c = candidates.setdefault(name, {
            "candidate": name, "score": row.get("score"), "low": row.get("score_ci_low"),
            "high": row.get("score_ci_high"), "outcomes": []})
        c["outcomes"].append({k: row.get(k) for k in ("outcome", "better", "weight", "mean",
                                                      "diff_mean", "diff_ci_low",
                                                      "diff_ci_high")})
    ranked = sorted(candidates.values(),
                    key=lambda c: -c["score"] if isinstance(c["score"], float | int) else 0.0)
    return {"turn": entry.get("turn"), "team": entry.get("team"), "candidates": ranked,
            "reference": next(iter(candidates), "")}


def team_view(game: Game, team: str) -> dict[str, Any]:
    """What `team`'s seat may see: its briefings, menu (and what is off it, with why), its
    standing orders, its readiness, its lookaheads, and the tabled matrix arguments."""
    if team not in game.teams:
        raise GameError(f"unknown team {team!r}")
    meanings = _meanings(game)
    briefings = [{**_turn_head(game, t), "briefing": t.briefings.get(team) or {}}
                 for t in game.turns]
    return {
        **_common(game),
        "role": "team",
        "team": team,
        "actors": list(game.teams[team]),
        "ready": team in game.ready,
        "orders": [_order_row(o, meanings) for o in game.orders if o.team == team],
        "menu": _menu_rows(game, team),
        "unavailable": [{"decision": k, "meaning": DIRECTIVES[k].meaning if k in DIRECTIVES
                         else k, "reason": v} for k, v in _unavailable(game, team).items()],
        "briefing": briefings[-1] if briefings else None,
        "briefings": briefings[:-1][::-1],
        "lookaheads": [_lookahead(look) for look in game.lookaheads if look.get("team") == team],
        "arguments": [_argument_row(a, full=a.team == team) for a in game.arguments],
        "watched": dict(engine.WATCHED_EVENTS),
    }


def umpire_view(game: Game) -> dict[str, Any]:
    """Everything, for the facilitator/umpire console: who is ready, every order, the turns
    with their odds, drivers, rolls, rulings and the model's own result beside each ruling."""
    meanings = _meanings(game)
    turns = []
    for t in game.turns:
        turns.append({
            **_turn_head(game, t),
            "orders": [_order_row(o, meanings) for o in t.orders],
            # In words, as the room says them: yes/no, and what the model had without the ruling.
            "rulings": [{**r.model_dump(), "value": value_text(r.value),
                         "model_value": model_had(r)} for r in t.rulings],
            "odds": dict(t.odds), "odds_doctrine": dict(t.odds_doctrine),
            "drivers": {k: list(v) for k, v in t.drivers.items()},
            "happened": dict(t.happened),
            "events": [dict(e) for e in t.events],
            "model_events": None if t.model_events is None else [dict(e) for e in
                                                                  t.model_events],
            "outcomes": dict(t.outcomes),
            "model_outcomes": None if t.model_outcomes is None else dict(t.model_outcomes),
            "briefings": {k: dict(v) for k, v in t.briefings.items()},
            "arguments": [_argument_row(a, full=True) for a in t.arguments],
        })
    spent = {team: engine.spent(game, team) for team in game.teams}  # no exception lifts
    return {
        **_common(game),
        "role": FACILITATOR,
        "teams_detail": [{"team": team, "actors": list(actors), "ready": team in game.ready,
                          "new": sum(o.team == team and o.since_turn == game.next_turn
                                     for o in game.orders),
                          "orders": [_order_row(o, meanings) for o in game.orders
                                     if o.team == team],
                          "lookaheads": [_lookahead(look) for look in game.lookaheads
                                         if look.get("team") == team]}
                         for team, actors in game.teams.items()],
        "waiting": [team for team in game.teams if team not in game.ready],
        "orders": [_order_row(o, meanings) for o in game.orders],
        "arguments": [_argument_row(a, full=True) for a in game.arguments],
        "turns": turns[::-1],
        "undone": [_turn_head(game, t) for t in game.undone],
        "watched": dict(engine.WATCHED_EVENTS),
        "chance_events": engine.chance_events(),
        "timer": {"min": engine.MIN_TIMER_MINUTES, "max": engine.MAX_TIMER_MINUTES,
                  "rule": engine.TIMER_RULE},
        "decisions": {k: d.meaning for k, d in DIRECTIVES.items()},
        "exceptions": [{"team": team, "decision": k, "reason": why, "spent": k in gone}
                       for team, gone in spent.items()
                       for k, why in _unavailable(game, team).items()],
    }


def public_view(game: Game) -> dict[str, Any]:
    """The projector: the timer, the public briefing of each turn, and matrix rolls."""
    return {
        **_common(game),
        "role": "projector",
        "ready_count": len([t for t in game.teams if t in game.ready]),
        "turns": [{**_turn_head(game, t), "briefing": t.briefings.get(PUBLIC) or {}}
                  for t in game.turns][::-1],
        "rolls": [{"team": a.team, "action": a.action, "odds": a.odds, "roll": a.roll,
                   "success": a.success} for a in game.arguments if a.roll is not None],
    }
