"""The dashboard in a real browser: headless Chromium, network off, no console errors.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the
tests are skipped on a developer's machine and fail under CI, so CI always runs them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from axis_sim.api import run
from axis_sim.experiment.output import write_results
from axis_sim.scenario.schema import Scenario
from tests.chrome import CHROMEDRIVER, CHROMIUM, start_chrome
from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
PROBE = "<script>alert(1)</script>"

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("CI needs chromium and chromedriver (see .ci/run)", pytrace=False)
    pytest.skip("headless Chromium not installed", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Chromium that logs the console and every network request."""
    driver = start_chrome(1366, 900, logs=("browser", "performance"))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def dashboard(short_baseline: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run's dashboard, from a scenario whose title is an injection probe."""
    meta = short_baseline.meta.model_copy(update={"title": PROBE, "description": PROBE})
    scenario = short_baseline.model_copy(update={"meta": meta})
    result = run(scenario, runs=150, seed=4,
                 options=["sanctions_listing", "warn_beijing",
                          "sanctions_listing+warn_beijing"])
    folder = write_results(result, folder=tmp_path_factory.mktemp("dash") / "run")
    return folder / "dashboard.html"


def open_page(driver: webdriver.Chrome, page: Path) -> None:
    """Load the page and wait until it has finished (a loaded machine can be slow)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.as_uri())
    WebDriverWait(driver, 120).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !!document.querySelector('footer, "
        "#assumptions')"))


def requests_made(driver: webdriver.Chrome) -> list[str]:
    """Every URL the page asked for since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_dashboard_renders_offline_without_errors(browser: webdriver.Chrome,
                                                  dashboard: Path) -> None:
    open_page(browser, dashboard)
    # Charts are drawn when scrolled to (report/lazy.py); draw every one to check them all.
    browser.execute_script("return window.axisLazy.renderAll()")
    plots = browser.execute_script(
        "return document.querySelectorAll('div.plotly-graph-div').length")
    rendered = browser.execute_script(
        "return Array.from(document.querySelectorAll('div.plotly-graph-div'))"
        ".filter(d => d.querySelector('.main-svg')).length")
    assert plots >= 10 and rendered == plots, (plots, rendered)
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    outside = [u for u in requests_made(browser)
               if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert outside == [], outside
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))


def test_scenario_text_is_shown_not_run(browser: webdriver.Chrome, dashboard: Path) -> None:
    open_page(browser, dashboard)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - an alert would mean the probe ran
    heading = browser.execute_script("return document.querySelector('h1').textContent")
    assert PROBE in heading
    injected = browser.execute_script(
        "return Array.from(document.scripts).filter(s => s.textContent.trim() === 'alert(1)')"
        ".length")
    assert injected == 0


def _visible_rows(browser: webdriver.Chrome, portfolio: str) -> int:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('tr[data-portfolio=\"' + arguments[0]"
        " + '\"]')).filter(r => r.offsetParent !== null).length", portfolio)


def test_controls_hide_portfolios_and_reweight_the_ranking(browser: webdriver.Chrome,
                                                           dashboard: Path) -> None:
    open_page(browser, dashboard)
    for section in ("headline", "ranking", "tradeoffs", "distributions", "interactions",
                    "sensitivity", "failures", "story", "monthly", "assumptions"):
        assert browser.execute_script(f"return !!document.getElementById('{section}')"), section
    portfolio = "warn_beijing"
    assert _visible_rows(browser, portfolio) > 0
    box = browser.find_element("css selector",
                               f'input[type=checkbox][data-portfolio="{portfolio}"]')
    browser.execute_script("arguments[0].scrollIntoView()", box)
    box.click()
    assert _visible_rows(browser, portfolio) == 0
    box.click()
    assert _visible_rows(browser, portfolio) > 0

    def order() -> list[str]:
        return browser.execute_script(
            "return Array.from(document.querySelectorAll('#reweighted-table tbody tr'))"
            ".map(r => r.getAttribute('data-portfolio'))")

    before = order()
    weights = browser.find_elements("css selector", "input.weight[data-outcome]")
    assert weights
    for w in weights:  # all weight on US–China tension, which only the warning raises
        value = "5" if w.get_attribute("data-outcome") == "us_china_tension" else "0"
        browser.execute_script("arguments[0].value = arguments[1];"
                               "arguments[0].dispatchEvent(new Event('input'));"
                               "arguments[0].dispatchEvent(new Event('change'));", w, value)
    after = order()
    assert sorted(after) == sorted(before) and after != before
    assert after.index("warn_beijing") > after.index("status_quo")
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def test_a_yes_no_outcome_is_drawn_as_a_chance(browser: webdriver.Chrome, dashboard: Path,
                                               short_baseline: Scenario) -> None:
    """The seventh nuclear test (unit 0/1) is drawn as the chance it has happened, in %, per
    portfolio, and its effect in percentage points: never a median of 0 or 1 on a 0/1 axis."""
    open_page(browser, dashboard)
    browser.execute_script("return window.axisLazy.renderAll()")
    index = [k for k, o in short_baseline.outcomes.items() if o.headline].index("nuclear_test")
    level, diff = browser.execute_script(
        "const get = id => { const d = document.getElementById(id);"
        "  return {x: d.data.flatMap(t => Array.from(t.x || []).map(Number)),"
        "          title: (d.layout.xaxis.title || {}).text || ''}; };"
        f"return [get('fig-level-{index}'), get('fig-diff-{index}')];")
    assert "chance" in level["title"] and "%" in level["title"], level["title"]
    values = [v for v in level["x"] if v == v]
    assert values and all(0 <= v <= 100 for v in values)
    assert any(0 < v < 100 for v in values), "chances, not 0/1 medians"
    assert "percentage points" in diff["title"], diff["title"]
