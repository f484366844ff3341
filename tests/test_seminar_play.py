"""The facilitator's interactive loop on the game database, driven by scripted answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import click
import pytest

from axis_sim.seminar.engine import new_game, submit
from axis_sim.seminar.game import Game, GameError, parse_teams
from axis_sim.seminar.play import command_key, play
from axis_sim.seminar.store import GameStore
from tests.conftest import BASELINE

Answer = str | Callable[[], None]


class Terminal:
    """Scripted prompt and confirm answers; everything echoed is collected. An answer may be
    a function: it runs when its turn comes (another terminal acting between two commands),
    and the next answer is used for the prompt."""

    def __init__(self, answers: Iterable[Answer], confirms: Iterable[bool] = ()) -> None:
        self.answers = list(answers)
        self.confirms = list(confirms)
        self.out: list[str] = []
        self.asked: list[str] = []

    def prompt(self, text: str, default: str | None = None, **_: object) -> str:
        self.asked.append(text)
        while self.answers and callable(self.answers[0]):
            self.answers.pop(0)()  # type: ignore[operator]
        if not self.answers:
            raise click.Abort  # what click.prompt raises at end of input
        answer = str(self.answers.pop(0))
        if answer == "" and default is not None:
            return default
        return answer

    def confirm(self, text: str, default: bool = False, **_: object) -> bool:
        self.asked.append(text)
        while self.answers and callable(self.answers[0]):
            self.answers.pop(0)()  # type: ignore[operator]
        return self.confirms.pop(0)

    def echo(self, message: object = "", **_: object) -> None:
        self.out.append(str(message))

    @property
    def text(self) -> str:
        return "\n".join(self.out)

    def run(self, path: Path) -> None:
        play(path, prompt=self.prompt, confirm=self.confirm, echo=self.echo, worlds=50,
             odds_worlds=50)


@pytest.fixture
def game_file(tmp_path: Path) -> Path:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"extends: {BASELINE}\nmeta: {{name: short, horizon_months: 9}}\n",
                        encoding="utf-8")
    game = new_game(scenario, teams=parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK"]))
    path = tmp_path / "game.db"
    GameStore.create(path, game)
    return path


def head(path: Path) -> Game:
    return GameStore(path).head()[1]


def test_whole_session(game_file: Path) -> None:
    term = Terminal(
        [
            "m", "blue", "option:sanctions_listing", "1.5", "cut the deliveries",
            "m", "2", "DPRK.posture", "coercion", "press Seoul",
            "o",
            "a",  # confirm yes
            "b", "red",
            "s",
            "u",  # confirm yes
            "a",  # confirm yes
            "l", "blue",
            "h",
            "r",
            "q",
        ],
        confirms=[True, True, True],
    )
    term.run(game_file)
    game = head(game_file)
    assert len(game.turns) == 1 and len(game.undone) == 1
    orders = {(o.team, o.decision): (o.value, o.rationale) for o in game.turns[0].orders}
    assert orders == {("blue", "option:sanctions_listing"): (1.5, "cut the deliveries"),
                      ("red", "DPRK.posture"): ("coercion", "press Seoul")}
    # Standing orders: still in force for the next turn.
    assert {(o.team, o.decision) for o in game.orders} == set(orders)
    assert game.turns[0].odds and game.turns[0].briefings
    assert "Roll the turn?" in term.asked
    assert "an ICBM launch" in term.text and "doing nothing" in term.text  # odds table
    assert "Facilitator's briefing" in term.text and "Briefing for red" in term.text
    assert "Turn 1 taken back" in term.text
    assert "[90% CI]" in term.text and "doctrine" in term.text  # lookahead table
    assert "adjudicate" in term.text and "undo" in term.text  # history
    assert (game_file.parent / f"{game_file.stem}-after_action.md").is_file()
    assert "Error" not in term.text
    assert term.answers == [] and term.confirms == []


def test_adjudicate_prints_no_team_briefing(game_file: Path) -> None:
    """Fog of war at the facilitator's terminal: a roll shows the facilitator's account only;
    a team's briefing is printed alone, on request."""
    term = Terminal(["a", "q"], confirms=[True])
    term.run(game_file)
    assert "Facilitator's briefing" in term.text
    assert "Briefing for" not in term.text and "Injects for" not in term.text


def test_a_move_from_another_terminal_is_never_overwritten(game_file: Path) -> None:
    """The loop reads the head before each command: red's order given from elsewhere while the
    facilitator enters blue's stays, and a roll confirmed on odds that no longer hold is
    refused instead of rolling orders nobody saw."""
    store = GameStore(game_file)

    def red_moves_elsewhere() -> None:
        store.update(lambda g: submit(g, "red", "DPRK.nuclear_test", "no"), who="team red",
                     action="orders from another terminal")

    def red_changes_its_mind() -> None:
        store.update(lambda g: submit(g, "red", "DPRK.deliveries", "0.2"), who="team red",
                     action="orders from another terminal")

    term = Terminal(["m", "blue", "option:warn_beijing", red_moves_elsewhere, "1", "",
                     "a", red_changes_its_mind, "s", "q"], confirms=[True])
    term.run(game_file)
    game = head(game_file)
    keys = {(o.team, o.decision) for o in game.orders}
    assert keys == {("blue", "option:warn_beijing"), ("red", "DPRK.nuclear_test"),
                    ("red", "DPRK.deliveries")}
    assert game.turns == []  # the roll was refused: the orders changed after the odds
    assert "the game changed since you read it" in term.text
    assert "red: DPRK.deliveries = 0.2" in term.text  # the next status shows it


