"""The game: everything a seminar needs to continue, undo or report, as validated data.

Format version 2 (issue 17): team decisions are standing orders that hold until changed or
withdrawn; the umpire rules on decisions or chance events, and the model's own result is kept
beside the ruling; matrix-game arguments, phases, timers and saved lookaheads live in the game.
Stored by `seminar/store.py` (SQLite, every version kept), checked there by `seminar/validity.py`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from axis_sim.scenario.schema import ACTORS, OPTIONS
from axis_sim.text import printable

FORMAT = "axis-sim-seminar"
VERSION = 2

Value = bool | float | str
Phase = Literal["orders", "adjudication", "debrief"]
# What a seat types is shown on other seats' pages, the projector, terminals and Markdown
# handouts; a NUL or a terminal escape is never meant, so it is dropped on the way in.
SeatText = Annotated[str, AfterValidator(printable)]
"""Free text from a seat (a rationale, a reason, an argument): control characters dropped."""


class GameError(Exception):
    """A game that cannot be used, or a command that does not fit the game's state."""


class Record(BaseModel):
    """Base of the game's parts: strict, so an edited game with stray keys is refused."""

    model_config = ConfigDict(extra="forbid")


class Order(Record):
    """A team's standing order: an option at an intensity (`option:<id>`) or an actor's
    decision (a directive key such as "DPRK.nuclear_test"). It holds from `since_turn` until
    changed or withdrawn; a per-turn order ("one ICBM this turn") applies once, then lapses."""

    team: str
    decision: str
    value: Value
    rationale: SeatText = ""
    since_turn: int = Field(ge=1)
    per: Literal["month", "turn"] = "month"
    exception: SeatText = ""  # the umpire's reason when approved past a model rule


class Ruling(Record):
    """The umpire's ruling on a decision or a chance event, with the model's own result."""

    kind: Literal["decision", "event"]
    key: str
    value: Value
    reason: SeatText
    model_value: Value | None = None


class Argument(Record):
    """A matrix-game argument: a team's action with its reasons, counters, odds and roll."""

    id: int
    team: str
    action: SeatText
    arguments: list[SeatText]
    counters: list[dict[str, SeatText]] = Field(default_factory=list)  # {"team": …, "text": …}
    event: str | None = None  # a watched event that guides the odds, if any
    model_odds: float | None = Field(default=None, ge=0, le=1)
    odds: float | None = Field(default=None, ge=0, le=1)
    roll: float | None = Field(default=None, ge=0, le=1)
    success: bool | None = None


class Turn(Record):
    """One adjudicated turn: the orders in force, odds, the roll, and what each team was told."""

    number: int
    first_month: int
    months: int
    orders: list[Order]
    rulings: list[Ruling] = Field(default_factory=list)
    odds: dict[str, float] = Field(default_factory=dict)
    odds_doctrine: dict[str, float] = Field(default_factory=dict)
    drivers: dict[str, list[str]] = Field(default_factory=dict)
    happened: dict[str, bool] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)
    outcomes: dict[str, float] = Field(default_factory=dict)
    model_events: list[dict[str, Any]] | None = None
    model_outcomes: dict[str, float] | None = None
    briefings: dict[str, dict[str, Any]] = Field(default_factory=dict)
    arguments: list[Argument] = Field(default_factory=list)
    state: dict[str, Any]


class Game(Record):
    """A seminar in progress."""

    format: Literal["axis-sim-seminar"] = FORMAT
    version: Literal[2] = VERSION
    scenario_file: str
    scenario_hash: str
    scenario: dict[str, Any]
    seed: int
    turn_months: int = Field(ge=1, le=24)
    teams: dict[str, list[str]]
    orders: list[Order] = Field(default_factory=list)
    ready: list[str] = Field(default_factory=list)
    phase: Phase = "orders"
    deadline: str | None = None
    matrix: bool = False
    arguments: list[Argument] = Field(default_factory=list)
    lookaheads: list[dict[str, Any]] = Field(default_factory=list)
    undone: list[Turn] = Field(default_factory=list)
    initial_state: dict[str, Any]
    turns: list[Turn] = Field(default_factory=list)

    @property
    def month(self) -> int:
        """The first month of the next turn."""
        return self.turns[-1].first_month + self.turns[-1].months if self.turns else 0

    @property
    def state(self) -> dict[str, Any]:
        """The model state the next turn starts from."""
        return self.turns[-1].state if self.turns else self.initial_state

    @property
    def next_turn(self) -> int:
        """The number of the coming turn."""
        return len(self.turns) + 1

    def team_of(self, actor: str) -> str | None:
        """The human team playing `actor`, or None if the model plays it."""
        return next((team for team, actors in self.teams.items() if actor in actors), None)


# Names a team cannot take: briefings and seats use them for the umpire and the room.
RESERVED_SEATS = ("facilitator", "public", "projector")


def parse_teams(specs: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """`("blue=US,ROK,Japan", "red=Russia,DPRK")` → {"blue": [...], "red": [...]}."""
    teams: dict[str, list[str]] = {}
    seen: set[str] = set()
    for spec in specs:
        name, eq, members = spec.partition("=")
        actors = [a.strip() for a in members.split(",") if a.strip()]
        name = name.strip()
        if not eq or not name or not actors:
            raise GameError(f"a team is NAME=ACTOR,ACTOR…, got {spec!r}")
        if name in RESERVED_SEATS:
            raise GameError(f"{name!r} is a seat of its own, not a team name; reserved: "
                            + ", ".join(RESERVED_SEATS))
        if name in teams:
            raise GameError(f"team {name!r} is given twice")
        for actor in actors:
            if actor not in ACTORS:
                raise GameError(f"unknown actor {actor!r}; actors: {', '.join(ACTORS)}")
            if actor in seen:
                raise GameError(f"{actor} is on two teams")
            seen.add(actor)
        teams[name] = actors
    return teams


OPTION_PREFIX = "option:"
BLUE_OPTIONS = tuple(f"{OPTION_PREFIX}{o}" for o in OPTIONS)
