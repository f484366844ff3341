"""Where the time goes in a monthly step: each rule timed, then cProfile by module and function.

    .venv/bin/python benchmarks/profile_step.py                      # 10,000 worlds, status quo
    .venv/bin/python benchmarks/profile_step.py --worlds 1 --months 36
    .venv/bin/python benchmarks/profile_step.py --portfolio full_press

Part 1 wraps each phase of `AxisModel.step` (draws, context, each actor's decision, the
interactions) and the runner's `record` in a timer — no profiler, so the shares are real — and
averages over the horizon. Part 2 runs the same months again under cProfile and sums own time
per module and per function (cProfile adds overhead per Python call, so its shares lean towards
code that makes many small calls).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import axis_sim.model.world as world_module
from axis_sim.model.metrics import record

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import SEED, baseline, draw, warm_up, with_horizon

from axis_sim.scenario.portfolios import resolve_portfolios


class Timers:
    """Seconds spent per phase."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
        return timed


def build(worlds: int, months: int, portfolio: str) -> tuple[Any, tuple[str, ...]]:
    """A fresh model of `worlds` worlds under `portfolio`, and the scenario's outcomes."""
    scenario = with_horizon(baseline(), months)
    options = resolve_portfolios(scenario, [portfolio])[portfolio]
    model = world_module.AxisModel(scenario, draw(scenario, worlds), seed=SEED,
                                   portfolio=options)
    return model, tuple(scenario.outcomes)


def phases(worlds: int, months: int, portfolio: str) -> tuple[dict[str, float], float]:
    """Seconds per phase over `months` months, and the total of step + record."""
    model, outcomes = build(worlds, months, portfolio)
    timers = Timers()
    model.streams.month = timers.wrap("draws (streams.month)", model.streams.month)
    model._context = timers.wrap("context (war, demand, aid)", model._context)
    model._scheduled_events = timers.wrap("scheduled events", model._scheduled_events)
    model.levers.reset = timers.wrap("levers.reset", model.levers.reset)
    for actor in model._decision_order:
        actor.decide = timers.wrap(f"decide: {type(actor).__name__}", actor.decide)
    model.us.adjust_alliance = timers.wrap("alliance adjusts", model.us.adjust_alliance)
    model.russia.settle_ladder = timers.wrap("ladder settles (+ technology)",
                                             model.russia.settle_ladder)
    model._intercepts = timers.wrap("intercepts", model._intercepts)
    saved = world_module.exchange, world_module.sanctions_network
    world_module.exchange = timers.wrap("exchange (munitions, rail)", world_module.exchange)
    world_module.sanctions_network = timers.wrap("sanctions network",
                                                 world_module.sanctions_network)
    total = 0.0
    try:
        while model.running:
            start = time.perf_counter()
            model.step()
            mid = time.perf_counter()
            record(model, outcomes)
            end = time.perf_counter()
            timers.seconds["record outcomes (runner)"] += end - mid
            timers.seconds["step total"] += mid - start
            total += end - start
    finally:
        world_module.exchange, world_module.sanctions_network = saved
    step_total = timers.seconds.pop("step total")
    inner = sum(v for k, v in timers.seconds.items() if not k.startswith("record"))
    timers.seconds["mesa step wrapper + glue"] = step_total - inner
    return dict(timers.seconds), total


def module_of(filename: str) -> str:
    """A short module label for a cProfile filename."""
    if filename == "~":
        return "C built-ins (numpy ufuncs, RNG, reductions)"
    path = Path(filename)
    parts = path.parts
    if "axis_sim" in parts:
        return "axis_sim/" + "/".join(parts[parts.index("axis_sim") + 1:])
    for package in ("numpy", "mesa", "pandas", "scipy"):
        if package in parts:
            return f"{package} (Python-level wrappers)"
    return path.name


def profile(worlds: int, months: int, portfolio: str, top: int) -> tuple[list, list, float]:
    """cProfile own time summed by module, and the top functions."""
    model, outcomes = build(worlds, months, portfolio)
    profiler = cProfile.Profile()
    profiler.enable()
    while model.running:
        model.step()
        record(model, outcomes)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    by_module: dict[str, float] = defaultdict(float)
    functions = []
    for (filename, line, name), (_cc, calls, own, _cum, _callers) in stats.items():
        by_module[module_of(filename)] += own
        label = name if filename == "~" else f"{module_of(filename)}:{line} {name}"
        functions.append((own, calls, label))
    total = sum(by_module.values())
    modules = sorted(by_module.items(), key=lambda kv: -kv[1])
    return modules[:top], sorted(functions, reverse=True)[:top], total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worlds", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--portfolio", default="status_quo")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args(argv)
    warm_up(baseline())
    seconds, total = phases(args.worlds, args.months, args.portfolio)
    per_month = 1e3 / args.months
    print(f"{args.worlds:,} worlds, {args.months} months, portfolio {args.portfolio}: "
          f"{total * per_month:.1f} ms per month (step + record), "
          f"{args.worlds * args.months / total:,.0f} world-months/s\n")
    print("| phase | ms / month | share |\n|---|---:|---:|")
    for name, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {s * per_month:.2f} | {s / total:.0%} |")
    modules, functions, profiled = profile(args.worlds, args.months, args.portfolio, args.top)
    print(f"\ncProfile, own time by module ({profiled * per_month:.1f} ms per month under the "
          "profiler)\n\n| module | ms / month | share |\n|---|---:|---:|")
    for name, s in modules:
        print(f"| {name} | {s * per_month:.2f} | {s / profiled:.0%} |")
    print("\n| function (own time) | calls / month | ms / month | share |\n|---|---:|---:|---:|")
    for own, calls, label in functions:
        print(f"| {label} | {calls / args.months:.0f} | {own * per_month:.2f} | "
              f"{own / profiled:.0%} |")


if __name__ == "__main__":
    main()
