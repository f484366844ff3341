"""Runs under abuse and faults (issue 19): concurrent runs of one plan, damaged saved chunks,
killed runs' leftovers, killed parents, full disks — no traceback, no lost or half-written
data, and numbers identical to an undisturbed run."""

from __future__ import annotations

import errno
import logging
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from axis_sim import io as axis_io
from axis_sim.experiment import clean as cleaning
from axis_sim.experiment.clean import clean, tidy
from axis_sim.experiment.plan import Plan, plan
from axis_sim.experiment.runner import ChunkResult, execute
from axis_sim.experiment.store import ChunkStore
from axis_sim.io import Lock, WriteError, atomic_folder, atomic_write_bytes, in_use
from axis_sim.scenario.schema import Scenario
from tests.conftest import BASELINE

# --- helpers -------------------------------------------------------------------------------


def _same(a: list[ChunkResult], b: list[ChunkResult]) -> None:
    """Two runs' chunks agree to the bit."""
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.chunk == y.chunk
        assert np.array_equal(x.finals, y.finals) and np.array_equal(x.sample, y.sample)
        for name, value in vars(x.monthly).items():
            assert np.array_equal(value, vars(y.monthly)[name]), name
        for ex, ey in zip(x.events, y.events, strict=True):
            pd.testing.assert_frame_equal(ex, ey)


@pytest.fixture()
def small_plan(short_baseline: Scenario) -> Plan:
    return plan(short_baseline, runs=150, seed=8, portfolios=["warn_beijing"])


def _short_scenario(folder: Path, chunk_size: int = 40) -> Path:
    short = folder / "short.yaml"
    short.write_text(f"extends: {BASELINE}\nmeta:\n  name: short\n  horizon_months: 6\n"
                     f"experiment:\n  chunk_size: {chunk_size}\n")
    return short


def _cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """`axis-sim ARGS` in a new process, its stderr a pipe of text lines."""
    return subprocess.Popen(
        [sys.executable, "-c", "from axis_sim.cli import main; main(prog_name='axis-sim')",
         *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _lines(stream: object) -> queue.Queue[str]:
    """A process's output lines, read by a thread (so a test can wait with a deadline)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], text: str, seconds: float = 120) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=1))
        except queue.Empty:
            continue
        if text in seen[-1]:
            return seen
    raise AssertionError(f"never printed {text!r}; printed: {seen}")


# --- the chunk store: one run at a time, checksummed ---------------------------------------


def test_a_second_run_of_the_same_plan_waits_then_resumes(tmp_path: Path) -> None:
    """The issue's race: two identical runs in one folder. Now the second waits for the
    first's lock (saying so), then loads what the first saved: same tables, no crash."""
    from axis_sim.api import load_scenario

    short = _short_scenario(tmp_path)
    the_plan = plan(load_scenario(short), runs=120, portfolios=["warn_beijing"])
    store = ChunkStore(tmp_path, the_plan)
    first = execute(the_plan, store=store)
    computed = [next(first)]  # the first run holds the store from here on
    args = ["run", str(short), "--runs", "120", "--portfolios", "warn_beijing"]
    second = _cli(*args, "--out", str(tmp_path / "second"), cwd=tmp_path)
    try:
        lines = _lines(second.stderr)
        _wait_for(lines, "Waiting for another run of this plan")
        assert second.poll() is None  # blocked, not failed
        computed += list(first)  # the first run finishes its chunks and lets go
        assert second.wait(timeout=300) == 0
    finally:
        second.kill()
    assert not store.folder.exists()  # the second run, last to use it, removed it
    _same(list(execute(the_plan)), computed)
    from axis_sim.cli import main

    alone = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "alone")])
    assert alone.exit_code == 0, alone.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "second" / "outcomes.parquet"),
                                  pd.read_parquet(tmp_path / "alone" / "outcomes.parquet"))


