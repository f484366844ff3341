"""The seminar in three browsers (issue 17's done-when): the facilitator, blue and red, each in
its own headless Chromium, play two turns with the teams moving at the same time.

Checked: no move is lost; neither team's page (the HTML and JSON its browser received, every
page of the game) ever holds the other team's orders or a covert event it was not told of; the
facilitator rules on a chance event; the after-action report shows the ruling and the result
it replaced.

Needs Debian's `chromium` and `chromium-driver`; skipped without them except under CI.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from axis_sim.seminar import engine
from axis_sim.seminar.server import running
from axis_sim.seminar.store import GameStore
from tests.chrome import CHROMEDRIVER, CHROMIUM, start_chrome
from tests.conftest import BASELINE

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        pytest.fail("CI needs chromium and chromedriver (see .ci/run)", pytrace=False)
    pytest.skip("headless Chromium not installed", allow_module_level=True)

pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

TEAMS = {"blue": ["US", "ROK", "Japan"], "red": ["Russia", "DPRK"]}
REASON = "umpire: the talks in Istanbul were brokered off-stage"

# Each team's orders per turn: (decision, value, rationale); "withdraw" takes one back.
ORDERS: dict[str, list[list[tuple[str, str, str]]]] = {
    "blue": [[("option:sanctions_listing", "1", "blue-why-listings-1"),
              ("US.exercise", "yes", "blue-why-exercise-1")],
             [("option:warn_beijing", "2", "blue-why-warn-2"),
              ("withdraw", "US.exercise", "")]],
    "red": [[("DPRK.posture", "signalling", "red-why-posture-1"),
             ("DPRK.icbm_launch", "yes", "red-why-icbm-1")],
            [("DPRK.deliveries", "0.4", "red-why-deliveries-2"),
             ("Russia.un_shield", "yes", "red-why-shield-2")]],
}


def _submit(driver: Any, click: Callable[[], None]) -> None:
    """Click a form's button and wait for the page it redirects to (POST-redirect-GET)."""
    page = driver.find_element(By.TAG_NAME, "html")
    click()
    WebDriverWait(driver, 300).until(expected_conditions.staleness_of(page))
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
    error = driver.find_elements(By.CSS_SELECTOR, ".error")
    assert not error, error[0].text


class Seat:
    """One browser at one seat, keeping every page (HTML and JSON) it received."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.driver = start_chrome(1280, 900)
        self.received: list[str] = []

    def open(self) -> None:
        self.driver.get(f"{self.url}/join/{self.token}")
        self.keep()

    def keep(self) -> None:
        self.received.append(self.driver.page_source)

    def keep_json(self) -> None:
        self.driver.get(f"{self.url}/api/{self.token}")
        self.keep()
        self.open()

    def order(self, decision: str, value: str, why: str) -> None:
        d = self.driver
        if decision == "withdraw":
            row = d.find_element(By.CSS_SELECTOR, f'li.order[data-decision="{value}"]')
            _submit(d, row.find_element(By.TAG_NAME, "button").click)
        else:
            row = d.find_element(By.CSS_SELECTOR, f'tr.decision[data-decision="{decision}"]')
            field = row.find_element(By.NAME, "value")
            if field.tag_name == "select":
                Select(field).select_by_value(value)
            else:
                field.clear()
                field.send_keys(value)
            row.find_element(By.NAME, "rationale").send_keys(why)
            _submit(d, row.find_element(By.TAG_NAME, "button").click)
        self.keep()

    def ready(self) -> None:
        _submit(self.driver, self.driver.find_element(By.ID, "ready").click)
        self.keep()


def _team_turn(seat: Seat, orders: list[tuple[str, str, str]], errors: list[BaseException]
               ) -> None:
    try:
        seat.open()
        for decision, value, why in orders:
            seat.order(decision, value, why)
        seat.ready()
        seat.keep_json()
    except BaseException as err:  # reported by the main thread
        errors.append(err)


def _umpire(seat: Seat, button: str) -> None:
    seat.open()
    _submit(seat.driver, seat.driver.find_element(By.ID, button).click)


def _stamp_of(driver: Any) -> str:
    try:
        return str(driver.find_element(By.TAG_NAME, "body").get_attribute("data-stamp"))
    except WebDriverException:  # between two pages
        return ""


def _stamp(seat: Seat) -> str:
    return _stamp_of(seat.driver)


def _set_timer(seat: Seat, minutes: int) -> None:
    seat.open()
    field = seat.driver.find_element(By.NAME, "minutes")
    field.clear()
    field.send_keys(str(minutes))
    _submit(seat.driver, seat.driver.find_element(By.ID, "set-phase").click)


def _rule_on_ceasefire(seat: Seat) -> None:
    d = seat.driver
    seat.open()
    form = d.find_element(By.ID, "rule-form")
    Select(form.find_element(By.NAME, "kind")).select_by_value("event")
    Select(form.find_element(By.NAME, "key")).select_by_value("ceasefire")
    form.find_element(By.NAME, "value").send_keys("yes")
    form.find_element(By.NAME, "reason").send_keys(REASON)
    _submit(d, form.find_element(By.TAG_NAME, "button").click)


def _value(value: object) -> object:
    """An order's value as the game stores it, from what the form sent."""
    if isinstance(value, bool) or value in ("yes", "no"):
        return value is True or value == "yes"
    try:
        return float(value)  # type: ignore[arg-type]
    except ValueError:
        return value


