"""Questions files: resolved forecasting questions the model's worlds are scored against.

A questions file is YAML::

    meta: {name: backtest_2023, description: What happened after September 2023}
    questions:
      - id: arms_for_food
        text: Will Russia and the DPRK be trading arms for food and energy by December 2023?
        outcome: cooperation_level        # an outcome the model reports (docs/outcomes.md)
        kind: binary                      # binary | numeric
        month: 2023-12                    # resolved at the end of this month
        condition: {op: ">=", value: 1}   # binary only: outcome <op> value at that month
        resolution: true                  # binary: true/false; numeric: the resolved value
        resolved_on: 2024-01-15
        source: ROK Ministry of National Defense briefing, 2023-11
        base_rate: 0.3                    # optional, binary only: the reference forecast
        effect: {portfolio: sanctions_listing, versus: status_quo}  # optional: ask about the
                                          #   difference an action made (same worlds, paired)
        history:                          # optional: the record before the origin; references
          count: 4                        #   are then computed from it (Poisson): base rate =
          months: 120                     #   count / months over the question's window,
          previous: 1                     #   persistence = the previous equal window's count
          level: 0                        #   the outcome's value at the origin (default 0)
          source: CSIS Missile Threat database, launches 2012–2021
        note: optional free text

It is read with the scenario loader's safe YAML reader, validated by the pydantic models below
and then by semantic checks (known outcome, binary questions have a condition, resolutions of
the right type, unique ids). Every problem is reported like a scenario problem,
`file:line:column: questions[2].condition.op: ...`, all at once in one `ScenarioError`.
`QuestionSet.check_scenario` adds the checks that need the scenario being scored (the outcome
is reported by it, the month is inside its horizon), located the same way.
"""

from __future__ import annotations

import dataclasses
import os
import re
import types
import typing
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from axis_sim.model.metrics import METRICS
from axis_sim.scenario.errors import Problem, ScenarioError, show_value
from axis_sim.scenario.loader import (
    Loc,
    Positions,
    did_you_mean,
    dotted,
    humane,
    pattern_hints,
    read_yaml,
    read_yaml_text,
)
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.positions import mark_near as _mark_near
from axis_sim.scenario.positions import problem_at as _problem
from axis_sim.scenario.schema import Month, Scenario, Slug, Source, Text, month_index, month_label

__all__ = [
    "OPERATORS",
    "Condition",
    "Question",
    "QuestionSet",
    "QuestionsMeta",
    "load_questions",
    "load_questions_text",
]

Operator = Literal[">=", ">", "<=", "<", "=="]
OPERATORS: tuple[str, ...] = typing.get_args(Operator)
Kind = Literal["binary", "numeric"]
Note = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class _Strict(BaseModel):
    """Unknown keys are errors; values are immutable; NaN and infinities are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Condition(_Strict):
    """When a binary question counts as "yes": the outcome's value `op` `value` at its month."""

    op: Operator
    value: float

    def holds(self, values: Any) -> Any:
        """Apply the condition to a number or a numpy array of outcome values.

        Outcomes are recorded in float32, so the threshold is compared as the float32 nearest
        to it (a trust index recorded as 0.1 meets `>= 0.1`), and `==` allows a relative
        difference of 1e-6.
        """
        x = np.asarray(values, dtype=np.float64)
        with np.errstate(over="ignore"):
            threshold = float(np.float32(self.value))
        if not np.isfinite(threshold):
            threshold = self.value
        if self.op == ">=":
            return x >= threshold
        if self.op == ">":
            return x > threshold
        if self.op == "<=":
            return x <= threshold
        if self.op == "<":
            return x < threshold
        return np.isclose(x, self.value, rtol=1e-6, atol=1e-9)

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return f"{self.op} {value}"


class History(_Strict):
    """The record before the origin that honest reference forecasts are computed from: `count`
    events of the question's kind in the `months` before the origin (the base rate), and
    `previous`, the count in the window of the question's own length just before the origin
    (persistence). Both are read as Poisson rates."""

    count: int = Field(ge=0)
    months: int = Field(ge=1)
    previous: int | None = Field(default=None, ge=0)
    level: float = Field(
        default=0.0, ge=0.0,
        description="The outcome's value at the origin, for a cumulative outcome that does not "
                    "start at 0 (e.g. entities already listed); references count from it.")
    source: Source


