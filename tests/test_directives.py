"""Seminar decisions do what the menu says: directives, one-shot turns, the model's rules with
the umpire's exceptions, why a decision is unavailable, and rulings on chance events."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from axis_sim.experiment.sampling import default_parameters
from axis_sim.model.china import STANCES
from axis_sim.model.directives import (
    CHANCE_EVENT_ROWS,
    CHANCE_EVENTS,
    DIRECTIVES,
    GATES,
    can_except,
    chance_happened,
    check_event,
    for_month,
    unavailable,
)
from axis_sim.model.dprk import POSTURES
from axis_sim.model.eventlog import EVENTS
from axis_sim.model.metrics import record
from axis_sim.model.world import AxisModel
from axis_sim.scenario.schema import Scenario

WORLDS = 100


def world(scenario: Scenario, *, rung: int | None = None, seed: int = 1,
          **params: float) -> AxisModel:
    """A model of WORLDS worlds at the scenario's defaults (some changed), every world logged."""
    values = default_parameters(scenario, WORLDS)
    for key, value in params.items():
        assert key.replace("__", ".") in values, key
        values[key.replace("__", ".")] = np.full(WORLDS, value)
    model = AxisModel(scenario, values, seed=seed, watched=np.arange(WORLDS))
    if rung is not None:
        model.russia.cooperation[:] = rung
    return model


def run(model: AxisModel, months: int, directives: dict[str, object] | None = None,
        rulings: dict[str, bool] | None = None, exceptions: set[str] | None = None) -> AxisModel:
    """Step `months` months with the same directives, rulings and exceptions in force."""
    model.directives = dict(directives or {})
    model.rulings = dict(rulings or {})
    model.exceptions = set(exceptions or ())
    for _ in range(months):
        model.step()
    return model


def logged(model: AxisModel, event: str) -> int:
    frame = model.log.to_frame()
    return int((frame["event"] == event).sum())


# --- every directive moves what it names ------------------------------------------------------


def test_no_exercise_order_cancels_the_calendar_exercises_too(short_baseline: Scenario) -> None:
    """The bug: US.exercise=no stopped only the extra draw, and Freedom Shield still happened."""
    doctrine = run(world(short_baseline), 12)
    assert logged(doctrine, "allied_exercise") > 0
    none = run(world(short_baseline), 12, {"US.exercise": False})
    assert logged(none, "allied_exercise") == 0
    assert (none.us.exercises == 0).all()
    assert (none.russia.condemnations == 0).all()  # nothing held, nothing to condemn


def test_exercise_order_holds_one_exercise_every_month(short_baseline: Scenario) -> None:
    model = run(world(short_baseline), 12, {"US.exercise": True})
    assert (model.us.exercises == 12).all()
    assert logged(model, "allied_exercise") == 12 * WORLDS  # one a month, none twice


@pytest.mark.parametrize("ally", ["ROK", "Japan"])
@pytest.mark.parametrize("backs", [True, False])
def test_backing_orders_set_seoul_and_tokyo(short_baseline: Scenario, ally: str,
                                            backs: bool) -> None:
    model = run(world(short_baseline), 2, {f"{ally}.backing": backs})
    actor = model.rok if ally == "ROK" else model.japan
    assert (actor.backs_trilateral == float(backs)).all()


@pytest.mark.parametrize("stance", STANCES)
def test_china_stance_order(short_baseline: Scenario, stance: str) -> None:
    model = run(world(short_baseline), 2, {"China.stance": stance})
    assert (model.china.stance == STANCES.index(stance)).all()
    assert (model.china.enforces == (stance == "enforce")).all()


@pytest.mark.parametrize("joins", [True, False])
def test_china_join_order_decides_the_naval_exercise(short_baseline: Scenario,
                                                     joins: bool) -> None:
    asked = {"Russia.propose": True, "DPRK.accept_ties": True, "China.join_exercise": joins}
    model = run(world(short_baseline, rung=2), 1, asked)
    assert (model.china.joins_exercise == joins).all()
    assert (model.russia.naval_exercise == joins).all()
    if joins:
        assert (model.russia.cooperation == 3).all()


