"""`axis-sim seminar serve`: the seminar in the browser, one seat per join link.

A Starlette app on uvicorn over the game database (`seminar/store.py`). Each seat opens
`/join/<token>`: the facilitator's console, a team's page, or the projector. Pages are rendered
on the server from Jinja2 templates (autoescaped) out of the seat's *view* (`seminar/views.py`,
the fog of war), never out of the game itself; forms POST and redirect back (POST-redirect-GET).
A small vendored script (`axis_sim/static/seminar.js`) polls `/api/<token>` and reloads the page
when the seat's view changes, and counts down the phase's timer.

Writes: every form goes through `GameStore.update`, one transaction per change, so seats that
press at the same moment queue instead of overwriting each other. A team's orders are applied
to the latest head (teams' orders commute); the facilitator's actions carry the version the
console showed (`expected`), and a stale one is refused with "the game changed, review".
The model's work (adjudication, odds, lookahead) runs in worker threads, not on the event loop.

Security: the token in the path is the seat's only credential. Every POST must repeat it in its
body (a page on another site cannot read it, so it cannot forge a form: CSRF), no cookies are
set, pages are not cached and send no Referer, and the server binds 127.0.0.1 unless told
otherwise.
"""

from __future__ import annotations

import hmac
import json
import math
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from axis_sim.report.templates import render
from axis_sim.seminar import engine, matrix, views
from axis_sim.seminar.game import Game, GameError
from axis_sim.seminar.store import GameStore, Seat, VersionConflict
from axis_sim.seminar.store import join_links as store_join_links

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
POLL_SECONDS = 2.0
MAX_FORM_BYTES = 64_000  # a form is a few fields of text; refuse anything far bigger
ODDS_WORLDS = 500
LOOKAHEAD_WORLDS = (100, 300, 1000)  # the team page's choices: quick … careful

# Pages: no caching (a shared machine's back button must not show another seat's page), no
# Referer (the token is in the URL), no framing, and scripts only from this server.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

Change = Callable[[Game], Game]


class Refused(Exception):
    """A request the seat may not make (wrong role, bad form): answered with `status`."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Write:
    """One change a form asks for: what to do to the game, how the history names it, and the
    version the page showed (None: apply to the latest head)."""

    change: Change
    action: str
    expected: int | None = None


def _text(form: dict[str, str], name: str, *, required: bool = True) -> str:
    value = form.get(name, "").strip()
    if required and not value:
        raise Refused(f"the form is missing {name!r}")
    return value


def _number(form: dict[str, str], name: str) -> float:
    try:
        number = float(_text(form, name))
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > 1e9:
        raise Refused(f"{name} must be a number, got {form.get(name)!r}")
    return number


def _expected(form: dict[str, str]) -> int | None:
    raw = form.get("expected", "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Refused(f"expected must be a version number, got {raw!r}") from None


# --- what each form does -----------------------------------------------------------------------


def _team_write(team: str, action: str, form: dict[str, str]) -> Write:
    """A team's form: its orders, readiness and matrix arguments, on the latest head."""
    if action == "order":
        decision, value = _text(form, "decision"), _text(form, "value")
        rationale = form.get("rationale", "").strip()
        return Write(lambda g: engine.submit(g, team, decision, value, rationale),
                     f"order {decision}={value}")
    if action == "withdraw":
        decision = _text(form, "decision")
        return Write(lambda g: engine.withdraw(g, team, decision),
                     f"withdraw {decision} (back to doctrine)")
    if action == "ready":
        ready = form.get("ready", "yes") != "no"
        return Write(lambda g: engine.mark_ready(g, team, ready),
                     "orders done" if ready else "not ready")
    if action == "argue":
        what = _text(form, "action")
        reasons = [line.strip() for line in form.get("arguments", "").splitlines()
                   if line.strip()]
        event = form.get("event", "").strip() or None
        return Write(lambda g: matrix.argue(g, team, what, reasons, event=event),
                     f"argue: {what}")
    if action == "counter":
        argument, text = int(_number(form, "argument")), _text(form, "text")
        return Write(lambda g: matrix.counter(g, team, argument, text),
                     f"counter argument {argument}")
    raise Refused(f"a team cannot {action!r}", 404)


