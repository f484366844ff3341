"""What a Monte Carlo run returns: plain DataFrames, and the manifest that says how they were
made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from axis_sim.scenario.schema import Scenario


@dataclass
class RunResult:
    """The outcome of `axis_sim.run(...)`: every table a report or a notebook needs.

    Tables (long or wide, always plain pandas):

    - `outcomes`: one row per (portfolio, world); columns `portfolio`, `world`, then one column per
      outcome in the scenario's `outcomes:` section (its value at the horizon).
    - `parameters`: one row per world; `world`, then one column per uncertain parameter path
      (e.g. `actors.DPRK.launch_rate`) holding the value drawn for that world. Worlds are shared by
      every portfolio (common random numbers), so this table is not repeated per portfolio.
    - `monthly`: per (portfolio, outcome, month) over all worlds: `month` (0 = start month),
      `month_label` (YYYY-MM), `mean`, `p05`, `p25`, `p50`, `p75`, `p95`.
    - `trajectories`: the sample worlds' monthly values; `portfolio`, `world`, `month`, then one
      column per outcome.
    - `events`: the sample worlds' event log; `portfolio`, `month`, `world`, `actor`, `event`,
      `value` (actor and event as strings).
    - `comparison`: per (portfolio, outcome): `mean`, `median`, `p05`, `p95` of the outcome;
      the paired difference from status quo, world by world: `diff_mean`, `diff_ci_low`,
      `diff_ci_high` (90% confidence interval of the mean difference), `diff_p05`, `diff_p95`
      (spread of the per-world difference); `p_better` (share of worlds where the portfolio does
      strictly better than status quo, by the outcome's `better` direction) and `p_worse`;
      Monte Carlo standard errors `se` and `diff_se`; `p_event`, the share of worlds where a
      cumulative outcome has happened at all by the horizon (value > 0; NaN for levels).
    - `scores`: `portfolio`, `world`, `composite_score` (see `experiment/compare.py`).
    - `ranking`: one row per portfolio, best first: composite score with interval and standard
      error, P(better), regret (median, 90th percentile, maximum), P(best), satisficing rate.
    - `interactions`: per pair of options run alone and together, and per outcome (and the
      composite): Δ(a+b) − Δ(a) − Δ(b) with its interval and a verdict.
    - `drivers`: per (portfolio, outcome) and uncertain parameter, Spearman's rank correlation
      between the parameter and the portfolio's per-world effect; `rank` 1 is the strongest.
    - `failures`: per single option and outcome it usually improves (and the composite), the
      boxes of parameter space where it fails: `portfolio`, `outcome`, `sentence`, `support`,
      `density`, `coverage`, `conditions`.
    - `sensitivity` (only when asked for): SALib Morris or Sobol' indices of each portfolio's
      effect, per outcome and parameter (see `axis_sim.api.sensitivity`).
    """

    scenario: Scenario
    manifest: dict[str, Any]
    outcomes: pd.DataFrame
    parameters: pd.DataFrame
    monthly: pd.DataFrame
    trajectories: pd.DataFrame
    events: pd.DataFrame
    comparison: pd.DataFrame
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    interactions: pd.DataFrame = field(default_factory=pd.DataFrame)
    drivers: pd.DataFrame = field(default_factory=pd.DataFrame)
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def portfolios(self) -> list[str]:
        """Portfolio names in run order (status quo first)."""
        return list(dict.fromkeys(self.outcomes["portfolio"]))
