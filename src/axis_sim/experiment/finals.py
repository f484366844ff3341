"""Every world's outcomes at the horizon, the numbers every comparison is made of.

Held as (portfolios, outcomes, worlds) float32. An ordinary run keeps them in memory; a very
large one (over `SPILL_BYTES`, as its owner decides) keeps them in a scratch file and reads one
outcome or one portfolio at a time, so a million-world run never holds them all. Written with
positioned writes and reads, not a memory map: mapped pages would count against the
process's memory as they are touched, which is what spilling is meant to avoid.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

SPILL_BYTES = 256 * 2**20
_ITEM = np.dtype(np.float32).itemsize


class Finals:
    """Horizon values of `worlds` worlds; `write` chunks as they arrive, read slices later."""

    def __init__(self, portfolios: int, outcomes: int, worlds: int,
                 folder: Path | None = None) -> None:
        """In memory, unless a scratch `folder` is given (then in a file in that folder)."""
        self.shape = (portfolios, outcomes, worlds)  # capacity; `worlds` may stop short
        self.worlds = 0
        self.path: Path | None = None
        self._memory: np.ndarray | None = None
        if folder is None:
            self._memory = np.empty(self.shape, dtype=np.float32)
        else:
            self.path = Path(folder) / "finals.f32"
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)

    @classmethod
    def from_array(cls, values: np.ndarray) -> Finals:
        """Finals already in memory, (portfolios, outcomes, worlds), kept in their own dtype."""
        finals = cls(*values.shape)
        finals._memory = np.asarray(values)
        finals.worlds = values.shape[2]
        return finals

    @property
    def spilled(self) -> bool:
        """Whether the values live in a scratch file."""
        return self.path is not None

    def write(self, start: int, block: np.ndarray) -> None:
        """Store a chunk's (portfolios, outcomes, chunk worlds) values from world `start` on."""
        width = block.shape[2]
        self.worlds = max(self.worlds, start + width)
        if self._memory is not None:
            self._memory[..., start:start + width] = block
            return
        capacity = self.shape[2]
        block = np.ascontiguousarray(block, dtype=np.float32)
        for p in range(self.shape[0]):
            for i in range(self.shape[1]):
                offset = ((p * self.shape[1] + i) * capacity + start) * _ITEM
                os.pwrite(self._fd, block[p, i].tobytes(), offset)

    def _read(self, p: int, i: int) -> np.ndarray:
        if self._memory is not None:
            return self._memory[p, i, :self.worlds]
        offset = ((p * self.shape[1] + i) * self.shape[2]) * _ITEM
        raw = os.pread(self._fd, self.worlds * _ITEM, offset)
        return np.frombuffer(raw, dtype=np.float32)

    def outcome(self, i: int, worlds: slice = slice(None)) -> np.ndarray:
        """One outcome in every portfolio and world, (portfolios, worlds) float64 (optionally
        some worlds)."""
        return np.stack([self._read(p, i)[worlds] for p in range(self.shape[0])]).astype(
            np.float64)

    def portfolio(self, p: int, worlds: slice = slice(None)) -> np.ndarray:
        """One portfolio's outcomes, (outcomes, worlds) float64 (optionally some worlds)."""
        return np.stack([self._read(p, i)[worlds] for i in range(self.shape[1])]).astype(
            np.float64)

    def close(self) -> None:
        """Release the scratch file (the folder's owner deletes it)."""
        if self.path is not None and self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def as_finals(values: Finals | np.ndarray) -> Finals:
    """`values` as `Finals` (an array is wrapped, not copied)."""
    return values if isinstance(values, Finals) else Finals.from_array(values)
