"""How soon the dashboard is interactive in headless Chromium, on this machine.

    .venv/bin/python benchmarks/dashboard_browser.py                   # the default run
    .venv/bin/python benchmarks/dashboard_browser.py --runs 500 --repeat 5
    .venv/bin/python benchmarks/dashboard_browser.py --dashboard results/<run>/dashboard.html
    .venv/bin/python benchmarks/dashboard_browser.py --portfolios all --json /tmp/tti.json

Without `--dashboard`, it runs `axis-sim run scenarios/baseline.yaml` (the scenario's own number
of worlds unless `--runs`) into a temporary folder and opens its dashboard. Each repeat is a fresh
load in headless Chromium at 1440 × 900 (`--window`), network off (the page needs none).

**Time to interactive** (TTI) is measured as Lighthouse does, with a shorter quiet window: the
end of the last long task (a main-thread task over 50 ms, from the browser's `longtask`
PerformanceObserver, installed before the page's first script) before the first window of
`--quiet` seconds (default 2) without one that starts after DOMContentLoaded; never before
DOMContentLoaded. So it is when a click or a keystroke would first be answered without waiting.
Reported beside it: DOMContentLoaded, the load event, the page's size, how many charts were
drawn by then (of how many), and TTI over the issue's target of 3 s on a 2-core machine (a ratio
below 1 meets it). Medians over `--repeat` loads, after `--warmup` loads not counted. Nothing
here is asserted by any test; the figures depend on the machine and its load (printed with
them).

`--eager` also loads the page with every chart drawn while it loads (report/lazy.py switched
off, as the page was before it) and reports how many times sooner the lazy page is interactive:
a ratio of two times measured in the same run on the same machine.

The README's pictures of the first screen are made by `docs/screenshots.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
TARGET_SECONDS = 3.0  # issue 16: interactive within 3 s for the default run on a 2-core machine

# Installed before any script of the page runs: every long task, buffered.
OBSERVER = """
window.__axisLongTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      window.__axisLongTasks.push([e.startTime, e.startTime + e.duration]);
    });
  }).observe({type: 'longtask', buffered: true});
} catch (err) { window.__axisLongTasks = null; }
"""

# What the page says about itself once it has been quiet for a while.
STATE = """
var nav = performance.getEntriesByType('navigation')[0] || {};
var plots = Array.from(document.querySelectorAll('.plotly-graph-div'));
var drawn = plots.filter(function (d) { return !!d.querySelector('.main-svg'); });
var inView = plots.filter(function (d) {
  var r = d.getBoundingClientRect();
  return d.offsetParent !== null && r.bottom > 0 && r.top < window.innerHeight;
});
return {
  tasks: window.__axisLongTasks,
  dcl: nav.domContentLoadedEventEnd || null,
  load: nav.loadEventEnd || null,
  now: performance.now(),
  plots: plots.length,
  drawn: drawn.length,
  inView: inView.length,
  inViewDrawn: inView.filter(function (d) { return !!d.querySelector('.main-svg'); }).length
};
"""


def interactive_at(tasks: list[list[float]], dcl: float, quiet_ms: float) -> float | None:
    """Milliseconds from navigation start to interactive: the end of the last long task
    before the first `quiet_ms` window without one after DOMContentLoaded (`dcl`), or `dcl`
    itself if no long task ends after it. None when the page was never that quiet."""
    ends = sorted((start, end) for start, end in tasks if end > dcl)
    at = dcl
    for start, end in ends:
        if start - at >= quiet_ms:
            return at
        at = max(at, end)
    return at


def make_dashboard(folder: Path, runs: int | None, portfolios: str | None) -> Path:
    """`axis-sim run` on the baseline into `folder`; the dashboard's path."""
    exe = Path(sys.executable).with_name("axis-sim")
    command = [str(exe) if exe.exists() else "axis-sim", "run", str(SCENARIO),
               "--out", str(folder / "run")]
    if runs:
        command += ["--runs", str(runs)]
    if portfolios:
        command += ["--portfolios", portfolios]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return folder / "run" / "dashboard.html"


# Set before the page's scripts run: report/lazy.py sees it and leaves Plotly.newPlot alone.
EAGER = "window.axisLazy = {eager: true};"


