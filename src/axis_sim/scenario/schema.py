"""The scenario schema: what a scenario file may say, checked by pydantic.

Every model is strict (`extra="forbid"`) so a misspelt key is an error, not a silent default.
Every number the model uses is a `Parameter`: a default value, a unit, an uncertainty
distribution and a one-line source. Each source carries the date of its evidence (a `date:`, or
a date the source text starts with) so that the loader can refuse evidence later than the
scenario's `meta.as_of` (see `axis_sim.scenario.checks`). `axis-sim schema` prints the JSON
Schema of `Scenario`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)

ACTORS: tuple[str, ...] = ("US", "ROK", "Japan", "China", "Russia", "DPRK")
BLUE_ACTORS: tuple[str, ...] = ("US", "ROK", "Japan")
"""The actors judged by the scenario's value model (`outcomes.*.weight`, `swing`); the others
(China, Russia, the DPRK) by the scenario's `aims:`."""
AIM_ACTORS: tuple[str, ...] = tuple(a for a in ACTORS if a not in BLUE_ACTORS)
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
DAY_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
EVIDENCE_DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"

# A source may start with its date: `2023-08-16: KCNA reported ...`, `2023-08 — Reuters ...`.
# The date must be followed by a separator (space, `:`, `;`, `,`, `.`, `|`, `)`, a dash not
# before a digit) or end the text; `2022-23 winter` (month 23) and `2023-08-16T10:00` are no
# dates, and the source then has none.
_LEADING_DATE = re.compile(
    r"^\s*(\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)(?=$|[\s:;,.|)\u2013\u2014]|-(?!\d))"
)


def parse_date(text: str) -> dt.date:
    """`YYYY-MM-DD`, or `YYYY-MM` meaning the first of the month; ValueError if no such day."""
    try:
        return dt.date.fromisoformat(text if len(text) > 7 else f"{text}-01")
    except ValueError:
        raise ValueError(f"{text} is not a day of the calendar") from None


def leading_date(source: str) -> str | None:
    """The `YYYY-MM-DD` or `YYYY-MM` a source text starts with, as written, or None."""
    match = _LEADING_DATE.match(source)
    return match.group(1) if match else None


def evidence_date(source: str, date: str | None) -> dt.date | None:
    """The date of a source's evidence: its `date:`, else the date its text starts with."""
    text = date if date is not None else leading_date(source)
    return parse_date(text) if text is not None else None


def _date_text(value: Any) -> Any:
    """A date as its ISO text: YAML and `yaml.safe_load` hand over `date` objects."""
    if isinstance(value, dt.date):  # a datetime too: its isoformat has a time and fails
        return value.isoformat()
    return value


def _real_day(text: str) -> str:
    parse_date(text)
    return text


def _real_leading_date(source: str) -> str:
    written = leading_date(source)
    if written is not None:
        try:
            parse_date(written)
        except ValueError as err:
            raise ValueError(f"the source starts with a date that does not exist: {err}") from None
    return source


# Dates keep the text as written (like `Month`), so a scenario dumps back as it was written;
# `parse_date` turns one into a `datetime.date`.
# (The pattern comes first: after a BeforeValidator, pydantic leaves it out of the JSON Schema.)
Day = Annotated[
    str, StringConstraints(pattern=DAY_PATTERN), BeforeValidator(_date_text),
    AfterValidator(_real_day),
]
EvidenceDate = Annotated[
    str, StringConstraints(pattern=EVIDENCE_DATE_PATTERN), BeforeValidator(_date_text),
    AfterValidator(_real_day),
]
Source = Annotated[
    str, StringConstraints(min_length=3, max_length=1000), AfterValidator(_real_leading_date)
]


MAX_MAGNITUDE = 1e12
"""The largest size of any number in a scenario: the model's biggest quantities (rounds of
ammunition) are millions, and beyond this products of a few parameters lose all precision."""

MAX_SIGMA = 3.0
"""The widest lognormal (log-scale sigma): its 1-in-10^15 draw is e^(3 x 8) ~ 10^10 medians."""

