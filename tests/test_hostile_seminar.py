"""Issue 19's seminar items, on the game database: a game edited by hand into nonsense, a
damaged or foreign file, nesting 200,000 deep. Every one is refused on load with one line and
exit 2 (naming the last good version and how to go back), or is genuinely valid and plays on;
no command gives a traceback, and nothing is ever saved over the last good state."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from axis_sim.cli import main
from axis_sim.seminar.engine import adjudicate, lookahead, new_game, rule, save_lookahead, submit
from axis_sim.seminar.engine import undo as undo_turn
from axis_sim.seminar.game import GameError, parse_teams
from axis_sim.seminar.store import GameStore
from tests.conftest import BASELINE

Json = dict[str, Any]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A game with something in every part: three teams, standing and one-shot orders, two
    turns (one with rulings on a decision and a chance event), an undone turn, a saved
    lookahead, readiness and a timer."""
    folder = tmp_path_factory.mktemp("hostile_seminar")
    scenario = folder / "short.yaml"
    scenario.write_text(f"extends: {BASELINE}\nmeta: {{name: short, horizon_months: 12}}\n")
    game = new_game(scenario, teams=parse_teams(["blue=US,ROK,Japan", "red=Russia,DPRK",
                                                 "green=China"]), seed=5)
    store = GameStore.create(folder / "template.db", game)

    def step(change: Callable[..., Any], action: str) -> None:
        store.update(change, who="test", action=action)

    step(lambda g: submit(g, "blue", "option:sanctions_listing", 1, "trains"), "orders")
    step(lambda g: submit(g, "red", "DPRK.icbm_launch", "yes"), "orders")
    step(lambda g: submit(g, "green", "China.stance", "condone"), "orders")
    step(lambda g: adjudicate(g, worlds=20), "adjudicate")
    step(lambda g: rule(g, "decision", "DPRK.nuclear_test", "yes", "umpire"), "rule")
    step(lambda g: rule(g, "event", "ceasefire", "no", "talks fail"), "rule")
    step(lambda g: adjudicate(g, worlds=20), "adjudicate")
    step(undo_turn, "undo")
    step(lambda g: adjudicate(g, worlds=20), "adjudicate")
    step(lambda g: save_lookahead(g, "blue", lookahead(g, "blue", {"doctrine": []}, worlds=10)),
         "lookahead")
    step(lambda g: submit(g, "red", "DPRK.posture", "coercion"), "orders")
    return store.path


def copy_of(template: Path, folder: Path) -> Path:
    path = folder / "room.db"
    with sqlite3.connect(template) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    return path


def head_json(path: Path) -> tuple[int, Json]:
    with sqlite3.connect(path) as db:
        version = db.execute("SELECT version FROM head").fetchone()[0]
        text = db.execute("SELECT game FROM states WHERE version = ?", (version,)).fetchone()[0]
    return version, json.loads(text)


def write_head(path: Path, text: object) -> None:
    """Edit the head row in place, as a user with the sqlite3 shell would."""
    with sqlite3.connect(path) as db:
        db.execute("UPDATE states SET game = ? WHERE version = (SELECT version FROM head)",
                   (text,))


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["seminar", *args], input=input)


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exception)
    assert result.exit_code in (0, 2), result.output


def commands(path: Path, out: Path, *, every: bool = False) -> list[list[str]]:
    """Seminar commands that read or change a game: with `every`, all of them; otherwise one
    of each way in (a read, a team's change, the umpire's changes, an output, the loop)."""
    p = str(path)
    if not every:
        return [["status", p], ["move", p, "--team", "red", "--decide", "DPRK.posture=restraint"],
                ["adjudicate", p], ["rule", p, "--event", "ceasefire=yes", "--reason", "x"],
                ["undo", p], ["export", p, "--out", str(out / "g.json")], ["play", p]]
    return [["status", p], ["menu", p, "--team", "red"],
            ["move", p, "--team", "red", "--decide", "DPRK.posture=restraint"],
            ["withdraw", p, "--team", "blue", "--decision", "option:sanctions_listing"],
            ["ready", p, "--team", "red"], ["phase", p, "adjudication", "--minutes", "5"],
            ["approve", p, "--team", "red", "--decision", "DPRK.posture", "--reason", "x"],
            ["odds", p, "--worlds", "10"], ["adjudicate", p],
            ["rule", p, "--event", "ceasefire=yes", "--reason", "x"], ["undo", p],
            ["lookahead", p, "--team", "blue", "--worlds", "10"],
            ["report", p, "--out", str(out)], ["export", p, "--out", str(out / "g.json")],
            ["fork", p, "--game", str(out / "fork.db")], ["play", p]]


