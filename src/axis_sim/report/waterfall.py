"""Why it works: each portfolio's effect on an outcome as a waterfall of its causal channels.

The channel table (`axis-sim run --explain`, `compare --explain`; `experiment/explain.py`)
holds, per portfolio, option, option parameter and headline outcome, what the channel
contributes: the outcome with the parameter on minus with it switched off, on the run's own
worlds. The waterfall starts at status quo's mean level, adds each channel's contribution
(largest first; where status quo already runs the same channel at a lower level, only the part
the option adds, `beyond_status_quo`) and a last step for the rest — what the channels do
together beyond their sum, and any effect no parameter carries — and ends at the portfolio's
mean level. So the steps add up exactly to the portfolio's mean difference from status quo
(the comparison table's `diff_mean`, paired over the same worlds). Natural units: the
outcome's own, or percentage points for a yes/no outcome (levels in %).

The page holds the steps of every portfolio and headline outcome as JSON; the section's script
(`templates/why.html`) draws the chosen pair with plotly's waterfall trace and fills a table of
the same numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from axis_sim.experiment.explain import ALL_WORLDS
from axis_sim.report.common import (
    PLOT_CONFIG,
    Page,
    better_phrase,
    json_for_script,
    long_table,
    option_codes,
    portfolio_label,
)
from axis_sim.report.plotfmt import d3_format
from axis_sim.report.table import BINARY_UNIT
from axis_sim.report.templates import markup, render
from axis_sim.scenario.schema import STATUS_QUO, Scenario

__all__ = ["SHOWN_CHANNELS", "channel_label", "waterfall_data", "waterfall_steps",
           "why_section"]

SHOWN_CHANNELS = 8  # the largest channels get a bar each; the others share one
REST = "Channels together beyond their sum, and the rest"
SIG = 6  # significant digits kept in the page's data


def _sig(value: float, digits: int = SIG) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def channel_label(scenario: Scenario, portfolio: str, option: str, parameter: str) -> str:
    """A channel in words: the parameter's label (from the scenario when it has one), prefixed
    with the option's code when the portfolio has several options."""
    spec = scenario.options[option].parameters.get(parameter) if option in scenario.options \
        else None
    label = getattr(spec, "label", None) if spec is not None else None
    words = str(label) if label else parameter.replace("_", " ")
    words = words.split(": ", 1)[-1]  # "Sanctions listing: monthly chance…": the option is known
    words = words[:1].upper() + words[1:]
    members = scenario.portfolios.get(portfolio) or portfolio.split("+")
    if len(members) > 1:
        return f"{option_codes(scenario).get(option, option)} · {words}"
    return words


def _levels(page: Page) -> dict[tuple[str, str], tuple[float, float]]:
    """(portfolio, outcome) → (mean level, mean paired difference from status quo)."""
    table = long_table(page.result.comparison)
    if table.empty or not {"portfolio", "outcome", "mean"} <= set(table.columns):
        return {}
    out = {}
    for row in table.itertuples(index=False):
        diff = getattr(row, "diff_mean", np.nan)
        out[(str(row.portfolio), str(row.outcome))] = (
            float(row.mean), 0.0 if str(row.portfolio) == STATUS_QUO else float(diff))
    return out


def _records(table: pd.DataFrame) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The channel table's whole-run rows as plain records, by (portfolio, outcome)."""
    if "form" in table.columns:
        table = table[table["form"].astype(str) == ALL_WORLDS]
    columns = [c for c in ("portfolio", "option", "parameter", "outcome", "effect", "ci_low",
                           "ci_high", "detectable", "beyond_status_quo") if c in table.columns]
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in table[columns].to_dict("records"):
        key = (str(record["portfolio"]), str(record["outcome"]))
        grouped.setdefault(key, []).append(record)
    return grouped


