"""The dashboard as one application, in headless Chromium: its controls are one state.

Changing a weight re-ranks every ranking on the page (the first screen, the tables, the
sidebar, the checkbox list and every chart with a row per portfolio) in the order the value
model gives; a weight that is not a number of 0 or more is refused in place, with a message,
and never read as 0; all weights 0 say there is nothing to rank; the URL fragment restores a
view (a link written by hand, a round trip through another page, a reload); at 1024 × 768 the
first screen shows results, not controls; 32 portfolios give 32 distinct rows in rank order.

Two pages are built once for the module (a 150-world run of the default portfolios and a
60-world run of all 32, both over 12 months) and written as `dashboard.html` alone. Needs
Debian's `chromium` and `chromium-driver`, as `test_dashboard_browser.py`.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from axis_sim.api import run
from axis_sim.experiment.results import RunResult
from axis_sim.report.analysis import interval_from_model, weight_model
from axis_sim.report.dashboard import write_dashboard
from axis_sim.scenario.schema import STATUS_QUO, Scenario
from tests.chrome import CHROMEDRIVER, CHROMIUM, start_chrome

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("CI needs chromium and chromedriver (see .ci/run)", pytrace=False)
    pytest.skip("headless Chromium not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

WIDE, NARROW = (1440, 900), (1024, 768)
TENSION = "us_china_tension"  # raised by the warning to Beijing (and full press) only
# The charts with one row per portfolio that every ranking must reach (first headline outcome).
ROW_CHARTS = ("fig-level-0", "fig-diff-0", "fig-dist-0", "fig-ranking", "fig-heatmap")


@dataclass
class Built:
    """A dashboard written for the tests and what it was made from."""

    path: Path
    result: RunResult

    @functools.cached_property
    def model(self) -> dict[str, Any]:
        model = weight_model(self.result)
        assert model is not None
        return model

    @property
    def scenario_order(self) -> list[str]:
        return [str(p) for p in self.result.ranking["portfolio"]]

    def weights(self, changes: dict[str, float]) -> list[float]:
        """The scenario's weights with `changes` (outcome → weight) applied."""
        return [changes.get(o, d) for o, d in
                zip(self.model["outcomes"], self.model["defaults"], strict=True)]

    def order(self, changes: dict[str, float]) -> list[str]:
        """The ranking the value model gives under the changed weights (the page's rule: higher
        mean first; equal means in the scenario's order)."""
        scores = interval_from_model(self.model, self.weights(changes))
        base = {p: i for i, p in enumerate(self.scenario_order)}

        def compare(a: str, b: str) -> int:
            d = scores[b][0] - scores[a][0]
            if abs(d) > 1e-12 * (1 + abs(scores[a][0]) + abs(scores[b][0])):
                return 1 if d > 0 else -1
            return base[a] - base[b]

        return sorted(scores, key=functools.cmp_to_key(compare))


def _build(scenario: Scenario, folder: Path, runs: int, options: list[str] | None) -> Built:
    result = run(scenario, runs=runs, seed=4, options=options)
    path = write_dashboard(result, folder / "dashboard.html")
    return Built(path, result)


