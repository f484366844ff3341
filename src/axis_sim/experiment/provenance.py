"""What a manifest records about where a run's numbers came from: the code (version and git
commit), the command line, the scenario files and their hashes, the versions of every library
that shapes results, and a run id that names the numbers.

`run_id` is a fingerprint, not a random id: it hashes everything the tables depend on (the
scenario's content, seed, worlds, chunking, sampling, portfolios, any design, the user-defined
options and the axis-sim version). Two folders with the same `run_id` hold the same numbers,
whichever machine, executor or number of jobs made them; every table written to a results
folder carries it in a `run_id` column, so tables of several runs can be stacked and told apart.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shlex
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from axis_sim.scenario.loader import origin_of

if TYPE_CHECKING:
    from axis_sim.experiment.plan import Plan

# Libraries whose versions can change the numbers a run gives (draws, quantiles, tests, files).
RESULT_SHAPING = ("numpy", "scipy", "pandas", "pyarrow", "SALib", "mesa", "scikit-learn")
# Recorded only when the run used them.
DASK = ("dask", "distributed")


def package_version() -> str:
    """axis-sim's installed version ("unknown" when run from a bare source tree)."""
    try:
        return version("axis-sim")
    except PackageNotFoundError:
        return "unknown"


def library_versions(executor: str = "local") -> dict[str, str]:
    """Installed versions of the result-shaping libraries (absent ones are left out)."""
    found: dict[str, str] = {}
    for name in (*RESULT_SHAPING, *(DASK if executor == "dask" else ())):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


@functools.cache
def git_state() -> dict[str, Any] | None:
    """The git commit of the axis-sim source this process runs, and whether the working tree
    had changes; None when the code is not in a git checkout (an installed wheel)."""
    source = Path(__file__).resolve().parents[3]  # src/axis_sim/experiment/ → repository
    if not (source / ".git").exists():
        return None

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(source), *args], capture_output=True,
                                  text=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain", "--untracked-files=no", "--", "src")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def command_line() -> str:
    """The command that made the run, quoted for a shell (a notebook's kernel command in a
    notebook)."""
    return shlex.join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python",
                       *sys.argv[1:]])


def run_id(plan: Plan) -> str:
    """`<scenario>-<12 hex digits>`: a fingerprint of everything the run's numbers depend on."""
    from axis_sim.experiment.store import fingerprint

    key = {"plan": fingerprint(plan), "version": package_version(),
           "extensions": plan.extensions, "runs": plan.runs}
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
    return f"{plan.scenario.meta.name}-{digest}"


def provenance(plan: Plan) -> dict[str, Any]:
    """The manifest entries that tie a run to its code, command and scenario files."""
    origin = origin_of(plan.scenario)
    return {
        "run_id": run_id(plan),
        "git": git_state(),
        "command": command_line(),
        "argv": list(sys.orig_argv),
        "scenario_source": origin.manifest(plan.scenario) if origin is not None else None,
        "extensions": dict(plan.extensions),
    }