def test_proposal_climbs_one_rung_and_a_refusal_none(short_baseline: Scenario) -> None:
    both = {"Russia.propose": True, "DPRK.accept_ties": True, "China.join_exercise": True}
    model = run(world(short_baseline, rung=1), 1, both)
    assert (model.russia.cooperation == 2).all()  # never the fast second step
    refused = run(world(short_baseline, rung=1), 3, both | {"DPRK.accept_ties": False})
    assert (refused.russia.cooperation == 1).all()
    held = run(world(short_baseline, rung=1), 3, both | {"Russia.propose": False})
    assert (held.russia.cooperation == 1).all()


def test_a_proposal_turn_does_not_run_up_the_ladder(short_baseline: Scenario) -> None:
    """The bug: red's proposal on a three-month turn took rung 1 to the treaty. Proposed once a
    turn (its first month), with Pyongyang and Beijing willing, the ladder climbs one rung."""
    model = world(short_baseline, rung=1)
    orders = {"Russia.propose": True, "DPRK.accept_ties": True, "China.join_exercise": True}
    for month in range(3):
        model.directives = for_month(orders, month)
        model.step()
    assert (model.russia.cooperation == 2).all()


def test_proposal_passes_the_ladder_gate_unless_excepted(short_baseline: Scenario) -> None:
    """From rung 0, Moscow opens the arms trade only in a war short of shells."""
    peace = {"context__russia_artillery_use": 100_000.0}  # below its own production
    orders = {"Russia.propose": True, "DPRK.accept_ties": True}
    gated = run(world(short_baseline, rung=0, **peace), 2, orders)
    assert (gated.russia.cooperation == 0).all()
    excepted = run(world(short_baseline, rung=0, **peace), 1, orders, exceptions={
        "Russia.propose"})
    assert (excepted.russia.cooperation == 1).all()
    war = run(world(short_baseline, rung=0), 1, orders, {"ceasefire": False})
    assert (war.russia.cooperation == 1).all()
    top = run(world(short_baseline, rung=4), 2, orders, exceptions={"Russia.propose"})
    assert (top.russia.cooperation == 4).all()  # there is no rung past the treaty


def test_tech_transfer_needs_rung_two_unless_excepted(short_baseline: Scenario) -> None:
    order = {"Russia.tech_transfer": True, "Russia.propose": False}
    below = run(world(short_baseline, rung=1), 2, order)
    assert (below.russia.tech_transfers.sum(axis=1) == 0).all()
    excepted = run(world(short_baseline, rung=1), 2, order, exceptions={"Russia.tech_transfer"})
    assert (excepted.russia.tech_transfers.sum(axis=1) == 2).all()
    at_two = run(world(short_baseline, rung=2), 2, order)
    assert (at_two.russia.tech_transfers.sum(axis=1) == 2).all()
    refused = run(world(short_baseline, rung=3), 2, order | {"Russia.tech_transfer": False})
    assert (refused.russia.tech_transfers.sum(axis=1) == 0).all()


@pytest.mark.parametrize("shield", [True, False])
def test_un_shield_order_blocks_what_is_sought(short_baseline: Scenario, shield: bool) -> None:
    model = run(world(short_baseline), 3, {"DPRK.icbm_launch": True, "Russia.un_shield": shield},
                {"un_action_sought": True})
    assert (model.russia.un_blocks == (3 if shield else 0)).all()


@pytest.mark.parametrize("posture", POSTURES)
def test_posture_order(short_baseline: Scenario, posture: str) -> None:
    model = run(world(short_baseline), 2, {"DPRK.posture": posture})
    assert (model.dprk.posture == POSTURES.index(posture)).all()
    assert (model.dprk.coercion_months == (2 if posture == "coercion" else 0)).all()


@pytest.mark.parametrize("accepts", [True, False])
def test_accept_ties_order(short_baseline: Scenario, accepts: bool) -> None:
    model = run(world(short_baseline), 2, {"DPRK.accept_ties": accepts})
    assert (model.dprk.accepts_deeper_ties == accepts).all()


