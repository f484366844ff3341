"""Overlaid timelines: every portfolio of a headline outcome on one time axis.

Per headline outcome, one chart: a line per portfolio (the best-ranked few and status quo drawn,
the rest one legend click away), the 25–75% band of status quo and of the best-ranked portfolio,
a dashed line where each option starts and a dotted one where it ends (when that is before the
horizon), and beneath, on the same months, a strip of events: the scenario's scheduled events
(summits, forums, exercises; a diamond in each month they are due) and how often the notable
events of the run's event log (summits, ladder steps, nuclear tests, lethal incidents, crises,
a ceasefire) happen in each month among the sample worlds under status quo.

What a line is depends on the outcome: a yes/no outcome is the share of worlds where it has
happened by each month (in %), a count is its mean over worlds, a level its median.

Traces carry `meta.line` (not `meta.portfolio`, which the controls script would switch to
fully visible): the section's own script (`templates/timeline.html`) hides a portfolio's lines
when its checkbox in the controls panel is cleared, and its two buttons show the best-ranked few
or every portfolio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from axis_sim.report.common import (
    STATUS_QUO_COLOUR,
    Figure,
    Page,
    add_annotation,
    base_layout,
    better_phrase,
    esc,
    figure_block,
    key_is,
    long_table,
    new_figure,
    option_codes,
    plot_text,
    portfolio_label,
    rgba,
    short,
    trace,
    update,
)
from axis_sim.report.plotfmt import PLAIN_AXIS, d3_format, month_date, month_name, rounded
from axis_sim.report.table import BINARY_UNIT
from axis_sim.report.templates import markup, render
from axis_sim.scenario.schema import STATUS_QUO, month_index

__all__ = ["NOTABLE", "TOP_LINES", "line_kind", "timeline_figure", "timeline_section"]

TOP_LINES = 3  # portfolios drawn besides status quo; the others are a legend click away
# Notable events of the log, in the strip's order (top to bottom), with a short label.
NOTABLE: dict[str, str] = {
    "leader_summit": "Kim–Putin summit",
    "cooperation_step": "Russia–DPRK ladder step",
    "china_naval_exercise": "China joins naval exercise",
    "nuclear_test": "Nuclear test",
    "lethal_incident": "Lethal incident",
    "escalation_crisis": "Escalation crisis",
    "launchpad_strike": "Launchpad strike",
    "ceasefire": "Ukraine ceasefire",
}
NOTABLE_COLOURS = {
    "leader_summit": "#c0392b", "cooperation_step": "#8e44ad", "china_naval_exercise": "#d35400",
    "nuclear_test": "#2c3e50", "lethal_incident": "#b2182b", "escalation_crisis": "#e67e22",
    "launchpad_strike": "#2166ac", "ceasefire": "#1a9850",
}
SCHEDULED = "Scheduled"
STRIP_ROW = 20  # pixels per row of the event strip
MAIN_HEIGHT = 330  # pixels of the outcome panel


def line_kind(page: Page, outcome: str, monthly: pd.DataFrame) -> str:
    """"probability" for a yes/no outcome, "count" for a cumulative count (the monthly table
    has a share of worlds where it has happened), "level" otherwise."""
    if page.scenario.outcomes[outcome].unit == BINARY_UNIT:
        return "probability"
    if "p_event" in monthly.columns and monthly["p_event"].notna().any():
        return "count"
    return "level"


@dataclass(frozen=True)
class Markers:
    """What every timeline of the page marks: option starts and ends, the event strip."""

    starts: dict[int, list[str]]  # month → option codes starting then
    ends: dict[int, list[str]]  # month → option codes ending then (before the horizon)
    scheduled: dict[int, list[str]]  # month → scheduled events due (names, chance)
    notable: dict[str, dict[int, tuple[float, float | None]]]  # kind → month → shares
    worlds: int  # sample worlds under status quo in the event log
    compared: str | None  # the portfolio whose share the hover text gives beside status quo


def option_marks(page: Page) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Start and end month of every option in the run's portfolios, by month."""
    scenario = page.scenario
    codes = option_codes(scenario)
    members = {m for p in page.portfolios if p != STATUS_QUO
               for m in (scenario.portfolios.get(p) or p.split("+"))}
    horizon = scenario.meta.horizon_months
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for name, spec in scenario.options.items():
        if name not in members:
            continue
        start = max(0, month_index(scenario.meta.start, spec.start))
        if start < horizon:
            starts.setdefault(start, []).append(codes[name])
        if spec.duration_months is not None and start + spec.duration_months < horizon:
            ends.setdefault(start + spec.duration_months, []).append(codes[name])
    return starts, ends


