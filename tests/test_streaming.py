"""Bounded memory: chunks folded in as they stream, large runs spilled to disk, sketched
monthly quantiles — and the numbers they give."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from axis_sim.experiment import load, output
from axis_sim.experiment.compare import COMPOSITE
from axis_sim.experiment.load import load_results
from axis_sim.experiment.monthly import (
    QUANTILES,
    RELATIVE_ACCURACY,
    MonthlySummary,
    bucket_of,
    bucket_values,
    condense,
)
from axis_sim.experiment.output import write_results
from axis_sim.experiment.plan import Plan, plan
from axis_sim.experiment.results import RunResult
from axis_sim.experiment.runner import execute
from axis_sim.experiment.summarize import Collector, summarize
from axis_sim.report import common
from axis_sim.report.dashboard import render_dashboard
from axis_sim.scenario.schema import Scenario

TABLES = ("outcomes", "scores", "parameters", "comparison", "ranking", "interactions",
          "monthly", "trajectories", "events", "drivers", "failures")


def _plan(scenario: Scenario, **changes: object) -> Plan:
    the_plan = plan(scenario, runs=200, seed=11,
                    portfolios=["sanctions_listing", "warn_beijing",
                                "sanctions_listing+warn_beijing"])
    return replace(the_plan, **changes)


def _collect(the_plan: Plan, scratch: Path | None = None, spill_bytes: int | None = None,
             jobs: int = 1) -> RunResult:
    collector = (Collector(the_plan) if spill_bytes is None
                 else Collector(the_plan, scratch, spill_bytes=spill_bytes))
    for chunk in execute(the_plan, jobs=jobs):
        collector.add(chunk)
    return collector.finish(the_plan, 0.0)


@pytest.fixture(scope="module")
def in_memory(short_baseline: Scenario) -> RunResult:
    the_plan = _plan(short_baseline)
    return summarize(the_plan, execute(the_plan), 0.0)


@given(st.floats(min_value=-1e11, max_value=1e11, allow_nan=False))
def test_a_bucket_reports_its_values_within_the_relative_accuracy(value: float) -> None:
    reported = bucket_values()[bucket_of(np.array([value], dtype=np.float32))][0]
    stored = float(np.float32(value))
    if abs(stored) <= 1e-6:
        assert abs(reported) <= 1.1e-6
    else:
        assert abs(reported - stored) <= RELATIVE_ACCURACY * abs(stored) * (1 + 1e-4)


@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=2))
def test_buckets_keep_the_order_of_values(values: list[float]) -> None:
    ordered = np.sort(np.array(values, dtype=np.float32))
    assert (np.diff(bucket_of(ordered)) >= 0).all()


def test_a_large_run_spilled_to_disk_gives_the_same_tables(
        short_baseline: Scenario, in_memory: RunResult, tmp_path: Path) -> None:
    large = _collect(_plan(short_baseline), tmp_path, spill_bytes=0)
    assert large.table_file("outcomes") is not None
    assert large.table_file("outcomes").parent.parent == tmp_path  # type: ignore[union-attr]
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(large, name), getattr(in_memory, name),
                                      obj=name)
    first = large.worlds_of("outcomes", 50)
    assert set(first["world"]) == set(range(50))
    pd.testing.assert_frame_equal(
        first.reset_index(drop=True),
        in_memory.outcomes[in_memory.outcomes["world"] < 50].reset_index(drop=True))
    scratch = large.scratch
    assert scratch is not None and scratch.exists()
    del large
    gc.collect()
    assert not scratch.exists()  # the scratch folder goes with the result


def test_drivers_and_failures_read_only_the_analysed_worlds(short_baseline: Scenario) -> None:
    the_plan = _plan(short_baseline, analysis_worlds=64)
    result = _collect(the_plan)
    assert result.manifest["analysis_worlds"] == 64
    assert len(result.outcomes) == 4 * 200  # every world is still reported
    few = _collect(replace(the_plan, runs=64))
    # The composite is valued on the scenario's swings, not scaled by the spread of every world
    # run, so the first 64 worlds' drivers are the same whether or not more worlds follow.
    assert (result.drivers["outcome"] == COMPOSITE).any()
    pd.testing.assert_frame_equal(result.drivers, few.drivers)


def test_sketched_monthly_quantiles_are_within_one_percent(
        short_baseline: Scenario, in_memory: RunResult) -> None:
    sketched = _collect(_plan(short_baseline, exact_monthly_bytes=1))
    assert in_memory.manifest["monthly_quantiles"] == "exact"
    assert sketched.manifest["monthly_quantiles"].startswith("log-bucket sketch")
    exact, approx = in_memory.monthly, sketched.monthly
    pd.testing.assert_frame_equal(exact.drop(columns=list(QUANTILES)),
                                  approx.drop(columns=list(QUANTILES)))
    whole = in_memory.outcomes.drop(columns=["portfolio", "world"]).apply(
        lambda column: bool((column == np.floor(column)).all()))
    for q in QUANTILES:
        truth, estimate = exact[q].to_numpy(), approx[q].to_numpy()
        rounding = np.where(exact["outcome"].map(whole), 0.5, 0.0)
        assert (np.abs(estimate - truth)
                <= RELATIVE_ACCURACY * 1.0001 * np.abs(truth) + rounding + 2e-6).all(), q
        small_counts = exact["outcome"].map(whole).to_numpy() & (np.abs(truth) <= 40)
        assert small_counts.any()
        assert np.array_equal(estimate[small_counts], truth[small_counts]), q


def test_sketched_summaries_are_the_same_for_any_workers_and_order(
        short_baseline: Scenario) -> None:
    the_plan = _plan(short_baseline, exact_monthly_bytes=1)
    one = _collect(the_plan)
    two = _collect(the_plan, jobs=2)
    pd.testing.assert_frame_equal(one.monthly, two.monthly)
    rng = np.random.default_rng(0)
    history = rng.lognormal(3, 2, size=(2, 3, 4, 90)).astype(np.float32)
    parts = [condense(history[..., k:k + 30], keep_values=False, sketch=True)
             for k in (0, 30, 60)]
    forward, backward = (MonthlySummary((2, 3, 4), 90, 0) for _ in range(2))
    for k, part in enumerate(parts):
        forward.add(part, 30 * k)
    for k, part in reversed(list(enumerate(parts))):
        backward.add(part, 30 * k)
    assert np.array_equal(forward.quantiles(), backward.quantiles())


def test_p_event_is_the_share_of_worlds_where_it_has_happened(in_memory: RunResult) -> None:
    monthly = in_memory.monthly
    last = monthly[(monthly["month"] == monthly["month"].max())
                   & (monthly["outcome"] == "icbm_launches")]
    for row in last.itertuples():
        worlds = in_memory.outcomes[in_memory.outcomes["portfolio"] == row.portfolio]
        assert row.p_event == pytest.approx((worlds["icbm_launches"] > 0).mean())
    levels = monthly[monthly["outcome"] == "cooperation_level"]
    assert levels["p_event"].isna().all()


def test_a_large_run_is_written_and_read_back_without_loading_it(
        short_baseline: Scenario, in_memory: RunResult, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    large = _collect(_plan(short_baseline), tmp_path, spill_bytes=0)
    monkeypatch.setattr(output, "CSV_MAX_ROWS", 300)  # outcomes has 800 rows: no CSV copy
    whole_reads: list[object] = []
    real_read = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet",
                        lambda path, *a, **k: whole_reads.append(path) or real_read(path, *a, **k))
    folder = write_results(large, folder=tmp_path / "run")
    assert whole_reads == []  # never loads a large run's per-world table whole
    monkeypatch.setattr(pd, "read_parquet", real_read)
    assert (folder / "outcomes.parquet").is_file() and not (folder / "outcomes.csv").exists()
    assert "outcomes_csv" not in large.files
    monkeypatch.setattr(load, "LAZY_BYTES", 0)
    loaded = load_results(folder)
    assert loaded.table_file("outcomes") == folder / "outcomes.parquet"
    pd.testing.assert_frame_equal(loaded.outcomes, in_memory.outcomes)
    assert "dashboard.html" in {p.name for p in folder.iterdir()}


def test_reports_of_a_large_run_read_a_sample_once(short_baseline: Scenario, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    large = _collect(_plan(short_baseline, analysis_worlds=64), tmp_path, spill_bytes=0)
    monkeypatch.setattr(common, "REPORT_WORLDS", 50)
    sample = common.world_table(large, "outcomes")
    assert set(sample["world"]) == set(range(50)) and len(sample) == 4 * 50
    assert common.world_table(large, "outcomes") is sample  # read from disk once
    page = render_dashboard(large)
    assert 'id="sample-note"' in page and "use the first 50;" in page
    assert "failure conditions are fitted on the first 64." in page
    assert 'id="sample-note"' not in render_dashboard(_collect(_plan(short_baseline)))


def test_sketched_chunks_resume_from_disk_exactly(short_baseline: Scenario,
                                                  tmp_path: Path) -> None:
    from axis_sim.experiment.store import ChunkStore

    the_plan = _plan(short_baseline, exact_monthly_bytes=1)
    store = ChunkStore(tmp_path, the_plan)
    fresh = list(execute(the_plan, store=store))
    assert store.done() == len(the_plan.chunks)
    for a, b in zip(fresh, (store.load(k) for k in range(len(the_plan.chunks))), strict=True):
        assert a.monthly.buckets is not None and a.monthly.values is None
        for name, value in vars(a.monthly).items():
            assert np.array_equal(value, vars(b.monthly)[name]), name
