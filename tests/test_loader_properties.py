"""Properties of the scenario loader, checked on generated input (hypothesis).

Whatever a file contains, loading it either returns a `Scenario` or raises `ScenarioError`
with located problems: never a traceback from PyYAML, pydantic or the checks. Valid YAML reads
back exactly, with a position for every value, and `extends:` merges like a reference merge.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import (
    load_scenario,
    load_scenario_text,
    read_yaml,
    read_yaml_text,
    resolve,
)
from axis_sim.scenario.schema import Scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
BASELINE_TEXT = BASELINE.read_text(encoding="utf-8")
# libyaml, where installed, only to keep the test helpers fast; the loader itself is pure Python.
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
BASELINE_DATA = yaml.load(BASELINE_TEXT, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

# Loading the baseline takes tens of milliseconds, so the slow properties get few examples;
# the cheap ones get more. The whole file stays within a few seconds.
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters that drive YAML's grammar, so generated text reaches more parser states than
# random letters would.
YAML_ALPHABET = st.sampled_from(
    [
        *":-?[]{},&*!|>'\"%@`# \n\tabcxyz019",
        *["  ", "- ", ": ", "\n  ", "---", "...", "&a ", "*a", "<<: ", "~", "1.5", "2023-09"],
        *["!!python/object:os.system", "extends: "],
    ]
)
YAMLISH = st.lists(YAML_ALPHABET, max_size=60).map("".join)


def check_problems(err: ScenarioError, file: str | None = None) -> list[Problem]:
    """Every problem names a file and says something; positions are 1-based when present."""
    assert err.problems
    for problem in err.problems:
        assert problem.file
        if file is not None:
            assert problem.file == file
        assert problem.message.strip()
        assert problem.line is None or problem.line >= 1
        assert problem.column is None or problem.column >= 1
        assert "https://" not in problem.message
        assert "\n" not in str(problem)
    return err.problems


def load_text_safely(text: str, name: str = "fuzz.yaml") -> Scenario | list[Problem]:
    with tempfile.TemporaryDirectory() as folder:
        try:
            return load_scenario_text(text, name, folder)
        except ScenarioError as err:
            return check_problems(err)


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_gives_only_scenario_errors(text: str) -> None:
    load_text_safely(text)
    try:
        read_yaml_text(text, "fuzz.yaml")
    except ScenarioError as err:
        check_problems(err, "fuzz.yaml")


@FAST
@given(YAMLISH)
def test_yaml_like_text_gives_only_scenario_errors(text: str) -> None:
    load_text_safely(text)


@FAST
@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_only_scenario_errors(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(raw)
        try:
            load_scenario(path)
        except ScenarioError as err:
            check_problems(err, str(path))
        try:
            read_yaml(path)
        except ScenarioError as err:
            check_problems(err, str(path))


# --- mutations of the valid baseline -----------------------------------------------------------


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    """The baseline text with a few blind edits: deletions, insertions, moved lines."""
    lines = BASELINE_TEXT.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "indent", "chars"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "insert":
            lines.insert(i, draw(YAMLISH) + "\n")
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "  ", "    ", "\t"])) + lines[i].lstrip(" ")
        else:
            line = lines[i]
            k = draw(st.integers(0, max(len(line) - 1, 0)))
            lines[i] = line[:k] + draw(YAMLISH) + line[k + 1 :]
        if not lines:
            break
    return "".join(lines)


@SLOW
@given(mutated_text())
def test_mutated_baseline_text_gives_only_scenario_errors(text: str) -> None:
    result = load_text_safely(text)
    if isinstance(result, list):
        line_count = text.count("\n") + 1
        assert all(p.line is None or p.line <= line_count for p in result)


LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "x", "2023-13", "2023-09", "fixed", "uniform", "random", "US", "lhs"]),
    st.text(alphabet="abcdefghij_", max_size=8),
)
VALUE = st.recursive(
    LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(alphabet="abcdefghij_", min_size=1, max_size=8), children,
                        max_size=3),
    ),
    max_leaves=6,
)


def all_paths(data: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    paths = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            paths += all_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths += all_paths(value, (*path, index))
    return paths


@st.composite
def mutated_data(draw: st.DrawFn) -> dict[str, Any]:
    """The baseline data with values replaced, keys deleted or keys added at random paths."""
    data = copy.deepcopy(BASELINE_DATA)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in all_paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if op == "replace":
            parent[path[-1]] = draw(VALUE)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(alphabet="abcdefghij_", min_size=1, max_size=8))] = draw(VALUE)
        else:
            parent.append(draw(VALUE))
    return data


@SLOW
@given(mutated_data())
def test_mutated_baseline_data_gives_located_problems(data: dict[str, Any]) -> None:
    text = yaml.dump(data, Dumper=FAST_DUMPER, sort_keys=False, allow_unicode=True, width=10_000)
    result = load_text_safely(text)
    if isinstance(result, list):
        line_count = text.count("\n") + 1
        for problem in result:
            # The YAML is valid, so every problem can and must be placed in the file.
            assert problem.line is not None and 1 <= problem.line <= line_count, problem
            assert problem.column is not None
            # pydantic's own loc parts (union tags, branch names, "[key]") never leak out.
            for internal in ("[key]", "constrained-str", "function-", ".uniform.", ".fixed."):
                assert internal not in problem.field, problem


# --- reading and merging valid YAML ------------------------------------------------------------


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=10)
PLAIN = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), TEXT,
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)
    ),
    max_leaves=15,
)


@FAST
@given(st.dictionaries(TEXT, PLAIN, max_size=5), st.booleans())
def test_valid_yaml_reads_back_with_every_position(data: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    read, positions = read_yaml_text(text, "rt.yaml")
    assert read == data
    lines = text.splitlines()
    for path in all_paths(data):
        file, line, column = positions[path]
        assert file == "rt.yaml"
        assert 1 <= line <= len(lines) + 1 and column >= 1
        if path and isinstance(path[-1], str):
            assert path in positions.keys_at


NAMES = st.sampled_from(["a", "b", "c", "d"])
TREE = st.recursive(
    st.one_of(st.integers(0, 9), st.lists(st.integers(0, 9), max_size=2)),
    lambda children: st.dictionaries(NAMES, children, max_size=3),
    max_leaves=8,
)


def reference_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = reference_merge(base[key], value) if key in base else value
        return merged
    return over


def origins(data: Any, file: str) -> Any:
    """`data` with every leaf (and list) replaced by the file it came from."""
    if isinstance(data, dict):
        return {key: origins(value, file) for key, value in data.items()}
    return file


@SLOW
@given(st.lists(st.dictionaries(NAMES, TREE, max_size=3), min_size=1, max_size=3),
       st.dictionaries(NAMES, TREE, max_size=3))
def test_extends_matches_a_reference_merge(
    parents: list[dict[str, Any]], child: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        names = [f"p{i}.yaml" for i in range(len(parents))]
        for name, parent in zip(names, parents, strict=True):
            (Path(folder) / name).write_text(yaml.safe_dump(parent), encoding="utf-8")
        child_path = Path(folder) / "child.yaml"
        child_path.write_text(yaml.safe_dump({"extends": names, **child}), encoding="utf-8")
        data, positions = resolve(child_path, scenarios_only=False)

    expected: Any = {}
    expected_origin: Any = {}
    for name, tree in [*zip(names, parents, strict=True), ("child.yaml", child)]:
        expected = reference_merge(expected, tree)
        expected_origin = reference_merge(expected_origin, origins(tree, name))
    assert data == expected
    for path in all_paths(data):
        if not path or isinstance(_at(data, path), dict):
            continue
        if isinstance(path[-1], int):
            continue
        assert Path(positions[path][0]).name == _at(expected_origin, path)


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data
