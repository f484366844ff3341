"""The six state actors. Each is a `mesa.Agent` whose state is numpy arrays over worlds.

An actor's `decide` runs once a month, in the model's fixed order (US, ROK, Japan, China, Russia,
DPRK), and reads only what that actor could observe plus this month's draws. Every number it uses
is a scenario parameter named in its `PARAMETERS` (name → unit), read with `self.par(name)`; the
loader refuses a scenario that lacks one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from axis_sim.model.choice import logit_probability

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel

PROGRAMMES: tuple[str, ...] = ("satellite", "submarine", "icbm")
TREATY_LEVEL = 4


class Actor(mesa.Agent):
    """A state actor: a name, its parameters, and arrays of its state over worlds."""

    name: ClassVar[str]
    PARAMETERS: ClassVar[dict[str, str]] = {}

    model: AxisModel

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)

    def par(self, name: str) -> np.ndarray:
        """This actor's parameter `name`: one value per world."""
        return self.model.params[f"actors.{self.name}.{name}"]

    def decide(self, month: int) -> None:
        """Take this month's decisions (default: none)."""

    def step(self) -> None:
        """Mesa's hook; the model calls `decide` in its documented order instead."""
        self.decide(self.model.month)


class UnitedStates(Actor):
    """Leads the allied side: applies the policy options in force and holds alliance state."""

    name = "US"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "initial_cohesion": "index 0-1",
        "initial_warning_quality": "index 0-1",
        "adjustment_months": "months",
        "deterrence_weight": "share",
        "initial_us_china_tension": "index 0-1",
        "initial_listed_entities": "entities",
        "initial_sanctioning_parties": "parties",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.cohesion = self.par("initial_cohesion").copy()
        self.warning_quality = self.par("initial_warning_quality").copy()
        self.us_china_tension = self.par("initial_us_china_tension").copy()
        self.sanctioning_parties = self.par("initial_sanctioning_parties").copy()

    def decide(self, month: int) -> None:
        """Put every active policy option into this month's levers."""
        for option in self.model.options:
            intensity = option.intensity_at(month)
            if intensity > 0:
                option.apply(self.model, intensity)

    def adjust_alliance(self) -> None:
        """Cohesion and warning quality move a step toward the levels the allies sustain."""
        rok, japan, levers = self.model.rok, self.model.japan, self.model.levers
        rate = 1.0 / np.maximum(self.par("adjustment_months"), 1.0)
        cohesion_target = np.clip(
            0.5 * (rok.commitment + japan.commitment) + levers.cohesion_gain, 0.0, 1.0
        )
        warning_target = np.clip(
            self.par("initial_warning_quality") + levers.warning_gain, 0.0, 1.0
        )
        self.cohesion += rate * (cohesion_target - self.cohesion)
        self.warning_quality += rate * (warning_target - self.warning_quality)
        self.warning_quality = np.clip(self.warning_quality - levers.warning_loss, 0.0, 1.0)
        tension_target = self.par("initial_us_china_tension")
        self.us_china_tension += rate * (tension_target - self.us_china_tension)
        self.us_china_tension = np.clip(self.us_china_tension + levers.tension_gain, 0.0, 1.0)

    def deterrence(self) -> np.ndarray:
        """Share by which allied cohesion suppresses DPRK lethal coercion."""
        return np.clip(self.par("deterrence_weight") * self.cohesion, 0.0, 1.0)


class SouthKorea(Actor):
    """The ROK: its political commitment to trilateral cooperation sets part of cohesion."""

    name = "ROK"
    PARAMETERS: ClassVar[dict[str, str]] = {"trilateral_commitment": "index 0-1"}

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.commitment = self.par("trilateral_commitment").copy()


class Japan(Actor):
    """Japan: its political commitment to trilateral cooperation sets part of cohesion."""

    name = "Japan"
    PARAMETERS: ClassVar[dict[str, str]] = {"trilateral_commitment": "index 0-1"}

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.commitment = self.par("trilateral_commitment").copy()