def browser(width: int, height: int, eager: bool = False) -> Any:
    """Headless Chromium through chromedriver, as tests/test_dashboard_browser.py drives it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        raise SystemExit("needs Debian's chromium and chromium-driver on PATH")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.binary_location = chromium
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_page_load_timeout(300)
    chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
    if eager:
        chrome.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": EAGER})
    return chrome


def measure(chrome: Any, page: Path, quiet: float, limit: float) -> dict[str, Any]:
    """One fresh load of `page`: seconds to DOMContentLoaded, load and interactive."""
    chrome.get("about:blank")
    chrome.get(page.as_uri())
    deadline = time.monotonic() + limit
    quiet_ms = quiet * 1000
    while True:
        state = chrome.execute_script(STATE)
        if state["tasks"] is None:
            raise SystemExit("this Chromium has no longtask PerformanceObserver")
        if state["dcl"] and state["load"]:
            tti = interactive_at(state["tasks"], state["dcl"], quiet_ms)
            last = max([end for _, end in state["tasks"]] + [state["dcl"]])
            if state["now"] - last >= quiet_ms or time.monotonic() > deadline:
                break
        elif time.monotonic() > deadline:
            raise SystemExit(f"the page did not load within {limit:.0f} s")
        time.sleep(0.25)
    return {
        "dom_content_loaded_s": state["dcl"] / 1000,
        "load_s": state["load"] / 1000,
        "interactive_s": None if tti is None else tti / 1000,
        "long_tasks": len(state["tasks"]),
        "long_task_ms": sum(end - start for start, end in state["tasks"]),
        "charts": state["plots"],
        "charts_drawn": state["drawn"],
        "charts_in_first_screen": state["inView"],
        "charts_in_first_screen_drawn": state["inViewDrawn"],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dashboard", type=Path, help="an existing dashboard.html")
    parser.add_argument("--runs", type=int, help="worlds for the run (default: the scenario's)")
    parser.add_argument("--portfolios", help="as `axis-sim run --portfolios` (e.g. all)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh loads (median reported)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="loads first, not counted (a cold start reads the file from disk)")
    parser.add_argument("--quiet", type=float, default=2.0,
                        help="seconds without a long task that make the page interactive")
    parser.add_argument("--window", default="1440x900", help="WIDTHxHEIGHT")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--eager", action="store_true",
                        help="also time the page drawing every chart while it loads")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.window.lower().split("x"))
    with tempfile.TemporaryDirectory() as scratch:
        page = args.dashboard or make_dashboard(Path(scratch), args.runs, args.portfolios)
        page = page.resolve()
        chrome = browser(width, height)
        try:
            for _ in range(max(0, args.warmup)):
                measure(chrome, page, args.quiet, limit=120 + 30 * args.quiet)
            loads = [measure(chrome, page, args.quiet, limit=120 + 30 * args.quiet)
                     for _ in range(max(1, args.repeat))]
        finally:
            chrome.quit()
        eager: list[dict[str, Any]] = []
        if args.eager:
            chrome = browser(width, height, eager=True)
            try:
                for _ in range(max(0, args.warmup)):
                    measure(chrome, page, args.quiet, limit=120 + 30 * args.quiet)
                eager = [measure(chrome, page, args.quiet, limit=120 + 30 * args.quiet)
                         for _ in range(max(1, args.repeat))]
            finally:
                chrome.quit()
        size = page.stat().st_size

    def median(key: str, among: list[dict[str, Any]] | None = None) -> float | None:
        values = [load[key] for load in (loads if among is None else among)
                  if load[key] is not None]
        return statistics.median(values) if values else None

    tti = median("interactive_s")
    result = {
        "page": str(page) if args.dashboard else "default run (temporary)",
        "runs": args.runs, "portfolios": args.portfolios, "window": f"{width}x{height}",
        "page_megabytes": round(size / 1e6, 2), "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()), "quiet_window_s": args.quiet,
        "interactive_s": tti, "dom_content_loaded_s": median("dom_content_loaded_s"),
        "load_s": median("load_s"), "target_s": TARGET_SECONDS,
        "ratio_to_target": None if tti is None else round(tti / TARGET_SECONDS, 2),
        "loads": loads,
    }
    if eager:
        slow = median("interactive_s", eager)
        result |= {"eager_interactive_s": slow, "eager_loads": eager,
                   "lazy_speedup": None if not (tti and slow) else round(slow / tti, 1)}
    first = loads[-1]
    print(f"dashboard in headless Chromium {width}×{height}, {result['page_megabytes']} MB, "
          f"{os.cpu_count()} CPUs, load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"  DOMContentLoaded  {result['dom_content_loaded_s']:.2f} s")
    print(f"  load event        {result['load_s']:.2f} s")
    if tti is None:
        print("  interactive       never quiet for long enough")
    else:
        print(f"  interactive       {tti:.2f} s  (median of {len(loads)}; "
              f"{result['ratio_to_target']}× the 3 s target: "
              f"{'met' if tti <= TARGET_SECONDS else 'NOT met'})")
    print(f"  charts drawn by then: {first['charts_drawn']} of {first['charts']} "
          f"({first['charts_in_first_screen_drawn']} of {first['charts_in_first_screen']} "
          "in the first screen)")
    if eager:
        print(f"  drawing every chart while loading: interactive "
              f"{result['eager_interactive_s']:.2f} s; lazy drawing is "
              f"{result['lazy_speedup']}× sooner")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
