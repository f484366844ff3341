"""The editing API refuses exactly what the loader refuses: `with_parameter` / `with_option`
against a variant file making the same change (hypothesis), the documented choice for a value
alone, `run(options={...})`, `run(design=...)` and `sampling` checked at run time."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from axis_sim.api import run
from axis_sim.experiment.sampling import DesignError
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.loader import load_scenario, origin_of
from axis_sim.scenario.overrides import ScenarioEditError, with_option, with_parameter
from axis_sim.scenario.schema import Fixed, Scenario, Uniform
from tests.conftest import BASELINE

EDITS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow,
                                        HealthCheck.function_scoped_fixture])

# Parameters of each kind the baseline has, and where a variant file writes them.
PATHS = {
    "actors.DPRK.srbm_rate": ("actors", "DPRK", "srbm_rate"),
    "actors.DPRK.declaration_response": ("actors", "DPRK", "declaration_response"),
    "actors.Russia.procurement_entities": ("actors", "Russia", "procurement_entities"),
    "options.sanctions_listing.listing_propensity":
        ("options", "sanctions_listing", "parameters", "listing_propensity"),
    "context.ceasefire_hazard": ("context", "ceasefire_hazard"),
}
NUMBER = st.integers(-40, 200).map(lambda i: i / 20)
POSITIVE = st.integers(-2, 60).map(lambda i: i / 20)
DIST = st.one_of(
    st.just({"kind": "fixed"}),
    st.builds(lambda a, b: {"kind": "uniform", "low": a, "high": b}, NUMBER, NUMBER),
    st.builds(lambda a, m, b: {"kind": "triangular", "low": a, "mode": m, "high": b},
              NUMBER, NUMBER, NUMBER),
    st.builds(lambda m, s, a, b: {"kind": "truncnormal", "mean": m, "sd": s, "low": a,
                                  "high": b}, NUMBER, POSITIVE, NUMBER, NUMBER),
    st.builds(lambda a, b: {"kind": "beta", "a": a, "b": b}, POSITIVE, POSITIVE),
    st.builds(lambda m, s: {"kind": "lognormal", "median": m, "sigma": s}, POSITIVE, POSITIVE),
    st.builds(lambda v: {"kind": "choice", "values": v},
              st.lists(NUMBER, min_size=0, max_size=3)),
    st.just({"kind": "lognorm", "median": 1.0, "sigma": 0.5}),  # misspelt kind
    st.just({"kind": "uniform", "low": 0.0, "high": 1.0, "mode": 0.5}),  # a key too many
)
DAY = st.sampled_from(["2023-06-30", "2023-08-31", "2023-09-01", "2023-12-15", "2024-02-01"])
SOURCE = st.one_of(st.just("Judgement: a new source."),
                   DAY.map(lambda d: f"{d}: a dated report."))


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly nothing: most edits change one or two things, so both outcomes are common."""
    return st.one_of(st.none(), st.none(), strategy)


def _rarely(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.none(), st.none(), st.none(), strategy)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(BASELINE)


