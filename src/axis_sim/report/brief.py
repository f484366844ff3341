"""`brief.md`: one page for a decision maker — the bottom line first, the detail below it.

Markdown (it is read as text and rendered by whatever shows it). The first paragraph names the
robust choice (first in what share of weight space, on the Pareto set) or says that the choice
depends on the weights and which trade-off a decision maker must own (`report/decision.py`).
Verdicts read every effect against its minimal meaningful difference; no line depends on an
SD-normalised score, and no number is written in scientific notation.
"""

from __future__ import annotations

from axis_sim.experiment.compare import outcome_mmd
from axis_sim.experiment.decision import SMAA_DRAWS
from axis_sim.experiment.results import RunResult
from axis_sim.model.options import IN_FORCE
from axis_sim.report import decision, markdown
from axis_sim.report.formatting import format_effect, format_number, format_probability
from axis_sim.scenario.parameters import parameter_labels
from axis_sim.scenario.schema import OPTIONS, STATUS_QUO, Scenario

COMPOSITE = "composite_score"
SWING_TOLERANCE = 0.01  # more of an outcome's values outside its swing than this: say so


def _score(result: RunResult, value: object, signed: bool = True) -> str:
    """A composite score rounded to the digits its MMD makes meaningful."""
    return format_effect(value, outcome_mmd(result.scenario, COMPOSITE), signed=signed)


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
    s, m = result.scenario, result.manifest
    lines = [
        f"# Brief: {s.meta.title}", "",
        decision.bottom_line(result), "",
        f"{m['runs']:,} simulated worlds from {s.meta.start}, {s.meta.horizon_months} months; "
        f"{len(m['portfolios'])} portfolios compared on the same worlds (seed {m['seed']}). "
        "Intervals are 90%; a difference smaller than an outcome's minimal meaningful "
        "difference (MMD) is “no practical difference”, however sure.", "",
        status_quo_sentence(s), "",
        "## Bottom line", "",
        *_bottom_bullets(result), "",
        *_acceptability_section(result),
        *_pareto_section(result),
        *_weights_section(result),
        *_overlap_section(result),
        "## What each option buys and costs", "",
        "Against status quo, only effects whose whole 90% interval lies beyond the outcome's MMD; "
        "mean [90% interval] in natural units.", "",
    ]
    for option in [o for o in OPTIONS if o in m["portfolios"]]:
        buys, costs = decision.outcome_verdicts(result, option)
        lines.append(f"**{_label(result, option)}** — " + (
            "; ".join(buys) if buys else "no meaningful gain on a headline outcome") + ".")
        if costs:
            lines.append(f"  Costs: {'; '.join(costs)}.")
        lines.append("")
    lines += _ranking_section(result) + _interaction_section(result)
    lines += _failure_section(result) + _driver_section(result) + _sensitivity_section(result)
    lines += [
        "## How to read this", "",
        "- Each scored outcome is valued from 0 (its swing's worst plausible value) to 1 (its "
        "best), linearly; a portfolio's value is the weighted sum, the swing weights normalised "
        "to 1. The score is its value minus status quo's in the same world: 0.01 is a hundredth "
        "of moving every scored outcome from worst to best.",
        "- Rank acceptability: the share of weight vectors (uniform over all weightings that "
        "respect the scenario's ordinal judgements), each paired with a simulated world, under "
        "which the portfolio ranks there. Confidence factor: the share of worlds in which it is "
        "first at its central weights.",
        *[f"- {spec.label} restates {', '.join(s.outcomes[o].label for o in spec.restates)}: "
          "it is shown but not scored, so the same harm is not counted twice."
          for spec in s.outcomes.values() if spec.restates],
        "- Regret is how far a portfolio falls short of the best portfolio in the same world.",
        "- Every parameter, its range and its source are listed in `dashboard.html`; the full "
        "tables are in this folder (`acceptability.csv`, `central_weights.csv`, `pareto.csv`, "
        "`tradeoffs.csv`, `comparison.csv`, `ranking.csv`, `interactions.csv`).", "",
    ]
    # Labels, titles and sources come from the scenario: every line is escaped for Markdown.
    return markdown.document(lines)


def _bottom_bullets(result: RunResult) -> list[str]:
    s, rank = result.scenario, result.ranking
    lines = []
    if not rank.empty:
        best = rank.iloc[0]
        verdict = best.get("verdict", "")
        lines.append(
            f"- **At the scenario's own weights** (one point of the weight space): "
            f"{decision.label(s, best['portfolio'])} ranks first, value "
            f"{_score(result, best['score_mean'])} [{_score(result, best['score_ci_low'])}, "
            f"{_score(result, best['score_ci_high'])}] over status quo"
            + (f" ({verdict})" if verdict else "") + f", the best choice in "
            f"{format_probability(best['p_best'])} of worlds.")
    members = decision.pareto_names(result)
    if members:
        dominated = decision.dominated_count(result)
        lines.append(f"- **Pareto set:** {len(members)} of {len(result.pareto)} portfolios; "
                     f"{dominated} {'is' if dominated == 1 else 'are'} dominated (another "
                     "portfolio is meaningfully better on one outcome and not meaningfully "
                     "worse on any).")
    counted = result.overlaps[result.overlaps["double_counted"].astype(bool)] \
        if "double_counted" in result.overlaps.columns else result.overlaps.iloc[0:0]
    if len(counted):
        lines.append(f"- **Double counting:** {len(counted)} pair(s) of scored outcomes move "
                     "together; see “Outcomes that move together”.")
    narrow = {o: share for o, share in
              result.manifest.get("value_model", {}).get("outside_swing", {}).items()
              if share > SWING_TOLERANCE and o in s.outcomes}
    if narrow:
        lines.append("- **Swings drawn too narrow:** " + "; ".join(
            f"{format_probability(share)} of values of “{s.outcomes[o].label}”"
            for o, share in narrow.items())
            + " fall outside the swing, where the partial value is held at its worst or best; "
            "widen the swing in the scenario.")
    return lines or ["- No ranking: the run compared no portfolio with status quo."]


