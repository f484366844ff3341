"""The facilitator's interactive loop, driven by scripted answers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
import pytest

from axis_sim.seminar.engine import new_game
from axis_sim.seminar.game import GameError, load, parse_teams, save
from axis_sim.seminar.play import command_key, play

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


class Terminal:
    """Scripted prompt and confirm answers; everything echoed is collected."""

    def __init__(self, answers: Iterable[str], confirms: Iterable[bool] = ()) -> None:
        self.answers = list(answers)
        self.confirms = list(confirms)
        self.out: list[str] = []
        self.asked: list[str] = []

    def prompt(self, text: str, default: str | None = None, **_: object) -> str:
        self.asked.append(text)
        if not self.answers:
            raise click.Abort  # what click.prompt raises at end of input
        answer = self.answers.pop(0)
        if answer == "" and default is not None:
            return default
        return answer

    def confirm(self, text: str, default: bool = False, **_: object) -> bool:
        self.asked.append(text)
        return self.confirms.pop(0)

    def echo(self, message: object = "", **_: object) -> None:
        self.out.append(str(message))

    @property
    def text(self) -> str:
        return "\n".join(self.out)

    def run(self, path: Path) -> None:
        play(path, prompt=self.prompt, confirm=self.confirm, echo=self.echo, worlds=50)


@pytest.fixture
def game_file(tmp_path: Path) -> Path:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"extends: {BASELINE}\nmeta: {{name: short, horizon_months: 9}}\n",
                        encoding="utf-8")
    game = new_game(scenario, teams=parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK"]))
    path = tmp_path / "game.json"
    save(game, path)
    return path


def test_whole_session(game_file: Path) -> None:
    term = Terminal(
        [
            "m", "blue", "option:sanctions_listing", "1.5", "cut the deliveries",
            "m", "2", "DPRK.posture", "coercion", "press Seoul",
            "o",
            "a",  # confirm yes
            "s",
            "u",  # confirm yes
            "a",  # confirm yes
            "l", "blue",
            "r",
            "q",
        ],
        confirms=[True, True, True],
    )
    term.run(game_file)
    game = load(game_file)
    assert len(game.turns) == 1 and game.pending == []
    moves = {(m.team, m.decision): (m.value, m.rationale) for m in game.turns[0].moves}
    assert moves == {("blue", "option:sanctions_listing"): (1.5, "cut the deliveries"),
                     ("red", "DPRK.posture"): ("coercion", "press Seoul")}
    assert game.turns[0].odds and game.turns[0].injects
    assert "Roll the turn?" in term.asked
    assert "an ICBM launch" in term.text  # odds table
    assert "Facilitator's account" in term.text and "Injects for red:" in term.text
    assert "Turn 1 taken back" in term.text
    assert "[90% CI]" in term.text and "doctrine" in term.text  # lookahead table
    assert (game_file.parent / f"{game_file.stem}-after_action.md").is_file()
    assert (game_file.parent / f"{game_file.stem}-after_action.html").is_file()
    assert "Error" not in term.text
    assert term.answers == [] and term.confirms == []


def test_refused_confirmations_change_nothing(game_file: Path) -> None:
    term = Terminal(["m", "red", "DPRK.nuclear_test", "yes", "", "a", "q"], confirms=[False])
    term.run(game_file)
    before = game_file.read_text(encoding="utf-8")
    game = load(game_file)
    assert game.turns == [] and len(game.pending) == 1
    assert "Not rolled; nothing changed." in term.text

    term = Terminal(["a", "q"], confirms=[True])
    term.run(game_file)
    rolled = game_file.read_text(encoding="utf-8")
    assert rolled != before

    term = Terminal(["u", "v", "DPRK.icbm_launch", "no", "the room says so", "q"],
                    confirms=[False, False])
    term.run(game_file)
    assert game_file.read_text(encoding="utf-8") == rolled
    assert "Not undone; nothing changed." in term.text
    assert "No override; nothing changed." in term.text


def test_override_logged(game_file: Path) -> None:
    term = Terminal(["a", "v", "DPRK.nuclear_test", "yes", "the room rules a test", "q"],
                    confirms=[True, True])
    term.run(game_file)
    game = load(game_file)
    assert len(game.turns) == 1
    (ruling,) = game.turns[0].overrides
    assert (ruling.decision, ruling.value, ruling.reason) == ("DPRK.nuclear_test", True,
                                                               "the room rules a test")
    assert game.turns[0].outcomes["nuclear_test"] == 1.0


def test_bad_answers_print_errors_and_continue(game_file: Path) -> None:
    term = Terminal([
        "x",  # unknown command
        "m", "green",  # unknown team
        "m", "blue", "DPRK.nuclear_test",  # not on blue's menu
        "m", "blue", "99",  # no such number
        "m", "blue", "option:warn_beijing", "3", "",  # intensity out of range
        "m", "red", "DPRK.deliveries", "lots", "",  # not a share
        "v",  # no turn to override yet
        "u",  # nothing to undo
        "m", "blue", "option:warn_beijing", "", "",  # default value accepted
        "q",
    ])
    term.run(game_file)
    errors = [line for line in term.out if line.startswith("Error:")]
    assert len(errors) == 7, term.text
    assert "Unknown command 'x'" in term.text
    assert "no team 'green'" in term.text
    assert "option:warn_beijing takes an intensity from 0 to 2" in term.text
    assert "DPRK.deliveries takes a share from 0 to 1" in term.text
    game = load(game_file)
    assert [(m.team, m.decision, m.value) for m in game.pending] == [
        ("blue", "option:warn_beijing", 1.0)]


def test_end_of_input_quits_cleanly(game_file: Path) -> None:
    term = Terminal(["m", "blue"])  # input ends mid-command
    term.run(game_file)
    assert "Stopped. The game is saved" in term.text
    assert load(game_file).pending == []


def test_horizon_reached(game_file: Path) -> None:
    term = Terminal(["a", "a", "a", "a", "s", "q"], confirms=[True, True, True])
    term.run(game_file)
    assert len(load(game_file).turns) == 3
    assert "Error: the game has reached the scenario's horizon" in term.text
    assert "The game has reached the horizon (2024-05)" in term.text


def test_unreadable_game_file(tmp_path: Path) -> None:
    with pytest.raises(GameError):
        Terminal([]).run(tmp_path / "missing.json")


def test_command_key() -> None:
    assert command_key("A") == "a"
    assert command_key(" override ") == "v"
    assert command_key("odds") == "o"
    assert command_key("x") is None
