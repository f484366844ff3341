"""The HTML dashboard: self-contained, escaped, and showing the run's numbers."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from axis_sim.experiment.results import RunResult
from axis_sim.report.dashboard import (
    describe_distribution,
    format_number,
    format_probability,
    parameter_rows,
    portfolio_colours,
    render_dashboard,
    write_dashboard,
)
from axis_sim.scenario.schema import OPTIONS, STATUS_QUO, Scenario, month_label

PROBE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
PORTFOLIOS = [STATUS_QUO, "sanctions_listing", "warn_beijing+public_disclosure"]
WORLDS = 50
MONTHS = 6


def _param(value: float, unit: str, source: str, dist: dict | None = None) -> dict:
    """A parameter entry as it would appear in a scenario file."""
    return {"value": value, "unit": unit, "dist": dist or {"kind": "fixed"}, "source": source}


def _scenario() -> Scenario:
    """A small scenario with the escaping probe in its title, description, a source and a label."""
    actors = {
        "US": {"resolve": _param(0.6, "share", "US source A", {"kind": "beta", "a": 6, "b": 4})},
        "ROK": {"readiness": _param(0.7, "share", "ROK source B")},
        "Japan": {"radar_share": _param(0.5, "share", "Japan source C",
                                        {"kind": "uniform", "low": 0.2, "high": 0.9})},
        "China": {"tolerance": _param(0.4, "share", "China source D",
                                      {"kind": "truncnormal", "mean": 0.4, "sd": 0.1,
                                       "low": 0.0, "high": 1.0})},
        "Russia": {
            "shells_per_month": _param(150_000, "shells/month", f"Russia source E {PROBE}",
                                       {"kind": "triangular", "low": 80_000, "mode": 150_000,
                                        "high": 250_000}),
            "tech_transfer": _param(2.0, "index", "Russia source F",
                                    {"kind": "lognormal", "median": 2.0, "sigma": 0.4}),
        },
        "DPRK": {"launch_rate": _param(3.0, "launches/month", "DPRK source G",
                                       {"kind": "choice", "values": [1, 3, 5],
                                        "weights": [1, 2, 1]})},
    }
    options = {
        name: {
            "label": f"Label of {name}",
            "description": f"What {name} does.",
            "source": f"Option source {name}",
            "start": 2 if name == "warn_beijing" else "2024-03",
            "parameters": {"effect": _param(0.1, "share", f"Effect source {name}")},
        }
        for name in OPTIONS
    }
    return Scenario.model_validate({
        "meta": {
            "name": "probe",
            "title": f"Title {PROBE}",
            "description": f"Description {PROBE} & more",
            "start": "2024-01",
            "horizon_months": MONTHS,
        },
        "context": {"war_intensity": _param(1.0, "index", "Context source H")},
        "actors": actors,
        "events": [{
            "id": "summit",
            "name": "Leader summit",
            "kind": "leader_summit",
            "month": "2024-04",
            "probability": _param(0.5, "probability", "Event source I",
                                  {"kind": "uniform", "low": 0.3, "high": 0.7}),
            "source": "Event schedule source",
        }],
        "options": options,
        "portfolios": {"pressure": ["sanctions_listing", "warn_beijing"]},
        "outcomes": {
            "shells_delivered": {"label": f"Shells {PROBE}", "unit": "million shells",
                                 "better": "lower", "headline": True},
            "alignment": {"label": "Alignment index", "unit": "index", "better": "lower"},
        },
    })


def _comparison(outcomes: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Paired comparison against status quo, computed the plain way."""
    rows = []
    base = outcomes[outcomes["portfolio"] == STATUS_QUO].set_index("world")
    for portfolio, frame in outcomes.groupby("portfolio", sort=False):
        frame = frame.set_index("world")
        for outcome, spec in scenario.outcomes.items():
            values = frame[outcome]
            diff = values - base[outcome]
            half = 1.645 * diff.std(ddof=1) / np.sqrt(len(diff))
            better = diff < 0 if spec.better == "lower" else diff > 0
            worse = diff > 0 if spec.better == "lower" else diff < 0
            rows.append({
                "portfolio": portfolio, "outcome": outcome,
                "mean": values.mean(), "median": values.median(),
                "p05": values.quantile(0.05), "p95": values.quantile(0.95),
                "diff_mean": diff.mean(), "diff_ci_low": diff.mean() - half,
                "diff_ci_high": diff.mean() + half,
                "diff_p05": diff.quantile(0.05), "diff_p95": diff.quantile(0.95),
                "p_better": better.mean(), "p_worse": worse.mean(),
            })
    return pd.DataFrame(rows)


