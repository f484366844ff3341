"""The terminal table printed after a run: each headline outcome per portfolio, with intervals."""

from __future__ import annotations

from typing import Any

import pandas as pd

from axis_sim.experiment.results import RunResult
from axis_sim.report.formatting import format_number as fmt
from axis_sim.report.formatting import format_probability
from axis_sim.scenario.schema import STATUS_QUO

BINARY_UNIT = "0/1"


def level_header(unit: str) -> str:
    """Column title for an outcome's level: a probability for yes/no outcomes."""
    return "P(by horizon)" if unit == BINARY_UNIT else "median [5%, 95%]"


def level_text(row: Any, unit: str) -> str:
    """A yes/no outcome as the share of worlds where it happened; others as median [5%, 95%]."""
    if unit == BINARY_UNIT:
        return format_probability(row.mean)
    return f"{fmt(row.median)} [{fmt(row.p05)}, {fmt(row.p95)}]"


def comparison_text(result: RunResult) -> str:
    """One block per headline outcome: median [5%, 95%] per portfolio and the paired difference."""
    blocks = []
    for outcome in result.scenario.headline_outcomes:
        spec = result.scenario.outcomes[outcome]
        rows = result.comparison[result.comparison["outcome"] == outcome]
        table = pd.DataFrame({
            "portfolio": rows["portfolio"],
            level_header(spec.unit): [level_text(r, spec.unit) for r in rows.itertuples()],
            "Δ vs status quo, mean [90% CI]": [
                "–" if r.portfolio == STATUS_QUO
                else f"{fmt(r.diff_mean)} [{fmt(r.diff_ci_low)}, {fmt(r.diff_ci_high)}]"
                for r in rows.itertuples()],
            "P(better)": ["–" if r.portfolio == STATUS_QUO else format_probability(r.p_better)
                          for r in rows.itertuples()],
        })
        title = f"{spec.label} ({spec.unit}; {spec.better} is better)"
        blocks.append(title + "\n" + table.to_string(index=False))
    return "\n\n".join(blocks)


def ranking_text(result: RunResult, top: int | None = None) -> str:
    """Portfolios ranked by composite score, with regret; then the non-additive interactions."""
    rank = result.ranking if top is None else result.ranking.head(top)
    table = pd.DataFrame({
        "rank": rank["rank"],
        "portfolio": rank["portfolio"],
        "score, mean [90% CI]": [f"{fmt(r.score_mean)} [{fmt(r.score_ci_low)}, "
                                 f"{fmt(r.score_ci_high)}]" for r in rank.itertuples()],
        "P(better)": [format_probability(p) for p in rank["p_better"]],
        "regret median / p90 / max": [f"{fmt(r.regret_median)} / {fmt(r.regret_p90)} / "
                                      f"{fmt(r.regret_max)}" for r in rank.itertuples()],
        "P(best)": [format_probability(p) for p in rank["p_best"]],
    })
    if rank["satisficing"].notna().any():
        table["satisficing"] = [format_probability(p) for p in rank["satisficing"]]
    weights = ", ".join(f"{name} {spec.weight:g}" for name, spec in
                        result.scenario.outcomes.items() if spec.weight > 0)
    blocks = ["Portfolios ranked by composite score (improvement on status quo in standard "
              f"deviations, weighted: {weights})\n" + table.to_string(index=False)]
    shown = {"composite_score", *result.scenario.headline_outcomes}
    notable = result.interactions[(result.interactions["verdict"] != "additive")
                                  & result.interactions["outcome"].isin(shown)]
    if len(notable):
        lines = [f"  {r.pair}: {r.verdict} on {r.outcome} "
                 f"({fmt(r.interaction_mean)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}])"
                 for r in notable.itertuples()]
        blocks.append("Interactions on the score and headline outcomes (together vs the sum "
                      "of the parts, 90% CI; all in interactions.csv):\n" + "\n".join(lines))
    return "\n\n".join(blocks)
