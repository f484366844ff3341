"""The Python API for notebooks, thin layers over plan → run → summarize: `load_scenario` (then
`scenario.with_parameter` / `with_option` to change it, with the loader's checks), `run`,
`explain`, `sensitivity`, `write_results` and `load_results`; `register_option` adds a
user-defined `PolicyOption` that reaches worker processes and Dask workers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from axis_sim.experiment.compare import COMPOSITE, composite_scores
from axis_sim.experiment.explain import ChannelChunk, explain_plan, plan_explanation
from axis_sim.experiment.load import load_results
from axis_sim.experiment.plan import Plan, check_size, plan
from axis_sim.experiment.provenance import library_versions
from axis_sim.experiment.results import RunResult
from axis_sim.experiment.runner import ChunkResult, execute
from axis_sim.experiment.sampling import design_values, uncertain_paths
from axis_sim.experiment.sensitivity import Method, analyze, design
from axis_sim.experiment.store import ChunkStore, values_hash
from axis_sim.experiment.summarize import Collector
from axis_sim.model.options import PolicyOption, register_option
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.loader import load_scenario as _load
from axis_sim.scenario.overrides import with_options
from axis_sim.scenario.schema import STATUS_QUO, Sampling, Scenario

__all__ = ["PolicyOption", "RunResult", "Scenario", "ScenarioError", "explain", "load_results",
           "load_scenario", "register_option", "run", "sensitivity", "write_results"]


def write_results(result: RunResult, root: Path | str = "results",
                  folder: Path | str | None = None) -> Path:
    """Write a run's tables, manifest, `catalogue.csv`, brief and dashboard to a new folder
    (`folder`, or a timestamped one under `root`), all or nothing; return it. See
    `axis_sim.experiment.output.write_results`."""
    from axis_sim.experiment.output import write_results as write

    return write(result, root, folder)


def load_scenario(path: str | Path, *, allow_outside: bool = False) -> Scenario:
    """Load and validate a scenario file (resolving `extends:`), or a bundled scenario by name
    (`load_scenario("baseline")`; an existing file wins); raises ScenarioError.

    `extends:` may only name files in the scenario's own folder tree or the bundled library;
    `allow_outside=True` lifts that (for a trusted file that extends one elsewhere)."""
    from axis_sim.bundled import resolve_scenario

    return _load(resolve_scenario(path), allow_outside=allow_outside)


Options = list[str] | Mapping[str, Mapping[str, Any] | None]
EXECUTORS = ("local", "dask")


def run(scenario: Scenario | str | Path, *, runs: int | None = None,
        options: Options | None = None, seed: int | None = None, jobs: int = 1,
        sampling: Sampling | None = None, chunk_size: int | None = None,
        sample_worlds: int | None = None, until_precise: float | None = None,
        max_runs: int = 100_000, executor: str = "local", scheduler: str | None = None,
        checkpoint: Path | str | None = None, scratch: Path | str | None = None,
        progress: Callable[[ChunkResult], None] | None = None,
        design: pd.DataFrame | None = None) -> RunResult:
    """Run a Monte Carlo experiment and return its tables (nothing is written to disk).

    `options` lists portfolios: `status_quo`, option ids, named portfolios, `a+b`
    combinations or `all`; status quo is always included, for paired comparisons. It may
    instead map each portfolio to settings of that option — `{"sanctions_listing":
    {"intensity": 0.5, "start": "2024-01"}, "warn_beijing": None}` runs both, the first with
    its intensity and start changed (`Scenario.with_option`, the loader's checks).
    `sampling` is "random", "latin_hypercube" or "sobol" (default: the scenario's).
    `executor` "dask" runs chunks on a Dask scheduler (`scheduler` address, or a LocalCluster
    of `jobs` workers); results are identical whichever executor runs them. With `checkpoint`
    (a folder), finished chunks are saved there and a repeated call resumes from them.

    `design` is the user's own design of parameter values, as EMA Workbench users bring
    theirs: a DataFrame with one row per world and one column per parameter path
    (`actors.DPRK.srbm_rate`), each value inside what the parameter's distribution can draw
    (see `experiment.sampling.design_values`); parameters it leaves out are drawn as usual.
    The run has as many worlds as the design has rows.

    Memory stays bounded however many worlds run: a run too large to hold keeps its per-world
    tables (`outcomes`, `scores`, `parameters`) in Parquet files in a temporary folder under
    `scratch` (default: the system's), read on access and removed with the result.

    With `until_precise` (e.g. 0.5), chunks keep being added after the first `runs` worlds until
    every headline difference from status quo has a 90% interval within ± that many times the
    outcome's minimal meaningful difference (`mmd`), or `max_runs` worlds are done. Because
    chunks are seeded by index, the result is exactly the fixed-size run of the number of worlds
    it stopped at.

    The manifest records how the run was made: seed, worlds, sampling, jobs and executor,
    whether it resumed from saved chunks, wall and compute seconds, the code's version and git
    commit, the command line, the scenario files with their hashes and any edits made in code,
    and the versions of the libraries that shape results (`experiment/provenance.py`).

    >>> result = run("scenarios/baseline.yaml", runs=200, options=["sanctions_listing"])
    >>> result.comparison.query("outcome == 'munitions_shipped'")  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; allowed: {', '.join(EXECUTORS)}")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    portfolios: list[str] | None
    if isinstance(options, Mapping):
        scenario = with_options(scenario, {k: v for k, v in options.items() if v})
        portfolios = list(options)
    else:
        portfolios = None if options is None else list(options)
    values = None
    if design is not None:
        if until_precise is not None:
            raise ValueError("a design fixes the worlds; it cannot be combined with "
                             "until_precise")
        values = design_values(scenario, design)
        rows = len(next(iter(values.values()))) if values else len(design)
        if runs is not None and runs != rows:
            raise ValueError(f"runs={runs} but the design has {rows} rows (one per world)")
        runs = rows
    the_plan = plan(scenario, runs=runs, seed=seed, portfolios=portfolios, sampling=sampling,
                    chunk_size=chunk_size, sample_worlds=sample_worlds)
    if values is not None:
        the_plan = replace(the_plan, values=values)
    clock = _Clock(progress)
    if until_precise is None:
        store = ChunkStore(checkpoint, the_plan) if checkpoint is not None else None
        resumed = {k for k in range(len(the_plan.chunks)) if store.has(k)} if store else set()
        collector = Collector(the_plan, scratch)
        for chunk in execute(the_plan, jobs=jobs, progress=clock.progress, executor=executor,
                             scheduler=scheduler, store=store):
            clock.add(chunk, chunk.chunk.index in resumed)
            collector.add(chunk)
        result = collector.finish(the_plan, clock.wall())
        result.manifest |= _execution(jobs, executor, scheduler, clock, resumed, the_plan)
        return result
    minimum = the_plan.runs
    the_plan = replace(the_plan, runs=max(max_runs, minimum), may_stop_early=True)
    # plan() checked the first `runs`; the run may grow to max_runs, so that must fit too.
    check_size(scenario, the_plan.runs, the_plan.chunk_size, len(the_plan.portfolios),
               sample_worlds=the_plan.sample_worlds)
    collector, reached = Collector(the_plan, scratch), float("inf")
    for chunk in execute(the_plan, jobs=jobs, progress=clock.progress, executor=executor,
                         scheduler=scheduler):
        clock.add(chunk, False)
        collector.add(chunk)
        done = chunk.chunk.start + chunk.chunk.size
        if done >= minimum:
            reached = collector.precision()
            if reached <= until_precise:
                break
    the_plan = replace(the_plan, runs=done, sample_worlds=min(the_plan.sample_worlds, done),
                       may_stop_early=False)
    result = collector.finish(the_plan, clock.wall())
    result.manifest |= _execution(jobs, executor, scheduler, clock, set(), the_plan)
    result.manifest["until_precise"] = {"target": until_precise, "reached": float(reached),
                                        "max_runs": max_runs,
                                        "met": bool(reached <= until_precise)}
    return result


class _Clock:
    """Wall time of a run, and the compute time its chunks took (summed over workers)."""

    def __init__(self, progress: Callable[[ChunkResult], None] | None) -> None:
        self.started = time.perf_counter()
        self.compute = 0.0
        self.progress = progress

    def add(self, chunk: ChunkResult, resumed: bool) -> None:
        if not resumed:
            self.compute += chunk.seconds

    def wall(self) -> float:
        return time.perf_counter() - self.started


def _execution(jobs: int, executor: str, scheduler: str | None, clock: _Clock,
               resumed: set[int], the_plan: Plan) -> dict[str, Any]:
    """The manifest entries about how the run was executed (they never change its numbers)."""
    return {
        "jobs": jobs, "executor": executor, "scheduler": scheduler,
        "resumed": bool(resumed), "resumed_chunks": len(resumed),
        "compute_seconds": round(clock.compute, 3),
        # Summarising (tables, drivers, failure conditions) is in the wall time, not the compute.
        "wall_seconds": round(clock.wall(), 3),
        "versions": library_versions(executor),
        "design": None if the_plan.values is None else {
            "rows": the_plan.runs, "columns": list(the_plan.values),
            "sha256": values_hash(the_plan.values)},
    }


def explain(scenario: Scenario | str | Path, *, portfolios: list[str] | None = None,
            runs: int | None = None, seed: int | None = None, jobs: int = 1,
            sampling: Sampling | None = None, chunk_size: int | None = None,
            progress: Callable[[ChannelChunk], None] | None = None) -> pd.DataFrame:
    """Each option's effect decomposed by causal channel (nothing is written to disk).

    For each portfolio (default: each of the five options alone; `run`'s syntax otherwise,
    status quo skipped), each option in it and each of the option's parameters: the paired
    effect, on the same worlds and random draws, of switching that parameter off, on every
    headline outcome — effect = outcome with the channel on − outcome with it off, with its
    standard error and 90% interval, the outcome's spread across worlds (`spread`),
    `effect_mmd` = effect / the outcome's minimal meaningful difference, `detectable` (beyond
    3 standard errors and 2% of the spread) and the outcome's `better` direction. Identical for
    any `jobs`.

    >>> table = explain("scenarios/baseline.yaml", runs=500, portfolios=["sanctions_listing"])
    >>> table.sort_values("effect_mmd", key=abs).tail()  # doctest: +SKIP
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    the_plan = plan_explanation(scenario, portfolios=portfolios, runs=runs, seed=seed,
                                sampling=sampling, chunk_size=chunk_size)
    return explain_plan(the_plan, jobs=jobs, progress=progress)


MORRIS_TRAJECTORIES = 20
SOBOL_BASE_SAMPLES = 64
# Morris screens on a 4-level grid whose end levels would be each distribution's 0% and 100%
# quantiles (infinite for a lognormal); the grid is mapped onto the 2.5%–97.5% quantiles instead.
MORRIS_QUANTILE_RANGE = (0.025, 0.975)


def sensitivity(scenario: Scenario | str | Path, *, method: Method = "morris",
                samples: int | None = None, options: list[str] | None = None,
                seed: int | None = None, replicates: int = 4, jobs: int = 1,
                progress: Callable[[ChunkResult], None] | None = None) -> pd.DataFrame:
    """Global sensitivity of each portfolio's effect (SALib: Morris screening or Sobol' indices).

    Runs the worlds of a SALib design (Morris: `samples` trajectories, default 20; Sobol:
    `samples` base samples, default 64, times parameters + 2) under every portfolio, then
    analyses each portfolio's paired effect on the value score (`composite_score`: value over
    status quo on the scenario's swings) and each headline outcome.
    The model is stochastic, so each design is run `replicates` times; within a replicate every
    world shares the same random draws, and effects are averaged over replicates.
    Returns long rows: method, portfolio, outcome, parameter, and the method's indices.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    names = uncertain_paths(scenario)
    n = samples or (MORRIS_TRAJECTORIES if method == "morris" else SOBOL_BASE_SAMPLES)
    seed = scenario.experiment.seed if seed is None else seed
    unit = design(method, len(names), n, seed)
    low, high = MORRIS_QUANTILE_RANGE
    quantiles = low + (high - low) * unit if method == "morris" else unit
    base_plan = replace(plan(scenario, runs=len(unit), seed=seed, portfolios=options,
                             sample_worlds=0), design=quantiles, shared_draws=True)
    outcome_names, portfolios = list(scenario.outcomes), list(base_plan.portfolios)
    # Each replicate gives every world the same draws; averaging replicates averages the noise
    # out, so what is left between design points is the parameters' effect.
    finals_sum, scores_sum = None, None
    for r in range(replicates):
        the_plan = replace(base_plan, seed=seed + r)
        chunks = list(execute(the_plan, jobs=jobs, progress=progress))
        finals = np.concatenate([c.finals for c in chunks], axis=2).astype(np.float64)
        scores = composite_scores(scenario, outcome_names, portfolios, finals)
        finals_sum = finals if finals_sum is None else finals_sum + finals
        scores_sum = scores if scores_sum is None else scores_sum + scores
    finals, scores = finals_sum / replicates, scores_sum / replicates
    headline = scenario.headline_outcomes
    base = portfolios.index(STATUS_QUO)
    frames = []
    for p, portfolio in enumerate(portfolios):
        if p == base:
            continue
        targets = {COMPOSITE: scores[p]}
        targets |= {o: finals[p, outcome_names.index(o)] - finals[base, outcome_names.index(o)]
                    for o in headline}
        for outcome, y in targets.items():
            if np.ptp(y) == 0:
                continue  # the portfolio never moves this outcome: nothing to apportion
            table = analyze(method, names, unit, y, seed)
            frames.append(table.assign(method=method, portfolio=portfolio, outcome=outcome))
    if not frames:
        return pd.DataFrame(columns=["method", "portfolio", "outcome", "parameter"])
    result = pd.concat(frames, ignore_index=True)
    first = ["method", "portfolio", "outcome", "parameter"]
    return result[first + [c for c in result.columns if c not in first]]
