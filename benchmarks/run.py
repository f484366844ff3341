"""Benchmarks: batched worlds against one world at a time, scaling, lookahead, memory.

    .venv/bin/python benchmarks/run.py            # default sizes (a few minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # smoke run, well under 30 s
    .venv/bin/python benchmarks/run.py --full     # adds 10^6 worlds
    .venv/bin/python benchmarks/run.py --jobs 4 --json /tmp/bench.json

The benchmarks live in the package, `axis_sim.benchmark` (also `axis-sim bench`); this script
runs them on this checkout's scenarios/baseline.yaml from any working directory and writes
`benchmarks/results.json` unless `--json` (or `--scenario`) says otherwise. `main(argv)` is
importable; it returns the results dict.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from axis_sim import benchmark
from axis_sim.benchmark import SEED, draw, warm_up, with_horizon  # noqa: F401 (profile_step.py)
from axis_sim.scenario.schema import Scenario

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "baseline.yaml"
DEFAULT_JSON = HERE / "results.json"


def baseline() -> Scenario:
    """This checkout's baseline scenario, wherever the script is run from."""
    return benchmark.baseline(SCENARIO)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """`axis_sim.benchmark.main` with this checkout's defaults (later options win)."""
    args = sys.argv[1:] if argv is None else argv
    return benchmark.main(["--scenario", str(SCENARIO), "--json", str(DEFAULT_JSON), *args])


if __name__ == "__main__":
    main()
