"""User-defined options: registered in code, by import path or by an installed package's entry
point, checked by the loader like a built-in option, and run identically with jobs=1, jobs=2
and on Dask, whose workers import the option from the path the plan carries."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from axis_sim.api import run
from axis_sim.experiment.plan import plan
from axis_sim.model import options as registry
from axis_sim.model.options import (
    OPTION_CLASSES,
    OptionRegistryError,
    PolicyOption,
    register_option,
    unregister_option,
)
from axis_sim.scenario.errors import ScenarioError
from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.schema import Scenario

PLUGINS = Path(__file__).resolve().parent / "fixtures" / "plugins"
SCENARIO = PLUGINS / "export_scenario.yaml"
OPTION = "ship_interdiction"
PATH = "axis_sim_plugin.options:ShipInterdiction"


def _forget_plugin() -> None:
    if OPTION in OPTION_CLASSES:
        unregister_option(OPTION)
    for name in [m for m in sys.modules if m.split(".")[0] == "axis_sim_plugin"]:
        del sys.modules[name]


@pytest.fixture
def on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin package importable here and in worker processes, not yet registered."""
    _forget_plugin()
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(PLUGINS), *filter(None, [os.environ.get("PYTHONPATH")])]))
    yield
    _forget_plugin()


@pytest.fixture
def plugin(on_path: None) -> type[PolicyOption]:
    return register_option(PATH)


def _short(scenario: Scenario) -> Scenario:
    meta = scenario.meta.model_copy(update={"horizon_months": 12})
    experiment = scenario.experiment.model_copy(update={"chunk_size": 40, "sample_worlds": 10})
    return scenario.model_copy(update={"meta": meta, "experiment": experiment})


def test_an_unregistered_option_is_refused_with_how_to_register_it(on_path: None) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(SCENARIO)
    text = str(excinfo.value)
    assert "export_scenario.yaml:" in text and "unknown option 'ship_interdiction'" in text
    assert "register" in text
    # The option's parameters are not reported on top: the unknown option is the problem.
    assert "listing_boost" not in text


def test_the_loader_checks_a_user_option_like_a_built_in_one(plugin: type[PolicyOption],
                                                             tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO)
    assert OPTION in scenario.options
    wrong = SCENARIO.read_text().replace("unit: index/month", "unit: index")
    bad = PLUGINS / "_wrong_unit.yaml"
    bad.write_text(wrong)
    try:
        with pytest.raises(ScenarioError, match=r"tension_cost.unit: unit must be 'index/month'"):
            load_scenario(bad)
    finally:
        bad.unlink()
    with pytest.raises(ScenarioError, match="the model does not read it"):
        scenario.with_parameter("options.ship_interdiction.listing_bost", value=0.3)
    edited = scenario.with_option(OPTION, intensity=0.5)
    assert edited.options[OPTION].intensity == 0.5


def test_portfolios_and_all_include_the_user_option(plugin: type[PolicyOption]) -> None:
    scenario = load_scenario(SCENARIO)
    resolved = resolve_portfolios(scenario, ["interdiction_package", f"warn_beijing+{OPTION}",
                                             "all"])
    assert resolved["interdiction_package"] == ("sanctions_listing", OPTION)
    assert resolved[f"warn_beijing+{OPTION}"] == ("warn_beijing", OPTION)
    assert len([k for k in resolved if k not in ("interdiction_package",)]) == 2 ** 6
    assert plan(scenario, runs=4, portfolios=[OPTION]).extensions == {OPTION: PATH}


