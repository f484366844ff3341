"""An option's causal channels in plain words: what switching each parameter off would change.

Reads the table of `axis_sim.experiment.explain` (one row per portfolio, option, parameter and
headline outcome) and writes, per option in each portfolio, its channels ranked by their
largest effect in standard deviations, each effect as a sentence: "cuts munitions shipped to
Russia by 277,092 rounds [261,978, 292,206] (0.924 MMD, good)".
"""

from __future__ import annotations

import re
import textwrap
from typing import Any, get_args

import pandas as pd

from axis_sim.experiment.explain import ALL_WORLDS
from axis_sim.report.formatting import format_number as fmt
from axis_sim.report.table import BINARY_UNIT
from axis_sim.scenario.schema import ActorName, OutcomeSpec, Scenario

PROPER_NOUNS = frozenset(get_args(ActorName))


def outcome_phrase(spec: OutcomeSpec) -> str:
    """An outcome's label as it reads mid-sentence: lower-case first letter, unless the first
    word is a name (an actor, or a word with capitals inside: "US–China", "Kim–Putin")."""
    label = spec.label
    first = re.split(r"[\s’']", label, maxsplit=1)[0]
    if first in PROPER_NOUNS or any(ch.isupper() for ch in first[1:]):
        return label
    return label[:1].lower() + label[1:]


def effect_sentence(row: Any, spec: OutcomeSpec) -> str:
    """"cuts <outcome> by <size> [<low>, <high>] (<x> MMD, good)" for one channel's effect."""
    verb = "raises" if row.effect > 0 else "cuts" if row.effect < 0 else "leaves"
    if verb == "leaves":
        return f"leaves {outcome_phrase(spec)} unchanged"
    # The interval of the size of the cut (or rise): negative only where it crosses zero.
    sign = 1.0 if row.effect > 0 else -1.0
    low, high = sorted((sign * row.ci_low, sign * row.ci_high))
    if spec.unit == BINARY_UNIT:
        what = f"the chance of {outcome_phrase(spec)}"
        size = f"{fmt(100 * abs(row.effect))} percentage points"
        interval = f"[{fmt(100 * low)}, {fmt(100 * high)}]"
    else:
        what = outcome_phrase(spec)
        unit = spec.unit if re.fullmatch(r"[a-z]+s", spec.unit) else f"({spec.unit})"
        size = f"{fmt(abs(row.effect))} {unit}"
        interval = f"[{fmt(low)}, {fmt(high)}]"
    good = (row.effect > 0) == (spec.better == "higher")
    return (f"{verb} {what} by {size} {interval} "
            f"({fmt(abs(row.effect_mmd))} MMD, {'good' if good else 'bad'})")


def channels_text(scenario: Scenario, table: pd.DataFrame) -> str:
    """Per option in each portfolio: its channels, largest first, each with the headline
    outcomes it moves detectably; a channel that moves none is flagged with its largest effect.
    """
    if table.empty:
        return "No option parameters to explain (status quo has none)."
    forms = table[table["form"] != ALL_WORLDS]
    table = table[table["form"] == ALL_WORLDS]
    table = table.assign(size=table["effect_mmd"].abs())
    worlds = int(table["worlds"].iloc[0])
    blocks = [textwrap.fill(
        "Each option's channels, largest first: what each parameter contributes (the outcome "
        "with it on minus with it switched off), mean [90% CI] over "
        f"{fmt(worlds)} paired worlds; in brackets its size in minimal meaningful differences "
        "(MMD: 1 is the smallest change the value model says matters), which ranks channels "
        "across outcomes. A channel moves an outcome detectably when its effect is beyond 3 "
        "standard errors and 2% of the outcome's spread across worlds.", width=100)]
    for (portfolio, option), rows in table.groupby(["portfolio", "option"], sort=False):
        label = scenario.options[str(option)].label  # type: ignore[index]
        title = f"{label} ({option})"
        if portfolio != option:
            title += f" in portfolio {portfolio}"
        lines = [title]
        order = rows.groupby("parameter", sort=False)["size"].max().sort_values(
            ascending=False, kind="stable")
        for parameter in order.index:
            mine = rows[rows["parameter"] == parameter].sort_values(
                "size", ascending=False, kind="stable")
            name = f"{option} · {parameter}"
            moved = mine[mine["detectable"]]
            if moved.empty:
                largest = mine.iloc[0]
                detail = ("no effect on any of them" if largest["effect"] == 0 else
                          "largest: " + effect_sentence(
                              largest, scenario.outcomes[str(largest["outcome"])]))
                lines.append(f"  ✗ {name}: moves no headline outcome detectably ({detail})")
                continue
            sentences = [effect_sentence(r, scenario.outcomes[str(r.outcome)])
                         for r in moved.itertuples()]
            lines.append(f"  {name}: {sentences[0]}")
            lines.extend(f"      and {s}" for s in sentences[1:])
            lines.extend(_disagreements(scenario, forms, portfolio, option, parameter))
        blocks.append("\n".join(lines))
    counts = table.groupby(["portfolio", "option", "parameter"], sort=False)["detectable"].any()
    blocks.append(f"{int(counts.sum())} of {len(counts)} channels move a headline outcome "
                  "detectably; ✗ marks the others.")
    return "\n\n".join(blocks)


def _disagreements(scenario: Scenario, forms: pd.DataFrame, portfolio: object, option: object,
                   parameter: object) -> list[str]:
    """Where rule forms (structural uncertainties) make a channel move an outcome in opposite
    directions, one line per form: the verdict depends on which form holds."""
    mine = forms[(forms["portfolio"] == portfolio) & (forms["option"] == option)
                 & (forms["parameter"] == parameter) & forms["detectable"]]
    lines = []
    structure = mine["form"].str.split(":").str[0]
    for (outcome, _), rows in mine.groupby([mine["outcome"], structure], sort=False):
        if (rows["effect"] > 0).any() and (rows["effect"] < 0).any():
            spec = scenario.outcomes[str(outcome)]
            parts = "; ".join(f"{r.form}: {effect_sentence(r, spec)}" for r in rows.itertuples())
            lines.append(f"      depends on the rule form — {parts}")
    return lines
