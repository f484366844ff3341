"""Changes to a scenario in code or on the command line, checked exactly as the loader checks a
file.

`with_parameter` and `with_option` (also `Scenario.with_parameter` / `Scenario.with_option`)
return a new `Scenario`; the CLI's `--set` and `--weight` (`apply_overrides`) are built on the
same path. Every edit dumps the scenario, changes the data and hands it to the loader's own
validation (`loader.validate_data`: the pydantic schema, the semantic checks and the leak
check), so an edit is refused exactly when a variant file making the same change would be. A
refused edit raises `ScenarioEditError` (a `ScenarioError` and a `ValueError`) whose problems
name the edit instead of a file line, e.g.

    with_parameter('actors.DPRK.srbm_rate', value=-1): actors.DPRK.srbm_rate.value: value -1.0
    lies outside its distribution's range [0.0, 6.0]

Edits are recorded on the scenario (`ScenarioOrigin.edits`) and in the manifest of a run.

**A value alone pins the parameter.** `with_parameter(path, value=v)` on an uncertain parameter
makes it fixed at `v` in every world (its `dist` becomes `{kind: fixed}`): changing only the
default of an uncertain parameter would change nothing a Monte Carlo run draws, and doing
nothing silently is worse than doing the obvious thing. To keep it uncertain, give the new
distribution too (`value=v, dist={...}`); a `dist` replaces the old one whole, as in a variant
file's `extends:`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from axis_sim.scenario.errors import Problem, ScenarioError
from axis_sim.scenario.loader import (
    Loc,
    Positions,
    ScenarioOrigin,
    origin_of,
    scenario_hash,
    validate_data,
)
from axis_sim.scenario.parameters import flat_parameters
from axis_sim.scenario.schema import Scenario

OPTION_FIELDS = {"start": "start", "intensity": "intensity", "duration": "duration_months"}
_UNSET: Any = object()


class ScenarioEditError(ScenarioError, ValueError):
    """An edit the loader's checks refuse; `problems` lists why (named after the edit)."""

    def __reduce__(self) -> tuple[type[ScenarioEditError], tuple[list[Problem]]]:
        return (ScenarioEditError, (self.problems,))