def test_chunks_found_on_disk_during_a_run_do_not_disorder_it(small_plan: Plan,
                                                               tmp_path: Path) -> None:
    """The root cause of 'chunk 5 arrived out of order': a chunk saved by someone else while
    a run was going was loaded, and the run's own copy then came for the next chunk."""
    store = ChunkStore(tmp_path, small_plan)
    fresh = list(execute(small_plan))
    stream = execute(small_plan, store=store)
    got = [next(stream)]  # chunk 0; chunk 1 is not computed yet
    (tmp_path / "sneak").mkdir()
    ChunkStore(tmp_path / "sneak", small_plan).save(fresh[1])
    for name in ("chunk-000001.npz", "chunk-000001.events0.parquet",
                 "chunk-000001.events1.parquet", "chunk-000001.json"):
        (tmp_path / "sneak" / store.folder.name / name).rename(store.folder / name)
    got += list(stream)
    _same(fresh, got)


@pytest.mark.parametrize("damage", ["truncate", "flip", "no sums"])
def test_a_damaged_saved_chunk_is_simulated_again_with_a_message(
        small_plan: Plan, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    store = ChunkStore(tmp_path, small_plan)
    fresh = list(execute(small_plan, store=store))
    archive = store.folder / "chunk-000001.npz"
    data = archive.read_bytes()
    if damage == "truncate":
        archive.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # same size, different bytes: only the checksum can tell
        middle = len(data) // 2
        archive.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    else:  # a chunk saved by a version without checksums
        (store.folder / "chunk-000001.json").unlink()
    with caplog.at_level(logging.INFO, logger="axis_sim"):
        resumed = list(execute(small_plan, store=store))
    _same(fresh, resumed)
    message = "is damaged" if damage == "flip" else "is incomplete"
    assert any(f"saved chunk 1 {message}" in r.getMessage() and "simulating it again" in
               r.getMessage() for r in caplog.records), caplog.text
    assert store.has(1) and store.load(1).chunk.index == 1  # saved again, intact


def test_the_cli_says_a_damaged_chunk_is_recomputed_and_never_shows_a_traceback(
        tmp_path: Path) -> None:
    from axis_sim.api import load_scenario
    from axis_sim.cli import main

    short = _short_scenario(tmp_path)
    the_plan = plan(load_scenario(short), runs=120, portfolios=["warn_beijing"])
    store = ChunkStore(tmp_path, the_plan)
    stream = execute(the_plan, store=store)
    next(stream), next(stream)
    stream.close()
    npz = store.folder / "chunk-000000.npz"
    npz.write_bytes(npz.read_bytes()[:100])  # the BadZipFile of the issue
    done = CliRunner().invoke(main, ["run", str(short), "--runs", "120", "--portfolios",
                                     "warn_beijing", "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert "saved chunk 0 is incomplete; simulating it again." in done.output
    assert "Traceback" not in done.output and "BadZipFile" not in done.output
    assert not store.folder.exists()


# --- leftovers of killed runs --------------------------------------------------------------


def _leftover(path: Path, age: float = 2 * cleaning.STALE_SECONDS, size: int = 1000) -> Path:
    """A folder as a killed writer leaves it, last changed `age` seconds ago."""
    path.mkdir()
    (path / "table.parquet").write_bytes(b"x" * size)
    then = time.time() - age
    for item in (path / "table.parquet", path):
        os.utime(item, (then, then))
    return path


def test_a_run_removes_what_killed_runs_left_and_reports_others_chunks(
        small_plan: Plan, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    partial = _leftover(tmp_path / ".20261206-080000-short.k2j4.partial")
    scratch = _leftover(tmp_path / ".axis-sim-run-abc123")
    temporary = tmp_path / ".manifest.json.x1y2.tmp"
    temporary.write_text("{")
    os.utime(temporary, (0, 0))
    killed = _leftover(tmp_path / ".20261206-090000-short.zz.partial", age=5)  # just now
    recent = _leftover(tmp_path / ".axis-sim-run-def456", age=5)
    other = _leftover(tmp_path / ".chunks-0123456789abcdef0123", size=3_000_000)
    results = _leftover(tmp_path / "20261206-080000-short")  # a finished results folder
    with caplog.at_level(logging.INFO, logger="axis_sim"):
        list(execute(small_plan, store=ChunkStore(tmp_path, small_plan)))
    assert not partial.exists() and not scratch.exists() and not temporary.exists()
    assert not killed.exists()  # a partial folder is only written under the folder's lock
    assert recent.exists()  # scratch is not: one changed lately may be a live run's, kept
    assert other.exists() and results.exists()  # resumable, and not a leftover at all
    text = caplog.text
    assert "Removed 4 leftovers of interrupted runs" in text
    assert "1 folders of saved chunks from other, unfinished runs" in text
    assert "(3.0 MB)" in text and "axis-sim clean" in text


def test_nothing_is_tidied_while_a_live_run_uses_the_folder(tmp_path: Path) -> None:
    partial = _leftover(tmp_path / ".out.abc.partial")
    with in_use(tmp_path):  # a live run writing here (a shared lock)
        tidy(tmp_path)
        assert partial.exists()
        found = cleaning.find(tmp_path)
        assert [item.busy for item in found] == ["a live run is using this folder"]
    tidy(tmp_path)
    assert not partial.exists()


def test_clean_lists_sizes_removes_the_abandoned_and_keeps_the_live(tmp_path: Path) -> None:
    abandoned = _leftover(tmp_path / ".chunks-aaaaaaaaaaaaaaaaaaaa", size=2_500_000)
    live = _leftover(tmp_path / ".chunks-bbbbbbbbbbbbbbbbbbbb", size=10)
    partial = _leftover(tmp_path / ".run.q1.partial", size=1500)
    keep = _leftover(tmp_path / "20261206-080000-short")
    holder = Lock(live / ".lock")
    assert holder.acquire(wait=False)  # a live run's store
    try:
        dry = CliRunner().invoke(clean, [str(tmp_path), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "2.5 MB  .chunks-aaaaaaaaaaaaaaaaaaaa  saved chunks of an unfinished run" in (
            dry.output)
        assert "(kept: in use by a live run)" in dry.output
        assert "1.5 kB  .run.q1.partial  half-written results folder" in dry.output
        assert "Would remove 2 of 3 (2.5 MB)." in dry.output
        assert abandoned.exists() and partial.exists()
        done = CliRunner().invoke(clean, [str(tmp_path)])
        assert done.exit_code == 0 and "Removed 2 of 3 (2.5 MB)." in done.output
        assert not abandoned.exists() and not partial.exists()
        assert live.exists() and keep.exists()
    finally:
        holder.release()
    assert "Nothing to clean" in CliRunner().invoke(clean, [str(keep)]).output
    missing = CliRunner().invoke(clean, [str(tmp_path / "nope")])
    assert missing.exit_code == 2
    assert missing.output.strip() == f"Error: {tmp_path / 'nope'} is not a folder"


def test_a_run_killed_while_simulating_resumes_to_the_same_tables(tmp_path: Path) -> None:
    """SIGKILL mid-run: the next run resumes from the saved chunks and gets the same tables
    as an uninterrupted run; the store is gone afterwards."""
    from axis_sim.cli import main

    short = _short_scenario(tmp_path, chunk_size=20)
    args = ["run", str(short), "--runs", "200", "--portfolios", "warn_beijing"]
    victim = _cli(*args, "--out", str(tmp_path / "killed"), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".chunks-*/chunk-000001.json")):
            assert victim.poll() is None and time.monotonic() < deadline, victim.stderr
            time.sleep(0.1)
        victim.kill()
    finally:
        victim.kill()
        victim.wait()
    resumed = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "resumed")])
    assert resumed.exit_code == 0, resumed.output
    assert "Resuming:" in resumed.output
    assert not list(tmp_path.glob(".chunks-*"))
    whole = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "whole")])
    assert "Resuming:" not in whole.output
    for table in ("outcomes", "monthly", "events"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "resumed" / f"{table}.parquet").drop(columns="run_id"),
            pd.read_parquet(tmp_path / "whole" / f"{table}.parquet").drop(columns="run_id"))


