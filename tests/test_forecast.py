"""Scoring a scenario's worlds against resolved questions, and the score report."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.offline
import pytest
from scipy import stats

from axis_sim.api import run
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.schema import Scenario
from axis_sim.scoring import (
    QuestionSet,
    ScoreResult,
    crps_ensemble,
    load_questions,
    render_score_html,
    render_score_text,
    score,
    score_run,
    write_score_report,
)
from axis_sim.scoring.forecast import QUESTION_COLUMNS

PROBE = "<script>alert('q')</script> & <b>bold</b>"
RUNS = 200
SEED = 5

QUESTIONS = f"""\
meta:
  name: test_backtest
  description: "Questions about the first year. {PROBE}"
questions:
  - id: arms_for_food
    text: Are Russia and the DPRK trading arms for food by December 2023?
    outcome: cooperation_level
    kind: binary
    month: 2023-12
    condition: {{op: ">=", value: 1}}
    resolution: true
    resolved_on: 2024-01-15
    source: Public reporting of rail traffic at Tumangang
    base_rate: 0.3
  - id: nuclear_test
    text: "Will the DPRK conduct a seventh nuclear test by June 2024? {PROBE}"
    outcome: nuclear_test
    kind: binary
    month: 2024-06
    condition: {{op: "==", value: 1}}
    resolution: false
    resolved_on: 2024-07-01
    source: "CTBTO and KMA seismic monitoring {PROBE}"
  - id: treaty_by_summer
    text: Is the 1961 treaty reactivated by July 2024?
    outcome: treaty_reactivated
    kind: binary
    month: 2024-07
    condition: {{op: ">", value: 0}}
    resolution: true
    resolved_on: 2024-06-19
    source: Comprehensive Strategic Partnership treaty signed in Pyongyang, 19 June 2024
    note: "The new treaty stands in for the old one. {PROBE}"
  - id: shells_feb
    text: How many artillery rounds had been shipped by February 2024?
    outcome: munitions_shipped
    kind: numeric
    month: 2024-02
    resolution: 1.0e+6
    resolved_on: 2024-03-10
    source: ROK Ministry of National Defense estimate
  - id: summits_aug
    text: How many Kim–Putin summits had been held by August 2024?
    outcome: summits_held
    kind: numeric
    month: 2024-08
    resolution: 1
    resolved_on: 2024-09-01
    source: The Vostochny summit of September 2023; the Pyongyang summit came in June 2024
