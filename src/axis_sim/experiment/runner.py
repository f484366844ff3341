"""Run a plan: every chunk of worlds through every portfolio, serially or in worker processes.

A chunk's result depends only on the plan and the chunk index, so `jobs` changes speed, never
numbers: chunks are computed independently and handed back in chunk order.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice

import numpy as np
import pandas as pd

from axis_sim.experiment.plan import Chunk, Plan
from axis_sim.experiment.sampling import parameters_from_design, sample_parameters
from axis_sim.model.metrics import record
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel


@dataclass
class ChunkResult:
    """What one chunk of worlds produced under every portfolio of the plan."""

    chunk: Chunk
    parameters: dict[str, np.ndarray]  # path → (worlds,), shared by all portfolios
    history: np.ndarray  # (portfolios, scenario outcomes, months, worlds), float32
    events: list[pd.DataFrame]  # per portfolio: the watched worlds' event log


def run_chunk(plan: Plan, index: int) -> ChunkResult:
    """Simulate chunk `index` under every portfolio on the same parameters and draws."""
    chunk = plan.chunks[index]
    if plan.design is None:
        params = sample_parameters(plan.scenario, chunk.size, plan.sampling,
                                   parameter_rng(plan.seed, chunk.index))
    else:
        params = parameters_from_design(
            plan.scenario, plan.design[chunk.start:chunk.start + chunk.size])
    watched = np.arange(max(0, min(chunk.size, plan.sample_worlds - chunk.start)))
    outcomes = tuple(plan.scenario.outcomes)
    histories, events = [], []
    for options in plan.portfolios.values():
        model = AxisModel(plan.scenario, params, seed=plan.seed, chunk=chunk.index,
                          portfolio=options, watched=watched, world_offset=chunk.start,
                          shared_draws=plan.shared_draws)
        months = []
        while model.running:
            model.step()
            months.append(record(model, outcomes))
        # float32 halves memory; its 7 significant digits exceed any outcome's precision.
        histories.append(np.stack(months, axis=1).astype(np.float32))
        events.append(model.log.to_frame())
    return ChunkResult(chunk, params, np.stack(histories), events)


def execute(plan: Plan, jobs: int = 1,
            progress: Callable[[ChunkResult], None] | None = None) -> Iterator[ChunkResult]:
    """Yield every chunk's result in chunk order, using `jobs` worker processes.

    Chunks are submitted a few at a time, so a consumer that stops early (`--until-precise`)
    leaves no work queued.
    """
    indices = range(len(plan.chunks))
    if jobs <= 1 or len(indices) == 1:
        for index in indices:
            result = run_chunk(plan, index)
            if progress:
                progress(result)
            yield result
        return
    # spawn, not fork: forking a process that may hold threads (BLAS, a notebook) is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[ChunkResult]] = deque()
        next_index = iter(indices)
        try:
            for index in islice(next_index, 2 * jobs):
                pending.append(pool.submit(run_chunk, plan, index))
            while pending:
                result = pending.popleft().result()
                for index in islice(next_index, 1):
                    pending.append(pool.submit(run_chunk, plan, index))
                if progress:
                    progress(result)
                yield result
        finally:
            for future in pending:
                future.cancel()
