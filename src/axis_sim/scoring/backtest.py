"""Every backtest origin at once: plan → run → summarize over the origins of a registry.

A registry (`questions/origins.yaml`) lists origins: a scenario built from what was public at its
start, the resolved questions it is scored on, and the portfolio actually pursued. `backtest`
scores each origin (`scoring.forecast.score`), then pools the questions of every origin that is
not held out, and separately those that are: skill with intervals against always-50% and the
questions' base rates, the Brier decomposition, and the splits by resolution and family, as for
one origin. A held-out origin is the one to believe: it was scored once, untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from axis_sim.io import atomic_write_text
from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import load_scenario, read_yaml
from axis_sim.scenario.schema import Scenario
from axis_sim.scoring.forecast import ScoreResult, score, summarize_questions
from axis_sim.scoring.questions import QuestionSet, load_questions
from axis_sim.scoring.report import json_ready, render_score_text

REGISTRY = Path("questions") / "origins.yaml"


class Origin(BaseModel):
    """One backtest origin of the registry (paths relative to the registry's folder)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    scenario: str
    questions: str
    portfolio: str = "status_quo"
    held_out: bool = False


class Registry(BaseModel):
    """The origins a backtest runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    origins: list[Origin] = Field(min_length=1)


@dataclass
class OriginResult:
    """An origin with its loaded scenario and questions, and its scores."""

    origin: Origin
    scenario: Scenario
    questions: QuestionSet
    result: ScoreResult


@dataclass
class BacktestResult:
    """Every origin's scores, and the pooled scores of the tuning and held-out origins."""

    origins: list[OriginResult]
    pooled: ScoreResult | None  # origins not held out, their questions together
    held_out: ScoreResult | None

    def summary(self) -> dict[str, Any]:
        """Everything as JSON-ready data."""
        return json_ready({
            "origins": {o.origin.id: {"held_out": o.origin.held_out, **o.result.summary}
                        for o in self.origins},
            "pooled": None if self.pooled is None else self.pooled.summary,
            "held_out": None if self.held_out is None else self.held_out.summary,
        })


def load_registry(path: str | Path = REGISTRY) -> tuple[Registry, Path]:
    """The registry and its folder; ScenarioError naming file and line for a bad one."""
    data, positions = read_yaml(path)
    try:
        return Registry.model_validate(data), Path(path).parent
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            mark = positions.get(loc) or positions.keys_at.get(loc) or positions.get(loc[:-1])
            line, column = (mark[1], mark[2]) if mark is not None else (None, None)
            field = ".".join(str(part) for part in loc)
            problems.append(Problem(str(path), line, column, field, error["msg"]))
        raise ScenarioError(problems) from None


def backtest(registry: str | Path = REGISTRY, *, runs: int | None = None,
             seed: int | None = None, jobs: int = 1) -> BacktestResult:
    """Score every origin of `registry`, then pool the tuning and the held-out origins."""
    reg, folder = load_registry(registry)
    done = []
    for origin in reg.origins:
        scenario = load_scenario(folder / origin.scenario)
        questions = load_questions(folder / origin.questions)
        result = score(scenario, questions, runs=runs, seed=seed, jobs=jobs,
                       portfolio=[origin.portfolio])
        done.append(OriginResult(origin, scenario, questions, result))
    return BacktestResult(done, _pool([o for o in done if not o.origin.held_out]),
                          _pool([o for o in done if o.origin.held_out]))


def _pool(origins: list[OriginResult]) -> ScoreResult | None:
    """The scores of all these origins' questions together."""
    if not origins:
        return None
    frame = pd.concat([o.result.questions.assign(origin=o.origin.id) for o in origins],
                      ignore_index=True)
    notes = [f"{o.origin.id}: {note}" for o in origins for note in o.result.summary["notes"]]
    summary = {**summarize_questions(frame, notes), "origins": [o.origin.id for o in origins]}
    return ScoreResult(questions=frame, summary=summary)


def render_backtest_markdown(result: BacktestResult) -> str:
    """The report as Markdown: pooled first, then held out, then each origin in full."""
    lines = ["# Backtest", ""]
    for title, pooled in (("Pooled (origins used for tuning)", result.pooled),
                          ("Held out (scored once, never tuned on)", result.held_out)):
        lines += [f"## {title}", ""]
        if pooled is None:
            lines += ["No such origin.", ""]
            continue
        lines += ["Origins: " + ", ".join(pooled.summary["origins"]), "", "```",
                  _text_of(pooled).rstrip(), "```", ""]
    for o in result.origins:
        lines += [f"## Origin {o.origin.id}" + (" (held out)" if o.origin.held_out else ""), "",
                  "```", render_score_text(o.result).rstrip(), "```", ""]
    return "\n".join(lines)


def _text_of(pooled: ScoreResult) -> str:
    """A pooled summary in the single-origin text format, without its one-scenario header
    line or its per-question list (each origin's section has those)."""
    text = render_score_text(pooled).split("\nQuestions, worst first:")[0]
    return text.split("\n", 2)[2]


def write_backtest_report(result: BacktestResult, folder: str | Path) -> Path:
    """Write `backtest.md`, `backtest.json` and one score report per origin (its own folder:
    `score.html` with its reliability diagram, `questions.csv`, `summary.json`)."""
    from axis_sim.scoring.report import write_score_report

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for o in result.origins:
        write_score_report(o.result, o.scenario, o.questions, folder / o.origin.id)
    atomic_write_text(folder / "backtest.md", render_backtest_markdown(result))
    atomic_write_text(folder / "backtest.html", render_backtest_html(result))
    atomic_write_text(folder / "backtest.json",
                      json.dumps(result.summary(), indent=2, ensure_ascii=False,
                                 allow_nan=False) + "\n")
    return folder


def render_backtest_html(result: BacktestResult) -> str:
    """One offline page: the pooled and held-out scores with their reliability diagrams, and a
    link to each origin's own report."""
    from axis_sim.report.common import esc, html_head
    from axis_sim.scoring.report import CSS, HTML_FILE, reliability_section, summary_section

    parts = [html_head("Backtest", CSS), "<header><h1>Backtest</h1><p>Every origin of the "
             "registry scored on its resolved questions; the pooled scores hold the questions "
             "of the origins used for tuning, the held-out ones are scored apart.</p></header>"]
    for title, pooled in (("Pooled: origins used for tuning", result.pooled),
                          ("Held out: scored once, never tuned on", result.held_out)):
        parts.append(f"<h2>{esc(title)}</h2>")
        if pooled is None:
            parts.append('<p class="muted">No such origin.</p>')
            continue
        parts.append(f"<p>Origins: {esc(', '.join(pooled.summary['origins']))}</p>")
        parts += [summary_section(pooled), reliability_section(pooled)]
    parts.append("<h2>Each origin</h2><ul>" + "".join(
        f'<li><a href="{esc(o.origin.id)}/{HTML_FILE}">{esc(o.origin.id)}</a>: '
        f"{esc(o.scenario.meta.title)}" + (" (held out)" if o.origin.held_out else "") + "</li>"
        for o in result.origins) + "</ul>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
