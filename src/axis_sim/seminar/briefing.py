"""Briefings: what each seat is told after a turn, written from the game world's event log.

A briefing is not the log. Per team it has five sections, each a list of items (plain dicts,
ready for JSON; every item has a `text` sentence, most a `month` and an `event`):

- `happened`: the public events of the turn (named events keep their names: which forum,
  which exercise, which summit), and the team's own covert doings, exactly.
- `intelligence`: for the side that plays the US only, the covert doings of others that its
  intelligence detected — each with a confidence word and a RANGE, never the exact figure.
  A covert event is detected in its turn with probability equal to the alliance's warning
  quality; one missed may surface a turn late (same chance again), else never.
- `your_decisions`: each of the team's orders in force, what it did and did not do, and why.
- `reactions`: what China, Moscow and others did that all can see (statements, UN blocks,
  Beijing's visible line, parallel sanctions).
- `decisions_due`: what to decide next — spent decisions, new openings, lapsed one-turn
  orders, the calendar of the coming turn and how many months remain.

The facilitator's briefing holds everything, exactly (its intelligence items carry the truth
beside the range the team was told); the public (projector) briefing holds public events and
reactions only.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from axis_sim.model.directives import DIRECTIVES
from axis_sim.model.russia import PROGRAMMES, TECH_LEVEL, TREATY_LEVEL
from axis_sim.model.world import is_due
from axis_sim.scenario.schema import Scenario, month_index, month_label

if TYPE_CHECKING:
    from collections.abc import Iterable

    from axis_sim.seminar.game import Game, Order, Ruling

FACILITATOR = "facilitator"
PUBLIC = "public"
SECTIONS: tuple[str, ...] = ("happened", "intelligence", "your_decisions", "reactions",
                             "decisions_due")
OPTION_PREFIX = "option:"

# Done in secret: told exactly to the team that did them, to the US side only as intelligence.
COVERT = frozenset({"munitions_shipment", "missile_rocket_transfer", "tech_transfer",
                    "cooperation_step", "coercive_posture", "front_company"})
# Public events that are others' answers to what happened: briefed as reactions.
REACTIONS = frozenset({"exercise_condemned", "un_action_blocked", "china_naval_exercise",
                       "quiet_enforcement", "parallel_sanctions", "china_stance"})
RUNGS: tuple[str, ...] = ("no cooperation", "arms for food and energy", "technology transfer",
                          "joint naval exercises with China",
                          "the reactivated Treaty of Friendship")
PROGRAMME_NAMES = {"satellite": "military satellite", "submarine": "nuclear-powered submarine",
                   "icbm": "solid-fuel ICBM"}
SCHEDULED_KINDS = ("leader_summit", "forum", "allied_exercise")

# How the stated ranges are drawn. Presentation conventions, not model parameters: the analyst's
# estimate is off the truth by a log-normal error whose spread shrinks as warning quality (the
# scenario's ISR index) improves, and the range stated is the estimate's 90% interval, so the
# truth lies in it nine times in ten (rounding outward makes that a little more).
SPREAD_AT_PERFECT_WARNING = 0.15  # log-units of error when warning quality is 1
SPREAD_PER_MISSING_WARNING = 0.35  # added log-units per unit of warning quality lacking
RANGE_Z = NormalDist().inv_cdf(0.95)  # two-sided 90%
CONFIDENCE = ((0.7, "high confidence"), (0.45, "moderate confidence"), (0.0, "low confidence"))
# A change in China's alignment index large enough to be seen in its public line.
VISIBLE_ALIGNMENT_CHANGE = 0.02


# --- naming events -------------------------------------------------------------------------------


def scheduled_names(scenario: Scenario, events: list[dict[str, Any]]) -> list[str | None]:
    """For each row, the name of the scenario's scheduled event it is (a forum, a summit, an
    exercise on the calendar), or None (an unscheduled summit, an extra exercise, any other).

    A row carrying `detail` (the scheduled event's id, if the log records it) is named from it;
    otherwise the rows of one kind in one month take the names of the events of that kind due
    that month, in the scenario's order (the model logs scheduled events before extra ones).
    """
    by_id = {e.id: e.display_label for e in scenario.events}
    due: dict[tuple[int, str], list[str]] = {}
    names: list[str | None] = []
    for row in events:
        kind, month = str(row["event"]), int(row["month"])
        detail = row.get("detail")
        if detail:
            names.append(by_id.get(str(detail)))
            continue
        if kind not in SCHEDULED_KINDS:
            names.append(None)
            continue
        key = (month, kind)
        if key not in due:
            due[key] = [e.display_label for e in scenario.events if e.kind == kind and is_due(
                month_index(scenario.meta.start, e.month), e.every_months, month)]
        names.append(due[key].pop(0) if due[key] else None)
    return names


MISSILES = ("missile or large-calibre rocket", "missiles or large-calibre rockets")
SRBMS = ("short-range ballistic missile", "short-range ballistic missiles")
IRBMS = ("intermediate-range missile", "intermediate-range missiles")
ENTITIES = ("more Russian entity", "more Russian entities")
FRONTS = ("new front company replaces", "new front companies replace")


def _count(v: float, one: str, many: str) -> str:
    """`v` things, in the singular or plural."""
    return f"{v:,.0f} {one if round(v) == 1 else many}"


def describe(event: dict[str, Any], scenario: Scenario, name: str | None = None) -> str:
    """One exact briefing sentence for one event row (`name`: the scheduled event it is)."""
    when = month_label(scenario.meta.start, int(event["month"]))
    v = float(event["value"])
    per_car = scenario.actors["DPRK"]["rounds_per_railcar"].value
    kind = str(event["event"])
    programme = PROGRAMMES[int(v)] if 0 <= v < len(PROGRAMMES) else ""
    texts = {
        "munitions_shipment": f"Munitions trains cross at Tumangang–Khasan: "
                              f"{_count(v / per_car, 'railcar', 'railcars')}, some {v:,.0f} "
                              "rounds.",
        "missile_rocket_transfer": f"{_count(v, *MISSILES)} moved to Russia.",
        "tech_transfer": "Russian specialists assist the DPRK's "
                         f"{PROGRAMME_NAMES.get(programme, programme)} programme.",
        "cooperation_step": f"Moscow and Pyongyang move to {RUNGS[min(max(int(v), 0), 4)]} "
                            f"(rung {int(v)} of 4).",
        "coercive_posture": "KPA forward units hold a coercive posture.",
        "short_range_launch": f"The DPRK launches {_count(v, *SRBMS)}.",
        "intermediate_range_launch": f"The DPRK launches {_count(v, *IRBMS)}.",
        "icbm_launch": "The DPRK launches an ICBM on a "
                       + ("standard trajectory." if v else "lofted trajectory."),
        "icbm_failure": "The ICBM appears to have failed in flight.",
        "satellite_launch": "The DPRK attempts a satellite launch: "
                            + ("the satellite reaches orbit." if v else "it fails."),
        "nuclear_test": "The DPRK conducts its seventh nuclear test.",
        "lethal_incident": "A lethal DPRK attack on the peninsula.",
        "escalation_crisis": "The incident escalates into a crisis.",
        "un_action_blocked": "Russia blocks punitive action in the Security Council.",
        "exercise_condemned": "Moscow condemns the allied exercise as provocative.",
        "leader_summit": (f"Kim Jong-un and Vladimir Putin meet: {name}." if name else
                          "Kim Jong-un and Vladimir Putin meet (an unscheduled summit)."),
        "forum": f"Held: {name}." if name else "A major international forum is held.",
        "allied_exercise": (f"Allied forces hold the {name}." if name else
                            "Allied forces hold an additional trilateral exercise."),
        "china_naval_exercise": "China joins a naval exercise with Russia and the DPRK.",
        "intercept_attempt": "Allied forces attempt to intercept the ICBM in flight.",
        "intercept_success": "The intercept succeeds.",
        "launchpad_strike": "Allied forces strike the ICBM on its launchpad.",
        "quiet_enforcement": "Chinese customs quietly tighten checks on trade with the DPRK.",
        "entity_listed": f"Washington lists {_count(v, *ENTITIES)}.",
        "front_company": f"{_count(v, *FRONTS)} listed ones.",
        "parallel_sanctions": "Another like-minded party adopts parallel sanctions.",
        "ceasefire": "A ceasefire takes hold in Ukraine.",
        "china_stance": f"Beijing's line shifts: it now seems to "
                        f"{('keep its distance from', 'condone', 'quietly squeeze')[int(v) % 3]}"
                        " the axis.",
    }
    return f"{when}: {texts.get(kind, kind.replace('_', ' '))}"


# --- intelligence ------------------------------------------------------------------------------


def _draw(game: Game, turn: int, key: object, purpose: str = "intel") -> float:
    """A reproducible uniform draw in (0, 1) for one purpose at one point of the game."""
    return (zlib.crc32(f"{game.seed}:{turn}:{key}:{purpose}".encode()) + 0.5) / 2**32


def confidence_word(warning: float) -> str:
    """How sure the analysts are, in words, from the alliance's warning quality (0–1)."""
    return next(word for floor, word in CONFIDENCE if warning >= floor)


def estimate_range(truth: float, warning: float, u: float) -> tuple[float, float]:
    """An analyst's 90% range for a covert quantity: the estimate misses the truth by a
    log-normal error (the draw `u`, 0–1), wider the poorer the warning quality; the stated
    range is the estimate's 90% interval, so the truth lies inside it nine times in ten."""
    spread = SPREAD_AT_PERFECT_WARNING + SPREAD_PER_MISSING_WARNING * (1.0 - min(max(warning,
                                                                                  0.0), 1.0))
    z = NormalDist().inv_cdf(min(max(u, 1e-9), 1 - 1e-9))
    centre = truth * math.exp(spread * z)
    return centre * math.exp(-RANGE_Z * spread), centre * math.exp(RANGE_Z * spread)


def _round_out(low: float, high: float, floor: float = 0.0) -> tuple[int, int]:
    """A range rounded outward to two significant figures (never narrower), low ≥ `floor`,
    and at least one unit wide, so it never reads as an exact figure."""
    def rounded(x: float, direction: Any) -> int:
        if x <= 0:
            return 0
        step = 10 ** max(math.floor(math.log10(x)) - 1, 0)
        return int(direction(x / step) * step)

    lo, hi = max(rounded(low, math.floor), int(floor)), rounded(high, math.ceil)
    return lo, max(hi, lo + 1)


def _months_text(scenario: Scenario, months: Iterable[int]) -> str:
    labels = sorted({month_label(scenario.meta.start, m) for m in months})
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _assess(kind: str, rows: list[dict[str, Any]], scenario: Scenario, warning: float,
            u: float) -> dict[str, Any]:
    """One intelligence item for the detected rows of one covert kind: the text with a range
    (never the exact figure), the range's bounds and unit, and the truth (for the facilitator,
    stripped from a team's copy)."""
    confidence = confidence_word(warning)
    months = [int(r["month"]) for r in rows]
    when = _months_text(scenario, months)
    total = sum(float(r["value"]) for r in rows)
    item: dict[str, Any] = {"event": kind, "months": sorted(set(months)), "month": min(months),
                            "confidence": confidence}
    if kind == "munitions_shipment":
        per_car = scenario.actors["DPRK"]["rounds_per_railcar"].value
        low, high = estimate_range(total, warning, u)
        cars = _round_out(low / per_car, high / per_car, 1)
        rounds = _round_out(cars[0] * per_car, cars[1] * per_car)
        item |= {"low": cars[0], "high": cars[1], "unit": "railcars", "truth": total / per_car,
                 "text": f"{when}: imagery shows munitions trains at Tumangang–Khasan — about "
                         f"{cars[0]:,}–{cars[1]:,} railcars, some {rounds[0]:,}–{rounds[1]:,} "
                         f"rounds ({confidence})."}
    elif kind in ("missile_rocket_transfer", "front_company"):
        low, high = _round_out(*estimate_range(total, warning, u), 1)
        what = ("missiles or large-calibre rockets moved to Russia"
                if kind == "missile_rocket_transfer"
                else "new front companies replacing listed ones")
        item |= {"low": low, "high": high,
                 "unit": "systems" if kind == "missile_rocket_transfer" else "companies",
                 "truth": total, "text": f"{when}: about {low:,}–{high:,} {what} ({confidence})."}
    elif kind == "tech_transfer":
        true = sorted({PROGRAMMES[int(r["value"])] for r in rows
                       if 0 <= int(r["value"]) < len(PROGRAMMES)})
        # One more programme named than seen when the draw says so: the analysts cannot tell
        # which programme the specialists serve, only narrow it down.
        others = [p for p in PROGRAMMES if p not in true]
        decoy = [others[int(u * 2 * len(others))]] if others and u < 0.5 else []
        named = sorted({*true, *decoy}, key=PROGRAMMES.index)
        words = " or ".join(PROGRAMME_NAMES[p] for p in named)
        low, high = _round_out(*estimate_range(len(rows), warning, u), 1)
        item |= {"low": low, "high": high, "unit": "transfers", "truth": len(rows),
                 "programmes": named, "truth_programmes": true,
                 "text": f"{when}: Russian specialists appear to be assisting the DPRK's {words} "
                         f"programme — about {low}–{high} transfers ({confidence})."}
    elif kind == "cooperation_step":
        rung = int(max(float(r["value"]) for r in rows))
        low = min(max(rung - (1 if u < 0.5 else 0), 1), TREATY_LEVEL - 1)
        item |= {"low": low, "high": low + 1, "unit": "rung", "truth": rung,
                 "text": f"{when}: Moscow and Pyongyang appear to have moved up the ladder — now "
                         f"at {RUNGS[low]} or {RUNGS[low + 1]} (rung {low}–{low + 1} of 4; "
                         f"{confidence})."}
    else:  # coercive_posture and any other covert kind: seen or not, no figure to give
        item |= {"truth": total,
                 "text": f"{when}: indications that KPA forward units moved to a coercive "
                         f"posture ({confidence})." if kind == "coercive_posture" else
                         f"{when}: indications of {kind.replace('_', ' ')} ({confidence})."}
    return item


def intelligence(game: Game, scenario: Scenario, events: list[dict[str, Any]],
                 outcomes: dict[str, float], team: str) -> list[dict[str, Any]]:
    """What `team`'s intelligence reports of others' covert doings this turn (with late
    reports from the last turn), each item with `truth` (strip it before a team sees it)."""
    if "US" not in game.teams.get(team, ()):
        return []
    turn = game.next_turn
    warning = outcomes.get("warning_quality",
                           scenario.actors["US"]["initial_warning_quality"].value)

    def others(rows: list[dict[str, Any]]) -> Iterable[tuple[int, dict[str, Any]]]:
        return ((i, r) for i, r in enumerate(rows)
                if r["event"] in COVERT and game.team_of(str(r["actor"])) != team)

    items = []
    now: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i, row in others(events):
        if _draw(game, turn, i) < warning:
            now[str(row["event"])].append(row)
    for kind, rows in now.items():
        items.append(_assess(kind, rows, scenario, warning, _draw(game, turn, kind, "estimate"))
                     | {"late": False})
    if game.turns:
        previous = game.turns[-1]
        before = previous.outcomes.get("warning_quality", warning)
        late: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i, row in others(previous.events):
            u = _draw(game, turn - 1, i)
            if before <= u < before + (1 - before) * before:
                late[str(row["event"])].append(row)
        for kind, rows in late.items():
            item = _assess(kind, rows, scenario, before, _draw(game, turn, kind, "late"))
            items.append(item | {"late": True, "text": "Late report — " + item["text"]})
    return sorted(items, key=lambda it: (it["late"], it["month"]))


# --- the team's own decisions --------------------------------------------------------------------


class _Turn:
    """What the turn's rows say, counted, for explaining decisions."""

    def __init__(self, events: list[dict[str, Any]], names: list[str | None]) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.names: dict[str, list[str]] = defaultdict(list)
        for row, name in zip(events, names, strict=True):
            self.rows[str(row["event"])].append(row)
            if name:
                self.names[str(row["event"])].append(name)

    def n(self, kind: str) -> int:
        return len(self.rows.get(kind, []))

    def total(self, kind: str) -> float:
        return sum(float(r["value"]) for r in self.rows.get(kind, []))


def value_text(value: object) -> str:
    """An order's or ruling's value as the room would say it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def model_had(ruling: Ruling) -> str:
    """What the model's own run had for a ruled key, in words: a decision no team had ordered
    was left to the actor's doctrine (stored as None, never shown as "None")."""
    if ruling.model_value is None:
        return ("no order: the model left it to doctrine" if ruling.kind == "decision"
                else "nothing recorded")
    return value_text(ruling.model_value)


def percent_text(chance: float) -> str:
    """A chance as the room reads it, in per cent: whole when whole, else to one decimal (an
    umpire's 62.5% is not shown as 62%). The web pages' `pct` macro follows the same rule."""
    shown = round(chance * 100, 1)
    return f"{shown:.0f}%" if shown == int(shown) else f"{shown:.1f}%"


def decision_label(scenario: Scenario, decision: str) -> str:
    """What a decision key means, in words (an option's label, or a directive's meaning)."""
    if decision.startswith(OPTION_PREFIX):
        option = scenario.options.get(decision.removeprefix(OPTION_PREFIX))  # type: ignore[call-overload]
        return option.label if option else decision
    directive = DIRECTIVES.get(decision)
    if not directive:
        return decision
    return f"{directive.actor}: {getattr(directive, 'label', '') or directive.meaning}"


def _rung(outcomes: dict[str, float]) -> int:
    return round(outcomes.get("cooperation_level", 0.0))


def _explain(order: Order, t: _Turn, outcomes: dict[str, float], scenario: Scenario,
             intel: dict[str, dict[str, Any]], team_plays_us: bool) -> str:
    """What one order in force did and did not do this turn, and why, in a sentence or two."""
    key, v = order.decision, order.value
    on = bool(v) if isinstance(v, bool) else (v not in ("no", "0", 0, 0.0, "false"))
    rung = _rung(outcomes)
    exercises = t.n("allied_exercise")
    named = ", ".join(dict.fromkeys(t.names.get("allied_exercise", [])))
    if key.startswith(OPTION_PREFIX):
        intensity = float(v)
        option = key.removeprefix(OPTION_PREFIX)
        label = decision_label(scenario, key)
        if intensity <= 0:
            return f"{label} set to 0: off beyond what status quo already does."
        head = f"{label} at intensity {intensity:g}: "
        if option == "sanctions_listing":
            listed = int(t.total("entity_listed"))
            fronts = intel.get("front_company")
            replaced = (f"intelligence puts the front companies that replaced listed ones at "
                        f"{fronts['low']}–{fronts['high']} ({fronts['confidence']})" if fronts
                        else "intelligence did not see whether listed firms were replaced")
            if not team_plays_us:
                replaced = f"{int(t.total('front_company'))} front companies replaced listed ones"
            joined = t.n("parallel_sanctions")
            why = ("" if listed else " Listings need evidence: few transfers were detected, so "
                   "few entities could be identified.")
            return (head + f"your sanctions listings named {listed} entities; {replaced}; "
                    f"{joined} more part{'y' if joined == 1 else 'ies'} joined with parallel "
                    "sanctions." + why)
        if option == "intercept_declaration":
            icbms, standard = t.n("icbm_launch"), int(t.total("icbm_launch"))
            if not icbms:
                return head + ("no ICBM was launched, so the declaration was not put to the test "
                               "(it deters by the risk Pyongyang weighs; it prevents nothing by "
                               "itself).")
            return head + (f"{icbms} ICBM launch(es), {standard} on a standard trajectory; "
                           f"{t.n('intercept_attempt')} intercept attempt(s), "
                           f"{t.n('intercept_success')} successful; "
                           f"{t.n('launchpad_strike')} launchpad strike(s). Lofted launches are "
                           "not engaged.")
        if option == "trilateral_integration":
            return head + (f"{exercises} allied exercise(s) held{f' ({named})' if named else ''}; "
                           "shared warning quality is now "
                           f"{confidence_word(outcomes.get('warning_quality', 0.0)).split()[0]} "
                           "(it sets how much of the axis' covert traffic you see).")
        if option == "warn_beijing":
            squeezes = t.n("quiet_enforcement")
            return head + (f"Beijing quietly tightened customs checks in {squeezes} month(s)"
                           if squeezes else "no visible Chinese squeeze on the DPRK")
        if option == "public_disclosure":
            forums = list(dict.fromkeys(t.names.get("forum", [])))
            if not t.n("forum"):
                return head + ("no forum met this turn, so there was nowhere to disclose: the "
                               "option acts at forums.")
            return head + (f"you disclosed at {', '.join(forums) or 'the forum'}; disclosure "
                           "costs sources and pushes the axis toward covert channels.")
        return head + "in force."
    meaning = decision_label(scenario, key)
    if key == "US.exercise":
        if on:
            return (f"You ordered exercises: {exercises} held{f' ({named})' if named else ''}; "
                    f"Moscow condemned {t.n('exercise_condemned')}.")
        return ("You ordered no exercise: none held." if not exercises else
                f"You ordered no exercise, but {exercises} went ahead"
                f"{f' ({named})' if named else ''}.")
    if key in ("ROK.backing", "Japan.backing"):
        who = "Seoul" if key.startswith("ROK") else "Tokyo"
        return (f"{who} {'backed trilateral cooperation fully' if on else 'hedged'}: alliance "
                f"cohesion is now {outcomes.get('alliance_cohesion', float('nan')):.2f} (0–1).")
    if key == "China.stance":
        squeezes = t.n("quiet_enforcement")
        return (f"Beijing held the line '{v}'"
                + (f"; customs quietly squeezed the DPRK in {squeezes} month(s)." if squeezes
                   else "."))
    if key == "China.join_exercise":
        if t.n("china_naval_exercise"):
            return "China joined a naval exercise with Russia and the DPRK."
        # Whether Moscow and Pyongyang were ready to ask is their secret (the ladder is covert).
        return (f"No joint naval exercise was held this turn; your answer stands: you "
                f"{'would join' if on else 'would decline'} if asked.")
    if key == "Russia.propose":
        steps = t.rows.get("cooperation_step", [])
        if not on:
            return f"You proposed nothing: the ladder stayed at rung {rung} ({RUNGS[rung]})."
        if steps:
            return (f"You proposed deeper ties: cooperation moved to rung {rung} "
                    f"({RUNGS[rung]}), one rung at a time as the rules allow.")
        if rung >= TREATY_LEVEL:
            return "Nothing further to propose: the treaty is reached."
        return (f"You proposed deeper ties, but Pyongyang did not accept: the ladder stays at "
                f"rung {rung} ({RUNGS[rung]}).")
    if key == "Russia.tech_transfer":
        n = t.n("tech_transfer")
        if not on:
            return "You ordered no technology transfer: none made."
        if n:
            programmes = sorted({PROGRAMME_NAMES[PROGRAMMES[int(r["value"])]]
                                 for r in t.rows["tech_transfer"]})
            return f"{n} technology transfer(s) made ({', '.join(programmes)})."
        if rung < TECH_LEVEL:
            return (f"None made: transfers need cooperation at rung {TECH_LEVEL} (technology "
                    f"transfer); the ladder is at rung {rung}.")
        return "None made this turn."
    if key == "Russia.un_shield":
        blocked = t.n("un_action_blocked")
        if blocked:
            return f"You blocked {blocked} punitive Security Council action(s)."
        return ("No punitive action was brought to the Security Council (the allies seek one "
                "only after an ICBM launch or a nuclear test), so there was nothing to block.")
    if key == "DPRK.posture":
        return (f"Posture '{v}' held: {t.n('coercive_posture')} month(s) in a coercive posture, "
                f"{t.n('lethal_incident')} lethal incident(s).")
    if key == "DPRK.accept_ties":
        return (f"You {'accepted' if on else 'refused'} deeper ties: "
                + ("the ladder moved" if t.n("cooperation_step") else "the ladder did not move")
                + f" (rung {rung}).")
    if key == "DPRK.deliveries":
        per_car = scenario.actors["DPRK"]["rounds_per_railcar"].value
        rounds = t.total("munitions_shipment")
        return (f"You sent {float(v):.0%} of possible shipments: {rounds:,.0f} rounds "
                f"({rounds / per_car:,.0f} railcars) in {t.n('munitions_shipment')} month(s).")
    if key == "DPRK.icbm_launch":
        n = t.n("icbm_launch")
        if not on:
            return "You ordered no ICBM launch: none launched." if not n else (
                f"You ordered no ICBM launch, yet {n} launched.")
        failed = t.n("icbm_failure")
        return (f"{n} ICBM launch(es){f', {failed} failed in flight' if failed else ''}; "
                f"{t.n('intercept_attempt')} intercept attempt(s) against them.")
    if key == "DPRK.satellite_launch":
        attempts = t.n("satellite_launch")
        orbit = int(t.total("satellite_launch"))
        return (f"{attempts} satellite launch attempt(s), {orbit} reached orbit." if on
                else "You ordered no satellite launch: none attempted.")
    if key == "DPRK.nuclear_test":
        if t.n("nuclear_test"):
            when = month_label(scenario.meta.start, int(t.rows["nuclear_test"][0]["month"]))
            return f"The seventh nuclear test was conducted in {when}; it cannot be repeated."
        if on and outcomes.get("nuclear_test", 0) > 0:
            return "The seventh nuclear test had already been conducted: the order is spent."
        return "No nuclear test: " + ("it did not take place." if on else "as you ordered.")
    return f"{meaning} = {value_text(v)}: in force."


def your_decisions(game: Game, scenario: Scenario, events: list[dict[str, Any]],
                   outcomes: dict[str, float], team: str,
                   intel: list[dict[str, Any]], rulings: list[Ruling] | None = None,
                   ) -> list[dict[str, Any]]:
    """Each of `team`'s orders in force this turn: what it did and did not do, and why; the
    umpire's rulings on the team's decisions; or a note that the team gave no orders."""
    t = _Turn(events, scheduled_names(scenario, events))
    plays_us = "US" in game.teams.get(team, ())
    by_kind = {it["event"]: it for it in intel if not it.get("late")}
    items = []
    for order in (o for o in game.orders if o.team == team):
        items.append({"decision": order.decision, "value": order.value, "per": order.per,
                      "label": decision_label(scenario, order.decision),
                      "text": _explain(order, t, outcomes, scenario, by_kind, plays_us)
                      + (" A one-turn order: it has now lapsed." if order.per == "turn" else "")})
    actors = set(game.teams.get(team, ()))
    for ruling in rulings or []:
        directive = DIRECTIVES.get(ruling.key)
        if ruling.kind == "decision" and directive and directive.actor in actors:
            # The team learns the ruling, not the umpire's reasoning (that stays in the report).
            items.append({"decision": ruling.key, "value": ruling.value, "ruling": True,
                          "text": f"The umpire ruled {decision_label(scenario, ruling.key)} = "
                                  f"{value_text(ruling.value)} for this turn, in place of your "
                                  "order or the doctrine."})
    if not items:
        items.append({"text": "You gave no orders: your actors followed the model's doctrine."})
    return items


# --- reactions and what is due -------------------------------------------------------------------


def _alignment_before(game: Game, scenario: Scenario) -> float:
    if game.turns:
        return float(game.turns[-1].outcomes.get("china_alignment", float("nan")))
    return float(scenario.actors["China"]["initial_alignment"].value)


def reactions(game: Game, scenario: Scenario, events: list[dict[str, Any]],
              outcomes: dict[str, float], *, exact: bool = False) -> list[dict[str, Any]]:
    """China's, Moscow's and others' visible reactions: statements, UN blocks, Beijing's line,
    parallel sanctions. `exact` adds the alignment index (the facilitator's copy)."""
    names = scheduled_names(scenario, events)
    items = [{"event": str(r["event"]), "month": int(r["month"]),
              "text": describe(r, scenario, n)}
             for r, n in zip(events, names, strict=True) if r["event"] in REACTIONS]
    before, after = _alignment_before(game, scenario), outcomes.get("china_alignment")
    if after is not None and not math.isnan(before):
        change = after - before
        if change > VISIBLE_ALIGNMENT_CHANGE:
            text = "Beijing's public line moves visibly closer to the axis."
        elif change < -VISIBLE_ALIGNMENT_CHANGE:
            text = "Beijing's public line puts more distance between it and the axis."
        else:
            text = "Beijing's public line is unchanged."
        if exact:
            text += f" (China's alignment index {before:.2f} → {after:.2f}.)"
        items.append({"event": "china_line", "text": text})
    return items


def decisions_due(game: Game, scenario: Scenario, events: list[dict[str, Any]],
                  outcomes: dict[str, float], first_month: int, team: str | None
                  ) -> list[dict[str, Any]]:
    """What `team` (None: the room) should decide next: spent decisions, new openings, lapsed
    one-turn orders, the next turn's calendar, and how many months remain."""
    items: list[dict[str, Any]] = []
    actors = set(game.teams.get(team, ())) if team else set()
    kinds = {str(r["event"]) for r in events}
    rung = _rung(outcomes)
    if "DPRK" in actors and "nuclear_test" in kinds:
        items.append({"decision": "DPRK.nuclear_test", "spent": True, "text": "The seventh "
                      "nuclear test is spent: it has been conducted and leaves your menu."})
    if "Russia" in actors and "cooperation_step" in kinds:
        if rung >= TREATY_LEVEL:
            items.append({"decision": "Russia.propose", "spent": True, "text": "The treaty is "
                          "reached: there is no further rung to propose."})
        elif rung >= TECH_LEVEL:
            items.append({"decision": "Russia.tech_transfer", "text": "The ladder is at "
                          f"{RUNGS[rung]}: technology transfer is now open to you."})
    # Beijing does not see the ladder (covert): it is reminded of its answer, not told a rung.
    if "China" in actors and not any(o.team == team and o.decision == "China.join_exercise"
                                     for o in game.orders):
        items.append({"decision": "China.join_exercise", "text": "You have no standing answer "
                      "if Moscow and Pyongyang ask you to join a naval exercise: the model's "
                      "doctrine would decide."})
    # A one-turn order on a decision just spent is not invited again (it left the menu).
    spent = {item["decision"] for item in items if item.get("spent")}
    for order in game.orders:
        if order.team == team and order.per == "turn" and order.decision not in spent:
            items.append({"decision": order.decision, "text": f"Your one-turn order "
                          f"({decision_label(scenario, order.decision)}) has lapsed: order it "
                          "again if you want it next turn."})
    horizon = scenario.meta.horizon_months
    end = min(first_month + game.turn_months, horizon)  # the first month of the next turn
    months = horizon - end
    if months <= 0:
        items.append({"text": "The scenario's horizon is reached: this was the last turn."})
        return items
    upcoming = [(m, e.display_label) for e in scenario.events
                for m in range(end, min(end + game.turn_months, horizon))
                if is_due(month_index(scenario.meta.start, e.month), e.every_months, m)]
    for m, label in sorted(upcoming):
        items.append({"month": m, "text": f"On the calendar for "
                      f"{month_label(scenario.meta.start, m)}: {label}."})
    mine = [o for o in game.orders if o.team == team and o.per != "turn"]
    if team:
        items.append({"text": ("Your standing orders stay in force unless you change or "
                               "withdraw them: " + "; ".join(
                                   f"{decision_label(scenario, o.decision)} = "
                                   f"{value_text(o.value)}" for o in mine) + ".") if mine else
                      "You have no standing orders: your actors follow the model's doctrine."})
    last = min(end + game.turn_months, horizon) - 1
    items.append({"text": f"{months} month(s) remain; the next turn covers "
                          f"{month_label(scenario.meta.start, end)} – "
                          f"{month_label(scenario.meta.start, last)}."})
    return items


# --- the briefings -------------------------------------------------------------------------------


def _period(scenario: Scenario, first_month: int, months: int) -> str:
    start = month_label(scenario.meta.start, first_month)
    end = month_label(scenario.meta.start, first_month + months - 1)
    return start if start == end else f"{start} – {end}"


def _public(rows: list[dict[str, Any]], names: list[str | None], scenario: Scenario,
            keep: Iterable[bool]) -> list[dict[str, Any]]:
    return [{"event": str(r["event"]), "month": int(r["month"]), "actor": str(r["actor"]),
             "text": describe(r, scenario, n)}
            for r, n, k in zip(rows, names, keep, strict=True) if k]


def briefing_for(game: Game, scenario: Scenario, events: list[dict[str, Any]],
                 outcomes: dict[str, float], first_month: int, team: str, *,
                 rulings: list[Ruling] | None = None) -> dict[str, Any]:
    """The briefing `team` ("facilitator" or "public" too) receives for the turn just played.

    `game` is the game before the turn is added (its `orders` are the orders in force for the
    turn, its last turn the one before); `events` and `outcomes` are the turn's log rows and
    outcomes at its end. Returns {"audience", "turn", "period", and the five SECTIONS}, every
    section a list of items with a `text`. A team's briefing never holds another team's covert
    doings except as its own intelligence's ranges; a team's intelligence items never carry
    the truth.
    """
    if team not in (FACILITATOR, PUBLIC) and team not in game.teams:
        raise ValueError(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    months = min(game.turn_months, scenario.meta.horizon_months - first_month)
    names = scheduled_names(scenario, events)
    public = [r["event"] not in COVERT and r["event"] not in REACTIONS for r in events]
    head: dict[str, Any] = {"audience": team, "turn": game.next_turn,
                            "period": _period(scenario, first_month, max(months, 1))}
    if team == PUBLIC:
        return head | {"happened": _public(events, names, scenario, public), "intelligence": [],
                       "your_decisions": [], "reactions": reactions(game, scenario, events,
                                                                    outcomes),
                       "decisions_due": decisions_due(game, scenario, events, outcomes,
                                                      first_month, None)}
    if team == FACILITATOR:
        happened = [item | ({"covert": True} if item["event"] in COVERT else {})
                    for item in _public(events, names, scenario,
                                        [r["event"] not in REACTIONS for r in events])]
        intel = [item | {"team": t} for t in game.teams
                 for item in intelligence(game, scenario, events, outcomes, t)]
        decided = [item | {"team": t} for t in game.teams
                   for item in your_decisions(game, scenario, events, outcomes, t,
                                              intelligence(game, scenario, events, outcomes, t),
                                              rulings)]
        ruled = [{"ruling": True, "text": f"Ruling on {r.key} = {value_text(r.value)} "
                  f"(the model had {model_had(r)}): {r.reason}"}
                 for r in rulings or []]
        return head | {"happened": happened, "intelligence": intel,
                       "your_decisions": decided + ruled,
                       "reactions": reactions(game, scenario, events, outcomes, exact=True),
                       "decisions_due": decisions_due(game, scenario, events, outcomes,
                                                      first_month, None)}
    own = [r["event"] in COVERT and game.team_of(str(r["actor"])) == team for r in events]
    happened = [item | ({"own": True} if item["event"] in COVERT else {})
                for item in _public(events, names, scenario,
                                    [p or o for p, o in zip(public, own, strict=True)])]
    intel = intelligence(game, scenario, events, outcomes, team)
    told = [{k: v for k, v in item.items() if not k.startswith("truth")} for item in intel]
    if "US" in game.teams[team] and not told:
        told = [{"text": "Nothing covert was detected this turn — which does not mean nothing "
                         "happened."}]
    return head | {"happened": happened or [{"text": "Nothing of note is reported."}],
                   "intelligence": told,
                   "your_decisions": your_decisions(game, scenario, events, outcomes, team,
                                                    intel, rulings),
                   "reactions": reactions(game, scenario, events, outcomes),
                   "decisions_due": decisions_due(game, scenario, events, outcomes,
                                                  first_month, team)}


def briefings_for(game: Game, scenario: Scenario, events: list[dict[str, Any]],
                  outcomes: dict[str, float], first_month: int, *,
                  rulings: list[Ruling] | None = None) -> dict[str, dict[str, Any]]:
    """Every briefing of the turn: one per team, the facilitator's and the public one (what
    `Turn.briefings` holds)."""
    return {who: briefing_for(game, scenario, events, outcomes, first_month, who,
                              rulings=rulings)
            for who in (*game.teams, FACILITATOR, PUBLIC)}


def lines(briefing: dict[str, Any], sections: Iterable[str] = SECTIONS) -> list[str]:
    """A briefing's items as plain sentences, section by section (for a terminal or minutes);
    in the facilitator's, an item about one team starts with its name ("red: …")."""
    return [(f"{item['team']}: " if item.get("team") else "") + str(item["text"])
            if isinstance(item, dict) else str(item)
            for section in sections for item in briefing.get(section, [])]


def as_text(briefing: dict[str, Any]) -> list[str]:
    """A briefing for a terminal: each non-empty section's heading, then its sentences indented;
    "Nothing to report." when every section is empty."""
    out: list[str] = []
    for section in SECTIONS:
        items = lines(briefing, [section])
        if items:
            out.append(f"{section.replace('_', ' ').capitalize()}:")
            out += [f"  {line}" for line in items]
    return out or ["  Nothing to report."]
