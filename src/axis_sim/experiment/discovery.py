"""Scenario discovery: in which kinds of worlds does a portfolio fail?

Given each world's drawn parameters and whether a portfolio failed there (e.g. its paired effect
on an outcome was no better than status quo), `discover` runs PRIM — Friedman & Fisher's
Patient Rule Induction Method — to find a box, a conjunction of simple thresholds such as
"front companies are rebuilt in under 2.3 months and shell production is at least 180,000
rounds/month", inside which failures concentrate; `describe_box` states it as a sentence.

What makes a box worth reporting:

- **Only parameters that can affect the portfolio.** `portfolio_parameters` keeps the
  context's, the actors' and the events' parameters and those of the portfolio's own options;
  an option that is not in the portfolio cannot change its outcome, so its parameters are
  never offered to PRIM (a correlation with them could only be chance or a sampling artefact).
- **Honest numbers.** The worlds are split in two (stratified by failure): PRIM peels, picks
  and pastes on the *discovery* half; coverage, density, the box's p-value and the
  per-dimension quasi-p-values are then counted on the *held-out* half. A box chosen because
  it looks dense cannot test itself; the held-out worlds can.
- **Peeling, trade-off, choice.** From the box holding every world, PRIM repeatedly peels off
  `peel_alpha` (5%) of the box's worlds from the one side of one parameter that leaves the
  highest failure density, until the box would hold fewer than `mass_min` (5%) of the worlds.
  Every box on the way is kept (`Box.trajectory`, `Discovery.trajectories`): the
  coverage–density trade-off. The box chosen on it maximises *coverage × gain*, where gain =
  (density − base rate) / (1 − base rate) is how far the box goes from the overall failure rate
  towards certain failure; if no box beats the whole space (score 0) there is no box.
- **Pasting.** The chosen box is then grown back (`paste_alpha`, 5% of its worlds at a time)
  along any side where adding worlds raises its density.
- **Significance per dimension.** Each restriction's quasi-p-value (as in EMA Workbench) is a
  one-sided binomial test of the box's failures against the density of the same box with that
  restriction removed. Restrictions whose quasi-p on the discovery half exceeds
  `max_quasi_p` (0.05) are dropped, least significant first (`Box.dropped`).
- **Significance of the box.** A box is reported only if its held-out density is above the
  overall failure rate by a one-sided binomial test at `max_p_value` (1%); otherwise there is
  no box (`Discovery.rejected` keeps it for inspection).
- **Covering.** Up to `max_boxes` boxes: after one is found, its discovery worlds are removed
  and PRIM runs again on the rest.

EMA Workbench's `ema_workbench.analysis.prim` was considered; it brings matplotlib, seaborn,
statsmodels and an optimisation library for one algorithm, and its interactive API does not fit
a batch summary, so this module is a compact implementation of the same method.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from axis_sim.model.structure import STRUCTURAL, form_label

MIN_FAILURES = 10  # fewer failed worlds than this: too few to describe
PEEL_ALPHA = 0.05  # share of the box's worlds peeled off per step
PASTE_ALPHA = 0.05  # share of the box's worlds pasted back per step
MASS_MIN = 0.05  # peeling stops before the box holds fewer than this share of the worlds
MAX_P_VALUE = 0.01  # box vs overall failure rate on held-out worlds (one-sided binomial)
MAX_QUASI_P = 0.05  # a restriction is kept only if this significant (discovery worlds)
MAX_BOXES = 2  # boxes per (portfolio, outcome), by covering
TOP_COMBINATIONS = 3  # best-ranked combinations explained besides the single options
_MAX_STEPS = 10_000  # a safety stop for peeling and pasting loops

_UNITLESS = {"", "1", "-", "0/1", "probability", "share", "fraction", "ratio", "index",
             "index 0-1", "dimensionless"}
_SECTIONS_ALWAYS_RELEVANT = ("context.", "actors.", "events.")
_OPTIONS = "options."


class Condition(NamedTuple):
    """One side of one parameter's range: `parameter op threshold`, op "<" or ">="."""

    parameter: str
    op: Literal["<", ">="]
    threshold: float

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Which of `values` satisfy the condition."""
        return values < self.threshold if self.op == "<" else values >= self.threshold


Limits = dict[str, tuple[float, float]]
"""Restricted parameters → (lower, upper): a world is inside when lower ≤ value < upper; −inf or
+inf leaves that side open. Unrestricted parameters are absent."""


@dataclass(frozen=True)
class Step:
    """One box on a PRIM peeling trajectory, counted on the worlds it was peeled on (the
    discovery half): a point of the coverage–density trade-off a report can plot."""

    support: float  # share of the worlds inside the box
    coverage: float  # share of the failures inside the box
    density: float  # share of the box's worlds that failed
    limits: Limits  # the box's restrictions

    @property
    def restricted(self) -> int:
        """How many parameters the box restricts (the fewer, the easier to read)."""
        return len(self.limits)


@dataclass
class Box:
    """A region of parameter space where a portfolio's failures concentrate.

    `conditions` are ANDed; each parameter appears at most once per side. The statistics are
    counted on the held-out worlds (not those PRIM searched): `support` is the share of them
    inside the box, `density` the share of the box's worlds that failed, `coverage` the share
    of all failures that fall inside the box, `worlds` and `failures` the counts behind them;
    `base_rate` is the share of all worlds that failed (compare `density` with it).

    `p_value` is the one-sided binomial test of the box's failures against `base_rate`;
    `quasi_p` holds, per restricted parameter, the one-sided binomial test of the box's
    failures against the density of the box without that restriction (high: the restriction
    does not sharpen the box). `dropped` lists restrictions PRIM made but removed as not
    significant on the discovery worlds, with their quasi-p there. `trajectory` is the peeling
    trajectory the box was chosen on and `chosen_step` the index of the chosen box in it
    (before pasting and dropping).
    """

    conditions: list[Condition]
    support: float
    density: float
    coverage: float
    base_rate: float
    worlds: int = 0
    failures: int = 0
    p_value: float = math.nan
    quasi_p: dict[str, float] = field(default_factory=dict)
    dropped: dict[str, float] = field(default_factory=dict)
    trajectory: list[Step] = field(default_factory=list)
    chosen_step: int = -1

    def contains(self, parameters: pd.DataFrame) -> np.ndarray:
        """Which rows (worlds) of `parameters` lie inside the box."""
        inside = np.ones(len(parameters), dtype=bool)
        for condition in self.conditions:
            inside &= condition.holds(parameters[condition.parameter].to_numpy(np.float64))
        return inside

    @property
    def lift(self) -> float:
        """How many times likelier failure is inside the box than overall."""
        return self.density / self.base_rate if self.base_rate else math.nan

    @property
    def limits(self) -> Limits:
        """The box as (lower, upper) per restricted parameter (see `Limits`)."""
        return _limits_of(self.conditions)

    def tradeoff(self) -> pd.DataFrame:
        """The peeling trajectory as a table — step, support, coverage, density, restricted
        (count), chosen — for a coverage–density plot."""
        return pd.DataFrame({
            "step": np.arange(len(self.trajectory), dtype=int),
            "support": [s.support for s in self.trajectory],
            "coverage": [s.coverage for s in self.trajectory],
            "density": [s.density for s in self.trajectory],
            "restricted": [s.restricted for s in self.trajectory],
            "chosen": np.arange(len(self.trajectory)) == self.chosen_step})


@dataclass
class Discovery:
    """Everything scenario discovery found for one portfolio and one notion of failure.

    `boxes` are the reported boxes (held-out density significantly above `base_rate`), best
    first; `rejected` the boxes PRIM chose that failed that test (for inspection, not for
    reports). `trajectories` holds one peeling trajectory per PRIM run (one per covering
    round), including a last run that found nothing. `parameters` are the parameters PRIM was
    offered; `excluded` those left out because they belong to options not in the portfolio.
    `note` says why discovery stopped: why there is no box, or no further box.
    """

    boxes: list[Box]
    rejected: list[Box]
    trajectories: list[list[Step]]
    base_rate: float
    worlds: int
    failures: int
    parameters: list[str]
    excluded: list[str]
    note: str = ""


# --- which parameters, which portfolios --------------------------------------------------------


def portfolio_parameters(columns: Iterable[str], options: Iterable[str] | None) -> list[str]:
    """The parameter paths among `columns` that can affect a portfolio of `options`.

    Context (`context.…`), actor (`actors.…`) and event (`events.…`) parameters act in every
    world; an option's parameters (`options.<id>.…`) only when that option is in the portfolio.
    `options=None` keeps every parameter. The `world` column is never a parameter.
    """
    members = None if options is None else set(options)
    kept = []
    for column in columns:
        if column == "world":
            continue
        if members is not None and column.startswith(_OPTIONS):
            option = column[len(_OPTIONS):].split(".", 1)[0]
            if option not in members:
                continue
        kept.append(column)
    return kept


def portfolios_to_explain(portfolios: Mapping[str, tuple[str, ...]],
                          ranking: pd.DataFrame | None = None,
                          top: int = TOP_COMBINATIONS) -> list[str]:
    """The portfolios whose failures a summary explains: every single option that ran, then
    the `top` best-ranked combinations of two or more options (by `ranking`'s `rank` column,
    or its row order, best first). A portfolio with the same options as one already listed
    is skipped. Without a ranking, only the single options."""
    chosen: list[str] = []
    seen: set[frozenset[str]] = set()

    def add(name: str) -> None:
        key = frozenset(portfolios[name])
        if key not in seen:
            seen.add(key)
            chosen.append(name)

    for name, options in portfolios.items():
        if len(options) == 1:
            add(name)
    if ranking is not None and not ranking.empty and "portfolio" in ranking.columns and top > 0:
        ordered = (ranking.sort_values("rank", kind="stable") if "rank" in ranking.columns
                   else ranking)
        combinations = 0
        for name in ordered["portfolio"].astype(str):
            if combinations >= top:
                break
            if name in portfolios and len(portfolios[name]) >= 2:
                before = len(chosen)
                add(name)
                combinations += len(chosen) - before
    return chosen


# --- PRIM on arrays ----------------------------------------------------------------------------


def _inside(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Which rows of x lie in the box lower ≤ x < upper (per column)."""
    return np.all((x >= lower) & (x < upper), axis=1)


