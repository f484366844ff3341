"""`axis-sim backtest`: every origin of a registry scored, pooled, the held-out ones apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from axis_sim.cli import main
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scoring.backtest import backtest, load_registry
from axis_sim.scoring.questions import load_questions
from tests.conftest import ROOT

QUESTIONS = ROOT / "questions"


def registry(tmp_path: Path, *origins: tuple[str, bool]) -> Path:
    lines = ["origins:"]
    for origin, held_out in origins:
        lines += [f'  - id: "{origin}"',
                  f"    scenario: {ROOT / 'scenarios' / 'backtest_2022_02.yaml'}",
                  f"    questions: {QUESTIONS / '2022_02_to_2023_08.yaml'}",
                  "    portfolio: pursued", f"    held_out: {str(held_out).lower()}"]
    path = tmp_path / "origins.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_shipped_registry_loads() -> None:
    reg, _ = load_registry(QUESTIONS / "origins.yaml")
    assert [o.id for o in reg.origins] == ["2016_01", "2019_01", "2022_02"]
    assert [o.id for o in reg.origins if o.held_out] == ["2022_02"]  # the newest


def test_a_bad_registry_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "origins.yaml"
    path.write_text("origins:\n  - id: x\n    scenario: a.yaml\n    questions: q.yaml\n"
                    "    portfolio: pursued\n    held_out: maybe\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_registry(path)
    assert f"{path}:6:" in str(caught.value) and "held_out" in str(caught.value)


def test_pooled_and_held_out_are_scored_apart(tmp_path: Path) -> None:
    """The same origin twice, once held out: the pooled and held-out scores are each that
    origin's own, and neither is mixed into the other."""
    result = backtest(registry(tmp_path, ("tuning", False), ("held", True)), runs=60, seed=2)
    one = result.origins[0].result.summary
    assert result.pooled is not None and result.held_out is not None
    assert result.pooled.summary["origins"] == ["tuning"]
    assert result.held_out.summary["origins"] == ["held"]
    for pooled in (result.pooled, result.held_out):
        assert pooled.summary["brier"] == pytest.approx(one["brier"])
        assert pooled.summary["binary"] == one["binary"]


def test_the_command_writes_one_report(tmp_path: Path) -> None:
    out = tmp_path / "bt"
    cli = CliRunner().invoke(main, ["backtest", "--origins",
                                    str(registry(tmp_path, ("a", False))), "--runs", "40",
                                    "--out", str(out)])
    assert cli.exit_code == 0, cli.output
    assert "## Pooled (origins used for tuning)" in cli.output
    data = json.loads((out / "backtest.json").read_text(encoding="utf-8"))
    questions = load_questions(QUESTIONS / "2022_02_to_2023_08.yaml").questions
    assert data["held_out"] is None
    assert data["pooled"]["binary"] == sum(q.kind == "binary" for q in questions)
    assert "IN-SAMPLE" not in " ".join(data["pooled"]["notes"])  # the origin is leak-free
    html = (out / "backtest.html").read_text(encoding="utf-8")
    assert "reliability-figure" in html and 'href="a/score.html"' in html
    assert (out / "a" / "score.html").exists()


def test_the_origins_table_has_every_origin_and_pool_with_intervals(tmp_path: Path) -> None:
    from axis_sim.scoring.backtest import origin_table, table_rows

    result = backtest(registry(tmp_path, ("a", False), ("b", True)), runs=40, seed=3)
    table = origin_table(result)
    assert list(table["origin"]) == ["a", "b (held out)", "pooled: tuning origins",
                                     "pooled: held out", "all origins"]
    every = table.set_index("origin").loc["all origins"]
    assert every["questions"] == 2 * table.set_index("origin").loc["a", "questions"]
    assert every["Brier low"] <= every["Brier"] <= every["Brier high"]
    _, rows = table_rows(table)
    assert all("[" in row[2] for row in rows)  # every Brier carries its interval


def test_the_page_escapes_scenario_text_and_keeps_ids_unique(tmp_path: Path) -> None:
    """Text from a scenario reaches the page only escaped (the template autoescapes), and the
    several reliability diagrams on one page do not share an element id."""
    import re

    from axis_sim.scoring.backtest import render_backtest_html

    result = backtest(registry(tmp_path, ("a", False), ("b", True)), runs=40, seed=3)
    meta = result.origins[0].scenario.meta
    result.origins[0].scenario = result.origins[0].scenario.model_copy(
        update={"meta": meta.model_copy(update={"title": "<script>alert(1)</script>"})})
    html = render_backtest_html(result)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