def _facilitator_write(action: str, form: dict[str, str]) -> Write:
    """The umpire's form, checked against the version the console showed."""
    expected = _expected(form)
    if action == "phase":
        phase = _text(form, "phase")
        minutes = _number(form, "minutes") if form.get("minutes", "").strip() else None
        return Write(lambda g: engine.set_phase(g, phase, minutes),  # type: ignore[arg-type]
                     f"phase {phase}" + (f" ({minutes:g} min)" if minutes else ""), expected)
    if action == "adjudicate":
        return Write(engine.adjudicate, "adjudicate", expected)
    if action == "rule":
        kind, key = _text(form, "kind"), _text(form, "key")
        value, reason = _text(form, "value"), _text(form, "reason")
        return Write(lambda g: engine.rule(g, kind, key, value, reason),  # type: ignore[arg-type]
                     f"rule {kind} {key}={value}: {reason}", expected)
    if action == "exception":
        team, decision, reason = _text(form, "team"), _text(form, "decision"), \
            _text(form, "reason")
        value = _text(form, "value", required=False) or None  # none: the standing order's
        return Write(lambda g: engine.approve_exception(g, team, decision, reason, value),
                     f"exception for {team}: {decision}" + (f"={value}" if value else "")
                     + f" ({reason})", expected)
    if action == "undo":
        return Write(engine.undo, "undo the last turn", expected)
    if action == "set_odds":
        argument = int(_number(form, "argument"))
        # The console asks in per cent; left empty, the model's odds for the linked event stand.
        odds = _number(form, "odds") / 100 if form.get("odds", "").strip() else None
        return Write(lambda g: matrix.set_odds(g, argument, odds),
                     f"odds {'the model’s' if odds is None else f'{odds:.0%}'} for argument "
                     f"{argument}", expected)
    if action == "roll":
        argument = int(_number(form, "argument"))
        return Write(lambda g: matrix.roll(g, argument), f"roll argument {argument}", expected)
    raise Refused(f"the facilitator cannot {action!r}", 404)


# --- the app -----------------------------------------------------------------------------------