def make_result(portfolios: list[str] = PORTFOLIOS, months: int = MONTHS) -> RunResult:
    """A synthetic run: by default three portfolios, fifty worlds, six months."""
    scenario = _scenario()
    rng = np.random.default_rng(7)
    base = rng.normal(3.0, 0.6, WORLDS)
    effects = {name: -0.15 * i for i, name in enumerate(portfolios)}
    outcome_rows = []
    monthly_rows = []
    for portfolio, effect in effects.items():
        shells = base + effect + rng.normal(0, 0.2, WORLDS)
        align = 50 + 10 * effect + rng.normal(0, 3, WORLDS)
        for world in range(WORLDS):
            outcome_rows.append({"portfolio": portfolio, "world": world,
                                 "shells_delivered": shells[world], "alignment": align[world]})
        for outcome, final in (("shells_delivered", shells), ("alignment", align)):
            for month in range(months):
                values = final * (month + 1) / months
                q = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
                monthly_rows.append({
                    "portfolio": portfolio, "outcome": outcome, "month": month,
                    "month_label": month_label("2024-01", month), "mean": values.mean(),
                    "p05": q[0], "p25": q[1], "p50": q[2], "p75": q[3], "p95": q[4],
                })
    outcomes = pd.DataFrame(outcome_rows)
    parameters = pd.DataFrame({
        "world": range(WORLDS),
        "actors.Russia.shells_per_month": rng.triangular(80_000, 150_000, 250_000, WORLDS),
    })
    return RunResult(
        scenario=scenario,
        manifest={
            "seed": 123, "runs": WORLDS, "sampling": "latin_hypercube", "chunk_size": 25,
            "package_version": "0.1.0", "scenario_hash": "abc123", "wall_seconds": 1.25,
            "created": "2024-05-01T12:00:00+00:00", "portfolios": portfolios,
            "scenario_name": "probe",
        },
        outcomes=outcomes,
        parameters=parameters,
        monthly=pd.DataFrame(monthly_rows),
        trajectories=pd.DataFrame(),
        events=pd.DataFrame(),
        comparison=_comparison(outcomes, scenario),
    )


@pytest.fixture(scope="module")
def result() -> RunResult:
    """The synthetic run, built once per module."""
    return make_result()


