"""Shared fixtures: the shipped baseline scenario and small, fast plans over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from axis_sim.api import load_scenario
from axis_sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    """The shipped baseline scenario, loaded and validated once per test session."""
    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def short_baseline(baseline: Scenario) -> Scenario:
    """The baseline cut to 12 months with small chunks, so tests run in well under a second."""
    meta = baseline.meta.model_copy(update={"horizon_months": 12})
    experiment = baseline.experiment.model_copy(update={"chunk_size": 64, "sample_worlds": 20})
    return baseline.model_copy(update={"meta": meta, "experiment": experiment})


@pytest.fixture(scope="session")
def short_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12-month variant file of the baseline, made the way users make one (`extends:`): the
    seminar's games start from a file."""
    path = tmp_path_factory.mktemp("short") / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta:\n  name: short\n  horizon_months: 12\n")
    return path
