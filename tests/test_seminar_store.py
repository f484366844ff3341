"""The seminar's game database: versions, conflicts, history, restore, forks, seats, and many
writers at once (threads and processes) losing nothing."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from axis_sim.seminar.engine import adjudicate, new_game, submit
from axis_sim.seminar.game import Game, GameError, parse_teams
from axis_sim.seminar.store import GameStore, VersionConflict, join_links
from tests.conftest import BASELINE

TEAMS = ("blue=US,ROK,Japan", "red=Russia,DPRK", "green=China")
# (team, decision, value): decisions open at the start and never spent by a roll.
MOVES: list[tuple[str, str, object]] = [
    ("blue", "option:trilateral_integration", 1), ("blue", "option:intercept_declaration", 1),
    ("blue", "option:sanctions_listing", 1), ("blue", "option:warn_beijing", 1),
    ("blue", "option:public_disclosure", 1), ("blue", "US.exercise", "yes"),
    ("blue", "ROK.backing", "yes"), ("blue", "Japan.backing", "no"),
    ("red", "Russia.un_shield", "yes"), ("red", "DPRK.posture", "signalling"),
    ("red", "DPRK.accept_ties", "yes"), ("red", "DPRK.deliveries", "0.5"),
    ("green", "China.stance", "condone"), ("green", "China.join_exercise", "no"),
]


def make_game(tmp_path: Path, teams: tuple[str, ...] = TEAMS) -> Game:
    return new_game(BASELINE, teams=parse_teams(teams), seed=11)


@pytest.fixture
def store(tmp_path: Path) -> GameStore:
    return GameStore.create(tmp_path / "room.db", make_game(tmp_path))


def move(game: Game, i: int) -> Game:
    team, decision, value = MOVES[i % len(MOVES)]
    return submit(game, team, decision, value, rationale=f"move {i}")


def test_every_change_is_a_new_version(store: GameStore) -> None:
    version, game = store.head()
    assert version == 1 and game.turns == []
    v2, game2 = store.update(lambda g: move(g, 0), who="team blue", action="orders")
    v3, game3 = store.update(lambda g: adjudicate(g, worlds=50), who="facilitator",
                             action="adjudicate")
    assert (v2, v3) == (2, 3) and store.head() == (3, game3)
    assert store.at(2) == game2 and store.at(1) == game  # every past state kept
    assert [(e.version, e.parent, e.who, e.action) for e in store.history()] == [
        (1, None, "facilitator", "new game"), (2, 1, "team blue", "orders"),
        (3, 2, "facilitator", "adjudicate")]
    # A change that changes nothing stores nothing.
    assert store.update(lambda g: g, who="x", action="nothing") == (3, game3)
    assert len(store.history()) == 3


def test_a_failed_change_stores_nothing(store: GameStore) -> None:
    with pytest.raises(GameError, match="cannot decide"):
        store.update(lambda g: submit(g, "blue", "DPRK.nuclear_test", "yes"), who="team blue",
                     action="orders")

    def nonsense(game: Game) -> Game:  # a bug in a change: a team playing an unknown actor
        return game.model_copy(update={"teams": {**game.teams, "blue": ["US", "Mars"]}})

    with pytest.raises(GameError, match=r"not saved.*'Mars'"):
        store.update(nonsense, who="bug", action="nonsense")
    assert store.head_version() == 1 and len(store.history()) == 1


def test_version_conflict(store: GameStore) -> None:
    seen, _ = store.head()
    store.update(lambda g: move(g, 0), who="team blue", action="orders")
    with pytest.raises(VersionConflict, match="changed since you read it") as err:
        store.update(lambda g: adjudicate(g, worlds=50), who="facilitator",
                     action="adjudicate", expected=seen)
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert store.head_version() == 2 and store.head()[1].turns == []
    assert store.update(lambda g: move(g, 1), who="team blue", action="orders",
                        expected=2)[0] == 3


def test_restore_and_fork_are_rows(store: GameStore, tmp_path: Path) -> None:
    store.update(lambda g: move(g, 0), who="team blue", action="orders")
    store.update(lambda g: adjudicate(g, worlds=50), who="facilitator", action="adjudicate")
    played = store.head()[1]
    version, game = store.restore(2, who="facilitator", reason="roll again")
    assert version == 4 and game == store.at(2) and game.turns == []
    last = store.history()[-1]
    assert (last.parent, last.action) == (2, "restore version 2: roll again")
    assert store.at(3) == played  # the turn taken back is still there
    with pytest.raises(GameError, match="no version 99"):
        store.restore(99, who="facilitator", reason="x")
    with pytest.raises(GameError, match="needs a reason"):
        store.restore(1, who="facilitator", reason=" ")

    forked = store.fork(3, tmp_path / "branch.db")
    assert forked.head()[1] == played
    assert [(e.version, e.parent) for e in forked.history()] == [(1, None), (2, 1), (3, 2),
                                                                  (4, 3)]
    assert forked.at(2) == store.at(2)
    assert {s.token for s in forked.seats()}.isdisjoint(s.token for s in store.seats())
    # The fork goes its own way; the original is untouched.
    forked.update(lambda g: move(g, 5), who="team blue", action="orders")
    assert store.head_version() == 4 and forked.head_version() == 5
    with pytest.raises(GameError, match="already exists"):
        store.fork(3, tmp_path / "branch.db")


def test_seats_are_random_and_only_in_the_database(store: GameStore) -> None:
    seats = store.seats()
    assert [(s.role, s.team) for s in seats] == [
        ("facilitator", None), ("team", "blue"), ("team", "green"), ("team", "red"),
        ("projector", None)]
    tokens = [s.token for s in seats]
    assert len(set(tokens)) == len(tokens) and all(len(t) >= 20 for t in tokens)
    for seat in seats:
        assert store.seat(seat.token) == seat
    assert store.seat("guess") is None and store.seat("") is None
    with sqlite3.connect(store.path) as db:
        games = "".join(row[0] for row in db.execute("SELECT game FROM states"))
    assert not any(t in games for t in tokens)
    links = dict((s.role + (s.team or ""), url) for s, url in join_links(store, "127.0.0.1",
                                                                           8765))
    assert links["teamred"] == f"http://127.0.0.1:8765/join/{store.seats()[3].token}"
    other = GameStore.create(store.path.with_name("other.db"), store.head()[1])
    assert {s.token for s in other.seats()}.isdisjoint(tokens)


def test_create_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "room.db"
    path.write_text("my notes")
    with pytest.raises(GameError, match="already exists"):
        GameStore.create(path, make_game(tmp_path))
    assert path.read_text() == "my notes"


def test_the_database_is_wal(store: GameStore) -> None:
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- many writers at once ----------------------------------------------------------------------

WRITERS = 50
ADJUDICATIONS = (7, 19, 31, 43)  # which writers roll a turn instead of giving an order


def _write(path: Path, i: int) -> tuple[int, int, str] | tuple[int, None, str]:
    """Writer `i`: an order or an adjudication; (i, version or None, outcome)."""
    store = GameStore(path)
    try:
        if i in ADJUDICATIONS:
            version, _ = store.update(lambda g: adjudicate(g, worlds=20), who="facilitator",
                                      action=f"adjudicate {i}")
        else:
            version, _ = store.update(lambda g: move(g, i), who=f"writer {i}",
                                      action=f"move {i}")
    except GameError as err:
        return i, None, str(err)
    return i, version, "ok"


def _check_nothing_lost(store: GameStore, results: list[tuple[int, int | None, str]]) -> None:
    """Every accepted write has its own version on one unbroken chain, and every accepted
    order is in the head, in an adjudicated turn, or replaced by a later accepted order."""
    accepted = {i: v for i, v, _ in results if v is not None}
    assert len(accepted) == WRITERS, [r for r in results if r[1] is None]
    history = store.history()
    assert len(history) == 1 + WRITERS
    assert [e.parent for e in history] == [None, *range(1, WRITERS + 1)]  # no stale read
    assert sorted(accepted.values()) == list(range(2, WRITERS + 2))
    game = store.head()[1]
    assert len(game.turns) == len(ADJUDICATIONS)
    kept = {(o.team, o.decision, o.rationale) for o in game.orders}
    kept |= {(o.team, o.decision, o.rationale) for t in game.turns for o in t.orders}
    for i, version in accepted.items():
        if i in ADJUDICATIONS:
            continue
        team, decision, _ = MOVES[i % len(MOVES)]
        replaced = any(j not in ADJUDICATIONS and MOVES[j % len(MOVES)][:2] == (team, decision)
                       and v > version for j, v in accepted.items())
        assert (team, decision, f"move {i}") in kept or replaced, f"move {i} lost"


def test_fifty_threads_at_once_lose_nothing(store: GameStore) -> None:
    barrier = threading.Barrier(WRITERS)
    results: list[tuple[int, int | None, str]] = []

    def run(i: int) -> None:
        barrier.wait()
        results.append(_write(store.path, i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check_nothing_lost(store, results)


def _process_writer(path: str, i: int, barrier: object, out: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    out.put(_write(Path(path), i))  # type: ignore[attr-defined]


def test_fifty_processes_at_once_lose_nothing(store: GameStore) -> None:
    # A fork server that has imported this module: children start from it without re-importing
    # (forking pytest itself, which runs threads, could deadlock a child).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    barrier = context.Barrier(WRITERS)
    out = context.Queue()
    processes = [context.Process(target=_process_writer, args=(str(store.path), i, barrier, out))
                 for i in range(WRITERS)]
    for p in processes:
        p.start()
    results = [out.get(timeout=600) for _ in processes]
    for p in processes:
        p.join(timeout=60)
    assert all(p.exitcode == 0 for p in processes)
    _check_nothing_lost(store, results)
