"""Chunks on disk, so an interrupted run resumes where it stopped.

While a run is written to a results folder, each finished chunk is saved in a folder named
after the plan's fingerprint (scenario hash, seed, runs, chunk size, sampling, portfolios). Run
the same command again and the saved chunks are loaded instead of simulated; the folder is
removed once the results are written. Files are NumPy archives and Parquet (no pickles), each
written atomically.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from axis_sim.experiment.monthly import MonthlyPartial
from axis_sim.experiment.plan import Plan
from axis_sim.experiment.runner import ChunkResult
from axis_sim.io import atomic_write_bytes
from axis_sim.model.eventlog import ACTOR_NAMES, EVENTS
from axis_sim.scenario.loader import scenario_hash


def fingerprint(plan: Plan) -> str:
    """What a chunk's numbers depend on, hashed: two plans with equal prints share chunks."""
    key = {"scenario": scenario_hash(plan.scenario), "seed": plan.seed, "runs": plan.runs,
           "chunk_size": plan.chunk_size, "sampling": plan.sampling,
           "portfolios": {k: list(v) for k, v in plan.portfolios.items()},
           "sample_worlds": plan.sample_worlds, "designed": plan.design is not None,
           "values": values_hash(plan.values),
           "exact_monthly_bytes": plan.exact_monthly_bytes}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]


def values_hash(values: dict[str, np.ndarray] | None) -> str | None:
    """A fingerprint of a user's design (`Plan.values`), or None without one."""
    if values is None:
        return None
    digest = hashlib.sha256()
    for path in sorted(values):
        digest.update(path.encode())
        digest.update(np.ascontiguousarray(values[path], dtype=np.float64).tobytes())
    return digest.hexdigest()


def _categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Give actor and event the event log's categories again (an empty Parquet table loses them)."""
    frame["actor"] = pd.Categorical(frame["actor"].astype(str), categories=list(ACTOR_NAMES))
    frame["event"] = pd.Categorical(frame["event"].astype(str), categories=list(EVENTS))
    return frame


class ChunkStore:
    """The saved chunks of one plan, in `root/.chunks-<fingerprint>/`."""

    def __init__(self, root: Path | str, plan: Plan) -> None:
        self.plan = plan
        self.folder = Path(root) / f".chunks-{fingerprint(plan)}"

    def _path(self, index: int, part: str) -> Path:
        return self.folder / f"chunk-{index:06d}.{part}"

    def has(self, index: int) -> bool:
        """True if chunk `index` is saved completely (its archive is written last)."""
        return self._path(index, "npz").exists()

    def done(self) -> int:
        """How many of the plan's chunks are saved."""
        return sum(self.has(k) for k in range(len(self.plan.chunks)))

    def save(self, result: ChunkResult) -> None:
        """Save one chunk: event logs first, the archive (the completion mark) last."""
        self.folder.mkdir(parents=True, exist_ok=True)
        index = result.chunk.index
        for p, frame in enumerate(result.events):
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            atomic_write_bytes(self._path(index, f"events{p}.parquet"), buffer.getvalue())
        buffer = io.BytesIO()
        monthly = {f"monthly:{k}": v for k, v in vars(result.monthly).items()
                   if isinstance(v, np.ndarray)}
        np.savez(buffer, finals=result.finals, sample=result.sample,
                 seconds=np.float64(result.seconds), **monthly,
                 **{f"param:{k}": v for k, v in result.parameters.items()})
        atomic_write_bytes(self._path(index, "npz"), buffer.getvalue())

    def load(self, index: int) -> ChunkResult:
        """A saved chunk, exactly as it was computed."""
        chunk = self.plan.chunks[index]
        with np.load(self._path(index, "npz"), allow_pickle=False) as archive:
            parts = {k: archive[k] for k in archive.files}
        parameters = {k.removeprefix("param:"): v for k, v in parts.items()
                      if k.startswith("param:")}
        monthly = MonthlyPartial(worlds=chunk.size, **{
            k.removeprefix("monthly:"): v for k, v in parts.items() if k.startswith("monthly:")})
        events = [_categories(pd.read_parquet(self._path(index, f"events{p}.parquet")))
                  for p in range(len(self.plan.portfolios))]
        return ChunkResult(chunk, parameters, parts["finals"], parts["sample"], monthly, events,
                           float(parts["seconds"]) if "seconds" in parts else 0.0)

    def remove(self) -> None:
        """Delete the saved chunks (after the results are written)."""
        shutil.rmtree(self.folder, ignore_errors=True)