def _acceptability_section(result: RunResult) -> list[str]:
    rows = decision.acceptability_rows(result)
    if not rows:
        return []
    judgements = decision.judgement_lines(result.scenario)
    lines = ["## Rank acceptability over weight space", "",
             f"Share of {SMAA_DRAWS:,} weight vectors, drawn uniformly over every weighting of "
             "the scored outcomes" + (" that respects the scenario's judgements ("
                                      + "; ".join(judgements) + ")" if judgements else "")
             + ", each paired with a simulated world, under which the portfolio ranks first, "
             "second, third.", "",
             "| portfolio | 1st | 2nd | 3rd | top three | confidence factor | Pareto |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['rank1']} | {r['rank2']} | {r['rank3']} | "
                     f"{r['top3']} | {r['confidence']} | {r['pareto']} |")
    if len(result.central_weights) > len(rows):
        lines.append(f"\n({len(result.central_weights) - len(rows)} more in "
                     "`acceptability.csv`; central weight vectors in `central_weights.csv`.)")
    return [*lines, ""]


def _pareto_section(result: RunResult) -> list[str]:
    found = decision.pareto_lines(result)
    if not found:
        return []
    return ["## The Pareto set and what each member gives up", "",
            "No other portfolio is meaningfully better on one scored outcome and not "
            "meaningfully worse on any (paired worlds, 90% intervals, MMDs). What each member "
            "gives up: the outcomes on which another member is meaningfully better (that "
            "member's mean difference).", "",
            *[f"- {decision.sentence(line)}." for line in found], ""]


def _weights_section(result: RunResult) -> list[str]:
    rows = decision.value_rows(result)
    if not rows:
        return []
    lines = ["## What the weights imply", "",
             "With these weights (swing weights normalised to sum 1):", "",
             *[f"- {line};" for line in decision.exchange_lines(result)], "",
             "| outcome | unit | swing (worst → best) | weight | MMD |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['unit']} | {r['swing']} | {r['weight']} | "
                     f"{r['mmd']} |")
    lines += ["", "Sources of the swings and MMDs are in the scenario file and the dashboard; "
              "change the weights with `--weight OUTCOME=W`.", ""]
    return lines


def _overlap_section(result: RunResult) -> list[str]:
    found = decision.overlap_lines(result)
    if not found:
        return []
    return ["## Outcomes that move together", "",
            *[f"- {decision.sentence(line)}." for line in found], ""]


def _ranking_section(result: RunResult) -> list[str]:
    lines = ["## Ranking at the scenario's weights", "",
             "Value over status quo on the swings (one weighting only; the acceptability "
             "above covers all of them).", "",
             "| rank | portfolio | value [90% CI] | verdict | better than status quo | "
             "regret (median / 90th pct) |", "|---|---|---|---|---|---|"]
    for r in result.ranking.head(10).itertuples():
        lines.append(f"| {r.rank} | {decision.label(result.scenario, r.portfolio)} | "
                     f"{_score(result, r.score_mean)} [{_score(result, r.score_ci_low)}, "
                     f"{_score(result, r.score_ci_high)}] | {getattr(r, 'verdict', '') or '—'} | "
                     f"{format_probability(r.p_better)} | "
                     f"{_score(result, r.regret_median, False)} / "
                     f"{_score(result, r.regret_p90, False)} |")
    if len(result.ranking) > 10:
        lines.append(f"\n({len(result.ranking) - 10} more in `ranking.csv`.)")
    return [*lines, ""]


def _interaction_section(result: RunResult) -> list[str]:
    table = result.interactions
    notable = table[table["verdict"].isin(["synergy", "interference"])
                    & (table["outcome"] == COMPOSITE)]
    if notable.empty:
        return []
    lines = ["## Combinations that are more, or less, than the sum of their parts", "",
             "Only where the interaction's 90% interval lies beyond the score's MMD.", ""]
    for r in notable.itertuples():
        lines.append(f"- {_label(result, r.option_a)} with {_label(result, r.option_b)}: "
                     f"{r.verdict} ({_score(result, r.interaction_mean)} "
                     f"[{_score(result, r.ci_low)}, {_score(result, r.ci_high)}] on the value).")
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
    top = result.drivers[(result.drivers["outcome"] == COMPOSITE)
                         & (result.drivers["rank"] <= 3)
                         & result.drivers["portfolio"].isin(OPTIONS)]
    if top.empty:
        return []
    labels = parameter_labels(result.scenario)
    lines = ["## What drives each option's effect", "",
             "Rank correlation (ρ) between an uncertain parameter and the option's effect on "
             "the value score, world by world; + means a higher value helps the option.", ""]
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
             "The parameters that most change each option's effect on the value score when "
             "varied over "
             "their whole ranges (SALib).", ""]
    composite = table[(table["outcome"] == COMPOSITE) & table["portfolio"].isin(OPTIONS)]
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
