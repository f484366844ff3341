"""Proper scoring rules for forecasts checked against what happened: plain functions over arrays.

Binary questions (a probability `p` that an event happens, outcome `y` in {0, 1}):

- `brier`: mean squared error of the probability, 0 (perfect) to 1 (certain and wrong).
- `log_score`: mean negative log-likelihood (natural log) of what happened, 0 is perfect.
- `brier_skill`: 1 − score / reference; positive means better than the reference forecast.
- `reliability_table`: forecasts binned by probability against how often the event happened.
- `brier_decomposition`: Murphy's reliability, resolution and uncertainty.
- `bootstrap_intervals`: percentile intervals of the scores and skills over resampled questions.

Numeric questions (an ensemble of the model's worlds against one resolved value):

- `crps_ensemble`: the continuous ranked probability score of the empirical distribution of the
  ensemble, in the outcome's unit (0 only when every world hit the value exactly).
- `interval_coverage`: whether the resolved value lies inside the ensemble's central interval.

Every function validates its input and raises `ValueError` for empty arrays, NaN, probabilities
outside [0, 1] or outcomes other than 0/1, so a score is never silently NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

ArrayLike = npt.ArrayLike

__all__ = [
    "bootstrap_intervals",
    "brier",
    "brier_decomposition",
    "brier_skill",
    "crps_ensemble",
    "interval_coverage",
    "log_score",
    "poisson_reference",
    "reliability_table",
]


def _probabilities(p: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts and outcomes as matching 1-d float arrays, checked."""
    p_arr = np.atleast_1d(np.asarray(p, dtype=np.float64)).ravel()
    y_arr = np.atleast_1d(np.asarray(y, dtype=np.float64)).ravel()
    if p_arr.size == 0:
        raise ValueError("no forecasts to score")
    if p_arr.shape != y_arr.shape:
        raise ValueError(f"{p_arr.size} forecasts but {y_arr.size} outcomes")
    if not np.all(np.isfinite(p_arr)) or np.any((p_arr < 0) | (p_arr > 1)):
        raise ValueError("forecast probabilities must be numbers in [0, 1]")
    if not np.all((y_arr == 0) | (y_arr == 1)):
        raise ValueError("binary outcomes must be 0 or 1 (false or true)")
    return p_arr, y_arr


def brier(p: ArrayLike, y: ArrayLike) -> float:
    """Mean Brier score of probability forecasts `p` for binary outcomes `y`: mean (p − y)².

    0 for a perfect forecaster, 0.25 for always saying 50%, 1 for certain and always wrong.
    """
    p_arr, y_arr = _probabilities(p, y)
    return float(np.mean((p_arr - y_arr) ** 2))


def log_score(p: ArrayLike, y: ArrayLike, eps: float = 1e-6) -> float:
    """Mean negative log-likelihood (natural log) of binary outcomes `y` under forecasts `p`.

    Probabilities are clipped to [eps, 1 − eps] first, so a forecast of 0% for something that
    happened costs −ln(eps) (≈ 13.8 for the default) instead of infinity. 0 is perfect; always
    saying 50% scores ln 2 ≈ 0.693.
    """
    if not 0 < eps < 0.5:
        raise ValueError(f"eps must be in (0, 0.5), got {eps}")
    p_arr, y_arr = _probabilities(p, y)
    clipped = np.clip(p_arr, eps, 1 - eps)
    return float(np.mean(-(y_arr * np.log(clipped) + (1 - y_arr) * np.log1p(-clipped))))


def brier_skill(score: float, reference: float) -> float:
    """Skill of a (negatively oriented) score against a reference forecast's: 1 − score / ref.

    1 is perfect, 0 is no better than the reference, negative is worse. Works for any score where
    lower is better and 0 is perfect (Brier, log score, CRPS). When the reference itself is
    perfect (0) there is nothing to gain: the skill is 0 if the score is perfect too, else −inf.
    """
    score, reference = float(score), float(reference)
    if not (np.isfinite(score) and np.isfinite(reference)) or score < 0 or reference < 0:
        raise ValueError(f"scores must be finite and non-negative, got {score} and {reference}")
    if reference == 0:
        return 0.0 if score == 0 else float("-inf")
    return 1.0 - score / reference