def assert_refused_everywhere(path: Path, tmp_path: Path, good: int, expected: str, *,
                              every: bool = False) -> None:
    """Each command: exit 2, one line naming what is wrong, the last good version and the
    restore command; afterwards the history is as it was and the good state loads."""
    store = GameStore(path)
    before = store.history()
    good_game = store.at(good)
    for args in commands(path, tmp_path / "out", every=every):
        result = run(*args, input="q\n")
        no_traceback(result)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") == 1 and result.output.startswith("Error: "), (
            args, result.output)
        assert expected in result.output, (args, result.output)
        assert f"last good version is {good}" in result.output, (args, result.output)
        assert f"seminar restore {path} --version {good}" in result.output
    assert store.history() == before  # nothing saved over the damaged head or the good one
    assert store.at(good) == good_game
    assert not (tmp_path / "out" / "g.json").exists()
    history = run("history", str(path))
    assert history.exit_code == 0 and "[damaged" in history.output
    assert run("restore", str(path), "--version", str(good)).exit_code == 0
    assert store.head()[1] == good_game


def _first_order(game: Json, key: str, value: object) -> None:
    game["orders"][0][key] = value


def _turn(game: Json, i: int, key: str, value: object) -> None:
    game["turns"][i][key] = value


def _array(game: Json, update: Callable[[Json], None]) -> None:
    update(game["turns"][0]["state"]["arrays"])


