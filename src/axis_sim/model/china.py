"""China: condones the axis or keeps its distance, and may join a naval exercise with it.

The analysis: China "has not been supportive of the denuclearization agenda" and "has not
helped to bring Pyongyang back to the negotiating table, given the state of U.S.-China
relations", yet "Beijing reportedly has been opposed to North Korea conducting a seventh nuclear
test", and Russia may now be "the biggest enabler of North Korea today, even more so than China".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from axis_sim.model.actor import Actor
from axis_sim.model.choice import shifted_probability

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel


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
    }

    def __init__(self, model: AxisModel) -> None:
        super().__init__(model)
        self.alignment = self.par("initial_alignment").copy()
        self.condones = np.zeros(model.worlds, dtype=bool)
        self.joins_exercise = np.zeros(model.worlds, dtype=bool)

    def decide(self, month: int) -> None:
        """Condone or distance (logit); alignment follows; decide on a naval exercise if asked."""
        model, levers = self.model, self.model.levers
        shift = (self.par("tension_pull") * (model.us.us_china_tension
                                            - model.us.par("initial_us_china_tension"))
                 + self.par("axis_pull") * model.russia.cooperation
                 - levers.china_warning_cost - levers.china_exposure_cost)
        p_condone = shifted_probability(self.par("condone_probability"), shift,
                                        self.par("choice_temperature"))
        self.condones = model.directed("China.stance", model.draws["china_stance"] < p_condone)
        step = self.par("alignment_step")
        self.alignment = np.clip(self.alignment + np.where(self.condones, step, -step), 0.0, 1.0)

        # Whether Beijing would join a naval exercise, were it asked this month (rung 2 → 3).
        p_join = shifted_probability(
            self.par("naval_exercise_probability"),
            self.par("alignment_pull_to_exercise") * (self.alignment
                                                      - self.par("initial_alignment"))
            - levers.china_warning_cost, self.par("choice_temperature"))
        self.joins_exercise = model.directed("China.join_exercise",
                                             model.draws["china_naval_exercise"] < p_join)

    def opposition_to_testing(self) -> np.ndarray:
        """Share by which Beijing's opposition cuts the DPRK's will to test: less when aligned."""
        return self.par("nuclear_test_opposition") * (1.0 - self.alignment)

    def react_to_test(self, test: np.ndarray) -> None:
        """A seventh nuclear test defies Beijing: alignment drops."""
        self.alignment = np.clip(self.alignment - self.par("test_backlash") * test, 0.0, 1.0)
