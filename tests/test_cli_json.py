"""The command line as a script sees it: `--json` parses and is all of stdout, progress goes to
stderr as plain lines when stderr is not a terminal, `--quiet` silences it, bundled scenario
names resolve (a file of that name wins), `scenarios copy` writes files that validate, and
shell completion offers scenario and portfolio names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from axis_sim import bundled
from axis_sim.cli import main
from axis_sim.seminar.store import GameStore, dump_game
from tests.conftest import BASELINE, ROOT

SHORT = ("meta:\n  name: {name}\n  horizon_months: 6\n"
         "experiment:\n  runs: 60\n  chunk_size: 20\n  sample_worlds: 10\n")


def axis_sim(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`axis-sim ARGS` in a fresh process whose stdout and stderr are pipes (not terminals)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-c", "from axis_sim.cli import main; "
                           "main(prog_name='axis-sim')", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture()
def short(tmp_path: Path) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {BASELINE}\n" + SHORT.format(name="short"))
    return path


def test_run_json_is_all_of_stdout_and_progress_lines_go_to_stderr(short: Path,
                                                                   tmp_path: Path) -> None:
    done = axis_sim("run", str(short), "--portfolios", "sanctions_listing", "--json",
                    "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # nothing else on stdout
    assert data["results"] == "out"
    assert (tmp_path / data["dashboard"]).is_file() and (tmp_path / data["brief"]).is_file()
    assert json.loads((tmp_path / data["manifest"]).read_text())["runs"] == 60
    assert data["runs"] == 60 and data["portfolios"] == ["status_quo", "sanctions_listing"]
    headline = {(r["portfolio"], r["outcome"]): r for r in data["headline"]}
    spec_headline = set(data["outcomes"])
    assert {o for _, o in headline} == spec_headline
    row = headline[("sanctions_listing", "munitions_shipped")]
    assert row["diff_ci_low"] <= row["diff_mean"] <= row["diff_ci_high"]
    assert 0 <= row["p_better"] <= 1
    assert data["outcomes"]["munitions_shipped"]["better"] == "lower"
    assert [r["portfolio"] for r in data["ranking"]] and data["ranking"][0]["rank"] == 1
    # Progress on stderr as plain, time-stamped lines: no bar, no carriage returns.
    lines = done.stderr.splitlines()
    assert "\r" not in done.stderr
    assert all(re.match(r"\[ *\d+\.\ds\] ", line) for line in lines), lines
    text = "\n".join(lines)
    assert "Simulating 2 portfolios: 3 chunks (60 worlds)…" in text
    assert "Simulating 2 portfolios: 3/3 chunks (100%)" in text
    for stage in ("Loading", "Summarising 60 worlds × 2 portfolios…", "Writing tables…",
                  "Writing dashboard…", "Writing brief…"):
        assert stage in text, stage
    assert text.index("3/3 chunks") < text.index("Summarising") < text.index("Writing dash")


def test_on_a_terminal_a_bar_then_each_stage_on_its_own_line(short: Path,
                                                            tmp_path: Path) -> None:
    import pty

    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-c", "from axis_sim.cli import main; main(prog_name='axis-sim')",
         "run", str(short), "--portfolios", "warn_beijing", "--out", "t"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=600) == 0
    text = seen.decode()
    assert "[####" in text and "100%" in text  # click's bar
    assert "\nSummarising 60 worlds × 2 portfolios…" in text.replace("\r\n", "\n")
    assert "[  " not in text.replace("[####", "").replace("[----", "")  # no time stamps


def test_quiet_prints_the_folder_only(short: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["run", str(short), "--runs", "20", "--portfolios",
                                  "warn_beijing", "--quiet", "--out", str(tmp_path / "q")])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{tmp_path / 'q'}\n" and result.stderr == ""
    assert (tmp_path / "q" / "dashboard.html").is_file()
    result = runner.invoke(main, ["-q", "explain", str(short), "--runs", "20", "--portfolios",
                                  "warn_beijing", "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{tmp_path / 'e'}\n" and result.stderr == ""
    # Without --quiet the same runner's stderr has the progress lines again.
    result = runner.invoke(main, ["run", str(short), "--runs", "20", "--portfolios",
                                  "warn_beijing", "--out", str(tmp_path / "loud")])
    assert "Simulating 2 portfolios: 1/1 chunks (100%)" in result.stderr


def test_compare_json_with_quiet(short: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compare", str(short), "--runs", "40", "--portfolios",
                                       "sanctions_listing,warn_beijing", "--json", "-q",
                                       "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["results"] == str(tmp_path / "c")
    assert {r["portfolio"] for r in data["ranking"]} == {"status_quo", "sanctions_listing",
                                                         "warn_beijing"}
    shares = [r["first"] for r in data["first_in_weight_space"]]
    assert shares == sorted(shares, reverse=True) and abs(sum(shares) - 1) < 1e-6


def test_explain_and_dashboard_json(short: Path, tmp_path: Path) -> None:
    """`explain --json` gives its channels as records (the table's rows, not a summary), and
    `dashboard --json` the page it wrote; each is all of stdout."""
    result = CliRunner().invoke(main, ["explain", str(short), "--runs", "40", "--portfolios",
                                       "warn_beijing", "--json", "-q",
                                       "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["results"] == str(tmp_path / "e") and data["runs"] == 40
    table = pd.read_csv(tmp_path / "e" / "channels.csv")
    assert len(data["channels"]) == len(table) > 0
    first = data["channels"][0]
    row = table[(table["parameter"] == first["parameter"])
                & (table["outcome"] == first["outcome"])].iloc[0]
    assert first["effect"] == pytest.approx(row["effect"])

    run = CliRunner().invoke(main, ["run", str(short), "--runs", "40", "--portfolios",
                                    "warn_beijing", "-q", "--out", str(tmp_path / "r")])
    assert run.exit_code == 0, run.output
    page = tmp_path / "again.html"
    shown = CliRunner().invoke(main, ["dashboard", str(tmp_path / "r"), "--out", str(page),
                                      "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == {"dashboard": str(page),
                                        "results": [str(tmp_path / "r")]}
    assert page.stat().st_size > 100_000


def test_score_json_takes_bundled_names(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["score", "backtest_2022_02", "2022_02_to_2023_08",
                                       "--portfolio", "pursued", "--runs", "20", "--json",
                                       "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["results"] == str(tmp_path / "s") and Path(data["report"]).is_file()
    assert data["scenario"] == "backtest_2022_02"
    assert data["summary"]["questions"] > 0
    assert "Simulating 20 worlds" in result.stderr and "Summarising" in result.stderr


def test_backtest_outside_a_checkout_uses_the_bundled_registry(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no questions/origins.yaml here
    result = CliRunner().invoke(main, ["backtest", "--runs", "10", "--json", "--out", "bt"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert Path(data["registry"]) == bundled.registry()
    assert data["results"] == "bt" and (tmp_path / "bt" / "backtest.md").is_file()
    assert set(data["origins"]) == {"2016_01", "2019_01", "2022_02"}
    for origin in ("2016_01 (1 of 3)", "2019_01 (2 of 3)", "2022_02 (3 of 3)"):
        assert f"Origin {origin}" in result.stderr


# --- bundled names ------------------------------------------------------------------------------


def test_every_repository_scenario_and_question_set_is_bundled() -> None:
    assert bundled.scenarios_dir() == (ROOT / "scenarios").resolve()
    assert bundled.scenario_names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert bundled.question_set_names() == sorted(
        p.stem for p in (ROOT / "questions").glob("*.yaml") if p.stem != "origins")
    assert bundled.find_scenario("baseline") == bundled.find_scenario("baseline.yaml")
    assert bundled.find_scenario("../baseline") is None
    assert bundled.find_scenario("record_2015/dprk") is None  # a layer, not a scenario


def test_bundled_names_resolve_in_every_command(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").mkdir()  # a folder of that name does not hide the bundled file
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "baseline", "ukraine_ceasefire.yaml"])
    assert result.exit_code == 0, result.output
    assert "(baseline, 2023-09 + 36 months)" in result.output
    assert "(ukraine_ceasefire, " in result.output
    game = tmp_path / "g.json"
    result = runner.invoke(main, ["seminar", "new", "provocation_spiral", "--game", str(game)])
    assert result.exit_code == 0, result.output
    stored = json.loads(dump_game(GameStore(game).head()[1]))  # the game database's head
    assert stored["scenario"]["meta"]["name"] == "provocation_spiral"
    result = runner.invoke(main, ["run", "no_such_scenario"])
    assert result.exit_code == 2
    assert "no such file, and no bundled scenario of that name" in result.output
    assert "baseline" in result.output
    result = runner.invoke(main, ["score", "baseline", "no_such_questions"])
    assert result.exit_code == 2 and "no bundled question set" in result.output
    import axis_sim

    assert axis_sim.load_scenario("baseline").meta.name == "baseline"


def test_a_file_wins_over_a_bundled_name(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline").write_text(f"extends: {BASELINE}\n" + SHORT.format(name="mine"))
    result = CliRunner().invoke(main, ["run", "baseline", "--runs", "20", "--portfolios",
                                       "warn_beijing", "--json", "-q", "--out", "o"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenario"] == "mine"


def test_scenarios_list_show_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    listed = json.loads(runner.invoke(main, ["scenarios", "list", "--json"]).stdout)
    names = {(e["kind"], e["name"]) for e in listed}
    assert ("scenario", "baseline") in names and ("questions", "2016_01_to_2017_12") in names
    assert all(Path(e["path"]).is_file() and e["title"] for e in listed)
    text = runner.invoke(main, ["scenarios", "list"]).stdout
    assert "A renewed axis" in text and "[extends baseline.yaml]" in text
    shown = runner.invoke(main, ["scenarios", "show", "baseline"])
    assert shown.stdout == (ROOT / "scenarios" / "baseline.yaml").read_text()
    assert runner.invoke(main, ["scenarios", "show", "nope"]).exit_code == 2

    # A variant and its parent; then a backtest with its record_2015 layers, into a folder.
    result = runner.invoke(main, ["scenarios", "copy", "china_joins_axis", "mine.yaml"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "baseline.yaml").read_text() == BASELINE.read_text()
    result = runner.invoke(main, ["scenarios", "copy", "backtest_2016_01", "work/"])
    assert result.exit_code == 0, result.output
    for layer in ("allies_china", "dprk", "russia_options"):
        assert (tmp_path / "work" / "record_2015" / f"{layer}.yaml").is_file()
    result = runner.invoke(main, ["validate", "mine.yaml", "work/backtest_2016_01.yaml"])
    assert result.exit_code == 0, result.output
    assert "mine.yaml: ok (china_joins_axis" in result.output
    # An edited parent is not overwritten silently.
    (tmp_path / "baseline.yaml").write_text("# mine\n" + BASELINE.read_text())
    result = runner.invoke(main, ["scenarios", "copy", "ukraine_ceasefire"])
    assert result.exit_code == 2 and "baseline.yaml exists and differs" in result.output
    assert not (tmp_path / "ukraine_ceasefire.yaml").exists()
    result = runner.invoke(main, ["scenarios", "copy", "ukraine_ceasefire", "--force"])
    assert result.exit_code == 0
    assert (tmp_path / "baseline.yaml").read_text() == BASELINE.read_text()
    # A question set copies alone.
    result = runner.invoke(main, ["scenarios", "copy", "2022_02_to_2023_08", "q/"])
    assert result.exit_code == 0 and (tmp_path / "q" / "2022_02_to_2023_08.yaml").is_file()


# --- shell completion ---------------------------------------------------------------------------


def complete(words: str, cwd: Path) -> list[str]:
    """What click's bash completion offers for the command line `words` (cursor at the end)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "_AXIS_SIM_COMPLETE": "bash_complete",
           "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    done = subprocess.run([sys.executable, "-c", "from axis_sim.cli import main; "
                           "main(prog_name='axis-sim')"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_completion_offers_scenarios_and_portfolios(tmp_path: Path) -> None:
    offered = complete("axis-sim run ba", tmp_path)
    assert "plain,baseline" in offered and "plain,backtest_2016_01" in offered
    assert offered[0] == "file,ba"  # files too, first: bash's script drops replies before it
    offered = complete("axis-sim run baseline --portfolios sanctions_listing,wa", tmp_path)
    assert offered == ["plain,sanctions_listing,warn_beijing"]
    offered = complete("axis-sim compare baseline --portfolios ", tmp_path)
    for name in ("all", "status_quo", "sanctions_listing", "allied_package", "full_press"):
        assert f"plain,{name}" in offered
    offered = complete("axis-sim explain baseline --portfolios warn_beijing+pub", tmp_path)
    assert offered == ["plain,warn_beijing+public_disclosure"]
    assert "plain,2022_02_to_2023_08" in complete("axis-sim score baseline 2022", tmp_path)
    assert complete("axis-sim scenarios copy china", tmp_path) == ["plain,china_joins_axis"]
