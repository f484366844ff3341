"""The model's read/write graph: declared next to each rule, checked for dead state.

Every option parameter, lever and state variable must have a path to a headline outcome of the
baseline; the declarations must name every array a rule really changes; and the diagram in
docs/model.md is the one the declarations generate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model import rules
from axis_sim.model.options import OPTION_CLASSES
from axis_sim.model.state import _arrays
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel
from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
DIAGRAM_START = "<!-- causal-graph:start"
DIAGRAM_END = "<!-- causal-graph:end -->"


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "baseline.yaml")


def test_no_dead_state(baseline: Scenario) -> None:
    dead = rules.dead_nodes(baseline.headline_outcomes)
    assert not dead, f"no path to a headline outcome: {dead}"


def test_every_option_parameter_is_declared_in_a_channel() -> None:
    edges = rules.graph()
    for node in rules.option_parameter_nodes():
        assert edges.get(node), f"{node} feeds no lever"
    assert len(rules.option_parameter_nodes()) == sum(
        len(cls.PARAMETERS) for cls in OPTION_CLASSES.values())


def test_graph_finds_a_dead_node_when_a_channel_is_cut(baseline: Scenario,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: remove the only reader of a lever and it is reported."""
    cut = {name: rule for name, rule in rules.RULES.items()}
    for name, rule in cut.items():
        writes = {t: tuple(s for s in sources if s != "levers.tension_gain")
                  for t, sources in rule.writes.items()}
        cut[name] = rules.Rule(rule.name, writes, rule.records, rule.function)
    monkeypatch.setattr(rules, "RULES", cut)
    assert "levers.tension_gain" in rules.dead_nodes(baseline.headline_outcomes)
    assert "options.warn_beijing.tension_increase" in rules.dead_nodes(
        baseline.headline_outcomes)


def _declared_targets() -> set[str]:
    return rules.state_nodes() | rules.tally_nodes()


def test_declarations_name_every_array_a_month_changes(baseline: Scenario) -> None:
    """Run months under the full portfolio: every state array that changes is declared as
    written or tallied by some rule (levers too), so the graph is not missing an edge target."""
    params = sample_parameters(baseline, 200, "random", parameter_rng(5, 0))
    model = AxisModel(baseline, params, seed=5, portfolio=tuple(OPTION_CLASSES))
    declared = _declared_targets()
    changed: set[str] = set()
    for _ in range(18):
        before = {k: v.copy() for k, v in _arrays(model).items()}
        model.step()
        after = _arrays(model)
        changed |= {k for k in before if not np.array_equal(before[k], after[k])}
        changed |= {f"levers.{name}" for name in model.levers.__dataclass_fields__
                    if name != "worlds" and np.any(getattr(model.levers, name))}
    undeclared = sorted(changed - declared)
    assert not undeclared, f"changed but declared by no rule: {undeclared}"


def test_model_md_shows_the_generated_graph(baseline: Scenario) -> None:
    card = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert DIAGRAM_START in card and DIAGRAM_END in card
    shown = card.split(DIAGRAM_START, 1)[1].split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert shown == rules.mermaid(baseline.headline_outcomes), (
        "docs/model.md's causal graph is stale: python -m axis_sim.model.diagram prints it; "
        "paste it between the causal-graph markers")
