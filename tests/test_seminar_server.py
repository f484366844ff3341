"""The seminar's web server (`axis-sim seminar serve`): fog of war on the pages and their JSON,
the forms' guards (token in the body, the umpire's version check), and 50 seats writing at once
without a write lost.

Every test runs the real app on uvicorn, bound to a free port of 127.0.0.1 and stopped by the
test (`server.running`); requests go through `http.client`, as a browser's would.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from axis_sim.seminar import engine, views
from axis_sim.seminar.game import Game
from axis_sim.seminar.server import running
from axis_sim.seminar.store import GameStore
from tests.conftest import BASELINE

TEAMS = {"blue": ["US", "ROK", "Japan"], "red": ["Russia", "DPRK"]}
RED_SECRET = "red-secret-rationale-7f3a"
BLUE_SECRET = "blue-secret-rationale-91c2"


def fetch(url: str, method: str = "GET", form: dict[str, object] | None = None
          ) -> tuple[int, dict[str, str], str]:
    """(status, headers, body) of one request; redirects are not followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        body = urlencode(form or {}) if method == "POST" else None
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        conn.request(method, parts.path, body=body, headers=headers)
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8"))
    finally:
        conn.close()


def new_game() -> Game:
    return engine.new_game(BASELINE, teams=TEAMS)


@pytest.fixture()
def room(tmp_path: Path) -> Iterator[tuple[str, GameStore, dict[str, str]]]:
    """A served game: (base URL, its store, seat name → token)."""
    store = GameStore.create(tmp_path / "room.db", new_game())
    seats = {seat.team or seat.role: seat.token for seat in store.seats()}
    with running(store.path) as url:
        yield url, store, seats


def post(url: str, token: str, form: str, /, **fields: object) -> tuple[int, str]:
    """POST one of a seat's forms (`form`: its action) with the seat's token in the body."""
    status, _, body = fetch(f"{url}/join/{token}/{form}", "POST", {"token": token, **fields})
    return status, body


def error_of(page: str) -> str:
    found = re.search(r'class="error"[^>]*>([^<]*)<', page)
    return found.group(1) if found else ""


# --- the fog of war ----------------------------------------------------------------------------


def test_a_team_view_holds_only_its_own_orders_briefings_and_lookaheads() -> None:
    game = new_game()
    game = engine.submit(game, "red", "DPRK.posture", "coercion", RED_SECRET)
    game = engine.submit(game, "blue", "option:sanctions_listing", 1.0, BLUE_SECRET)
    game = engine.adjudicate(game)
    game = game.model_copy(update={"lookaheads": [
        {"turn": 2, "team": "red", "rows": [{"candidate": "red-lookahead-marker"}]}]})
    blue = json.dumps(views.team_view(game, "blue"))
    red = json.dumps(views.team_view(game, "red"))
    umpire = json.dumps(views.umpire_view(game))
    assert RED_SECRET not in blue and "DPRK.posture" not in blue
    assert "red-lookahead-marker" not in blue and "red-lookahead-marker" in red
    assert BLUE_SECRET not in red and "option:sanctions_listing" not in red
    assert RED_SECRET in umpire and BLUE_SECRET in umpire
    # What the facilitator alone was told (covert doings, exact) never reaches the other team.
    told = game.turns[-1].briefings
    for team, other in (("blue", red), ("red", blue)):
        mine = {item["text"] for items in told[team].values() if isinstance(items, list)
                for item in items}
        for items in told["facilitator"].values():
            for item in items if isinstance(items, list) else []:
                if item.get("covert") and item["text"] not in mine:
                    assert item["text"] not in (blue if team == "blue" else red)
        for item in told[team].get("intelligence", []):
            assert item["text"] not in other
    # The projector: public events only.
    public = json.dumps(views.public_view(game))
    assert RED_SECRET not in public and BLUE_SECRET not in public
    assert "orders" not in views.public_view(game)


