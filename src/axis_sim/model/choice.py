"""Quantal-response (logit) choice: actors pick better actions more often, not always.

Utilities are in log-odds units. A choice between acting and not acting with base probability
`p0` and utility shifts `s` acts with probability logistic(logit(p0) + s / temperature): with no
shift the base rate holds; temperature → 0 is a strict best response to the shifts, a large
temperature ignores them.
"""

from __future__ import annotations

import numpy as np


def logistic(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)), with p kept inside (0, 1)."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1.0 - p))


def logit_probability(utility_gain: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """Probability of an action whose utility exceeds the alternative's by `utility_gain`."""
    return logistic(utility_gain / np.maximum(temperature, 1e-9))


def shifted_probability(base: np.ndarray, shift: np.ndarray,
                        temperature: np.ndarray) -> np.ndarray:
    """A base probability moved by a utility shift on the log-odds scale."""
    return logistic(logit(base) + shift / np.maximum(temperature, 1e-9))


def logit_choice(utilities: np.ndarray, temperature: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of the action each world picks from utilities (worlds, k), one uniform per world."""
    scaled = utilities / np.maximum(temperature, 1e-9)[:, None]
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    weights = np.exp(scaled)
    cumulative = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    return np.minimum((cumulative < u[:, None]).sum(axis=1), utilities.shape[1] - 1)
