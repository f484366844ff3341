"""Score the model as a forecaster: run a scenario and check its worlds against resolved questions.

Each question names an outcome and a month. The model's forecast is read from every world's
value of that outcome at the end of that month (month index = months since the scenario's
start, 0 = the start month):

- binary: the probability is the share of worlds meeting the question's condition; it is scored
  with the Brier score and the log score, and compared with two reference forecasters: always
  50%, and each question's `base_rate` (50% where a question gives none).
- numeric: the worlds' values are the predictive ensemble; it is scored with the CRPS (in the
  outcome's unit) and checked for whether the resolved value falls inside its central 50% and
  90% intervals.

`score` runs the scenario and scores it; `score_run` scores a run already made (with every
world's trajectory kept: `sample_worlds` equal to `runs`).
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from axis_sim.experiment.results import RunResult
from axis_sim.scenario.checks import late_items
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.loader import load_scenario, scenario_hash
from axis_sim.scenario.schema import STATUS_QUO, Scenario, month_index
from axis_sim.scoring.families import family_of
from axis_sim.scoring.questions import Question, QuestionSet, load_questions
from axis_sim.scoring.rules import (
    bootstrap_intervals,
    brier,
    brier_decomposition,
    brier_skill,
    crps_ensemble,
    interval_coverage,
    log_score,
    poisson_reference,
    reliability_table,
)

__all__ = ["QUESTION_COLUMNS", "ScoreResult", "score", "score_run"]

UNIFORM_FORECAST = 0.5
LOG_EPS = 1e-6  # the log score's clipping: a 0% forecast of what happened costs −ln(1e-6) ≈ 13.8
QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
RELIABILITY_BINS = 10

QUESTION_COLUMNS: tuple[str, ...] = (
    "id", "text", "kind", "outcome", "family", "month", "month_index", "condition", "forecast",
    "resolution", "score", "badness", "brier", "log_score", "base_rate", "base_rate_given",
    "brier_base_rate", "base_rate_from", "persistence", "brier_persistence",
    "crps", "relative_crps", "crps_base_rate", "crps_persistence", "p05", "p25", "p50", "p75",
    "p95", "in_50", "in_90", "pit", "worlds", "resolved_on", "source", "note",
)
"""Columns of `ScoreResult.questions` (see `score` for their meaning)."""


@dataclass
class ScoreResult:
    """Per-question scores (`questions`, worst first) and the overall numbers (`summary`).

    `questions` has one row per question, columns `QUESTION_COLUMNS`; `summary` is a JSON-ready
    dict (None where a number does not apply, e.g. Brier without binary questions).
    """

    questions: pd.DataFrame
    summary: dict[str, Any]

    def binary(self) -> pd.DataFrame:
        """The binary questions' rows, worst first."""
        return self.questions[self.questions["kind"] == "binary"]

    def numeric(self) -> pd.DataFrame:
        """The numeric questions' rows, worst first."""
        return self.questions[self.questions["kind"] == "numeric"]

    def reliability(self, bins: int = RELIABILITY_BINS) -> pd.DataFrame:
        """The binary forecasts' reliability table (see `rules.reliability_table`); empty
        without binary questions."""
        rows = self.binary()
        if rows.empty:
            return pd.DataFrame(columns=["bin_low", "bin_high", "mean_forecast",
                                         "observed_frequency", "count"])
        return reliability_table(rows["forecast"].to_numpy(float),
                                 rows["resolution"].to_numpy(float), bins)


def score(scenario: Scenario | str | Path, questions: QuestionSet | str | Path, *,
          runs: int | None = None, seed: int | None = None,
          portfolio: list[str] | None = None, jobs: int = 1) -> ScoreResult:
    """Run `scenario` and score its forecasts against the resolved `questions`.

    `runs` and `seed` default to the scenario's `experiment:` section. Every world's monthly
    trajectory is kept (`sample_worlds=runs`), which costs memory in proportion to runs ×
    months × outcomes: fine for a few thousand worlds. `portfolio` is passed to `axis_sim.run`
    as its `options` (e.g. `["sanctions_listing+warn_beijing"]`); the last portfolio run is the
    one scored, and without it status quo is. Raises `ScenarioError` (located in the questions
    file) when a question's outcome is not reported by the scenario or its month is outside the
    horizon.
    """
    from axis_sim.api import run  # the API imports the whole experiment stack

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not isinstance(questions, QuestionSet):
        questions = load_questions(questions)
    problems = questions.check_scenario(scenario)
    if problems:
        raise ScenarioError(problems)
    runs = scenario.experiment.runs if runs is None else runs
    # Effect questions compare further portfolios on the same worlds: run them too.
    scored = portfolio[-1] if portfolio else STATUS_QUO
    compared = [p for q in questions.questions if q.effect is not None
                for p in (q.effect.portfolio, q.effect.versus)]
    options = list(dict.fromkeys([*(portfolio or []), *compared]))
    logging.getLogger(__name__).info(
        "Simulating %s worlds × %d portfolios of %s…", f"{runs:,}", len({STATUS_QUO, *options}),
        scenario.meta.name)
    result = run(scenario, runs=runs, options=options, seed=seed, jobs=jobs, sample_worlds=runs)
    return score_run(result, questions, portfolio=scored)


