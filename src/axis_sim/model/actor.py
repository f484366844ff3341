"""The base of the six state actors: a `mesa.Agent` whose state is numpy arrays over worlds."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel


class Actor(mesa.Agent):
    """A state actor: a name, the parameters it reads, and arrays of its state over worlds.

    `decide` runs once a month, in the model's fixed order, and reads only what the actor could
    observe plus this month's draws. Every rate, weight and threshold it uses is a scenario
    parameter named in `PARAMETERS` (name → unit) and read with `self.par(name)`; the loader
    refuses a scenario that lacks one. What stays in code is structure (which rule reads what,
    the ladder's rungs), listed in docs/model.md under known limits.
    """

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
