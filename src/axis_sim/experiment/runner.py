"""Run a plan: every chunk of worlds through every portfolio, serially or in worker processes.

A chunk's result depends only on the plan and the chunk index, so `jobs` changes speed, never
numbers: chunks are computed independently and handed back in chunk order.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from axis_sim.experiment.monthly import MonthlyPartial, condense
from axis_sim.experiment.plan import Chunk, Plan
from axis_sim.experiment.sampling import parameters_from_design, sample_parameters
from axis_sim.model.metrics import record
from axis_sim.model.options import check_portable, require_options
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel

if TYPE_CHECKING:
    from axis_sim.experiment.store import ChunkStore

log = logging.getLogger(__name__)  # resume messages; the command line prints them


@dataclass
class ChunkResult:
    """What one chunk of worlds produced under every portfolio of the plan: enough for every
    summary, but not every world's monthly history (see `experiment/monthly.py`)."""

    chunk: Chunk
    parameters: dict[str, np.ndarray]  # path → (worlds,), shared by all portfolios
    finals: np.ndarray  # (portfolios, scenario outcomes, worlds) at the horizon, float32
    sample: np.ndarray  # (portfolios, outcomes, months, sample worlds in this chunk), float32
    monthly: MonthlyPartial  # this chunk's share of the monthly summaries
    events: list[pd.DataFrame]  # per portfolio: the watched worlds' event log
    seconds: float = 0.0  # time the chunk took to compute (0 for one loaded from disk)


def run_chunk(plan: Plan, index: int) -> ChunkResult:
    """Simulate chunk `index` under every portfolio on the same parameters and draws."""
    started = time.perf_counter()
    chunk = plan.chunks[index]
    if plan.design is None:
        params = sample_parameters(plan.scenario, chunk.size, plan.sampling,
                                   parameter_rng(plan.seed, chunk.index))
    else:
        params = parameters_from_design(
            plan.scenario, plan.design[chunk.start:chunk.start + chunk.size])
    if plan.values is not None:  # a user's design: its values replace those parameters' draws
        for path, values in plan.values.items():
            params[path] = np.asarray(values[chunk.start:chunk.start + chunk.size],
                                      dtype=np.float64)
    watched = np.arange(max(0, min(chunk.size, plan.sample_worlds - chunk.start)))
    outcomes = tuple(plan.scenario.outcomes)
    limit = plan.exact_worlds
    # Values are sent only if the run can end within the exact limit; sketches only if it can
    # pass it.
    keep = chunk.start + chunk.size <= limit and (plan.runs <= limit or plan.may_stop_early)
    sketch = plan.runs > limit
    finals, samples, partials, events = [], [], [], []
    # One portfolio's monthly history at a time: a worker's memory does not grow with the
    # number of portfolios.
    for options in plan.portfolios.values():
        model = AxisModel(plan.scenario, params, seed=plan.seed, chunk=chunk.index,
                          portfolio=options, watched=watched, world_offset=chunk.start,
                          shared_draws=plan.shared_draws)
        months = []
        while model.running:
            model.step()
            # float32 halves memory; its 7 significant digits exceed any outcome's precision.
            months.append(record(model, outcomes).astype(np.float32))
        history = np.stack(months, axis=1)  # (outcomes, months, worlds)
        finals.append(history[:, -1, :].copy())
        samples.append(history[..., :watched.size].copy())
        partials.append(condense(history[None], keep_values=keep, sketch=sketch))
        events.append(model.log.to_frame())
    return ChunkResult(chunk, params, np.stack(finals), np.stack(samples),
                       MonthlyPartial.stack(partials), events, time.perf_counter() - started)


class ChunkError(RuntimeError):
    """A chunk of worlds that failed on every try; names the chunk and its worlds."""

    def __init__(self, chunk: Chunk, tries: int, cause: BaseException) -> None:
        last = chunk.start + chunk.size - 1
        super().__init__(f"chunk {chunk.index} (worlds {chunk.start}–{last}) failed after "
                         f"{tries} tries: {type(cause).__name__}: {cause}")
        self.chunk = chunk


Submit = Callable[..., Any]  # submit(fn, *args) -> a future with .result() and .cancel()


