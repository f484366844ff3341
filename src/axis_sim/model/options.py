"""The five policy options of the analysis' "Limited Options", as small objects.

Like covasim's interventions, an option has a start, an intensity and a duration, and an
`apply(model, intensity)` that runs in the US's monthly decision. Options never change actors
directly: they push this month's `Levers`, and the actors' rules read the levers. So an
option's effects (and side effects) are all visible in one short method, and two options that
touch the same lever combine by addition, through one rule — except the intercept's
effectiveness and escalation risk, which describe the systems and are set, not added.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from axis_sim.scenario.schema import OptionSpec, month_index

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel


@dataclass
class Levers:
    """What this month's policies push on, one array per world, reset every month.

    The comment after each lever names the rule(s) that read it.
    """

    worlds: int
    warning_gain: np.ndarray = field(init=False)  # warning-quality target (alliance)
    warning_loss: np.ndarray = field(init=False)  # warning quality lost to disclosure (alliance)
    cohesion_gain: np.ndarray = field(init=False)  # cohesion target (alliance)
    deterrence_gain: np.ndarray = field(init=False)  # extended-deterrence target (alliance)
    extra_exercise_probability: np.ndarray = field(init=False)  # extra exercise (US decision)
    lofting_pressure: np.ndarray = field(init=False)  # standard-trajectory share (DPRK launches)
    icbm_deterrence: np.ndarray = field(init=False)  # ICBM launch chance (DPRK launches)
    intercept_posture: np.ndarray = field(init=False)  # attempt chance (intercepts)
    intercept_effectiveness: np.ndarray = field(init=False)  # success at full warning (intercepts)
    escalation_per_attempt: np.ndarray = field(init=False)  # crisis chance (intercepts)
    listing_rate: np.ndarray = field(init=False)  # designations (sanctions network)
    parallel_sanctions_rate: np.ndarray = field(init=False)  # parties joining (sanctions network)
    china_warning_cost: np.ndarray = field(init=False)  # utility (China's stance and drills)
    china_exposure_cost: np.ndarray = field(init=False)  # utility (China's stance)
    tension_gain: np.ndarray = field(init=False)  # US–China tension (alliance)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Zero every lever: no policy, no push."""
        for name in self.__dataclass_fields__:
            if name != "worlds":
                setattr(self, name, np.zeros(self.worlds))


class PolicyOption(ABC):
    """A policy option in force from `start` for `duration` months at `intensity`."""

    id: ClassVar[str]
    PARAMETERS: ClassVar[dict[str, str]] = {}
    # The value that switches a parameter's channel off (`explain`); 0 unless listed here.
    OFF: ClassVar[dict[str, float]] = {}

    @classmethod
    def off_value(cls, name: str) -> float:
        """The value of parameter `name` at which its causal channel does nothing."""
        return cls.OFF.get(name, 0.0)

    def __init__(self, spec: OptionSpec, scenario_start: str, params: dict[str, np.ndarray],
                 intensity: float | None = None, start: int | None = None) -> None:
        self.spec = spec
        self.start = month_index(scenario_start, spec.start) if start is None else start
        self.intensity = spec.intensity if intensity is None else intensity
        self.duration = spec.duration_months
        self._params = params

    def par(self, name: str) -> np.ndarray:
        """This option's parameter `name`: one value per world."""
        return self._params[f"options.{self.id}.{name}"]

    def intensity_at(self, month: int) -> float:
        """Intensity in force in `month` (0 before the start and after the duration)."""
        if month < self.start:
            return 0.0
        if self.duration is not None and month >= self.start + self.duration:
            return 0.0
        return self.intensity

    @abstractmethod
    def apply(self, model: AxisModel, intensity: float) -> None:
        """Push this month's levers by `intensity` times the option's effects."""


