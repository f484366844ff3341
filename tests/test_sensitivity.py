"""Rank correlations against scipy, and the SALib design → analyze flow on toy functions."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from axis_sim.experiment.sensitivity import analyze, design, rank_correlations, top_drivers

PARAMS = ["actors.Russia.front_rebuild_months", "actors.DPRK.launch_rate", "context.flat",
          "options.sanctions.reach"]


def _example(n: int = 60, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Worlds with four parameters (one constant, one with ties) and effects for two portfolios
    × two outcomes, one of which is constant."""
    rng = np.random.default_rng(seed)
    parameters = pd.DataFrame({
        "world": np.arange(100, 100 + n),
        PARAMS[0]: rng.random(n),
        PARAMS[1]: rng.integers(0, 4, n).astype(float),  # ties
        PARAMS[2]: np.full(n, 3.0),  # constant
        PARAMS[3]: rng.normal(size=n),
    })
    rows = []
    for portfolio in ("sanctions", "interdiction"):
        for outcome in ("munitions", "launches", "flat_outcome"):
            if outcome == "flat_outcome":
                effect = np.zeros(n)
            else:
                effect = (rng.normal(size=n) + 2 * parameters[PARAMS[0]]
                          - rng.random() * parameters[PARAMS[1]])
            rows.append(pd.DataFrame({"portfolio": portfolio, "outcome": outcome,
                                      "world": parameters["world"], "effect": effect}))
    effects = pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=3)  # any order
    return parameters, effects


def test_rank_correlations_match_scipy() -> None:
    parameters, effects = _example()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # constant columns must not warn
        table = rank_correlations(parameters, effects)
    assert list(table.columns) == ["portfolio", "outcome", "parameter", "rho", "p_value", "rank"]
    assert len(table) == 2 * 3 * len(PARAMS)
    assert list(dict.fromkeys(table["portfolio"])) == list(dict.fromkeys(effects["portfolio"]))
    for (portfolio, outcome), group in effects.groupby(["portfolio", "outcome"]):
        y = group.set_index("world")["effect"].reindex(parameters["world"]).to_numpy()
        rows = table[(table["portfolio"] == portfolio) & (table["outcome"] == outcome)]
        rows = rows.set_index("parameter")
        assert sorted(rows["rank"]) == list(range(1, len(PARAMS) + 1))
        for name in PARAMS:
            if name == PARAMS[2] or outcome == "flat_outcome":
                assert np.isnan(rows.loc[name, "rho"]) and np.isnan(rows.loc[name, "p_value"])
                continue
            expected = stats.spearmanr(parameters[name], y)
            assert rows.loc[name, "rho"] == pytest.approx(expected.statistic, abs=1e-12)
            assert rows.loc[name, "p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
        ordered = rows.sort_values("rank")
        finite = ordered["rho"].dropna().abs().to_numpy()
        assert np.all(np.diff(finite) <= 0)  # rank 1 = largest |rho|
        assert ordered["rho"].notna().sum() == len(finite)
        assert ordered["rho"].iloc[: len(finite)].notna().all()  # NaN rhos rank last


def test_missing_worlds_are_left_out_of_that_pair_only() -> None:
    parameters, effects = _example()
    keep = ~((effects["portfolio"] == "sanctions") & (effects["outcome"] == "munitions")
             & (effects["world"] < 110))
    effects = effects[keep].copy()
    effects.loc[(effects["portfolio"] == "interdiction") & (effects["world"] == 150),
                "effect"] = np.nan
    table = rank_correlations(parameters, effects)
    for portfolio, outcome in (("sanctions", "munitions"), ("interdiction", "launches")):
        group = effects[(effects["portfolio"] == portfolio) & (effects["outcome"] == outcome)]
        group = group.dropna().set_index("world")
        x = parameters.set_index("world").loc[group.index, PARAMS[0]]
        expected = stats.spearmanr(x, group["effect"])
        row = table[(table["portfolio"] == portfolio) & (table["outcome"] == outcome)
                    & (table["parameter"] == PARAMS[0])].iloc[0]
        assert row["rho"] == pytest.approx(expected.statistic, abs=1e-12)
        assert row["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)


def test_rank_correlations_reject_inconsistent_input() -> None:
    parameters, effects = _example()
    with pytest.raises(ValueError, match="not in parameters"):
        rank_correlations(parameters.iloc[1:], effects)
    with pytest.raises(ValueError, match="more than one row"):
        rank_correlations(parameters, pd.concat([effects, effects.iloc[:1]]))


def test_planted_monotone_driver_ranks_first() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    parameters = pd.DataFrame({"world": np.arange(n)}
                              | {f"p{i}": rng.random(n) for i in range(20)})
    effect = np.exp(4 * parameters["p13"]) + rng.normal(scale=5, size=n)  # monotone, non-linear
    effects = pd.DataFrame({"portfolio": "sanctions", "outcome": "munitions",
                            "world": parameters["world"], "effect": effect})
    table = rank_correlations(parameters, effects)
    top = top_drivers(table, "sanctions", "munitions", n=3)
    assert list(top.columns) == ["parameter", "rho", "p_value", "rank"]
    assert len(top) == 3
    assert top.loc[0, "parameter"] == "p13" and top.loc[0, "rank"] == 1
    assert top.loc[0, "rho"] > 0.5 and top.loc[0, "p_value"] < 1e-10


def test_top_drivers_skip_undefined_correlations() -> None:
    parameters, effects = _example()
    table = rank_correlations(parameters, effects)
    assert top_drivers(table, "sanctions", "flat_outcome").empty
    top = top_drivers(table, "sanctions", "munitions", n=10)
    assert PARAMS[2] not in set(top["parameter"]) and len(top) == 3


@pytest.mark.parametrize(("method", "rows_per_n"), [("morris", 6), ("sobol", 7)])
def test_design_shape_range_and_determinism(method: str, rows_per_n: int) -> None:
    points = design(method, dims=5, n=16, seed=11)
    assert points.shape == (16 * rows_per_n, 5)
    assert np.all(points > 0) and np.all(points < 1)
    np.testing.assert_array_equal(points, design(method, dims=5, n=16, seed=11))
    assert not np.array_equal(points, design(method, dims=5, n=16, seed=12))


def test_design_rejects_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        design("fast", dims=3, n=4, seed=0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("method", "n", "key"), [("morris", 20, "mu_star"), ("sobol", 256, "ST")])
def test_analyze_recovers_the_important_input(method: str, n: int, key: str) -> None:
    names = [f"x{i}" for i in range(5)]
    points = design(method, dims=5, n=n, seed=3)
    y = 10 * points[:, 0] + points[:, 1]
    table = analyze(method, names, points, y, seed=3)
    expected_columns = {"morris": ["parameter", "mu_star", "mu_star_conf", "sigma"],
                        "sobol": ["parameter", "S1", "S1_conf", "ST", "ST_conf"]}[method]
    assert list(table.columns) == expected_columns
    assert list(table["parameter"][:2]) == ["x0", "x1"]
    assert table[key].is_monotonic_decreasing
    if method == "sobol":
        assert table.loc[0, "S1"] == pytest.approx(100 / 101, abs=0.05)


def test_analyze_checks_lengths() -> None:
    points = design("sobol", dims=3, n=8, seed=0)
    with pytest.raises(ValueError, match="values for"):
        analyze("sobol", ["a", "b", "c"], points, np.zeros(len(points) - 1), seed=0)
    with pytest.raises(ValueError, match="shape"):
        analyze("sobol", ["a", "b"], points, np.zeros(len(points)), seed=0)
