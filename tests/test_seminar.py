"""Seminar engine: team checks, forked lookahead, odds against rolls (the commands are tested in
tests/test_seminar_cli.py, the game database in tests/test_seminar_store.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from axis_sim.experiment.sampling import default_parameters
from axis_sim.model.metrics import record
from axis_sim.model.world import AxisModel
from axis_sim.seminar.engine import (
    adjudicate,
    lookahead,
    new_game,
    odds,
    restart,
    scenario_of,
    submit,
    undo,
)
from axis_sim.seminar.game import GameError, parse_teams

TEAMS = ("blue=US,ROK,Japan", "red=Russia,DPRK")


def test_a_restart_is_a_new_game_with_another_seed(short_scenario: Path) -> None:
    game = submit(new_game(short_scenario, teams=parse_teams(TEAMS), seed=4), "red",
                  "DPRK.deliveries", 0.5)
    assert restart(adjudicate(game, worlds=10), 9) == new_game(
        short_scenario, teams=parse_teams(TEAMS), seed=9)


def test_teams_are_checked() -> None:
    with pytest.raises(GameError, match="two teams"):
        parse_teams(["a=US", "b=US"])
    with pytest.raises(GameError, match="unknown actor"):
        parse_teams(["a=USA"])
    with pytest.raises(GameError, match="given twice"):
        parse_teams(["a=US", "a=ROK"])  # was: the second silently replaced the first
    with pytest.raises(GameError, match="seat of its own"):
        parse_teams(["facilitator=US"])


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
        rolled = adjudicate(restart(game, seed), worlds=10)  # the roll, not the odds, counts
        flew.append(rolled.turns[0].outcomes["icbm_launches"] > 0)
    assert stats.binomtest(sum(flew), len(flew), shown).pvalue > 0.001