# (id, mutation of the head game's JSON, words the refusal must contain)
NONSENSE: list[tuple[str, Callable[[Json], None], str]] = [
    ("actor Mars", lambda g: g["teams"]["red"].append("Mars"), "'Mars'"),
    ("team Mars with an unknown actor", lambda g: g["teams"].update(Mars=["Martians"]),
     "Martians"),
    ("actor on two teams", lambda g: g["teams"]["green"].append("US"), "two teams"),
    ("no team", lambda g: g.update(teams={}), "no team"),
    ("team without actors", lambda g: g["teams"].update(green=[]), "no actor"),
    ("team named facilitator", lambda g: g["teams"].update(facilitator=g["teams"].pop("green")),
     "reserved"),
    ("DPRK.invade", lambda g: _first_order(g, "decision", "DPRK.invade"), "DPRK.invade"),
    ("order by team Mars", lambda g: _first_order(g, "team", "Mars"), "'Mars'"),
    ("another team's decision", lambda g: _first_order(g, "decision", "China.stance"),
     "China.stance"),
    ("intensity 7", lambda g: _first_order(g, "value", 7), "intensity"),
    ("intensity -1", lambda g: _first_order(g, "value", -1), "intensity"),
    ("intensity as yes", lambda g: _first_order(g, "value", True), "intensity"),
    ("order from the future", lambda g: _first_order(g, "since_turn", 40), "since_turn"),
    ("order given twice", lambda g: g["orders"].append(dict(g["orders"][0])), "two orders"),
    ("bad choice", lambda g: g["orders"][-1].update(value="invade"), "DPRK.posture"),
    ("yes as text", lambda g: g["turns"][0]["orders"][1].update(value="yes"), "stored"),
    ("turn numbers skip", lambda g: _turn(g, 1, "number", 5), "turn number 5"),
    ("months not contiguous", lambda g: _turn(g, 1, "first_month", 4), "starts in month 4"),
    ("zero-month turn", lambda g: _turn(g, 0, "months", 0), "lasts 0 months"),
    ("turn past the horizon",
     lambda g: (_turn(g, 1, "first_month", 10), _turn(g, 0, "months", 10)), "months"),
    ("ruling on DPRK.invade", lambda g: g["turns"][0]["rulings"][0].update(key="DPRK.invade"),
     "DPRK.invade"),
    ("ruling on martians", lambda g: g["turns"][0]["rulings"][1].update(key="martians"),
     "martians"),
    ("ruling without a reason", lambda g: g["turns"][0]["rulings"][0].update(reason=" "),
     "without a reason"),
    ("event ruled maybe", lambda g: g["turns"][0]["rulings"][1].update(value="maybe"),
     "yes/no"),
    ("scenario swapped under its hash",
     lambda g: g["scenario"]["meta"].update(horizon_months=24), "hash"),
    ("scenario seed swapped", lambda g: g["scenario"]["experiment"].update(seed=99), "hash"),
    ("hash replaced", lambda g: g.update(scenario_hash="0" * 64), "hash"),
    ("scenario invalid", lambda g: g["scenario"]["meta"].update(horizon_months=-1),
     "horizon_months"),
    ("scenario with unknown key", lambda g: g["scenario"].update(hack=1), "hack"),
    ("state missing an array", lambda g: _array(g, lambda a: a.pop(next(iter(a)))), "missing"),
    ("state array of objects",
     lambda g: _array(g, lambda a: a[next(iter(a))].update(dtype="object")), "not stored as"),
    ("state array of text",
     lambda g: _array(g, lambda a: a["us.cohesion"].update(data=["x"])), "us.cohesion"),
    ("state array of two worlds",
     lambda g: _array(g, lambda a: a["us.cohesion"].update(data=[0.5, 0.5])), "shape"),
    ("state month wrong", lambda g: g["turns"][0]["state"].update(month=7), "month 7"),
    ("state of 5 worlds", lambda g: g["turns"][0]["state"].update(worlds=5), "one world"),
    ("random streams gone", lambda g: g["initial_state"].update(streams={}), "streams"),
    ("odds above 1", lambda g: g["turns"][0]["odds"].update(nuclear_test=1.5), "nuclear_test"),
    ("odds of an unknown event", lambda g: g["turns"][0]["odds"].update(invasion=0.5),
     "invasion"),
    ("briefing for Mars", lambda g: g["turns"][0]["briefings"].update(Mars={}), "'Mars'"),
    ("briefing section not sentences",
     lambda g: g["turns"][0]["briefings"]["red"].update(happened=[5]), "sentence"),
    ("event row nested", lambda g: g["turns"][0]["events"][0].update(value=[1, [2]]), "nested"),
    ("event row from another turn", lambda g: g["turns"][1]["events"][0].update(month=0),
     "month of the turn"),
    ("outcome infinite", lambda g: g["turns"][0]["outcomes"].update(nuclear_test=1e999),
     "nuclear_test"),
    ("negative seed", lambda g: g.update(seed=-1), "seed"),
    ("turns of 100 months", lambda g: g.update(turn_months=100), "turn_months"),
    ("ready team Mars", lambda g: g.update(ready=["Mars"]), "'Mars'"),
    ("deadline tomorrow", lambda g: g.update(deadline="tomorrow"), "deadline"),
    ("phase war", lambda g: g.update(phase="war"), "phase"),
    ("extra key", lambda g: g.update(hack=1), "hack"),
    ("another format", lambda g: g.update(format="chess"), "not an axis-sim seminar game"),
    ("newer game version", lambda g: g.update(version=3), "version 3"),
    ("lookahead of team Mars", lambda g: g["lookaheads"][0].update(team="Mars"), "'Mars'"),
    ("lookahead rows nested", lambda g: g["lookaheads"][0]["rows"].append({"a": {"b": 1}}),
     "flat"),
    ("arguments without matrix turns", lambda g: g.update(arguments=[
        {"id": 1, "team": "red", "action": "a", "arguments": ["b"]}]), "without matrix"),
    ("a rationale of a million characters", lambda g: _first_order(g, "rationale", "x" * 10**6),
     "at most"),
    ("undone turn with DPRK.invade",
     lambda g: g["undone"][0]["orders"][0].update(decision="DPRK.invade"), "DPRK.invade"),
]


@pytest.mark.parametrize(("mutate", "expected"), [(m, e) for _, m, e in NONSENSE],
                         ids=[name for name, _, _ in NONSENSE])
def test_a_game_edited_into_nonsense_is_refused(template: Path, tmp_path: Path,
                                                mutate: Callable[[Json], None],
                                                expected: str) -> None:
    path = copy_of(template, tmp_path)
    version, game = head_json(path)
    mutate(game)
    write_head(path, json.dumps(game))
    assert_refused_everywhere(path, tmp_path, version - 1, expected)


def test_every_command_refuses_a_damaged_head(template: Path, tmp_path: Path) -> None:
    path = copy_of(template, tmp_path)
    version, game = head_json(path)
    game["orders"][0]["decision"] = "DPRK.invade"
    write_head(path, json.dumps(game))
    assert_refused_everywhere(path, tmp_path, version - 1, "DPRK.invade", every=True)


