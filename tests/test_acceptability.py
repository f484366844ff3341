"""SMAA-2 rank acceptability on constructed cases whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from axis_sim.experiment.acceptability import (
    confidence_factor,
    rank_shares,
    respects,
    sample_weights,
    smaa,
)


def test_one_dominant_portfolio_is_first_everywhere() -> None:
    rng = np.random.default_rng(0)
    others = rng.uniform(0, 0.5, (3, 4, 300))  # three portfolios, four criteria, 300 worlds
    best = others.max(axis=0, keepdims=True) + rng.uniform(0.01, 0.2, (1, 4, 300))
    result = smaa(np.concatenate([others, best]), draws=4000, seed=1)
    assert result.first[3] == 1.0 and result.first[:3].sum() == 0.0
    assert result.confidence[3] == 1.0
    assert np.isnan(result.central[:3]).all()  # never first: no central weights
    assert np.allclose(result.acceptability.sum(axis=0), 1.0)  # each rank is shared out once
    assert np.allclose(result.acceptability.sum(axis=1), 1.0)


def test_mirror_image_portfolios_split_the_weight_space() -> None:
    # A is good on criterion 0, B on criterion 1, in every world, by the same amount.
    values = np.zeros((2, 2, 100))
    values[0, 0] = values[1, 1] = 1.0
    result = smaa(values, draws=20_000, seed=2)
    assert result.first == pytest.approx([0.5, 0.5], abs=0.015)
    # A is first when w0 > w1: uniform on the simplex, E[w0 | w0 > w1] = 3/4.
    assert result.central[0] == pytest.approx([0.75, 0.25], abs=0.01)
    assert result.central[1] == pytest.approx([0.25, 0.75], abs=0.01)
    assert result.confidence == pytest.approx([1.0, 1.0])


def test_an_ordinal_judgement_settles_the_mirror_case() -> None:
    values = np.zeros((2, 2, 50))
    values[0, 0] = values[1, 1] = 1.0
    # "Criterion 0 outweighs criterion 1": only A's half of the simplex is left.
    result = smaa(values, draws=5000, order=[(0, 1)], seed=3)
    assert result.first.tolist() == [1.0, 0.0]


def test_sampled_weights_respect_every_judgement_and_are_uniform_within() -> None:
    rng = np.random.default_rng(4)
    order = [(0, 1), (0, 2), (3, 4)]
    weights = sample_weights(20_000, 5, rng, order)
    assert weights.shape == (20_000, 5)
    assert np.allclose(weights.sum(axis=1), 1.0) and (weights >= 0).all()
    assert respects(weights, order).all()
    # Without judgements, each weight's marginal on the uniform simplex is Beta(1, k − 1).
    free = sample_weights(20_000, 5, rng)
    assert stats.kstest(free[:, 2], stats.beta(1, 4).cdf).pvalue > 0.001
    assert not respects(free, order).all()


def test_judgements_that_leave_no_room_are_refused() -> None:
    with pytest.raises(ValueError, match="too many"):
        sample_weights(10, 12, np.random.default_rng(5),
                       [(i, i + 1) for i in range(11)])  # a total order: 1 in 12! of the space


def test_ties_share_their_ranks() -> None:
    scores = np.array([[1.0, 1.0, 1.0], [2.0, 1.0, 1.0]])
    shares = rank_shares(scores)
    assert np.allclose(shares[0], 1 / 3)
    assert shares[1, 0].tolist() == [1.0, 0.0, 0.0]
    assert np.allclose(shares[1, 1:], [[0.0, 0.5, 0.5]] * 2)


def test_confidence_factor_counts_the_worlds_where_the_portfolio_wins() -> None:
    values = np.zeros((2, 1, 4))
    values[0, 0] = [1.0, 1.0, 1.0, -1.0]  # A wins in three worlds of four
    assert confidence_factor(values, 0, np.array([1.0])) == 0.75
    assert np.isnan(confidence_factor(values, 1, np.array([np.nan])))
