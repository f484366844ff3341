"""Forecast scoring: check the model's worlds against questions that have since resolved.

- `load_questions(path) -> QuestionSet`: read and validate a questions file (YAML).
- `score(scenario, questions, runs=..., seed=..., portfolio=...) -> ScoreResult`: run the
  scenario and score it (Brier, log score and skill against two references for binary
  questions; CRPS and interval coverage for numeric ones).
- `render_score_text`, `render_score_html`, `write_score_report`: show and save the scores.
- `axis_sim.scoring.rules`: the scoring rules themselves, plain functions over numpy arrays.
"""

from axis_sim.scoring.forecast import ScoreResult, score, score_run
from axis_sim.scoring.questions import (
    Condition,
    Question,
    QuestionSet,
    load_questions,
    load_questions_text,
)
from axis_sim.scoring.report import render_score_html, render_score_text, write_score_report
from axis_sim.scoring.rules import (
    brier,
    brier_skill,
    crps_ensemble,
    interval_coverage,
    log_score,
    reliability_table,
)

__all__ = [
    "Condition",
    "Question",
    "QuestionSet",
    "ScoreResult",
    "brier",
    "brier_skill",
    "crps_ensemble",
    "interval_coverage",
    "load_questions",
    "load_questions_text",
    "log_score",
    "reliability_table",
    "render_score_html",
    "render_score_text",
    "score",
    "score_run",
    "write_score_report",
]
