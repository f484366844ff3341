"""Scenario discovery: in which kinds of worlds does an option fail, or backfire?

Given each world's drawn parameters and whether the option failed there (e.g. its paired
effect on the headline outcome was worse than status quo), `failure_conditions` finds a few
boxes — conjunctions of simple thresholds such as "front companies are rebuilt in under 2.3
months and shell production is at least 180,000 rounds/month" — inside which failures are
concentrated, and `describe_box` states one as a plain sentence for a report.

Boxes come from the leaves of a shallow decision tree (scikit-learn), so each is a readable
rule; they are then simplified (conditions that do not sharpen the box are dropped) and scored
on the data themselves, not on the tree's weighted counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

_MIN_FAILURES = 10  # fewer failed worlds than this: too few to describe
_MAX_P_VALUE = 0.01  # a box must hold more failures than chance would put there (binomial test)
_SIMPLIFY_TOLERANCE = 0.95  # drop a condition if the box keeps ≥ 95% of its density without it
_UNITLESS = {"", "1", "-", "0/1", "probability", "share", "fraction", "ratio", "index",
             "index 0-1", "dimensionless"}


class Condition(NamedTuple):
    """One side of one parameter's range: `parameter op threshold`, op "<" or ">="."""

    parameter: str
    op: Literal["<", ">="]
    threshold: float

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Which of `values` satisfy the condition."""
        return values < self.threshold if self.op == "<" else values >= self.threshold


@dataclass
class Box:
    """A region of parameter space where an option's failures concentrate.

    `conditions` are ANDed; each parameter appears at most once per side. `support` is the share
    of all worlds inside the box, `density` the share of the box's worlds that failed,
    `coverage` the share of all failures that fall inside the box, and `base_rate` the share of
    all worlds that failed (compare `density` with it).
    """

    conditions: list[Condition]
    support: float
    density: float
    coverage: float
    base_rate: float
    worlds: int = field(default=0)
    failures: int = field(default=0)

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


def _merge(conditions: list[Condition]) -> list[Condition]:
    """Keep the tightest bound per (parameter, side), in order of first appearance."""
    tightest: dict[tuple[str, str], Condition] = {}
    for c in conditions:
        key = (c.parameter, c.op)
        old = tightest.get(key)
        if old is None or (c.threshold < old.threshold if c.op == "<"
                           else c.threshold > old.threshold):
            tightest[key] = c
    return list(tightest.values())


def _inside(x: pd.DataFrame, conditions: list[Condition]) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for c in conditions:
        inside &= c.holds(x[c.parameter].to_numpy())
    return inside


def _is_notable(count: int, fails: int, base_rate: float) -> bool:
    """Failures well above the base rate: at least twice it (or halfway to certain failure when
    doubling is out of reach), and more than chance would put there."""
    if count == 0:
        return False
    density = fails / count
    if density < min(2.0 * base_rate, (1.0 + base_rate) / 2.0):
        return False
    return bool(stats.binom.sf(fails - 1, count, base_rate) < _MAX_P_VALUE)


def _simplify(x: pd.DataFrame, failed: np.ndarray, conditions: list[Condition]
              ) -> list[Condition]:
    """Drop conditions that do not sharpen the box: repeatedly remove the one whose removal
    most increases density × coverage while keeping ≥ 95% of the original density."""
    def score(conds: list[Condition]) -> tuple[float, float]:
        inside = _inside(x, conds)
        count = int(inside.sum())
        fails = int(failed[inside].sum())
        return (fails / count if count else 0.0), fails

    floor = _SIMPLIFY_TOLERANCE * score(conditions)[0]
    while len(conditions) > 1:
        best, best_value = None, -1.0
        for i in range(len(conditions)):
            trial = conditions[:i] + conditions[i + 1:]
            density, fails = score(trial)
            if density >= floor and density * fails > best_value:
                best, best_value = trial, density * fails
        if best is None:
            break
        conditions = best
    return conditions


def failure_conditions(parameters: pd.DataFrame, failed: np.ndarray, *, max_depth: int = 3,
                       min_support: float = 0.05, random_state: int = 0) -> list[Box]:
    """Boxes of parameter space where an option fails much more often than overall.

    `parameters` is `RunResult.parameters` (one row per world: `world` plus one numeric column
    per uncertain parameter); `failed` holds one bool per row, e.g. "the option's paired effect
    on the headline outcome is worse than status quo in this world".

    A class-balanced `DecisionTreeClassifier` (depth ≤ `max_depth`, each leaf ≥ `min_support`
    of the worlds) is fitted to predict `failed`. Each leaf is a box; sibling leaves that are
    both failure-dense are merged into their parent, conditions that do not sharpen a box are
    dropped, and a box is kept if its failure density is well above the base rate (at least
    twice it, or halfway to certain failure when the base rate is above 1/3; and significant
    at 1% by a one-sided binomial test). Boxes are sorted by density × coverage, best first.

    Returns [] when no world failed, every world failed, or fewer than 10 did.
    """
    from sklearn.tree import DecisionTreeClassifier  # heavy import; only when asked

    failed = np.asarray(failed, dtype=bool).ravel()
    if len(failed) != len(parameters):
        raise ValueError(f"failed has {len(failed)} values for {len(parameters)} worlds")
    if not 0.0 < min_support < 1.0:
        raise ValueError("min_support must lie strictly between 0 and 1")
    n = len(failed)
    n_failed = int(failed.sum())
    if n_failed < _MIN_FAILURES or n_failed == n:
        return []
    names = [c for c in parameters.columns
             if c != "world" and pd.api.types.is_numeric_dtype(parameters[c])
             and parameters[c].nunique() > 1]
    if not names:
        return []
    x = parameters[names].astype(np.float64).reset_index(drop=True)
    base_rate = n_failed / n

    model = DecisionTreeClassifier(max_depth=max_depth, class_weight="balanced",
                                   min_samples_leaf=max(1, math.ceil(min_support * n)),
                                   random_state=random_state)
    model.fit(x.to_numpy(), failed)
    tree = model.tree_
    leaf_of = model.apply(x.to_numpy())
    counts = np.bincount(leaf_of, minlength=tree.node_count)
    fails = np.bincount(leaf_of, weights=failed, minlength=tree.node_count).astype(int)

    # Count every node's worlds and failures, and mark the notable leaves; then merge sibling
    # leaves that are both notable (the split between them says nothing about failure).
    children = {int(p): (int(tree.children_left[p]), int(tree.children_right[p]))
                for p in range(tree.node_count) if tree.children_left[p] != -1}
    for parent in sorted(children, reverse=True):  # children have larger ids than parents
        a, b = children[parent]
        counts[parent], fails[parent] = counts[a] + counts[b], fails[a] + fails[b]
    notable = {node for node in range(tree.node_count)
               if node not in children and _is_notable(counts[node], fails[node], base_rate)}
    changed = True
    while changed:
        changed = False
        for parent, (a, b) in children.items():
            if a in notable and b in notable:
                notable -= {a, b}
                notable.add(parent)
                changed = True

    paths = _node_paths(tree, names)
    boxes: dict[tuple[Condition, ...], Box] = {}
    for node in notable:
        conditions = _simplify(x, failed, paths[node])
        inside = _inside(x, conditions)
        count, box_fails = int(inside.sum()), int(failed[inside].sum())
        key = tuple(sorted(conditions))
        if key in boxes or not _is_notable(count, box_fails, base_rate):
            continue
        boxes[key] = Box(conditions=conditions, support=count / n, density=box_fails / count,
                         coverage=box_fails / n_failed, base_rate=base_rate,
                         worlds=count, failures=box_fails)
    return sorted(boxes.values(), key=lambda b: (-b.density * b.coverage, -b.density))


def _node_paths(tree, names: list[str]) -> dict[int, list[Condition]]:
    """The merged conditions from the root to every node (leaf or not) of a fitted tree."""
    left, right = tree.children_left, tree.children_right
    paths: dict[int, list[Condition]] = {0: []}
    for node in range(tree.node_count):  # parents precede their children
        if left[node] == -1:
            continue
        name, threshold = names[tree.feature[node]], float(tree.threshold[node])
        # sklearn sends x <= threshold left; thresholds lie midway between observed values, so
        # on the data "<" and "<=" agree.
        paths[int(left[node])] = _merge([*paths[node], Condition(name, "<", threshold)])
        paths[int(right[node])] = _merge([*paths[node], Condition(name, ">=", threshold)])
    return paths


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
            f"failures).")
