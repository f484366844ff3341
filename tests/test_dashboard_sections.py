"""The dashboard's own content in a real browser (issue 16): overlaid timelines, the channel
waterfall, a world's story, the membership matrix, and CSV and PNG export.

Headless Chromium through chromedriver, as in test_dashboard_browser.py (skipped without them
on a developer's machine, failing under CI). One small real run — four portfolios besides
status quo on the 12-month baseline, one option started late so its start line is its own, and
the channel table of `--explain` — shared by every test.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from axis_sim.api import run
from axis_sim.experiment.explain import explain_plan, plan_explanation
from axis_sim.experiment.output import write_results
from axis_sim.experiment.results import RunResult
from axis_sim.report.common import Page
from axis_sim.report.story import log_rows, story_entries
from axis_sim.report.waterfall import why_section
from axis_sim.scenario.schema import STATUS_QUO, Scenario, month_index
from tests.chrome import CHROMEDRIVER, CHROMIUM, start_chrome

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("CI needs chromium and chromedriver (see .ci/run)", pytrace=False)
    pytest.skip("headless Chromium not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

PORTFOLIOS = ["sanctions_listing", "warn_beijing", "public_disclosure",
              "sanctions_listing+warn_beijing"]
LATE = "warn_beijing"  # started later than the others, so its start line stands alone
LATE_START = "2024-01"
SEED = 4
RUNS = 120


@pytest.fixture(scope="module")
def scenario(short_baseline: Scenario) -> Scenario:
    late = short_baseline.options[LATE].model_copy(update={"start": LATE_START})
    return short_baseline.model_copy(update={"options": {**short_baseline.options, LATE: late}})


@pytest.fixture(scope="module")
def result(scenario: Scenario) -> RunResult:
    """A real run with its channel table (what `axis-sim run --explain` makes)."""
    made = run(scenario, runs=RUNS, seed=SEED, options=PORTFOLIOS)
    the_plan = plan_explanation(scenario, portfolios=PORTFOLIOS, runs=RUNS, seed=SEED)
    made.channels = explain_plan(the_plan)
    return made


@pytest.fixture(scope="module")
def page(result: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_results(result, folder=tmp_path_factory.mktemp("sections") / "run")
    return folder / "dashboard.html"


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[Any]:
    driver = start_chrome(1440, 900, downloads=downloads)
    yield driver
    driver.quit()


def open_page(driver: Any, page: Path) -> None:
    driver.get(page.as_uri())
    WebDriverWait(driver, 120).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !!window.axisExport"))


def scroll_to(driver: Any, selector: str) -> None:
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", selector)


def no_errors(driver: Any) -> None:
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_timelines_overlay_portfolios_with_option_starts_marked(
        browser: Any, page: Path, result: RunResult, scenario: Scenario) -> None:
    open_page(browser, page)
    scroll_to(browser, "#fig-timeline-0")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "var gd = document.getElementById('fig-timeline-0'); return !!(gd && gd._fullLayout)"))
    figure = browser.execute_script("""
        var gd = document.getElementById('fig-timeline-0');
        return {lines: gd.data.filter(t => t.meta && t.meta.line && t.name)
                          .map(t => [t.meta.line, t.xaxis || 'x', t.yaxis || 'y',
                                     t.visible === undefined ? true : t.visible]),
                shapes: (gd.layout.shapes || []).map(s => [s.name, String(s.x0).slice(0, 10)]),
                labels: (gd.layout.annotations || []).map(a => a.text)};""")
    lines = {name: (x, y, visible) for name, x, y, visible in figure["lines"]}
    assert set(lines) == {STATUS_QUO, *PORTFOLIOS}  # every portfolio, one line each
    assert {(x, y) for x, y, _ in lines.values()} == {("x", "y")}  # on one pair of axes
    ranked = [p for p in result.ranking["portfolio"] if p != STATUS_QUO]
    shown = {p for p, (_, _, visible) in lines.items() if visible is True}
    assert shown == {STATUS_QUO, *ranked[:3]}  # the best-ranked three, the rest one click away
    assert lines[ranked[3]][2] == "legendonly"
    starts = {date for name, date in figure["shapes"] if name == "option-start"}
    late = month_index(scenario.meta.start, LATE_START)
    expected = set()
    for option in ("sanctions_listing", "warn_beijing", "public_disclosure"):
        offset = month_index(scenario.meta.start, scenario.options[option].start)
        year, month = divmod(int(scenario.meta.start[:4]) * 12
                             + int(scenario.meta.start[5:7]) - 1 + max(offset, 0), 12)
        expected.add(f"{year:04d}-{month + 1:02d}-01")
    assert late > 1 and f"{LATE_START}-01" in expected
    assert starts == expected
    assert any(re.fullmatch(r"WB starts?", label) for label in figure["labels"])
    # The button shows every portfolio.
    browser.execute_script("document.querySelector('#monthly button[data-lines=all]').click()")
    visible = browser.execute_script(
        "return document.getElementById('fig-timeline-0').data"
        ".filter(t => t.meta && t.meta.line && t.name).map(t => t.visible)")
    assert all(v is True for v in visible)
    no_errors(browser)


def test_waterfall_channels_sum_to_the_option_effect(browser: Any, page: Path,
                                                     result: RunResult) -> None:
    open_page(browser, page)
    comparison = result.comparison
    for portfolio, outcome in (("sanctions_listing", "munitions_shipped"),
                               ("sanctions_listing+warn_beijing", "us_china_tension")):
        browser.execute_script("""
            var p = document.getElementById('why-portfolio');
            var o = document.getElementById('why-outcome');
            document.getElementById('why-plot').scrollIntoView();
            p.value = arguments[0]; o.value = arguments[1];
            p.dispatchEvent(new Event('change'));""", portfolio, outcome)
        WebDriverWait(browser, 30).until(lambda d, p=portfolio: d.execute_script(
            "var gd = document.getElementById('why-plot');"
            "return !!(gd && gd.data && gd.data[0].y.length && "
            "document.getElementById('why-caption').textContent.length)"))
        bars = browser.execute_script(
            "var t = document.getElementById('why-plot').data[0];"
            "return {x: t.x, y: t.y, measure: t.measure,"
            " rows: document.querySelectorAll('#why-table tbody tr').length}")
        measure = bars["measure"]
        assert measure[0] == "absolute" and measure[-1] == "total"
        assert set(measure[1:-1]) == {"relative"}
        assert bars["rows"] == len(measure)
        start, end, steps = bars["x"][0], bars["x"][-1], bars["x"][1:-1]
        row = comparison[(comparison["portfolio"] == portfolio)
                         & (comparison["outcome"] == outcome)].iloc[0]
        sq = comparison[(comparison["portfolio"] == STATUS_QUO)
                        & (comparison["outcome"] == outcome)].iloc[0]
        scale = 1e-6 * max(1.0, abs(float(sq["mean"])))
        assert start == pytest.approx(float(sq["mean"]), abs=scale)
        assert end == pytest.approx(float(row["mean"]), abs=scale)
        # The channels and the rest add up to the option's effect: its mean paired difference.
        assert sum(steps) == pytest.approx(float(row["diff_mean"]), abs=scale)
        assert sum(steps[:-1]) != 0 or float(row["diff_mean"]) == 0
    no_errors(browser)


def test_why_it_works_says_when_the_run_has_no_channels(result: RunResult) -> None:
    html = why_section(Page.of(replace(result, channels=result.channels.iloc[0:0])))
    assert "--explain" in html and "why-data" not in html


MONTH = ("(January|February|March|April|May|June|July|August|September|October|November|"
         "December)")
# "March 2024: …", "September–November 2023, in all: …", "December 2023–February 2024, …"
DATED = re.compile(rf"^{MONTH}( \d{{4}})?(–{MONTH})? \d{{4}}(, in all)?: \S.*\.$")


def test_story_gives_dated_sentences_for_portfolio_and_status_quo(
        browser: Any, page: Path, result: RunResult, scenario: Scenario) -> None:
    open_page(browser, page)
    worlds = browser.execute_script(
        "return Array.from(document.querySelectorAll('#story-world option')).map(o => o.value)")
    world = worlds[-1]  # not the first view's: told by the page's script
    portfolio = "sanctions_listing+warn_beijing"
    browser.execute_script("""
        document.getElementById('story').scrollIntoView();
        window.__told = window.axisStory.show(arguments[0], arguments[1]);""", world, portfolio)
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return document.getElementById('story-state').textContent === '' && "
        "document.querySelector('#story .story-name').textContent.indexOf('Warning') >= 0"))
    told, base = browser.execute_script(
        "return ['story-told', 'story-base'].map(id => Array.from("
        "document.querySelectorAll('#' + id + ' li')).map(li => li.textContent))")
    assert told and base
    for line in told + base:
        assert DATED.match(line), line
    # The same sentences the report module tells, for the chosen portfolio and for status
    # quo in the same world.
    rows = log_rows(result.events)
    start, horizon = scenario.meta.start, scenario.meta.horizon_months
    for name, shown in ((portfolio, told), (STATUS_QUO, base)):
        mine = rows[(rows["world"] == int(world)) & (rows["portfolio"].astype(str) == name)]
        assert [e.text for e in story_entries(mine, start, horizon)] == shown, name
    assert told != base  # the policy changes the story (listings at least)
    no_errors(browser)


def test_membership_matrix_has_a_column_per_portfolio_in_rank_order(
        browser: Any, page: Path, result: RunResult) -> None:
    open_page(browser, page)
    columns = browser.execute_script(
        "return Array.from(document.querySelectorAll("
        "'#membership-matrix thead th[data-portfolio]'))"
        ".map(th => th.getAttribute('data-portfolio'))")
    assert columns == [str(p) for p in result.ranking["portfolio"]]
    cells = browser.execute_script("""
        var out = {};
        document.querySelectorAll('#membership-matrix tr[data-option]').forEach(tr => {
          out[tr.getAttribute('data-option')] = Array.from(tr.querySelectorAll('td'))
            .map(td => [td.getAttribute('data-portfolio'), td.classList.contains('in')]);
        });
        return out;""")
    for option, row in cells.items():
        assert [p for p, _ in row] == columns
        for portfolio, held in row:
            assert held == (option in portfolio.split("+")), (option, portfolio)
    # New weights: the columns follow the re-ranked table.
    browser.execute_script("""
        document.querySelectorAll('input.weight[data-outcome]').forEach(w => {
          w.value = w.getAttribute('data-outcome') === 'us_china_tension' ? '5' : '0';
          w.dispatchEvent(new Event('input', {bubbles: true}));
          w.dispatchEvent(new Event('change', {bubbles: true}));
        });""")
    time.sleep(0.3)
    reranked = browser.execute_script(
        "return Array.from(document.querySelectorAll('#reweighted-table tbody tr'))"
        ".map(r => r.getAttribute('data-portfolio'))")
    after = browser.execute_script(
        "return Array.from(document.querySelectorAll("
        "'#membership-matrix thead th[data-portfolio]'))"
        ".map(th => th.getAttribute('data-portfolio'))")
    assert reranked != columns and after == reranked
    no_errors(browser)


def _plain(text: str) -> str:
    """A cell's text without spacing (a line break is " — " in the CSV, nothing in the DOM's
    text) and with plain minus signs."""
    return re.sub(r"[\s\u2009\u202f\u00a0—]", "", text.replace("\u2212", "-"))


REAL_DOWNLOADS = 3
CAPTURE_DOWNLOADS = """
    window.__csv = {};
    var click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      if (this.download && /\\.csv$/.test(this.download)) {
        var name = this.download;
        fetch(this.href).then(r => r.text()).then(t => { window.__csv[name] = t; });
        return;
      }
      return click.call(this);
    };"""


def _wait_for(folder: Path, name: str, timeout: float = 20) -> Path:
    path = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and not (folder / f"{name}.crdownload").exists():
            return path
        time.sleep(0.05)
    raise AssertionError(f"{name} was not downloaded")


def test_every_table_has_a_csv_export_that_downloads_its_rows(
        browser: Any, page: Path, downloads: Path) -> None:
    open_page(browser, page)
    # Draw the channel table too (it is filled when its chart is first drawn).
    scroll_to(browser, "#why-plot")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return document.querySelectorAll('#why-table tbody tr').length > 0"))
    tables = browser.execute_script("""
        var hidden = el => ['hide-p', 'hide-o'].some(c => el.classList.contains(c));
        return Array.from(document.querySelectorAll('main table')).map(t => {
          var anchor = t.parentNode.classList.contains('table-scroll') ? t.parentNode : t;
          var bar = anchor.previousElementSibling;
          var button = bar && bar.querySelector('button.export-csv');
          return {name: t.getAttribute('data-export-name'), button: !!button,
                  rows: Array.from(t.rows).filter(r => !hidden(r)).map(r =>
                    Array.from(r.cells).filter(c => !hidden(c)).length ? r.cells[0].textContent
                      .replace(/\\s+/g, ' ').trim() : ''),
                  body: Array.from(t.tBodies).reduce((n, b) =>
                    n + Array.from(b.rows).filter(r => !hidden(r)).length, 0)};
        });""")
    assert len(tables) >= 10
    names = [t["name"] for t in tables]
    assert all(names) and len(set(names)) == len(names)
    for k, table in enumerate(tables):
        assert table["button"], table["name"]
        folded = browser.execute_script("""
            var t = document.querySelectorAll('main table')[arguments[0]];
            var s = t.closest('section.collapsed');
            if (s) { s.scrollIntoView(); }
            return s ? s.querySelector(':scope > h2') : null;""", k)
        if folded is not None:
            folded.click()  # the reader opens a folded section as the page lets them
        button = browser.execute_script("""
            var t = document.querySelectorAll('main table')[arguments[0]];
            var anchor = t.parentNode.classList.contains('table-scroll') ? t.parentNode : t;
            var b = anchor.previousElementSibling.querySelector('button.export-csv');
            for (var d = b.closest('details'); d; d = d.parentElement.closest('details')) {
              d.open = true;
            }
            b.scrollIntoView({block: 'center'});
            return b;""", k)
        if k == REAL_DOWNLOADS:
            # Chromium throttles a page's automatic downloads (more so on a loaded machine):
            # after the first few real ones, the file the page hands the browser is read as
            # the browser would save it, from the same click and the same Blob.
            browser.execute_script(CAPTURE_DOWNLOADS)
        button.click()  # a real click: the browser allows its downloads
        if k < REAL_DOWNLOADS:
            text = _wait_for(downloads, table["name"]).read_text(encoding="utf-8-sig")
        else:
            WebDriverWait(browser, 20).until(lambda d, name=table["name"]: d.execute_script(
                "return window.__csv && arguments[0] in window.__csv", name))
            text = browser.execute_script("return window.__csv[arguments[0]]",
                                          table["name"]).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == len(table["rows"]), table["name"]
        assert table["body"] >= 1 and len(rows) > table["body"] - 1
        for got, first in zip(rows, table["rows"], strict=True):
            assert _plain(got[0] if got else "") == _plain(first), (table["name"], got, first)
    no_errors(browser)


def test_every_chart_has_a_png_export_with_a_caption(browser: Any, page: Path) -> None:
    open_page(browser, page)
    counts = browser.execute_script(
        "return [Array.from(document.querySelectorAll('main figure')).filter(f =>"
        " f.querySelector('.plotly-graph-div, [data-plot]')).length,"
        " document.querySelectorAll('main figure button.export-png').length]")
    assert counts[0] >= 10 and counts[0] == counts[1]
    made = browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        var figure = document.getElementById('fig-timeline-0').closest('figure');
        window.axisExport.png(figure).then(blob => createImageBitmap(blob).then(img =>
          done({type: blob.type, size: blob.size, height: img.height,
                drawn: figure.querySelector('.plotly-graph-div').offsetHeight})),
          err => done({error: String(err)}));""")
    assert made.get("type") == "image/png", made
    assert made["size"] > 10_000
    assert made["height"] > 2 * made["drawn"]  # the chart at twice its size, plus the caption
    no_errors(browser)