MAX_WEIGHT = 1e6
"""The largest swing weight (the CLI's `--weight` has the same bound)."""

MAX_SAMPLE_WORLDS = 10_000
"""The most worlds whose month-by-month trajectories a run keeps (each costs every outcome of
every month of every portfolio)."""

MAX_CHOICES = 1000
"""The most values a `choice` distribution may list (a choice is a few discrete values)."""


def _not_bool(value: Any) -> Any:
    """YAML reads `true` as a boolean, which pydantic would otherwise take as the number 1."""
    if isinstance(value, bool):
        raise ValueError(f"Input should be a number, not {str(value).lower()}")
    return value


def _whole_not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"Input should be a whole number, not {str(value).lower()}")
    return value


def _sane(value: float) -> float:
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"Input should lie between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}; "
                         "no quantity of the model comes near it")
    return value


Real = Annotated[float, BeforeValidator(_not_bool), AfterValidator(_sane)]
"""A finite number of sane size (`MAX_MAGNITUDE`), never a boolean."""
WholeNumber = Annotated[int, BeforeValidator(_whole_not_bool)]
"""An integer (2.0 passes, 2.7 does not), never a boolean (`true` is not month 1)."""


def _dates_agree(source: str, date: str | None) -> None:
    """A `date:` and a date the source starts with must be the same day."""
    written = leading_date(source)
    if date is not None and written is not None and parse_date(date) != parse_date(written):
        raise ValueError(
            f"date {date} and the date the source starts with ({written}) differ; give one "
            "date, or the same in both"
        )


_DATE_DESCRIPTION = (
    "Date of the evidence, YYYY-MM-DD (or YYYY-MM: the first of the month); instead, the "
    "source may start with it. Must not be after meta.as_of."
)


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
    low: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Triangular(Strict):
    """Lowest plausible, most likely and highest plausible value."""

    kind: Literal["triangular"]
    low: Real
    mode: Real
    high: Real

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
    mean: Real
    sd: Real = Field(gt=0)
    low: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> TruncNormal:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Beta(Strict):
    """A beta(a, b) stretched to [low, high] (default [0, 1]): shares and probabilities."""

    kind: Literal["beta"]
    a: Real = Field(gt=0)
    b: Real = Field(gt=0)
    low: Real = 0.0
    high: Real = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Beta:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class LogNormal(Strict):
    """A positive quantity whose logarithm is normal: median and log-scale sigma."""

    kind: Literal["lognormal"]
    median: Real = Field(gt=0)
    sigma: Real = Field(gt=0, description=f"Log-scale spread, in (0, {MAX_SIGMA:g}].",
                        json_schema_extra={"maximum": MAX_SIGMA})

    @model_validator(mode="after")
    def _spread(self) -> LogNormal:
        if self.sigma > MAX_SIGMA:
            # Beyond it the upper quantiles are astronomically many times the median, and a
            # world's draw overflows what the model can compute with.
            raise ValueError(f"sigma {self.sigma:g} is outside the allowed range (0, "
                             f"{MAX_SIGMA:g}]: a wider lognormal's top draws are beyond any "
                             "quantity the model computes with")
        return self


class Choice(Strict):
    """One of a few discrete values, with optional weights (equal when omitted)."""

    kind: Literal["choice"]
    values: list[Real] = Field(min_length=1, max_length=MAX_CHOICES)
    weights: list[Real] | None = Field(default=None, max_length=MAX_CHOICES)

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


Label = Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]
_LABEL_DESCRIPTION = (
    "What a reader sees instead of the path or id, in the dashboard, the brief and the "
    "sentences about failure conditions (e.g. \"DPRK rocket transfers a month\"); default: "
    "derived from the path (`axis_sim.scenario.parameters.parameter_label`)."
)