def test_a_user_option_gives_identical_results_with_one_or_two_jobs_and_dask(
        plugin: type[PolicyOption]) -> None:
    pytest.importorskip("distributed")
    scenario = _short(load_scenario(SCENARIO))
    kwargs = {"runs": 120, "seed": 4, "options": [OPTION, "interdiction_package"]}
    one = run(scenario, jobs=1, **kwargs)
    two = run(scenario, jobs=2, **kwargs)
    dask = run(scenario, jobs=2, executor="dask", **kwargs)
    for other in (two, dask):
        pd.testing.assert_frame_equal(one.outcomes, other.outcomes)
        pd.testing.assert_frame_equal(one.comparison, other.comparison)
        pd.testing.assert_frame_equal(one.events, other.events)
    # Not vacuous: the option changes what it should (a worker without it would not).
    row = one.comparison.set_index(["portfolio", "outcome"]).loc[(OPTION, "listed_entities")]
    assert row["diff_ci_low"] > 0
    assert one.manifest["extensions"] == {OPTION: PATH}
    assert one.manifest["run_id"] == two.manifest["run_id"] == dask.manifest["run_id"]


def test_a_worker_that_cannot_import_the_option_is_not_silently_without_it(
        plugin: type[PolicyOption], monkeypatch: pytest.MonkeyPatch) -> None:
    """With the package off the workers' path, jobs=2 fails naming the import, instead of
    running the portfolio without the option."""
    scenario = _short(load_scenario(SCENARIO))
    monkeypatch.setenv("PYTHONPATH", "")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(PLUGINS)])
    with pytest.raises(Exception, match="cannot import option axis_sim_plugin"):
        run(scenario, runs=80, seed=1, options=[OPTION], jobs=2)


class _Local(PolicyOption):
    id = "local_option"
    PARAMETERS: ClassVar[dict[str, str]] = {}

    def apply(self, model: object, intensity: np.ndarray) -> None:
        """Nothing."""


def test_registry_refuses_what_it_cannot_run(plugin: type[PolicyOption]) -> None:
    with pytest.raises(OptionRegistryError, match="not a PolicyOption subclass"):
        register_option(int)  # type: ignore[arg-type]

    class NoId(PolicyOption):
        def apply(self, model: object, intensity: np.ndarray) -> None:
            """Nothing."""

    with pytest.raises(OptionRegistryError, match="needs its own `id`"):
        register_option(NoId)

    class Clash(_Local):
        id = "sanctions_listing"

    with pytest.raises(OptionRegistryError, match="built-in"):
        register_option(Clash)

    class Taken(_Local):
        id = OPTION

    with pytest.raises(OptionRegistryError, match="already registered"):
        register_option(Taken)
    with pytest.raises(OptionRegistryError, match="'module:Class'"):
        register_option("axis_sim_plugin.options.ShipInterdiction")
    with pytest.raises(OptionRegistryError, match="cannot import option"):
        register_option("axis_sim_plugin.nowhere:Nothing")
    assert register_option(PATH) is plugin  # registering again is harmless


def test_an_option_defined_in_a_function_runs_with_one_job_only(
        plugin: type[PolicyOption]) -> None:
    class Inline(PolicyOption):
        id = OPTION
        PARAMETERS: ClassVar[dict[str, str]] = dict(plugin.PARAMETERS)

        def apply(self, model: object, intensity: np.ndarray) -> None:
            """Nothing."""

    unregister_option(OPTION)
    register_option(Inline)
    scenario = _short(load_scenario(SCENARIO))
    assert len(run(scenario, runs=20, options=[OPTION]).outcomes) == 40
    with pytest.raises(OptionRegistryError, match="defined inside a function"):
        run(scenario, runs=80, options=[OPTION], jobs=2)


def test_options_installed_by_entry_point_are_registered(
        on_path: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed package declares `[project.entry-points."axis_sim.options"]`."""
    info = tmp_path / "axis_sim_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: axis-sim-plugin\n"
                                   "Version: 0.1\n")
    (info / "entry_points.txt").write_text(f"[axis_sim.options]\n{OPTION} = {PATH}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_entry_points_loaded", False)
    scenario = load_scenario(SCENARIO)  # the loader loads entry points before checking
    assert OPTION in scenario.options and OPTION_CLASSES[OPTION].__name__ == "ShipInterdiction"
