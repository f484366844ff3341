"""The scenario loader: safe YAML with positions, `extends:`, and located, helpful errors.

Bad files are derived from a valid scenario (the real `scenarios/baseline.yaml`) by changing one
thing, dumping it as block YAML and asserting the exact line and column computed from that
text, so a test cannot pass by pointing anywhere vaguely plausible.
"""

from __future__ import annotations

import copy
import functools
import pickle
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from axis_sim.scenario import checks
from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import (
    MAX_ALIAS_EXPANSION,
    load_scenario,
    load_scenario_text,
    read_yaml,
    read_yaml_text,
    resolve,
    scenario_hash,
)
from axis_sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
MINIMAL = Path(__file__).parent / "fixtures" / "loader" / "minimal.yaml"


# --- helpers -----------------------------------------------------------------------------------


# libyaml, where installed, only to keep the test helpers fast; the loader itself is pure Python.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@functools.cache
def _baseline_data() -> dict[str, Any]:
    assert BASELINE.is_file(), f"{BASELINE} is missing"
    data = yaml.load(BASELINE.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    assert isinstance(data, dict)
    return data


def baseline_data() -> dict[str, Any]:
    """The baseline as plain data (a fresh copy), to be changed in one place per test."""
    return copy.deepcopy(_baseline_data())


def dump(data: Any) -> str:
    """Block-style YAML whose layout `find` can rely on."""
    return yaml.dump(
        data, Dumper=FAST_DUMPER, sort_keys=False, width=10_000, allow_unicode=True,
        default_flow_style=False,
    )


def write(folder: Path, name: str, data: Any) -> tuple[Path, str]:
    text = data if isinstance(data, str) else dump(data)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, text


def find(text: str, *steps: str) -> tuple[int, int]:
    """1-based (line, column) of a line that starts (after indent and `- `) with `steps[-1]`.

    Each step is searched for inside the block of the previous one (deeper indentation), so
    `find(text, "experiment:", "sampling:")` is the `sampling:` of `experiment`, not another.
    """
    lines = text.splitlines()
    start, parent_indent = 0, -1
    found: tuple[int, int] | None = None
    for step in steps:
        found = None
        for i in range(start, len(lines)):
            line = lines[i]
            body = line.lstrip(" ")
            indent = len(line) - len(body)
            if i > start and body and indent <= parent_indent and not body.startswith("- "):
                break
            content = body
            while content.startswith("- "):
                content = content[2:]
            if content.startswith(step):
                column = len(line) - len(content)
                found = (i + 1, column + 1)
                # The other keys of a list item (`- id: x`) sit at the item's indentation.
                start = i + 1
                parent_indent = column - 1 if content is not body else column
                break
        assert found is not None, f"{step!r} not found in {steps}"
    assert found is not None
    return found


def value_column(text: str, line: int, key: str) -> int:
    """1-based column where the value of `key:` on `line` starts."""
    body = text.splitlines()[line - 1]
    return body.index(f"{key}: ") + len(key) + 3


def problems_of(excinfo: pytest.ExceptionInfo[ScenarioError]) -> list[Problem]:
    return excinfo.value.problems


def only_problem(excinfo: pytest.ExceptionInfo[ScenarioError]) -> Problem:
    problems = problems_of(excinfo)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def load_error(path: Path) -> pytest.ExceptionInfo[ScenarioError]:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    return excinfo


def some_parameter(data: dict[str, Any]) -> tuple[str, str]:
    """(actor, parameter) of the first actor parameter in the scenario."""
    for actor, params in data["actors"].items():
        for name in params:
            return actor, name
    raise AssertionError("the scenario has no actor parameters")


@pytest.fixture
def no_semantics(monkeypatch: pytest.MonkeyPatch) -> None:
    """For small hand-made scenarios that are valid by the schema but not complete models."""
    monkeypatch.setattr(checks, "semantic_problems", lambda scenario: [])


# --- valid scenarios ---------------------------------------------------------------------------


def test_baseline_loads_without_problems() -> None:
    scenario = load_scenario(BASELINE)
    assert isinstance(scenario, Scenario)
    assert scenario.extends is None
    assert len(scenario_hash(scenario)) == 64


def test_baseline_dumped_again_loads_the_same(tmp_path: Path) -> None:
    # The derived-file tests below rely on a re-dumped baseline still being valid.
    path, _ = write(tmp_path, "again.yaml", baseline_data())
    assert scenario_hash(load_scenario(path)) == scenario_hash(load_scenario(BASELINE))


def test_minimal_fixture_loads(no_semantics: None) -> None:
    scenario = load_scenario(MINIMAL)
    assert scenario.meta.start == "2023-09"
    assert scenario.actors["DPRK"]["launch_rate"].dist.kind == "triangular"
    assert scenario.events[0].month == "2023-09"


def test_semantic_checks_are_called(monkeypatch: pytest.MonkeyPatch) -> None:
    text = MINIMAL.read_text(encoding="utf-8")
    calls: list[Scenario] = []

    def fake(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
        calls.append(scenario)
        return [
            (("actors", "DPRK", "launch_rate", "dist", "high"), "too high for the model"),
            (("experiment", "portfolios"), "unknown portfolio"),  # a default: not in the file
            (("events", 0, "month"), "outside the horizon"),
        ]

    monkeypatch.setattr(checks, "semantic_problems", fake)
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario_text(text, "m.yaml")
    assert len(calls) == 1
    by_field = {p.field: p for p in problems_of(excinfo)}
    high = by_field["actors.DPRK.launch_rate.dist.high"]
    line, _ = find(text, "actors:", "DPRK:", "launch_rate:", "dist:", "high:")
    assert (high.file, high.line, high.column) == ("m.yaml", line, value_column(text, line, "high"))
    assert high.message == "too high for the model"
    # Not written in the file: the nearest ancestor that is, the `experiment:` key.
    portfolios = by_field["experiment.portfolios"]
    assert (portfolios.line, portfolios.column) == find(text, "experiment:")
    month = by_field["events[0].month"]
    line, _ = find(text, "events:", "id: summit", "month:")
    assert (month.line, month.column) == (line, value_column(text, line, "month"))
    lines = [p.line or 0 for p in problems_of(excinfo)]
    assert lines == sorted(lines)


def test_real_semantic_check_is_located(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    params = data["actors"][actor]
    params["no_such_parameter_xyz"] = copy.deepcopy(params[name])
    path, text = write(tmp_path, "s.yaml", data)
    problems = problems_of(load_error(path))
    bogus = [p for p in problems if p.field == f"actors.{actor}.no_such_parameter_xyz"]
    assert len(bogus) == 1, problems
    line, column = find(text, "actors:", f"{actor}:", "no_such_parameter_xyz:")
    assert (bogus[0].file, bogus[0].line, bogus[0].column) == (str(path), line, column)


# --- reading YAML ------------------------------------------------------------------------------


def test_read_yaml_records_value_and_key_positions() -> None:
    text = (
        "meta:\n"  # 1
        "  name: x   # a comment\n"  # 2
        "  start: 2023-09\n"  # 3
        "list:\n"  # 4
        "  - a\n"  # 5
        "  - {k: 1, j: [2, 3]}\n"  # 6
        "flow: {a: 1}\n"  # 7
        "dist:\n"  # 8
        "    kind: uniform\n"  # 9
    )
    data, positions = read_yaml_text(text, "f.yaml")
    assert data == {
        "meta": {"name": "x", "start": "2023-09"},
        "list": ["a", {"k": 1, "j": [2, 3]}],
        "flow": {"a": 1},
        "dist": {"kind": "uniform"},
    }
    assert positions[()] == ("f.yaml", 1, 1)
    assert positions[("meta", "name")] == ("f.yaml", 2, 9)
    assert positions.keys_at[("meta", "name")] == ("f.yaml", 2, 3)
    assert positions[("list", 0)] == ("f.yaml", 5, 5)
    assert positions[("list", 1)] == ("f.yaml", 6, 5)
    assert positions[("list", 1, "j", 1)] == ("f.yaml", 6, 19)
    assert positions[("flow", "a")] == ("f.yaml", 7, 11)
    # A block mapping's value starts on the next line; its key is where messages should point.
    assert positions[("dist",)] == ("f.yaml", 9, 5)
    assert positions.keys_at[("dist",)] == ("f.yaml", 8, 1)
    assert positions[("dist", "kind")] == ("f.yaml", 9, 11)


def test_read_yaml_file_names_positions_by_path(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "a.yaml", "x: 1\n")
    data, positions = read_yaml(path)
    assert data == {"x": 1}
    assert positions[("x",)] == (str(path), 1, 4)


def test_yaml_1_1_scalars_and_dates() -> None:
    text = (
        "month: 2023-09\n"
        "day: 2023-09-01\n"
        "stamp: 2023-09-01 12:30:00\n"
        "yes_bool: yes\n"
        "octal: 010\n"
        "hex: 0x1F\n"
        "under: 1_000\n"
        "exp: 1.5e3\n"
        "inf: .inf\n"
        "nothing: ~\n"
        "text: !!str 123\n"
        "number: !!int '5'\n"
        "eq: =\n"
        "no: 1\n"  # YAML 1.1 would make this key False; keys stay as written
        "1.0: x\n"
    )
    data, _ = read_yaml_text(text)
    assert data == {
        "month": "2023-09",
        "day": "2023-09-01",
        "stamp": "2023-09-01T12:30:00",
        "yes_bool": True,
        "octal": 8,
        "hex": 31,
        "under": 1000,
        "exp": "1.5e3",  # YAML 1.1 floats need a dot and a signed exponent; pydantic parses it
        "inf": float("inf"),
        "nothing": None,
        "text": "123",
        "number": 5,
        "eq": "=",
        "no": 1,
        "1.0": "x",
    }


def test_merge_keys_are_supported() -> None:
    text = (
        "base: &base {unit: index, source: seed analysis}\n"
        "p:\n"
        "  <<: *base\n"
        "  unit: share\n"
        "  value: 1\n"
    )
    data, positions = read_yaml_text(text)
    assert data["p"] == {"unit": "share", "value": 1, "source": "seed analysis"}
    assert positions[("p", "unit")][1] == 4
    assert positions[("p", "source")][1] == 1  # where the merged value is written


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "the file is empty"),
        ("# only a comment\n\n", "the file is empty"),
    ],
)
def test_file_level_problems(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "s.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml(path)
    problem = only_problem(excinfo)
    assert problem == Problem(str(path), None, None, "", message)
    assert str(excinfo.value) == f"{path}: {message}"


def test_directory_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(tmp_path)
    problem = only_problem(excinfo)
    assert problem.file == str(tmp_path)
    assert "folder" in problem.message


def test_non_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"meta:\n  title: caf\xe9\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    problem = only_problem(excinfo)
    assert (problem.line, problem.column) == (2, 13)
    assert "UTF-8" in problem.message and "0xe9" in problem.message


def test_utf8_bom_is_accepted() -> None:
    data, positions = read_yaml_text("\ufeffa: 1\n")
    assert data == {"a": 1}
    assert positions[("a",)][1:] == (1, 4)  # columns as an editor shows them, BOM unseen


@pytest.mark.parametrize(
    ("text", "what"),
    [("- a\n- b\n", "not a list"), ("just text\n", "not the value 'just text'"), ("~\n", "None")],
)
def test_top_level_must_be_a_mapping(text: str, what: str) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text(text, "s.yaml")
    problem = only_problem(excinfo)
    assert (problem.file, problem.line, problem.column) == ("s.yaml", 1, 1)
    assert "top level should be a mapping" in problem.message
    assert what in problem.message


def test_syntax_error_points_at_the_mark(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "s.yaml", "meta:\n  name: x\n  title: a: b\n")
    problem = only_problem(load_error(path))
    assert problem.file == str(path)
    assert (problem.line, problem.column) == (3, 11)
    assert "mapping values are not allowed here" in problem.message
    assert problem.message.startswith("YAML syntax error: ")
    assert "\n" not in str(problem)


def test_bad_indentation_is_a_syntax_error() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text("a:\n  b: 1\n c: 2\n", "s.yaml")
    problem = only_problem(excinfo)
    assert problem.line == 3
    assert problem.message.startswith("YAML syntax error")


def test_tab_indentation_says_so() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text("a:\n\tb: 1\n", "s.yaml")
    problem = only_problem(excinfo)
    assert (problem.line, problem.column) == (2, 1)
    assert "tabs" in problem.message


def test_control_character_is_located() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text("a: 1\nb: x\x07y\n", "s.yaml")
    problem = only_problem(excinfo)
    assert (problem.line, problem.column) == (2, 5)
    assert "#x0007" in problem.message


def test_second_document_is_a_problem() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text("a: 1\n---\nb: 2\n", "s.yaml")
    problem = only_problem(excinfo)
    assert problem.line == 2
    assert "one YAML document" in problem.message


def test_duplicate_keys_are_rejected_with_both_lines() -> None:
    text = "meta:\n  name: a\n  title: t\n  name: b\nx: 1\nx: 2\n"
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text(text, "s.yaml")
    first, second = problems_of(excinfo)
    assert (first.line, first.column, first.field) == (4, 3, "meta.name")
    assert "duplicate key 'name'" in first.message and "line 2" in first.message
    assert (second.line, second.column, second.field) == (6, 1, "x")
    assert "line 5" in second.message


def test_quoted_and_plain_keys_are_the_same_key() -> None:
    with pytest.raises(ScenarioError, match="duplicate key '1'"):
        read_yaml_text("1: a\n'1': b\n")


def test_non_scalar_keys_are_rejected() -> None:
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text("? [a, b]\n: 1\n", "s.yaml")
    assert "plain text" in only_problem(excinfo).message


# --- unsafe YAML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/object:pathlib.Path {{}}",
        "!foo bar",
        "!<tag:example.com,2000:thing> x",
        "!!binary aGVsbG8=",
        "!!set {{a, b}}",
        "!!omap [a: 1]",
        "!!map [1, 2]",
        "!!str [1, 2]",
    ],
)
def test_tags_are_rejected_without_constructing(tmp_path: Path, snippet: str) -> None:
    marker = tmp_path / "pwned"
    text = f"meta:\n  name: {snippet.format(marker=marker)}\n"
    path, _ = write(tmp_path, "s.yaml", text)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column, problem.field) == (2, 9, "meta.name")
    assert "is not allowed" in problem.message
    assert not marker.exists()


