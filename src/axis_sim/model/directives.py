"""Directives, exceptions and rulings: what a seminar's people decide in place of the model.

- A **directive** is a decision a human team takes in place of an actor's doctrine: the model
  skips that actor's own (logit) choice for that decision and uses the team's (`directed`).
  Each names one decision point in the rules. Values are booleans, shares in [0, 1], or one of
  a few choices. A directive still passes through the model's rules: Moscow cannot propose the
  arms trade without a war that lacks shells, nor transfer technology below rung 2, and a
  proposal climbs one rung (`GATES` lists each rule a directive must pass).
- An **exception** (`AxisModel.exceptions`, a set of directive keys) is the umpire's approval
  for a directive to pass the rule that would stop it.
- A **ruling** (`AxisModel.rulings`, chance-event key → happened or not) is the umpire's word
  on a chance event the rules would otherwise draw (`CHANCE_EVENTS`), read by the rules through
  `ruled`. It holds for every month it is left in the model.

"month" directives hold every month they are in force; "turn" directives are one-shot acts ("one
ICBM this turn"): `for_month` gives the directives of a month of a turn.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from axis_sim.model.china import STANCES
from axis_sim.model.dprk import POSTURES
from axis_sim.model.russia import NAVAL_EXERCISE_LEVEL, TECH_LEVEL, TREATY_LEVEL
from axis_sim.scenario.schema import month_label

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel

Per = Literal["month", "turn"]


@dataclass(frozen=True)
class Directive:
    """One decision a team can take: its actor, its kind of value, a short label a player
    reads, what it means, and whether it holds every month or acts once a turn."""

    actor: str
    kind: str  # "bool", "share" or "choice"
    label: str
    meaning: str
    choices: tuple[str, ...] = ()
    per: Per = "month"


DIRECTIVES: dict[str, Directive] = {
    "US.exercise": Directive(
        "US", "bool", "Hold allied exercises",
        "yes: hold an allied exercise every month; no: hold none, calendar exercises included"),
    "ROK.backing": Directive("ROK", "bool", "Seoul backs trilateral cooperation",
                             "back trilateral cooperation fully (else hedge)"),
    "Japan.backing": Directive("Japan", "bool", "Tokyo backs trilateral cooperation",
                               "back trilateral cooperation fully (else hedge)"),
    "China.stance": Directive("China", "choice", "Beijing's stance toward the axis",
                              "keep a distance from the axis, condone it, or quietly squeeze "
                              "the DPRK's economy", STANCES),
    "China.join_exercise": Directive(
        "China", "bool", "Join a naval exercise with Russia and the DPRK",
        "join a naval exercise with Russia and the DPRK if they ask (they ask at rung 2)"),
    "Russia.propose": Directive(
        "Russia", "bool", "Propose the next rung of cooperation",
        "propose the next rung of cooperation with Pyongyang once this turn (it climbs one "
        "rung if Pyongyang accepts)", per="turn"),
    "Russia.tech_transfer": Directive(
        "Russia", "bool", "Transfer military technology",
        "transfer military technology to one DPRK programme once this turn (needs rung 2)",
        per="turn"),
    "Russia.un_shield": Directive("Russia", "bool", "Block punitive UN action",
                                  "block punitive Security Council action if one is proposed"),
    "DPRK.posture": Directive("DPRK", "choice", "Posture",
                              "posture every month: restraint, signalling (a launch surge) or "
                              "coercion (readiness to use lethal force)", POSTURES),
    "DPRK.accept_ties": Directive("DPRK", "bool", "Accept deeper ties with Moscow",
                                  "accept Moscow's proposal of the next rung"),
    "DPRK.deliveries": Directive("DPRK", "share", "Share of munitions shipments sent",
                                 "share of possible munitions shipments sent each month"),
    "DPRK.icbm_launch": Directive("DPRK", "bool", "Launch an ICBM",
                                  "launch one ICBM this turn (in its first month)", per="turn"),
    "DPRK.satellite_launch": Directive(
        "DPRK", "bool", "Attempt a satellite launch",
        "attempt one satellite launch this turn (in its first month)", per="turn"),
    "DPRK.nuclear_test": Directive("DPRK", "bool", "Conduct the seventh nuclear test",
                                   "conduct the seventh nuclear test this turn (in its first "
                                   "month)", per="turn"),
}

# The rule each gated directive must pass, and which an umpire's exception lets it past.
GATES: dict[str, str] = {
    "Russia.propose": "Moscow opens the arms trade (rung 1) only while its war uses more "
                      "artillery than its factories make",
    "Russia.tech_transfer": f"technology is transferred only from rung {TECH_LEVEL} of the "
                            "cooperation ladder",
    "DPRK.nuclear_test": "the seventh nuclear test happens once",
    "DPRK.deliveries": "munitions cross only under an arms deal (rung 1 or above)",
}

# Chance events the rules draw at random and the umpire may rule on (key → plain meaning).
# A ruling decides the chance, not its preconditions: an intercept still needs a missile in
# flight, a block at the UN a proposal to block.
CHANCE_EVENTS: dict[str, str] = {
    "ceasefire": "a ceasefire in Ukraine begins (if the war is still on)",
    "leader_summit": "a Kim–Putin summit is held",
    "china_naval_exercise": "Beijing agrees to join a naval exercise with Russia and the DPRK "
                            "if the pair ask it (at rung 2)",
    "exercise_condemned": "Moscow condemns an allied exercise held that month",
    "icbm_failure": "an ICBM launched fails in flight",
    "satellite_orbit": "a satellite launch reaches orbit",
    "intercept_attempt": "the allies try to intercept an ICBM flying a standard trajectory",
    "intercept_success": "an intercept the allies try succeeds",
    "launchpad_strike": "the allies strike an ICBM seen in preparation on the pad",
    "lethal_incident": "a lethal incident on the peninsula (a clash, a shelling)",
    "escalation_crisis": "a lethal incident, intercept or strike escalates into a crisis",
    "un_action_sought": "after an ICBM launch or nuclear test the allies seek punitive "
                        "Security Council action",
    "un_action_blocked": "Moscow blocks the punitive Security Council action sought",
    "parallel_sanctions": "another like-minded party joins the sanctions",
}

# The event-log row that shows a chance event happened (`eventlog.EVENTS`), and the least value
# the row must carry (a satellite launch logs 1 if it reached orbit); none for a chance that is
# not logged by itself (UN action sought shows only when it is blocked).
CHANCE_EVENT_ROWS: dict[str, tuple[str, float] | None] = {
    "ceasefire": ("ceasefire", 0.0),
    "leader_summit": ("leader_summit", 0.0),
    "china_naval_exercise": ("china_naval_exercise", 0.0),
    "exercise_condemned": ("exercise_condemned", 0.0),
    "icbm_failure": ("icbm_failure", 0.0),
    "satellite_orbit": ("satellite_launch", 1.0),
    "intercept_attempt": ("intercept_attempt", 0.0),
    "intercept_success": ("intercept_success", 0.0),
    "launchpad_strike": ("launchpad_strike", 0.0),
    "lethal_incident": ("lethal_incident", 0.0),
    "escalation_crisis": ("escalation_crisis", 0.0),
    "un_action_sought": None,
    "un_action_blocked": ("un_action_blocked", 0.0),
    "parallel_sanctions": ("parallel_sanctions", 0.0),
}

RUNGS: tuple[str, ...] = ("no cooperation", "arms deals and aid",
                          "technology transfer", "a naval exercise with China",
                          "the treaty of mutual assistance")


def check(key: str, value: object) -> object:
    """The directive's value in the form the model uses; ValueError naming what is allowed."""
    if key not in DIRECTIVES:
        raise ValueError(f"unknown decision {key!r}; allowed: {', '.join(DIRECTIVES)}")
    d = DIRECTIVES[key]
    if d.kind == "bool":
        return _yes_no(key, value)
    if d.kind == "share":
        try:
            share = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            share = -1.0
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"{key} takes a share from 0 to 1, got {value!r}")
        return share
    if value not in d.choices:
        raise ValueError(f"{key} takes one of {', '.join(d.choices)}, got {value!r}")
    return value


