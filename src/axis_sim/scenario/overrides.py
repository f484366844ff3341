"""Command-line changes to a scenario: an option's start, intensity or duration; outcome weights.

Overrides produce a new, validated `Scenario`, so the manifest of a run records exactly what was
run, and every check that applies to a file applies to an override too.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from pydantic import ValidationError

from axis_sim.scenario.schema import OPTIONS, Scenario

OPTION_FIELDS = {"start": "start", "intensity": "intensity", "duration": "duration_months"}


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number, got {text!r}") from None


def _hint(word: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(word, allowed, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_option_override(text: str) -> tuple[str, dict[str, object]]:
    """`sanctions_listing:start=2024-01,intensity=0.5,duration=12` → (option id, field values)."""
    option, sep, settings = text.partition(":")
    option = option.strip()
    if option not in OPTIONS:
        raise ValueError(f"unknown option {option!r}{_hint(option, list(OPTIONS))}; allowed: "
                         + ", ".join(OPTIONS))
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
            values["duration_months"] = None if raw in ("none", "") else int(
                _number(raw, "duration"))
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
    """A new scenario with the option settings and outcome weights changed; ValueError if bad."""
    data = scenario.model_dump()
    for text in options:
        option, values = parse_option_override(text)
        data["options"][option].update(values)
    for text in weights:
        name, weight = parse_weight(text)
        if name not in data["outcomes"]:
            raise ValueError(f"unknown outcome {name!r}{_hint(name, list(data['outcomes']))}")
        data["outcomes"][name]["weight"] = weight
    try:
        changed = Scenario.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{where}: {first['msg']}") from None
    from axis_sim.scenario.checks import semantic_problems

    problems = semantic_problems(changed)
    if problems:
        loc, message = problems[0]
        raise ValueError(f"{'.'.join(str(p) for p in loc)}: {message}")
    return changed
