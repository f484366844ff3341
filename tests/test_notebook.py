"""What a notebook shows: short reprs and HTML for scenarios and results, `result.plot`,
`result.paired`, and the public analysis functions."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

import axis_sim.api as api
from axis_sim.api import run
from axis_sim.experiment.results import RunResult
from axis_sim.scenario.schema import STATUS_QUO, Scenario

PORTFOLIOS = ["sanctions_listing", "warn_beijing"]


@pytest.fixture(scope="module")
def result(short_baseline: Scenario) -> RunResult:
    return run(short_baseline, runs=60, seed=6, options=PORTFOLIOS)


def test_reprs_are_short(baseline: Scenario, result: RunResult) -> None:
    text = repr(baseline)
    assert text.startswith("<Scenario 'baseline' from ") and len(text) < 300
    assert str(baseline) == text  # print() in a notebook is as short
    shown = repr(result)
    assert len(shown) < 1000, len(shown)
    assert result.manifest["run_id"] in shown and "60 worlds × 3 portfolios × 12 months" in shown
    assert "comparison 159×18" in shown


def test_html_views_are_short_and_escaped(baseline: Scenario, result: RunResult) -> None:
    html = baseline._repr_html_()
    assert html.startswith("<div>") and len(html) < 20_000
    assert "Sanctions listings of Russian entities" in html
    hostile = baseline.model_copy(update={"meta": baseline.meta.model_copy(
        update={"title": "<script>alert(1)</script>"})})
    assert "<script>" not in hostile._repr_html_()
    page = result._repr_html_()
    assert len(page) < 30_000 and "<table>" in page
    assert "Munitions shipped to Russia" in page
    assert all(name in page for name in PORTFOLIOS) and f">{STATUS_QUO}<" not in page


def test_plot_returns_a_plotly_figure(result: RunResult) -> None:
    figure = result.plot("munitions_shipped")
    assert isinstance(figure, go.Figure)
    lines = [t for t in figure.data if t.mode == "lines"]
    assert [t.name for t in lines] == result.portfolios
    assert len(lines[0].x) == 12
    chance = result.plot("nuclear_test", portfolios=["warn_beijing"])
    assert chance.layout.yaxis.title.text.startswith("P(")
    boxes = result.plot("lethal_incidents", kind="horizon")
    assert [t.type for t in boxes.data] == ["box"] * 3
    with pytest.raises(ValueError, match="did you mean 'munitions_shipped'"):
        result.plot("munition_shipped")
    with pytest.raises(ValueError, match="allowed: monthly, horizon"):
        result.plot("munitions_shipped", kind="violin")
    with pytest.raises(ValueError, match="unknown portfolio 'full_press'"):
        result.plot("munitions_shipped", portfolios=["full_press"])


def test_paired_against_status_quo_is_the_comparison(result: RunResult) -> None:
    table = result.paired("sanctions_listing")
    assert isinstance(table, pd.DataFrame) and len(table) == len(result.scenario.outcomes)
    mine = table.set_index("outcome")
    theirs = result.comparison[result.comparison["portfolio"] == "sanctions_listing"] \
        .set_index("outcome")
    for column in ("diff_mean", "diff_ci_low", "diff_ci_high", "diff_se", "diff_p05",
                   "diff_p95", "p_better", "p_worse", "mmd", "verdict"):
        pd.testing.assert_series_equal(mine[column], theirs[column], check_names=False,
                                       obj=column)
    both = result.paired("sanctions_listing", "warn_beijing", outcomes=["munitions_shipped"])
    assert list(both["outcome"]) == ["munitions_shipped"]
    assert both.loc[0, "diff_mean"] == pytest.approx(both.loc[0, "mean_a"]
                                                     - both.loc[0, "mean_b"])
    worlds = result.paired("sanctions_listing", "warn_beijing", outcomes=["munitions_shipped"],
                           worlds=True)
    assert list(worlds.columns) == ["world", "outcome", "a", "b", "diff"] and len(worlds) == 60
    assert worlds["diff"].mean() == pytest.approx(both.loc[0, "diff_mean"])
    with pytest.raises(ValueError, match="unknown portfolio"):
        result.paired("nothing")


def test_the_analysis_functions_are_public() -> None:
    for name in ("run", "explain", "sensitivity", "load_scenario", "load_results",
                 "write_results", "register_option", "PolicyOption", "RunResult", "Scenario",
                 "ScenarioError"):
        assert name in api.__all__ and hasattr(api, name), name
