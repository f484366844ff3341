"""The seminar engine's semantics (issue 17): standing orders, one-shots, the menu, rulings,
undo, lookahead by a side's own objectives and matrix-game rolls. Few worlds, short games."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from axis_sim.seminar import matrix
from axis_sim.seminar.engine import (
    MAX_TIMER_MINUTES,
    MIN_TIMER_MINUTES,
    TIMER_RULE,
    adjudicate,
    approve_exception,
    lookahead,
    mark_ready,
    menu,
    moved,
    new_game,
    odds_report,
    rule,
    set_phase,
    submit,
    unavailable,
    undo,
    withdraw,
)
from axis_sim.seminar.engine import spent as engine_spent
from axis_sim.seminar.game import Game, GameError, Order, parse_teams
from axis_sim.seminar.objectives import score, team_aims

TEAMS = parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK"])
WORLDS = 40  # odds and drivers: enough to tell 0 from 1, fast


@pytest.fixture()
def game(short_scenario: Path) -> Game:
    return new_game(short_scenario, teams=TEAMS, seed=11)


def play(game: Game, turns: int = 1) -> Game:
    for _ in range(turns):
        game = adjudicate(game, worlds=WORLDS)
    return game


def events(turn_events: list[dict], name: str) -> list[dict]:
    return [e for e in turn_events if e["event"] == name]


def test_exercise_no_holds_across_turns(game: Game) -> None:
    """Under doctrine an allied exercise is held in the second turn; "no" given before the
    first stops it, without being given again (it used to lapse after one turn, and the
    calendar's exercises went ahead even in the turn it was given)."""
    doctrine = play(game, 2)
    assert events(doctrine.turns[1].events, "allied_exercise")
    ordered = play(submit(game, "blue", "US.exercise", "no"), 2)
    for turn in ordered.turns:
        assert not events(turn.events, "allied_exercise"), turn.number
        assert [(o.decision, o.since_turn) for o in turn.orders] == [("US.exercise", 1)]


def test_decisions_persist_across_turns_until_withdrawn(game: Game) -> None:
    assert events(play(game, 2).turns[1].events, "munitions_shipment")  # doctrine ships
    game = submit(game, "red", "DPRK.deliveries", 0.0, "keep the shells")
    game = submit(game, "blue", "option:sanctions_listing", 1)
    game = play(game, 2)
    second = game.turns[1]
    assert {o.decision for o in second.orders} == {"DPRK.deliveries",
                                                   "option:sanctions_listing"}
    assert not events(second.events, "munitions_shipment")  # nothing shipped while held
    assert all(o.since_turn == 1 for o in game.orders)
    game = withdraw(game, "red", "DPRK.deliveries")
    assert [o.decision for o in game.orders] == ["option:sanctions_listing"]
    with pytest.raises(GameError, match="no order"):
        withdraw(game, "red", "DPRK.deliveries")


def test_one_icbm_on_a_three_month_turn(game: Game) -> None:
    game = submit(game, "red", "DPRK.icbm_launch", "yes")
    assert game.orders[0].per == "turn"
    # Reproduced: "launch an ICBM" repeated every month launched one a month.
    assert len(events(play(as_monthly(game)).turns[0].events, "icbm_launch")) == 3
    game = play(game)
    turn = game.turns[0]
    assert turn.months == 3 and len(events(turn.events, "icbm_launch")) == 1
    assert turn.odds["icbm_launches"] == 1.0 and turn.happened["icbm_launches"]
    assert game.orders == []  # the one-shot lapsed after the turn: doctrine decides again


def test_the_nuclear_test_leaves_the_menu_after_it_happened(game: Game) -> None:
    assert "DPRK.nuclear_test" in menu(game, "red")
    game = play(submit(game, "red", "DPRK.nuclear_test", "yes"))
    assert game.turns[0].happened["nuclear_test"]
    assert "DPRK.nuclear_test" not in menu(game, "red")
    assert "already conducted" in unavailable(game, "red")["DPRK.nuclear_test"]
    with pytest.raises(GameError, match="already conducted"):
        submit(game, "red", "DPRK.nuclear_test", "yes")


def test_an_unknown_decision_lists_only_the_menu_as_it_stands(game: Game) -> None:
    """Reproduced: after the test, an unknown decision's error still listed DPRK.nuclear_test
    as on red's menu."""
    game = play(submit(game, "red", "DPRK.nuclear_test", "yes"))
    with pytest.raises(GameError) as refused:
        submit(game, "red", "DPRK.invade", "yes")
    on_menu, _, off = str(refused.value).partition("; off the menu now: ")
    assert "DPRK.nuclear_test" not in on_menu and "DPRK.icbm_launch" in on_menu
    assert off.startswith("DPRK.nuclear_test") and "menu says why" in off


def test_a_spent_nuclear_test_cannot_be_ruled_or_excepted_again(game: Game) -> None:
    """Reproduced: a ruling on turn 2 after the turn-1 test gave a second "seventh" test and
    overwrote the month of the first; an umpire's exception did the same."""
    game = play(play(submit(game, "red", "DPRK.nuclear_test", "yes")))
    month = game.turns[0].state["arrays"]["dprk.test_month"]["data"]
    with pytest.raises(GameError, match=r"spent before turn 2 began.*already conducted"):
        rule(game, "decision", "DPRK.nuclear_test", "yes", "x")
    with pytest.raises(GameError, match=r"cannot be excepted: .*already conducted"):
        approve_exception(game, "red", "DPRK.nuclear_test", "umpire: again", value="yes")
    assert game.turns[-1].state["arrays"]["dprk.test_month"]["data"] == month
    # The umpire console offers no exception for it (a gate still gets one).
    from axis_sim.seminar.views import umpire_view

    offered = {x["decision"]: x["spent"] for x in umpire_view(game)["exceptions"]}
    assert offered["DPRK.nuclear_test"] is True
    assert engine_spent(game, "red") == {"DPRK.nuclear_test"}
    # A gate is not spent: the umpire may still rule on it (the turn is replayed).
    ruled = rule(game, "decision", "Russia.tech_transfer", "yes", "umpire: a side deal")
    assert ruled.turns[-1].rulings[0].key == "Russia.tech_transfer"


def as_monthly(game: Game) -> Game:
    """The version-1 semantics: every order repeated every month of the turn."""
    return game.model_copy(update={"orders": [o.model_copy(update={"per": "month"})
                                              for o in game.orders]})


def test_reds_proposal_climbs_one_rung_a_turn(short_scenario: Path) -> None:
    game = new_game(short_scenario, teams=TEAMS, seed=6)
    assert game.initial_state["arrays"]["russia.cooperation"]["data"] == [1]  # the arms trade
    game = submit(game, "red", "DPRK.accept_ties", "yes")
    # Reproduced: a proposal repeated every month took the ladder to the treaty in one turn.
    asked_monthly = play(as_monthly(submit(game, "red", "Russia.propose", "yes")))
    assert asked_monthly.turns[0].outcomes["cooperation_level"] == 4
    # At the treaty both orders are spent: they leave the orders in force and the menu.
    assert asked_monthly.orders == []
    assert "top rung" in unavailable(asked_monthly, "red")["DPRK.accept_ties"]
    rung = 1.0
    for _ in range(3):
        # A per-turn order is given again each turn (it lapses after adjudication).
        game = play(submit(game, "red", "Russia.propose", "yes"))
        now = game.turns[-1].outcomes["cooperation_level"]
        assert now - rung <= 1, (game.turns[-1].number, rung, now)
        rung = now
    assert rung == 3  # two rungs in nine months, where monthly asking reached the treaty


def test_reds_lookahead_is_scored_by_reds_aims(game: Game) -> None:
    candidates = {
        "doctrine": [],
        "ship nothing": [Order(team="red", decision="DPRK.deliveries", value=0.0,
                               since_turn=1)],
        "ship all": [Order(team="red", decision="DPRK.deliveries", value=1.0, since_turn=1)],
    }
    red = lookahead(game, "red", candidates, worlds=30, uncertain=False)
    shipped = red[red["outcome"] == "munitions_shipped"].set_index("candidate")
    assert (shipped["better"] == "higher").all()  # red wants shells shipped
    assert shipped.loc["ship all", "mean"] > shipped.loc["ship nothing", "mean"]
    score = red.groupby("candidate", sort=False)["score"].first()
    assert score["ship all"] > score["ship nothing"]
    # Blue's own objectives judge the same candidates the other way round.
    blue = lookahead(game, "blue", candidates, worlds=30, uncertain=False)
    blue_score = blue.groupby("candidate", sort=False)["score"].first()
    assert blue_score["ship all"] < blue_score["ship nothing"]
    assert "dprk_food_energy_gap" in set(red["outcome"])
    assert "dprk_food_energy_gap" not in set(blue["outcome"])


def test_odds_report_compares_with_doing_nothing_and_names_the_drivers(game: Game) -> None:
    game = submit(game, "red", "DPRK.nuclear_test", "yes")
    report = odds_report(game, worlds=WORLDS)
    assert report["odds"]["nuclear_test"] == 1.0
    assert report["odds_doctrine"]["nuclear_test"] < 0.5
    first = report["drivers"]["nuclear_test"][0]
    assert "red's order “DPRK: Conduct the seventh nuclear test” = yes raises" in first
    assert "to 100%" in first


def test_a_ruling_on_a_chance_event_keeps_the_model_result(game: Game) -> None:
    played = play(game)
    own = played.turns[0]
    assert not events(own.events, "lethal_incident")
    ruled = rule(played, "event", "lethal_incident", "yes", "umpire: the shelling hits")
    turn = ruled.turns[0]
    # Ruled in once, not once a month of the turn (the model had none of its own here).
    assert len(events(turn.events, "lethal_incident")) == 1
    assert turn.outcomes["lethal_incidents"] == own.outcomes["lethal_incidents"] + 1
    assert turn.model_events == own.events and turn.model_outcomes == own.outcomes
    assert turn.odds == own.odds and turn.drivers == own.drivers  # as shown before the roll
    assert turn.rulings[0].model_value is False
    assert turn.rulings[0].reason == "umpire: the shelling hits"
    assert len(ruled.turns) == 1
    with pytest.raises(GameError, match="unknown chance event"):
        rule(played, "event", "martian_landing", "yes", "why not")
    with pytest.raises(GameError, match="reason"):
        rule(played, "event", "ceasefire", "yes", " ")


def test_undo_keeps_the_undone_turn_and_puts_its_orders_back(game: Game) -> None:
    game = submit(game, "red", "DPRK.icbm_launch", "yes")
    played = play(game)
    back = undo(played)
    assert back.turns == [] and back.undone == [played.turns[0]]
    assert [o.decision for o in back.orders] == ["DPRK.icbm_launch"]  # the one-shot again
    assert play(back).turns[0].events == played.turns[0].events


def test_an_exception_lets_an_order_past_the_models_gate(game: Game) -> None:
    with pytest.raises(GameError, match="exception"):
        submit(game, "red", "Russia.tech_transfer", "yes")  # below rung 2
    excepted = approve_exception(game, "red", "Russia.tech_transfer", "umpire: a side deal",
                                 value="yes")
    assert excepted.orders[0].exception == "umpire: a side deal"
    assert events(play(excepted).turns[0].events, "tech_transfer")
    with pytest.raises(GameError, match="reason"):
        approve_exception(game, "red", "Russia.tech_transfer", "", value="yes")
    with pytest.raises(GameError, match="no order"):
        approve_exception(game, "red", "DPRK.deliveries", "umpire: why not")
    standing = submit(game, "red", "DPRK.deliveries", 0.3, "half the trains")
    approved = approve_exception(standing, "red", "DPRK.deliveries", "umpire: by sea")
    assert [(o.value, o.rationale, o.exception) for o in approved.orders] == [
        (0.3, "half the trains", "umpire: by sea")]


def test_ready_phase_and_deadline(game: Game) -> None:
    game = submit(mark_ready(game, "red"), "blue", "US.exercise", "yes")
    assert moved(game) == {"blue": {"ready": False, "orders": 1, "new": 1},
                           "red": {"ready": True, "orders": 0, "new": 0}}
    game = set_phase(game, "adjudication", 10, now=datetime(2026, 1, 2, 9, 0, tzinfo=UTC))
    assert game.phase == "adjudication" and game.deadline == "2026-01-02T09:10:00Z"
    with pytest.raises(GameError, match="unknown phase"):
        set_phase(game, "lunch")
    for minutes in (0, 1e-9, 0.4, 1441, -5, float("nan"), float("inf"), 1e12):
        with pytest.raises(GameError, match=re.escape(TIMER_RULE)):
            set_phase(game, "orders", minutes)
    # The bounds are one rule: half a minute to a day (the CLI and the web form use them).
    assert TIMER_RULE == "a timer takes from 0.5 to 1440 minutes (a day)"
    for minutes in (MIN_TIMER_MINUTES, MAX_TIMER_MINUTES):
        assert set_phase(game, "orders", minutes).deadline
    assert play(game).ready == []  # a new turn: nobody has moved yet


def test_matrix_rolls_are_reproducible(short_scenario: Path) -> None:
    def argued() -> Game:
        game = new_game(short_scenario, teams=TEAMS, seed=5, matrix=True)
        game = matrix.argue(game, "red", "Test a device", ["the site is ready"],
                            event="nuclear_test")
        game = matrix.counter(game, "blue", 1, "Beijing opposes a seventh test")
        return matrix.set_odds(game, 1, 0.4, worlds=WORLDS)

    first, second = matrix.roll(argued(), 1), matrix.roll(argued(), 1)
    a = first.arguments[0]
    assert a.roll == second.arguments[0].roll and a.roll is not None
    assert a.success == (a.roll < 0.4) and a.model_odds is not None
    assert a.counters == [{"team": "blue", "text": "Beijing opposes a seventh test"}]
    with pytest.raises(GameError, match="rolled already"):
        matrix.roll(first, 1)
    played = play(first)
    assert played.arguments == [] and played.turns[0].arguments == [a]
    with pytest.raises(GameError, match="not its own"):
        matrix.counter(argued(), "red", 1, "me too")


def test_a_teams_aims_are_the_union_of_its_actors(short_scenario: Path) -> None:
    from axis_sim.scenario.loader import load_scenario

    scenario = load_scenario(short_scenario)
    blue = {a.outcome: a for a in team_aims(scenario, ["US", "ROK", "Japan"])}
    weighted = {o: s for o, s in scenario.outcomes.items() if s.weight > 0 and s.swing}
    assert set(blue) == set(weighted)
    assert all(blue[o].direction == s.better and blue[o].weight == s.weight
               for o, s in weighted.items())
    red = {a.outcome: a for a in team_aims(scenario, ["Russia", "DPRK"])}
    # Both want the ladder climbed: counted once, at the larger weight, not summed.
    assert red["cooperation_level"].direction == "higher"
    assert red["cooperation_level"].weight == 0.5
    assert red["munitions_shipped"].direction == "higher" and red["munitions_shipped"].weight == 1
    assert all(a.source for a in red.values())
    # A team playing both sides of an aim nets it out: Russia's "ties" (0.5) against blue's
    # "no ties" (0.4) leaves a small wish for ties.
    mixed = {a.outcome: a for a in team_aims(scenario, ["Russia", "US"])}
    assert mixed["cooperation_level"].direction == "higher"
    assert mixed["cooperation_level"].weight == pytest.approx(0.5 - 0.4)
    values = {"munitions_shipped": np.array([2e6, 0.0])}
    reference = {"munitions_shipped": np.array([0.0, 0.0])}
    only_shells = [a for a in team_aims(scenario, ["Russia"]) if a.outcome == "munitions_shipped"]
    assert score(scenario, only_shells, values, reference).tolist() == pytest.approx([0.2, 0.0])


def test_a_ruling_on_a_decision_passes_the_models_rule(game: Game) -> None:
    """The umpire rules that Moscow transferred technology below rung 2: the model's gate
    would stop a team's order, not the umpire's word; the model's own result is kept."""
    played = play(game)
    assert not events(played.turns[0].events, "tech_transfer")
    ruled = rule(played, "decision", "Russia.tech_transfer", "yes", "umpire: a side deal")
    turn = ruled.turns[0]
    assert len(events(turn.events, "tech_transfer")) == 1  # once: a per-turn decision
    assert turn.model_events == played.turns[0].events
    assert turn.rulings[0].model_value is None  # no team ordered it: doctrine decided


def test_seat_text_loses_control_characters(game: Game) -> None:
    """A seat's free text reaches other seats' pages, the projector, terminals and handouts: a
    NUL or a terminal escape typed (or pasted) into it is dropped; tabs and line breaks stay."""
    game = submit(game, "red", "DPRK.deliveries", 1.0, "all\x00 out\x1b[2J\tnow\nthen")
    (order,) = [o for o in game.orders if o.team == "red"]
    assert order.rationale == "all out[2J\tnow\nthen"
    game = matrix.argue(game.model_copy(update={"matrix": True}), "blue",
                        "Interdict\x07 the trains", ["rail\x00 is slow"])
    (argument,) = game.arguments
    assert (argument.action, argument.arguments) == ("Interdict the trains", ["rail is slow"])
