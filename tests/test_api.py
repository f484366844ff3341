"""The Python API a notebook user sees, and the results folder round trip."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import axis_sim
import axis_sim.api as api_module
from axis_sim.experiment import output
from axis_sim.experiment.output import write_results
from axis_sim.io import IN_USE
from axis_sim.scenario.schema import Scenario
from tests.conftest import BASELINE


def test_load_and_run_round_trip(short_baseline: Scenario, tmp_path: Path) -> None:
    scenario = axis_sim.load_scenario(BASELINE)
    assert scenario.meta.name == "baseline"
    result = axis_sim.run(short_baseline, runs=80, options=["public_disclosure"], seed=2)
    assert isinstance(result, axis_sim.RunResult)
    assert result.portfolios == ["status_quo", "public_disclosure"]
    assert set(result.outcomes.columns) == {"portfolio", "world", *short_baseline.outcomes}
    assert len(result.trajectories) == 2 * 20 * 12  # portfolios × sample worlds × months
    assert set(result.monthly["month_label"]) >= {"2023-09", "2024-08"}
    folder = write_results(result, folder=tmp_path / "r")
    back = pd.read_parquet(folder / "outcomes.parquet")
    assert back.columns[0] == "run_id" and set(back["run_id"]) == {result.manifest["run_id"]}
    pd.testing.assert_frame_equal(back.drop(columns="run_id"), result.outcomes)
    events = pd.read_parquet(folder / "events.parquet")
    assert len(events) == len(result.events) > 0
    assert events["world"].max() < 20


def test_run_accepts_a_path() -> None:
    result = axis_sim.run(BASELINE, runs=4, options=[], chunk_size=2)
    assert len(result.outcomes) == 4


def test_interrupted_write_leaves_nothing_that_looks_complete(
        short_baseline: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = axis_sim.run(short_baseline, runs=10, options=[])

    def broken(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "write_dashboard", broken)
    with pytest.raises(KeyboardInterrupt):
        write_results(result, root=tmp_path)
    # Only the folder's lock file (held by live runs, empty) may remain.
    assert [p.name for p in tmp_path.iterdir()] in ([], [IN_USE])


def test_existing_folder_is_never_overwritten(short_baseline: Scenario, tmp_path: Path) -> None:
    result = axis_sim.run(short_baseline, runs=10, options=[])
    (tmp_path / "r").mkdir()
    with pytest.raises(FileExistsError):
        write_results(result, folder=tmp_path / "r")


def test_until_precise_refuses_a_max_runs_that_cannot_fit(
        short_baseline: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run may grow to max_runs, so that size is checked before any world is simulated."""
    from axis_sim.experiment.plan import PlanTooLarge

    def simulate(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("nothing may be simulated")

    monkeypatch.setattr(api_module, "execute", simulate)
    with pytest.raises(PlanTooLarge, match="too many"):
        axis_sim.run(short_baseline, runs=10, options=[], until_precise=0.05,
                     max_runs=10**12)
