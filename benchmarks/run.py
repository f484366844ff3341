"""Benchmarks: batched worlds against one world at a time, scaling, lookahead, memory.

    .venv/bin/python benchmarks/run.py            # default sizes (a few minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --quick    # smoke run, well under 30 s
    .venv/bin/python benchmarks/run.py --full     # adds 10^6 worlds
    .venv/bin/python benchmarks/run.py --jobs 4 --json /tmp/bench.json

Every figure is a rate (world-months per second) or a ratio of two rates measured in the same run
on the same machine; nothing is compared with a stored absolute time. Wall times (lookahead, all
portfolios) are printed to be quoted, never asserted. The runs that report memory (the scaling
over worlds, the all-portfolios run) happen in a fresh Python process whose peak resident set
size (`ru_maxrss`) is reset just before each measured run (Linux `/proc/self/clear_refs`), so
each peak is that run's own. The load average is recorded: other work on the machine slows
every figure.

`main(argv)` is importable; it returns the results dict and writes it as JSON
(`benchmarks/results.json` unless `--json` says otherwise).
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
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import mesa
import numpy as np

import axis_sim
from axis_sim.api import load_scenario
from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model.metrics import record
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel
from axis_sim.scenario.portfolios import all_subsets
from axis_sim.scenario.schema import OPTIONS, Scenario

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
DEFAULT_JSON = HERE / "results.json"
SEED = 20230901
TARGET_RATIO = 300.0  # the headline: batched ≥ 300× one-world-at-a-time at 10,000 worlds
MIB = 1024.0  # ru_maxrss is in KiB on Linux
LOAD_AT_START: list[float] = []


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
    chunk_size: int | None = None  # None: the scenario's chunk size (500)


DEFAULT = Sizes(batched_worlds=10_000, single_worlds=100, repeats=3,
                worlds=(1_000, 10_000, 100_000), months=(12, 36, 60, 120), months_worlds=10_000,
                portfolios=(1, 2, 4, 8, 32), portfolio_worlds=2_000, lookahead_worlds=2_000,
                all_worlds=10_000)
FULL = replace(DEFAULT, single_worlds=200, worlds=(*DEFAULT.worlds, 1_000_000))
# Small chunks in --quick so the parallel runs still have two chunks for two workers.
QUICK = Sizes(batched_worlds=1_000, single_worlds=10, repeats=1, worlds=(250, 500, 1_000),
              months=(12, 36), months_worlds=500, portfolios=(1, 2, 4), portfolio_worlds=100,
              lookahead_worlds=100, all_worlds=100, chunk_size=50)

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
    "memory.benchmark_process_rss_peak_mib",
)


# --- the model, driven as the runner drives it ------------------------------------------------


def baseline() -> Scenario:
    """The shipped baseline scenario."""
    return load_scenario(SCENARIO)


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


def timed(fn, *args, **kwargs) -> tuple[float, Any]:
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


def probe(spec: dict[str, Any]) -> Any:
    """Run `spec` in a fresh Python process and return what it measured."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--probe",
                           json.dumps(spec)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark probe {spec} failed (exit {done.returncode}); "
                           "its error is above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_probe(spec: dict[str, Any]) -> Any:
    """The body of a probe process: batched model runs of growing size, or one `axis_sim.run`.

    Before each measured run the process's peak RSS is reset to its current RSS, so each run's
    peak is its own (where the reset is impossible, runs go smallest first and peaks only grow).
    """
    scenario = baseline()
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
                "rss_before_mib": before, "rss_peak_mib": peak, "run_mib": peak - before,
                "peak_reset": reset,
                "workers_rss_peak_mib": maxrss_mib(resource.RUSAGE_CHILDREN)}
    raise ValueError(f"unknown probe kind {spec['kind']!r}")


# --- fits -------------------------------------------------------------------------------------


def linear_fit(x: list[float], seconds: list[float], units: list[float]) -> dict[str, float]:
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


# --- the benchmarks ---------------------------------------------------------------------------


