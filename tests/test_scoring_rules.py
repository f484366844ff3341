"""The scoring rules against hand-computed values, scikit-learn, brute force and properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from sklearn.metrics import brier_score_loss, log_loss

from axis_sim.scoring.rules import (
    brier,
    brier_skill,
    crps_ensemble,
    interval_coverage,
    log_score,
    reliability_table,
)


def crps_brute(samples: np.ndarray, y: float) -> float:
    """E|X − y| − ½ E|X − X'| by the double sum (the definition, O(n²))."""
    x = np.asarray(samples, dtype=float)
    return float(np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


# --- binary rules ------------------------------------------------------------------------------


def test_brier_hand_computed() -> None:
    assert brier([0.1, 0.9, 0.5], [0, 1, 1]) == pytest.approx((0.01 + 0.01 + 0.25) / 3)
    assert brier(0.7, 1) == pytest.approx(0.09)
    assert brier([0.5] * 4, [0, 1, 0, 1]) == pytest.approx(0.25)


def test_perfect_and_anti_perfect_forecasters() -> None:
    y = np.array([1, 0, 0, 1, 1, 0, 1])
    assert brier(y, y) == 0.0
    assert brier(1 - y, y) == 1.0
    assert log_score(y, y) == pytest.approx(-math.log(1 - 1e-6))
    assert log_score(1 - y, y) == pytest.approx(-math.log(1e-6))


def test_brier_and_log_score_match_sklearn() -> None:
    rng = np.random.default_rng(7)
    p = rng.uniform(0.01, 0.99, 200)
    y = (rng.uniform(size=200) < p).astype(int)
    assert brier(p, y) == pytest.approx(brier_score_loss(y, p))
    assert log_score(p, y) == pytest.approx(log_loss(y, p, labels=[0, 1]))


def test_log_score_hand_computed_and_clipped() -> None:
    assert log_score([0.8], [1]) == pytest.approx(-math.log(0.8))
    assert log_score([0.8], [0]) == pytest.approx(-math.log(0.2))
    assert log_score([0.5], [1]) == pytest.approx(math.log(2))
    assert log_score([0.0], [1]) == pytest.approx(-math.log(1e-6))
    assert log_score([0.0], [1], eps=1e-3) == pytest.approx(-math.log(1e-3))
    assert math.isfinite(log_score([1.0, 0.0], [0, 1]))


def test_brier_skill() -> None:
    assert brier_skill(0.1, 0.25) == pytest.approx(0.6)
    assert brier_skill(0.25, 0.25) == 0.0
    assert brier_skill(0.5, 0.25) == pytest.approx(-1.0)
    assert brier_skill(0.0, 0.0) == 0.0
    assert brier_skill(0.1, 0.0) == -math.inf
    with pytest.raises(ValueError):
        brier_skill(float("nan"), 0.25)


@pytest.mark.parametrize(("p", "y", "match"), [
    ([], [], "no forecasts"),
    ([0.5, 0.5], [1], "2 forecasts but 1 outcomes"),
    ([1.2], [1], r"\[0, 1\]"),
    ([-0.1], [1], r"\[0, 1\]"),
    ([float("nan")], [1], r"\[0, 1\]"),
    ([0.5], [2], "0 or 1"),
    ([0.5], [0.5], "0 or 1"),
])
def test_binary_rules_refuse_bad_input(p: list[float], y: list[float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        brier(p, y)
    with pytest.raises(ValueError, match=match):
        log_score(p, y)


def test_reliability_table_hand_computed() -> None:
    p = [0.05, 0.15, 0.12, 0.95, 1.0, 0.0]
    y = [0, 1, 0, 1, 1, 0]
    table = reliability_table(p, y, bins=10)
    assert list(table.columns) == ["bin_low", "bin_high", "mean_forecast",
                                   "observed_frequency", "count"]
    assert len(table) == 10
    assert table["count"].sum() == len(p)
    assert table["count"].tolist() == [2, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    assert table.loc[0, "mean_forecast"] == pytest.approx(0.025)
    assert table.loc[1, "mean_forecast"] == pytest.approx(0.135)
    assert table.loc[1, "observed_frequency"] == pytest.approx(0.5)
    assert table.loc[9, "mean_forecast"] == pytest.approx(0.975)  # 1.0 is in the last bin
    assert table.loc[9, "observed_frequency"] == 1.0
    assert np.isnan(table.loc[5, "mean_forecast"])
    assert table["bin_low"].iloc[0] == 0.0 and table["bin_high"].iloc[-1] == 1.0


def test_reliability_table_bins() -> None:
    assert len(reliability_table([0.3, 0.7], [0, 1], bins=4)) == 4
    with pytest.raises(ValueError):
        reliability_table([0.3], [0], bins=0)


# --- ensemble rules ----------------------------------------------------------------------------


def test_crps_hand_computed() -> None:
    assert crps_ensemble([3.0], 1.0) == pytest.approx(2.0)  # one member: absolute error
    assert crps_ensemble([0.0, 1.0], 0.0) == pytest.approx(0.25)  # 0.5 − ½·0.5
    assert crps_ensemble([0.0, 1.0], 0.5) == pytest.approx(0.25)  # 0.5 − 0.25
    assert crps_ensemble([0.0, 1.0], 2.0) == pytest.approx(1.25)  # 1.5 − 0.25
    assert crps_ensemble([2.0, 2.0, 2.0], 2.0) == 0.0
    assert crps_ensemble([2.0, 2.0, 2.0], 5.0) == pytest.approx(3.0)


def test_crps_matches_brute_force_and_the_integral() -> None:
    rng = np.random.default_rng(11)
    for n in (1, 2, 3, 7, 50):
        samples = rng.normal(10, 3, n)
        for y in (samples.min() - 1, float(np.median(samples)), samples.max() + 2, 10.0):
            assert crps_ensemble(samples, y) == pytest.approx(crps_brute(samples, y), abs=1e-12)
    # CRPS = ∫ (F(t) − 1{t ≥ y})² dt, integrated numerically (scipy) between the jumps.
    samples, y = rng.normal(0, 1, 9), 0.3
    points = np.sort(np.append(samples, y))

    def gap(t: float) -> float:
        return (np.mean(samples <= t) - float(t >= y)) ** 2

    pieces = [integrate.quad(gap, a, b)[0] for a, b in itertools.pairwise(points)]
    assert crps_ensemble(samples, y) == pytest.approx(sum(pieces), rel=1e-9)


def test_crps_vectorised_over_questions() -> None:
    rng = np.random.default_rng(3)
    samples = rng.exponential(5, (4, 30))
    y = np.array([0.0, 5.0, 20.0, 1.0])
    scores = crps_ensemble(samples, y)
    assert isinstance(scores, np.ndarray) and scores.shape == (4,)
    for k in range(4):
        assert scores[k] == pytest.approx(crps_brute(samples[k], y[k]))


def test_crps_is_o_n_log_n_fast() -> None:
    samples = np.random.default_rng(0).normal(size=200_000)
    assert crps_ensemble(samples, 0.1) > 0  # a double sum would need 4·10¹⁰ terms


def test_crps_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        crps_ensemble([], 1.0)
    with pytest.raises(ValueError):
        crps_ensemble([1.0, float("nan")], 1.0)
    with pytest.raises(ValueError):
        crps_ensemble(np.zeros((2, 3)), [1.0])


def test_interval_coverage() -> None:
    samples = np.arange(101.0)  # quantiles are exact: the q-quantile is 100q
    assert interval_coverage(samples, 50.0, 0.5)
    assert interval_coverage(samples, 25.0, 0.5)  # ends included
    assert not interval_coverage(samples, 24.9, 0.5)
    assert interval_coverage(samples, 5.0, 0.9)
    assert not interval_coverage(samples, 4.0, 0.9)
    assert not interval_coverage(samples, 96.0, 0.9)
    inside = interval_coverage(np.vstack([samples, samples]), np.array([50.0, 99.0]), 0.9)
    assert inside.tolist() == [True, False]
    with pytest.raises(ValueError):
        interval_coverage(samples, 1.0, 1.0)


# --- properties --------------------------------------------------------------------------------

probability = st.floats(0.0, 1.0, allow_nan=False)
value = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def binary_forecasts(draw: st.DrawFn) -> tuple[list[float], list[int]]:
    n = draw(st.integers(1, 40))
    return (draw(st.lists(probability, min_size=n, max_size=n)),
            draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))


@settings(max_examples=200, deadline=None)
@given(binary_forecasts())
def test_binary_rules_are_finite_and_bounded(data: tuple[list[float], list[int]]) -> None:
    p, y = data
    b = brier(p, y)
    assert not math.isnan(b) and 0.0 <= b <= 1.0
    ls = log_score(p, y)
    assert math.isfinite(ls) and 0.0 <= ls <= -math.log(1e-6) + 1e-9
    skill = brier_skill(b, brier([0.5] * len(y), y))
    assert not math.isnan(skill) and skill <= 1.0
    table = reliability_table(p, y, bins=7)
    assert table["count"].sum() == len(p)
    filled = table[table["count"] > 0]
    assert not filled[["mean_forecast", "observed_frequency"]].isna().any().any()
    assert ((filled["mean_forecast"] >= filled["bin_low"] - 1e-12)
            & (filled["mean_forecast"] <= filled["bin_high"] + 1e-12)).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(value, min_size=1, max_size=25), value)
def test_crps_is_non_negative_and_zero_only_at_a_point_mass(samples: list[float],
                                                            y: float) -> None:
    score = crps_ensemble(samples, y)
    assert math.isfinite(score) and score >= 0.0
    assert (score == 0.0) == all(x == y for x in samples)
    assert score == pytest.approx(crps_brute(np.array(samples), y), rel=1e-9, abs=1e-6)
    assert score <= float(np.mean(np.abs(np.array(samples) - y))) * (1 + 1e-12) + 1e-9


@settings(max_examples=100, deadline=None)
@given(value, st.integers(1, 20))
def test_crps_of_a_point_mass_on_the_value_is_zero(y: float, n: int) -> None:
    assert crps_ensemble([y] * n, y) == 0.0
    assert interval_coverage([y] * n, y, 0.9)


# --- how sure the scores are ------------------------------------------------------------------

def test_brier_decomposition_is_exact_for_forecasts_constant_within_bins() -> None:
    from axis_sim.scoring.rules import brier_decomposition

    p = np.array([0.05, 0.05, 0.05, 0.05, 0.75, 0.75, 0.75, 0.75])
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    d = brier_decomposition(p, y, bins=10)
    # Bins: {0.05: 1 of 4 happened}, {0.75: 3 of 4}; overall rate 0.5.
    assert d["reliability"] == pytest.approx(0.5 * (0.05 - 0.25) ** 2 + 0.5 * (0.75 - 0.75) ** 2)
    assert d["resolution"] == pytest.approx(0.5 * 0.25 ** 2 + 0.5 * 0.25 ** 2)
    assert d["uncertainty"] == pytest.approx(0.25)
    assert d["residual"] == pytest.approx(0.0, abs=1e-12)
    assert brier(p, y) == pytest.approx(d["reliability"] - d["resolution"] + d["uncertainty"])


def test_bootstrap_intervals_hold_the_estimate_and_narrow_with_more_questions() -> None:
    from axis_sim.scoring.rules import bootstrap_intervals

    rng = np.random.default_rng(1)
    y = (rng.random(400) < 0.3).astype(float)
    p = np.clip(0.3 + 0.4 * (y - 0.3) + rng.normal(0, 0.1, 400), 0.01, 0.99)
    few = bootstrap_intervals(p[:40], y[:40], {"uniform": np.full(40, 0.5)}, seed=3)
    many = bootstrap_intervals(p, y, {"uniform": np.full(400, 0.5)}, seed=3)
    low, high = many["brier"]
    assert low <= brier(p, y) <= high
    assert (many["brier"][1] - many["brier"][0]) < (few["brier"][1] - few["brier"][0])
    assert many["brier_skill_uniform"][0] > 0  # a good forecaster beats 50% surely
    again = bootstrap_intervals(p, y, {"uniform": np.full(400, 0.5)}, seed=3)
    assert again == many


def test_outcome_families_cover_the_question_outcomes() -> None:
    from axis_sim.scoring.families import OTHER, family_of

    assert family_of("tech_transfers_icbm") == "transfers"
    assert family_of("icbm_standard_trajectory") == "launches"
    assert family_of("un_actions_blocked") == "UN actions"
    assert family_of("no_such_outcome") == OTHER
