"""Documentation that must stay in step with the code."""

from __future__ import annotations

from axis_sim.model.metrics import catalogue_markdown
from axis_sim.scenario.parameters import flat_parameters
from axis_sim.scenario.schema import Scenario
from tests.conftest import ROOT


def test_outcome_catalogue_is_current() -> None:
    text = (ROOT / "docs" / "outcomes.md").read_text()
    assert text == catalogue_markdown(), "run: python -m axis_sim.model.metrics > docs/outcomes.md"


def test_readme_opens_with_the_two_commands() -> None:
    head = "\n".join((ROOT / "README.md").read_text().splitlines()[:15])
    assert "axis-sim run scenarios/baseline.yaml" in head
    assert ".venv/bin/python -m pytest" in head
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".venv/bin/python -m pytest\n" in ci


def test_model_card_lists_every_baseline_parameter(baseline: Scenario) -> None:
    card = (ROOT / "docs" / "model.md").read_text()
    missing = [path for path in flat_parameters(baseline) if f"`{path}`" not in card]
    assert not missing, f"docs/model.md does not list: {missing}"
