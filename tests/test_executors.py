"""Executors: failures retried and reported per chunk; Dask agrees with one process to the bit."""

from __future__ import annotations

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
    clean = [c.history for c in execute(the_plan)]
    real, failures = runner.run_chunk, {"left": 1}

    def flaky(p: object, index: int) -> runner.ChunkResult:
        if index == 1 and failures["left"]:
            failures["left"] -= 1
            raise OSError("worker lost its disk")
        return real(p, index)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "run_chunk", flaky)
    again = [c.history for c in execute(the_plan)]
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
