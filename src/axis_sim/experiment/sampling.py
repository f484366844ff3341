"""Draw each world's uncertain parameters: random, Latin hypercube or Sobol designs (scipy.qmc).

A design is drawn per chunk from the chunk's own generator, so a chunk's worlds are the same
whichever process runs it. Latin hypercube and Sobol designs stratify within a chunk.
"""

from __future__ import annotations

import warnings

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
