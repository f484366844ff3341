"""Double counting: headline outcomes whose effects move together count one harm twice.

If two scored outcomes respond to every portfolio in nearly the same way, world by world, the
value model weighs what is in effect one outcome twice. The check correlates each pair of
headline outcomes' per-world paired effects (portfolio minus status quo) over every world and
every portfolio, and flags pairs above `THRESHOLD`. The scenario can then mark one of them as
restating the other (`restates:`), which shows it and stops scoring it.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

THRESHOLD = 0.9


def effect_correlations(effects: dict[str, np.ndarray]) -> pd.DataFrame:
    """Pearson correlation of each pair of outcomes' effects, pooled over portfolios and
    worlds: `effects[outcome]` is (portfolios, worlds) of paired effects (status quo left out).
    Outcomes whose effects never vary are skipped (no correlation is defined)."""
    flat = {o: np.asarray(e, dtype=np.float64).ravel() for o, e in effects.items()}
    varying = [o for o, e in flat.items() if e.size > 1 and np.ptp(e) > 0]
    rows = []
    if len(varying) > 1:
        matrix = np.corrcoef(np.vstack([flat[o] for o in varying]))
        for (i, a), (j, b) in combinations(enumerate(varying), 2):
            rows.append({"outcome_a": a, "outcome_b": b, "correlation": float(matrix[i, j])})
    return pd.DataFrame.from_records(rows, columns=["outcome_a", "outcome_b", "correlation"])


def double_counting(correlations: pd.DataFrame, scored: list[str],
                    threshold: float = THRESHOLD) -> pd.DataFrame:
    """The pairs whose effects correlate above `threshold` (in absolute value), with whether
    both are scored (`double_counted`: the value model counts them twice) or one is already
    shown only."""
    if correlations.empty:
        return correlations.assign(double_counted=pd.Series(dtype=bool))
    high = correlations[correlations["correlation"].abs() > threshold].copy()
    high["double_counted"] = [a in scored and b in scored
                              for a, b in zip(high["outcome_a"], high["outcome_b"], strict=True)]
    return high.sort_values("correlation", ascending=False, key=np.abs, ignore_index=True)
