"""Reading a results folder back: `load_results` rebuilds the very `RunResult` that was written."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

import axis_sim
from axis_sim.experiment.load import OPTIONAL_TABLES, TABLES, ResultsError, load_results
from axis_sim.experiment.output import write_results
from axis_sim.experiment.results import RunResult
from axis_sim.report.dashboard import render_dashboard
from axis_sim.scenario.schema import Scenario

WORLDS = 60
MONTHS = 6
OPTIONS = ["sanctions_listing", "public_disclosure"]
ALL_TABLES = (*TABLES, *OPTIONAL_TABLES)


@pytest.fixture(scope="module")
def result(baseline: Scenario) -> RunResult:
    """A small run of the baseline: 6 months, 60 worlds, two options."""
    meta = baseline.meta.model_copy(update={"horizon_months": MONTHS})
    scenario = baseline.model_copy(update={"meta": meta})
    return axis_sim.run(scenario, runs=WORLDS, options=OPTIONS, seed=11)


@pytest.fixture(scope="module")
def folder(result: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run written by `write_results`."""
    return write_results(result, folder=tmp_path_factory.mktemp("results") / "r")


@pytest.fixture(scope="module")
def loaded(folder: Path) -> RunResult:
    """The folder read back."""
    return load_results(folder)


@pytest.fixture
def copy(folder: Path, tmp_path: Path) -> Path:
    """A private copy of the results folder, free to damage."""
    return Path(shutil.copytree(folder, tmp_path / "copy"))


def _manifest(path: Path) -> dict:
    return json.loads((path / "manifest.json").read_text(encoding="utf-8"))


def test_every_table_round_trips(result: RunResult, loaded: RunResult) -> None:
    assert {f.name for f in fields(RunResult)} == {*ALL_TABLES, "scenario", "manifest", "files",
                                                   "scratch"}
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(result, name),
                                      obj=name)


def test_scenario_manifest_and_files_round_trip(result: RunResult, loaded: RunResult) -> None:
    assert loaded.scenario == result.scenario
    assert loaded.manifest == result.manifest
    assert "files" not in loaded.manifest
    assert loaded.files == result.files  # write_results sets them on the result it wrote
    assert loaded.files["events"] == "events.parquet"
    assert loaded.portfolios == result.portfolios


def test_events_have_the_types_summarize_gives(result: RunResult, loaded: RunResult) -> None:
    for column in ("portfolio", "actor", "event"):
        assert isinstance(loaded.events[column].dtype, pd.CategoricalDtype), column
        assert list(loaded.events[column].cat.categories) == list(
            result.events[column].cat.categories)


def test_dashboard_from_folder_is_identical(result: RunResult, loaded: RunResult,
                                            folder: Path) -> None:
    page = render_dashboard(loaded)
    assert page == (folder / "dashboard.html").read_text(encoding="utf-8")
    assert page == render_dashboard(result)


def test_string_event_columns_are_normalised(copy: Path, result: RunResult) -> None:
    events = pd.read_parquet(copy / "events.parquet")
    plain = events.astype({c: str for c in ("portfolio", "actor", "event")})
    plain.to_parquet(copy / "events.parquet", index=False)
    assert not isinstance(pd.read_parquet(copy / "events.parquet")["actor"].dtype,
                          pd.CategoricalDtype)
    pd.testing.assert_frame_equal(load_results(copy).events, result.events)


def test_sensitivity_absent_is_empty_and_present_is_read(copy: Path, loaded: RunResult) -> None:
    assert "sensitivity" not in loaded.files
    assert loaded.sensitivity.empty
    table = pd.DataFrame({"method": ["morris"], "portfolio": ["sanctions_listing"],
                          "outcome": ["composite_score"],
                          "parameter": ["context.ceasefire_hazard"], "mu_star": [0.25]})
    table.to_parquet(copy / "sensitivity.parquet", index=False)
    manifest = _manifest(copy)
    manifest["files"]["sensitivity"] = "sensitivity.parquet"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pd.testing.assert_frame_equal(load_results(str(copy)).sensitivity, table)


def test_derived_files_are_not_needed(copy: Path, result: RunResult) -> None:
    (copy / "dashboard.html").unlink()
    (copy / "brief.md").unlink()
    (copy / "outcomes.csv").unlink()
    pd.testing.assert_frame_equal(load_results(copy).outcomes, result.outcomes)


# --- errors ------------------------------------------------------------------------------------


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="does not exist"):
        load_results(tmp_path / "nowhere")


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.parquet"
    path.write_bytes(b"x")
    with pytest.raises(ResultsError, match="is not a folder"):
        load_results(path)


def test_random_folder_is_not_a_results_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(ResultsError,
                       match=r"is not an axis-sim results folder \(no manifest\.json\)"):
        load_results(tmp_path)


def test_partial_folder_is_not_a_results_folder(copy: Path) -> None:
    """An interrupted run leaves its tables in `.partial` but never the manifest."""
    partial = copy.rename(copy.parent / ".r.abc123.partial")
    (partial / "manifest.json").unlink()
    with pytest.raises(ResultsError, match="not an axis-sim results folder"):
        load_results(partial)


def test_manifest_not_json(copy: Path) -> None:
    (copy / "manifest.json").write_text('{"scenario": ', encoding="utf-8")
    with pytest.raises(ResultsError, match="is not valid JSON"):
        load_results(copy)


def test_manifest_not_an_object(copy: Path) -> None:
    (copy / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ResultsError, match="not a JSON object"):
        load_results(copy)


def test_listed_table_missing(copy: Path) -> None:
    (copy / "events.parquet").unlink()
    with pytest.raises(ResultsError, match=r"events\.parquet listed in manifest\.json is missing"):
        load_results(copy)


def test_table_not_listed(copy: Path) -> None:
    manifest = _manifest(copy)
    del manifest["files"]["monthly"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ResultsError, match=r"lists no file for table.*monthly"):
        load_results(copy)


def test_manifest_without_scenario(copy: Path) -> None:
    manifest = _manifest(copy)
    del manifest["scenario"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ResultsError, match="does not hold the run's scenario"):
        load_results(copy)


def test_manifest_with_invalid_scenario(copy: Path) -> None:
    manifest = _manifest(copy)
    manifest["scenario"]["meta"]["horizon_months"] = -3
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ResultsError, match=r"invalid scenario .*meta\.horizon_months"):
        load_results(copy)


def test_damaged_parquet(copy: Path) -> None:
    (copy / "ranking.parquet").write_bytes(b"not parquet")
    with pytest.raises(ResultsError, match=r"ranking\.parquet cannot be read as Parquet"):
        load_results(copy)


def test_manifest_without_files_uses_the_usual_names(copy: Path, loaded: RunResult) -> None:
    manifest = _manifest(copy)
    del manifest["files"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    again = load_results(copy)
    # The decision tables are optional (older folders lack them) and found when present.
    assert again.files == {name: f"{name}.parquet" for name in ALL_TABLES
                           if name in TABLES or (copy / f"{name}.parquet").is_file()}
    assert {"acceptability", "pareto"} <= set(again.files)
    pd.testing.assert_frame_equal(again.events, loaded.events)


@pytest.mark.parametrize("files", [["outcomes.parquet"], {"outcomes": "../outcomes.parquet"},
                                   {"outcomes": 3}])
def test_malformed_files_entry(copy: Path, files: object) -> None:
    manifest = _manifest(copy)
    manifest["files"] = files
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ResultsError, match=r"malformed \"files\" entry"):
        load_results(copy)
