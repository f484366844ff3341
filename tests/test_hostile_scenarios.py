"""Scenario files written by an attacker or an unlucky user (issue 19).

Every hostile input must give a `ScenarioError` — one line per problem, located, never a
traceback — or a scenario that runs to finite outcomes. Nothing outside the scenario's own
folder tree and the bundled library is read (or even looked at) unless the caller allows it,
and nothing read from another file is echoed.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import signal
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from axis_sim import api
from axis_sim.bundled import scenarios_dir, with_parents
from axis_sim.scenario import loader, paths
from axis_sim.scenario.checks import MAX_PROCUREMENT_ENTITIES
from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import (
    MAX_LIST_ITEMS,
    MAX_NODES,
    MAX_PARENTS,
    load_scenario,
    read_yaml_text,
    resolve,
    validate_data,
)
from axis_sim.scenario.overrides import apply_overrides, parse_option_override
from axis_sim.scenario.schema import MAX_CHOICES, MAX_SIGMA, Scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# Lines a secret file holds; no error may ever show them.
SECRET = ("root:$6$Zm9vYmFy$SECRETHASH:19000:0:99999:7:::\n"
          "admin:$6$c2VjcmV0$SECRETHASH2:19000::::::\n")
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# --- helpers -------------------------------------------------------------------------------------


def problems(path: Path, **kwargs: Any) -> list[Problem]:
    """The problems loading `path` reports; each must be one located, sane line."""
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path, **kwargs)
    return checked(excinfo.value)


def checked(err: ScenarioError) -> list[Problem]:
    assert err.problems
    for problem in err.problems:
        line = str(problem)
        assert problem.file and problem.message.strip()
        assert "\n" not in line and "Traceback" not in line
        assert len(line) < 2500, line[:200]
    return err.problems


def only(path: Path, **kwargs: Any) -> Problem:
    found = problems(path, **kwargs)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def variant(folder: Path, text: str, name: str = "variant.yaml") -> Path:
    """A file in `folder` that extends the bundled baseline and changes what `text` says."""
    path = folder / name
    path.write_text(f"extends: {BASELINE}\n{text}", encoding="utf-8")
    return path


@contextlib.contextmanager
def no_hang(seconds: int = 10) -> Iterator[None]:
    """Fail instead of hanging the suite if reading blocks (a FIFO that is opened)."""
    def alarm(signum: int, frame: Any) -> None:
        raise AssertionError(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """(the scenario's folder, a folder beside it holding a secret file)."""
    scenario, outside = tmp_path / "scenario", tmp_path / "outside"
    scenario.mkdir()
    outside.mkdir()
    (outside / "shadow").write_text(SECRET, encoding="utf-8")
    return scenario, outside


@pytest.fixture
def stats(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path the loader `stat`s or opens, recorded."""
    seen: list[str] = []
    real_stat, real_open = os.stat, os.open

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    def open_(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(paths.os, "stat", stat)
    monkeypatch.setattr(paths.os, "open", open_)
    return seen


# --- extends: where a parent may be --------------------------------------------------------------


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
def test_extends_out_of_the_tree_is_refused_unread(tree: tuple[Path, Path], stats: list[str],
                                                   how: str) -> None:
    scenario, outside = tree
    secret = outside / "shadow"
    if how == "symlink":
        (scenario / "base.yaml").symlink_to(secret)
        ref = "base.yaml"
    else:
        ref = str(secret) if how == "absolute" else "../outside/shadow"
    child = scenario / "child.yaml"
    child.write_text(f"meta: {{name: x}}\nextends: {ref}\n", encoding="utf-8")
    problem = only(child)
    assert (problem.file, problem.line, problem.field) == (str(child), 2, "extends")
    assert "leads outside the scenario's folder" in problem.message
    assert "--allow-outside" in problem.message
    assert "SECRET" not in str(problem)
    # Refused before anything touched it: not opened, not even stat-ed.
    assert not [seen for seen in stats if "outside" in seen or seen.endswith("base.yaml")]


def test_etc_shadow_is_never_echoed(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text("extends: /etc/shadow\n", encoding="utf-8")
    problem = only(child)
    assert "leads outside" in problem.message and "$" not in problem.message


def test_allow_outside_reads_it_but_never_echoes_a_non_scenario(tree: tuple[Path, Path]) -> None:
    scenario, outside = tree
    child = scenario / "child.yaml"
    child.write_text(f"extends: {outside / 'shadow'}\nmeta: {{name: x}}\n", encoding="utf-8")
    # /etc/shadow's lines end in ":::", so YAML reads them as mapping keys; each used to come
    # back as an "unknown key" error.
    problem = only(child, allow_outside=True)
    assert (problem.file, problem.line, problem.field) == (str(child), 1, "extends")
    assert "is not a scenario file" in problem.message
    assert "nothing of it is shown" in problem.message
    assert "SECRET" not in str(problem) and "$6$" not in str(problem)


def test_a_parent_that_is_no_yaml_mapping_is_not_echoed(tree: tuple[Path, Path]) -> None:
    scenario, outside = tree
    (outside / "notes").write_text("the password is hunter2\n", encoding="utf-8")
    child = scenario / "child.yaml"
    child.write_text(f"extends: {outside / 'notes'}\n", encoding="utf-8")
    problem = only(child, allow_outside=True)
    assert problem.file == str(outside / "notes") and "top level should be a mapping" in (
        problem.message)
    assert "hunter2" not in str(problem)


def test_a_file_that_is_no_scenario_is_refused_whole(tree: tuple[Path, Path]) -> None:
    _, outside = tree
    problem = only(outside / "shadow")
    assert problem.line is None and "is not a scenario file" in problem.message
    assert "SECRET" not in str(problem)


def test_a_parent_with_duplicate_keys_is_located_without_its_text(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("password: hunter2\npassword: again\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: base.yaml\n", encoding="utf-8")
    problem = only(child)
    assert (problem.file, problem.line) == (str(tmp_path / "base.yaml"), 2)
    assert "duplicate key" in problem.message
    assert "password" not in problem.message and "hunter2" not in problem.message


def test_the_bundled_library_is_allowed_through_its_symlink(tmp_path: Path) -> None:
    # In a checkout axis_sim/data/scenarios is a symlink to scenarios/: either way in is inside.
    packaged = Path(loader.__file__).resolve().parents[1] / "data" / "scenarios"
    for base in (packaged / "baseline.yaml", scenarios_dir() / "baseline.yaml", BASELINE):
        child = tmp_path / "child.yaml"
        child.write_text(f"extends: {base}\nmeta: {{horizon_months: 5}}\n", encoding="utf-8")
        assert load_scenario(child).meta.horizon_months == 5


def test_a_symlink_inside_the_tree_is_fine(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "base.yaml").write_text("a: {x: 1}\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real" / "base.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: link.yaml\na: {y: 2}\n", encoding="utf-8")
    assert resolve(child, scenarios_only=False)[0] == {"a": {"x": 1, "y": 2}}


def test_scenarios_copy_follows_only_allowed_parents(tree: tuple[Path, Path]) -> None:
    scenario, outside = tree
    (scenario / "base.yaml").write_text("a: 1\n", encoding="utf-8")
    child = scenario / "child.yaml"
    child.write_text(f"extends: [base.yaml, {outside / 'shadow'}, ../outside/shadow]\n",
                     encoding="utf-8")
    assert [rel for _, rel in with_parents(child)] == [Path("child.yaml"), Path("base.yaml")]


# --- extends: each parent once -------------------------------------------------------------------


def test_a_diamond_of_repeated_parents_reads_each_file_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six files, each extending the next twelve times: 12**5 reads before parents were
    cached (two minutes), six now."""
    for i in range(6):
        refs = ", ".join([f"f{i + 1}.yaml"] * 12) if i < 5 else ""
        (tmp_path / f"f{i}.yaml").write_text(
            (f"extends: [{refs}]\n" if refs else "") + f"k{i}: {i}\nshared: {i}\n",
            encoding="utf-8")
    reads: list[str] = []
    real_read = loader._read_text

    def counting(path: Path, name: str) -> str:
        reads.append(os.path.realpath(path))
        return real_read(path, name)

    monkeypatch.setattr(loader, "_read_text", counting)
    data, _ = resolve(tmp_path / "f0.yaml", scenarios_only=False)
    assert data == {**{f"k{i}": i for i in range(6)}, "shared": 0}
    assert sorted(reads) == sorted({*reads}) and len(reads) == 6


def test_a_bad_parent_named_many_times_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [\n", encoding="utf-8")
    (tmp_path / "mid.yaml").write_text("extends: [" + ", ".join(["bad.yaml"] * 12) + "]\n",
                                       encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: [" + ", ".join(["mid.yaml"] * 12) + "]\n", encoding="utf-8")
    problem = only(child)
    assert problem.file == str(tmp_path / "bad.yaml") and "syntax" in problem.message


def test_too_many_parents(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x: 1\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: [" + ", ".join(["a.yaml"] * (MAX_PARENTS + 1)) + "]\n",
                     encoding="utf-8")
    problem = only(child)
    assert problem.line == 1 and f"at most {MAX_PARENTS}" in problem.message


# --- what a path is ------------------------------------------------------------------------------


def test_a_nul_in_a_path_is_a_clear_error(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text('extends: "base\\0.yaml"\n', encoding="utf-8")
    problem = only(child)
    assert (problem.line, problem.field) == (1, "extends") and "NUL" in problem.message
    with pytest.raises(ScenarioError, match="NUL"):
        load_scenario(str(tmp_path / "a\0b.yaml"))


@pytest.mark.parametrize("as_parent", [False, True])
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, as_parent: bool) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    target = fifo
    if as_parent:
        target = tmp_path / "child.yaml"
        target.write_text("extends: pipe.yaml\n", encoding="utf-8")
    with no_hang():
        problem = only(target)
    assert "named pipe" in problem.message
    assert problem.line == (1 if as_parent else None)


def test_a_device_and_a_folder_are_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    (tmp_path / "folder.yaml").mkdir()
    child = tmp_path / "child.yaml"
    child.write_text("extends: [zero.yaml, folder.yaml]\n", encoding="utf-8")
    with no_hang():
        found = problems(child, allow_outside=True)
    assert ["is a device" in p.message for p in found] == [True, False]
    assert "is a folder" in found[1].message
    with no_hang():
        assert "is a device" in only(Path("/dev/zero")).message


# --- limits --------------------------------------------------------------------------------------


def test_a_huge_file_fails_on_size_before_it_is_parsed(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """9 MB with a 1.3-million-value choice: it took a minute and 1.5 GB to refuse."""
    path = tmp_path / "huge.yaml"
    path.write_text("context:\n  p:\n    dist: {kind: choice, values: ["
                    + ", ".join(["1.5"] * 1_300_000) + "]}\n", encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    parsed: list[str] = []
    monkeypatch.setattr(loader, "_compose", lambda text: parsed.append(text))
    problem = only(path)
    assert problem.line is None and "MiB" in problem.message and "larger than" in problem.message
    assert parsed == []


def test_a_long_list_and_many_values_are_refused() -> None:
    with pytest.raises(ScenarioError, match=f"at most {MAX_LIST_ITEMS}"):
        read_yaml_text("a: [" + ", ".join(["1"] * (MAX_LIST_ITEMS + 1)) + "]\n")
    with pytest.raises(ScenarioError, match=f"more than {MAX_NODES} values") as excinfo:
        read_yaml_text("".join(f"k{i}: {{a: 1, b: 2}}\n" for i in range(MAX_NODES // 4)))
    checked(excinfo.value)


def test_a_choice_of_too_many_values(tmp_path: Path) -> None:
    path = variant(tmp_path, "context:\n  delivery_noise:\n    dist: {kind: choice, values: ["
                   + ", ".join(["0.25"] * (MAX_CHOICES + 1)) + "]}\n")
    problem = only(path)
    assert problem.field == "context.delivery_noise.dist.values"
    assert str(MAX_CHOICES) in problem.message


# --- values through the model's domain -----------------------------------------------------------


@pytest.mark.parametrize(("text", "field", "words"), [
    ("context:\n  russia_artillery_use: {value: 0, dist: {kind: fixed}}\n",
     "context.russia_artillery_use.value", "divides by"),
    ("context:\n  russia_artillery_use:\n    dist: {kind: uniform, low: 0, high: 400000}\n",
     "context.russia_artillery_use.dist", "above 0"),
    ("context:\n  delivery_noise:\n    dist: {kind: uniform, low: -1.0e+308, high: 1.0e+308}\n",
     "context.delivery_noise.dist.low context.delivery_noise.dist.high",
     "between -1e+12 and 1e+12"),
    ("context:\n  delivery_noise:\n    dist: {kind: lognormal, median: 0.25, sigma: 1000}\n",
     "context.delivery_noise.dist", f"allowed range (0, {MAX_SIGMA:g}]"),
    ("context:\n  delivery_noise:\n    dist: {kind: lognormal, median: 0.25, sigma: 2.5}\n"
     "    value: 0.25\n"
     "  russia_reserve:\n    dist: {kind: lognormal, median: 100000000000, sigma: 3}\n"
     "    value: 100000000000\n",
     "context.russia_reserve.dist", "finite number between"),
    ("actors:\n  Russia:\n    procurement_entities: {value: 1000000000}\n",
     "actors.Russia.procurement_entities.value", f"at most {MAX_PROCUREMENT_ENTITIES}"),
    ("experiment: {chunk_size: 100000}\nactors:\n  Russia:\n"
     "    procurement_entities: {value: 5000}\n",
     "actors.Russia.procurement_entities.value", "lower experiment.chunk_size"),
    ("actors:\n  Russia:\n    initial_cooperation_level: {value: 1000000000000}\n",
     "actors.Russia.initial_cooperation_level.value", "says it lies in [0, 4]"),
    ("actors:\n  US:\n    initial_cohesion:\n      value: 0.7\n"
     "      dist: {kind: uniform, low: 0, high: 2}\n",
     "actors.US.initial_cohesion.dist", "says it lies in [0, 1]"),
    ("meta: {horizon_months: true}\n", "meta.horizon_months", "whole number, not true"),
    ("options:\n  warn_beijing: {start: true}\n", "options.warn_beijing.start",
     "whole number, not true"),
    ("context:\n  delivery_noise: {value: true}\n", "context.delivery_noise.value",
     "number, not true"),
    ("outcomes:\n  lethal_incidents: {weight: 1.0e+308}\n", "outcomes.lethal_incidents.weight",
     "less than or equal to 1000000"),
    ("outcomes:\n  lethal_incidents: {weight: .inf}\n", "outcomes.lethal_incidents.weight",
     "finite number"),
])
def test_values_the_model_cannot_compute_with(tmp_path: Path, text: str, field: str,
                                              words: str) -> None:
    found = problems(variant(tmp_path, text))
    assert [p.field for p in found] == field.split(), "\n".join(map(str, found))
    assert words in found[0].message
    assert found[0].file.endswith("variant.yaml") and found[0].line is not None


def test_no_outcomes_is_refused(tmp_path: Path) -> None:
    data = yaml.load(BASELINE.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    data["outcomes"] = {}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.dump(data, Dumper=FAST_DUMPER, sort_keys=False), encoding="utf-8")
    problem = only(path)
    assert problem.field == "outcomes" and "at least 1" in problem.message


@pytest.mark.parametrize("escape", ["\\0", "\\e", "\\x7f", "\\x9b", "\\u200b\\x01"])
def test_control_characters_in_text_are_refused_at_their_line(tmp_path: Path,
                                                              escape: str) -> None:
    """A YAML escape can put a NUL (or a terminal's escape) into a label that pages, Markdown
    and terminals then show; tabs and line breaks stay allowed."""
    path = variant(tmp_path, f'meta:\n  title: "evil{escape}title"\n')
    problem = only(path)
    assert (problem.line, problem.field) == (3, "meta.title")
    assert "control character U+" in problem.message
    fine = variant(tmp_path, 'meta:\n  title: "tab\\there\\nand a new line"\n', "fine.yaml")
    assert api.load_scenario(fine).meta.title == "tab\there\nand a new line"


def test_a_duplicate_event_id_is_reported_at_its_own_line(tmp_path: Path) -> None:
    data = yaml.load(BASELINE.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    data["events"].append(copy.deepcopy(data["events"][0]))
    path = tmp_path / "s.yaml"
    text = yaml.dump(data, Dumper=FAST_DUMPER, sort_keys=False, width=10_000)
    path.write_text(text, encoding="utf-8")
    problem = only(path)
    ids = [i + 1 for i, line in enumerate(text.splitlines())
           if line.strip() == f"- id: {data['events'][0]['id']}"]
    assert problem.line == ids[-1] and problem.field == f"events[{len(data['events']) - 1}].id"
    assert "used twice" in problem.message


@pytest.mark.parametrize(("setting", "words"), [
    ("duration=inf", "finite number"), ("duration=nan", "finite number"),
    ("duration=2.7", "whole number of months"), ("intensity=inf", "finite number"),
])
def test_set_duration_must_be_a_whole_finite_number(setting: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_option_override(f"sanctions_listing:{setting}")


def test_set_duration_accepts_whole_numbers(baseline: Scenario) -> None:
    assert parse_option_override("sanctions_listing:duration=12.0")[1] == {"duration": 12}
    edited = apply_overrides(baseline, ["sanctions_listing:duration=6"])
    assert edited.options["sanctions_listing"].duration_months == 6


# --- the fuzzer: mutate the baseline, then validate and run --------------------------------------


def _baseline_text() -> str:
    data = yaml.load(BASELINE.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    data["meta"]["horizon_months"] = 3  # a few months keep each run short
    return yaml.dump(data, Dumper=FAST_DUMPER, sort_keys=False, width=10_000)


FUZZ_NAME = "fuzz.yaml"
FUZZ_DATA, FUZZ_POSITIONS = read_yaml_text(_baseline_text(), FUZZ_NAME)

HOSTILE = st.one_of(
    st.sampled_from([0, -1, 1, 2**63, -(2**63), 10**30, 1e308, -1e308, 1e-308, 5e-324, 1e12,
                     float("nan"), float("inf"), float("-inf"), True, False, None, 0.5, 2.7]),
    st.sampled_from(["", "\0", "<script>alert(1)</script>", "x" * 5000, "2023-09", "status_quo",
                     "fixed", "../../etc/shadow", "onmouseover=alert(1)", "a\0b"]),
    st.sampled_from([[], {}, [1] * 5000, {"kind": "uniform", "low": 1e308, "high": -1e308},
                     {"kind": "lognormal", "median": 1e12, "sigma": 2.9},
                     {"kind": "choice", "values": [0.0] * 999, "weights": [0.0] * 999}]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.text(max_size=20),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into the data, parents before children."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


ALL_PATHS = [p for p in _paths(FUZZ_DATA) if p]
NUMBER_PATHS = [p for p in ALL_PATHS if isinstance(_at(FUZZ_DATA, p), int | float)]


PARAMETER_PATHS = [p for p in ALL_PATHS
                   if isinstance(_at(FUZZ_DATA, p), dict) and {"value", "dist"} <= set(
                       _at(FUZZ_DATA, p))]
EXTREME = st.sampled_from([0.0, -1.0, 1e-300, -1e-300, 1e-9, 0.5, 1.0, 2.0, 1e6, 1e9, 1e12,
                           -1e12, 3e11, 40.0, 10_000.0, 10_001.0])


def _pinned(draw: st.DrawFn) -> dict[str, Any]:
    """A distribution (with a default inside it) that validates more often than not but sits at
    the edges of the model's domain: what used to validate and then fail at run."""
    kind = draw(st.sampled_from(["fixed", "uniform", "lognormal", "choice", "triangular",
                                 "beta", "truncnormal"]))
    x, y = sorted(draw(st.tuples(EXTREME, EXTREME)))
    if kind == "fixed" or x == y:
        return {"value": x, "dist": {"kind": "fixed"}}
    if kind == "uniform":
        return {"value": x, "dist": {"kind": "uniform", "low": x, "high": y}}
    if kind == "triangular":
        return {"value": y, "dist": {"kind": "triangular", "low": x, "mode": y, "high": y}}
    if kind == "lognormal":
        median = draw(st.sampled_from([1e-300, 1e-9, 1.0, 1e6, 1e9]))
        return {"value": median, "dist": {"kind": "lognormal", "median": median,
                                          "sigma": draw(st.sampled_from([1e-9, 0.5, 2.0, 3.0]))}}
    if kind == "beta":
        return {"value": x, "dist": {"kind": "beta", "a": draw(st.sampled_from([1e-3, 1, 1e3])),
                                     "b": draw(st.sampled_from([1e-3, 1, 1e3])),
                                     "low": x, "high": y}}
    if kind == "truncnormal":
        return {"value": x, "dist": {"kind": "truncnormal", "mean": draw(EXTREME),
                                     "sd": draw(st.sampled_from([1e-9, 1.0, 1e9])),
                                     "low": x, "high": y}}
    return {"value": x, "dist": {"kind": "choice", "values": [x, y]}}


@st.composite
def mutations(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """The baseline (3 months) with one to three hostile changes, and what they were."""
    data = copy.deepcopy(FUZZ_DATA)
    done: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["pin", "pin", "drop", "replace", "scale"]))
        if action == "pin":
            # A parameter's whole distribution changed: often still a valid file.
            path = draw(st.sampled_from(PARAMETER_PATHS))
            try:
                _at(data, path).update(_pinned(draw))
            except (KeyError, IndexError, TypeError, AttributeError):
                continue  # an earlier change removed or replaced it
            done.append(f"pin {path}: {_at(data, path)}")
            continue
        # Numbers are where the model's domain bites, so they are picked half the time.
        path = draw(st.sampled_from(NUMBER_PATHS) | st.sampled_from(ALL_PATHS))
        try:
            parent = _at(data, path[:-1])
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        if action == "drop":
            del parent[path[-1]]
        elif action == "scale" and isinstance(parent[path[-1]], int | float):
            parent[path[-1]] = parent[path[-1]] * draw(st.sampled_from(
                [0, -1, 1e6, 1e300, 1e-300, 1.5, 10**20]))
        else:
            parent[path[-1]] = draw(HOSTILE)
        done.append(f"{action} {path}")
    return data, done


@settings(max_examples=80, deadline=timedelta(seconds=60), derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutations())
def test_hostile_mutations_give_a_clear_error_or_a_finite_run(
        case: tuple[dict[str, Any], list[str]]) -> None:
    data, changes = case
    note(f"changes: {changes}")
    try:
        scenario = validate_data(data, FUZZ_POSITIONS, FUZZ_NAME)
    except ScenarioError as err:
        for problem in checked(err):
            assert problem.file == FUZZ_NAME and problem.line is not None, str(problem)
        event("refused")
        return
    event("ran")
    option = next(iter(scenario.options), None)
    with warnings.catch_warnings():
        # numpy's "invalid value" means a NaN was made or a number cast to an integer it does
        # not fit: a value the checks should have refused.
        warnings.simplefilter("error", RuntimeWarning)
        result = api.run(scenario, runs=4, chunk_size=4, sample_worlds=1,
                         options=[option] if option else [])
    numbers = result.outcomes.select_dtypes("number").to_numpy(dtype=float)
    assert numbers.size and np.isfinite(numbers).all()
    assert all(math.isfinite(v) for v in result.scores["composite_score"])


def test_a_huge_message_is_cut_to_a_readable_line() -> None:
    problem = Problem("f.yaml" * 1000, 1, 1, "x" * 1000, "y" * 900_000)
    line = str(problem)
    assert "\n" not in line and len(line) < 3100 and line.endswith("…")


# --- a fuzzer over extends: paths ----------------------------------------------------------------

REFS = st.one_of(
    st.sampled_from(["/", ".", "..", "~", "~/.ssh/id_rsa", "/etc/passwd", "/etc/shadow",
                     "/dev/zero", "/dev/stdin", "/proc/self/environ", "../outside/shadow",
                     "sub/../../outside/shadow", "link", "pipe", "sub", "sub/", "base.yaml",
                     "./base.yaml", "sub/inner.yaml", "a" * 5000, "base.yaml\0x", "//etc/shadow",
                     "\\\\server\\share", "file:///etc/shadow", "base.yaml/", "🙂.yaml"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
)


@settings(max_examples=60, deadline=timedelta(seconds=30),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(refs=st.lists(REFS, min_size=1, max_size=4))
def test_hostile_extends_paths_never_reach_outside(tree: tuple[Path, Path], stats: list[str],
                                                   refs: list[str]) -> None:
    scenario, outside = tree
    # The same folders serve every example: made once, then reused.
    (scenario / "base.yaml").write_text("meta: {name: base}\n", encoding="utf-8")
    (scenario / "sub").mkdir(exist_ok=True)
    (scenario / "sub" / "inner.yaml").write_text("meta: {title: inner}\n", encoding="utf-8")
    if not (scenario / "link").is_symlink():
        (scenario / "link").symlink_to(outside / "shadow")
    if not (scenario / "pipe").exists():
        os.mkfifo(scenario / "pipe")
    child = scenario / "child.yaml"
    child.write_text(yaml.safe_dump({"extends": refs, "meta": {"name": "child"}}),
                     encoding="utf-8")
    stats.clear()
    with no_hang():
        try:
            data, _ = resolve(child)
        except ScenarioError as err:
            for problem in checked(err):
                assert "SECRET" not in str(problem) and "$6$" not in str(problem)
        else:
            assert data["meta"]["name"] == "child"
    assert not [seen for seen in stats if "outside" in seen or seen.startswith(("/etc", "/dev",
                                                                                 "/proc"))]
