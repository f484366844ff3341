"""Summarize chunk results into the tables of a `RunResult`: distributions and paired differences.

Every portfolio ran on the same worlds, so differences are taken world by world (paired), and
their uncertainty is reported twice: the 90% confidence interval of the mean difference (how
sure the Monte Carlo estimate is) and the 5–95% spread of the per-world difference (how much the
effect varies across plausible worlds).
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd

from axis_sim.experiment.compare import (
    COMPOSITE,
    composite_scores,
    interaction_table,
    mean_interval,
    ranking_table,
    standard_error,
)
from axis_sim.experiment.discovery import describe_box, failure_conditions
from axis_sim.experiment.plan import Plan
from axis_sim.experiment.results import RunResult
from axis_sim.experiment.runner import ChunkResult
from axis_sim.experiment.sampling import uncertain_paths
from axis_sim.experiment.sensitivity import rank_correlations
from axis_sim.model.metrics import METRICS
from axis_sim.scenario.loader import scenario_hash
from axis_sim.scenario.parameters import parameter_labels
from axis_sim.scenario.schema import OPTIONS, STATUS_QUO, month_label

QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}


def summarize(plan: Plan, chunks: list[ChunkResult], wall_seconds: float) -> RunResult:
    """Build every table of the run from its chunks (given in chunk order)."""
    scenario = plan.scenario
    names = list(plan.portfolios)
    outcome_names = list(scenario.outcomes)
    history = gather_history(chunks)  # (P, O, T, W)
    finals = history[:, :, -1, :].astype(np.float64)
    worlds = np.arange(plan.runs)

    outcomes = pd.concat(
        [pd.DataFrame({"portfolio": name, "world": worlds,
                       **{o: finals[p, i] for i, o in enumerate(outcome_names)}})
         for p, name in enumerate(names)], ignore_index=True)
    scores = composite_scores(scenario, outcome_names, names, finals)
    paths = uncertain_paths(scenario)
    parameters = pd.DataFrame({"world": worlds, **{
        path: np.concatenate([c.parameters[path] for c in chunks]) for path in paths}})
    result = RunResult(
        scenario=scenario,
        manifest=manifest(plan, chunks, wall_seconds),
        outcomes=outcomes,
        parameters=parameters,
        monthly=monthly_table(plan, names, outcome_names, history),
        trajectories=trajectory_table(plan, names, outcome_names, history),
        events=event_table(names, chunks),
        comparison=comparison_table(plan, names, outcome_names, finals),
        scores=pd.concat([pd.DataFrame({"portfolio": name, "world": worlds,
                                        COMPOSITE: scores[p]}) for p, name in enumerate(names)],
                         ignore_index=True),
        ranking=ranking_table(scenario, outcome_names, names, finals, scores),
        interactions=interaction_table(scenario, outcome_names, plan.portfolios, finals, scores),
    )
    effects = effect_table(plan, names, outcome_names, finals, scores)
    result.drivers = (rank_correlations(parameters, effects) if len(paths) and len(effects)
                      else pd.DataFrame())
    result.failures = failure_table(plan, result.comparison, parameters, effects)
    return result


def gather_history(chunks: list[ChunkResult]) -> np.ndarray:
    """All chunks' histories in one (portfolios, outcomes, months, worlds) array.

    Each chunk's own copy is released as soon as it is copied, so the run never holds the
    histories twice.
    """
    first = chunks[0].history
    worlds = sum(c.chunk.size for c in chunks)
    history = np.empty((*first.shape[:3], worlds), dtype=first.dtype)
    for c in chunks:
        history[..., c.chunk.start:c.chunk.start + c.chunk.size] = c.history
        c.history = np.empty((*first.shape[:3], 0), dtype=first.dtype)
    return history


def effect_table(plan: Plan, names: list[str], outcome_names: list[str], finals: np.ndarray,
                 scores: np.ndarray) -> pd.DataFrame:
    """Per-world paired effects (portfolio minus status quo) on the composite score and the
    headline outcomes, long: portfolio, outcome, world, effect — what drivers and failures read."""
    headline = plan.scenario.headline_outcomes
    base = names.index(STATUS_QUO)
    frames = []
    worlds = np.arange(finals.shape[2])
    for p, name in enumerate(names):
        if p == base:
            continue
        frames.append(pd.DataFrame({"portfolio": name, "outcome": COMPOSITE, "world": worlds,
                                    "effect": scores[p]}))
        for o in headline:
            i = outcome_names.index(o)
            frames.append(pd.DataFrame({"portfolio": name, "outcome": o, "world": worlds,
                                        "effect": finals[p, i] - finals[base, i]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["portfolio", "outcome", "world", "effect"])


def failure_table(plan: Plan, comparison: pd.DataFrame, parameters: pd.DataFrame,
                  effects: pd.DataFrame) -> pd.DataFrame:
    """Where each single option fails: for the composite score and every headline outcome the
    option usually improves (mean effect's 90% interval clear of 0, better in at least half the
    worlds), the boxes of parameter space in which it does not improve on status quo."""
    scenario = plan.scenario
    labels = parameter_labels(scenario)
    rows = []
    for option in (o for o in OPTIONS if o in plan.portfolios):
        option_label = scenario.options[option].label  # type: ignore[index]
        mine = effects[effects["portfolio"] == option]
        for outcome, frame in mine.groupby("outcome", sort=False):
            if outcome == COMPOSITE:
                sign, subject = 1.0, f"{option_label} fails to beat status quo overall"
            else:
                spec = scenario.outcomes[str(outcome)]
                sign = 1.0 if spec.better == "higher" else -1.0
                row = comparison[(comparison["portfolio"] == option)
                                 & (comparison["outcome"] == outcome)].iloc[0]
                if (min(sign * row["diff_ci_low"], sign * row["diff_ci_high"]) <= 0
                        or row["p_better"] < 0.5):
                    continue  # it does not usually improve this outcome: no failure to explain
                subject = f"{option_label} fails to improve “{spec.label}”"
            failed = (sign * frame.sort_values("world")["effect"].to_numpy()) <= 0
            for box in failure_conditions(parameters, failed):
                rows.append({"portfolio": option, "outcome": outcome,
                             "sentence": describe_box(box, subject=subject, labels=labels),
                             "support": box.support, "density": box.density,
                             "coverage": box.coverage, "base_rate": box.base_rate,
                             "conditions": "; ".join(f"{c.parameter} {c.op} {c.threshold:.6g}"
                                                     for c in box.conditions)})
    return pd.DataFrame.from_records(rows, columns=[
        "portfolio", "outcome", "sentence", "support", "density", "coverage", "base_rate",
        "conditions"])


def monthly_table(plan: Plan, names: list[str], outcome_names: list[str],
                  history: np.ndarray) -> pd.DataFrame:
    """Mean and quantiles over all worlds, per portfolio, outcome and month."""
    # One portfolio at a time, so the sorted copy np.quantile makes stays small.
    quantiles = np.stack([np.quantile(history[p], list(QUANTILES.values()), axis=2)
                          for p in range(len(names))], axis=1)  # (Q, P, O, T)
    mean = history.mean(axis=3)
    p_idx, o_idx, t_idx = np.meshgrid(np.arange(len(names)), np.arange(len(outcome_names)),
                                      np.arange(plan.months), indexing="ij")
    frame = pd.DataFrame({
        "portfolio": np.asarray(names)[p_idx.ravel()],
        "outcome": np.asarray(outcome_names)[o_idx.ravel()],
        "month": t_idx.ravel(),
        "month_label": [month_label(plan.scenario.meta.start, t) for t in t_idx.ravel()],
        "mean": mean.ravel(),
        **{q: quantiles[k].ravel() for k, q in enumerate(QUANTILES)},
    })
    return frame


def trajectory_table(plan: Plan, names: list[str], outcome_names: list[str],
                     history: np.ndarray) -> pd.DataFrame:
    """Monthly values of the sample worlds (the first `sample_worlds` worlds)."""
    n = plan.sample_worlds
    frames = []
    for p, name in enumerate(names):
        sample = history[p, :, :, :n]  # (O, T, n)
        world, month = np.meshgrid(np.arange(n), np.arange(plan.months), indexing="ij")
        frames.append(pd.DataFrame({
            "portfolio": name, "world": world.ravel(), "month": month.ravel(),
            **{o: sample[i].T.ravel() for i, o in enumerate(outcome_names)}}))
    return pd.concat(frames, ignore_index=True)


def event_table(names: list[str], chunks: list[ChunkResult]) -> pd.DataFrame:
    """The sample worlds' event logs, one block per portfolio."""
    frames = [frame.assign(portfolio=name)
              for c in chunks for name, frame in zip(names, c.events, strict=True)]
    frame = pd.concat(frames, ignore_index=True)
    frame["portfolio"] = pd.Categorical(frame["portfolio"], categories=names)
    frame = frame.sort_values(["portfolio", "world", "month"], kind="stable", ignore_index=True)
    return frame[["portfolio", "month", "world", "actor", "event", "value"]]


