"""The value model: each scored outcome valued on its swing, weighted by a swing weight.

A scenario gives each headline (or weighted) outcome a *swing* — its worst and best plausible
values at the horizon in natural units — a swing weight and a minimal meaningful difference
(MMD). An outcome's partial value is 0 at the swing's worst, 1 at its best and linear between
(held at 0 or 1 beyond the swing: the swing is the range the weights were judged on, and a
value outside it says the swing was drawn too narrow — `outside_swing` counts such values so a
report can say so). A portfolio's score in a world is the weighted sum of its partial values
minus status quo's in the same world, the weights normalised to sum 1: 1 would be moving every
scored outcome from its worst to its best.

The scale is therefore set by judgement stated in the scenario (the swings), not by how much
the outcomes happen to vary across worlds and portfolios. What the weights imply is printed as
exchange rates: with weights w and swing widths s, one unit of outcome a counts as much as
(w_a / s_a) / (w_b / s_b) units of outcome b.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from axis_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class ValueModel:
    """The criteria of a scenario's value model, as plain arrays (one entry per criterion).

    `order` holds the ordinal judgements as index pairs (i, j): weight i must be at least
    weight j. `weights` are the scenario's swing weights normalised to sum 1 (all zero if none
    is positive).
    """

    outcomes: list[str]
    worst: np.ndarray
    best: np.ndarray
    weights: np.ndarray
    mmd: np.ndarray
    order: list[tuple[int, int]]

    @property
    def width(self) -> np.ndarray:
        """Each swing's width in natural units (always positive)."""
        return np.abs(self.best - self.worst)

    def index(self, outcome: str) -> int:
        return self.outcomes.index(outcome)


def value_model(scenario: Scenario, weights: dict[str, float] | None = None) -> ValueModel:
    """The scenario's value model over its scored outcomes; `weights` overrides swing weights
    by outcome name (unnormalised, as in the scenario)."""
    names = [o for o in scenario.scored_outcomes if scenario.outcomes[o].swing is not None]
    specs = [scenario.outcomes[o] for o in names]
    raw = np.array([(weights or {}).get(o, s.weight) for o, s in zip(names, specs, strict=True)],
                   dtype=np.float64)
    total = raw.sum()
    order = [(names.index(o), names.index(other)) for o in names
             for other in scenario.outcomes[o].outweighs if other in names]
    return ValueModel(
        outcomes=names,
        worst=np.array([s.swing.worst for s in specs], dtype=np.float64),  # type: ignore[union-attr]
        best=np.array([s.swing.best for s in specs], dtype=np.float64),  # type: ignore[union-attr]
        weights=raw / total if total > 0 else np.zeros_like(raw),
        mmd=np.array([s.mmd.value if s.mmd is not None else np.nan for s in specs]),
        order=order,
    )


def partial_value(values: np.ndarray, worst: float, best: float) -> np.ndarray:
    """Linear partial value: 0 at `worst`, 1 at `best`, held within [0, 1]."""
    return np.clip((np.asarray(values, dtype=np.float64) - worst) / (best - worst), 0.0, 1.0)


def outside_swing(values: np.ndarray, worst: float, best: float) -> float:
    """The share of `values` outside the swing (where the partial value is held at 0 or 1)."""
    low, high = min(worst, best), max(worst, best)
    values = np.asarray(values)
    return float(((values < low) | (values > high)).mean()) if values.size else 0.0


def value_differences(values: np.ndarray, base: int, worst: float, best: float) -> np.ndarray:
    """Each portfolio's partial value minus the `base` portfolio's, world by world.

    `values` is one outcome, (portfolios, worlds); so is the result (better positive)."""
    partial = partial_value(values, worst, best)
    return partial - partial[base]


def value_of_unit(model: ValueModel) -> np.ndarray:
    """How much value (on the 0–1 score) one natural unit of each criterion is worth."""
    return model.weights / model.width


def exchange_rates(model: ValueModel, reference: str) -> dict[str, float]:
    """How many units of `reference` one unit of each other criterion counts as much as.

    Only criteria with a positive weight (and a reference with one) have a rate.
    """
    per_unit = value_of_unit(model)
    ref = per_unit[model.index(reference)]
    if ref <= 0:
        return {}
    return {o: float(per_unit[i] / ref) for i, o in enumerate(model.outcomes)
            if o != reference and per_unit[i] > 0}


def composite_mmd(model: ValueModel) -> float:
    """The smallest composite difference that matters: what the least valuable single-outcome
    MMD is worth under the scenario's weights (a composite effect smaller than that cannot come
    from any outcome moving by a meaningful amount). NaN when no criterion has a weight."""
    worth = model.weights * model.mmd / model.width
    worth = worth[(model.weights > 0) & np.isfinite(worth)]
    return float(worth.min()) if worth.size else float("nan")