class Effect(_Strict):
    """A question about the difference an action made: the outcome under `portfolio` minus
    under `versus`, world by world on the same worlds and draws (a historical episode with and
    without the action)."""

    portfolio: str
    versus: str = "status_quo"


class Question(_Strict):
    """One resolved question: what was asked, about which outcome and month, and the answer."""

    id: Slug
    text: Text
    outcome: Slug = Field(description="An outcome the model reports (see docs/outcomes.md).")
    kind: Kind
    month: Month = Field(description="YYYY-MM; the question resolves at the end of this month.")
    condition: Condition | None = Field(default=None, description="Binary questions only.")
    resolution: bool | float = Field(description="true/false (binary) or the value (numeric).")
    resolved_on: date
    source: Source
    base_rate: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="Binary only: a reference probability (e.g. a historical base rate).")
    effect: Effect | None = Field(
        default=None,
        description="Ask about the paired difference an action made (portfolio minus versus) "
                    "instead of the level under the pursued policy.")
    history: History | None = Field(
        default=None,
        description="Counts of the record before the origin: the base-rate and persistence "
                    "references are computed from them (Poisson), for count questions.")
    note: Note | None = None

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution_type(cls, value: Any) -> Any:
        """Accept only true/false or a number (ints become floats)."""
        # Without this, pydantic would read the text "yes" as True and 1 as a bool or a float
        # depending on the branch it tries first.
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return float(value)
        message = "resolution should be true or false (binary) or a number (numeric)"
        if isinstance(value, str) and _looks_numeric(value):
            message += ("; write the number unquoted and with a sign in any exponent (1.5e+5: "
                        "YAML reads 1.5e5 as text)")
        raise ValueError(message)

    @property
    def label(self) -> str:
        """What the question asks of the model, e.g. `cooperation_level >= 1 at 2023-12`, or
        for an effect `Δ listed_entities (pursued − status_quo) > 0 at 2023-08`."""
        what = self.outcome
        if self.effect is not None:
            what = f"Δ {self.outcome} ({self.effect.portfolio} − {self.effect.versus})"
        if self.condition is not None:
            return f"{what} {self.condition} at {self.month}"
        return f"{what} at {self.month}"


class QuestionsMeta(_Strict):
    """What the questions file is."""

    name: Text
    description: Text | None = None


class QuestionSet(_Strict):
    """A validated questions file; remembers where each value was written for later problems."""

    meta: QuestionsMeta | None = None
    questions: list[Question] = Field(min_length=1)

    _file: str = PrivateAttr(default="<questions>")
    _data: Any = PrivateAttr(default=None)
    _positions: Positions = PrivateAttr(default_factory=Positions)

    @property
    def file(self) -> str:
        """The file the questions were read from (as given), or `<questions>`."""
        return self._file

    @property
    def name(self) -> str:
        """The set's name: `meta.name`, else the file name."""
        return self.meta.name if self.meta is not None else os.path.basename(self._file)

    def problem(self, index: int, field: str, message: str) -> Problem:
        """A `Problem` about field `field` of question `index`, located in the file if known."""
        loc: Loc = ("questions", index, *field.split(".")) if field else ("questions", index)
        if self._data is None:
            return Problem(self._file, None, None, dotted(loc), message)
        path, _ = _existing(loc, self._data)
        mark = _mark_near(path, self._data, self._positions, prefer_key=path != loc)
        return _problem(mark, self._file, dotted(loc), message)

    def check_scenario(self, scenario: Scenario) -> list[Problem]:
        """What stops these questions being scored against `scenario`: an outcome the scenario
        does not report, or a month outside its horizon. Empty when everything fits."""
        start, horizon = scenario.meta.start, scenario.meta.horizon_months
        first, last = start, month_label(start, horizon - 1)
        reported = list(scenario.outcomes)
        problems = []
        for i, question in enumerate(self.questions):
            if question.outcome not in scenario.outcomes:
                message = (f"outcome {show_value(question.outcome)} is not reported by scenario "
                           f"{show_value(scenario.meta.name)}"
                           + did_you_mean(question.outcome, reported)
                           + "; add it to the scenario's `outcomes:` section")
                problems.append(self.problem(i, "outcome", message))
            if question.effect is not None:
                for field in ("portfolio", "versus"):
                    try:
                        resolve_portfolios(scenario, [getattr(question.effect, field)])
                    except ValueError as err:
                        problems.append(self.problem(i, f"effect.{field}", str(err)))
            offset = month_index(start, question.month)
            if not 0 <= offset < horizon:
                message = (f"month {question.month} is outside the horizon of scenario "
                           f"{show_value(scenario.meta.name)} ({first} to {last}; the question "
                           f"{show_value(question.id)} cannot be scored)")
                problems.append(self.problem(i, "month", message))
        return sorted(problems, key=Problem.sort_key)