def _ensembles(samples: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    """Samples as (questions, members) and values as (questions,), checked; and whether the
    input was a single ensemble (so the caller returns a scalar)."""
    x = np.asarray(samples, dtype=np.float64)
    v = np.asarray(y, dtype=np.float64)
    single = x.ndim == 1
    if single:
        x = x[None, :]
        v = v.reshape(1) if v.ndim == 0 else v
    if x.ndim != 2:
        raise ValueError("samples must be one ensemble (n,) or one per question (questions, n)")
    if x.shape[1] == 0:
        raise ValueError("an ensemble needs at least one member")
    if v.shape != (x.shape[0],):
        raise ValueError(f"{x.shape[0]} ensembles but {v.size} resolved values")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(v))):
        raise ValueError("samples and resolved values must be finite numbers")
    return x, v, single


def crps_ensemble(samples: ArrayLike, y: ArrayLike) -> float | np.ndarray:
    """Continuous ranked probability score of an ensemble's empirical distribution at value `y`.

    CRPS = E|X − y| − ½ E|X − X'| with X, X' drawn from the ensemble's members (the empirical
    CDF, every member weighted equally), in the outcome's unit; lower is better and a
    single-member ensemble reduces to the absolute error. It is computed in O(n log n) as the
    equivalent integral ∫ (F(t) − 1{t ≥ y})² dt over the gaps between the sorted members, a sum
    of non-negative terms: the score is never negative by rounding, and it is 0 exactly when
    every member equals `y`.

    `samples` is one ensemble (n,) with a scalar `y` (returns a float), or one ensemble per
    question (questions, n) with `y` of shape (questions,) (returns an array).
    """
    x, v, single = _ensembles(samples, y)
    n = x.shape[1]
    x = np.sort(x, axis=1)
    v = v[:, None]
    # Between sorted members i and i+1 the empirical CDF is (i+1)/n; the step function of the
    # resolved value is 0 below y and 1 from y on, so each gap splits into a part below y
    # (weight F²) and a part above it (weight (1 − F)²).
    low, high = x[:, :-1], x[:, 1:]
    f = np.arange(1, n, dtype=np.float64) / n
    below = np.clip(np.minimum(high, v) - low, 0.0, None)
    above = np.clip(high - np.maximum(low, v), 0.0, None)
    inner = (f**2 * below + (1 - f) ** 2 * above).sum(axis=1)
    tails = np.clip(x[:, 0] - v[:, 0], 0.0, None) + np.clip(v[:, 0] - x[:, -1], 0.0, None)
    crps = inner + tails
    return float(crps[0]) if single else crps


def interval_coverage(samples: ArrayLike, y: ArrayLike, level: float) -> bool | np.ndarray:
    """Whether `y` lies inside the central `level` interval of the samples (ends included).

    The interval runs from the (1 − level)/2 to the (1 + level)/2 quantile of the samples
    (numpy's linear interpolation); e.g. level 0.9 is the 5%–95% range. Over many questions a
    calibrated forecaster covers about `level` of the resolved values. Shapes as in
    `crps_ensemble`: one ensemble gives a bool, several give a bool array.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    x, v, single = _ensembles(samples, y)
    low, high = np.quantile(x, [(1 - level) / 2, (1 + level) / 2], axis=1)
    inside = (v >= low) & (v <= high)
    return bool(inside[0]) if single else inside


def reliability_table(p: ArrayLike, y: ArrayLike, bins: int = 10) -> pd.DataFrame:
    """Forecasts grouped into `bins` equal-width probability bins, against what happened.

    One row per bin (empty bins included, with NaN means): `bin_low`, `bin_high`, `mean_forecast`
    (the bin's average probability), `observed_frequency` (share of its questions that resolved
    true) and `count`. Bins are [low, high) except the last, which includes 1. A calibrated
    forecaster's observed frequencies lie near the diagonal.
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    p_arr, y_arr = _probabilities(p, y)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.minimum((p_arr * bins).astype(np.int64), bins - 1)
    count = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_forecast = np.bincount(index, weights=p_arr, minlength=bins) / count
        observed = np.bincount(index, weights=y_arr, minlength=bins) / count
    return pd.DataFrame({
        "bin_low": edges[:-1],
        "bin_high": edges[1:],
        "mean_forecast": np.where(count > 0, mean_forecast, np.nan),
        "observed_frequency": np.where(count > 0, observed, np.nan),
        "count": count.astype(np.int64),
    })