def test_a_team_page_and_its_json_never_carry_the_other_teams_orders(room) -> None:
    url, _, seats = room
    assert post(url, seats["red"], "order", decision="DPRK.posture", value="coercion",
                rationale=RED_SECRET)[0] == 303
    assert post(url, seats["blue"], "order", decision="option:sanctions_listing", value="1",
                rationale=BLUE_SECRET)[0] == 303
    for team, secret, other_secret, other_key in (
            ("blue", BLUE_SECRET, RED_SECRET, "DPRK.posture"),
            ("red", RED_SECRET, BLUE_SECRET, "option:sanctions_listing")):
        status, headers, page = fetch(f"{url}/join/{seats[team]}")
        assert status == 200 and secret in page
        assert other_secret not in page and f'data-decision="{other_key}"' not in page
        status, _, text = fetch(f"{url}/api/{seats[team]}")
        assert status == 200 and secret in text and other_secret not in text
        assert "version" not in json.loads(text)  # only the umpire writes with a version
        assert headers["cache-control"] == "no-store"
        assert "script-src 'self'" in headers["content-security-policy"]
    _, _, console = fetch(f"{url}/join/{seats['facilitator']}")
    assert RED_SECRET in console and BLUE_SECRET in console
    _, _, projector = fetch(f"{url}/join/{seats['projector']}")
    assert RED_SECRET not in projector and BLUE_SECRET not in projector


# --- the forms' guards -------------------------------------------------------------------------


def test_a_form_without_the_seats_token_in_its_body_is_refused(room) -> None:
    url, store, seats = room
    before = store.head_version()
    status, _, page = fetch(f"{url}/join/{seats['blue']}/order", "POST",
                            {"decision": "option:sanctions_listing", "value": "1"})
    assert status == 403 and "did not come from your seat" in page
    status, _, _ = fetch(f"{url}/join/{seats['blue']}/order", "POST",
                         {"token": seats["red"], "decision": "option:sanctions_listing",
                          "value": "1"})
    assert status == 403
    assert store.head_version() == before


def test_unknown_links_and_the_projector_cannot_write(room) -> None:
    url, store, seats = room
    before = store.head_version()
    assert fetch(f"{url}/join/not-a-seat")[0] == 404
    assert fetch(f"{url}/api/not-a-seat")[0] == 404
    assert post(url, "not-a-seat", "order", decision="US.exercise", value="yes")[0] == 404
    status, page = post(url, seats["projector"], "adjudicate")
    assert status == 403 and "only shows" in page
    # A team cannot use the umpire's forms.
    assert post(url, seats["red"], "adjudicate")[0] == 404
    assert post(url, seats["red"], "order", decision="option:sanctions_listing",
                value="1")[0] == 400
    assert store.head_version() == before
    assert "join link" in fetch(f"{url}/")[2]


def test_a_stale_umpire_action_is_refused_with_a_review_message(room) -> None:
    url, store, seats = room
    shown = store.head_version()
    assert post(url, seats["red"], "order", decision="DPRK.posture", value="signalling")[0] \
        == 303  # a team moves after the console was drawn
    status, page = post(url, seats["facilitator"], "adjudicate", expected=shown)
    assert status == 409 and "The game changed" in error_of(page)
    assert not store.head()[1].turns
    status, _ = post(url, seats["facilitator"], "adjudicate", expected=store.head_version())
    assert status == 303
    assert len(store.head()[1].turns) == 1


