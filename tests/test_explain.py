"""`axis-sim explain`: each option's effect decomposed by causal channel (parameter)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import axis_sim
from axis_sim.cli import main
from axis_sim.experiment.explain import ALL_WORLDS, explain_plan, plan_explanation
from axis_sim.experiment.load import load_results
from axis_sim.experiment.sampling import sample_parameters
from axis_sim.io import IN_USE
from axis_sim.model.metrics import record
from axis_sim.model.options import OPTION_CLASSES
from axis_sim.model.streams import parameter_rng
from axis_sim.model.world import AxisModel
from axis_sim.scenario.schema import OPTIONS, Scenario
from tests.conftest import BASELINE

REQUIRED = {"portfolio", "option", "parameter", "outcome", "effect", "ci_low", "ci_high"}
LISTING = "sanctions_listing"


@pytest.fixture()
def short_file(tmp_path: Path) -> Path:
    """A 6-month variant of the baseline made the way users make variants: `extends:`."""
    path = tmp_path / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nmeta:\n  name: short\n  horizon_months: 6\n"
                    "experiment:\n  chunk_size: 40\n  sample_worlds: 10\n")
    return path


def _listing_parameter() -> str:
    """The sanctions option's parameter that designates entities (whatever it is called)."""
    return next(p for p in OPTION_CLASSES[LISTING].PARAMETERS if p.startswith("listing"))


def _already_off(scenario: Scenario, option: str) -> Scenario:
    """The scenario with every parameter of `option` fixed at its off value in every world."""
    data = scenario.model_dump()
    for name in OPTION_CLASSES[option].PARAMETERS:
        data["options"][option]["parameters"][name].update(
            value=OPTION_CLASSES[option].off_value(name), dist={"kind": "fixed"})
    return Scenario.model_validate(data)


def test_a_knockout_that_changes_nothing_has_exactly_zero_effect(
        short_baseline: Scenario) -> None:
    """Parameters already at their off value: switching them off changes no world, and as
    both runs share every draw, effect, standard error and interval are exactly 0."""
    idle = _already_off(short_baseline, LISTING)
    table = explain_plan(plan_explanation(idle, portfolios=[LISTING], runs=200))
    assert set(table["parameter"]) == set(OPTION_CLASSES[LISTING].PARAMETERS)
    overall = table[table["form"] == ALL_WORLDS]
    assert len(overall) == len(OPTION_CLASSES[LISTING].PARAMETERS) * len(idle.headline_outcomes)
    assert (table["effect"] == 0).all() and (table["se"] == 0).all()
    assert (table["ci_low"] == 0).all() and (table["ci_high"] == 0).all()
    assert (table["effect_mmd"] == 0).all() and not table["detectable"].any()
    assert (table["spread"] > 0).any()  # the outcomes do vary across worlds


