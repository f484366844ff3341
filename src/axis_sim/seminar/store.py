"""The game database: one SQLite file holding every state a seminar has been in.

Why a database and not a JSON file: seats in a room change the game at the same time (a team's
move while the umpire adjudicates), and a read-change-write of a file loses one of them. Here
every change is one `BEGIN IMMEDIATE` transaction that reads the head, applies the change,
checks the result for meaning (`validity.check`) and inserts it as a new row: writers queue on
SQLite's lock instead of overwriting each other, and nothing is ever updated in place, so undo,
restore and forks are rows and every past state stays readable.

Tables (schema `SCHEMA`):
- `meta(key, value)`: `format` = `FORMAT`, `schema` = the schema number, so another SQLite
  file, or one written by a newer axis-sim, is refused with a plain message;
- `states(version, parent, created, who, action, game)`: one row per state, the game as JSON
  text (readable with the `sqlite3` shell); `parent` is the state it was derived from (a
  restore's parent is the version it brings back, so history is a tree);
- `head(id = 1, version)`: the current state;
- `seats(token, role, team)`: the join tokens (facilitator, one per team, projector). They live
  only here, never in the game's JSON, so a report or an exported game gives no seat away.

A head that fails validation (a hand edit, a bug) is refused with the last good version named
and the command that goes back to it; nothing is saved over it until the facilitator restores.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from axis_sim.seminar.game import FORMAT as GAME_FORMAT
from axis_sim.seminar.game import VERSION as GAME_VERSION
from axis_sim.seminar.game import Game, GameError
from axis_sim.seminar.validity import check

FORMAT = "axis-sim-seminar-db"
SCHEMA = 1
# Long enough for 50 seats writing at once, each holding the lock for one adjudication.
BUSY_TIMEOUT_S = 600.0
SQLITE_MAGIC = b"SQLite format 3\x00"

Role = Literal["facilitator", "team", "projector"]
ROLES: tuple[str, ...] = ("facilitator", "team", "projector")  # the seats' order in a listing

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE states (
    version INTEGER PRIMARY KEY,
    parent INTEGER,
    created TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    game TEXT NOT NULL
);
CREATE TABLE head (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
CREATE TABLE seats (token TEXT PRIMARY KEY, role TEXT NOT NULL, team TEXT);
"""


class VersionConflict(GameError):
    """The game changed since the caller read it (another seat moved first)."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"the game changed since you read it (version {expected}, now "
                         f"{actual}); look again and repeat your change")
        self.expected, self.actual = expected, actual


@dataclass(frozen=True)
class Entry:
    """One row of the history: which state, derived from which, when, by whom, and why."""

    version: int
    parent: int | None
    when: str
    who: str
    action: str


@dataclass(frozen=True)
class Seat:
    """A join token and what it opens: the facilitator's console, a team's page, the projector."""

    token: str
    role: Role
    team: str | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_game(text: object, where: str) -> Game:
    """A game from its stored JSON text, checked for meaning; GameError saying what is wrong.

    `where` names the state in messages ("room.db version 7"). Nesting too deep for a parser
    (a hand-made 200,000-deep list) is a plain error, not a RecursionError.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise GameError(f"{where}: the stored game is not UTF-8 text") from None
    if not isinstance(text, str):
        raise GameError(f"{where}: the stored game is not JSON text "
                        f"(found {type(text).__name__})")
    try:
        data = json.loads(text)
    except RecursionError:
        raise GameError(f"{where}: the stored game is nested too deeply to be a game") from None
    except ValueError as err:
        raise GameError(f"{where}: the stored game is not valid JSON ({err})") from None
    if not isinstance(data, dict) or data.get("format") != GAME_FORMAT:
        raise GameError(f"{where}: the stored data is not an axis-sim seminar game")
    version = data.get("version")
    if version != GAME_VERSION:
        shown = repr(version)[:20] if isinstance(version, int | str) else type(version).__name__
        raise GameError(f"{where}: game format version {shown}; this axis-sim reads version "
                        f"{GAME_VERSION}")
    try:
        game = Game.model_validate(data)
    except RecursionError:
        raise GameError(f"{where}: the stored game is nested too deeply to be a game") from None
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in first["loc"]) or "game"
        raise GameError(f"{where}: {loc}: {first['msg']}") from None
    try:
        check(game)
    except GameError as err:
        raise GameError(f"{where}: {err}") from None
    return game


def dump_game(game: Game) -> str:
    """The game's stored form: compact JSON (one row per state, so size matters)."""
    return game.model_dump_json()


