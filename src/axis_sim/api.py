"""The Python API for notebooks: `load_scenario` and `run`, thin layers over plan → run →
summarize."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from axis_sim.experiment.compare import relative_precision
from axis_sim.experiment.plan import Plan, plan
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
        sample_worlds: int | None = None, until_precise: float | None = None,
        max_runs: int = 100_000,
        progress: Callable[[ChunkResult], None] | None = None) -> RunResult:
    """Run a Monte Carlo experiment and return its tables (nothing is written to disk).

    `options` lists portfolios: `status_quo`, option ids, named portfolios, `a+b`
    combinations or `all`; status quo is always included, for paired comparisons.

    With `until_precise` (e.g. 0.05), chunks keep being added after the first `runs` worlds until
    every headline difference from status quo has a 90% interval within ± that many standard
    deviations of the outcome, or `max_runs` worlds are done. Because chunks are seeded by index,
    the result is exactly the fixed-size run of the number of worlds it stopped at.

    >>> result = run("scenarios/baseline.yaml", runs=200, options=["sanctions_listing"])
    >>> result.comparison.query("outcome == 'munitions_shipped'")  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    the_plan = plan(scenario, runs=runs, seed=seed, portfolios=options, sampling=sampling,
                    chunk_size=chunk_size, sample_worlds=sample_worlds)
    started = time.perf_counter()
    if until_precise is None:
        chunks = list(execute(the_plan, jobs=jobs, progress=progress))
        return summarize(the_plan, chunks, time.perf_counter() - started)
    minimum = the_plan.runs
    the_plan = replace(the_plan, runs=max(max_runs, minimum))
    chunks, reached = [], float("inf")
    for chunk in execute(the_plan, jobs=jobs, progress=progress):
        chunks.append(chunk)
        done = chunk.chunk.start + chunk.chunk.size
        if done >= minimum:
            reached = precision_of(the_plan, chunks)
            if reached <= until_precise:
                break
    the_plan = replace(the_plan, runs=done, sample_worlds=min(the_plan.sample_worlds, done))
    result = summarize(the_plan, chunks, time.perf_counter() - started)
    result.manifest["until_precise"] = {"target": until_precise, "reached": float(reached),
                                        "max_runs": max_runs,
                                        "met": bool(reached <= until_precise)}
    return result


def precision_of(the_plan: Plan, chunks: list[ChunkResult]) -> float:
    """Relative precision (see `compare.relative_precision`) of the chunks done so far."""
    finals = np.concatenate([c.history[:, :, -1, :] for c in chunks], axis=2).astype(np.float64)
    return relative_precision(the_plan.scenario, list(the_plan.scenario.outcomes),
                              list(the_plan.portfolios), finals)
