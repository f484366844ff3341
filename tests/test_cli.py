"""The command line, as a user runs it: files written, tables printed, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from axis_sim.cli import main
from axis_sim.scenario.schema import Scenario
from tests.conftest import BASELINE, ROOT


@pytest.fixture()
def short_file(tmp_path: Path) -> Path:
    """A 6-month variant of the baseline made the way users make variants: `extends:`."""
    path = tmp_path / "short.yaml"
    path.write_text(
        f"extends: {BASELINE}\n"
        "meta:\n  name: short\n  horizon_months: 6\n"
        "experiment:\n  chunk_size: 40\n  sample_worlds: 10\n"
    )
    return path


def test_run_writes_every_file_and_prints_the_table(short_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(short_file), "--runs", "60", "--seed", "3",
                                       "--options", "sanctions_listing,warn_beijing",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("manifest.json", "outcomes.parquet", "outcomes.csv", "comparison.csv",
                 "monthly.parquet", "trajectories.parquet", "events.parquet",
                 "parameters.parquet", "dashboard.html"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 60 and manifest["seed"] == 3
    assert manifest["portfolios"] == ["status_quo", "sanctions_listing", "warn_beijing"]
    assert len(manifest["scenario_hash"]) == 64
    assert manifest["scenario"]["meta"]["horizon_months"] == 6
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert len(outcomes) == 3 * 60
    assert "Munitions shipped to Russia" in result.output
    assert "Δ vs status quo" in result.output
    assert "P(by horizon)" in result.output  # yes/no outcomes shown as probabilities
    assert "Simulating" not in result.stdout  # progress goes to stderr (plain lines, no bar)
    assert "\r" not in result.stderr
    assert f"Dashboard: {out / 'dashboard.html'}" in result.output


def test_same_seed_same_files(short_file: Path, tmp_path: Path) -> None:
    frames = []
    for name, jobs in (("a", "1"), ("b", "2")):
        args = ["run", str(short_file), "--runs", "90", "--jobs", jobs, "--out",
                str(tmp_path / name)]
        assert CliRunner().invoke(main, args).exit_code == 0
        frames.append(pd.read_parquet(tmp_path / name / "outcomes.parquet"))
    pd.testing.assert_frame_equal(*frames)


def test_chunk_size_and_sample_worlds_are_the_users_and_recorded(short_file: Path,
                                                                  tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(short_file), "--runs", "50", "--chunk-size",
                                       "20", "--sample-worlds", "7", "--options", "status_quo",
                                       "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert (manifest["chunk_size"], manifest["chunks"]) == (20, 3)
    assert manifest["sample_worlds"] == 7 and manifest["monthly_quantiles"] == "exact"
    trajectories = pd.read_parquet(tmp_path / "run" / "trajectories.parquet")
    assert sorted(trajectories["world"].unique()) == list(range(7))


def test_default_folder_is_timestamped_under_results(short_file: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", str(short_file), "--runs", "20", "--options",
                                       "status_quo"])
    assert result.exit_code == 0, result.output
    folders = [p for p in (tmp_path / "results").iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1 and folders[0].name.endswith("-short")
    # No saved chunks or partial folder left behind; the chunk store's lock file may stay.
    hidden = [p.name for p in (tmp_path / "results").iterdir() if p.name.startswith(".")]
    assert set(hidden) <= {".axis-sim.lock"}, hidden


def test_unknown_option_is_a_usage_error(short_file: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(short_file), "--options", "sanction_listing"])
    assert result.exit_code == 2
    assert "did you mean 'sanctions_listing'" in result.output
    assert "Traceback" not in result.output


def test_bad_scenario_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nexperiment:\n  sampling: lhs\n")
    result = CliRunner().invoke(main, ["run", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output
    assert "latin_hypercube" in result.output
    assert "Traceback" not in result.output


def test_validate_reports_ok_and_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nmeta:\n  horizon_months: 0\n")
    result = CliRunner().invoke(main, ["validate", str(BASELINE), str(bad)])
    assert result.exit_code == 2
    assert "baseline.yaml: ok" in result.output
    assert f"{bad}:3:" in result.output


def test_every_shipped_scenario_validates() -> None:
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    result = CliRunner().invoke(main, ["validate", *files])
    assert result.exit_code == 0, result.output


def test_schema_is_json_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    schema = json.loads(result.output)
    assert set(schema["required"]) >= {"meta", "actors", "options", "outcomes"}
    assert "Parameter" in schema["$defs"]


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["schema"]])
def test_help_shows_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "axis-sim" in result.output


def test_root_cli_py_is_the_same_program() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--help"], capture_output=True,
                          text=True, check=True)
    assert "axis-sim" in done.stdout and "validate" in done.stdout


def test_compare_ranks_portfolios_and_writes_the_brief(short_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, [
        "compare", str(short_file), "--runs", "120", "--portfolios",
        "sanctions_listing,public_disclosure,sanctions_listing+public_disclosure",
        "--set", "sanctions_listing:start=2023-10,intensity=1.5", "--weight",
        "lethal_incidents=4", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Rank acceptability over weight space" in result.output
    assert "Portfolios ranked by value over status quo" in result.output
    ranking = pd.read_csv(out / "ranking.csv")
    assert ranking["rank"].tolist() == [1, 2, 3, 4]
    assert set(pd.read_csv(out / "interactions.csv")["pair"]) == {
        "sanctions_listing+public_disclosure"}
    brief = (out / "brief.md").read_text()
    assert brief.startswith("# Brief:") and "## Bottom line" in brief
    # The weight override is stated, normalised: 4 of 8.8 (the baseline's 5.8 with 4 for 1).
    assert "| Lethal incidents on the peninsula | incidents | 5 → 0 | 45% | 0.02 |" in brief
    # Status quo is the policy in force, and the brief says so with the in-force levels.
    assert "Status quo is the policy already in force" in brief
    assert "Sanctions listings of Russian entities at 0.1 of the option's intensity" in brief
    assert "restates Munitions shipped to Russia: it is shown but not scored" in brief
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["options"]["sanctions_listing"]["intensity"] == 1.5


def test_compare_all_writes_the_decision_tables(short_file: Path, tmp_path: Path,
                                                baseline: Scenario) -> None:
    """`compare --portfolios all` on a small run: acceptability.csv, the Pareto set, verdicts
    with MMDs, and a brief whose first paragraph says what is robust."""
    out = tmp_path / "all"
    result = CliRunner().invoke(main, ["compare", str(short_file), "--runs", "40",
                                       "--portfolios", "all", "--out", str(out)])
    assert result.exit_code == 0, result.output
    acceptability = pd.read_csv(out / "acceptability.csv")
    assert {"portfolio", "rank", "share"} <= set(acceptability.columns)
    assert len(acceptability) == 32 * 32
    shares = acceptability.pivot(index="portfolio", columns="rank", values="share")
    assert shares.sum(axis=0).to_numpy() == pytest.approx(1.0)  # each rank shared out once
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    central = pd.read_csv(out / "central_weights.csv")
    assert {"first", "confidence", "munitions_shipped"} <= set(central.columns)
    pareto = pd.read_csv(out / "pareto.csv")
    assert pareto["pareto"].any() and len(pareto) == 32
    assert {"portfolio", "versus", "outcome", "diff_mean"} <= set(
        pd.read_csv(out / "tradeoffs.csv").columns)
    comparison = pd.read_csv(out / "comparison.csv")
    headline = comparison[comparison["outcome"] == "munitions_shipped"]
    assert (headline["mmd"] == 300_000).all()
    judged = headline[headline["portfolio"] != "status_quo"]
    assert set(judged["verdict"]) <= {"better", "worse", "no practical difference", "uncertain"}
    # No "better" for an effect whose interval reaches inside the MMD.
    better = comparison[comparison["verdict"] == "better"]
    signs = better["outcome"].map(lambda o: -1 if baseline.outcomes[o].better == "lower" else 1)
    assert (np.minimum(signs * better["diff_ci_low"], signs * better["diff_ci_high"])
            >= better["mmd"]).all()
    brief = (out / "brief.md").read_text()
    first = brief.split("\n\n")[1]
    assert "of the weight space" in first and "Pareto set" in first
    assert ("robust choice" in first) or ("depends on the weights" in first)
    assert "standard deviation" not in brief and "SD" not in brief.split()
    assert "counts as much as" in brief
    assert brief.index("## Rank acceptability") < brief.index("## Ranking at the scenario")
    assert "of the weight space" in result.output.split("\n\n")[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "sanctions_listing:intensity=7"], "less than or equal to 2"),
    (["--set", "warn_bejing:start=2024-01"], "did you mean 'warn_beijing'"),
    (["--weight", "lethal_incident=2"], "did you mean 'lethal_incidents'"),
])
def test_bad_overrides_are_usage_errors(short_file: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["compare", str(short_file), "--runs", "10", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_until_precise_reports_what_it_reached(short_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "run", str(short_file), "--runs", "40", "--until-precise", "1.5", "--max-runs", "400",
        "--portfolios", "sanctions_listing", "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "Precision target ±1.5 MMD reached" in result.output


def test_compare_with_sensitivity_writes_indices(short_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sens"
    result = CliRunner().invoke(main, [
        "compare", str(short_file), "--runs", "40", "--portfolios", "sanctions_listing",
        "--sensitivity", "morris", "--sensitivity-samples", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sensitivity.csv")
    assert {"mu_star", "sigma", "parameter"} <= set(table.columns)
    assert "## Global sensitivity" in (out / "brief.md").read_text()


def test_dashboard_rebuilds_and_compares_runs(short_file: Path, tmp_path: Path) -> None:
    folders = []
    for name, seed in (("a", "1"), ("b", "2")):
        args = ["run", str(short_file), "--runs", "30", "--seed", seed, "--portfolios",
                "sanctions_listing", "--out", str(tmp_path / name)]
        assert CliRunner().invoke(main, args).exit_code == 0
        folders.append(tmp_path / name)
    original = (folders[0] / "dashboard.html").read_text()
    (folders[0] / "dashboard.html").unlink()
    result = CliRunner().invoke(main, ["dashboard", str(folders[0])])
    assert result.exit_code == 0, result.output
    assert (folders[0] / "dashboard.html").read_text() == original
    result = CliRunner().invoke(main, ["dashboard", *map(str, folders)])
    assert result.exit_code == 0, result.output
    assert (folders[0] / "versus-b.html").is_file()


def test_dashboard_of_a_folder_that_is_not_a_run_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["dashboard", str(tmp_path)])
    assert result.exit_code == 2
    assert "not an axis-sim results folder" in result.output


def test_score_prints_scores_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "score"
    result = CliRunner().invoke(main, [
        "score", str(ROOT / "scenarios" / "backtest_2022_02.yaml"),
        str(ROOT / "questions" / "2022_02_to_2023_08.yaml"), "--portfolio", "pursued",
        "--runs", "200", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Brier" in result.output and "always 50%" in result.output
    assert {"score.html", "questions.csv", "summary.json"} <= {p.name for p in out.iterdir()}
    summary = json.loads((out / "summary.json").read_text())
    assert summary  # scores were computed


def test_score_with_a_bad_questions_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "q.yaml"
    bad.write_text("questions:\n  - id: x\n    text: t\n    outcome: munitions_shiped\n"
                   "    kind: binary\n    month: 2023-10\n    condition: {op: '>', value: 0}\n"
                   "    resolution: true\n    resolved_on: 2023-10-31\n    source: a source\n")
    result = CliRunner().invoke(main, ["score", str(BASELINE), str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:4:" in result.output and "munitions_shipped" in result.output


def test_bench_quick_prints_the_report_and_writes_the_json(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from axis_sim.benchmark import FIGURES, figure, report

    monkeypatch.chdir(tmp_path)  # outside a checkout: the default is the bundled baseline
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(main, ["bench", "--quick", "--jobs", "2", "--json", str(out)])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text())
    assert results["mode"] == "quick" and results["scenario"] == str(BASELINE)
    assert {"sizes", "machine", "batched_vs_single", "scaling", "lookahead", "all_portfolios",
            "streaming", "memory", "benchmark_seconds"} <= set(results)
    for path in FIGURES:
        figure(results, path)  # every figure is there (test_benchmarks.py checks the values)
    for line in ("axis_sim benchmarks — mode quick", "1. Batched vs one world at a time",
                 "   ratio:", "2. Scaling", "3. Seminar lookahead", "4. --portfolios all",
                 "5. Bounded memory", "6. Peak memory", "total benchmark time"):
        assert line in result.stdout, line
    assert report(results) in result.stdout  # the JSON holds exactly what was printed


def test_bench_with_an_unknown_scenario_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["bench", "--quick", "--scenario", "nowhere.yaml"])
    assert result.exit_code == 2
    assert "no bundled scenario" in result.output and "Traceback" not in result.output
    both = CliRunner().invoke(main, ["bench", "--quick", "--full", "--scenario", str(BASELINE)])
    assert both.exit_code == 2 and "exclude each other" in both.output
    help_text = CliRunner().invoke(main, ["bench", "--help"]).output
    assert "Examples" in help_text and "bundled scenario" in help_text
