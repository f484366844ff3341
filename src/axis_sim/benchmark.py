"""Benchmarks: batched worlds against one world at a time, scaling, lookahead, memory.

    axis-sim bench                          # default sizes (a few minutes on 2 cores)
    axis-sim bench --quick                  # smoke run, well under 30 s
    axis-sim bench --full                   # adds 10^6 worlds
    axis-sim bench --jobs 4 --json /tmp/bench.json
    python -m axis_sim.benchmark --quick    # the same without the click command line

Every figure is a rate (world-months per second) or a ratio of two rates measured in the same run
on the same machine; nothing is compared with a stored absolute time. Wall times (lookahead, all
portfolios) are printed to be quoted, never asserted. The runs that report memory (the scaling
over worlds, the all-portfolios run) happen in a fresh Python process (`python -m
axis_sim.benchmark --probe ...`) whose peak resident set size (`ru_maxrss`) is reset just before
each measured run (Linux `/proc/self/clear_refs`), so each peak is that run's own. The load
average is recorded: other work on the machine slows every figure.

The scenario is the bundled baseline (`axis_sim.bundled`) unless `--scenario` names a file or
another bundled scenario, so the benchmarks run outside a checkout too.

`main(argv)` is importable; it returns the results dict and, with `--json`, writes it as JSON
(`benchmarks/run.py` calls it and writes `benchmarks/results.json` by default).

Adding a benchmark: one function `name(bench: Bench) -> dict` and one line in `run_benchmarks`,
`measured["name"] = name(bench)`. A peak-memory figure goes into `bench.memory` as a row (the
shape `memory_line` prints), so it appears in the report's memory section by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import mesa
import numpy as np

import axis_sim
from axis_sim import bundled
from axis_sim.api import load_scenario
from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model.metrics import record
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.portfolios import all_subsets
from axis_sim.scenario.schema import OPTIONS, Scenario

MODULE = "axis_sim.benchmark"  # what a probe process runs: python -m MODULE --probe SPEC
DEFAULT_SCENARIO = bundled.scenarios_dir() / "baseline.yaml"  # installed with the package
SEED = 20230901
TARGET_RATIO = 300.0  # the headline: batched ≥ 300× one-world-at-a-time at 10,000 worlds
MIB = 1024.0  # ru_maxrss is in KiB on Linux

Mode = Literal["quick", "default", "full"]


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark is."""

    batched_worlds: int  # worlds in the one batched model of the headline ratio
    single_worlds: int  # worlds run one at a time (each its own AxisModel)
    repeats: int  # timed repeats of in-process model runs (the median is reported)
    worlds: tuple[int, ...]  # scaling over worlds (in a fresh process)
    months: tuple[int, ...]  # scaling over the horizon
    months_worlds: int  # worlds for the horizon curve
    portfolios: tuple[int, ...]  # scaling over portfolios, through axis_sim.run
    portfolio_worlds: int  # worlds for the portfolio curve
    lookahead_worlds: int  # the seminar lookahead: 6 portfolios × this many worlds
    all_worlds: int  # --portfolios all × this many worlds
    streaming_worlds: int  # the bounded-memory run: status quo + 5 options × this many worlds
    chunk_size: int | None = None  # None: the scenario's chunk size (500)
    streaming_chunk_size: int = 2_000  # cheaper per world than 500, still small in a worker


DEFAULT = Sizes(batched_worlds=10_000, single_worlds=100, repeats=3,
                worlds=(1_000, 10_000, 100_000), months=(12, 36, 60, 120), months_worlds=10_000,
                portfolios=(1, 2, 4, 8, 32), portfolio_worlds=2_000, lookahead_worlds=2_000,
                all_worlds=10_000, streaming_worlds=100_000)
FULL = replace(DEFAULT, single_worlds=200, worlds=(*DEFAULT.worlds, 1_000_000),
               streaming_worlds=1_000_000)
# Small chunks in --quick so the parallel runs still have two chunks for two workers.
QUICK = Sizes(batched_worlds=1_000, single_worlds=10, repeats=1, worlds=(250, 500, 1_000),
              months=(12, 36), months_worlds=500, portfolios=(1, 2, 4), portfolio_worlds=100,
              lookahead_worlds=100, all_worlds=100, streaming_worlds=400, chunk_size=50,
              streaming_chunk_size=50)
