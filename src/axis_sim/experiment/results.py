"""What a Monte Carlo run returns: plain DataFrames, and the manifest that says how they were
made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.parquet as pq

from axis_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import plotly.graph_objects as go

RUN_ID = "run_id"
"""The column every table file of a results folder starts with (the manifest's `run_id`); it is
dropped when a folder is read back, so a loaded result has the tables the run returned."""


class WorldTable:
    """A per-world table of a `RunResult` (one row per world, or per portfolio and world).

    Holds a DataFrame, or, for runs too large to keep in memory, the Parquet file that holds
    it; then every access reads the file (keep a reference rather than reading it twice).
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __init__(self, *, required: bool = True) -> None:
        self.required = required

    def __get__(self, obj: Any, owner: type | None = None) -> pd.DataFrame:
        if obj is None:  # the dataclass asking for a default
            if self.required:
                raise AttributeError("no default: a per-world table is required")
            return None  # a hashable default; __set__ turns it into an empty table
        value = obj.__dict__[self.slot]
        if isinstance(value, Path):
            return pd.read_parquet(value).drop(columns=RUN_ID, errors="ignore")
        return value

    def __set__(self, obj: Any, value: pd.DataFrame | Path | None) -> None:
        obj.__dict__[self.slot] = pd.DataFrame() if value is None else value


@dataclass(kw_only=True, repr=False)
class RunResult:
    """The outcome of `axis_sim.run(...)`: every table a report or a notebook needs.

    Tables (long or wide, always plain pandas):

    `outcomes`, `parameters` and `scores` have a row per world; for a run too large to hold
    them they live in Parquet files read on access (`table_file`, `worlds_of`).

    - `outcomes`: one row per (portfolio, world); columns `portfolio`, `world`, then one column per
      outcome in the scenario's `outcomes:` section (its value at the horizon).
    - `parameters`: one row per world; `world`, then one column per uncertain parameter path
      (e.g. `actors.DPRK.launch_rate`) holding the value drawn for that world. Worlds are shared by
      every portfolio (common random numbers), so this table is not repeated per portfolio.
    - `monthly`: per (portfolio, outcome, month) over all worlds: `month` (0 = start month),
      `month_label` (YYYY-MM), `mean`, `p_event` (share of worlds where a cumulative outcome
      has happened by that month; NaN for levels), `p05`, `p25`, `p50`, `p75`, `p95` (exact,
      or for very large runs within 1% — see `manifest["monthly_quantiles"]`).
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
      cumulative outcome has happened at all by the horizon (value > 0; NaN for levels);
      `mmd`, the outcome's minimal meaningful difference, and `verdict` (better, worse, no
      practical difference, uncertain; empty without an MMD).
    - `scores`: `portfolio`, `world`, `composite_score`: the change in value from status quo
      on the scenario's swings and weights (see `experiment/compare.py`, `experiment/value.py`).
    - `ranking`: one row per portfolio, best first: composite score with interval and standard
      error, P(better), regret (median, 90th percentile, maximum), P(best), satisficing rate,
      and `verdict` against status quo (read against the composite's MMD).
    - `interactions`: per pair of options run alone and together, and per outcome (and the
      composite): Δ(a+b) − Δ(a) − Δ(b) with its interval, the MMD and a verdict.
    - `acceptability`: SMAA-2 rank acceptability over weight space: `portfolio`, `rank`,
      `share` (the share of weight vectors, paired with worlds, under which it ranks there;
      see `experiment/acceptability.py`).
    - `central_weights`: per portfolio, `first` (share ranked first), `confidence` (confidence
      factor) and its central weight vector, one column per scored outcome.
    - `pareto`: per portfolio, `pareto` (no other portfolio is meaningfully better on one scored
      outcome and not meaningfully worse on any) and `dominated_by`.
    - `tradeoffs`: what each Pareto member gives up: `portfolio`, `outcome`, `versus` (the member
      better on it by most), `diff_mean`, `ci_low`, `ci_high` (versus − portfolio), `mmd`.
    - `overlaps`: headline outcome pairs whose per-world effects correlate above 0.9:
      `outcome_a`, `outcome_b`, `correlation`, `double_counted` (both scored).
    - `drivers`: per (portfolio, outcome) and uncertain parameter, Spearman's rank correlation
      between the parameter and the portfolio's per-world effect; `rank` 1 is the strongest.
    - `failures`: per single option and top-ranked combination, and per outcome it usually
      improves (and the composite), the PRIM boxes where it fails (see
      `experiment/discovery.py`; statistics on held-out worlds): `portfolio`, `outcome`,
      `sentence`, `support`, `density`, `coverage`, `base_rate`, `p_value` (box vs base rate),
      `conditions`, `quasi_p` (JSON: parameter → quasi-p-value), `trajectory` (JSON: the
      peeling trajectory's support, coverage, density and restricted parameters per step) and
      `chosen_step`.
    - `sensitivity` (only when asked for): SALib Morris or Sobol' indices of each portfolio's
      effect, per outcome and parameter (see `axis_sim.api.sensitivity`).
    - `channels` (only when asked for, `--explain`): each option's effect in each portfolio
      decomposed by causal channel, one row per (portfolio, option, parameter, headline
      outcome); see `axis_sim.experiment.explain`.
    """

    scenario: Scenario
    manifest: dict[str, Any]
    outcomes: pd.DataFrame = WorldTable()  # type: ignore[assignment]
    parameters: pd.DataFrame = WorldTable()  # type: ignore[assignment]
    monthly: pd.DataFrame
    trajectories: pd.DataFrame
    events: pd.DataFrame
    comparison: pd.DataFrame
    scores: pd.DataFrame = WorldTable(required=False)  # type: ignore[assignment]
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    interactions: pd.DataFrame = field(default_factory=pd.DataFrame)
    acceptability: pd.DataFrame = field(default_factory=pd.DataFrame)
    central_weights: pd.DataFrame = field(default_factory=pd.DataFrame)
    pareto: pd.DataFrame = field(default_factory=pd.DataFrame)
    tradeoffs: pd.DataFrame = field(default_factory=pd.DataFrame)
    overlaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    drivers: pd.DataFrame = field(default_factory=pd.DataFrame)
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    channels: pd.DataFrame = field(default_factory=pd.DataFrame)
    files: dict[str, str] = field(default_factory=dict)
    # The temporary folder holding a large run's per-world tables, removed with the result.
    scratch: Path | None = None

    def table_file(self, name: str) -> Path | None:
        """The Parquet file behind a per-world table, or None when it is held in memory."""
        value = self.__dict__.get(f"_{name}")
        return value if isinstance(value, Path) else None

    def worlds_of(self, name: str, worlds: int) -> pd.DataFrame:
        """The rows of per-world table `name` for the first `worlds` worlds, read without
        loading the rest (what reports show of a million-world run)."""
        path = self.table_file(name)
        if path is None:
            frame = getattr(self, name)
            return frame[frame["world"] < worlds] if "world" in frame.columns else frame
        frame = pq.read_table(path, filters=[("world", "<", worlds)]).to_pandas()
        return frame.drop(columns=RUN_ID, errors="ignore")

    @property
    def portfolios(self) -> list[str]:
        """Portfolio names in run order (status quo first)."""
        # The comparison table has every portfolio and is always in memory.
        table = (self.comparison if "portfolio" in self.comparison.columns
                 else self.worlds_of("outcomes", 1))
        return list(dict.fromkeys(table["portfolio"]))

    # --- notebooks ------------------------------------------------------------------------------

    def __repr__(self) -> str:
        from axis_sim.experiment.notebook import result_repr

        return result_repr(self)

    def _repr_html_(self) -> str:
        from axis_sim.experiment.notebook import result_html

        return result_html(self)

    def plot(self, outcome: str, kind: str = "monthly",
             portfolios: list[str] | None = None) -> go.Figure:
        """A plotly figure of one outcome for each portfolio: `kind` "monthly" (mean, or the
        chance it has happened for a yes/no outcome, by month with the 5–95% band of worlds) or
        "horizon" (its distribution over worlds at the horizon). See `experiment.notebook`."""
        from axis_sim.experiment.notebook import plot

        return plot(self, outcome, kind=kind, portfolios=portfolios)

    def paired(self, a: str, b: str = "status_quo", *, outcomes: list[str] | None = None,
               worlds: bool = False) -> pd.DataFrame:
        """Portfolio `a` against `b` on the same worlds, per outcome: both means, the paired
        difference a − b with its 90% interval and 5–95% spread, P(a better), P(a worse), the
        MMD and the verdict — `comparison`'s columns for any pair. With `worlds=True`, the
        per-world values and differences instead. See `experiment.notebook.paired`."""
        from axis_sim.experiment.notebook import paired

        return paired(self, a, b, outcomes=outcomes, worlds=worlds)
