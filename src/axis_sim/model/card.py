"""Parameter tables for the model card (docs/model.md, section 6).

`python -m axis_sim.model.card` prints one table per context, actor, option and the events, in
the scenario file's order, with numbers written out in full.
"""

from __future__ import annotations

import re
from pathlib import Path

from axis_sim.scenario.distributions import describe
from axis_sim.scenario.loader import load_scenario
from axis_sim.scenario.parameters import flat_parameters
from axis_sim.scenario.schema import Parameter, Scenario

BASELINE = Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml"

ACTOR_TITLES: dict[str, str] = {
    "US": "United States (and alliance-wide state)",
    "ROK": "Republic of Korea",
}
_SCALES = {"k": 1e3, "M": 1e6, "bn": 1e9}
_COMPACT = re.compile(r"(-?\d+(?:\.\d+)?)(k|M|bn)(?![A-Za-z])")


def _number(x: float) -> str:
    """300000.0 -> 300,000; 0.0145 -> 0.0145; -2.0 -> -2."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.6g}" if abs(x) >= 1000 else f"{x:.6g}"


def _range(parameter: Parameter) -> str:
    """`describe`'s text with compact numbers (80k, 1.5M) written out in full."""
    return _COMPACT.sub(lambda m: _number(float(m.group(1)) * _SCALES[m.group(2)]),
                        describe(parameter))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(rows: list[tuple[str, Parameter, str]]) -> list[str]:
    lines = ["| path | default | unit | range over worlds | source |", "|---|---|---|---|---|"]
    lines += [f"| `{path}` | {_number(p.value)} | {_cell(p.unit)} | {_range(p)} | {_cell(source)} |"
              for path, p, source in rows]
    return lines


def parameter_tables(scenario: Scenario) -> str:
    """Markdown tables of every parameter of `scenario`, in the file's order."""
    flat = flat_parameters(scenario)
    sections: list[tuple[str, list[tuple[str, Parameter, str]]]] = [
        ("Context (the war in Ukraine, the sanctions net)",
         [(f"context.{n}", p, p.source) for n, p in scenario.context.items()])]
    for actor, params in scenario.actors.items():
        sections.append((ACTOR_TITLES.get(actor, actor),
                         [(f"actors.{actor}.{n}", p, p.source) for n, p in params.items()]))
    for option, spec in scenario.options.items():
        sections.append((f"Option `{option}` — {spec.label}",
                         [(f"options.{option}.{n}", p, p.source)
                          for n, p in spec.parameters.items()]))
    sections.append(("Scheduled events (chance each happens when due)",
                     [(f"events.{e.id}.probability", e.probability,
                       f"{e.probability.source} *Event:* {e.source}") for e in scenario.events]))
    listed = [path for _, rows in sections for path, _, _ in rows]
    assert sorted(listed) == sorted(flat), "card sections do not cover flat_parameters"
    out: list[str] = []
    for title, rows in sections:
        if rows:
            out += [f"### {title}", "", *_table(rows), ""]
    return "\n".join(out)


def parameter_count(scenario: Scenario) -> int:
    """How many parameters the scenario has."""
    return len(flat_parameters(scenario))


if __name__ == "__main__":
    print(parameter_tables(load_scenario(BASELINE)), end="")
