"""The dashboard's decision section, first on the page: what the run says a planner should
do, over every weighting (rank acceptability), without weights (the Pareto set), and what the
scenario's own weights imply (exchange rates) — and, at the top, every portfolio in rank order
at the current weights with its value, what it buys and what it costs in natural units.

Rendered from `templates/decision.html` with autoescape; the words come from
`report/decision.py`, so the page and the brief agree. The page's script re-ranks the rows of
`#rank-now` (and fills their `data-field` cells) when the reader changes a weight; the rank
acceptability table keeps its own order (it does not depend on the weights) and shows each
portfolio's rank at the current weights beside it.
"""

from __future__ import annotations

import re
from typing import Any

from axis_sim.experiment.decision import SMAA_DRAWS
from axis_sim.experiment.results import RunResult
from axis_sim.report import decision
from axis_sim.report.analysis import interval_from_model
from axis_sim.report.common import Page, portfolio_label
from axis_sim.report.formatting import MISSING, format_number, format_probability
from axis_sim.report.templates import render
from axis_sim.scenario.schema import STATUS_QUO

LEAD_CHARS = 480  # the bottom line's sentences shown before "Read on"
SHOWN_ROWS = 8  # rows of the first screen's ranking before "Show all"
GAINS, COSTS = 2, 3  # gains and costs (side effects) per portfolio on the first screen


def _interval(mean: float, low: float, high: float) -> str:
    return f"{format_number(mean)} [{format_number(low)}, {format_number(high)}]"


def split_bottom_line(text: str, budget: int = LEAD_CHARS) -> tuple[str, str]:
    """The bottom line as what the first screen shows (its first sentences, at least one, up to
    `budget` characters) and the rest, folded under "Read on"."""
    sentences = re.split(r"(?<=[.)])\s+(?=[A-Z])", text.strip())
    shown = 1
    while shown < len(sentences) and len(" ".join(sentences[: shown + 1])) <= budget:
        shown += 1
    return " ".join(sentences[:shown]), " ".join(sentences[shown:])


def display_name(page: Page, name: str) -> str:
    """A portfolio as a planner names it: "Status quo", the scenario's own name for its option
    set ("Allied package"), an option's label, or the options' labels joined."""
    scenario = page.scenario
    if name == STATUS_QUO:
        return "Status quo"
    members = frozenset(scenario.portfolios.get(name) or name.split("+"))
    for named, theirs in scenario.portfolios.items():
        if frozenset(theirs) == members:
            return decision.sentence(named.replace("_", " "))
    return portfolio_label(scenario, name)


def ranking_rows(page: Page, model: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every portfolio in rank order at the scenario's weights: its rank, names, value over
    status quo [90% CI], share of weight space where it is first, and what it buys and costs
    against status quo (headline outcomes with a verdict, natural units, 90% CI)."""
    result = page.result
    ranked = page.ranked()
    scores = interval_from_model(model) if model is not None else {}
    first = {s.portfolio: s.first for s in decision.standings(result)}
    values: dict[str, str] = {}
    if scores:
        values = {p: _interval(*scores[p]) for p in scores}
    elif not result.ranking.empty and "score_mean" in result.ranking.columns:
        values = {str(r.portfolio): _interval(r.score_mean, r.score_ci_low, r.score_ci_high)
                  for r in result.ranking.itertuples(index=False)}
    rows = []
    for rank, name in enumerate(ranked, 1):
        if name == STATUS_QUO:
            buys, costs = [], []
        else:
            buys, costs = decision.outcome_verdicts(result, name, most=max(GAINS, COSTS))
            buys, costs = buys[:GAINS], costs[:COSTS]
        rows.append({
            "rank": rank,
            "portfolio": name,
            "name": display_name(page, name),
            "label": portfolio_label(page.scenario, name),
            "short": page.shorts.get(name, name),
            "colour": page.colour(name),
            "value": "0 (the reference)" if name == STATUS_QUO else values.get(name, MISSING),
            "first": format_probability(first[name]) if name in first else MISSING,
            "buys": buys,
            "costs": costs,
            "reference": name == STATUS_QUO,
            "beyond": rank > SHOWN_ROWS,
        })
    return rows


def decision_section(result: RunResult, page: Page | None = None,
                     model: dict[str, Any] | None = None) -> str:
    """The `<section id="decision">` of the dashboard."""
    page = page or Page.of(result)
    rows = ranking_rows(page, model)
    lead, rest = split_bottom_line(decision.bottom_line(result))
    return render(
        "decision.html",
        bottom_line=lead,
        bottom_rest=rest,
        draws=f"{SMAA_DRAWS:,}",
        ranking=rows,
        shown=SHOWN_ROWS,
        judgements=decision.judgement_lines(result.scenario),
        acceptability=decision.acceptability_rows(result, most=12),
        ranks={r["portfolio"]: r["rank"] for r in rows},
        pareto=[decision.sentence(line) for line in decision.pareto_lines(result)],
        dominated=decision.dominated_count(result),
        values=decision.value_rows(result),
        exchange=[decision.sentence(line) for line in decision.exchange_lines(result)],
        overlaps=[decision.sentence(line) for line in decision.overlap_lines(result)],
    )
