"""The HTML dashboard: self-contained, escaped, and showing the run's numbers."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from axis_sim.experiment.compare import (
    COMPOSITE,
    composite_scores,
    interaction_table,
    ranking_table,
)
from axis_sim.experiment.decision import acceptability_tables, leading, pareto_tables
from axis_sim.experiment.results import RunResult
from axis_sim.report.analysis import (
    distribution_kind,
    is_binary,
    is_rare_count,
    representative_worlds,
    score_from_model,
    weight_model,
    wilson_interval,
)
from axis_sim.report.common import json_for_script, option_codes, short_name, short_names
from axis_sim.report.dashboard import (
    DATA_ID,
    describe_distribution,
    format_number,
    format_probability,
    parameter_rows,
    portfolio_colours,
    render_dashboard,
    write_dashboard,
)
from axis_sim.scenario.parameters import parameter_labels
from axis_sim.scenario.schema import OPTIONS, STATUS_QUO, Scenario, month_label

PROBE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
PAIR = "warn_beijing+public_disclosure"
PORTFOLIOS = [STATUS_QUO, "sanctions_listing", "warn_beijing", "public_disclosure", PAIR]
SINGLES = ["sanctions_listing", "warn_beijing", "public_disclosure"]
WORLDS = 50
MONTHS = 6
SAMPLE_WORLDS = 5
SECTION_IDS = ["decision", "headline", "ranking", "tradeoffs", "distributions", "summary",
               "interactions", "sensitivity", "failures", "story", "monthly", "assumptions"]


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
            "name": f"Leader summit {PROBE}",
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
                                 "better": "lower", "headline": True, "weight": 1.0,
                                 "swing": {"worst": 6, "best": 0,
                                           "source": f"Judgement: swing {PROBE}"},
                                 "mmd": {"value": 0.1, "source": f"Judgement: mmd {PROBE}"}},
            "alignment": {"label": "Alignment index", "unit": "index", "better": "lower",
                          "weight": 0.5,
                          "swing": {"worst": 100, "best": 0, "source": "Judgement: whole index"},
                          "mmd": {"value": 1, "source": "Judgement: a point"}},
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


def _finals(outcomes: pd.DataFrame, names: list[str], outcome_names: list[str]) -> np.ndarray:
    """Outcomes at the horizon as compare.py wants them: (portfolios, outcomes, worlds)."""
    return np.stack([
        outcomes[outcomes["portfolio"] == name].sort_values("world")[outcome_names]
        .to_numpy(np.float64).T
        for name in names])


def _options_of(name: str) -> tuple[str, ...]:
    return () if name == STATUS_QUO else tuple(o for o in OPTIONS if o in name.split("+"))


def _analysis_tables(scenario: Scenario, outcomes: pd.DataFrame,
                     portfolios: list[str]) -> dict[str, pd.DataFrame]:
    """scores, ranking and interactions made by the real compare.py; drivers, failures,
    sensitivity, events and trajectories made up (with the escaping probe where text goes)."""
    outcome_names = list(scenario.outcomes)
    finals = _finals(outcomes, portfolios, outcome_names)
    scores = composite_scores(scenario, outcome_names, portfolios, finals)
    worlds = np.arange(finals.shape[2])
    singles = [p for p in portfolios if p in OPTIONS]
    parameters = ["actors.Russia.shells_per_month", "events.summit.probability",
                  "actors.US.resolve"]
    drivers = pd.DataFrame([
        {"portfolio": p, "outcome": outcome, "parameter": path,
         "rho": (0.6 - 0.2 * k) * (-1) ** k, "p_value": 0.001 * (k + 1), "rank": k + 1}
        for p in portfolios if p != STATUS_QUO for outcome in (COMPOSITE, "shells_delivered")
        for k, path in enumerate(parameters)])
    failures = pd.DataFrame([
        {"portfolio": "warn_beijing", "outcome": COMPOSITE,
         "sentence": f"Warning fails in worlds where {PROBE} holds.", "support": 0.2,
         "density": 0.7, "coverage": 0.4, "base_rate": 0.3, "p_value": 2.5e-6,
         "conditions": f"actors.US.resolve < 0.5; {PROBE}", "chosen_step": 1,
         "trajectory": json.dumps([
             {"support": 1.0, "coverage": 1.0, "density": 0.3, "restricted": []},
             {"support": 0.2, "coverage": 0.4, "density": 0.7,
              "restricted": ["actors.US.resolve"]}])},
        {"portfolio": "sanctions_listing", "outcome": "shells_delivered",
         "sentence": "Listings fail to cut shells where production is high.", "support": 0.3,
         "density": 0.5, "coverage": 0.6, "base_rate": 0.2,
         "conditions": "actors.Russia.shells_per_month >= 200000"},
    ])
    sensitivity = pd.DataFrame([
        {"method": "morris", "portfolio": p, "outcome": COMPOSITE, "parameter": path,
         "mu_star": 1.0 / (k + 1), "mu_star_conf": 0.1, "sigma": 0.5 / (k + 1)}
        for p in singles for k, path in enumerate(parameters)])
    events, trajectories = [], []
    for p in portfolios:
        for world in range(SAMPLE_WORLDS):
            for month in range(MONTHS):
                events.append({"portfolio": p, "month": month, "world": world, "actor": "DPRK",
                               "event": "munitions_shipment", "value": 1000.0 * (world + 1)})
                if month % 2 == world % 2:
                    events.append({"portfolio": p, "month": month, "world": world,
                                   "actor": "Russia", "event": "leader_summit", "value": 1.0})
                trajectories.append({"portfolio": p, "world": world, "month": month,
                                     "shells_delivered": float(month), "alignment": 50.0})
    acceptability, central = acceptability_tables(scenario, outcome_names, portfolios, finals,
                                                  finals.shape[2], draws=2000)
    pareto, tradeoffs = pareto_tables(scenario, outcome_names, portfolios, finals,
                                      leading(central))
    return {
        "acceptability": acceptability, "central_weights": central, "pareto": pareto,
        "tradeoffs": tradeoffs,
        "scores": pd.concat([pd.DataFrame({"portfolio": p, "world": worlds,
                                           COMPOSITE: scores[i]})
                             for i, p in enumerate(portfolios)], ignore_index=True),
        "ranking": ranking_table(scenario, outcome_names, portfolios, finals, scores),
        "interactions": interaction_table(scenario, outcome_names,
                                          {p: _options_of(p) for p in portfolios}, finals,
                                          scores),
        "drivers": drivers,
        "failures": failures,
        "sensitivity": sensitivity,
        "events": pd.DataFrame(events),
        "trajectories": pd.DataFrame(trajectories),
    }


def make_result(portfolios: list[str] = PORTFOLIOS, months: int = MONTHS,
                full: bool = True) -> RunResult:
    """A synthetic run: by default five portfolios, fifty worlds, six months, every table
    filled (`full=False`: only the tables every run had before ranking and discovery)."""
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
    tables = (_analysis_tables(scenario, outcomes, portfolios) if full
              else {"trajectories": pd.DataFrame(), "events": pd.DataFrame()})
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
        comparison=_comparison(outcomes, scenario),
        **tables,
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


FIGURE = 'class="plotly-graph-div"'


def _expected_figures(result: RunResult) -> dict[str, int]:
    """Plot divs per section for a run whose tables are all filled."""
    headline = [k for k, o in result.scenario.outcomes.items() if o.headline]
    return {
        "decision": 0,  # tables and sentences only
        "headline": 2 * len(headline),  # level chart and forest plot
        "ranking": 1,  # score and regret
        "tradeoffs": 2,  # scatter and heatmap
        "distributions": len(headline),
        "summary": 0,
        "interactions": 1,
        "sensitivity": 2 * len(SINGLES),  # a tornado and a SALib chart per single option
        "failures": 1,  # a PRIM trade-off chart for the one box with a trajectory
        "story": 0,  # dated sentences (report/story.py)
        "monthly": len(headline),  # an overlaid timeline per outcome
        "assumptions": 0,
    }


def test_every_section_has_its_figures(page: str, result: RunResult) -> None:
    expected = _expected_figures(result)
    for section_id, count in expected.items():
        assert _section(page, section_id).count(FIGURE) == count, section_id
    assert page.count(FIGURE) == sum(expected.values())


def test_every_figure_div_is_a_plotly_graph_div(page: str) -> None:
    ids = re.findall(r'<div id="(fig-[^"]+)" class="plotly-graph-div"', page)
    assert len(ids) == page.count(FIGURE) == len(set(ids))
    assert set(re.findall(r'id="(fig-[^"]+)"', page)) == set(ids)


def test_scripts_balanced(page: str) -> None:
    """No data closed or opened a script block: only our own script tags exist."""
    opens = len(re.findall(r"<script\b", page, re.I))
    closes = len(re.findall(r"</script", page, re.I))
    # plotly.js, one per figure, the JSON data, the controls and the print hook, and the
    # page's own parts (the lazy drawing hook, the sections with a script), each tagged
    parts = len(re.findall(r'<script data-part="[a-z-]+"', page))
    assert parts >= 2  # at least the lazy hook and the timelines
    assert opens == closes == 1 + page.count(FIGURE) + 3 + parts


def test_escaping_probe(page: str) -> None:
    for raw in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<img"):
        assert raw not in page
    assert html.escape(PROBE) in page  # title, description, source and label in the page text
    assert "Description " + html.escape(PROBE) + " &amp; more" in page
    assert "Russia source E " + html.escape(PROBE) in page
    # inside figure JSON: plotly-escaped (`&lt;`) and then JSON-escaped (`/` as \u002f)
    assert "Shells &lt;script&gt;alert(1)&lt;\\u002fscript&gt;" in page


def test_failure_boxes_show_their_p_value_and_peeling_trade_off(page: str) -> None:
    """Each PRIM box states its significance in plain digits, and a portfolio with a peeling
    trajectory gets a coverage–density chart with the reported box marked."""
    failures = _section(page, "failures")
    assert "p &lt; 0.001" in failures and "e-06" not in failures
    assert 'id="fig-prim-warn_beijing"' in failures and "Coverage against density" in failures
    assert 'id="fig-prim-sanctions_listing"' not in failures  # no trajectory, no chart


def test_escaping_probe_in_failures_and_parameter_labels(page: str) -> None:
    failures = _section(page, "failures")
    assert f"Warning fails in worlds where {html.escape(PROBE)} holds." in failures
    # the box's conditions read with the parameter's label, not its path (issue 16)
    assert f"US: resolve &lt; 0.5 · {html.escape(PROBE)}" in failures
    # the event's name reaches parameter labels ("chance of …") in the tornado charts' hover
    sensitivity = _section(page, "sensitivity")
    assert ("Chance of Leader summit &lt;script&gt;alert(1)&lt;\\u002fscript&gt;"
            "&lt;img src=x onerror=alert(1)&gt;") in sensitivity
    assert "<img" not in failures + sensitivity


def test_summary_table_has_every_headline_number(page: str, result: RunResult) -> None:
    summary = _section(page, "summary")
    table = result.comparison[result.comparison["outcome"] == "shells_delivered"]
    def f(x: float) -> str:
        return html.escape(format_number(x))

    for row in table.itertuples(index=False):
        code = html.escape(row.portfolio).replace("+", "+<wbr>")
        line = re.search(rf'<tr data-portfolio="{re.escape(row.portfolio)}"><td>.*?<code>'
                         rf"{re.escape(code)}</code>.*?</tr>", summary)
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
    labels = parameter_labels(result.scenario)
    for path, parameter in parameter_rows(result.scenario):
        # the label is shown, the path is its tooltip (issue 16)
        assert (f'<span title="{html.escape(path)}">{html.escape(labels[path][0])}</span>'
                in assumptions)
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
    assert FIGURE not in page
    # level, forest, distribution, fan (one headline outcome), trade-off scatter and heatmap
    assert page.count("No data for this chart.") == 6
    for section_id in SECTION_IDS:
        _section(page, section_id)
    assert html.escape(PROBE) in page
    assert 'id="controls"' in page
    assert 'class="weight"' not in page  # no outcomes table, nothing to re-weight


def test_optional_tables_empty_still_render() -> None:
    result = make_result(full=False)
    page = render_dashboard(result)
    headline = [k for k, o in result.scenario.outcomes.items() if o.headline]
    counts = {section_id: _section(page, section_id).count(FIGURE) for section_id in SECTION_IDS}
    assert counts == {**dict.fromkeys(SECTION_IDS, 0), "headline": 2 * len(headline),
                      "tradeoffs": 2, "distributions": len(headline),
                      "monthly": len(headline)}
    for section_id in ("ranking", "interactions", "failures", "story"):
        assert 'class="muted no-data"' in _section(page, section_id), section_id
    assert "No rank correlations" in _section(page, "sensitivity")
    # the weights still work from the outcomes table alone
    data = _data(page)
    assert data["weights"]["outcomes"] == ["shells_delivered", "alignment"]
    assert data["defaultRank"] == {}


def test_all_outcomes_shown_when_none_is_headline(result: RunResult) -> None:
    outcomes = {
        name: spec.model_copy(update={"headline": False})
        for name, spec in result.scenario.outcomes.items()
    }
    scenario = result.scenario.model_copy(update={"outcomes": outcomes})
    page = render_dashboard(replace(result, scenario=scenario))
    n = len(outcomes)
    assert _section(page, "headline").count(FIGURE) == 2 * n
    assert _section(page, "distributions").count(FIGURE) == n
    assert _section(page, "monthly").count(FIGURE) == n
    assert "Alignment index" in _section(page, "summary")


# --- the page's data and controls ------------------------------------------------------------


def _data(page: str) -> dict:
    """The page's embedded JSON data block, parsed."""
    match = re.search(rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', page,
                      re.S)
    assert match
    return json.loads(match.group(1))


