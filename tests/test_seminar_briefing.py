"""Seminar briefings: named events, honest intelligence ranges, decisions explained, and who is
told what (team, facilitator, projector)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.schema import Scenario
from axis_sim.seminar.briefing import (
    FACILITATOR,
    PUBLIC,
    SECTIONS,
    briefing_for,
    briefings_for,
    estimate_range,
    lines,
    model_had,
    percent_text,
    scheduled_names,
)
from axis_sim.seminar.game import Game, Order, Ruling, Turn

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
TEAMS = {"blue": ["US", "ROK", "Japan"], "red": ["Russia", "DPRK"]}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(BASELINE)


def row(month: int, actor: str, event: str, value: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {"month": month, "world": 0, "actor": actor, "event": event, "value": value, **extra}


def game_of(scenario: Scenario, orders: list[Order] | None = None, *, seed: int = 7,
            turns: list[Turn] | None = None, teams: dict[str, list[str]] | None = None) -> Game:
    """A game as the engine holds it just before adjudicating: orders in force, past turns."""
    return Game(scenario_file=str(BASELINE), scenario_hash="h",
                scenario=scenario.model_dump(mode="json"), seed=seed, turn_months=3,
                teams=teams or TEAMS, orders=orders or [], initial_state={},
                turns=turns or [])


def order(team: str, decision: str, value: bool | float | str, per: str = "month",
          rationale: str = "") -> Order:
    return Order(team=team, decision=decision, value=value, since_turn=1, per=per,  # type: ignore[arg-type]
                 rationale=rationale)


PER_CAR = 1000.0  # the baseline's rounds per railcar is checked below
SHIPPED = 123_457.0
EVENTS = [
    row(0, "Russia", "leader_summit"),
    row(0, "US", "forum"),
    row(0, "US", "forum"),
    row(0, "DPRK", "munitions_shipment", SHIPPED),
    row(0, "DPRK", "missile_rocket_transfer", 17),
    row(1, "Russia", "leader_summit"),
    row(1, "DPRK", "icbm_launch", 1.0),
    row(1, "Russia", "un_action_blocked"),
    row(1, "US", "entity_listed", 12),
    row(1, "Russia", "front_company", 5),
    row(2, "Russia", "cooperation_step", 2),
    row(2, "Russia", "tech_transfer", 2),
    row(2, "DPRK", "nuclear_test"),
]
OUTCOMES = {"warning_quality": 1.0, "cooperation_level": 2.0, "china_alignment": 0.36,
            "nuclear_test": 1.0, "alliance_cohesion": 0.7}


def test_named_events_keep_their_names(scenario: Scenario) -> None:
    rows = [*EVENTS, row(6, "US", "allied_exercise"), row(6, "US", "allied_exercise"),
            row(4, "US", "forum", detail="apec")]
    names = scheduled_names(scenario, rows)
    assert names[0] == "Kim–Putin summit at the Eastern Economic Forum"
    assert {names[1], names[2]} == {"UN General Assembly high-level week",
                                    "ASEAN and East Asia summits"}
    assert names[5] is None  # a summit in 2023-10 is not on the calendar
    assert names[-3] == "Freedom Shield exercise" and names[-2] is None  # one extra exercise
    assert names[-1] == "APEC leaders' week"  # the log's own detail wins
    brief = briefing_for(game_of(scenario), scenario, rows, OUTCOMES, 0, PUBLIC)
    text = "\n".join(lines(brief))
    assert "Eastern Economic Forum" in text and "UN General Assembly" in text
    assert "ASEAN" in text and "Freedom Shield" in text
    assert "an unscheduled summit" in text and "an additional trilateral exercise" in text


def test_sections_for_every_audience(scenario: Scenario) -> None:
    game = game_of(scenario)
    briefs = briefings_for(game, scenario, EVENTS, OUTCOMES, 0)
    assert set(briefs) == {"blue", "red", FACILITATOR, PUBLIC}
    for who, brief in briefs.items():
        assert brief["audience"] == who and brief["period"] == "2023-09 – 2023-11"
        for section in SECTIONS:
            assert all(isinstance(item["text"], str) and item["text"] for item in brief[section])
        json.dumps(brief)  # stored in the game as JSON
    with pytest.raises(ValueError, match="unknown team"):
        briefing_for(game, scenario, EVENTS, OUTCOMES, 0, "green")


def test_estimate_range_covers_the_truth_nine_times_in_ten() -> None:
    for warning in (0.2, 0.5, 0.9):
        draws = [(i + 0.5) / 4000 for i in range(4000)]
        ranges = [estimate_range(500.0, warning, u) for u in draws]
        coverage = sum(lo <= 500.0 <= hi for lo, hi in ranges) / len(ranges)
        assert coverage == pytest.approx(0.90, abs=0.01)
        assert all(hi > lo for lo, hi in ranges)
    # poorer warning, wider ranges
    narrow, wide = estimate_range(500.0, 0.9, 0.5), estimate_range(500.0, 0.2, 0.5)
    assert wide[1] / wide[0] > narrow[1] / narrow[0]


def test_intelligence_ranges_honest_over_many_games(scenario: Scenario) -> None:
    """Across many seeds, the shipments blue is told of hold the truth in the stated range most
    of the time, detection follows warning quality, and the exact figure is never told."""
    assert scenario.actors["DPRK"]["rounds_per_railcar"].value == PER_CAR
    rows = [row(m, "DPRK", "munitions_shipment", SHIPPED + 1000 * m) for m in range(3)]
    warning = 0.6
    covered = detected = told = 0
    for seed in range(400):
        game = game_of(scenario, seed=seed)
        brief = briefing_for(game, scenario, rows, {"warning_quality": warning}, 0, "blue")
        truth_items = briefing_for(game, scenario, rows, {"warning_quality": warning}, 0,
                                   FACILITATOR)["intelligence"]
        for item, exact in zip(brief["intelligence"], truth_items, strict=False):
            if item.get("event") != "munitions_shipment":
                continue
            told += 1
            detected += len(item["months"])
            assert "truth" not in item and "moderate confidence" in item["text"]
            assert item["low"] < item["high"]
            truth_cars = sum(r["value"] for r in rows if r["month"] in item["months"]) / PER_CAR
            assert exact["truth"] == pytest.approx(truth_cars)
            covered += item["low"] <= truth_cars <= item["high"]
    assert detected / (400 * 3) == pytest.approx(warning, abs=0.05)
    assert 0.85 <= covered / told < 1.0


def test_blue_gets_ranges_never_exact_covert_figures(scenario: Scenario) -> None:
    game = game_of(scenario, [order("blue", "option:sanctions_listing", 1.5)])
    blue = briefing_for(game, scenario, EVENTS, OUTCOMES, 0, "blue")
    text = json.dumps(blue, ensure_ascii=False)
    intel = blue["intelligence"]
    assert {i["event"] for i in intel} == {"munitions_shipment", "missile_rocket_transfer",
                                           "front_company", "cooperation_step", "tech_transfer"}
    assert "truth" not in text
    assert "123,457" not in text and "123 railcars" not in text
    assert "17 missiles" not in text
    assert all(i["confidence"] == "high confidence" for i in intel)
    ladder = next(i for i in intel if i["event"] == "cooperation_step")
    assert ladder["low"] <= 2 <= ladder["high"] and ladder["high"] - ladder["low"] == 1
    tech = next(i for i in intel if i["event"] == "tech_transfer")
    assert "icbm" in tech["programmes"]
    # covert rows never reach blue's "happened" — red's own briefing has them exactly
    assert not any(i.get("event") in ("munitions_shipment", "front_company")
                   for i in blue["happened"])
    red = briefing_for(game, scenario, EVENTS, OUTCOMES, 0, "red")
    red_text = "\n".join(lines(red))
    assert "123,457 rounds" in red_text and "17 missiles" in red_text
    assert red["intelligence"] == []


def test_your_decisions_say_what_did_and_did_not_happen(scenario: Scenario) -> None:
    orders = [order("blue", "option:sanctions_listing", 1.5),
              order("blue", "US.exercise", False),
              order("blue", "option:public_disclosure", 1.0),
              order("red", "Russia.propose", True, per="turn"),
              order("red", "Russia.un_shield", True),
              order("red", "DPRK.icbm_launch", True, per="turn")]
    game = game_of(scenario, orders)
    blue = briefing_for(game, scenario, EVENTS, OUTCOMES, 0, "blue")
    said = [i["text"] for i in blue["your_decisions"]]
    assert any("your sanctions listings named 12 entities" in s for s in said)
    # front companies are covert: a range, with the confidence, never the exact 5
    fronts = next(s for s in said if "listings" in s)
    assert "front companies that replaced listed ones at" in fronts and " 5 " not in fronts
    assert "You ordered no exercise: none held." in said
    assert any("UN General Assembly" in s and "disclosed" in s for s in said)
    red = briefing_for(game, scenario, EVENTS, OUTCOMES, 0, "red")
    said = [i["text"] for i in red["your_decisions"]]
    assert any("cooperation moved to rung 2" in s and "lapsed" in s for s in said)
    assert any("You blocked 1 punitive Security Council action" in s for s in said)
    assert any(s.startswith("1 ICBM launch") for s in said)
    # no other team's orders in a team's briefing
    assert "Russia.propose" not in json.dumps(blue) and "sanctions_listing" not in json.dumps(red)
    due = [i["text"] for i in red["decisions_due"]]
    assert any("seventh nuclear test is spent" in s for s in due)
    assert any("technology transfer is now open" in s for s in due)
    assert any("one-turn order" in s and "Launch an ICBM" in s for s in due)
    assert any(s.startswith("33 month(s) remain") for s in due)


def test_a_spent_one_turn_order_is_not_invited_again(scenario: Scenario) -> None:
    """Reproduced: "decisions due" said the test was spent and, in the next line, that the
    one-turn order for it had lapsed and could be given again."""
    game = game_of(scenario, [order("red", "DPRK.nuclear_test", True, per="turn"),
                              order("red", "DPRK.icbm_launch", True, per="turn")])
    due = [i["text"] for i in briefing_for(game, scenario, EVENTS, OUTCOMES, 0,
                                           "red")["decisions_due"]]
    assert any("seventh nuclear test is spent" in s for s in due)
    lapsed = [s for s in due if "one-turn order" in s]
    assert len(lapsed) == 1 and "Launch an ICBM" in lapsed[0], lapsed


def test_why_a_decision_did_nothing(scenario: Scenario) -> None:
    orders = [order("red", "Russia.propose", True), order("red", "Russia.tech_transfer", True),
              order("red", "Russia.un_shield", True), order("blue", "option:public_disclosure", 1)]
    quiet = {"cooperation_level": 1.0, "warning_quality": 0.5}
    game = game_of(scenario, orders)
    red = [i["text"] for i in briefing_for(game, scenario, [], quiet, 3, "red")["your_decisions"]]
    assert any("Pyongyang did not accept" in s for s in red)
    assert any("transfers need cooperation at rung 2" in s for s in red)
    assert any("nothing to block" in s for s in red)
    blue = briefing_for(game, scenario, [], quiet, 3, "blue")
    assert any("no forum met this turn" in i["text"] for i in blue["your_decisions"])
    assert blue["happened"] == [{"text": "Nothing of note is reported."}]
    assert "does not mean nothing happened" in blue["intelligence"][0]["text"]
    idle = briefing_for(game_of(scenario), scenario, [], quiet, 3, "blue")
    assert idle["your_decisions"][0]["text"].startswith("You gave no orders")


def test_reactions_and_china_line(scenario: Scenario) -> None:
    rows = [*EVENTS, row(2, "Russia", "exercise_condemned"), row(2, "China", "quiet_enforcement")]
    game = game_of(scenario)
    blue = briefing_for(game, scenario, rows, OUTCOMES, 0, "blue")
    said = [i["text"] for i in blue["reactions"]]
    assert any("Russia blocks punitive action" in s for s in said)
    assert any("condemns the allied exercise" in s for s in said)
    assert any("quietly tighten" in s for s in said)
    assert "Beijing's public line moves visibly closer to the axis." in said  # 0.30 → 0.36
    assert not any("Russia blocks" in i["text"] for i in blue["happened"])
    assert not any("0.36" in s for s in said)
    facilitator = [i["text"] for i in briefing_for(game, scenario, rows, OUTCOMES, 0,
                                                   FACILITATOR)["reactions"]]
    assert any("0.30 → 0.36" in s for s in facilitator)


def test_facilitator_team_and_public_contents(scenario: Scenario) -> None:
    rulings = [Ruling(kind="decision", key="DPRK.nuclear_test", value=True,
                      reason="umpire private note", model_value=False)]
    game = game_of(scenario, [order("red", "DPRK.deliveries", 0.5, rationale="hold back")])
    briefs = briefings_for(game, scenario, EVENTS, OUTCOMES, 0, rulings=rulings)
    public, facilitator = briefs[PUBLIC], briefs[FACILITATOR]
    assert public["intelligence"] == [] and public["your_decisions"] == []
    public_events = {i["event"] for i in public["happened"]}
    assert public_events.isdisjoint({"munitions_shipment", "missile_rocket_transfer",
                                     "front_company", "cooperation_step", "tech_transfer"})
    assert {"icbm_launch", "nuclear_test", "forum", "entity_listed"} <= public_events
    assert {i["event"] for i in facilitator["happened"]} >= {"munitions_shipment",
                                                              "cooperation_step"}
    assert all("truth" in i for i in facilitator["intelligence"])
    assert any("the model had no" in i["text"] for i in facilitator["your_decisions"])
    # a team hears of the umpire's ruling on its own decision, the other team does not
    assert any(i.get("ruling") for i in briefs["red"]["your_decisions"])
    assert "umpire private note" not in json.dumps(briefs["red"])  # the umpire's own
    assert not any(i.get("ruling") for i in briefs["blue"]["your_decisions"])


def test_rulings_and_chances_are_in_words(scenario: Scenario) -> None:
    """Reproduced: a ruling on a decision no team had ordered read "(the model had None)",
    and an umpire's 62.5% was shown as 62%."""
    rulings = [Ruling(kind="decision", key="DPRK.nuclear_test", value=True, reason="x")]
    brief = briefings_for(game_of(scenario), scenario, EVENTS, OUTCOMES, 0,
                          rulings=rulings)[FACILITATOR]
    said = [i["text"] for i in brief["your_decisions"] if i.get("ruling")]
    assert "None" not in " ".join(said)
    assert said[-1:] == ["Ruling on DPRK.nuclear_test = yes (the model had no order: the model "
                    "left it to doctrine): x"]
    assert model_had(rulings[0].model_copy(update={"model_value": False})) == "no"
    assert [percent_text(p) for p in (0.625, 0.62, 0.07, 1.0, 0.0, 0.3333)] == \
        ["62.5%", "62%", "7%", "100%", "0%", "33.3%"]
    # The pages' macro follows the same rule.
    from axis_sim.report.templates import render

    page = render("seminar_projector.html", view={
        "turn": 1, "month": "Sept 2023", "turn_months": 3, "phase": "orders",
        "deadline": None, "matrix": True, "title": "t", "teams": [], "role": "projector",
        "ready_count": 0, "turns": [],
        "rolls": [{"team": "red", "action": "a", "odds": 0.625, "roll": 0.07,
                   "success": True}]}, token="t", version=1, error="", stamp="s",
        server_time="", poll=2)
    assert "62.5% odds, rolled 7%" in page


