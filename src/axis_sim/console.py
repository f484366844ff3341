"""What the command line tells the user while it works, on stderr.

On a terminal: a progress bar while chunks run. Otherwise (a log file, CI, a pipe, a notebook's
`!axis-sim ...`): plain lines, one per tenth of the chunks or every `EVERY_SECONDS`, each with
the time since the command started. The library names its stages ("Summarising…", "Writing
dashboard…") as INFO messages of the `axis_sim` logger; `reporting()` prints them the same way.
`--quiet` prints neither (errors and warnings still go to stderr).

Errors and warnings go through `clip`: a message may quote a user's value or a scenario's text
(a 900 KB line, a NUL, a terminal escape sequence), and one error must stay a few readable
lines that cannot reprogram the terminal.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import click

EVERY_SECONDS = 15.0  # a progress line at least this often when chunks are slow
STEPS = 10  # and one per tenth of the chunks

MAX_LINE = 300  # characters of one error line; the middle of a longer one is cut, with "…"
MAX_LINES = 60  # lines of one error message (a file with many problems); then "… N more lines"

# C0 controls but tab and newline, DEL and C1: a terminal acts on them (escape sequences).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_started = time.monotonic()
_quiet = False


def clip(message: object) -> str:
    """`message` made safe and short for stderr: control characters shown as `\\xNN`, each
    line of more than `MAX_LINE` characters cut in the middle ("…"), keeping its start (what
    and where) and its end (what to do about it), at most `MAX_LINES` lines."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(message))
    head = MAX_LINE * 2 // 3
    tail = MAX_LINE - head - 1
    lines = [line if len(line) <= MAX_LINE else f"{line[:head]}…{line[-tail:]}"
             for line in text.split("\n")]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES - 1], f"… {len(lines) - MAX_LINES + 1:,} more lines"]
    return "\n".join(lines)


def error(message: object) -> None:
    """An error or warning on stderr, through `clip`; printed even with --quiet."""
    click.echo(clip(message), err=True)


def set_quiet(quiet: bool = True) -> None:
    """`--quiet`: from now on (until `reporting()` ends) no progress and no stage lines."""
    global _quiet
    _quiet = quiet


def is_quiet() -> bool:
    return _quiet


def _stamp() -> str:
    return f"[{time.monotonic() - _started:7.1f}s]"


def say(message: str) -> None:
    """One progress line on stderr (a terminal's lines carry no time stamp); none if quiet."""
    if _quiet:
        return
    if sys.stderr.isatty():
        click.echo(clip(message), err=True)
    else:
        click.echo(f"{_stamp()} {clip(message)}", err=True)


class _Echo(logging.Handler):
    """Log records as lines on the current stderr (looked up on each line, so a test runner
    that swaps sys.stderr sees them)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.levelno >= logging.WARNING:
                error(f"{record.levelname.capitalize()}: {message}")
            else:
                say(message)
        except Exception:  # pragma: no cover - logging must never break a run
            self.handleError(record)


@contextmanager
def reporting() -> Iterator[None]:
    """Within the block, the library's stage messages (logger `axis_sim`) print on stderr,
    unless `set_quiet()` was called; warnings print always."""
    global _started
    _started = time.monotonic()
    set_quiet(False)
    logger = logging.getLogger("axis_sim")
    handler = _Echo()
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
        set_quiet(False)


class Progress:
    """Chunks done out of `total`: a bar on a terminal, plain lines elsewhere, or nothing.

    Use as a context manager; call `update()` once per finished chunk.
    """

    def __init__(self, total: int, label: str = "Simulating", *,
                 worlds: int | None = None) -> None:
        self.total, self.label, self.worlds = max(total, 1), label, worlds
        self.quiet = _quiet
        self.done = 0
        self.bar: Any = None
        self.started = self.last_time = time.monotonic()
        self.next_step = 1

    def __enter__(self) -> Progress:
        if self.quiet:
            return self
        if sys.stderr.isatty():
            self.bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        else:
            what = f" ({self.worlds:,} worlds)" if self.worlds else ""
            say(f"{self.label}: {self.total} chunk{'s' * (self.total != 1)}{what}…")
        return self

    def update(self, chunks: int = 1) -> None:
        self.done += chunks
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(chunks)
            if self.done >= self.total:  # end the bar's line before the next stage's message
                self.bar.__exit__(None, None, None)
                self.bar = None
            return
        now = time.monotonic()
        step = self.done * STEPS // self.total
        if self.done >= self.total or step >= self.next_step \
                or now - self.last_time >= EVERY_SECONDS:
            self.next_step = step + 1
            self.last_time = now
            elapsed = now - self.started
            left = ""
            if 0 < self.done < self.total:
                left = f", about {elapsed * (self.total - self.done) / self.done:.0f} s left"
            say(f"{self.label}: {self.done}/{self.total} chunks "
                f"({self.done / self.total:.0%}){left}")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, error, trace)