def test_weight_json_reproduces_ranking(page: str, result: RunResult) -> None:
    model = _data(page)["weights"]
    ranking = result.ranking.set_index("portfolio")
    weights = np.array(model["defaults"])
    assert model["outcomes"] == ["shells_delivered", "alignment"]
    assert list(weights) == [1.0, 0.5]
    assert model["swings"] == [6, 100]
    for i, name in enumerate(model["portfolios"]):
        # The swing weights are normalised to sum 1, as compare.py does.
        mean = float(np.dot(weights, model["effects"][i])) / weights.sum()
        assert mean == pytest.approx(ranking.loc[name, "score_mean"], rel=1e-9, abs=1e-12)
        cov = np.array(model["cov"][i], dtype=float)
        half = model["t"] * np.sqrt(weights @ cov @ weights / model["n"]) / weights.sum()
        assert mean - half == pytest.approx(ranking.loc[name, "score_ci_low"], abs=1e-6)
        assert mean + half == pytest.approx(ranking.loc[name, "score_ci_high"], abs=1e-6)
    assert _data(page)["defaultRank"] == {str(p): int(r) for p, r in
                                          zip(result.ranking["portfolio"],
                                              result.ranking["rank"], strict=True)}


def test_weight_json_reweights_exactly(result: RunResult) -> None:
    """Other weights: the linear re-weighting equals compare.py run with those weights."""
    model = weight_model(result)
    assert model is not None
    weights = [0.0, 2.0]
    outcomes = {name: spec.model_copy(update={"weight": w})
                for (name, spec), w in zip(result.scenario.outcomes.items(), weights,
                                           strict=True)}
    scenario = result.scenario.model_copy(update={"outcomes": outcomes})
    names = model["portfolios"]
    finals = _finals(result.outcomes, names, list(scenario.outcomes))
    scores = composite_scores(scenario, list(scenario.outcomes), names, finals)
    for i in range(len(names)):
        assert np.dot(weights, model["effects"][i]) / 2.0 == pytest.approx(scores[i].mean(),
                                                                           abs=1e-12)
    twin = score_from_model(model, weights)
    assert [twin[n] for n in names] == pytest.approx([scores[i].mean()
                                                      for i in range(len(names))], abs=1e-12)


