"""How long the command line takes to start, as ratios to an empty Python start.

    .venv/bin/python benchmarks/import_time.py              # 7 repeats of each, medians
    .venv/bin/python benchmarks/import_time.py --repeats 15 --json /tmp/import.json

Each case is a fresh interpreter (`python -X importtime` is not used: it slows imports down):
`python -c pass` (the floor), `import axis_sim`, `import axis_sim.cli`, `axis-sim --help`,
shell completion of `axis-sim run <TAB>` (what the shell waits for), and `import axis_sim.api`
(pandas, scipy, Mesa: what a command that runs a model loads). The report gives each median in
milliseconds and as a ratio to the floor; only ratios measured in the same run are meaningful,
and nothing here is asserted (tests/test_packaging.py checks, structurally, that the command
line does not import pandas, scipy or Mesa).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PYTHON = sys.executable
CLI = "from axis_sim.cli import main; main(prog_name='axis-sim')"
CASES: dict[str, list[str]] = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "import axis_sim": [PYTHON, "-c", "import axis_sim"],
    "import axis_sim.cli": [PYTHON, "-c", "import axis_sim.cli"],
    "axis-sim --help": [PYTHON, "-c", CLI, "--help"],
    "complete `axis-sim run <TAB>`": [PYTHON, "-c", CLI],
    "import axis_sim.api": [PYTHON, "-c", "import axis_sim.api"],
}
# Click's completion protocol: the shell sets these and runs the program.
COMPLETION_ENV = {"_AXIS_SIM_COMPLETE": "bash_complete", "COMP_WORDS": "axis-sim run ",
                  "COMP_CWORD": "2"}


def once(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(repeats: int) -> dict[str, Any]:
    """Median wall seconds of each case over `repeats` interleaved rounds (after one warm-up
    round, so every case reads its files from the page cache)."""
    base = dict(os.environ)
    envs = {name: ({**base, **COMPLETION_ENV} if name.startswith("complete") else base)
            for name in CASES}
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for round_ in range(repeats + 1):
        for name, command in CASES.items():
            seconds = once(command, envs[name])
            if round_:
                times[name].append(seconds)
    floor = statistics.median(times["python -c pass"])
    return {
        "python": sys.version.split()[0],
        "repeats": repeats,
        "cases": {name: {"median_ms": round(1000 * statistics.median(t), 1),
                         "ratio_to_python": round(statistics.median(t) / floor, 2),
                         "all_ms": [round(1000 * x, 1) for x in t]}
                  for name, t in times.items()},
    }


def report(results: dict[str, Any]) -> str:
    lines = [f"Start-up time, median of {results['repeats']} fresh processes "
             f"(Python {results['python']}):"]
    for name, case in results["cases"].items():
        lines.append(f"  {name:32s} {case['median_ms']:8.1f} ms   "
                     f"{case['ratio_to_python']:6.1f}× python -c pass")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = measure(max(1, args.repeats))
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
