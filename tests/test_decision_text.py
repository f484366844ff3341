"""The bottom line in words: a robust choice, or a choice that depends on the weights."""

from __future__ import annotations

import pandas as pd

from axis_sim.experiment.results import RunResult
from axis_sim.report import decision
from axis_sim.report.formatting import format_effect, significant
from axis_sim.scenario.schema import Scenario

NAMES = ["status_quo", "allied_package", "full_press"]


def _result(baseline: Scenario, first: list[float], tradeoffs: pd.DataFrame) -> RunResult:
    """A result holding only the decision tables: first-rank shares as given, the rest of each
    portfolio's share at rank 2, everybody on the Pareto set."""
    ranks = []
    for name, share in zip(NAMES, first, strict=True):
        ranks += [{"portfolio": name, "rank": 1, "share": share},
                  {"portfolio": name, "rank": 2, "share": 1 - share},
                  {"portfolio": name, "rank": 3, "share": 0.0}]
    return RunResult(
        scenario=baseline, manifest={}, outcomes=pd.DataFrame(), parameters=pd.DataFrame(),
        monthly=pd.DataFrame(), trajectories=pd.DataFrame(), events=pd.DataFrame(),
        comparison=pd.DataFrame(), acceptability=pd.DataFrame(ranks),
        central_weights=pd.DataFrame({"portfolio": NAMES, "first": first,
                                      "confidence": [0.5] * 3}),
        pareto=pd.DataFrame({"portfolio": NAMES, "pareto": True, "dominated_by": ""}),
        tradeoffs=tradeoffs)


def _crises(portfolio: str, versus: str, diff: float) -> dict[str, object]:
    return {"portfolio": portfolio, "versus": versus, "outcome": "allied_action_crises",
            "diff_mean": diff, "ci_low": diff - 0.01, "ci_high": diff + 0.01, "mmd": 0.02,
            "both_pareto": True}


def test_a_portfolio_first_in_most_of_weight_space_is_named_robust(baseline: Scenario) -> None:
    result = _result(baseline, [0.0, 0.9, 0.1], pd.DataFrame([_crises(
        "full_press", "allied_package", -0.15)]))
    text = decision.bottom_line(result)
    assert text.startswith("The robust choice is allied package: it ranks first in 90% of the "
                           "weight space")
    assert "depends on the weights" not in text
    assert "Full press: gives up Crises set off by intercepts or strikes (allied package: " \
           "-0.150 crises)" in [decision.sentence(line) for line in decision.pareto_lines(result)]


def test_a_split_weight_space_says_the_choice_depends_and_on_what(baseline: Scenario) -> None:
    rows = [_crises("full_press", "allied_package", -0.15),
            {**_crises("allied_package", "full_press", 0.05), "outcome": "extended_deterrence"}]
    result = _result(baseline, [0.0, 0.5, 0.5], pd.DataFrame(rows))
    text = decision.bottom_line(result)
    assert text.startswith("The choice depends on the weights")
    assert "are tied" in text  # 50% and 50%: the same within the Monte Carlo error
    # allied package (listed first) against full press, first minus second: fewer crises, less
    # deterrence credibility.
    assert "meaningfully better on Crises set off by intercepts or strikes (-0.150 crises)" in text
    assert "worse on Extended-deterrence credibility (-0.050 index 0-1)" in text


def test_numbers_are_rounded_to_what_their_mmd_makes_meaningful() -> None:
    assert format_effect(-270_123.4, 300_000) == "-270,000"
    assert format_effect(0.000012, 0.02) == "0"  # far below the MMD: no spurious digits
    assert format_effect(0.0123, 0.02, signed=True) == "+0.012"
    assert significant(55_556, 2) == "56,000" and significant(1.234e-5, 3) == "0.0000123"
