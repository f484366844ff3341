"""Each link of the options' causal chains moves the way the seed says, on paired worlds.

Every comparison runs the same worlds with the same draws (common random numbers), changing
one thing, so the difference is the mechanism's.
"""

from __future__ import annotations

import numpy as np
import pytest

from axis_sim.experiment.sampling import sample_parameters
from axis_sim.model.metrics import METRIC_NAMES, record
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel
from axis_sim.scenario.schema import Scenario

WORLDS = 2000


def finals(scenario: Scenario, portfolio: tuple[str, ...] = (), months: int | None = None,
           seed: int = 4, **changes: float) -> dict[str, np.ndarray]:
    """Outcomes after `months` (default: the horizon) with parameters changed by `changes`
    (keys are parameter paths with `__` for dots)."""
    params = sample_parameters(scenario, WORLDS, "random", parameter_rng(seed, 0))
    for key, value in changes.items():
        params[key.replace("__", ".")] = np.full(WORLDS, value)
    model = AxisModel(scenario, params, seed=seed, portfolio=portfolio)
    for _ in range(months or scenario.meta.horizon_months):
        model.step()
    return dict(zip(METRIC_NAMES, record(model), strict=True))


def test_status_quo_lists_at_treasurys_pre_start_pace(baseline: Scenario) -> None:
    """actors.US.listing_in_force: ~4 listings in the 9 months after the Wagner transfer
    (≈ 0.45 a month); status quo should list at about that pace over the horizon (slower in
    the first year, while the evidence that identifies entities builds up)."""
    sq = finals(baseline)
    initial = baseline.actors["US"]["initial_listed_entities"].value
    pace = (sq["listed_entities"].mean() - initial) / baseline.meta.horizon_months
    assert 0.3 <= pace <= 0.6, pace
    # Without the policy in force, status quo lists no one.
    none = finals(baseline, months=12, actors__US__listing_in_force=0.0)
    assert (none["listed_entities"] == initial).all()


def test_declaration_deters_standard_trajectories_by_the_risk_it_creates(
        baseline: Scenario) -> None:
    """The more likely an in-flight attempt, the fewer standard-trajectory shots Pyongyang
    chooses — and with no aversion to losing a missile, the declaration deters nothing."""
    declared, deterred = ("intercept_declaration",), {"actors__DPRK__declaration_response": 0.0}
    standard = [finals(baseline, declared, options__intercept_declaration__attempt_probability=p,
                       **deterred)["icbm_standard_trajectory"].mean()
                for p in (0.0, 0.3, 0.6, 0.9)]
    assert standard == sorted(standard, reverse=True) and standard[-1] < 0.5 * standard[0]
    indifferent = finals(baseline, declared, actors__DPRK__intercept_aversion=0.0,
                         options__intercept_declaration__launchpad_strike_probability=0.0,
                         **deterred)
    status_quo = finals(baseline, (), actors__DPRK__intercept_aversion=0.0, **deterred)
    assert indifferent["icbm_launches"].mean() == pytest.approx(
        status_quo["icbm_launches"].mean(), rel=0.02)


def test_a_provoked_pyongyang_answers_the_declaration_with_more_launches(
        baseline: Scenario) -> None:
    """The other structural form: the more credible the declared posture, the more ICBM
    launches and signalling months — the opposite of deterrence."""
    provoked = {"actors__DPRK__declaration_response": 1.0}
    launches = [finals(baseline, ("intercept_declaration",),
                       options__intercept_declaration__attempt_probability=p, **provoked)
                for p in (0.0, 0.5, 1.0)]
    icbm = [f["icbm_launches"].mean() for f in launches]
    assert icbm == sorted(icbm) and icbm[-1] > icbm[0] + 0.5


