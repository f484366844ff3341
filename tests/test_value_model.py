"""The value model: swings, swing weights, exchange rates and the scenario's value judgements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from axis_sim.experiment.compare import composite_scores
from axis_sim.experiment.value import (
    composite_mmd,
    exchange_rates,
    outside_swing,
    partial_value,
    value_model,
)
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.overrides import apply_overrides
from axis_sim.scenario.schema import MinimalDifference, Scenario, Swing
from tests.conftest import BASELINE


def _two(baseline: Scenario, crisis_weight: float) -> Scenario:
    """Rounds shipped (0 → 10 million, weight 1) and escalation crises (0 → 3)."""
    outcomes = {
        "munitions_shipped": baseline.outcomes["munitions_shipped"].model_copy(
            update={"weight": 1.0, "outweighs": [],
                    "swing": Swing(worst=10_000_000, best=0, source="Judgement: test")}),
        "allied_action_crises": baseline.outcomes["allied_action_crises"].model_copy(
            update={"weight": crisis_weight, "outweighs": [],
                    "swing": Swing(worst=3, best=0, source="Judgement: test"),
                    "mmd": MinimalDifference(value=0.05, source="Judgement: test")}),
    }
    return baseline.model_copy(update={"outcomes": outcomes})


def test_exchange_rates_follow_from_swings_and_weights(baseline: Scenario) -> None:
    model = value_model(_two(baseline, crisis_weight=0.33))
    rates = exchange_rates(model, "munitions_shipped")
    # One crisis is 1/3 of a swing weighted 0.33; one round is 1/10,000,000 of a swing weighted 1.
    assert rates["allied_action_crises"] == pytest.approx(0.33 / 3 * 10_000_000)
    assert round(rates["allied_action_crises"] / 1e6, 1) == 1.1  # "1.1 million rounds"
    doubled = exchange_rates(value_model(_two(baseline, crisis_weight=0.66)),
                             "munitions_shipped")
    assert doubled["allied_action_crises"] == pytest.approx(2 * rates["allied_action_crises"])
    assert model.weights.sum() == pytest.approx(1.0)


def test_scores_are_value_differences_on_the_swings(baseline: Scenario) -> None:
    scenario = _two(baseline, crisis_weight=1.0)
    names = ["status_quo", "sanctions_listing"]
    outcome_names = ["munitions_shipped", "allied_action_crises"]
    finals = np.array([[[2e6, 2e6, 2e6], [1, 0, 1]],
                       [[1e6, 2e6, 2e6], [1, 0, 0]]])
    scores = composite_scores(scenario, outcome_names, names, finals)
    # World 0: a tenth of the shipments swing; world 2: a third of the crises swing; halved.
    assert scores[1] == pytest.approx([0.1 / 2, 0.0, (1 / 3) / 2])
    # The score does not depend on how much the outcomes vary: triple every shipment and the
    # world-0 effect triples with it (an SD-normalised score would stay the same).
    tripled = finals.copy()
    tripled[:, 0] *= 3
    assert composite_scores(scenario, outcome_names, names, tripled)[1, 0] == pytest.approx(0.15)


def test_partial_values_are_held_within_the_swing() -> None:
    values = np.array([-1.0, 0.0, 2.5, 5.0, 7.0])
    assert partial_value(values, worst=5, best=0).tolist() == [1.0, 1.0, 0.5, 0.0, 0.0]
    assert outside_swing(values, worst=5, best=0) == pytest.approx(0.4)


def test_composite_mmd_is_the_least_a_meaningful_outcome_change_is_worth(
        baseline: Scenario) -> None:
    model = value_model(_two(baseline, crisis_weight=1.0))
    per_outcome = model.weights * model.mmd / model.width
    assert composite_mmd(model) == pytest.approx(per_outcome.min())
    assert composite_mmd(model) == pytest.approx(min(0.5 * 300_000 / 1e7, 0.5 * 0.05 / 3))


def test_baseline_value_model_is_complete(baseline: Scenario) -> None:
    model = value_model(baseline)
    assert model.outcomes == baseline.scored_outcomes
    assert "escalation_crises" not in model.outcomes  # it restates: shown, not scored
    assert np.isfinite(model.mmd).all() and (model.width > 0).all()
    pairs = {(model.outcomes[i], model.outcomes[j]) for i, j in model.order}
    assert ("lethal_incidents", "us_china_tension") in pairs


def _variant(tmp_path: Path, outcome_yaml: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta:\n  name: variant\noutcomes:\n{outcome_yaml}")
    return path


@pytest.mark.parametrize(("yaml_text", "line", "message"), [
    ("  nuclear_test:\n    swing: {worst: 0, best: 1, source: 'Judgement: x'}\n", 6,
     "lower is better, so worst (0) must be above best (1)"),
    ("  nuclear_test:\n    mmd: {value: 2, source: 'Judgement: x'}\n", 6,
     "is not smaller than the swing"),
    ("  lethal_incidents:\n    outweighs: [us_china_tensions]\n", 6,
     "not another scored outcome"),
    ("  lethal_incidents:\n    weight: 0.1\n", 6, "but its weight 0.1 is below"),
    ("  us_china_tension:\n    outweighs: [lethal_incidents]\n", 6, "go round in a circle"),
    ("  summits_held:\n    headline: true\n", 5, "needs swing"),
])
def test_bad_value_judgements_are_located_in_the_file(tmp_path: Path, yaml_text: str, line: int,
                                                       message: str) -> None:
    path = _variant(tmp_path, yaml_text)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    text = str(excinfo.value)
    assert f"variant.yaml:{line}:" in text and message in text, text


def test_weight_overrides_must_keep_the_ordinal_judgements(baseline: Scenario) -> None:
    with pytest.raises(ValueError, match="outweighs us_china_tension"):
        apply_overrides(baseline, [], ["lethal_incidents=0.01"])
    assert apply_overrides(baseline, [], ["us_china_tension=0"]).outcomes[
        "us_china_tension"].weight == 0