@pytest.fixture(scope="module")
def small(short_baseline: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(short_baseline, tmp_path_factory.mktemp("state"), 150, None)


@pytest.fixture(scope="module")
def every(short_baseline: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(short_baseline, tmp_path_factory.mktemp("state32"), 60, ["all"])


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    driver = start_chrome(*WIDE)
    yield driver
    driver.quit()


# --- helpers -----------------------------------------------------------------------------------


def viewport(driver: webdriver.Chrome, size: tuple[int, int]) -> None:
    """The page's viewport exactly `size` (the window's own size includes no browser chrome in
    headless mode, but this does not depend on it)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})


def open_page(driver: webdriver.Chrome, url: str, size: tuple[int, int] = WIDE) -> None:
    viewport(driver, size)
    driver.get("about:blank")
    driver.get(url)
    WebDriverWait(driver, 120).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !!window.axisDashboard"))
    driver.get_log("browser")  # start each page with an empty console


def wait_for(driver: webdriver.Chrome, check: Callable[[], Any], what: str) -> Any:
    """`check()` once it is truthy (the page re-draws charts and the URL a moment later)."""
    WebDriverWait(driver, 20, poll_frequency=0.05).until(lambda _: check(), message=what)
    return check()


def no_errors(driver: webdriver.Chrome) -> None:
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def set_weights(driver: webdriver.Chrome, values: dict[str, str]) -> None:
    """Put text in weight inputs as a script would (an input event each)."""
    for outcome, text in values.items():
        box = driver.find_element("css selector", f'input.weight[data-outcome="{outcome}"]')
        driver.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('input'));", box, text)


def type_weight(driver: webdriver.Chrome, outcome: str, text: str) -> None:
    """Type into a weight input as a person does: select what is there, type over it."""
    box = driver.find_element("css selector", f'input.weight[data-outcome="{outcome}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)


def only(outcome: str, model: dict[str, Any], weight: str = "5") -> dict[str, str]:
    """Every weight 0 except `outcome`'s."""
    return {o: (weight if o == outcome else "0") for o in model["outcomes"]}


def rows(driver: webdriver.Chrome, selector: str) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(r => r.getAttribute('data-portfolio') || r.getAttribute('data-box')"
        " || r.getAttribute('data-top'))", selector)


# Draw each chart and bring it into view, as a reader scrolling to it does (a chart follows the
# controls when it comes near the viewport).
DRAW = """
const ids = arguments[0];
const pause = ms => new Promise(done => setTimeout(done, ms));
return ids.reduce((before, id) => before.then(() => {
  const div = document.getElementById(id);
  if (!div) { return null; }
  window.axisLazy.render(div);
  return window.axisLazy.whenDrawn(div).then(() => {
    div.scrollIntoView({block: 'center'});
    return pause(200);
  });
}), Promise.resolve()).then(() => { window.scrollTo(0, 0); return pause(50); });
"""

# The portfolios a chart shows, top to bottom, read from its drawn tick labels (a tick's text
# is mapped back to its portfolio through the chart's traces and the page's short names).
CHART_ROWS = """
const gd = document.getElementById(arguments[0]);
if (!gd || !gd._fullLayout) { return null; }
const data = JSON.parse(document.getElementById('dashboard-data').textContent);
const name = {};
Object.keys(data.short).forEach(p => { name[data.short[p]] = p; });
const text = document.createElement('textarea');
gd.data.forEach(t => {
  if (t.meta && typeof t.meta.portfolio === 'string' && t.y && typeof t.y[0] === 'string') {
    text.innerHTML = t.y[0];
    name[text.value] = t.meta.portfolio;
  }
});
const seen = new Set();
return Array.from(gd.querySelectorAll('.yaxislayer-above .ytick text'))
  .filter(t => t.getBoundingClientRect().height > 0)
  .map(t => [t.getBoundingClientRect().top, t.textContent])
  .sort((a, b) => a[0] - b[0])
  .map(([, label]) => name[label] || '?' + label)
  .filter(p => !seen.has(p) && seen.add(p));
"""


def chart_rows(driver: webdriver.Chrome, chart: str) -> list[str] | None:
    """The portfolios a chart shows, top to bottom, once drawn and scrolled to."""
    driver.execute_script(DRAW, [chart])
    return driver.execute_script(CHART_ROWS, chart)


def rankings(driver: webdriver.Chrome) -> dict[str, list[str]]:
    """Every ranking on the page, each as the portfolios it lists, top to bottom."""
    driver.execute_script(DRAW, list(ROW_CHARTS))
    found = {
        "first screen": rows(driver, "#rank-now tbody tr"),
        "ranking table": rows(driver, "table.ranking tbody tr"),
        "re-ranked table": rows(driver, "#reweighted-table tbody tr"),
        "sidebar top five": rows(driver, "#weights-top li"),
        "checkbox list": rows(driver, "#portfolio-boxes li"),
        "summary table": rows(driver, "#summary table.summary tbody tr"),
    }
    found["summary table"] = found["summary table"][: len(found["first screen"])]  # 1st outcome
    for chart in ROW_CHARTS:
        found[chart] = driver.execute_script(CHART_ROWS, chart)
    return found


def assert_ranked(found: dict[str, list[str] | None], order: list[str]) -> None:
    """Each ranking lists its portfolios in `order` (the heatmap and the sidebar's top five hold
    fewer, the first screen and the tables all)."""
    for where, listed in found.items():
        assert listed, f"{where}: nothing found"
        assert not [p for p in listed if p.startswith("?")], (where, listed)
        assert listed == [p for p in order if p in set(listed)], (where, listed, order)
    for where in ("first screen", "ranking table", "re-ranked table", "checkbox list",
                  "fig-level-0"):
        assert found[where] == order, where
    assert found["sidebar top five"] == order[:5]


def first_screen_rank_cells(driver: webdriver.Chrome) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#rank-now [data-field=rank]'))"
        ".map(c => c.textContent.trim())")


def shown(driver: webdriver.Chrome, element_id: str) -> bool:
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]);"
        "return !!e && !e.hidden && e.offsetParent !== null && e.textContent.trim() !== ''",
        element_id)


