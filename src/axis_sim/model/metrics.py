"""The outcome catalogue: every quantity the model reports, per world, at the end of each month.

Cumulative counts never fall, so "has X happened by month k" is `value > 0` at month k.
`docs/outcomes.md` lists the same catalogue for readers; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from axis_sim.model.russia import PROGRAMMES, TREATY_LEVEL

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel


@dataclass(frozen=True)
class Metric:
    """One reported quantity: its unit, meaning, whether it only accumulates, and how to read it."""

    unit: str
    meaning: str
    cumulative: bool
    read: Callable[[AxisModel], np.ndarray]
    reads: tuple[str, ...] = ()  # the state or tallies it reports (the causal graph, rules.py)


def _programme(index: int) -> Callable[[AxisModel], np.ndarray]:
    return lambda m: m.dprk.maturity[:, index]


def _transfers(index: int) -> Callable[[AxisModel], np.ndarray]:
    return lambda m: m.russia.tech_transfers[:, index]


METRICS: dict[str, Metric] = {
    "summits_held": Metric("summits", "Kim–Putin leader summits held so far", True,
                           lambda m: m.summits,
                 reads=('model.summits',)),
    "cooperation_level": Metric(
        "rung 0-4", "Cooperation ladder: 1 arms for food and energy, 2 technology transfer, "
        "3 joint naval exercise with China, 4 treaty reactivated", False,
        lambda m: m.russia.cooperation,
                 reads=('russia.cooperation',)),
    "treaty_reactivated": Metric("0/1", "Treaty of Friendship, Co-operation and Mutual "
                                 "Assistance reactivated (rung 4)", True,
                                 lambda m: m.russia.cooperation >= TREATY_LEVEL,
                 reads=('russia.cooperation',)),
    "russia_dprk_trust": Metric("index 0-1", "Trust between Moscow and Pyongyang, built by "
                                "deliveries", False, lambda m: m.russia.trust,
                 reads=('russia.trust',)),
    "munitions_shipped": Metric("rounds", "Artillery rounds shipped to Russia so far", True,
                                lambda m: m.trade.shipped_total,
                 reads=('trade.shipped_total',)),
    "munitions_railcars_month": Metric("railcars/month", "Railcars of munitions across "
                                       "Tumangang–Khasan this month", False,
                                       lambda m: m.trade.munitions_cars,
                 reads=('trade.munitions_cars',)),
    "ore_cars_khasan_month": Metric("railcars/month", "Ore cars at Khasan this month", False,
                                    lambda m: m.trade.ore_cars,
                 reads=('trade.ore_cars',)),
    "tank_cars_tumangang_month": Metric("railcars/month", "Oil tank cars at Tumangang this "
                                        "month", False, lambda m: m.trade.tank_cars,
                 reads=('trade.tank_cars',)),
    "missiles_rockets_transferred": Metric("systems", "Missiles and large-calibre rockets "
                                           "transferred to Russia so far", True,
                                           lambda m: m.trade.systems_total,
                 reads=('trade.systems_total',)),
    "dprk_stockpile": Metric("rounds", "DPRK artillery stockpile left", False,
                             lambda m: m.dprk.stockpile,
                 reads=('dprk.stockpile',)),
    "tech_transfers": Metric("transfers", "Russian technology transfers so far, all programmes",
                             True, lambda m: m.russia.tech_transfers.sum(axis=1),
                 reads=('russia.tech_transfers',)),
    **{f"tech_transfers_{p}": Metric("transfers", f"Russian technology transfers so far to the "
                                     f"{p} programme", True, _transfers(i),
                                     ("russia.tech_transfers",))
       for i, p in enumerate(PROGRAMMES)},
    **{f"maturity_{p}": Metric("index 0-1", f"Maturity of the DPRK {p} programme", False,
                               _programme(i), ("dprk.maturity",))
       for i, p in enumerate(PROGRAMMES)},
    "satellite_attempts": Metric("launches", "Satellite launch attempts so far", True,
                                 lambda m: m.dprk.satellite_attempts,
                 reads=('dprk.satellite_attempts',)),
    "satellites_in_orbit": Metric("satellites", "Reconnaissance satellites put in orbit so far",
                                  True, lambda m: m.dprk.satellites_in_orbit,
                 reads=('dprk.satellites_in_orbit',)),
    "ballistic_launches": Metric("launch events", "Ballistic-missile launch events so far, all "
                                 "ranges", True, lambda m: m.dprk.launches,
                 reads=('dprk.srbm_launches', 'dprk.irbm_launches', 'dprk.icbm_launches')),
    "short_range_launches": Metric("launch events", "Short-range ballistic launch events so far",
                                   True, lambda m: m.dprk.srbm_launches,
                 reads=('dprk.srbm_launches',)),
    "intermediate_range_launches": Metric("launch events", "Intermediate-range launch events so "
                                          "far", True, lambda m: m.dprk.irbm_launches,
                 reads=('dprk.irbm_launches',)),
    "icbm_launches": Metric("launches", "ICBM launches so far", True,
                            lambda m: m.dprk.icbm_launches,
                 reads=('dprk.icbm_launches',)),
    "icbm_standard_trajectory": Metric("launches", "ICBM launches on a standard (not lofted) "
                                       "trajectory so far", True, lambda m: m.dprk.icbm_standard,
                 reads=('dprk.icbm_standard',)),
    "icbm_failures": Metric("launches", "ICBM launches that failed (success chance = ICBM "
                            "maturity) so far", True, lambda m: m.dprk.icbm_failures,
                 reads=('dprk.icbm_failures',)),
    "nuclear_test": Metric("0/1", "Seventh nuclear test conducted", True,
                           lambda m: m.dprk.nuclear_test,
                 reads=('dprk.nuclear_test',)),
    "coercive_months": Metric("months", "Months the DPRK held a coercive posture", True,
                              lambda m: m.dprk.coercion_months,
                 reads=('dprk.coercion_months',)),
    "lethal_incidents": Metric("incidents", "Lethal DPRK uses of force on the peninsula so far",
                               True, lambda m: m.dprk.lethal_incidents,
                 reads=('dprk.lethal_incidents',)),
    "intercept_attempts": Metric("attempts", "Allied intercept attempts so far", True,
                                 lambda m: m.intercept_attempts,
                 reads=('model.intercept_attempts',)),
    "intercept_successes": Metric("intercepts", "Successful intercepts so far", True,
                                  lambda m: m.intercept_successes,
                 reads=('model.intercept_successes',)),
    "escalation_crises": Metric("crises", "Escalation crises so far (incidents, intercepts)",
                                True, lambda m: m.crises.count,
                 reads=('crises.count', 'crises.allied_action')),
    "china_naval_exercise": Metric("0/1", "China has joined a naval exercise with Russia and "
                                   "the DPRK (rung 3)", True,
                                   lambda m: m.russia.naval_exercise,
                 reads=('russia.naval_exercise',)),
    "china_alignment": Metric("index 0-1", "China's alignment with the axis", False,
                              lambda m: m.china.alignment,
                 reads=('china.alignment',)),
    "un_actions_blocked": Metric("actions", "Security Council punitive actions blocked by Russia "
                                 "so far", True, lambda m: m.russia.un_blocks,
                 reads=('russia.un_blocks',)),
    "exercise_condemnations": Metric("statements", "Russian condemnations of allied exercises so "
                                     "far", True, lambda m: m.russia.condemnations,
                 reads=('russia.condemnations',)),
    "allied_exercises": Metric("exercises", "Allied exercise months so far", True,
                               lambda m: m.us.exercises,
                 reads=('us.exercises',)),
    "alliance_cohesion": Metric("index 0-1", "US–ROK–Japan alliance cohesion", False,
                                lambda m: m.us.cohesion,
                 reads=('us.cohesion',)),
    "extended_deterrence": Metric("index 0-1", "Credibility of US extended deterrence", False,
                                  lambda m: m.us.extended_deterrence,
                 reads=('us.extended_deterrence',)),
    "warning_quality": Metric("index 0-1", "Shared missile-warning quality", False,
                              lambda m: m.us.warning_quality,
                 reads=('us.warning_quality',)),
    "listed_entities": Metric("entities", "Designations of Russian entities so far (new fronts "
                              "included)", True,
                              lambda m: m.trade.listings + m.params[
                                  "actors.US.initial_listed_entities"],
                 reads=('trade.listings',)),
    "sanctioning_parties": Metric("parties", "Parties imposing parallel sanctions", True,
                                  lambda m: m.us.sanctioning_parties,
                 reads=('us.sanctioning_parties',)),
    "evasion_capacity": Metric("share", "Share of the procurement network not designated", False,
                               lambda m: 1.0 - m.trade.listed.mean(axis=1),
                 reads=('trade.listed',)),
    "dprk_food_energy_gap": Metric("index 0-1", "DPRK food and energy shortfall", False,
                                   lambda m: m.dprk.food_energy_gap,
                 reads=('dprk.food_energy_gap',)),
    "russia_munitions_gap": Metric("rounds/month", "Russia's artillery shortfall before imports",
                                   False, lambda m: m.context.munitions_gap,
                 reads=('context.munitions_gap',)),
    "russia_artillery_supply": Metric("share", "Share of Russia's artillery demand in Ukraine met "
                                      "by its production and DPRK deliveries this month", False,
                                      lambda m: m.trade.supply_share,
                 reads=('trade.supply_share',)),
    "allied_action_crises": Metric(
        "crises", "Escalation crises set off by allied intercepts or launchpad strikes so far",
        True, lambda m: m.crises.allied_action, ("crises.allied_action",)),
    "launchpad_strikes": Metric("strikes", "Allied strikes on ICBM launches in preparation so "
                                "far", True, lambda m: m.launchpad_strikes,
                                ("model.launchpad_strikes",)),
    "transfer_detection": Metric("share", "Share of this month's transfers allied intelligence "
                                 "detects", False, lambda m: m.trade.detection,
                                 ("trade.detection",)),
    "sea_share": Metric("share", "Share of deliveries sent by sea from Rajin rather than by rail",
                        False, lambda m: m.trade.sea_share, ("trade.sea_share",)),
    "covert_share": Metric("share", "Share of transfers moved to covert channels", False,
                           lambda m: m.trade.covert_share, ("trade.covert_share",)),
    "public_exposure": Metric("index 0-1", "The public record of the axis' dealings built by "
                              "disclosures", False, lambda m: m.us.exposure, ("us.exposure",)),
    "china_enforcement_months": Metric("months", "Months Beijing quietly squeezed the DPRK's "
                                       "economy", True, lambda m: m.china.enforcement_months,
                                       ("china.enforcement_months",)),
    "us_china_tension": Metric("index 0-1", "US–China tension", False,
                               lambda m: m.us.us_china_tension,
                 reads=('us.us_china_tension',)),
}
METRIC_NAMES: tuple[str, ...] = tuple(METRICS)


def record(model: AxisModel, names: tuple[str, ...] = METRIC_NAMES) -> np.ndarray:
    """The named metrics (default: all) for every world now: shape (metrics, worlds), float64."""
    return np.stack([np.asarray(METRICS[n].read(model), dtype=np.float64) for n in names])


def catalogue_markdown() -> str:
    """The text of `docs/outcomes.md` (regenerate: python -m axis_sim.model.metrics)."""
    lines = [
        "# Outcome catalogue", "",
        "<!-- Generated by `python -m axis_sim.model.metrics > docs/outcomes.md`; a test keeps it "
        "current. -->", "",
        "Every quantity the model records for every world at the end of every month. *Cumulative*",
        "outcomes only grow, so “has X happened by month k” is `value > 0` at month k; the others",
        "are current levels. A scenario's `outcomes:` section chooses which to report, how to",
        "label them, which direction is better and how the headline ones are valued (a swing",
        "from worst to best plausible value, a swing weight, a minimal meaningful difference).",
        "",
        "| name | unit | kind | meaning |", "|---|---|---|---|",
    ]
    lines += [f"| `{name}` | {m.unit} | {'cumulative' if m.cumulative else 'level'} | {m.meaning} |"
              for name, m in METRICS.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
