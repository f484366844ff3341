"""Checks that need more than the schema: the scenario against what the model reads.

Each problem is `(loc, message)`, `loc` being the path of keys in the scenario file, so the
loader can point at the file, line and column.

`date_problems` is the leak check: no parameter, event or option may rest on evidence dated
after the scenario's `meta.as_of`. It needs to know which file the loader read and which file
wrote each value (an inherited parameter must be overridden in the extending file), so the
loader calls it beside `semantic_problems`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from axis_sim.model.catalogue import required_parameters
from axis_sim.model.metrics import METRICS
from axis_sim.model.options import ENTRY_POINT_GROUP, option_classes
from axis_sim.scenario.distributions import inverse_cdf, is_uncertain
from axis_sim.scenario.parameters import Loc, flat_parameters
from axis_sim.scenario.portfolios import resolve_portfolios
from axis_sim.scenario.schema import (
    AIM_ACTORS,
    BLUE_ACTORS,
    MAX_MAGNITUDE,
    AimSpec,
    Fixed,
    OptionSpec,
    Parameter,
    Scenario,
    ScheduledEvent,
    leading_date,
    month_index,
    support,
)

Problem = tuple[Loc, str]

REQUIRE_DATES = True
"""Whether every source must carry a date and every scenario an `as_of` (on since every
committed scenario is dated; tests turn it off to check the dated-only behaviour). A dated item
later than `as_of` is refused either way."""


def semantic_problems(scenario: Scenario) -> list[Problem]:
    """Everything wrong with a schema-valid scenario, or an empty list."""
    return [
        *_option_problems(scenario),
        *_parameter_problems(scenario),
        *_domain_problems(scenario),
        *_outcome_problems(scenario),
        *_aim_problems(scenario),
        *_event_problems(scenario),
        *_timing_problems(scenario),
        *_portfolio_problems(scenario),
    ]


# --- the model's own domain ----------------------------------------------------------------------

DIVISORS: dict[str, str] = {
    "context.russia_artillery_use": "the share of Russia's demand that deliveries meet",
    "actors.DPRK.rounds_per_railcar": "the railcars that carry the munitions",
    "actors.DPRK.oil_price": "the tonnes of oil a payment buys",
    "actors.DPRK.tank_car_tonnes": "the tank cars that carry the oil",
}
"""Parameters the model divides by (`model/trade.py`), and what it computes with each: a world
that draws 0 (or less) would turn every outcome of the run into NaN."""

MAX_PROCUREMENT_ENTITIES = 10_000
"""The most Russian procurement entities: the network is an array of worlds x entities."""
MAX_ENTITY_CELLS = 20_000_000
"""The most cells of one worlds x entities array in a chunk (8 bytes each: 160 MB); a chunk
holds several."""

# Where each distribution is probed: its bottom, a far tail, the middle and the top of what a
# design's uniforms can be (random draws are below 1 by at least 2**-53).
_PROBES = np.array([0.0, 1e-12, 0.5, 1.0 - 1e-12, 1.0 - 2.0**-53])


def _domain_problems(scenario: Scenario) -> list[Problem]:
    """Values the model cannot compute with: draws that are not finite or absurdly large, off
    the scale their unit states, divisors that can be zero, arrays too large for memory."""
    problems: list[Problem] = []
    for path, (parameter, loc) in flat_parameters(scenario).items():
        with np.errstate(all="ignore"):
            draws = inverse_cdf(parameter, _PROBES)
        bad = draws[~(np.abs(draws) <= MAX_MAGNITUDE)]  # NaN compares False: it is bad too
        if bad.size:
            problems.append(((*loc, "dist"),
                             f"its draws reach {bad[-1]:g}; every draw must be a finite number "
                             f"between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}: narrow the "
                             "distribution"))
            continue
        low, high = support(parameter.dist, parameter.value)
        stated = _stated_range(parameter.unit)
        if stated is not None and not stated[0] <= low <= high <= stated[1]:
            problems.append(((*loc, "dist") if is_uncertain(parameter) else (*loc, "value"),
                             f"its unit ({parameter.unit}) says it lies in [{stated[0]:g}, "
                             f"{stated[1]:g}], but its range is [{low:g}, {high:g}]"))
        if path in DIVISORS and low <= 0:
            problems.append(((*loc, "dist") if is_uncertain(parameter) else (*loc, "value"),
                             f"the model divides by {path} (to compute "
                             f"{DIVISORS[path]}), so every draw must be above 0; its range is "
                             f"[{low:g}, {high:g}]"))
    entities = flat_parameters(scenario).get("actors.Russia.procurement_entities")
    if entities is not None:
        count = entities[0].value
        chunk = scenario.experiment.chunk_size
        if count > MAX_PROCUREMENT_ENTITIES:
            problems.append(((*entities[1], "value"),
                             f"{count:g} procurement entities are more than the model can hold; "
                             f"at most {MAX_PROCUREMENT_ENTITIES}"))
        elif count * chunk > MAX_ENTITY_CELLS:
            problems.append(((*entities[1], "value"),
                             f"{count:g} procurement entities in chunks of {chunk} worlds need "
                             f"arrays of {count * chunk:,.0f} cells; at most "
                             f"{MAX_ENTITY_CELLS:,}: lower experiment.chunk_size to at most "
                             f"{int(MAX_ENTITY_CELLS // max(count, 1))}"))
    return problems


_UNIT_RANGE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)(?![\w.])")


def _stated_range(unit: str) -> tuple[float, float] | None:
    """The range a unit states, as in "index 0-1" or "ladder rung 0-4" (the model reads the
    value as a point on that scale: a rung of 1e12 overflows the rung counter)."""
    match = _UNIT_RANGE.search(unit)
    if match is None:
        return None
    low, high = float(match.group(1)), float(match.group(2))
    return (low, high) if low < high else None


def _event_problems(scenario: Scenario) -> list[Problem]:
    """Event ids must be unique (the model keys draws and logs by them); the second use is
    reported where it is written."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, event in enumerate(scenario.events):
        if event.id in first:
            problems.append((("events", i, "id"),
                             f"event id {event.id!r} is used twice (first by events"
                             f"[{first[event.id]}]); give each event its own id"))
        else:
            first[event.id] = i
    return problems