def scheduled_marks(page: Page) -> dict[int, list[str]]:
    """Month → the scheduled events due then, as "name (chance p)"."""
    scenario = page.scenario
    horizon = scenario.meta.horizon_months
    due: dict[int, list[str]] = {}
    for event in scenario.events:
        month = month_index(scenario.meta.start, event.month)
        step = event.every_months
        while 0 <= month < horizon or (month < 0 and step):
            if month >= 0:
                chance = event.probability.value
                name = getattr(event, "label", None) or event.name
                due.setdefault(month, []).append(f"{name} (chance {100 * chance:.0f}%)")
            if not step:
                break
            month += step
    return due


def notable_shares(page: Page, compared: str | None
                   ) -> tuple[dict[str, dict[int, tuple[float, float | None]]], int]:
    """Per notable kind and month: the share of sample worlds where it happened under status
    quo, and under `compared`; and how many sample worlds status quo has in the log."""
    events = page.result.events
    needed = {"portfolio", "world", "month", "event"}
    if events.empty or not needed <= set(events.columns):
        return {}, 0
    kinds = events["event"]
    wanted = np.zeros(len(events), dtype=bool)
    for kind in NOTABLE:
        wanted |= key_is(kinds, kind).to_numpy()

    def shares(portfolio: str) -> tuple[dict[tuple[str, int], float], int]:
        mine = key_is(events["portfolio"], portfolio).to_numpy()
        worlds = int(events.loc[mine, "world"].nunique())
        rows = events.loc[mine & wanted, ["event", "month", "world"]]
        if worlds == 0 or rows.empty:
            return {}, worlds
        counts = (rows.assign(event=rows["event"].astype(str))
                  .drop_duplicates().groupby(["event", "month"]).size())
        return {(str(k), int(m)): n / worlds for (k, m), n in counts.items()}, worlds

    base, worlds = shares(STATUS_QUO)
    other = shares(compared)[0] if compared else {}
    table: dict[str, dict[int, tuple[float, float | None]]] = {}
    for (kind, month), share in base.items():
        table.setdefault(kind, {})[month] = (share, other.get((kind, month), 0.0)
                                             if compared else None)
    for (kind, month), share in other.items():
        if (kind, month) not in base:
            table.setdefault(kind, {})[month] = (0.0, share)
    return table, worlds


def markers(page: Page) -> Markers:
    """The page's option, scheduled and notable event markers (computed once)."""
    starts, ends = option_marks(page)
    compared = next((p for p in page.ranked() if p != STATUS_QUO), None)
    notable, worlds = notable_shares(page, compared)
    return Markers(starts, ends, scheduled_marks(page), notable, worlds, compared)


def shown_by_default(page: Page) -> list[str]:
    """Status quo and the TOP_LINES best-ranked portfolios."""
    ranked = [p for p in page.ranked() if p != STATUS_QUO]
    return [STATUS_QUO, *ranked[:TOP_LINES]]


def _values(frame: pd.DataFrame, kind: str) -> pd.Series:
    if kind == "probability":
        return 100 * frame["p_event"].fillna(frame["mean"])
    return frame["mean"] if kind == "count" else frame["p50"]


