"""Plain words on the dashboard and in the brief (issue 16).

Every parameter and event has a human label (the scenario's `label:`, or one derived from its
path) and the reader sees it instead of paths such as `actors.DPRK.rocket_transfer_rate <
3.79555`; numbers are rounded and never in scientific notation. The checks scan the page's
visible text: everything outside `<script>` and `<style>` and outside tag attributes (a path
may stay in a `title` tooltip and in the embedded data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

import axis_sim
from axis_sim.experiment.output import write_results
from axis_sim.scenario.parameters import (
    conditions_text,
    derived_label,
    parameter_labels,
    plain_paths,
)
from axis_sim.scenario.schema import Scenario
from tests.chrome import CHROMEDRIVER, CHROMIUM, start_chrome

RAW_PATH = re.compile(r"\b(?:actors|context|options|events)\.[A-Za-z_]\w*")
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE][+-]?\d")
OPTIONS = ["sanctions_listing", "warn_beijing", "intercept_declaration",
           "sanctions_listing+warn_beijing"]


class _Visible(HTMLParser):
    """The text a reader can see: data outside script, style and template elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def offending(text: str) -> list[str]:
    """Each raw path or number in scientific notation, with some context."""
    return [text[max(0, m.start() - 50): m.end() + 30].replace("\n", " ")
            for pattern in (RAW_PATH, SCIENTIFIC) for m in pattern.finditer(text)]


def tiny(scenario: Scenario) -> Scenario:
    """The scenario with a parameter whose value Python writes as 1.2e-05, and one parameter
    with a label of its own."""
    context = dict(scenario.context)
    name = "party_enforcement_gain"
    low = context[name].model_copy(update={"value": 0.0000123, "label": None})
    context[name] = low
    actors = {a: dict(p) for a, p in scenario.actors.items()}
    actors["DPRK"]["rocket_transfer_rate"] = actors["DPRK"]["rocket_transfer_rate"].model_copy(
        update={"label": "Rockets shipped to Russia a month"})
    return scenario.model_copy(update={"context": context, "actors": actors})


@pytest.fixture(scope="module")
def written(short_baseline: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = axis_sim.run(tiny(short_baseline), runs=120, seed=11, options=OPTIONS)
    return write_results(result, folder=tmp_path_factory.mktemp("words") / "run")


@pytest.fixture(scope="module")
def dashboard(written: Path) -> str:
    return (written / "dashboard.html").read_text(encoding="utf-8")


def test_derived_labels_read_as_words(baseline: Scenario) -> None:
    assert derived_label(baseline, "actors.DPRK.rocket_transfer_rate") == (
        "DPRK: rocket transfer rate")
    assert derived_label(baseline, "actors.DPRK.icbm_probability") == "DPRK: ICBM probability"
    assert derived_label(baseline, "options.sanctions_listing.listing_propensity") == (
        "Sanctions listing: listing propensity")
    assert derived_label(baseline, "context.russia_artillery_use") == "Russia artillery use"
    assert derived_label(baseline, "events.later_summit.probability").startswith(
        "Chance of a further")


def test_every_parameter_and_event_has_a_label(baseline: Scenario) -> None:
    labels = parameter_labels(baseline)
    assert all(label and not RAW_PATH.search(label) for label, _ in labels.values())
    assert len({label for label, _ in labels.values()}) == len(labels)  # no two alike
    assert labels["actors.DPRK.rocket_transfer_rate"][0] == (
        baseline.actors["DPRK"]["rocket_transfer_rate"].label)  # the scenario's own label
    assert all(e.display_label for e in baseline.events)


def test_paths_in_prose_and_conditions_become_labels(baseline: Scenario) -> None:
    labels = parameter_labels(baseline)
    text = plain_paths("the stockpile (actors.DPRK.initial_stockpile, 3 million)", labels)
    assert text == f"the stockpile ({labels['actors.DPRK.initial_stockpile'][0]}, 3 million)"
    conditions = conditions_text(
        "actors.DPRK.rocket_transfer_rate < 3.79555; context.max_friction >= 1.23e-05", labels)
    assert "actors." not in conditions and "context." not in conditions
    assert "3.8" in conditions and "0.0000123" in conditions and "e-05" not in conditions


def test_dashboard_visible_text_has_no_paths_or_scientific_notation(dashboard: str) -> None:
    text = visible_text(dashboard)
    assert "Rockets shipped to Russia a month" in text or "DPRK:" in text
    assert offending(text) == []


def test_brief_has_no_paths_or_scientific_notation(written: Path) -> None:
    brief = (written / "brief.md").read_text(encoding="utf-8")
    assert offending(brief) == []


def test_parameter_table_gives_labels_with_the_path_as_a_tooltip(dashboard: str) -> None:
    assert 'title="actors.DPRK.rocket_transfer_rate">Rockets shipped to Russia a month<' in (
        dashboard)
    assert "0.0000123" in visible_text(dashboard)


# --- in a browser: the text as drawn, charts included -----------------------------------------



@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("headless Chromium not installed")
    pytest.importorskip("selenium.webdriver")
    driver = start_chrome(1440, 900, logs=())
    yield driver
    driver.quit()


def test_drawn_text_has_no_paths_or_scientific_notation(browser, written: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get((written / "dashboard.html").as_uri())
    WebDriverWait(browser, 120).until(
        lambda d: d.execute_script("return document.readyState === 'complete'"))
    browser.execute_script("if (window.axisLazy) { window.axisLazy.renderAll(); }")
    WebDriverWait(browser, 120).until(lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('div.plotly-graph-div'))"
        ".every(d => d.querySelector('.main-svg'))"))
    text = browser.execute_script("""
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
          acceptNode: n => n.parentElement.closest('script, style, template')
            ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
        const parts = [];
        while (walker.nextNode()) { parts.push(walker.currentNode.textContent); }
        return parts.join('\\n');""")
    assert "Seventh nuclear test" in text
    assert offending(text) == []
