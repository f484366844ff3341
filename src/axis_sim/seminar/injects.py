"""Version-1 name of the briefings (`seminar/briefing.py`), kept for callers written against it.

`injects_for` gives each audience's briefing as plain sentences; new code stores
`briefing.briefings_for(...)` in `Turn.briefings` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axis_sim.seminar.briefing import COVERT, FACILITATOR, PUBLIC, briefings_for, describe, lines

if TYPE_CHECKING:
    from axis_sim.scenario.schema import Scenario
    from axis_sim.seminar.game import Game

__all__ = ["COVERT", "FACILITATOR", "PUBLIC", "describe", "injects_for"]


def injects_for(game: Game, scenario: Scenario, events: list[dict[str, Any]],
                outcomes: dict[str, float], first_month: int) -> dict[str, list[str]]:
    """Each team's briefing, the facilitator's and the public one, as plain sentences."""
    return {who: lines(b) for who, b in
            briefings_for(game, scenario, events, outcomes, first_month).items()}