def _number(text: str, what: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number, got {_short(text)}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {_short(text)}")
    return number


def _months(text: str, what: str) -> int:
    """A whole number of months written on the command line (`12`, `12.0`); 2.7 is refused
    rather than cut to 2."""
    number = _number(text, what)
    if not number.is_integer():
        raise ValueError(f"{what} must be a whole number of months, got {_short(text)}")
    return int(number)


def _hint(word: str, allowed: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _call(function: str, first: str, changes: Mapping[str, Any]) -> str:
    """How an edit is named in problems and the manifest: `with_option('x', intensity=0.5)`."""
    shown = [repr(first), *(f"{k}={_short(v)}" for k, v in changes.items())]
    return f"{function}({', '.join(shown)})"


def _short(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_defaults=False)
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _refuse(edit: str, field: str, message: str) -> ScenarioEditError:
    return ScenarioEditError([Problem(edit, None, None, field, message)])


# --- the edit machinery ----------------------------------------------------------------------


def _positions(scenario: Scenario, data: dict[str, Any]) -> Positions:
    """Where each value of the scenario was written (a copy), for the leak check of an edit.

    A scenario loaded in this process knows; one built in code or sent from another process
    does not, and then every value counts as inherited from the scenario as it was.
    """
    origin = origin_of(scenario)
    positions = Positions()
    if origin is not None and origin.positions is not None:
        positions.update(origin.positions)
        positions.keys_at.update(origin.positions.keys_at)
        return positions
    name = origin.name if origin is not None else f"scenario {scenario.meta.name!r}"
    _mark_all((), data, positions, name)
    # Which file wrote what is lost: every value counts as inherited (as_of's file differs),
    # so an in-sample scenario's inherited late evidence stays allowed, as when it was loaded.
    positions[("meta", "as_of")] = (f"{name} (as_of)", None, None)  # type: ignore[assignment]
    return positions


def _mark_all(loc: Loc, value: Any, positions: Positions, name: str) -> None:
    """Mark `loc` and everything inside `value` as written by `name` (no line: code)."""
    mark: Any = (name, None, None)
    positions[loc] = mark
    if loc:
        positions.keys_at[loc] = mark
    if isinstance(value, dict):
        for key, item in value.items():
            _mark_all((*loc, key), item, positions, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _mark_all((*loc, index), item, positions, name)


def _forget(loc: Loc, positions: Positions) -> None:
    for table in (positions, positions.keys_at):
        for key in [k for k in table if k[:len(loc)] == loc]:
            del table[key]


def _at(data: dict[str, Any], loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _apply(scenario: Scenario, edit: str, changes: dict[Loc, Any]) -> Scenario:
    """Set each `loc` of the scenario's data to its value, validate as the loader does, and
    return the new scenario (its origin records the edit)."""
    data = scenario.model_dump(mode="json", exclude={"extends"})
    positions = _positions(scenario, data)
    for loc, value in changes.items():
        _at(data, loc[:-1])[loc[-1]] = value
        _forget(loc, positions)
        _mark_all(loc, value, positions, edit)
        # A problem about the whole parameter or option (dates that disagree) names the edit.
        mark: Any = (edit, None, None)
        positions[loc[:-1]] = positions.keys_at[loc[:-1]] = mark
    try:
        edited = validate_data(data, positions, edit)
    except ScenarioError as err:
        raise ScenarioEditError(err.problems) from None
    origin = origin_of(scenario)
    name = origin.name if origin is not None else f"scenario {scenario.meta.name!r}"
    files = origin.files if origin is not None else ()
    edits = (*(origin.edits if origin is not None else ()), edit)
    edited._origin = ScenarioOrigin(name, files, scenario_hash(edited), edits, positions)
    return edited


# --- parameters --------------------------------------------------------------------------------


def parameter_loc(scenario: Scenario, path: str, edit: str = "") -> Loc:
    """Where parameter `path` (`context.x`, `actors.DPRK.x`, `options.<id>.x`,
    `events.<id>.probability`) lives in the scenario's data; ScenarioEditError if nowhere."""
    found = flat_parameters(scenario)
    if path in found:
        return found[path][1]
    close = difflib.get_close_matches(path, list(found), n=2, cutoff=0.7)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    section = path.split(".", 1)[0]
    forms = ("context.NAME, actors.ACTOR.NAME, options.OPTION.NAME or "
             "events.EVENT.probability")
    where = (f"; parameters are named {forms}" if section not in
             ("context", "actors", "options", "events") else
             "; the model reads only the parameters the scenario defines "
             "(see axis_sim.scenario.parameters.flat_parameters)")
    raise _refuse(edit or path, path, f"unknown parameter {path!r}: the model does not read "
                                      f"it{hint}{where}")


def _dist_data(dist: Any) -> dict[str, Any]:
    if isinstance(dist, str):
        return {"kind": dist}
    if isinstance(dist, BaseModel):
        return dist.model_dump(mode="json")
    if isinstance(dist, Mapping):
        return dict(dist)
    raise TypeError(f"dist should be a mapping like {{'kind': 'uniform', 'low': 1, 'high': 2}}, "
                    f"a distribution model or a kind name, got {type(dist).__name__}")


def with_parameter(scenario: Scenario, path: str, *, value: float = _UNSET,
                   dist: Any = _UNSET, unit: str = _UNSET, source: str = _UNSET,
                   date: str | None = _UNSET) -> Scenario:
    """A new scenario with parameter `path` changed, after every check the loader makes.

    `value` is the default (with no `dist`, it pins the parameter: fixed in every world);
    `dist` a distribution (`{"kind": "triangular", "low": 1, "mode": 2, "high": 4}`, a schema
    model such as `Uniform(kind="uniform", low=1, high=2)`, or "fixed"), which replaces the old
    one whole; `unit`, `source` and `date` as in a scenario file. Raises ScenarioEditError for
    what a variant file making the same change would be refused for: an unknown parameter, a
    unit the model does not read it in, a value outside its distribution, a malformed
    distribution, evidence dated after `meta.as_of`, ...

    >>> scenario.with_parameter("actors.DPRK.srbm_rate", value=3)  # doctest: +SKIP
    >>> scenario.with_parameter("actors.DPRK.srbm_rate", value=3,
    ...     dist={"kind": "triangular", "low": 1, "mode": 3, "high": 6})  # doctest: +SKIP
    """
    given = {k: v for k, v in (("value", value), ("dist", dist), ("unit", unit),
                                ("source", source), ("date", date)) if v is not _UNSET}
    edit = _call("with_parameter", path, given)
    if not given:
        raise _refuse(edit, path, "say what to change: value=, dist=, unit=, source= or date=")
    loc = parameter_loc(scenario, path, edit)
    parameter = _at(scenario.model_dump(mode="json"), loc)
    changes: dict[Loc, Any] = {}
    if "dist" in given:
        changes[(*loc, "dist")] = _dist_data(given["dist"])
    elif "value" in given and parameter["dist"].get("kind") != "fixed":
        changes[(*loc, "dist")] = {"kind": "fixed"}  # a value alone pins the parameter
    for key in ("value", "unit", "source", "date"):
        if key in given:
            changes[(*loc, key)] = given[key]
    return _apply(scenario, edit, changes)


# --- options -----------------------------------------------------------------------------------


def with_option(scenario: Scenario, option: str, *, start: str | int = _UNSET,
                intensity: float = _UNSET, duration: int | None = _UNSET,
                duration_months: int | None = _UNSET) -> Scenario:
    """A new scenario with an option's `start` (YYYY-MM or months after the scenario's start),
    `intensity` (0–2) or `duration` (months; None: to the horizon) changed, after every check
    the loader makes (ScenarioEditError otherwise).

    >>> scenario.with_option("sanctions_listing", intensity=0.5, start="2024-01")  # doctest: +SKIP
    """
    given = {k: v for k, v in (("start", start), ("intensity", intensity),
                                ("duration", duration), ("duration_months", duration_months))
             if v is not _UNSET}
    edit = _call("with_option", option, given)
    if option not in scenario.options:
        allowed = list(scenario.options)
        raise _refuse(edit, f"options.{option}", f"unknown option {option!r}"
                      f"{_hint(option, allowed)}; allowed: {', '.join(allowed)}")
    if not given:
        raise _refuse(edit, f"options.{option}",
                      "say what to change: start=, intensity= or duration=")
    if "duration" in given and "duration_months" in given:
        raise _refuse(edit, f"options.{option}.duration_months",
                      "give duration or duration_months, not both")
    changes: dict[Loc, Any] = {}
    for key, value in given.items():
        changes[("options", option, OPTION_FIELDS.get(key, key))] = value
    return _apply(scenario, edit, changes)


def with_options(scenario: Scenario, settings: Mapping[str, Mapping[str, Any] | None]) -> Scenario:
    """`with_option` for several options: `{"sanctions_listing": {"intensity": 0.5}, ...}`
    (an empty or None setting changes nothing)."""
    for option, values in settings.items():
        if values:
            if not isinstance(values, Mapping):
                raise TypeError(f"the settings of {option!r} should be a mapping such as "
                                f"{{'intensity': 0.5, 'start': '2024-01'}}, got {values!r}")
            unknown = [k for k in values if k not in (*OPTION_FIELDS, "duration_months")]
            if unknown:
                edit = _call("with_option", option, values)
                raise _refuse(edit, f"options.{option}",
                              f"unknown setting {unknown[0]!r}"
                              f"{_hint(unknown[0], list(OPTION_FIELDS))}; allowed: "
                              f"{', '.join(OPTION_FIELDS)}")
            scenario = with_option(scenario, option, **values)
    return scenario


def with_weights(scenario: Scenario, weights: Mapping[str, float]) -> Scenario:
    """A new scenario with the swing weights of some outcomes changed (loader's checks)."""
    edit = "with_weights(" + ", ".join(f"{k}={v!r}" for k, v in weights.items()) + ")"
    changes: dict[Loc, Any] = {}
    for name, weight in weights.items():
        if name not in scenario.outcomes:
            raise _refuse(edit, f"outcomes.{name}", f"unknown outcome {name!r}"
                          f"{_hint(name, list(scenario.outcomes))}")
        changes[("outcomes", name, "weight")] = weight
    return _apply(scenario, edit, changes) if changes else scenario


# --- the command line ------------------------------------------------------------------------


def parse_option_override(text: str,
                          options: Sequence[str] | None = None) -> tuple[str, dict[str, object]]:
    """`sanctions_listing:start=2024-01,intensity=0.5,duration=12` → (option id, field values).

    `options` are the allowed ids (default: the five built-in options)."""
    from axis_sim.scenario.schema import OPTIONS

    allowed = list(OPTIONS if options is None else options)
    option, sep, settings = text.partition(":")
    option = option.strip()
    if option not in allowed:
        raise ValueError(f"unknown option {option!r}{_hint(option, allowed)}; allowed: "
                         + ", ".join(allowed))
    if not sep or not settings.strip():
        raise ValueError(f"say what to change, e.g. {option}:start=2024-01,intensity=0.5")
    values: dict[str, object] = {}
    for item in settings.split(","):
        key, eq, raw = (part.strip() for part in item.partition("="))
        if key not in OPTION_FIELDS or not eq:
            raise ValueError(f"{option}: expected KEY=VALUE with KEY one of "
                             f"{', '.join(OPTION_FIELDS)}, got {item.strip()!r}"
                             + _hint(key, list(OPTION_FIELDS)))
        if key == "start":
            values["start"] = int(raw) if raw.lstrip("-").isdigit() else raw
        elif key == "duration":
            values["duration"] = None if raw in ("none", "") else _months(raw, "duration")
        else:
            values["intensity"] = _number(raw, "intensity")
    return option, values


def parse_weight(text: str) -> tuple[str, float]:
    """`lethal_incidents=3` → ("lethal_incidents", 3.0)."""
    name, eq, raw = (part.strip() for part in text.partition("="))
    if not eq:
        raise ValueError(f"expected OUTCOME=WEIGHT, got {text!r}")
    return name, _number(raw, f"weight of {name}")


def apply_overrides(scenario: Scenario, options: Sequence[str] = (),
                    weights: Sequence[str] = ()) -> Scenario:
    """A new scenario with the option settings and outcome weights changed (the CLI's `--set`
    and `--weight`), through `with_option` and `with_weights`; ValueError if bad."""
    for text in options:
        option, values = parse_option_override(text, list(scenario.options))
        scenario = _plain(lambda s, o=option, v=values: with_option(s, o, **v), scenario)
    parsed = dict(parse_weight(text) for text in weights)
    if parsed:
        scenario = _plain(lambda s: with_weights(s, parsed), scenario)
    return scenario


def _plain(edit: Any, scenario: Scenario) -> Scenario:
    """Run an edit; a refusal becomes a ValueError of its first problem, as the CLI shows."""
    try:
        return edit(scenario)
    except ScenarioEditError as err:
        first = err.problems[0]
        raise ValueError(f"{first.field}: {first.message}" if first.field
                         else first.message) from None