def comparison_table(plan: Plan, names: list[str], outcome_names: list[str],
                     finals: np.ndarray) -> pd.DataFrame:
    """Per portfolio and outcome: distribution, and paired difference from status quo."""
    base = finals[names.index(STATUS_QUO)]
    records = []
    for p, name in enumerate(names):
        for i, outcome in enumerate(outcome_names):
            values, diff = finals[p, i], finals[p, i] - base[i]
            lower_better = plan.scenario.outcomes[outcome].better == "lower"
            better = diff < 0 if lower_better else diff > 0
            worse = diff > 0 if lower_better else diff < 0
            low, high = mean_interval(diff)
            cumulative = METRICS[outcome].cumulative
            records.append({
                "portfolio": name, "outcome": outcome,
                "mean": values.mean(), "se": standard_error(values), "median": np.median(values),
                "p05": np.quantile(values, 0.05), "p95": np.quantile(values, 0.95),
                "p_event": (values > 0).mean() if cumulative else np.nan,
                "diff_mean": diff.mean(), "diff_ci_low": low, "diff_ci_high": high,
                "diff_se": standard_error(diff),
                "diff_p05": np.quantile(diff, 0.05), "diff_p95": np.quantile(diff, 0.95),
                "p_better": better.mean(), "p_worse": worse.mean(),
            })
    return pd.DataFrame.from_records(records)


def manifest(plan: Plan, chunks: list[ChunkResult], wall_seconds: float) -> dict[str, Any]:
    """How the run was made: enough to reproduce it and to tell two runs apart."""
    scenario = plan.scenario
    return {
        "scenario_name": scenario.meta.name,
        "scenario_title": scenario.meta.title,
        "scenario_hash": scenario_hash(scenario),
        "seed": plan.seed,
        "runs": plan.runs,
        "months": plan.months,
        "sampling": plan.sampling,
        "chunk_size": plan.chunk_size,
        "chunks": len(chunks),
        "sample_worlds": plan.sample_worlds,
        "portfolios": list(plan.portfolios),
        "portfolio_options": {k: list(v) for k, v in plan.portfolios.items()},
        "outcomes": list(scenario.outcomes),
        "package_version": version("axis-sim"),
        "versions": {lib: version(lib) for lib in ("mesa", "numpy", "scipy", "pandas")},
        "python": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
        "scenario": scenario.model_dump(mode="json"),
    }