class China(Actor):
    """China: how far it aligns with the axis, and whether it joins a naval exercise with it."""

    name = "China"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "initial_alignment": "index 0-1",
        "alignment_drift_per_level": "index/month per ladder rung",
        "naval_exercise_probability": "probability/month",
        "nuclear_test_restraint": "share",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.alignment = self.par("initial_alignment").copy()
        self.naval_exercise = np.zeros(model.worlds, dtype=bool)

    def decide(self, month: int) -> None:
        """Drift toward the axis as it deepens (less when warned, or when exposed); maybe drill."""
        model, levers = self.model, self.model.levers
        level = model.russia.cooperation
        drift = self.par("alignment_drift_per_level") * level * (1.0 - levers.china_restraint)
        self.alignment = np.clip(self.alignment + drift - levers.china_exposure, 0.0, 1.0)
        eligible = (level >= 3) & ~self.naval_exercise
        joins = eligible & (
            model.draws["china_naval_exercise"] < self.par("naval_exercise_probability")
            * self.alignment
        )
        self.naval_exercise |= joins
        model.log.record(month, "China", "china_naval_exercise", joins)

    def restraint_on_testing(self) -> np.ndarray:
        """Share by which Beijing's opposition cuts the chance of a seventh nuclear test."""
        return self.par("nuclear_test_restraint") * (1.0 - self.alignment)


class Russia(Actor):
    """Russia: climbs the cooperation ladder with the DPRK for munitions; shields it at the UN."""

    name = "Russia"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "initial_cooperation_level": "ladder rung 0-4",
        "ladder_temperature": "utility",
        "ladder_need_weight": "utility per unit munitions-gap share",
        "ladder_step_cost": "utility per rung",
        "summit_ladder_bonus": "utility",
        "sanctions_aversion": "utility per unit friction",
        "tech_transfer_probability": "probability/month",
        "un_shield_probability": "probability",
        "procurement_entities": "entities",
        "front_rebuild_months": "months",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.cooperation = np.rint(self.par("initial_cooperation_level")).astype(np.int8)
        self.tech_transfers = np.zeros((model.worlds, len(PROGRAMMES)), dtype=np.int32)
        self.un_blocks = np.zeros(model.worlds, dtype=np.int32)

    def decide(self, month: int) -> None:
        """Climb one rung or hold (logit choice); at rung 2 or above, transfer technology."""
        model = self.model
        ctx = model.context
        need_share = np.divide(ctx.munitions_gap, ctx.demand, out=np.zeros(model.worlds),
                               where=ctx.demand > 0)
        gain = (
            self.par("ladder_need_weight") * need_share
            + self.par("summit_ladder_bonus") * model.now.summit
            - self.par("ladder_step_cost") * (self.cooperation + 1)
            - self.par("sanctions_aversion") * model.trade.friction
        )
        p_climb = logit_probability(gain, self.par("ladder_temperature"))
        climbs = (self.cooperation < TREATY_LEVEL) & (model.draws["russia_ladder"] < p_climb)
        self.cooperation = self.cooperation + climbs.astype(np.int8)
        model.log.record(month, "Russia", "cooperation_step", climbs, self.cooperation)

        transfers = (self.cooperation >= 2) & (
            model.draws["tech_transfer"] < self.par("tech_transfer_probability")
        )
        programme = np.minimum((model.draws["tech_programme"] * len(PROGRAMMES)).astype(int),
                               len(PROGRAMMES) - 1)
        self.tech_transfers[np.flatnonzero(transfers), programme[transfers]] += 1
        model.dprk.receive_technology(transfers, programme)
        model.log.record(month, "Russia", "tech_transfer", transfers, programme)

    def shield_at_un(self, month: int, provocation: np.ndarray) -> None:
        """After an ICBM launch or nuclear test, block punitive Security Council action."""
        blocked = provocation & (self.model.draws["un_shield"] < self.par("un_shield_probability"))
        self.un_blocks += blocked
        self.model.log.record(month, "Russia", "un_action_blocked", blocked)