@pytest.fixture(scope="module")
def page(result: RunResult, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The dashboard written to disk and read back."""
    path = tmp_path_factory.mktemp("dash") / "sub" / "dashboard.html"
    written = write_dashboard(result, path)
    assert written == path
    return path.read_text(encoding="utf-8")


def _section(page: str, section_id: str) -> str:
    """The HTML of one <section id=...> of the page."""
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', page, re.S)
    assert match, section_id
    return match.group(1)


def test_file_written_and_complete(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")


def test_plotly_embedded_once_and_no_network(page: str) -> None:
    assert page.count("window.Plotly = Plotly") == 1  # the bundle's own export line
    assert page.count("plotly.js v") == 1
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"@import|@font-face|url\(\s*[\"']?https?:", page, re.I)
    assert "MathJax.js" not in page


def test_figure_count(page: str, result: RunResult) -> None:
    headline = [k for k, o in result.scenario.outcomes.items() if o.headline]
    # level chart, forest plot and fan chart per headline outcome
    assert page.count('class="plotly-graph-div"') == 3 * len(headline)


def test_scripts_balanced(page: str) -> None:
    """No data closed or opened a script block: only our own script tags exist."""
    opens = len(re.findall(r"<script\b", page, re.I))
    closes = len(re.findall(r"</script", page, re.I))
    # plotly.js, one per figure, the print hook
    assert opens == closes == 1 + 3 + 1


def test_escaping_probe(page: str) -> None:
    for raw in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<img"):
        assert raw not in page
    assert html.escape(PROBE) in page  # title, description, source and label in the page text
    assert "Description " + html.escape(PROBE) + " &amp; more" in page
    assert "Russia source E " + html.escape(PROBE) in page
    # inside figure JSON: plotly-escaped (`&lt;`) and then JSON-escaped (`/` as \u002f)
    assert "Shells &lt;script&gt;alert(1)&lt;\\u002fscript&gt;" in page


def test_summary_table_has_every_headline_number(page: str, result: RunResult) -> None:
    summary = _section(page, "summary")
    table = result.comparison[result.comparison["outcome"] == "shells_delivered"]
    def f(x: float) -> str:
        return html.escape(format_number(x))

    for row in table.itertuples(index=False):
        line = re.search(rf"<tr><td>.*?<code>{re.escape(row.portfolio)}</code>.*?</tr>", summary)
        assert line, row.portfolio
        cells = line.group(0)
        assert f"{f(row.median)} [{f(row.p05)}, {f(row.p95)}]" in cells
        if row.portfolio != STATUS_QUO:
            assert f"{f(row.diff_mean)} [{f(row.diff_ci_low)}, {f(row.diff_ci_high)}]" in cells
            assert f"[{f(row.diff_p05)}, {f(row.diff_p95)}]" in cells
            assert f"<td>{html.escape(format_probability(row.p_better))}</td>" in cells
    assert "Alignment index" not in summary  # not a headline outcome


def test_parameters_table_lists_every_source(page: str, result: RunResult) -> None:
    assumptions = _section(page, "assumptions")
    paths = [path for path, _ in parameter_rows(result.scenario)]
    # 1 context + 7 actor + 5 option + 1 event parameters
    assert len(paths) == 14
    for path, parameter in parameter_rows(result.scenario):
        assert f"<code>{html.escape(path)}</code>" in assumptions
        assert html.escape(parameter.source) in assumptions
    for spec in result.scenario.options.values():
        assert html.escape(spec.label) in assumptions
        assert html.escape(spec.description) in assumptions
    assert "triangular 80k–150k–250k" in assumptions
    assert "2024-03 (month 2)" in assumptions  # integer start rendered as a month


def test_distribution_text() -> None:
    scenario = _scenario()
    texts = {path: describe_distribution(p) for path, p in parameter_rows(scenario)}
    assert texts["context.war_intensity"] == "fixed"
    assert texts["actors.Japan.radar_share"] == "uniform 0.2–0.9"
    assert texts["actors.US.resolve"] == "beta(a=6, b=4)"
    assert texts["actors.Russia.tech_transfer"] == "lognormal median 2, σ 0.4"
    assert texts["actors.DPRK.launch_rate"] == "one of 1, 3, 5 (weights 1, 2, 1)"
    assert texts["actors.China.tolerance"] == "normal mean 0.4, sd 0.1, cut to 0–1"


def test_colours_consistent() -> None:
    colours = portfolio_colours(PORTFOLIOS)
    assert colours[STATUS_QUO] == "#7f7f7f"
    assert len(set(colours.values())) == len(PORTFOLIOS)
    assert portfolio_colours(PORTFOLIOS) == colours


def test_formatters() -> None:
    assert format_number(float("nan")) == "—"
    assert format_number(123456.7) == "123,457"
    assert format_number(-12.34) == "-12.3"
    assert format_number(0.012345) == "0.0123"
    assert format_probability(0.004) == "<1%"
    assert format_probability(0.5) == "50%"
    assert format_probability(1.0) == "100%"


def test_missing_tables_degrade_to_notes(result: RunResult) -> None:
    empty = RunResult(
        scenario=result.scenario, manifest={}, outcomes=pd.DataFrame(),
        parameters=pd.DataFrame(), monthly=pd.DataFrame(), trajectories=pd.DataFrame(),
        events=pd.DataFrame(), comparison=pd.DataFrame(),
    )
    page = render_dashboard(empty)
    assert 'class="plotly-graph-div"' not in page
    assert page.count("No data for this chart.") == 3
    assert html.escape(PROBE) in page


def test_all_outcomes_shown_when_none_is_headline(result: RunResult) -> None:
    outcomes = {
        name: spec.model_copy(update={"headline": False})
        for name, spec in result.scenario.outcomes.items()
    }
    scenario = result.scenario.model_copy(update={"outcomes": outcomes})
    page = render_dashboard(replace(result, scenario=scenario))
    assert page.count('class="plotly-graph-div"') == 3 * len(outcomes)
    assert "Alignment index" in _section(page, "summary")


def test_render_is_deterministic(result: RunResult, page: str) -> None:
    assert render_dashboard(result) == page


def test_write_is_atomic_leaves_no_temp(result: RunResult, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import axis_sim.report.dashboard as dashboard

    monkeypatch.setattr(dashboard, "render_dashboard", lambda _r: "<html></html>")
    path = dashboard.write_dashboard(result, tmp_path / "d.html")
    assert path.read_text() == "<html></html>"
    assert [p.name for p in tmp_path.iterdir()] == ["d.html"]