def check_event(key: str, value: object) -> bool:
    """A ruling's value on chance event `key` (did it happen); ValueError naming what is
    allowed."""
    if key not in CHANCE_EVENTS:
        raise ValueError(f"unknown chance event {key!r}; allowed: {', '.join(CHANCE_EVENTS)}")
    return _yes_no(key, value)


def chance_happened(rows: Iterable[Mapping[str, object]], key: str) -> bool | None:
    """Did chance event `key` happen in these event-log rows (a turn's events, as dicts with
    "event" and "value")? The model's own value beside an umpire's ruling; None when the log
    cannot tell (`CHANCE_EVENT_ROWS`)."""
    if key not in CHANCE_EVENTS:
        raise ValueError(f"unknown chance event {key!r}; allowed: {', '.join(CHANCE_EVENTS)}")
    shown = CHANCE_EVENT_ROWS[key]
    if shown is None:
        return None
    event, least = shown
    return any(str(row["event"]) == event and float(row.get("value", 1.0)) >= least  # type: ignore[arg-type]
               for row in rows)


def _yes_no(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("yes", "true", "1"):
        return True
    if str(value).lower() in ("no", "false", "0"):
        return False
    raise ValueError(f"{key} takes yes or no, got {value!r}")


def directed(directives: Mapping[str, object], key: str, default: np.ndarray,
             allowed: np.ndarray | None = None,
             exceptions: frozenset[str] | set[str] = frozenset()) -> np.ndarray:
    """`default` (the doctrine's choice), unless a team's directive decides `key`.

    `allowed` is where the model's rules let the decision be taken at all (the doctrine's
    choice already respects it); a directive yes or a share counts only there, unless the
    umpire made an exception for `key`."""
    if key not in directives:
        return default
    value = directives[key]
    d = DIRECTIVES[key]
    if d.kind == "choice":
        value = d.choices.index(str(value))
    chosen = np.broadcast_to(np.asarray(value, dtype=default.dtype), default.shape).copy()
    if allowed is not None and key not in exceptions:
        chosen = np.where(allowed, chosen, np.zeros_like(chosen))
    return chosen


def ruled(rulings: Mapping[str, bool], key: str, happened: np.ndarray) -> np.ndarray:
    """`happened` (the model's draw of chance event `key`), unless the umpire ruled on it."""
    if key not in CHANCE_EVENTS:
        raise KeyError(f"{key!r} is not a chance event in CHANCE_EVENTS")
    if key not in rulings:
        return happened
    return np.full(happened.shape, bool(rulings[key]))


def for_month(directives: Mapping[str, object], month_of_turn: int,
              per: Mapping[str, Per] | None = None) -> dict[str, object]:
    """The directives in force in month `month_of_turn` (0 = first) of a turn.

    A "month" directive holds every month. A "turn" directive is one act: in the first month
    it is as ordered; afterwards a yes becomes no (one ICBM this turn, not one a month) and a
    no stays no. `per` overrides a directive's own `per` (an order may say otherwise)."""
    per = per or {}
    months: dict[str, object] = {}
    for key, value in directives.items():
        kind = per.get(key, DIRECTIVES[key].per if key in DIRECTIVES else "month")
        if kind == "turn" and month_of_turn > 0:
            if isinstance(value, bool) or DIRECTIVES[key].kind == "bool":
                months[key] = False
            continue
        months[key] = value
    return months


def unavailable(model: AxisModel, key: str, world: int = 0) -> str | None:
    """Why directive `key` cannot be taken now in `world` (spent or impossible), in plain
    words; None if it can. ValueError for a key that is not a directive."""
    return _unavailable(model, key, world)[0]


def can_except(model: AxisModel, key: str, world: int = 0) -> bool:
    """True if `key` is unavailable only because of a rule an umpire's exception lifts
    (`GATES`), not because it is spent for good (the ladder's top rung reached)."""
    reason, gate = _unavailable(model, key, world)
    return reason is not None and gate


def _unavailable(model: AxisModel, key: str, world: int) -> tuple[str | None, bool]:
    """(reason, whether an exception lifts it)."""
    if key not in DIRECTIVES:
        raise ValueError(f"unknown decision {key!r}; allowed: {', '.join(DIRECTIVES)}")
    russia, dprk = model.russia, model.dprk
    rung = int(russia.cooperation[world])
    at = f"rung {rung} ({RUNGS[rung]})"
    reached = when(model, int(russia.rung_month[world]))
    if key in ("Russia.propose", "DPRK.accept_ties") and rung >= TREATY_LEVEL:
        return (f"the ladder is already at its top rung, the treaty of mutual assistance"
                f"{reached}: there is no next rung", False)
    if key == "Russia.propose" and rung == 0 and not _deficit(model)[world]:
        return (f"{GATES[key]}, and it does not now: the ladder stays at {at}", True)
    if key == "Russia.tech_transfer" and rung < TECH_LEVEL:
        return f"{GATES[key]} ({RUNGS[TECH_LEVEL]}); it stands at {at}", True
    if key == "DPRK.deliveries" and rung == 0:
        return f"{GATES[key]}; the ladder stands at {at}", True
    if key == "DPRK.nuclear_test" and dprk.nuclear_test[world]:
        return (f"the seventh nuclear test was already conducted"
                f"{when(model, int(dprk.test_month[world]))}", True)
    if key == "China.join_exercise" and rung >= NAVAL_EXERCISE_LEVEL:
        if russia.naval_exercise[world]:
            return f"China already joined the naval exercise{reached if rung == 3 else ''}", False
        return f"the ladder is already past the naval exercise, at {at}", False
    return None, False


def _deficit(model: AxisModel) -> np.ndarray:
    """Where Russia's war uses more artillery than its factories make, as next month would
    reckon it (before any new ceasefire): the arms trade's opening condition."""
    p, ceasefire = model.params, model.context.ceasefire
    demand = p["context.russia_artillery_use"] * np.where(
        ceasefire, p["context.demand_after_ceasefire"], 1.0)
    return demand > p["context.russia_shell_production"]


def when(model: AxisModel, month: int) -> str:
    """" (in March 2024)" for a model month, or "" if it is unknown (before the run, -1)."""
    if month < 0:
        return ""
    year, number = month_label(model.spec.meta.start, month).split("-")
    return f" (in {calendar.month_name[int(number)]} {year})"
