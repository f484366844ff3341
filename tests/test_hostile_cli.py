"""The command line under abuse (issue 19): every bad value is one `Error:` line and exit 2
before anything is simulated; output folders are checked before the run; a disk that refuses
the results is one line and exit 2 with nothing half-written; error lines are clipped; the
manifest is strict JSON; Markdown carries no HTML from the scenario."""

from __future__ import annotations

import errno
import json
import os
import re
import socket
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import axis_sim.api
import axis_sim.scoring
from axis_sim.cli import main
from axis_sim.cli_common import check_scheduler
from axis_sim.console import MAX_LINE, clip
from axis_sim.experiment import plan as plan_module
from axis_sim.experiment.output import manifest_json
from axis_sim.experiment.plan import MAX_WORLDS, PlanTooLarge, check_size
from axis_sim.scenario.schema import Scenario
from tests.conftest import BASELINE, ROOT

STAMP = re.compile(r"^\[\s*\d+\.\d+s\] ")  # a progress line on stderr (not a terminal)


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    """A 3-month variant of the baseline with 60 worlds in chunks of 20."""
    path = tmp_path / "tiny.yaml"
    path.write_text(f"extends: {BASELINE}\n"
                    "meta:\n  name: tiny\n  horizon_months: 3\n"
                    "experiment:\n  runs: 60\n  chunk_size: 20\n  sample_worlds: 5\n")
    return path


@pytest.fixture()
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to simulate fails the test: bad values must be refused before."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("simulation started")

    monkeypatch.setattr(axis_sim.api, "run", refuse)
    monkeypatch.setattr(axis_sim.scoring, "score", refuse)
    # The same limits on any machine: 16 GiB.
    monkeypatch.setattr(plan_module, "memory_bytes", lambda: 16 * 2**30)


def error_lines(result: Result) -> list[str]:
    """stderr without its progress lines."""
    return [line for line in result.stderr.splitlines() if not STAMP.match(line)]


def assert_one_line_error(result: Result, expected: str) -> str:
    """Exit 2, exactly one line on stderr besides progress, containing `expected`."""
    lines = error_lines(result)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert len(lines) == 1, lines
    assert "Traceback" not in result.output
    assert expected in lines[0], lines[0]
    return lines[0]


def refused_port() -> int:
    """A local port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


BAD_RUN_VALUES = [
    (["--runs", "1000000000000"], "--runs: 1,000,000,000,000 worlds are too many: at most"),
    (["--runs", "1000000", "--chunk-size", "1000000"], "--chunk-size: chunks of 1,000,000"),
    (["--until-precise", "nan"], "must be a finite number above 0"),
    (["--until-precise", "inf"], "must be a finite number above 0"),
    (["--until-precise", "0"], "must be a finite number above 0"),
    (["--until-precise", "-0.5"], "must be a finite number above 0"),
    (["--until-precise", "0.1", "--max-runs", "40"], "below the 60 worlds"),
    (["--until-precise", "0.1", "--max-runs", "1000000000000"], "--max-runs: 1,000,000,000,000"),
    (["--max-runs", "500"], "it limits --until-precise"),
    (["--weight", "lethal_incidents=1e308"], "from 0 to 1,000,000"),
    (["--weight", "lethal_incidents=nan"], "from 0 to 1,000,000"),
    (["--weight", "lethal_incidents=inf"], "from 0 to 1,000,000"),
    (["--weight", "lethal_incidents=-1"], "from 0 to 1,000,000"),
    (["--weight", "lethal_incidents=lots"], "is not a number"),
    (["--weight", "lethal_incident=2"], "did you mean 'lethal_incidents'"),
    (["--scheduler", "not a url", "--executor", "dask"], "is not a scheduler address"),
    (["--scheduler", "tcp://127.0.0.1:99999", "--executor", "dask"], "not a scheduler address"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "only with --executor dask"),
    (["--jobs", "100000"], "is not between 1 and"),
    (["--runs", "6000000", "--sample-worlds", "5000000"], "--sample-worlds: 5,000,000 sample"),
]


@pytest.mark.parametrize(("args", "expected"), BAD_RUN_VALUES)
def test_bad_values_are_one_line_before_any_simulation(
        tiny: Path, tmp_path: Path, no_simulation: None, args: list[str],
        expected: str) -> None:
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", str(tmp_path / "out"), *args])
    assert_one_line_error(result, expected)
    assert not (tmp_path / "out").exists()


def test_a_sensitivity_design_too_large_is_refused(tiny: Path, no_simulation: None) -> None:
    result = CliRunner().invoke(main, ["compare", str(tiny), "--sensitivity", "sobol",
                                       "--sensitivity-samples", "100000000"])
    assert_one_line_error(result, "--sensitivity-samples: 100,000,000 samples × ")


def test_an_unreachable_scheduler_is_refused_at_once(tiny: Path, no_simulation: None) -> None:
    address = f"tcp://127.0.0.1:{refused_port()}"
    result = CliRunner().invoke(main, ["compare", str(tiny), "--executor", "dask",
                                       "--scheduler", address])
    line = assert_one_line_error(result, f"cannot reach the scheduler at {address}")
    assert "waited up to 3 s" in line


def test_a_server_that_is_not_a_scheduler_is_refused() -> None:
    """Something listens but never greets (a web server waits for its client): refused, where
    Dask's own client would wait for ever."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(click.BadParameter, match="did not answer as a Dask scheduler"):
            check_scheduler(address, "dask", connect_seconds=0.5)