class NorthKorea(Actor):
    """The DPRK: sells munitions, matures its programmes, launches, tests and coerces."""

    name = "DPRK"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "export_capacity": "rounds/month",
        "rounds_per_railcar": "rounds/railcar",
        "initial_food_energy_gap": "index 0-1",
        "food_energy_gap_drift": "index/month",
        "relief_per_100k_rounds": "index per 100k rounds",
        "launch_rate": "launch events/month",
        "exercise_provocation": "share extra launches in an exercise month",
        "icbm_probability": "probability/month at full maturity",
        "standard_trajectory_share": "share of ICBM launches",
        "satellite_attempt_probability": "probability/month",
        "initial_maturity_satellite": "index 0-1",
        "initial_maturity_submarine": "index 0-1",
        "initial_maturity_icbm": "index 0-1",
        "maturity_growth": "index/month",
        "transfer_maturity_gain": "index per transfer",
        "nuclear_test_hazard": "probability/month",
        "lethal_incident_probability": "probability/month",
        "backing_weight": "share per ladder rung",
        "capability_weight": "share per unit mean maturity",
        "incident_escalation_probability": "probability",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.maturity = np.stack(
            [self.par(f"initial_maturity_{p}") for p in PROGRAMMES], axis=1
        ).astype(np.float64)
        self.food_energy_gap = self.par("initial_food_energy_gap").copy()
        zeros = np.zeros(model.worlds, dtype=np.int32)
        self.launches = zeros.copy()
        self.icbm_launches = zeros.copy()
        self.icbm_standard = zeros.copy()
        self.satellite_attempts = zeros.copy()
        self.satellites_in_orbit = zeros.copy()
        self.lethal_incidents = zeros.copy()
        self.nuclear_test = np.zeros(model.worlds, dtype=bool)
        self.month_icbm_standard = np.zeros(model.worlds, dtype=bool)

    def receive_technology(self, transfers: np.ndarray, programme: np.ndarray) -> None:
        """A Russian transfer lifts one programme's maturity."""
        gain = self.par("transfer_maturity_gain") * transfers
        rows = np.arange(self.model.worlds)
        self.maturity[rows, programme] = np.minimum(self.maturity[rows, programme] + gain, 1.0)

    def decide(self, month: int) -> None:
        """Mature programmes, launch, maybe test, maybe use lethal force."""
        model, draws, levers = self.model, self.model.draws, self.model.levers
        self.maturity = np.minimum(self.maturity + self.par("maturity_growth")[:, None], 1.0)
        icbm, satellite = self.maturity[:, 2], self.maturity[:, 0]

        rate = (self.par("launch_rate")
                * (1.0 + self.par("exercise_provocation") * model.now.exercise)
                * (1.0 + levers.launch_provocation))
        launches = poisson_from_uniform(draws["launch_count"], rate)
        self.launches += launches
        model.log.record(month, "DPRK", "ballistic_launch", launches > 0, launches)

        icbm_launch = draws["icbm_launch"] < self.par("icbm_probability") * icbm
        standard_share = self.par("standard_trajectory_share") * (1.0 - levers.lofting_pressure)
        standard = icbm_launch & (draws["icbm_trajectory"] < standard_share)
        self.icbm_launches += icbm_launch
        self.icbm_standard += standard
        self.month_icbm_standard = standard
        model.log.record(month, "DPRK", "icbm_launch", icbm_launch, standard.astype(float))

        attempt = draws["satellite_attempt"] < self.par("satellite_attempt_probability")
        success = attempt & (draws["satellite_success"] < satellite)
        self.satellite_attempts += attempt
        self.satellites_in_orbit += success
        model.log.record(month, "DPRK", "satellite_launch", attempt, success.astype(float))
        model.log.record(month, "DPRK", "satellite_in_orbit", success)

        hazard = self.par("nuclear_test_hazard") * (1.0 - model.china.restraint_on_testing())
        test = ~self.nuclear_test & (draws["nuclear_test"] < hazard)
        self.nuclear_test |= test
        model.log.record(month, "DPRK", "nuclear_test", test)
        model.russia.shield_at_un(month, icbm_launch | test)

        backing = 1.0 + self.par("backing_weight") * model.russia.cooperation
        capability = 1.0 + self.par("capability_weight") * self.maturity.mean(axis=1)
        p_incident = np.clip(
            self.par("lethal_incident_probability") * backing * capability
            * (1.0 - model.us.deterrence()), 0.0, 1.0)
        incident = draws["lethal_incident"] < p_incident
        self.lethal_incidents += incident
        model.log.record(month, "DPRK", "lethal_incident", incident)
        crisis = incident & (draws["incident_escalation"]
                             < self.par("incident_escalation_probability"))
        model.crises.add(month, "DPRK", crisis)

    def relieve_shortages(self, shipped: np.ndarray) -> None:
        """Payment in food and energy narrows the gap; sanctions widen it month by month."""
        relief = self.par("relief_per_100k_rounds") * shipped / 100_000.0
        self.food_energy_gap = np.clip(
            self.food_energy_gap + self.par("food_energy_gap_drift") - relief, 0.0, 1.0
        )


def poisson_from_uniform(u: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Poisson counts by inverse CDF of one uniform per world, so draws stay paired across options.

    numpy's own Poisson sampler consumes a rate-dependent number of random bits, which would
    misalign the streams of two portfolios with different launch rates.
    """
    from scipy.stats import poisson

    return poisson.ppf(u, np.maximum(rate, 1e-12)).astype(np.int32)