def execute(plan: Plan, jobs: int = 1,
            progress: Callable[[ChunkResult], None] | None = None, *,
            executor: str = "local", scheduler: str | None = None,
            retries: int = 2, store: ChunkStore | None = None) -> Iterator[ChunkResult]:
    """Yield every chunk's result in chunk order.

    `executor` "local" uses `jobs` worker processes (or none for jobs=1); "dask" ships chunks to
    a Dask distributed scheduler at `scheduler` (or a LocalCluster of `jobs` workers). A chunk
    that raises is retried up to `retries` times, then reported by a ChunkError. Chunks are
    submitted a few at a time, so a consumer that stops early (`--until-precise`) leaves no work
    queued. Results never depend on the executor: a chunk's numbers are fixed by the plan.
    With a `store`, saved chunks are loaded instead of run, and new ones are saved.
    """
    if store is not None:
        yield from _stored(plan, jobs, progress, executor, scheduler, retries, store)
        return
    yield from map_chunks(run_chunk, plan, jobs, progress, executor=executor,
                          scheduler=scheduler, retries=retries)


def map_chunks[T](work: Callable[[Plan, int], T], plan: Plan, jobs: int = 1,
                  progress: Callable[[T], None] | None = None, *, executor: str = "local",
                  scheduler: str | None = None, retries: int = 2) -> Iterator[T]:
    """Yield `work(plan, index)` for every chunk of the plan, in chunk order.

    What `execute` does with `run_chunk`, for any per-chunk work (`experiment/explain.py`):
    same executors, windowing and retries. `work` must be picklable (a module-level function,
    or a `functools.partial` of one) and depend only on the plan and the index, so results
    do not depend on `jobs` or the executor.
    """
    indices = range(len(plan.chunks))
    if plan.extensions:  # user-defined options: every worker imports them first
        if executor == "dask" or (jobs > 1 and len(indices) > 1):
            check_portable(plan.extensions)
        work = partial(_with_extensions, work)
    if executor == "dask":
        from distributed import Client, LocalCluster

        cluster = None if scheduler else LocalCluster(
            n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
            dashboard_address=None)
        client = Client(scheduler or cluster)
        try:
            yield from _windowed(lambda fn, *a: client.submit(fn, *a, pure=False), work, plan,
                                 indices, 2 * max(jobs, 1), retries, progress)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    if executor != "local":
        raise ValueError(f"unknown executor {executor!r}; allowed: local, dask")
    if jobs <= 1 or len(indices) == 1:
        yield from _windowed(_run_now, work, plan, indices, 1, retries, progress)
        return
    with _worker_pool(jobs) as pool:
        yield from _windowed(pool.submit, work, plan, indices, 2 * jobs, retries, progress)


@contextmanager
def _worker_pool(jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `jobs` worker processes that end with this process, however it ends.

    Finished normally, the pool shuts down as usual. Interrupted — SIGINT, SIGTERM, an error,
    or a consumer that stops early (`--until-precise`) — its workers are killed at once rather
    than left finishing chunks nobody will read. Killed outright (SIGKILL, where no handler
    runs), each worker sees that its parent is gone and exits (`_watch_parent`).
    """
    # spawn, not fork: forking a process that may hold threads (BLAS, a notebook) is unsafe.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                               initializer=_watch_parent, initargs=(os.getpid(),))
    try:
        with _signals_stop(pool):
            yield pool
    except BaseException:
        _kill_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)  # quick: no worker is left to wait for
        raise
    pool.shutdown(wait=True)


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes now. (Python 3.12 has no public way: `_processes` is
    the executor's own table of them.) Only signals are sent, no lock is taken: this runs
    from a signal handler too."""
    try:
        workers = list((getattr(pool, "_processes", None) or {}).values())
    except RuntimeError:  # pragma: no cover - the table changed while being read
        return
    for worker in workers:
        if worker.exitcode is None and worker.pid is not None:
            with suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)


@contextmanager
def _signals_stop(pool: ProcessPoolExecutor) -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT kill the pool's workers before they end this
    process as usual (SystemExit(143), KeyboardInterrupt). Only the main thread may set
    handlers, and a handler someone else installed is left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    ends: dict[int, Callable[[], BaseException]] = {
        signal.SIGTERM: lambda: SystemExit(128 + signal.SIGTERM),
        signal.SIGINT: KeyboardInterrupt}
    ours = {number: end for number, end in ends.items()
            if signal.getsignal(number) in (signal.SIG_DFL, signal.default_int_handler)}

    def stop(number: int, _frame: object) -> None:
        _kill_workers(pool)
        raise ours[number]()

    previous = {number: signal.signal(number, stop) for number in ours}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