def test_deliveries_order_sets_the_share_shipped(short_baseline: Scenario) -> None:
    doctrine = run(world(short_baseline), 3).trade.shipped_total
    nothing = run(world(short_baseline), 3, {"DPRK.deliveries": 0.0}).trade.shipped_total
    everything = run(world(short_baseline), 3, {"DPRK.deliveries": 1.0}).trade.shipped_total
    assert (nothing == 0).all()
    assert (everything >= doctrine).all() and everything.mean() > doctrine.mean()
    no_deal = run(world(short_baseline, rung=0), 1, {"DPRK.deliveries": 1.0,
                                                     "Russia.propose": False})
    assert (no_deal.trade.shipped_total == 0).all()
    excepted = run(world(short_baseline, rung=0), 1, {"DPRK.deliveries": 1.0,
                                                      "Russia.propose": False},
                   {"ceasefire": False}, exceptions={"DPRK.deliveries"})
    assert (excepted.trade.shipped_total > 0).all()


@pytest.mark.parametrize(("key", "count"), [
    ("DPRK.icbm_launch", lambda m: m.dprk.icbm_launches),
    ("DPRK.satellite_launch", lambda m: m.dprk.satellite_attempts),
])
@pytest.mark.parametrize("launch", [True, False])
def test_launch_orders(short_baseline: Scenario, key: str,
                       count: Callable[[AxisModel], np.ndarray], launch: bool) -> None:
    model = run(world(short_baseline), 3, {key: launch})
    assert (count(model) == (3 if launch else 0)).all()


def test_nuclear_test_order_tests_once_unless_excepted(short_baseline: Scenario) -> None:
    model = run(world(short_baseline), 3, {"DPRK.nuclear_test": True})
    assert model.dprk.nuclear_test.all()
    assert (model.dprk.test_month == 0).all()
    assert logged(model, "nuclear_test") == WORLDS  # the seventh test, once
    again = run(world(short_baseline), 2, {"DPRK.nuclear_test": True},
                exceptions={"DPRK.nuclear_test"})
    assert logged(again, "nuclear_test") == 2 * WORLDS
    never = run(world(short_baseline, actors__DPRK__nuclear_test_hazard=0.9), 3,
                {"DPRK.nuclear_test": False})
    assert not never.dprk.nuclear_test.any()


def test_every_directive_has_a_label_a_meaning_and_a_per() -> None:
    turn = {k for k, d in DIRECTIVES.items() if d.per == "turn"}
    assert {"DPRK.icbm_launch", "DPRK.satellite_launch", "DPRK.nuclear_test",
            "Russia.propose"} <= turn
    assert DIRECTIVES["DPRK.icbm_launch"].label == "Launch an ICBM"
    for d in DIRECTIVES.values():
        assert d.label and d.meaning and d.per in ("month", "turn")
    assert set(GATES) <= set(DIRECTIVES)


# --- one-shot decisions: once a turn ----------------------------------------------------------


def test_turn_orders_act_in_the_first_month_only() -> None:
    orders = {"DPRK.icbm_launch": True, "DPRK.nuclear_test": False, "DPRK.posture": "coercion",
              "DPRK.deliveries": 0.5}
    assert for_month(orders, 0) == orders
    later = for_month(orders, 2)
    assert later == {"DPRK.icbm_launch": False, "DPRK.nuclear_test": False,
                     "DPRK.posture": "coercion", "DPRK.deliveries": 0.5}
    # An order may say otherwise than the directive's own `per`.
    assert for_month({"DPRK.icbm_launch": True}, 1, per={"DPRK.icbm_launch": "month"}) == {
        "DPRK.icbm_launch": True}


def test_one_icbm_this_turn(short_baseline: Scenario) -> None:
    """The bug: "launch an ICBM" on a three-month turn launched three."""
    # Doctrine alone would launch none.
    model = world(short_baseline, actors__DPRK__icbm_probability=0.0)
    for month in range(3):
        model.directives = for_month({"DPRK.icbm_launch": True}, month)
        model.step()
    assert (model.dprk.icbm_launches == 1).all()