def test_the_umpire_rules_on_a_chance_event_and_the_models_result_is_kept(room) -> None:
    url, store, seats = room
    assert post(url, seats["facilitator"], "adjudicate", expected=store.head_version())[0] \
        == 303
    status, _ = post(url, seats["facilitator"], "rule", expected=store.head_version(),
                     kind="event", key="ceasefire", value="yes",
                     reason="talks brokered off-stage")
    assert status == 303
    turn = store.head()[1].turns[-1]
    assert [(r.key, r.value, r.model_value) for r in turn.rulings] == \
        [("ceasefire", True, False)]
    _, _, console = fetch(f"{url}/join/{seats['facilitator']}")
    ruling = re.search(r'<tr class="ruling">(.*?)</tr>', console, re.S)
    assert ruling and "ceasefire" in ruling.group(1) and "talks brokered" in ruling.group(1)
    # The ruled value and the model's own beside it, in words (it read True / False).
    assert "<td>yes</td><td>no</td>" in ruling.group(1)
    assert "True" not in ruling.group(1) and "False" not in ruling.group(1)
    # A ruling without a reason is refused, plainly.
    status, page = post(url, seats["facilitator"], "rule", expected=store.head_version(),
                        kind="event", key="ceasefire", value="no", reason=" ")
    assert status == 400 and "reason" in error_of(page)


def test_the_odds_before_the_roll_show_the_drivers_and_doing_nothing(room) -> None:
    url, store, seats = room
    post(url, seats["red"], "order", decision="DPRK.icbm_launch", value="yes")
    assert post(url, seats["facilitator"], "odds", expected=store.head_version())[0] == 303
    _, _, console = fetch(f"{url}/join/{seats['facilitator']}")
    start = console.index('id="odds"')
    odds = console[start:console.index("</section>", start)]
    assert "Doing nothing" in odds
    assert re.search(r"red.s order .{0,12}Launch an ICBM.{0,12} = yes raises",
                     html.unescape(odds))  # the driver names the order
    launch = re.search(r"<td>an ICBM launch</td><td class=\"num\">([\d.]+)%</td>"
                       r"<td class=\"num\">([\d.]+)%</td>", odds)
    assert launch and float(launch.group(1)) > float(launch.group(2))  # one decimal if not whole


def test_a_team_page_says_how_long_each_order_holds(room) -> None:
    url, store, seats = room
    post(url, seats["red"], "order", decision="DPRK.icbm_launch", value="yes")
    post(url, seats["red"], "order", decision="DPRK.posture", value="signalling")
    _, _, page = fetch(f"{url}/join/{seats['red']}")
    orders = page[page.index('id="orders"'):page.index('id="menu"')]
    icbm = re.search(r'data-decision="DPRK.icbm_launch">(.*?)</li>', orders, re.S)
    posture = re.search(r'data-decision="DPRK.posture">(.*?)</li>', orders, re.S)
    assert icbm and "once this turn, then it lapses" in icbm.group(1)
    assert posture and "every month until changed or withdrawn" in posture.group(1)
    assert post(url, seats["red"], "withdraw", decision="DPRK.posture")[0] == 303
    assert [o.decision for o in store.head()[1].orders] == ["DPRK.icbm_launch"]


# --- many seats at once ------------------------------------------------------------------------

# Standing (per-month) decisions that stay on the menu whatever the turns roll.
BLUE_DECISIONS = [f"option:{o}" for o in ("sanctions_listing", "warn_beijing",
                                          "public_disclosure", "intercept_declaration",
                                          "trilateral_integration")]
RED_DECISIONS = ["DPRK.deliveries"]


