"""Which uncertain parameters drive each option's effect? Rank correlations, and SALib on request.

Two tools, both plain functions over plain data:

- `rank_correlations` runs on every Monte Carlo run. For each (portfolio, outcome) it correlates
  the per-world paired effect (portfolio minus status quo, world by world) with every uncertain
  parameter (Spearman's rho), so a reader sees which assumptions the option's effect hinges on.
  `top_drivers` picks the strongest few for one (portfolio, outcome).
- `design` and `analyze` are SALib's sample → evaluate → analyze flow (Morris screening or
  Sobol' indices) for a run made on purpose: the runner maps the unit-cube design through each
  parameter's inverse CDF, runs the model on those worlds, and hands each world's paired effect
  back to `analyze`.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

Method = Literal["morris", "sobol"]

_EPS = 1e-9  # designs are clipped to [_EPS, 1 - _EPS] so inverse CDFs stay finite
_MORRIS_LEVELS = 4
_CORRELATION_COLUMNS = ["portfolio", "outcome", "parameter", "rho", "p_value", "rank"]


# --- rank correlations (every run) -------------------------------------------------------------


def _standardised_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks along each row of `values` (ties share a rank, as in spearmanr), centred and
    scaled to unit length, so the Pearson correlation of two rows' ranks is their dot product.
    Constant rows come back all-NaN (their correlation is undefined)."""
    ranks = stats.rankdata(values, axis=1)
    ranks -= ranks.mean(axis=1, keepdims=True)
    norm = np.sqrt(np.einsum("ij,ij->i", ranks, ranks))
    if values.shape[1]:
        norm[np.ptp(values, axis=1) == 0] = np.nan
    else:
        norm[:] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        return ranks / norm[:, None]


