"""The Pareto set over headline outcomes: the portfolios no other portfolio beats, needing no
weights.

Portfolio a *dominates* b when, on paired worlds, a is meaningfully better on at least one
scored outcome and not meaningfully worse on any: for every outcome the 90% interval of the
mean paired difference a − b (signed so that better is positive) lies above −MMD, and for at
least one it lies at or above +MMD (the verdict "better" of `significance`). The Pareto set is
the portfolios no other dominates. Differences smaller than an outcome's MMD are not trade-offs,
so two portfolios that differ only by noise or trifles do not knock each other out.

What a member *trades away*: the outcomes on which another member is meaningfully better.
`trade_offs` lists them for any set of portfolios (the Pareto set and the portfolios that lead
the rank acceptability, so a report can state the trade-off between the leaders).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from axis_sim.experiment.compare import CONFIDENCE


def paired_intervals(values: np.ndarray, confidence: float = CONFIDENCE
                     ) -> tuple[np.ndarray, np.ndarray]:
    """For one outcome's (portfolios, worlds) values: the mean paired difference row − column,
    (portfolios, portfolios), and the half-width of its Student-t interval (from the covariance
    of the portfolios over worlds: var(a − b) = var a + var b − 2 cov(a, b))."""
    means = values.mean(axis=1)
    n = values.shape[1]
    if n < 2:
        nan = np.full((len(means), len(means)), np.nan)
        return means[:, None] - means[None, :], nan
    cov = np.atleast_2d(np.cov(values, ddof=1))
    var = np.diag(cov)
    diff_var = np.maximum(var[:, None] + var[None, :] - 2 * cov, 0.0)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * np.sqrt(diff_var / n)
    return means[:, None] - means[None, :], half


def dominance(mean: np.ndarray, half: np.ndarray, mmd: np.ndarray,
              sign: np.ndarray) -> np.ndarray:
    """`dominates[a, b]` for criteria stacked on the first axis: mean and half are (criteria,
    portfolios, portfolios) differences a − b in natural units, mmd and sign (criteria,)."""
    signed = sign[:, None, None] * mean
    low = signed - half
    floor = np.nan_to_num(mmd, nan=0.0)[:, None, None]
    not_worse = (low > -floor).all(axis=0)
    # Without an MMD (NaN), "better" still needs the interval clear of 0.
    better = ((low >= floor) & (low > 0)).any(axis=0)
    dominates = not_worse & better
    np.fill_diagonal(dominates, False)
    return dominates


def pareto_members(dominates: np.ndarray) -> np.ndarray:
    """Which portfolios no other portfolio dominates."""
    return ~dominates.any(axis=0)


def trade_offs(mean: np.ndarray, half: np.ndarray, mmd: np.ndarray, sign: np.ndarray,
               among: np.ndarray) -> list[tuple[int, int, int]]:
    """Every (p, k, q) with p and q among the portfolios `among` (a boolean mask) where q is
    meaningfully better than p on criterion k: what p gives up, next to q."""
    signed = sign[:, None, None] * mean  # [k, q, p]: q − p, better positive
    low = signed - half
    floor = np.nan_to_num(mmd, nan=0.0)
    idx = np.flatnonzero(among)
    return [(int(p), k, int(q)) for p in idx for k in range(mean.shape[0]) for q in idx
            if q != p and low[k, q, p] >= floor[k] and low[k, q, p] > 0]