def test_json_block_cannot_break_out(page: str) -> None:
    match = re.search(rf'<script type="application/json" id="{DATA_ID}">(.*?)</script>', page,
                      re.S)
    assert match
    block = match.group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003cscript\\u003e" in block
    assert f"Shells {PROBE}" in _data(page)["weights"]["labels"]
    assert json.loads(json_for_script({"a": "</script>&", "b": float("nan")})) == {
        "a": "</script>&", "b": None}


def test_controls(page: str, result: RunResult) -> None:
    controls = re.search(r'<aside id="controls".*?</aside>', page, re.S)
    assert controls
    panel = controls.group(0)
    boxes = re.findall(r'<input type="checkbox" checked data-portfolio="([^"]+)">', panel)
    assert boxes == list(result.ranking["portfolio"])  # rank order, as everywhere on the page
    outcome_boxes = re.findall(r'<input type="checkbox" checked data-outcome="([^"]+)">', panel)
    assert outcome_boxes == ["shells_delivered"]
    weights = re.findall(r'<input type="text" inputmode="decimal" class="weight"[^>]*'
                         r'value="([^"]+)" data-outcome="([^"]+)"', panel)
    assert weights == [("1", "shells_delivered"), ("0.5", "alignment")]
    for section_id in ("summary", "ranking"):
        rows = re.findall(r'<tr data-portfolio="([^"]+)">', _section(page, section_id))
        assert set(rows) == set(PORTFOLIOS), section_id
    blocks = re.findall(r'<div class="outcome-block" data-outcome="([^"]+)">', page)
    assert blocks == ["shells_delivered"] * 4  # headline, distributions, summary, monthly
    for name in PORTFOLIOS:
        assert f'"meta":{{"portfolio":"{name}"}}' in page
    assert 'id="tradeoff-x"' in page and 'id="tradeoff-y"' in page
    assert 'id="story-world"' in page and 'id="reweighted-table"' in page