class SeminarServer:
    """The app's state: the game database, and the odds already computed for a set of orders
    (the odds take seconds; the console shows them until the orders change)."""

    def __init__(self, path: Path | str) -> None:
        self.store = GameStore(path)
        self._odds: dict[str, dict[str, Any]] = {}
        # Views already built, per (version, seat): a view asks the model what is on a team's
        # menu, and every open page polls; the game only changes with the version.
        self._views: dict[tuple[int, str, str], dict[str, Any]] = {}
        self._reports: dict[tuple[int, str, str], str] = {}  # per (version, seat)
        self._lock = threading.Lock()

    # -- reading --

    def seat(self, token: str) -> Seat:
        seat = self.store.seat(token)
        if seat is None:
            raise Refused("no seat has this link; ask the facilitator for yours", 404)
        return seat

    def view(self, seat: Seat) -> tuple[int, dict[str, Any]]:
        """The head's version and the seat's view of it (the only thing a page or the JSON
        is built from)."""
        version = self.store.head_version()
        key = (version, seat.role, seat.team or "")
        view = self._views.get(key)
        if view is None:
            version, game = self.store.head()
            key = (version, seat.role, seat.team or "")
            if seat.role == "team":
                view = views.team_view(game, str(seat.team))
            elif seat.role == "facilitator":
                view = views.umpire_view(game)
                view["odds_key"] = _odds_key(game)
            else:
                view = views.public_view(game)
            with self._lock:
                if len(self._views) > 64:  # old versions are not asked for again
                    self._views.clear()
                self._views[key] = view
        if seat.role == "facilitator":  # odds computed since the view was built
            view = {**view, "coming_odds": self._odds.get(view["odds_key"])}
        return version, view

    def state(self, token: str) -> dict[str, Any]:
        """The JSON the page's script polls: the view, its stamp and the server's clock."""
        seat = self.seat(token)
        version, view = self.view(seat)
        state = {"stamp": views.stamp(view), "server_time": _now(), "view": view}
        if seat.role == "facilitator":  # only the console writes with a version check
            state["version"] = version
        return state

    def page(self, token: str, *, error: str = "", status: int = 200) -> HTMLResponse:
        seat = self.seat(token)
        version, view = self.view(seat)
        template = {"team": "seminar_team.html", "facilitator": "seminar_umpire.html",
                    "projector": "seminar_projector.html"}[seat.role]
        html = render(template, view=view, token=token, version=version, error=error,
                      stamp=views.stamp(view), server_time=_now(), poll=POLL_SECONDS,
                      lookahead_worlds=LOOKAHEAD_WORLDS)
        return _html(html, status)

    # -- writing --

    def act(self, token: str, action: str, form: dict[str, str]) -> Response:
        """Carry out one form; the page again with a clear message if it cannot be done."""
        try:
            seat = self.seat(token)
            self._act(seat, action, form)
        except VersionConflict as err:
            return self._error_page(token, (
                f"The game changed while you were looking (your page showed version "
                f"{err.expected}, it is now {err.actual}): review the console below and "
                f"repeat your action if it still stands."), 409)
        except Refused as err:
            return self._error_page(token, str(err), err.status)
        except GameError as err:
            return self._error_page(token, str(err), 400)
        return RedirectResponse(f"/join/{token}", status_code=303)

    def _error_page(self, token: str, message: str, status: int) -> Response:
        """The seat's page with `message` on it; the message alone when the page cannot be
        built (an unknown seat; a game database damaged while it is served: 409)."""
        try:
            return self.page(token, status=status, error=message)
        except Refused:
            return _html(render("seminar_error.html", message=message), status)
        except (GameError, sqlite3.Error) as err:
            unreadable = message if str(err) == message else f"{message} ({err})"
            return _html(render("seminar_error.html", message=unreadable), 409)

    def _act(self, seat: Seat, action: str, form: dict[str, str]) -> None:
        who = seat.team if seat.role == "team" else seat.role
        if seat.role == "team":
            team = str(seat.team)
            if action == "lookahead":
                self._lookahead(team, form)
                return
            write = _team_write(team, action, form)
        elif seat.role == "facilitator":
            if action == "odds":
                self._compute_odds(_expected(form))
                return
            write = _facilitator_write(action, form)
        else:
            raise Refused("the projector only shows the game", 403)
        self.store.update(write.change, who=str(who), action=write.action,
                          expected=write.expected)

    def _compute_odds(self, expected: int | None) -> None:
        """Odds before the roll for the coming turn, with the drivers and the doing-nothing
        comparison; kept for this set of orders (nothing is written to the game)."""
        version, game = self.store.head()
        if expected is not None and expected != version:
            raise VersionConflict(expected, version)
        report = odds_report(game)
        with self._lock:
            self._odds[_odds_key(game)] = report

    def _lookahead(self, team: str, form: dict[str, str]) -> None:
        """The team's own lookahead (scored by its side's aims), computed off the lock on the
        head as it is now, then saved to the game for the after-action report."""
        worlds = int(_number(form, "worlds")) if form.get("worlds") else LOOKAHEAD_WORLDS[0]
        if worlds not in LOOKAHEAD_WORLDS:
            raise Refused(f"worlds: one of {', '.join(map(str, LOOKAHEAD_WORLDS))}")
        _, game = self.store.head()
        table = engine.lookahead(game, team, worlds=worlds)
        self.store.update(lambda g: engine.save_lookahead(g, team, table), who=team,
                          action=f"lookahead ({worlds} worlds)")

    def report(self, token: str) -> Response:
        """The after-action report for the facilitator; for a team, its own handout only (the
        report holds every team's orders, briefings and the ground truth)."""
        from axis_sim.seminar.report import render_handout_html, render_html

        seat = self.seat(token)
        if seat.role == "projector":
            raise Refused("the after-action report is the facilitator's", 403)
        version, game = self.store.head()
        key = (version, seat.role, seat.team or "")
        html = self._reports.get(key)
        if html is None:  # the report runs the model's envelope: seconds, once per version
            html = render_html(game) if seat.role == "facilitator" else \
                render_handout_html(game, str(seat.team))
            with self._lock:
                self._reports = {k: v for k, v in self._reports.items() if k[0] == version}
                self._reports[key] = html
        # The report embeds its own scripts (plotly), so it gets no script policy of ours.
        return HTMLResponse(html, headers=HEADERS)


def odds_report(game: Game) -> dict[str, Any]:
    """The engine's odds before the roll, with drivers and the doing-nothing comparison."""
    return dict(engine.odds_report(game, worlds=ODDS_WORLDS))


def _odds_key(game: Game) -> str:
    """What the coming turn's odds depend on: the turn, its state and the orders in force."""
    orders = [o.model_dump() for o in game.orders]
    return views.stamp({"turn": game.next_turn, "orders": orders, "seed": game.seed,
                        "exceptions": [o.exception for o in game.orders]})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _html(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status,
                        headers={**HEADERS, "Content-Security-Policy": PAGE_POLICY})


