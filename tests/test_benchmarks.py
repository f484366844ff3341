"""The benchmarks run end to end in their quick mode and report every figure.

No timing is asserted here: the figures are machine-dependent measurements, quoted in
benchmarks/README.md, never pass/fail thresholds. `axis-sim bench` is tested in test_cli.py.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from axis_sim import benchmark as bench

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"


def load_script() -> ModuleType:
    """benchmarks/run.py as a module (benchmarks/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("axis_sim_benchmarks", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value) and value > 0


def test_quick_benchmark_reports_every_figure(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "b.json"
    returned = bench.main(["--quick", "--json", str(out), "--scenario",
                           str(ROOT / "scenarios" / "baseline.yaml")])
    results = json.loads(out.read_text())
    assert results == json.loads(json.dumps(returned))
    assert results["mode"] == "quick"
    for path in bench.FIGURES:
        value = bench.figure(results, path)
        assert positive(value), f"{path} = {value!r}"
    head = results["batched_vs_single"]
    assert head["worlds"] == bench.QUICK.batched_worlds
    assert isinstance(head["meets_target"], bool)
    scaling = results["scaling"]
    for curve, key, sizes in (("worlds", "worlds", bench.QUICK.worlds),
                              ("months", "months", bench.QUICK.months),
                              ("portfolios", "portfolios", bench.QUICK.portfolios)):
        points = scaling[curve]["points"]
        assert [p[key] for p in points] == list(sizes)
        assert all(positive(p["world_months_per_second"]) for p in points)
    assert results["lookahead"]["portfolios"] == 6
    assert results["all_portfolios"]["portfolios"] == 32
    flow = results["streaming"]
    assert (flow["portfolios"], flow["worlds"]) == (6, bench.QUICK.streaming_worlds)
    assert isinstance(flow["meets_target"], bool)
    report = capsys.readouterr().out
    assert "ratio" in report and "Peak memory" in report
    # One line per memory row, in the order the benchmarks measured them.
    assert [line.split(" (")[0].strip() for line in report.splitlines()
            if line.startswith("   ") and "peak" in line and "worlds)" in line] == \
        ["batched run", "largest run", "all portfolios", "streaming run"]


def test_script_is_the_package_benchmark_with_this_checkouts_defaults(
        monkeypatch: pytest.MonkeyPatch) -> None:
    script = load_script()
    seen: list[list[str]] = []
    monkeypatch.setattr(bench, "main", lambda argv: seen.append(argv) or {})
    script.main(["--quick"])
    script.main(["--quick", "--json", "/tmp/elsewhere.json"])
    first, second = (bench.parse(argv) for argv in seen)
    assert first.quick and first.json == ROOT / "benchmarks" / "results.json"
    assert first.scenario == ROOT / "scenarios" / "baseline.yaml"
    assert second.json == Path("/tmp/elsewhere.json")
    # benchmarks/profile_step.py imports these from run.py.
    assert script.baseline().meta.name == "baseline"
    assert {"SEED", "draw", "warm_up", "with_horizon"} <= set(vars(script))