def test_tag_directive_cannot_smuggle_python_tags() -> None:
    text = "%TAG !! tag:yaml.org,2002:python/\n---\na: !!object/apply:os.getcwd []\n"
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text(text, "s.yaml")
    assert "python/object/apply" in only_problem(excinfo).message


@pytest.mark.parametrize(
    ("text", "what"), [("a: !!int abc\n", "int"), ("a: !!bool maybe\n", "bool"),
                       ("a: !!float x\n", "float"), ("a: !!timestamp soon\n", "timestamp")]
)
def test_bad_explicit_standard_tags(text: str, what: str) -> None:
    with pytest.raises(ScenarioError) as excinfo:
        read_yaml_text(text, "s.yaml")
    problem = only_problem(excinfo)
    assert (problem.line, problem.column) == (1, 4)
    assert f"cannot be read as {what}" in problem.message


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_rejected_fast(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "bomb.yaml", billion_laughs())
    started = time.perf_counter()
    problem = only_problem(load_error(path))
    assert time.perf_counter() - started < 1.0
    assert "aliases" in problem.message and str(MAX_ALIAS_EXPANSION) in problem.message


def test_merge_key_bomb_is_rejected_fast() -> None:
    lines = ["m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}"]
    for i in range(1, 12):
        refs = ", ".join([f"*m{i - 1}"] * 9)
        lines.append(f"m{i}: &m{i} {{<<: [{refs}], k{i}: 1}}")
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="expand to more than"):
        read_yaml_text("\n".join(lines))
    assert time.perf_counter() - started < 1.0


