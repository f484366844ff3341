"""The two-run comparison page: sections, figures, escaping, and the differences it reports."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import plotly.offline
import pytest

import axis_sim
from axis_sim.experiment.results import RunResult
from axis_sim.report.run_comparison import (
    _colours,
    _comparison,
    change_rows,
    outcome_figure,
    parameter_changes,
    render_run_comparison,
    setting_changes,
    shared_outcomes,
    shared_portfolios,
    write_run_comparison,
)
from axis_sim.scenario.schema import STATUS_QUO, Scenario

ROOT = Path(__file__).resolve().parent.parent
WORLDS = 60
MONTHS = 6
OPTIONS = ["sanctions_listing", "public_disclosure"]
PROBE = "<script>alert(1)</script>"
SECTIONS = ("runs", "outcomes", "changes", "ranking", "parameters")
CEASEFIRE_CHANGES = {
    "context.ceasefire_hazard", "context.demand_after_ceasefire",
    "context.western_aid_to_ukraine", "context.aid_after_ceasefire",
}


def _short(scenario: Scenario, **meta: object) -> Scenario:
    """The scenario cut to MONTHS months (and any other meta fields changed)."""
    return scenario.model_copy(
        update={"meta": scenario.meta.model_copy(update={"horizon_months": MONTHS, **meta})})


@pytest.fixture(scope="module")
def run_a(baseline: Scenario) -> RunResult:
    """The baseline, with the escaping probe in its title (the title does not change a run)."""
    return axis_sim.run(_short(baseline, title=f"Baseline {PROBE} & co"), runs=WORLDS,
                        options=OPTIONS, seed=5)


@pytest.fixture(scope="module")
def run_b() -> RunResult:
    """The Ukraine ceasefire variant, same options and seed."""
    ceasefire = axis_sim.load_scenario(ROOT / "scenarios" / "ukraine_ceasefire.yaml")
    return axis_sim.run(_short(ceasefire), runs=WORLDS, options=OPTIONS, seed=5)


@pytest.fixture(scope="module")
def page(run_a: RunResult, run_b: RunResult) -> str:
    return render_run_comparison(run_a, run_b, label_a="baseline", label_b="ceasefire")


def _section(page: str, section_id: str) -> str:
    """The HTML of one <section id=...> of the page."""
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', page, re.S)
    assert match, section_id
    return match.group(1)


def _without_plotly(page: str) -> str:
    bundle = plotly.offline.get_plotlyjs()
    assert page.count(bundle) == 1
    return page.replace(bundle, "")


def test_page_is_complete_with_sections(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    for section in SECTIONS:
        assert page.count(f'<section id="{section}">') == 1
        assert f'href="#{section}"' in page


def test_plotly_embedded_once_and_offline(page: str) -> None:
    assert page.count("plotly.js v") == 1
    rest = _without_plotly(page)
    assert not re.search(r"https?://", rest)
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert "MathJax" not in rest


def test_one_figure_per_shared_headline_outcome(page: str, run_a: RunResult,
                                                run_b: RunResult) -> None:
    outcomes = run_a.scenario.headline_outcomes
    assert shared_outcomes(run_a, run_b) == outcomes
    section = _section(page, "outcomes")
    assert section.count('class="plotly-graph-div"') == len(outcomes)
    assert page.count('class="plotly-graph-div"') == len(outcomes)
    for i in range(len(outcomes)):
        assert f'id="fig-ab-{i}"' in section


def test_figure_has_both_runs_per_portfolio(run_a: RunResult, run_b: RunResult) -> None:
    outcome = run_a.scenario.headline_outcomes[0]
    portfolios = shared_portfolios(run_a, run_b)
    fig = outcome_figure(outcome, run_a.scenario.outcomes[outcome], portfolios,
                         [("A", _comparison(run_a)), ("B", _comparison(run_b))],
                         _colours(portfolios))
    markers = [t for t in fig.data if t.x and t.x[0] is not None]
    levels = [t for t in markers if t.xaxis == "x"]
    diffs = [t for t in markers if t.xaxis == "x2"]
    assert len(levels) == 2 * len(portfolios)
    assert len(diffs) == 2 * (len(portfolios) - 1)  # status quo is the zero line
    assert {t.marker.symbol for t in levels} == {"circle", "diamond"}
    for name in portfolios:  # same colour for a portfolio in both runs
        colours = {t.marker.color for t in levels if t.text[0].endswith(f"· {name}")}
        assert len(colours) == 1, name


def test_runs_header(page: str, run_a: RunResult, run_b: RunResult) -> None:
    section = _section(page, "runs")
    for run in (run_a, run_b):
        assert run.manifest["scenario_hash"] in section
        assert run.manifest["created"] in section
        assert f"<td>{WORLDS}</td>" in section
    assert "ukraine_ceasefire" in section
    assert "The scenarios differ" in section


def test_scenario_text_is_escaped(page: str) -> None:
    assert PROBE not in page
    assert "alert(1)</script>" not in page
    assert html.escape(f"Baseline {PROBE} & co") in page


def test_labels_are_escaped_in_page_and_figures(run_a: RunResult, run_b: RunResult) -> None:
    label = "<img src=x onerror=alert(2)>"
    page = render_run_comparison(run_a, run_b, label_a=label, label_b="B & co")
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "B &amp; co" in page


def test_parameter_differences_list_the_ceasefire_changes(page: str, run_a: RunResult,
                                                          run_b: RunResult) -> None:
    changes = {c.path: c for c in parameter_changes(run_a.scenario, run_b.scenario)}
    assert set(changes) == CEASEFIRE_CHANGES
    assert changes["context.ceasefire_hazard"].aspects == ("value", "distribution", "source")
    section = _section(page, "parameters")
    for path in CEASEFIRE_CHANGES:
        assert f"<code>{path}</code>" in section
    assert "uniform 0.08–0.25" in section  # the variant's distribution
    assert "Parameters (4 differ)" in section
    settings = {path for path, _, _ in setting_changes(run_a.scenario, run_b.scenario)}
    assert settings == {"meta.name", "meta.title", "meta.description"}


def test_changes_table(page: str, run_a: RunResult, run_b: RunResult) -> None:
    outcomes = run_a.scenario.headline_outcomes
    rows = change_rows(run_a, run_b)
    assert len(rows) == len(outcomes) * len(OPTIONS)
    section = _section(page, "changes")
    assert section.count("<table") == len(outcomes)
    for row in rows:
        assert row["verdict_a"] in {"better", "worse", "unclear", "no effect"}
        assert row["change"]
    shipped = next(r for r in rows if r["outcome"] == "munitions_shipped"
                   and r["portfolio"] == "sanctions_listing")
    expected = (run_b.comparison.set_index(["portfolio", "outcome"]).loc[
        ("sanctions_listing", "munitions_shipped"), "diff_mean"]
        - run_a.comparison.set_index(["portfolio", "outcome"]).loc[
        ("sanctions_listing", "munitions_shipped"), "diff_mean"])
    assert shipped["shift"] == pytest.approx(expected)
    assert shipped["shift_low"] < shipped["shift"] < shipped["shift_high"]


def test_change_verdicts(run_a: RunResult) -> None:
    """Doctored intervals: a clear improvement in A that reverses, fades or stays in B."""
    outcome = "munitions_shipped"  # lower is better

    def with_ci(low: float, high: float) -> RunResult:
        table = run_a.comparison.copy()
        mask = (table["portfolio"] == "sanctions_listing") & (table["outcome"] == outcome)
        table.loc[mask, ["diff_ci_low", "diff_ci_high", "diff_mean"]] = [low, high,
                                                                        (low + high) / 2]
        return replace(run_a, comparison=table)

    def change(a: RunResult, b: RunResult) -> tuple[str, str, str]:
        row = next(r for r in change_rows(a, b) if r["outcome"] == outcome
                   and r["portfolio"] == "sanctions_listing")
        return row["verdict_a"], row["verdict_b"], row["change"]

    better, worse, unclear = with_ci(-5, -1), with_ci(1, 5), with_ci(-1, 3)
    assert change(better, better) == ("better", "better", "unchanged")
    assert change(better, worse) == ("better", "worse", "reversed: now worse")
    assert change(better, unclear) == ("better", "unclear", "no longer clearly better")
    assert change(unclear, worse) == ("unclear", "worse", "now clearly worse")
    assert change(unclear, with_ci(-3, 1)) == ("unclear", "unclear",
                                               "sign flipped (neither clear)")


def test_ranking_side_by_side(page: str, run_a: RunResult, run_b: RunResult) -> None:
    section = _section(page, "ranking")
    assert section.count("<tr>") + section.count("<tr ") == 1 + len(run_a.ranking)
    for name in run_a.ranking["portfolio"]:
        assert f"<code>{name}</code>" in section


def test_ranking_missing_in_one_run(run_a: RunResult, run_b: RunResult) -> None:
    page = render_run_comparison(run_a, replace(run_b, ranking=pd.DataFrame()),
                                 label_a="a", label_b="b")
    assert "No composite ranking to compare: run B has none." in _section(page, "ranking")


def test_same_scenario_two_seeds(run_a: RunResult) -> None:
    other = axis_sim.run(run_a.scenario, runs=40, options=OPTIONS[:1], seed=6)
    page = render_run_comparison(run_a, other)
    assert "Both runs use the same scenario" in page
    assert "define every parameter the same way" in _section(page, "parameters")
    assert "(seed 5)" in page and "(seed 6)" in page  # default labels tell the runs apart
    assert "only in A: public_disclosure" in _section(page, "outcomes")
    assert page.count('class="plotly-graph-div"') == len(run_a.scenario.headline_outcomes)


def _rename_portfolios(run: RunResult, prefix: str) -> RunResult:
    """The run with every portfolio renamed, so it shares none with another run."""
    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        if "portfolio" not in frame.columns:
            return frame
        return frame.assign(portfolio=prefix + frame["portfolio"].astype(str))

    manifest = {**run.manifest, "portfolios": [prefix + p for p in run.manifest["portfolios"]]}
    return replace(run, manifest=manifest, outcomes=rename(run.outcomes),
                   comparison=rename(run.comparison), ranking=rename(run.ranking))


def test_disjoint_portfolios_say_so(run_a: RunResult, run_b: RunResult) -> None:
    other = _rename_portfolios(run_b, "other_")
    assert shared_portfolios(run_a, other) == []
    page = render_run_comparison(run_a, other, label_a="a", label_b="b")
    message = "The two runs share no portfolio"
    assert message in _section(page, "outcomes")
    assert message in _section(page, "changes")
    assert 'class="plotly-graph-div"' not in page
    assert "only in B" in _section(page, "ranking")


def test_only_status_quo_shared(run_a: RunResult, run_b: RunResult) -> None:
    keep = run_b.outcomes["portfolio"].isin([STATUS_QUO])
    sq_only = replace(run_b, outcomes=run_b.outcomes[keep],
                      comparison=run_b.comparison[run_b.comparison["portfolio"] == STATUS_QUO])
    page = render_run_comparison(run_a, sq_only, label_a="a", label_b="b")
    assert "share no policy portfolio besides status quo" in _section(page, "outcomes")
    assert "share no policy portfolio besides status quo" in _section(page, "changes")
    assert page.count('class="plotly-graph-div"') == len(run_a.scenario.headline_outcomes)


def test_no_shared_headline_outcome_says_so(run_a: RunResult, run_b: RunResult) -> None:
    headline = run_b.scenario.headline_outcomes
    other = replace(run_b, comparison=run_b.comparison[
        ~run_b.comparison["outcome"].isin(headline)])
    page = render_run_comparison(run_a, other, label_a="a", label_b="b")
    assert "share no headline outcome" in _section(page, "outcomes")
    assert 'class="plotly-graph-div"' not in page


def test_write_is_atomic_and_matches_render(run_a: RunResult, run_b: RunResult,
                                            page: str, tmp_path: Path) -> None:
    path = write_run_comparison(run_a, run_b, tmp_path / "sub" / "compare.html",
                                label_a="baseline", label_b="ceasefire")
    assert path == tmp_path / "sub" / "compare.html"
    assert path.read_text(encoding="utf-8") == page
    assert [p.name for p in path.parent.iterdir()] == ["compare.html"]  # no temporary left