def test_dask_without_distributed_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("axis_sim.cli_common.importlib.util.find_spec", lambda name: None)
    with pytest.raises(click.BadParameter, match="pip install 'axis-sim\\[dask\\]'"):
        check_scheduler(None, "dask")
    check_scheduler(None, "local")  # the local executor needs nothing more


def test_a_dask_scheduler_passes_the_check() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:
        import dask.config

        before = dask.config.get("distributed.comm.timeouts.connect")
        try:
            check_scheduler(cluster.scheduler_address, "dask")
            assert dask.config.get("distributed.comm.timeouts.connect") == "3s"
        finally:  # the check shortens Dask's connect timeout for the process: only here
            dask.config.set({"distributed.comm.timeouts.connect": before})


def test_out_under_a_file_is_refused_before_simulating(tiny: Path, tmp_path: Path,
                                                       no_simulation: None) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("keep me")
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", str(blocker / "sub")])
    assert_one_line_error(result, f"cannot write in {blocker}: a file is in the way")
    assert blocker.read_text() == "keep me"


def test_out_under_proc_is_refused_before_simulating(tiny: Path, no_simulation: None) -> None:
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc")
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", "/proc/axis-sim/run"])
    assert_one_line_error(result, "--out: cannot write in /proc/axis-sim")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes in read-only folders")
def test_out_in_a_read_only_folder_is_refused(tiny: Path, tmp_path: Path,
                                              no_simulation: None) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", str(locked / "run")])
    assert_one_line_error(result, f"cannot write in {locked}: Permission denied")


