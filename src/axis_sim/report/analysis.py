"""The numbers the dashboard derives from a run's tables (no HTML, no plotly).

- `value_effects`: each portfolio's mean paired effect on each outcome in partial-value units
  (the change as a share of the outcome's swing, better positive) — the units of the value model
  (`axis_sim.experiment.value`) the composite score adds up with the swing weights.
- `weight_model`: what the page needs to re-rank portfolios under other swing weights: per
  portfolio and scored outcome the mean change in partial value (the composite mean is linear in
  the normalised weights) and the covariance of the per-world changes (for the interval).
- `representative_worlds`: the sample worlds whose status-quo value is median, best and worst.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from axis_sim.experiment.compare import CONFIDENCE
from axis_sim.experiment.results import RunResult
from axis_sim.experiment.value import partial_value, value_model
from axis_sim.report.common import key_is, world_table
from axis_sim.scenario.schema import STATUS_QUO, Scenario

Z90 = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))  # 1.645, for intervals of a share


def outcome_columns(result: RunResult) -> list[str]:
    """Scenario outcomes that have a column in `outcomes`, in scenario order."""
    columns = world_table(result, "outcomes").columns
    return [o for o in result.scenario.outcomes if o in columns]


def paired_finals(result: RunResult, outcomes: list[str]) -> tuple[list[str], np.ndarray]:
    """Portfolio names (status quo first) and their outcomes at the horizon, aligned by world:
    an array (portfolios, outcomes, worlds), as `compare.py` works on. Worlds missing from a
    portfolio are NaN."""
    frame = world_table(result, "outcomes")
    if frame.empty or "portfolio" not in frame.columns or "world" not in frame.columns:
        return [], np.empty((0, len(outcomes), 0))
    groups = frame[["world", *outcomes]].groupby(frame["portfolio"], sort=False, observed=True)
    by_name = {str(name): block for name, block in groups}
    names = list(by_name)
    if STATUS_QUO in names:
        names = [STATUS_QUO, *(n for n in names if n != STATUS_QUO)]
    worlds = np.sort(frame["world"].unique())
    blocks = []
    for name in names:
        block = by_name[name].drop_duplicates("world").set_index("world")
        blocks.append(block.reindex(worlds)[outcomes].to_numpy(np.float64).T)
    return names, np.stack(blocks) if blocks else np.empty((0, len(outcomes), len(worlds)))


def swing_of(scenario: Scenario, outcome: str) -> tuple[float, float] | None:
    """(worst, best) of an outcome's swing, or None when the scenario states none."""
    swing = scenario.outcomes[outcome].swing
    return None if swing is None else (swing.worst, swing.best)


def _valued(result: RunResult, outcomes: list[str]) -> tuple[list[str], np.ndarray]:
    """Per-world changes in partial value (portfolio minus status quo in the same world),
    better positive: (names, array (portfolios, outcomes, worlds)). NaN for an outcome with
    no swing (the value model does not value it)."""
    names, finals = paired_finals(result, outcomes)
    if not names or STATUS_QUO not in names:
        return [], np.empty((0, len(outcomes), 0))
    effects = np.full(finals.shape, np.nan)
    base = names.index(STATUS_QUO)
    for k, outcome in enumerate(outcomes):
        swing = swing_of(result.scenario, outcome)
        if swing is not None:
            partial = partial_value(finals[:, k], *swing)
            effects[:, k] = partial - partial[base]
    return names, effects


def value_effects(result: RunResult, outcomes: list[str]) -> pd.DataFrame:
    """Mean paired change in each outcome's partial value (a share of its swing, better
    positive). Rows are portfolios (status quo first, all zero), columns the outcomes; NaN for
    an outcome without a swing."""
    names, effects = _valued(result, outcomes)
    if not names:
        return pd.DataFrame(columns=outcomes, dtype=float)
    with np.errstate(invalid="ignore"):
        means = (np.nanmean(effects, axis=2) if effects.shape[2]
                 else np.zeros(effects.shape[:2]))
    return pd.DataFrame(means, index=names, columns=outcomes)


def weight_outcomes(scenario: Scenario) -> list[str]:
    """The outcomes a reader may re-weight: the value model's criteria (scored, with a swing)."""
    return value_model(scenario).outcomes


