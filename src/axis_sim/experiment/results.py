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
      strictly better than status quo, by the outcome's `better` direction) and `p_worse`.
    """

    scenario: Scenario
    manifest: dict[str, Any]
    outcomes: pd.DataFrame
    parameters: pd.DataFrame
    monthly: pd.DataFrame
    trajectories: pd.DataFrame
    events: pd.DataFrame
    comparison: pd.DataFrame
    files: dict[str, str] = field(default_factory=dict)

    @property
    def portfolios(self) -> list[str]:
        """Portfolio names in run order (status quo first)."""
        return list(dict.fromkeys(self.outcomes["portfolio"]))
