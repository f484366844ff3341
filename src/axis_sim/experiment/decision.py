"""The decision tables of a run: rank acceptability over weight space, the Pareto set and what
its members trade away, and the double-counting check.

They turn `finals` (horizon values, paired over worlds) and the scenario's value model into
plain DataFrames (see `RunResult`):

- `acceptability`: portfolio, rank, share (SMAA-2, `experiment/acceptability.py`);
- `central_weights`: portfolio, first (share of weight space where it ranks first),
  confidence (confidence factor), then its central weight on each scored outcome;
- `pareto`: portfolio, pareto (on the Pareto set), dominated_by (the portfolios that dominate
  it, `;`-separated), in run order (`experiment/pareto.py`);
- `tradeoffs`: among the contenders (the Pareto set and the `LEADERS` portfolios most often
  first in weight space), every (portfolio, versus, outcome) where `versus` is meaningfully
  better than `portfolio`: diff_mean, ci_low, ci_high (versus − portfolio, natural units), mmd,
  and whether both are on the Pareto set (`both_pareto`);
- `overlaps`: headline outcome pairs whose per-world effects correlate above 0.9
  (`experiment/overlap.py`).

Rank acceptability and the correlations read the first `worlds` worlds (the run's analysed
worlds, at most `Plan.analysis_worlds`), since they need every scored outcome of those worlds
at once; the Pareto intervals read every world, one outcome at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from axis_sim.experiment.acceptability import smaa
from axis_sim.experiment.finals import Finals, as_finals
from axis_sim.experiment.overlap import double_counting, effect_correlations
from axis_sim.experiment.pareto import dominance, paired_intervals, pareto_members, trade_offs
from axis_sim.experiment.value import ValueModel, outside_swing, value_differences, value_model
from axis_sim.scenario.schema import STATUS_QUO, Scenario

SMAA_DRAWS = 20_000  # Monte Carlo error of a share ≤ 0.4 percentage points
LEADERS = 5  # portfolios most often first whose trade-offs are listed even off the Pareto set
TRADEOFF_COLUMNS = ["portfolio", "versus", "outcome", "diff_mean", "ci_low", "ci_high", "mmd",
                    "both_pareto"]


def criteria_values(model: ValueModel, outcome_names: list[str], names: list[str],
                    finals: Finals | np.ndarray, worlds: int) -> np.ndarray:
    """Partial-value differences from status quo, (portfolios, criteria, worlds) for the
    first `worlds` worlds."""
    finals = as_finals(finals)
    base = names.index(STATUS_QUO)
    out = np.zeros((len(names), len(model.outcomes), worlds))
    for k, outcome in enumerate(model.outcomes):
        values = finals.outcome(outcome_names.index(outcome), slice(worlds))
        out[:, k] = value_differences(values, base, model.worst[k], model.best[k])
    return out


def acceptability_tables(scenario: Scenario, outcome_names: list[str], names: list[str],
                         finals: Finals | np.ndarray, worlds: int, seed: int = 0,
                         draws: int = SMAA_DRAWS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(acceptability, central_weights) of the run's portfolios."""
    model = value_model(scenario)
    if not model.outcomes or worlds < 1:
        return (pd.DataFrame(columns=["portfolio", "rank", "share"]),
                pd.DataFrame(columns=["portfolio", "first", "confidence"]))
    values = criteria_values(model, outcome_names, names, finals, worlds)
    result = smaa(values, draws=draws, order=model.order, seed=seed)
    p = len(names)
    acceptability = pd.DataFrame({"portfolio": np.repeat(names, p),
                                  "rank": np.tile(np.arange(1, p + 1), p),
                                  "share": result.acceptability.ravel()})
    central = pd.DataFrame({"portfolio": names, "first": result.first,
                            "confidence": result.confidence,
                            **{o: result.central[:, k] for k, o in enumerate(model.outcomes)}})
    return acceptability, central


def pareto_tables(scenario: Scenario, outcome_names: list[str], names: list[str],
                  finals: Finals | np.ndarray, leaders: list[str] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pareto, tradeoffs) over the scored outcomes, in natural units with their MMDs;
    `leaders` are portfolios whose trade-offs are wanted even off the Pareto set."""
    finals = as_finals(finals)
    criteria = [o for o in scenario.scored_outcomes if o in outcome_names]
    if not criteria or not names:
        return (pd.DataFrame({"portfolio": names, "pareto": True, "dominated_by": ""}),
                pd.DataFrame(columns=TRADEOFF_COLUMNS))
    pairs = [paired_intervals(finals.outcome(outcome_names.index(o))) for o in criteria]
    mean = np.stack([m for m, _ in pairs])
    half = np.stack([h for _, h in pairs])
    specs = [scenario.outcomes[o] for o in criteria]
    mmd = np.array([s.mmd.value if s.mmd is not None else np.nan for s in specs])
    sign = np.array([1.0 if s.better == "higher" else -1.0 for s in specs])
    dominates = dominance(mean, half, mmd, sign)
    members = pareto_members(dominates)
    pareto = pd.DataFrame({
        "portfolio": names, "pareto": members,
        "dominated_by": [";".join(names[a] for a in np.flatnonzero(dominates[:, b]))
                         for b in range(len(names))]})
    among = members | np.isin(names, leaders or [])
    rows = [{"portfolio": names[p], "versus": names[q], "outcome": criteria[k],
             "diff_mean": mean[k, q, p], "ci_low": mean[k, q, p] - half[k, q, p],
             "ci_high": mean[k, q, p] + half[k, q, p], "mmd": mmd[k],
             "both_pareto": bool(members[p] and members[q])}
            for p, k, q in trade_offs(mean, half, mmd, sign, among)]
    return pareto, pd.DataFrame.from_records(rows, columns=TRADEOFF_COLUMNS)


def leading(central: pd.DataFrame, most: int = LEADERS) -> list[str]:
    """The `most` portfolios most often first in weight space (that ever are)."""
    if central.empty:
        return []
    top = central[central["first"] > 0].sort_values("first", ascending=False, kind="stable")
    return list(top["portfolio"].head(most))


def overlap_table(scenario: Scenario, effects: pd.DataFrame) -> pd.DataFrame:
    """Headline outcome pairs whose per-world effects (the long `effects` table of
    `summarize.effect_table`) correlate above 0.9 across worlds and portfolios."""
    headline = [o for o in scenario.headline_outcomes if o in set(effects["outcome"])]
    wide = {o: effects.loc[effects["outcome"] == o, "effect"].to_numpy() for o in headline}
    return double_counting(effect_correlations(wide), scenario.scored_outcomes)


def value_model_manifest(scenario: Scenario, outcome_names: list[str],
                         finals: Finals | np.ndarray, worlds: int) -> dict[str, Any]:
    """How the decision tables were made, for the manifest: the normalised swing weights, the
    ordinal judgements, the SMAA draws and worlds, and per scored outcome the share of values
    (every portfolio and world) outside its swing, where the partial value is held at 0 or 1 —
    a swing drawn too narrow for what the model produces."""
    finals = as_finals(finals)
    model = value_model(scenario)
    return {
        "weights": {o: float(w) for o, w in zip(model.outcomes, model.weights, strict=True)},
        "judgements": [[model.outcomes[i], model.outcomes[j]] for i, j in model.order],
        "smaa_draws": SMAA_DRAWS, "smaa_worlds": worlds,
        "outside_swing": {
            o: outside_swing(finals.outcome(outcome_names.index(o)), model.worst[k],
                             model.best[k])
            for k, o in enumerate(model.outcomes) if o in outcome_names},
    }
