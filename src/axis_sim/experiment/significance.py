"""Practical significance: verdicts that read an interval against a minimal meaningful difference.

An interval that excludes zero only says the simulation can tell the effect from none; with
enough worlds an effect of a millionth of a round does that. A decision needs to know whether
the effect is big enough to matter, so each verdict compares the 90% interval of the effect
(signed so that better is positive) with ±MMD, the outcome's minimal meaningful difference:

- **better**: the whole interval is at or beyond +MMD;
- **worse**: the whole interval is at or beyond −MMD;
- **no practical difference**: the whole interval lies strictly inside ±MMD;
- **uncertain**: anything else (the interval straddles +MMD or −MMD).

So no effect smaller than its MMD is ever "better". Interactions read the same way:
synergy / interference / additive / uncertain.
"""

from __future__ import annotations

import math

import numpy as np

BETTER, WORSE, SAME, UNCERTAIN = "better", "worse", "no practical difference", "uncertain"
INTERACTION_WORDS = {BETTER: "synergy", WORSE: "interference", SAME: "additive",
                     UNCERTAIN: "uncertain"}


def verdict(low: float, high: float, mmd: float, sign: float = 1.0) -> str:
    """The verdict on an effect whose interval is [low, high] in natural units; `sign` is +1
    when higher is better, −1 when lower is. An interval that is NaN, or no MMD, is uncertain.
    """
    if not (math.isfinite(low) and math.isfinite(high) and math.isfinite(mmd) and mmd > 0):
        return UNCERTAIN
    lo, hi = sorted((sign * low, sign * high))
    if lo >= mmd:
        return BETTER
    if hi <= -mmd:
        return WORSE
    if -mmd < lo and hi < mmd:
        return SAME
    return UNCERTAIN


def verdicts(low: np.ndarray, high: np.ndarray, mmd: np.ndarray,
             sign: np.ndarray | float = 1.0) -> list[str]:
    """`verdict` element by element."""
    low, high, mmd, sign = np.broadcast_arrays(np.asarray(low, float), np.asarray(high, float),
                                               np.asarray(mmd, float), np.asarray(sign, float))
    return [verdict(float(a), float(b), float(m), float(s))
            for a, b, m, s in zip(low.ravel(), high.ravel(), mmd.ravel(), sign.ravel(),
                                  strict=True)]


def interaction_verdict(low: float, high: float, mmd: float, sign: float = 1.0) -> str:
    """synergy (together meaningfully better than the sum of the parts), interference,
    additive (within ±MMD of the sum) or uncertain."""
    return INTERACTION_WORDS[verdict(low, high, mmd, sign)]