class GameStore:
    """A seminar's database: the head, its history, and the seats. Safe to use from many
    threads and processes at once (each call opens its own connection)."""

    def __init__(self, path: Path | str, *, timeout: float = BUSY_TIMEOUT_S) -> None:
        """Open an existing game database; GameError if it is missing or not one."""
        self.path = Path(path)
        self.timeout = timeout
        self._cache: tuple[int, str, Game] | None = None  # (version, text digest, game)
        if not self.path.exists():
            raise GameError(f"{self.path}: no such game database (start one with "
                            f"`axis-sim seminar new SCENARIO --game {self.path}`)")
        if self.path.is_dir():
            raise GameError(f"{self.path} is a folder, not a game database")
        if not self.path.is_file():  # a FIFO or a device would block the first read forever
            raise GameError(f"{self.path} is not a regular file, so not a game database")
        self._check_kind()
        with self._connect() as db:
            rows = dict(self._query(db, "SELECT key, value FROM meta", what="meta"))
        if rows.get("format") != FORMAT:
            raise GameError(f"{self.path}: an SQLite database, but not an axis-sim seminar game")
        try:
            schema = int(rows.get("schema", ""))
        except ValueError:
            raise GameError(f"{self.path}: the database's schema number "
                            f"{rows.get('schema')!r} is not a number") from None
        if schema > SCHEMA:
            raise GameError(f"{self.path}: written by a newer axis-sim (database schema "
                            f"{schema}; this one reads {SCHEMA}); upgrade axis-sim to open it")
        if schema < 1:
            raise GameError(f"{self.path}: unknown database schema {schema}")

    # --- creating ------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str, game: Game, *, who: str = "facilitator",
               action: str = "new game", timeout: float = BUSY_TIMEOUT_S) -> GameStore:
        """A new database at `path` holding `game` as version 1, with fresh seats (one token
        for the facilitator, one per team, one for the projector). Refuses an existing file."""
        check(game)
        row = (1, None, _now(), who, action, dump_game(game))
        return cls._create(Path(path), [row], list(game.teams), timeout)

    @classmethod
    def _create(cls, path: Path, rows: list[tuple[object, ...]], teams: list[str],
                timeout: float) -> GameStore:
        """A new database holding `rows` (states), the last of them the head, and new seats."""
        try:
            with open(path, "xb"):  # exclusive: two `new` commands cannot both create it
                pass
        except FileExistsError:
            raise GameError(f"{path} already exists; choose another name, or continue that "
                            f"game") from None
        except OSError as err:
            raise GameError(f"{path}: cannot create the game database ({err.strerror})"
                            ) from None
        seats = [("facilitator", None), *(("team", t) for t in teams), ("projector", None)]
        try:
            db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("BEGIN IMMEDIATE")
                for statement in _TABLES.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [("format", FORMAT), ("schema", str(SCHEMA))])
                db.executemany("INSERT INTO states VALUES (?, ?, ?, ?, ?, ?)", rows)
                db.execute("INSERT INTO head VALUES (1, ?)", (rows[-1][0],))
                db.executemany("INSERT INTO seats VALUES (?, ?, ?)",
                               [(secrets.token_urlsafe(16), role, team) for role, team in seats])
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error as err:
            path.unlink(missing_ok=True)
            raise GameError(f"{path}: cannot create the game database ({err})") from None
        return cls(path, timeout=timeout)

    # --- reading -------------------------------------------------------------------------------

    def head_version(self) -> int:
        """The head's version number (no validation: cheap, for polling)."""
        with self._connect() as db:
            return self._head(db)

    def head(self) -> tuple[int, Game]:
        """The current version and game, checked for meaning. A head that fails is refused
        with the last good version named and how to go back to it."""
        with self._connect() as db:
            db.execute("BEGIN")
            version = self._head(db)
            return version, self._valid_head(db, version)

    def at(self, version: int) -> Game:
        """The game as it was at `version`, checked for meaning."""
        with self._connect() as db:
            return self._game(db, version)

    def head_if_any(self) -> int | None:
        """The head's version, or None when the head row is missing or damaged (for the
        history, which must list the versions to go back to even then)."""
        with self._connect() as db:
            rows = self._query(db, "SELECT version FROM head WHERE id = 1", what="head")
        return rows[0][0] if rows and isinstance(rows[0][0], int) else None

    def history(self) -> list[Entry]:
        """Every stored state, oldest first (readable even when the head is damaged)."""
        with self._connect() as db:
            rows = self._query(db, "SELECT version, parent, created, who, action FROM states "
                                   "ORDER BY version", what="history")
        return [Entry(int(v), None if p is None else int(p), str(c), str(w), str(a))
                for v, p, c, w, a in rows]

    def last_good(self, before: int | None = None) -> int | None:
        """The newest version (below `before`, if given) that passes validation, or None."""
        with self._connect() as db:
            return self._last_good(db, before)

    def seats(self) -> list[Seat]:
        """The join tokens: facilitator first, then each team, then the projector."""
        with self._connect() as db:
            rows = self._query(db, "SELECT token, role, team FROM seats", what="seats")
        order = {role: i for i, role in enumerate(ROLES)}
        seats = [Seat(str(t), r, None if team is None else str(team))  # type: ignore[arg-type]
                 for t, r, team in rows if r in order]
        return sorted(seats, key=lambda s: (order[s.role], s.team or ""))

    def seat(self, token: str) -> Seat | None:
        """The seat a token opens, or None for an unknown token."""
        with self._connect() as db:
            rows = self._query(db, "SELECT token, role, team FROM seats WHERE token = ?",
                               (token,), what="seats")
        if not rows or rows[0][1] not in ROLES:
            return None
        token, role, team = rows[0]
        return Seat(str(token), role, None if team is None else str(team))

    # --- changing ------------------------------------------------------------------------------

    def update(self, change: Callable[[Game], Game], *, who: str, action: str,
               expected: int | None = None) -> tuple[int, Game]:
        """Apply `change` to the head in one transaction and store the result as a new version.

        The write lock is taken before the head is read, so concurrent changes queue and each
        sees the one before it (none is lost). `expected`: the version the caller's change was
        decided on; VersionConflict if the head has moved since. A change that leaves the game
        as it was stores nothing and returns the head. Errors from `change` (GameError) and
        from validation leave the database untouched.
        """
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                version = self._head(db)
                if expected is not None and expected != version:
                    raise VersionConflict(expected, version)
                game = self._valid_head(db, version)
                new = change(game)
                try:
                    check(new)
                    self._seated(db, new)
                except GameError as err:
                    raise GameError(f"the change was not saved: {err}") from None
                text = dump_game(new)
                if new == game:
                    db.execute("ROLLBACK")
                    return version, game
                new_version = self._insert(db, version, who, action, text)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        self._cache = (new_version, _digest(text), new)
        return new_version, new

    def restore(self, version: int, *, who: str, reason: str) -> tuple[int, Game]:
        """Make the game at `version` the head again, as a new version whose parent is
        `version` (nothing is deleted; the states after it stay in the history). Works when
        the head itself is damaged: that is what it is for."""
        if not reason.strip():
            raise GameError("a restore needs a reason (it goes into the history)")
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                game = self._game(db, version)
                text = dump_game(game)
                new_version = self._insert(db, version, who,
                                           f"restore version {version}: {reason}", text)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        self._cache = (new_version, _digest(text), game)
        return new_version, game

    def fork(self, version: int, path: Path | str, *, who: str = "facilitator") -> GameStore:
        """A new game database at `path` continuing from `version` of this one: the states
        that led to it are copied as rows (history kept, same version numbers), the new head
        is the fork itself, and the seats are new (another room, other tokens)."""
        with self._connect() as db:
            game = self._game(db, version)
            chain = self._ancestry(db, version)
        action = f"fork of {self.path.name} version {version}"
        top = max(int(row[0]) for row in chain)  # type: ignore[call-overload]
        chain.append((top + 1, version, _now(), who, action, dump_game(game)))
        return GameStore._create(Path(path), chain, list(game.teams), self.timeout)

    # --- internals -----------------------------------------------------------------------------

    def _check_kind(self) -> None:
        """Refuse a file that is not SQLite before SQLite sees it, naming what it seems to be
        (an old JSON game file gets the command that imports it)."""
        try:
            with open(self.path, "rb") as f:
                start = f.read(16)
        except OSError as err:
            raise GameError(f"{self.path}: cannot be read ({err.strerror})") from None
        if start == SQLITE_MAGIC:
            return
        if start.lstrip()[:1] == b"{":
            raise GameError(f"{self.path}: a JSON game file, not a game database; seminar "
                            f"games now live in SQLite: `axis-sim seminar import {self.path} "
                            f"--game NEW.db` brings it in")
        if not start:
            raise GameError(f"{self.path}: an empty file, not a game database")
        raise GameError(f"{self.path}: not a game database (not an SQLite file)")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation; SQLite errors become one-line GameErrors."""
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=self.timeout,
                                 isolation_level=None)
        except sqlite3.Error as err:
            raise GameError(f"{self.path}: cannot open the game database ({err})") from None
        try:
            yield db
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise GameError(f"{self.path}: the game is busy (another command held it for "
                                f"more than {self.timeout:g} s); try again") from None
            raise GameError(f"{self.path}: the database cannot be used ({err}); it may be "
                            f"damaged") from None
        except sqlite3.DatabaseError as err:
            raise GameError(f"{self.path}: the database is damaged ({err}); restore the file "
                            f"from a copy") from None
        finally:
            db.close()

    def _query(self, db: sqlite3.Connection, sql: str, args: tuple[object, ...] = (), *,
               what: str) -> list[tuple[object, ...]]:
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.OperationalError as err:
            if "no such table" in str(err) or "no such column" in str(err):
                raise GameError(f"{self.path}: not an axis-sim seminar game database "
                                f"({what}: {err})") from None
            raise

    def _head(self, db: sqlite3.Connection) -> int:
        rows = self._query(db, "SELECT version FROM head WHERE id = 1", what="head")
        if not rows or not isinstance(rows[0][0], int):
            raise GameError(f"{self.path}: the database has no head version (damaged)"
                            + self._way_back(db, None))
        return rows[0][0]

    def _row(self, db: sqlite3.Connection, version: int) -> object:
        rows = self._query(db, "SELECT game FROM states WHERE version = ?", (version,),
                           what="states")
        if not rows:
            raise GameError(f"{self.path}: no version {version} (`axis-sim seminar history "
                            f"{self.path}` lists them)")
        return rows[0][0]

    def _game(self, db: sqlite3.Connection, version: int) -> Game:
        text = self._row(db, version)
        digest = _digest(text)
        if self._cache and self._cache[:2] == (version, digest):
            return self._cache[2]
        where = f"{self.path} version {version}"
        game = parse_game(text, where)
        try:
            self._seated(db, game)
        except GameError as err:
            raise GameError(f"{where}: {err}") from None
        self._cache = (version, digest, game)
        return game

    def _seated(self, db: sqlite3.Connection, game: Game) -> None:
        """The game's teams are the teams that have seats (a team renamed by a hand edit
        would leave a seat opening nothing, and a team nobody can join)."""
        roles = {str(r) for (r,) in self._query(db, "SELECT DISTINCT role FROM seats",
                                                 what="seats")}
        if roles - set(ROLES):  # a seat that opens no page: not a seat this game hands out
            raise GameError(f"a seat has the role {sorted(roles - set(ROLES))[0]!r}; seats are "
                            f"{', '.join(ROLES)}")
        rows = self._query(db, "SELECT team FROM seats WHERE role = 'team'", what="seats")
        seated = {str(team) for (team,) in rows}
        if seated != set(game.teams):
            raise GameError(f"the game's teams ({', '.join(sorted(game.teams)) or 'none'}) are "
                            f"not the seats' ({', '.join(sorted(seated)) or 'none'})")

    def _valid_head(self, db: sqlite3.Connection, version: int) -> Game:
        try:
            return self._game(db, version)
        except GameError as err:
            raise GameError(f"{err}; it is the head, so nothing more can be saved over it."
                            + self._way_back(db, version)) from None

    def _last_good(self, db: sqlite3.Connection, before: int | None) -> int | None:
        sql = "SELECT version FROM states" + (" WHERE version < ?" if before else "") + \
              " ORDER BY version DESC"
        for (version,) in self._query(db, sql, (before,) if before else (), what="states"):
            try:
                self._game(db, int(version))  # type: ignore[call-overload]
            except (GameError, TypeError, ValueError):
                continue
            return int(version)  # type: ignore[call-overload]
        return None

    def _way_back(self, db: sqlite3.Connection, head: int | None) -> str:
        """The sentence naming the last good version and the command that restores it."""
        try:
            good = self._last_good(db, head)
        except (GameError, sqlite3.Error):
            good = None
        if good is None:
            return " No earlier version is valid either."
        return (f" The last good version is {good}: `axis-sim seminar restore {self.path} "
                f"--version {good}` goes back to it (`axis-sim seminar history {self.path}` "
                f"lists every version).")

    def _insert(self, db: sqlite3.Connection, parent: int, who: str, action: str,
                text: str) -> int:
        cursor = db.execute("INSERT INTO states (parent, created, who, action, game) "
                            "VALUES (?, ?, ?, ?, ?)", (parent, _now(), who, action, text))
        version = int(cursor.lastrowid)  # type: ignore[arg-type]
        # INSERT OR REPLACE, not UPDATE: a restore must also mend a head row that was lost.
        db.execute("INSERT OR REPLACE INTO head (id, version) VALUES (1, ?)", (version,))
        return version

    def _ancestry(self, db: sqlite3.Connection, version: int) -> list[tuple[object, ...]]:
        """The rows from the first state to `version` along parents, oldest first."""
        chain: list[tuple[object, ...]] = []
        seen: set[int] = set()
        current: int | None = version
        while current is not None and current not in seen:
            seen.add(current)
            rows = self._query(db, "SELECT version, parent, created, who, action, game FROM "
                                   "states WHERE version = ?", (current,), what="states")
            if not rows:
                break
            chain.append(rows[0])
            parent = rows[0][1]
            current = parent if isinstance(parent, int) else None
        return chain[::-1]


def _digest(text: object) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else repr(text).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def join_links(store: GameStore, host: str, port: int) -> list[tuple[Seat, str]]:
    """Every seat with the link that opens it on `axis-sim seminar serve` at host:port."""
    base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    return [(seat, f"{base}/join/{seat.token}") for seat in store.seats()]
