"""Quantal-response (logit) choice: actors pick better actions more often, not always."""

from __future__ import annotations

import numpy as np


def logit_probability(utility_gain: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """Probability of taking an action whose utility exceeds the alternative's by `utility_gain`.

    With two actions this is the logistic of gain / temperature: temperature → 0 is a strict
    best response, a large temperature is a coin flip.
    """
    scaled = utility_gain / np.maximum(temperature, 1e-9)
    return 0.5 * (1.0 + np.tanh(0.5 * scaled))  # the logistic function, without overflow