def brier_decomposition(p: ArrayLike, y: ArrayLike, bins: int = 10) -> dict[str, float]:
    """Murphy's decomposition of the Brier score over probability bins:
    Brier ≈ reliability − resolution + uncertainty.

    `reliability` (lower is better) is how far each bin's mean forecast lies from how often its
    events happened; `resolution` (higher is better) how far the bins' frequencies spread from
    the overall rate; `uncertainty` is the overall rate's own variance, o(1 − o), which no
    forecaster changes. With forecasts that vary inside a bin the identity holds only
    approximately; `residual` is Brier minus the three terms.
    """
    p_arr, y_arr = _probabilities(p, y)
    table = reliability_table(p_arr, y_arr, bins)
    used = table[table["count"] > 0]
    n, base = len(p_arr), float(y_arr.mean())
    weights = used["count"].to_numpy(float) / n
    reliability = float((weights * (used["mean_forecast"] - used["observed_frequency"]) ** 2)
                        .sum())
    resolution = float((weights * (used["observed_frequency"] - base) ** 2).sum())
    uncertainty = base * (1.0 - base)
    score = brier(p_arr, y_arr)
    return {"reliability": reliability, "resolution": resolution, "uncertainty": uncertainty,
            "residual": score - (reliability - resolution + uncertainty)}


def bootstrap_intervals(p: ArrayLike, y: ArrayLike, references: dict[str, ArrayLike], *,
                        level: float = 0.9, draws: int = 2000, seed: int = 0,
                        eps: float = 1e-6) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap intervals over questions (resampled with replacement) for the
    Brier and log scores and for the skill against each reference forecast.

    Keys: `brier`, `log_score`, and `brier_skill_<name>`, `log_skill_<name>` for each entry of
    `references` (a forecast per question). One set of resampled questions serves every
    statistic, so the intervals describe the same uncertainty: which questions happened to be
    asked. Skills whose resampled reference is perfect are left out of that draw.
    """
    p_arr, y_arr = _probabilities(p, y)
    refs = {name: _probabilities(ref, y_arr)[0] for name, ref in references.items()}
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(p_arr), size=(draws, len(p_arr)))
    pp, yy = p_arr[picks], y_arr[picks]
    model_brier = ((pp - yy) ** 2).mean(axis=1)
    model_log = _log_rows(pp, yy, eps)
    stats: dict[str, np.ndarray] = {"brier": model_brier, "log_score": model_log}
    for name, ref in refs.items():
        rr = ref[picks]
        ref_brier, ref_log = ((rr - yy) ** 2).mean(axis=1), _log_rows(rr, yy, eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            stats[f"brier_skill_{name}"] = np.where(ref_brier > 0, 1 - model_brier / ref_brier,
                                                    np.nan)
            stats[f"log_skill_{name}"] = np.where(ref_log > 0, 1 - model_log / ref_log, np.nan)
    low, high = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    out = {}
    for key, values in stats.items():
        finite = values[np.isfinite(values)]
        out[key] = ((float(np.percentile(finite, low)), float(np.percentile(finite, high)))
                    if finite.size else (float("nan"), float("nan")))
    return out


def _log_rows(p: np.ndarray, y: np.ndarray, eps: float) -> np.ndarray:
    q = np.clip(p, eps, 1 - eps)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q)).mean(axis=1)


def poisson_reference(rate: float, months: int, condition: Callable[[np.ndarray], np.ndarray],
                      level: float = 0.0) -> float:
    """P(condition holds for level + N), N ~ Poisson(rate × months): a reference forecast
    computed from a historical rate for a question about a count over the next `months`, of an
    outcome that stands at `level` at the origin (e.g. entities already listed)."""
    mean = max(rate * months, 0.0)
    top = int(mean + 12 * np.sqrt(mean) + 30)
    k = np.arange(top + 1)
    pmf = stats.poisson.pmf(k, mean)
    return float(np.clip(pmf[condition(k.astype(np.float64) + level)].sum(), 0.0, 1.0))