def test_modest_aliases_are_fine() -> None:
    data, _ = read_yaml_text("d: &d {kind: uniform, low: 0, high: 1}\np: *d\nq: *d\n")
    assert data["p"] == data["q"] == data["d"]
    assert data["p"] is not data["q"]  # no shared mutable structure


def test_recursive_alias_is_rejected() -> None:
    with pytest.raises(ScenarioError, match="contains it"):
        read_yaml_text("a: &a [1, *a]\n")


def test_deep_nesting_is_rejected() -> None:
    with pytest.raises(ScenarioError, match="nested"):
        read_yaml_text("a: " + "[" * 80 + "]" * 80 + "\n")
    with pytest.raises(ScenarioError, match="nested"):
        read_yaml_text("a: " + "[" * 5000 + "]" * 5000 + "\n")


# --- schema errors, derived from the baseline --------------------------------------------------


def test_bad_literal_lists_what_is_allowed(tmp_path: Path) -> None:
    data = baseline_data()
    data.setdefault("experiment", {})["sampling"] = "lhs"
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    line, _ = find(text, "experiment:", "sampling:")
    assert (problem.file, problem.line, problem.column) == (
        str(path), line, value_column(text, line, "sampling"))
    assert problem.field == "experiment.sampling"
    assert problem.message == (
        "Input should be 'random', 'latin_hypercube' or 'sobol' (got 'lhs')"
    )
    assert str(problem) == (
        f"{path}:{line}:{problem.column}: experiment.sampling: Input should be 'random', "
        "'latin_hypercube' or 'sobol' (got 'lhs')"
    )