def test_refused_confirmations_change_nothing(game_file: Path) -> None:
    term = Terminal(["m", "red", "DPRK.nuclear_test", "yes", "", "a", "q"], confirms=[False])
    term.run(game_file)
    store = GameStore(game_file)
    before = store.head_version()
    assert head(game_file).turns == [] and len(head(game_file).orders) == 1
    assert "Not rolled; nothing changed." in term.text

    Terminal(["a", "q"], confirms=[True]).run(game_file)
    rolled = store.head_version()
    assert rolled == before + 1

    term = Terminal(["u", "v", "e", "ceasefire", "yes", "the room says so", "q"],
                    confirms=[False, False])
    term.run(game_file)
    assert store.head_version() == rolled
    assert "Not undone; nothing changed." in term.text
    assert "No ruling; nothing changed." in term.text


def test_rulings_on_a_decision_and_a_chance_event(game_file: Path) -> None:
    term = Terminal(["a", "v", "d", "DPRK.nuclear_test", "yes", "the room rules a test",
                     "v", "e", "ceasefire", "yes", "talks succeed", "q"],
                    confirms=[True, True, True])
    term.run(game_file)
    game = head(game_file)
    assert len(game.turns) == 1
    rulings = {(r.kind, r.key): r for r in game.turns[0].rulings}
    assert rulings[("decision", "DPRK.nuclear_test")].reason == "the room rules a test"
    assert rulings[("event", "ceasefire")].value is True
    assert game.turns[0].outcomes["nuclear_test"] == 1.0
    assert game.turns[0].model_outcomes is not None  # the model's own result kept
    assert "[model:" in term.text


def test_bad_answers_print_errors_and_continue(game_file: Path) -> None:
    term = Terminal([
        "x",  # unknown command
        "m", "green",  # unknown team
        "m", "blue", "DPRK.nuclear_test",  # not on blue's menu
        "m", "blue", "99",  # no such number
        "m", "blue", "option:warn_beijing", "3", "",  # intensity out of range
        "m", "red", "DPRK.deliveries", "lots", "",  # not a share
        "v",  # no turn to rule on yet
        "u",  # nothing to undo
        "w", "blue",  # no order to withdraw
        "m", "blue", "option:warn_beijing", "", "",  # default value accepted
        "q",
    ])
    term.run(game_file)
    errors = [line for line in term.out if line.startswith("Error:")]
    assert len(errors) == 8, term.text
    assert "Unknown command 'x'" in term.text
    assert "no team 'green'" in term.text
    assert "option:warn_beijing takes an intensity from 0 to 2" in term.text
    assert "DPRK.deliveries takes a share from 0 to 1" in term.text
    game = head(game_file)
    assert [(o.team, o.decision, o.value) for o in game.orders] == [
        ("blue", "option:warn_beijing", 1.0)]


def test_withdraw_goes_back_to_doctrine(game_file: Path) -> None:
    term = Terminal(["m", "red", "DPRK.posture", "coercion", "", "w", "red", "1", "q"])
    term.run(game_file)
    assert head(game_file).orders == []
    assert "Withdrawn: red's DPRK.posture" in term.text


def test_end_of_input_quits_cleanly(game_file: Path) -> None:
    term = Terminal(["m", "blue"])  # input ends mid-command
    term.run(game_file)
    assert "Stopped. Every change is saved" in term.text
    assert head(game_file).orders == []


def test_horizon_reached(game_file: Path) -> None:
    term = Terminal(["a", "a", "a", "a", "s", "q"], confirms=[True, True, True])
    term.run(game_file)
    assert len(head(game_file).turns) == 3
    assert "Error: the game has reached the scenario's horizon" in term.text
    assert "The game has reached the horizon (2024-05)" in term.text


def test_unreadable_or_damaged_game(tmp_path: Path, game_file: Path) -> None:
    with pytest.raises(GameError, match="no such game database"):
        Terminal([]).run(tmp_path / "missing.db")
    import sqlite3

    GameStore(game_file).update(lambda g: submit(g, "red", "DPRK.nuclear_test", "no"),
                                who="team red", action="orders")
    with sqlite3.connect(game_file) as db:
        db.execute("UPDATE states SET game = json_set(game, '$.teams.red[0]', 'Mars') "
                   "WHERE version = 2")
    with pytest.raises(GameError, match=r"'Mars'.*last good version is 1.*--version 1"):
        Terminal(["q"]).run(game_file)


def test_command_key() -> None:
    assert command_key("A") == "a"
    assert command_key(" override ") == "v"
    assert command_key("rule") == "v"
    assert command_key("odds") == "o"
    assert command_key("x") is None
