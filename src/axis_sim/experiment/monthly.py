"""Monthly summaries over every world, built as chunks stream in.

For each (portfolio, outcome, month) a run reports the mean, five quantiles and, for cumulative
outcomes, the probability that the event has happened by that month. Means and probabilities
are running sums, exact at any size. Quantiles need every value, so:

- while a run's monthly values fit in `Plan.exact_monthly_bytes` (256 MiB by default; every
  ordinary run), chunks hand them over whole and the quantiles are exact (`numpy.quantile`);
- beyond that, each chunk condenses its values into a *log-bucket histogram* (the DDSketch
  idea): bucket i holds magnitudes in (γ^(i-1), γ^i]·1e-6 with γ = 1.01/0.99, so any value a
  quantile reports is within 1% (up to float32 rounding) of a value in the data at that rank.
  Buckets are integer counts, so merging chunks is order-free and the result is the same for
  any number of workers.
  Outcomes whose values are all whole numbers (counts, ladder rungs) report whole numbers,
  exact below about 50.

Which of the two is used depends only on the plan and the number of worlds run, never on the
machine, so `--until-precise` still equals the fixed run it stopped at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from axis_sim.model.metrics import METRICS
from axis_sim.scenario.schema import month_label

QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
RELATIVE_ACCURACY = 0.01
SMALLEST = 1e-6  # magnitudes at or below it fall in the zero bucket
BUCKETS = 4096  # zero in the middle; 2047 buckets each side reach 6e11
_HALF = BUCKETS // 2
_GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
_LOG_GAMMA = float(np.log(_GAMMA))


def exact_worlds(plan_bytes: int, portfolios: int, outcomes: int, months: int) -> int:
    """How many worlds' monthly values fit in `plan_bytes` (float32); quantiles are exact up
    to this many worlds."""
    return plan_bytes // (4 * portfolios * outcomes * months)


def bucket_of(values: np.ndarray) -> np.ndarray:
    """Each value's bucket, 0 … BUCKETS-1 (zero bucket in the middle; sign kept), int16.

    Computed in float32 (several times faster on millions of values); its rounding can move a
    value lying within about 1e-6 of a bucket edge into the neighbouring bucket.
    """
    values = np.asarray(values, dtype=np.float32)
    with np.errstate(divide="ignore"):
        index = np.log(np.abs(values))
    index *= np.float32(1 / _LOG_GAMMA)
    index -= np.float32(np.log(SMALLEST) / _LOG_GAMMA)
    np.ceil(index, out=index)
    np.clip(index, 0, _HALF - 1, out=index)  # -inf (zero) and tiny magnitudes → bucket 0
    np.copysign(index, values, out=index)
    return index.astype(np.int16) + np.int16(_HALF)


def bucket_values() -> np.ndarray:
    """The value each bucket reports: the middle of its range, within 1% of all it holds."""
    index = np.abs(np.arange(BUCKETS) - _HALF)
    middle = SMALLEST * 2 * _GAMMA ** index / (_GAMMA + 1)
    return np.where(index == 0, 0.0, np.sign(np.arange(BUCKETS) - _HALF) * middle)


@dataclass
class MonthlyPartial:
    """What one chunk of worlds adds to the monthly summaries; slots are (portfolio, outcome,
    month) flattened."""

    worlds: int
    sums: np.ndarray  # (slots,) float64
    happened: np.ndarray  # (slots,) int64: worlds where the value is above 0
    whole: np.ndarray  # (slots,) bool: every value a whole number
    values: np.ndarray | None = None  # (portfolios, outcomes, months, worlds) float32, if exact
    buckets: np.ndarray | None = None  # flat slot × BUCKETS + bucket, unique, int64
    counts: np.ndarray | None = None  # worlds in each of those buckets, int32

    @classmethod
    def stack(cls, parts: list[MonthlyPartial]) -> MonthlyPartial:
        """One partial from the same worlds' partials of consecutive portfolios."""
        first = parts[0]
        joined = MonthlyPartial(
            worlds=first.worlds, sums=np.concatenate([p.sums for p in parts]),
            happened=np.concatenate([p.happened for p in parts]),
            whole=np.concatenate([p.whole for p in parts]))
        if first.values is not None:
            joined.values = np.concatenate([p.values for p in parts])  # type: ignore[misc]
        if first.buckets is not None:
            offsets = np.cumsum([0] + [p.sums.size * BUCKETS for p in parts[:-1]])
            joined.buckets = np.concatenate([p.buckets + offset  # type: ignore[operator]
                                             for p, offset in zip(parts, offsets, strict=True)])
            joined.counts = np.concatenate([p.counts for p in parts])  # type: ignore[misc]
        return joined


def condense(history: np.ndarray, *, keep_values: bool, sketch: bool) -> MonthlyPartial:
    """A chunk's (portfolios, outcomes, months, worlds) values as a `MonthlyPartial`: sums and
    counts always; the values themselves (`keep_values`) and/or their bucket counts (`sketch`)."""
    worlds = history.shape[-1]
    flat = history.reshape(-1, worlds)
    partial = MonthlyPartial(
        worlds=worlds, sums=flat.sum(axis=1, dtype=np.float64),
        happened=(flat > 0).sum(axis=1), whole=(flat == np.floor(flat)).all(axis=1),
        values=history if keep_values else None)
    if sketch:
        keys = bucket_of(flat)
        keys.sort(axis=1, kind="stable")  # radix sort on int16
        starts = np.ones(keys.shape, dtype=bool)
        starts[:, 1:] = keys[:, 1:] != keys[:, :-1]
        where = np.flatnonzero(starts)
        slot = where // worlds
        partial.buckets = slot.astype(np.int64) * BUCKETS + keys.ravel()[where].astype(np.int64)
        partial.counts = np.diff(np.append(where, keys.size)).astype(np.int32)
    return partial


