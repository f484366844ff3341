"""Where in a YAML file a message should point: shared by scenario and questions files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axis_sim.scenario.errors import Problem

if TYPE_CHECKING:
    from axis_sim.scenario.loader import Positions

Loc = tuple[str | int, ...]
Mark = tuple[str, int, int]


def value_at(path: Loc, data: Any) -> Any:
    """The value at `path` of the data."""
    for part in path:
        data = data[part]
    return data


def mark_near(path: Loc, data: Any, positions: Positions, prefer_key: bool) -> Mark | None:
    """The position for a message about `path`, or of its nearest recorded ancestor.

    Messages about a scalar point at the value; about a mapping or list (or a key), at the
    key that introduces it, since its value may only start on the next line.
    """
    while True:
        collection = isinstance(value_at(path, data), dict | list)
        if (prefer_key or collection) and path in positions.keys_at:
            return positions.keys_at[path]
        if path in positions:
            return positions[path]
        if not path:
            return None
        path = path[:-1]
        prefer_key = True


def problem_at(mark: Mark | None, file: str, field: str, message: str) -> Problem:
    """A `Problem` at `mark`, or about the whole file when there is no position."""
    if mark is None:
        return Problem(file, None, None, field, message)
    return Problem(mark[0], mark[1], mark[2], field, message)
