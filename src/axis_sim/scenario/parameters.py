"""The scenario's parameters as one flat namespace of paths, e.g. `actors.DPRK.launch_rate`."""

from __future__ import annotations

import re

from axis_sim.scenario.schema import Parameter, Scenario

Loc = tuple[str | int, ...]


def flat_parameters(scenario: Scenario) -> dict[str, tuple[Parameter, Loc]]:
    """Every parameter, sorted by path, with the location of its definition in the file."""
    found: dict[str, tuple[Parameter, Loc]] = {}
    for name, p in scenario.context.items():
        found[f"context.{name}"] = (p, ("context", name))
    for actor, params in scenario.actors.items():
        for name, p in params.items():
            found[f"actors.{actor}.{name}"] = (p, ("actors", actor, name))
    for option, spec in scenario.options.items():
        for name, p in spec.parameters.items():
            found[f"options.{option}.{name}"] = (p, ("options", option, "parameters", name))
    for i, event in enumerate(scenario.events):
        found[f"events.{event.id}.probability"] = (event.probability, ("events", i, "probability"))
    return dict(sorted(found.items()))


# Words of a path written as a reader writes them.
WORDS = {"icbm": "ICBM", "irbm": "IRBM", "srbm": "SRBM", "dprk": "DPRK", "us": "US",
         "rok": "ROK", "un": "UN", "usd": "USD", "isr": "ISR", "apec": "APEC",
         "asean": "ASEAN", "unga": "UN General Assembly", "eef": "EEF", "100m": "100 million",
         "prob": "probability", "max": "maximum", "min": "minimum", "china": "China",
         "russia": "Russia", "moscow": "Moscow", "beijing": "Beijing", "ukraine": "Ukraine",
         "asia": "Asia", "japan": "Japan", "kim": "Kim", "putin": "Putin", "tech": "technology"}
PATH = re.compile(r"\b(?:context|actors|options|events)\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
_CONDITION = re.compile(r"^\s*(?P<path>\S+)\s*(?P<op><=|>=|<|>|==)\s*(?P<value>\S+)\s*$")
_OPS = {"<": "<", ">": ">", "<=": "≤", ">=": "≥", "==": "="}


def words(name: str) -> str:
    """A snake_case name as words: `rocket_transfer_rate` → "rocket transfer rate",
    `icbm_probability` → "ICBM probability"."""
    return " ".join(WORDS.get(w, w) for w in name.split("_") if w)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def derived_label(scenario: Scenario, path: str) -> str:
    """A readable name for a parameter path when the scenario gives it no `label`:

    `actors.DPRK.rocket_transfer_rate` → "DPRK: rocket transfer rate";
    `options.sanctions_listing.listing_propensity` → "Sanctions listing: listing propensity";
    `events.eef_summit.probability` → "Chance of <the event's label>";
    `context.russia_artillery_use` → "Russia artillery use".
    """
    section, *middle, name = path.split(".")
    if section == "actors" and middle:
        return f"{middle[0]}: {words(name)}"
    if section == "options" and middle:
        return f"{_capital(words(middle[0]))}: {words(name)}"
    if section == "events" and middle:
        event = next((e for e in scenario.events if e.id == middle[0]), None)
        name = event.display_label if event else words(middle[0])
        first, _, rest = name.partition(" ")
        if first in ("A", "An", "The"):  # "A further summit" reads "a further summit"
            name = f"{first.lower()} {rest}"
        return f"Chance of {name}"
    return _capital(words(name))


def parameter_label(scenario: Scenario, path: str) -> str:
    """What a reader sees for a parameter path: its `label` in the scenario, else
    `derived_label`; an unknown path as derived from its words."""
    found = flat_parameters(scenario).get(path)
    if found is not None and found[0].label:
        return found[0].label
    return derived_label(scenario, path)


def parameter_labels(scenario: Scenario) -> dict[str, tuple[str, str]]:
    """A readable label and the unit of every parameter path, for sentences and tables:
    the parameter's `label` if the scenario gives one, else `derived_label`
    (`actors.Russia.front_rebuild_months` → ("Russia: front rebuild months", "months"))."""
    return {path: (parameter.label or derived_label(scenario, path), parameter.unit)
            for path, (parameter, _) in flat_parameters(scenario).items()}


def plain_paths(text: str, labels: dict[str, tuple[str, str]]) -> str:
    """Prose with every parameter path it mentions (`actors.DPRK.initial_stockpile`, as the
    scenario's sources write them) replaced by that parameter's label; other text as is."""
    def label(match: re.Match[str]) -> str:
        path = match.group(0)
        return labels[path][0] if path in labels else path
    return PATH.sub(label, text)


def conditions_text(conditions: str, labels: dict[str, tuple[str, str]]) -> str:
    """PRIM box conditions as people read them: "actors.China.warning_response >= 0.5;
    context.x < 0.0123456" → "China: warning response ≥ 0.5 · X < 0.0123" (labels, three
    significant digits, never scientific notation)."""
    from axis_sim.model.structure import STRUCTURAL, form_label
    from axis_sim.report.formatting import significant

    parts = []
    for piece in str(conditions).split(";"):
        match = _CONDITION.match(piece)
        if match is None:
            if piece.strip():
                parts.append(plain_paths(piece.strip(), labels))
            continue
        path, op, value = match.group("path", "op", "value")
        if path in STRUCTURAL:  # a rule form is 0 or 1: name the form that holds
            form = form_label(path, 1.0 if op in (">", ">=") else 0.0)
            parts.append(f"{labels.get(path, (derived_label_words(path), ''))[0]}: “{form}”")
            continue
        try:
            number = significant(float(value), 3)
        except ValueError:
            number = value
        name, unit = labels.get(path, (derived_label_words(path), ""))
        unit_text = f" {unit}" if unit and not unit.startswith(("rule form", "share",
                                                                "index", "probability"))\
            else ""
        parts.append(f"{name} {_OPS.get(op, op)} {number}{unit_text}")
    return " · ".join(parts)


def derived_label_words(path: str) -> str:
    """A path's last name as words, for a path the scenario does not define."""
    return _capital(words(path.rsplit(".", 1)[-1]))
