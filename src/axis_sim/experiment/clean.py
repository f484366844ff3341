"""What interrupted runs leave in a results folder, and `axis-sim clean` to remove it.

Four kinds of leftovers, all hidden entries directly in the results folder:

- `.chunks-<fingerprint>/`: the saved chunks of a run that did not finish. Running the same
  command again resumes from them, so a run only reports other runs' chunk folders;
  `axis-sim clean` removes them. One whose lock is held belongs to a live run and is never
  touched (the lock is exact: a killed run's lock is gone with it).
- `.<name>.<random>.partial/`: a results folder that was being written when its run was killed.
- `.axis-sim-run-<random>/`: a large run's scratch folder.
- `.<name>.<random>.tmp`: an atomic write's temporary file.

The last three are never reused, so a run with a chunk store removes them when it starts, as
`clean` does — but only when no live run marks the folder in use (`axis_sim.io.in_use`). Every
`.partial` folder is written under that mark (`axis_sim.io.atomic_folder`), so for them the lock
is exact; scratch folders and temporary files are written without it, so they are also kept
until nothing in them changed for `STALE_SECONDS` (a notebook's scratch folder, say, is never
cut off mid-run).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

from axis_sim.io import Lock, unused

log = logging.getLogger(__name__)  # what a run tidied; the command line prints it
STALE_SECONDS = 600  # a temporary folder or file unchanged this long is a dead run's
CHUNKS = ".chunks-"
DEFAULT_FOLDER = Path("results")  # where runs write by default (experiment/output.py)
KINDS = {"chunks": "saved chunks of an unfinished run",
         "partial": "half-written results folder",
         "scratch": "scratch folder of a large run",
         "temporary": "temporary file of an interrupted write"}


@dataclass(frozen=True)
class Leftover:
    """One leftover in a results folder: what it is, its size, and whether it may be removed
    now (`busy` says why not)."""

    path: Path
    kind: str  # a key of KINDS
    size: int  # bytes
    busy: str = ""  # why it is kept, or "" if it may be removed

    @property
    def line(self) -> str:
        """`  12.3 MB  .chunks-…  saved chunks of an unfinished run` (and why it is kept)."""
        kept = f"  (kept: {self.busy})" if self.busy else ""
        return f"{size_text(self.size):>9}  {self.path.name}  {KINDS[self.kind]}{kept}"


def _kind(entry: os.DirEntry[str]) -> str | None:
    """Which kind of leftover a folder entry is, or None for anything else."""
    name = entry.name
    if not name.startswith(".") or entry.is_symlink():
        return None
    if entry.is_dir():
        if name.startswith(CHUNKS):
            return "chunks"
        if name.endswith(".partial"):
            return "partial"
        if name.startswith(".axis-sim-run-"):
            return "scratch"
    elif entry.is_file() and name.endswith(".tmp") and name.count(".") >= 3:
        return "temporary"
    return None


def _walk(path: Path) -> tuple[int, float]:
    """Total bytes under `path` and the newest modification time in it (symlinks not
    followed)."""
    info = path.lstat()
    size, newest = info.st_size if path.is_file() else 0, info.st_mtime
    for parent, folders, names in os.walk(path):
        for name in (*folders, *names):
            try:
                info = os.lstat(os.path.join(parent, name))
            except OSError:  # removed meanwhile
                continue
            newest = max(newest, info.st_mtime)
            if name in names:
                size += info.st_size
    return size, newest


def _chunks_busy(path: Path) -> str:
    """Why a chunk folder must be kept ("" if it may go): a live run holds its lock, or its
    lock cannot be taken."""
    from axis_sim.experiment.store import LOCK

    lock = Lock(path / LOCK)
    try:
        if not lock.acquire(wait=False):
            return "in use by a live run"
    except OSError as err:
        return f"cannot lock it: {err.strerror or err}"
    lock.release()
    return ""


def find(root: Path | str) -> list[Leftover]:
    """The leftovers directly in `root` (none if it is not a folder), sorted by name."""
    root = Path(root)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    locked = ""  # why the folder's lock cannot be taken (a read-only folder), if so
    try:
        marker = unused(root)  # held: no run marks the folder in use
    except OSError as err:
        marker, locked = None, f"cannot lock {root}: {err.strerror or err}"
    try:
        found = []
        now = time.time()
        for entry in entries:
            kind = _kind(entry)
            if kind is None:
                continue
            path = Path(entry.path)
            try:
                size, newest = _walk(path)
            except OSError:
                continue
            busy = ""
            if kind == "chunks":
                busy = locked or _chunks_busy(path)
            elif marker is None:
                busy = locked or "a live run is using this folder"
            elif kind != "partial" and now - newest < STALE_SECONDS:
                busy = (f"changed {int(now - newest)} s ago; it may belong to a run still "
                        "going")
            found.append(Leftover(path, kind, size, busy))
        return found
    finally:
        if marker is not None:
            marker.release()


def remove(leftovers: list[Leftover]) -> list[Leftover]:
    """Remove the leftovers that may be removed, re-checking each under its lock (a chunk
    folder's own, the results folder's for the rest); return those removed."""
    from axis_sim.experiment.store import LOCK

    removed = []
    for item in leftovers:
        if item.busy:
            continue
        try:
            lock = (Lock(item.path / LOCK) if item.kind == "chunks"
                    else unused(item.path.parent))
            if lock is None or (not lock.held and not lock.acquire(wait=False)):
                continue  # a run started using it since it was found
        except OSError as err:
            log.warning(f"could not remove {item.path}: {err.strerror or err}")
            continue
        try:
            if item.path.is_dir():
                shutil.rmtree(item.path)
            else:
                item.path.unlink()
            removed.append(item)
        except OSError as err:
            log.warning(f"could not remove {item.path}: {err.strerror or err}")
        finally:
            lock.release()
    return removed


def tidy(root: Path | str, mine: Path | None = None) -> None:
    """At a run's start: remove what killed runs left in `root` that no run can reuse
    (partial results, scratch folders, temporary files), and report other runs' saved chunks
    (`mine`, this run's own chunk folder, is not reported)."""
    found = find(root)
    removed = remove([item for item in found if item.kind != "chunks"])
    if removed:
        log.info(f"Removed {len(removed)} leftovers of interrupted runs in {root} "
                 f"({size_text(sum(item.size for item in removed))}).")
    others = [item for item in found
              if item.kind == "chunks" and not item.busy and item.path != mine]
    if others:
        log.info(f"{len(others)} folders of saved chunks from other, unfinished runs in {root} "
                 f"({size_text(sum(item.size for item in others))}); rerun the same command to "
                 f"resume, or `axis-sim clean {root}` to remove them.")


def size_text(size: int) -> str:
    """Bytes as a short size: `512 B`, `3.4 kB`, `144 MB`, `1.2 GB`."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" or value >= 100 else (
                f"{value:.1f} {unit}")
        value /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


@click.command("clean", epilog="""\b
Examples:
  axis-sim clean --dry-run       # list what would go, with sizes
  axis-sim clean results/        # remove it""")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
def clean(folder: Path | None, dry_run: bool) -> None:
    """Remove what interrupted runs left in FOLDER (default: results): saved chunks of
    unfinished runs, half-written results folders, scratch folders and temporary files.
    Anything a live run is using is kept."""
    if folder is None:  # no results folder yet: nothing to clean, not an error
        folder = DEFAULT_FOLDER
    elif not folder.is_dir():
        click.echo(f"Error: {folder} is not a folder", err=True)
        sys.exit(2)
    found = find(folder)
    if not found:
        click.echo(f"Nothing to clean in {folder}.")
        return
    removable = [item for item in found if not item.busy]
    for item in found:
        click.echo(item.line)
    total = size_text(sum(item.size for item in removable))
    if dry_run:
        click.echo(f"Would remove {len(removable)} of {len(found)} ({total}).")
        return
    removed = remove(removable)
    click.echo(f"Removed {len(removed)} of {len(found)} "
               f"({size_text(sum(item.size for item in removed))}).")
