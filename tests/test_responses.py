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


def test_seoul_and_tokyo_rally_after_a_nuclear_test(baseline: Scenario) -> None:
    """A test this month makes backing trilateral cooperation likelier next month."""
    quiet, tested = model(baseline), model(baseline)
    for m in (quiet, tested):
        m.step()
    tested.dprk.month_test[:] = True
    quiet.dprk.month_test[:] = False
    for m in (quiet, tested):
        m.step()
    assert tested.rok.backs_trilateral.mean() > quiet.rok.backs_trilateral.mean() + 0.05
    assert tested.japan.backs_trilateral.mean() > quiet.japan.backs_trilateral.mean() + 0.05


def test_the_us_answers_provocations_with_exercises_and_deployments(baseline: Scenario) -> None:
    calm, provoked = model(baseline), model(baseline)
    for m in (calm, provoked):
        m.step()
    provoked.dprk.month_icbm[:] = True
    calm.dprk.month_icbm[:] = False
    deterrence = {id(m): m.us.extended_deterrence.copy() for m in (calm, provoked)}
    for m in (calm, provoked):
        m.step()
    assert provoked.us.exercises.mean() > calm.us.exercises.mean() + 0.1
    gain = {k: v for k, v in ((id(m), m.us.extended_deterrence - deterrence[id(m)])
                              for m in (calm, provoked))}
    assert gain[id(provoked)].mean() > gain[id(calm)].mean()


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