# --- tests -------------------------------------------------------------------------------------


def test_a_weight_re_ranks_every_ranking_on_the_page(browser: webdriver.Chrome,
                                                     small: Built) -> None:
    open_page(browser, small.path.as_uri())
    scenario = small.scenario_order
    assert_ranked(rankings(browser), scenario)
    assert first_screen_rank_cells(browser) == [str(i) for i in range(1, len(scenario) + 1)]

    # All the weight on US–China tension, which only the warning to Beijing raises.
    set_weights(browser, only(TENSION, small.model))
    expected = small.order({o: (5.0 if o == TENSION else 0.0) for o in small.model["outcomes"]})
    assert expected != scenario and expected.index("warn_beijing") > expected.index(STATUS_QUO)
    wait_for(browser, lambda: rows(browser, "#rank-now tbody tr") == expected, "re-ranked")
    assert_ranked(wait_for(browser, lambda: (lambda f: f if f["fig-level-0"] == expected
                                             else None)(rankings(browser)), "charts re-ranked"),
                  expected)
    # The first screen says whose weights it ranks by, and its top row is in view.
    heading = browser.execute_script(
        "return document.getElementById('rank-now-title').textContent")
    assert "your weights" in heading
    top = browser.execute_script(
        "window.scrollTo(0, 0); const row = document.querySelector('#rank-now tbody tr');"
        "return [row.getAttribute('data-portfolio'),"
        " row.getBoundingClientRect().bottom <= window.innerHeight]")
    assert top == [expected[0], True]
    # The ranking table keeps its scenario-weight columns but says so, and shows both ranks.
    assert shown(browser, "ranking-note")
    assert browser.find_element("id", "weights-badge").text == "Your weights"

    browser.find_element("id", "weights-reset").click()
    wait_for(browser, lambda: rows(browser, "#rank-now tbody tr") == scenario, "reset")
    no_errors(browser)


def test_an_invalid_weight_is_refused_in_place_not_read_as_zero(browser: webdriver.Chrome,
                                                               small: Built) -> None:
    # An outcome whose weight, at 0, would change the ranking: reading a refused weight as 0
    # would show.
    outcome = next(o for o in small.model["outcomes"]
                   if small.order({o: 0.0}) != small.scenario_order)
    k = small.model["outcomes"].index(outcome)
    open_page(browser, small.path.as_uri())
    # Typed key by key (no prefix of these is a weight), or pasted whole ("0" alone would be).
    for text, words, typed in (("-5", "negative", True), ("abc", "not a number", True),
                               ("", "empty", False), ("0,5", "point", False)):
        if typed:
            type_weight(browser, outcome, text)
        else:
            set_weights(browser, {outcome: text})
        message = wait_for(browser, lambda: shown(browser, f"weight-error-{k}") and
                           browser.find_element("id", f"weight-error-{k}").text, text)
        assert words in message.lower() and "still using" in message.lower(), message
        box = browser.find_element("css selector", f'input.weight[data-outcome="{outcome}"]')
        assert box.get_attribute("aria-invalid") == "true"
        assert box.get_attribute("value") == text  # what was typed stays, to be corrected
        assert rows(browser, "#rank-now tbody tr") == small.scenario_order, text
        assert rows(browser, "#reweighted-table tbody tr") == small.scenario_order, text
        assert "refused" in browser.find_element("id", "weights-badge").text
    type_weight(browser, outcome, "0")  # a real 0 is taken
    wait_for(browser, lambda: not shown(browser, f"weight-error-{k}"), "message gone")
    wait_for(browser, lambda: rows(browser, "#rank-now tbody tr") == small.order({outcome: 0.0}),
             "zero taken")
    no_errors(browser)


