"""Each actor responds to what the other side does (paired worlds, one thing changed)."""

from __future__ import annotations

import numpy as np

from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel
from axis_sim.scenario.schema import Scenario

WORLDS = 1000


def model(scenario: Scenario, portfolio: tuple[str, ...] = (), **changes: float) -> AxisModel:
    params = sample_parameters(scenario, WORLDS, "random", parameter_rng(11, 0))
    for key, value in changes.items():
        params[key.replace("__", ".")] = np.full(WORLDS, value)
    return AxisModel(scenario, params, seed=11, portfolio=portfolio)


def twins_around_a_test(scenario: Scenario) -> tuple[AxisModel, AxisModel]:
    """Two copies of the same worlds, one month in; in the second month Pyongyang tests in
    one (a directive, as a seminar team would order it) and not in the other."""
    quiet, tested = model(scenario), model(scenario)
    for twin, test in ((quiet, False), (tested, True)):
        twin.step()
        twin.directives = {"DPRK.nuclear_test": test}
        twin.step()
        twin.directives = {}
    return quiet, tested


def test_the_us_answers_a_test_with_deployments_then_an_exercise(baseline: Scenario) -> None:
    quiet, tested = twins_around_a_test(baseline)
    # Strategic assets deployed in the month of the test: deterrence credibility rises.
    assert (tested.us.extended_deterrence >= quiet.us.extended_deterrence).all()
    assert tested.us.extended_deterrence.mean() > quiet.us.extended_deterrence.mean() + 0.005
    before = {id(t): t.us.exercises.copy() for t in (quiet, tested)}
    for twin in (quiet, tested):
        twin.step()
    held = {id(t): (t.us.exercises - before[id(t)]).mean() for t in (quiet, tested)}
    assert held[id(tested)] > held[id(quiet)] + 0.1


def test_seoul_and_tokyo_rally_after_a_nuclear_test(baseline: Scenario) -> None:
    """A test makes backing trilateral cooperation likelier the next month."""
    quiet, tested = twins_around_a_test(baseline)
    for twin in (quiet, tested):
        twin.step()
    assert tested.rok.backs_trilateral.mean() > quiet.rok.backs_trilateral.mean() + 0.05
    assert tested.japan.backs_trilateral.mean() > quiet.japan.backs_trilateral.mean() + 0.05


def test_russia_answers_allied_moves_in_asia_with_transfers(baseline: Scenario) -> None:
    """More allied exercises (trilateral integration) bring more Russian transfers, and the
    more so the stronger Moscow's retaliation."""
    runs = {}
    for retaliation in (0.0, 0.1):
        for portfolio in ((), ("trilateral_integration",)):
            m = model(baseline, portfolio, actors__Russia__asia_retaliation=retaliation,
                      actors__Russia__initial_cooperation_level=2.0)
            while m.running:
                m.step()
            runs[retaliation, portfolio] = m.russia.tech_transfers.sum(axis=1).mean()
    extra = {r: runs[r, ("trilateral_integration",)] - runs[r, ()] for r in (0.0, 0.1)}
    assert extra[0.1] > extra[0.0] + 0.2


def test_pyongyang_fears_abandonment_when_moscow_warms_to_seoul(baseline: Scenario) -> None:
    cool, warm = model(baseline), model(baseline)
    warm.russia.rok_ties = warm.russia.rok_ties + 0.5
    for m in (cool, warm):
        m.step()
    assert warm.dprk.accepts_deeper_ties.mean() > cool.dprk.accepts_deeper_ties.mean()


def test_blocks_at_the_un_erode_sanctions_and_ease_the_dprks_shortfall(
        baseline: Scenario) -> None:
    shielded = model(baseline, actors__Russia__un_shield_probability=1.0)
    exposed = model(baseline, actors__Russia__un_shield_probability=0.0)
    for m in (shielded, exposed):
        while m.running:
            m.step()
    assert shielded.russia.un_erosion.mean() > 0.1 and exposed.russia.un_erosion.max() == 0
    assert shielded.dprk.food_energy_gap.mean() < exposed.dprk.food_energy_gap.mean()


def test_pyongyang_ships_less_as_its_reserve_runs_down(baseline: Scenario) -> None:
    """How much to ship is Pyongyang's choice: with no concern for its reserve it ships what it
    can; the more it cares, the less it ships once the stockpile is drawn down."""
    shipped = {}
    for concern in (0.0, 4.0):
        m = model(baseline, actors__DPRK__reserve_concern=concern)
        while m.running:
            m.step()
        shipped[concern] = m.trade.shipped_total.mean()
    assert shipped[4.0] < 0.95 * shipped[0.0]


def test_russia_opens_the_arms_trade_only_while_its_war_outruns_its_factories(
        baseline: Scenario) -> None:
    """Rung 1 is arms for food and energy: from rung 0, Moscow proposes it only while its war
    consumes more artillery than it produces (the 2016 and 2019 backtests climbed it in peace,
    when no arms trade happened). Same worlds, only the war's demand changed."""
    climbed = {}
    for use in (50_000.0, 300_000.0):  # below and above the baseline's shell production
        m = model(baseline, **{"actors__Russia__initial_cooperation_level": 0.0,
                               "context__russia_artillery_use": use})
        for _ in range(24):
            m.step()
        climbed[use] = (m.russia.cooperation > 0).mean()
    assert climbed[50_000.0] == 0.0
    assert climbed[300_000.0] > 0.3
