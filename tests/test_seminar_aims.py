"""The non-blue actors' aims as scenario data (issue 17): the baseline's `aims:` quote the seed
and state each weight's basis, the loader refuses a bad aim at its line, a child's list for an
actor replaces its parent's, and a seminar team's lookahead is scored by what the YAML says (a
game whose scenario gives its actors no aims is refused with a clear message)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from axis_sim.scenario import checks
from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import load_scenario, scenario_hash
from axis_sim.scenario.schema import Scenario
from axis_sim.seminar import validity
from axis_sim.seminar.engine import lookahead, new_game
from axis_sim.seminar.game import Game, GameError, Order, parse_teams
from axis_sim.seminar.objectives import actor_aims, score, team_aims
from tests.conftest import BASELINE, ROOT

SEED = ROOT.parent / "shared" / "seed" / "renewed_axis.md"
TEAMS = parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK", "beijing=China"])

# The aims objectives.py held in code before they moved into the baseline (outcome, better,
# weight, scale): the move must not change a number.
BEFORE = {
    "Russia": [("munitions_shipped", "higher", 1.0, None),
               ("russia_artillery_supply", "higher", 0.6, None),
               ("cooperation_level", "higher", 0.5, None),
               ("extended_deterrence", "lower", 0.3, None)],
    "DPRK": [("dprk_food_energy_gap", "lower", 1.0, 1.0),
             ("maturity_icbm", "higher", 0.7, None),
             ("tech_transfers", "higher", 0.5, 6.0),
             ("cooperation_level", "higher", 0.5, None),
             ("munitions_shipped", "higher", 0.4, None)],
    "China": [("nuclear_test", "lower", 1.0, None),
              ("us_china_tension", "lower", 0.5, None)],
}


def child(tmp_path: Path, body: str, name: str = "child.yaml") -> Path:
    """A scenario that extends the baseline (12 months, to keep games short) with `body`."""
    path = tmp_path / name
    path.write_text(f"extends: {BASELINE}\nmeta:\n  name: child\n  horizon_months: 12\n{body}",
                    encoding="utf-8")
    return path


def refused(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    return excinfo.value.problems


def line_of(path: Path, text: str, after: int = 0) -> int:
    """1-based number of the first line from `after` on that contains `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i + 1 for i in range(after, len(lines)) if text in lines[i])


# --- the baseline's aims -------------------------------------------------------------------------


def test_the_baseline_keeps_every_aim_the_code_had(baseline: Scenario) -> None:
    got = {actor: [(a.outcome, a.better, a.weight, a.scale) for a in aims]
           for actor, aims in baseline.aims.items()}
    assert got == BEFORE


def test_each_baseline_aim_quotes_the_seed_and_states_its_weights_basis(
        baseline: Scenario) -> None:
    seed = SEED.read_text(encoding="utf-8") if SEED.is_file() else None
    for actor, aims in baseline.aims.items():
        for aim in aims:
            quoted = re.fullmatch(r'Seed: "(.+?)" Judgement: (.+)', aim.source)
            assert quoted, (actor, aim.outcome, aim.source)
            assert f"weight {aim.weight:g}" in quoted.group(2), (actor, aim.outcome)
            if aim.scale is not None:
                assert f"scale {aim.scale:g}" in quoted.group(2), (actor, aim.outcome)
            if seed is not None:  # the seed sits beside the repository, where it is checked out
                # Verbatim, but for what a "[…]" leaves out.
                for part in quoted.group(1).split("[…]"):
                    assert part.strip(" ,") in seed, (actor, aim.outcome, part)


def test_variants_and_backtests_inherit_the_aims_with_no_leak() -> None:
    """Aims are judgements of value, like the swings: undated, so a backtest with an earlier
    as_of inherits them and still rests on nothing later than its as_of."""
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        assert {a: len(v) for a, v in scenario.aims.items()} == {"Russia": 4, "DPRK": 5,
                                                                 "China": 2}, path.name
        assert not [f for f, _ in checks.late_items(scenario) if f.startswith("aims.")]


# --- what the loader refuses, where ----------------------------------------------------------


def test_an_aim_at_an_unknown_outcome_is_refused_at_its_line(tmp_path: Path) -> None:
    path = child(tmp_path, "aims:\n  Russia:\n    - outcome: munitions_shiped\n"
                           "      better: higher\n      weight: 1\n"
                           "      source: 'Judgement: a test.'\n")
    (problem,) = refused(path)
    assert (problem.file, problem.line, problem.field) == (
        str(path), line_of(path, "munitions_shiped"), "aims.Russia[0].outcome")
    assert "'munitions_shiped' is not an outcome" in problem.message
    assert "did you mean 'munitions_shipped'" in problem.message
    assert "allowed: " in problem.message


def test_a_blue_actor_cannot_have_aims(tmp_path: Path) -> None:
    path = child(tmp_path, "aims:\n  US:\n    - outcome: munitions_shipped\n      better: lower\n"
                           "      weight: 1\n      source: 'Judgement: a test.'\n")
    (problem,) = refused(path)
    assert problem.field == "aims.US" and problem.line == line_of(path, "US:")
    assert "value model" in problem.message
    assert "allowed here: China, Russia, DPRK" in problem.message


def test_an_unknown_actor_is_refused_by_name(tmp_path: Path) -> None:
    path = child(tmp_path, "aims:\n  Mars:\n    - outcome: munitions_shipped\n      better: lower\n"
                           "      weight: 1\n      source: 'Judgement: a test.'\n")
    (problem,) = refused(path)
    assert problem.line == line_of(path, "Mars") and "Mars" in problem.field
    assert "Russia" in problem.message and "DPRK" in problem.message


def test_an_outcome_without_a_swing_needs_a_scale(tmp_path: Path) -> None:
    path = child(tmp_path, "aims:\n  DPRK:\n    - outcome: tech_transfers\n      better: higher\n"
                           "      weight: 1\n      source: 'Judgement: a test.'\n")
    (problem,) = refused(path)
    assert problem.field == "aims.DPRK[0].scale"
    assert line_of(path, "- outcome: tech_transfers") <= problem.line <= line_of(path, "source:")
    assert "no swing" in problem.message and "in transfers" in problem.message
    # With a scale, or on an outcome with a swing, it loads.
    load_scenario(child(tmp_path, "aims:\n  DPRK:\n    - outcome: tech_transfers\n"
                                  "      better: higher\n      weight: 1\n      scale: 3\n"
                                  "      source: 'Judgement: a test.'\n", "ok.yaml"))


def test_an_actor_aims_at_an_outcome_once(tmp_path: Path) -> None:
    aim = "    - {outcome: nuclear_test, better: lower, weight: 1, source: 'Judgement: a test.'}\n"
    path = child(tmp_path, "aims:\n  China:\n" + aim + aim)
    (problem,) = refused(path)
    assert problem.field == "aims.China[1].outcome"
    assert problem.line == line_of(path, "nuclear_test", after=line_of(path, "nuclear_test"))
    assert "already aims at nuclear_test (aims.China[0])" in problem.message


@pytest.mark.parametrize(("field", "value", "words"), [
    ("weight", "0", "greater than 0"),
    ("weight", "-1", "greater than 0"),
    ("weight", "2e6", "less than or equal to 1000000"),
    ("weight", ".nan", "finite"),
    ("weight", "true", "not true"),
    ("scale", "0", "greater than 0"),
    ("better", "more", "'higher'"),
    ("source", "''", "at least 3 characters"),
])
def test_bad_values_are_refused_at_their_line(tmp_path: Path, field: str, value: str,
                                              words: str) -> None:
    aim = {"outcome": "nuclear_test", "better": "lower", "weight": "1", "scale": "1",
           "source": "'Judgement: a test.'", field: value}
    path = child(tmp_path, "aims:\n  China:\n    - "
                 + "\n      ".join(f"{k}: {v}" for k, v in aim.items()) + "\n")
    (problem,) = refused(path)
    assert problem.field == f"aims.China[0].{field}"
    assert problem.line == line_of(path, f"{field}: {value}")
    assert words in problem.message, problem.message


def test_a_source_is_required(tmp_path: Path) -> None:
    path = child(tmp_path, "aims:\n  China:\n    - {outcome: nuclear_test, better: lower, "
                           "weight: 1}\n")
    (problem,) = refused(path)
    assert problem.field == "aims.China[0].source" and "required" in problem.message


def test_a_dated_aim_after_as_of_is_a_leak(tmp_path: Path) -> None:
    late = ("aims:\n  China:\n    - outcome: nuclear_test\n      better: lower\n      weight: 1\n"
            "      source: 'Judgement: a test.'\n      date: 2023-10-02\n")
    path = child(tmp_path, late)
    (problem,) = refused(path)
    assert problem.field == "aims.China[0].date" and problem.line == line_of(path, "date:")
    assert "after as_of 2023-09-01" in problem.message
    on_time = child(tmp_path, late.replace("2023-10-02", "2023-08-31"), "on_time.yaml")
    assert load_scenario(on_time).aims["China"][0].evidence_date.isoformat() == "2023-08-31"


# --- extends: a child's list for an actor replaces its parent's -----------------------------------


def test_a_childs_aims_for_an_actor_replace_the_parents(tmp_path: Path,
                                                        baseline: Scenario) -> None:
    scenario = load_scenario(child(
        tmp_path, "aims:\n  Russia:\n    - {outcome: nuclear_test, better: higher, weight: 2, "
                  "source: 'Judgement: a test.'}\n  China: []\n"))
    assert [(a.outcome, a.better, a.weight) for a in scenario.aims["Russia"]] == [
        ("nuclear_test", "higher", 2.0)]
    assert scenario.aims["DPRK"] == baseline.aims["DPRK"]  # not named: inherited whole
    assert scenario.aims["China"] == []


# --- the lookahead reads them ----------------------------------------------------------------


def test_a_weight_in_the_yaml_changes_what_red_scores() -> None:
    """Red's score of the same outcomes follows the weights written in the scenario."""
    base = load_scenario(BASELINE)
    values = {"munitions_shipped": np.array([1e6]), "cooperation_level": np.array([0.0])}
    reference = {"munitions_shipped": np.array([0.0]), "cooperation_level": np.array([1.0])}

    def red_score(scenario: Scenario) -> float:
        aims = [a for a in team_aims(scenario, ["Russia"])
                if a.outcome in ("munitions_shipped", "cooperation_level")]
        return float(score(scenario, aims, values, reference)[0])

    # munitions 1.0 over a 10M swing (+0.1), ties 0.5 over 4 rungs (-0.25): (0.1 - 0.125) / 1.5
    assert red_score(base) == pytest.approx((1.0 * 0.1 - 0.5 * 0.25) / 1.5)
    data = base.model_dump(mode="json")
    data["aims"]["Russia"][2]["weight"] = 0.1  # cooperation_level
    lighter = Scenario.model_validate(data)
    assert red_score(lighter) == pytest.approx((1.0 * 0.1 - 0.1 * 0.25) / 1.1)
    assert red_score(lighter) > 0 > red_score(base)


def test_reds_lookahead_follows_the_aims_written_in_the_scenario(tmp_path: Path) -> None:
    """The same candidates, the same worlds: shipping everything is red's best move under the
    baseline's aims and its worst once the scenario says Russia and the DPRK want fewer
    shells."""
    candidates = {
        "ship nothing": [Order(team="red", decision="DPRK.deliveries", value=0.0,
                               since_turn=1)],
        "ship all": [Order(team="red", decision="DPRK.deliveries", value=1.0, since_turn=1)],
    }
    fewer = ("    - {outcome: munitions_shipped, better: lower, weight: 1, "
             "source: 'Judgement: a test.'}\n")
    scores = {}
    for name, body in (("baseline", ""), ("fewer", f"aims:\n  Russia:\n{fewer}  DPRK:\n{fewer}")):
        game = new_game(child(tmp_path, body, f"{name}.yaml"), teams=TEAMS, seed=3)
        table = lookahead(game, "red", candidates, worlds=20, uncertain=False)
        scores[name] = table.groupby("candidate", sort=False)["score"].first()
        if name == "fewer":
            assert set(table["outcome"]) == {"munitions_shipped"}
            assert (table["better"] == "lower").all()
    assert scores["baseline"]["ship all"] > scores["baseline"]["ship nothing"]
    assert scores["fewer"]["ship all"] < scores["fewer"]["ship nothing"]


def without_aims(game: Game) -> Game:
    """`game` as stored before scenarios had `aims:` (its scenario and hash without them)."""
    stored = {k: v for k, v in game.scenario.items() if k != "aims"}
    return game.model_copy(update={
        "scenario": stored, "scenario_hash": scenario_hash(Scenario.model_validate(stored))})


def test_a_game_whose_scenario_gives_red_no_aims_is_refused_clearly(tmp_path: Path) -> None:
    game = new_game(child(tmp_path, ""), teams=TEAMS, seed=3)
    old = without_aims(game)
    validity.check(old)  # an old game is still a valid game: its hash matches without aims
    for team, named in (("red", "Russia and DPRK"), ("beijing", "China")):
        with pytest.raises(GameError, match=f"gives {named} no aims.*add an aims: section"):
            lookahead(old, team, {"doctrine": []}, worlds=2, uncertain=False)
    # Blue is judged by the value model, which the old scenario has.
    assert team_aims(Scenario.model_validate(old.scenario), TEAMS["blue"])
    # One actor of a team without aims is refused too, not silently left out of the score.
    half = child(tmp_path, "aims:\n  DPRK: []\n", "half.yaml")
    with pytest.raises(GameError, match="gives DPRK no aims"):
        team_aims(load_scenario(half), ["Russia", "DPRK"])


def test_a_scenario_without_aims_dumps_and_hashes_as_before_the_section(
        baseline: Scenario) -> None:
    """No `aims` key in the dump of a scenario that has none, so the hash a game stored before
    the section existed still matches; one with aims carries them."""
    data = baseline.model_dump(mode="json")
    assert "aims" in data and data["aims"]["China"][0]["outcome"] == "nuclear_test"
    del data["aims"]
    bare = Scenario.model_validate(data)
    assert bare.aims == {} and "aims" not in bare.model_dump(mode="json")
    assert scenario_hash(bare) != scenario_hash(baseline)
    assert actor_aims(bare, "Russia") == ()


def test_the_json_schema_documents_the_section() -> None:
    schema = Scenario.model_json_schema()
    aim = schema["$defs"]["AimSpec"]
    assert set(aim["required"]) == {"outcome", "better", "weight", "source"}
    assert aim["properties"]["weight"]["exclusiveMinimum"] == 0
    assert "aims" in schema["properties"] and "aims" not in schema.get("required", [])
    assert yaml.safe_dump(schema)  # plain data, as `axis-sim schema` prints it
