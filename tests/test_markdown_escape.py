"""Scenario text reaches every Markdown file escaped (issue 16).

Markdown passes HTML through, so a scenario whose title, description or labels hold
`<script>` must not put it verbatim into `brief.md`, the seminar's after-action report or
`backtest.md`. One rule (`axis_sim.report.markdown.escape`: `<`, `>`, `&` as HTML entities)
is used for all of them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import axis_sim
from axis_sim.report import markdown
from axis_sim.report.brief import render_brief
from axis_sim.scenario.schema import Scenario
from axis_sim.scoring.backtest import backtest, render_backtest_markdown
from axis_sim.seminar.engine import adjudicate, new_game, submit
from axis_sim.seminar.game import parse_teams
from axis_sim.seminar.report import render_markdown
from tests.conftest import BASELINE
from tests.test_backtest import registry

PROBE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# More of what a hostile scenario may carry (issue 19): an event handler on a tag, a
# javascript: link, NUL and a terminal escape.
MORE = "<img src=x onmouseover=alert(2)> [x](javascript:alert(3)) \x00nul \x1b[2J"
MORE_ESCAPED = "&lt;img src=x onmouseover=alert(2)&gt; [x]\\(javascript:alert(3)) nul [2J"


def hostile(scenario: Scenario) -> Scenario:
    """The scenario with the probe in its title, description, an option's label, an
    outcome's label and unit, a parameter's label and an event's name."""
    meta = scenario.meta.model_copy(update={"title": f"Title {PROBE} {MORE}",
                                            "description": f"Description {PROBE} & co"})
    options = dict(scenario.options)
    options["sanctions_listing"] = options["sanctions_listing"].model_copy(
        update={"label": f"Listing {PROBE}"})
    outcomes = dict(scenario.outcomes)
    outcomes["munitions_shipped"] = outcomes["munitions_shipped"].model_copy(
        update={"label": f"Munitions {PROBE}", "unit": "rounds <b>"})
    actors = {a: dict(params) for a, params in scenario.actors.items()}
    name = next(iter(actors["DPRK"]))
    actors["DPRK"][name] = actors["DPRK"][name].model_copy(update={"label": f"Rate {PROBE}"})
    events = [e.model_copy(update={"name": f"Summit {PROBE}"}) for e in scenario.events]
    return scenario.model_copy(update={"meta": meta, "options": options, "outcomes": outcomes,
                                       "actors": actors, "events": events})


def test_the_rule() -> None:
    assert markdown.escape(PROBE) == ESCAPED
    assert markdown.escape("R&D > 3 <b>") == "R&amp;D &gt; 3 &lt;b&gt;"
    assert markdown.inline("two\nlines  <i>") == "two lines &lt;i&gt;"
    assert markdown.cell("a | b") == "a \\| b" and markdown.cell("") == " "


def test_the_rule_for_handlers_links_and_control_characters() -> None:
    assert markdown.escape(MORE) == MORE_ESCAPED
    assert markdown.escape("[ref]: javascript:alert(1)") == "[ref]\\: javascript:alert(1)"
    assert markdown.escape("tab\tkept") == "tab\tkept"
    # A code block keeps its text but not its control characters.
    assert markdown.document([*markdown.fence("a\x00b")]) == "```\nab\n```\n"


def test_a_fence_cannot_be_closed_by_its_text() -> None:
    lines = markdown.fence("code ```` inside")
    assert lines[0] == lines[-1] == "`````"
    assert markdown.fence("plain") == ["```", "plain", "```"]


def test_a_document_escapes_prose_and_keeps_code_blocks() -> None:
    text = markdown.document(["# Title <b>", "", *markdown.fence("p < 0.001"), "after & more"])
    assert text == "# Title &lt;b&gt;\n\n```\np < 0.001\n```\nafter &amp; more\n"


@pytest.fixture(scope="module")
def brief(short_baseline: Scenario) -> str:
    result = axis_sim.run(hostile(short_baseline), runs=40, seed=3,
                          options=["sanctions_listing", "warn_beijing"])
    return render_brief(result)


def test_the_brief_escapes_scenario_text(brief: str) -> None:
    assert PROBE not in brief and "<b>" not in brief
    assert "<" not in brief  # no tag of any kind: every `<` is an entity
    assert f"Title {ESCAPED} {MORE_ESCAPED}" in brief
    assert "\x00" not in brief and "\x1b" not in brief and "](javascript" not in brief
    assert f"Listing {ESCAPED}" in brief


def test_the_after_action_report_escapes_scenario_and_game_text(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(
        f"extends: {BASELINE}\n"
        f"meta: {{name: hostile, horizon_months: 3, title: 'Title {PROBE}',"
        f" description: 'Described {PROBE}'}}\n"
        f"options: {{sanctions_listing: {{label: 'Listing {PROBE}'}}}}\n", encoding="utf-8")
    game = new_game(path, teams=parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK"]))
    game = adjudicate(submit(game, "blue", "option:sanctions_listing", 1.0, f"why {PROBE}"))
    text = render_markdown(game)
    assert PROBE not in text and "<" not in text
    for expected in (f"Title {ESCAPED}", f"Described {ESCAPED}", f"why {ESCAPED}",
                     f"Listing {ESCAPED}"):
        assert expected in text, expected


def test_backtest_markdown_escapes_names_from_the_files(tmp_path: Path) -> None:
    result = backtest(registry(tmp_path, ("a", False)), runs=30, seed=3)
    origin = result.origins[0]
    origin.result = dataclasses.replace(
        origin.result, summary={**origin.result.summary, "questions_name": f"Q {PROBE}"})
    text = render_backtest_markdown(result)
    assert PROBE not in text
    assert f"Q {ESCAPED}" in text