def batched_vs_single(scenario: Scenario, sizes: Sizes) -> dict[str, Any]:
    """One model of N worlds against the same N-world parameter draws run one world at a time."""
    months = scenario.meta.horizon_months
    params = draw(scenario, sizes.batched_worlds)
    batched = [timed(simulate, scenario, params)[0] for _ in range(sizes.repeats)]
    per_world = [timed(simulate, scenario, one_world(params, i), chunk=i)[0]
                 for i in range(sizes.single_worlds)]
    batched_rate = sizes.batched_worlds * months / statistics.median(batched)
    single_rate = sizes.single_worlds * months / sum(per_world)
    ratio = batched_rate / single_rate
    return {"worlds": sizes.batched_worlds, "months": months,
            "batched_seconds": batched, "batched_world_months_per_second": batched_rate,
            "single_worlds_timed": sizes.single_worlds,
            "single_seconds_total": sum(per_world),
            "single_seconds_per_world_median": statistics.median(per_world),
            "single_seconds_per_world_p90": float(np.quantile(per_world, 0.9)),
            "single_world_months_per_second": single_rate,
            "ratio": ratio, "target_ratio": TARGET_RATIO, "meets_target": ratio >= TARGET_RATIO}


def scaling_worlds(sizes: Sizes) -> dict[str, Any]:
    """Cost against worlds, one batched model per point, in a fresh process."""
    points = [{**p, "world_months_per_second": p["worlds"] * 36 / p["seconds"]}
              for p in probe({"kind": "worlds", "worlds": list(sizes.worlds), "months": 36,
                              "repeats": sizes.repeats})]
    return {"months": 36, "points": points,
            "fit": linear_fit([p["worlds"] for p in points], [p["seconds"] for p in points],
                              [p["worlds"] * 36 for p in points])}


def scaling_months(scenario: Scenario, sizes: Sizes) -> dict[str, Any]:
    """Cost against the horizon, at a fixed number of worlds, same parameter draws."""
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


def scaling_portfolios(scenario: Scenario, sizes: Sizes) -> dict[str, Any]:
    """Cost of `axis_sim.run` (simulation and summary) against the number of portfolios."""
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


def lookahead(scenario: Scenario, sizes: Sizes, jobs: int) -> dict[str, Any]:
    """The seminar lookahead: status quo and the five single options (6 portfolios)."""
    options = list(OPTIONS)
    wall, result = timed(axis_sim.run, scenario, runs=sizes.lookahead_worlds, options=options,
                         jobs=1, chunk_size=sizes.chunk_size)
    wall_jobs, _ = timed(axis_sim.run, scenario, runs=sizes.lookahead_worlds, options=options,
                         jobs=jobs, chunk_size=sizes.chunk_size)
    count = len(result.manifest["portfolios"])
    return {"portfolios": count, "worlds": sizes.lookahead_worlds,
            "months": scenario.meta.horizon_months, "wall_seconds": wall,
            "simulation_seconds": result.manifest["wall_seconds"],
            "summary_seconds": wall - result.manifest["wall_seconds"],
            "jobs_parallel": jobs, "wall_seconds_parallel": wall_jobs}


def all_portfolios(sizes: Sizes, jobs: int) -> dict[str, Any]:
    """`--portfolios all` (32 portfolios) through axis_sim.run in a fresh process."""
    out = probe({"kind": "run", "runs": sizes.all_worlds, "options": ["all"], "jobs": jobs,
                 "chunk_size": sizes.chunk_size})
    work = out["portfolios"] * sizes.all_worlds * 36
    return {"worlds": sizes.all_worlds, "jobs": jobs, "months": 36, **out,
            "summary_seconds": out["wall_seconds"] - out["simulation_seconds"],
            "world_months_per_second": work / out["wall_seconds"],
            "simulation_world_months_per_second": work / out["simulation_seconds"]}