def test_late_reports(scenario: Scenario) -> None:
    """A shipment missed last turn may surface this turn, flagged late, with a range."""
    previous = [row(0, "DPRK", "munitions_shipment", SHIPPED)]
    late = 0
    for seed in range(60):
        past = Turn(number=1, first_month=0, months=3, orders=[], events=previous,
                    outcomes={"warning_quality": 0.5}, state={})
        game = game_of(scenario, seed=seed, turns=[past])
        brief = briefing_for(game, scenario, [], {"warning_quality": 0.5}, 3, "blue")
        items = [i for i in brief["intelligence"] if i.get("late")]
        if items:
            late += 1
            assert items[0]["text"].startswith("Late report — 2023-09")
            assert "truth" not in items[0] and items[0]["low"] < items[0]["high"]
            assert "123,457" not in items[0]["text"]
    # missed (1 - w) and then caught (w): about a quarter of games at w = 0.5
    assert 5 <= late <= 25


def test_adjudicated_turn_briefings_keep_the_fog(tmp_path: Path) -> None:
    """Through the engine: a played turn's briefings. Blue never sees red's covert doings
    exactly (only ranges), the projector sees none of them, red sees its own exactly."""
    from axis_sim.seminar.engine import adjudicate, new_game, submit

    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta: {{name: short, horizon_months: 6}}\n",
                    encoding="utf-8")
    game = new_game(path, teams=TEAMS)
    game = submit(game, "red", "DPRK.deliveries", 1.0, "red's secret rationale")
    game = adjudicate(game, worlds=20)
    turn = game.turns[-1]
    assert set(turn.briefings) == {"blue", "red", FACILITATOR, PUBLIC}
    shipments = [r for r in turn.events if r["event"] == "munitions_shipment"]
    assert shipments  # the order sends every shipment it can
    blue, red = json.dumps(turn.briefings["blue"]), json.dumps(turn.briefings["red"])
    public = json.dumps(turn.briefings[PUBLIC])
    for r in shipments:
        exact = f"{r['value']:,.0f} rounds"
        assert exact not in blue and exact not in public
        assert exact in red
    assert "truth" not in blue and "red's secret rationale" not in blue
    assert "DPRK.deliveries" not in blue and "DPRK.deliveries" not in public
    assert "munitions_shipment" not in public
    assert all("truth" in i for i in turn.briefings[FACILITATOR]["intelligence"])


