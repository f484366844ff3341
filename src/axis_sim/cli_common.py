"""What more than one command group shares: the SCENARIO argument and the scenario-error exit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

from axis_sim import bundled
from axis_sim.scenario.errors import ScenarioError


def fail(err: ScenarioError) -> None:
    """Print a scenario error (file:line:column and what is allowed) and exit 2."""
    click.echo(str(err), err=True)
    sys.exit(2)


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
