"""Plan a Monte Carlo experiment: which portfolios, how many worlds, in which chunks, which seed.

Everything a result depends on is in the `Plan`; the number of worker processes is not.

A plan is refused (`PlanTooLarge`) when it could not finish on this machine: more than
`MAX_WORLDS` worlds, more worlds than the parent process can summarise in the machine's memory
(`world_bytes` each, plus `sample_world_bytes` for each world whose months are kept), or a
chunk larger than a worker can hold (`chunk_world_bytes` a world).
The estimates are deliberately generous (two to three times the peaks measured by
`axis-sim bench`), so a plan that passes fits, and one that fails says how many worlds would.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

import numpy as np

from axis_sim.experiment.monthly import exact_worlds
from axis_sim.model.options import extensions_of
from axis_sim.scenario.checks import MAX_ENTITY_CELLS
from axis_sim.scenario.parameters import flat_parameters
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.schema import Sampling, Scenario

SAMPLING_METHODS: tuple[str, ...] = get_args(Sampling)

EXACT_MONTHLY_BYTES = 256 * 2**20
ANALYSIS_WORLDS = 20_000

# Hard cap on worlds in one run, whatever the memory: 10^9 worlds of the baseline take weeks on
# a workstation, and the chunk list alone grows with the worlds.
MAX_WORLDS = 10**9
# Share of the machine's memory a run may plan to use (the rest: the system, imports, workers).
MEMORY_SHARE = 0.75
# Parent process, per world and per portfolio or outcome: the horizon values read one outcome or
# one portfolio at a time as float64, composite scores, paired differences and the sorted copies
# quantiles need (about four float64 arrays each). `axis-sim bench --full` measured a parent
# peak of ~0.9 GiB for 6 portfolios × ~50 outcomes × 10^6 worlds; this estimate says ~1.8 GB.
PARENT_BYTES = 32
# Parent, per sample world (months kept) and per portfolio, outcome and month: the float32
# trajectory and its share of the event log, generously.
SAMPLE_BYTES = 8
# Worker, per world of a chunk and per portfolio and outcome: the monthly history (float32) and
# its temporaries. Measured ~9 KB per world-portfolio of the baseline (one model of 10^6
# worlds: 8.5 GiB); this estimate says ~30 KB.
CHUNK_BYTES = 16


class PlanTooLarge(ValueError):
    """A plan this machine cannot run; `field` is the argument to lower ("runs",
    "sample_worlds" or "chunk_size") and `limit` the largest value that fits."""

    def __init__(self, message: str, field: str, limit: int) -> None:
        super().__init__(message)
        self.field, self.limit = field, limit


def memory_bytes() -> int:
    """The memory this process may use: the machine's physical memory, or the container's
    limit (cgroup v2 `memory.max`) when that is lower."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX: assume a small workstation
        total = 8 * 2**30
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return total
    return min(total, int(limit)) if limit.isdigit() else total


def world_bytes(scenario: Scenario, portfolios: int) -> int:
    """Estimated bytes the parent process needs per world of a run."""
    return PARENT_BYTES * (portfolios + len(scenario.outcomes))


def sample_world_bytes(scenario: Scenario, portfolios: int) -> int:
    """Estimated bytes the parent process needs per sample world (months and events kept)."""
    return SAMPLE_BYTES * portfolios * len(scenario.outcomes) * scenario.meta.horizon_months


def chunk_world_bytes(scenario: Scenario, portfolios: int) -> int:
    """Estimated bytes a worker needs per world of one chunk."""
    return CHUNK_BYTES * portfolios * len(scenario.outcomes) * scenario.meta.horizon_months