def test_shared_warning_feeds_detection_and_listings(baseline: Scenario) -> None:
    """Trilateral integration's warning gain → detection of transfers → entities identified →
    more listed even at status quo's listing pace."""
    sq = finals(baseline)
    on = finals(baseline, ("trilateral_integration",))
    off = finals(baseline, ("trilateral_integration",),
                 options__trilateral_integration__warning_quality_gain=0.0)
    assert on["transfer_detection"].mean() > off["transfer_detection"].mean() + 0.05
    assert on["listed_entities"].mean() > off["listed_entities"].mean() > 0
    assert off["listed_entities"].mean() == pytest.approx(sq["listed_entities"].mean(), rel=0.1)


def test_disclosure_drives_the_axis_covert_and_costs_sources(baseline: Scenario) -> None:
    on = finals(baseline, ("public_disclosure",))
    no_shift = finals(baseline, ("public_disclosure",),
                      options__public_disclosure__covert_shift=0.0)
    assert on["covert_share"].mean() > no_shift["covert_share"].mean()
    assert on["transfer_detection"].mean() < no_shift["transfer_detection"].mean()
    assert on["public_exposure"].mean() > finals(baseline)["public_exposure"].mean()


def test_warning_beijing_moves_china_toward_distance_or_quiet_enforcement(
        baseline: Scenario) -> None:
    heeds = {"actors__China__warning_response": 0.0}
    sq, warned = finals(baseline, **heeds), finals(baseline, ("warn_beijing",), **heeds)
    assert warned["china_alignment"].mean() < sq["china_alignment"].mean() - 0.03
    assert warned["china_enforcement_months"].mean() > sq["china_enforcement_months"].mean()
    # Enforcement squeezes the DPRK's economy: its food and energy gap widens.
    assert warned["dprk_food_energy_gap"].mean() > sq["dprk_food_energy_gap"].mean()
    # Where Beijing defies, the same warning draws it closer to the axis and no enforcement.
    defies = {"actors__China__warning_response": 1.0}
    sq, defied = finals(baseline, **defies), finals(baseline, ("warn_beijing",), **defies)
    assert defied["china_alignment"].mean() > sq["china_alignment"].mean()
    assert defied["china_enforcement_months"].mean() <= sq["china_enforcement_months"].mean()


def test_listings_reroute_deliveries_to_the_sea_where_that_form_holds(
        baseline: Scenario) -> None:
    """Where rerouting holds, listings that bite the railway push deliveries onto ships, so
    they cut less; where they bite, the sea route stays unused."""
    bite, reroute = {"actors__Russia__listing_response": 0.0}, \
        {"actors__Russia__listing_response": 1.0}
    listed_bite = finals(baseline, ("sanctions_listing",), **bite)
    listed_reroute = finals(baseline, ("sanctions_listing",), **reroute)
    cut = {form: finals(baseline, **f)["munitions_shipped"].mean() - listed["munitions_shipped"]
           .mean() for form, f, listed in (("bite", bite, listed_bite),
                                           ("reroute", reroute, listed_reroute))}
    assert cut["reroute"] < cut["bite"]
    # Higher rail friction moves more of the trade to sea.
    low = finals(baseline, ("sanctions_listing",), context__sanctions_listing_friction=0.2,
                 **reroute)
    high = finals(baseline, ("sanctions_listing",), context__sanctions_listing_friction=0.8,
                  **reroute)
    assert high["sea_share"].mean() > low["sea_share"].mean()


def test_firmer_deterrence_makes_the_seventh_test_rarer(baseline: Scenario) -> None:
    firm = finals(baseline, ("intercept_declaration",),
                  options__intercept_declaration__deterrence_gain=0.3)
    none = finals(baseline, ("intercept_declaration",),
                  options__intercept_declaration__deterrence_gain=0.0)
    assert firm["extended_deterrence"].mean() > none["extended_deterrence"].mean() + 0.1
    assert firm["nuclear_test"].mean() < none["nuclear_test"].mean()
    assert firm["coercive_months"].mean() < none["coercive_months"].mean()
