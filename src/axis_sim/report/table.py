"""What the terminal prints after a run (each headline outcome per portfolio, with intervals and
verdicts) and after `compare` (the bottom line, rank acceptability, the ranking)."""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd

from axis_sim.experiment.compare import COMPOSITE, outcome_mmd
from axis_sim.experiment.results import RunResult
from axis_sim.report import decision
from axis_sim.report.formatting import format_effect, format_probability
from axis_sim.report.formatting import format_number as fmt
from axis_sim.scenario.schema import STATUS_QUO, OutcomeSpec

BINARY_UNIT = "0/1"


def level_header(unit: str) -> str:
    """Column title for an outcome's level: a probability for yes/no outcomes."""
    return "P(by horizon)" if unit == BINARY_UNIT else "median [5%, 95%]"


def level_text(row: Any, unit: str) -> str:
    """A yes/no outcome as the share of worlds where it happened; others as median [5%, 95%]."""
    if unit == BINARY_UNIT:
        return format_probability(row.mean)
    return f"{fmt(row.median)} [{fmt(row.p05)}, {fmt(row.p95)}]"


def _delta(value: object, spec: OutcomeSpec) -> str:
    """A difference rounded to the digits its MMD makes meaningful (percentage points for a
    yes/no outcome)."""
    mmd = spec.mmd.value if spec.mmd is not None else float("nan")
    if spec.unit == BINARY_UNIT:
        return format_effect(100 * float(value), 100 * mmd, signed=True)  # type: ignore[arg-type]
    return format_effect(value, mmd, signed=True)


def comparison_text(result: RunResult) -> str:
    """One block per headline outcome: median [5%, 95%] per portfolio, the paired difference
    and its verdict against the outcome's MMD."""
    blocks = []
    for outcome in result.scenario.headline_outcomes:
        spec = result.scenario.outcomes[outcome]
        rows = result.comparison[result.comparison["outcome"] == outcome]
        points = " (percentage points)" if spec.unit == BINARY_UNIT else ""
        table = pd.DataFrame({
            "portfolio": rows["portfolio"],
            level_header(spec.unit): [level_text(r, spec.unit) for r in rows.itertuples()],
            f"Δ vs status quo{points}, mean [90% CI]": [
                "–" if r.portfolio == STATUS_QUO
                else f"{_delta(r.diff_mean, spec)} [{_delta(r.diff_ci_low, spec)}, "
                     f"{_delta(r.diff_ci_high, spec)}]"
                for r in rows.itertuples()],
            "verdict": ["–" if r.portfolio == STATUS_QUO else (getattr(r, "verdict", "") or "–")
                        for r in rows.itertuples()],
            "P(better)": ["–" if r.portfolio == STATUS_QUO else format_probability(r.p_better)
                          for r in rows.itertuples()],
        })
        mmd = f"; MMD {_delta(spec.mmd.value, spec).lstrip('+')}" if spec.mmd else ""
        title = f"{spec.label} ({spec.unit}; {spec.better} is better{mmd})"
        blocks.append(title + "\n" + table.to_string(index=False))
    return "\n\n".join(blocks)


def ranking_text(result: RunResult, top: int | None = None) -> str:
    """The bottom line first (robust choice or trade-off), rank acceptability over weight
    space, then the ranking at the scenario's weights with regret, then the interactions
    beyond their MMD."""
    s = result.scenario
    mmd = outcome_mmd(s, COMPOSITE)

    def score(value: object) -> str:
        return format_effect(value, mmd, signed=True)

    blocks = [textwrap.fill(decision.bottom_line(result), width=100)]
    accept = decision.acceptability_rows(result, most=top or 8)
    if accept:
        table = pd.DataFrame({
            "portfolio": [r["portfolio"] for r in accept],
            "1st": [r["rank1"] for r in accept], "2nd": [r["rank2"] for r in accept],
            "3rd": [r["rank3"] for r in accept], "top 3": [r["top3"] for r in accept],
            "confidence": [r["confidence"] for r in accept],
            "Pareto": [r["pareto"] for r in accept]})
        blocks.append("Rank acceptability over weight space (share of weightings, each with a "
                      "world, ranking it 1st, 2nd, 3rd; all in acceptability.csv)\n"
                      + table.to_string(index=False))
    rank = result.ranking if top is None else result.ranking.head(top)
    table = pd.DataFrame({
        "rank": rank["rank"],
        "portfolio": rank["portfolio"],
        "value, mean [90% CI]": [f"{score(r.score_mean)} [{score(r.score_ci_low)}, "
                                 f"{score(r.score_ci_high)}]" for r in rank.itertuples()],
        "verdict": [getattr(r, "verdict", "") or "–" for r in rank.itertuples()],
        "P(better)": [format_probability(p) for p in rank["p_better"]],
        "regret median / p90 / max": [f"{score(r.regret_median).lstrip('+')} / "
                                      f"{score(r.regret_p90).lstrip('+')} / "
                                      f"{score(r.regret_max).lstrip('+')}"
                                      for r in rank.itertuples()],
        "P(best)": [format_probability(p) for p in rank["p_best"]],
    })
    if rank["satisficing"].notna().any():
        table["satisficing"] = [format_probability(p) for p in rank["satisficing"]]
    weights = ", ".join(f"{name} {w}" for name, w in
                        ((r["outcome"], r["weight"]) for r in decision.value_rows(result)))
    blocks.append("Portfolios ranked by value over status quo at the scenario's weights (swing "
                  f"weights: {weights}; MMD of the value {score(mmd).lstrip('+')})\n"
                  + table.to_string(index=False))
    shown = {COMPOSITE, *s.headline_outcomes}
    notable = result.interactions[result.interactions["verdict"].isin(["synergy", "interference"])
                                  & result.interactions["outcome"].isin(shown)]
    if len(notable):
        lines = [f"  {r.pair}: {r.verdict} on {r.outcome} "
                 f"({_interaction(result, r.outcome, r.interaction_mean)} "
                 f"[{_interaction(result, r.outcome, r.ci_low)}, "
                 f"{_interaction(result, r.outcome, r.ci_high)}])"
                 for r in notable.itertuples()]
        blocks.append("Interactions beyond their MMD on the value and headline outcomes "
                      "(together vs the sum of the parts, 90% CI; all in interactions.csv):\n"
                      + "\n".join(lines))
    return "\n\n".join(blocks)


def _interaction(result: RunResult, outcome: str, value: object) -> str:
    if outcome == COMPOSITE:
        return format_effect(value, outcome_mmd(result.scenario, COMPOSITE), signed=True)
    return _delta(value, result.scenario.outcomes[outcome])