def test_all_weights_zero_say_there_is_nothing_to_rank(browser: webdriver.Chrome,
                                                       small: Built) -> None:
    open_page(browser, small.path.as_uri())
    set_weights(browser, {o: "0" for o in small.model["outcomes"]})
    for alert in ("rank-alert", "ranking-alert", "reweighted-alert"):
        text = wait_for(browser, lambda a=alert: shown(browser, a)
                        and browser.find_element("id", a).text, alert)
        assert "nothing to rank" in text.lower(), alert
    assert set(first_screen_rank_cells(browser)) == {"—"}
    assert rows(browser, "#weights-top li") == []
    assert "nothing to rank" in browser.find_element("id", "weights-badge").text.lower()
    values = browser.execute_script(
        "return Array.from(document.querySelectorAll('#rank-now [data-field=value]'))"
        ".map(c => c.textContent)")
    assert not [v for v in values if any(ch.isdigit() for ch in v) and v[0] != "0"], values
    set_weights(browser, {TENSION: "1"})
    wait_for(browser, lambda: not shown(browser, "rank-alert"), "ranked again")
    assert first_screen_rank_cells(browser)[0] == "1"
    no_errors(browser)


def _view(driver: webdriver.Chrome) -> dict[str, Any]:
    """What a link must bring back."""
    return driver.execute_script("""
      const v = s => Array.from(document.querySelectorAll(s));
      return {
        weights: Object.fromEntries(v('input.weight').map(i => [i.dataset.outcome, i.value])),
        order: v('#rank-now tbody tr').map(r => r.dataset.portfolio),
        hiddenRows: v('#rank-now tbody tr').filter(r => r.classList.contains('hide-p'))
                     .map(r => r.dataset.portfolio),
        unchecked: v('#controls input[type=checkbox]:not(:checked)')
                     .map(i => i.dataset.portfolio || i.dataset.outcome),
        search: document.getElementById('search').value,
        tradeoffY: document.getElementById('tradeoff-y').value,
        collapsed: v('main > section.collapsed').map(s => s.id),
      };""")


def test_the_url_fragment_restores_a_view(browser: webdriver.Chrome, small: Built) -> None:
    base = small.path.as_uri()
    # A link written by hand.
    open_page(browser, base + f"#w={TENSION}:5&hide=warn_beijing&q=sanctions"
                              f"&s.tradeoff-y={TENSION}&closed=monthly")
    view = _view(browser)
    assert view["weights"][TENSION] == "5"
    assert view["order"] == small.order({TENSION: 5.0})
    assert "warn_beijing" in view["unchecked"] and "warn_beijing" in view["hiddenRows"]
    assert view["search"] == "sanctions"
    # The search keeps the portfolios with sanctions listing, and status quo as the reference.
    hidden = set(view["hiddenRows"])
    assert STATUS_QUO not in hidden and "sanctions_listing" not in hidden
    assert "trilateral_integration" in hidden
    assert view["tradeoffY"] == TENSION
    assert view["collapsed"] == ["monthly", "assumptions"]  # the assumptions start folded
    assert not browser.execute_script(
        "return document.querySelector('#monthly figure').offsetParent !== null")

    # A view made with the controls, through another page and back, then reloaded.
    open_page(browser, base)
    assert browser.execute_script("return location.hash") == ""
    set_weights(browser, {TENSION: "3", "lethal_incidents": "0.25"})
    browser.find_element("css selector",
                         'input[type=checkbox][data-portfolio="public_disclosure"]').click()
    browser.execute_script(
        "const s = document.getElementById('tradeoff-y'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('change'));", TENSION)
    browser.execute_script("document.querySelector('#interactions > h2').click()")
    browser.execute_script("document.querySelector('#assumptions > h2').click()")  # opened
    made = _view(browser)
    assert made["collapsed"] == ["interactions"] and "public_disclosure" in made["unchecked"]
    link = wait_for(browser, lambda: "interactions" in browser.current_url
                    and browser.current_url, "fragment written")
    assert "#" in link and "public_disclosure" in link
    open_page(browser, link)
    assert _view(browser) == made
    browser.refresh()
    WebDriverWait(browser, 60).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !!window.axisDashboard"))
    assert _view(browser) == made
    no_errors(browser)