def _sig(value: float, digits: int = 8) -> float:
    """`value` rounded to `digits` significant digits (smaller JSON for the covariances)."""
    return float(f"{value:.{digits}g}")


def weight_model(result: RunResult) -> dict | None:
    """Everything the page needs to recompute the value ranking under other swing weights.

    For weights w (one per outcome in `outcomes`, as written in the scenario), portfolio p's
    mean value over status quo is `sum(w[k] * effects[p][k]) / sum(w)` — exactly
    `ranking.score_mean` for the scenario's weights — and its 90% interval is that ±
    `t * sqrt(w' cov[p] w / n) / sum(w)` (the same Student-t interval as
    `compare.mean_interval`). None when the run has no outcomes table or no value model.
    """
    columns = world_table(result, "outcomes").columns
    outcomes = [o for o in weight_outcomes(result.scenario) if o in columns]
    names, effects = _valued(result, outcomes)
    if not names or not outcomes or effects.shape[2] == 0:
        return None
    n = effects.shape[2]
    means = effects.mean(axis=2)
    covariances = []
    for p in range(len(names)):
        cov = (np.cov(effects[p], ddof=1).reshape(len(outcomes), len(outcomes)) if n > 1
               else np.full((len(outcomes), len(outcomes)), np.nan))
        covariances.append([[_sig(v) if np.isfinite(v) else None for v in row] for row in cov])
    specs = result.scenario.outcomes
    swings = [swing_of(result.scenario, o) for o in outcomes]
    return {
        "outcomes": outcomes,
        "labels": [specs[o].label for o in outcomes],
        "units": [specs[o].unit for o in outcomes],
        "better": [specs[o].better for o in outcomes],
        "headline": [o in result.scenario.headline_outcomes for o in outcomes],
        "defaults": [float(specs[o].weight) for o in outcomes],
        "swings": [abs(b - w) for w, b in swings],  # type: ignore[misc]
        "portfolios": names,
        "effects": [[float(v) for v in row] for row in means],
        "cov": covariances,
        "n": n,
        "t": float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) if n > 1 else None,
    }


def _weights(model: dict, weights: list[float] | None) -> np.ndarray:
    w = np.asarray(model["defaults"] if weights is None else weights, dtype=np.float64)
    return np.where(np.isfinite(w) & (w > 0), w, 0.0)


def score_from_model(model: dict, weights: list[float] | None = None) -> dict[str, float]:
    """The mean value over status quo of each portfolio under `weights` (default: the
    scenario's), normalised to sum 1 as the composite score is.

    The Python twin of the page's re-ranking (used by the tests and the default table)."""
    w = _weights(model, weights)
    total = w.sum()
    return {name: float(np.dot(w, row) / total) if total > 0 else 0.0 for name, row in
            zip(model["portfolios"], model["effects"], strict=True)}


def interval_from_model(model: dict, weights: list[float] | None = None
                        ) -> dict[str, tuple[float, float, float]]:
    """Each portfolio's mean value over status quo and its 90% interval under `weights`
    (default: the scenario's): (mean, low, high), as the page computes them."""
    w = _weights(model, weights)
    total = w.sum()
    means = score_from_model(model, list(w))
    out = {}
    for name, cov in zip(model["portfolios"], model["cov"], strict=True):
        matrix = np.array([[np.nan if c is None else c for c in row] for row in cov],
                          dtype=np.float64).reshape(len(w), len(w))
        used = w > 0
        variance = float(w[used] @ matrix[np.ix_(used, used)] @ w[used]) if used.any() else 0.0
        half = (model["t"] * np.sqrt(max(variance, 0.0) / model["n"]) / total
                if model["t"] is not None and total > 0 else float("nan"))
        out[name] = (means[name], means[name] - half, means[name] + half)
    return out


# --- distributions -----------------------------------------------------------------------------


def is_binary(values: pd.Series) -> bool:
    """True for a 0/1 outcome: every value is 0 or 1 (and there is at least one)."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(numbers)) and bool(numbers.isin([0.0, 1.0]).all())


def is_rare_count(values: pd.Series) -> bool:
    """True for a count that is usually zero (non-negative integers, at least half zeros): its
    distribution is best told as the chance of at least one."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty or (numbers < 0).any() or (numbers != numbers.round()).any():
        return False
    return bool((numbers == 0).mean() >= 0.5)


