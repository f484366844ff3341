"""The Pareto filter and practical-significance verdicts on constructed cases."""

from __future__ import annotations

import numpy as np
import pytest

from axis_sim.experiment.overlap import double_counting, effect_correlations
from axis_sim.experiment.pareto import dominance, paired_intervals, pareto_members, trade_offs
from axis_sim.experiment.significance import (
    BETTER,
    SAME,
    UNCERTAIN,
    WORSE,
    interaction_verdict,
    verdict,
)

NAMES = ["A", "B", "C", "D", "E"]


def _constructed() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two criteria, higher better, MMD 1 each; 400 paired worlds with shared noise.

    A = (10, 0) and B = (0, 10) trade off; C = (5, −5) is beaten by A on both; D = (9.5, 0.4)
    is within the MMD of A on both (no practical difference, so neither knocks the other out);
    E = (4, 4) is beaten by nobody on both at once."""
    rng = np.random.default_rng(0)
    worlds = 400
    means = np.array([[10, 0], [0, 10], [5, -5], [9.5, 0.4], [4, 4]], dtype=float)
    common = rng.normal(0, 3, (2, worlds))  # the world's luck, the same for every portfolio
    values = means.T[:, :, None] + common[:, None, :] + rng.normal(0, 0.2, (2, 5, worlds))
    pairs = [paired_intervals(values[k]) for k in range(2)]
    mean = np.stack([m for m, _ in pairs])
    half = np.stack([h for _, h in pairs])
    return mean, half, np.array([1.0, 1.0]), np.array([1.0, 1.0])


def test_pareto_filter_on_a_constructed_case() -> None:
    mean, half, mmd, sign = _constructed()
    dominates = dominance(mean, half, mmd, sign)
    members = pareto_members(dominates)
    assert [n for n, m in zip(NAMES, members, strict=True) if m] == ["A", "B", "D", "E"]
    assert dominates[0, 2] and not dominates[0, 3] and not dominates[3, 0]
    assert not dominates.diagonal().any()
    # Lower is better on both: the same case mirrored, so the set mirrors too.
    flipped = pareto_members(dominance(-mean, half, mmd, -sign))
    assert flipped.tolist() == members.tolist()


def test_a_bigger_mmd_turns_a_trade_off_into_no_difference() -> None:
    mean, half, _, sign = _constructed()
    # With MMD 20 no difference matters, so nobody dominates anybody.
    assert pareto_members(dominance(mean, half, np.array([20.0, 20.0]), sign)).all()


def test_trade_offs_name_what_each_member_gives_up() -> None:
    mean, half, mmd, sign = _constructed()
    members = pareto_members(dominance(mean, half, mmd, sign))
    found = {(NAMES[p], k, NAMES[q]) for p, k, q in trade_offs(mean, half, mmd, sign, members)}
    assert ("A", 1, "B") in found and ("B", 0, "A") in found
    assert ("A", 0, "D") not in found  # D is not meaningfully better than A on criterion 0
    assert not any(q == "C" or p == "C" for p, _, q in found)  # C is off the set


def test_paired_intervals_match_the_interval_of_the_differences() -> None:
    from axis_sim.experiment.compare import mean_interval

    rng = np.random.default_rng(1)
    values = rng.normal(0, 1, (3, 250)) + rng.normal(0, 2, 250)
    mean, half = paired_intervals(values)
    low, high = mean_interval(values[2] - values[0])
    assert mean[2, 0] - half[2, 0] == pytest.approx(low)
    assert mean[2, 0] + half[2, 0] == pytest.approx(high)


@pytest.mark.parametrize(("low", "high", "mmd", "sign", "expected"), [
    (1.2, 3.0, 1.0, 1.0, BETTER),
    (0.01, 0.02, 1.0, 1.0, SAME),  # sure it is positive, but far below the MMD
    (0.5, 3.0, 1.0, 1.0, UNCERTAIN),  # perhaps meaningful, perhaps not
    (-3.0, -1.0, 1.0, 1.0, WORSE),
    (-3.0, -1.0, 1.0, -1.0, BETTER),  # lower is better
    (-0.99, 0.99, 1.0, 1.0, SAME),
    (-1.5, 1.5, 1.0, 1.0, UNCERTAIN),
    (0.5, 2.0, float("nan"), 1.0, UNCERTAIN),
])
def test_verdicts_read_the_interval_against_the_mmd(low: float, high: float, mmd: float,
                                                    sign: float, expected: str) -> None:
    assert verdict(low, high, mmd, sign) == expected


def test_no_better_verdict_for_an_effect_smaller_than_its_mmd() -> None:
    rng = np.random.default_rng(2)
    for _ in range(2000):
        mmd = rng.uniform(0.01, 5)
        effect = rng.uniform(-mmd, mmd)  # every effect smaller than its MMD
        half = rng.uniform(0, 3 * mmd)
        for sign in (1.0, -1.0):
            got = verdict(sign * effect - half, sign * effect + half, mmd, sign)
            assert got not in (BETTER, WORSE)
            assert interaction_verdict(sign * effect - half, sign * effect + half, mmd,
                                       sign) not in ("synergy", "interference")


def test_outcomes_whose_effects_move_together_are_flagged() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(0, 1, (4, 500))
    effects = {"shipped": base, "supply": 0.5 * base + rng.normal(0, 0.05, (4, 500)),
               "tension": rng.normal(0, 1, (4, 500)), "flat": np.zeros((4, 500))}
    correlations = effect_correlations(effects)
    assert "flat" not in set(correlations["outcome_a"]) | set(correlations["outcome_b"])
    flagged = double_counting(correlations, scored=["shipped", "supply", "tension"])
    assert len(flagged) == 1
    row = flagged.iloc[0]
    assert {row.outcome_a, row.outcome_b} == {"shipped", "supply"} and row.correlation > 0.9
    assert bool(row.double_counted)
    # Once the scenario marks one as restating the other, it is no longer counted twice.
    assert not double_counting(correlations, scored=["shipped", "tension"])[
        "double_counted"].any()