def _size(n: float) -> str:
    """Bytes for people: `1.5 GiB`."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError  # pragma: no cover


def check_size(scenario: Scenario, runs: int, chunk_size: int, portfolios: int,
               memory: int | None = None, sample_worlds: int = 0) -> None:
    """Raise `PlanTooLarge` unless `runs` worlds in chunks of `chunk_size`, `sample_worlds` of
    them with their months kept, fit this machine (`memory` bytes; default `memory_bytes()`)."""
    budget = int(MEMORY_SHARE * (memory_bytes() if memory is None else memory))
    what = f"{portfolios} portfolio{'s' * (portfolios != 1)} × {len(scenario.outcomes)} outcomes"
    per_world = world_bytes(scenario, portfolios)
    per_sample = sample_world_bytes(scenario, portfolios)
    kept = min(sample_worlds, runs)
    if kept == runs and kept:  # every world's months kept (scoring): they grow together
        per_world += per_sample
    elif kept * per_sample > budget // 2:
        limit = budget // 2 // per_sample
        raise PlanTooLarge(
            f"{kept:,} sample worlds are too many: at most {limit:,} ({what} × "
            f"{scenario.meta.horizon_months} months need about {_size(per_sample)} a sample "
            f"world, and {_size(budget)} of this machine's memory may be used)",
            "sample_worlds", limit)
    else:
        budget -= kept * per_sample
    fits = min(MAX_WORLDS, budget // per_world)
    if runs > fits:
        why = (f"the hard cap is {MAX_WORLDS:,}" if fits == MAX_WORLDS else
               f"{what} need about {_size(per_world)} a world, and {_size(budget)} of this "
               f"machine's memory may be used")
        raise PlanTooLarge(f"{runs:,} worlds are too many: at most {fits:,} ({why})",
                           "runs", fits)
    per_chunk_world = chunk_world_bytes(scenario, portfolios)
    chunk_fits = max(1, budget // per_chunk_world)
    entities = flat_parameters(scenario).get("actors.Russia.procurement_entities")
    count = int(entities[0].value or 1) if entities else 1
    if min(chunk_size, runs) * count > MAX_ENTITY_CELLS:  # the loader's limit, for --chunk-size
        limit = max(1, MAX_ENTITY_CELLS // count)
        raise PlanTooLarge(
            f"chunks of {min(chunk_size, runs):,} worlds are too large for {count:,} "
            f"procurement entities: at most {limit:,} ({MAX_ENTITY_CELLS:,} entity cells)",
            "chunk_size", limit)
    if min(chunk_size, runs) > chunk_fits:
        raise PlanTooLarge(
            f"chunks of {min(chunk_size, runs):,} worlds are too large: at most {chunk_fits:,} "
            f"({what} × {scenario.meta.horizon_months} months need about "
            f"{_size(per_chunk_world)} a world in a worker, and {_size(budget)} of this "
            "machine's memory may be used)", "chunk_size", chunk_fits)


@dataclass(frozen=True)
class Chunk:
    """A fixed block of worlds, `start` to `start + size - 1`, with its own seed sequence."""

    index: int
    start: int
    size: int


@dataclass(frozen=True)
class Plan:
    """A complete, reproducible description of one Monte Carlo run."""

    scenario: Scenario
    runs: int
    seed: int
    sampling: Sampling
    chunk_size: int
    portfolios: dict[str, tuple[str, ...]]
    sample_worlds: int
    # Cumulative probabilities (worlds, uncertain parameters) fixing each world's parameters,
    # for designed experiments (SALib); None means draw them with `sampling`.
    design: np.ndarray | None = field(default=None, compare=False)
    # With a design: every world sees the same random draws, so differences are the parameters'.
    shared_draws: bool = False
    # A user's design (`run(design=...)`): parameter path → one value per world, replacing
    # that parameter's draw (the other uncertain parameters are drawn with `sampling`).
    values: dict[str, np.ndarray] | None = field(default=None, compare=False)
    # User-defined options the scenario uses: id → import path, imported by worker processes.
    extensions: dict[str, str] = field(default_factory=dict)
    # Run only these chunks (resuming from chunks saved on disk); None means all.
    only: tuple[int, ...] | None = None
    # Monthly quantiles are exact while every world's monthly values fit in this many bytes,
    # sketched beyond (see `experiment/monthly.py`).
    exact_monthly_bytes: int = EXACT_MONTHLY_BYTES
    # The run may stop before `runs` worlds (--until-precise): then monthly values are kept
    # while the worlds so far fit the exact limit, in case it stops there.
    may_stop_early: bool = False
    # Drivers and failure conditions are fitted on the first this-many worlds: beyond ~20,000
    # worlds their estimates no longer move, and their cost would.
    analysis_worlds: int = ANALYSIS_WORLDS

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        """The chunks, in order; the last may be short."""
        every = tuple(
            Chunk(k, start, min(self.chunk_size, self.runs - start))
            for k, start in enumerate(range(0, self.runs, self.chunk_size))
        )
        return every if self.only is None else tuple(every[k] for k in self.only)

    @property
    def months(self) -> int:
        """Simulated months per world."""
        return self.scenario.meta.horizon_months

    @property
    def exact_worlds(self) -> int:
        """Up to how many worlds the monthly quantiles are exact."""
        return exact_worlds(self.exact_monthly_bytes, len(self.portfolios),
                            len(self.scenario.outcomes), self.months)


def plan(scenario: Scenario, *, runs: int | None = None, seed: int | None = None,
         portfolios: list[str] | None = None, sampling: Sampling | None = None,
         chunk_size: int | None = None, sample_worlds: int | None = None) -> Plan:
    """A plan from the scenario's experiment defaults, overridden by any argument given.

    Raises ValueError for an unknown portfolio or sampling method, or a non-positive count;
    `PlanTooLarge` (a ValueError) for more worlds, or larger chunks, than this machine can hold.
    """
    exp = scenario.experiment
    runs = exp.runs if runs is None else runs
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    chunk_size = exp.chunk_size if chunk_size is None else chunk_size
    if chunk_size < 1:
        raise ValueError(f"chunk size must be at least 1, got {chunk_size}")
    seed = exp.seed if seed is None else seed
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, got {seed}")
    sampling = exp.sampling if sampling is None else sampling
    if sampling not in SAMPLING_METHODS:
        raise ValueError(f"unknown sampling {sampling!r}; allowed: "
                         f"{', '.join(SAMPLING_METHODS)}")
    resolved = resolve_portfolios(scenario, exp.portfolios if portfolios is None else portfolios)
    sample_worlds = min(runs, exp.sample_worlds if sample_worlds is None else sample_worlds)
    check_size(scenario, runs, chunk_size, len(resolved), sample_worlds=sample_worlds)
    return Plan(
        scenario=scenario,
        runs=runs,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        portfolios=resolved,
        sample_worlds=sample_worlds,
        extensions=extensions_of(scenario.options),
    )
