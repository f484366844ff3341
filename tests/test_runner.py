"""The Monte Carlo runner: reproducible across workers, paired across portfolios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from axis_sim.api import run
from axis_sim.experiment.plan import plan
from axis_sim.experiment.runner import run_chunk
from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model.streams import Streams, chunk_seed
from axis_sim.scenario.schema import Scenario


def test_chunks_cover_every_world_once(short_baseline: Scenario) -> None:
    chunks = plan(short_baseline, runs=150).chunks
    assert [(c.start, c.size) for c in chunks] == [(0, 64), (64, 64), (128, 22)]


def test_chunk_seed_is_the_spawned_child() -> None:
    spawned = np.random.SeedSequence(42).spawn(5)[3]
    assert chunk_seed(42, 3).generate_state(4).tolist() == spawned.generate_state(4).tolist()


def test_results_identical_for_any_number_of_workers(short_baseline: Scenario) -> None:
    one = run(short_baseline, runs=150, seed=9, options=["sanctions_listing"], jobs=1)
    two = run(short_baseline, runs=150, seed=9, options=["sanctions_listing"], jobs=2)
    pd.testing.assert_frame_equal(one.outcomes, two.outcomes)
    pd.testing.assert_frame_equal(one.monthly, two.monthly)
    pd.testing.assert_frame_equal(one.events, two.events)
    pd.testing.assert_frame_equal(one.parameters, two.parameters)


def test_seed_changes_results(short_baseline: Scenario) -> None:
    a = run(short_baseline, runs=64, seed=1, options=[])
    b = run(short_baseline, runs=64, seed=2, options=[])
    assert not a.outcomes.equals(b.outcomes)


def test_portfolios_share_worlds_and_draws(short_baseline: Scenario) -> None:
    """Common random numbers: what no policy can touch is identical in every portfolio."""
    result = run(short_baseline, runs=128, seed=5, options=["warn_beijing", "sanctions_listing"])
    wide = result.outcomes.pivot(index="world", columns="portfolio")
    for untouchable in ("summits_held", "russia_munitions_gap"):
        column = wide[untouchable]
        assert (column["warn_beijing"] == column["status_quo"]).all()
        assert (column["sanctions_listing"] == column["status_quo"]).all()
    shipped = wide["munitions_shipped"]
    cut = shipped["sanctions_listing"] < shipped["status_quo"]
    assert cut.mean() > 0.7  # paired draws: the listing's effect shows in most worlds


def test_streams_are_drawn_every_month_and_keyed_by_name() -> None:
    a = Streams(7, 0, 10, entities=3, events=("x",))
    b = Streams(7, 0, 10, entities=3, events=("x", "y"))
    for _ in range(3):
        da, db = a.month(), b.month()
        assert all(np.array_equal(da[k], db[k]) for k in da)  # adding a stream changes no other
    assert da["listing"].shape == (10, 3)


@pytest.mark.parametrize("method", ["random", "latin_hypercube", "sobol"])
def test_sampling_draws_inside_each_distribution(short_baseline: Scenario, method: str) -> None:
    values = sample_parameters(short_baseline, 256, method, np.random.default_rng(0))
    use = values["context.russia_artillery_use"]
    assert use.min() >= 200_000 and use.max() <= 600_000
    assert (values["actors.US.initial_listed_entities"] == 3).all()


def test_latin_hypercube_stratifies(short_baseline: Scenario) -> None:
    values = sample_parameters(short_baseline, 100, "latin_hypercube", np.random.default_rng(0))
    high = short_baseline.context["ceasefire_hazard"].dist.high
    u = stats.uniform.cdf(values["context.ceasefire_hazard"], loc=0.0, scale=high)
    counts = np.bincount((u * 100).astype(int), minlength=100)
    assert (counts == 1).all()


def test_chunk_result_does_not_depend_on_other_chunks(short_baseline: Scenario) -> None:
    p = plan(short_baseline, runs=200, seed=3, portfolios=[])
    alone = run_chunk(p, 2)
    again = run_chunk(plan(short_baseline, runs=200, seed=3, portfolios=[]), 2)
    assert np.array_equal(alone.finals, again.finals)
    assert np.array_equal(alone.monthly.values, again.monthly.values)
    first = run_chunk(p, 0)
    assert not np.array_equal(first.finals[..., :8], alone.finals[..., :8])


def test_comparison_is_paired(short_baseline: Scenario) -> None:
    result = run(short_baseline, runs=200, seed=4, options=["sanctions_listing"])
    row = result.comparison.query(
        "portfolio == 'sanctions_listing' and outcome == 'munitions_shipped'").iloc[0]
    wide = result.outcomes.pivot(index="world", columns="portfolio")["munitions_shipped"]
    diff = wide["sanctions_listing"] - wide["status_quo"]
    assert row.diff_mean == pytest.approx(diff.mean())
    assert row.diff_ci_low < row.diff_mean < row.diff_ci_high
    assert row.p_better == pytest.approx((diff < 0).mean())
    base = result.comparison.query("portfolio == 'status_quo'")
    assert (base["diff_mean"] == 0).all()


def test_baseline_runs_ten_thousand_worlds_for_36_months(baseline: Scenario) -> None:
    """The full baseline horizon on 10,000 worlds: every outcome present and finite."""
    result = run(baseline, runs=10_000, options=[], sample_worlds=5)
    assert len(result.outcomes) == 10_000
    assert result.monthly["month"].max() == 35
    values = result.outcomes[list(baseline.outcomes)].to_numpy()
    assert np.isfinite(values).all()