def timeline_figure(page: Page, outcome: str, marks: Markers) -> Figure | None:
    """One headline outcome's overlaid timeline with its markers and event strip."""
    spec = page.scenario.outcomes[outcome]
    monthly = long_table(page.result.monthly)
    if monthly.empty or not {"outcome", "portfolio", "month"} <= set(monthly.columns):
        return None
    monthly = monthly[key_is(monthly["outcome"], outcome)]
    frames = {str(p): f.sort_values("month")
              for p, f in monthly.groupby("portfolio", sort=False, observed=True)}
    order = [p for p in page.ranked() if p in frames]
    if not order:
        return None
    kind = line_kind(page, outcome, monthly)
    start = page.scenario.meta.start
    default = set(shown_by_default(page))
    banded = {STATUS_QUO, marks.compared} if kind != "probability" else set()
    all_values = pd.concat([_values(f, kind) for f in frames.values()])
    fmt = ".0f" if kind == "probability" else d3_format(all_values)
    unit = "%" if kind == "probability" else ""
    what = {"probability": "P(happened by then)", "count": "mean",
            "level": "median"}[kind]
    fig = new_figure()
    # Status quo last, so it is drawn on top of the others.
    for name in [p for p in order if p != STATUS_QUO] + [p for p in order if p == STATUS_QUO]:
        frame = frames[name]
        months = [month_date(start, int(m)) for m in frame["month"]]
        colour = STATUS_QUO_COLOUR if name == STATUS_QUO else page.colour(name)
        visible = True if name in default else "legendonly"
        tag = {"line": name}
        if name in banded and {"p25", "p75"} <= set(frame.columns):
            for column, fill in (("p75", None), ("p25", "tonexty")):
                fig["data"].append(trace(
                    "scatter", x=months, y=rounded(frame[column]), mode="lines",
                    line={"width": 0}, fill=fill, fillcolor=rgba(colour, 0.16) if fill else None,
                    hoverinfo="skip", showlegend=False, legendgroup=name, visible=visible,
                    meta=tag))
        label = ("Status quo" if name == STATUS_QUO else page.shorts.get(name, name))
        fig["data"].append(trace(
            "scatter", x=months, y=rounded(_values(frame, kind)), mode="lines",
            name=plot_text(label), legendgroup=name, visible=visible, meta=tag,
            line={"color": colour, "width": 3 if name == STATUS_QUO else 2,
                  "dash": "dash" if name == STATUS_QUO else "solid"},
            hovertemplate=(f"{plot_text(short(portfolio_label(page.scenario, name), 40))}: "
                           f"%{{y:{fmt}}}{unit}<extra></extra>")))
    _event_strip(fig, page, marks)
    _option_lines(fig, page, marks)
    horizon = page.scenario.meta.horizon_months
    first, last = pd.Timestamp(month_date(start, 0)), pd.Timestamp(month_date(start, horizon - 1))
    span = [str((first - pd.Timedelta(days=15)).date()), str((last + pd.Timedelta(days=15)).date())]
    rows = 1 + len(marks.notable)
    strip = STRIP_ROW * rows + 20
    # Room for the legend below: about five names a line on a narrow screen.
    height = MAIN_HEIGHT + strip + 60 + 24 * math.ceil(len(order) / 5)
    split = (strip + 10) / (height - 135)  # the strip's share of the plot area
    subtitle = (f"{what} per portfolio, month by month; "
                f"{plot_text(better_phrase(spec).lower())}")
    update(fig["layout"], base_layout(plot_text(short(spec.label)), subtitle, height))
    update(fig["layout"], {
        "hovermode": "x unified",
        # Below the chart: a legend of 32 names wraps onto many lines.
        "legend": {"orientation": "h", "y": -0.06, "yanchor": "top", "x": 0, "xanchor": "left",
                   "font": {"size": 11}, "groupclick": "togglegroup"},
        "margin": {"t": 80, "l": 10, "r": 20, "b": 40},
        "xaxis": {"anchor": "y2", "type": "date", "range": span, "tickformat": "%b %Y",
                  "dtick": "M3" if horizon <= 48 else "M6", "hoverformat": "%B %Y",
                  "showspikes": True, "spikemode": "across", "spikethickness": 1},
        "yaxis": {"domain": [min(0.6, split + 0.06), 1.0], "rangemode": "tozero",
                  "title": {"text": plot_text(short(
                      "% of worlds" if kind == "probability" else spec.unit, 40))},
                  "tickformat": fmt if kind != "probability" else ".0f",
                  "ticksuffix": unit, **PLAIN_AXIS},
        "yaxis2": {"domain": [0.0, min(0.54, split)], "type": "category",
                   "categoryorder": "array", "autorange": "reversed", "fixedrange": True,
                   "categoryarray": [SCHEDULED, *(NOTABLE[k] for k in NOTABLE
                                                  if k in marks.notable)],
                   "tickfont": {"size": 10}, "showgrid": True, "automargin": True},
        "meta": {"outcome": outcome, "kind": kind},
    })
    fig["layout"]["hoverlabel"]["namelength"] = -1
    return fig