def test_tables_are_identical_for_any_number_of_jobs(short_baseline: Scenario) -> None:
    the_plan = plan_explanation(short_baseline, portfolios=[LISTING, "warn_beijing"], runs=300)
    assert len(the_plan.chunks) > 2
    one, two = explain_plan(the_plan, jobs=1), explain_plan(the_plan, jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_effect_is_the_channel_on_minus_off(short_baseline: Scenario) -> None:
    """Switching the listing channel off cannot list more entities: its effect on
    `listed_entities` is positive, and equals the hand-made paired mean difference."""
    parameter = _listing_parameter()
    the_plan = plan_explanation(short_baseline, portfolios=[LISTING], runs=64)  # one chunk
    table = explain_plan(the_plan, outcomes=["listed_entities"])
    row = table[table["parameter"] == parameter].iloc[0]
    assert row["effect"] > 0 and row["ci_low"] > 0 and row["detectable"]
    assert row["better"] == "higher"

    chunk = the_plan.chunks[0]
    params = sample_parameters(short_baseline, chunk.size, the_plan.sampling,
                               parameter_rng(the_plan.seed, chunk.index))
    off = OPTION_CLASSES[LISTING].off_value(parameter)
    listed = []
    for values in (params, {**params, f"options.{LISTING}.{parameter}":
                            np.full(chunk.size, off)}):
        model = AxisModel(short_baseline, values, seed=the_plan.seed, chunk=chunk.index,
                          portfolio=(LISTING,))
        while model.running:
            model.step()
        listed.append(record(model, ("listed_entities",))[0])
    assert (listed[0] >= listed[1]).all()
    assert row["effect"] == pytest.approx((listed[0] - listed[1]).mean(), rel=1e-12)


def test_explain_api_defaults_to_each_option_alone(short_baseline: Scenario) -> None:
    table = axis_sim.explain(short_baseline, runs=20, chunk_size=20)
    assert list(dict.fromkeys(table["portfolio"])) == list(OPTIONS)
    assert (table["portfolio"] == table["option"]).all()
    assert set(table["outcome"]) == set(short_baseline.headline_outcomes)
    assert REQUIRED | {"spread", "effect_mmd", "detectable", "better", "se"} <= set(table.columns)


def test_explain_command_writes_the_table_and_prints_the_channels(short_file: Path,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "why"
    result = CliRunner().invoke(main, ["explain", str(short_file), "--runs", "60", "--seed", "3",
                                       "--portfolios", f"{LISTING},warn_beijing",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    csv, parquet = pd.read_csv(out / "channels.csv"), pd.read_parquet(out / "channels.parquet")
    assert set(csv.columns) >= REQUIRED and set(parquet.columns) >= REQUIRED
    assert set(parquet["portfolio"]) == {LISTING, "warn_beijing"}
    assert len(csv) == len(parquet) > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 60 and manifest["seed"] == 3
    assert manifest["portfolios"] == [LISTING, "warn_beijing"]
    assert len(manifest["scenario_hash"]) == 64 and "versions" in manifest
    assert manifest["files"] == {"channels": "channels.parquet", "channels_csv": "channels.csv",
                                 "catalogue": "catalogue.csv"}
    for parameter in OPTION_CLASSES[LISTING].PARAMETERS:
        assert f"{LISTING} · {parameter}:" in result.output
    assert f"Channels:  {out / 'channels.csv'}" in result.output
    # No partial folder; only the results root's (empty) lock file may stay.
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != IN_USE]


def test_explain_of_a_malformed_scenario_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASELINE}\nexperiment:\n  sampling: lhs\n")
    result = CliRunner().invoke(main, ["explain", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:3:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--portfolios", "sanction_listing"], "did you mean 'sanctions_listing'"),
    (["--portfolios", "status_quo"], "status quo has no channels"),
])
def test_explain_usage_errors_exit_2(short_file: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["explain", str(short_file), "--runs", "10", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_explain_help_shows_an_example() -> None:
    result = CliRunner().invoke(main, ["explain", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "axis-sim explain" in result.output


@pytest.mark.parametrize("command", ["run", "compare"])
def test_run_and_compare_explain_write_the_table(short_file: Path, tmp_path: Path,
                                                 command: str) -> None:
    out = tmp_path / command
    result = CliRunner().invoke(main, [command, str(short_file), "--runs", "40", "--options",
                                       f"{LISTING},warn_beijing+public_disclosure", "--explain",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "channels.parquet")
    assert set(pd.read_csv(out / "channels.csv").columns) >= REQUIRED
    assert list(dict.fromkeys(table["portfolio"])) == [LISTING, "warn_beijing+public_disclosure"]
    assert set(table.loc[table["portfolio"] == "warn_beijing+public_disclosure", "option"]) == {
        "warn_beijing", "public_disclosure"}
    assert (table.loc[table["form"] == ALL_WORLDS, "worlds"] == 40).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["explain"]["portfolios"] == [LISTING, "warn_beijing+public_disclosure"]
    assert set(table.pop("run_id")) == {manifest["run_id"]}  # every table file carries it
    pd.testing.assert_frame_equal(load_results(out).channels, table)
    assert f"Channels:  {out / 'channels.csv'}" in result.output


def test_every_option_parameter_reaches_a_headline_outcome(baseline: Scenario) -> None:
    """Done when: on the baseline with 1,000 worlds, knocking out any option parameter moves
    at least one headline outcome by more than 3 standard errors and 2% of its spread."""
    table = axis_sim.explain(baseline, runs=1000, jobs=2)
    table = table[table["form"] == ALL_WORLDS]
    expected = {(o, p) for o in OPTIONS for p in OPTION_CLASSES[o].PARAMETERS}
    assert set(zip(table["option"], table["parameter"], strict=True)) == expected
    reached = table.groupby(["option", "parameter"], sort=False).agg(
        detectable=("detectable", "any"), largest=("effect_mmd", lambda s: s.abs().max()))
    silent = reached[~reached["detectable"]]
    assert silent.empty, "no detectable headline effect (largest |effect_mmd|):\n" + "\n".join(
        f"  {o} · {p}: {row.largest:.3g}" for (o, p), row in silent.iterrows())


def test_channels_are_split_by_rule_form(baseline: Scenario) -> None:
    """Structural uncertainties: each channel's effect within the worlds of each rule form.
    The declaration's launchpad threat cuts ICBM launches where Pyongyang is deterred and adds
    to them where it is provoked; the forms' worlds add up to all worlds."""
    table = axis_sim.explain(baseline, runs=600, portfolios=["intercept_declaration"])
    pad = table[(table["parameter"] == "launchpad_strike_probability")
                & (table["outcome"] == "icbm_launches")].set_index("form")
    deterred, provoked = pad.loc["DPRK: deterred"], pad.loc["DPRK: provoked"]
    assert deterred["effect"] < 0 < provoked["effect"]
    assert deterred["worlds"] + provoked["worlds"] == pad.loc[ALL_WORLDS, "worlds"]
    everything = (deterred["effect"] * deterred["worlds"]
                  + provoked["effect"] * provoked["worlds"]) / pad.loc[ALL_WORLDS, "worlds"]
    assert everything == pytest.approx(pad.loc[ALL_WORLDS, "effect"])