def score_run(result: RunResult, questions: QuestionSet, *,
              portfolio: str = STATUS_QUO) -> ScoreResult:
    """Score the worlds of a run already made (under `portfolio`) against `questions`.

    The run must keep every world's trajectory (`sample_worlds` equal to `runs`), since each
    question needs every world's value at its own month.
    """
    scenario = result.scenario
    problems = questions.check_scenario(scenario)
    if problems:
        raise ScenarioError(problems)
    runs = int(result.manifest.get("runs", len(result.parameters)))
    trajectories = result.trajectories
    if portfolio not in set(trajectories["portfolio"]):
        raise ValueError(f"portfolio {portfolio!r} is not in the run "
                         f"(it has {', '.join(result.portfolios)})")
    kept = trajectories.loc[trajectories["portfolio"] == portfolio, "world"].nunique()
    if kept < runs:
        raise ValueError(f"the run kept the trajectories of {kept} of its {runs} worlds; "
                         "scoring needs all of them: run it with sample_worlds=runs")
    months: dict[str, dict[int, pd.DataFrame]] = {}

    def values_of(name: str, k: int, outcome: str) -> np.ndarray:
        """Every world's value of `outcome` at month `k` under portfolio `name`, by world."""
        if name not in months:
            if name not in set(trajectories["portfolio"]):
                raise ValueError(f"portfolio {name!r} is not in the run "
                                 f"(it has {', '.join(result.portfolios)})")
            rows = trajectories[trajectories["portfolio"] == name]
            months[name] = {m: f.sort_values("world") for m, f in rows.groupby("month")}
        return months[name][k][outcome].to_numpy(np.float64)

    records = []
    for question in questions.questions:
        k = month_index(scenario.meta.start, question.month)
        if question.effect is None:
            values = values_of(portfolio, k, question.outcome)
        else:  # the difference the action made, world by world on the same draws
            values = (values_of(question.effect.portfolio, k, question.outcome)
                      - values_of(question.effect.versus, k, question.outcome))
        records.append(_score_question(question, k, values))
    frame = pd.DataFrame.from_records(records, columns=list(QUESTION_COLUMNS))
    frame = frame.sort_values("badness", ascending=False, kind="stable", ignore_index=True)
    notes = _notes(questions)
    late = late_items(scenario)
    if late:
        notes.insert(0, f"IN-SAMPLE: {len(late)} of the scenario's items rest on evidence dated "
                        f"after its as_of {scenario.meta.as_of} (e.g. "
                        f"{', '.join(f for f, _ in late[:4])}), so these scores are not a clean "
                        "out-of-sample test.")
    summary = summarize_questions(frame, notes)
    summary.update({
        "questions_name": questions.name,
        "questions_file": questions.file,
        "scenario_name": scenario.meta.name,
        "scenario_hash": result.manifest.get("scenario_hash") or scenario_hash(scenario),
        "portfolio": portfolio,
        "runs": runs,
        "seed": result.manifest.get("seed"),
        "start": scenario.meta.start,
        "horizon_months": scenario.meta.horizon_months,
        "questions_hash": _questions_hash(questions),
        "as_of": scenario.meta.as_of,
        "late_items": len(late),
    })
    return ScoreResult(questions=frame, summary=summary)