PARENT_CHECK_SECONDS = 0.5  # how often a worker looks for its parent


def _watch_parent(parent: int) -> None:
    """Worker initializer: a thread that ends the worker as soon as its parent process is gone
    (its parent pid changes when it is re-parented), so a killed run leaves no workers —
    and, once they are gone, no multiprocessing resource tracker — behind."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="axis-sim-parent-watch", daemon=True).start()


def _with_extensions[T](work: Callable[[Plan, int], T], plan: Plan, index: int) -> T:
    """`work(plan, index)` after importing the plan's user-defined options (in a worker process
    they are not registered yet)."""
    require_options(plan.extensions)
    return work(plan, index)


def _stored(plan: Plan, jobs: int, progress: Callable[[ChunkResult], None] | None,
            executor: str, scheduler: str | None, retries: int,
            store: ChunkStore) -> Iterator[ChunkResult]:
    """Chunks in order: loaded where saved, otherwise computed (as one sub-plan) and saved.

    The store is held for the whole run (`ChunkStore.opened`), and which chunks are loaded is
    decided once, at the start: chunks that appear on disk later are not this run's to load.
    A saved chunk that turns out damaged is computed again here, with a message.
    """
    from axis_sim.experiment.store import DamagedChunk

    with store.opened():
        missing = [k for k in range(len(plan.chunks)) if not store.has(k)]
        for index in missing:
            if store.incomplete(index):
                log.warning(f"saved chunk {index} is incomplete; simulating it again.")
                store.discard(index)
        to_compute = set(missing)
        computed = iter(execute(_only(plan, missing), jobs, None, executor=executor,
                                scheduler=scheduler, retries=retries)) if missing else iter(())
        try:
            for index in range(len(plan.chunks)):
                if index in to_compute:
                    result = next(computed)
                    store.save(result)
                else:
                    try:
                        result = store.load(index)
                    except DamagedChunk as err:
                        log.warning(f"{err}; simulating it again.")
                        store.discard(index)
                        result = next(execute(_only(plan, [index]), retries=retries))
                        store.save(result)
                if result.chunk.index != index:  # pragma: no cover - a broken invariant
                    raise RuntimeError(f"chunk {result.chunk.index} came for chunk {index}")
                if progress:
                    progress(result)
                yield result
        finally:
            close = getattr(computed, "close", None)
            if close is not None:  # stop the workers now, not when the generator is collected
                close()


def _only(plan: Plan, indices: list[int]) -> Plan:
    """The plan restricted to some chunks (same numbers: chunks are seeded by their index)."""
    return replace(plan, only=tuple(indices))


class _Done:
    """A finished 'future' for running a chunk in this process."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._fn, self._args = fn, args

    def result(self) -> Any:
        return self._fn(*self._args)

    def cancel(self) -> bool:
        return True


def _run_now(fn: Callable[..., Any], *args: Any) -> _Done:
    return _Done(fn, *args)


def _windowed[T](submit: Submit, work: Callable[[Plan, int], T], plan: Plan, indices: range,
                 window: int, retries: int,
                 progress: Callable[[T], None] | None) -> Iterator[T]:
    """Keep `window` chunks in flight; hand results back in chunk order; retry failures."""
    pending: deque[tuple[int, Any, int]] = deque()
    upcoming = iter(indices)
    try:
        for index in islice(upcoming, window):
            pending.append((index, submit(work, plan, index), 1))
        while pending:
            index, future, tries = pending.popleft()
            try:
                result = future.result()
            except BrokenProcessPool as err:  # a worker died: the pool cannot go on
                raise ChunkError(plan.chunks[index], tries, err) from err
            except Exception as err:
                if tries > retries:
                    raise ChunkError(plan.chunks[index], tries, err) from err
                pending.appendleft((index, submit(work, plan, index), tries + 1))
                continue
            for nxt in islice(upcoming, 1):
                pending.append((nxt, submit(work, plan, nxt), 1))
            if progress:
                progress(result)
            yield result
    finally:
        for _, future, _ in pending:
            future.cancel()