# --- why a decision is unavailable ------------------------------------------------------------


def test_unavailable_says_why(short_baseline: Scenario) -> None:
    model = world(short_baseline, rung=1)
    for key in DIRECTIVES:
        assert unavailable(model, key, 0) is None or key in (
            "Russia.tech_transfer",), key
    assert "rung 2" in unavailable(model, "Russia.tech_transfer")  # type: ignore[operator]
    assert can_except(model, "Russia.tech_transfer")

    run(model, 3, {"DPRK.nuclear_test": True})
    reason = unavailable(model, "DPRK.nuclear_test")
    assert reason is not None and "already conducted" in reason
    assert "September 2023" in reason  # the scenario starts in September 2023: the first month
    assert can_except(model, "DPRK.nuclear_test")

    top = world(short_baseline, rung=4)
    for key in ("Russia.propose", "DPRK.accept_ties"):
        reason = unavailable(top, key)
        assert reason is not None and "treaty" in reason
        assert not can_except(top, key)  # no exception makes a rung past the top
    assert "past the naval exercise" in unavailable(top, "China.join_exercise")  # type: ignore[operator]

    peace = world(short_baseline, rung=0, context__russia_artillery_use=100_000.0)
    assert "artillery" in unavailable(peace, "Russia.propose")  # type: ignore[operator]
    assert unavailable(world(short_baseline, rung=0), "Russia.propose") is None
    assert "rung 0" in unavailable(peace, "DPRK.deliveries")  # type: ignore[operator]
    with pytest.raises(ValueError, match="unknown decision"):
        unavailable(model, "DPRK.invade")


def test_unavailable_names_the_month_the_treaty_was_reached(short_baseline: Scenario) -> None:
    model = world(short_baseline, rung=3)
    run(model, 2, {"Russia.propose": True, "DPRK.accept_ties": True})
    assert (model.russia.cooperation == 4).all() and (model.russia.rung_month == 0).all()
    assert "(in September 2023)" in unavailable(model, "Russia.propose")  # type: ignore[operator]


# --- the umpire's rulings on chance events ----------------------------------------------------

MONTHS = 3


Count = Callable[[AxisModel], np.ndarray]


def _ruling_cases() -> dict[str, tuple[dict[str, object], dict[str, bool], dict[str, float],
                                       Count, int | Count]]:
    """Per chance event: the directives and other rulings that set up its precondition, changed
    parameters, what counts it, and its count over MONTHS months if it always happens (a number,
    or the count of its precondition)."""
    icbm = {"DPRK.icbm_launch": True}
    standard = {"actors.DPRK.standard_trajectory_share": 0.999}
    return {
        "ceasefire": ({}, {}, {}, lambda m: m.context.ceasefire.astype(int), 1),
        "leader_summit": ({}, {}, {}, lambda m: m.summits, MONTHS),
        "china_naval_exercise": ({"Russia.propose": True, "DPRK.accept_ties": True}, {}, {},
                                 lambda m: m.russia.naval_exercise.astype(int), 1),
        "exercise_condemned": ({"US.exercise": True}, {}, {},
                               lambda m: m.russia.condemnations, MONTHS),
        "icbm_failure": (icbm, {}, {}, lambda m: m.dprk.icbm_failures, MONTHS),
        "satellite_orbit": ({"DPRK.satellite_launch": True}, {}, {},
                            lambda m: m.dprk.satellites_in_orbit, MONTHS),
        "intercept_attempt": (icbm, {}, standard, lambda m: m.intercept_attempts,
                              lambda m: m.dprk.icbm_standard),
        "intercept_success": (icbm, {"intercept_attempt": True}, standard,
                              lambda m: m.intercept_successes, lambda m: m.dprk.icbm_standard),
        "launchpad_strike": (icbm, {}, {}, lambda m: m.launchpad_strikes, MONTHS),
        "lethal_incident": ({}, {}, {}, lambda m: m.dprk.lethal_incidents, MONTHS),
        "escalation_crisis": ({"DPRK.icbm_launch": False}, {"lethal_incident": True}, {},
                              lambda m: m.crises.count, MONTHS),
        "un_action_sought": (icbm, {"un_action_blocked": True}, {},
                             lambda m: m.russia.un_blocks, MONTHS),
        "un_action_blocked": (icbm, {"un_action_sought": True}, {},
                              lambda m: m.russia.un_blocks, MONTHS),
        "parallel_sanctions": ({}, {}, {}, lambda m: (
            m.us.sanctioning_parties - m.params["actors.US.initial_sanctioning_parties"]
        ).astype(int), MONTHS),
    }