def test_reweighted_table_prefilled_in_rank_order(page: str, result: RunResult) -> None:
    table = re.search(r'<table class="reweighted num" id="reweighted-table">.*?</table>', page,
                      re.S)
    assert table
    rows = re.findall(r'<tr data-portfolio="([^"]+)">', table.group(0))
    assert rows == list(result.ranking["portfolio"])
    for row in result.ranking.itertuples(index=False):
        f = format_number
        cell = f"{f(row.score_mean)} [{f(row.score_ci_low)}, {f(row.score_ci_high)}]"
        assert f"<td>{html.escape(cell)}</td>" in table.group(0), row.portfolio


def test_story_offers_every_sample_world_and_portfolio(page: str, result: RunResult) -> None:
    story = _section(page, "story")
    picks = representative_worlds(result)
    assert len(picks) == 3

    def options(select: str) -> list[str]:
        found = re.search(rf'<select id="{select}">(.*?)</select>', story, re.S)
        assert found, select
        return re.findall(r'<option value="([^"]+)"', found.group(1))

    worlds = options("story-world")
    assert worlds[:3] == [str(w) for _, w, _ in picks]  # typical, best, worst first
    assert sorted(int(w) for w in worlds) == list(range(SAMPLE_WORLDS))
    ranked = [str(p) for p in result.ranking["portfolio"] if p != STATUS_QUO]
    assert options("story-portfolio") == ranked
    # The first view, told here: the typical world under the best-ranked portfolio, beside
    # status quo in the same world, each as dated sentences.
    for side in ("story-told", "story-base"):
        listed = re.search(rf'<ol class="story-list" id="{side}">(.*?)</ol>', story, re.S)
        assert listed, side
        dates = re.findall(r"<strong>([^<]+):</strong>", listed.group(1))
        assert dates[0] == ("January 2024" if picks[0][1] % 2 == 0 else "February 2024")
        assert "January–March 2024, in all" in dates
        assert "Kim Jong-un and Vladimir Putin met." in listed.group(1)