"""


@pytest.fixture(scope="module")
def questions_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("questions") / "questions.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def questions(questions_path: Path) -> QuestionSet:
    return load_questions(questions_path)


@pytest.fixture(scope="module")
def scored(short_baseline: Scenario, questions: QuestionSet) -> ScoreResult:
    return score(short_baseline, questions, runs=RUNS, seed=SEED)


def row(result: ScoreResult, question_id: str) -> pd.Series:
    return result.questions.set_index("id").loc[question_id]


# --- scores ------------------------------------------------------------------------------------


def test_questions_table(scored: ScoreResult) -> None:
    table = scored.questions
    assert list(table.columns) == list(QUESTION_COLUMNS)
    assert len(table) == 5
    assert (table["worlds"] == RUNS).all()
    assert row(scored, "arms_for_food")["month_index"] == 3
    assert row(scored, "summits_aug")["month_index"] == 11
    # Worst first, by Brier for binary and CRPS relative to the resolved value for numeric.
    assert table["badness"].is_monotonic_decreasing


def test_binary_forecasts(scored: ScoreResult) -> None:
    arms = row(scored, "arms_for_food")
    assert arms["forecast"] >= 0.95  # the ladder starts at arms for food in every world
    assert arms["resolution"] == 1.0
    assert arms["brier"] == pytest.approx((arms["forecast"] - 1) ** 2)
    assert arms["base_rate"] == 0.3 and arms["base_rate_given"]
    test = row(scored, "nuclear_test")
    assert 0 < test["forecast"] < 1
    assert test["brier"] == pytest.approx(test["forecast"] ** 2)
    assert test["log_score"] == pytest.approx(-math.log(1 - test["forecast"]))
    assert test["base_rate"] == 0.5 and not test["base_rate_given"]
    assert test["condition"] == "== 1"
    assert scored.binary()["score"].equals(scored.binary()["brier"])


def test_binary_forecast_is_the_share_of_worlds(short_baseline: Scenario,
                                                questions: QuestionSet,
                                                scored: ScoreResult) -> None:
    result = run(short_baseline, runs=RUNS, seed=SEED, sample_worlds=RUNS, options=[])
    again = score_run(result, questions)
    pd.testing.assert_frame_equal(again.questions, scored.questions)
    june = result.trajectories.query("portfolio == 'status_quo' and month == 9")
    assert row(scored, "nuclear_test")["forecast"] == pytest.approx(
        (june["nuclear_test"] == 1).mean())


def test_numeric_forecasts(short_baseline: Scenario, scored: ScoreResult) -> None:
    shells = row(scored, "shells_feb")
    assert shells["p05"] <= shells["p25"] <= shells["p50"] <= shells["p75"] <= shells["p95"]
    assert shells["forecast"] == shells["p50"]
    assert shells["crps"] >= 0 and shells["score"] == shells["crps"]
    assert shells["relative_crps"] == pytest.approx(shells["crps"] / 1e6)
    assert 0 <= shells["pit"] <= 1
    assert shells["in_90"] == (shells["p05"] <= 1e6 <= shells["p95"])
    result = run(short_baseline, runs=RUNS, seed=SEED, sample_worlds=RUNS, options=[])
    feb = result.trajectories.query("portfolio == 'status_quo' and month == 5")
    values = feb.sort_values("world")["munitions_shipped"].to_numpy(float)
    assert shells["crps"] == pytest.approx(crps_ensemble(values, 1e6))
    assert shells["p50"] == pytest.approx(np.median(values))


def test_summary(scored: ScoreResult) -> None:
    s = scored.summary
    assert (s["questions"], s["binary"], s["numeric"]) == (5, 3, 2)
    binary = scored.binary()
    assert s["brier"] == pytest.approx(binary["brier"].mean())
    assert s["log_score"] == pytest.approx(binary["log_score"].mean())
    assert s["brier_uniform"] == pytest.approx(0.25)
    assert s["log_score_uniform"] == pytest.approx(math.log(2))
    assert s["brier_skill_uniform"] == pytest.approx(1 - s["brier"] / 0.25)
    base_brier = np.mean([(0.3 - 1) ** 2, 0.5**2, 0.5**2])
    assert s["brier_base_rate"] == pytest.approx(base_brier)
    assert s["brier_skill_base_rate"] == pytest.approx(1 - s["brier"] / base_brier)
    assert (s["base_rate_given"], s["base_rate_missing"]) == (1, 2)
    assert any("base-rate reference uses 50%" in n and "nuclear_test" in n for n in s["notes"])
    numeric = scored.numeric()
    assert s["crps_mean"] == pytest.approx(numeric["crps"].mean())
    assert s["coverage_90"] == pytest.approx(numeric["in_90"].astype(bool).mean())
    assert (s["portfolio"], s["runs"], s["seed"]) == ("status_quo", RUNS, SEED)
    assert s["scenario_name"] == "baseline" and s["questions_name"] == "test_backtest"
    json.dumps(s, allow_nan=False)  # JSON-ready: no NaN


def test_summary_says_how_sure_it_is_and_where(scored: ScoreResult) -> None:
    """Bootstrap intervals around the scores, Brier's decomposition, and the split by how the
    questions resolved and by outcome family, each consistent with the questions' rows."""
    s, binary = scored.summary, scored.binary()
    low, high = s["intervals"]["brier"]
    assert low <= s["brier"] <= high
    assert set(s["intervals"]) >= {"log_score", "brier_skill_uniform", "brier_skill_base_rate"}
    parts = s["by_resolution"]
    assert sum(part["binary"] for part in parts.values()) == len(binary)
    for label, value in (("yes", 1.0), ("no", 0.0)):
        if label in parts:
            rows = binary[binary["resolution"] == value]
            assert parts[label]["brier"] == pytest.approx(rows["brier"].mean())
    families = s["by_family"]
    assert sum(f["binary"] for f in families.values()) == len(binary)
    assert sum(f["numeric"] for f in families.values()) == len(scored.numeric())
    assert set(scored.questions["family"]) == set(families)
    d = s["decomposition"]
    assert s["brier"] == pytest.approx(d["reliability"] - d["resolution"] + d["uncertainty"]
                                       + d["residual"])
    assert s["coverage_90_count"][1] == len(scored.numeric())


def test_reliability_bins_hold_every_binary_question(scored: ScoreResult) -> None:
    table = scored.reliability()
    assert table["count"].sum() == scored.summary["binary"] == 3
    assert len(scored.reliability(bins=5)) == 5


def test_portfolio_is_scored(short_baseline: Scenario, questions: QuestionSet) -> None:
    result = score(short_baseline, questions, runs=60, seed=SEED,
                   portfolio=["sanctions_listing+warn_beijing"])
    assert result.summary["portfolio"] == "sanctions_listing+warn_beijing"
    assert len(result.questions) == 5


