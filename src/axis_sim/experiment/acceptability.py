"""SMAA-2: how portfolios rank over the whole weight space, not only at the scenario's weights.

Stochastic multicriteria acceptability analysis (Lahdelma & Salminen 2001) replaces the one
weight vector a composite score needs with every weight vector a decision maker might hold:
weights are drawn uniformly on the simplex (all non-negative, summing to 1), keeping only those
that respect the scenario's ordinal judgements ("lethal incidents outweigh tension"). Each weight
draw is paired with one simulated world drawn at random, so a portfolio's rank reflects the
weight and the parameter uncertainty together, on paired per-world values (every portfolio is
valued in the same world). From the draws:

- **rank acceptability** b(p, r): the share of (weight, world) draws in which portfolio p ranks
  r-th (1 = best). Ties share their ranks equally, so each rank's shares sum to 1;
- **central weight vector**: the mean of the weights under which p ranks first — the typical
  values that make p the choice (NaN if p never ranks first);
- **confidence factor**: the share of worlds in which p ranks first when the weights are held at
  its central weight vector — whether the parameter uncertainty alone leaves p first.

Plain functions over plain arrays; `values` is always (portfolios, criteria, worlds) of partial
values or differences from a common reference (rankings are the same either way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TIE = 1e-12  # values within this of each other tie (sums of the same numbers in another order)
MIN_ACCEPTANCE = 1e-4  # fewer weight draws than this share satisfying the judgements: refuse


def respects(weights: np.ndarray, order: Sequence[tuple[int, int]]) -> np.ndarray:
    """Which rows of `weights` keep every judgement (i, j): weight i at least weight j."""
    keep = np.ones(len(weights), dtype=bool)
    for i, j in order:
        keep &= weights[:, i] >= weights[:, j]
    return keep


def sample_weights(n: int, criteria: int, rng: np.random.Generator,
                   order: Sequence[tuple[int, int]] = ()) -> np.ndarray:
    """`n` weight vectors uniform on the simplex of `criteria` weights, restricted to those that
    respect the ordinal judgements `order` (rejection: uniform on the restricted region).

    A flat Dirichlet is the uniform distribution on the simplex. Raises ValueError when the
    judgements leave too small a share of the simplex to sample by rejection.
    """
    if criteria < 1:
        return np.empty((n, 0))
    kept: list[np.ndarray] = []
    have, drawn = 0, 0
    batch = max(1024, 2 * n)
    while have < n:
        draws = rng.dirichlet(np.ones(criteria), size=batch)
        drawn += batch
        ok = draws[respects(draws, order)]
        kept.append(ok)
        have += len(ok)
        if drawn >= 50 * batch and have < MIN_ACCEPTANCE * drawn:
            raise ValueError(f"the ordinal judgements leave less than {MIN_ACCEPTANCE:.2%} of "
                             "the weight space; they are too many to sample by rejection")
    return np.concatenate(kept)[:n]


def rank_shares(scores: np.ndarray) -> np.ndarray:
    """Per draw and portfolio, the share of each rank: (draws, portfolios, ranks).

    `scores` is (draws, portfolios), higher better. A portfolio tied with m others spreads
    itself over the m + 1 ranks the tie occupies, 1/(m + 1) each."""
    d, p = scores.shape
    diff = scores[:, None, :] - scores[:, :, None]  # [d, a, b] = score b − score a
    above = (diff > TIE).sum(axis=2)  # how many portfolios beat a
    tied = (np.abs(diff) <= TIE).sum(axis=2)  # a and those level with it
    shares = np.zeros((d, p, p))
    draws, portfolios = np.indices((d, p))
    for offset in range(p):
        on = offset < tied
        shares[draws[on], portfolios[on], above[on] + offset] = 1.0 / tied[on]
    return shares


@dataclass(frozen=True)
class Acceptability:
    """The result of `smaa`: `acceptability[p, r]` is the share of draws where portfolio p
    ranks r + 1; `central[p]` its central weight vector (NaN if never first); `confidence[p]`
    its confidence factor (NaN if never first); `draws` the number of (weight, world) draws."""

    acceptability: np.ndarray
    central: np.ndarray
    confidence: np.ndarray
    draws: int

    @property
    def first(self) -> np.ndarray:
        """Each portfolio's share of the weight space (and worlds) in which it ranks first."""
        return self.acceptability[:, 0]


def smaa(values: np.ndarray, draws: int = 20_000, order: Sequence[tuple[int, int]] = (),
         seed: int = 0, batch: int = 2_000) -> Acceptability:
    """SMAA-2 over `values` (portfolios, criteria, worlds), weights uniform on the simplex
    within the ordinal judgements `order`, each weight draw paired with a random world."""
    portfolios, criteria, worlds = values.shape
    rng = np.random.default_rng(seed)
    weights = sample_weights(draws, criteria, rng, order)
    picks = rng.integers(worlds, size=draws)
    counts = np.zeros((portfolios, portfolios))
    first_weight = np.zeros((portfolios, criteria))
    for start in range(0, draws, batch):
        w, world = weights[start:start + batch], picks[start:start + batch]
        # scores[d, p] = Σ_k w[d, k] · values[p, k, world[d]]
        scores = np.einsum("dk,pkd->dp", w, values[:, :, world])
        shares = rank_shares(scores)
        counts += shares.sum(axis=0)
        first_weight += shares[:, :, 0].T @ w
    acceptability = counts / draws
    with np.errstate(invalid="ignore", divide="ignore"):
        central = first_weight / (acceptability[:, :1] * draws)
    central[acceptability[:, 0] == 0] = np.nan
    confidence = np.array([confidence_factor(values, p, central[p])
                           for p in range(portfolios)])
    return Acceptability(acceptability, central, confidence, draws)


def confidence_factor(values: np.ndarray, portfolio: int, weights: np.ndarray) -> float:
    """The share of worlds in which `portfolio` ranks first under fixed `weights` (ties
    shared); NaN when the weights are NaN (the portfolio never ranks first)."""
    if np.isnan(weights).any():
        return float("nan")
    scores = np.einsum("k,pkw->wp", weights, values)
    best = scores.max(axis=1, keepdims=True)
    level = np.abs(scores - best) <= TIE
    return float((level[:, portfolio] / level.sum(axis=1)).mean())
