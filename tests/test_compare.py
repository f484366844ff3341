"""Comparison statistics: checked by hand on small cases and against known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from axis_sim.api import run
from axis_sim.experiment.compare import (
    composite_scores,
    interaction_table,
    mean_interval,
    ranking_table,
    regret,
    satisficing,
)
from axis_sim.scenario.overrides import apply_overrides
from axis_sim.scenario.portfolios import all_subsets, resolve_portfolios
from axis_sim.scenario.schema import OPTIONS, Fixed, MinimalDifference, Scenario, Swing


def two_outcome_scenario(baseline: Scenario, threshold: float | None = None) -> Scenario:
    """The baseline with two scored outcomes: shipments (lower better, swing 200 → 0 rounds,
    weight 1) and cohesion (higher better, swing 0 → 1, weight 2, optional threshold)."""
    outcomes = {
        "munitions_shipped": baseline.outcomes["munitions_shipped"].model_copy(
            update={"weight": 1.0, "outweighs": [],
                    "swing": Swing(worst=200, best=0, source="Judgement: test"),
                    "mmd": MinimalDifference(value=5, source="Judgement: test")}),
        "alliance_cohesion": baseline.outcomes["alliance_cohesion"].model_copy(
            update={"weight": 2.0, "threshold": threshold,
                    "swing": Swing(worst=0, best=1, source="Judgement: test"),
                    "mmd": MinimalDifference(value=0.02, source="Judgement: test")}),
    }
    return baseline.model_copy(update={"outcomes": outcomes})


def test_regret_by_hand() -> None:
    scores = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 2.0], [0.5, 3.0, 2.0]])
    assert regret(scores).tolist() == [[1.0, 3.0, 2.0], [0.0, 4.0, 0.0], [0.5, 0.0, 0.0]]


def test_composite_score_by_hand(baseline: Scenario) -> None:
    scenario = two_outcome_scenario(baseline)
    # (portfolios, outcomes, worlds): status quo, then an option that ships 10 fewer rounds and
    # raises cohesion by 0.1 in world 0 only.
    finals = np.array([[[100.0, 100.0], [0.5, 0.5]],
                       [[90.0, 100.0], [0.6, 0.5]]])
    scores = composite_scores(scenario, ["munitions_shipped", "alliance_cohesion"],
                              ["status_quo", "sanctions_listing"], finals)
    # Value on the swings, weights normalised to sum 1: 10 rounds of a 200-round swing, 0.1 of
    # a 0-1 swing; no dependence on how much the outcomes vary over worlds.
    expected = (1.0 * 10 / 200 + 2.0 * 0.1 / 1) / 3
    assert scores[0].tolist() == [0.0, 0.0]
    assert scores[1, 0] == pytest.approx(expected)
    assert scores[1, 1] == pytest.approx(0.0)


def test_satisficing_by_hand(baseline: Scenario) -> None:
    scenario = two_outcome_scenario(baseline, threshold=0.55)
    finals = np.array([[[1.0, 1.0], [0.5, 0.6]], [[1.0, 1.0], [0.6, 0.7]]])
    rates = satisficing(scenario, ["munitions_shipped", "alliance_cohesion"], finals)
    assert rates.tolist() == [0.5, 1.0]
    assert satisficing(two_outcome_scenario(baseline), ["munitions_shipped",
                                                        "alliance_cohesion"], finals) is None


def test_ranking_puts_the_better_portfolio_first(baseline: Scenario) -> None:
    scenario = two_outcome_scenario(baseline)
    names = ["status_quo", "warn_beijing", "sanctions_listing"]
    finals = np.zeros((3, 2, 4))
    finals[:, 0] = [[10, 10, 10, 10], [10, 10, 10, 10], [8, 9, 7, 9]]
    scores = composite_scores(scenario, ["munitions_shipped", "alliance_cohesion"], names,
                              finals)
    table = ranking_table(scenario, ["munitions_shipped", "alliance_cohesion"], names, finals,
                          scores)
    assert table["portfolio"].tolist()[0] == "sanctions_listing"
    assert table.loc[0, "p_better"] == 1.0 and table.loc[0, "p_best"] == 1.0
    assert table.set_index("portfolio").loc["status_quo", "regret_max"] == pytest.approx(
        scores[2].max())


def test_interaction_is_zero_for_additive_effects_and_flags_synergy(baseline: Scenario) -> None:
    scenario = two_outcome_scenario(baseline)
    portfolios = resolve_portfolios(scenario, ["sanctions_listing", "warn_beijing",
                                               "sanctions_listing+warn_beijing"])
    names = list(portfolios)
    rng = np.random.default_rng(0)
    base = rng.normal(100, 5, 200)
    finals = np.zeros((4, 2, 200))
    finals[:, 1] = 0.5
    effect_a, effect_b = -3.0, -2.0
    finals[names.index("status_quo"), 0] = base
    finals[names.index("sanctions_listing"), 0] = base + effect_a
    finals[names.index("warn_beijing"), 0] = base + effect_b
    finals[names.index("sanctions_listing+warn_beijing"), 0] = base + effect_a + effect_b
    scores = composite_scores(scenario, ["munitions_shipped", "alliance_cohesion"], names,
                              finals)
    table = interaction_table(scenario, ["munitions_shipped", "alliance_cohesion"], portfolios,
                              finals, scores)
    row = table[table["outcome"] == "munitions_shipped"].iloc[0]
    assert row.interaction_mean == pytest.approx(0.0) and row.verdict == "additive"
    together = finals[names.index("sanctions_listing+warn_beijing"), 0].copy()
    # One round more cut together than the two cuts added: sure (the interval is tight) but
    # below the 5-round MMD, so no synergy.
    finals[names.index("sanctions_listing+warn_beijing"), 0] = \
        together - 1.0 - rng.normal(0, 0.1, 200)
    table = interaction_table(scenario, ["munitions_shipped", "alliance_cohesion"], portfolios,
                              finals, scores)
    row = table[table["outcome"] == "munitions_shipped"].iloc[0]
    assert row.ci_high < 0 and row.mmd == 5 and row.verdict == "additive"
    finals[names.index("sanctions_listing+warn_beijing"), 0] = \
        together - 8.0 - rng.normal(0, 0.1, 200)
    table = interaction_table(scenario, ["munitions_shipped", "alliance_cohesion"], portfolios,
                              finals, scores)
    row = table[table["outcome"] == "munitions_shipped"].iloc[0]
    assert row.verdict == "synergy"  # a cut beyond the MMD together than the two cuts added


def test_interval_covers_a_zero_effect_about_90_percent_of_the_time() -> None:
    rng = np.random.default_rng(1)
    covered = [low <= 0 <= high for low, high in
               (mean_interval(rng.normal(0, 1, 200)) for _ in range(2000))]
    assert 0.88 <= np.mean(covered) <= 0.92


def test_common_random_numbers_shrink_the_variance_of_differences(short_baseline: Scenario) -> None:
    paired = run(short_baseline, runs=300, seed=3, options=["sanctions_listing"])
    other = run(short_baseline, runs=300, seed=4, options=[])
    wide = paired.outcomes.pivot(index="world", columns="portfolio")["munitions_shipped"]
    paired_var = (wide["sanctions_listing"] - wide["status_quo"]).var()
    independent_var = (wide["sanctions_listing"].to_numpy()
                       - other.outcomes["munitions_shipped"].to_numpy()).var()
    assert paired_var < independent_var / 10


def test_a_no_op_option_shows_exactly_zero_difference(short_baseline: Scenario) -> None:
    """With every effect parameter at 0, public disclosure changes nothing in any world but
    the public record it makes (which, with no cost attached, moves nothing else)."""
    spec = short_baseline.options["public_disclosure"]
    params = {name: p.model_copy(update={"value": 0.0, "dist": Fixed(kind="fixed")})
              for name, p in spec.parameters.items()}
    options = {**short_baseline.options,
               "public_disclosure": spec.model_copy(update={"parameters": params})}
    scenario = short_baseline.model_copy(update={"options": options})
    result = run(scenario, runs=200, seed=2, options=["public_disclosure"])
    rows = result.comparison[(result.comparison["portfolio"] == "public_disclosure")
                             & (result.comparison["outcome"] != "public_exposure")]
    assert (rows["diff_mean"] == 0).all() and (rows["p_better"] == 0).all()


def test_all_enumerates_the_32_subsets(baseline: Scenario) -> None:
    subsets = all_subsets()
    assert len(subsets) == 32 and len(set(subsets.values())) == 32
    assert subsets["status_quo"] == () and len(subsets["+".join(OPTIONS)]) == 5
    assert next(iter(resolve_portfolios(baseline, ["all"]))) == "status_quo"


def test_run_reports_ranking_interactions_and_errors(short_baseline: Scenario) -> None:
    result = run(short_baseline, runs=200, seed=6,
                 options=["sanctions_listing", "public_disclosure",
                          "sanctions_listing+public_disclosure"])
    assert set(result.ranking["portfolio"]) == set(result.portfolios)
    assert result.ranking["rank"].tolist() == [1, 2, 3, 4]
    assert {"se", "diff_se", "p_event"} <= set(result.comparison.columns)
    assert set(result.interactions["pair"]) == {"sanctions_listing+public_disclosure"}


def test_until_precise_stops_early_and_matches_a_fixed_run(short_baseline: Scenario) -> None:
    precise = run(short_baseline, runs=64, seed=8, options=["sanctions_listing"],
                  until_precise=0.5, max_runs=2000)
    assert precise.manifest["until_precise"]["met"]
    done = precise.manifest["runs"]
    assert 64 <= done < 2000 and done % 64 == 0
    fixed = run(short_baseline, runs=done, seed=8, options=["sanctions_listing"])
    assert precise.outcomes.equals(fixed.outcomes)
    pd.testing.assert_frame_equal(precise.monthly, fixed.monthly)
    tighter = run(short_baseline, runs=64, seed=8, options=["sanctions_listing"],
                  until_precise=0.25, max_runs=5000)
    assert tighter.manifest["runs"] > done
    # In MMD units: the widest half-width over headline outcomes, divided by that outcome's MMD.
    reached = tighter.manifest["until_precise"]["reached"]
    comparison = tighter.comparison.set_index(["portfolio", "outcome"])
    widest = max((comparison.loc[("sanctions_listing", name), "diff_ci_high"]
                  - comparison.loc[("sanctions_listing", name), "diff_ci_low"]) / 2
                 / spec.mmd.value
                 for name, spec in short_baseline.outcomes.items() if spec.headline)
    assert reached == pytest.approx(widest, rel=1e-6) and reached <= 0.25


def test_overrides_change_the_option_and_the_weights(baseline: Scenario) -> None:
    changed = apply_overrides(baseline, ["sanctions_listing:start=2024-01,intensity=0.5,"
                                         "duration=6"], ["lethal_incidents=5"])
    spec = changed.options["sanctions_listing"]
    assert (spec.start, spec.intensity, spec.duration_months) == ("2024-01", 0.5, 6)
    assert changed.outcomes["lethal_incidents"].weight == 5
    for bad in (["sanction_listing:start=1"], ["sanctions_listing:speed=1"],
                ["sanctions_listing:intensity=9"], ["sanctions_listing"]):
        with pytest.raises(ValueError):
            apply_overrides(baseline, bad)
    with pytest.raises(ValueError, match="did you mean"):
        apply_overrides(baseline, [], ["lethal_incident=1"])


def test_failures_and_drivers_explain_an_option(short_baseline: Scenario) -> None:
    result = run(short_baseline, runs=1500, seed=12, options=["intercept_declaration"])
    drivers = result.drivers[(result.drivers["portfolio"] == "intercept_declaration")
                             & (result.drivers["outcome"] == "composite_score")]
    top = drivers.sort_values("rank")["parameter"].head(5).tolist()
    # The declaration works through deterrence credibility and through Pyongyang's answer to
    # it — deterred or provoked, a structural uncertainty, is among its strongest drivers.
    assert "options.intercept_declaration.deterrence_gain" in top
    assert "actors.DPRK.declaration_response" in top
    failures = result.failures[result.failures["portfolio"] == "intercept_declaration"]
    assert len(failures) and failures["sentence"].str.contains("worlds where").all()
    assert (failures["density"] > failures["base_rate"]).all()


def test_morris_finds_the_parameter_an_option_depends_on(short_baseline: Scenario) -> None:
    from axis_sim.api import sensitivity

    table = sensitivity(short_baseline, method="morris", samples=6, seed=1,
                        options=["sanctions_listing"], replicates=2)
    rows = table[table["outcome"] == "evasion_capacity"].sort_values("mu_star",
                                                                     ascending=False)
    top = rows["parameter"].head(10).tolist()
    # Listings need evidence: how fast detection identifies entities, and how fast fronts are
    # rebuilt, matter most; the option's own propensity among them.
    assert "actors.US.identification_rate" in top[:3]
    assert "options.sanctions_listing.listing_propensity" in top
    assert (table["portfolio"] == "sanctions_listing").all()


def test_shared_draws_give_every_world_the_same_numbers() -> None:
    from axis_sim.model.streams import Streams

    draws = Streams(3, 0, 5, entities=2, shared=True).month()
    assert all((d == d[0]).all() for d in draws.values())


def test_baseline_thresholds_give_a_satisficing_rate(short_baseline: Scenario) -> None:
    result = run(short_baseline, runs=300, seed=2, options=["intercept_declaration"])
    rates = result.ranking.set_index("portfolio")["satisficing"]
    assert rates.between(0, 1).all()
    # Intercept attempts add escalation crises, so fewer worlds meet "no crisis".
    assert rates["intercept_declaration"] < rates["status_quo"]
