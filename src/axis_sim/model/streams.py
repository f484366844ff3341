"""Common random numbers: one named uniform stream per rule, drawn every month for every world.

A chunk of worlds owns `SeedSequence(seed, spawn_key=(chunk,))` — the same seed sequence as
`SeedSequence(seed).spawn(n)[chunk]` — so its draws do not depend on how chunks are spread over
processes. Each named stream gets its own generator, keyed by a stable hash of its name, so adding
a rule (a new stream) leaves every other stream's numbers unchanged. Every stream is drawn every
month whether or not a rule uses it, so two portfolios run on the same chunk see the same numbers
in the same places: their difference is the policy's effect, not luck.
"""

from __future__ import annotations

import zlib

import numpy as np

# Every stream the monthly step reads. Order here does not matter (each has its own generator);
# a rule that needs randomness must add its name here, and the step must not draw elsewhere.
STREAM_NAMES: tuple[str, ...] = (
    "ceasefire",
    "trilateral_exercise",
    "rok_backing",
    "japan_backing",
    "china_stance",
    "china_naval_exercise",
    "russia_ladder",
    "russia_treaty_skip",
    "russia_treaty_skip_fast",
    "ladder_fast_step",
    "summit_hazard",
    "russia_condemnation",
    "tech_transfer",
    "tech_programme",
    "dprk_posture",
    "dprk_ties",
    "srbm_count",
    "irbm_count",
    "icbm_launch",
    "icbm_trajectory",
    "icbm_success",
    "satellite_attempt",
    "satellite_success",
    "nuclear_test",
    "un_shield",
    "un_proposal",
    "lethal_incident",
    "incident_escalation",
    "deliveries",
    "rocket_transfers",
    "intercept_attempt",
    "intercept_success",
    "intercept_escalation",
    "launchpad_strike",
    "parallel_sanctions",
    "listing",
    "identification",
    "front_rebuild",
)

PARAMETER_STREAM = 0
MONTHLY_STREAM = 1


def chunk_seed(seed: int, chunk: int) -> np.random.SeedSequence:
    """The seed sequence of chunk `chunk`: identical to `SeedSequence(seed).spawn(n)[chunk]`."""
    return np.random.SeedSequence(seed, spawn_key=(chunk,))


def parameter_rng(seed: int, chunk: int) -> np.random.Generator:
    """The generator that draws the uncertain parameters of a chunk's worlds."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, PARAMETER_STREAM)))


class Streams:
    """Monthly uniform draws for one chunk of worlds, one generator per named stream."""

    def __init__(self, seed: int, chunk: int, worlds: int, entities: int = 0,
                 events: tuple[str, ...] = (), shared: bool = False,
                 select: int | None = None) -> None:
        self.worlds = worlds
        # select: draw the whole chunk's numbers but hand back only this world's, so one world
        # run on its own (`SingleWorld`, mesa.batch_run) sees exactly what it sees in its batch.
        self.select = select
        self.entities = entities
        # shared: every world sees the same draws — for designed experiments (Morris, Sobol),
        # where worlds differ only in their parameters and noise must not pose as an effect.
        self.shared = shared
        names = (*STREAM_NAMES, *(f"event:{e}" for e in events))
        self._generators = {
            name: np.random.default_rng(
                np.random.SeedSequence(
                    seed, spawn_key=(chunk, MONTHLY_STREAM, zlib.crc32(name.encode()))
                )
            )
            for name in names
        }

    def state(self) -> dict[str, dict]:
        """Every generator's state, as plain data (see `model/state.py`)."""
        return {name: gen.bit_generator.state for name, gen in self._generators.items()}

    def set_state(self, state: dict[str, dict]) -> None:
        """Continue every stream from a saved `state()`."""
        for name, saved in state.items():
            self._generators[name].bit_generator.state = saved

    def month(self) -> dict[str, np.ndarray]:
        """Draw this month's uniforms: shape (worlds,), or (worlds, entities) for entity streams."""
        draws = {}
        rows = 1 if self.shared else self.worlds
        for name, gen in self._generators.items():
            shape = (rows, self.entities) if name in ENTITY_STREAMS else (rows,)
            draw = gen.random(shape)
            if self.shared:
                draw = np.broadcast_to(draw, (self.worlds, *shape[1:]))
            if self.select is not None:
                draw = draw[self.select:self.select + 1]
            draws[name] = draw
        return draws


# Streams with one draw per procurement entity per world (the sanctions network).
ENTITY_STREAMS: frozenset[str] = frozenset({"listing", "identification", "front_rebuild"})
