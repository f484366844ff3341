"""The benchmark script runs end to end in its quick mode and reports every figure.

No timing is asserted here: the figures are machine-dependent measurements, quoted in
benchmarks/README.md, never pass/fail thresholds.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"


def load_benchmarks():
    """benchmarks/run.py as a module (benchmarks/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("axis_sim_benchmarks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def positive(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value) and value > 0


def test_quick_benchmark_reports_every_figure(tmp_path, capsys):
    bench = load_benchmarks()
    out = tmp_path / "b.json"
    returned = bench.main(["--quick", "--json", str(out)])
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
    report = capsys.readouterr().out
    assert "ratio" in report and "Peak memory" in report
