"""What more than one command group shares: the SCENARIO argument, the scenario-error exit, and
the checks every command makes before it starts work (an output folder it can write, a finite
number, a Dask scheduler it can reach), so a bad value costs a one-line error, not a run."""

from __future__ import annotations

import importlib.util
import math
import os
import re
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import click
from click.shell_completion import CompletionItem

from axis_sim import bundled
from axis_sim.console import error
from axis_sim.scenario.errors import ScenarioError


def fail(err: ScenarioError | str) -> NoReturn:
    """Print a scenario error (file:line:column and what is allowed), clipped, and exit 2."""
    error(err)
    sys.exit(2)


def check_writable(folder: Path, param_hint: str = "--out") -> None:
    """Make `folder` (and its parents) and write and remove a probe file in it, so a folder
    under a file, under /proc or on a read-only disk is refused before any simulation runs;
    a usage error naming `param_hint` otherwise."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".axis-sim-probe-", dir=folder)
        try:
            os.write(handle, b"probe")
        finally:
            os.close(handle)
            os.unlink(probe)
    except OSError as err:
        reason = err.strerror or str(err)
        if isinstance(err, FileExistsError | NotADirectoryError):
            reason = "a file is in the way"
        raise click.BadParameter(f"cannot write in {folder}: {reason}",
                                 param_hint=param_hint) from None


class SafePath(click.Path):
    """`click.Path` that refuses a NUL character (the system cannot name such a file; Python
    raises ValueError, not OSError, deep inside)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if "\x00" in str(value):
            self.fail("a path cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)


class FiniteFloat(click.ParamType):
    """A finite number above `low` (NaN, infinities and values at or below it refused)."""

    name = "number"

    def __init__(self, low: float = 0.0) -> None:
        self.low = low

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number <= self.low:
            self.fail(f"{value!r} must be a finite number above {self.low:g}", param, ctx)
        return number


def max_jobs() -> int:
    """The most worker processes a command may start: four per CPU (more only add memory;
    each worker imports numpy, pandas and the model, a few hundred MB)."""
    return 4 * (os.cpu_count() or 1)


class Jobs(click.ParamType):
    """`--jobs`: a whole number from 1 to `max_jobs()`."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        try:
            jobs = int(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if not 1 <= jobs <= max_jobs():
            self.fail(f"{value} is not between 1 and {max_jobs()} (four workers per CPU of "
                      "this machine)", param, ctx)
        return jobs


MAX_WEIGHT = 1e6  # swing weights are relative: a million to one is already absolute priority


def check_weights(ctx: click.Context, param: click.Parameter,
                  value: tuple[str, ...]) -> tuple[str, ...]:
    """`--weight OUTCOME=WEIGHT`: each weight a finite number from 0 to `MAX_WEIGHT`, checked
    before the scenario is loaded (unknown outcomes are the loader's to name, with a hint)."""
    for text in value:
        name, eq, raw = (part.strip() for part in text.partition("="))
        if not name or not eq:
            raise click.BadParameter(f"expected OUTCOME=WEIGHT, got {text!r}", ctx, param)
        try:
            weight = float(raw)
        except ValueError:
            raise click.BadParameter(f"weight of {name}: {raw!r} is not a number",
                                     ctx, param) from None
        if not (math.isfinite(weight) and 0 <= weight <= MAX_WEIGHT):
            raise click.BadParameter(f"weight of {name} must be a number from 0 to "
                                     f"{MAX_WEIGHT:,.0f} (weights are relative), got {raw}",
                                     ctx, param)
    return value


# A Dask scheduler address: [protocol://]host:port, host a name, IPv4 or [IPv6].
_ADDRESS = re.compile(r"^(?:(?P<protocol>tcp|tls)://)?"
                      r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])"
                      r":(?P<port>[0-9]{1,5})/?$")
CONNECT_SECONDS = 3.0  # an unreachable scheduler fails in this long, not Dask's 30 s


def check_scheduler(address: str | None, executor: str, *,
                    connect_seconds: float = CONNECT_SECONDS) -> None:
    """`--executor dask` needs dask.distributed installed. `--scheduler`: only with
    `--executor dask`, a `[tcp|tls://]host:port` address, and a Dask scheduler that accepts a
    connection and greets within `connect_seconds` (then the run's own connections give up as
    soon); a usage error otherwise."""
    if executor == "dask" and importlib.util.find_spec("distributed") is None:
        raise click.BadParameter("the Dask executor needs dask.distributed: pip install "
                                 "'axis-sim[dask]'", param_hint="--executor")
    if address is None:
        return
    if executor != "dask":
        raise click.BadParameter("a scheduler runs chunks only with --executor dask; add it, "
                                 "or leave --scheduler out", param_hint="--scheduler")
    match = _ADDRESS.match(address)
    port = int(match.group("port")) if match else 0
    if match is None or not 0 < port < 65536:
        raise click.BadParameter(f"{address!r} is not a scheduler address; expected "
                                 "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)",
                                 param_hint="--scheduler")
    host = match.group("host").strip("[]")
    try:
        connection = socket.create_connection((host, port), timeout=connect_seconds)
    except OSError as err:
        reason = "no answer" if isinstance(err, TimeoutError) else (err.strerror or str(err))
        raise click.BadParameter(f"cannot reach the scheduler at {address} ({reason}; waited "
                                 f"up to {connect_seconds:g} s)",
                                 param_hint="--scheduler") from None
    with connection:
        # A Dask scheduler sends its handshake as soon as a client connects; a web server or
        # anything else waits for the client, and Dask's own client would wait with it.
        try:
            greeted = match.group("protocol") == "tls" or bool(connection.recv(1))
        except OSError:
            greeted = False
    if not greeted:
        raise click.BadParameter(f"{address} did not answer as a Dask scheduler within "
                                 f"{connect_seconds:g} s", param_hint="--scheduler")
    import dask.config

    # The run's own connections give up as soon, not after Dask's 30 s.
    dask.config.set({"distributed.comm.timeouts.connect": f"{connect_seconds:g}s"})


class ScenarioParam(click.ParamType):
    """A scenario file, or the name of a bundled one; completes bundled names and files."""

    name = "scenario"

    def __init__(self, *, questions: bool = False, strict: bool = True) -> None:
        self.questions, self.strict = questions, strict

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Path:
        path = Path(value)
        if path.exists() and not path.is_dir():  # a file (or a pipe, /dev/stdin) wins
            return path
        found = (bundled.find_question_set if self.questions else bundled.find_scenario)(
            str(value))
        if found is not None:
            return found
        if path.is_dir():
            self.fail(f"{value} is a folder, not a file", param, ctx)
        if not self.strict:
            return path  # the loader reports it with the others
        kind = "question set" if self.questions else "scenario"
        names = bundled.question_set_names() if self.questions else bundled.scenario_names()
        self.fail(f"{value}: no such file, and no bundled {kind} of that name (bundled: "
                  f"{', '.join(names) or 'none'})", param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[CompletionItem]:
        names = bundled.question_set_names() if self.questions else bundled.scenario_names()
        # The file item first: bash's script clears its replies at a "file" item and falls
        # back to file names only when no name follows.
        items = [CompletionItem(n) for n in names if n.startswith(incomplete)]
        return [CompletionItem(incomplete, type="file"), *items]



SCENARIO_ARGUMENT = click.argument("scenario", type=ScenarioParam())
ALLOW_OUTSIDE_OPTION = click.option(
    "--allow-outside", is_flag=True,
    help="Let the scenario's `extends:` read files outside its own folder tree and the bundled "
         "scenarios (only for files you trust).")