class Parameter(Strict):
    """One number of the model, with everything a reviewer needs to disagree with it."""

    value: Real = Field(description="Default: the value used where no draw is made (seminar).")
    label: Label | None = Field(default=None, description=_LABEL_DESCRIPTION)
    unit: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    dist: Distribution = Field(description="Uncertainty over worlds; {kind: fixed} for none.")
    source: Source = Field(
        description="A sentence of the seed analysis or a public fact dated before the start."
    )
    date: EvidenceDate | None = Field(default=None, description=_DATE_DESCRIPTION)

    @property
    def evidence_date(self) -> dt.date | None:
        """When the evidence for this number was public: `date`, or the source's leading date."""
        return evidence_date(self.source, self.date)

    @model_validator(mode="after")
    def _value_in_support(self) -> Parameter:
        low, high = support(self.dist, self.value)
        if not low <= self.value <= high:
            raise ValueError(
                f"value {self.value} lies outside its distribution's range [{low}, {high}]"
            )
        return self

    @model_validator(mode="after")
    def _dates(self) -> Parameter:
        _dates_agree(self.source, self.date)
        return self


Parameters = dict[Slug, Parameter]


# --- scenario sections -------------------------------------------------------------------------


class Meta(Strict):
    """What the scenario is, when it starts and how long it runs."""

    name: Slug
    title: Text
    description: Text
    start: Month = Field(description="First simulated month, YYYY-MM.")
    horizon_months: WholeNumber = Field(ge=1, le=240)
    as_of: Day | None = Field(
        default=None,
        description="Date of the latest evidence the scenario may use, YYYY-MM-DD: every "
                    "source must be dated on or before it (no later than the start month).",
    )

    in_sample: bool = Field(
        default=False,
        description="A backtest that knowingly inherits evidence dated after its as_of: the "
                    "loader lists those items instead of refusing them (`axis-sim validate` "
                    "counts them) and every score of it is labelled in-sample. Its own items "
                    "must still be dated on or before as_of.",
    )

    @property
    def as_of_date(self) -> dt.date | None:
        """`as_of` as a date, or None when the scenario sets none."""
        return parse_date(self.as_of) if self.as_of is not None else None



EventKind = Literal["leader_summit", "forum", "allied_exercise"]


class ScheduledEvent(Strict):
    """A dated event that may happen (a summit, a forum, an exercise), possibly recurring."""

    id: Slug
    name: Text
    label: Label | None = Field(
        default=None,
        description="A short name a reader sees instead of the id (default: `name`).")
    kind: EventKind
    month: Month
    every_months: WholeNumber | None = Field(default=None, ge=1,
                                             description="Repeat interval, if any.")
    probability: Parameter = Field(description="Chance it happens when due (unit: probability).")
    source: Source
    date: EvidenceDate | None = Field(default=None, description=_DATE_DESCRIPTION)

    @property
    def display_label(self) -> str:
        """What a reader sees for this event: its `label`, else its `name`."""
        return self.label or self.name

    @property
    def evidence_date(self) -> dt.date | None:
        """When the evidence that the event is due was public."""
        return evidence_date(self.source, self.date)

    @model_validator(mode="after")
    def _dates(self) -> ScheduledEvent:
        _dates_agree(self.source, self.date)
        return self


class OptionSpec(Strict):
    """One of the five policy options: when it starts, how hard it is pushed, what it does."""

    label: Text
    description: Text
    source: Source
    date: EvidenceDate | None = Field(default=None, description=_DATE_DESCRIPTION)
    start: Month | WholeNumber = Field(default=0,
                                       description="YYYY-MM or months after the start.")
    intensity: Real = Field(default=1.0, ge=0.0, le=2.0)
    duration_months: WholeNumber | None = Field(default=None, ge=1)
    parameters: Parameters = Field(default_factory=dict)

    @property
    def evidence_date(self) -> dt.date | None:
        """When the evidence for the option (the analysis proposing it) was public."""
        return evidence_date(self.source, self.date)

    @model_validator(mode="after")
    def _dates(self) -> OptionSpec:
        _dates_agree(self.source, self.date)
        return self