def test_at_1024_the_first_screen_shows_results(browser: webdriver.Chrome, small: Built) -> None:
    open_page(browser, small.path.as_uri(), NARROW)
    try:
        screen = browser.execute_script("""
          const H = window.innerHeight, W = document.documentElement.clientWidth;
          const inView = e => { const r = e.getBoundingClientRect();
            return e.offsetParent !== null && r.bottom > 0 && r.top < H && r.right > 0; };
          const rows = Array.from(document.querySelectorAll('#rank-now tbody tr'));
          return {
            size: [window.innerWidth, H],
            wide: document.documentElement.scrollWidth - W,
            boxes: Array.from(document.querySelectorAll('input[type=checkbox]'))
                     .filter(inView).length,
            panel: document.getElementById('controls').offsetParent !== null,
            bottomLine: inView(document.querySelector('.bottom-line')),
            rowsInView: rows.filter(r => r.getBoundingClientRect().bottom <= H
                                         && r.offsetParent !== null).length,
            firstRowTop: rows[0].getBoundingClientRect().top,
          };""")
        assert screen["size"] == list(NARROW)
        assert screen["boxes"] == 0 and not screen["panel"]
        assert screen["bottomLine"]
        assert screen["rowsInView"] >= 2, screen  # the decision's first rows, whole
        assert screen["wide"] <= 0, screen  # nothing wider than the window
        # The controls open beside the results, and close again.
        browser.find_element("id", "controls-toggle").click()
        opened = browser.execute_script("""
          return {panel: document.getElementById('controls').offsetParent !== null,
                  main: document.querySelector('main').getBoundingClientRect().width,
                  weights: document.querySelectorAll('#controls input.weight').length};""")
        assert opened["panel"] and opened["weights"] > 0 and opened["main"] >= 600, opened
        browser.find_element("id", "controls-close").click()
        assert browser.execute_script(
            "return document.getElementById('controls').offsetParent === null")
        no_errors(browser)
    finally:
        viewport(browser, WIDE)


def test_32_portfolios_give_distinct_rows_in_rank_order(browser: webdriver.Chrome,
                                                        every: Built) -> None:
    order = every.scenario_order
    assert len(order) == 32 and len(set(order)) == 32
    open_page(browser, every.path.as_uri())
    assert rows(browser, "#rank-now tbody tr") == order
    assert first_screen_rank_cells(browser) == [str(i) for i in range(1, 33)]
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('#rank-now tbody tr'))"
        ".map(r => r.cells[1].innerText.trim())")
    assert len(set(names)) == 32  # told apart by their names, not by 32 colours

    def visible() -> int:
        return browser.execute_script(
            "return Array.from(document.querySelectorAll('#rank-now tbody tr'))"
            ".filter(r => r.offsetParent !== null).length")

    assert visible() == 8  # the first screen shows the best eight …
    browser.find_element("id", "rank-now-all").click()
    assert visible() == 32  # … and every one on request
    for table in ("table.ranking tbody tr", "#reweighted-table tbody tr", "#portfolio-boxes li"):
        assert rows(browser, table) == order, table
    for chart in ("fig-level-0", "fig-ranking"):
        assert chart_rows(browser, chart) == order, chart
    # Re-weighted, the 32 rows stay distinct and every ranking agrees.
    set_weights(browser, only(TENSION, every.model))
    expected = every.order({o: (5.0 if o == TENSION else 0.0) for o in every.model["outcomes"]})
    assert expected != order
    wait_for(browser, lambda: rows(browser, "#rank-now tbody tr") == expected, "re-ranked")
    assert rows(browser, "table.ranking tbody tr") == expected
    assert wait_for(browser, lambda: chart_rows(browser, "fig-level-0") == expected,
                    "chart re-ranked")
    no_errors(browser)
