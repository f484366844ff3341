"""No page the project writes offers to upload a chart.

plotly.js draws a "Share chart…" button that sends the figure to Plotly's cloud unless its
config says otherwise (and older plotly.js had "Edit in Chart Studio" and a link out), on
pages that promise nothing leaves the file. Each kind of page — the dashboard, the two-run
comparison, the forecast score report, the backtest page and the seminar's after-action
report — is written here and every figure's config is checked; in headless Chromium (when
installed), no modebar button of any figure offers an upload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import axis_sim
from axis_sim.experiment.output import write_results
from axis_sim.report.common import PLOT_CONFIG, UPLOAD_BUTTONS
from axis_sim.report.run_comparison import render_run_comparison
from axis_sim.scenario.schema import Scenario
from axis_sim.scoring.backtest import backtest, write_backtest_report
from axis_sim.seminar.engine import adjudicate, new_game, submit
from axis_sim.seminar.game import parse_teams
from axis_sim.seminar.report import write_report
from tests.chrome import CHROMEDRIVER, CHROMIUM, start_chrome
from tests.conftest import BASELINE
from tests.test_backtest import registry

# `Plotly.newPlot("id", data, layout, config)` as plotly.py writes it: the config is the last
# argument, a flat object (its only nested value is the list of buttons removed).
NEW_PLOT = re.compile(r"Plotly\.newPlot\(")
CONFIG = re.compile(r"(\{\"responsive\"[^{}]*\})\s*\)")


@pytest.fixture(scope="module")
def pages(short_baseline: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One written page of every kind."""
    folder = tmp_path_factory.mktemp("no_upload")
    options = ["sanctions_listing", "warn_beijing"]
    a = axis_sim.run(short_baseline, runs=40, seed=1, options=options)
    b = axis_sim.run(short_baseline, runs=40, seed=2, options=options)
    run_folder = write_results(a, folder=folder / "run")
    versus = folder / "versus.html"
    versus.write_text(render_run_comparison(a, b, label_a="a", label_b="b"), encoding="utf-8")
    backtest_folder = write_backtest_report(
        backtest(registry(folder, ("a", False)), runs=30, seed=3), folder / "backtest")
    short = folder / "short.yaml"
    short.write_text(f"extends: {BASELINE}\nmeta: {{name: short, horizon_months: 3}}\n",
                     encoding="utf-8")
    game = new_game(short, teams=parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK"]))
    game = adjudicate(submit(game, "blue", "option:sanctions_listing", 1.0, "listing"))
    _, seminar = write_report(game, folder / "seminar", "game", worlds=20)
    return {"dashboard": run_folder / "dashboard.html", "versus": versus,
            "score": backtest_folder / "a" / "score.html",
            "backtest": backtest_folder / "backtest.html", "seminar": Path(seminar)}


def figure_configs(page: str) -> list[dict]:
    """The config of every figure the page draws."""
    configs = [json.loads(text) for text in CONFIG.findall(page)]
    assert len(configs) == len(NEW_PLOT.findall(page)) > 0
    return configs


def test_the_shared_config_offers_no_upload() -> None:
    assert PLOT_CONFIG["showLink"] is False
    assert PLOT_CONFIG["showSendToCloud"] is False
    assert PLOT_CONFIG["showEditInChartStudio"] is False
    assert set(UPLOAD_BUTTONS) <= set(PLOT_CONFIG["modeBarButtonsToRemove"])


@pytest.mark.parametrize("kind", ["dashboard", "versus", "score", "backtest", "seminar"])
def test_no_figure_offers_an_upload(pages: dict[str, Path], kind: str) -> None:
    page = pages[kind].read_text(encoding="utf-8")
    for config in figure_configs(page):
        assert config.get("showLink") is False, config
        assert config.get("showSendToCloud") is False, config
        assert config.get("showEditInChartStudio") is False, config
        assert "plotlyServerURL" not in config, config
        assert set(UPLOAD_BUTTONS) <= set(config.get("modeBarButtonsToRemove", [])), config
    # Outside the embedded plotly.js (which holds the button's code), no word of an upload.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    library = max(scripts, key=len)
    rest = page.replace(library, "")
    for word in ("Edit in Chart Studio", "Share chart", '"showLink": true',
                 '"showSendToCloud": true', "plot.ly", "chart-studio", "BASE_URL"):
        assert word not in rest, (kind, word)


# --- in a browser ------------------------------------------------------------------------------



@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("headless Chromium not installed")
    pytest.importorskip("selenium.webdriver")
    driver = start_chrome(1366, 900, logs=())
    yield driver
    driver.quit()


@pytest.mark.parametrize("kind", ["dashboard", "versus", "score", "backtest", "seminar"])
def test_no_modebar_button_uploads(browser, pages: dict[str, Path], kind: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(pages[kind].as_uri())
    WebDriverWait(browser, 120).until(
        lambda d: d.execute_script("return document.readyState === 'complete'"))
    # Charts are drawn when scrolled to (report/lazy.py): draw them all first.
    browser.execute_script("return window.axisLazy && window.axisLazy.renderAll()")
    buttons = browser.execute_script(
        "return Array.from(document.querySelectorAll('.modebar-btn'))"
        ".map(b => (b.getAttribute('data-title') || '') + ' ' + (b.getAttribute('href') || ''))")
    assert buttons, "no modebar drawn"
    offered = [b for b in buttons if re.search(r"share|cloud|studio|plot\.ly|http", b, re.I)]
    assert offered == [], (kind, offered)