def _parameter_problems(scenario: Scenario) -> list[Problem]:
    required = required_parameters(scenario)
    defined = flat_parameters(scenario)
    problems: list[Problem] = []
    for path, unit in required.items():
        if path not in defined:
            section, _, name = path.rpartition(".")
            loc = _section_loc(section)
            problems.append((loc, f"missing parameter {name!r} (unit: {unit}); the model reads "
                                  f"{path}"))
        elif defined[path][0].unit != unit:
            problems.append(((*defined[path][1], "unit"),
                             f"unit must be {unit!r} (the model reads {path} in {unit}), "
                             f"got {defined[path][0].unit!r}"))
    known = option_classes()
    for path, (_, loc) in defined.items():
        if path.startswith("options.") and path.split(".")[1] not in known:
            continue  # its option is unknown, which `_option_problems` reports
        if path not in required:
            section = path.rpartition(".")[0]
            known = [p.rpartition(".")[2] for p in required if p.rpartition(".")[0] == section]
            hint = difflib.get_close_matches(path.rpartition(".")[2], known, n=1)
            problems.append((loc, f"unknown parameter {path!r}: the model does not read it"
                                  + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                  + f"; allowed here: {', '.join(sorted(known)) or 'none'}"))
    entities = defined.get("actors.Russia.procurement_entities")
    if entities is not None:
        param, loc = entities
        if not isinstance(param.dist, Fixed) or param.value < 1 or param.value != int(param.value):
            problems.append((loc, "procurement_entities must be a whole number >= 1 with "
                                  "dist {kind: fixed} (it sets the size of the network array)"))
    return problems


def _option_problems(scenario: Scenario) -> list[Problem]:
    """Option ids the model has no class for, and portfolios naming options the scenario lacks."""
    known = option_classes()
    problems: list[Problem] = []
    for option in scenario.options:
        if option not in known:
            hint = difflib.get_close_matches(option, list(known), n=1)
            problems.append((("options", option),
                             f"unknown option {option!r}"
                             + (f" (did you mean {hint[0]!r}?)" if hint else "")
                             + f"; allowed: {', '.join(known)}. A user-defined option must be "
                               "registered before the scenario is loaded "
                               "(axis_sim.register_option, or an installed package's "
                               f"{ENTRY_POINT_GROUP!r} entry point)"))
    for name, members in scenario.portfolios.items():
        for i, member in enumerate(members):
            if member not in scenario.options:
                hint = difflib.get_close_matches(member, list(scenario.options), n=1)
                problems.append((("portfolios", name, i),
                                 f"{member!r} is not an option of this scenario"
                                 + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                 + f"; allowed: {', '.join(scenario.options)}"))
    return problems


