"""Chunks on disk, so an interrupted run resumes where it stopped.

While a run is written to a results folder, each finished chunk is saved in a folder named
after the plan's fingerprint (scenario hash, seed, runs, chunk size, sampling, portfolios). Run
the same command again and the saved chunks are loaded instead of simulated; the folder is
removed once the results are written. Files are NumPy archives and Parquet (no pickles), each
written atomically, and each chunk's sha256 sums are written last, in `chunk-<n>.json`: a chunk
without them, or whose files do not match them (truncated, damaged), is simulated again, with a
message.

One run at a time uses a store: a run holds the store's lock (`.chunks-<fingerprint>/.lock`)
while it reads and writes chunks, and a second run of the same plan waits for it (saying so),
then goes on with what the first left: the chunks it saved if it was interrupted, or a fresh
start if it finished and removed them. Waiting, not refusing, because both runs then finish
with the same, correct results; interrupt the second run if waiting is not wanted.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from axis_sim.experiment.monthly import MonthlyPartial
from axis_sim.experiment.plan import Plan
from axis_sim.experiment.runner import ChunkResult
from axis_sim.io import Lock, atomic_write_bytes, atomic_write_text, in_use
from axis_sim.model.eventlog import ACTOR_NAMES, EVENTS
from axis_sim.scenario.loader import scenario_hash

log = logging.getLogger(__name__)  # resume messages; the command line prints them
PREFIX = ".chunks-"  # a store's folder: PREFIX + the plan's fingerprint
LOCK = ".lock"  # in a store's folder: held by the run using it


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


class DamagedChunk(ValueError):
    """A saved chunk whose files are missing, truncated or do not match their checksums."""


class ChunkStore:
    """The saved chunks of one plan, in `root/.chunks-<fingerprint>/`."""

    def __init__(self, root: Path | str, plan: Plan) -> None:
        self.plan = plan
        self.root = Path(root)
        self.folder = self.root / f"{PREFIX}{fingerprint(plan)}"
        self._lock = Lock(self.folder / LOCK)

    def _path(self, index: int, part: str) -> Path:
        return self.folder / f"chunk-{index:06d}.{part}"

    def _sums(self, index: int) -> dict[str, dict[str, Any]] | None:
        """Chunk `index`'s files with their size and sha256, or None if not saved completely."""
        try:
            files = json.loads(self._path(index, "json").read_text())["files"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return files if isinstance(files, dict) else None

    def has(self, index: int) -> bool:
        """True if chunk `index` is saved completely: its sums are written (last), and every
        file is there with the size they give. (Its contents are checked when loaded.)"""
        sums = self._sums(index)
        if sums is None:
            return False
        try:
            return all((self.folder / name).stat().st_size == entry["bytes"]
                       for name, entry in sums.items())
        except (OSError, KeyError, TypeError):
            return False

    def incomplete(self, index: int) -> bool:
        """True if some of chunk `index` is on disk but not all of it (a write that was cut
        off, a truncated file, a store of an older version)."""
        return not self.has(index) and any(self.folder.glob(f"chunk-{index:06d}.*"))

    def done(self) -> int:
        """How many of the plan's chunks are saved."""
        return sum(self.has(k) for k in range(len(self.plan.chunks)))

    def save(self, result: ChunkResult) -> None:
        """Save one chunk: event logs and archive first, their sums (the completion mark) last."""
        index = result.chunk.index
        parts: dict[str, bytes] = {}
        for p, frame in enumerate(result.events):
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            parts[f"events{p}.parquet"] = buffer.getvalue()
        buffer = io.BytesIO()
        monthly = {f"monthly:{k}": v for k, v in vars(result.monthly).items()
                   if isinstance(v, np.ndarray)}
        np.savez(buffer, finals=result.finals, sample=result.sample,
                 seconds=np.float64(result.seconds), **monthly,
                 **{f"param:{k}": v for k, v in result.parameters.items()})
        parts["npz"] = buffer.getvalue()
        sums = {}
        for part, data in parts.items():
            path = atomic_write_bytes(self._path(index, part), data)
            sums[path.name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        atomic_write_text(self._path(index, "json"), json.dumps({"files": sums}, indent=1))

    def _read(self, index: int, part: str, sums: dict[str, dict[str, Any]]) -> bytes:
        """A saved file's bytes, checked against its sum."""
        name = self._path(index, part).name
        try:
            data = (self.folder / name).read_bytes()
        except OSError as err:
            raise DamagedChunk(f"saved chunk {index} cannot be read ({name}: "
                               f"{err.strerror or err})") from err
        entry = sums.get(name)
        if not isinstance(entry, dict) or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise DamagedChunk(f"saved chunk {index} is damaged ({name} does not match its "
                               "checksum)")
        return data

    def load(self, index: int) -> ChunkResult:
        """A saved chunk, exactly as it was computed; DamagedChunk if it is not intact."""
        sums = self._sums(index)
        if sums is None:
            raise DamagedChunk(f"saved chunk {index} has no checksums")
        chunk = self.plan.chunks[index]
        try:
            with np.load(io.BytesIO(self._read(index, "npz", sums)),
                         allow_pickle=False) as archive:
                parts = {k: archive[k] for k in archive.files}
            events = [_categories(pd.read_parquet(io.BytesIO(
                self._read(index, f"events{p}.parquet", sums))))
                for p in range(len(self.plan.portfolios))]
            parameters = {k.removeprefix("param:"): v for k, v in parts.items()
                          if k.startswith("param:")}
            monthly = MonthlyPartial(worlds=chunk.size, **{
                k.removeprefix("monthly:"): v for k, v in parts.items()
                if k.startswith("monthly:")})
            return ChunkResult(chunk, parameters, parts["finals"], parts["sample"], monthly,
                               events, float(parts["seconds"]) if "seconds" in parts else 0.0)
        except DamagedChunk:
            raise
        except Exception as err:  # right sums, unreadable contents (e.g. another version's)
            raise DamagedChunk(f"saved chunk {index} cannot be read "
                               f"({type(err).__name__}: {err})"[:300]) from err

    def discard(self, index: int) -> None:
        """Forget chunk `index` (its sums first, so a half-discarded chunk is not 'saved')."""
        self._path(index, "json").unlink(missing_ok=True)
        for path in self.folder.glob(f"chunk-{index:06d}.*"):
            path.unlink(missing_ok=True)

    @contextmanager
    def opened(self) -> Iterator[ChunkStore]:
        """Use the store for a run: tidy what killed runs left in its root, mark the root in
        use, and hold the store's lock (waiting, with a message, for a run that holds it)."""
        from axis_sim.experiment.clean import tidy

        tidy(self.root, mine=self.folder)
        with in_use(self.root):
            if not self._lock.acquire(wait=False):
                holder = self._lock.holder()
                if holder == str(os.getpid()):  # waiting for ourselves would never end
                    raise RuntimeError(f"this process is already running this plan with "
                                       f"{self.folder}; finish or close that run first")
                who = f" (pid {holder})" if holder else ""
                log.info(f"Waiting for another run of this plan{who} to finish with "
                         f"{self.folder}…")
                self._lock.acquire()
            try:
                yield self
            finally:
                self._lock.release()

    def remove(self) -> None:
        """Delete the saved chunks (after the results are written), unless another run of the
        plan is using them now (it removes them when it is done)."""
        lock = Lock(self.folder / LOCK)
        if not self.folder.exists() or not lock.acquire(wait=False):
            return
        try:
            shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            lock.release()
