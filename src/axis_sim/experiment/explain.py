"""An option's effect decomposed by causal channel: what each of its parameters contributes.

Plan → run → summarize, like a Monte Carlo run. `channels` lists, for each portfolio of the
plan, every parameter of every option in it (`PolicyOption.PARAMETERS`). For each chunk of
worlds, `run_channels` simulates each portfolio with every channel on, then once per channel
with that one parameter set to its off value (`PolicyOption.off_value`) in every world —
same parameters, same seed and chunk, so the same random streams. The difference, world by
world, is what the channel contributes: effect = outcome with the channel on − outcome with
it off. Status quo already pursues some options at a lower level (`IN_FORCE`); for their
channels the same knockout is also run under status quo, and `beyond_status_quo` is the part
of the effect the option adds: (on − off) − (status quo on − status quo off). Chunks hand back
moments, not worlds (memory does not grow with the run), and
`channel_table` folds them in chunk order into effects with 90% intervals, so the table is
the same for any number of jobs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from axis_sim.experiment.compare import CONFIDENCE
from axis_sim.experiment.plan import Chunk, Plan, plan
from axis_sim.experiment.runner import map_chunks
from axis_sim.experiment.sampling import sample_parameters
from axis_sim.experiment.summarize import manifest
from axis_sim.model.metrics import record
from axis_sim.model.options import IN_FORCE, OPTION_CLASSES
from axis_sim.model.streams import parameter_rng
from axis_sim.model.structure import STRUCTURAL, form_label
from axis_sim.model.world import AxisModel
from axis_sim.scenario.schema import OPTIONS, Sampling, Scenario

# A channel is detectable on an outcome when its effect is beyond both of these: Monte Carlo
# noise (standard errors of the mean effect) and a share of the outcome's spread across worlds.
DETECTABLE_SE = 3.0
DETECTABLE_SPREAD = 0.02

ALL_WORLDS = "all worlds"
COLUMNS = ["portfolio", "option", "parameter", "off_value", "form", "outcome", "better", "effect",
           "se", "ci_low", "ci_high", "spread", "effect_mmd", "detectable", "beyond_status_quo",
           "beyond_status_quo_se", "worlds"]


@dataclass(frozen=True)
class Channel:
    """One parameter of one option in one portfolio, and the value that switches it off."""

    portfolio: str
    option: str
    parameter: str
    off: float

    @property
    def path(self) -> str:
        """The parameter's path in a world's parameters: `options.<option>.<parameter>`."""
        return f"options.{self.option}.{self.parameter}"


def channels(the_plan: Plan) -> tuple[Channel, ...]:
    """Every parameter of every option of every portfolio in the plan, in portfolio, option
    and parameter order (status quo has none)."""
    return tuple(Channel(name, option, parameter, OPTION_CLASSES[option].off_value(parameter))
                 for name, options in the_plan.portfolios.items() for option in options
                 for parameter in OPTION_CLASSES[option].PARAMETERS)


def plan_explanation(scenario: Scenario, *, portfolios: list[str] | None = None,
                     runs: int | None = None, seed: int | None = None,
                     sampling: Sampling | None = None,
                     chunk_size: int | None = None) -> Plan:
    """The plan of an explanation: by default each of the five options alone. Portfolios take
    `run`'s syntax (ids, named portfolios, `a+b`, `all`); ValueError for an unknown one."""
    return plan(scenario, runs=runs, seed=seed, sampling=sampling, chunk_size=chunk_size,
                portfolios=list(OPTIONS) if portfolios is None else portfolios,
                sample_worlds=0)


# --- run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moments:
    """Count, mean and sum of squared deviations over worlds (the last axis of the values),
    merged chunk by chunk (Chan et al.): a channel that changes nothing stays exactly 0."""

    n: int
    mean: np.ndarray
    m2: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> Moments:
        mean = values.mean(axis=-1)
        return cls(values.shape[-1], mean, ((values - mean[..., None]) ** 2).sum(axis=-1))

    def merge(self, other: Moments) -> Moments:
        n = self.n + other.n
        delta = other.mean - self.mean
        return Moments(n, self.mean + delta * (other.n / n),
                       self.m2 + other.m2 + delta ** 2 * (self.n * other.n / n))

    @property
    def sd(self) -> np.ndarray:
        """Sample standard deviation across worlds (NaN with fewer than two)."""
        return np.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else np.full_like(self.m2, np.nan)