def _variant(tree: dict[str, Any]) -> Scenario:
    """Load a variant file of the baseline that writes `tree` (JSON is YAML)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "variant.yaml"
        path.write_text(json.dumps({"extends": str(BASELINE), **tree}, indent=1))
        return load_scenario(path)


def _nest(loc: tuple[str, ...], value: Any) -> dict[str, Any]:
    for key in reversed(loc):
        value = {key: value}
    return value


def _outcome(make: Any) -> tuple[str, Any]:
    try:
        return "ok", make()
    except ScenarioError as err:
        return "refused", sorted({p.field for p in err.problems})


@EDITS
@given(path=st.sampled_from(sorted(PATHS)), value=_maybe(NUMBER), dist=_maybe(DIST),
       unit=_rarely(st.sampled_from(["probability/month", "launch events/month", "x"])),
       source=_rarely(SOURCE), date=_rarely(DAY))
def test_with_parameter_refuses_what_a_variant_file_refuses(
        scenario: Scenario, path: str, value: float | None, dist: dict[str, Any] | None,
        unit: str | None, source: str | None, date: str | None) -> None:
    given_ = {k: v for k, v in (("value", value), ("dist", dist), ("unit", unit),
                                ("source", source), ("date", date)) if v is not None}
    if not given_:
        return
    written = dict(given_)
    current = scenario.model_dump(mode="json")
    for key in PATHS[path]:
        current = current[key]
    if "value" in written and "dist" not in written and current["dist"]["kind"] != "fixed":
        written["dist"] = {"kind": "fixed"}  # the documented meaning of a value alone
    edited = _outcome(lambda: with_parameter(scenario, path, **given_))
    variant = _outcome(lambda: _variant(_nest(PATHS[path], written)))
    event(edited[0])
    assert edited[0] == variant[0], (edited, variant)
    if edited[0] == "ok":
        assert edited[1] == variant[1]  # the same scenario (provenance aside)
    else:
        assert edited[1] == variant[1]  # the same fields named


@EDITS
@given(option=st.sampled_from(["sanctions_listing", "warn_beijing"]),
       start=st.none() | st.sampled_from(["2023-09", "2024-01", "2026-08", "2026-09", "2023-13",
                                           "soon"]) | st.integers(-2, 40),
       intensity=st.none() | st.integers(-4, 50).map(lambda i: i / 10),
       duration=st.none() | st.integers(-1, 40))
def test_with_option_refuses_what_a_variant_file_refuses(
        scenario: Scenario, option: str, start: str | int | None, intensity: float | None,
        duration: int | None) -> None:
    given_ = {k: v for k, v in (("start", start), ("intensity", intensity),
                                ("duration", duration)) if v is not None}
    if not given_:
        return
    written = {("duration_months" if k == "duration" else k): v for k, v in given_.items()}
    edited = _outcome(lambda: with_option(scenario, option, **given_))
    variant = _outcome(lambda: _variant({"options": {option: written}}))
    event(edited[0])
    assert edited[0] == variant[0], (edited, variant)
    assert edited[1] == variant[1]


def test_a_refused_edit_names_the_edit_and_is_a_value_error(scenario: Scenario) -> None:
    with pytest.raises(ValueError) as excinfo:
        scenario.with_parameter("actors.DPRK.srbm_rate", unit="launches")
    err = excinfo.value
    assert isinstance(err, ScenarioEditError) and isinstance(err, ScenarioError)
    assert str(err).startswith("with_parameter('actors.DPRK.srbm_rate', unit='launches'): "
                               "actors.DPRK.srbm_rate.unit: unit must be")
    with pytest.raises(ScenarioEditError, match=r"did you mean 'actors\.DPRK\.srbm_rate'"):
        scenario.with_parameter("actors.DPRK.srbm_rat", value=1.0)
    with pytest.raises(ScenarioEditError, match="did you mean 'sanctions_listing'"):
        scenario.with_option("sanction_listing", intensity=1.0)
    with pytest.raises(ScenarioEditError, match="say what to change"):
        scenario.with_option("sanctions_listing")
    with pytest.raises(TypeError):
        scenario.with_option("sanctions_listing", speed=2)  # type: ignore[call-arg]


def test_leaks_and_replaced_sources_are_refused_as_in_a_file(scenario: Scenario) -> None:
    late = "2024-01-15: a report from after the scenario's evidence cut-off."
    with pytest.raises(ScenarioEditError, match="after as_of"):
        scenario.with_parameter("actors.DPRK.srbm_rate", source=late, date="2024-01-15")
    # A new source whose date would be the old source's.
    with pytest.raises(ScenarioEditError, match="give the new source its own `date:`"):
        scenario.with_parameter("actors.DPRK.srbm_rate", source="Judgement: new.")
    fine = scenario.with_parameter("actors.DPRK.srbm_rate", source="Judgement: new.",
                                   date="2023-08-01")
    assert fine.actors["DPRK"]["srbm_rate"].source == "Judgement: new."


def test_a_value_alone_pins_an_uncertain_parameter(scenario: Scenario) -> None:
    """The documented choice: a value without a dist makes the parameter fixed, so the runs
    use it (changing only the default of an uncertain parameter would change no draw)."""
    assert not isinstance(scenario.actors["DPRK"]["srbm_rate"].dist, Fixed)
    pinned = scenario.with_parameter("actors.DPRK.srbm_rate", value=1.7)
    parameter = pinned.actors["DPRK"]["srbm_rate"]
    assert isinstance(parameter.dist, Fixed) and parameter.value == 1.7
    short = _short(pinned)
    result = run(short, runs=30, options=[], seed=1)
    assert "actors.DPRK.srbm_rate" not in result.parameters.columns  # no longer drawn
    kept = scenario.with_parameter("actors.DPRK.srbm_rate", value=1.7,
                                   dist={"kind": "uniform", "low": 1.0, "high": 2.5})
    assert kept.actors["DPRK"]["srbm_rate"].dist == Uniform(kind="uniform", low=1.0, high=2.5)
    drawn = run(_short(kept), runs=30, options=[], seed=1).parameters["actors.DPRK.srbm_rate"]
    assert drawn.between(1.0, 2.5).all() and drawn.nunique() == 30
    # A value outside the old distribution, without a new one, pins (no range to leave).
    assert scenario.with_parameter("actors.DPRK.srbm_rate", value=9.0).actors["DPRK"][
        "srbm_rate"].value == 9.0


def test_a_dist_replaces_the_old_one_whole(scenario: Scenario) -> None:
    triangular = scenario.actors["DPRK"]["srbm_rate"].dist
    assert triangular.kind == "triangular"
    uniform = scenario.with_parameter("actors.DPRK.srbm_rate", dist=Uniform(
        kind="uniform", low=0.5, high=2.0))
    assert uniform.actors["DPRK"]["srbm_rate"].dist.model_dump() == {
        "kind": "uniform", "low": 0.5, "high": 2.0}  # no `mode` left over
    with pytest.raises(ScenarioEditError, match=r"value 1.3 lies outside"):
        scenario.with_parameter("actors.DPRK.srbm_rate", dist={"kind": "uniform", "low": 2,
                                                               "high": 3})


def test_a_bad_dist_in_a_variant_names_the_variants_line(tmp_path: Path) -> None:
    variant = tmp_path / "variant.yaml"
    variant.write_text(
        f"extends: {BASELINE}\n"
        "actors:\n"
        "  DPRK:\n"
        "    srbm_rate:\n"
        "      value: 1.0\n"
        "      dist: {kind: uniform, low: 3, high: 1}\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(variant)
    problems = [p for p in excinfo.value.problems if p.field.startswith("actors.DPRK.srbm_rate")]
    assert problems and all(p.file == str(variant) and p.line == 6 for p in problems), problems
    assert "low (3.0) must be below high (1.0)" in str(excinfo.value)
    # A kind changed in a variant does not inherit the parent's keys (the triangular's mode).
    variant.write_text(variant.read_text().replace("low: 3, high: 1", "low: 0.5, high: 2"))
    loaded = load_scenario(variant)
    assert loaded.actors["DPRK"]["srbm_rate"].dist.model_dump() == {
        "kind": "uniform", "low": 0.5, "high": 2.0}
    assert [f["role"] for f in origin_of(loaded).files] == ["scenario", "extends"]


def test_edits_are_recorded_and_chain(scenario: Scenario) -> None:
    edited = scenario.with_option("sanctions_listing", intensity=0.5, start="2024-01") \
        .with_parameter("actors.DPRK.srbm_rate", value=1.5)
    origin = origin_of(edited)
    assert origin is not None and origin.name == str(BASELINE)
    assert origin.edits == ("with_option('sanctions_listing', start='2024-01', intensity=0.5)",
                            "with_parameter('actors.DPRK.srbm_rate', value=1.5)")
    assert "+ 2 edits" in repr(edited)
    assert edited != scenario and scenario.options["sanctions_listing"].intensity == 1.0
    # Equality and hashing are about content: an edit undone compares equal.
    back = edited.with_option("sanctions_listing", intensity=1.0, start=scenario.options[
        "sanctions_listing"].start)
    assert back.options == scenario.options


def _short(scenario: Scenario) -> Scenario:
    meta = scenario.meta.model_copy(update={"horizon_months": 6})
    experiment = scenario.experiment.model_copy(update={"chunk_size": 25, "sample_worlds": 5})
    return scenario.model_copy(update={"meta": meta, "experiment": experiment})


def test_run_takes_option_settings(scenario: Scenario) -> None:
    short = _short(scenario)
    by_mapping = run(short, runs=40, seed=2, options={
        "sanctions_listing": {"intensity": 0.5, "start": "2023-11"}, "warn_beijing": None})
    by_edit = run(short.with_option("sanctions_listing", intensity=0.5, start="2023-11"),
                  runs=40, seed=2, options=["sanctions_listing", "warn_beijing"])
    assert by_mapping.portfolios == ["status_quo", "sanctions_listing", "warn_beijing"]
    pd.testing.assert_frame_equal(by_mapping.outcomes, by_edit.outcomes)
    assert by_mapping.scenario.options["sanctions_listing"].intensity == 0.5
    assert by_mapping.manifest["scenario_source"]["edits"] == [
        "with_option('sanctions_listing', start='2023-11', intensity=0.5)"]
    with pytest.raises(ScenarioEditError, match="unknown setting 'intensty'"):
        run(short, runs=10, options={"sanctions_listing": {"intensty": 0.5}})
    with pytest.raises(ScenarioEditError, match="less than or equal to 2"):
        run(short, runs=10, options={"sanctions_listing": {"intensity": 5}})
    with pytest.raises(ScenarioEditError, match="unknown option"):
        run(short, runs=10, options={"warn_beijing+sanctions_listing": {"intensity": 0.5}})


def test_sampling_executor_and_jobs_are_checked_at_run_time(scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="unknown sampling 'lhs'; allowed: random, "
                                         "latin_hypercube, sobol"):
        run(scenario, runs=5, sampling="lhs")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown executor 'spark'; allowed: local, dask"):
        run(scenario, runs=5, executor="spark")
    with pytest.raises(ValueError, match="jobs must be at least 1"):
        run(scenario, runs=5, jobs=0)
    done = run(_short(scenario), runs=8, sampling="sobol", options=[])
    assert done.manifest["sampling"] == "sobol"


def test_run_takes_a_users_design(scenario: Scenario) -> None:
    short = _short(scenario)
    rates = np.linspace(0.8, 2.0, 30)
    design = pd.DataFrame({"actors.DPRK.srbm_rate": rates,
                           "actors.DPRK.declaration_response": np.tile([0.0, 1.0], 15)})
    one = run(short, design=design, options=["intercept_declaration"], seed=3)
    two = run(short, design=design, options=["intercept_declaration"], seed=3, jobs=2)
    pd.testing.assert_frame_equal(one.outcomes, two.outcomes)
    params = one.parameters
    assert len(params) == 30 and one.manifest["runs"] == 30
    np.testing.assert_array_equal(params["actors.DPRK.srbm_rate"], rates)
    assert params["context.ceasefire_hazard"].nunique() == 30  # the rest are drawn as usual
    assert one.manifest["design"]["columns"] == list(design.columns)
    assert len(one.manifest["design"]["sha256"]) == 64
    # The run is paired: one design row is one world under every portfolio.
    assert (one.outcomes.groupby("portfolio").size() == 30).all()


@pytest.mark.parametrize(("design", "message"), [
    ({"actors.DPRK.srbm_rat": [1.0]}, "unknown parameter (did you mean 'actors.DPRK.srbm_rate'?)"),
    ({"actors.DPRK.srbm_rate": [1.0, 7.0]}, "row 1 holds 7, outside what its distribution"),
    ({"actors.DPRK.declaration_response": [0.5]}, "one of 0, 1"),
    ({"actors.Russia.procurement_entities": [12.0]}, "is fixed at"),
    ({"actors.DPRK.srbm_rate": [1.0, np.nan]}, "row 1 holds nan, not a finite number"),
    ({"actors.DPRK.srbm_rate": ["fast"]}, "not a finite number"),
    ({"actors.DPRK.srbm_rate": []}, "no rows"),
])
def test_a_design_the_scenario_cannot_run_is_refused(scenario: Scenario,
                                                     design: dict[str, list[Any]],
                                                     message: str) -> None:
    with pytest.raises(DesignError) as excinfo:
        run(scenario, design=pd.DataFrame(design))
    assert message in str(excinfo.value)


def test_a_design_fixes_the_number_of_worlds(scenario: Scenario) -> None:
    design = pd.DataFrame({"actors.DPRK.srbm_rate": [1.0, 1.5]})
    with pytest.raises(ValueError, match="runs=5 but the design has 2 rows"):
        run(scenario, design=design, runs=5)
    with pytest.raises(ValueError, match="until_precise"):
        run(scenario, design=design, until_precise=0.1)