async def _form(request: Request) -> dict[str, str]:
    """An url-encoded form's fields (the first value of each); bounded in size."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Refused("the form is too large", 413)
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        raise Refused("the form could not be read") from None
    return {name: values[0] for name, values in fields.items()}


def _failure(err: Exception) -> tuple[str, int]:
    """The one-line message and status for a request that failed: a refused one its own; a
    game the store cannot read (damaged while served) 409; SQLite failing under us 503."""
    if isinstance(err, Refused):
        return str(err), err.status
    if isinstance(err, GameError):
        return str(err), 409
    return f"the game database cannot be used now ({err}); try again", 503


async def _answered(call: Callable[..., Response], *args: object) -> Response:
    """`call(*args)` off the event loop; a failure is the error page with its one line, never
    an unhandled exception (a bare 500 and a traceback in the log)."""
    try:
        return await run_in_threadpool(call, *args)
    except (Refused, GameError, sqlite3.Error) as err:
        message, status = _failure(err)
        return _html(render("seminar_error.html", message=message), status)


def create_app(path: Path | str) -> Starlette:
    """The web app for the game database at `path` (GameError if it is not one)."""
    server = SeminarServer(path)

    async def index(request: Request) -> Response:
        return _html(render("seminar_error.html", message=(
            "This is a seminar server. Open the join link the facilitator gave you.")))

    async def join(request: Request) -> Response:
        return await _answered(server.page, request.path_params["token"])

    async def api(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            state = await run_in_threadpool(server.state, token)
        except (Refused, GameError, sqlite3.Error) as err:
            message, status = _failure(err)
            return JSONResponse({"error": message}, status, headers=HEADERS)
        return Response(json.dumps(state, default=str), media_type="application/json",
                        headers=HEADERS)

    async def post(request: Request) -> Response:
        token, action = request.path_params["token"], request.path_params["action"]
        try:
            form = await _form(request)
        except Refused as err:
            return _html(render("seminar_error.html", message=str(err)), err.status)
        # CSRF: the token must come in the body too; another site cannot read it to forge one.
        if not hmac.compare_digest(form.get("token", "").encode(), token.encode()):
            return _html(render("seminar_error.html", message=(
                "This form did not come from your seat's page; open your join link again.")),
                403)
        return await _answered(server.act, token, action, form)

    async def report(request: Request) -> Response:
        return await _answered(server.report, request.path_params["token"])

    routes = [
        Route("/", index),
        # Browsers ask for an icon even on the JSON; answer "none" rather than an error.
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/join/{token}", join),
        Route("/join/{token}/report", report),
        Route("/join/{token}/{action}", post, methods=["POST"]),
        Route("/api/{token}", api),
        Mount("/static", StaticFiles(packages=[("axis_sim", "static")]), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.seminar = server
    return app


def join_links(path: Path | str, host: str, port: int) -> list[tuple[str, str]]:
    """(who, URL) for every seat: what the facilitator hands out. Listening on every address,
    the links name this machine."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    return [(f"team {seat.team}" if seat.role == "team" else seat.role, url)
            for seat, url in store_join_links(GameStore(path), shown, port)]


def serve(path: Path | str, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          echo: Callable[[str], None] = print) -> None:
    """Serve the game until interrupted, after printing the join links."""
    import uvicorn

    app = create_app(path)
    echo(f"Seminar {Path(path).name} on http://{host}:{port} — hand each seat its link:")
    for who, url in join_links(path, host, port):
        echo(f"  {who:14s} {url}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo("Anyone on the network who has a link can use that seat; links are the only "
             "key. Stop with Ctrl+C.")
    else:
        echo("Only this machine can connect (use --host 0.0.0.0 for a room). Stop with Ctrl+C.")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@contextmanager
def running(path: Path | str, *, host: str = DEFAULT_HOST, port: int = 0) -> Iterator[str]:
    """Serve the game in a background thread while the block runs; yields the base URL.

    Port 0 takes a free one (the socket is bound here, so the URL is known before the server
    starts). For tests and the README's screenshots; `serve` is the command's way.
    """
    import uvicorn

    app = create_app(path)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the seminar server did not start")
            time.sleep(0.02)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