def memory(worlds: dict[str, Any], every: dict[str, Any], sizes: Sizes) -> dict[str, Any]:
    """Peak memory of the batched run, the largest single-model run and the all-portfolios run."""
    by_worlds = {p["worlds"]: p for p in worlds["points"]}
    keep = ("worlds", "rss_before_mib", "rss_peak_mib", "run_mib", "history_mib", "peak_reset")
    largest = by_worlds[max(by_worlds)]
    return {
        "batched_run": {k: by_worlds[sizes.batched_worlds][k] for k in keep},
        "largest_run": {k: largest[k] for k in keep},
        "all_portfolios": {"worlds": every["worlds"], "portfolios": every["portfolios"],
                           "parent_rss_peak_mib": every["rss_peak_mib"],
                           "parent_run_mib": every["run_mib"],
                           "workers_rss_peak_mib": every["workers_rss_peak_mib"]},
        "benchmark_process_rss_peak_mib": maxrss_mib(),
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=ROOT, check=True).stdout.strip()
        # Uncommitted changes to the model or the scenarios change what was measured.
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "src", "scenarios"],
                               capture_output=True, cwd=ROOT).returncode != 0
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", False
    if dirty:
        commit += "+uncommitted"
    return {"cpus": os.cpu_count(), "machine": platform.machine(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(), "numpy": np.__version__,
            "mesa": mesa.__version__, "axis_sim": getattr(axis_sim, "__version__", "0.1.0"),
            "commit": commit, "load_average_start": LOAD_AT_START,
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
    look, every = r["lookahead"], r["all_portfolios"]
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
              "",
              "5. Peak memory (ru_maxrss of a fresh process, its peak reset just before the "
              "run; 'run' = that peak minus the RSS just before the run, i.e. after imports "
              "and parameter draws)"]
    for label, key in (("batched run", "batched_run"), ("largest run", "largest_run")):
        x = m[key]
        lines.append(f"   {label} ({x['worlds']:,} worlds): peak {x['rss_peak_mib']:,.0f} MiB, "
                     f"run {x['run_mib']:,.0f} MiB (history alone {x['history_mib']:,.0f} MiB)")
    a = m["all_portfolios"]
    lines += [f"   all portfolios ({a['portfolios']} × {a['worlds']:,} worlds): parent peak "
              f"{a['parent_rss_peak_mib']:,.0f} MiB (run {a['parent_run_mib']:,.0f} MiB), "
              f"largest worker peak {a['workers_rss_peak_mib']:,.0f} MiB",
              f"   this benchmark process: peak {m['benchmark_process_rss_peak_mib']:,.0f} MiB",
              "", f"total benchmark time {r['benchmark_seconds']:.0f} s"]
    return "\n".join(lines)


def fit_line(fit: dict[str, float], label: str = "") -> str:
    """One line describing how linear a curve is."""
    prefix = f"{label}: " if label else ""
    return (f"     → {prefix}linear fit R² {fit['r_squared']:.4f}, log-log exponent "
            f"{fit['loglog_exponent']:.2f}, fixed {fit['fixed_seconds']:+.2f} s, cost per "
            f"world-month largest/smallest {fit['per_unit_cost_ratio_max_min']:.2f}")


# --- entry point ------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes: a smoke run, < 30 s")
    size.add_argument("--full", action="store_true", help="also 10^6 worlds (needs ~10 GB)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="worker processes for the parallel runs (default 2)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON,
                        help=f"where to write the results (default {DEFAULT_JSON})")
    parser.add_argument("--probe", help=argparse.SUPPRESS)  # internal: one fresh-process run
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every benchmark, print the report, write the JSON; return the results."""
    args = parse(argv)
    if args.probe:
        print(json.dumps(run_probe(json.loads(args.probe))))
        return {}
    sizes = QUICK if args.quick else FULL if args.full else DEFAULT
    mode = "quick" if args.quick else "full" if args.full else "default"
    started = time.perf_counter()
    LOAD_AT_START[:] = os.getloadavg()
    scenario = baseline()
    warm_up(scenario)
    axis_sim.run(scenario, runs=20, options=[OPTIONS[0]], jobs=1)  # loads the summary code too
    progress("batched vs one world at a time")
    head = batched_vs_single(scenario, sizes)
    progress(f"ratio {head['ratio']:,.0f}×")
    worlds = scaling_worlds(sizes)
    months = scaling_months(scenario, sizes)
    portfolios = scaling_portfolios(scenario, sizes)
    progress("seminar lookahead")
    look = lookahead(scenario, sizes, args.jobs)
    progress("all portfolios")
    every = all_portfolios(sizes, args.jobs)
    results: dict[str, Any] = {
        "mode": mode, "sizes": asdict(sizes), "machine": machine(),
        "batched_vs_single": head,
        "scaling": {"worlds": worlds, "months": months, "portfolios": portfolios},
        "lookahead": look, "all_portfolios": every,
        "memory": memory(worlds, every, sizes),
        "benchmark_seconds": time.perf_counter() - started,
    }
    print(report(results), flush=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