@pytest.mark.parametrize(("text", "expected"), [
    ("{" * 10, "not valid JSON"),
    ("", "not valid JSON"),
    ("[]", "not an axis-sim seminar game"),
    (5, "not an axis-sim seminar game"),
    (b"\xff\xfe", "not UTF-8"),
    ('{"format": "axis-sim-seminar", "version": 2, "state": ' + "[" * 200_000 + "]" * 200_000
     + "}", "nested too deeply"),
    ('{"format": "axis-sim-seminar", "version": ' + "[" * 900 + "]" * 900 + "}",
     "game format version list"),
], ids=["truncated", "empty", "a list", "a number", "bytes", "nested 200,000 deep",
        "version nested 900 deep"])
def test_a_head_row_that_is_not_a_game_is_refused(template: Path, tmp_path: Path, text: object,
                                                  expected: str) -> None:
    path = copy_of(template, tmp_path)
    version, _ = head_json(path)
    write_head(path, text)
    assert_refused_everywhere(path, tmp_path, version - 1, expected)


def test_nesting_that_parses_is_refused_too(template: Path, tmp_path: Path) -> None:
    """Deep, but not deep enough to stop the JSON parser: the game's own limit refuses it."""
    path = copy_of(template, tmp_path)
    version, game = head_json(path)
    deep: Any = 1
    for _ in range(200):
        deep = [deep]
    game["lookaheads"][0]["rows"].append({"x": 1})
    game["turns"][0]["briefings"]["red"]["audience"] = deep
    write_head(path, json.dumps(game))
    assert_refused_everywhere(path, tmp_path, version - 1, "nested more than")


def _sql(statement: str) -> Callable[[Path], None]:
    def corrupt(path: Path) -> None:
        with sqlite3.connect(path) as db:
            db.execute(statement)
    return corrupt


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _replace(content: bytes) -> Callable[[Path], None]:
    def corrupt(path: Path) -> None:
        path.write_bytes(content)
    return corrupt


@pytest.mark.parametrize(("corrupt", "expected"), [
    (_sql("UPDATE head SET version = 999"), "no version 999"),
    (_sql("UPDATE head SET version = 'abc'"), "no head version"),
    (_sql("DELETE FROM head"), "no head version"),
    (_sql("UPDATE meta SET value = 'photos' WHERE key = 'format'"),
     "not an axis-sim seminar game"),
    (_sql("UPDATE meta SET value = '99' WHERE key = 'schema'"), "newer axis-sim"),
    (_sql("UPDATE meta SET value = 'x' WHERE key = 'schema'"), "not a number"),
    (_sql("DROP TABLE states"), "not an axis-sim seminar game database"),
    (_sql("DROP TABLE meta"), "not an axis-sim seminar game database"),
    (_truncate, "database"),
    (_replace(b"SQLite format 3\x00" + b"\x00" * 200), "database"),
    (_replace(b"\x00\x01garbage" * 100), "not a game database"),
    (_replace(b""), "empty file"),
    (_replace(b'{"format": "axis-sim-seminar", "version": 1}'), "seminar import"),
    (_sql("UPDATE seats SET role = 'god' WHERE role = 'projector'"), "the role 'god'"),
], ids=["head missing version", "head not a number", "no head", "another format",
        "newer schema", "schema not a number", "no states table", "no meta table",
        "truncated file", "header only", "not SQLite", "empty file", "old JSON game",
        "unknown seat role"])
def test_a_damaged_or_foreign_database_is_refused(template: Path, tmp_path: Path,
                                                  corrupt: Callable[[Path], None],
                                                  expected: str) -> None:
    path = copy_of(template, tmp_path)
    corrupt(path)
    # `links` too: it printed links (exit 0) for databases every other command refuses.
    for args in [*commands(path, tmp_path / "out", every=True), ["links", str(path)]]:
        result = run(*args, input="q\n")
        no_traceback(result)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") == 1 and expected in result.output, (args,
                                                                             result.output)
    for args in (["history", str(path)], ["restore", str(path), "--version", "1"]):
        no_traceback(run(*args))


def test_the_history_lists_the_versions_when_the_head_is_lost(template: Path,
                                                               tmp_path: Path) -> None:
    """Reproduced: with the head row gone, the error pointed to `history`, which failed with
    the same error; and a restore could not put a head back."""
    path = copy_of(template, tmp_path)
    good, _ = head_json(path)
    _sql("DELETE FROM head")(path)
    assert f"seminar history {path}` lists every version" in run("status", str(path)).output
    history = run("history", str(path))
    assert history.exit_code == 0, history.output
    assert "No head version" in history.output and f"{good:5d}  from" in history.output
    assert run("restore", str(path), "--version", str(good)).exit_code == 0
    assert run("status", str(path)).exit_code == 0


