"""The dashboard's decision section, first after the header: what the run says a planner should
do, over every weighting (rank acceptability), without weights (the Pareto set), and what the
scenario's own weights imply (exchange rates). Rendered from `templates/decision.html` with
autoescape; the words come from `report/decision.py`, so the page and the brief agree."""

from __future__ import annotations

from axis_sim.experiment.decision import SMAA_DRAWS
from axis_sim.experiment.results import RunResult
from axis_sim.report import decision
from axis_sim.report.templates import render


def decision_section(result: RunResult) -> str:
    """The `<section id="decision">` of the dashboard."""
    return render(
        "decision.html",
        bottom_line=decision.bottom_line(result),
        draws=f"{SMAA_DRAWS:,}",
        judgements=decision.judgement_lines(result.scenario),
        acceptability=decision.acceptability_rows(result, most=12),
        pareto=[decision.sentence(line) for line in decision.pareto_lines(result)],
        dominated=decision.dominated_count(result),
        values=decision.value_rows(result),
        exchange=[decision.sentence(line) for line in decision.exchange_lines(result)],
        overlaps=[decision.sentence(line) for line in decision.overlap_lines(result)],
    )
