"""The scenario schema: what a scenario file may say, checked by pydantic.

Every model is strict (`extra="forbid"`) so a misspelt key is an error, not a silent default.
Every number the model uses is a `Parameter`: a default value, a unit, an uncertainty
distribution and a one-line source. `axis-sim schema` prints the JSON Schema of `Scenario`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

ACTORS: tuple[str, ...] = ("US", "ROK", "Japan", "China", "Russia", "DPRK")
OPTIONS: tuple[str, ...] = (
    "trilateral_integration",
    "intercept_declaration",
    "sanctions_listing",
    "warn_beijing",
    "public_disclosure",
)
STATUS_QUO = "status_quo"

ActorName = Literal["US", "ROK", "Japan", "China", "Russia", "DPRK"]
OptionName = Literal[
    "trilateral_integration",
    "intercept_declaration",
    "sanctions_listing",
    "warn_beijing",
    "public_disclosure",
]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Source = Annotated[str, StringConstraints(min_length=3, max_length=1000)]


class Strict(BaseModel):
    """Base of every schema model: unknown keys are errors, values are immutable."""

    # allow_inf_nan=False: YAML's `.nan`/`.inf` (or the text "nan") would otherwise pass where no
    # range check catches them (a truncnormal mean, choice values, a lognormal's value).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --- distributions -----------------------------------------------------------------------------


class Fixed(Strict):
    """No uncertainty: every world uses the parameter's `value` (a physical constant, say)."""

    kind: Literal["fixed"]


class Uniform(Strict):
    """Every value in [low, high] equally likely."""

    kind: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Triangular(Strict):
    """Lowest plausible, most likely and highest plausible value."""

    kind: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}"
            )
        return self


class TruncNormal(Strict):
    """A normal distribution cut to [low, high]."""

    kind: Literal["truncnormal"]
    mean: float
    sd: float = Field(gt=0)
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> TruncNormal:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Beta(Strict):
    """A beta(a, b) stretched to [low, high] (default [0, 1]): shares and probabilities."""

    kind: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Beta:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class LogNormal(Strict):
    """A positive quantity whose logarithm is normal: median and log-scale sigma."""

    kind: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)