@dataclass
class ChannelChunk:
    """What one chunk of worlds says about every channel."""

    chunk: Chunk
    levels: Moments  # (portfolios with channels, outcomes): every channel on
    effects: Moments  # (channels, outcomes): on minus that channel off, world by world
    beyond: Moments  # (channels, outcomes): the same, less status quo's own on minus off
    by_form: dict[str, Moments]  # rule form → the effects' moments over its worlds only


def simulate(the_plan: Plan, chunk: Chunk, params: dict[str, np.ndarray],
             options: tuple[str, ...], outcomes: tuple[str, ...]) -> np.ndarray:
    """The outcomes at the horizon of one chunk under `options`: (outcomes, worlds)."""
    model = AxisModel(the_plan.scenario, params, seed=the_plan.seed, chunk=chunk.index,
                      portfolio=options)
    while model.running:
        model.step()
    return record(model, outcomes)


def run_channels(the_plan: Plan, index: int, *, found: tuple[Channel, ...],
                 outcomes: tuple[str, ...]) -> ChannelChunk:
    """Chunk `index` under each portfolio with every channel on, and once per channel off."""
    chunk = the_plan.chunks[index]
    params = sample_parameters(the_plan.scenario, chunk.size, the_plan.sampling,
                               parameter_rng(the_plan.seed, chunk.index))
    names = list(dict.fromkeys(c.portfolio for c in found))
    on = {name: simulate(the_plan, chunk, params, the_plan.portfolios[name], outcomes)
          for name in names}
    def off(c: Channel, options: tuple[str, ...]) -> np.ndarray:
        return simulate(the_plan, chunk, {**params, c.path: np.full(chunk.size, c.off)},
                        options, outcomes)

    effects = np.stack([on[c.portfolio] - off(c, the_plan.portfolios[c.portfolio])
                        for c in found])
    in_force = sorted({c.path: c for c in found if c.option in IN_FORCE}.values(),
                      key=lambda c: c.path)
    status_quo = simulate(the_plan, chunk, params, (), outcomes) if in_force else None
    own = {c.path: status_quo - off(c, ()) for c in in_force}
    beyond = np.stack([effects[k] - own[c.path] if c.path in own else effects[k]
                       for k, c in enumerate(found)])
    by_form = {}
    for path in STRUCTURAL:
        for value in (0.0, 1.0):
            worlds = params[path] == value
            if worlds.any():
                by_form[f"{path}={value:g}"] = Moments.of(effects[..., worlds])
    return ChannelChunk(chunk, Moments.of(np.stack([on[n] for n in names])),
                        Moments.of(effects), Moments.of(beyond), by_form)


def explain_plan(the_plan: Plan, *, outcomes: Iterable[str] | None = None, jobs: int = 1,
                 progress: Callable[[ChannelChunk], None] | None = None,
                 executor: str = "local", scheduler: str | None = None) -> pd.DataFrame:
    """The channel table of a plan (`channel_table`) on `outcomes` (default: the headline
    ones), its chunks run on `jobs` processes (or Dask): identical for any number."""
    outcomes = tuple(the_plan.scenario.headline_outcomes if outcomes is None else outcomes)
    found = channels(the_plan)
    if not found:
        return pd.DataFrame(columns=COLUMNS)
    work = partial(run_channels, found=found, outcomes=outcomes)
    chunks = map_chunks(work, the_plan, jobs, progress, executor=executor, scheduler=scheduler)
    return channel_table(the_plan, found, outcomes, chunks)


# --- summarize ----------------------------------------------------------------------------------