def _score_question(question: Question, k: int, values: np.ndarray) -> dict[str, Any]:
    """One row of the questions table."""
    quantiles = dict(zip(QUANTILES, np.quantile(values, list(QUANTILES.values())), strict=True))
    row: dict[str, Any] = {
        "id": question.id, "text": question.text, "kind": question.kind,
        "outcome": question.outcome, "family": family_of(question.outcome),
        "month": question.month, "month_index": k,
        "condition": str(question.condition) if question.condition is not None else "",
        "worlds": len(values), "resolved_on": question.resolved_on.isoformat(),
        "source": question.source, "note": question.note or "",
        **{name: float(v) for name, v in quantiles.items()},
    }
    history, window = question.history, k + 1
    if question.kind == "binary":
        assert question.condition is not None  # the loader guarantees it
        p = float(np.mean(question.condition.holds(values)))
        y = float(bool(question.resolution))
        # The base-rate reference: computed from the record's counts where the question gives
        # them, else the question's stated base rate, else 50%.
        if history is not None:
            reference = poisson_reference(history.count / history.months, window,
                                          question.condition.holds, history.level)
            source = "history"
        elif question.base_rate is not None:
            reference, source = question.base_rate, "stated"
        else:
            reference, source = UNIFORM_FORECAST, "none (50%)"
        persistence = (poisson_reference((history.previous + 0.5) / window, window,
                                         question.condition.holds, history.level)
                       if history is not None and history.previous is not None else np.nan)
        b = brier([p], [y])
        row.update({
            "forecast": p, "resolution": y, "score": b, "badness": b, "brier": b,
            "log_score": log_score([p], [y], LOG_EPS), "base_rate": reference,
            "base_rate_given": source != "none (50%)", "base_rate_from": source,
            "brier_base_rate": brier([reference], [y]), "persistence": persistence,
            "brier_persistence": (brier([persistence], [y]) if np.isfinite(persistence)
                                  else np.nan),
        })
    else:
        y = float(question.resolution)
        crps = float(crps_ensemble(values, y))
        # On the scale of the resolved value (of the ensemble's typical size when it is 0, so a
        # question resolved at 0 still ranks); CRPS <= E|X − y|, so with y = 0 it is at most 1.
        scale = abs(y) if y != 0 else float(np.mean(np.abs(values)))
        row.update({
            "forecast": quantiles["p50"], "resolution": y, "score": crps,
            "badness": crps / scale if scale > 0 else 0.0, "crps": crps,
            "relative_crps": crps / scale if scale > 0 else 0.0,
            "in_50": bool(interval_coverage(values, y, 0.5)),
            "in_90": bool(interval_coverage(values, y, 0.9)),
            "pit": float(np.mean(values < y) + 0.5 * np.mean(values == y)),
        })
        if history is not None:
            rng = np.random.default_rng(0)  # fixed: a reference forecast is not random
            row["crps_base_rate"] = float(crps_ensemble(
                history.level + rng.poisson(history.count / history.months * window, 4000), y))
            if history.previous is not None:
                row["crps_persistence"] = float(crps_ensemble(
                    history.level + rng.poisson(history.previous + 0.5, 4000), y))
    return row


def _notes(questions: QuestionSet) -> list[str]:
    """Caveats a reader of the scores should see."""
    binary = [q for q in questions.questions if q.kind == "binary"]
    # A question's base-rate reference comes from its `history` counts, else its stated
    # `base_rate`; only one with neither falls back to 50%.
    missing = [q.id for q in binary if q.base_rate is None and q.history is None]
    notes = []
    if missing and len(missing) == len(binary):
        notes.append("No binary question gives a history or a base_rate, so the base-rate "
                     "reference is the same as the 50% reference.")
    elif missing:
        notes.append(f"{len(missing)} of {len(binary)} binary questions give neither a history "
                     f"nor a base_rate; the base-rate reference uses 50% for them "
                     f"({', '.join(missing)}).")
    return notes