def _section_loc(section: str) -> Loc:
    parts = section.split(".")
    if parts[0] == "options":
        return ("options", parts[1], "parameters")
    return tuple(parts)


def _outcome_problems(scenario: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    for name, spec in scenario.outcomes.items():
        if name not in METRICS:
            hint = difflib.get_close_matches(name, METRICS, n=1)
            problems.append((("outcomes", name), f"unknown outcome {name!r}"
                             + (f" (did you mean {hint[0]!r}?)" if hint else "")
                             + f"; allowed: {', '.join(METRICS)}"))
        elif spec.unit != METRICS[name].unit:
            problems.append((("outcomes", name, "unit"),
                             f"unit must be {METRICS[name].unit!r}, the unit the model "
                             f"reports {name} in; got {spec.unit!r}"))
        problems += _restatement_problems(scenario, name)
        problems += _value_problems(scenario, name)
    return problems + _judgement_cycles(scenario)


def _value_problems(scenario: Scenario, name: str) -> list[Problem]:
    """A headline or weighted outcome needs a swing and an MMD (the value model and the
    verdicts read them); an ordinal judgement must name another scored outcome, and the
    scenario's own weights must respect it."""
    spec, problems = scenario.outcomes[name], []
    if spec.headline or spec.weight > 0:
        for field, what in (("swing", "swing: {worst: ..., best: ..., source: ...} (the worst "
                                      "and best plausible values at the horizon)"),
                            ("mmd", "mmd: {value: ..., source: ...} (the smallest difference "
                                    "that matters, in " + spec.unit + ")")):
            if getattr(spec, field) is None:
                problems.append((("outcomes", name),
                                 f"{name} is {'headline' if spec.headline else 'weighted'}, so "
                                 f"it needs {what}"))
    if spec.swing is not None:
        # A swing written the wrong way round would make every improvement count as harm.
        lower = spec.better == "lower"
        worst, best = spec.swing.worst, spec.swing.best
        if (worst > best) != lower:
            problems.append((("outcomes", name, "swing", "worst"),
                             f"{spec.better} is better, so worst ({worst:g}) must be "
                             f"{'above' if lower else 'below'} best ({best:g})"))
        if spec.mmd is not None and spec.mmd.value >= abs(best - worst):
            problems.append((("outcomes", name, "mmd", "value"),
                             f"{spec.mmd.value:g} is not smaller than the swing ({worst:g} to "
                             f"{best:g}): no effect could matter"))
    if spec.outweighs and not spec.scored:
        problems.append((("outcomes", name, "outweighs"),
                         f"{name} is not scored (not headline or weighted, or it restates "
                         "others), so it cannot outweigh another outcome"))
    for i, other in enumerate(spec.outweighs):
        target = scenario.outcomes.get(other)
        if target is None or other == name or not target.scored:
            allowed = ", ".join(o for o in scenario.scored_outcomes if o != name)
            problems.append((("outcomes", name, "outweighs", i),
                             f"{other!r} is not another scored outcome of this scenario; "
                             f"allowed: {allowed or 'none'}"))
        elif spec.weight < target.weight:
            problems.append((("outcomes", name, "weight"),
                             f"{name} outweighs {other} (outweighs: [{other}]), but its weight "
                             f"{spec.weight:g} is below {other}'s {target.weight:g}"))
    return problems


def _aim_problems(scenario: Scenario) -> list[Problem]:
    """The non-blue actors' aims (a seminar team's lookahead objectives): each names an outcome
    of the scenario once per actor, with a range to measure its change by (its own `scale` or
    the outcome's swing); the blue actors are judged by the value model instead."""
    problems: list[Problem] = []
    for actor, aims in scenario.aims.items():
        if actor in BLUE_ACTORS:
            problems.append((("aims", actor),
                             f"{actor} plays on the blue side, judged by the value model "
                             "(outcomes.*.weight and swing), not by aims; allowed here: "
                             f"{', '.join(AIM_ACTORS)}"))
            continue
        seen: dict[str, int] = {}
        for i, aim in enumerate(aims):
            spec = scenario.outcomes.get(aim.outcome)
            if spec is None:
                hint = difflib.get_close_matches(aim.outcome, list(scenario.outcomes), n=1)
                problems.append((("aims", actor, i, "outcome"),
                                 f"{aim.outcome!r} is not an outcome of this scenario"
                                 + (f" (did you mean {hint[0]!r}?)" if hint else "")
                                 + f"; allowed: {', '.join(scenario.outcomes)}"))
                continue
            if aim.outcome in seen:
                problems.append((("aims", actor, i, "outcome"),
                                 f"{actor} already aims at {aim.outcome} (aims.{actor}"
                                 f"[{seen[aim.outcome]}]); give each outcome one aim per actor"))
            seen.setdefault(aim.outcome, i)
            if aim.scale is None and spec.swing is None:
                problems.append((("aims", actor, i, "scale"),
                                 f"{aim.outcome} has no swing in outcomes, so the aim needs "
                                 f"scale: its plausible range, in {spec.unit}"))
    return problems


def _judgement_cycles(scenario: Scenario) -> list[Problem]:
    """Ordinal judgements that go round in a circle (a over b over a) leave no weight space
    to sample: only equal weights would satisfy them."""
    above = {name: list(spec.outweighs) for name, spec in scenario.outcomes.items()}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for other in above.get(name, []):
            if state.get(other) == 1:
                return [*path[path.index(other):], other] if other in path else [name, other]
            if other in above and state.get(other) is None:
                found = visit(other, [*path, other])
                if found:
                    return found
        state[name] = 2
        return None

    for name in above:
        if state.get(name) is None:
            cycle = visit(name, [name])
            if cycle:
                # Each judgement of the circle is located, so the one a variant added shows.
                text = ("the ordinal judgements go round in a circle ("
                        + " outweighs ".join(cycle) + "); drop one of them")
                return [(("outcomes", a, "outweighs", above[a].index(b)), text)
                        for a, b in pairwise(cycle)]
    return []


def _restatement_problems(scenario: Scenario, name: str) -> list[Problem]:
    """An outcome that restates others is not scored, and what it restates must be."""
    spec, problems = scenario.outcomes[name], []
    if spec.restates and spec.weight > 0:
        problems.append((("outcomes", name, "weight"),
                         f"{name} restates {', '.join(spec.restates)}, so scoring it would count "
                         f"the same harm twice: its weight must be 0, got {spec.weight:g}"))
    for i, other in enumerate(spec.restates):
        if other not in scenario.outcomes or other == name:
            allowed = ", ".join(o for o in scenario.outcomes if o != name)
            problems.append((("outcomes", name, "restates", i),
                             f"{other!r} is not another outcome of this scenario; allowed: "
                             f"{allowed}"))
        elif scenario.outcomes[other].weight <= 0:
            problems.append((("outcomes", name, "restates", i),
                             f"{other} carries no weight, so nothing would score the harm "
                             f"{name} restates: give {other} a weight"))
    return problems


def _timing_problems(scenario: Scenario) -> list[Problem]:
    start, horizon = scenario.meta.start, scenario.meta.horizon_months
    problems: list[Problem] = []
    for i, event in enumerate(scenario.events):
        first = month_index(start, event.month)
        if event.every_months is None and not 0 <= first < horizon:
            problems.append((("events", i, "month"),
                             f"{event.month} is outside the simulated months {start} to "
                             f"{horizon} months later; give every_months or move it"))
    for option, spec in scenario.options.items():
        begin = month_index(start, spec.start)
        if not 0 <= begin < horizon:
            problems.append((("options", option, "start"),
                             f"start {spec.start!r} is outside the simulated months (0 to "
                             f"{horizon - 1}, or {start} onward)"))
    return problems


def _portfolio_problems(scenario: Scenario) -> list[Problem]:
    try:
        resolve_portfolios(scenario, scenario.experiment.portfolios)
    except ValueError as err:
        return [(("experiment", "portfolios"), str(err))]
    return []


# --- the leak check: evidence dated after as_of ------------------------------------------------


class Dated(NamedTuple):
    """A parameter, event or option and the date of its evidence."""

    field: str  # how the summary names it: `actors.DPRK.launch_rate`, `events.summit`, ...
    loc: Loc  # where it is written
    date: dt.date | None  # None: undated
    via_date: bool  # the date is its `date:` field
    source_dated: bool  # its source text starts with a date
    # A judgement of value (an aim, like the value model's swings) may be undated; a date it
    # does carry is held to as_of like any other.
    date_optional: bool = False


def dated_items(scenario: Scenario) -> Iterator[Dated]:
    """Every item that rests on a source: parameters, events, options and aims."""
    def item(field: str, loc: Loc,
             thing: Parameter | ScheduledEvent | OptionSpec | AimSpec) -> Dated:
        return Dated(field, loc, thing.evidence_date, thing.date is not None,
                     leading_date(thing.source) is not None, isinstance(thing, AimSpec))

    for name, p in scenario.context.items():
        yield item(f"context.{name}", ("context", name), p)
    for actor, params in scenario.actors.items():
        for name, p in params.items():
            yield item(f"actors.{actor}.{name}", ("actors", actor, name), p)
    for i, event in enumerate(scenario.events):
        yield item(f"events.{event.id}", ("events", i), event)
        yield item(f"events.{event.id}.probability", ("events", i, "probability"),
                   event.probability)
    for option, spec in scenario.options.items():
        yield item(f"options.{option}", ("options", option), spec)
        for name, p in spec.parameters.items():
            yield item(f"options.{option}.{name}", ("options", option, "parameters", name), p)
    for actor, aims in scenario.aims.items():
        for i, aim in enumerate(aims):
            yield item(f"aims.{actor}.{aim.outcome}", ("aims", actor, i), aim)


def late_items(scenario: Scenario) -> list[tuple[str, dt.date]]:
    """Every item whose evidence is dated after the scenario's `as_of` — for a scenario marked
    `in_sample`, the inherited evidence it knowingly uses; empty for a clean one."""
    as_of = scenario.meta.as_of_date
    if as_of is None:
        return []
    return [(item.field, item.date) for item in dated_items(scenario)
            if item.date is not None and item.date > as_of]


def date_problems(
    scenario: Scenario,
    file: str = "this scenario",
    origin: Callable[[Loc], str | None] = lambda loc: None,
) -> list[Problem]:
    """Items whose evidence is dated after `meta.as_of` (and, with `REQUIRE_DATES`, undated ones).

    `file` is the scenario file being loaded, where an inherited leak must be overridden;
    `origin(loc)` names the file that wrote the value at `loc` (None if unknown), so that a
    problem can say whether the late date comes from a parent.
    """
    as_of = scenario.meta.as_of_date
    as_of_file = origin(("meta", "as_of")) or file
    problems: list[Problem] = []
    if as_of is None:
        if REQUIRE_DATES:
            problems.append((("meta", "as_of"),
                             "required key 'as_of' is missing: the date of the latest evidence "
                             "the scenario may use, YYYY-MM-DD (every source must be dated on "
                             "or before it)"))
    else:
        year, month = (int(x) for x in scenario.meta.start.split("-"))
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        if as_of > last:
            problems.append((("meta", "as_of"),
                             f"as_of {as_of} is after the start month {scenario.meta.start}: a "
                             "scenario may not rest on what happens after it starts; set as_of "
                             f"on or before {last}"))

    inherited: list[str] = []
    for item in dated_items(scenario):
        source_loc, date_loc = (*item.loc, "source"), (*item.loc, "date")
        source_file = origin(source_loc)
        date_file = origin(date_loc) if item.via_date else source_file
        if item.date is None:
            if REQUIRE_DATES and not item.date_optional:
                problems.append((source_loc,
                                 "source has no date: add `date: YYYY-MM-DD` (the date of the "
                                 "evidence) or start the source with it"))
            continue
        # A source replaced in one file whose `date:` comes from another dates the old source.
        stale = (item.via_date and not item.source_dated and None not in (source_file, date_file)
                 and source_file != date_file)
        if as_of is not None and item.date > as_of:
            message = f"source dated {item.date} is after as_of {as_of} of {as_of_file}"
            if stale:
                message += (f"; the source was replaced in {source_file} but its date comes "
                            f"from {date_file}: give the new source its own `date:`")
            elif date_file not in (None, file, as_of_file):
                if scenario.meta.in_sample:
                    continue  # declared: listed by `late_items`, labelled in every score
                message += f"; override it in {file}"
                inherited.append(f"{item.field} ({item.date})")
            else:
                message += "; a scenario may rest only on evidence public by its as_of"
            problems.append((date_loc if item.via_date else source_loc, message))
        elif stale and REQUIRE_DATES:
            problems.append((source_loc,
                             f"the source is written in {source_file} but its date "
                             f"({item.date}) comes from {date_file}, where it dates another "
                             "source: give the new source its own `date:`"))
    if inherited:
        many = len(inherited) > 1
        problems.append((("meta", "as_of"),
                         f"{len(inherited)} inherited item{'s' if many else ''} "
                         f"rest{'' if many else 's'} on evidence dated after as_of {as_of}; "
                         f"override each in {file}: {', '.join(inherited)}"))
    return problems