class Choice(Strict):
    """One of a few discrete values, with optional weights (equal when omitted)."""

    kind: Literal["choice"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
        return self


Distribution = Annotated[
    Fixed | Uniform | Triangular | TruncNormal | Beta | LogNormal | Choice,
    Field(discriminator="kind"),
]


def support(dist: Fixed | Uniform | Triangular | TruncNormal | Beta | LogNormal | Choice,
            value: float) -> tuple[float, float]:
    """The closed interval a distribution's draws can fall in (the lognormal's is open above)."""
    match dist:
        case Fixed():
            return value, value
        case Uniform() | Triangular() | TruncNormal() | Beta():
            return dist.low, dist.high
        case LogNormal():
            return 0.0, float("inf")
        case Choice():
            return min(dist.values), max(dist.values)
    raise TypeError(dist)  # pragma: no cover - the union is closed


class Parameter(Strict):
    """One number of the model, with everything a reviewer needs to disagree with it."""

    value: float = Field(description="Default: the value used where no draw is made (seminar).")
    unit: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    dist: Distribution = Field(description="Uncertainty over worlds; {kind: fixed} for none.")
    source: Source = Field(
        description="A sentence of the seed analysis or a public fact dated before the start."
    )

    @model_validator(mode="after")
    def _value_in_support(self) -> Parameter:
        low, high = support(self.dist, self.value)
        if not low <= self.value <= high:
            raise ValueError(
                f"value {self.value} lies outside its distribution's range [{low}, {high}]"
            )
        return self


Parameters = dict[Slug, Parameter]


# --- scenario sections -------------------------------------------------------------------------


class Meta(Strict):
    """What the scenario is, when it starts and how long it runs."""

    name: Slug
    title: Text
    description: Text
    start: Month = Field(description="First simulated month, YYYY-MM.")
    horizon_months: int = Field(ge=1, le=240)


EventKind = Literal["leader_summit", "forum", "allied_exercise"]


class ScheduledEvent(Strict):
    """A dated event that may happen (a summit, a forum, an exercise), possibly recurring."""

    id: Slug
    name: Text
    kind: EventKind
    month: Month
    every_months: int | None = Field(default=None, ge=1, description="Repeat interval, if any.")
    probability: Parameter = Field(description="Chance it happens when due (unit: probability).")
    source: Source


class OptionSpec(Strict):
    """One of the five policy options: when it starts, how hard it is pushed, what it does."""

    label: Text
    description: Text
    source: Source
    start: Month | int = Field(default=0, description="YYYY-MM or months after the start.")
    intensity: float = Field(default=1.0, ge=0.0, le=2.0)
    duration_months: int | None = Field(default=None, ge=1)
    parameters: Parameters = Field(default_factory=dict)


class OutcomeSpec(Strict):
    """How a model outcome is reported and scored."""

    label: Text
    unit: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    better: Literal["lower", "higher"]
    headline: bool = False
    weight: float = Field(default=0.0, ge=0.0, description="Weight in the composite score.")
    threshold: float | None = Field(
        default=None,
        description="Satisficing threshold at the horizon: at most this if lower is better, at "
                    "least this if higher is better.")
    restates: list[str] = Field(
        default_factory=list,
        description="Outcomes whose harm this one restates (e.g. Russia's supply share restates "
                    "the munitions shipped): it is shown but never scored, so its weight must "
                    "be 0.")


Sampling = Literal["random", "latin_hypercube", "sobol"]


class Experiment(Strict):
    """Defaults for a Monte Carlo run; each can be overridden on the command line."""

    runs: int = Field(default=1000, ge=1, le=10_000_000)
    seed: int = Field(default=20230901, ge=0)
    sampling: Sampling = "random"
    chunk_size: int = Field(default=500, ge=1, le=1_000_000)
    portfolios: list[str] = Field(
        default_factory=lambda: [STATUS_QUO, *OPTIONS],
        description="status_quo, option ids, named portfolios, 'a+b' combinations, or 'all'.",
    )
    sample_worlds: int = Field(
        default=200, ge=0, description="Worlds whose monthly trajectories and events are kept."
    )


class Scenario(Strict):
    """A whole scenario after `extends:` is resolved."""

    extends: str | list[str] | None = Field(
        default=None, description="Scenario file(s) this one inherits from (deep-merged)."
    )
    meta: Meta
    context: Parameters = Field(description="Exogenous conditions (the war in Ukraine, ...).")
    actors: dict[ActorName, Parameters]
    events: list[ScheduledEvent] = Field(default_factory=list)
    options: dict[OptionName, OptionSpec]
    portfolios: dict[Slug, list[OptionName]] = Field(default_factory=dict)
    outcomes: dict[Slug, OutcomeSpec]
    experiment: Experiment = Field(default_factory=Experiment)

    @property
    def headline_outcomes(self) -> list[str]:
        """Outcomes marked `headline: true`, or every outcome if none is."""
        return [o for o, s in self.outcomes.items() if s.headline] or list(self.outcomes)

    @model_validator(mode="after")
    def _unique_event_ids(self) -> Scenario:
        seen: set[str] = set()
        for event in self.events:
            if event.id in seen:
                raise ValueError(f"event id {event.id!r} is used twice")
            seen.add(event.id)
        return self


def month_index(start: str, month: str | int) -> int:
    """Months from `start` (YYYY-MM) to `month` (YYYY-MM, or already an offset)."""
    if isinstance(month, int):
        return month
    y0, m0 = (int(x) for x in start.split("-"))
    y1, m1 = (int(x) for x in month.split("-"))
    return (y1 - y0) * 12 + (m1 - m0)


def month_label(start: str, offset: int) -> str:
    """The YYYY-MM label of the month `offset` months after `start`."""
    y0, m0 = (int(x) for x in start.split("-"))
    total = y0 * 12 + (m0 - 1) + offset
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


PORTFOLIO_SEPARATOR = "+"
_PORTFOLIO_RE = re.compile(r"^[a-z_]+(\+[a-z_]+)*$")