def _texts(briefing: dict[str, Any], *, covert_only: bool = False) -> set[str]:
    return {item["text"] for items in briefing.values() if isinstance(items, list)
            for item in items if isinstance(item, dict) and "text" in item
            and (item.get("covert") or not covert_only)}


def test_three_browsers_play_two_turns_with_fog_of_war_and_a_ruling(tmp_path: Path) -> None:
    store = GameStore.create(tmp_path / "room.db", engine.new_game(BASELINE, teams=TEAMS))
    tokens = {seat.team or seat.role: seat.token for seat in store.seats()}
    with running(store.path) as url:
        seats = {name: Seat(url, tokens[name]) for name in ("facilitator", "blue", "red")}
        try:
            for turn in range(2):
                errors: list[BaseException] = []
                moving = [threading.Thread(target=_team_turn,
                                           args=(seats[team], ORDERS[team][turn], errors))
                          for team in ("blue", "red")]
                for thread in moving:  # both teams at the same time
                    thread.start()
                for thread in moving:
                    thread.join(timeout=900)
                assert not errors, [f"{type(e).__name__}: {e}" for e in errors]
                console = seats["facilitator"]
                console.open()
                status = console.driver.find_element(By.ID, "status").text
                assert status.count("ready") >= 2 and "not yet" not in status
                _umpire(console, "compute-odds")
                odds = console.driver.find_element(By.ID, "odds").text
                assert "Doing nothing" in odds and "%" in odds
                waiting = {team: _stamp(seats[team]) for team in ("blue", "red")}
                _umpire(console, "adjudicate")
                for team, stamp in waiting.items():  # open pages refresh by themselves
                    WebDriverWait(seats[team].driver, 120).until(
                        lambda d, s=stamp: _stamp_of(d) not in (s, ""))
                    seats[team].keep()
                if turn == 0:
                    _rule_on_ceasefire(console)
                    ruling = console.driver.find_element(By.CSS_SELECTOR, "tr.ruling").text
                    assert "ceasefire" in ruling and REASON in ruling
                    _set_timer(console, 15)
                    seats["blue"].open()
                    WebDriverWait(seats["blue"].driver, 30).until(  # the phase's timer runs
                        lambda d: re.fullmatch(r"1[45]:\d\d left",
                                               d.find_element(By.ID, "timer").text))
                for team in ("blue", "red"):  # each reads its briefing
                    seats[team].open()
                    seats[team].keep_json()
            for name, seat in seats.items():  # no script error, no blocked resource
                severe = [e["message"] for e in seat.driver.get_log("browser")
                          if e["level"] == "SEVERE"]
                assert not severe, (name, severe)
            seats["facilitator"].driver.get(f"{url}/join/{tokens['facilitator']}/report")
            report = seats["facilitator"].driver.page_source
        finally:
            for seat in seats.values():
                seat.driver.quit()

    game = store.head()[1]
    assert len(game.turns) == 2
    # No move lost: every order each team gave is in force in its turn, at its value.
    for turn, played in zip(range(2), game.turns, strict=True):
        held = {(o.team, o.decision, _value(o.value)) for o in played.orders}
        for team, orders in ORDERS.items():
            for decision, value, _ in orders[turn]:
                if decision != "withdraw":
                    assert (team, decision, _value(value)) in held, (turn, team, decision)
    assert not any(o.decision == "US.exercise" for o in game.turns[1].orders)  # withdrawn
    # The ruling on a chance event, with the model's own value kept beside it.
    ruling = game.turns[0].rulings[0]
    assert (ruling.kind, ruling.key, ruling.value, ruling.reason) == \
        ("event", "ceasefire", True, REASON)
    assert ruling.model_value is False
    assert game.turns[0].model_events is not None  # the replaced result is kept

    # Fog of war, on everything each browser received.
    for team, other in (("blue", "red"), ("red", "blue")):
        pages = "\n".join(seats[team].received)
        for orders in ORDERS[other]:
            for decision, _, why in orders:
                if why:
                    assert why not in pages, (team, why)
                if decision != "withdraw":
                    assert f'"{decision}"' not in pages and f">{decision}<" not in pages, \
                        (team, decision)
        for played in game.turns:
            told = _texts(played.briefings[team])
            for text in _texts(played.briefings["facilitator"], covert_only=True) - told:
                assert text not in pages, (team, text)
            for text in _texts({"i": played.briefings[other].get("intelligence", [])}):
                assert text not in pages, (team, text)
        assert REASON not in pages  # the umpire's rulings are the umpire's

    # The after-action report: the ruling, its reason, and what it replaced.
    assert REASON in report
    row = next((r for r in re.findall(r"<tr>.*?</tr>", report, re.S) if REASON in r), "")
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                   re.S)]
    assert "yes" in cells and "no" in cells, cells  # ruled yes; the model's own run had no
