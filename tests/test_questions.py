"""Questions files: what loads, and problems located at file:line:column like scenario errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.schema import Scenario
from axis_sim.scoring.questions import (
    OPERATORS,
    Condition,
    load_questions,
    load_questions_text,
)

GOOD = """\
meta:
  name: backtest
  description: What happened after September 2023.
questions:
  - id: arms_for_food
    text: Are Russia and the DPRK trading arms for food by December 2023?
    outcome: cooperation_level
    kind: binary
    month: 2023-12
    condition: {op: ">=", value: 1}
    resolution: true
    resolved_on: 2024-01-15
    source: Public reporting of rail traffic at Tumangang
    base_rate: 0.4
  - id: nuclear_test
    text: Will the DPRK conduct a seventh nuclear test by June 2024?
    outcome: nuclear_test
    kind: binary
    month: 2024-06
    condition: {op: "==", value: 1}
    resolution: false
    resolved_on: 2024-07-01
    source: CTBTO and KMA seismic monitoring
  - id: shells_feb
    text: How many artillery rounds had been shipped by February 2024?
    outcome: munitions_shipped
    kind: numeric
    month: 2024-02
    resolution: 1.5e+6
    resolved_on: 2024-03-10
    source: ROK Ministry of National Defense estimate
    note: Roughly 6,700 containers at ~300 rounds each.