def test_the_head_pointer_to_a_missing_version_names_the_way_back(template: Path,
                                                                  tmp_path: Path) -> None:
    path = copy_of(template, tmp_path)
    good, _ = head_json(path)
    _sql("UPDATE head SET version = 999")(path)
    out = run("status", str(path)).output
    assert f"last good version is {good}" in out
    assert run("restore", str(path), "--version", str(good)).exit_code == 0
    assert run("status", str(path)).exit_code == 0


def test_a_missing_file_or_folder(tmp_path: Path) -> None:
    for target, expected in ((tmp_path / "none.db", "no such game database"),
                             (tmp_path, "is a directory")):
        result = run("status", str(target))
        no_traceback(result)
        assert result.exit_code == 2 and expected in result.output
    assert not (tmp_path / "none.db").exists()  # opening never creates a file


# --- random edits ------------------------------------------------------------------------------

ODD_VALUES: list[object] = ["Mars", "DPRK.invade", "", -1, 0, 1, 2.5, 1e308, -1e308, True,
                            False, None, [], {}, [1, 2], {"a": 1}, "yes", 99, "x" * 500]


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in the game's JSON, except inside the state arrays' numbers and the stored
    scenario (the named cases above edit those; here the game's own parts get the edits)."""
    found = [path] if path else []
    if path[-1:] in (("data",), ("streams",)) or path == ("scenario",):
        return found
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            found += _paths(item, (*path, i))
    return found


def _set(game: Json, path: tuple[object, ...], value: object) -> None:
    target: Any = game
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


@pytest.mark.parametrize("seed", range(40))
def test_random_edits_are_refused_or_genuinely_valid(template: Path, tmp_path: Path,
                                                     seed: int) -> None:
    """One to three random values put anywhere in the head game: either every command refuses
    it in one line and the history is untouched, or the game loads and plays on (a turn, an
    undo, a lookahead) without a traceback."""
    rng = random.Random(seed)
    path = copy_of(template, tmp_path)
    _, game = head_json(path)
    places = _paths(game)
    for _ in range(rng.randint(1, 3)):
        _set(game, rng.choice(places), rng.choice(ODD_VALUES))
        places = _paths(game)
    write_head(path, json.dumps(game))
    store = GameStore(path)
    try:
        store.head()
    except GameError:
        before = store.history()
        for args in (["status", str(path)], ["adjudicate", str(path)],
                     ["move", str(path), "--team", "red", "--decide", "DPRK.posture=restraint"]):
            result = run(*args)
            no_traceback(result)
            assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert store.history() == before
        return
    for args in (["status", str(path)], ["menu", str(path), "--team", "red"],
                 ["adjudicate", str(path)], ["undo", str(path)],
                 ["lookahead", str(path), "--team", "blue", "--worlds", "10"]):
        no_traceback(run(*args))
    store.head()  # whatever was saved on top of it is valid


def test_a_matrix_roll_edited_into_a_success_is_refused(tmp_path: Path) -> None:
    from axis_sim.seminar.matrix import argue, roll, set_odds

    game = new_game(BASELINE, teams=parse_teams(["blue=US", "red=DPRK"]), seed=1, matrix=True)
    store = GameStore.create(tmp_path / "room.db", game)
    store.update(lambda g: argue(g, "red", "a test", ["ready"]), who="red", action="argue")
    store.update(lambda g: set_odds(g, 1, 0.01), who="umpire", action="odds")
    version, played = store.update(lambda g: roll(g, 1), who="umpire", action="roll")
    assert played.arguments[0].success is False
    _, data = head_json(store.path)
    data["arguments"][0]["success"] = True
    write_head(store.path, json.dumps(data))
    assert_refused_everywhere(store.path, tmp_path, version - 1, "does not give success")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "room.db"
    os.mkfifo(fifo)
    result = run("status", str(fifo))
    no_traceback(result)
    assert result.exit_code == 2 and "not a regular file" in result.output


def test_import_refuses_a_fifo_and_a_missing_file(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "game.json")
    for source in (tmp_path / "game.json", tmp_path / "none.json"):
        result = run("import", str(source), "--game", str(tmp_path / "new.db"))
        no_traceback(result)
        assert result.exit_code == 2 and "no such file" in result.output
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize("args", [
    ["phase", "{g}", "orders", "--minutes", "nan"],
    ["phase", "{g}", "orders", "--minutes", "1e-9"],
    ["phase", "{g}", "orders", "--minutes", "1441"],
    ["move", "{g}", "--team", "red", "--decide", "DPRK.deliveries=nan"],
    ["move", "{g}", "--team", "red", "--decide", "DPRK.deliveries=1e400"],
    ["move", "{g}", "--team", "blue", "--decide", "option:warn_beijing=inf"],
    ["move", "{g}", "--team", "blue", "--decide", "US.exercise=a\x01b"],
    ["move", "{g}", "--team", "blue\x00", "--decide", "US.exercise=yes"],
    ["move", "{g}", "--team", "blue", "--decide", "=1"],
    ["set-odds", "{g}", "--id", "1", "--chance", "nan"],
    ["rule", "{g}", "--decision", "option:warn_beijing=nan", "--reason", "x"],
    ["rule", "{g}", "--event", "ceasefire=perhaps", "--reason", "x"],
    ["rule", "{g}", "--event", "ceasefire=yes", "--reason", " "],
    ["approve", "{g}", "--team", "red", "--decision", "DPRK.invade", "--reason", "x"],
    ["withdraw", "{g}", "--team", "Mars", "--decision", "DPRK.posture"],
    ["ready", "{g}", "--team", "Mars"],
    ["lookahead", "{g}", "--team", "Mars", "--worlds", "10"],
    ["status", "{g}", "--team", "Mars"],
    ["restore", "{g}", "--version", "999999999999"],
    ["export", "{g}", "--out", "/proc/x.json"],
    ["report", "{g}", "--out", "/proc/x"],
    ["fork", "{g}", "--game", "/proc/f.db"],
    ["new", "baseline", "--game", "/nonexistent/x.db"],
    ["new", "baseline", "--game", "{d}/n.db", "--teams", "blue=US", "--turn-months", "24",
     "--seed", "1"],
    ["import", "/dev/null", "--game", "{d}/i.db"],
], ids=lambda a: " ".join(a[:3]))
def test_bad_values_give_one_line_and_exit_2(template: Path, tmp_path: Path,
                                             args: list[str]) -> None:
    path = copy_of(template, tmp_path)
    before = GameStore(path).history()
    filled = [a.replace("{g}", str(path)).replace("{d}", str(tmp_path)) for a in args]
    result = run(*filled)
    no_traceback(result)
    if filled[0] == "new" and "--turn-months" in filled:  # 24-month turns on a 36-month horizon
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error") or result.output.startswith("Usage"), result.output
    assert GameStore(path).history() == before


def test_a_team_renamed_everywhere_no_longer_matches_its_seat(template: Path,
                                                              tmp_path: Path) -> None:
    """Renamed consistently in the game, the team would still be valid on its own, but its
    join link would open nothing: refused."""
    path = copy_of(template, tmp_path)
    version, game = head_json(path)
    write_head(path, json.dumps(game).replace('"red"', '"Red"'))
    assert_refused_everywhere(path, tmp_path, version - 1, "not the seats'")


def test_a_seat_edited_to_another_team_is_refused(template: Path, tmp_path: Path) -> None:
    path = copy_of(template, tmp_path)
    _sql("UPDATE seats SET team = 'Mars' WHERE team = 'red'")(path)
    result = run("status", str(path))
    no_traceback(result)
    assert result.exit_code == 2 and "not the seats'" in result.output


def test_a_writer_killed_mid_change_leaves_the_game_as_it_was(template: Path,
                                                             tmp_path: Path) -> None:
    """SIGKILL while holding the write lock: nothing half-written, the lock is released, and
    the next change is stored on the last good version."""
    import signal
    import subprocess
    import sys

    path = copy_of(template, tmp_path)
    store = GameStore(path)
    version, game = store.head()
    code = ("import sys, time\n"
            "from axis_sim.seminar.store import GameStore\n"
            "from axis_sim.seminar.engine import submit\n"
            "def change(g):\n"
            "    g = submit(g, 'red', 'DPRK.posture', 'restraint')\n"
            "    print('changing', flush=True)\n"
            "    time.sleep(120)\n"
            "    return g\n"
            "GameStore(sys.argv[1]).update(change, who='killed', action='never stored')\n")
    writer = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "changing"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
    assert store.head() == (version, game)
    new, _ = GameStore(path, timeout=5).update(
        lambda g: submit(g, "blue", "option:warn_beijing", 1), who="next", action="orders")
    assert new == version + 1 and store.history()[-1].parent == version
