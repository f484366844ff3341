"""Yes/no outcomes are drawn as probabilities in every chart (issue 16).

A 0/1 outcome such as the seventh nuclear test has a median of 0 or 1 and a 5–95% band of 0
to 1 whatever its chance, so a chart of those says nothing (or the wrong thing: a median of 1
for 51% against 0 for 49%). Every chart of the dashboard and the seminar's after-action report
shows the chance it has happened (by the horizon, and by each month) per portfolio, effects in
percentage points; counts show their means with intervals; levels stay as medians.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import axis_sim
from axis_sim.experiment.results import RunResult
from axis_sim.report import figures
from axis_sim.report.common import Page, outcome_kind
from axis_sim.report.sections import summary_table
from axis_sim.report.timeline import markers, timeline_figure
from axis_sim.scenario.schema import STATUS_QUO, Scenario
from axis_sim.seminar.engine import adjudicate, new_game, scenario_of, submit
from axis_sim.seminar.game import parse_teams
from axis_sim.seminar.report import comparison, envelope, path_figure, played_path
from tests.conftest import BASELINE

BINARY, COUNT, LEVEL = "nuclear_test", "icbm_launches", "maturity_icbm"
OPTIONS = ["sanctions_listing", "warn_beijing"]


@pytest.fixture(scope="module")
def result(short_baseline: Scenario) -> RunResult:
    return axis_sim.run(short_baseline, runs=120, seed=7, options=OPTIONS)


@pytest.fixture(scope="module")
def page(result: RunResult) -> Page:
    return Page.of(result)


def _row(result: RunResult, portfolio: str, outcome: str) -> pd.Series:
    table = result.comparison
    return table[(table["portfolio"] == portfolio) & (table["outcome"] == outcome)].iloc[0]


def test_kinds(result: RunResult) -> None:
    assert outcome_kind(result, BINARY) == "binary"
    assert outcome_kind(result, "treaty_reactivated") == "binary"
    assert outcome_kind(result, COUNT) == "count"
    assert outcome_kind(result, LEVEL) == "level"
    assert outcome_kind(result, "cooperation_level") == "level"


def test_level_chart_of_a_yes_no_outcome_shows_the_chance(result: RunResult,
                                                          page: Page) -> None:
    fig = figures.level_figure(page, BINARY)
    assert fig is not None
    points = [t for t in fig["data"] if t.get("mode") == "markers"]
    assert len(points) == len(page.portfolios)
    for t in points:
        name = t["meta"]["portfolio"]
        chance = 100 * float(_row(result, name, BINARY)["mean"])
        assert t["x"] == [pytest.approx(chance)]
        low, high = t["customdata"][0]
        assert 0 <= low <= chance <= high <= 100  # a 90% interval of the chance, not 0–1
        assert "median" not in t["hovertemplate"] and "%" in t["hovertemplate"]
    axis = fig["layout"]["xaxis"]
    assert axis["ticksuffix"] == "%" and "chance" in axis["title"]["text"]
    assert "0/1" not in str(fig["layout"])
    assert "chance" in fig["layout"]["title"]["subtitle"]["text"].lower()


def test_difference_chart_of_a_yes_no_outcome_is_in_percentage_points(
        result: RunResult, page: Page) -> None:
    fig = figures.difference_figure(page, BINARY)
    assert fig is not None
    dots = [t for t in fig["data"] if t.get("mode") == "markers"
            and t["meta"]["portfolio"] != STATUS_QUO]
    for t in dots:
        diff = float(_row(result, t["meta"]["portfolio"], BINARY)["diff_mean"])
        assert t["x"] == [pytest.approx(100 * diff)]
        assert "percentage points" in t["hovertemplate"]
    lines = [t for t in fig["data"] if t.get("mode") == "lines"]
    assert len(lines) == len(dots)  # only the CI: no per-world −1…+1 spread
    assert "percentage points" in fig["layout"]["xaxis"]["title"]["text"]
    assert "0/1" not in str(fig["layout"])


def test_month_by_month_a_yes_no_outcome_is_the_chance_by_each_month(
        result: RunResult, page: Page) -> None:
    fig = timeline_figure(page, BINARY, markers(page))
    assert fig is not None
    lines = [t for t in fig["data"] if t.get("mode") == "lines" and t.get("name")]
    assert not any(t.get("fill") for t in fig["data"])  # no band of 0s and 1s
    assert {t["meta"]["line"] for t in lines} == set(page.portfolios)
    monthly = result.monthly
    sq = monthly[(monthly["portfolio"] == STATUS_QUO) & (monthly["outcome"] == BINARY)]
    line = next(t for t in lines if t["meta"]["line"] == STATUS_QUO)
    assert line["y"] == pytest.approx((100 * sq.sort_values("month")["p_event"]).tolist(),
                                      abs=0.01)
    assert line["y"] == sorted(line["y"])  # a chance "by month k" never falls
    assert fig["layout"]["yaxis"]["ticksuffix"] == "%"


def test_counts_are_means_with_intervals(result: RunResult, page: Page) -> None:
    fig = figures.level_figure(page, COUNT)
    assert fig is not None
    dot = next(t for t in fig["data"] if t.get("mode") == "markers"
               and t["meta"]["portfolio"] == STATUS_QUO)
    row = _row(result, STATUS_QUO, COUNT)
    assert dot["x"] == [pytest.approx(float(row["mean"]))]
    assert "mean" in dot["hovertemplate"] and "90% CI" in dot["hovertemplate"]
    timeline = timeline_figure(page, COUNT, markers(page))
    assert timeline is not None and timeline["layout"]["meta"]["kind"] == "count"
    sq = result.monthly[(result.monthly["portfolio"] == STATUS_QUO)
                        & (result.monthly["outcome"] == COUNT)].sort_values("month")
    line = next(t for t in timeline["data"] if t.get("name") and t["meta"]["line"] == STATUS_QUO)
    assert line["y"] == pytest.approx(sq["mean"].tolist(), rel=1e-3, abs=1e-3)


def test_levels_stay_medians(result: RunResult, page: Page) -> None:
    fig = figures.level_figure(page, LEVEL)
    assert fig is not None
    dot = next(t for t in fig["data"] if t["meta"]["portfolio"] == STATUS_QUO)
    assert dot["x"] == [pytest.approx(float(_row(result, STATUS_QUO, LEVEL)["median"]))]


def test_summary_table_gives_the_chance_and_points(page: Page) -> None:
    html = summary_table(page)
    block = html[html.index('data-outcome="nuclear_test"'):]
    block = block[: block.index("</table>")]
    assert "%" in block and " pp" in block
    assert "0 [0, 1.00]" not in block and "1.00 [0, 1.00]" not in block


def test_after_action_report_draws_the_chance(tmp_path: Path) -> None:
    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta: {{name: short, horizon_months: 4}}\n",
                    encoding="utf-8")
    game = new_game(path, teams=parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK"]))
    game = adjudicate(submit(game, "blue", "option:sanctions_listing", 1.0, "listing"))
    expected = envelope(game, worlds=60)
    fig = path_figure(scenario_of(game), BINARY, expected, played_path(game))
    assert not any(t.fill for t in fig.data)
    model = fig.data[0]
    chance = expected[expected["outcome"] == BINARY].sort_values("month")["p_event"]
    assert list(model["y"]) == pytest.approx((100 * chance).tolist())
    assert fig.layout.yaxis.ticksuffix == "%"
    row = comparison(game, expected).set_index("outcome").loc[BINARY]
    assert row["kind"] == "binary" and "worlds" in row["band"]
    count = path_figure(scenario_of(game), COUNT, expected, played_path(game))
    assert any(t.name == "model mean" for t in count.data)


def test_two_run_comparison_shows_the_chance(result: RunResult) -> None:
    from axis_sim.report.run_comparison import _comparison, outcome_figure

    rows = _comparison(result)
    fig = outcome_figure(BINARY, result.scenario.outcomes[BINARY], [STATUS_QUO, *OPTIONS],
                         [("A", rows), ("B", rows)], {})
    levels = [t for t in fig.data if t.xaxis == "x" and t.x and t.x[0] is not None]
    chance = 100 * float(_row(result, STATUS_QUO, BINARY)["mean"])
    assert any(t.x[0] == pytest.approx(chance) for t in levels)
    assert "chance" in fig.layout.xaxis.title.text
    assert "percentage points" in fig.layout.xaxis2.title.text
