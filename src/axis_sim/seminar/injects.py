"""Injects: what happened last turn, told as a briefing would tell it, to each team.

Written from the game world's event log. Public events (launches, tests, incidents, summits,
statements) reach every team. Covert ones (shipments, transfers, ladder steps, postures) reach
the team that did them, and the side playing the US only through its intelligence: each is
detected this turn with probability equal to the alliance's warning quality, otherwise it may
surface a turn late (same chance again), otherwise never. The facilitator sees everything.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from axis_sim.model.russia import PROGRAMMES
from axis_sim.scenario.schema import Scenario, month_label

if TYPE_CHECKING:
    from axis_sim.seminar.game import Game

FACILITATOR = "facilitator"
COVERT = frozenset({"munitions_shipment", "missile_rocket_transfer", "tech_transfer",
                    "cooperation_step", "coercive_posture", "front_company"})
RUNGS = ("no cooperation", "arms for food and energy", "technology transfer",
         "joint naval exercises with China", "the reactivated Treaty of Friendship")


def describe(event: dict[str, Any], scenario: Scenario) -> str:
    """One briefing sentence for one event row."""
    when = month_label(scenario.meta.start, int(event["month"]))
    v = float(event["value"])
    per_car = scenario.actors["DPRK"]["rounds_per_railcar"].value
    texts = {
        "munitions_shipment": f"Imagery shows munitions trains at Tumangang–Khasan: about "
                              f"{v / per_car:,.0f} railcars, some {v:,.0f} rounds.",
        "missile_rocket_transfer": f"{v:.0f} missiles or large-calibre rockets moved to Russia.",
        "tech_transfer": f"Russian specialists assist the DPRK "
                         f"{PROGRAMMES[int(v)] if 0 <= v < len(PROGRAMMES) else ''} programme.",
        "cooperation_step": f"Moscow and Pyongyang move to {RUNGS[min(int(v), 4)]}.",
        "coercive_posture": "KPA forward units move to a coercive posture.",
        "short_range_launch": f"The DPRK launches {v:.0f} short-range ballistic missile(s).",
        "intermediate_range_launch": f"The DPRK launches {v:.0f} intermediate-range missile(s).",
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
        "leader_summit": "Kim Jong-un and Vladimir Putin meet.",
        "forum": "A major international forum meets (UNGA, APEC or ASEAN).",
        "allied_exercise": "Allied forces hold an exercise.",
        "china_naval_exercise": "China joins a naval exercise with Russia and the DPRK.",
        "intercept_attempt": "Allied forces attempt to intercept the missile.",
        "intercept_success": "The intercept succeeds.",
        "launchpad_strike": "Allied forces strike the ICBM on its launchpad.",
        "quiet_enforcement": "Chinese customs quietly tighten checks on trade with the DPRK.",
        "entity_listed": f"Washington lists {v:.0f} more Russian entities.",
        "front_company": f"{v:.0f} new front companies replace listed ones.",
        "parallel_sanctions": "Another like-minded party adopts parallel sanctions.",
        "ceasefire": "A ceasefire takes hold in Ukraine.",
    }
    return f"{when}: {texts.get(str(event['event']), str(event['event']))}"


def _draw(game: Game, turn: int, index: int) -> float:
    return zlib.crc32(f"{game.seed}:{turn}:{index}:intel".encode()) / 2**32


def injects_for(game: Game, scenario: Scenario, events: list[dict[str, Any]],
                outcomes: dict[str, float], first_month: int) -> dict[str, list[str]]:
    """Each team's briefing (and the facilitator's full account) for the turn just played."""
    turn = len(game.turns) + 1
    warning = outcomes.get("warning_quality",
                           scenario.actors["US"]["initial_warning_quality"].value)
    briefs: dict[str, list[str]] = {FACILITATOR: [describe(e, scenario) for e in events]}
    intelligence = game.team_of("US")
    late = []
    if game.turns and intelligence:
        previous = game.turns[-1]
        prior_warning = previous.outcomes.get("warning_quality", warning)
        for i, e in enumerate(previous.events):
            u = _draw(game, turn - 1, i)
            if (e["event"] in COVERT and game.team_of(e["actor"]) != intelligence
                    and prior_warning <= u < prior_warning + (1 - prior_warning) * prior_warning):
                late.append("Late report — " + describe(e, scenario))
    for team in game.teams:
        lines = []
        for i, e in enumerate(events):
            own = game.team_of(str(e["actor"])) == team
            if e["event"] not in COVERT or own:
                lines.append(describe(e, scenario))
            elif team == intelligence and _draw(game, turn, i) < warning:
                lines.append("Intelligence — " + describe(e, scenario))
        if team == intelligence:
            lines += late
        briefs[team] = lines or [f"{month_label(scenario.meta.start, first_month)}: "
                                 "nothing of note is reported."]
    return briefs