class MonthlySummary:
    """Running monthly summaries of a run; `add` each chunk in any order, then `table`."""

    def __init__(self, shape: tuple[int, int, int], runs: int, exact_limit: int, *,
                 may_stop_early: bool = False) -> None:
        """`runs` worlds will come (fewer if `may_stop_early`); quantiles are exact for up to
        `exact_limit` worlds."""
        self.shape = shape  # (portfolios, outcomes, months)
        self.exact_limit = exact_limit  # worlds up to which quantiles are exact
        slots = int(np.prod(shape))
        self.worlds = 0
        self.sums = np.zeros(slots)
        self.happened = np.zeros(slots, dtype=np.int64)
        self.whole = np.ones(slots, dtype=bool)
        # Values are held only while the run could still end within the exact limit.
        self.values: np.ndarray | None = (
            np.empty((*shape, min(runs, exact_limit)), dtype=np.float32)
            if runs <= exact_limit or may_stop_early else None)
        # Bucket counts, sparse: sorted unique keys (slot × BUCKETS + bucket) and their counts.
        # Most slots use a few of their 4,096 buckets, so this is a fraction of a dense table.
        self.keys: np.ndarray | None = np.empty(0, np.int64) if runs > exact_limit else None
        self.counts = np.empty(0, np.int64)

    def add(self, partial: MonthlyPartial, start: int) -> None:
        """Fold in one chunk whose first world is `start`."""
        self.worlds += partial.worlds
        self.sums += partial.sums
        self.happened += partial.happened
        self.whole &= partial.whole
        if self.keys is not None and partial.buckets is not None:
            self._merge(partial.buckets, partial.counts)  # type: ignore[arg-type]
        if self.worlds > self.exact_limit:
            self.values = None  # the buckets now speak for every world
        elif self.values is not None and partial.values is not None:
            self.values[..., start:start + partial.worlds] = partial.values

    def _merge(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Add a chunk's sorted, unique keys and their counts."""
        assert self.keys is not None
        at = np.searchsorted(self.keys, keys)
        known = at < self.keys.size
        known[known] = self.keys[at[known]] == keys[known]
        # Distinct keys land on distinct positions, so a fancy-indexed add counts each once.
        self.counts[at[known]] += counts[known]
        new = ~known
        if new.any():
            self.keys = np.insert(self.keys, at[new], keys[new])
            self.counts = np.insert(self.counts, at[new], counts[new].astype(np.int64))

    @property
    def exact(self) -> bool:
        """Whether the quantiles are computed from every value (not from buckets)."""
        return self.worlds <= self.exact_limit

    def quantiles(self) -> np.ndarray:
        """(quantiles, portfolios, outcomes, months)."""
        levels = list(QUANTILES.values())
        if self.exact:
            assert self.values is not None
            # One portfolio at a time, so the sorted copy np.quantile makes stays small.
            return np.stack([np.quantile(self.values[p, ..., :self.worlds], levels, axis=2)
                             for p in range(self.shape[0])], axis=1)
        return self._from_buckets(levels).reshape(len(levels), *self.shape)

    def _from_buckets(self, levels: list[float]) -> np.ndarray:
        """numpy's linear-interpolation quantile, reading each order statistic from its bucket.

        Every slot holds exactly `worlds` values and keys run slot by slot, so order statistic
        j of slot s is the (s·worlds + j)-th value overall: one search in the running total.
        """
        assert self.keys is not None
        total = np.cumsum(self.counts)
        values = bucket_values()[self.keys % BUCKETS]
        values = np.where(self.whole[self.keys // BUCKETS], np.round(values), values)
        first = np.arange(self.sums.size, dtype=np.int64) * self.worlds
        out = np.empty((len(levels), self.sums.size))
        for k, level in enumerate(levels):
            position = (self.worlds - 1) * level
            below = int(np.floor(position))
            above = min(below + 1, self.worlds - 1)
            low = values[np.searchsorted(total, first + below, side="right")]
            high = values[np.searchsorted(total, first + above, side="right")]
            out[k] = low + (position - below) * (high - low)
        return out

    def table(self, names: list[str], outcome_names: list[str], start: str) -> pd.DataFrame:
        """Long table: portfolio, outcome, month, month_label, mean, p_event, quantiles."""
        portfolios, outcomes, months = self.shape
        quantiles = self.quantiles()
        p_idx, o_idx, t_idx = np.meshgrid(np.arange(portfolios), np.arange(outcomes),
                                          np.arange(months), indexing="ij")
        cumulative = np.array([METRICS[o].cumulative for o in outcome_names])
        happened = self.happened.reshape(self.shape) / self.worlds
        labels = [month_label(start, t) for t in range(months)]
        return pd.DataFrame({
            "portfolio": np.asarray(names)[p_idx.ravel()],
            "outcome": np.asarray(outcome_names)[o_idx.ravel()],
            "month": t_idx.ravel(),
            "month_label": np.asarray(labels)[t_idx.ravel()],
            "mean": self.sums / self.worlds,
            "p_event": np.where(cumulative[None, :, None], happened, np.nan).ravel(),
            **{q: quantiles[k].ravel() for k, q in enumerate(QUANTILES)},
        })