def test_a_read_only_disk_is_refused_before_simulating(
        tiny: Path, tmp_path: Path, no_simulation: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As root a read-only folder is writable, so the disk's refusal is simulated at the
    probe's write."""
    def read_only(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("axis_sim.cli_common.tempfile.mkstemp", read_only)
    result = CliRunner().invoke(main, ["run", str(tiny), "--out", str(tmp_path / "r" / "x")])
    assert_one_line_error(result, "cannot write in")
    assert "Read-only file system" in result.stderr


def test_a_huge_value_gives_a_clipped_line(tiny: Path, no_simulation: None) -> None:
    result = CliRunner().invoke(main, ["run", str(tiny), "--portfolios", "x" * 900_000])
    line = assert_one_line_error(result, "unknown portfolio")
    assert len(line) <= MAX_LINE and "xx…" in line
    assert line.endswith("or options joined by '+'")  # the end (what is allowed) is kept


def test_control_characters_in_errors_are_shown_not_sent(tiny: Path,
                                                         no_simulation: None) -> None:
    result = CliRunner().invoke(main, ["run", str(tiny), "--portfolios", "\x1b[2Jgone\x00"])
    assert_one_line_error(result, "\\x1b[2Jgone\\x00")
    assert "\x1b" not in result.stderr and "\x00" not in result.stderr


@pytest.mark.parametrize("args", [["run", "baseline", "--out", "a\x00b"],
                                  ["dashboard", "results\x00"],
                                  ["scenarios", "copy", "baseline", "d\x00"]])
def test_a_nul_in_a_path_is_a_usage_error(args: list[str], no_simulation: None) -> None:
    assert_one_line_error(CliRunner().invoke(main, args), "a path cannot hold a NUL character")


def test_clip() -> None:
    assert clip("short") == "short"
    long = clip("start " + "y" * 10_000 + " end\nnext")
    first, second = long.split("\n")
    assert len(first) == MAX_LINE and second == "next"
    assert first.startswith("start y") and first.endswith("y end") and "y…y" in first
    many = clip("\n".join(str(i) for i in range(1000))).split("\n")
    assert len(many) == 60 and many[-1] == "… 941 more lines"


def test_a_full_disk_is_one_line_and_leaves_nothing(
        tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "results" / "x"

    def full(result: Any, path: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

    monkeypatch.setattr("axis_sim.experiment.output.write_brief", full)
    result = CliRunner().invoke(main, ["run", str(tiny), "--runs", "20", "--portfolios",
                                       "status_quo", "--out", str(out)])
    line = assert_one_line_error(result, f"axis-sim: cannot write {out}")
    assert "no space left on device" in line.lower()
    assert not out.exists()
    # No half-written folder; the saved chunks stay, so a rerun after freeing space resumes.
    left = [p.name for p in (tmp_path / "results").iterdir()]
    assert not [name for name in left if "partial" in name or name.startswith("x")], left


def test_manifest_is_strict_json() -> None:
    text = manifest_json({"until_precise": {"target": 0.1, "reached": float("inf")},
                          "values": [float("nan"), 1.5]})

    def refuse(name: str) -> None:
        raise ValueError(name)

    data = json.loads(text, parse_constant=refuse)
    assert data == {"until_precise": {"target": 0.1, "reached": None}, "values": [None, 1.5]}


def test_plan_size_is_bounded_by_memory_and_a_hard_cap(baseline: Scenario) -> None:
    with pytest.raises(PlanTooLarge) as err:
        check_size(baseline, 10**7, 500, 6, memory=2**30)
    assert err.value.field == "runs" and 0 < err.value.limit < 10**7
    check_size(baseline, err.value.limit, 500, 6, memory=2**30)  # the limit itself fits
    with pytest.raises(PlanTooLarge, match="the hard cap"):
        check_size(baseline, MAX_WORLDS + 1, 500, 1, memory=2**60)
    with pytest.raises(PlanTooLarge) as chunk:
        check_size(baseline, 50_000, 10_000, 6, memory=2**28)
    assert chunk.value.field == "chunk_size"
    with pytest.raises(PlanTooLarge) as kept:  # every world's months kept, as scoring does
        check_size(baseline, 100_000, 500, 6, memory=2**30, sample_worlds=100_000)
    assert kept.value.field == "runs" and kept.value.limit < 100_000
    check_size(baseline, 100_000, 500, 6, memory=2**30, sample_worlds=200)


def test_chunks_are_bounded_by_the_procurement_network(baseline: Scenario) -> None:
    """The loader bounds entities × the scenario's chunk size; --chunk-size is bounded too."""
    actors = {actor: dict(params) for actor, params in baseline.actors.items()}
    actors["Russia"]["procurement_entities"] = actors["Russia"]["procurement_entities"] \
        .model_copy(update={"value": 5000.0})
    wide = baseline.model_copy(update={"actors": actors})
    with pytest.raises(PlanTooLarge, match="5,000 procurement entities") as err:
        check_size(wide, 10_000, 5_000, 1, memory=2**50)
    assert (err.value.field, err.value.limit) == ("chunk_size", 4_000)
    check_size(wide, 10_000, 4_000, 1, memory=2**50)


BACKTEST = ROOT / "scenarios" / "backtest_2022_02.yaml"
QUESTIONS = ROOT / "questions" / "2022_02_to_2023_08.yaml"


def test_score_portfolio_all_is_refused(no_simulation: None) -> None:
    result = CliRunner().invoke(main, ["score", str(BACKTEST), str(QUESTIONS),
                                       "--portfolio", "all"])
    assert_one_line_error(result, "--portfolio: 'all' names")


def test_score_checks_the_default_folder_before_simulating(
        tmp_path: Path, no_simulation: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("results").write_text("a file where the results folder would go")
    result = CliRunner().invoke(main, ["score", str(BACKTEST), str(QUESTIONS)])
    assert_one_line_error(result, "cannot write in results: a file is in the way")


def test_score_does_not_overwrite_a_report_without_force(tmp_path: Path) -> None:
    out = tmp_path / "score"
    out.mkdir()
    (out / "score.html").write_text("the earlier report")
    args = ["score", str(BACKTEST), str(QUESTIONS), "--runs", "10", "--out", str(out)]
    refused = CliRunner().invoke(main, args)
    assert_one_line_error(refused, "already holds score.html")
    assert (out / "score.html").read_text() == "the earlier report"
    forced = CliRunner().invoke(main, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "the earlier report" not in (out / "score.html").read_text()


def test_brief_md_from_a_hostile_scenario_has_no_html(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(
        f"extends: {BASELINE}\n"
        "meta:\n  name: hostile\n  horizon_months: 3\n"
        "  title: \"Brief <script>alert(1)</script> <img src=x onmouseover=alert(2)> "
        "[x](javascript:alert(3))\"\n"
        "experiment:\n  runs: 20\n  chunk_size: 20\n  sample_worlds: 2\n"
        "options:\n  sanctions_listing:\n    label: \"Listing <b onmouseover=alert(4)>\"\n",
        encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["run", str(path), "--portfolios", "sanctions_listing",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    brief = (out / "brief.md").read_text(encoding="utf-8")
    assert "<" not in brief  # no tag, so no attribute such as onmouseover can act
    assert "&lt;img src=x onmouseover=alert(2)&gt;" in brief
    assert "](javascript" not in brief and "[x]\\(javascript:alert(3))" in brief
    # Control characters never get this far: the loader refuses them in scenario text
    # (tests/test_hostile_scenarios.py); markdown.py strips them too (test_markdown_escape.py).


def test_extends_outside_the_tree_needs_allow_outside(tiny: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    child = work / "child.yaml"
    child.write_text(f"extends: {tiny}\nmeta:\n  name: child\n")  # tiny is outside work/
    refused = CliRunner().invoke(main, ["validate", str(child)])
    assert refused.exit_code == 2 and "--allow-outside" in refused.stderr
    assert "Traceback" not in refused.output
    allowed = CliRunner().invoke(main, ["validate", "--allow-outside", str(child)])
    assert allowed.exit_code == 0, allowed.output
    assert "ok (child" in allowed.output
    for command in ("run", "compare", "explain", "score"):
        help_text = CliRunner().invoke(main, [command, "--help"]).output
        assert "--allow-outside" in help_text, command


def test_clean_is_a_command() -> None:
    result = CliRunner().invoke(main, ["clean", "--help"])
    assert result.exit_code == 0 and "--dry-run" in result.output


def test_in_a_real_process_a_bad_value_is_one_line(tiny: Path, tmp_path: Path) -> None:
    """The console script as a user runs it: exit 2, one `Error:` line, no traceback."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", "from axis_sim.cli import main; "
                           "main(prog_name='axis-sim')", "run", str(tiny), "--runs",
                           "1000000000000", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if not STAMP.match(line)]
    assert len(lines) == 1 and lines[0].startswith("Error: Invalid value for --runs: "), lines
    assert done.stdout == "" and not (tmp_path / "out").exists()


OPTIONS = ["--runs", "--seed", "--until-precise", "--max-runs", "--weight", "--portfolios",
           "--set", "--chunk-size", "--sample-worlds", "--jobs", "--scheduler", "--sampling"]
VALUES = st.one_of(
    st.sampled_from(["0", "-1", "nan", "inf", "-inf", "1e308", "1e-308", "1000000000000",
                     "2.7", "", " ", "true", "lethal_incidents=nan", "x=1", "all", "a+b",
                     "warn_beijing:intensity=nan", "warn_beijing:duration=inf", "tcp://:0",
                     "tcp://999.1.1.1:1", "\x1b[2J", "../../etc/passwd", "%s%n"]),
    st.text(max_size=40),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(OPTIONS), VALUES), min_size=1, max_size=3))
def test_any_option_values_give_one_line_or_a_run(tiny: Path, tmp_path: Path,
                                                  no_simulation: None,
                                                  pairs: list[tuple[str, str]]) -> None:
    """Whatever values the options get: a one-line error with exit 2, or a simulation that
    starts (refused here by `no_simulation`), never a traceback of anything else."""
    args = ["run", str(tiny), "--out", str(tmp_path / "out")]
    for option, value in pairs:
        args += [option, value]
    result = CliRunner().invoke(main, args)
    if isinstance(result.exception, AssertionError):
        assert str(result.exception) == "simulation started"
        return
    assert result.exit_code == 2, (args, result.output, result.exception)
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith("Error: "), (args, lines)
    assert all(len(line) <= MAX_LINE for line in lines)