# --- processes end with the parent ---------------------------------------------------------


def _children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """True if `pid` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture()
def busy_run(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], set[int]]]:
    """A `--jobs 2` run in another process, caught while its workers simulate: the process
    and its children (two workers and the resource tracker)."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc")
    short = _short_scenario(tmp_path, chunk_size=20)
    run = _cli("run", str(short), "--runs", "100000", "--jobs", "2", "--out",
               str(tmp_path / "out"), cwd=tmp_path)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".chunks-*/chunk-000000.json")):
            assert run.poll() is None and time.monotonic() < deadline, run.stderr
            time.sleep(0.1)
        children = _children(run.pid)
        assert len(children) >= 2  # the workers (and the resource tracker)
        yield run, children
    finally:
        run.kill()
        run.wait()
        for pid in children:  # only if the test failed: leave no orphan burning a CPU
            if _alive(pid) and "multiprocessing" in _cmdline(pid):  # pragma: no cover
                os.kill(pid, signal.SIGKILL)


def _all_end(pids: set[int], seconds: float = 30) -> set[int]:
    """The pids still running after waiting up to `seconds` (a generous bound, not a timing
    assertion: a worker checks for its parent twice a second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    return {p for p in pids if _alive(p)}


@pytest.mark.parametrize(("how", "codes"), [(signal.SIGKILL, {-signal.SIGKILL}),
                                             (signal.SIGTERM, {128 + signal.SIGTERM}),
                                             (signal.SIGINT, {1, 128 + signal.SIGINT})])
def test_workers_end_with_their_parent(busy_run: tuple[subprocess.Popen[str], set[int]],
                                       how: signal.Signals, codes: set[int]) -> None:
    run, children = busy_run
    run.send_signal(how)
    assert run.wait(timeout=60) in codes
    assert _all_end(children) == set()
    assert "Traceback" not in run.stderr.read()  # type: ignore[union-attr]


def test_a_run_stopped_early_kills_its_workers_at_once(short_baseline: Scenario) -> None:
    """`--until-precise` stops reading chunks: the workers are killed, not left to finish
    the chunks in flight, and the signal handlers of the run are put back."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc")
    before, handler = _children(os.getpid()), signal.getsignal(signal.SIGTERM)
    stream = execute(plan(short_baseline, runs=640, seed=3, portfolios=[]), jobs=2)
    next(stream)
    assert signal.getsignal(signal.SIGTERM) is not handler  # the run's own, meanwhile
    workers = {pid for pid in _children(os.getpid()) - before
               if "resource_tracker" not in _cmdline(pid)}
    assert len(workers) == 2
    stream.close()
    assert {pid for pid in workers if _alive(pid)} == set()  # gone when close() returns
    assert signal.getsignal(signal.SIGTERM) is handler