RULING_CASES = _ruling_cases()


def test_every_chance_event_has_a_ruling_test() -> None:
    assert set(RULING_CASES) == set(CHANCE_EVENTS) == set(CHANCE_EVENT_ROWS)
    assert {row[0] for row in CHANCE_EVENT_ROWS.values() if row} <= set(EVENTS)
    assert {"ceasefire", "icbm_failure", "satellite_orbit", "intercept_success",
            "lethal_incident", "escalation_crisis", "un_action_blocked",
            "china_naval_exercise"} <= set(CHANCE_EVENTS)


@pytest.mark.parametrize("event", list(RULING_CASES))
@pytest.mark.parametrize("happened", [True, False])
def test_a_ruling_forces_the_chance_event(short_baseline: Scenario, event: str,
                                          happened: bool) -> None:
    directives, rulings, params, count, always = RULING_CASES[event]
    rung = 2 if event == "china_naval_exercise" else None
    model = world(short_baseline, rung=rung, **{k.replace(".", "__"): v
                                                for k, v in params.items()})
    run(model, MONTHS, directives, rulings | {event: happened})
    expected = always(model) if callable(always) else np.full(WORLDS, always)
    assert expected.sum() > 0  # the precondition held: the ruling had something to decide
    assert (count(model) == (expected if happened else 0)).all(), event
    # The model's own value, read back from the log as a ruling keeps it beside the umpire's.
    rows = model.log.to_frame().to_dict("records")
    assert chance_happened(rows, event) in (happened, None)
    assert (chance_happened(rows, event) is None) == (CHANCE_EVENT_ROWS[event] is None)


@pytest.mark.parametrize("event", ["ceasefire", "lethal_incident", "leader_summit"])
def test_doctrine_draws_both_ways_without_a_ruling(short_baseline: Scenario, event: str) -> None:
    """The ruling tests can fail: left to chance, the same counts differ from world to world."""
    directives, rulings, _, count, _ = RULING_CASES[event]
    model = run(world(short_baseline), 12, directives, rulings)
    assert len(set(count(model).tolist())) > 1


def test_rulings_are_checked() -> None:
    assert check_event("ceasefire", "yes") is True
    with pytest.raises(ValueError, match="unknown chance event"):
        check_event("alien_landing", True)
    with pytest.raises(ValueError, match="yes or no"):
        check_event("ceasefire", "perhaps")


# --- nothing changes without them -------------------------------------------------------------


def _fingerprint(model: AxisModel) -> tuple[np.ndarray, list[dict[str, object]]]:
    while model.running:
        model.step()
    return record(model), model.log.to_frame().to_dict("records")


def test_empty_rulings_and_exceptions_change_nothing(short_baseline: Scenario) -> None:
    plain = _fingerprint(world(short_baseline, seed=4))
    empty = world(short_baseline, seed=4)
    empty.directives, empty.rulings, empty.exceptions = {}, {}, set()
    again = _fingerprint(empty)
    assert np.array_equal(plain[0], again[0]) and plain[1] == again[1]
    # An exception with no directive to let past, and a ruling that agrees with a chance that
    # is zero, leave every draw where it was.
    quiet = world(short_baseline, seed=4, context__ceasefire_hazard=0.0)
    ruled = world(short_baseline, seed=4, context__ceasefire_hazard=0.0)
    ruled.rulings, ruled.exceptions = {"ceasefire": False}, {"Russia.propose", "DPRK.deliveries"}
    first, second = _fingerprint(quiet), _fingerprint(ruled)
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    assert not np.array_equal(plain[0], first[0])  # the comparison sees a change when there is one