def test_representative_worlds_by_hand(result: RunResult) -> None:
    """One weighted outcome (lower is better): the best world has the lowest status-quo value.
    Worlds 0–4 have an event log; world 5 does not, so it is never picked."""
    values = {0: 5.0, 1: 1.0, 2: 3.0, 3: 9.0, 4: 3.0, 5: -100.0}
    outcomes = pd.DataFrame(
        [{"portfolio": STATUS_QUO, "world": w, "shells_delivered": v, "alignment": 0.0}
         for w, v in values.items()]
        + [{"portfolio": "sanctions_listing", "world": w, "shells_delivered": v - 1,
            "alignment": 0.0} for w, v in values.items()])
    events = pd.DataFrame([{"portfolio": STATUS_QUO, "month": 0, "world": w, "actor": "DPRK",
                            "event": "munitions_shipment", "value": 1.0} for w in range(5)])
    small = replace(result, outcomes=outcomes, events=events, trajectories=pd.DataFrame())
    # sorted from worst: 3 (9), 0 (5), 2 (3), 4 (3; a tie, the lower id first), 1 (1)
    picks = [(kind, world) for kind, world, _ in representative_worlds(small)]
    assert picks == [("median", 2), ("best", 1), ("worst", 3)]
    # without events, the trajectories name the sample worlds
    trajectories = pd.DataFrame([{"portfolio": STATUS_QUO, "world": w, "month": 0}
                                 for w in (0, 1)])
    only_two = replace(small, events=pd.DataFrame(), trajectories=trajectories)
    assert [(k, w) for k, w, _ in representative_worlds(only_two)] == [("median", 0),
                                                                      ("best", 1)]
    assert representative_worlds(replace(small, events=pd.DataFrame(),
                                         trajectories=pd.DataFrame())) == []


