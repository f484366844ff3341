"""Which files a scenario may read, and reading one without being fooled by what a path is.

A scenario file names other files (`extends:`), so a file from anyone could make the loader open
`/etc/shadow`, a FIFO that blocks forever or a device. Two rules keep reading safe:

* **Where**: `extends:` may lead only inside the scenario's own folder tree and the bundled
  scenario library (`axis_sim/data/scenarios`, itself a symlink in a checkout: both sides are
  compared as resolved real paths, so `../` escapes and symlinks pointing outside are caught
  wherever they are). Anything else needs an explicit `allow_outside` (`--allow-outside`).
  A refused file is never opened nor even `stat`-ed (resolving the path only reads the
  symlinks on the way).
* **What**: only regular files no larger than `MAX_FILE_BYTES` are opened; the kind is checked
  with `stat` before opening and again on the open descriptor (opened non-blocking, so a FIFO
  swapped in between cannot block).

Shared by the loader and `axis_sim.bundled` (which copies a scenario with its parents), so both
follow the same rule.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

MAX_FILE_BYTES = 2 * 1024 * 1024
"""The largest scenario or question file read: the biggest committed one is under 100 KB, and
reading YAML in pure Python takes seconds per megabyte."""

MAX_PATH_CHARS = 4096

ALLOW_OUTSIDE_HINT = "pass --allow-outside (allow_outside=True in Python) to read it anyway"


def path_problem(ref: str) -> str | None:
    """What makes the text `ref` unusable as a path before touching the disk, or None."""
    if "\0" in ref:
        return "the path contains a NUL character"
    if len(ref) > MAX_PATH_CHARS:
        return f"the path is longer than {MAX_PATH_CHARS} characters"
    return None


def _kind(mode: int) -> str | None:
    """Why a file of this `st_mode` is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file; it is not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file; it is not read"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file; it is not read"
    return "is not a regular file; it is not read"


def file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be read as a scenario file (missing, not a regular file, too large,
    not permitted), as words to follow the file's name; None if it can."""
    text = os.fspath(path)
    problem = path_problem(text)
    if problem is not None:
        return problem
    try:
        info = os.stat(text)
    except FileNotFoundError:
        return "does not exist"
    except PermissionError:
        return "cannot be read: permission denied"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or type(exc).__name__}"
    return _kind(info.st_mode) or _size_problem(info.st_size)


def _size_problem(size: int) -> str | None:
    if size > MAX_FILE_BYTES:
        return (f"is {size / (1024 * 1024):.1f} MiB, larger than the {_mib(MAX_FILE_BYTES)} "
                "a scenario file may be")
    return None


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


class UnreadableFile(Exception):
    """`read_regular` refused or failed; the message says why, after the file's name."""


def read_regular(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file of at most `MAX_FILE_BYTES`; `UnreadableFile` otherwise.

    The kind and size are checked before opening (a FIFO or device is never opened), and again
    on the descriptor, opened non-blocking, in case the path changed in between.
    """
    problem = file_problem(path)
    if problem is not None:
        raise UnreadableFile("no such file" if problem == "does not exist" else problem)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(os.fspath(path), flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableFile("no such file") from None
    except PermissionError:
        raise UnreadableFile("cannot be read: permission denied") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        problem = _kind(info.st_mode) or _size_problem(info.st_size)
        if problem is not None:
            raise UnreadableFile(problem)
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > MAX_FILE_BYTES:  # it grew after the check
        raise UnreadableFile(f"is larger than the {_mib(MAX_FILE_BYTES)} a scenario file may be")
    return b"".join(chunks)


def real(path: str | os.PathLike[str]) -> Path:
    """`path` with every symlink and `..` resolved (it need not exist)."""
    return Path(os.path.realpath(path))


def extends_roots(scenario_folder: str | os.PathLike[str]) -> tuple[Path, ...]:
    """The folders whose files a scenario in `scenario_folder` may extend: that folder's tree
    and the bundled scenario library, as real paths."""
    from axis_sim.bundled import scenarios_dir

    return tuple(dict.fromkeys((real(scenario_folder), real(scenarios_dir()))))


def inside(path: str | os.PathLike[str], roots: Iterable[Path]) -> bool:
    """Whether the real path of `path` lies in one of `roots` (real paths)."""
    target = real(path)
    return any(target == root or target.is_relative_to(root) for root in roots)


def outside_message(ref: str, roots: tuple[Path, ...]) -> str:
    """Why `extends: ref` is refused: it leads out of the allowed folders."""
    from axis_sim.scenario.errors import show_value

    where = " and ".join(str(root) for root in roots)
    return (f"{show_value(ref)} leads outside the scenario's folder and the bundled "
            f"scenarios ({where}); a scenario may extend only files there; {ALLOW_OUTSIDE_HINT}")