def waterfall_steps(page: Page, portfolio: str, outcome: str,
                    channels: pd.DataFrame | None = None,
                    levels: dict[tuple[str, str], tuple[float, float]] | None = None,
                    records: dict[tuple[str, str], list[dict[str, Any]]] | None = None
                    ) -> dict[str, Any] | None:
    """The waterfall of one portfolio on one outcome: `start` (status quo's mean level),
    `steps` ([label, contribution, CI low, CI high, detectable] per channel, largest first,
    the smallest lumped together), `rest`, `end` (the portfolio's mean level) and `effect`
    (end − start, the mean paired difference); in percentage points and % for a yes/no
    outcome. None when the run has no channels for the pair."""
    if records is None:
        table = page.result.channels if channels is None else channels
        if table.empty or not {"portfolio", "outcome", "effect"} <= set(table.columns):
            return None
        records = _records(table)
    mine = records.get((portfolio, outcome), [])
    levels = _levels(page) if levels is None else levels
    if not mine or (portfolio, outcome) not in levels or (STATUS_QUO, outcome) not in levels:
        return None
    spec = page.scenario.outcomes[outcome]
    scale = 100.0 if spec.unit == BINARY_UNIT else 1.0
    start = levels[(STATUS_QUO, outcome)][0]
    end, effect = levels[(portfolio, outcome)]
    rows = []
    for r in mine:
        beyond = r.get("beyond_status_quo", np.nan)
        effect_r = float(r["effect"])
        value = float(beyond) if beyond is not None and math.isfinite(float(beyond)) \
            else effect_r
        rows.append((channel_label(page.scenario, portfolio, str(r["option"]),
                                   str(r["parameter"])),
                     value, float(r["ci_low"]) - effect_r + value,
                     float(r["ci_high"]) - effect_r + value, bool(r["detectable"])))
    rows.sort(key=lambda row: -abs(row[1]))
    shown, others = rows[:SHOWN_CHANNELS], rows[SHOWN_CHANNELS:]
    steps = [[label, _sig(scale * v), _sig(scale * lo), _sig(scale * hi), det]
             for label, v, lo, hi, det in shown]
    if others:
        total = sum(v for _, v, _, _, _ in others)
        steps.append([f"{len(others)} smaller channels", _sig(scale * total), None, None,
                      any(det for *_, det in others)])
    rest = effect - sum(v for _, v, _, _, _ in rows)
    # Levels to 12 digits, so that end − start is the effect to the steps' precision.
    return {"start": _sig(scale * start, 12), "end": _sig(scale * end, 12),
            "effect": _sig(scale * effect), "rest": _sig(scale * rest), "steps": steps}


def waterfall_data(page: Page) -> dict[str, Any] | None:
    """Everything the section's script draws: per portfolio with channels (rank order) and
    headline outcome, its waterfall; the outcomes' labels, units, directions and formats; the
    default choice (the best-ranked portfolio, on the outcome it moves most against its MMD).
    None when the run has no channel table."""
    table = page.result.channels
    if table.empty or not {"portfolio", "outcome", "effect"} <= set(table.columns):
        return None
    if "form" in table.columns:
        table = table[table["form"].astype(str) == ALL_WORLDS]
    present = set(table["portfolio"].astype(str))
    portfolios = [p for p in page.ranked() if p in present]
    outcomes = [o for o in page.headline if o in set(table["outcome"].astype(str))]
    if not portfolios or not outcomes:
        return None
    levels = _levels(page)
    records = _records(table)
    steps: dict[str, dict[str, Any]] = {}
    for p in portfolios:
        for o in outcomes:
            made = waterfall_steps(page, p, o, levels=levels, records=records)
            if made is not None:
                steps.setdefault(p, {})[o] = made
    portfolios = [p for p in portfolios if p in steps]
    if not portfolios:
        return None
    specs = page.scenario.outcomes
    info = {}
    for o in outcomes:
        spec = specs[o]
        binary = spec.unit == BINARY_UNIT
        values = [v for p in portfolios if o in steps[p]
                  for v in (steps[p][o]["start"], steps[p][o]["end"]) if v is not None]
        info[o] = {"label": spec.label, "better": spec.better,
                   "direction": better_phrase(spec),
                   "unit": "%" if binary else spec.unit,
                   "change": "percentage points" if binary else spec.unit,
                   "format": ".1f" if binary else d3_format(values)}

    def weight(o: str) -> float:
        mmd = specs[o].mmd.value if specs[o].mmd is not None else None
        effect = abs(steps[portfolios[0]].get(o, {}).get("effect") or 0.0)
        scale = 100.0 if specs[o].unit == BINARY_UNIT else 1.0
        return effect / (scale * mmd) if mmd else effect

    default_outcome = max((o for o in outcomes if o in steps[portfolios[0]]), key=weight)
    return {
        "portfolios": portfolios,
        "labels": {p: portfolio_label(page.scenario, p) for p in portfolios},
        "short": {p: page.shorts.get(p, p) for p in portfolios},
        "outcomes": info,
        "steps": steps,
        "default": {"portfolio": portfolios[0], "outcome": default_outcome},
        "rest": REST,
        "worlds": int(table["worlds"].iloc[0]) if "worlds" in table.columns else None,
        "config": PLOT_CONFIG,
    }


def why_section(page: Page) -> str:
    """The "Why it works" section: a waterfall per portfolio and outcome, or a note that the
    run has no channels."""
    data = waterfall_data(page)
    portfolios = [] if data is None else [(p, f"{portfolio_label(page.scenario, p)} ({p})")
                                          for p in data["portfolios"]]
    outcomes = [] if data is None else [(o, v["label"]) for o, v in data["outcomes"].items()]
    return render("why.html", data=markup(json_for_script(data)) if data else None,
                  portfolios=portfolios, outcomes=outcomes,
                  chosen=None if data is None else data["default"])