"""


def write(tmp_path: Path, text: str, name: str = "questions.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_questions(path)
    return [str(p) for p in caught.value.problems]


def replaced(old: str, new: str, text: str = GOOD) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- loading -----------------------------------------------------------------------------------


def test_good_file_loads(tmp_path: Path) -> None:
    questions = load_questions(write(tmp_path, GOOD))
    assert questions.name == "backtest"
    assert questions.file.endswith("questions.yaml")
    assert [q.id for q in questions.questions] == ["arms_for_food", "nuclear_test", "shells_feb"]
    first, second, third = questions.questions
    assert first.resolution is True and first.base_rate == 0.4
    assert second.resolution is False and second.base_rate is None
    assert third.resolution == 1.5e6 and isinstance(third.resolution, float)
    assert first.label == "cooperation_level >= 1 at 2023-12"
    assert third.label == "munitions_shipped at 2024-02"
    assert str(third.resolved_on) == "2024-03-10"


def test_meta_is_optional_and_the_name_falls_back_to_the_file(tmp_path: Path) -> None:
    text = GOOD.split("questions:", 1)[1]
    questions = load_questions(write(tmp_path, "questions:" + text, "mine.yaml"))
    assert questions.meta is None and questions.name == "mine.yaml"


def test_integer_resolution_of_a_numeric_question_is_a_number() -> None:
    questions = load_questions_text(replaced("resolution: 1.5e+6", "resolution: 1500000"))
    assert questions.questions[2].resolution == 1_500_000.0


@pytest.mark.parametrize("op", OPERATORS)
def test_condition_operators(op: str) -> None:
    condition = Condition(op=op, value=1)  # type: ignore[arg-type]
    values = np.array([0.0, 1.0, 2.0], dtype=np.float32)
    expected = {">=": [False, True, True], ">": [False, False, True],
                "<=": [True, True, False], "<": [True, False, False],
                "==": [False, True, False]}[op]
    assert condition.holds(values).tolist() == expected
    assert str(condition) == f"{op} 1"


def test_condition_compares_like_the_recorded_float32_values() -> None:
    recorded = np.float32(0.1)  # what the model stores for a level of exactly 0.1
    assert Condition(op=">=", value=0.1).holds(recorded)
    assert not Condition(op="<", value=0.1).holds(recorded)
    assert Condition(op="==", value=0.1).holds(recorded)


# --- problems ----------------------------------------------------------------------------------


def test_unknown_outcome_names_line_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, replaced("outcome: cooperation_level", "outcome: cooperation_levle"))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:7:14: questions[0].outcome: unknown outcome")
    assert "did you mean 'cooperation_level'?" in problem


def test_bad_operator_lists_the_allowed_ones(tmp_path: Path) -> None:
    path = write(tmp_path, replaced('{op: ">=", value: 1}', '{op: "=>", value: 1}'))
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:10:21: questions[0].condition.op: '=>' is not allowed")
    assert "allowed values: >=, >, <=, <, ==" in problem
    assert "did you mean '>='?" in problem


def test_missing_resolution_points_at_the_question(tmp_path: Path) -> None:
    path = write(tmp_path, replaced("    resolution: false\n", ""))
    [problem] = problems_of(path)
    assert problem == (f"{path}:15:5: questions[1].resolution: required key 'resolution' is "
                       "missing")


def test_month_outside_the_horizon(tmp_path: Path, short_baseline: Scenario) -> None:
    # short_baseline runs 12 months from 2023-09: 2023-09 to 2024-08.
    path = write(tmp_path, replaced("month: 2024-06", "month: 2024-09"))
    questions = load_questions(path)
    [problem] = questions.check_scenario(short_baseline)
    assert str(problem).startswith(f"{path}:19:12: questions[1].month: month 2024-09 is outside "
                                   "the horizon of scenario 'baseline' (2023-09 to 2024-08")
    assert "'nuclear_test'" in str(problem)
    early = load_questions(write(tmp_path, replaced("month: 2023-12", "month: 2023-08"), "b.yaml"))
    [problem] = early.check_scenario(short_baseline)
    assert "questions[0].month: month 2023-08 is outside" in str(problem)
    assert load_questions(write(tmp_path, GOOD, "c.yaml")).check_scenario(short_baseline) == []


def test_outcome_the_scenario_does_not_report(tmp_path: Path, short_baseline: Scenario) -> None:
    outcomes = {k: v for k, v in short_baseline.outcomes.items() if k != "nuclear_test"}
    scenario = short_baseline.model_copy(update={"outcomes": outcomes})
    path = write(tmp_path, GOOD)
    [problem] = load_questions(path).check_scenario(scenario)
    assert str(problem).startswith(f"{path}:17:14: questions[1].outcome: outcome 'nuclear_test' "
                                   "is not reported by scenario 'baseline'")
    assert "outcomes:" in str(problem)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("month: 2023-12", "month: 2023-13",
     ":9:12: questions[0].month: Input should be a month written YYYY-MM"),
    ("resolved_on: 2024-01-15", "resolved_on: soon",
     ":12:18: questions[0].resolved_on: Input should be a date written YYYY-MM-DD"),
    ("kind: numeric", "kind: number",
     ":27:11: questions[2].kind: 'number' is not allowed; allowed values: binary, numeric"),
    ("base_rate: 0.4", "base_rate: 1.4",
     ":14:16: questions[0].base_rate: Input should be less than or equal to 1 (got 1.4)"),
    ("base_rate: 0.4", "baserate: 0.4",
     ":14:5: questions[0].baserate: unknown key 'baserate' (did you mean 'base_rate'?)"),
    ("id: shells_feb", "id: Shells-Feb",
     ":24:9: questions[2].id: Input should be a name of lowercase letters"),
    ("source: CTBTO and KMA seismic monitoring", "source: x",
     ":23:13: questions[1].source: String should have at least 3 characters"),
    ("resolution: 1.5e+6", "resolution: 1.5e6",
     ":29:17: questions[2].resolution: resolution should be true or false (binary) or a number"),
    ("resolution: true", "resolution: maybe",
     ":11:17: questions[0].resolution: resolution should be true or false"),
])
def test_schema_problems_are_located(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, replaced(old, new))
    found = problems_of(path)
    assert any(p.startswith(f"{path}{expected}") for p in found), found


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('    condition: {op: ">=", value: 1}\n', "",
     ":5:5: questions[0].condition: a binary question needs a `condition: {op, value}`"),
    ("resolution: true", "resolution: 1",
     ":11:17: questions[0].resolution: a binary question resolves true or false"),
    ("resolution: 1.5e+6", "resolution: true",
     ":29:17: questions[2].resolution: a numeric question resolves to a number"),
    ("    note: Roughly", '    condition: {op: ">", value: 0}\n    note: Roughly',
     ":32:5: questions[2].condition: only binary questions have a condition"),
    ("    note: Roughly", "    base_rate: 0.2\n    note: Roughly",
     ":32:16: questions[2].base_rate: only binary questions have a base rate"),
    ("id: shells_feb", "id: nuclear_test",
     ":24:9: questions[2].id: id 'nuclear_test' is already used by questions[1]"),
])
def test_semantic_problems_are_located(tmp_path: Path, old: str, new: str, expected: str) -> None:
    path = write(tmp_path, replaced(old, new))
    found = problems_of(path)
    assert any(p.startswith(f"{path}{expected}") for p in found), found


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = replaced('{op: ">=", value: 1}', '{op: "=>", value: 1}')
    text = replaced("    resolution: false\n", "", text)
    text = replaced("month: 2024-02", "month: Feb 2024", text)
    found = problems_of(write(tmp_path, text))
    assert len(found) == 3
    assert [p.split(": ")[1] for p in found] == [
        "questions[0].condition.op", "questions[1].resolution", "questions[2].month"]


@pytest.mark.parametrize(("text", "expected"), [
    ("questions: []\n", ":1:1: questions: there should be at least one question"),
    ("meta: {name: x}\n", ":1:1: questions: required key 'questions' is missing"),
    ("questions:\n  - just text\n", ":2:5: questions[0]: Input should be a mapping"),
    ("questions: [\n", ":2:1: YAML syntax error"),
    ("- id: a\n", ":1:1: the top level should be a mapping of sections (meta:, questions:)"),
    ("questions: []\nquestion: []\n", ":2:1: question: unknown key 'question' (did you mean "
     "'questions'?)"),
])
def test_file_level_problems(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    found = problems_of(path)
    assert any(p.startswith(f"{path}{expected}") for p in found), found


def test_missing_file(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path / "nope.yaml")
    assert problem == f"{tmp_path / 'nope.yaml'}: no such file"


def test_text_loader_names_the_given_file() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_questions_text(replaced("outcome: nuclear_test", "outcome: nuke"), "q.yaml")
    assert str(caught.value).startswith("q.yaml:17:14: questions[1].outcome: unknown outcome")
