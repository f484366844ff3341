"""`axis-sim seminar …` on the game database: a scripted game through the commands, join
links, fog of war on stdout, rulings, undo/history/restore/fork, import/export, bad input."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from axis_sim.cli import main
from axis_sim.seminar.briefing import lines
from axis_sim.seminar.game import Game
from axis_sim.seminar.store import GameStore

TEAMS = ("blue=US,ROK,Japan", "red=Russia,DPRK")


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["seminar", *args], input=input)


def cli(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    """The command fails cleanly: exit 2, one 'Error' line, no traceback."""
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def head(path: Path) -> Game:
    return GameStore(path).head()[1]


@pytest.fixture()
def room(short_scenario: Path, tmp_path: Path) -> Path:
    path = tmp_path / "room.db"
    cli("new", str(short_scenario), "--game", str(path), "--teams", *TEAMS)
    return path


def play_four_turns(scenario: Path, game: Path) -> None:
    cli("new", str(scenario), "--game", str(game), "--teams", TEAMS[0], "--teams", TEAMS[1])
    for turn in range(4):
        cli("move", str(game), "--team", "blue", "--decide", "option:sanctions_listing=1",
            "--decide", f"option:warn_beijing={0.5 * (turn % 2)}", "--why", "squeeze the trains")
        cli("move", str(game), "--team", "red", "--decide", "DPRK.deliveries=0.5",
            "--decide", "DPRK.posture=restraint")
        cli("odds", str(game), "--worlds", "50")
        cli("adjudicate", str(game))


def test_new_prints_a_join_link_per_seat(short_scenario: Path, tmp_path: Path) -> None:
    path = tmp_path / "room.db"
    out = cli("new", str(short_scenario), "--game", str(path), "--teams", *TEAMS,
              "--host", "10.0.0.5", "--port", "9000")
    store = GameStore(path)
    for seat in store.seats():
        assert f"http://10.0.0.5:9000/join/{seat.token}" in out
    assert re.search(r"team red\s+http://10\.0\.0\.5:9000/join/", out)
    assert store.seats()[0].token in cli("links", str(path), "--port", "9000")
    assert "already exists" in refused("new", str(short_scenario), "--game", str(path))


def test_a_four_turn_seminar_through_the_commands(short_scenario: Path, tmp_path: Path) -> None:
    game_file = tmp_path / "game.db"
    play_four_turns(short_scenario, game_file)
    game = head(game_file)
    assert [t.number for t in game.turns] == [1, 2, 3, 4]
    assert game.month == 12
    assert {"blue", "red", "facilitator", "public"} <= set(game.turns[0].briefings)
    assert game.turns[0].orders[0].rationale == "squeeze the trains"
    assert set(game.turns[0].odds) >= {"nuclear_test", "icbm_launches"}
    assert len(GameStore(game_file).history()) == 1 + 4 * 3
    # The horizon is reached: another turn is refused with a plain message.
    assert "horizon" in refused("adjudicate", str(game_file))
    out = cli("lookahead", str(game_file), "--team", "blue", "--worlds", "20")
    assert "blue wants it" in out


def test_same_scenario_seed_and_orders_give_the_same_game(short_scenario: Path,
                                                          tmp_path: Path) -> None:
    play_four_turns(short_scenario, tmp_path / "a.db")
    play_four_turns(short_scenario, tmp_path / "b.db")
    assert head(tmp_path / "a.db") == head(tmp_path / "b.db")


def test_orders_stand_until_withdrawn(room: Path) -> None:
    out = cli("move", str(room), "--team", "red", "--decide", "DPRK.posture=coercion",
              "--decide", "DPRK.icbm_launch=yes", "--why", "press Seoul")
    assert "DPRK.icbm_launch = yes (once, this turn)" in out
    cli("adjudicate", str(room))
    game = head(room)
    assert [(o.decision, o.value) for o in game.orders] == [("DPRK.posture", "coercion")]
    out = cli("withdraw", str(room), "--team", "red", "--decision", "DPRK.posture")
    assert "no order in force" in out and head(room).orders == []
    assert "no order on" in refused("withdraw", str(room), "--team", "red", "--decision",
                                    "DPRK.posture")


def test_ready_and_status(room: Path) -> None:
    assert "waiting for: blue" in cli("ready", str(room), "--team", "red")
    out = cli("status", str(room))
    assert "Ready: red; waiting for: blue." in out and "Version 2" in out
    assert "waiting for: blue, red" in cli("ready", str(room), "--team", "red", "--not")


def test_adjudicate_prints_the_facilitators_briefing_only(room: Path) -> None:
    """Fog of war: by default only the facilitator's briefing; --team prints that team's and
    nobody else's (the old command printed every team's injects to one stdout)."""
    cli("move", str(room), "--team", "red", "--decide", "DPRK.deliveries=1")
    out = cli("adjudicate", str(room))
    assert "briefing for facilitator" in out
    assert "briefing for red" not in out and "briefing for blue" not in out
    cli("undo", str(room))
    out = cli("adjudicate", str(room), "--team", "blue")
    assert "briefing for blue" in out and "facilitator" not in out
    turn = head(room).turns[-1]
    red_only = set(lines(turn.briefings["red"])) - set(lines(turn.briefings["blue"]))
    assert red_only  # red's own deliveries, told exactly to red only
    for line in red_only:
        assert line not in out
    assert "unknown team" in refused("adjudicate", str(room), "--team", "Mars")
    assert len(head(room).turns) == 1  # the refused command rolled nothing


def test_rulings_keep_the_models_result(room: Path) -> None:
    cli("adjudicate", str(room))
    cli("rule", str(room), "--decision", "DPRK.nuclear_test=yes", "--reason",
        "umpire: the test was ready")
    cli("rule", str(room), "--event", "ceasefire=yes", "--reason", "talks succeed")
    turn = head(room).turns[-1]
    rulings = {(r.kind, r.key): r for r in turn.rulings}
    assert rulings[("decision", "DPRK.nuclear_test")].reason == "umpire: the test was ready"
    assert rulings[("event", "ceasefire")].value is True
    assert turn.outcomes["nuclear_test"] == 1 and turn.model_outcomes is not None
    assert "one of --decision" in refused("rule", str(room), "--reason", "x")
    assert "one of --decision" in refused("rule", str(room), "--decision", "a=1", "--event",
                                          "ceasefire=no", "--reason", "x")
    assert "chance event" in refused("rule", str(room), "--event", "martians=yes",
                                     "--reason", "x")
    assert "DECISION=VALUE" in refused("rule", str(room), "--decision", "DPRK.nuclear_test",
                                       "--reason", "x")


def test_undo_history_restore_and_fork(room: Path, tmp_path: Path) -> None:
    cli("move", str(room), "--team", "blue", "--decide", "option:public_disclosure=1")
    cli("adjudicate", str(room))
    played = head(room)
    cli("undo", str(room))
    game = head(room)
    assert game.turns == [] and game.orders[0].decision == "option:public_disclosure"
    assert game.undone[0] == played.turns[0]
    out = cli("history", str(room))
    assert re.search(r"\*\s+4\s+from\s+3 .* facilitator: undo", out)
    assert "team blue: orders: option:public_disclosure=1" in out
    out = cli("restore", str(room), "--version", "3", "--reason", "roll stands")
    assert "Version 3 restored as version 5" in out
    assert head(room) == played
    out = cli("fork", str(room), "--version", "2", "--game", str(tmp_path / "branch.db"))
    assert "/join/" in out
    assert head(tmp_path / "branch.db").turns == [] and head(room) == played
    assert "no version 42" in refused("restore", str(room), "--version", "42")


def test_export_and_import(room: Path, tmp_path: Path) -> None:
    cli("move", str(room), "--team", "red", "--decide", "DPRK.posture=coercion")
    exported = tmp_path / "game.json"
    cli("export", str(room), "--out", str(exported))
    text = exported.read_text()
    assert not any(seat.token in text for seat in GameStore(room).seats())
    copy = tmp_path / "copy.db"
    out = cli("import", str(exported), "--game", str(copy))
    assert head(copy) == head(room) and "/join/" in out
    assert "already exists" in refused("export", str(room), "--out", str(exported))
    # A version-1 game file: refused with what to do.
    old = json.loads(text)
    old["version"] = 1
    v1 = tmp_path / "old.json"
    v1.write_text(json.dumps(old, indent=1))
    out = refused("import", str(v1), "--game", str(tmp_path / "new.db"))
    assert "version-1 game file" in out and "seminar new" in out
    assert not (tmp_path / "new.db").exists()
    # A JSON game given where a database is expected: named, with the import command.
    out = refused("status", str(exported))
    assert "a JSON game file" in out and "seminar import" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--team", "green", "--decide", "China.stance=condone"], "unknown team"),
    (["--team", "blue", "--decide", "DPRK.nuclear_test=yes"], "cannot decide"),
    (["--team", "blue", "--decide", "option:warn_beijing=3"], "intensity from 0 to 2"),
    (["--team", "blue", "--decide", "option:warn_beijing"], "DECISION=VALUE"),
    (["--team", "red", "--decide", "DPRK.invade=yes"], "cannot decide"),
])
def test_bad_orders_are_refused(room: Path, args: list[str], message: str) -> None:
    before = GameStore(room).history()
    assert message in refused("move", str(room), *args)
    assert GameStore(room).history() == before


def test_teams_can_follow_one_teams_option(short_scenario: Path, tmp_path: Path) -> None:
    game_file = tmp_path / "g.db"
    cli("new", str(short_scenario), "--game", str(game_file), "--teams", "blue=US,ROK,Japan",
        "red=Russia,DPRK", "green=China")
    assert head(game_file).teams == {"blue": ["US", "ROK", "Japan"],
                                     "red": ["Russia", "DPRK"], "green": ["China"]}
    assert "China.stance" in cli("menu", str(game_file), "--team", "green")
    assert "two teams" in refused("new", str(short_scenario), "--game",
                                  str(tmp_path / "h.db"), "--teams", "a=US", "b=US")
    assert not (tmp_path / "h.db").exists()


def test_menu_says_why_a_decision_is_not_open(room: Path) -> None:
    out = cli("menu", str(room), "--team", "red")
    assert re.search(r"Russia\.tech_transfer\s+not now: ", out)


def test_a_damaged_head_is_refused_with_the_way_back(room: Path) -> None:
    cli("move", str(room), "--team", "blue", "--decide", "option:warn_beijing=1")
    with sqlite3.connect(room) as db:
        db.execute("UPDATE states SET game = json_set(game, '$.orders[0].decision', "
                   "'DPRK.invade') WHERE version = 2")
    for command in (["status"], ["move", "--team", "red", "--decide", "DPRK.posture=coercion"],
                    ["adjudicate"], ["odds"], ["report"], ["undo"], ["menu", "--team", "red"]):
        out = refused(command[0], str(room), *command[1:])
        assert "DPRK.invade" in out and "restore" in out and "--version 1" in out, command
        assert out.count("\n") == 1, out  # one line
    assert len(GameStore(room).history()) == 2  # nothing saved over it
    out = cli("history", str(room))
    assert "[damaged" in out
    cli("restore", str(room), "--version", "1")
    assert head(room).orders == []


def test_a_matrix_turn(short_scenario: Path, tmp_path: Path) -> None:
    path = tmp_path / "matrix.db"
    cli("new", str(short_scenario), "--game", str(path), "--teams", *TEAMS, "--matrix")
    out = cli("argue", str(path), "--team", "red", "--action", "test a warhead",
              "--argument", "the site is ready", "--event", "nuclear_test")
    assert "Argument 1 of red" in out
    cli("counter", str(path), "--team", "blue", "--id", "1", "--text", "China objects")
    assert "the model's" in cli("set-odds", str(path), "--id", "1", "--worlds", "20")
    out = cli("roll", str(path), "--id", "1")
    assert re.search(r"rolled 0\.\d\d against", out)
    argument = head(path).arguments[0]
    assert argument.counters == [{"team": "blue", "text": "China objects"}]
    assert argument.success == (argument.roll < argument.odds)
    assert "rolled already" in refused("roll", str(path), "--id", "1")
    assert "own" in refused("counter", str(path), "--team", "red", "--id", "1", "--text", "x")
    cli("adjudicate", str(path))
    assert head(path).turns[0].arguments[0].id == 1 and head(path).arguments == []
    plain = tmp_path / "plain.db"
    cli("new", str(short_scenario), "--game", str(plain))
    assert "no matrix" in refused("argue", str(plain), "--team", "blue", "--action", "a",
                                  "--argument", "b")


def test_play_through_the_command(room: Path) -> None:
    result = run("play", str(room), input="m\nblue\noption:warn_beijing\n1\nwarn them\nq\n")
    assert result.exit_code == 0, result.output
    assert "Every change is saved" in result.output
    assert [(o.team, o.decision, o.rationale) for o in head(room).orders] == [
        ("blue", "option:warn_beijing", "warn them")]


def test_a_huge_rationale_is_not_stored(room: Path) -> None:
    out = refused("move", str(room), "--team", "blue", "--decide", "option:warn_beijing=1",
                  "--why", "x" * 900_000)
    assert "not saved" in out and "at most" in out and len(out) < 3000
    assert len(GameStore(room).history()) == 1


def test_commands_started_together_lose_nothing(room: Path) -> None:
    """The issue's trial, as separate processes: red's and blue's orders and an adjudication
    started at once. Each change lands on the one before it, so both orders are kept (in the
    turn, or in force for the next) and the turn is played once."""
    import subprocess
    import sys

    base = [sys.executable, "-c", "from axis_sim.cli import main; main()", "seminar"]
    for trial in range(2):
        procs = [subprocess.Popen([*base, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
                 for args in (["move", str(room), "--team", "red", "--decide",
                               f"DPRK.deliveries={0.1 + trial / 10}"],
                              ["adjudicate", str(room)],
                              ["move", str(room), "--team", "blue", "--decide",
                               f"option:warn_beijing={1 + trial / 2}"])]
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err
        game = head(room)
        assert len(game.turns) == trial + 1
        kept = {(o.team, o.decision, o.value) for o in [*game.orders, *game.turns[-1].orders]}
        assert ("red", "DPRK.deliveries", 0.1 + trial / 10) in kept
        assert ("blue", "option:warn_beijing", 1 + trial / 2) in kept
    assert [e.parent for e in GameStore(room).history()] == [None, *range(1, 7)]
