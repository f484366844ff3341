"""Compare portfolios on paired worlds: composite score, regret, satisficing, interactions.

All functions take `finals`, the outcomes at the horizon (`Finals`, or an array (portfolios,
outcomes, worlds)), whose worlds are the same in every portfolio (common random numbers), so
every comparison is a per-world paired difference. They read one outcome at a time, so a
million-world run never needs every outcome in memory at once.

- **Composite score** of a portfolio in a world: its value minus status quo's in that world on
  the scenario's value model (`experiment/value.py`): the sum over scored outcomes of the swing
  weight (normalised to sum 1) × the change in the outcome's partial value (0 at its swing's
  worst, 1 at its best). Status quo scores 0, higher is better, and 1 would be moving every
  scored outcome from worst to best. The scale is the swings the scenario states, not the
  outcomes' spread over worlds.
- **Regret** of a portfolio in a world: the best portfolio's score in that world minus its own.
- **Satisficing rate**: the share of worlds in which every outcome with a `threshold` meets it.
- **Interaction** of options a and b: Δ(a+b) − Δ(a) − Δ(b), world by world (Δ = paired
  difference from status quo). Its verdict reads the interval against the outcome's minimal
  meaningful difference (`experiment/significance.py`): synergy only when together they do
  meaningfully more than the sum of their parts.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from axis_sim.experiment.finals import Finals, as_finals
from axis_sim.experiment.significance import interaction_verdict, verdict
from axis_sim.experiment.value import composite_mmd, value_differences, value_model
from axis_sim.scenario.portfolios import portfolio_name
from axis_sim.scenario.schema import STATUS_QUO, Scenario

CONFIDENCE = 0.90
COMPOSITE = "composite_score"


def mean_interval(values: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student-t confidence interval of the mean (NaN with fewer than two values)."""
    n = values.size
    if n < 2:
        return float("nan"), float("nan")
    sem = values.std(ddof=1) / np.sqrt(n)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sem
    return float(values.mean() - half), float(values.mean() + half)


def standard_error(values: np.ndarray) -> float:
    """Monte Carlo standard error of the mean (NaN with fewer than two values)."""
    return float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else float("nan")


def direction(scenario: Scenario, outcome_names: list[str]) -> np.ndarray:
    """+1 where higher is better, −1 where lower is better, one entry per outcome."""
    return np.array([1.0 if scenario.outcomes[o].better == "higher" else -1.0
                     for o in outcome_names])


def composite_scores(scenario: Scenario, outcome_names: list[str], names: list[str],
                     finals: Finals | np.ndarray) -> np.ndarray:
    """Each portfolio's composite score in each world, shape (portfolios, worlds): its change
    in value from status quo on the scenario's value model."""
    finals = as_finals(finals)
    model = value_model(scenario)
    base = names.index(STATUS_QUO)
    scores = np.zeros((len(names), finals.worlds))
    for k, name in enumerate(model.outcomes):
        if model.weights[k] <= 0 or name not in outcome_names:
            continue
        values = finals.outcome(outcome_names.index(name))
        scores += model.weights[k] * value_differences(values, base, model.worst[k],
                                                        model.best[k])
    return scores


def outcome_mmd(scenario: Scenario, outcome: str) -> float:
    """An outcome's minimal meaningful difference, or the composite score's (see
    `value.composite_mmd`); NaN when none is stated."""
    if outcome == COMPOSITE:
        return composite_mmd(value_model(scenario))
    spec = scenario.outcomes[outcome].mmd
    return spec.value if spec is not None else float("nan")


def regret(scores: np.ndarray) -> np.ndarray:
    """Per-world regret of each portfolio against the best in that world, (portfolios, worlds)."""
    return scores.max(axis=0, keepdims=True) - scores


def satisficing(scenario: Scenario, outcome_names: list[str],
                finals: Finals | np.ndarray) -> np.ndarray | None:
    """Per portfolio, the share of worlds meeting every outcome threshold (None if none is set)."""
    finals = as_finals(finals)
    checks = []
    for i, name in enumerate(outcome_names):
        spec = scenario.outcomes[name]
        if spec.threshold is None:
            continue
        values = finals.outcome(i)
        checks.append(values <= spec.threshold if spec.better == "lower"
                      else values >= spec.threshold)
    if not checks:
        return None
    return np.logical_and.reduce(checks).mean(axis=1)


