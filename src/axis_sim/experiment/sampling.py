"""Draw each world's uncertain parameters: random, Latin hypercube or Sobol designs (scipy.qmc).

A design is drawn per chunk from the chunk's own generator, so a chunk's worlds are the same
whichever process runs it. Latin hypercube and Sobol designs stratify within a chunk.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.stats import qmc

from axis_sim.scenario.distributions import inverse_cdf, is_uncertain
from axis_sim.scenario.parameters import flat_parameters
from axis_sim.scenario.schema import Sampling, Scenario


def unit_design(method: Sampling, n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """An (n, dims) design of points in [0, 1)."""
    if dims == 0:
        return np.empty((n, 0))
    if method == "random":
        return rng.random((n, dims))
    if method == "latin_hypercube":
        return qmc.LatinHypercube(d=dims, rng=rng).random(n)
    with warnings.catch_warnings():
        # Sobol balance is best at powers of two; a chunk of another size is still a valid design.
        warnings.simplefilter("ignore", UserWarning)
        return qmc.Sobol(d=dims, scramble=True, rng=rng).random(n)


def sample_parameters(scenario: Scenario, n: int, method: Sampling,
                      rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every parameter path → n values: draws for uncertain ones, the default for fixed ones."""
    params = flat_parameters(scenario)
    uncertain = [path for path, (p, _) in params.items() if is_uncertain(p)]
    design = unit_design(method, n, len(uncertain), rng)
    values = {path: np.full(n, p.value, dtype=np.float64) for path, (p, _) in params.items()}
    for column, path in enumerate(uncertain):
        values[path] = inverse_cdf(params[path][0], design[:, column])
    return values


def default_parameters(scenario: Scenario, n: int = 1) -> dict[str, np.ndarray]:
    """Every parameter at its default value, for n identical worlds (the seminar's setting)."""
    return {path: np.full(n, p.value, dtype=np.float64)
            for path, (p, _) in flat_parameters(scenario).items()}


def uncertain_paths(scenario: Scenario) -> list[str]:
    """Paths of the parameters that differ between worlds."""
    return [path for path, (p, _) in flat_parameters(scenario).items() if is_uncertain(p)]


def parameters_from_design(scenario: Scenario, quantiles: np.ndarray) -> dict[str, np.ndarray]:
    """Every parameter path → values for worlds given as rows of cumulative probabilities, one
    column per uncertain parameter in `uncertain_paths` order (fixed ones take their default)."""
    params = flat_parameters(scenario)
    values = {path: np.full(len(quantiles), p.value, dtype=np.float64)
              for path, (p, _) in params.items()}
    for column, path in enumerate(uncertain_paths(scenario)):
        values[path] = inverse_cdf(params[path][0], quantiles[:, column])
    return values


class DesignError(ValueError):
    """A user's design of parameter values that the scenario cannot run; says what and where."""


def design_values(scenario: Scenario, design: Any) -> dict[str, np.ndarray]:
    """Validate a user's design (`run(design=...)`): one row per world, one column per parameter
    path (e.g. `actors.DPRK.srbm_rate`), each value one the parameter can take in the scenario
    — inside its distribution's range, one of a `choice`'s values. A fixed parameter keeps its
    value: give it a distribution first (`scenario.with_parameter(path, dist=...)`) to vary it.
    Parameters the design leaves out are drawn as usual. Returns path → float64 values;
    raises DesignError listing every problem."""
    import difflib

    import pandas as pd

    from axis_sim.scenario.schema import Choice, support

    frame = design if isinstance(design, pd.DataFrame) else pd.DataFrame(design)
    if len(frame) == 0:
        raise DesignError("the design has no rows: give one row per world")
    params = flat_parameters(scenario)
    columns = [str(c) for c in frame.columns]
    problems: list[str] = []
    if len(set(columns)) != len(columns):
        problems.append("a column appears twice: "
                        + ", ".join(sorted({c for c in columns if columns.count(c) > 1})))
    values: dict[str, np.ndarray] = {}
    for column, path in zip(frame.columns, columns, strict=True):
        if path not in params:
            close = difflib.get_close_matches(path, list(params), n=1, cutoff=0.7)
            problems.append(f"{path}: unknown parameter" + (f" (did you mean {close[0]!r}?)"
                                                             if close else "")
                            + "; columns are parameter paths such as actors.DPRK.srbm_rate")
            continue
        raw = frame[column]
        numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(numbers)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            held = raw.iloc[row]
            shown = repr(held) if isinstance(held, str) else str(held)
            problems.append(f"{path}: row {row} holds {shown}, not a finite number")
            continue
        parameter = params[path][0]
        if not is_uncertain(parameter) and (numbers != parameter.value).any():
            problems.append(f"{path} is fixed at {parameter.value:g} in the scenario; give "
                            "it a distribution first (scenario.with_parameter(path, "
                            "dist=...)) to vary it")
            continue
        low, high = support(parameter.dist, parameter.value)
        outside = (numbers < low) | (numbers > high)
        if isinstance(parameter.dist, Choice):
            outside = ~np.isin(numbers, np.asarray(parameter.dist.values, dtype=np.float64))
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            allowed = (f"one of {', '.join(f'{v:g}' for v in parameter.dist.values)}"
                       if isinstance(parameter.dist, Choice) else f"[{low:g}, {high:g}]")
            problems.append(f"{path}: row {row} holds {numbers[row]:g}, outside what its "
                            f"distribution can draw ({allowed}); {int(outside.sum())} row(s) "
                            "in all")
            continue
        values[path] = numbers
    if problems:
        raise DesignError("the design cannot be run:\n  " + "\n  ".join(problems))
    return values