def test_fifty_simultaneous_moves_and_adjudications_lose_nothing(room) -> None:
    url, store, seats = room
    moves: list[tuple[str, str, str]] = []
    for i in range(45):
        if i % 2:
            moves.append(("red", "DPRK.deliveries", f"{(i + 1) / 50:.2f}"))
        else:
            decision = BLUE_DECISIONS[(i // 2) % len(BLUE_DECISIONS)]
            moves.append(("blue", decision, f"{(i + 1) / 25:.2f}"))
    jobs = [("move", m) for m in moves]
    for k in range(5):  # adjudications spread among the moves
        jobs.insert(9 * k + 4, ("adjudicate", None))
    barrier = threading.Barrier(len(jobs))
    answers: list[int | None] = [None] * len(jobs)

    def fire(i: int) -> None:
        kind, move = jobs[i]
        barrier.wait()  # all 50 leave together
        if kind == "move":
            team, decision, value = move  # type: ignore[misc]
            answers[i] = post(url, seats[team], "order", decision=decision, value=value)[0]
        else:
            answers[i] = post(url, seats["facilitator"], "adjudicate")[0]

    threads = [threading.Thread(target=fire, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=900)
    assert answers == [303] * 50
    history = store.history()
    applied = [h for h in history if h.action.startswith("order ")]
    assert len(applied) == 45 and sum(h.action == "adjudicate" for h in history) == 5
    final = store.head()[1]
    assert len(final.turns) == 5
    # Every move is in the state it made, and the last one on each decision stands.
    last: dict[tuple[str, str], float] = {}
    for h in applied:
        decision, value = h.action.removeprefix("order ").split("=")
        state = store.at(h.version)
        assert any(o.team == h.who and o.decision == decision and float(o.value) == float(value)
                   for o in state.orders), h
        last[(h.who, decision)] = float(value)
    assert sorted(last) == sorted({(t, d) for t, d, _ in moves})
    assert {(o.team, o.decision): float(o.value) for o in final.orders} == last


# --- matrix-game turns -------------------------------------------------------------------------


def test_a_matrix_argument_is_tabled_countered_given_odds_and_rolled(tmp_path: Path) -> None:
    game = engine.new_game(BASELINE, teams=TEAMS, matrix=True)
    store = GameStore.create(tmp_path / "matrix.db", game)
    seats = {seat.team or seat.role: seat.token for seat in store.seats()}
    with running(store.path) as url:
        assert post(url, seats["red"], "argue", action="Test a missile over Japan",
                    arguments="it shows resolve\nMoscow will shield us at the UN",
                    event="icbm_launches")[0] == 303
        argument = store.head()[1].arguments[0].id
        assert post(url, seats["blue"], "counter", argument=argument,
                    text="the intercept declaration deters it")[0] == 303
        status, page = post(url, seats["red"], "counter", argument=argument, text="self")
        assert status == 400 and "not its own" in error_of(page)
        assert post(url, seats["facilitator"], "set_odds", expected=store.head_version(),
                    argument=argument, odds="")[0] == 303  # the model's odds stand
        tabled = store.head()[1].arguments[0]
        assert tabled.model_odds is not None and tabled.odds == tabled.model_odds
        assert post(url, seats["facilitator"], "set_odds", expected=store.head_version(),
                    argument=argument, odds="35")[0] == 303
        assert post(url, seats["facilitator"], "roll", expected=store.head_version(),
                    argument=argument)[0] == 303
        rolled = store.head()[1].arguments[0]
        assert rolled.odds == pytest.approx(0.35) and rolled.success == (rolled.roll < 0.35)
        # Blue sees the tabled argument, the counters, the odds and the roll on its page...
        _, _, blue = fetch(f"{url}/join/{seats['blue']}")
        assert "Test a missile over Japan" in blue and "Moscow will shield us" in blue
        assert "35%" in blue
        # ...but not the model's odds, computed with every team's orders in force.
        blue_json = json.loads(fetch(f"{url}/api/{seats['blue']}")[2])
        assert "model_odds" not in blue_json["view"]["arguments"][0]
        _, _, projector = fetch(f"{url}/join/{seats['projector']}")
        assert "Test a missile over Japan" in projector and "35%" in projector


# --- the rest of a turn ------------------------------------------------------------------------


def test_a_teams_lookahead_is_its_own_and_saved_for_the_report(room) -> None:
    url, store, seats = room
    assert post(url, seats["red"], "lookahead", worlds="100")[0] == 303
    saved = store.head()[1].lookaheads
    assert [(look["team"], look["turn"]) for look in saved] == [("red", 1)]
    _, _, red = fetch(f"{url}/join/{seats['red']}")
    table = red[red.index('class="lookahead"'):]
    candidates = {row["candidate"] for row in saved[0]["rows"]}
    assert all(f"<td>{c}</td>" in table for c in candidates if "<" not in c)
    _, _, blue = fetch(f"{url}/join/{seats['blue']}")
    assert 'class="lookahead"' not in blue
    assert post(url, seats["red"], "lookahead", worlds="5")[0] == 400  # not a choice


def test_the_umpire_sets_a_timer_and_takes_back_a_turn(room) -> None:
    url, store, seats = room
    assert post(url, seats["facilitator"], "phase", expected=store.head_version(),
                phase="orders", minutes="20")[0] == 303
    deadline = store.head()[1].deadline
    assert deadline
    # The form's bounds are the engine's (half a minute to a day), not a copy of them.
    _, _, console = fetch(f"{url}/join/{seats['facilitator']}")
    assert 'name="minutes" min="0.5" max="1440"' in console
    status, page = post(url, seats["facilitator"], "phase", expected=store.head_version(),
                        phase="orders", minutes="1441")
    assert status in (400, 409), page
    assert error_of(page).startswith("a timer takes from 0.5 to 1440 minutes (a day)")
    _, _, page = fetch(f"{url}/join/{seats['blue']}")
    assert f'data-deadline="{deadline}"' in page and 'id="timer"' in page
    assert post(url, seats["facilitator"], "adjudicate", expected=store.head_version())[0] \
        == 303
    assert post(url, seats["facilitator"], "undo", expected=store.head_version())[0] == 303
    game = store.head()[1]
    assert not game.turns and len(game.undone) == 1
    status, page = post(url, seats["facilitator"], "undo", expected=store.head_version())
    assert status == 400 and "nothing to undo" in error_of(page)


# --- the command -------------------------------------------------------------------------------


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", "from axis_sim.cli import main; main()",
                             "seminar", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_prints_a_join_link_per_seat_and_serves_them(tmp_path: Path) -> None:
    store = GameStore.create(tmp_path / "room.db", new_game())
    port = _free_port()
    server = _serve(str(store.path), "--port", str(port))
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(5)]
        links = dict(re.findall(r"^\s+(facilitator|team \w+|projector)\s+(\S+)$",
                                "".join(lines), re.M))
        assert set(links) == {"facilitator", "team blue", "team red", "projector"}
        assert all(link.startswith(f"http://127.0.0.1:{port}/join/") for link in links.values())
        assert {link.rsplit("/", 1)[1] for link in links.values()} == \
            {seat.token for seat in store.seats()}
        for _ in range(600):  # the links are printed just before uvicorn binds
            try:
                status, _, page = fetch(links["team blue"])
                break
            except ConnectionRefusedError:
                time.sleep(0.05)
        assert status == 200 and "Team blue" in page
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_serve_refuses_what_is_not_a_game_database_and_a_taken_port(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a game\n")
    server = _serve(str(text), "--port", str(_free_port()))
    _, err = server.communicate(timeout=120)
    assert server.returncode == 2 and err.startswith("Error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    store = GameStore.create(tmp_path / "room.db", new_game())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = _serve(str(store.path), "--port", str(taken.getsockname()[1]))
        _, err = server.communicate(timeout=120)
    assert server.returncode == 2 and "cannot listen on 127.0.0.1" in err


def test_what_is_off_the_menu_says_why_and_the_umpire_can_except_it(room) -> None:
    url, store, seats = room
    _, _, page = fetch(f"{url}/join/{seats['red']}")
    off = page[page.index('id="unavailable"'):]
    off = off[:off.index("</ul>")]
    assert "Russia.tech_transfer" in off and "rung 2" in off
    assert 'data-decision="Russia.tech_transfer"' not in page  # not offered as a decision
    status, page = post(url, seats["red"], "order", decision="Russia.tech_transfer",
                        value="yes")
    assert status == 400 and "not on the menu now" in error_of(page)
    _, _, console = fetch(f"{url}/join/{seats['facilitator']}")
    assert "Russia.tech_transfer" in console[console.index('id="exceptions"'):]
    assert post(url, seats["facilitator"], "exception", expected=store.head_version(),
                team="red", decision="Russia.tech_transfer", value="yes",
                reason="a secret protocol signed at the summit")[0] == 303
    order = next(o for o in store.head()[1].orders if o.decision == "Russia.tech_transfer")
    assert order.exception == "a secret protocol signed at the summit"
    _, _, page = fetch(f"{url}/join/{seats['red']}")
    assert "Approved by the umpire: a secret protocol signed at the summit" in page


def test_text_from_a_seat_is_shown_as_text_never_as_markup(room) -> None:
    url, _, seats = room
    probe = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert post(url, seats["red"], "order", decision="DPRK.posture", value="signalling",
                rationale=probe)[0] == 303
    for seat in ("red", "facilitator"):
        _, _, page = fetch(f"{url}/join/{seats[seat]}")
        assert probe not in page and "&lt;script&gt;alert(" in page
        assert "<img src=x" not in page


def test_a_team_gets_its_own_handout_and_only_the_umpire_the_report(room) -> None:
    url, store, seats = room
    post(url, seats["red"], "order", decision="DPRK.posture", value="coercion",
         rationale=RED_SECRET)
    post(url, seats["blue"], "order", decision="option:sanctions_listing", value="1",
         rationale=BLUE_SECRET)
    assert post(url, seats["facilitator"], "adjudicate", expected=store.head_version())[0] \
        == 303
    status, _, report = fetch(f"{url}/join/{seats['facilitator']}/report")
    assert status == 200 and RED_SECRET in report and BLUE_SECRET in report
    status, _, handout = fetch(f"{url}/join/{seats['red']}/report")
    assert status == 200 and RED_SECRET in handout and BLUE_SECRET not in handout
    status, _, handout = fetch(f"{url}/join/{seats['blue']}/report")
    assert status == 200 and BLUE_SECRET in handout and RED_SECRET not in handout
    assert fetch(f"{url}/join/{seats['projector']}/report")[0] == 403


@pytest.mark.parametrize("damage", [
    "UPDATE states SET game = '{' WHERE version = (SELECT version FROM head)",
    "DELETE FROM head",
    "DROP TABLE states",
], ids=["head-not-json", "no-head", "no-states"])
def test_a_head_damaged_while_served_gets_a_one_line_answer(room, damage: str) -> None:
    """Reproduced: with the database's head damaged under the running server, every POST and
    the pages answered a bare 500 and the log held a traceback ("Exception in ASGI
    application"). Each route answers the one-line message instead."""
    import logging
    import sqlite3

    url, store, seats = room
    logged: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.addHandler(handler)
    try:
        with sqlite3.connect(store.path) as db:
            db.execute(damage)
        db.close()
        answers = [fetch(f"{url}/join/{token}")[::2] for token in seats.values()]
        answers += [fetch(f"{url}/join/{seats[who]}/report")[::2] for who in ("facilitator",
                                                                                "red")]
        answers += [post(url, seats["red"], "ready", ready="yes"),
                    post(url, seats["blue"], "order", decision="US.exercise", value="yes"),
                    post(url, seats["red"], "lookahead", worlds="100"),
                    post(url, seats["facilitator"], "phase", phase="orders", minutes="5"),
                    post(url, seats["facilitator"], "odds"),
                    post(url, seats["facilitator"], "adjudicate")]
        api = fetch(f"{url}/api/{seats['blue']}")
    finally:
        uvicorn_log.removeHandler(handler)
    for status, page in answers:
        assert status in (409, 503), (status, page)
        message = error_of(page)
        assert message and "\n" not in message and "Traceback" not in page, page
    assert api[0] in (409, 503) and "error" in json.loads(api[2])
    assert not [m for m in logged if "Exception in ASGI application" in m], logged
