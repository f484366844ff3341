"""The game file: everything a seminar needs to continue, undo or report, as validated JSON.

One file per game, versioned, written atomically; the previous good version is kept beside it as
`<file>.prev`, so an interrupted write or a hand edit never loses the last good turn.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from axis_sim.io import atomic_write_text
from axis_sim.scenario.schema import ACTORS, OPTIONS

FORMAT = "axis-sim-seminar"
VERSION = 1


class GameError(Exception):
    """A game file that cannot be used, or a command that does not fit the game's state."""


class Record(BaseModel):
    """Base of the game file's parts: strict, so an edited file with stray keys is refused."""

    model_config = ConfigDict(extra="forbid")


class Move(Record):
    """One team decision: an option at an intensity (`option:<id>`), or an actor's decision."""

    team: str
    decision: str  # "option:sanctions_listing" or a directive key such as "DPRK.nuclear_test"
    value: bool | float | str
    rationale: str = ""


class Override(Record):
    """The facilitator's change to an adjudicated result, with the reason logged."""

    decision: str
    value: bool | float | str
    reason: str


class Turn(Record):
    """One adjudicated turn: the moves, what the model rolled, what each team was told."""

    number: int
    first_month: int
    months: int
    moves: list[Move]
    overrides: list[Override] = Field(default_factory=list)
    odds: dict[str, float] = Field(default_factory=dict)
    events: list[dict[str, Any]] = Field(default_factory=list)
    outcomes: dict[str, float] = Field(default_factory=dict)
    injects: dict[str, list[str]] = Field(default_factory=dict)
    state: dict[str, Any]


class Game(Record):
    """A seminar in progress."""

    format: Literal["axis-sim-seminar"] = FORMAT
    version: int = VERSION
    scenario_file: str
    scenario_hash: str
    scenario: dict[str, Any]
    seed: int
    turn_months: int = Field(ge=1, le=24)
    teams: dict[str, list[str]]
    pending: list[Move] = Field(default_factory=list)
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

    def team_of(self, actor: str) -> str | None:
        """The human team playing `actor`, or None if the model plays it."""
        return next((team for team, actors in self.teams.items() if actor in actors), None)


def parse_teams(specs: tuple[str, ...] | list[str]) -> dict[str, list[str]]:
    """`("blue=US,ROK,Japan", "red=Russia,DPRK")` → {"blue": [...], "red": [...]}."""
    teams: dict[str, list[str]] = {}
    seen: set[str] = set()
    for spec in specs:
        name, eq, members = spec.partition("=")
        actors = [a.strip() for a in members.split(",") if a.strip()]
        if not eq or not name.strip() or not actors:
            raise GameError(f"a team is NAME=ACTOR,ACTOR…, got {spec!r}")
        for actor in actors:
            if actor not in ACTORS:
                raise GameError(f"unknown actor {actor!r}; actors: {', '.join(ACTORS)}")
            if actor in seen:
                raise GameError(f"{actor} is on two teams")
            seen.add(actor)
        teams[name.strip()] = actors
    return teams


def save(game: Game, path: Path) -> None:
    """Write the game atomically, keeping the previous good file as `<path>.prev`."""
    if path.exists():
        shutil.copy2(path, path.with_name(path.name + ".prev"))
    atomic_write_text(path, game.model_dump_json(indent=1) + "\n")


def load(path: Path) -> Game:
    """Read and validate a game file; GameError with a plain message when it is unusable."""
    backup = path.with_name(path.name + ".prev")
    hint = f" The previous good version is {backup}." if backup.exists() else ""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GameError(f"{path}: no such game file (start one with `axis-sim seminar new`)"
                        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise GameError(f"{path}: cannot be read ({err}).{hint}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise GameError(f"{path}:{err.lineno}:{err.colno}: not valid JSON ({err.msg}); the file "
                        f"may be truncated.{hint}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GameError(f"{path}: not an axis-sim seminar game file.{hint}")
    if data.get("version") != VERSION:
        raise GameError(f"{path}: game file version {data.get('version')!r}; this axis-sim "
                        f"reads version {VERSION}.")
    try:
        return Game.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GameError(f"{path}: {where}: {first['msg']}.{hint}") from None


OPTION_PREFIX = "option:"
BLUE_OPTIONS = tuple(f"{OPTION_PREFIX}{o}" for o in OPTIONS)
