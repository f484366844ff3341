"""The event log: compact rows (month, world, actor, event, value) for the worlds being watched.

Narratives — a seminar inject, "what happened in world 4711" — are views of this log, never a
separate simulation. Only the worlds in `watched` are logged, so the log stays small however
many worlds a batch holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from axis_sim.scenario.schema import ACTORS

EVENTS: tuple[str, ...] = (
    "ceasefire",
    "leader_summit",
    "forum",
    "allied_exercise",
    "exercise_condemned",
    "cooperation_step",
    "china_naval_exercise",
    "tech_transfer",
    "coercive_posture",
    "short_range_launch",
    "intermediate_range_launch",
    "icbm_launch",
    "icbm_failure",
    "satellite_launch",
    "nuclear_test",
    "un_action_blocked",
    "lethal_incident",
    "escalation_crisis",
    "munitions_shipment",
    "missile_rocket_transfer",
    "intercept_attempt",
    "intercept_success",
    "entity_listed",
    "front_company",
    "parallel_sanctions",
    "launchpad_strike",
    "quiet_enforcement",
)
EVENT_CODE = {name: i for i, name in enumerate(EVENTS)}
ACTOR_CODE = {name: i for i, name in enumerate(ACTORS)}
ACTOR_CODE["World"] = len(ACTORS)
ACTOR_NAMES = (*ACTORS, "World")


class EventLog:
    """Collects event rows month by month for the watched worlds of one model."""

    def __init__(self, worlds: int, watched: np.ndarray, world_offset: int = 0) -> None:
        self._watched = np.zeros(worlds, dtype=bool)
        self._watched[watched] = True
        self._offset = world_offset
        self._chunks: list[tuple[np.ndarray, ...]] = []

    def record(self, month: int, actor: str, event: str, happened: np.ndarray,
               value: np.ndarray | float = 1.0) -> None:
        """Log `event` by `actor` in every watched world where `happened` is true."""
        rows = np.flatnonzero(happened & self._watched)
        if rows.size == 0:
            return
        values = np.broadcast_to(np.asarray(value, dtype=np.float64), happened.shape)[rows]
        self._chunks.append((
            np.full(rows.size, month, dtype=np.int16),
            (rows + self._offset).astype(np.int64),
            np.full(rows.size, ACTOR_CODE[actor], dtype=np.int8),
            np.full(rows.size, EVENT_CODE[event], dtype=np.int16),
            values.astype(np.float64),
        ))

    def to_frame(self) -> pd.DataFrame:
        """All rows so far, sorted by world then month, with actor and event as strings."""
        if self._chunks:
            cols = [np.concatenate(parts) for parts in zip(*self._chunks, strict=True)]
        else:
            cols = [np.empty(0, dtype=t) for t in (np.int16, np.int64, np.int8, np.int16,
                                                   np.float64)]
        frame = pd.DataFrame({
            "month": cols[0], "world": cols[1],
            "actor": pd.Categorical.from_codes(cols[2], categories=list(ACTOR_NAMES)),
            "event": pd.Categorical.from_codes(cols[3], categories=list(EVENTS)),
            "value": cols[4],
        })
        return frame.sort_values(["world", "month"], kind="stable", ignore_index=True)
