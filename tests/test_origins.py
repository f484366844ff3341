"""The shipped backtest origins are a validation set that cannot be gamed (issue 14): several
origins, each built only from what was public at its `as_of`, scored on many resolved questions
of every family with honest references, and on the difference historical actions made."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

import pytest

from axis_sim.scenario.checks import late_items
from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.schema import Scenario, month_index
from axis_sim.scoring.backtest import Origin, load_registry
from axis_sim.scoring.families import FAMILIES, family_of
from axis_sim.scoring.questions import QuestionSet, load_questions
from tests.conftest import ROOT

REGISTRY = ROOT / "questions" / "origins.yaml"
BASELINE_AS_OF = dt.date(2023, 9, 1)


@cache
def origins() -> tuple[tuple[Origin, Scenario, QuestionSet], ...]:
    reg, folder = load_registry(REGISTRY)
    return tuple((o, load_scenario(folder / o.scenario), load_questions(folder / o.questions))
                 for o in reg.origins)


def ids() -> list[str]:
    reg, _ = load_registry(REGISTRY)
    return [o.id for o in reg.origins]


def test_at_least_three_origins_before_the_baseline_and_the_newest_is_held_out() -> None:
    dates = [s.meta.as_of_date for _, s, _ in origins()]
    assert len(set(dates)) >= 3
    assert all(d is not None and d < BASELINE_AS_OF for d in dates)
    newest = max(origins(), key=lambda item: item[1].meta.as_of_date)
    assert [o.id for o, _, _ in origins() if o.held_out] == [newest[0].id]


@pytest.mark.parametrize("origin_id", ids())
def test_each_origin_is_built_only_from_what_was_public_then(origin_id: str) -> None:
    """No item of the origin's scenario (its own or inherited) rests on evidence dated after
    its as_of, and none is excused as in-sample."""
    _, scenario, _ = next(item for item in origins() if item[0].id == origin_id)
    assert not scenario.meta.in_sample
    assert late_items(scenario) == []


@pytest.mark.parametrize("origin_id", ids())
def test_the_scored_policy_was_in_force_at_the_origin(origin_id: str) -> None:
    """The portfolio an origin's levels are scored under holds only policies already begun by
    its start month: a policy the US took up later would settle questions in advance. (Later
    actions belong in `effect:` questions, run with and without them on the same worlds.)"""
    origin, scenario, _ = next(item for item in origins() if item[0].id == origin_id)
    (options,) = [v for k, v in resolve_portfolios(scenario, [origin.portfolio]).items()
                  if k != "status_quo"] or [()]
    for option in options:
        begins = scenario.options[option].start
        month = month_index(scenario.meta.start, begins)
        assert month <= 0, f"{option} starts {begins}, after the origin {scenario.meta.start}"


@pytest.mark.parametrize("origin_id", ids())
def test_each_origin_questions_fit_its_scenario_and_resolved_before_the_baseline(
        origin_id: str) -> None:
    _, scenario, questions = next(item for item in origins() if item[0].id == origin_id)
    assert questions.check_scenario(scenario) == []
    as_of = scenario.meta.as_of_date
    for q in questions.questions:
        assert q.resolved_on < BASELINE_AS_OF, q.id
        assert as_of is not None and q.resolved_on > as_of, q.id
        if q.effect is not None:
            names = resolve_portfolios(scenario, [q.effect.portfolio, q.effect.versus])
            assert q.effect.portfolio in names and q.effect.versus in names


def test_many_questions_of_every_family_with_numeric_and_effect_ones() -> None:
    questions = [q for _, _, qs in origins() for q in qs.questions]
    assert len(questions) >= 80
    assert sum(q.kind == "numeric" for q in questions) >= 20
    assert sum(q.effect is not None for q in questions) >= 5
    families = Counter(family_of(q.outcome) for q in questions)
    assert set(FAMILIES) <= set(families), set(FAMILIES) - set(families)
    assert len({q.id for q in questions}) == len(questions)


def test_references_are_counted_from_the_record_not_stated() -> None:
    """Each binary question's reference comes from `history` counts before its origin; a
    question that states a `base_rate` instead says where it comes from in its note."""
    for _, _, qs in origins():
        for q in qs.questions:
            if q.kind == "binary" and q.history is None and q.effect is None:
                assert q.base_rate is None or q.note, q.id
    with_history = sum(q.history is not None for _, _, qs in origins() for q in qs.questions)
    assert with_history >= 40
