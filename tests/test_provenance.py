"""Provenance and outputs: the manifest has every field, each file carries the run id, an empty
table keeps its column types, `catalogue.csv` is in every folder, and CSV written by pyarrow
holds what pandas wrote."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from axis_sim.api import load_results, run, write_results
from axis_sim.experiment.load import TABLES
from axis_sim.experiment.output import CATALOGUE_COLUMNS, write_explanation
from axis_sim.experiment.plan import plan
from axis_sim.experiment.provenance import RESULT_SHAPING, git_state
from axis_sim.experiment.runner import execute
from axis_sim.experiment.store import ChunkStore
from axis_sim.experiment.summarize import Collector
from axis_sim.experiment.tables import FIXED
from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.schema import Scenario
from tests.conftest import ROOT

VARIANT = ROOT / "scenarios" / "ukraine_ceasefire.yaml"  # extends baseline.yaml
EXECUTION = {"jobs", "executor", "scheduler", "resumed", "resumed_chunks", "compute_seconds",
             "wall_seconds", "design"}
PROVENANCE = {"run_id", "git", "command", "argv", "scenario_source", "extensions", "versions",
              "package_version", "python", "created", "scenario_hash", "scenario"}


def _short(scenario: Scenario, months: int = 6) -> Scenario:
    meta = scenario.meta.model_copy(update={"horizon_months": months})
    experiment = scenario.experiment.model_copy(update={"chunk_size": 20, "sample_worlds": 5})
    return scenario.model_copy(update={"meta": meta, "experiment": experiment})


@pytest.fixture(scope="module")
def variant() -> Scenario:
    return load_scenario(VARIANT)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_has_every_field(variant: Scenario) -> None:
    edited = variant.with_option("sanctions_listing", intensity=0.5)
    result = run(edited, runs=40, seed=3, options=["sanctions_listing"])
    m = result.manifest
    assert set(m) >= EXECUTION | PROVENANCE
    assert re.fullmatch(r"ukraine_ceasefire-[0-9a-f]{12}", m["run_id"])
    source = m["scenario_source"]
    assert source["loaded_from"] == str(VARIANT)
    assert [(f["role"], Path(f["absolute"]).name) for f in source["files"]] == [
        ("scenario", "ukraine_ceasefire.yaml"), ("extends", "baseline.yaml")]
    for record in source["files"]:  # the hash of each file as it is on disk
        assert record["sha256"] == _sha(Path(record["absolute"]))
    assert source["edits"] == ["with_option('sanctions_listing', intensity=0.5)"]
    assert source["changed_after_loading"] is False
    assert set(RESULT_SHAPING) - {"scikit-learn"} <= set(m["versions"])
    assert (m["jobs"], m["executor"], m["scheduler"]) == (1, "local", None)
    assert m["resumed"] is False and m["resumed_chunks"] == 0
    assert 0 < m["compute_seconds"] <= m["wall_seconds"]
    assert m["command"] and isinstance(m["argv"], list)
    if (ROOT / ".git").exists():  # a checkout: the commit of the code that ran
        assert re.fullmatch(r"[0-9a-f]{40}", m["git"]["commit"])
        assert m["git"] == git_state()
    json.dumps(m)  # all of it is JSON


def test_a_scenario_changed_without_the_editing_api_says_so(variant: Scenario) -> None:
    result = run(_short(variant), runs=10, options=[])
    assert result.manifest["scenario_source"]["changed_after_loading"] is True


def test_run_id_names_the_numbers(variant: Scenario) -> None:
    short = _short(variant)
    one = run(short, runs=60, seed=1, options=["warn_beijing"])
    two = run(short, runs=60, seed=1, options=["warn_beijing"], jobs=2)
    other = run(short, runs=60, seed=2, options=["warn_beijing"])
    assert one.manifest["run_id"] == two.manifest["run_id"] != other.manifest["run_id"]


def test_a_resumed_run_says_so(variant: Scenario, tmp_path: Path) -> None:
    short = _short(variant)
    the_plan = plan(short, runs=60, seed=5, portfolios=["warn_beijing"])
    ChunkStore(tmp_path, the_plan).save(next(execute(the_plan)))
    resumed = run(short, runs=60, seed=5, options=["warn_beijing"], checkpoint=tmp_path)
    fresh = run(short, runs=60, seed=5, options=["warn_beijing"])
    assert resumed.manifest["resumed"] is True and resumed.manifest["resumed_chunks"] == 1
    pd.testing.assert_frame_equal(resumed.outcomes, fresh.outcomes)


@pytest.fixture(scope="module")
def written(variant: Scenario, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    result = run(_short(variant), runs=40, seed=4,
                 options=["sanctions_listing", "warn_beijing",
                          "sanctions_listing+warn_beijing"])
    folder = write_results(result, folder=tmp_path_factory.mktemp("w") / "run")
    return result, folder


def test_every_table_file_starts_with_the_run_id(written: tuple) -> None:
    result, folder = written
    run_id = result.manifest["run_id"]
    files = json.loads((folder / "manifest.json").read_text())["files"]
    tables = [name for name in files.values() if name.endswith((".parquet", ".csv"))
              and name != "catalogue.csv"]
    assert len(tables) >= len(TABLES)
    for name in tables:
        if name.endswith(".parquet"):
            frame = pd.read_parquet(folder / name)
        else:
            frame = pd.read_csv(folder / name)
        assert frame.columns[0] == "run_id", name
        assert set(frame["run_id"]) <= {run_id}, name
    # Read back, the result has the tables the run returned (the id is in the manifest).
    loaded = load_results(folder)
    pd.testing.assert_frame_equal(loaded.outcomes, result.outcomes)
    pd.testing.assert_frame_equal(loaded.comparison, result.comparison)


def test_the_catalogue_says_what_each_outcome_means(written: tuple, variant: Scenario) -> None:
    _, folder = written
    catalogue = pd.read_csv(folder / "catalogue.csv", keep_default_na=False, na_values=[""])
    assert list(catalogue.columns) == list(CATALOGUE_COLUMNS)
    assert {"outcome", "label", "unit", "direction", "weight"} <= set(catalogue.columns)
    assert list(catalogue["outcome"]) == list(variant.outcomes)
    row = catalogue.set_index("outcome").loc["munitions_shipped"]
    spec = variant.outcomes["munitions_shipped"]
    assert (row["label"], row["unit"], row["direction"]) == (spec.label, spec.unit, spec.better)
    assert row["weight"] == spec.weight and bool(row["headline"]) is spec.headline
    assert set(catalogue["direction"]) <= {"lower", "higher"}


def test_an_explanation_folder_has_a_catalogue_and_run_ids(written: tuple,
                                                           tmp_path: Path) -> None:
    result, _ = written
    channels = pd.DataFrame({column: pd.Series([], dtype=dtype)
                             for column, dtype in FIXED["channels"].items()})
    folder = write_explanation(channels, result.manifest, folder=tmp_path / "explain")
    assert (folder / "catalogue.csv").is_file()
    assert pd.read_parquet(folder / "channels.parquet").columns[0] == "run_id"


def test_empty_tables_keep_their_column_types(variant: Scenario, tmp_path: Path) -> None:
    """Status quo alone: no interactions, trade-offs, overlaps, drivers or failure conditions,
    and no sample worlds — every such table still has its columns and types, on disk too."""
    result = run(_short(variant), runs=20, seed=1, options=[], sample_worlds=0)
    empty = [name for name in ("interactions", "tradeoffs", "overlaps", "drivers", "failures",
                               "trajectories", "events") if getattr(result, name).empty]
    assert {"interactions", "tradeoffs", "drivers", "failures", "trajectories",
            "events"} <= set(empty)
    for name in empty:
        frame = getattr(result, name)
        assert len(frame.columns), name
        assert not any(t == "object" for t in frame.dtypes.astype(str)), (name, frame.dtypes)
        if name in FIXED:
            assert {c: str(t) for c, t in frame.dtypes.items()} == {
                c: str(pd.Series([], dtype=t).dtype) for c, t in FIXED[name].items()}, name
    folder = write_results(result, folder=tmp_path / "run")
    for name in empty:
        schema = pq.read_schema(folder / f"{name}.parquet")
        assert not any(pa.types.is_null(field.type) for field in schema), (name, schema)
    loaded = load_results(folder)
    for name in empty:
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(result, name),
                                      check_index_type=False)


def test_csv_written_by_pyarrow_holds_what_pandas_wrote(written: tuple) -> None:
    result, folder = written
    for name in ("outcomes", "comparison", "ranking", "acceptability", "central_weights",
                 "pareto", "tradeoffs", "interactions", "drivers", "failures", "monthly"):
        frame = getattr(result, name)
        ours = pd.read_csv(folder / f"{name}.csv").drop(columns="run_id")
        theirs = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True, check_dtype=False,
                                      obj=name)


def test_a_large_runs_copied_tables_carry_the_run_id(variant: Scenario, tmp_path: Path) -> None:
    the_plan = plan(_short(variant), runs=50, seed=2, portfolios=["warn_beijing"])
    collector = Collector(the_plan, tmp_path / "scratch", spill_bytes=0)
    for chunk in execute(the_plan):
        collector.add(chunk)
    large = collector.finish(the_plan, 0.0)
    assert large.table_file("outcomes") is not None
    assert "run_id" not in large.outcomes.columns  # the in-memory view has the run's columns
    folder = write_results(large, folder=tmp_path / "run")
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    assert outcomes.columns[0] == "run_id" and set(outcomes["run_id"]) == {
        large.manifest["run_id"]}
    csv = pd.read_csv(folder / "outcomes.csv")
    assert len(csv) == len(outcomes) and csv.columns[0] == "run_id"