def summarize_questions(frame: pd.DataFrame, notes: list[str]) -> dict[str, Any]:
    """The overall numbers: JSON-ready, None where a number does not apply."""
    binary = frame[frame["kind"] == "binary"]
    numeric = frame[frame["kind"] == "numeric"]
    summary: dict[str, Any] = {
        "questions": len(frame), "binary": len(binary), "numeric": len(numeric),
        "brier": None, "log_score": None,
        "brier_uniform": None, "log_score_uniform": None,
        "brier_skill_uniform": None, "log_skill_uniform": None,
        "brier_base_rate": None, "log_score_base_rate": None,
        "brier_skill_base_rate": None, "log_skill_base_rate": None,
        "base_rate_given": int(binary["base_rate_given"].astype(bool).sum()),
        "base_rate_missing": int((~binary["base_rate_given"].astype(bool)).sum()),
        "crps_mean": None, "relative_crps_mean": None,
        "coverage_50": None, "coverage_90": None, "notes": list(notes),
        "intervals": {}, "decomposition": None, "by_resolution": {}, "by_family": {},
        "coverage_50_count": None, "coverage_90_count": None,
    }
    if len(binary):
        p = binary["forecast"].to_numpy(float)
        y = binary["resolution"].to_numpy(float)
        base = binary["base_rate"].to_numpy(float)
        uniform = np.full_like(p, UNIFORM_FORECAST)
        model_brier, model_log = brier(p, y), log_score(p, y, LOG_EPS)
        for name, ref in (("uniform", uniform), ("base_rate", base)):
            ref_brier, ref_log = brier(ref, y), log_score(ref, y, LOG_EPS)
            summary[f"brier_{name}"] = ref_brier
            summary[f"log_score_{name}"] = ref_log
            summary[f"brier_skill_{name}"] = _json_number(brier_skill(model_brier, ref_brier))
            summary[f"log_skill_{name}"] = _json_number(brier_skill(model_log, ref_log))
            if ref_brier == 0:
                summary["notes"].append(
                    f"The {name.replace('_', ' ')} reference forecast every binary question "
                    "perfectly (probability 0 or 1, and right), so skill against it is undefined "
                    "(None) unless the model is perfect too.")
        summary["brier"], summary["log_score"] = model_brier, model_log
        # How sure the scores are: which questions happened to be asked (bootstrap, 90%).
        summary["intervals"] = {k: [_json_number(lo), _json_number(hi)] for k, (lo, hi) in
                                bootstrap_intervals(p, y, {"uniform": uniform, "base_rate": base},
                                                    eps=LOG_EPS).items()}
        summary["decomposition"] = brier_decomposition(p, y, RELIABILITY_BINS)
        summary["persistence"] = _persistence(binary)
        summary["by_resolution"] = {
            label: _binary_scores(binary[binary["resolution"] == value])
            for label, value in (("yes", 1.0), ("no", 0.0))
            if (binary["resolution"] == value).any()}
    if len(numeric):
        summary["crps_mean"] = float(numeric["crps"].mean())
        summary["relative_crps_mean"] = float(numeric["relative_crps"].mean())
        summary["coverage_50"] = float(numeric["in_50"].astype(bool).mean())
        summary["coverage_90"] = float(numeric["in_90"].astype(bool).mean())
        for name in ("base_rate", "persistence"):
            column = numeric[f"crps_{name}"].astype(float)
            known = column.notna()
            if known.any():
                summary[f"crps_skill_{name}"] = _json_number(
                    1.0 - float(numeric.loc[known, "crps"].sum()) / float(column[known].sum()))
                summary[f"crps_{name}_questions"] = int(known.sum())
        summary["coverage_50_count"] = [int(numeric["in_50"].astype(bool).sum()), len(numeric)]
        summary["coverage_90_count"] = [int(numeric["in_90"].astype(bool).sum()), len(numeric)]
    summary["by_family"] = {
        family: {**(_binary_scores(rows[rows["kind"] == "binary"])
                    if (rows["kind"] == "binary").any() else {"binary": 0}),
                 "numeric": int((rows["kind"] == "numeric").sum()),
                 "relative_crps_mean": _json_number(float(
                     rows.loc[rows["kind"] == "numeric", "relative_crps"].mean()))
                 if (rows["kind"] == "numeric").any() else None}
        for family, rows in frame.groupby("family", sort=True)}
    return summary


def _persistence(binary: pd.DataFrame) -> dict[str, Any] | None:
    """The persistence reference (the previous window's count, as a Poisson rate) on the
    binary questions that give it, and the model's skill against it on those same questions."""
    rows = binary[binary["persistence"].astype(float).notna()]
    if rows.empty:
        return None
    p, y = rows["forecast"].to_numpy(float), rows["resolution"].to_numpy(float)
    ref = rows["persistence"].to_numpy(float)
    model_brier, ref_brier = brier(p, y), brier(ref, y)
    model_log, ref_log = log_score(p, y, LOG_EPS), log_score(ref, y, LOG_EPS)
    return {"questions": len(rows), "brier": ref_brier, "log_score": ref_log,
            "model_brier": model_brier, "model_log_score": model_log,
            "brier_skill": _json_number(brier_skill(model_brier, ref_brier)),
            "log_skill": _json_number(brier_skill(model_log, ref_log))}


def _binary_scores(rows: pd.DataFrame) -> dict[str, Any]:
    """Brier and log score of some binary questions, with both references' on the same ones."""
    p = rows["forecast"].to_numpy(float)
    y = rows["resolution"].to_numpy(float)
    base = rows["base_rate"].to_numpy(float)
    uniform = np.full_like(p, UNIFORM_FORECAST)
    return {"binary": len(rows), "brier": brier(p, y), "log_score": log_score(p, y, LOG_EPS),
            "brier_uniform": brier(uniform, y), "brier_base_rate": brier(base, y),
            "log_score_uniform": log_score(uniform, y, LOG_EPS),
            "log_score_base_rate": log_score(base, y, LOG_EPS)}


def _json_number(value: float) -> float | None:
    """Infinite skills (a perfect reference beaten by nothing) are written as None."""
    return value if math.isfinite(value) else None


def _questions_hash(questions: QuestionSet) -> str:
    """A fingerprint of the validated questions, recorded with the scores."""
    payload = questions.model_dump_json(exclude_none=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
