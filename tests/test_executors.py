"""Executors: failures retried and reported per chunk; Dask agrees with one process to the bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from axis_sim.api import run
from axis_sim.experiment import runner
from axis_sim.experiment.plan import plan
from axis_sim.experiment.runner import ChunkError, execute
from axis_sim.scenario.schema import Scenario


def test_a_failing_chunk_is_retried_and_gives_the_same_numbers(
        short_baseline: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    the_plan = plan(short_baseline, runs=150, seed=2, portfolios=["warn_beijing"])
    clean = [c.finals for c in execute(the_plan)]
    real, failures = runner.run_chunk, {"left": 1}

    def flaky(p: object, index: int) -> runner.ChunkResult:
        if index == 1 and failures["left"]:
            failures["left"] -= 1
            raise OSError("worker lost its disk")
        return real(p, index)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "run_chunk", flaky)
    again = [c.finals for c in execute(the_plan)]
    assert failures["left"] == 0
    assert all((a == b).all() for a, b in zip(clean, again, strict=True))


def test_a_chunk_that_keeps_failing_is_named(short_baseline: Scenario,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    the_plan = plan(short_baseline, runs=150, seed=2, portfolios=[])

    def broken(p: object, index: int) -> runner.ChunkResult:
        raise MemoryError("out of memory")

    monkeypatch.setattr(runner, "run_chunk", broken)
    with pytest.raises(ChunkError, match=r"chunk 0 \(worlds 0–63\) failed after 3 tries"):
        list(execute(the_plan, retries=2))


def test_dask_local_cluster_agrees_with_one_process(short_baseline: Scenario) -> None:
    pytest.importorskip("distributed")
    local = run(short_baseline, runs=150, seed=9, options=["sanctions_listing"])
    dask = run(short_baseline, runs=150, seed=9, options=["sanctions_listing"],
               executor="dask", jobs=2)
    pd.testing.assert_frame_equal(local.outcomes, dask.outcomes)
    pd.testing.assert_frame_equal(local.events, dask.events)


def test_an_interrupted_run_resumes_from_saved_chunks(short_baseline: Scenario,
                                                      tmp_path: Path) -> None:
    from axis_sim.experiment.store import ChunkStore

    the_plan = plan(short_baseline, runs=200, seed=4, portfolios=["public_disclosure"])
    store = ChunkStore(tmp_path, the_plan)
    stream = execute(the_plan, store=store)
    next(stream), next(stream)  # two chunks done, then the run is interrupted
    stream.close()
    assert store.done() == 2
    fresh = list(execute(the_plan))
    resumed = list(execute(the_plan, store=store))
    assert store.done() == len(the_plan.chunks)
    for a, b in zip(fresh, resumed, strict=True):
        assert (a.finals == b.finals).all() and (a.sample == b.sample).all()
        for name, value in vars(a.monthly).items():
            assert np.array_equal(value, vars(b.monthly)[name])
        assert all((a.parameters[k] == b.parameters[k]).all() for k in a.parameters)
        for ea, eb in zip(a.events, b.events, strict=True):
            pd.testing.assert_frame_equal(ea, eb)


def test_the_cli_resumes_and_cleans_up(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from axis_sim.cli import main
    from tests.conftest import BASELINE

    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {BASELINE}\nmeta:\n  name: short\n  horizon_months: 6\n"
                     "experiment:\n  chunk_size: 40\n")
    args = ["run", str(short), "--runs", "120", "--portfolios", "warn_beijing"]
    first = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")])
    assert first.exit_code == 0 and not list(tmp_path.glob(".chunks-*"))
    # Leave a saved chunk as an interrupted run would, then run again.
    from axis_sim.api import load_scenario
    from axis_sim.experiment.store import ChunkStore

    the_plan = plan(load_scenario(short), runs=120, portfolios=["warn_beijing"])
    store = ChunkStore(tmp_path, the_plan)
    store.save(next(execute(the_plan)))
    second = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    assert "Resuming: 1 of 3 chunks already done" in second.output
    assert not store.folder.exists()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "outcomes.parquet"),
                                  pd.read_parquet(tmp_path / "b" / "outcomes.parquet"))
