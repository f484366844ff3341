"""Plan a Monte Carlo experiment: which portfolios, how many worlds, in which chunks, which seed.

Everything a result depends on is in the `Plan`; the number of worker processes is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

import numpy as np

from axis_sim.experiment.monthly import exact_worlds
from axis_sim.model.options import extensions_of
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.schema import Sampling, Scenario

SAMPLING_METHODS: tuple[str, ...] = get_args(Sampling)

EXACT_MONTHLY_BYTES = 256 * 2**20
ANALYSIS_WORLDS = 20_000


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

    Raises ValueError for an unknown portfolio or sampling method, or a non-positive count.
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
    return Plan(
        scenario=scenario,
        runs=runs,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        portfolios=resolved,
        sample_worlds=min(runs, exp.sample_worlds if sample_worlds is None else sample_worlds),
        extensions=extensions_of(scenario.options),
    )