def test_programmes_named_include_the_true_one(scenario: Scenario) -> None:
    """Which programme Russian specialists serve: the true one is always among those named,
    and often a second is named with it (the analysts narrow it down, they do not know)."""
    rows = [row(1, "Russia", "tech_transfer", 2)]  # the ICBM programme
    named = []
    for seed in range(200):
        brief = briefing_for(game_of(scenario, seed=seed), scenario, rows,
                             {"warning_quality": 1.0}, 0, "blue")
        item = next(i for i in brief["intelligence"] if i.get("event") == "tech_transfer")
        assert "icbm" in item["programmes"] and "truth_programmes" not in item
        named.append(len(item["programmes"]))
    assert 0.3 < named.count(2) / len(named) < 0.7
    assert set(named) == {1, 2}


def test_a_third_team_learns_no_covert_rung(scenario: Scenario) -> None:
    """A team playing China alone is told public events and reminded of its standing answer,
    never the ladder's rung (Moscow and Pyongyang climb it in secret)."""
    teams = {**TEAMS, "green": ["China"]}
    green = briefing_for(game_of(scenario, teams=teams), scenario, EVENTS, OUTCOMES, 0, "green")
    text = json.dumps(green)
    assert "rung" not in text and "technology transfer" not in text
    assert green["intelligence"] == []
    assert any(i.get("decision") == "China.join_exercise" for i in green["decisions_due"])
    ordered = game_of(scenario, [order("green", "China.join_exercise", True)], teams=teams)
    green = briefing_for(ordered, scenario, EVENTS, OUTCOMES, 0, "green")
    said = " ".join(i["text"] for i in green["your_decisions"])
    assert "you would join if asked" in said and "rung" not in said


def test_the_facilitators_lines_name_the_team_each_item_is_about() -> None:
    """In a terminal the facilitator reads every team's "You gave no orders" one after the
    other: each must say whose it is (the web console shows the team in bold the same way)."""
    from axis_sim.seminar.briefing import as_text, lines

    briefing = {"your_decisions": [{"team": "red", "text": "You gave no orders."},
                                   {"team": "blue", "text": "You gave no orders."}],
                "happened": [{"text": "2023-09: The DPRK launches 1 missile."}]}
    assert lines(briefing, ["your_decisions"]) == ["red: You gave no orders.",
                                                   "blue: You gave no orders."]
    assert "  2023-09: The DPRK launches 1 missile." in as_text(briefing)