class TrilateralIntegration(PolicyOption):
    """Camp David deliverables: trilateral exercises, information and missile-warning sharing."""

    id = "trilateral_integration"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "warning_quality_gain": "index 0-1 at full cohesion",
        "cohesion_gain": "index 0-1",
        "extra_exercise_probability": "probability/month",
    }

    def apply(self, model: AxisModel, intensity: float) -> None:
        """Better shared warning and cohesion; more exercises, which the DPRK answers."""
        levers = model.levers
        levers.warning_gain += intensity * self.par("warning_quality_gain")
        levers.cohesion_gain += intensity * self.par("cohesion_gain")
        levers.extra_exercise_probability += np.clip(
            intensity * self.par("extra_exercise_probability"), 0.0, 1.0)


class InterceptDeclaration(PolicyOption):
    """Not ruling out neutralizing missiles in flight (notably not lofted) or on the launchpad."""

    id = "intercept_declaration"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "launch_deterrence": "share of ICBM launches deterred",
        "lofting_pressure": "share of standard-trajectory ICBM launches kept lofted",
        "deterrence_gain": "index 0-1",
        "attempt_probability": "probability per standard-trajectory ICBM launch",
        "intercept_effectiveness": "probability at perfect warning",
        "escalation_per_attempt": "probability",
    }

    def apply(self, model: AxisModel, intensity: float) -> None:
        """Deter some ICBM launches, keep the rest lofted, firm up deterrence, stand ready.

        Intercept effectiveness and escalation risk are properties of the systems and of
        Pyongyang, not of how hard the declaration is pushed: intensity scales how likely an
        attempt is, not how it goes.
        """
        levers = model.levers
        levers.icbm_deterrence += np.clip(intensity * self.par("launch_deterrence"), 0.0, 1.0)
        levers.lofting_pressure += np.clip(intensity * self.par("lofting_pressure"), 0.0, 1.0)
        levers.deterrence_gain += intensity * self.par("deterrence_gain")
        levers.intercept_posture += np.clip(intensity * self.par("attempt_probability"), 0.0, 1.0)
        levers.intercept_effectiveness = self.par("intercept_effectiveness")
        levers.escalation_per_attempt = self.par("escalation_per_attempt")


class SanctionsListing(PolicyOption):
    """List Russian entities and individuals in DPRK arms deals; seek parallel sanctions."""

    id = "sanctions_listing"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "listing_share_per_month": "share of unlisted entities/month",
        "parallel_sanctions_probability": "probability/month",
    }

    def apply(self, model: AxisModel, intensity: float) -> None:
        """Designate a share of the procurement network; court like-minded parties."""
        levers = model.levers
        levers.listing_rate += intensity * self.par("listing_share_per_month")
        levers.parallel_sanctions_rate += intensity * self.par("parallel_sanctions_probability")


class WarnBeijing(PolicyOption):
    """Warn Beijing against participating in or condoning the Russia–DPRK axis."""

    id = "warn_beijing"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "warning_cost": "utility",
        "tension_increase": "index/month",
    }

    def apply(self, model: AxisModel, intensity: float) -> None:
        """Make condoning the axis costlier for Beijing, at a price in US–China tension."""
        levers = model.levers
        levers.china_warning_cost += intensity * self.par("warning_cost")
        levers.tension_gain += intensity * self.par("tension_increase")


class PublicDisclosure(PolicyOption):
    """Downgrade intelligence for public use at UNGA, APEC and ASEAN."""

    id = "public_disclosure"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "forum_parallel_sanctions_probability": "probability per forum month",
        "china_exposure_cost": "utility per forum month",
        "source_cost": "index of warning quality per forum month",
    }

    def apply(self, model: AxisModel, intensity: float) -> None:
        """At forums: rally like-minded parties and embarrass Beijing, at a cost to sources."""
        levers, forum = model.levers, model.now.forum
        levers.parallel_sanctions_rate += (
            intensity * self.par("forum_parallel_sanctions_probability") * forum)
        levers.china_exposure_cost += intensity * self.par("china_exposure_cost") * forum
        levers.warning_loss += intensity * self.par("source_cost") * forum


OPTION_CLASSES: dict[str, type[PolicyOption]] = {
    cls.id: cls
    for cls in (TrilateralIntegration, InterceptDeclaration, SanctionsListing, WarnBeijing,
                PublicDisclosure)
}
