"""Saving, restoring and forking model state; human directives in place of doctrine."""

from __future__ import annotations

import json

import numpy as np
import pytest

from axis_sim.experiment.sampling import default_parameters, sample_parameters
from axis_sim.model.directives import DIRECTIVES, check
from axis_sim.model.metrics import record
from axis_sim.model.state import restore, snapshot
from axis_sim.model.world import AxisModel
from axis_sim.scenario.schema import Scenario


def advance(model: AxisModel, months: int) -> list[np.ndarray]:
    out = []
    for _ in range(months):
        model.step()
        out.append(record(model))
    return out


def test_restored_model_continues_exactly(short_baseline: Scenario) -> None:
    params = sample_parameters(short_baseline, 50, "random", np.random.default_rng(1))
    original = AxisModel(short_baseline, params, seed=3, portfolio=("sanctions_listing",))
    advance(original, 5)
    saved = json.loads(json.dumps(snapshot(original)))  # survives a JSON round trip
    rest = advance(original, 7)
    copy = AxisModel(short_baseline, params, seed=99, portfolio=("sanctions_listing",))
    restore(copy, saved)
    assert copy.month == 5
    again = advance(copy, 7)
    assert all(np.array_equal(a, b) for a, b in zip(rest, again, strict=True))
    assert not copy.running


def test_fork_copies_one_world_into_many_that_then_diverge(short_baseline: Scenario) -> None:
    game = AxisModel(short_baseline, default_parameters(short_baseline, 1), seed=5)
    advance(game, 4)
    forked = AxisModel(short_baseline, default_parameters(short_baseline, 300), seed=6)
    restore(forked, snapshot(game), world=0)
    start = record(forked)
    assert (start == record(game)).all()  # every forked world starts where the game stands
    end = advance(forked, 8)[-1]
    launches = end[list(short_baseline.outcomes).index("ballistic_launches")]
    assert launches.std() > 0  # each forked world goes on with its own luck


def test_directives_replace_the_doctrine(short_baseline: Scenario) -> None:
    params = default_parameters(short_baseline, 200)
    model = AxisModel(short_baseline, params, seed=1)
    model.directives = {"DPRK.nuclear_test": True, "DPRK.deliveries": 0.0,
                        "China.stance": "distance", "Russia.propose": False}
    advance(model, 3)
    assert model.dprk.nuclear_test.all()
    assert (model.trade.shipped_total == 0).all()
    assert (model.russia.cooperation == 1).all()
    assert (model.china.alignment < short_baseline.actors["China"]["initial_alignment"].value
            ).all()


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("DPRK.nuclear_test", "yes", True), ("DPRK.deliveries", "0.5", 0.5),
    ("China.stance", "condone", "condone"),
])
def test_directive_values_are_checked(key: str, value: str, expected: object) -> None:
    assert check(key, value) == expected


@pytest.mark.parametrize(("key", "value"), [
    ("DPRK.nuclear_test", "maybe"), ("DPRK.deliveries", "2"), ("China.stance", "join"),
    ("DPRK.nukes", "yes")])
def test_bad_directives_say_what_is_allowed(key: str, value: str) -> None:
    with pytest.raises(ValueError, match=r"takes|allowed"):
        check(key, value)
    assert "DPRK.nuclear_test" in DIRECTIVES
