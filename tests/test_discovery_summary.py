"""The run's failures table: PRIM boxes for single options and the best-ranked combinations,
only on parameters that can affect each portfolio, each with its tests and trade-off."""

from __future__ import annotations

import json

from axis_sim.api import run
from axis_sim.experiment.discovery import BOX_COLUMNS, portfolio_parameters, portfolios_to_explain
from axis_sim.scenario.schema import Scenario


def test_failures_cover_singles_and_top_combinations_on_their_own_parameters(
        short_baseline: Scenario) -> None:
    result = run(short_baseline, runs=1500, seed=12,
                 options=["intercept_declaration", "sanctions_listing",
                          "intercept_declaration+sanctions_listing",
                          "intercept_declaration+trilateral_integration"])
    portfolios = {name: tuple(options) for name, options
                  in result.manifest["portfolio_options"].items()}
    failures = result.failures
    assert list(failures.columns) == ["portfolio", "outcome", "sentence", *BOX_COLUMNS]
    assert len(failures)
    explained = portfolios_to_explain(portfolios, result.ranking)
    assert "intercept_declaration+sanctions_listing" in explained
    assert set(failures["portfolio"]) <= set(explained)

    columns = [c for c in result.parameters.columns if c != "world"]
    for row in failures.itertuples(index=False):
        allowed = set(portfolio_parameters(columns, portfolios[row.portfolio]))
        restricted = set(json.loads(row.quasi_p))
        assert restricted and restricted <= allowed
        assert {c.split(" ")[0] for c in row.conditions.split("; ")} == restricted
        for step in json.loads(row.trajectory):
            assert set(step["restricted"]) <= allowed
        assert row.p_value < 0.01 and row.density > row.base_rate
        assert 0 < row.chosen_step < len(json.loads(row.trajectory))
