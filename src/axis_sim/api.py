"""The Python API for notebooks: `load_scenario` and `run`, thin layers over plan → run →
summarize."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from axis_sim.experiment.plan import plan
from axis_sim.experiment.results import RunResult
from axis_sim.experiment.runner import ChunkResult, execute
from axis_sim.experiment.summarize import summarize
from axis_sim.scenario.loader import load_scenario as _load
from axis_sim.scenario.schema import Sampling, Scenario


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (resolving `extends:`); raises ScenarioError."""
    return _load(path)


def run(scenario: Scenario | str | Path, *, runs: int | None = None,
        options: list[str] | None = None, seed: int | None = None, jobs: int = 1,
        sampling: Sampling | None = None, chunk_size: int | None = None,
        sample_worlds: int | None = None,
        progress: Callable[[ChunkResult], None] | None = None) -> RunResult:
    """Run a Monte Carlo experiment and return its tables (nothing is written to disk).

    `options` lists portfolios: `status_quo`, option ids, named portfolios, `a+b`
    combinations or `all`; status quo is always included, for paired comparisons.

    >>> result = run("scenarios/baseline.yaml", runs=200, options=["sanctions_listing"])
    >>> result.comparison.query("outcome == 'munitions_shipped'")  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    the_plan = plan(scenario, runs=runs, seed=seed, portfolios=options, sampling=sampling,
                    chunk_size=chunk_size, sample_worlds=sample_worlds)
    started = time.perf_counter()
    chunks = list(execute(the_plan, jobs=jobs, progress=progress))
    return summarize(the_plan, chunks, time.perf_counter() - started)
