"""The leak check: no parameter, event or option may rest on evidence dated after `as_of`.

Every source carries the date of its evidence (`date:`, or a date the source starts with) and a
scenario its `meta.as_of`. Small hand-made scenarios keep these tests independent of the
shipped ones (whose sources are being dated); the model's own checks are switched off for them,
as they are not complete models. Positions are computed from the text written, so a test cannot
pass by pointing anywhere vaguely plausible.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from axis_sim.cli import main
from axis_sim.scenario import checks
from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import load_scenario, load_scenario_text
from axis_sim.scenario.schema import Scenario, evidence_date, leading_date
from tests.conftest import BASELINE

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- helpers -----------------------------------------------------------------------------------


def param(value: float = 0.5, date: Any = "2023-08-01", source: str = "Judgement of the analysts.",
          unit: str = "index") -> dict[str, Any]:
    p: dict[str, Any] = {"value": value, "unit": unit, "dist": {"kind": "fixed"}, "source": source}
    if date is not None:
        p["date"] = date
    return p


def scenario_data(as_of: Any = dt.date(2023, 9, 1)) -> dict[str, Any]:
    """A small scenario, every item dated on or before 2023-09-01 (the baseline's as_of).

    Days are `datetime.date`s, which dump as unquoted YAML dates, as an author writes them.
    """
    meta: dict[str, Any] = {"name": "small", "title": "Small", "description": "Dated items.",
                            "start": "2023-09", "horizon_months": 24}
    if as_of is not None:
        meta["as_of"] = as_of
    return {
        "meta": meta,
        "context": {"war_intensity": param(0.8, date=dt.date(2023, 8, 1))},
        "actors": {
            "DPRK": {"launch_rate": param(2.0, date=dt.date(2023, 7, 3))},
            "Russia": {"munitions_demand": param(1.0, source="2023-06-15: a public estimate.",
                                                 date=None)},
        },
        "events": [{
            "id": "summit", "name": "Leader summit", "kind": "leader_summit", "month": "2023-09",
            "probability": param(0.9, unit="probability", date=dt.date(2023, 8, 20)),
            "source": "Press reports of the planned visit.", "date": dt.date(2023, 8, 30),
        }],
        "options": {"warn_beijing": {
            "label": "Warn Beijing", "description": "A private warning to China.",
            "source": "The seed analysis.", "date": "2023-08", "start": "2023-10",
            "parameters": {"warning_cost": param(0.2, date=dt.date(2023, 8, 2))},
        }},
        "outcomes": {"shells_transferred": {"label": "Shells", "unit": "rounds",
                                             "better": "lower"}},
    }


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, sort_keys=False, width=10_000, allow_unicode=True,
                     default_flow_style=False)


def write(folder: Path, name: str, data: Any) -> tuple[Path, str]:
    text = data if isinstance(data, str) else dump(data)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path, text


def at(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the only occurrence of `needle`, plus `offset` columns."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column + offset


def value_at(text: str, key: str, value: str) -> tuple[int, int]:
    """Where the value of the only `key: value` in the text starts."""
    return at(text, f"{key}: {value}", offset=len(key) + 2)


def problems(path_or_text: Path | str, name: str = "s.yaml") -> list[Problem]:
    with pytest.raises(ScenarioError) as excinfo:
        if isinstance(path_or_text, Path):
            load_scenario(path_or_text)
        else:
            load_scenario_text(path_or_text, name)
    return excinfo.value.problems


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


@pytest.fixture(autouse=True)
def no_model_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The scenarios here are small, not complete models: only the leak check runs."""
    monkeypatch.setattr(checks, "semantic_problems", lambda scenario: [])
    yield


def test_the_small_scenario_loads() -> None:
    scenario = load_scenario_text(dump(scenario_data()), "s.yaml")
    assert scenario.meta.as_of == "2023-09-01"
    assert scenario.meta.as_of_date == dt.date(2023, 9, 1)
    assert scenario.context["war_intensity"].date == "2023-08-01"  # unquoted YAML date -> text
    assert scenario.actors["Russia"]["munitions_demand"].evidence_date == dt.date(2023, 6, 15)
    assert scenario.options["warn_beijing"].evidence_date == dt.date(2023, 8, 1)  # YYYY-MM
    assert scenario.events[0].evidence_date == dt.date(2023, 8, 30)


# --- a late source is refused, with file, line and column -------------------------------------


def test_parameter_dated_after_as_of_is_refused_with_file_and_line() -> None:
    data = scenario_data()
    data["actors"]["DPRK"]["launch_rate"]["date"] = dt.date(2023, 10, 4)
    text = dump(data)
    problem = only(problems(text, "s.yaml"))
    assert (problem.file, problem.line, problem.column) == ("s.yaml",
                                                             *value_at(text, "date", "2023-10-04"))
    assert problem.field == "actors.DPRK.launch_rate.date"
    assert problem.message == ("source dated 2023-10-04 is after as_of 2023-09-01 of s.yaml; a "
                               "scenario may rest only on evidence public by its as_of")
    line, column = value_at(text, "date", "2023-10-04")
    assert str(problem).startswith(f"s.yaml:{line}:{column}: actors.DPRK.launch_rate.date: ")


def test_the_as_of_day_itself_is_allowed() -> None:
    data = scenario_data()
    data["actors"]["DPRK"]["launch_rate"]["date"] = "2023-09-01"
    load_scenario_text(dump(data))


def test_a_late_leading_date_in_the_source_points_at_the_source() -> None:
    data = scenario_data()
    data["actors"]["Russia"]["munitions_demand"]["source"] = "2023-09-02 — a later estimate."
    text = dump(data)
    problem = only(problems(text))
    assert problem.field == "actors.Russia.munitions_demand.source"
    assert (problem.line, problem.column) == value_at(text, "source", "2023-09-02")
    assert "source dated 2023-09-02 is after as_of 2023-09-01" in problem.message


@pytest.mark.parametrize(("where", "field"), [
    (("events", 0), "events[0].date"),
    (("events", 0, "probability"), "events[0].probability.date"),
    (("options", "warn_beijing"), "options.warn_beijing.date"),
    (("options", "warn_beijing", "parameters", "warning_cost"),
     "options.warn_beijing.parameters.warning_cost.date"),
    (("context", "war_intensity"), "context.war_intensity.date"),
])
def test_events_options_and_every_parameter_are_checked(where: tuple[Any, ...], field: str) -> None:
    data = scenario_data()
    item = data
    for part in where:
        item = item[part]
    item["date"] = dt.date(2024, 1, 15)
    text = dump(data)
    problem = only(problems(text))
    assert problem.field == field
    assert (problem.line, problem.column) == at(text, "2024-01-15")
    assert "source dated 2024-01-15 is after as_of 2023-09-01" in problem.message


def test_every_leak_is_reported_at_once() -> None:
    data = scenario_data()
    data["actors"]["DPRK"]["launch_rate"]["date"] = "2023-10"
    data["events"][0]["date"] = "2023-11-02"
    data["options"]["warn_beijing"]["source"] = "2023-12-24: a later memo."
    del data["options"]["warn_beijing"]["date"]
    found = problems(dump(data))
    assert [p.field for p in found] == ["actors.DPRK.launch_rate.date", "events[0].date",
                                        "options.warn_beijing.source"]
    assert [p.line for p in found] == sorted(p.line or 0 for p in found)


def test_as_of_after_the_start_month_is_refused() -> None:
    data = scenario_data(as_of="2023-10-01")
    text = dump(data)
    problem = only(problems(text))
    assert problem.field == "meta.as_of"
    assert (problem.line, problem.column) == value_at(text, "as_of", "'2023-10-01'")
    assert "after the start month 2023-09" in problem.message
    assert "on or before 2023-09-30" in problem.message
    load_scenario_text(dump(scenario_data(as_of="2023-09-30")))  # the last day is fine


# --- the forms of a date -----------------------------------------------------------------------


@pytest.mark.parametrize(("source", "date", "expected"), [
    ("Judgement.", "2023-08-16", dt.date(2023, 8, 16)),
    ("Judgement.", "2023-08", dt.date(2023, 8, 1)),  # a month: its first day
    ("2023-08-16: KCNA reported the launch.", None, dt.date(2023, 8, 16)),
    ("2023-08-16 KCNA reported the launch.", None, dt.date(2023, 8, 16)),
    ("2023-08 — Reuters, on rail traffic.", None, dt.date(2023, 8, 1)),
    ("2023-08, Reuters.", None, dt.date(2023, 8, 1)),
    ("2023-08-16", None, dt.date(2023, 8, 16)),
    ("2023-08-16: same day twice.", "2023-08-16", dt.date(2023, 8, 16)),
    ("2022-23 winter estimates (a range, not a month).", None, None),
    ("20230816 is no date.", None, None),
    ("2023-08-16T12:00 is no separator.", None, None),
    ("Seen on 2023-08-16, but not at the start.", None, None),
    ("Judgement.", None, None),
])
def test_date_forms(source: str, date: str | None, expected: dt.date | None,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "REQUIRE_DATES", False)  # some forms are no date at all
    assert evidence_date(source, date) == expected
    data = scenario_data()
    data["actors"]["DPRK"]["launch_rate"].update(source=source)
    data["actors"]["DPRK"]["launch_rate"].pop("date")
    if date is not None:
        data["actors"]["DPRK"]["launch_rate"]["date"] = date
    scenario = load_scenario_text(dump(data))
    assert scenario.actors["DPRK"]["launch_rate"].evidence_date == expected


def test_unquoted_and_quoted_yaml_dates_reach_the_schema_as_text() -> None:
    text = dump(scenario_data()).replace("date: 2023-07-03", "date: '2023-07-03'")
    assert "date: 2023-08-01" in text  # the context's date, written as a YAML date
    scenario = load_scenario_text(text)
    assert scenario.context["war_intensity"].date == "2023-08-01"
    assert scenario.actors["DPRK"]["launch_rate"].date == "2023-07-03"
    # Data from yaml.safe_load (dates as `datetime.date`) validates the same.
    assert Scenario.model_validate(yaml.load(text, Loader=LOADER)) == scenario


def test_a_month_means_its_first_day() -> None:
    data = scenario_data(as_of="2023-08-01")
    redate(data, "2023-07-01")
    data["actors"]["DPRK"]["launch_rate"]["date"] = "2023-08"
    load_scenario_text(dump(data))
    data["meta"]["as_of"] = "2023-07-31"
    assert only(problems(dump(data))).field == "actors.DPRK.launch_rate.date"


def dated_mappings(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every parameter, event and option mapping of the small scenario."""
    yield from data["context"].values()
    for params in data["actors"].values():
        yield from params.values()
    for event in data["events"]:
        yield event
        yield event["probability"]
    for spec in data["options"].values():
        yield spec
        yield from spec["parameters"].values()


def redate(data: dict[str, Any], date: Any) -> None:
    """Give every item the `date:` `date` (None: no date at all), sources without dates."""
    for item in dated_mappings(data):
        item.pop("date", None)
        if leading_date(item["source"]) is not None:
            item["source"] = "Judgement."
        if date is not None:
            item["date"] = date


@pytest.mark.parametrize(("line", "message"), [
    ("date: 2023-8-16", "Input should be a date written YYYY-MM-DD, or YYYY-MM"),
    ("date: '2023-02-30'", "2023-02-30 is not a day of the calendar"),
    ("date: 2023-02-30", "'2023-02-30' cannot be read as timestamp: no such day of the calendar"),
    ("date: 2023-13", "Input should be a date written YYYY-MM-DD, or YYYY-MM"),
    ("date: 2023-08-16 10:00:00", "Input should be a date written YYYY-MM-DD, or YYYY-MM"),
    ("date: 20230816", "Input should be a valid string"),
])
def test_bad_dates_are_located(line: str, message: str) -> None:
    text = dump(scenario_data()).replace("date: 2023-07-03", line)
    problem = only(problems(text))
    assert problem.line == at(text, line)[0]
    assert message in problem.message, problem


def test_a_source_starting_with_no_real_day_is_located() -> None:
    data = scenario_data()
    data["actors"]["DPRK"]["launch_rate"].update(source="2023-02-30: a bad day.")
    del data["actors"]["DPRK"]["launch_rate"]["date"]
    text = dump(data)
    problem = only(problems(text))
    assert problem.field == "actors.DPRK.launch_rate.source"
    assert (problem.line, problem.column) == value_at(text, "source", "'2023-02-30")
    assert problem.message.startswith("the source starts with a date that does not exist: "
                                      "2023-02-30 is not a day of the calendar")


def test_as_of_must_be_a_day() -> None:
    for bad, message in (("2023-09", "Input should be a date written YYYY-MM-DD (e.g."),
                         ("'2023-09-31'", "2023-09-31 is not a day of the calendar")):
        text = dump(scenario_data()).replace("as_of: 2023-09-01", f"as_of: {bad}")
        problem = only(problems(text))
        assert problem.field == "meta.as_of"
        assert (problem.line, problem.column) == value_at(text, "as_of", bad)
        assert message in problem.message


def test_a_date_and_a_leading_date_must_agree() -> None:
    data = scenario_data()
    data["actors"]["DPRK"]["launch_rate"]["source"] = "2023-07-01: an estimate."
    text = dump(data)
    problem = only(problems(text))
    assert problem.field == "actors.DPRK.launch_rate"
    assert "date 2023-07-03 and the date the source starts with (2023-07-01) differ" in (
        problem.message)


def test_leading_date_needs_a_separator() -> None:
    assert leading_date("2023-08-16: x") == "2023-08-16"
    assert leading_date("2023-08-16x") is None
    assert leading_date("2023-0816") is None
    assert leading_date("2023-08-1 is no day") is None
    assert leading_date("2023-08 - a dash") == "2023-08"
    assert leading_date("2023-08-16-- x") == "2023-08-16"


# --- extends: a backtest must override what its parent knew too late ---------------------------


def parent_data() -> dict[str, Any]:
    """A parent as of 2023-09-01 with items dated before and after 2022-02-24."""
    data = scenario_data()
    data["context"]["war_intensity"]["date"] = "2021-06-01"  # early enough for the child
    data["actors"]["DPRK"]["launch_rate"]["date"] = "2022-10-04"
    data["actors"]["Russia"]["munitions_demand"]["source"] = "2023-03: an estimate."
    data["events"][0]["date"] = "2022-01-10"  # the event's own source is early ...
    data["events"][0]["probability"]["date"] = "2023-08-16"  # ... its probability's is not
    return data


LATE = {  # what the child must override: field in the parent -> (as written, date)
    "actors.DPRK.launch_rate.date": ("2022-10-04", "2022-10-04"),
    "actors.Russia.munitions_demand.source": ("2023-03:", "2023-03-01"),
    "events[0].probability.date": ("2023-08-16", "2023-08-16"),
    "options.warn_beijing.date": ("date: 2023-08\n", "2023-08-01"),
    "options.warn_beijing.parameters.warning_cost.date": ("2023-08-02", "2023-08-02"),
}


def child_text(extra: str = "") -> str:
    return ("extends: base.yaml\n"
            "meta:\n"
            "  name: backtest\n"
            "  start: 2022-02\n"
            "  as_of: 2022-02-24\n" + extra)


def test_child_with_earlier_as_of_lists_every_late_parameter(tmp_path: Path) -> None:
    base, base_text = write(tmp_path, "base.yaml", parent_data())
    load_scenario(base)  # the parent itself is fine as of 2023-09-01
    child, text = write(tmp_path, "child.yaml", child_text())
    found = problems(child)
    in_parent = {p.field: p for p in found if p.file == str(base)}
    assert set(in_parent) == set(LATE)
    for field, (written, date) in LATE.items():
        problem = in_parent[field]
        assert problem.line == at(base_text, written)[0]
        assert problem.message == (f"source dated {date} is after as_of 2022-02-24 of {child}; "
                                   f"override it in {child}")
    summary = only([p for p in found if p.file == str(child)])
    assert (summary.field, summary.line, summary.column) == ("meta.as_of",
                                                             *value_at(text, "as_of", "2022-02-24"))
    assert summary.message.startswith("5 inherited items rest on evidence dated after as_of "
                                      f"2022-02-24; override each in {child}: ")
    for name in ("actors.DPRK.launch_rate (2022-10-04)", "actors.Russia.munitions_demand",
                 "events.summit.probability", "options.warn_beijing (2023-08-01)",
                 "options.warn_beijing.warning_cost"):
        assert name in summary.message
    assert "war_intensity" not in str(ScenarioError(found))  # dated 2021: no leak


def test_overriding_the_late_parameters_in_the_child_passes(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", parent_data())
    event = copy.deepcopy(parent_data()["events"][0])
    event["probability"]["date"] = "2022-01-10"
    overrides = {
        "actors": {"DPRK": {"launch_rate": {"source": "Counts of 2021.", "date": "2022-01"}},
                   "Russia": {"munitions_demand": {"source": "2022-02-01: prewar estimate."}}},
        "events": [event],  # a list: restated whole
        "options": {"warn_beijing": {"date": "2022-02-24", "source": "A 2022 proposal.",
                                     "parameters": {"warning_cost": param(0.2, "2022-02-20")}}},
    }
    child, _ = write(tmp_path, "child.yaml", child_text(dump(overrides)))
    scenario = load_scenario(child)
    assert scenario.meta.as_of == "2022-02-24"
    assert scenario.actors["DPRK"]["launch_rate"].evidence_date == dt.date(2022, 1, 1)


def test_overriding_only_some_names_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", parent_data())
    overrides = {"actors": {"DPRK": {"launch_rate": {"source": "Counts of 2021.",
                                                     "date": "2021-12-31"}}}}
    child, _ = write(tmp_path, "child.yaml", child_text(dump(overrides)))
    found = problems(child)
    assert {p.field for p in found if p.file != str(child)} == set(LATE) - {
        "actors.DPRK.launch_rate.date"}
    assert "4 inherited items" in only([p for p in found if p.file == str(child)]).message


def test_a_replaced_source_must_bring_its_own_date(tmp_path: Path) -> None:
    # The child rewrites the source but keeps the parent's (late) `date:`: the message says the
    # date belongs to the parent's source, at the parent's date line.
    base, base_text = write(tmp_path, "base.yaml", parent_data())
    overrides = {"actors": {"DPRK": {"launch_rate": {"source": "Counts of 2021."}}}}
    child, _ = write(tmp_path, "child.yaml", child_text(dump(overrides)))
    problem = only([p for p in problems(child) if p.field == "actors.DPRK.launch_rate.date"])
    assert (problem.file, problem.line) == (str(base), at(base_text, "2022-10-04")[0])
    assert (f"the source was replaced in {child} but its date comes from {base}: give the new "
            "source its own `date:`") in problem.message


def test_a_parents_own_leak_is_the_parents_to_fix(tmp_path: Path) -> None:
    # A variant that keeps the parent's as_of: a late date in the parent is the parent's leak.
    data = scenario_data()
    data["actors"]["DPRK"]["launch_rate"]["date"] = "2023-12-01"
    base, _ = write(tmp_path, "base.yaml", data)
    child, _ = write(tmp_path, "child.yaml", "extends: base.yaml\nmeta: {name: variant}\n")
    problem = only(problems(child))
    assert problem.file == str(base)
    assert problem.message == (f"source dated 2023-12-01 is after as_of 2023-09-01 of {base}; a "
                               "scenario may rest only on evidence public by its as_of")


def test_a_child_of_the_real_baseline_lists_each_late_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However far the shipped baseline is dated, a child as of 2023-06-30 must override exactly
    # the items dated after that day (one planted here so the list is never empty).
    monkeypatch.undo()  # the real model checks: the baseline is a complete model
    data = yaml.load(BASELINE.read_text(encoding="utf-8"), Loader=LOADER)
    actor = next(iter(data["actors"]))
    name = next(iter(data["actors"][actor]))
    data["actors"][actor][name].update(source="A planted late source.", date="2023-08-16")
    base, _ = write(tmp_path, "baseline.yaml", data)
    expected = {item.field for item in checks.dated_items(load_scenario(base))
                if item.date is not None and item.date > dt.date(2023, 6, 30)}
    assert f"actors.{actor}.{name}" in expected
    child, _ = write(tmp_path, "child.yaml", "extends: baseline.yaml\nmeta: {as_of: 2023-06-30}\n")
    everything = problems(child)
    found = [p for p in everything if "is after as_of" in p.message]
    assert all(p.file == str(base) and p.message.endswith(f"override it in {child}")
               for p in found)
    assert len(found) == len(expected)
    summary = only([p for p in everything if p.field == "meta.as_of"])
    assert all(f"{field} (" in summary.message for field in expected)


# --- the property: on or before as_of passes, after fails --------------------------------------


DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


@settings(max_examples=150, deadline=None)
@given(as_of=DATES, evidence=DATES, form=st.sampled_from(["day", "month", "source", "both"]))
def test_any_date_up_to_as_of_passes_and_any_later_fails(
    as_of: dt.date, evidence: dt.date, form: str
) -> None:
    written = evidence.isoformat() if form != "month" else evidence.strftime("%Y-%m")
    effective = evidence if form != "month" else evidence.replace(day=1)
    data = scenario_data(as_of=as_of)  # a `datetime.date`: dumped as an unquoted YAML date
    data["meta"]["start"] = as_of.strftime("%Y-%m")
    redate(data, "1990-01-01")
    launch = data["actors"]["DPRK"]["launch_rate"]
    if form == "source":
        launch.pop("date")
        launch["source"] = f"{written}: the evidence."
    elif form == "both":
        launch.update(date=evidence, source=f"{written} — the evidence.")
    else:
        launch["date"] = written
    text = dump(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "semantic_problems", lambda scenario: [])
        if effective <= as_of:
            load_scenario_text(text)
        else:
            problem = only(problems(text))
            assert problem.field.startswith("actors.DPRK.launch_rate.")
            assert f"source dated {effective} is after as_of {as_of}" in problem.message


# --- REQUIRE_DATES: every source dated, every scenario an as_of --------------------------------


@pytest.fixture
def dates_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "REQUIRE_DATES", True)


def test_fully_dated_scenario_passes_when_dates_are_required(dates_required: None) -> None:
    load_scenario_text(dump(scenario_data()))


def test_undated_source_is_refused_when_dates_are_required(dates_required: None) -> None:
    data = scenario_data()
    del data["options"]["warn_beijing"]["parameters"]["warning_cost"]["date"]
    text = dump(data)
    problem = only(problems(text))
    assert problem.field == "options.warn_beijing.parameters.warning_cost.source"
    # The source's value under warning_cost.
    index = text.index("source: ", text.index("warning_cost:")) + len("source: ")
    line = text.count("\n", 0, index) + 1
    assert (problem.line, problem.column) == (line, index - text.rfind("\n", 0, index))
    assert problem.message == ("source has no date: add `date: YYYY-MM-DD` (the date of the "
                               "evidence) or start the source with it")


def test_missing_as_of_is_refused_when_dates_are_required(dates_required: None) -> None:
    text = dump(scenario_data(as_of=None))
    problem = only(problems(text))
    assert (problem.field, problem.line, problem.column) == ("meta.as_of", 1, 1)
    assert problem.message.startswith("required key 'as_of' is missing")


def test_undated_items_and_no_as_of_pass_while_dates_are_optional(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checks, "REQUIRE_DATES", False)
    data = scenario_data(as_of=None)
    redate(data, None)
    load_scenario_text(dump(data))
    # Without as_of there is nothing to compare with, however late the evidence.
    data["actors"]["DPRK"]["launch_rate"]["date"] = "2030-01-01"
    load_scenario_text(dump(data))


def test_an_undated_inherited_item_points_into_the_parent(
    tmp_path: Path, dates_required: None
) -> None:
    data = scenario_data()
    del data["events"][0]["date"]
    base, base_text = write(tmp_path, "base.yaml", data)
    child, _ = write(tmp_path, "child.yaml", "extends: base.yaml\nmeta: {name: variant}\n")
    problem = only(problems(child))
    assert (problem.file, problem.field) == (str(base), "events[0].source")
    assert problem.line == at(base_text, "Press reports")[0]


def test_a_replaced_source_with_an_inherited_date_is_refused_when_dates_are_required(
    tmp_path: Path, dates_required: None
) -> None:
    write(tmp_path, "base.yaml", scenario_data())
    overrides = "actors:\n  DPRK:\n    launch_rate:\n      source: A newer estimate.\n"
    child, text = write(tmp_path, "child.yaml", f"extends: base.yaml\n{overrides}")
    problem = only(problems(child))
    assert (problem.file, problem.field) == (str(child), "actors.DPRK.launch_rate.source")
    assert (problem.line, problem.column) == value_at(text, "source", "A newer estimate.")
    assert "its date (2023-07-03) comes from" in problem.message


# --- the command line --------------------------------------------------------------------------


def test_validate_shows_leaks_like_other_errors(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", parent_data())
    child, _ = write(tmp_path, "child.yaml", child_text())
    result = CliRunner().invoke(main, ["validate", str(child)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if "is after as_of" in line]
    assert len(lines) == len(LATE)
    assert all(line.startswith(f"{tmp_path / 'base.yaml'}:") for line in lines)
    assert f"{child}:5:10: meta.as_of: 5 inherited items" in result.output


def test_schema_has_as_of_and_dates() -> None:
    result = CliRunner().invoke(main, ["schema"])
    schema = json.loads(result.output)
    defs = schema["$defs"]
    assert "as_of" in defs["Meta"]["properties"]
    for model in ("Parameter", "ScheduledEvent", "OptionSpec"):
        date = defs[model]["properties"]["date"]
        assert "YYYY-MM-DD" in date["description"]
        patterns = [branch.get("pattern") for branch in date["anyOf"]]
        assert any(patterns), date


# --- a declared in-sample backtest ----------------------------------------------------------

IN_SAMPLE = """\
extends: baseline.yaml
meta:
  name: in_sample_backtest
  title: An in-sample backtest
  description: Starts in February 2022 but inherits the baseline's later evidence.
  start: 2022-02
  as_of: 2022-02-24
  horizon_months: 19
  in_sample: true
"""

QUESTION = """\
meta: {name: one, description: One question}
questions:
  - id: icbm_by_2022_03
    text: Does the DPRK launch an ICBM by the end of March 2022?
    outcome: icbm_launches
    kind: binary
    month: 2022-03
    condition: {op: ">=", value: 1}
    resolution: true
    resolved_on: 2022-03-24
    source: Japanese and ROK defence ministries reported an ICBM launch on 24 March 2022.
"""


def test_an_in_sample_backtest_is_declared_and_says_so(tmp_path: Path) -> None:
    """A backtest that inherits evidence from after its as_of loads only because it says so
    (`in_sample: true`), `validate` counts the items, and its scores are labelled. (The shipped
    origins are all clean: tests/test_origins.py.)"""
    from axis_sim.scoring.forecast import score

    (tmp_path / "baseline.yaml").write_text(BASELINE.read_text(encoding="utf-8"),
                                            encoding="utf-8")
    backtest = tmp_path / "backtest.yaml"
    backtest.write_text(IN_SAMPLE, encoding="utf-8")
    scenario = load_scenario(backtest)
    late = checks.late_items(scenario)
    assert scenario.meta.in_sample and len(late) > 50
    assert all(date > dt.date(2022, 2, 24) for _, date in late)
    assert "actors.DPRK.irbm_rate" in {field for field, _ in late}
    out = CliRunner().invoke(main, ["validate", str(backtest)])
    assert out.exit_code == 0 and f"in-sample: {len(late)} inherited items" in out.output
    # Without the declaration the same file is refused, naming every item to override.
    backtest.write_text(IN_SAMPLE.replace("  in_sample: true\n", ""), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(backtest)
    assert f"{len(late)} inherited items rest on evidence dated after as_of 2022-02-24" in str(
        caught.value)
    questions = tmp_path / "questions.yaml"
    questions.write_text(QUESTION, encoding="utf-8")
    result = score(scenario, questions, runs=40, seed=1)
    assert result.summary["late_items"] == len(late)
    assert result.summary["notes"][0].startswith(f"IN-SAMPLE: {len(late)} of the scenario's")


def test_a_clean_scenario_has_no_late_items() -> None:
    assert checks.late_items(load_scenario(BASELINE)) == []