class Swing(Strict):
    """The worst and best plausible values of an outcome at the horizon, in its natural units.

    The outcome's partial value is 0 at `worst` and 1 at `best`, linear between (and held at 0
    or 1 beyond them), so a swing weight says how much moving the outcome from worst to best is
    worth; the exchange rates between outcomes follow from the swings and the weights.
    """

    worst: Real
    best: Real
    source: Source = Field(description="Where the range comes from, or 'Judgement: ...'.")

    @model_validator(mode="after")
    def _apart(self) -> Swing:
        if self.worst == self.best:
            raise ValueError(f"worst and best are both {self.worst:g}: a swing needs a range")
        return self


class MinimalDifference(Strict):
    """The smallest change in an outcome, in its natural units, that a decision maker would act
    on: a smaller effect is "no practical difference", however sure the estimate."""

    value: Real = Field(gt=0.0)
    source: Source = Field(description="Why this size matters, or 'Judgement: ...'.")


class OutcomeSpec(Strict):
    """How a model outcome is reported and scored."""

    label: Text
    unit: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    better: Literal["lower", "higher"]
    headline: bool = False
    weight: Real = Field(
        # Weights are relative; the bound keeps their sum (and every normalised share) finite.
        default=0.0, ge=0.0, le=MAX_WEIGHT,
        description="Swing weight: how much moving this outcome from its swing's worst to its "
                    "best value counts, relative to the other outcomes' swings (normalised to "
                    "sum 1 over the scored outcomes).")
    swing: Swing | None = Field(
        default=None,
        description="Worst and best plausible values at the horizon; required for headline and "
                    "weighted outcomes.")
    mmd: MinimalDifference | None = Field(
        default=None,
        description="Minimal meaningful difference in the outcome's units; required for "
                    "headline and weighted outcomes.")
    outweighs: list[str] = Field(
        default_factory=list,
        description="Ordinal judgements: scored outcomes whose swing weight must not exceed "
                    "this one's (the scenario's weights and every weight vector of the "
                    "rank-acceptability analysis respect them).")
    threshold: Real | None = Field(
        default=None,
        description="Satisficing threshold at the horizon: at most this if lower is better, at "
                    "least this if higher is better.")
    restates: list[str] = Field(
        default_factory=list,
        description="Outcomes whose harm this one restates (e.g. Russia's supply share restates "
                    "the munitions shipped): it is shown but never scored, so its weight must "
                    "be 0.")

    @property
    def scored(self) -> bool:
        """Whether the outcome is a criterion of the value model: headline or weighted, and not
        a restatement of other outcomes (which would count the same harm twice)."""
        return (self.headline or self.weight > 0) and not self.restates


class AimSpec(Strict):
    """One thing a non-blue actor wants, by which a seminar team playing it scores its
    lookahead (`axis_sim.seminar.objectives`): move `outcome` the way `better` says.

    The blue side's counterpart is the value model (`outcomes.*.weight` and `swing`). A change
    of the outcome counts as its fraction of `scale` (or of the outcome's swing), times
    `weight` over the sum of the team's weights.
    """

    outcome: Slug = Field(description="An outcome of this scenario's `outcomes:`.")
    better: Literal["higher", "lower"] = Field(
        description="Which way the actor wants the outcome to move (it may differ from the "
                    "outcome's own `better`, which is the blue side's).")
    weight: Real = Field(
        gt=0.0, le=MAX_WEIGHT,
        description="Relative weight (no unit; normalised to sum 1 over a team's aims): how much "
                    "moving the outcome across its scale counts against the actor's other aims. "
                    "A judgement: say its basis in `source`.")
    scale: Real | None = Field(
        default=None, gt=0.0,
        description="The outcome's plausible range, in the outcome's unit; default: the width "
                    "of its `swing`, so required for an outcome without one.")
    source: Source = Field(
        description="What the aim rests on (a sentence of the seed analysis or a public fact) "
                    "and the basis of its weight and scale ('Judgement: ...').")
    date: EvidenceDate | None = Field(
        default=None,
        description="Date of the evidence, YYYY-MM-DD (or YYYY-MM), or a source that starts "
                    "with it; optional, as for the value model's swings. A dated aim must not "
                    "be after meta.as_of.")

    @property
    def evidence_date(self) -> dt.date | None:
        """When the evidence for this aim was public: `date`, or the source's leading date."""
        return evidence_date(self.source, self.date)

    @model_validator(mode="after")
    def _dates(self) -> AimSpec:
        _dates_agree(self.source, self.date)
        return self


MAX_AIMS = 100
"""The most aims one actor may have (each is an outcome; the model reports about fifty)."""


Sampling = Literal["random", "latin_hypercube", "sobol"]


class Experiment(Strict):
    """Defaults for a Monte Carlo run; each can be overridden on the command line."""

    runs: WholeNumber = Field(default=1000, ge=1, le=10_000_000)
    seed: WholeNumber = Field(default=20230901, ge=0)
    sampling: Sampling = "random"
    chunk_size: WholeNumber = Field(default=500, ge=1, le=1_000_000)
    portfolios: list[str] = Field(
        default_factory=lambda: [STATUS_QUO, *OPTIONS],
        description="status_quo, option ids, named portfolios, 'a+b' combinations, or 'all'.",
    )
    sample_worlds: WholeNumber = Field(
        default=200, ge=0, le=MAX_SAMPLE_WORLDS,
        description="Worlds whose monthly trajectories and events are kept."
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
    # The five options of the analysis, and any user-defined option registered in code
    # (`axis_sim.register_option`); the checks refuse an id that is neither.
    options: dict[Slug, OptionSpec]
    portfolios: dict[Slug, list[Slug]] = Field(default_factory=dict)
    # At least one: every comparison and score divides by what the outcomes add up to.
    outcomes: dict[Slug, OutcomeSpec] = Field(min_length=1)
    aims: dict[ActorName, Annotated[list[AimSpec], Field(max_length=MAX_AIMS)]] = Field(
        default_factory=dict,
        description="What China, Russia and the DPRK want, by actor: the objectives a seminar "
                    "team playing them scores its lookahead by (the US and its allies use the "
                    "value model, `outcomes.*.weight`). A child's list for an actor replaces "
                    "its parent's; an actor without aims gives a team playing it no lookahead.")
    experiment: Experiment = Field(default_factory=Experiment)
    # Where the scenario came from (files and their hashes, edits made in code), for the
    # manifest; not part of its content (equality and `scenario_hash` ignore it).
    _origin: Any = PrivateAttr(default=None)

    @model_serializer(mode="wrap")
    def _without_empty_aims(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A scenario without aims dumps (and so hashes, `scenario_hash`) as it did before the
        # section existed: games stored then still match their scenario's hash.
        data = handler(self)
        if not self.aims:
            data.pop("aims", None)
        return data

    def with_parameter(self, path: str, **changes: Any) -> Scenario:
        """A new scenario with one parameter changed, after the loader's checks (see
        `axis_sim.scenario.overrides.with_parameter`)."""
        from axis_sim.scenario.overrides import with_parameter

        return with_parameter(self, path, **changes)

    def with_option(self, option: str, **changes: Any) -> Scenario:
        """A new scenario with an option's start, intensity or duration changed, after the
        loader's checks (see `axis_sim.scenario.overrides.with_option`)."""
        from axis_sim.scenario.overrides import with_option

        return with_option(self, option, **changes)

    def __repr__(self) -> str:
        from axis_sim.scenario.display import scenario_repr

        return scenario_repr(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        from axis_sim.scenario.display import scenario_html

        return scenario_html(self)

    @property
    def headline_outcomes(self) -> list[str]:
        """Outcomes marked `headline: true`, or every outcome if none is."""
        return [o for o, s in self.outcomes.items() if s.headline] or list(self.outcomes)

    @property
    def scored_outcomes(self) -> list[str]:
        """The value model's criteria: headline or weighted outcomes that restate nothing."""
        return [o for o, s in self.outcomes.items() if s.scored]


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
