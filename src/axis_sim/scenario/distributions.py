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


def _compact(x: float) -> str:
    """A short number for distribution text: 80000 -> 80k, 1.5e6 -> 1.5M, 0.25 -> 0.25."""
    magnitude = abs(x)
    for scale, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if magnitude >= scale:
            return f"{x / scale:.4g}{suffix}"
    if 0 < magnitude < 1e-4:  # .4g would write 5e-05; a person reads 0.00005
        return f"{x:.12f}".rstrip("0")
    return f"{x:.4g}"


def describe(parameter: Parameter) -> str:
    """A parameter's uncertainty as readable text, e.g. "triangular 80k–150k–250k"."""
    d = parameter.dist
    match d:
        case Fixed():
            return "fixed"
        case Uniform():
            return f"uniform {_compact(d.low)}–{_compact(d.high)}"
        case Triangular():
            return f"triangular {_compact(d.low)}–{_compact(d.mode)}–{_compact(d.high)}"
        case TruncNormal():
            return (
                f"normal mean {_compact(d.mean)}, sd {_compact(d.sd)}, "
                f"cut to {_compact(d.low)}–{_compact(d.high)}"
            )
        case Beta():
            text = f"beta(a={_compact(d.a)}, b={_compact(d.b)})"
            if (d.low, d.high) != (0.0, 1.0):
                text += f" on {_compact(d.low)}–{_compact(d.high)}"
            return text
        case LogNormal():
            return f"lognormal median {_compact(d.median)}, σ {_compact(d.sigma)}"
        case Choice():
            text = "one of " + ", ".join(_compact(v) for v in d.values)
            if d.weights is not None:
                text += " (weights " + ", ".join(_compact(w) for w in d.weights) + ")"
            return text
    raise TypeError(d)  # pragma: no cover - the union is closed