# --- atomic writes and a full disk ---------------------------------------------------------


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, allowed: int) -> None:
    """os.write writes `allowed` bytes, then fails as a full disk does."""
    budget = {"left": allowed}
    real = os.write

    def write(fd: int, data: bytes | memoryview) -> int:
        if budget["left"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = real(fd, bytes(data[:budget["left"]]))
        budget["left"] -= written
        return written

    monkeypatch.setattr(os, "write", write)


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = atomic_write_bytes(tmp_path / "table.csv", b"old contents\n")
    _full_disk_after(monkeypatch, 5)  # the new file is cut off after 5 bytes
    with pytest.raises(WriteError) as caught:
        atomic_write_bytes(target, b"new contents, much longer than five bytes\n")
    assert target.read_bytes() == b"old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.csv"]
    message = str(caught.value)
    assert message == (f"cannot write {target}: no space left on device (disk full); "
                       "nothing was written")
    assert "\n" not in message and caught.value.errno == errno.ENOSPC
    assert isinstance(caught.value, OSError)  # old `except OSError` handlers still catch it
    assert str(pickle.loads(pickle.dumps(caught.value))) == message  # from a worker, too


def test_a_full_disk_found_at_fsync_is_a_write_error_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delayed allocation: the writes succeed and the disk says it is full only on flush."""
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(WriteError, match="disk full"):
        axis_io.atomic_write_text(tmp_path / "new.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_a_folder_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "results" / "run"
    with pytest.raises(WriteError) as caught, atomic_folder(target) as partial:
        (partial / "outcomes.parquet").write_bytes(b"PAR1")
        raise OSError(errno.ENOSPC, "No space left on device")  # as pyarrow raises it
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir()] == [axis_io.IN_USE]  # no .partial
    assert str(caught.value).startswith(f"cannot write {target}: no space left")


def test_a_finished_folder_appears_whole_with_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "run"
    with atomic_folder(target) as partial:
        axis_io.atomic_write_text(partial / "manifest.json", "{}\n")
        assert not target.exists()  # nothing visible until the block ends
    assert (target / "manifest.json").read_text() == "{}\n"
    mode = target.stat().st_mode & 0o777
    assert mode == 0o777 & ~axis_io._umask()
    with pytest.raises(FileExistsError, match="already exists"), atomic_folder(target):
        pass


def test_a_store_on_a_full_disk_is_a_one_line_error_and_resumes_later(
        small_plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ChunkStore(tmp_path, small_plan)
    stream = execute(small_plan, store=store)
    next(stream)
    _full_disk_after(monkeypatch, 0)
    with pytest.raises(WriteError, match="disk full"):
        next(stream)
    monkeypatch.undo()
    assert store.done() == 1 and not list(store.folder.glob("*.tmp"))
    _same(list(execute(small_plan)), list(execute(small_plan, store=store)))


def test_a_process_running_a_plan_twice_is_told_not_left_waiting(small_plan: Plan,
                                                                  tmp_path: Path) -> None:
    store = ChunkStore(tmp_path, small_plan)
    first = execute(small_plan, store=store)
    next(first)
    with pytest.raises(RuntimeError, match="already running this plan"):
        next(execute(small_plan, store=ChunkStore(tmp_path, small_plan)))
    first.close()
    assert len(list(execute(small_plan, store=store))) == len(small_plan.chunks)


def test_a_full_disk_at_the_end_of_a_run_loses_no_simulated_chunk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI end to end: the disk fills while the results are written — one line, exit 2,
    no results folder and no .partial left, and the saved chunks stay, so the rerun (disk
    freed) loads every chunk instead of simulating it again."""
    import pyarrow.parquet as pq

    from axis_sim.cli import main

    short = _short_scenario(tmp_path)
    args = ["run", str(short), "--runs", "120", "--portfolios", "warn_beijing", "--out",
            str(tmp_path / "out")]
    real = pq.write_table

    def full(table: object, where: object, *a: object, **k: object) -> None:
        if not isinstance(where, str | Path):  # a chunk serialised in memory: no disk
            return real(table, where, *a, **k)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", full)
    failed = CliRunner().invoke(main, args)
    assert failed.exit_code == 2
    errors = [line for line in failed.output.splitlines() if "disk full" in line]
    assert len(errors) == 1 and "Traceback" not in failed.output
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob("*.partial"))
    monkeypatch.setattr(pq, "write_table", real)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "Resuming: 3 of 3 chunks already done." in again.output
    assert not list(tmp_path.glob(".chunks-*"))


def test_a_lock_removed_with_its_folder_is_taken_again_on_a_new_file(tmp_path: Path) -> None:
    """A run waiting for a store whose owner finished and removed it must not believe it
    holds the lock of the deleted file while a third run locks the new one."""
    path = tmp_path / "store" / ".lock"
    first, second = Lock(path), Lock(path)
    assert first.acquire()
    assert not second.acquire(wait=False)
    assert first.holder() == str(os.getpid())
    waiter = threading.Thread(target=second.acquire)
    waiter.start()
    time.sleep(0.2)  # let it block on the old file
    path.unlink()
    path.parent.rmdir()
    first.release()
    waiter.join(timeout=30)
    assert second.held and path.exists()  # locked the new file, not the removed one
    third = Lock(path)
    assert not third.acquire(wait=False)
    second.release()
    assert third.acquire(wait=False)
    third.release()