def _event_strip(fig: Figure, page: Page, marks: Markers) -> None:
    """The strip under the timeline: scheduled events, then notable events by share."""
    start = page.scenario.meta.start
    if marks.scheduled:
        months = sorted(marks.scheduled)
        fig["data"].append(trace(
            "scatter", x=[month_date(start, m) for m in months], y=[SCHEDULED] * len(months),
            yaxis="y2", mode="markers",
            name="Scheduled event", showlegend=False,
            marker={"symbol": "diamond", "size": 8, "color": "#555"},
            text=[plot_text(f"{month_name(start, m)}: " + "; ".join(marks.scheduled[m]))
                  for m in months],
            hovertemplate="%{text}<extra></extra>", meta={"strip": "scheduled"}))
    compared = marks.compared
    for kind, by_month in ((k, marks.notable[k]) for k in NOTABLE if k in marks.notable):
        months = sorted(m for m, (sq, other) in by_month.items() if sq > 0 or (other or 0) > 0)
        if not months:
            continue
        texts, sizes = [], []
        for m in months:
            sq, other = by_month[m]
            text = f"{month_name(start, m)}: {NOTABLE[kind]}, status quo {100 * sq:.0f}%"
            if compared is not None and other is not None:
                text += f", {short(compared, 30)} {100 * other:.0f}%"
            texts.append(plot_text(text))
            sizes.append(max(3.0, round(24 * math.sqrt(max(sq, other or 0.0)), 1)))
        fig["data"].append(trace(
            "scatter", x=[month_date(start, m) for m in months], y=[NOTABLE[kind]] * len(months),
            yaxis="y2", mode="markers",
            name=plot_text(NOTABLE[kind]), showlegend=False,
            marker={"size": sizes, "color": NOTABLE_COLOURS[kind], "opacity": 0.8,
                    "line": {"width": 0}},
            text=texts, hovertemplate=f"%{{text}} of {marks.worlds} sample worlds<extra></extra>",
            meta={"strip": kind}))


def _option_lines(fig: Figure, page: Page, marks: Markers) -> None:
    """A dashed line where options start and a dotted one where they end, across both panels,
    labelled with the options' codes at the top."""
    shapes = fig["layout"].setdefault("shapes", [])
    start = page.scenario.meta.start
    previous, level = -10, 0
    for month, codes, dash, verb in (
            *((m, c, "dash", "start") for m, c in sorted(marks.starts.items())),
            *((m, c, "dot", "end") for m, c in sorted(marks.ends.items()))):
        at = month_date(start, month)
        shapes.append({"type": "line", "x0": at, "x1": at, "xref": "x", "y0": 0,
                       "y1": 1, "yref": "paper", "name": f"option-{verb}",
                       "line": {"color": "#333", "width": 1.2, "dash": dash}})
        # Labels of lines a few months apart are stacked so they do not overlap.
        level = level + 1 if month - previous < 4 else 0
        previous = month
        add_annotation(fig, x=at, xref="x", y=1.0 - 0.07 * (level % 3), yref="paper",
                       yanchor="top",
                       showarrow=False, xanchor="left", font={"size": 10, "color": "#333"},
                       bgcolor="rgba(255,255,255,0.8)",
                       text=plot_text(f"{' '.join(codes)} {verb}" + ("s" if len(codes) == 1
                                                                      else "")),
                       name=f"option-{verb}")


def timeline_section(page: Page) -> str:
    """The "Month by month" section: an overlaid timeline per headline outcome."""
    marks = markers(page)
    codes = option_codes(page.scenario)
    used = sorted({c for group in (*marks.starts.values(), *marks.ends.values()) for c in group})
    key = "; ".join(f"{code} = {page.scenario.options[o].label}"
                    for o, code in codes.items() if code in used)
    blocks = []
    runs = page.result.manifest.get("runs")
    for i, outcome in enumerate(page.headline):
        spec = page.scenario.outcomes[outcome]
        fig = timeline_figure(page, outcome, marks)
        kind = "level"
        if fig is not None:
            kind = fig["layout"]["meta"]["kind"]
        line = {"probability": "the share of all worlds where it has happened by each month",
                "count": "the mean over all worlds", "level": "the median over all worlds"}[kind]
        caption = (
            f"<strong>{esc(better_phrase(spec))}.</strong> Each line: {esc(line)}"
            + (f" ({esc(f'{runs:,}')} worlds)" if isinstance(runs, int) else "")
            + f", in {esc('% of worlds' if kind == 'probability' else spec.unit)}. "
            "Shaded: 25–75% of worlds under status quo and the best-ranked portfolio. "
            "Dashed vertical line: options start; dotted: options end. Strip below: "
            "scheduled events (diamonds) and how often notable events happen each month in "
            f"the {esc(marks.worlds)} sample worlds under status quo (bigger: more worlds).")
        blocks.append(markup(
            f'<div class="outcome-block" data-outcome="{esc(outcome)}">\n'
            f"<h3>{esc(spec.label)}</h3>\n"
            + figure_block(fig, f"fig-timeline-{i}", caption) + "\n</div>"))
    return render("timeline.html", blocks=blocks, key=key, top=TOP_LINES,
                  default=shown_by_default(page))