def small_scale_levels(values: pd.Series, most: int = 6) -> list[float] | None:
    """The levels of an outcome that takes a few whole-number values (a ladder rung, a count of
    0–5): sorted, 3 to `most` of them; None otherwise."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty or (numbers != numbers.round()).any():
        return None
    levels = sorted(float(v) for v in numbers.unique())
    return levels if 3 <= len(levels) <= most else None


def distribution_kind(values: pd.Series) -> str:
    """How to draw an outcome's distribution over worlds: "binary" (a 0/1 outcome: the chance
    it happens), "rare" (a count that is usually zero: the chance of at least one), "levels"
    (a few whole-number values: the share at each) or "box"."""
    if is_binary(values):
        return "binary"
    if is_rare_count(values):
        return "rare"
    return "levels" if small_scale_levels(values) is not None else "box"


def wilson_interval(successes: float, n: int, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval of a share (90% by default)."""
    if n <= 0:
        return float("nan"), float("nan")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


@dataclass(frozen=True)
class BoxStats:
    """Summary of one portfolio's distribution of one outcome over worlds."""

    p05: float
    q1: float
    median: float
    q3: float
    p95: float
    mean: float
    n: int


def box_stats(values: pd.Series) -> BoxStats | None:
    """5th, 25th, 50th, 75th, 95th percentiles and the mean (None with no values)."""
    numbers = pd.to_numeric(values, errors="coerce").dropna().to_numpy(np.float64)
    if numbers.size == 0:
        return None
    q = np.quantile(numbers, [0.05, 0.25, 0.5, 0.75, 0.95])
    return BoxStats(*(float(v) for v in q), mean=float(numbers.mean()), n=int(numbers.size))


# --- representative worlds ---------------------------------------------------------------------


def sample_worlds(result: RunResult) -> list[int]:
    """Worlds with a status-quo story: in `events` if it has rows, else in `trajectories`."""
    for table in (result.events, result.trajectories):
        if not table.empty and {"portfolio", "world"} <= set(table.columns):
            rows = table[key_is(table["portfolio"], STATUS_QUO)]
            if len(rows):
                return sorted(int(w) for w in rows["world"].unique())
    return []


def status_quo_levels(result: RunResult, worlds: list[int]) -> pd.Series:
    """Each world's value under status quo on the scenario's value model, indexed by world.

    The composite score compares a portfolio with status quo in the same world, so status quo
    scores 0 everywhere; its level is the weighted sum of its partial values instead (0 = every
    scored outcome at its swing's worst, 1 = at its best): higher means the world goes better
    for the US without new policy. Uses the scenario's swing weights (or, if none is positive,
    the scored outcomes equally).
    """
    outcomes = outcome_columns(result)
    frame = world_table(result, "outcomes")
    model = value_model(result.scenario)
    valued = [k for k, o in enumerate(model.outcomes) if o in outcomes]
    if not valued or frame.empty:
        return pd.Series(dtype=float)
    weights = model.weights if model.weights.sum() > 0 else np.ones(len(model.outcomes))
    base = frame[key_is(frame["portfolio"], STATUS_QUO)].drop_duplicates("world")
    base = base.set_index("world")
    level = pd.Series(0.0, index=base.index)
    for k in valued:
        column = base[model.outcomes[k]].to_numpy(np.float64)
        level += weights[k] * partial_value(column, model.worst[k], model.best[k])
    return level[level.index.isin(worlds)]


def representative_worlds(result: RunResult) -> list[tuple[str, int, float]]:
    """The sample worlds to tell as stories: `(kind, world, level)` for the median, best and
    worst status-quo composite level among the sample worlds (ties: lower world id), without
    repeats. Median is the lower middle of the sorted levels."""
    worlds = sample_worlds(result)
    levels = status_quo_levels(result, worlds)
    if levels.empty:
        return []
    ordered = sorted(levels.items(), key=lambda item: (item[1], item[0]))
    best_level = ordered[-1][1]
    best = min((w for w, v in ordered if v == best_level))
    picks = [("median", *ordered[(len(ordered) - 1) // 2]), ("best", best, best_level),
             ("worst", *ordered[0])]
    seen: set[int] = set()
    out = []
    for kind, world, level in picks:
        if int(world) not in seen:
            seen.add(int(world))
            out.append((kind, int(world), float(level)))
    return out
