"""Scenario discovery recovers planted failure boxes and describes them in plain words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from axis_sim.experiment.discovery import (
    Box,
    Condition,
    describe_box,
    failure_conditions,
    format_number,
)

REBUILD = "actors.Russia.front_rebuild_months"
SHELLS = "actors.Russia.shell_production"
LABELS = {REBUILD: ("front-company rebuild time", "months"),
          SHELLS: ("Russia's shell production", "rounds/month")}


def _worlds(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"world": np.arange(n), REBUILD: rng.random(n), SHELLS: rng.random(n)}
                        | {f"context.noise_{i}": rng.random(n) for i in range(4)})


def _planted(parameters: pd.DataFrame, seed: int = 1) -> np.ndarray:
    """Fails when rebuild < 0.3 and shells >= 0.6, with 5% of worlds flipped at random."""
    rng = np.random.default_rng(seed)
    inside = ((parameters[REBUILD] < 0.3) & (parameters[SHELLS] >= 0.6)).to_numpy()
    return inside ^ (rng.random(len(parameters)) < 0.05)


def test_planted_box_is_recovered_first() -> None:
    parameters = _worlds()
    failed = _planted(parameters)
    boxes = failure_conditions(parameters, failed)
    assert boxes
    box = boxes[0]
    by_key = {(c.parameter, c.op): c.threshold for c in box.conditions}
    assert set(by_key) == {(REBUILD, "<"), (SHELLS, ">=")}
    assert by_key[REBUILD, "<"] == pytest.approx(0.3, abs=0.05)
    assert by_key[SHELLS, ">="] == pytest.approx(0.6, abs=0.05)

    # The statistics by hand-count over the box's own conditions.
    inside = ((parameters[REBUILD] < by_key[REBUILD, "<"])
              & (parameters[SHELLS] >= by_key[SHELLS, ">="])).to_numpy()
    assert np.array_equal(box.contains(parameters), inside)
    assert box.support == pytest.approx(inside.mean())
    assert box.density == pytest.approx(failed[inside].mean())
    assert box.coverage == pytest.approx(failed[inside].sum() / failed.sum())
    assert box.base_rate == pytest.approx(failed.mean())
    assert (box.worlds, box.failures) == (inside.sum(), failed[inside].sum())
    assert box.density > 0.9 and box.lift > 4

    scores = [b.density * b.coverage for b in boxes]
    assert scores == sorted(scores, reverse=True)


def test_split_leaves_are_merged() -> None:
    parameters = _worlds(seed=4)
    rng = np.random.default_rng(5)
    x = parameters[REBUILD].to_numpy()
    # Failure is graded inside x < 0.5 (the tree splits it), so its leaves must be merged back.
    probability = np.where(x < 0.25, 0.97, np.where(x < 0.5, 0.8, 0.02))
    failed = rng.random(len(x)) < probability
    boxes = failure_conditions(parameters, failed)
    assert len(boxes) == 1
    (condition,) = boxes[0].conditions
    assert condition.parameter == REBUILD and condition.op == "<"
    assert condition.threshold == pytest.approx(0.5, abs=0.05)


def test_two_separate_boxes_are_both_found() -> None:
    parameters = _worlds(n=5000, seed=6)
    x, y = parameters[REBUILD].to_numpy(), parameters[SHELLS].to_numpy()
    noise = parameters["context.noise_0"].to_numpy()
    failed = ((x < 0.2) | ((y >= 0.85) & (noise < 0.5))) & (np.random.default_rng(7).random(5000)
                                                              < 0.8)
    found = [{(c.parameter, c.op) for c in box.conditions}
             for box in failure_conditions(parameters, failed)]
    assert {(REBUILD, "<")} in found
    assert {(SHELLS, ">="), ("context.noise_0", "<")} in found


def test_no_or_too_few_failures_give_no_boxes() -> None:
    parameters = _worlds(n=500)
    assert failure_conditions(parameters, np.zeros(500, dtype=bool)) == []
    assert failure_conditions(parameters, np.ones(500, dtype=bool)) == []
    few = np.zeros(500, dtype=bool)
    few[:3] = True
    assert failure_conditions(parameters, few) == []


def test_failures_unrelated_to_parameters_give_no_boxes() -> None:
    parameters = _worlds(n=3000, seed=8)
    failed = np.random.default_rng(9).random(3000) < 0.2
    assert failure_conditions(parameters, failed) == []


def test_failed_must_match_worlds() -> None:
    with pytest.raises(ValueError, match="values for"):
        failure_conditions(_worlds(n=100), np.zeros(99, dtype=bool))


def _box() -> Box:
    return Box(conditions=[Condition(REBUILD, "<", 2.2961), Condition(SHELLS, ">=", 180_412.0)],
               support=0.31, density=0.62, coverage=0.48, base_rate=0.2)


def test_sentence_uses_labels_units_and_percentages() -> None:
    text = describe_box(_box(), subject="Sanctions listing fails to cut munitions shipped",
                        labels=LABELS)
    assert text.startswith("Sanctions listing fails to cut munitions shipped in 62% of worlds")
    assert "front-company rebuild time is under 2.3 months" in text
    assert "Russia's shell production is at least 180,000 rounds/month" in text
    for share in ("31%", "48%", "20%"):
        assert share in text
    assert "actors." not in text
    assert text.endswith(".")


def test_sentence_falls_back_to_paths_and_handles_two_sided_bounds() -> None:
    box = Box(conditions=[Condition("context.window", ">=", 0.12345),
                          Condition("context.window", "<", 0.5),
                          Condition("options.sanctions.reach", "<", 0.4)],
              support=0.1, density=0.5, coverage=0.3, base_rate=0.12)
    text = describe_box(box, subject="Listing fails",
                        labels={"options.sanctions.reach": ("reach", "probability")})
    assert "context.window is between 0.123 and 0.5" in text
    assert "and reach is under 0.4, against 12% of worlds overall" in text  # unitless: no unit


@pytest.mark.parametrize(("value", "text"), [
    (183_456.7, "183,000"), (180_000, "180,000"), (2.3456, "2.35"), (0.012345, "0.0123"),
    (1_234_567, "1,230,000"), (12, "12"), (0.5, "0.5"), (-42.123, "-42.1"), (0, "0"),
])
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text