def _peel(x: np.ndarray, y: np.ndarray, alpha: float, mass_min: float
          ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Friedman & Fisher's peeling: the boxes (lower, upper) from the whole space down to the
    last box holding at least `mass_min` of the worlds.

    Each step considers, for every parameter, removing the box's lowest or highest `alpha`
    share of worlds on it (at least one world; ties go together) and takes the removal that
    leaves the highest failure density (ties: the one that removes fewer worlds). New bounds
    lie midway between the last kept and the first removed value. Peeling also stops when the
    box holds only failures or none.
    """
    n, d = x.shape
    min_count = max(1, math.ceil(mass_min * n))
    lower, upper = np.full(d, -np.inf), np.full(d, np.inf)
    boxes = [(lower.copy(), upper.copy())]
    rows = np.arange(n)
    for _ in range(_MAX_STEPS):
        xin, yin = x[rows], y[rows].astype(np.float64)
        m, fails = len(rows), float(yin.sum())
        if fails in (0.0, float(m)):
            break
        k = max(1, int(alpha * m))
        low_cut = np.partition(xin, k - 1, axis=0)[k - 1]
        high_cut = np.partition(xin, m - k, axis=0)[m - k]
        drops = (xin <= low_cut, xin >= high_cut)
        densities, remains = [], []
        for drop in drops:
            remain = m - drop.sum(axis=0)
            kept_fails = fails - yin @ drop
            densities.append(np.where(remain >= min_count,
                                      kept_fails / np.maximum(remain, 1), -1.0))
            remains.append(remain)
        density, remain = np.concatenate(densities), np.concatenate(remains)
        best = int(np.lexsort((-remain, -density))[0])
        if density[best] < 0:
            break  # every peel would leave too small a box
        side, j = divmod(best, d)
        values = xin[:, j]
        if side == 0:
            lower[j] = (low_cut[j] + values[values > low_cut[j]].min()) / 2
        else:
            upper[j] = (high_cut[j] + values[values < high_cut[j]].max()) / 2
        rows = rows[~drops[side][:, j]]
        boxes.append((lower.copy(), upper.copy()))
    return boxes


def _choose(trajectory: list[Step], base_rate: float) -> int:
    """The step maximising coverage × (density − base rate) / (1 − base rate); 0 (the whole
    space, score 0) when no box beats it. Ties go to the earlier, larger box."""
    scores = [s.coverage * (s.density - base_rate) / (1.0 - base_rate) for s in trajectory]
    best = int(np.argmax(scores))
    return best if scores[best] > 0 else 0


def _paste(x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray, alpha: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """Friedman & Fisher's pasting: repeatedly widen one side of one restricted parameter to
    take in the nearest `alpha` share (of the box's size; at least one world, ties together)
    of the worlds just outside it, choosing the widening that most raises the density, until
    none raises it."""
    lower, upper = lower.copy(), upper.copy()
    for _ in range(_MAX_STEPS):
        within = (x >= lower) & (x < upper)
        outside_on = (~within).sum(axis=1)
        inside = outside_on == 0
        m = int(inside.sum())
        if m == 0:
            break
        fails = float(y[inside].sum())
        density = fails / m
        k = max(1, math.ceil(alpha * m))
        best: tuple[float, int, int, float] | None = None  # density, parameter, side, bound
        for j in np.flatnonzero(np.isfinite(lower) | np.isfinite(upper)):
            near = (outside_on == 1) & ~within[:, j]  # outside on parameter j only
            values, failed = x[near, j], y[near]
            for side in (0, 1):
                pick = values < lower[j] if side == 0 else values >= upper[j]
                v, f = values[pick], failed[pick]
                if not len(v):
                    continue
                ordered = np.sort(v)[::-1] if side == 0 else np.sort(v)
                cut = ordered[min(k, len(v)) - 1]
                add = v >= cut if side == 0 else v <= cut
                rest = v[~add]
                if side == 0:
                    bound = (cut + rest.max()) / 2 if len(rest) else -np.inf
                else:
                    bound = (cut + rest.min()) / 2 if len(rest) else np.inf
                widened = (fails + float(f[add].sum())) / (m + int(add.sum()))
                if widened > density and (best is None or widened > best[0]):
                    best = (widened, int(j), side, float(bound))
        if best is None:
            break
        _, j, side, bound = best
        if side == 0:
            lower[j] = bound
        else:
            upper[j] = bound
    return lower, upper


def _quasi_p(x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray
             ) -> np.ndarray:
    """Per parameter, the quasi-p-value of its restriction (NaN where unrestricted or the box is
    empty): P(X ≥ failures in the box) for X ~ Binomial(worlds in the box, density of the box
    with that restriction removed) — the one-sided binomial test scipy's
    `binomtest(..., alternative="greater")` computes."""
    inside = _inside(x, lower, upper)
    count, fails = int(inside.sum()), int(y[inside].sum())
    result = np.full(len(lower), np.nan)
    if count == 0:
        return result
    for j in np.flatnonzero(np.isfinite(lower) | np.isfinite(upper)):
        lo, up = lower.copy(), upper.copy()
        lo[j], up[j] = -np.inf, np.inf
        wider = _inside(x, lo, up)
        result[j] = float(stats.binom.sf(fails - 1, count, y[wider].mean()))
    return result


def _prune(x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray,
           max_quasi_p: float) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Drop restrictions whose quasi-p exceeds `max_quasi_p`, least significant first,
    recomputing after each; the dropped ones with their quasi-p."""
    lower, upper = lower.copy(), upper.copy()
    dropped: dict[int, float] = {}
    while True:
        p = _quasi_p(x, y, lower, upper)
        if np.all(np.isnan(p)):
            break
        worst = int(np.nanargmax(p))
        if p[worst] <= max_quasi_p:
            break
        dropped[worst] = float(p[worst])
        lower[worst], upper[worst] = -np.inf, np.inf
    return lower, upper, dropped


def _as_limits(lower: np.ndarray, upper: np.ndarray, names: list[str]) -> Limits:
    return {names[j]: (float(lower[j]), float(upper[j])) for j in range(len(names))
            if np.isfinite(lower[j]) or np.isfinite(upper[j])}


def _limits_of(conditions: list[Condition]) -> Limits:
    limits: Limits = {}
    for c in conditions:
        low, high = limits.get(c.parameter, (-math.inf, math.inf))
        limits[c.parameter] = (c.threshold, high) if c.op == ">=" else (low, c.threshold)
    return limits


def _conditions(limits: Limits) -> list[Condition]:
    conditions = []
    for name, (low, high) in limits.items():
        if math.isfinite(low):
            conditions.append(Condition(name, ">=", low))
        if math.isfinite(high):
            conditions.append(Condition(name, "<", high))
    return conditions


def _step(x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray,
          names: list[str]) -> Step:
    inside = _inside(x, lower, upper)
    count, fails, total = int(inside.sum()), int(y[inside].sum()), int(y.sum())
    return Step(support=count / len(y), coverage=fails / total if total else math.nan,
                density=fails / count if count else math.nan,
                limits=_as_limits(lower, upper, names))


def quasi_p_values(parameters: pd.DataFrame, failed: np.ndarray, limits: Limits
                   ) -> dict[str, float]:
    """The quasi-p-value of each restriction of a box (see `Box.quasi_p`), counted on the
    worlds given: the one-sided binomial test of the box's failures against the density of the
    same box with that parameter's restriction removed."""
    names = list(limits)
    x = parameters[names].to_numpy(np.float64) if names else np.empty((len(parameters), 0))
    lower = np.array([limits[n][0] for n in names], dtype=np.float64)
    upper = np.array([limits[n][1] for n in names], dtype=np.float64)
    p = _quasi_p(x, np.asarray(failed, dtype=bool).ravel(), lower, upper)
    return {name: float(p[j]) for j, name in enumerate(names)}


def _split(failed: np.ndarray, random_state: int) -> np.ndarray:
    """A discovery half (True) and a held-out half, each with half of the failed worlds and
    half of the others, drawn at random."""
    rng = np.random.default_rng(random_state)
    discovery = np.zeros(len(failed), dtype=bool)
    for group in (np.flatnonzero(failed), np.flatnonzero(~failed)):
        discovery[rng.permutation(group)[: (len(group) + 1) // 2]] = True
    return discovery


def discover(parameters: pd.DataFrame, failed: np.ndarray, *,
             options: Iterable[str] | None = None, peel_alpha: float = PEEL_ALPHA,
             paste_alpha: float = PASTE_ALPHA, mass_min: float = MASS_MIN,
             max_quasi_p: float = MAX_QUASI_P, max_p_value: float = MAX_P_VALUE,
             max_boxes: int = MAX_BOXES, random_state: int = 0) -> Discovery:
    """PRIM scenario discovery of the worlds where a portfolio fails (see the module's text).

    `parameters` is `RunResult.parameters` (one row per world: `world` plus one numeric column
    per uncertain parameter); `failed` holds one bool per row, e.g. "the portfolio's paired
    effect on the outcome is no better than status quo in this world". `options` are the
    portfolio's options: parameters of any other option are excluded (None: use all).

    There is no box when fewer than 10 worlds failed, every world failed, no parameter varies,
    no box on the peeling trajectory beats the whole space, every restriction proved
    insignificant, or the box's held-out density is not significantly above the base rate.
    """
    failed = np.asarray(failed, dtype=bool).ravel()
    if len(failed) != len(parameters):
        raise ValueError(f"failed has {len(failed)} values for {len(parameters)} worlds")
    for name, value in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha),
                        ("mass_min", mass_min)):
        if not 0.0 < value < 1.0:
            raise ValueError(f"{name} must lie strictly between 0 and 1")
    columns = [str(c) for c in parameters.columns if c != "world"]
    allowed = portfolio_parameters(columns, options)
    names = [c for c in allowed if pd.api.types.is_numeric_dtype(parameters[c])
             and parameters[c].nunique() > 1]
    n, n_failed = len(failed), int(failed.sum())
    base_rate = n_failed / n if n else math.nan
    result = Discovery(boxes=[], rejected=[], trajectories=[], base_rate=base_rate, worlds=n,
                       failures=n_failed, parameters=names,
                       excluded=[c for c in columns if c not in allowed])
    if n_failed < MIN_FAILURES:
        result.note = f"only {n_failed} of {n} worlds failed: too few to describe"
        return result
    if n_failed == n:
        result.note = "it failed in every world"
        return result
    if not names:
        result.note = "no parameter that can affect the portfolio varies between worlds"
        return result

    x = parameters[names].to_numpy(np.float64)
    half = _split(failed, random_state)
    x_found, y_found, x_held, y_held = x[half], failed[half], x[~half], failed[~half]
    remaining = np.ones(len(y_found), dtype=bool)
    for _ in range(max_boxes):
        xr, yr = x_found[remaining], y_found[remaining]
        if yr.sum() < MIN_FAILURES // 2 or yr.all():
            break
        peeled = _peel(xr, yr, peel_alpha, mass_min)
        trajectory = [_step(xr, yr, lo, up, names) for lo, up in peeled]
        result.trajectories.append(trajectory)
        chosen = _choose(trajectory, float(yr.mean()))
        if chosen == 0:
            result.note = result.note or "no box on the peeling trajectory beats all worlds"
            break
        lower, upper = _paste(xr, yr, *peeled[chosen], paste_alpha)
        lower, upper, dropped = _prune(xr, yr, lower, upper, max_quasi_p)
        if not (np.isfinite(lower) | np.isfinite(upper)).any():
            result.note = result.note or "no restriction of the chosen box is significant"
            break
        box = _evaluate(x_held, y_held, lower, upper, names, base_rate)
        box.dropped = {names[j]: p for j, p in dropped.items()}
        box.trajectory, box.chosen_step = trajectory, chosen
        if box.worlds and box.density > base_rate and box.p_value < max_p_value:
            result.boxes.append(box)
        else:
            result.rejected.append(box)
            result.note = result.note or (
                "the box PRIM chose is not significantly denser in failures than all worlds "
                "on the held-out worlds")
            break
        remaining &= ~_inside(x_found, lower, upper)
    return result


def _evaluate(x: np.ndarray, y: np.ndarray, lower: np.ndarray, upper: np.ndarray,
              names: list[str], base_rate: float) -> Box:
    """A box's statistics and tests on the held-out worlds."""
    inside = _inside(x, lower, upper)
    count, fails, total = int(inside.sum()), int(y[inside].sum()), int(y.sum())
    quasi = _quasi_p(x, y, lower, upper)
    limits = _as_limits(lower, upper, names)
    return Box(conditions=_conditions(limits), support=count / len(y),
               density=fails / count if count else math.nan,
               coverage=fails / total if total else math.nan, base_rate=base_rate,
               worlds=count, failures=fails,
               p_value=float(stats.binom.sf(fails - 1, count, base_rate)) if count else 1.0,
               quasi_p={names[j]: float(quasi[j]) for j in range(len(names))
                        if names[j] in limits})


def failure_conditions(parameters: pd.DataFrame, failed: np.ndarray, *,
                       options: Iterable[str] | None = None, max_boxes: int = MAX_BOXES,
                       random_state: int = 0) -> list[Box]:
    """The reported boxes of `discover` (best first; [] for "no box")."""
    return discover(parameters, failed, options=options, max_boxes=max_boxes,
                    random_state=random_state).boxes


def box_record(box: Box) -> dict[str, object]:
    """A box as one row of the run's `failures` table: support, density, coverage, base_rate,
    p_value, conditions (readable), quasi_p and trajectory (JSON, for a trade-off plot:
    support, coverage, density and restricted parameters per step), chosen_step."""
    return {
        "support": box.support, "density": box.density, "coverage": box.coverage,
        "base_rate": box.base_rate, "p_value": box.p_value,
        "conditions": "; ".join(f"{c.parameter} {c.op} {c.threshold:.6g}"
                                for c in box.conditions),
        "quasi_p": json.dumps(box.quasi_p),
        "trajectory": json.dumps([{"support": round(s.support, 4),
                                   "coverage": round(s.coverage, 4),
                                   "density": round(s.density, 4),
                                   "restricted": sorted(s.limits)} for s in box.trajectory]),
        "chosen_step": box.chosen_step,
    }


BOX_COLUMNS = ["support", "density", "coverage", "base_rate", "p_value", "conditions",
               "quasi_p", "trajectory", "chosen_step"]
"""The columns `box_record` fills, in order."""


# --- plain sentences ---------------------------------------------------------------------------


def format_number(x: float) -> str:
    """A threshold for a sentence: 3 significant figures, thousands separators, no trailing
    zeros (183,456.7 → "183,000"; 2.3456 → "2.35"; 0.012345 → "0.0123")."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    rounded = float(f"{x:.3g}")
    decimals = max(0, 2 - math.floor(math.log10(abs(rounded))))
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _percent(share: float) -> str:
    if 0 < share < 0.005:
        return "under 1%"
    if 0.995 <= share < 1:
        return "over 99%"
    return f"{round(100 * share)}%"


def _with_unit(value: float, unit: str) -> str:
    number = format_number(value)
    if unit.strip().lower() in _UNITLESS:
        return number
    if unit == "%":
        return number + "%"
    return f"{number} {unit}"


def _phrase(parameter: str, conditions: list[Condition],
            labels: dict[str, tuple[str, str]]) -> str:
    """One parameter's bounds in words: "X is under 2.3 months", "is at least …", "between …"."""
    label, unit = labels.get(parameter, (parameter, ""))
    below = next((c.threshold for c in conditions if c.op == "<"), None)
    above = next((c.threshold for c in conditions if c.op == ">="), None)
    if parameter in STRUCTURAL:
        # A structural choice is 0 or 1: a bound between them names the rule form that holds.
        form = form_label(parameter, 1.0 if above is not None else 0.0)
        return f"the rule form is “{form}” ({label})"
    if below is not None and above is not None:
        number_low, number_high = format_number(above), _with_unit(below, unit)
        return f"{label} is between {number_low} and {number_high}"
    if below is not None:
        return f"{label} is under {_with_unit(below, unit)}"
    assert above is not None
    return f"{label} is at least {_with_unit(above, unit)}"


def describe_box(box: Box, *, subject: str, labels: dict[str, tuple[str, str]]) -> str:
    """A box as one plain sentence for a report, e.g.

    "Sanctions listing fails to cut munitions shipped in 62% of worlds where front-company
    rebuild time is under 2.3 months and Russia's shell production is at least 180,000
    rounds/month, against 20% of worlds overall (these worlds are 31% of all worlds and hold
    48% of all failures)."

    `subject` starts the sentence ("Sanctions listing fails to cut munitions shipped");
    `labels` maps a parameter path to its (human label, unit), e.g. from the scenario's
    parameters; a path without a label is shown as is. Thresholds are rounded to 3 significant
    figures with thousands separators.
    """
    by_parameter: dict[str, list[Condition]] = {}
    for c in box.conditions:
        by_parameter.setdefault(c.parameter, []).append(c)
    clauses = [_phrase(p, cs, labels) for p, cs in by_parameter.items()]
    if not clauses:
        where = "all worlds"
    elif len(clauses) == 1:
        where = f"worlds where {clauses[0]}"
    else:
        where = "worlds where " + ", ".join(clauses[:-1]) + " and " + clauses[-1]
    return (f"{subject} in {_percent(box.density)} of {where}, against "
            f"{_percent(box.base_rate)} of worlds overall (these worlds are "
            f"{_percent(box.support)} of all worlds and hold {_percent(box.coverage)} of all "
            f"failures; {_p_text(box.p_value)}, on worlds held out from the search).")


def _p_text(p: float) -> str:
    """A p-value for people: no scientific notation."""
    if math.isnan(p):
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
