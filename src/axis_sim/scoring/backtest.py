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
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from axis_sim.io import atomic_write_text
from axis_sim.report import markdown
from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import load_scenario, read_yaml
from axis_sim.scenario.schema import Scenario, month_label
from axis_sim.scoring.forecast import ScoreResult, score, summarize_questions
from axis_sim.scoring.questions import QuestionSet, load_questions
from axis_sim.scoring.report import json_ready, render_score_text

REGISTRY = Path("questions") / "origins.yaml"
log = logging.getLogger(__name__)  # stage messages; the command line prints them


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
    overall: ScoreResult | None = None  # every origin's questions together

    def summary(self) -> dict[str, Any]:
        """Everything as JSON-ready data, with the table of every origin's headline scores."""
        return json_ready({
            "origins": {o.origin.id: {"held_out": o.origin.held_out,
                                      "as_of": str(o.scenario.meta.as_of),
                                      "window": _window(o), **o.result.summary}
                        for o in self.origins},
            "pooled": None if self.pooled is None else self.pooled.summary,
            "held_out": None if self.held_out is None else self.held_out.summary,
            "overall": None if self.overall is None else self.overall.summary,
            "table": origin_table(self).to_dict(orient="records"),
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
    for number, origin in enumerate(reg.origins, 1):
        log.info("Origin %s (%d of %d): %s…", origin.id, number, len(reg.origins),
                 origin.scenario)
        scenario = load_scenario(folder / origin.scenario)
        questions = load_questions(folder / origin.questions)
        result = score(scenario, questions, runs=runs, seed=seed, jobs=jobs,
                       portfolio=[origin.portfolio])
        done.append(OriginResult(origin, scenario, questions, result))
    return BacktestResult(done, _pool([o for o in done if not o.origin.held_out]),
                          _pool([o for o in done if o.origin.held_out]), _pool(done))


def _window(o: OriginResult) -> str:
    """The months an origin's questions can ask about, e.g. "2016-01 to 2017-12"."""
    meta = o.scenario.meta
    return f"{meta.start} to {month_label(meta.start, meta.horizon_months - 1)}"


# The columns of the origins table: label, summary key, and which bootstrap interval goes with it.
_TABLE_SCORES: tuple[tuple[str, str, str | None], ...] = (
    ("Brier", "brier", "brier"),
    ("skill vs 50%", "brier_skill_uniform", "brier_skill_uniform"),
    ("skill vs base rates", "brier_skill_base_rate", "brier_skill_base_rate"),
    ("log score", "log_score", "log_score"),
)


def origin_table(result: BacktestResult) -> pd.DataFrame:
    """One row per origin and per pool (tuning, held out, all): questions by kind, Brier and
    log score and Brier skill against always-50%, the base rates and persistence, each with
    its 90% bootstrap interval, numeric CRPS skill and interval coverage. Numbers, not text:
    the Markdown and HTML reports format them."""
    rows = []
    named = [(o.origin.id + (" (held out)" if o.origin.held_out else ""), o.result,
              sum(q.effect is not None for q in o.questions.questions)) for o in result.origins]
    effects = sum(n for _, _, n in named)
    held_effects = sum(sum(q.effect is not None for q in o.questions.questions)
                       for o in result.origins if o.origin.held_out)
    pools = [("pooled: tuning origins", result.pooled, effects - held_effects),
             ("pooled: held out", result.held_out, held_effects),
             ("all origins", result.overall, effects)]
    for label, scored, n_effects in [*named, *pools]:
        if scored is None:
            continue
        s = scored.summary
        row: dict[str, Any] = {"origin": label, "questions": s["questions"],
                               "binary": s["binary"], "numeric": s["numeric"],
                               "effect": n_effects}
        for name, key, interval in _TABLE_SCORES:
            row[name] = s.get(key)
            low, high = (s.get("intervals") or {}).get(interval, (None, None))
            row[f"{name} low"], row[f"{name} high"] = low, high
        persistence = s.get("persistence") or {}
        row["skill vs persistence"] = persistence.get("brier_skill")
        row["persistence questions"] = persistence.get("questions", 0)
        row["CRPS skill vs base rates"] = s.get("crps_skill_base_rate")
        row["CRPS skill vs persistence"] = s.get("crps_skill_persistence")
        covered = s.get("coverage_90_count")
        row["in 90% interval"] = f"{covered[0]}/{covered[1]}" if covered else ""
        rows.append(row)
    return pd.DataFrame(rows)


def _cell(value: Any, signed: bool = False) -> str:
    """A score for people: three decimals, a sign on skills, a dash when it does not apply."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, int | str):
        return str(value)
    text = f"{value:+.2f}" if signed else f"{value:.3f}"
    return text.replace("-", "−")  # the typographic minus, as in the per-origin reports


def table_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """The origins table as header and rows of text: each score with its 90% interval."""
    header = ["origin", "questions (binary / numeric / effect)",
              *(name for name, _, _ in _TABLE_SCORES), "skill vs persistence",
              "CRPS skill vs base rates", "numeric in 90% interval"]
    rows = []
    for rec in table.to_dict(orient="records"):
        row = [rec["origin"],
               f"{rec['questions']} ({rec['binary']} / {rec['numeric']} / {rec['effect']})"]
        for name, _, _ in _TABLE_SCORES:
            signed = name.startswith("skill")
            text = _cell(rec[name], signed)
            if rec[f"{name} low"] is not None and text != "–":
                text += (f" [{_cell(rec[f'{name} low'], signed)}, "
                         f"{_cell(rec[f'{name} high'], signed)}]")
            row.append(text)
        persistence = _cell(rec["skill vs persistence"], True)
        if persistence != "–":
            persistence += f" (on {rec['persistence questions']})"
        row += [persistence, _cell(rec["CRPS skill vs base rates"], True),
                rec["in 90% interval"] or "–"]
        rows.append(row)
    return header, rows


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
    lines = ["# Backtest", "", "Every origin, and the origins pooled; 90% bootstrap intervals in "
             "brackets; a skill above 0 beats that reference.", ""]
    header, rows = table_rows(origin_table(result))
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines.append("")
    for title, pooled in (("Pooled (origins used for tuning)", result.pooled),
                          ("Held out (scored once, never tuned on)", result.held_out),
                          ("All origins", result.overall)):
        lines += [f"## {title}", ""]
        if pooled is None:
            lines += ["No such origin.", ""]
            continue
        lines += ["Origins: " + ", ".join(pooled.summary["origins"]), "",
                  *markdown.fence(_text_of(pooled).rstrip()), ""]
    for o in result.origins:
        lines += [f"## Origin {o.origin.id}" + (" (held out)" if o.origin.held_out else ""), "",
                  *markdown.fence(render_score_text(o.result, text=markdown.escape).rstrip()),
                  ""]
    return markdown.document(lines)


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
    """One offline page (a Jinja2 template, autoescaped): the origins table, the pooled,
    held-out and all-origin scores with their reliability diagrams, and a link to each
    origin's own report."""
    from axis_sim.report.common import html_head
    from axis_sim.report.templates import markup, render
    from axis_sim.scoring.report import CSS, HTML_FILE, reliability_section, summary_section

    header, rows = table_rows(origin_table(result))
    pools = [{"title": title, "origins": None if pooled is None else pooled.summary["origins"],
              "summary": None if pooled is None else markup(summary_section(pooled, key)),
              "reliability": None if pooled is None else markup(reliability_section(pooled,
                                                                                    key))}
             for key, title, pooled in (
                 ("tuning", "Pooled: origins used for tuning", result.pooled),
                 ("held-out", "Held out: scored once, never tuned on", result.held_out),
                 ("all", "All origins together", result.overall))]
    origins = [{"id": o.origin.id, "href": f"{o.origin.id}/{HTML_FILE}",
                "title": o.scenario.meta.title, "as_of": str(o.scenario.meta.as_of),
                "window": _window(o), "held_out": o.origin.held_out,
                "reliability": markup(reliability_section(o.result, f"origin-{o.origin.id}"))}
               for o in result.origins]
    return render("backtest.html", head=markup(html_head("Backtest", CSS)), header=header,
                  rows=rows, pools=pools, origins=origins)