def channel_table(the_plan: Plan, found: tuple[Channel, ...], outcomes: tuple[str, ...],
                  chunks: Iterable[ChannelChunk]) -> pd.DataFrame:
    """One row per (portfolio, option, parameter, outcome): the mean effect (channel on − off),
    its standard error and 90% t interval; `spread`, the outcome's standard deviation across
    worlds under the portfolio; `effect_mmd` = effect / the outcome's minimal meaningful
    difference (its size in the unit decisions are judged in); `detectable` when the effect is
    beyond 3 standard errors and 2% of the spread; `better`, the outcome's good direction;
    `beyond_status_quo` (and its standard error), the part of the effect that is the option's
    own where status quo already runs the same channel at a lower level."""
    levels: Moments | None = None
    effects: Moments | None = None
    beyond: Moments | None = None
    by_form: dict[str, Moments] = {}
    for result in chunks:  # in chunk order, so the sums are the same for any number of jobs
        levels = result.levels if levels is None else levels.merge(result.levels)
        effects = result.effects if effects is None else effects.merge(result.effects)
        beyond = result.beyond if beyond is None else beyond.merge(result.beyond)
        for key, moments in result.by_form.items():
            by_form[key] = moments if key not in by_form else by_form[key].merge(moments)
    if levels is None or effects is None or beyond is None:
        return pd.DataFrame(columns=COLUMNS)
    names = list(dict.fromkeys(c.portfolio for c in found))
    spreads = np.stack([levels.sd[names.index(c.portfolio)] for c in found])
    beyond_se = beyond.sd / np.sqrt(beyond.n)
    rows = _rows(the_plan, found, outcomes, effects, spreads, ALL_WORLDS,
                 beyond.mean, beyond_se)
    for key, moments in by_form.items():
        path, value = key.rsplit("=", 1)
        # Only where both forms occur, so a scenario that fixes the form adds no rows.
        if f"{path}={1 - float(value):g}" in by_form and moments.n > 1:
            label = f"{path.split('.')[1]}: {form_label(path, float(value))}"
            rows += _rows(the_plan, found, outcomes, moments, spreads, label)
    return pd.DataFrame.from_records(rows, columns=COLUMNS)


def _rows(the_plan: Plan, found: tuple[Channel, ...], outcomes: tuple[str, ...],
          effects: Moments, spreads: np.ndarray, form: str,
          beyond: np.ndarray | None = None,
          beyond_se: np.ndarray | None = None) -> list[dict[str, Any]]:
    """Table rows of every channel and outcome from the effects' moments over some worlds
    (all of them, or one structural rule form's): `spreads` (channels, outcomes) are the
    outcomes' standard deviations over all worlds, so effects compare across forms."""
    n = effects.n
    se = effects.sd / np.sqrt(n)
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * se if n > 1 else np.full_like(se, np.nan)
    rows = []
    for k, c in enumerate(found):
        for i, outcome in enumerate(outcomes):
            effect, spread = float(effects.mean[k, i]), float(spreads[k, i])
            rows.append({
                "portfolio": c.portfolio, "option": c.option, "parameter": c.parameter,
                "off_value": c.off, "form": form, "outcome": outcome,
                "better": the_plan.scenario.outcomes[outcome].better, "effect": effect,
                "se": float(se[k, i]), "ci_low": effect - float(half[k, i]),
                "ci_high": effect + float(half[k, i]), "spread": spread,
                "effect_mmd": _in_mmd(the_plan.scenario, outcome, effect, spread),
                "detectable": bool(abs(effect) > DETECTABLE_SE * se[k, i]
                                   and abs(effect) > DETECTABLE_SPREAD * spread),
                "beyond_status_quo": np.nan if beyond is None else float(beyond[k, i]),
                "beyond_status_quo_se": np.nan if beyond_se is None else float(beyond_se[k, i]),
                "worlds": n,
            })
    return rows


def _in_mmd(scenario: Scenario, outcome: str, effect: float, spread: float) -> float:
    """Effect in minimal meaningful differences of the outcome (1 = the smallest change the
    value model says matters); in standard deviations for an outcome without an MMD; 0 for no
    effect."""
    mmd = scenario.outcomes[outcome].mmd
    unit = mmd.value if mmd is not None and mmd.value > 0 else spread
    if unit > 0:
        return effect / unit
    return 0.0 if effect == 0 else float(np.copysign(np.inf, effect))


def explanation_manifest(the_plan: Plan, table: pd.DataFrame,
                         wall_seconds: float) -> dict[str, Any]:
    """A run's manifest (scenario hash, seed, runs, versions…) for an explanation: the
    portfolios explained (not status quo) and the outcomes the channels were measured on."""
    explained = {k: v for k, v in the_plan.portfolios.items() if v}
    made = manifest(replace(the_plan, portfolios=explained), len(the_plan.chunks), wall_seconds)
    del made["sample_worlds"]
    return made | {"command": "explain",
                   "outcomes": list(dict.fromkeys(table["outcome"])),
                   "channels": len(table.drop_duplicates(["portfolio", "option",
                                                           "parameter"])),
                   "detectable": {"standard_errors": DETECTABLE_SE,
                                  "share_of_spread": DETECTABLE_SPREAD}}


def timed_explanation(the_plan: Plan, **kwargs: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`explain_plan` and its manifest."""
    started = time.perf_counter()
    table = explain_plan(the_plan, **kwargs)
    return table, explanation_manifest(the_plan, table, time.perf_counter() - started)