SIZES: dict[Mode, Sizes] = {"quick": QUICK, "default": DEFAULT, "full": FULL}

# Dotted paths of the figures every run reports; each is a positive number (tests check this).
FIGURES: tuple[str, ...] = (
    "batched_vs_single.batched_world_months_per_second",
    "batched_vs_single.single_world_months_per_second",
    "batched_vs_single.ratio",
    "scaling.worlds.fit.r_squared",
    "scaling.worlds.fit.per_unit_cost_ratio_max_min",
    "scaling.months.fit.r_squared",
    "scaling.months.fit.per_unit_cost_ratio_max_min",
    "scaling.portfolios.fit.r_squared",
    "scaling.portfolios.fit.per_unit_cost_ratio_max_min",
    "scaling.portfolios.simulation_fit.r_squared",
    "scaling.portfolios.simulation_fit.per_unit_cost_ratio_max_min",
    "lookahead.wall_seconds",
    "lookahead.simulation_seconds",
    "lookahead.wall_seconds_parallel",
    "all_portfolios.wall_seconds",
    "all_portfolios.simulation_seconds",
    "all_portfolios.world_months_per_second",
    "memory.batched_run.rss_peak_mib",
    "memory.batched_run.run_mib",
    "memory.largest_run.rss_peak_mib",
    "memory.largest_run.run_mib",
    "memory.all_portfolios.parent_rss_peak_mib",
    "memory.all_portfolios.workers_rss_peak_mib",
    "streaming.wall_seconds",
    "streaming.total_rss_peak_mib",
    "memory.streaming.parent_rss_peak_mib",
    "memory.streaming.workers_rss_peak_mib",
    "memory.benchmark_process_rss_peak_mib",
)


@dataclass
class Bench:
    """What every benchmark is given, and where peak-memory rows are collected for the report."""

    scenario_path: Path  # absolute, so a probe process loads the same file
    scenario: Scenario
    sizes: Sizes
    jobs: int  # worker processes for the parallel runs
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)  # results key → row


# --- the model, driven as the runner drives it ------------------------------------------------


def baseline(path: Path = DEFAULT_SCENARIO) -> Scenario:
    """The scenario the benchmarks run (default: the bundled baseline)."""
    return load_scenario(path)


def with_horizon(scenario: Scenario, months: int) -> Scenario:
    """A copy of `scenario` that runs for `months` months."""
    meta = scenario.meta.model_copy(update={"horizon_months": months})
    return scenario.model_copy(update={"meta": meta})