# --- loading -----------------------------------------------------------------------------------


def load_questions(path: str | os.PathLike[str]) -> QuestionSet:
    """Read and validate a questions file; raise `ScenarioError` listing every problem.

    Checks against the model's outcome catalogue only; `QuestionSet.check_scenario` checks the
    questions against the scenario they will be scored with.
    """
    data, positions = _read(lambda: read_yaml(path))
    return _validate(data, positions, str(path))


def load_questions_text(text: str, name: str = "<questions>") -> QuestionSet:
    """`load_questions` for text in memory; `name` is the file name used in problems."""
    data, positions = _read(lambda: read_yaml_text(text, name))
    return _validate(data, positions, name)


# The scenario reader's messages, said of a questions file.
_REWORDED = {
    "(meta:, context:, actors:, ...)": "(meta:, questions:)",
    "not a scenario file": "not a questions file",
    "a scenario may only contain": "a questions file may only contain",
    "a scenario file holds one YAML document": "a questions file holds one YAML document",
}


def _read(reader: Callable[[], tuple[Any, Positions]]) -> tuple[Any, Positions]:
    """Run the scenario loader's safe YAML reader, rewording its scenario-specific messages."""
    try:
        return reader()
    except ScenarioError as exc:
        problems = []
        for problem in exc.problems:
            message = problem.message
            for old, new in _REWORDED.items():
                message = message.replace(old, new)
            problems.append(dataclasses.replace(problem, message=message))
        raise ScenarioError(problems) from None


def _validate(data: dict[str, Any], positions: Positions, file: str) -> QuestionSet:
    """Schema, then semantic checks; the set remembers its file and positions."""
    try:
        questions = QuestionSet.model_validate(data)
    except ValidationError as exc:
        problems = [_schema_problem(e, data, positions, file)
                    for e in exc.errors(include_url=False)]
        raise ScenarioError(sorted(dict.fromkeys(problems), key=Problem.sort_key)) from None
    questions._file, questions._data, questions._positions = file, data, positions
    problems = [questions.problem(i, field, message)
                for i, field, message in _semantic_problems(questions)]
    if problems:
        raise ScenarioError(sorted(problems, key=Problem.sort_key))
    return questions


def _semantic_problems(questions: QuestionSet) -> list[tuple[int, str, str]]:
    """(question index, field, message) for what the schema alone cannot check."""
    found = []
    first_index: dict[str, int] = {}
    for i, q in enumerate(questions.questions):
        if q.id in first_index:
            found.append((i, "id", f"id {show_value(q.id)} is already used by "
                                   f"questions[{first_index[q.id]}]; ids must be unique"))
        first_index.setdefault(q.id, i)
        if q.outcome not in METRICS:
            found.append((i, "outcome", f"unknown outcome {show_value(q.outcome)}"
                          + did_you_mean(q.outcome, list(METRICS))
                          + "; docs/outcomes.md lists every outcome the model reports"))
        if q.kind == "binary":
            if q.condition is None:
                found.append((i, "condition", "a binary question needs a `condition: {op, "
                              f"value}}` (op one of {', '.join(OPERATORS)}), e.g. "
                              "`condition: {op: \">=\", value: 1}`"))
            if not isinstance(q.resolution, bool):
                found.append((i, "resolution", "a binary question resolves true or false "
                              f"(got {show_value(q.resolution)})"))
        else:
            if q.condition is not None:
                found.append((i, "condition", "only binary questions have a condition; a "
                              "numeric question is scored on the outcome's value itself"))
            if isinstance(q.resolution, bool):
                found.append((i, "resolution", "a numeric question resolves to a number, the "
                              f"outcome's value at the month (got {show_value(q.resolution)})"))
            if q.base_rate is not None:
                found.append((i, "base_rate", "only binary questions have a base rate"))
    return found