def test_short_names(result: RunResult) -> None:
    scenario = result.scenario
    assert option_codes(scenario)["warn_beijing"] == "WB"
    assert short_name(scenario, PAIR) == "WB+PD"
    assert short_name(scenario, "sanctions_listing") == "sanctions listing"  # words, not an id
    assert short_name(scenario, STATUS_QUO) == "status quo"
    names = short_names(scenario, PORTFOLIOS)
    assert len(set(names.values())) == len(PORTFOLIOS)


def test_outcome_kinds() -> None:
    assert is_binary(pd.Series([0.0, 1.0, 1.0]))
    assert not is_binary(pd.Series([0.0, 2.0]))
    assert is_rare_count(pd.Series([0, 0, 0, 1, 3]))
    assert not is_rare_count(pd.Series([0, 1, 2, 3]))
    assert not is_rare_count(pd.Series([0.0, 0.0, 0.5]))
    assert [distribution_kind(pd.Series(v)) for v in
            ([0, 1, 1], [0, 0, 0, 2], [1, 2, 2, 3, 4], [0.5, 1.5, 2.5, 3.25])] == [
        "binary", "rare", "levels", "box"]
    low, high = wilson_interval(5, 10)
    assert 0 <= low < 0.5 < high <= 1
    assert wilson_interval(0, 10)[0] == 0.0


def test_render_is_deterministic(result: RunResult, page: str) -> None:
    assert render_dashboard(result) == page


