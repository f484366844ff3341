"""`brief.md`: one page for a decision maker — the bottom line first, the detail below it."""

from __future__ import annotations

import pandas as pd

from axis_sim.experiment.results import RunResult
from axis_sim.model.options import IN_FORCE
from axis_sim.report.common import world_table
from axis_sim.report.formatting import format_number, format_probability
from axis_sim.report.table import BINARY_UNIT
from axis_sim.scenario.parameters import parameter_labels
from axis_sim.scenario.schema import OPTIONS, STATUS_QUO, Scenario


def _effect(result: RunResult, row: pd.Series) -> str:
    """'−270,000 rounds [−296,000, −243,000]' or, for yes/no outcomes, in percentage points."""
    unit = result.scenario.outcomes[row["outcome"]].unit
    if unit == BINARY_UNIT:
        return (f"{row['diff_mean'] * 100:+.1f} percentage points "
                f"[{row['diff_ci_low'] * 100:+.1f}, {row['diff_ci_high'] * 100:+.1f}]")
    return (f"{format_number(row['diff_mean'])} {unit} [{format_number(row['diff_ci_low'])}, "
            f"{format_number(row['diff_ci_high'])}]")


def _significant(result: RunResult, portfolio: str,
                 most: int = 3) -> tuple[list[str], list[str]]:
    """What a portfolio buys and what it costs: headline outcomes whose 90% interval excludes 0,
    largest first (in standard deviations of the outcome), at most `most` of each."""
    buys, costs = [], []
    rows = result.comparison[(result.comparison["portfolio"] == portfolio)
                             & result.comparison["outcome"].isin(result.scenario.headline_outcomes)]
    spread = world_table(result, "outcomes")[list(rows["outcome"])].std().replace(0, float("inf"))
    size = (rows["diff_mean"].abs() / spread.reindex(rows["outcome"]).to_numpy())
    for _, row in rows.assign(size=size.to_numpy()).sort_values("size", ascending=False).iterrows():
        spec = result.scenario.outcomes[row["outcome"]]
        sign = 1 if spec.better == "higher" else -1
        low, high = sign * row["diff_ci_low"], sign * row["diff_ci_high"]
        text = (f"{spec.label}: {_effect(result, row)}, better in "
                f"{format_probability(row['p_better'])} of worlds")
        if min(low, high) > 0:
            buys.append(text)
        elif max(low, high) < 0:
            costs.append(text.replace("better in", "worse in").replace(
                format_probability(row["p_better"]), format_probability(row["p_worse"])))
    return buys[:most], costs[:most]


def _label(result: RunResult, portfolio: str) -> str:
    if portfolio == STATUS_QUO:
        return "Status quo"
    if portfolio in result.scenario.options:
        return result.scenario.options[portfolio].label  # type: ignore[index]
    return portfolio.replace("_", " ").replace("+", " + ")


def status_quo_sentence(scenario: Scenario) -> str:
    """What status quo means in this scenario: the policies already in force, not none."""
    in_force = [f"{scenario.options[o].label} at "  # type: ignore[index]
                f"{format_number(scenario.actors['US'][path.rsplit('.', 1)[1]].value)} of "
                "the option's intensity" for o, path in IN_FORCE.items()
                if o in scenario.options]
    if not in_force:
        return "Status quo is no policy beyond what the scenario's start already holds."
    return ("Status quo is the policy already in force at the start, not no policy: "
            + " and ".join(in_force) + " continue at their pre-start pace; each option is the "
            "intensification the analysis proposes.")


def render_brief(result: RunResult) -> str:
    """The brief as Markdown."""
    s, m, rank = result.scenario, result.manifest, result.ranking
    best = rank.iloc[0]
    lines = [
        f"# Brief: {s.meta.title}", "",
        f"{m['runs']:,} simulated worlds from {s.meta.start}, {s.meta.horizon_months} months; "
        f"{len(m['portfolios'])} portfolios compared on the same worlds (seed {m['seed']}). "
        "Intervals are 90%; “better in X%” counts the worlds where the portfolio beats status "
        "quo, world by world.", "",
        status_quo_sentence(s), "",
        "## Bottom line", "",
        f"- **Best overall: {_label(result, best['portfolio'])}** — composite score "
        f"{format_number(best['score_mean'])} [{format_number(best['score_ci_low'])}, "
        f"{format_number(best['score_ci_high'])}], better than status quo in "
        f"{format_probability(best['p_better'])} of worlds, the best choice in "
        f"{format_probability(best['p_best'])} of them.",
    ]
    worst = rank.iloc[-1]
    if worst["score_mean"] < 0:
        lines.append(f"- **Worst: {_label(result, worst['portfolio'])}** — composite score "
                     f"{format_number(worst['score_mean'])}, worse than status quo in "
                     f"{format_probability(worst['p_worse'])} of worlds.")
    robust = rank.sort_values("regret_p90").iloc[0]
    lines.append(f"- **Most robust: {_label(result, robust['portfolio'])}** — in 90% of worlds "
                 f"it is within {format_number(robust['regret_p90'])} of the best portfolio.")
    lines += ["", "## What each option buys and costs", ""]
    for option in [o for o in OPTIONS if o in m["portfolios"]]:
        buys, costs = _significant(result, option)
        lines.append(f"**{_label(result, option)}** — " + (
            "; ".join(buys) if buys else "no clear gain on a headline outcome") + ".")
        if costs:
            lines.append(f"  Costs: {'; '.join(costs)}.")
        lines.append("")
    lines += _ranking_section(result) + _interaction_section(result)
    lines += _failure_section(result) + _driver_section(result) + _sensitivity_section(result)
    lines += [
        "## How to read this", "",
        "- The composite score adds each outcome's improvement on status quo, in standard "
        "deviations of that outcome, times its weight: "
        + ", ".join(f"{spec.label} {spec.weight:g}" for spec in s.outcomes.values()
                    if spec.weight > 0) + ".",
        *[f"- {spec.label} restates {', '.join(s.outcomes[o].label for o in spec.restates)}: "
          "it is shown but not scored, so the same harm is not counted twice."
          for spec in s.outcomes.values() if spec.restates],
        "- Regret is how far a portfolio falls short of the best portfolio in the same world.",
        "- Every parameter, its range and its source are listed in `dashboard.html`; the full "
        "tables are in this folder (`comparison.csv`, `ranking.csv`, `interactions.csv`).", "",
    ]
    return "\n".join(lines)


