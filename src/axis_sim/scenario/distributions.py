"""Turn uniforms in [0, 1) into draws from a parameter's distribution (inverse CDF, via scipy).

Sampling through the inverse CDF lets one design — random, Latin hypercube or Sobol, all
uniform on the unit cube — serve every distribution kind.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from axis_sim.scenario.schema import (
    Beta,
    Choice,
    Fixed,
    LogNormal,
    Parameter,
    Triangular,
    TruncNormal,
    Uniform,
)


def is_uncertain(parameter: Parameter) -> bool:
    """True if worlds draw different values of this parameter."""
    return not isinstance(parameter.dist, Fixed)


def inverse_cdf(parameter: Parameter, u: np.ndarray) -> np.ndarray:
    """Values of `parameter` at cumulative probabilities `u` (same shape as `u`)."""
    dist = parameter.dist
    match dist:
        case Fixed():
            return np.full(np.shape(u), parameter.value, dtype=np.float64)
        case Uniform():
            return stats.uniform.ppf(u, loc=dist.low, scale=dist.high - dist.low)
        case Triangular():
            width = dist.high - dist.low
            return stats.triang.ppf(u, (dist.mode - dist.low) / width, loc=dist.low, scale=width)
        case TruncNormal():
            a, b = (dist.low - dist.mean) / dist.sd, (dist.high - dist.mean) / dist.sd
            return stats.truncnorm.ppf(u, a, b, loc=dist.mean, scale=dist.sd)
        case Beta():
            return stats.beta.ppf(u, dist.a, dist.b, loc=dist.low, scale=dist.high - dist.low)
        case LogNormal():
            return stats.lognorm.ppf(u, dist.sigma, scale=dist.median)
        case Choice():
            values = np.asarray(dist.values, dtype=np.float64)
            weights = np.ones(len(values)) if dist.weights is None else np.asarray(dist.weights)
            cumulative = np.cumsum(weights) / weights.sum()
            index = np.searchsorted(cumulative, u, side="right")
            return values[np.minimum(index, len(values) - 1)]
    raise TypeError(dist)  # pragma: no cover - the union is closed


def describe(parameter: Parameter) -> str:
    """A short human description of the distribution, e.g. 'triangular 80000–150000–250000'."""
    dist = parameter.dist
    match dist:
        case Fixed():
            return "fixed"
        case Uniform():
            return f"uniform {dist.low:g}–{dist.high:g}"
        case Triangular():
            return f"triangular {dist.low:g}–{dist.mode:g}–{dist.high:g}"
        case TruncNormal():
            return f"normal {dist.mean:g}±{dist.sd:g} in [{dist.low:g}, {dist.high:g}]"
        case Beta():
            return f"beta({dist.a:g}, {dist.b:g}) on [{dist.low:g}, {dist.high:g}]"
        case LogNormal():
            return f"lognormal median {dist.median:g}, σ {dist.sigma:g}"
        case Choice():
            return "one of " + ", ".join(f"{v:g}" for v in dist.values)
    raise TypeError(dist)  # pragma: no cover
