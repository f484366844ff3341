"""Problems found in scenario files, reported the way compilers report them.

A scenario author needs to know *where* (file, line, column), *what* (the dotted field) and
*what would be accepted*. Everything the loader finds wrong is collected as `Problem`s and raised
together in one `ScenarioError`, so an author fixes a file in one pass instead of one error at a
time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_MESSAGE_CHARS = 2000  # the longest real message lists every outcome: about 1,200
MAX_NAME_CHARS = 500


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file.

    `line` and `column` are 1-based and `None` when the problem concerns the file as a whole
    (it is missing, unreadable, ...). `field` is a dotted path into the scenario such as
    `actors.DPRK.launch_rate.dist.low` or `events[2].month`, or "" for the whole file.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = _cut(self.file, MAX_NAME_CHARS)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        # The message is kept on one line so that each problem is exactly one line of output,
        # which editors and grep can jump to.
        # Cut, too: a message quoting a 900 KB line would make a 900 KB line of output.
        message = _cut(" ".join(self.message.split()), MAX_MESSAGE_CHARS)
        if self.field:
            return f"{where}: {_cut(self.field, MAX_NAME_CHARS)}: {message}"
        return f"{where}: {message}"

    def sort_key(self) -> tuple[str, int, int]:
        """Order problems by file, then position; whole-file problems come first."""
        return (self.file, self.line or 0, self.column or 0)


class ScenarioError(Exception):
    """Raised when a scenario cannot be loaded; `problems` lists everything found wrong."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        # Exceptions pickle as `cls(*args)`, and args here is the rendered text; worker
        # processes must hand the problems themselves back to the parent.
        return (ScenarioError, (self.problems,))


def show_value(value: object, limit: int = 60) -> str:
    """A short `repr` of an offending value for a message, cut to `limit` characters."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
