"""Outcome families: questions grouped by what they ask about, so scores can be split by them
(a model can forecast launches well and summits badly; one overall number hides that)."""

from __future__ import annotations

FAMILIES: dict[str, tuple[str, ...]] = {
    "summits and visits": ("summits_held",),
    "ladder and treaty": ("cooperation_level", "treaty_reactivated", "russia_dprk_trust"),
    "transfers": ("munitions_shipped", "munitions_railcars_month", "ore_cars_khasan_month",
                  "tank_cars_tumangang_month", "missiles_rockets_transferred", "dprk_stockpile",
                  "tech_transfers", "sea_share", "russia_artillery_supply",
                  "russia_munitions_gap"),
    "launches": ("ballistic_launches", "short_range_launches", "intermediate_range_launches",
                 "icbm_launches", "icbm_standard_trajectory", "icbm_failures"),
    "satellites": ("satellite_attempts", "satellites_in_orbit"),
    "nuclear test": ("nuclear_test",),
    "incidents and crises": ("lethal_incidents", "escalation_crises", "allied_action_crises",
                             "coercive_months", "intercept_attempts", "intercept_successes",
                             "launchpad_strikes"),
    "listings and sanctions": ("listed_entities", "sanctioning_parties", "evasion_capacity",
                               "covert_share", "transfer_detection", "public_exposure"),
    "UN actions": ("un_actions_blocked",),
    "alliance and warning": ("alliance_cohesion", "warning_quality", "extended_deterrence",
                             "allied_exercises"),
    "China's stance": ("china_alignment", "china_naval_exercise", "china_enforcement_months"),
}
OTHER = "other"


def family_of(outcome: str) -> str:
    """The family an outcome's questions belong to (prefixes count: tech_transfers_icbm is a
    transfer), or "other"."""
    for family, outcomes in FAMILIES.items():
        if any(outcome == o or outcome.startswith(f"{o}_") for o in outcomes):
            return family
    return OTHER