def test_misspelt_literal_gets_a_suggestion(tmp_path: Path) -> None:
    data = baseline_data()
    data.setdefault("experiment", {})["sampling"] = "sobel"
    path, _ = write(tmp_path, "s.yaml", data)
    assert only_problem(load_error(path)).message.endswith("(got 'sobel') (did you mean 'sobol'?)")


def test_unknown_key_lists_allowed_keys_and_suggests(tmp_path: Path) -> None:
    data = baseline_data()
    data.setdefault("experiment", {})["chunksize"] = 10
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column) == find(text, "experiment:", "chunksize:")
    assert problem.field == "experiment.chunksize"
    assert problem.message.startswith("unknown key 'chunksize' (did you mean 'chunk_size'?)")
    assert "allowed keys: runs, seed, sampling, chunk_size, portfolios, sample_worlds" in (
        problem.message
    )


def test_unknown_top_level_key(tmp_path: Path) -> None:
    data = baseline_data()
    data["extend"] = "base.yaml"
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column) == find(text, "extend:")
    assert "(did you mean 'extends'?)" in problem.message
    assert "meta, context, actors" in problem.message


def test_unknown_key_inside_a_distribution(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    dist = data["actors"][actor][name]["dist"]
    dist["bogus"] = 1
    path, text = write(tmp_path, "s.yaml", data)
    problems = problems_of(load_error(path))
    bogus = next(p for p in problems if p.field.endswith(".bogus"))
    assert bogus.field == f"actors.{actor}.{name}.dist.bogus"
    assert (bogus.line, bogus.column) == find(text, "actors:", f"{actor}:", f"{name}:", "dist:",
                                              "bogus:")
    # The allowed keys are those of this distribution's kind.
    from axis_sim.scenario import schema

    model = next(m for m in (schema.Fixed, schema.Uniform, schema.Triangular, schema.TruncNormal,
                             schema.Beta, schema.LogNormal, schema.Choice)
                 if m.model_fields["kind"].annotation.__args__[0] == dist["kind"])
    assert f"allowed keys: {', '.join(model.model_fields)}" in bogus.message


def test_missing_key_points_at_the_parent(tmp_path: Path) -> None:
    data = baseline_data()
    del data["meta"]["title"]
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column) == find(text, "meta:")
    assert problem.field == "meta.title"
    assert problem.message == "required key 'title' is missing"


