"""Scenario discovery (PRIM): planted failure boxes are recovered with honest statistics, only
parameters that can affect the portfolio are used, noise gives no box, and p-values behave."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from axis_sim.experiment.discovery import (
    BOX_COLUMNS,
    Box,
    Condition,
    box_record,
    describe_box,
    discover,
    failure_conditions,
    format_number,
    portfolio_parameters,
    portfolios_to_explain,
    quasi_p_values,
)

X1 = "context.x1"
X2 = "actors.Russia.x2"
MINE = "options.sanctions_listing.reach"
OTHER = "options.warn_beijing.credibility"
NOISE = [f"context.noise_{i}" for i in range(6)]
LABELS = {X1: ("front-company rebuild time", "months"),
          X2: ("Russia's shell production", "rounds/month")}


def _worlds(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"world": np.arange(n), X1: rng.random(n), X2: rng.random(n),
                         MINE: rng.random(n), OTHER: rng.random(n)}
                        | {name: rng.random(n) for name in NOISE})


def _planted(parameters: pd.DataFrame, flip: float = 0.05, seed: int = 1) -> np.ndarray:
    """Fails iff x1 > 0.7 and x2 < 0.3, with a share `flip` of worlds flipped at random."""
    rng = np.random.default_rng(seed)
    inside = ((parameters[X1] > 0.7) & (parameters[X2] < 0.3)).to_numpy()
    return inside ^ (rng.random(len(parameters)) < flip)


# --- the known box ------------------------------------------------------------------------------


def test_planted_box_is_recovered_with_coverage_and_density_near_truth() -> None:
    parameters = _worlds()
    failed = _planted(parameters)
    found = discover(parameters, failed)
    assert found.boxes, found.note
    box = found.boxes[0]
    limits = box.limits
    assert set(limits) == {X1, X2}
    assert limits[X1][0] == pytest.approx(0.7, abs=0.04) and limits[X1][1] == np.inf
    assert limits[X2][1] == pytest.approx(0.3, abs=0.04) and limits[X2][0] == -np.inf

    truth = ((parameters[X1] > 0.7) & (parameters[X2] < 0.3)).to_numpy()
    true_density = failed[truth].mean()
    true_coverage = failed[truth].sum() / failed.sum()
    assert box.density == pytest.approx(true_density, abs=0.06)
    assert box.coverage == pytest.approx(true_coverage, abs=0.08)
    assert box.base_rate == pytest.approx(failed.mean())
    assert box.p_value < 1e-20 and box.lift > 5
    # Both restrictions matter: tiny quasi-p-values.
    assert set(box.quasi_p) == {X1, X2}
    assert max(box.quasi_p.values()) < 1e-6
    # Statistics are counted on the held-out half: about half the worlds and failures.
    assert box.worlds == pytest.approx(truth.sum() / 2, rel=0.25)
    assert box.contains(parameters).sum() == pytest.approx(2 * box.worlds, rel=0.2)


def test_trajectory_is_kept_and_the_chosen_box_is_on_it() -> None:
    parameters = _worlds(seed=2)
    failed = _planted(parameters, seed=3)
    box = discover(parameters, failed).boxes[0]
    trajectory = box.trajectory
    assert len(trajectory) > 10
    first = trajectory[0]
    assert (first.support, first.coverage, first.restricted) == (1.0, 1.0, 0)
    supports = [s.support for s in trajectory]
    assert supports == sorted(supports, reverse=True)
    # Each peel removes about 5% of the box (more only through ties), down to 5% of the worlds.
    ratios = np.array(supports[1:]) / np.array(supports[:-1])
    assert np.all((ratios > 0.9) & (ratios < 1.0))
    assert 0.04 <= supports[-1] < 0.06
    # The stated rule: the chosen step maximises coverage × (density − b) / (1 − b).
    base = first.density
    scores = [s.coverage * (s.density - base) / (1 - base) for s in trajectory]
    assert box.chosen_step == int(np.argmax(scores))
    table = box.tradeoff()
    assert list(table.columns) == ["step", "support", "coverage", "density", "restricted",
                                   "chosen"]
    assert table["chosen"].sum() == 1 and table.loc[box.chosen_step, "chosen"]


def test_record_carries_p_values_and_trajectory_for_the_failures_table() -> None:
    parameters = _worlds(seed=4)
    box = discover(parameters, _planted(parameters, seed=5)).boxes[0]
    record = box_record(box)
    assert list(record) == BOX_COLUMNS
    assert json.loads(str(record["quasi_p"])) == pytest.approx(box.quasi_p)
    steps = json.loads(str(record["trajectory"]))
    assert len(steps) == len(box.trajectory) and steps[0]["restricted"] == []
    assert record["p_value"] == box.p_value
    assert X1 in str(record["conditions"])


# --- only parameters that can affect the portfolio ----------------------------------------------


def test_portfolio_parameters_keep_context_actors_events_and_own_options() -> None:
    columns = ["world", X1, X2, "events.coup.probability", MINE, OTHER]
    assert portfolio_parameters(columns, ["sanctions_listing"]) == [
        X1, X2, "events.coup.probability", MINE]
    assert portfolio_parameters(columns, []) == [X1, X2, "events.coup.probability"]
    assert portfolio_parameters(columns, None) == columns[1:]
    # A prefix of an option's id is not that option.
    assert portfolio_parameters(["options.sanctions.reach"], ["sanctions_listing"]) == []


def test_parameter_of_an_option_not_in_the_portfolio_is_never_reported() -> None:
    parameters = _worlds(seed=6)
    rng = np.random.default_rng(7)
    # By construction failure tracks another option's parameter (and, more weakly, x1).
    failed = (((parameters[OTHER] > 0.6) | (parameters[X1] > 0.9)).to_numpy()
              ^ (rng.random(len(parameters)) < 0.05))
    unrestricted = discover(parameters, failed)  # all parameters: OTHER is what it finds
    assert unrestricted.boxes and OTHER in unrestricted.boxes[0].limits

    found = discover(parameters, failed, options=["sanctions_listing"])
    assert OTHER in found.excluded and OTHER not in found.parameters
    assert MINE in found.parameters
    for box in [*found.boxes, *found.rejected]:
        assert OTHER not in box.limits and OTHER not in box.quasi_p and OTHER not in box.dropped
        assert all(OTHER not in step.limits for step in box.trajectory)
    for trajectory in found.trajectories:
        assert all(OTHER not in step.limits for step in trajectory)
    assert all(OTHER not in {c.parameter for c in box.conditions}
               for box in failure_conditions(parameters, failed, options=["sanctions_listing"]))


def test_parameter_of_an_option_in_the_portfolio_can_be_reported() -> None:
    parameters = _worlds(seed=8)
    failed = ((parameters[MINE] < 0.25).to_numpy()
              ^ (np.random.default_rng(9).random(len(parameters)) < 0.05))
    (box, *_) = discover(parameters, failed, options=["sanctions_listing"]).boxes
    assert set(box.limits) == {MINE}
    assert box.limits[MINE][1] == pytest.approx(0.25, abs=0.04)


# --- no box when there is nothing to find -------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_pure_noise_reports_no_box(seed: int) -> None:
    parameters = _worlds(n=3000, seed=10 + seed)
    failed = np.random.default_rng(20 + seed).random(3000) < 0.2
    found = discover(parameters, failed, random_state=seed)
    assert found.boxes == [] and found.note
    assert failure_conditions(parameters, failed, random_state=seed) == []
    assert found.trajectories  # PRIM did run: its trade-off can still be shown


def test_noise_box_is_rejected_by_the_held_out_binomial_test() -> None:
    """Without dropping insignificant restrictions PRIM always finds some box in noise; the
    held-out test against the overall rate must reject it."""
    parameters = _worlds(n=3000, seed=30)
    rejected = 0
    for seed in range(8):
        failed = np.random.default_rng(40 + seed).random(3000) < 0.2
        found = discover(parameters, failed, max_quasi_p=1.0, random_state=seed)
        assert found.boxes == []
        rejected += len(found.rejected)
        for box in found.rejected:
            assert box.p_value >= 0.01
            count, fails = box.worlds, box.failures
            assert box.p_value == pytest.approx(stats.binomtest(
                fails, count, box.base_rate, alternative="greater").pvalue)
    assert rejected >= 6


def test_too_few_or_all_failures_give_no_boxes() -> None:
    parameters = _worlds(n=500)
    assert failure_conditions(parameters, np.zeros(500, dtype=bool)) == []
    assert failure_conditions(parameters, np.ones(500, dtype=bool)) == []
    few = np.zeros(500, dtype=bool)
    few[:3] = True
    assert "too few" in discover(parameters, few).note


def test_failed_must_match_worlds_and_alphas_lie_in_0_1() -> None:
    with pytest.raises(ValueError, match="values for"):
        failure_conditions(_worlds(n=100), np.zeros(99, dtype=bool))
    with pytest.raises(ValueError, match="peel_alpha"):
        discover(_worlds(n=100), np.zeros(100, dtype=bool), peel_alpha=0.0)


# --- p-values -----------------------------------------------------------------------------------


def test_irrelevant_restriction_gets_a_high_quasi_p() -> None:
    parameters = _worlds(seed=11)
    failed = _planted(parameters, seed=12)
    limits = {X1: (0.7, np.inf), X2: (-np.inf, 0.3), NOISE[0]: (-np.inf, 0.8)}
    quasi = quasi_p_values(parameters, failed, limits)
    assert quasi[X1] < 1e-10 and quasi[X2] < 1e-10
    assert quasi[NOISE[0]] > 0.2

    # The definition: one-sided binomial test against the box without that restriction.
    inside = ((parameters[X1] >= 0.7) & (parameters[X2] < 0.3)
              & (parameters[NOISE[0]] < 0.8)).to_numpy()
    wider = ((parameters[X1] >= 0.7) & (parameters[X2] < 0.3)).to_numpy()
    expected = stats.binomtest(int(failed[inside].sum()), int(inside.sum()),
                               failed[wider].mean(), alternative="greater").pvalue
    assert quasi[NOISE[0]] == pytest.approx(expected)


def test_insignificant_restrictions_are_dropped_and_kept_ones_are_significant() -> None:
    parameters = _worlds(seed=13)
    failed = _planted(parameters, seed=14)
    kept = discover(parameters, failed, max_quasi_p=1.0).boxes[0]  # nothing dropped
    pruned = discover(parameters, failed).boxes[0]
    assert set(pruned.limits) == {X1, X2}
    assert set(kept.limits) >= {X1, X2}
    assert all(p > 0.05 for p in pruned.dropped.values())
    assert set(pruned.dropped) == set(kept.limits) - {X1, X2}


# --- covering -----------------------------------------------------------------------------------


def test_two_separate_boxes_are_both_found() -> None:
    parameters = _worlds(n=6000, seed=15)
    x, y = parameters[X1].to_numpy(), parameters[X2].to_numpy()
    noise = parameters[NOISE[0]].to_numpy()
    failed = (((x < 0.2) | ((y >= 0.85) & (noise < 0.5)))
              & (np.random.default_rng(16).random(6000) < 0.9))
    boxes = failure_conditions(parameters, failed)
    assert len(boxes) == 2
    found = [set(b.limits) for b in boxes]
    assert {X1} in found and {X2, NOISE[0]} in found
    assert failure_conditions(parameters, failed, max_boxes=1) == boxes[:1]


# --- which portfolios ---------------------------------------------------------------------------


def test_portfolios_to_explain_are_singles_then_best_ranked_combinations() -> None:
    portfolios = {"status_quo": (), "a": ("a",), "b": ("b",), "a+b": ("a", "b"),
                  "a+c": ("a", "c"), "b+c": ("b", "c"), "a+b+c": ("a", "b", "c"),
                  "named": ("a", "b")}
    ranking = pd.DataFrame({"rank": [1, 2, 3, 4, 5, 6, 7],
                            "portfolio": ["named", "a+b", "a", "b+c", "status_quo", "a+c",
                                          "a+b+c"]})
    assert portfolios_to_explain(portfolios, ranking, top=2) == ["a", "b", "named", "b+c"]
    assert portfolios_to_explain(portfolios, ranking.iloc[::-1], top=1) == ["a", "b", "named"]
    assert portfolios_to_explain(portfolios, None) == ["a", "b"]


# --- plain sentences ----------------------------------------------------------------------------


def _box() -> Box:
    return Box(conditions=[Condition(X1, "<", 2.2961), Condition(X2, ">=", 180_412.0)],
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
    assert box.limits == {"context.window": (0.12345, 0.5),
                          "options.sanctions.reach": (-np.inf, 0.4)}
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


def test_sentence_names_a_structural_form_and_gives_the_p_value() -> None:
    """A bound on a 0/1 structural choice reads as the rule form that holds, and the box's
    significance is stated without scientific notation."""
    path = "actors.DPRK.declaration_response"
    provoked = Box(conditions=[Condition(path, ">=", 0.5)], support=0.3, density=0.44,
                   coverage=0.69, base_rate=0.2, p_value=9.4e-06)
    text = describe_box(provoked, subject="The declaration fails",
                        labels={path: ("DPRK declaration response", "rule form")})
    assert "worlds where the rule form is “provoked” (DPRK declaration response)" in text
    assert "p < 0.001" in text and "e-" not in text
    deterred = Box(conditions=[Condition(path, "<", 0.5)], support=0.7, density=0.3,
                   coverage=0.8, base_rate=0.2, p_value=0.0123)
    text = describe_box(deterred, subject="The declaration fails", labels={})
    assert "“deterred”" in text and "p = 0.012" in text
