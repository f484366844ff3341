"""The column types of every table of a run, so an empty table keeps them.

A table with no rows (no interactions without two options, no drivers without uncertain
parameters, no failure conditions found) used to come out as columns of `object`, or no columns
at all; in Parquet that is a column of nulls, which a reader cannot stack with the same table of
another run. `typed(name, frame, scenario)` gives an empty table its declared columns and types;
a table with rows is left as it is (its types are already these).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from axis_sim.scenario.schema import Scenario

STR, F64, F32, I64, BOOL = "str", "float64", "float32", "int64", "bool"

# Tables whose columns do not depend on the scenario.
FIXED: dict[str, dict[str, str]] = {
    "comparison": {"portfolio": STR, "outcome": STR, "mean": F64, "se": F64, "median": F64,
                   "p05": F64, "p95": F64, "p_event": F64, "diff_mean": F64,
                   "diff_ci_low": F64, "diff_ci_high": F64, "diff_se": F64, "diff_p05": F64,
                   "diff_p95": F64, "p_better": F64, "p_worse": F64, "mmd": F64,
                   "verdict": STR},
    "ranking": {"rank": I64, "portfolio": STR, "score_mean": F64, "score_ci_low": F64,
                "score_ci_high": F64, "score_se": F64, "score_p05": F64, "score_p95": F64,
                "p_better": F64, "p_worse": F64, "regret_median": F64, "regret_p90": F64,
                "regret_max": F64, "p_best": F64, "satisficing": F64, "verdict": STR},
    "acceptability": {"portfolio": STR, "rank": I64, "share": F64},
    "pareto": {"portfolio": STR, "pareto": BOOL, "dominated_by": STR},
    "tradeoffs": {"portfolio": STR, "versus": STR, "outcome": STR, "diff_mean": F64,
                  "ci_low": F64, "ci_high": F64, "mmd": F64, "both_pareto": BOOL},
    "overlaps": {"outcome_a": STR, "outcome_b": STR, "correlation": F64,
                 "double_counted": BOOL},
    "interactions": {"pair": STR, "option_a": STR, "option_b": STR, "outcome": STR,
                     "interaction_mean": F64, "ci_low": F64, "ci_high": F64, "se": F64,
                     "mmd": F64, "verdict": STR},
    "drivers": {"portfolio": STR, "outcome": STR, "parameter": STR, "rho": F64,
                "p_value": F64, "rank": I64},
    "failures": {"portfolio": STR, "outcome": STR, "sentence": STR, "support": F64,
                 "density": F64, "coverage": F64, "base_rate": F64, "p_value": F64,
                 "conditions": STR, "quasi_p": STR, "trajectory": STR, "chosen_step": I64},
    "scores": {"portfolio": STR, "world": I64, "composite_score": F64},
    "monthly": {"portfolio": STR, "outcome": STR, "month": I64, "month_label": STR,
                "mean": F64, "p_event": F64, "p05": F64, "p25": F64, "p50": F64, "p75": F64,
                "p95": F64},
    "events": {"portfolio": "category", "month": "int16", "world": I64, "actor": "category",
               "event": "category", "value": F64},
    "channels": {"portfolio": STR, "option": STR, "parameter": STR, "off_value": F64,
                 "form": STR, "outcome": STR, "better": STR, "effect": F64, "se": F64,
                 "ci_low": F64, "ci_high": F64, "spread": F64, "effect_mmd": F64,
                 "detectable": BOOL, "beyond_status_quo": F64, "beyond_status_quo_se": F64,
                 "worlds": I64},
}


def columns_of(name: str, scenario: Scenario) -> dict[str, str] | None:
    """Column → dtype of table `name` of a run of `scenario` (None: no fixed columns, e.g.
    `sensitivity`, whose index columns depend on the method)."""
    if name in FIXED:
        return FIXED[name]
    outcomes = list(scenario.outcomes)
    if name == "outcomes":
        return {"portfolio": STR, "world": I64, **dict.fromkeys(outcomes, F64)}
    if name == "trajectories":
        return {"portfolio": STR, "world": I64, "month": I64, **dict.fromkeys(outcomes, F32)}
    if name == "parameters":
        from axis_sim.experiment.sampling import uncertain_paths

        return {"world": I64, **dict.fromkeys(uncertain_paths(scenario), F64)}
    if name == "central_weights":
        return {"portfolio": STR, "first": F64, "confidence": F64,
                **dict.fromkeys(scenario.scored_outcomes, F64)}
    return None


def typed(name: str, frame: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """`frame`, or when it has no rows, an empty table with the declared columns and types
    (columns it has beyond them are kept, typed as they are)."""
    if len(frame) or (columns := columns_of(name, scenario)) is None:
        return frame
    empty = {column: _empty(frame, column, dtype) for column, dtype in columns.items()}
    for column in frame.columns:
        if column not in empty:
            empty[column] = frame[column]
    return pd.DataFrame(empty)


def _empty(frame: pd.DataFrame, column: str, dtype: str) -> pd.Series:
    """An empty column of `dtype` (the frame's own categorical keeps its categories)."""
    if dtype == "category" and column in frame.columns and isinstance(
            frame[column].dtype, pd.CategoricalDtype):
        return frame[column].reset_index(drop=True)
    if dtype == "category":  # categories of text, so Parquet stores a dictionary of strings
        return pd.Series(pd.Categorical([], categories=pd.Index([], dtype="str")))
    return pd.Series([], dtype=dtype)
