"""Atomic file and folder writes, and the locks that keep writers and cleaners apart.

A reader never sees a half-written output: every file is written to a temporary file in the
same folder, flushed to disk (fsync) and renamed over the target, and the folder is synced so
the rename survives a crash. If writing fails — a full disk above all — the temporary file is
removed, the old file (if any) is left as it was, and the error is a `WriteError` whose text is
one line a command can print as it is.

`Lock` is an advisory lock (flock) on a file: chunk stores hold one per run, and runs hold the
results folder's `in_use` lock shared, so `axis-sim clean` never removes what a live run is
using. Locks held by a killed process vanish with it; no stale lock file ever blocks anyone.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

# What a user can do something about, in words; other errors keep the system's text.
_REASONS = {errno.ENOSPC: "no space left on device (disk full)",
            errno.EDQUOT: "disk quota exceeded",
            errno.EROFS: "the file system is read-only",
            errno.EACCES: "permission denied",
            errno.EPERM: "operation not permitted"}
MAX_REASON = 200  # characters: an error line stays one short line


class WriteError(OSError):
    """A file or folder that could not be written; nothing half-written was left behind.

    An OSError with the cause's errno, so `except OSError` still catches it; `str()` is one
    line, e.g. "cannot write results/x.csv: no space left on device (disk full); nothing was
    written".
    """

    def __init__(self, path: Path | str, cause: OSError) -> None:
        reason = _REASONS.get(cause.errno or 0) or cause.strerror or str(cause)
        super().__init__(cause.errno, " ".join(str(reason).split())[:MAX_REASON])
        self.path = str(path)

    def __str__(self) -> str:
        return f"cannot write {_shown(self.path)}: {self.strerror}; nothing was written"

    def __reduce__(self) -> tuple[type[WriteError], tuple[str, OSError]]:
        # OSError pickles its args (errno, text), which this __init__ does not take.
        return (WriteError, (self.path, OSError(self.errno, self.strerror)))


def _shown(path: str) -> str:
    """A path for an error line: printable and not absurdly long."""
    text = path.encode("unicode_escape", "backslashreplace").decode("ascii")
    return text if len(text) <= MAX_REASON else f"…{text[-MAX_REASON:]}"


@contextmanager
def _reported(path: Path) -> Iterator[None]:
    """Turn an OSError of the block into a WriteError naming `path` (once)."""
    try:
        yield
    except WriteError:
        raise
    except OSError as err:
        raise WriteError(path, err) from err


@contextmanager
def atomic_open(path: Path | str) -> Iterator[BinaryIO]:
    """A binary file to write `path` through: the file appears, complete and synced, only if
    the block finishes; otherwise the old file stays and the temporary one is removed.

    For writers that stream (Parquet, CSV); `atomic_write_bytes` is the one-call form.
    """
    path = Path(path)
    with _reported(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())  # a full disk may only say so here
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _sync_folder(path.parent)


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` atomically (see `atomic_open`)."""
    path = Path(path)
    with atomic_open(path) as handle:
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(handle.fileno(), view):]
    return path


def atomic_write_text(path: Path | str, text: str) -> Path:
    """Write UTF-8 `text` to `path` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_folder(target: Path | str) -> Iterator[Path]:
    """A hidden `.<name>.<random>.partial` folder beside `target` to write into; when the block
    finishes its files are synced and it is renamed to `target`; if the block fails it is
    removed. Raises FileExistsError if `target` exists. The parent folder is marked `in_use`
    meanwhile, so a cleaner never takes the partial folder for an interrupted run's."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose another --out")
    # Any OSError inside (pyarrow's full disk too) is reported as failing to write `target`:
    # true, since the partial folder is removed.
    with _reported(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        with in_use(target.parent):
            partial = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial",
                                            dir=target.parent))
            try:
                yield partial
                _sync_tree(partial)
                make_readable_folder(partial)
                partial.rename(target)
                _sync_folder(target.parent)
            except BaseException:
                shutil.rmtree(partial, ignore_errors=True)
                raise


def _sync_tree(folder: Path) -> None:
    """fsync every file under `folder`, and the folders, so a crash after the rename cannot
    leave a finished-looking folder of empty files."""
    for parent, _, names in os.walk(folder):
        for name in names:
            fd = os.open(os.path.join(parent, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_folder(Path(parent))


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so a rename into it is on disk (a no-op where folders cannot be)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def make_readable_folder(path: Path) -> None:
    """Give a folder made by `tempfile.mkdtemp` (0700) the permissions `mkdir` would give."""
    os.chmod(path, 0o777 & ~_umask())


class Lock:
    """An advisory lock (flock) on the file `path`, exclusive or shared, held until `release`.

    The holder's pid is written in the file (exclusive locks only), so a waiter can say whom
    it waits for. If another holder removes the lock file (with the folder it guards) while
    this one waits, the lock is taken again on the new file: two holders never both believe
    they own it.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self, *, shared: bool = False, wait: bool = True) -> bool:
        """Take the lock; without `wait`, return False at once if another process holds it."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already locked by this object")
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
        while True:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Not inherited by child processes (os.open's default): a worker that outlives
            # its killed parent must not keep the lock.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
            try:
                fcntl.flock(fd, mode)
            except BlockingIOError:
                os.close(fd)
                return False
            except BaseException:
                os.close(fd)
                raise
            if _same_file(fd, self.path):
                break
            os.close(fd)  # the file was removed while we waited: lock the new one
        self._fd = fd
        if not shared:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        return True

    def release(self) -> None:
        """Let the lock go (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def holder(self) -> str:
        """The pid last written by an exclusive holder, or "" if none can be read."""
        try:
            return self.path.read_text(errors="replace").strip()[:20]
        except OSError:
            return ""

    def __enter__(self) -> Lock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


IN_USE = ".axis-sim.lock"  # in a results folder: held shared by every live run writing there


@contextmanager
def in_use(folder: Path | str) -> Iterator[None]:
    """Within the block, `folder` is marked as used by a live run (a shared lock), so cleaning
    (`axis-sim clean`, the start of a run) leaves its temporary folders alone."""
    lock = Lock(Path(folder) / IN_USE)
    lock.acquire(shared=True)
    try:
        yield
    finally:
        lock.release()


def unused(folder: Path | str) -> Lock | None:
    """The exclusive lock of `folder` if no live run uses it (to hold while cleaning it;
    release it after), else None."""
    lock = Lock(Path(folder) / IN_USE)
    return lock if lock.acquire(wait=False) else None
