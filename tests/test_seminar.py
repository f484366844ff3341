"""Seminar exercises: a scripted game through the commands, determinism, forks, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from axis_sim.cli import main
from axis_sim.experiment.sampling import default_parameters
from axis_sim.model.metrics import record
from axis_sim.model.world import AxisModel
from axis_sim.seminar.engine import (
    adjudicate,
    lookahead,
    new_game,
    odds,
    scenario_of,
    submit,
    undo,
)
from axis_sim.seminar.game import GameError, load, parse_teams
from tests.conftest import BASELINE

TEAMS = ("blue=US,ROK,Japan", "red=Russia,DPRK")


@pytest.fixture()
def short_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta:\n  name: short\n  horizon_months: 12\n")
    return path


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, ["seminar", *args])
    assert result.exit_code == 0, result.output
    return result.output


def play_four_turns(scenario: Path, game: Path) -> None:
    cli("new", str(scenario), "--game", str(game), "--teams", TEAMS[0], "--teams", TEAMS[1])
    for turn in range(4):
        cli("move", str(game), "--team", "blue", "--decide", "option:sanctions_listing=1",
            "--decide", f"option:warn_beijing={0.5 * (turn % 2)}", "--why", "squeeze the trains")
        cli("move", str(game), "--team", "red", "--decide", "DPRK.deliveries=0.5",
            "--decide", "DPRK.nuclear_test=no")
        cli("odds", str(game))
        cli("adjudicate", str(game))


def test_a_four_turn_seminar_through_the_commands(short_scenario: Path, tmp_path: Path) -> None:
    game_file = tmp_path / "game.json"
    play_four_turns(short_scenario, game_file)
    game = load(game_file)
    assert [t.number for t in game.turns] == [1, 2, 3, 4]
    assert game.month == 12  # standing orders stay in force after the last turn
    assert {"option:sanctions_listing", "DPRK.deliveries"} <= {o.decision for o in game.orders}
    assert all(t.outcomes["nuclear_test"] == 0 for t in game.turns)  # red's move held
    assert {"blue", "red", "facilitator"} <= set(game.turns[0].injects)
    assert game.turns[0].moves[0].rationale == "squeeze the trains"
    assert set(game.turns[0].odds) >= {"nuclear_test", "icbm_launches"}
    out = cli("report", str(game_file), "--out", str(tmp_path / "handouts"))
    assert "game-after_action.html" in out
    assert (tmp_path / "handouts" / "game-after_action.md").is_file()
    # The horizon is reached: another turn is refused with a plain message.
    result = CliRunner().invoke(main, ["seminar", "adjudicate", str(game_file)])
    assert result.exit_code == 2 and "horizon" in result.output
    out = cli("lookahead", str(game_file), "--team", "blue", "--worlds", "50")
    assert "Munitions shipped to Russia" in out


def test_same_scenario_seed_and_moves_give_the_same_game(short_scenario: Path,
                                                         tmp_path: Path) -> None:
    play_four_turns(short_scenario, tmp_path / "a.json")
    play_four_turns(short_scenario, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_text() == (tmp_path / "b.json").read_text()


def test_undo_and_override_with_a_reason(short_scenario: Path, tmp_path: Path) -> None:
    game_file = tmp_path / "g.json"
    cli("new", str(short_scenario), "--game", str(game_file), "--teams", TEAMS[0])
    cli("move", str(game_file), "--team", "blue", "--decide", "option:public_disclosure=1")
    cli("adjudicate", str(game_file))
    cli("override", str(game_file), "--decide", "DPRK.nuclear_test=yes", "--reason",
        "umpire: the test was ready")
    game = load(game_file)
    assert game.turns[-1].outcomes["nuclear_test"] == 1
    assert game.turns[-1].overrides[0].reason == "umpire: the test was ready"
    cli("undo", str(game_file))
    game = load(game_file)
    assert game.turns == [] and game.pending[0].decision == "option:public_disclosure"


def test_a_damaged_game_file_is_refused_and_the_last_good_one_kept(short_scenario: Path,
                                                                  tmp_path: Path) -> None:
    game_file = tmp_path / "g.json"
    cli("new", str(short_scenario), "--game", str(game_file), "--teams", TEAMS[0])
    cli("move", str(game_file), "--team", "blue", "--decide", "option:warn_beijing=1")
    good = game_file.read_text()
    game_file.write_text(good[: len(good) // 2])  # a truncated write
    result = CliRunner().invoke(main, ["seminar", "status", str(game_file)])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    assert "g.json.prev" in result.output and "Traceback" not in result.output
    data = json.loads(good)
    data["seed"] = "abc"
    game_file.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["seminar", "status", str(game_file)])
    assert result.exit_code == 2 and "seed" in result.output
    assert load(tmp_path / "g.json.prev").pending == []  # the version before the move


@pytest.mark.parametrize(("args", "message"), [
    (["--team", "green", "--decide", "China.stance=condone"], "unknown team"),
    (["--team", "blue", "--decide", "DPRK.nuclear_test=yes"], "cannot decide"),
    (["--team", "blue", "--decide", "option:warn_beijing=3"], "intensity from 0 to 2"),
])
def test_bad_moves_are_refused(short_scenario: Path, tmp_path: Path, args: list[str],
                               message: str) -> None:
    game_file = tmp_path / "g.json"
    cli("new", str(short_scenario), "--game", str(game_file), "--teams", TEAMS[0])
    before = game_file.read_text()
    result = CliRunner().invoke(main, ["seminar", "move", str(game_file), *args])
    assert result.exit_code == 2 and message in result.output
    assert game_file.read_text() == before


def test_teams_are_checked() -> None:
    with pytest.raises(GameError, match="two teams"):
        parse_teams(["a=US", "b=US"])
    with pytest.raises(GameError, match="unknown actor"):
        parse_teams(["a=USA"])


def test_forked_lookahead_agrees_with_a_fresh_batch(short_scenario: Path) -> None:
    """From the start, forking the game's world into many and running doctrine to the horizon
    gives the same distribution as a fresh batch of worlds at the same parameters."""
    game = new_game(short_scenario, teams=parse_teams(TEAMS[:1]), seed=7)
    scenario = scenario_of(game)
    table = lookahead(game, "blue", {"doctrine": []}, worlds=1500, uncertain=False)
    fresh = AxisModel(scenario, default_parameters(scenario, 1500), seed=123)
    while fresh.running:
        fresh.step()
    names = list(table["outcome"].unique())  # blue's objectives: the scored outcomes
    fresh_values = record(fresh, tuple(names))
    for i, outcome in enumerate(names):
        forked_mean = table[table["outcome"] == outcome]["mean"].iloc[0]
        se = fresh_values[i].std() / np.sqrt(1500) * np.sqrt(2)
        assert abs(forked_mean - fresh_values[i].mean()) <= 4 * se + 1e-9, outcome


def test_fork_after_some_turns_continues_from_the_game_state(short_scenario: Path) -> None:
    game = new_game(short_scenario, teams=parse_teams(TEAMS), seed=3)
    game = submit(game, "red", "DPRK.nuclear_test", "yes")
    game = adjudicate(game)
    assert game.turns[0].outcomes["nuclear_test"] == 1
    chances = odds(game)  # a test, once done, cannot happen again
    assert chances["nuclear_test"] == 0
    game = undo(game)
    assert odds(game)["nuclear_test"] == 1.0  # red has ordered it for this turn


def test_odds_and_rolls_are_consistent(short_scenario: Path) -> None:
    """Across many seeds, how often an ICBM flies in a turn matches the odds shown."""
    flew = []
    game = new_game(short_scenario, teams=parse_teams(TEAMS[:1]), seed=0)
    shown = odds(game)["icbm_launches"]
    for seed in range(60):
        g = new_game(short_scenario, teams=parse_teams(TEAMS[:1]), seed=seed)
        flew.append(adjudicate(g).turns[0].outcomes["icbm_launches"] > 0)
    assert stats.binomtest(sum(flew), len(flew), shown).pvalue > 0.001


def test_teams_can_follow_one_teams_option(short_scenario: Path, tmp_path: Path) -> None:
    game_file = tmp_path / "g.json"
    cli("new", str(short_scenario), "--game", str(game_file), "--teams", "blue=US,ROK,Japan",
        "red=Russia,DPRK", "green=China")
    assert load(game_file).teams == {"blue": ["US", "ROK", "Japan"], "red": ["Russia", "DPRK"],
                                     "green": ["China"]}
    assert "China.stance" in cli("menu", str(game_file), "--team", "green")
