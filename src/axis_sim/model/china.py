"""China: condones the axis, keeps its distance, or quietly uses its economic leverage over the
DPRK; and may join a naval exercise with the axis.

The analysis: China "has not been supportive of the denuclearization agenda" and "has not
helped to bring Pyongyang back to the negotiating table, given the state of U.S.-China
relations", yet "Beijing reportedly has been opposed to North Korea conducting a seventh nuclear
test", and Russia may now be "the biggest enabler of North Korea today, even more so than China".
Beijing's lever is economic: most of the DPRK's trade crosses the Chinese border, so a Beijing
that heeds a US warning without being seen to can tighten enforcement at the border quietly —
which deepens the DPRK's need, and the seed's history says Pyongyang then turns to Moscow "in
lieu of Beijing's assistance".
"""


from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from axis_sim.model.actor import Actor
from axis_sim.model.choice import logit, logit_choice, shifted_probability
from axis_sim.model.rules import rule

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel

DISTANCE, CONDONE, ENFORCE = 0, 1, 2
STANCES: tuple[str, ...] = ("distance", "condone", "enforce")


class China(Actor):
    """Beijing's monthly stance toward the Russia–DPRK axis, and its alignment with it."""

    name = "China"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "initial_alignment": "index 0-1",
        "condone_probability": "probability/month",
        "tension_pull": "utility per unit US–China tension",
        "axis_pull": "utility per ladder rung",
        "alignment_step": "index/month",
        "naval_exercise_probability": "probability/month",
        "alignment_pull_to_exercise": "utility per unit alignment",
        "nuclear_test_opposition": "share",
        "test_backlash": "index",
        "choice_temperature": "utility",
        "enforce_bias": "utility",
        "enforcement_pull": "utility per unit of US pressure",
        "enforcement_squeeze": "index of DPRK food-energy gap per month",
        "warning_response": "rule form: 0 heeds US pressure, 1 defies it",
        "defiance_pull": "utility toward condoning per unit of US pressure",
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.alignment = self.par("initial_alignment").copy()
        self.stance = np.zeros(model.worlds, dtype=np.int8)
        self.enforces = np.zeros(model.worlds, dtype=bool)
        self.enforcement_months = np.zeros(model.worlds, dtype=np.int32)
        self.joins_exercise = np.zeros(model.worlds, dtype=bool)

    @rule(writes={
        "china.stance": ("us.us_china_tension", "russia.cooperation", "levers.china_warning_cost",
                         "levers.china_exposure_cost"),
        "china.alignment": ("china.alignment", "china.stance"),
        "china.enforces": ("china.stance",),
        "china.joins_exercise": ("china.alignment", "levers.china_warning_cost"),
    }, records={"china.enforcement_months": ("china.stance",)})
    def decide(self, month: int) -> None:
        """Distance, condone or enforce (logit); alignment follows; would it drill if asked."""
        model, levers = self.model, self.model.levers
        temperature = self.par("choice_temperature")
        pressure = levers.china_warning_cost + levers.china_exposure_cost
        # Condoning against distancing keeps the base rate `condone_probability` when nothing
        # pushes; tension with Washington and a deeper axis pull Beijing in. How Beijing takes
        # US pressure is a structural uncertainty, drawn per world: it heeds it (pressure pushes
        # it out, toward distance or quietly squeezing Pyongyang) or defies it (pressure is an
        # affront to be answered by standing closer to the axis).
        defies = self.par("warning_response") >= 0.5
        answer = np.where(defies, self.par("defiance_pull") * pressure, -pressure)
        condone = (temperature * logit(self.par("condone_probability"))
                   + self.par("tension_pull") * (model.us.us_china_tension
                                                 - model.us.par("initial_us_china_tension"))
                   + self.par("axis_pull") * model.russia.cooperation + answer)
        enforce = self.par("enforce_bias") + self.par("enforcement_pull") * pressure * ~defies
        utilities = np.stack([np.zeros(model.worlds), condone, enforce], axis=1)
        chosen = logit_choice(utilities, temperature, model.draws["china_stance"])
        self.stance = model.directed("China.stance", chosen.astype(np.int8))
        condones = self.stance == CONDONE
        self.enforces = self.stance == ENFORCE
        self.enforcement_months += self.enforces
        model.log.record(month, "China", "quiet_enforcement", self.enforces)
        step = self.par("alignment_step")
        self.alignment = np.clip(self.alignment + np.where(condones, step, -step), 0.0, 1.0)

        # Whether Beijing would join a naval exercise, were it asked this month (rung 2 → 3).
        p_join = shifted_probability(
            self.par("naval_exercise_probability"),
            self.par("alignment_pull_to_exercise") * (self.alignment
                                                      - self.par("initial_alignment"))
            + np.where(defies, self.par("defiance_pull"), -1.0) * levers.china_warning_cost,
            temperature)
        self.joins_exercise = model.ruled("china_naval_exercise", model.directed(
            "China.join_exercise", model.draws["china_naval_exercise"] < p_join))

    def opposition_to_testing(self) -> np.ndarray:
        """Share by which Beijing's opposition cuts the DPRK's will to test: less when aligned."""
        return self.par("nuclear_test_opposition") * (1.0 - self.alignment)

    @rule(writes={"china.alignment": ("china.alignment", "dprk.nuclear_test")})
    def react_to_test(self, test: np.ndarray) -> None:
        """A seventh nuclear test defies Beijing: alignment drops."""
        self.alignment = np.clip(self.alignment - self.par("test_backlash") * test, 0.0, 1.0)