def test_write_is_atomic_leaves_no_temp(result: RunResult, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import axis_sim.report.dashboard as dashboard

    monkeypatch.setattr(dashboard, "render_dashboard", lambda _r: "<html></html>")
    path = dashboard.write_dashboard(result, tmp_path / "d.html")
    assert path.read_text() == "<html></html>"
    assert [p.name for p in tmp_path.iterdir()] == ["d.html"]


# --- the figures are plain dicts: check them against plotly's schema here ----------------------


def _page_figures(page: str) -> dict[str, dict]:
    """Every figure of the page as plotly.js receives it: {div id: {"data", "layout"}}."""
    decoder = json.JSONDecoder()
    figures = {}
    for match in re.finditer(r'Plotly\.newPlot\(\s*"([^"]+)",\s*', page):
        data, end = decoder.raw_decode(page, match.end())
        rest = re.match(r"\s*,\s*", page[end:])
        assert rest, match.group(1)
        layout, _ = decoder.raw_decode(page, end + rest.end())
        figures[match.group(1)] = {"data": data, "layout": layout}
    return figures


def test_every_figure_is_valid_plotly_json(page: str) -> None:
    """The dashboard builds figures without plotly's validation (it was most of the render
    time); `go.Figure` validates them here and raises on any property plotly does not know."""
    import plotly.graph_objects as go

    figures = _page_figures(page)
    assert len(figures) == page.count(FIGURE)
    for div_id, figure in figures.items():
        checked = go.Figure(figure).to_plotly_json()
        assert len(checked["data"]) == len(figure["data"]), div_id
        assert isinstance(figure["layout"]["template"], dict), div_id  # plotly.js needs it whole


def test_subplot_grid_matches_make_subplots() -> None:
    """The fan and ranking charts lay out their grid as plotly's `make_subplots` would."""
    from plotly.subplots import make_subplots

    from axis_sim.report.figures import _subplots

    titles = ["a", "b", "c", "d", "e"]
    fig, cells = _subplots(2, 3, titles, h_spacing=0.05, v_spacing=0.12, share_x=True,
                           share_y=True)
    expected = make_subplots(rows=2, cols=3, shared_xaxes=True, shared_yaxes=True,
                             subplot_titles=titles, horizontal_spacing=0.05,
                             vertical_spacing=0.12).to_plotly_json()["layout"]
    expected.pop("template", None)
    assert cells == [("x", "y"), ("x2", "y2"), ("x3", "y3"), ("x4", "y4"), ("x5", "y5"),
                     ("x6", "y6")]
    assert set(fig["layout"]) == set(expected)
    for key, axis in expected.items():
        if key == "annotations":
            continue
        mine = fig["layout"][key]
        assert mine.pop("domain") == pytest.approx(axis.pop("domain")), key
        assert mine == axis, key
    for mine, theirs in zip(fig["layout"]["annotations"], expected["annotations"], strict=True):
        assert {k: mine[k] for k in ("x", "y")} == pytest.approx({k: theirs[k] for k in ("x", "y")})
        assert {k: v for k, v in mine.items() if k not in ("x", "y")} == {
            k: v for k, v in theirs.items() if k not in ("x", "y")}


def test_renders_from_a_sample_of_worlds(result: RunResult) -> None:
    """The per-world tables may hold only a sample of worlds (`common.world_table`), with ids
    that are neither contiguous nor from 0, and without every sample world of the event log."""
    kept = [1, 4, 9, 16, 25, 36, 49]
    sample = replace(result, outcomes=result.outcomes[result.outcomes["world"].isin(kept)],
                     parameters=result.parameters[result.parameters["world"].isin(kept)])
    page = render_dashboard(sample)
    counts = {s: _section(page, s).count(FIGURE) for s in ("headline", "distributions")}
    assert counts == {"headline": 2, "distributions": 1}
    model = _data(page)["weights"]
    assert model["n"] == len(kept)
    assert model["portfolios"] == PORTFOLIOS
    # the story's worlds come from the event log (worlds 0–4); only 1 and 4 have outcomes
    assert {world for _, world, _ in representative_worlds(sample)} <= {1, 4}
    for figure in _page_figures(page).values():
        assert figure["data"], "an empty figure was drawn"


def test_decision_section_comes_first_and_says_what_is_robust(page: str) -> None:
    assert re.findall(r'<section id="([^"]+)"', page)[0] == "decision"
    decision = _section(page, "decision")
    assert "of the weight space" in decision.split("</p>")[0]  # the bottom line, first
    for heading in ("Rank acceptability over weight space", "The Pareto set",
                    "What the weights imply"):
        assert heading in decision
    # Exchange rates from the swings: 10 points of alignment (weight 0.5 over a swing of 100)
    # count as much as 10 × (0.5 / 100) / (1 / 6) = 0.3 million shells.
    assert "10 on “Alignment index” (index) counts as much as 0.3 million shells" in decision
    # The swing's source is scenario text: escaped by the template, never raw.
    assert PROBE not in decision and html.escape(PROBE) in decision


def test_no_scientific_notation_in_what_a_person_reads(page: str) -> None:
    visible = re.sub(r"<(script|style).*?</\1>", "", page, flags=re.S)
    assert re.search(r"\d\.\d+", visible)  # there are numbers to read
    assert not re.search(r"(?<![#\w])\d+(\.\d+)?e[-+]?\d+\b", visible)
    assert format_number(1.23e-5) == "0.0000123" and format_number(-0.000123456) == "-0.000123"
