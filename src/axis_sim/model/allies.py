"""The allied side: the United States, the Republic of Korea and Japan.

The US applies the policy options in force and holds the alliance's shared state: cohesion,
extended-deterrence credibility, missile-warning quality, the exercise calendar's extra events,
and US–China tension. Seoul and Tokyo each decide every month whether to back trilateral
cooperation fully or hedge, which sets where cohesion heads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from axis_sim.model.actor import Actor
from axis_sim.model.choice import shifted_probability
from axis_sim.model.rules import rule
from axis_sim.model.russia import PROGRAMMES

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel

ICBM = PROGRAMMES.index("icbm")


class UnitedStates(Actor):
    """Leads the allied side: applies the policy options and holds alliance-wide state."""

    name = "US"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "initial_cohesion": "index 0-1",
        "initial_warning_quality": "index 0-1",
        "initial_extended_deterrence": "index 0-1",
        "adjustment_months": "months",
        "icbm_threat_to_deterrence": "index per unit ICBM maturity",
        "cohesion_to_deterrence": "index per unit cohesion",
        "rok_weight": "share",
        "initial_us_china_tension": "index 0-1",
        "initial_listed_entities": "entities",
        "initial_sanctioning_parties": "parties",
        "listing_in_force": "share of the option's intensity",
        "disclosure_in_force": "share of the option's intensity",
        "exposure_decay": "share/month",
        "intercept_credibility_gain": "index per intercept or strike",
        "transfer_visibility": "share of transfers seen at full warning quality",
        "sea_visibility": "share of sea transfers seen at full warning quality",
        "identification_rate": "share of entities exposed per fully detected month",
        "provocation_exercise_probability": "probability after an ICBM launch or test",
        "un_action_probability": "probability after an ICBM launch or test",
        "deployment_gain": "index per provocation month",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.cohesion = self.par("initial_cohesion").copy()
        self.warning_quality = self.par("initial_warning_quality").copy()
        self.extended_deterrence = self.par("initial_extended_deterrence").copy()
        self.us_china_tension = self.par("initial_us_china_tension").copy()
        self.sanctioning_parties = self.par("initial_sanctioning_parties").copy()
        self.exposure = np.zeros(model.worlds)  # the public record of the axis' dealings, 0-1
        self.exercises = np.zeros(model.worlds, dtype=np.int32)

    @rule(writes={"now.exercise": ("levers.extra_exercise_probability", "dprk.month_icbm",
                                   "dprk.month_test")},
          records={"us.exercises": ("now.exercise",)})
    def decide(self, month: int) -> None:
        """Put every policy in force into this month's levers; hold extra exercises — more
        after last month's ICBM launch or nuclear test (as Vigilant Storm was extended after the
        launches of November 2022)."""
        model = self.model
        for option in model.options:
            level = option.level(month)
            if np.any(level > 0):
                option.apply(model, np.broadcast_to(level, (model.worlds,)))
        provoked = model.dprk.month_icbm | model.dprk.month_test
        chance = 1.0 - (1.0 - model.levers.extra_exercise_probability) * (
            1.0 - self.par("provocation_exercise_probability") * provoked)
        extra = model.directed("US.exercise", model.draws["trilateral_exercise"] < chance)
        if "US.exercise" in model.directives:
            extra &= ~model.now.exercise  # ordered: one exercise a month, the calendar's or this
        model.now.exercise |= extra
        model.log.record(month, "US", "allied_exercise", extra)
        self.exercises += model.now.exercise

    @rule(writes={
        "us.cohesion": ("us.cohesion", "rok.backs_trilateral", "japan.backs_trilateral",
                        "levers.cohesion_gain"),
        "us.warning_quality": ("us.warning_quality", "levers.warning_gain", "us.cohesion",
                               "levers.warning_loss"),
        "us.extended_deterrence": ("us.extended_deterrence", "us.cohesion",
                                   "levers.deterrence_gain", "dprk.maturity",
                                   "model.month_intercepts", "dprk.month_icbm",
                                   "dprk.month_test"),
        "us.us_china_tension": ("us.us_china_tension", "levers.tension_gain"),
        "us.exposure": ("us.exposure", "levers.disclosure"),
    })
    def adjust_alliance(self) -> None:
        """Cohesion, warning, deterrence credibility and tension each move toward a target;
        a successful intercept or pad strike shows the posture works; disclosures add to the
        public record, which fades."""
        model, levers = self.model, self.model.levers
        rate = 1.0 / np.maximum(self.par("adjustment_months"), 1.0)
        w = self.par("rok_weight")
        backing = w * model.rok.backs_trilateral + (1.0 - w) * model.japan.backs_trilateral
        cohesion_target = np.clip(backing + levers.cohesion_gain, 0.0, 1.0)
        self.cohesion += rate * (cohesion_target - self.cohesion)

        warning_target = np.clip(self.par("initial_warning_quality") + levers.warning_gain
                                 * self.cohesion, 0.0, 1.0)
        self.warning_quality += rate * (warning_target - self.warning_quality)
        self.warning_quality = np.clip(self.warning_quality - levers.warning_loss, 0.0, 1.0)

        # Seed: a DPRK with "increasingly more capable and potentially survivable ICBMs"
        # complicates extended deterrence; cohesion and a credible intercept posture restore it.
        icbm_gain = model.dprk.maturity[:, ICBM] - model.dprk.initial_maturity[:, ICBM]
        deterrence_target = np.clip(
            self.par("initial_extended_deterrence")
            + self.par("cohesion_to_deterrence") * (self.cohesion - self.par("initial_cohesion"))
            + levers.deterrence_gain
            - self.par("icbm_threat_to_deterrence") * icbm_gain, 0.0, 1.0)
        self.extended_deterrence += rate * (deterrence_target - self.extended_deterrence)
        self.extended_deterrence = np.clip(
            self.extended_deterrence
            + self.par("intercept_credibility_gain") * model.month_intercepts
            + self.par("deployment_gain") * (model.dprk.month_icbm | model.dprk.month_test),
            0.0, 1.0)

        tension_target = self.par("initial_us_china_tension")
        self.us_china_tension += rate * (tension_target - self.us_china_tension)
        self.us_china_tension = np.clip(self.us_china_tension + levers.tension_gain, 0.0, 1.0)
        self.exposure = np.clip(self.exposure * (1.0 - self.par("exposure_decay"))
                                + levers.disclosure * (1.0 - self.exposure), 0.0, 1.0)


class Ally(Actor):
    """Seoul or Tokyo: each month, back trilateral cooperation fully or hedge (logit choice).

    Backing has a base probability (the government's commitment, below 1 because domestic
    politics can pull it back) and is likelier after a threatening month: last month's DPRK
    launches and lethal incidents.
    """

    PARAMETERS: ClassVar[dict[str, str]] = {
        "backing_probability": "probability/month",
        "threat_response": "utility per threatening event",
        "incident_threat_weight": "launch events per lethal incident",
        "test_threat_weight": "launch events per nuclear test",
        "transfer_threat_weight": "launch events per detected technology transfer",
        "choice_temperature": "utility",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.backs_trilateral = np.ones(model.worlds)

    @rule(writes={
        "rok.backs_trilateral": ("dprk.month_launches", "dprk.month_incident",
                                 "dprk.month_test", "russia.month_transfer", "trade.detection"),
        "japan.backs_trilateral": ("dprk.month_launches", "dprk.month_incident",
                                   "dprk.month_test", "russia.month_transfer",
                                   "trade.detection"),
    })
    def decide(self, month: int) -> None:
        """Back or hedge, given last month's DPRK launches and incidents."""
        model = self.model
        threat = (model.dprk.month_launches
                  + self.par("incident_threat_weight") * model.dprk.month_incident
                  + self.par("test_threat_weight") * model.dprk.month_test
                  # A Russian transfer the allies detect is news that hardens Seoul and Tokyo.
                  + self.par("transfer_threat_weight") * model.russia.month_transfer
                  * model.trade.detection)
        p = shifted_probability(self.par("backing_probability"),
                                self.par("threat_response") * threat,
                                self.par("choice_temperature"))
        backs = model.directed(f"{self.name}.backing",
                               model.draws[f"{self.name.lower()}_backing"] < p)
        self.backs_trilateral = backs.astype(float)


class SouthKorea(Ally):
    """The Republic of Korea."""

    name = "ROK"


class Japan(Ally):
    """Japan."""

    name = "Japan"