def test_month_outside_horizon_is_a_located_error(short_baseline: Scenario,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "late.yaml"
    path.write_text(QUESTIONS.replace("month: 2024-08", "month: 2024-09"), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        score(short_baseline, path, runs=20, seed=1)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{path}:46:12: questions[4].month: month 2024-09 is outside "
                                   "the horizon")
    assert "'summits_aug'" in str(problem)


def test_run_without_every_trajectory_is_refused(short_baseline: Scenario,
                                                 questions: QuestionSet) -> None:
    result = run(short_baseline, runs=40, seed=1, sample_worlds=10, options=[])
    with pytest.raises(ValueError, match="sample_worlds=runs"):
        score_run(result, questions)
    full = run(short_baseline, runs=20, seed=1, sample_worlds=20, options=[])
    with pytest.raises(ValueError, match="portfolio 'warn_beijing' is not in the run"):
        score_run(full, questions, portfolio="warn_beijing")


def test_perfect_and_anti_perfect_forecasts_through_the_pipeline(
        short_baseline: Scenario, questions: QuestionSet, tmp_path: Path) -> None:
    # Questions resolved exactly as every world has it (the ladder is at rung 1 or more from
    # the start, rung 5 is never reached) score Brier 0; resolved the other way, Brier 1.
    template = textwrap.dedent("""\
        questions:
          - id: certain
            text: Rung 1 or more?
            outcome: cooperation_level
            kind: binary
            month: 2023-10
            condition: {{op: ">=", value: 1}}
            resolution: {yes}
            resolved_on: 2023-11-01
            source: synthetic
          - id: impossible
            text: Above rung 4?
            outcome: cooperation_level
            kind: binary
            month: 2023-10
            condition: {{op: ">", value: 4}}
            resolution: {no}
            resolved_on: 2023-11-01
            source: synthetic
        """)
    result = run(short_baseline, runs=30, seed=2, sample_worlds=30, options=[])
    for yes, no, expected in (("true", "false", 0.0), ("false", "true", 1.0)):
        path = tmp_path / f"synthetic_{yes}.yaml"
        path.write_text(template.format(yes=yes, no=no), encoding="utf-8")
        scores = score_run(result, load_questions(path))
        assert scores.summary["brier"] == expected
        assert scores.reliability()["count"].sum() == 2


# --- report ------------------------------------------------------------------------------------


def test_text_report(scored: ScoreResult) -> None:
    text = render_score_text(scored)
    assert "Brier" in text and "always 50%" in text and "base rates" in text
    lines = text.splitlines()
    order = [q for q in scored.questions["id"]]
    positions = [next(i for i, line in enumerate(lines) if line.strip().startswith(q))
                 for q in order]
    assert positions == sorted(positions)


def test_html_report_is_offline_and_escaped(scored: ScoreResult, short_baseline: Scenario,
                                            questions: QuestionSet) -> None:
    page = render_score_html(scored, short_baseline, questions)
    assert page.startswith("<!DOCTYPE html>")
    assert PROBE not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;q&#x27;)&lt;/script&gt;" in page
    assert page.count(plotly.offline.get_plotlyjs()[:200]) == 1  # plotly.js embedded once
    assert "<script src=" not in page  # nothing fetched: no CDN plotly.js, no MathJax
    assert "window.MathJax" not in page.split(plotly.offline.get_plotlyjs())[1]
    assert page.count("Plotly.newPlot(") == 1 + scored.summary["numeric"]
    for key in ("brier_skill_uniform", "brier_skill_base_rate"):
        assert f"{scored.summary[key]:+.2f}".replace("-", "−") in page
    assert "Reliability" in page and "worst scored first" in page


def test_write_score_report(scored: ScoreResult, short_baseline: Scenario,
                            questions: QuestionSet, tmp_path: Path) -> None:
    folder = write_score_report(scored, short_baseline, questions, tmp_path / "out")
    assert folder == tmp_path / "out"
    assert sorted(p.name for p in folder.iterdir()) == ["questions.csv", "score.html",
                                                        "summary.json"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["brier"] == pytest.approx(scored.summary["brier"])
    table = pd.read_csv(folder / "questions.csv")
    assert table["id"].tolist() == scored.questions["id"].tolist()


def test_references_computed_from_the_record(short_baseline: Scenario, tmp_path: Path) -> None:
    """A question that gives the record's counts gets its base-rate reference from them (a
    Poisson rate over the question's window) and a persistence reference from the previous
    window's count; the summary scores the model against persistence on those questions."""
    text = """questions:
  - id: srbm_by_2023_12
    text: Do short-range launches reach 6 by December 2023?
    outcome: short_range_launches
    kind: binary
    month: 2023-12
    condition: {op: ">=", value: 6}
    resolution: true
    resolved_on: 2023-12-31
    source: A test question.
    history: {count: 24, months: 24, previous: 2, source: A test record.}
  - id: srbm_count_2023_12
    text: How many short-range launch events by December 2023?
    outcome: short_range_launches
    kind: numeric
    month: 2023-12
    resolution: 9
    resolved_on: 2023-12-31
    source: A test question.
    history: {count: 24, months: 24, previous: 2, source: A test record.}
"""
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    result = score(short_baseline, path, runs=RUNS, seed=SEED)
    row = result.binary().iloc[0]
    window = 4  # September to December 2023
    expected = 1 - stats.poisson.cdf(5, 24 / 24 * window)
    assert row["base_rate"] == pytest.approx(expected) and row["base_rate_from"] == "history"
    assert row["persistence"] == pytest.approx(1 - stats.poisson.cdf(5, 2.5))
    persistence = result.summary["persistence"]
    assert persistence["questions"] == 1
    assert persistence["brier"] == pytest.approx((row["persistence"] - 1) ** 2)
    numeric = result.numeric().iloc[0]
    assert numeric["crps_base_rate"] > 0 and numeric["crps_persistence"] > 0
    assert result.summary["crps_base_rate_questions"] == 1
    # An outcome that stands above 0 at the origin: the references count from its level.
    path.write_text(text.replace("previous: 2,", "previous: 2, level: 3,"), encoding="utf-8")
    lifted = score(short_baseline, path, runs=RUNS, seed=SEED).binary().iloc[0]
    assert lifted["base_rate"] == pytest.approx(1 - stats.poisson.cdf(2, window))
    assert lifted["persistence"] == pytest.approx(1 - stats.poisson.cdf(2, 2.5))


def test_effect_questions_score_the_paired_difference(short_baseline: Scenario,
                                                      tmp_path: Path) -> None:
    """A question about the difference an action made is scored on the worlds' paired
    differences (the action's portfolio minus the comparison, same worlds and draws)."""
    text = """questions:
  - id: listings_raise_designations
    text: Did the listing campaign add designations by December 2023?
    outcome: listed_entities
    kind: binary
    month: 2023-12
    effect: {portfolio: sanctions_listing}
    condition: {op: ">", value: 0}
    resolution: true
    resolved_on: 2023-12-31
    source: A test episode.
  - id: listings_cut_shipments
    text: How many rounds did the listings keep from Russia by December 2023?
    outcome: munitions_shipped
    kind: numeric
    month: 2023-12
    effect: {portfolio: sanctions_listing, versus: status_quo}
    resolution: -50000
    resolved_on: 2023-12-31
    source: A test episode.
"""
    path = tmp_path / "effects.yaml"
    path.write_text(text, encoding="utf-8")
    result = score(short_baseline, path, runs=RUNS, seed=SEED)
    from axis_sim.api import run

    direct = run(short_baseline, runs=RUNS, seed=SEED, options=["sanctions_listing"],
                 sample_worlds=RUNS).trajectories
    k = 3  # December 2023
    at = direct[direct["month"] == k].sort_values("world")
    diff = (at[at["portfolio"] == "sanctions_listing"]["listed_entities"].to_numpy()
            - at[at["portfolio"] == "status_quo"]["listed_entities"].to_numpy())
    binary = result.binary().iloc[0]
    assert binary["forecast"] == pytest.approx(np.mean(diff > 0))
    assert binary["forecast"] > 0.5  # the campaign lists more in most worlds
    shipped = (at[at["portfolio"] == "sanctions_listing"]["munitions_shipped"].to_numpy()
               - at[at["portfolio"] == "status_quo"]["munitions_shipped"].to_numpy())
    numeric = result.numeric().iloc[0]
    assert numeric["p50"] == pytest.approx(np.median(shipped), rel=1e-5, abs=1.0)


def test_an_effect_on_an_unknown_portfolio_is_located(short_baseline: Scenario,
                                                      tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("""questions:
  - id: q
    text: A question.
    outcome: listed_entities
    kind: binary
    month: 2023-12
    effect: {portfolio: sanction_listing}
    condition: {op: ">", value: 0}
    resolution: true
    resolved_on: 2023-12-31
    source: A test episode.
""", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        score(short_baseline, path, runs=20, seed=1)
    assert f"{path}:7:" in str(caught.value) and "effect.portfolio" in str(caught.value)
