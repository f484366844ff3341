"""Short text and HTML views of a scenario for notebooks: a pydantic repr of the whole scenario
runs to tens of thousands of characters, which is no use in a cell's output."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from axis_sim.scenario.schema import Fixed

if TYPE_CHECKING:
    from axis_sim.scenario.schema import Scenario


def _counts(scenario: Scenario) -> tuple[int, int]:
    from axis_sim.scenario.parameters import flat_parameters

    params = flat_parameters(scenario)
    uncertain = sum(not isinstance(p.dist, Fixed) for p, _ in params.values())
    return len(params), uncertain


def _origin_text(scenario: Scenario) -> str:
    origin = scenario._origin
    if origin is None:
        return ""
    text = f" from {origin.name}"
    if origin.edits:
        text += f" + {len(origin.edits)} edit{'s' if len(origin.edits) > 1 else ''}"
    return text


def scenario_repr(scenario: Scenario) -> str:
    """One line: name, start, horizon and what the scenario holds."""
    meta = scenario.meta
    total, uncertain = _counts(scenario)
    return (f"<Scenario {meta.name!r}{_origin_text(scenario)}: {meta.start}, "
            f"{meta.horizon_months} months, {total} parameters ({uncertain} uncertain), "
            f"{len(scenario.options)} options, {len(scenario.outcomes)} outcomes "
            f"({len(scenario.headline_outcomes)} headline)>")


def scenario_html(scenario: Scenario) -> str:
    """A small HTML card: title, facts, options and headline outcomes."""
    meta = scenario.meta
    total, uncertain = _counts(scenario)
    facts = [("Name", meta.name), ("Start", meta.start),
             ("Horizon", f"{meta.horizon_months} months"), ("Evidence as of", meta.as_of or "—"),
             ("Parameters", f"{total} ({uncertain} uncertain)"),
             ("Worlds by default", f"{scenario.experiment.runs:,}")]
    origin = scenario._origin
    if origin is not None:
        facts.append(("From", origin.name))
        if origin.edits:
            facts.append(("Edited", "; ".join(origin.edits)))
    rows = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(str(v))}</td>"
                   "</tr>" for k, v in facts)
    options = "".join(
        f"<li><code>{escape(o)}</code> {escape(s.label)} (intensity {s.intensity:g}, start "
        f"{escape(str(s.start))})</li>" for o, s in scenario.options.items())
    outcomes = "".join(
        f"<li><code>{escape(o)}</code> {escape(scenario.outcomes[o].label)} "
        f"({escape(scenario.outcomes[o].unit)}, {scenario.outcomes[o].better} is better)</li>"
        for o in scenario.headline_outcomes)
    return (f"<div><strong>Scenario: {escape(meta.title)}</strong><table>{rows}</table>"
            f"<details><summary>{len(scenario.options)} options</summary><ul>{options}</ul>"
            f"</details><details><summary>{len(scenario.headline_outcomes)} headline "
            f"outcomes</summary><ul>{outcomes}</ul></details></div>")