def test_missing_section_points_at_the_file_start(tmp_path: Path) -> None:
    data = baseline_data()
    del data["outcomes"]
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    first_key = next(i for i, line in enumerate(text.splitlines(), 1) if line and line[0] != "#")
    assert (problem.line, problem.column) == (first_key, 1)
    assert problem.field == "outcomes"


def test_unknown_distribution_kind(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    data["actors"][actor][name]["dist"] = {"kind": "unifrom", "low": 0, "high": 1}
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    line, _ = find(text, "actors:", f"{actor}:", f"{name}:", "dist:", "kind:")
    assert (problem.line, problem.column) == (line, value_column(text, line, "kind"))
    assert problem.field == f"actors.{actor}.{name}.dist.kind"
    assert problem.message == (
        "unknown kind 'unifrom' (did you mean 'uniform'?); allowed kinds: fixed, uniform, "
        "triangular, truncnormal, beta, lognormal, choice"
    )


def test_missing_distribution_kind(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    data["actors"][actor][name]["dist"] = {"low": 0, "high": 1}
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column) == find(text, "actors:", f"{actor}:", f"{name}:",
                                                  "dist:")
    assert problem.field == f"actors.{actor}.{name}.dist"
    assert "kind" in problem.message
    assert "allowed kinds: fixed, uniform, triangular" in problem.message


def test_distribution_field_error_skips_the_union_tag(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    data["actors"][actor][name]["dist"] = {"kind": "uniform", "low": "zero", "high": 1}
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    line, _ = find(text, "actors:", f"{actor}:", f"{name}:", "dist:", "low:")
    assert (problem.line, problem.column) == (line, value_column(text, line, "low"))
    assert problem.field == f"actors.{actor}.{name}.dist.low"  # no `.uniform.` in it
    assert "valid number" in problem.message and "(got 'zero')" in problem.message


def test_distribution_validator_message(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    param = data["actors"][actor][name]
    param["dist"] = {"kind": "uniform", "low": 2.0, "high": 1.0}
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column) == find(text, "actors:", f"{actor}:", f"{name}:",
                                                  "dist:")
    assert problem.message == "low (2.0) must be below high (1.0)"


def test_bad_actor_name_points_at_the_key(tmp_path: Path) -> None:
    data = baseline_data()
    actor, _ = some_parameter(data)
    misspelt = actor.lower()
    data["actors"] = {misspelt if k == actor else k: v for k, v in data["actors"].items()}
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column) == find(text, "actors:", f"{misspelt}:")
    assert problem.field == f"actors.{misspelt}"
    assert "'US', 'ROK', 'Japan', 'China', 'Russia' or 'DPRK'" in problem.message
    assert f"(did you mean '{actor}'?)" in problem.message


def test_bad_month_in_a_list_item(tmp_path: Path) -> None:
    data = baseline_data()
    if not data.get("events"):
        pytest.fail("the baseline has no events to break")
    data["events"][-1]["month"] = "2023-13"
    index = len(data["events"]) - 1
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    line, _ = find(text, "events:", f"id: {data['events'][-1]['id']}", "month:")
    assert (problem.line, problem.column) == (line, value_column(text, line, "month"))
    assert problem.field == f"events[{index}].month"
    assert problem.message == (
        "Input should be a month written YYYY-MM (e.g. 2023-09) (got '2023-13')"
    )


def test_plain_union_reports_one_problem(tmp_path: Path) -> None:
    data = baseline_data()
    option = next(iter(data["options"]))
    data["options"][option]["start"] = "soon"
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    line, _ = find(text, "options:", f"{option}:", "start:")
    assert (problem.line, problem.column) == (line, value_column(text, line, "start"))
    assert problem.field == f"options.{option}.start"
    assert problem.message == (
        "Input should be a month written YYYY-MM (e.g. 2023-09) or a valid integer (got 'soon')"
    )


def test_non_finite_numbers_are_rejected(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    param = data["actors"][actor][name]
    param["dist"] = {"kind": "truncnormal", "mean": float("nan"), "sd": 1.0,
                     "low": param["value"] - 1, "high": param["value"] + 1}
    path, text = write(tmp_path, "s.yaml", data)
    assert ".nan" in text
    problem = only_problem(load_error(path))
    line, _ = find(text, "actors:", f"{actor}:", f"{name}:", "dist:", "mean:")
    assert (problem.line, problem.column) == (line, value_column(text, line, "mean"))
    assert problem.message == "Input should be a finite number (got nan)"


def test_duplicate_event_ids_are_reported(tmp_path: Path) -> None:
    data = baseline_data()
    data["events"].append(copy.deepcopy(data["events"][0]))
    path, _ = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert problem.file == str(path) and problem.line is not None
    assert f"event id {data['events'][0]['id']!r} is used twice" in problem.message


def test_wrong_type_for_a_section(tmp_path: Path) -> None:
    data = baseline_data()
    data["experiment"] = ["runs", 3]
    path, text = write(tmp_path, "s.yaml", data)
    problem = only_problem(load_error(path))
    assert (problem.line, problem.column) == find(text, "experiment:")
    assert "mapping" in problem.message


def test_every_error_is_reported_in_file_order(tmp_path: Path) -> None:
    data = baseline_data()
    data["meta"]["horizon_months"] = 0
    data.setdefault("experiment", {})["sampling"] = "lhs"
    data["meta"]["start"] = "Sept 2023"
    path, text = write(tmp_path, "s.yaml", data)
    problems = problems_of(load_error(path))
    assert [p.field for p in problems] == sorted(
        ["meta.horizon_months", "experiment.sampling", "meta.start"],
        key=lambda f: find(text, *(f"{part}:" for part in f.split("."))),
    )
    lines = str(load_error(path).value).splitlines()
    assert len(lines) == 3


def test_long_values_are_truncated_and_no_urls(tmp_path: Path) -> None:
    data = baseline_data()
    data.setdefault("experiment", {})["sampling"] = "x" * 500
    path, _ = write(tmp_path, "s.yaml", data)
    text = str(load_error(path).value)
    assert "x" * 100 not in text and "..." in text
    assert "http" not in text and "Traceback" not in text and "\n" not in text


def test_values_errors_follow_the_file_that_wrote_them(tmp_path: Path) -> None:
    base = baseline_data()
    base.setdefault("experiment", {})["sampling"] = "lhs"
    parent, parent_text = write(tmp_path, "base.yaml", base)
    child, _ = write(
        tmp_path, "child.yaml", {"extends": "base.yaml", "meta": {"horizon_months": 0}}
    )
    problems = problems_of(load_error(child))
    assert {p.field: p.file for p in problems} == {
        "experiment.sampling": str(parent),
        "meta.horizon_months": str(child),
    }
    sampling = next(p for p in problems if p.field == "experiment.sampling")
    assert sampling.line == find(parent_text, "experiment:", "sampling:")[0]
    horizon = next(p for p in problems if p.field == "meta.horizon_months")
    assert horizon.line == 3


# --- extends -----------------------------------------------------------------------------------


def test_extends_deep_merge(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", {
        "meta": {"name": "base", "title": "Base"},
        "context": {"p": {"value": 1, "unit": "x"}, "q": {"value": 2}},
        "portfolios": {"a": ["x", "y"]},
    })
    child, _ = write(tmp_path, "child.yaml", {
        "extends": "base.yaml",
        "meta": {"title": "Child"},
        "context": {"p": {"value": 5}},
        "portfolios": {"a": ["z"]},
        "new": 1,
    })
    data, positions = resolve(child)
    assert data == {
        "meta": {"name": "base", "title": "Child"},
        "context": {"p": {"value": 5, "unit": "x"}, "q": {"value": 2}},
        "portfolios": {"a": ["z"]},  # lists replace
        "new": 1,
    }
    assert "extends" not in data and ("extends",) not in positions
    base = str(tmp_path / "base.yaml")
    assert positions[("meta", "name")][0] == base
    assert positions[("meta", "title")] == (str(child), 3, 10)
    assert positions[("context", "p", "unit")][0] == base
    assert positions[("context", "p", "value")][0] == str(child)
    assert positions[("portfolios", "a", 0)][0] == str(child)
    assert ("portfolios", "a", 1) not in positions


def test_extends_replaces_a_distribution_whole(tmp_path: Path) -> None:
    """A child's `dist` replaces its parent's: a triangular parent's `mode` must not survive
    into the child's uniform distribution (it would then be refused, or worse, mean something)."""
    write(tmp_path, "base.yaml", {"context": {"p": {
        "value": 1, "unit": "x", "dist": {"kind": "triangular", "low": 0, "mode": 1, "high": 2}}}})
    child, _ = write(tmp_path, "child.yaml", {"extends": "base.yaml", "context": {"p": {
        "value": 1.5, "dist": {"kind": "uniform", "low": 1, "high": 2}}}})
    data, positions = resolve(child)
    assert data["context"]["p"] == {"value": 1.5, "unit": "x",
                                    "dist": {"kind": "uniform", "low": 1, "high": 2}}
    assert ("context", "p", "dist", "mode") not in positions


def test_extends_multi_level_and_subfolders(tmp_path: Path) -> None:
    write(tmp_path, "shared/root.yaml", {"a": {"x": 1, "y": 1, "z": 1}})
    # Inside the tree of the file loaded, a parent may go up again (`../`).
    write(tmp_path, "shared/deeper/mid.yaml", {"extends": "../root.yaml", "a": {"y": 2}})
    child, _ = write(tmp_path, "child.yaml", {"extends": "shared/deeper/mid.yaml",
                                              "a": {"z": 3}})
    data, positions = resolve(child, scenarios_only=False)
    assert data == {"a": {"x": 1, "y": 2, "z": 3}}
    assert Path(positions[("a", "x")][0]).name == "root.yaml"
    assert Path(positions[("a", "y")][0]).name == "mid.yaml"
    assert Path(positions[("a", "z")][0]).name == "child.yaml"


def test_extends_out_of_the_tree_needs_allow_outside(tmp_path: Path) -> None:
    write(tmp_path, "shared/root.yaml", {"a": {"x": 1}})
    child, _ = write(tmp_path, "runs/child.yaml", {"extends": "../shared/root.yaml",
                                                   "a": {"z": 3}})
    with pytest.raises(ScenarioError) as excinfo:
        resolve(child, scenarios_only=False)
    problem = only_problem(excinfo)
    assert (problem.file, problem.line, problem.field) == (str(child), 1, "extends")
    assert "leads outside the scenario's folder" in problem.message
    assert "--allow-outside" in problem.message
    assert resolve(child, allow_outside=True, scenarios_only=False)[0] == {"a": {"x": 1,
                                                                           "z": 3}}


def test_extends_list_later_parents_win(tmp_path: Path) -> None:
    write(tmp_path, "p1.yaml", {"a": {"x": 1, "y": 1, "z": 1}, "only1": True})
    write(tmp_path, "p2.yaml", {"a": {"y": 2, "z": 2}, "only2": True})
    child, _ = write(tmp_path, "c.yaml", {"extends": ["p1.yaml", "p2.yaml"], "a": {"z": 3}})
    data, _ = resolve(child, scenarios_only=False)
    assert data == {"a": {"x": 1, "y": 2, "z": 3}, "only1": True, "only2": True}


def test_extends_diamond_is_not_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, "d.yaml", {"v": 0, "w": 0})
    write(tmp_path, "b.yaml", {"extends": "d.yaml", "v": 1})
    write(tmp_path, "c.yaml", {"extends": "d.yaml", "w": 2})
    top, _ = write(tmp_path, "a.yaml", {"extends": ["b.yaml", "c.yaml"]})
    # Each parent is resolved in full before merging, so c's copy of d's `v` overrides b's.
    assert resolve(top, scenarios_only=False)[0] == {"v": 0, "w": 2}


