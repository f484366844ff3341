"""The outcome catalogue: every quantity the model reports, per world, at the end of each month.

Cumulative counts never fall, so "has X happened by month k" is `value > 0` at month k.
`docs/outcomes.md` lists the same catalogue for readers; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from axis_sim.model.actors import TREATY_LEVEL

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel


@dataclass(frozen=True)
class Metric:
    """One reported quantity: its unit, meaning, whether it only accumulates, and how to read it."""

    unit: str
    meaning: str
    cumulative: bool
    read: Callable[[AxisModel], np.ndarray]


METRICS: dict[str, Metric] = {
    "summits_held": Metric("summits", "Kim–Putin leader summits held so far", True,
                           lambda m: m.summits),
    "cooperation_level": Metric(
        "rung 0-4", "Cooperation ladder: 1 arms-for-food, 2 technology transfer, "
        "3 joint naval exercise, 4 treaty reactivated", False, lambda m: m.russia.cooperation),
    "treaty_reactivated": Metric("0/1", "1961 Treaty of Friendship, Co-operation and Mutual "
                                 "Assistance reactivated (rung 4)",
                                 True, lambda m: m.russia.cooperation >= TREATY_LEVEL),
    "munitions_shipped": Metric("rounds", "Artillery rounds shipped to Russia so far", True,
                                lambda m: m.trade.shipped_total),
    "railcars_month": Metric("railcars/month", "Railcars of munitions this month at "
                             "Tumangang–Khasan", False,
                             lambda m: m.trade.shipped_month / m.params[
                                 "actors.DPRK.rounds_per_railcar"]),
    "tech_transfers": Metric("transfers", "Russian technology transfers so far, all programmes",
                             True, lambda m: m.russia.tech_transfers.sum(axis=1)),
    "satellite_attempts": Metric("launches", "Satellite launch attempts so far", True,
                                 lambda m: m.dprk.satellite_attempts),
    "satellites_in_orbit": Metric("satellites", "Reconnaissance satellites put in orbit so far",
                                  True, lambda m: m.dprk.satellites_in_orbit),
    "ballistic_launches": Metric("launch events", "Ballistic-missile launch events so far", True,
                                 lambda m: m.dprk.launches),
    "icbm_launches": Metric("launches", "ICBM launches so far", True,
                            lambda m: m.dprk.icbm_launches),
    "icbm_standard_trajectory": Metric("launches", "ICBM launches on a standard (not lofted) "
                                       "trajectory so far", True, lambda m: m.dprk.icbm_standard),
    "nuclear_test": Metric("0/1", "Seventh nuclear test conducted", True,
                           lambda m: m.dprk.nuclear_test),
    "maturity_satellite": Metric("index 0-1", "Reconnaissance-satellite programme maturity",
                                 False, lambda m: m.dprk.maturity[:, 0]),
    "maturity_submarine": Metric("index 0-1", "Nuclear-powered submarine programme maturity",
                                 False, lambda m: m.dprk.maturity[:, 1]),
    "maturity_icbm": Metric("index 0-1", "Solid-propellant ICBM programme maturity", False,
                            lambda m: m.dprk.maturity[:, 2]),
    "lethal_incidents": Metric("incidents", "Lethal DPRK uses of force on the peninsula so far",
                               True, lambda m: m.dprk.lethal_incidents),
    "intercept_attempts": Metric("attempts", "Allied intercept attempts so far", True,
                                 lambda m: m.intercept_attempts),
    "intercept_successes": Metric("intercepts", "Successful intercepts so far", True,
                                  lambda m: m.intercept_successes),
    "escalation_crises": Metric("crises", "Escalation crises so far (incidents, intercepts)",
                                True, lambda m: m.crises.count),
    "china_naval_exercise": Metric("0/1", "China has joined a naval exercise with Russia and "
                                   "the DPRK", True, lambda m: m.china.naval_exercise),
    "china_alignment": Metric("index 0-1", "China's alignment with the axis", False,
                              lambda m: m.china.alignment),
    "un_actions_blocked": Metric("actions", "Security Council punitive actions blocked by Russia "
                                 "so far", True, lambda m: m.russia.un_blocks),
    "alliance_cohesion": Metric("index 0-1", "US–ROK–Japan alliance cohesion", False,
                                lambda m: m.us.cohesion),
    "warning_quality": Metric("index 0-1", "Shared missile-warning quality", False,
                              lambda m: m.us.warning_quality),
    "listed_entities": Metric("entities", "Designations of Russian entities so far (fronts "
                              "included)", True,
                              lambda m: m.trade.listings + m.params[
                                  "actors.US.initial_listed_entities"]),
    "sanctioning_parties": Metric("parties", "Parties imposing parallel sanctions", True,
                                  lambda m: m.us.sanctioning_parties),
    "evasion_capacity": Metric("share", "Share of the procurement network not designated", False,
                               lambda m: 1.0 - m.trade.listed.mean(axis=1)),
    "dprk_food_energy_gap": Metric("index 0-1", "DPRK food and energy shortfall", False,
                                   lambda m: m.dprk.food_energy_gap),
    "russia_munitions_gap": Metric("rounds/month", "Russia's artillery shortfall before imports",
                                   False, lambda m: m.context.munitions_gap),
    "us_china_tension": Metric("index 0-1", "US–China tension", False,
                               lambda m: m.us.us_china_tension),
}
METRIC_NAMES: tuple[str, ...] = tuple(METRICS)


def record(model: AxisModel) -> np.ndarray:
    """Every metric for every world now: shape (metrics, worlds), float64."""
    return np.stack([np.asarray(METRICS[n].read(model), dtype=np.float64) for n in METRIC_NAMES])
