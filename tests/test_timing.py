"""Events happen when the situation makes them likely, not on a calendar; tempo has regimes.

Paired comparisons: the same worlds and draws, one parameter changed.
"""

from __future__ import annotations

import numpy as np

from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model.russia import TREATY_LEVEL
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel, is_due
from axis_sim.scenario.schema import Scenario, month_index

WORLDS = 2000


def play(scenario: Scenario, portfolio: tuple[str, ...] = (), **changes: float) -> AxisModel:
    params = sample_parameters(scenario, WORLDS, "random", parameter_rng(9, 0))
    for key, value in changes.items():
        params[key.replace("__", ".")] = np.full(WORLDS, value)
    model = AxisModel(scenario, params, seed=9, portfolio=portfolio, watched=np.arange(WORLDS))
    while model.running:
        model.step()
    return model


def scheduled_months(scenario: Scenario, kind: str) -> set[int]:
    start = scenario.meta.start
    return {m for e in scenario.events if e.kind == kind
            for m in range(scenario.meta.horizon_months)
            if is_due(month_index(start, e.month), e.every_months, m)}


def test_summits_and_ladder_steps_happen_off_the_calendar(baseline: Scenario) -> None:
    events = play(baseline).log.to_frame()
    summits = set(events.loc[events["event"] == "leader_summit", "month"])
    listed = scheduled_months(baseline, "leader_summit")
    assert len(summits - listed) >= baseline.meta.horizon_months - len(listed) - 2
    steps = set(events.loc[events["event"] == "cooperation_step", "month"])
    assert len(steps) >= baseline.meta.horizon_months // 2


def test_summits_are_likelier_the_more_both_sides_need_each_other(baseline: Scenario) -> None:
    calm = play(baseline, actors__DPRK__initial_food_energy_gap=0.1,
                actors__DPRK__food_energy_gap_drift=0.0)
    hungry = play(baseline, actors__DPRK__initial_food_energy_gap=0.9)
    assert hungry.summits.mean() > calm.summits.mean() + 0.2


def test_trust_and_need_speed_the_ladder(baseline: Scenario) -> None:
    low = play(baseline, actors__Russia__initial_trust=0.1)
    high = play(baseline, actors__Russia__initial_trust=0.6)
    assert high.russia.cooperation.mean() > low.russia.cooperation.mean()
    slow = play(baseline, actors__Russia__fast_step_weight=0.0)
    fast = play(baseline, actors__Russia__fast_step_weight=6.0)
    assert fast.russia.cooperation.mean() > slow.russia.cooperation.mean()


def test_the_treaty_brings_transfers_and_holds_allies_back(baseline: Scenario) -> None:
    start_at_treaty = {"actors__Russia__initial_cooperation_level": float(TREATY_LEVEL)}
    plain = play(baseline, ("intercept_declaration",),
                 actors__Russia__treaty_transfer_multiplier=1.0,
                 actors__Russia__treaty_restraint_on_allies=0.0, **start_at_treaty)
    treaty = play(baseline, ("intercept_declaration",), **start_at_treaty)
    assert treaty.russia.tech_transfers.sum(axis=1).mean() > \
        plain.russia.tech_transfers.sum(axis=1).mean()
    assert treaty.launchpad_strikes.mean() < plain.launchpad_strikes.mean()


def test_icbm_tempo_drops_once_the_campaign_is_complete(baseline: Scenario) -> None:
    campaign = play(baseline, actors__DPRK__completion_lull=0.0)
    lull = play(baseline, actors__DPRK__completion_lull=0.9)
    assert lull.dprk.icbm_launches.mean() < 0.9 * campaign.dprk.icbm_launches.mean()
    # Worlds that never complete the programme do not lull.
    never = play(baseline, actors__DPRK__completion_maturity=1.0,
                 actors__DPRK__completion_lull=0.9)
    assert never.dprk.icbm_launches.mean() == campaign.dprk.icbm_launches.mean()