def _spearman(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman's rho and its two-sided p-value (t approximation, as scipy.stats.spearmanr) for
    every pair of a row of `x` (P, n) and a row of `y` (K, n); neither may hold NaN. Rows are
    variables, columns worlds (C order, so each variable is ranked in contiguous memory)."""
    n = x.shape[1]
    rho = np.clip(_standardised_ranks(x) @ _standardised_ranks(y).T, -1.0, 1.0)  # NaN passes
    dof = n - 2
    if dof < 1:
        return rho, np.full_like(rho, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = rho * np.sqrt((dof / ((rho + 1.0) * (1.0 - rho))).clip(0))
    p = 2.0 * stats.t.sf(np.abs(t), dof)
    return rho, p


def rank_correlations(parameters: pd.DataFrame, effects: pd.DataFrame) -> pd.DataFrame:
    """Spearman's rho between every uncertain parameter and every (portfolio, outcome) effect.

    `parameters` is `RunResult.parameters`: one row per world, a `world` column and one numeric
    column per parameter path. `effects` is long, one row per (portfolio, outcome, world), with
    columns `portfolio`, `outcome`, `world`, `effect` (the per-world paired difference from
    status quo). Every world in `effects` must appear in `parameters`.

    Returns a long frame `portfolio, outcome, parameter, rho, p_value, rank`: `p_value` is
    two-sided (the t approximation scipy.stats.spearmanr uses), `rank` is 1 for the largest
    |rho| within the (portfolio, outcome). Rows are ordered by portfolio and outcome (order of
    first appearance in `effects`), then by rank. A constant parameter or a constant effect has
    no correlation: rho and p_value are NaN and it ranks last. Worlds where an effect is missing
    (NaN, or no row) are left out of that (portfolio, outcome) only.

    Ranks are computed once per column and every correlation comes from one matrix product, so
    ~130 parameters × ~1,400 (portfolio, outcome) pairs × 10,000 worlds take seconds.
    """
    missing = {"portfolio", "outcome", "world", "effect"} - set(effects.columns)
    if missing:
        raise ValueError(f"effects lacks column(s) {sorted(missing)}")
    if "world" not in parameters.columns:
        raise ValueError("parameters lacks the `world` column")
    names = [c for c in parameters.columns
             if c != "world" and pd.api.types.is_numeric_dtype(parameters[c])]
    x = np.ascontiguousarray(parameters[names].to_numpy(dtype=np.float64).T)  # (P, worlds)
    if np.isnan(x).any():
        raise ValueError("parameters hold NaN values")

    # Lay the effects out wide: one row per (portfolio, outcome) pair, one column per world (in
    # the order of `parameters`); missing cells stay NaN.
    world_column = pd.Index(parameters["world"])
    if not world_column.is_unique:
        raise ValueError("parameters has repeated worlds")
    columns = world_column.get_indexer(effects["world"])
    if (columns < 0).any():
        unknown = effects["world"].to_numpy()[columns < 0][:5].tolist()
        raise ValueError(f"effects has worlds not in parameters, e.g. {unknown}")
    portfolio_codes, portfolios = pd.factorize(effects["portfolio"])
    outcome_codes, outcomes = pd.factorize(effects["outcome"])
    pair_codes, pair_keys = pd.factorize(portfolio_codes * len(outcomes) + outcome_codes)
    n_pairs, n_worlds = len(pair_keys), len(world_column)
    cell = pair_codes * n_worlds + columns
    if len(cell) and np.bincount(cell, minlength=n_pairs * n_worlds).max() > 1:
        raise ValueError("effects has more than one row for some (portfolio, outcome, world)")
    y = np.full((n_pairs, n_worlds), np.nan)
    y.flat[cell] = effects["effect"].to_numpy(dtype=np.float64, na_value=np.nan)

    rho = np.full((len(names), n_pairs), np.nan)
    p_value = np.full_like(rho, np.nan)
    absent = np.isnan(y)
    complete = ~absent.any(axis=1)
    if complete.any():
        rho[:, complete], p_value[:, complete] = _spearman(x, y[complete])
    if not complete.all():
        # Pairs with missing worlds: one computation per distinct pattern of missing worlds.
        incomplete = np.flatnonzero(~complete)
        patterns, group = np.unique(absent[incomplete], axis=0, return_inverse=True)
        for g, pattern in enumerate(patterns):
            keep = ~pattern
            pairs_in_group = incomplete[group.ravel() == g]
            rho[:, pairs_in_group], p_value[:, pairs_in_group] = _spearman(
                np.ascontiguousarray(x[:, keep]), y[np.ix_(pairs_in_group, keep)])

    pair_portfolio = np.asarray(portfolios, dtype=object)[pair_keys // len(outcomes)]
    pair_outcome = np.asarray(outcomes, dtype=object)[pair_keys % len(outcomes)]
    table = pd.DataFrame({
        "portfolio": np.tile(pair_portfolio, len(names)),
        "outcome": np.tile(pair_outcome, len(names)),
        "parameter": np.repeat(np.asarray(names, dtype=object), n_pairs),
        "rho": rho.ravel(),
        "p_value": p_value.ravel(),
        "pair": np.tile(np.arange(n_pairs), len(names)),
        "abs_rho": np.abs(rho).ravel(),
        "order": np.repeat(np.arange(len(names)), n_pairs),
    })
    table = table.sort_values(["pair", "abs_rho", "order"], ascending=[True, False, True],
                              na_position="last", kind="stable")
    table["rank"] = table.groupby("pair").cumcount().to_numpy() + 1
    return table[_CORRELATION_COLUMNS].reset_index(drop=True)


def top_drivers(correlations: pd.DataFrame, portfolio: str, outcome: str,
                n: int = 5) -> pd.DataFrame:
    """The `n` parameters most strongly rank-correlated with one (portfolio, outcome) effect.

    `correlations` is the output of `rank_correlations`; parameters with no correlation (NaN
    rho) are left out. Returns `parameter, rho, p_value, rank`, strongest first.
    """
    rows = correlations[(correlations["portfolio"] == portfolio)
                        & (correlations["outcome"] == outcome)
                        & correlations["rho"].notna()]
    return (rows.sort_values("rank").head(n)[["parameter", "rho", "p_value", "rank"]]
            .reset_index(drop=True))


# --- SALib designs and indices (on request) ----------------------------------------------------


def _problem(names: list[str]) -> dict:
    """A SALib problem on the unit cube."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def design(method: Method, dims: int, n: int, seed: int) -> np.ndarray:
    """A SALib design on the unit cube: the worlds to run for Morris screening or Sobol' indices.

    - `"morris"`: `n` Morris trajectories on a 4-level grid, `n * (dims + 1)` rows; a good
      screen of many parameters at ~10–50 trajectories.
    - `"sobol"`: Saltelli's scheme for first- and total-order indices (no second order),
      `n * (dims + 2)` rows; `n` should be a power of two (e.g. 512–4,096).

    Each row is one world, each column one uncertain parameter (in the order of the `names`
    later given to `analyze`), each value a cumulative probability: the caller turns column j
    into parameter values with `inverse_cdf(parameter_j, design[:, j])`, runs every portfolio
    on those worlds, and passes the design and each world's paired effect to `analyze`. The
    rows must be evaluated and passed back in this order (both methods rely on it).

    Values are clipped to [1e-9, 1 - 1e-9] so every inverse CDF is finite. Note that the Morris
    grid includes the levels 0 and 1, i.e. each distribution's extreme quantiles (its bounds, or
    far tails of an unbounded one such as a lognormal). The same `seed` gives the same design.
    """
    if dims < 1 or n < 1:
        raise ValueError("design needs dims >= 1 and n >= 1")
    problem = _problem([f"x{i}" for i in range(dims)])
    if method == "morris":
        from SALib.sample import morris  # SALib is heavy to import; only load it on request

        points = morris.sample(problem, n, num_levels=_MORRIS_LEVELS, seed=seed)
    elif method == "sobol":
        from SALib.sample import sobol

        with warnings.catch_warnings():
            # Sobol' balance is best at powers of two; other sizes are still valid designs.
            warnings.simplefilter("ignore", UserWarning)
            points = sobol.sample(problem, n, calc_second_order=False, seed=seed)
    else:
        raise ValueError(f"unknown method {method!r}; expected 'morris' or 'sobol'")
    return np.clip(np.asarray(points, dtype=np.float64), _EPS, 1.0 - _EPS)


def analyze(method: Method, names: list[str], design: np.ndarray, y: np.ndarray,
            seed: int) -> pd.DataFrame:
    """Sensitivity indices of one output over a `design(...)` that the model has been run on.

    `names` label the design's columns (parameter paths), `design` is the array `design(...)`
    returned (unchanged, same row order), and `y` holds one value per row: typically the world's
    paired effect of a portfolio on an outcome (portfolio minus status quo), so the indices say
    which assumptions the option's effect depends on. Call once per (portfolio, outcome).
    `seed` fixes the bootstrap behind the confidence intervals.

    - `"morris"` → `parameter, mu_star, mu_star_conf, sigma`, by `mu_star` descending
      (mean absolute elementary effect per unit-cube step; large `sigma` relative to
      `mu_star` signals interactions or non-linearity).
    - `"sobol"` → `parameter, S1, S1_conf, ST, ST_conf`, by `ST` descending (first-order and
      total-order shares of the output variance; `*_conf` are 95% half-widths).
    """
    x = np.asarray(design, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.ndim != 2 or x.shape[1] != len(names):
        raise ValueError(f"design has shape {x.shape}; expected (rows, {len(names)})")
    if len(y) != len(x):
        raise ValueError(f"y has {len(y)} values for {len(x)} design rows")
    if not np.isfinite(y).all():
        raise ValueError("y holds NaN or infinite values")
    problem = _problem(names)
    if method == "morris":
        from SALib.analyze import morris

        if len(x) % (len(names) + 1):
            raise ValueError("a Morris design has a multiple of (dims + 1) rows")
        si = morris.analyze(problem, x, y, num_levels=_MORRIS_LEVELS, seed=seed)
        table = pd.DataFrame({"parameter": list(names),
                              "mu_star": np.asarray(si["mu_star"], dtype=np.float64),
                              "mu_star_conf": np.asarray(si["mu_star_conf"], dtype=np.float64),
                              "sigma": np.asarray(si["sigma"], dtype=np.float64)})
        key = "mu_star"
    elif method == "sobol":
        from SALib.analyze import sobol

        if len(x) % (len(names) + 2):
            raise ValueError("a Sobol' design (no second order) has a multiple of (dims + 2) rows")
        with np.errstate(invalid="ignore", divide="ignore"):
            si = sobol.analyze(problem, y, calc_second_order=False, seed=seed)
        table = pd.DataFrame({"parameter": list(names),
                              **{k: np.asarray(si[k], dtype=np.float64)
                                 for k in ("S1", "S1_conf", "ST", "ST_conf")}})
        key = "ST"
    else:
        raise ValueError(f"unknown method {method!r}; expected 'morris' or 'sobol'")
    return (table.sort_values(key, ascending=False, na_position="last", kind="stable")
            .reset_index(drop=True))