def ranking_table(scenario: Scenario, outcome_names: list[str], names: list[str],
                  finals: Finals | np.ndarray, scores: np.ndarray) -> pd.DataFrame:
    """One row per portfolio, best composite score first: score, regret, satisficing, and the
    verdict on the score against status quo (read against the composite's MMD)."""
    regrets = regret(scores)
    satisfied = satisficing(scenario, outcome_names, finals)
    mmd = outcome_mmd(scenario, COMPOSITE)
    rows = []
    for p, name in enumerate(names):
        low, high = mean_interval(scores[p])
        rows.append({
            "portfolio": name,
            "score_mean": scores[p].mean(), "score_ci_low": low, "score_ci_high": high,
            "score_se": standard_error(scores[p]),
            "score_p05": np.quantile(scores[p], 0.05), "score_p95": np.quantile(scores[p], 0.95),
            "p_better": (scores[p] > 0).mean(), "p_worse": (scores[p] < 0).mean(),
            "regret_median": np.median(regrets[p]), "regret_p90": np.quantile(regrets[p], 0.9),
            "regret_max": regrets[p].max(), "p_best": (regrets[p] == 0).mean(),
            "satisficing": np.nan if satisfied is None else satisfied[p],
            "verdict": "" if name == STATUS_QUO else verdict(low, high, mmd),
        })
    table = pd.DataFrame.from_records(rows)
    table = table.sort_values(["score_mean", "regret_median"], ascending=[False, True],
                              kind="stable", ignore_index=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table


def interaction_table(scenario: Scenario, outcome_names: list[str],
                      portfolios: dict[str, tuple[str, ...]], finals: Finals | np.ndarray,
                      scores: np.ndarray) -> pd.DataFrame:
    """For each pair of options run alone and together: the interaction on each outcome.

    `verdict` reads the 90% interval against the outcome's MMD (`significance`): "synergy"
    (together meaningfully better than the sum of the parts), "interference" (meaningfully
    worse), "additive" (within ±MMD of the sum), "uncertain"; empty for an outcome with no MMD.
    """
    finals = as_finals(finals)
    names = list(portfolios)
    by_options = {frozenset(opts): names.index(n) for n, opts in portfolios.items()}
    singles = [opts[0] for opts in portfolios.values() if len(opts) == 1]
    pairs = [(a, b, by_options[frozenset((a, b))], by_options[frozenset((a,))],
              by_options[frozenset((b,))]) for a, b in combinations(singles, 2)
             if frozenset((a, b)) in by_options]
    signs = np.append(direction(scenario, outcome_names), 1.0)
    mmds = [outcome_mmd(scenario, o) for o in [*outcome_names, COMPOSITE]]
    base = names.index(STATUS_QUO)
    rows = []
    for k, outcome in enumerate([*outcome_names, COMPOSITE] if pairs else []):
        # One outcome at a time (the composite last), so only one is ever in memory.
        values = scores if outcome == COMPOSITE else finals.outcome(k)
        for a, b, both, ia, ib in pairs:
            effect = (values[both] - values[base]) - (values[ia] - values[base]) \
                - (values[ib] - values[base])
            low, high = mean_interval(effect)
            mmd = mmds[k]
            rows.append({"pair": portfolio_name((a, b)), "option_a": a, "option_b": b,
                         "outcome": outcome, "interaction_mean": effect.mean(),
                         "ci_low": low, "ci_high": high, "se": standard_error(effect),
                         "mmd": mmd, "verdict": interaction_verdict(low, high, mmd, signs[k])
                         if np.isfinite(mmd) else ""})
    # Pair by pair, outcomes in scenario order, as readers expect.
    order = {(a, b): n for n, (a, b, *_rest) in enumerate(pairs)}
    rows.sort(key=lambda row: order[(row["option_a"], row["option_b"])])
    return pd.DataFrame.from_records(rows, columns=[
        "pair", "option_a", "option_b", "outcome", "interaction_mean", "ci_low", "ci_high", "se",
        "mmd", "verdict"])


def relative_precision(scenario: Scenario, outcome_names: list[str], names: list[str],
                       finals: Finals | np.ndarray) -> float:
    """The widest headline interval: the largest half-width of a 90% interval of a mean paired
    difference from status quo, over headline outcomes and portfolios, in units of the outcome's
    minimal meaningful difference (its `mmd`; the spread across worlds for an outcome without
    one). 0.5 means every headline difference is known to within half the smallest difference
    that matters, so a verdict against the MMD rests on the decision, not on too few worlds."""
    finals = as_finals(finals)
    headline = [i for i, o in enumerate(outcome_names) if scenario.outcomes[o].headline]
    base = names.index(STATUS_QUO)
    widest = 0.0
    for i in headline or range(len(outcome_names)):
        values = finals.outcome(i)
        mmd = scenario.outcomes[outcome_names[i]].mmd
        spread = mmd.value if mmd is not None and mmd.value > 0 else values.std()
        if spread == 0:
            continue
        for p in range(len(names)):
            if p == base:
                continue
            low, high = mean_interval(values[p] - values[base])
            if np.isnan(low):
                return float("inf")
            widest = max(widest, (high - low) / 2 / spread)
    return widest