def test_extends_real_baseline(tmp_path: Path) -> None:
    data = baseline_data()
    actor, name = some_parameter(data)
    child, _ = write(tmp_path, "variant.yaml", (
        f"extends: {BASELINE}\n"
        "experiment:\n"
        "  runs: 7\n"
    ))
    scenario = load_scenario(child)
    assert scenario.experiment.runs == 7
    base = load_scenario(BASELINE)
    assert scenario.actors[actor][name] == base.actors[actor][name]
    assert scenario.meta == base.meta
    assert scenario_hash(scenario) != scenario_hash(base)


def test_extends_cycle_names_the_chain(tmp_path: Path) -> None:
    a, _ = write(tmp_path, "a.yaml", "x: 1\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "y: 1\n\nextends: [a.yaml]\n")
    problem = only_problem(load_error(a))
    b = str(tmp_path / "b.yaml")
    assert (problem.file, problem.line, problem.column) == (b, 3, 11)
    assert problem.message == f"extends cycle: {a} -> {b} -> {a}"


def test_extends_itself(tmp_path: Path) -> None:
    a, _ = write(tmp_path, "a.yaml", "extends: ./a.yaml\nx: 1\n")
    problem = only_problem(load_error(a))
    assert (problem.file, problem.line, problem.column, problem.field) == (
        str(a), 1, 10, "extends")
    assert "cycle" in problem.message


def test_missing_parent_points_at_extends(tmp_path: Path) -> None:
    write(tmp_path, "ok.yaml", "meta: {name: ok}\n")
    child, _ = write(tmp_path, "c.yaml", "x: 2\nextends:\n  - ok.yaml\n  - nope/base.yaml\n")
    problem = only_problem(load_error(child))
    assert (problem.file, problem.line, problem.column) == (str(child), 4, 5)
    assert problem.field == "extends[1]"
    assert str(tmp_path / "nope" / "base.yaml") in problem.message
    assert "does not exist" in problem.message


@pytest.mark.parametrize("value", ["3", "{a: b}", "[ok.yaml, 3]", "''"])
def test_extends_must_be_paths(tmp_path: Path, value: str) -> None:
    write(tmp_path, "ok.yaml", "meta: {name: ok}\n")
    child, _ = write(tmp_path, "c.yaml", f"x: 2\nextends: {value}\n")
    problem = only_problem(load_error(child))
    assert (problem.file, problem.line) == (str(child), 2)
    assert "extends should" in problem.message


def test_problems_in_a_parent_name_the_parent(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "a: 1\na: 2\n")
    child, _ = write(tmp_path, "c.yaml", "extends: base.yaml\n")
    problem = only_problem(load_error(child))
    assert (problem.file, problem.line) == (str(tmp_path / "base.yaml"), 2)
    assert "duplicate key" in problem.message


def test_text_loading_resolves_extends_against_a_folder(tmp_path: Path, no_semantics: None) -> None:
    write(tmp_path, "m.yaml", MINIMAL.read_text(encoding="utf-8"))
    scenario = load_scenario_text("extends: m.yaml\nexperiment: {runs: 3}\n", "t.yaml", tmp_path)
    assert scenario.experiment.runs == 3
    assert scenario.meta.name == "minimal"


# --- hash and error objects --------------------------------------------------------------------


def test_scenario_hash_ignores_layout_but_not_content(tmp_path: Path, no_semantics: None) -> None:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    first, _ = write(tmp_path, "a.yaml", data)
    shuffled = dict(reversed(list(data.items())))
    second, _ = write(tmp_path, "b.yaml", "# a comment\n" + dump(shuffled))
    h1 = scenario_hash(load_scenario(first))
    assert h1 == scenario_hash(load_scenario(second))
    assert h1 == scenario_hash(load_scenario(MINIMAL))
    data["experiment"]["runs"] += 1
    third, _ = write(tmp_path, "c.yaml", data)
    assert scenario_hash(load_scenario(third)) != h1


def test_problem_formatting() -> None:
    assert str(Problem("a.yaml", 3, 7, "x.y", "bad")) == "a.yaml:3:7: x.y: bad"
    assert str(Problem("a.yaml", 3, None, "", "bad")) == "a.yaml:3: bad"
    assert str(Problem("a.yaml", None, None, "", "multi\n  line")) == "a.yaml: multi line"
    err = ScenarioError([Problem("a", 1, 1, "f", "m"), Problem("b", None, None, "", "n")])
    assert str(err) == "a:1:1: f: m\nb: n"
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems
