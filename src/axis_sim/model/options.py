"""The five policy options of the analysis' "Limited Options", as small objects.

Like covasim's interventions, an option has a start, an intensity and a duration, and an
`apply(model, intensity)` that runs in the US's monthly decision. Options never change actors
directly: they push this month's `Levers`, and the actors' rules read the levers. So an
option's effects (and side effects) are all visible in one short method, and two options that
touch the same lever combine by addition, through one rule — except the intercept's
effectiveness and escalation risk, which describe the systems and are set, not added.
"""

from __future__ import annotations

import importlib
import re
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from axis_sim.model.rules import rule
from axis_sim.scenario.schema import OptionSpec, month_index

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel


@dataclass
class Levers:
    """What this month's policies push on, one array per world, reset every month.

    The comment after each lever names the rule(s) that read it; `rules.py` holds the same as
    declarations.
    """

    worlds: int
    warning_gain: np.ndarray = field(init=False)  # warning-quality target (alliance)
    warning_loss: np.ndarray = field(init=False)  # warning quality lost to disclosure (alliance)
    cohesion_gain: np.ndarray = field(init=False)  # cohesion target (alliance)
    deterrence_gain: np.ndarray = field(init=False)  # extended-deterrence target (alliance)
    extra_exercise_probability: np.ndarray = field(init=False)  # extra exercise (US decision)
    intercept_posture: np.ndarray = field(init=False)  # attempt chance (intercepts; DPRK launches)
    intercept_effectiveness: np.ndarray = field(init=False)  # success at full warning (same)
    launchpad_threat: np.ndarray = field(init=False)  # strike chance if detected (same)
    escalation_per_attempt: np.ndarray = field(init=False)  # crisis chance (intercepts)
    listing_propensity: np.ndarray = field(init=False)  # identified entity listed (sanctions)
    parallel_sanctions_rate: np.ndarray = field(init=False)  # parties joining (sanctions network)
    covert_push: np.ndarray = field(init=False)  # axis moves to covert channels (sanctions net)
    china_warning_cost: np.ndarray = field(init=False)  # utility (China's stance and drills)
    china_exposure_cost: np.ndarray = field(init=False)  # utility (China's stance)
    moscow_exposure_cost: np.ndarray = field(init=False)  # utility (Moscow's ladder proposals)
    tension_gain: np.ndarray = field(init=False)  # US–China tension (alliance)
    disclosure: np.ndarray = field(init=False)  # share of detections made public (exposure)

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
                 intensity: float | None = None, start: int | None = None,
                 in_portfolio: bool = True, in_force: np.ndarray | float = 0.0) -> None:
        self.spec = spec
        self.start = month_index(scenario_start, spec.start) if start is None else start
        self.intensity = spec.intensity if intensity is None else intensity
        self.duration = spec.duration_months
        self._params = params
        # An option can be in force without being in the portfolio (status quo's policy), at a
        # share of its intensity; in the portfolio it runs at the larger of the two.
        self.in_portfolio = in_portfolio
        self.in_force = in_force

    def par(self, name: str) -> np.ndarray:
        """This option's parameter `name`: one value per world."""
        return self._params[f"options.{self.id}.{name}"]

    def intensity_at(self, month: int) -> float:
        """The portfolio's intensity in `month` (0 before the start and after the duration)."""
        if not self.in_portfolio or month < self.start:
            return 0.0
        if self.duration is not None and month >= self.start + self.duration:
            return 0.0
        return self.intensity

    def level(self, month: int) -> np.ndarray | float:
        """Intensity actually applied in `month`: the portfolio's, or the level in force."""
        return np.maximum(self.intensity_at(month), self.in_force)

    @abstractmethod
    def apply(self, model: AxisModel, intensity: np.ndarray) -> None:
        """Push this month's levers by `intensity` (per world) times the option's effects."""



def _channels(option: str, mapping: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Lever → the option parameters (and state) it is set from, as rule declarations."""
    return {lever: tuple(s if "." in s else f"options.{option}.{s}" for s in sources)
            for lever, sources in mapping.items()}


class TrilateralIntegration(PolicyOption):
    """Camp David deliverables: trilateral exercises, information and missile-warning sharing."""

    id = "trilateral_integration"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "warning_quality_gain": "index 0-1 at full cohesion",
        "cohesion_gain": "index 0-1",
        "extra_exercise_probability": "probability/month",
    }

    @rule(writes=_channels(id, {
        "levers.warning_gain": ("warning_quality_gain",),
        "levers.cohesion_gain": ("cohesion_gain",),
        "levers.extra_exercise_probability": ("extra_exercise_probability",),
    }))
    def apply(self, model: AxisModel, intensity: np.ndarray) -> None:
        """Better shared warning and ISR, and cohesion; more exercises, which the DPRK answers."""
        levers = model.levers
        levers.warning_gain += intensity * self.par("warning_quality_gain")
        levers.cohesion_gain += intensity * self.par("cohesion_gain")
        levers.extra_exercise_probability += np.clip(
            intensity * self.par("extra_exercise_probability"), 0.0, 1.0)


class InterceptDeclaration(PolicyOption):
    """Not ruling out neutralizing missiles in flight (notably not lofted) or on the launchpad.

    The declaration does not cut launches by decree: it sets the posture — how likely an
    attempt on a standard-trajectory ICBM is, how likely a launch detected in preparation is
    struck on the pad, and how good the systems are — and Pyongyang weighs that risk when it
    chooses whether to launch an ICBM and on which trajectory (`dprk.py`).
    """

    id = "intercept_declaration"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "attempt_probability": "probability per standard-trajectory ICBM launch",
        "launchpad_strike_probability": "probability per ICBM launch detected in preparation",
        "intercept_effectiveness": "probability at perfect warning",
        "escalation_per_attempt": "probability",
        "deterrence_gain": "index 0-1",
    }

    @rule(writes=_channels(id, {
        "levers.intercept_posture": ("attempt_probability",),
        "levers.launchpad_threat": ("launchpad_strike_probability",),
        "levers.intercept_effectiveness": ("intercept_effectiveness",),
        "levers.escalation_per_attempt": ("escalation_per_attempt",),
        "levers.deterrence_gain": ("deterrence_gain",),
    }))
    def apply(self, model: AxisModel, intensity: np.ndarray) -> None:
        """Stand ready to intercept and to strike on the pad; firm up deterrence.

        Intercept effectiveness and escalation risk are properties of the systems and of
        Pyongyang, not of how hard the declaration is pushed: intensity scales how likely an
        attempt or a strike is, not how it goes.
        """
        levers = model.levers
        levers.intercept_posture += np.clip(intensity * self.par("attempt_probability"), 0.0, 1.0)
        levers.launchpad_threat += np.clip(
            intensity * self.par("launchpad_strike_probability"), 0.0, 1.0)
        levers.intercept_effectiveness = self.par("intercept_effectiveness")
        levers.escalation_per_attempt = self.par("escalation_per_attempt")
        levers.deterrence_gain += intensity * self.par("deterrence_gain")


class SanctionsListing(PolicyOption):
    """List Russian entities and individuals in DPRK arms deals; seek parallel sanctions.

    Status quo already lists at Treasury's pre-start pace (`actors.US.listing_in_force`, a share
    of this option's intensity); the option is the intensification the analysis proposes.
    """

    id = "sanctions_listing"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "listing_propensity": "probability/month per identified entity",
        "parallel_sanctions_probability": "probability/month",
    }

    @rule(writes=_channels(id, {
        "levers.listing_propensity": ("listing_propensity",),
        "levers.parallel_sanctions_rate": ("parallel_sanctions_probability",),
    }))
    def apply(self, model: AxisModel, intensity: np.ndarray) -> None:
        """List the entities the evidence identifies; court like-minded parties."""
        levers = model.levers
        levers.listing_propensity += np.clip(intensity * self.par("listing_propensity"), 0.0, 1.0)
        levers.parallel_sanctions_rate += intensity * self.par("parallel_sanctions_probability")


class WarnBeijing(PolicyOption):
    """Warn Beijing against participating in or condoning the Russia–DPRK axis."""

    id = "warn_beijing"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "warning_cost": "utility",
        "tension_increase": "index/month",
    }

    @rule(writes=_channels(id, {
        "levers.china_warning_cost": ("warning_cost",),
        "levers.tension_gain": ("tension_increase",),
    }))
    def apply(self, model: AxisModel, intensity: np.ndarray) -> None:
        """Make condoning the axis costlier for Beijing, at a price in US–China tension."""
        levers = model.levers
        levers.china_warning_cost += intensity * self.par("warning_cost")
        levers.tension_gain += intensity * self.par("tension_increase")


class PublicDisclosure(PolicyOption):
    """Downgrade intelligence for public use at UNGA, APEC and ASEAN.

    A disclosure shows what allied intelligence detected, so what it does scales with the
    detection of transfers: it rallies like-minded parties, builds a public record that costs
    Moscow and Beijing reputation for months (`us.exposure`), and costs sources; the axis
    answers by moving transfers to covert channels. Status quo already discloses at part of
    this intensity (`actors.US.disclosure_in_force`): the DNI transparency programme was under
    way before September 2023.
    """

    id = "public_disclosure"
    PARAMETERS: ClassVar[dict[str, str]] = {
        "forum_parallel_sanctions_probability": "probability per forum month",
        "china_exposure_cost": "utility at full exposure",
        "moscow_exposure_cost": "utility at full exposure",
        "source_cost": "index of warning quality per forum month",
        "covert_shift": "share of transfers moved covert per forum month",
    }

    @rule(writes=_channels(id, {
        "levers.parallel_sanctions_rate": ("forum_parallel_sanctions_probability", "now.forum",
                                           "trade.detection"),
        "levers.china_exposure_cost": ("china_exposure_cost", "us.exposure"),
        "levers.moscow_exposure_cost": ("moscow_exposure_cost", "us.exposure"),
        "levers.warning_loss": ("source_cost", "now.forum"),
        "levers.covert_push": ("covert_shift", "now.forum"),
        "levers.disclosure": ("now.forum", "trade.detection"),
    }))
    def apply(self, model: AxisModel, intensity: np.ndarray) -> None:
        """At forums: disclose what was detected; between them, the record keeps costing."""
        levers, forum, detection = model.levers, model.now.forum, model.trade.detection
        shown = intensity * forum * detection
        levers.disclosure = np.maximum(levers.disclosure, shown)
        levers.parallel_sanctions_rate += self.par("forum_parallel_sanctions_probability") * shown
        levers.china_exposure_cost += (intensity * self.par("china_exposure_cost")
                                       * model.us.exposure)
        levers.moscow_exposure_cost += (intensity * self.par("moscow_exposure_cost")
                                        * model.us.exposure)
        levers.warning_loss += intensity * self.par("source_cost") * forum
        levers.covert_push += np.clip(intensity * self.par("covert_shift") * forum, 0.0, 1.0)


BUILTIN_OPTIONS: dict[str, type[PolicyOption]] = {
    cls.id: cls
    for cls in (TrilateralIntegration, InterceptDeclaration, SanctionsListing, WarnBeijing,
                PublicDisclosure)
}
# Every option the model knows: the five built-in ones, then user-defined ones in id order
# (`register_option`, or the `axis_sim.options` entry point group). The same dict object is
# kept up to date, so modules that imported it see registrations made later.
OPTION_CLASSES: dict[str, type[PolicyOption]] = dict(BUILTIN_OPTIONS)
# Options already in force before the scenario starts, at a share of their full intensity that
# the US actor's parameter names: status quo is the policy in force, not no policy.
IN_FORCE: dict[str, str] = {
    "sanctions_listing": "actors.US.listing_in_force",
    "public_disclosure": "actors.US.disclosure_in_force",
}

# --- user-defined options ------------------------------------------------------------------------
#
# A user-defined option is a `PolicyOption` subclass in an importable module. It is registered
# by class (`register_option(MyOption)`), by import path (`"mypkg.options:MyOption"`), or by an
# installed package's entry point in the group `axis_sim.options`. A plan records the import
# path of every user-defined option its scenario uses (`Plan.extensions`), and each worker
# process (local or Dask) imports those before it runs a chunk, so an option registered in a
# notebook reaches `jobs=2` and Dask workers as long as its module can be imported there.

ENTRY_POINT_GROUP = "axis_sim.options"
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_entry_points_loaded = False


class OptionRegistryError(ValueError):
    """A user-defined option that cannot be registered or imported; the message says why."""


def import_path(cls: type) -> str:
    """`module:QualifiedName`, how a worker process finds the class again."""
    return f"{cls.__module__}:{cls.__qualname__}"


def _check_option_class(cls: object) -> type[PolicyOption]:
    if not (isinstance(cls, type) and issubclass(cls, PolicyOption)):
        raise OptionRegistryError(f"{cls!r} is not a PolicyOption subclass")
    if getattr(cls, "__abstractmethods__", None):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise OptionRegistryError(f"{cls.__qualname__} does not implement {missing}")
    option_id = cls.__dict__.get("id")
    if not isinstance(option_id, str) or not _SLUG.match(option_id) or len(option_id) > 64:
        raise OptionRegistryError(
            f"{cls.__qualname__} needs its own `id`: a name of lowercase letters, digits and "
            f"underscores starting with a letter (got {option_id!r})")
    for name, unit in cls.PARAMETERS.items():
        if not (isinstance(name, str) and _SLUG.match(name) and isinstance(unit, str) and unit):
            raise OptionRegistryError(
                f"{cls.__qualname__}.PARAMETERS must map parameter names (lowercase, digits, "
                f"underscores) to units; got {name!r}: {unit!r}")
    return cls


def register_option(cls: type[PolicyOption] | str) -> type[PolicyOption]:
    """Make a user-defined option known to scenarios, runs and worker processes.

    `cls` is a `PolicyOption` subclass with an `id`, `PARAMETERS` (name -> unit) and
    `apply(model, intensity)`, or its import path `"module:Class"`. Usable as a decorator.
    A scenario that uses the option lists it under `options:` with its parameters (units as in
    `PARAMETERS`); the loader checks them like any other. Re-registering the same class is
    harmless; another class under a taken id is refused.
    """
    if isinstance(cls, str):
        cls = _import(cls)
    cls = _check_option_class(cls)
    taken = OPTION_CLASSES.get(cls.id)
    if taken is not None and taken is not cls:
        if cls.id in BUILTIN_OPTIONS:
            raise OptionRegistryError(f"option id {cls.id!r} is one of the built-in options")
        if import_path(taken) != import_path(cls):
            raise OptionRegistryError(
                f"option id {cls.id!r} is already registered by {import_path(taken)}")
    user = {k: v for k, v in OPTION_CLASSES.items() if k not in BUILTIN_OPTIONS}
    user[cls.id] = cls
    OPTION_CLASSES.clear()
    OPTION_CLASSES.update(BUILTIN_OPTIONS)
    OPTION_CLASSES.update(sorted(user.items()))
    return cls


def unregister_option(option_id: str) -> None:
    """Forget a user-defined option and the rules its class declared (tests); built-in options
    stay."""
    if option_id in BUILTIN_OPTIONS:
        raise OptionRegistryError(f"{option_id!r} is a built-in option")
    cls = OPTION_CLASSES.pop(option_id, None)
    if cls is not None:
        from axis_sim.model.rules import RULES

        for name in [n for n, r in RULES.items()
                     if r.function.__module__ == cls.__module__
                     and r.function.__qualname__.startswith(f"{cls.__qualname__}.")]:
            del RULES[name]


def _import(path: str) -> type[PolicyOption]:
    module_name, sep, qualname = path.partition(":")
    if not sep or not module_name or not qualname:
        raise OptionRegistryError(f"an option's import path is 'module:Class', got {path!r}")
    try:
        target: object = importlib.import_module(module_name)
        for part in qualname.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as err:
        where = ("; an option defined in __main__ (a notebook or script) runs only with "
                 "jobs=1: put it in a module on sys.path (or PYTHONPATH) to run it in worker "
                 "processes" if module_name in ("__main__", "__mp_main__") else
                 "; is its package installed, or its folder on sys.path / PYTHONPATH of "
                 "every worker?")
        raise OptionRegistryError(f"cannot import option {path}: {err}{where}") from None
    return _check_option_class(target)


def load_entry_points() -> None:
    """Register the options of installed packages (entry point group `axis_sim.options`),
    once per process."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            register_option(point.load())
        except Exception as err:  # a broken plugin must not stop built-in scenarios
            warnings.warn(f"axis-sim option entry point {point.name} ({point.value}) was "
                          f"not loaded: {err}", stacklevel=2)


def option_classes() -> dict[str, type[PolicyOption]]:
    """Every known option id -> class (built-in, registered, installed by entry point)."""
    load_entry_points()
    return OPTION_CLASSES


def extensions_of(option_ids: Iterable[str]) -> dict[str, str]:
    """The import paths of the user-defined options among `option_ids`, for a plan."""
    known = option_classes()
    return {o: import_path(known[o]) for o in option_ids
            if o not in BUILTIN_OPTIONS and o in known}


def check_portable(extensions: Mapping[str, str]) -> None:
    """Refuse, before any work is sent, user-defined options a worker process could not import:
    one defined inside a function, or in `__main__` (a notebook or a script)."""
    for option_id, path in extensions.items():
        module_name, _, qualname = path.partition(":")
        if "<locals>" in qualname or module_name in ("__main__", "__mp_main__"):
            where = ("inside a function" if "<locals>" in qualname else
                     "in __main__ (a notebook or a script)")
            raise OptionRegistryError(
                f"option {option_id!r} ({path}) is defined {where}, so worker processes cannot "
                "import it: run with jobs=1, or define it at the top level of a module on "
                "sys.path (and on PYTHONPATH of Dask workers)")


def require_options(extensions: Mapping[str, str]) -> None:
    """Make sure this process knows the user-defined options a plan uses (worker side)."""
    for option_id, path in extensions.items():
        known = OPTION_CLASSES.get(option_id)
        if known is not None and import_path(known) == path:
            continue
        cls = _import(path)
        if cls.id != option_id:
            raise OptionRegistryError(f"{path} has id {cls.id!r}, the plan expects {option_id!r}")
        register_option(cls)