def _ranking_section(result: RunResult) -> list[str]:
    lines = ["## Ranking", "", "| rank | portfolio | score [90% CI] | better than status quo | "
             "regret (median / 90th pct) |", "|---|---|---|---|---|"]
    for r in result.ranking.head(10).itertuples():
        lines.append(f"| {r.rank} | {_label(result, r.portfolio)} | {format_number(r.score_mean)} "
                     f"[{format_number(r.score_ci_low)}, {format_number(r.score_ci_high)}] | "
                     f"{format_probability(r.p_better)} | {format_number(r.regret_median)} / "
                     f"{format_number(r.regret_p90)} |")
    if len(result.ranking) > 10:
        lines.append(f"\n({len(result.ranking) - 10} more in `ranking.csv`.)")
    return [*lines, ""]


def _interaction_section(result: RunResult) -> list[str]:
    notable = result.interactions[(result.interactions["verdict"] != "additive")
                                  & (result.interactions["outcome"] == "composite_score")]
    if notable.empty:
        return []
    lines = ["## Combinations that are more, or less, than the sum of their parts", ""]
    for r in notable.itertuples():
        lines.append(f"- {_label(result, r.option_a)} with {_label(result, r.option_b)}: "
                     f"{r.verdict} ({format_number(r.interaction_mean)} "
                     f"[{format_number(r.ci_low)}, {format_number(r.ci_high)}] on the score).")
    return [*lines, ""]


def _failure_section(result: RunResult) -> list[str]:
    if result.failures.empty:
        return []
    lines = ["## When options fail", ""]
    lines += [f"- {sentence}" for sentence in
              result.failures.groupby(["portfolio", "outcome"], sort=False).head(1)["sentence"]]
    return [*lines, ""]


def _driver_section(result: RunResult) -> list[str]:
    if result.drivers.empty:
        return []
    top = result.drivers[(result.drivers["outcome"] == "composite_score")
                         & (result.drivers["rank"] <= 3)
                         & result.drivers["portfolio"].isin(OPTIONS)]
    if top.empty:
        return []
    labels = parameter_labels(result.scenario)
    lines = ["## What drives each option's effect", "",
             "Rank correlation (ρ) between an uncertain parameter and the option's composite "
             "effect, world by world; + means a higher value helps the option.", ""]
    for portfolio, rows in top.groupby("portfolio", sort=False):
        parts = [f"{labels.get(r.parameter, (r.parameter, ''))[0]} (ρ = {r.rho:+.2f})"
                 for r in rows.sort_values("rank").itertuples()]
        lines.append(f"- {_label(result, str(portfolio))}: {', '.join(parts)}.")
    return [*lines, ""]


def _sensitivity_section(result: RunResult) -> list[str]:
    table = result.sensitivity
    if table.empty:
        return []
    method = str(table["method"].iloc[0])
    measure = "mu_star" if method == "morris" else "ST"
    name = "Morris μ*" if method == "morris" else "total Sobol' index"
    labels = parameter_labels(result.scenario)
    lines = [f"## Global sensitivity ({name})", "",
             "The parameters that most change each option's composite effect when varied over "
             "their whole ranges (SALib).", ""]
    composite = table[(table["outcome"] == "composite_score") & table["portfolio"].isin(OPTIONS)]
    for portfolio, rows in composite.groupby("portfolio", sort=False):
        top = rows.sort_values(measure, ascending=False).head(3)
        parts = [f"{labels.get(r.parameter, (r.parameter, ''))[0]} "
                 f"({format_number(getattr(r, measure))})" for r in top.itertuples()]
        lines.append(f"- {_label(result, str(portfolio))}: {', '.join(parts)}.")
    return [*lines, ""]


def write_brief(result: RunResult, path: str) -> None:
    """Write `brief.md` atomically."""
    from axis_sim.io import atomic_write_text

    atomic_write_text(path, render_brief(result))
