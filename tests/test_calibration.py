"""The backtest keeps beating both reference forecasts (docs/calibration.md)."""

from __future__ import annotations

from axis_sim.scoring import score
from tests.conftest import ROOT


def test_backtest_beats_always_half_and_base_rates() -> None:
    result = score(ROOT / "scenarios" / "backtest_2022_02.yaml",
                   ROOT / "questions" / "2022_02_to_2023_08.yaml", runs=600,
                   portfolio=["pursued"])
    s = result.summary
    assert s["binary"] >= 20
    assert s["brier"] < min(s["brier_uniform"], s["brier_base_rate"])
    assert s["log_score"] < min(s["log_score_uniform"], s["log_score_base_rate"])