def draw(scenario: Scenario, worlds: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Every parameter for `worlds` worlds, drawn as the runner draws chunk 0."""
    return sample_parameters(scenario, worlds, scenario.experiment.sampling,
                             parameter_rng(seed, 0))


def simulate(scenario: Scenario, params: dict[str, np.ndarray], *, seed: int = SEED,
             chunk: int = 0) -> np.ndarray:
    """Run one AxisModel to the horizon, recording the scenario's outcomes every month.

    Returns the history (outcomes, months, worlds) as float32, what the runner keeps.
    """
    outcomes = tuple(scenario.outcomes)
    model = AxisModel(scenario, params, seed=seed, chunk=chunk)
    history = np.empty((len(outcomes), model.horizon, model.worlds), dtype=np.float32)
    while model.running:
        month = model.month
        model.step()
        history[:, month] = record(model, outcomes)
    return history


def one_world(params: dict[str, np.ndarray], i: int) -> dict[str, np.ndarray]:
    """World `i`'s parameters, as a 1-world parameter set."""
    return {path: values[i:i + 1] for path, values in params.items()}


def timed[T](fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, T]:
    """Seconds `fn(*args, **kwargs)` took, and what it returned."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def maxrss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size so far, MiB (RUSAGE_CHILDREN: the largest waited-for child).

    For this process, Linux's VmHWM (which `reset_peak` resets; ru_maxrss also keeps the peak of
    exited threads, so it may not drop); elsewhere ru_maxrss.
    """
    if who == resource.RUSAGE_SELF:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / MIB
        except (OSError, ValueError, IndexError):
            pass
    return resource.getrusage(who).ru_maxrss / MIB


def reset_peak() -> bool:
    """Reset this process's peak RSS to its current RSS (Linux ≥ 4.0: /proc/self/clear_refs),
    so the next `maxrss_mib()` is the peak of what runs from here on. False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mib() -> float:
    """Resident set size now, MiB (Linux /proc; elsewhere the peak so far)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return maxrss_mib()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def warm_up(scenario: Scenario) -> None:
    """Run a few tiny worlds once, so first-call costs fall outside every timing."""
    simulate(with_horizon(scenario, 2), draw(scenario, 4))


# --- probes: measured runs in a fresh process -------------------------------------------------


def probe(bench: Bench, spec: dict[str, Any]) -> Any:
    """Run `spec` on the bench's scenario in a fresh Python process; return what it measured."""
    # The fresh process must import this same axis_sim, also when it is not installed
    # (`python cli.py bench` puts src/ on sys.path by hand).
    source = str(Path(axis_sim.__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
    spec = {**spec, "scenario": str(bench.scenario_path)}
    done = subprocess.run([sys.executable, "-m", MODULE, "--probe", json.dumps(spec)],
                          stdout=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONPATH": path})
    if done.returncode != 0:
        raise RuntimeError(f"benchmark probe {spec} failed (exit {done.returncode}); "
                           "its error is above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_probe(spec: dict[str, Any]) -> Any:
    """The body of a probe process: batched model runs of growing size, or one `axis_sim.run`.

    Before each measured run the process's peak RSS is reset to its current RSS, so each run's
    peak is its own (where the reset is impossible, runs go smallest first and peaks only grow).
    """
    scenario = baseline(Path(spec["scenario"]))
    if spec["kind"] == "worlds":
        scenario = with_horizon(scenario, spec["months"])
        warm_up(scenario)
        points = []
        for worlds in sorted(spec["worlds"]):
            params = draw(scenario, worlds)
            # Repeat (median) up to 10^5 worlds; one run of 10^6 takes over a minute.
            repeats = spec["repeats"] if worlds <= 100_000 else 1
            runs = []
            for _ in range(repeats):
                reset = reset_peak()
                before = rss_mib()
                seconds, history = timed(simulate, scenario, params)
                runs.append((seconds, before, maxrss_mib()))
                del history
            seconds = statistics.median(r[0] for r in runs)
            before, peak = runs[0][1], runs[0][2]
            points.append({"worlds": worlds, "seconds": seconds, "repeats": repeats,
                           "rss_before_mib": before, "rss_peak_mib": peak,
                           "run_mib": peak - before, "peak_reset": reset,
                           "history_mib": 4 * len(scenario.outcomes) * spec["months"] * worlds
                           / 2**20})
            progress(f"worlds {worlds:>9,}: {worlds * spec['months'] / seconds:,.0f} wm/s")
            del params
        return points
    if spec["kind"] == "run":
        axis_sim.run(scenario, runs=20, options=[OPTIONS[0]], jobs=1)  # warm up, serially
        reset = reset_peak()
        before = rss_mib()
        wall, result = timed(axis_sim.run, scenario, runs=spec["runs"], options=spec["options"],
                             jobs=spec["jobs"], chunk_size=spec["chunk_size"])
        peak = maxrss_mib()
        return {"wall_seconds": wall, "simulation_seconds": result.manifest["wall_seconds"],
                "portfolios": len(result.manifest["portfolios"]),
                "months": result.manifest["months"],
                "rss_before_mib": before, "rss_peak_mib": peak, "run_mib": peak - before,
                "peak_reset": reset,
                "workers_rss_peak_mib": maxrss_mib(resource.RUSAGE_CHILDREN)}
    raise ValueError(f"unknown probe kind {spec['kind']!r}")


# --- fits -------------------------------------------------------------------------------------


def linear_fit(x: Sequence[float], seconds: Sequence[float],
               units: Sequence[float]) -> dict[str, float]:
    """How linear is cost in x: least-squares seconds = fixed + slope·x, its R², the log-log
    exponent (1.0 is linear) and the largest over the smallest cost per unit of work."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(seconds, dtype=float)
    slope, fixed = np.polyfit(xs, ys, 1)
    residual = float(np.sum((ys - (slope * xs + fixed)) ** 2))
    total = float(np.sum((ys - ys.mean()) ** 2))
    per_unit = ys / np.asarray(units, dtype=float)
    return {"r_squared": 1.0 - residual / total if total > 0 else 1.0,
            "loglog_exponent": float(np.polyfit(np.log(xs), np.log(ys), 1)[0]),
            "fixed_seconds": float(fixed), "seconds_per_x": float(slope),
            "per_unit_cost_ratio_max_min": float(per_unit.max() / per_unit.min())}


# --- the benchmarks: each takes the Bench and returns its figures ------------------------------


def batched_vs_single(bench: Bench) -> dict[str, Any]:
    """One model of N worlds against the same N-world parameter draws run one world at a time."""
    progress("batched vs one world at a time")
    scenario, sizes = bench.scenario, bench.sizes
    months = scenario.meta.horizon_months
    params = draw(scenario, sizes.batched_worlds)
    batched = [timed(simulate, scenario, params)[0] for _ in range(sizes.repeats)]
    per_world = [timed(simulate, scenario, one_world(params, i), chunk=i)[0]
                 for i in range(sizes.single_worlds)]
    batched_rate = sizes.batched_worlds * months / statistics.median(batched)
    single_rate = sizes.single_worlds * months / sum(per_world)
    ratio = batched_rate / single_rate
    progress(f"ratio {ratio:,.0f}×")
    return {"worlds": sizes.batched_worlds, "months": months,
            "batched_seconds": batched, "batched_world_months_per_second": batched_rate,
            "single_worlds_timed": sizes.single_worlds,
            "single_seconds_total": sum(per_world),
            "single_seconds_per_world_median": statistics.median(per_world),
            "single_seconds_per_world_p90": float(np.quantile(per_world, 0.9)),
            "single_world_months_per_second": single_rate,
            "ratio": ratio, "target_ratio": TARGET_RATIO, "meets_target": ratio >= TARGET_RATIO}


def scaling(bench: Bench) -> dict[str, Any]:
    """The three scaling curves: over worlds, months and portfolios."""
    return {"worlds": scaling_worlds(bench), "months": scaling_months(bench),
            "portfolios": scaling_portfolios(bench)}


def scaling_worlds(bench: Bench) -> dict[str, Any]:
    """Cost against worlds, one batched model per point, in a fresh process.

    Adds two memory rows: the headline's batched run and the largest run.
    """
    points = [{**p, "world_months_per_second": p["worlds"] * 36 / p["seconds"]}
              for p in probe(bench, {"kind": "worlds", "worlds": list(bench.sizes.worlds),
                                     "months": 36, "repeats": bench.sizes.repeats})]
    keep = ("worlds", "rss_before_mib", "rss_peak_mib", "run_mib", "history_mib", "peak_reset")
    by_worlds = {p["worlds"]: p for p in points}
    batched, largest = by_worlds[bench.sizes.batched_worlds], by_worlds[max(by_worlds)]
    for key, label, point in (("batched_run", "batched run", batched),
                              ("largest_run", "largest run", largest)):
        bench.memory[key] = {"label": label, **{k: point[k] for k in keep}}
    return {"months": 36, "points": points,
            "fit": linear_fit([p["worlds"] for p in points], [p["seconds"] for p in points],
                              [p["worlds"] * 36 for p in points])}


def scaling_months(bench: Bench) -> dict[str, Any]:
    """Cost against the horizon, at a fixed number of worlds, same parameter draws."""
    scenario, sizes = bench.scenario, bench.sizes
    params = draw(scenario, sizes.months_worlds)
    points = []
    for months in sizes.months:
        copy = with_horizon(scenario, months)
        seconds = statistics.median(timed(simulate, copy, params)[0]
                                    for _ in range(sizes.repeats))
        points.append({"months": months, "seconds": seconds,
                       "world_months_per_second": sizes.months_worlds * months / seconds})
        progress(f"months {months:>4}: {points[-1]['world_months_per_second']:,.0f} wm/s")
    return {"worlds": sizes.months_worlds, "points": points,
            "fit": linear_fit(sizes.months, [p["seconds"] for p in points],
                              [sizes.months_worlds * m for m in sizes.months])}


def portfolio_names(count: int) -> list[str]:
    """`count` portfolios (status quo first), in the order `--portfolios all` lists them."""
    return list(all_subsets())[:count]


def scaling_portfolios(bench: Bench) -> dict[str, Any]:
    """Cost of `axis_sim.run` (simulation and summary) against the number of portfolios."""
    scenario, sizes = bench.scenario, bench.sizes
    worlds, months = sizes.portfolio_worlds, scenario.meta.horizon_months
    points = []
    for count in sizes.portfolios:
        wall, result = timed(axis_sim.run, scenario, runs=worlds, options=portfolio_names(count),
                             jobs=1, chunk_size=sizes.chunk_size)
        assert len(result.manifest["portfolios"]) == count
        sim = result.manifest["wall_seconds"]
        work = count * worlds * months
        points.append({"portfolios": count, "wall_seconds": wall, "simulation_seconds": sim,
                       "summary_seconds": wall - sim,
                       "world_months_per_second": work / wall,
                       "simulation_world_months_per_second": work / sim})
        progress(f"portfolios {count:>3}: {points[-1]['world_months_per_second']:,.0f} wm/s "
                 f"end to end, {points[-1]['simulation_world_months_per_second']:,.0f} simulating")
    units = [c * worlds * months for c in sizes.portfolios]
    return {"worlds": worlds, "months": months, "jobs": 1, "points": points,
            "fit": linear_fit(sizes.portfolios, [p["wall_seconds"] for p in points], units),
            "simulation_fit": linear_fit(sizes.portfolios,
                                         [p["simulation_seconds"] for p in points], units)}


def lookahead(bench: Bench) -> dict[str, Any]:
    """The seminar lookahead: status quo and the five single options (6 portfolios)."""
    progress("seminar lookahead")
    scenario, sizes = bench.scenario, bench.sizes
    options = list(OPTIONS)
    wall, result = timed(axis_sim.run, scenario, runs=sizes.lookahead_worlds, options=options,
                         jobs=1, chunk_size=sizes.chunk_size)
    wall_jobs, _ = timed(axis_sim.run, scenario, runs=sizes.lookahead_worlds, options=options,
                         jobs=bench.jobs, chunk_size=sizes.chunk_size)
    count = len(result.manifest["portfolios"])
    return {"portfolios": count, "worlds": sizes.lookahead_worlds,
            "months": scenario.meta.horizon_months, "wall_seconds": wall,
            "simulation_seconds": result.manifest["wall_seconds"],
            "summary_seconds": wall - result.manifest["wall_seconds"],
            "jobs_parallel": bench.jobs, "wall_seconds_parallel": wall_jobs}


def all_portfolios(bench: Bench) -> dict[str, Any]:
    """`--portfolios all` (32 portfolios) through axis_sim.run in a fresh process.

    Adds a memory row: the parent process and its largest worker.
    """
    progress("all portfolios")
    worlds = bench.sizes.all_worlds
    out = probe(bench, {"kind": "run", "runs": worlds, "options": ["all"], "jobs": bench.jobs,
                        "chunk_size": bench.sizes.chunk_size})
    work = out["portfolios"] * worlds * out["months"]
    bench.memory["all_portfolios"] = {
        "label": "all portfolios", "worlds": worlds, "portfolios": out["portfolios"],
        "parent_rss_peak_mib": out["rss_peak_mib"], "parent_run_mib": out["run_mib"],
        "workers_rss_peak_mib": out["workers_rss_peak_mib"]}
    return {"worlds": worlds, "jobs": bench.jobs, "months": out["months"], **out,
            "summary_seconds": out["wall_seconds"] - out["simulation_seconds"],
            "world_months_per_second": work / out["wall_seconds"],
            "simulation_world_months_per_second": work / out["simulation_seconds"]}


STREAMING_TARGET_MIB = 2048.0  # the issue: 10^6 worlds × 6 portfolios × 36 months under 2 GB


def streaming(bench: Bench) -> dict[str, Any]:
    """Bounded memory: status quo and the five options over many worlds through axis_sim.run
    in a fresh process (monthly summaries streamed, per-world tables spilled to disk).

    The total is the parent's peak plus `jobs` times the largest worker's peak: an upper bound
    on what the run held at once.
    """
    progress("streaming")
    worlds = bench.sizes.streaming_worlds
    out = probe(bench, {"kind": "run", "runs": worlds, "options": [*OPTIONS],
                        "jobs": bench.jobs, "chunk_size": bench.sizes.streaming_chunk_size})
    total = out["rss_peak_mib"] + bench.jobs * out["workers_rss_peak_mib"]
    bench.memory["streaming"] = {
        "label": "streaming run", "worlds": worlds, "portfolios": out["portfolios"],
        "parent_rss_peak_mib": out["rss_peak_mib"], "parent_run_mib": out["run_mib"],
        "workers_rss_peak_mib": out["workers_rss_peak_mib"]}
    work = out["portfolios"] * worlds * out["months"]
    return {"worlds": worlds, "jobs": bench.jobs, "months": out["months"],
            "chunk_size": bench.sizes.streaming_chunk_size, **out,
            "world_months_per_second": work / out["wall_seconds"],
            "total_rss_peak_mib": total, "target_mib": STREAMING_TARGET_MIB,
            "meets_target": total < STREAMING_TARGET_MIB}


def memory(bench: Bench) -> dict[str, Any]:
    """The memory rows the benchmarks collected, and this process's own peak (so: run last)."""
    return {**bench.memory, "benchmark_process_rss_peak_mib": maxrss_mib()}


def git(folder: Path, *args: str) -> str:
    """`git ARGS` run in `folder`; its output (raises if git fails or is missing)."""
    return subprocess.run(["git", *args], capture_output=True, text=True, cwd=folder,
                          check=True).stdout.strip()


def commit(scenario: Path) -> str:
    """The commit of the checkout this package runs from, '+uncommitted' if the package or the
    scenario's folder differ from it; 'unknown' for an installed package (not in a checkout)."""
    package = Path(__file__).resolve().parent
    try:
        top = Path(git(package, "rev-parse", "--show-toplevel"))
        git(package, "ls-files", "--error-unmatch", "__init__.py")  # tracked: not in a venv
        head = git(package, "rev-parse", "--short", "HEAD")
        # Uncommitted changes to the model or the scenarios change what was measured.
        paths = [package, *([scenario.parent] if scenario.is_relative_to(top) else [])]
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", *map(str, paths)],
                               capture_output=True, cwd=top).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+uncommitted" if dirty else "")


def machine(bench: Bench, load_at_start: list[float]) -> dict[str, Any]:
    """What the figures were measured on."""
    return {"cpus": os.cpu_count(), "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__,
            "mesa": mesa.__version__, "axis_sim": getattr(axis_sim, "__version__", "0.1.0"),
            "commit": commit(bench.scenario_path), "load_average_start": load_at_start,
            "load_average_end": list(os.getloadavg())}


# --- report -----------------------------------------------------------------------------------


def progress(line: str) -> None:
    """A progress line on stderr (the report itself goes to stdout)."""
    print(f"  … {line}", file=sys.stderr, flush=True)


def figure(results: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of the results."""
    value: Any = results
    for key in path.split("."):
        value = value[key]
    return value


def report(r: dict[str, Any]) -> str:
    """The results as text."""
    b, s, m = r["batched_vs_single"], r["scaling"], r["memory"]
    look, every, flow = r["lookahead"], r["all_portfolios"], r["streaming"]
    lines = [
        f"axis_sim benchmarks — mode {r['mode']}, {r['machine']['cpus']} CPUs, "
        f"Python {r['machine']['python']}, numpy {r['machine']['numpy']}, "
        f"mesa {r['machine']['mesa']}, commit {r['machine']['commit']}",
        "load average (1, 5, 15 min) at start "
        + ", ".join(f"{x:.2f}" for x in r["machine"]["load_average_start"]) + "; at end "
        + ", ".join(f"{x:.2f}" for x in r["machine"]["load_average_end"]),
        "",
        f"1. Batched vs one world at a time ({b['worlds']:,} worlds × {b['months']} months, "
        "recording outcomes monthly)",
        f"   batched, one AxisModel:   {b['batched_world_months_per_second']:>12,.0f} "
        f"world-months/s  (median of {len(b['batched_seconds'])})",
        f"   one world at a time:      {b['single_world_months_per_second']:>12,.0f} "
        f"world-months/s  ({b['single_worlds_timed']} worlds timed, median "
        f"{b['single_seconds_per_world_median'] * 1e3:.1f} ms per world)",
        f"   ratio:                    {b['ratio']:>12,.0f}×  (target ≥ {TARGET_RATIO:.0f}×: "
        f"{'met' if b['meets_target'] else 'NOT met'})",
        "",
        "2. Scaling",
        f"   worlds ({s['worlds']['months']} months, one model per point, in a fresh "
        f"process; median of up to {r['sizes']['repeats']}):",
    ]
    lines += [f"     {p['worlds']:>9,} worlds  {p['world_months_per_second']:>10,.0f} wm/s  "
              f"peak RSS {p['rss_peak_mib']:>7,.0f} MiB (run {p['run_mib']:>6,.0f} MiB)"
              for p in s["worlds"]["points"]]
    lines += [fit_line(s["worlds"]["fit"]),
              f"   months ({s['months']['worlds']:,} worlds):"]
    lines += [f"     {p['months']:>9} months  {p['world_months_per_second']:>10,.0f} wm/s"
              for p in s["months"]["points"]]
    lines += [fit_line(s["months"]["fit"]),
              f"   portfolios (axis_sim.run, {s['portfolios']['worlds']:,} worlds, jobs=1):"]
    lines += [f"     {p['portfolios']:>9} portf.  {p['world_months_per_second']:>10,.0f} wm/s "
              f"end to end  {p['simulation_world_months_per_second']:>10,.0f} wm/s simulating  "
              f"(summary {p['summary_seconds']:.1f} s of {p['wall_seconds']:.1f} s)"
              for p in s["portfolios"]["points"]]
    lines += [fit_line(s["portfolios"]["fit"], "end to end"),
              fit_line(s["portfolios"]["simulation_fit"], "simulating"),
              "",
              f"3. Seminar lookahead: {look['portfolios']} portfolios × {look['worlds']:,} worlds "
              f"× {look['months']} months: {look['wall_seconds']:.1f} s with jobs=1 "
              f"(simulating {look['simulation_seconds']:.1f} s, summary "
              f"{look['summary_seconds']:.1f} s); {look['wall_seconds_parallel']:.1f} s with "
              f"jobs={look['jobs_parallel']}",
              f"4. --portfolios all: {every['portfolios']} portfolios × {every['worlds']:,} worlds "
              f"with jobs={every['jobs']}: {every['wall_seconds']:.1f} s "
              f"(simulating {every['simulation_seconds']:.1f} s at "
              f"{every['simulation_world_months_per_second']:,.0f} wm/s, summary "
              f"{every['summary_seconds']:.1f} s)",
              f"5. Bounded memory: {flow['portfolios']} portfolios × {flow['worlds']:,} worlds × "
              f"{flow['months']} months (chunks of {flow['chunk_size']:,}, jobs={flow['jobs']}): "
              f"{flow['wall_seconds']:.0f} s; parent peak {flow['rss_peak_mib']:,.0f} MiB + "
              f"{flow['jobs']} × worker peak {flow['workers_rss_peak_mib']:,.0f} MiB = "
              f"{flow['total_rss_peak_mib']:,.0f} MiB (target < {flow['target_mib']:,.0f} MiB: "
              f"{'met' if flow['meets_target'] else 'NOT met'})",
              "",
              "6. Peak memory (ru_maxrss of a fresh process, its peak reset just before the "
              "run; 'run' = that peak minus the RSS just before the run, i.e. after imports "
              "and parameter draws)"]
    lines += [memory_line(row) for row in m.values() if isinstance(row, dict)]
    lines += [f"   this benchmark process: peak {m['benchmark_process_rss_peak_mib']:,.0f} MiB",
              "", f"total benchmark time {r['benchmark_seconds']:.0f} s"]
    return "\n".join(lines)


def memory_line(row: dict[str, Any]) -> str:
    """One memory row: an `axis_sim.run` (parent and workers, it has `portfolios`) or one model."""
    if "portfolios" in row:
        return (f"   {row['label']} ({row['portfolios']} × {row['worlds']:,} worlds): parent "
                f"peak {row['parent_rss_peak_mib']:,.0f} MiB (run {row['parent_run_mib']:,.0f} "
                f"MiB), largest worker peak {row['workers_rss_peak_mib']:,.0f} MiB")
    return (f"   {row['label']} ({row['worlds']:,} worlds): peak {row['rss_peak_mib']:,.0f} MiB, "
            f"run {row['run_mib']:,.0f} MiB (history alone {row['history_mib']:,.0f} MiB)")


def fit_line(fit: dict[str, float], label: str = "") -> str:
    """One line describing how linear a curve is."""
    prefix = f"{label}: " if label else ""
    return (f"     → {prefix}linear fit R² {fit['r_squared']:.4f}, log-log exponent "
            f"{fit['loglog_exponent']:.2f}, fixed {fit['fixed_seconds']:+.2f} s, cost per "
            f"world-month largest/smallest {fit['per_unit_cost_ratio_max_min']:.2f}")


# --- entry points -----------------------------------------------------------------------------


def run_benchmarks(mode: Mode = "default", *, jobs: int = 2,
                   scenario: Path = DEFAULT_SCENARIO,
                   json_path: Path | None = None) -> dict[str, Any]:
    """Run every benchmark, print the report, write the JSON if asked; return the results.

    Raises ScenarioError if the scenario does not load.
    """
    started = time.perf_counter()
    load_at_start = list(os.getloadavg())
    path = scenario.resolve()
    bench = Bench(scenario_path=path, scenario=baseline(path), sizes=SIZES[mode], jobs=jobs)
    warm_up(bench.scenario)
    axis_sim.run(bench.scenario, runs=20, options=[OPTIONS[0]], jobs=1)  # loads the summary too
    measured: dict[str, Any] = {}
    measured["batched_vs_single"] = batched_vs_single(bench)
    measured["scaling"] = scaling(bench)
    measured["lookahead"] = lookahead(bench)
    measured["all_portfolios"] = all_portfolios(bench)
    measured["streaming"] = streaming(bench)
    measured["memory"] = memory(bench)  # last: it reads this process's peak so far
    results: dict[str, Any] = {
        "mode": mode, "sizes": asdict(bench.sizes), "scenario": str(path),
        "machine": machine(bench, load_at_start), **measured,
        "benchmark_seconds": time.perf_counter() - started,
    }
    print(report(results), flush=True)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=2) + "\n")
    return results


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes: a smoke run, < 30 s")
    size.add_argument("--full", action="store_true", help="also 10^6 worlds (needs ~10 GB)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="worker processes for the parallel runs (default 2)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--scenario", type=bundled.resolve_scenario, default=DEFAULT_SCENARIO,
                        help="scenario file or bundled scenario name (default: the bundled "
                             "baseline)")
    parser.add_argument("--probe", help=argparse.SUPPRESS)  # internal: one fresh-process run
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every benchmark, print the report, write the JSON with --json; return the results."""
    args = parse(argv)
    if args.probe:
        print(json.dumps(run_probe(json.loads(args.probe))))
        return {}
    mode: Mode = "quick" if args.quick else "full" if args.full else "default"
    try:
        return run_benchmarks(mode, jobs=args.jobs, scenario=args.scenario, json_path=args.json)
    except ScenarioError as err:
        sys.exit(str(err))


if __name__ == "__main__":
    main()