# --- locating pydantic errors in the file ------------------------------------------------------


def _schema_problem(error: ErrorDetails, data: Any, positions: Positions, file: str) -> Problem:
    """One pydantic error as a located `Problem` with a message a YAML author can act on."""
    loc = tuple(error["loc"])
    path, unmatched = _existing(loc, data)
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    field_loc: Loc = path
    prefer_key = False
    show_input = _is_scalar(value)
    message = _humane(error)
    if kind == "missing":
        name = unmatched[0] if unmatched else "?"
        field_loc = (*path, name)
        message = f"required key {show_value(name)} is missing"
        prefer_key, show_input = True, False
    elif kind == "extra_forbidden" and path:
        allowed = list(_model_fields_at(path[:-1]))
        message = f"unknown key {show_value(path[-1])}" + did_you_mean(str(path[-1]), allowed)
        if allowed:
            message += f"; allowed keys: {', '.join(allowed)}"
        prefer_key, show_input = True, False
    elif kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = f"{show_value(value)} is not allowed; allowed values: {', '.join(allowed)}"
        if isinstance(value, str):
            # `=>` for `>=`: the same characters in another order is the likeliest slip.
            swapped = [a for a in allowed if sorted(a) == sorted(value) and a != value]
            message += (f" (did you mean {show_value(swapped[0])}?)" if swapped
                        else did_you_mean(value, allowed))
        show_input = False
    elif unmatched:
        # A union branch's name (`resolution.bool`) is not in the data; talk about the field.
        field_loc = (*path, *(p for p in unmatched if p not in _BRANCH_NAMES))
    if show_input:
        message += f" (got {show_value(value)})"
    mark = _mark_near(path, data, positions, prefer_key)
    return _problem(mark, file, dotted(field_loc), message)


_BRANCH_NAMES = frozenset({"bool", "float", "int", "str", "function-before[_resolution_type()]"})
_PATTERN_HINTS = pattern_hints("nuclear_test_by_june", "2023-12")


def _humane(error: ErrorDetails) -> str:
    """A scenario's plain messages (`loader.humane`), plus dates and an empty question list."""
    kind = error["type"]
    if kind.startswith("date_") or kind == "datetime_from_date_parsing":
        return "Input should be a date written YYYY-MM-DD (e.g. 2024-01-15)"
    if kind == "too_short" and error["loc"] == ("questions",):
        return "there should be at least one question"
    return humane(error, _PATTERN_HINTS)


def _existing(loc: tuple[Any, ...], data: Any) -> tuple[Loc, Loc]:
    """Split an error location into the longest prefix present in the data and the rest."""
    path: Loc = ()
    node = data
    for k, part in enumerate(loc):
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return path, tuple(loc[k:])
        node = node[part]
        path = (*path, part)
    return path, ()


def _model_fields_at(path: Loc) -> dict[str, Any]:
    """The fields of the model expected at `path` of a questions file ({} if not a model)."""
    annotation: Any = QuestionSet
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return {}
            annotation = field.annotation
        elif typing.get_origin(annotation) is list and isinstance(part, int):
            annotation = typing.get_args(annotation)[0]
        else:
            return {}
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return dict(annotation.model_fields)
    return {}


def _unwrap(annotation: Any) -> Any:
    """`X | None` -> `X`."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _looks_numeric(text: str) -> bool:
    """Whether text would read as a number (YAML 1.1 reads `1.5e5` as text)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_scalar(value: Any) -> bool:
    """Whether a value is short enough to quote back in a message."""
    return value is None or isinstance(value, str | int | float | bool)

