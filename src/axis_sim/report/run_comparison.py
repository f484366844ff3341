"""Two runs on one self-contained HTML page: what changes between a baseline and a variant.

Typical pairs are a baseline and a variant scenario (`ukraine_ceasefire` against `baseline`), or
one scenario run with two seeds (to see how much of a difference is Monte Carlo noise). The page
holds, in order:

- `#runs`: both runs' metadata side by side (scenario, seed, worlds, hash, date, …);
- `#outcomes`: per headline outcome present in both runs, one figure whose left panel shows
  each shared portfolio's median and 5–95% range at the horizon in run A and run B, and whose
  right panel shows the paired difference from status quo with its 90% confidence interval in
  A and in B — same colour per portfolio, a different marker shape per run;
- `#changes`: per portfolio and headline outcome, the difference from status quo in A and in B
  and whether its sign or significance changed;
- `#ranking`: the composite ranking of A and B side by side, when both runs have one;
- `#parameters`: every parameter (and other scenario setting) whose value, distribution or
  source differs between the two scenarios.

Safety is as in the single-run dashboard: scenario text is untrusted, so it goes through
`html.escape` on the page and `_plot_text` in plotly figures (plotly draws a subset of HTML in
titles, labels and hover text); plotly.js is embedded once, inline; MathJax is off; there is no
network reference. This module depends only on the stable part of `report.dashboard` (nothing).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from axis_sim.experiment.results import RunResult
from axis_sim.io import atomic_write_text
from axis_sim.report.assets import BASE_CSS
from axis_sim.report.common import (
    PALETTE,
    PLOT_FONT,
    STATUS_QUO_COLOUR,
    esc,
    figure_html,
    html_head,
    plot_text,
    run_portfolios,
    short,
)
from axis_sim.report.formatting import MISSING, format_number, format_probability, is_missing
from axis_sim.report.table import BINARY_UNIT
from axis_sim.scenario.distributions import describe as describe_distribution
from axis_sim.scenario.parameters import flat_parameters
from axis_sim.scenario.schema import STATUS_QUO, OutcomeSpec, Parameter, Scenario

__all__ = [
    "ParameterChange",
    "change_rows",
    "outcome_figure",
    "parameter_changes",
    "render_run_comparison",
    "setting_changes",
    "shared_outcomes",
    "shared_portfolios",
    "write_run_comparison",
]

SYMBOLS = ("circle", "diamond")  # run A, run B
OFFSET = 0.18  # run A sits this far above each portfolio's row, run B as far below
NO_EFFECT = "no effect"
Z90 = 1.6448536269514722  # two-sided 90% normal quantile, for the B − A change interval


# --- text helpers ------------------------------------------------------------------------------


def _interval_point(x: object, low: object, high: object, y: float, colour: str, symbol: str,
                    text: str, custom: list[object], hover: str) -> go.Scatter:
    """One run's marker at `x` with its interval (`low` to `high`) as asymmetric error bars."""
    return go.Scatter(
        x=[float(x)], y=[y], mode="markers",  # type: ignore[arg-type]
        marker={"color": colour, "size": 10, "symbol": symbol,
                "line": {"color": "white", "width": 1}},
        error_x={"type": "data", "symmetric": False, "array": [_gap(high, x)],
                 "arrayminus": [_gap(x, low)], "thickness": 2, "width": 4, "color": colour},
        text=[text], customdata=[custom], hovertemplate=hover, showlegend=False)


def _tick_label(portfolio: str) -> str:
    """A portfolio name as a y-axis tick, safe for plotly, broken after each "+"."""
    return "+<br>".join(plot_text(part) for part in portfolio.split("+"))


def _interval(mean: object, low: object, high: object) -> str:
    """`mean [low, high]` formatted like the dashboard, or a dash if the mean is missing."""
    if is_missing(mean):
        return MISSING
    return f"{format_number(mean)} [{format_number(low)}, {format_number(high)}]"


# --- what the two runs hold --------------------------------------------------------------------


def _comparison(result: RunResult) -> dict[tuple[str, str], dict[str, Any]]:
    """The comparison table as {(portfolio, outcome): row}."""
    table = result.comparison
    if table.empty or not {"portfolio", "outcome"} <= set(table.columns):
        return {}
    return {(str(r["portfolio"]), str(r["outcome"])): r for r in table.to_dict("records")}


def shared_outcomes(a: RunResult, b: RunResult) -> list[str]:
    """Headline outcomes (of either scenario) that both runs report, in A's order then B's."""
    rows_a, rows_b = _comparison(a), _comparison(b)
    in_a = {o for _, o in rows_a}
    in_b = {o for _, o in rows_b}
    candidates = dict.fromkeys([*a.scenario.headline_outcomes, *b.scenario.headline_outcomes])
    return [o for o in candidates
            if o in in_a and o in in_b and o in a.scenario.outcomes and o in b.scenario.outcomes]


def shared_portfolios(a: RunResult, b: RunResult) -> list[str]:
    """Portfolios both runs ran, in A's run order (status quo first)."""
    in_b = set(run_portfolios(b))
    return [p for p in run_portfolios(a) if p in in_b]


def _colours(portfolios: Sequence[str]) -> dict[str, str]:
    """One colour per portfolio: status quo grey, the others by order."""
    colours = {name: PALETTE[i % len(PALETTE)]
               for i, name in enumerate(p for p in portfolios if p != STATUS_QUO)}
    colours[STATUS_QUO] = STATUS_QUO_COLOUR
    return colours


def _labels(a: RunResult, b: RunResult, label_a: str | None,
            label_b: str | None) -> tuple[str, str]:
    """The two runs' display labels: as given, else the scenario names (plus seeds if those
    are equal); never the same text twice."""
    name_a, name_b = a.scenario.meta.name, b.scenario.meta.name
    if name_a == name_b:
        name_a = f"{name_a} (seed {a.manifest.get('seed', '?')})"
        name_b = f"{name_b} (seed {b.manifest.get('seed', '?')})"
    first = label_a if label_a else name_a
    second = label_b if label_b else name_b
    if first == second:
        first, second = f"{first} (A)", f"{second} (B)"
    return first, second


# --- the outcome figure ------------------------------------------------------------------------


def _padded(values: Iterable[object], *always: float) -> list[float] | None:
    """An axis range holding every finite value (and `always`), padded by 6% each side."""
    finite = [float(v) for v in values if not is_missing(v)]  # type: ignore[arg-type]
    finite += list(always)
    if not finite:
        return None
    low, high = min(finite), max(finite)
    pad = 0.06 * (high - low) if high > low else max(1.0, abs(high) * 0.1)
    return [low - pad, high + pad]


def outcome_figure(
    outcome: str,
    spec: OutcomeSpec,
    portfolios: Sequence[str],
    runs: Sequence[tuple[str, dict[tuple[str, str], dict[str, Any]]]],
    colours: dict[str, str],
) -> go.Figure:
    """Levels (left) and paired differences from status quo (right) of one outcome, A and B.

    `runs` is [(label, comparison rows)] for run A then run B. Each portfolio has one row; run
    A's marker (circle) sits just above it and run B's (diamond) just below, in the portfolio's
    colour. Left: median at the horizon with the 5–95% range over worlds. Right: mean paired
    difference from status quo with its 90% confidence interval; status quo is the zero line.
    """
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06)
    level_values: list[object] = []
    diff_values: list[object] = []
    # A yes/no outcome: its chance (mean of 0/1, ± 1.645 standard errors) in %, differences
    # in percentage points — a median or 5–95% band of 0s and 1s says nothing.
    binary = spec.unit == BINARY_UNIT
    scale = 100.0 if binary else 1.0

    def times(value: object) -> object:
        return value if is_missing(value) else scale * float(value)  # type: ignore[arg-type]

    for k, (label, rows) in enumerate(runs):
        symbol, offset = SYMBOLS[k], (-OFFSET if k == 0 else OFFSET)
        run_text = plot_text(label)
        for i, name in enumerate(portfolios):
            row = rows.get((name, outcome))
            if row is None:
                continue
            colour = colours.get(name, STATUS_QUO_COLOUR)
            text = f"{run_text} · {plot_text(name)}"
            median, p05, p95 = row.get("median"), row.get("p05"), row.get("p95")
            hover = ("%{text}<br>median %{x:,.4~r}<br>5–95%: %{customdata[0]:,.4~r} "
                     "to %{customdata[1]:,.4~r}<extra></extra>")
            if binary and not is_missing(row.get("mean")):
                chance = float(row["mean"])
                se = 0.0 if is_missing(row.get("se")) else float(row["se"])
                median, p05, p95 = (100 * chance, 100 * max(0.0, chance - Z90 * se),
                                    100 * min(1.0, chance + Z90 * se))
                hover = ("%{text}<br>chance by the horizon %{x:.1f}%<br>90% interval "
                         "%{customdata[0]:.1f}% to %{customdata[1]:.1f}%<extra></extra>")
            if not is_missing(median):
                level_values += [median, p05, p95]
                fig.add_trace(_interval_point(
                    median, p05, p95, i + offset, colour, symbol, text, [_num(p05), _num(p95)],
                    hover), row=1, col=1)
            mean = times(row.get("diff_mean"))
            if name == STATUS_QUO or is_missing(mean):
                continue
            low, high = times(row.get("diff_ci_low")), times(row.get("diff_ci_high"))
            diff_values += [mean, low, high]
            fig.add_trace(_interval_point(
                mean, low, high, i + offset, colour, symbol, text,
                [_num(low), _num(high), plot_text(format_probability(row.get("p_better")))],
                "%{text}<br>mean difference %{x:,.4~r}<br>90% CI %{customdata[0]:,.4~r} to "
                "%{customdata[1]:,.4~r}<br>P(better) %{customdata[2]}<extra></extra>"),
                row=1, col=2)
    for k, (label, _) in enumerate(runs):  # legend entries: one marker shape per run
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=plot_text(short(label, 40)),
            marker={"color": "#333", "size": 10, "symbol": SYMBOLS[k]}, hoverinfo="skip",
            showlegend=True,
        ), row=1, col=1)
    if STATUS_QUO in portfolios:
        fig.add_annotation(x=0.5, y=portfolios.index(STATUS_QUO), xref="x2 domain", yref="y",
                           text="status quo: the zero line", showarrow=False, xanchor="center",
                           bgcolor="white", font={"size": 11, "color": STATUS_QUO_COLOUR})
    fig.add_vline(x=0, line={"color": "#333", "width": 1}, row=1, col=2)
    arrow = "← lower is better" if spec.better == "lower" else "higher is better →"
    unit = plot_text(short(spec.unit, 40))
    height = 150 + _row_pitch(portfolios) * max(1, len(portfolios))
    fig.update_layout(
        title={"text": plot_text(short(spec.label)), "x": 0.0, "xanchor": "left",
               "subtitle": {"text": f"{spec.better.capitalize()} is better"}},
        template="plotly_white",
        font={"family": PLOT_FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 20, "t": 80, "b": 60},
        hoverlabel={"font": {"family": PLOT_FONT}},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0,
                "yanchor": "bottom"},
    )
    level_title = ("chance by the horizon (%), 90% interval" if binary
                   else f"median, 5–95% over worlds ({unit})")
    points = " in percentage points" if binary else ""
    fig.update_xaxes(title_text=level_title, zeroline=False,
                     range=_padded(level_values), row=1, col=1)
    fig.update_xaxes(title_text=f"difference from status quo{points}, 90% CI ({arrow})",
                     zeroline=False, range=_padded(diff_values, 0.0), row=1, col=2)
    fig.update_xaxes(exponentformat="none", separatethousands=True)
    fig.update_yaxes(tickvals=list(range(len(portfolios))),
                     ticktext=[_tick_label(p) for p in portfolios],
                     range=[len(portfolios) - 0.5, -0.5], zeroline=False, showgrid=False)
    return fig


def _num(value: object) -> float | None:
    """A number for figure data, or None (a gap) when missing."""
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def _gap(upper: object, lower: object) -> float:
    """`upper − lower` for an error bar arm, 0 when either end is missing."""
    if is_missing(upper) or is_missing(lower):
        return 0.0
    return max(0.0, float(upper) - float(lower))  # type: ignore[arg-type]


def _row_pitch(portfolios: Iterable[str]) -> int:
    """Pixels per portfolio row: two markers, and room for a multi-line tick label."""
    lines = max((p.count("+") + 1 for p in portfolios), default=1)
    return max(52, 18 + 15 * lines)


def _figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure as an HTML fragment that relies on the page's single inline plotly.js."""
    return figure_html(fig, div_id)


# --- what changed ------------------------------------------------------------------------------


def _verdict(row: dict[str, Any] | None, better: str) -> str:
    """"better" / "worse" (the 90% CI of the mean difference is clear of zero), "unclear" (it
    covers zero), "no effect" (the portfolio never moved the outcome), or "" if missing."""
    if row is None or is_missing(row.get("diff_mean")):
        return ""
    low, high = row.get("diff_ci_low"), row.get("diff_ci_high")
    if is_missing(low) or is_missing(high):
        return "unclear"
    if float(row["diff_mean"]) == 0 and float(low) == 0 and float(high) == 0:
        return NO_EFFECT
    sign = 1.0 if better == "higher" else -1.0
    ends = sorted((sign * float(low), sign * float(high)))
    if ends[0] > 0:
        return "better"
    if ends[1] < 0:
        return "worse"
    return "unclear"


def _change(row_a: dict[str, Any] | None, row_b: dict[str, Any] | None, better: str) -> str:
    """How the verdict moved from A to B, in words ("unchanged", "reversed", …)."""
    va, vb = _verdict(row_a, better), _verdict(row_b, better)
    if not va or not vb:
        return "only in one run"
    clear = ("better", "worse")
    if va == vb or (va not in clear and vb not in clear):
        mean_a, mean_b = float(row_a["diff_mean"]), float(row_b["diff_mean"])  # type: ignore
        if va not in clear and mean_a * mean_b < 0:
            return "sign flipped (neither clear)"
        return "unchanged" if va == vb else f"now {vb}"
    if va in clear and vb in clear:
        return f"reversed: now {vb}"
    if vb not in clear:
        return f"no longer clearly {va}"
    return f"now clearly {vb}"


def change_rows(a: RunResult, b: RunResult) -> list[dict[str, Any]]:
    """Per shared headline outcome and shared non-status-quo portfolio: the difference from
    status quo in A and B, their verdicts, how the verdict changed, and B − A with an
    approximate 90% interval (the runs treated as independent samples)."""
    rows_a, rows_b = _comparison(a), _comparison(b)
    portfolios = [p for p in shared_portfolios(a, b) if p != STATUS_QUO]
    records = []
    for outcome in shared_outcomes(a, b):
        better = a.scenario.outcomes[outcome].better
        for name in portfolios:
            ra, rb = rows_a.get((name, outcome)), rows_b.get((name, outcome))
            shift = low = high = float("nan")
            if ra is not None and rb is not None and not (
                    is_missing(ra.get("diff_mean")) or is_missing(rb.get("diff_mean"))):
                shift = float(rb["diff_mean"]) - float(ra["diff_mean"])
                se_a, se_b = ra.get("diff_se"), rb.get("diff_se")
                if not (is_missing(se_a) or is_missing(se_b)):
                    half = Z90 * math.hypot(float(se_a), float(se_b))
                    low, high = shift - half, shift + half
            records.append({
                "outcome": outcome, "portfolio": name,
                "a": ra, "b": rb,
                "verdict_a": _verdict(ra, better), "verdict_b": _verdict(rb, better),
                "change": _change(ra, rb, better),
                "shift": shift, "shift_low": low, "shift_high": high,
            })
    return records


# --- what differs between the scenarios --------------------------------------------------------


@dataclass(frozen=True)
class ParameterChange:
    """One parameter path whose definition differs between the two scenarios.

    `a`/`b` are None where the scenario does not define the path; `aspects` names what
    differs: "value", "unit", "distribution", "source" (or "only in A" / "only in B").
    """

    path: str
    a: Parameter | None
    b: Parameter | None
    aspects: tuple[str, ...]


SECTION_ORDER = {"context": 0, "actors": 1, "options": 2, "events": 3}


def parameter_changes(a: Scenario, b: Scenario) -> list[ParameterChange]:
    """Every parameter whose value, unit, distribution or source differs, or that only one
    scenario defines; grouped context, actors, options, events, then by path."""
    flat_a = {path: p for path, (p, _) in flat_parameters(a).items()}
    flat_b = {path: p for path, (p, _) in flat_parameters(b).items()}
    changes = []
    for path in sorted(flat_a.keys() | flat_b.keys(),
                       key=lambda p: (SECTION_ORDER.get(p.split(".", 1)[0], 9), p)):
        pa, pb = flat_a.get(path), flat_b.get(path)
        if pa is None or pb is None:
            aspects: tuple[str, ...] = ("only in A",) if pb is None else ("only in B",)
        else:
            aspects = tuple(name for name, differs in (
                ("value", pa.value != pb.value), ("unit", pa.unit != pb.unit),
                ("distribution", pa.dist != pb.dist), ("source", pa.source != pb.source),
            ) if differs)
            if not aspects:
                continue
        changes.append(ParameterChange(path, pa, pb, aspects))
    return changes


def _settings(scenario: Scenario) -> dict[str, str]:
    """Every scenario setting that is not a parameter, flattened to dotted paths → text."""
    data = scenario.model_dump(mode="json")
    data.pop("context", None)
    data.pop("actors", None)
    for option in data.get("options", {}).values():
        option.pop("parameters", None)
    events = {}
    for event in data.pop("events", []):
        event.pop("probability", None)
        events[str(event.pop("id"))] = event
    data["events"] = events
    return dict(_flatten(data, ""))


def _flatten(value: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """(dotted path, text) pairs of a JSON-like value; lists become comma-joined text."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        yield prefix, ", ".join(str(v) for v in value) if value else "(none)"
    else:
        yield prefix, "—" if value is None else str(value)


def setting_changes(a: Scenario, b: Scenario) -> list[tuple[str, str | None, str | None]]:
    """Scenario settings other than parameters that differ: (path, text in A, text in B).

    Covers meta (name, title, start, horizon), options' timing and intensity, events'
    schedules, named portfolios, outcome definitions and experiment defaults.
    """
    sa, sb = _settings(a), _settings(b)
    keys = list(dict.fromkeys([*sa, *sb]))
    return [(k, sa.get(k), sb.get(k)) for k in keys if sa.get(k) != sb.get(k)]


# --- page sections -----------------------------------------------------------------------------


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], css_class: str,
           caption: str = "", row_classes: Sequence[str] | None = None) -> str:
    """An HTML table from already-escaped headers, cells and caption."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    lines = []
    for i, row in enumerate(rows):
        cls = row_classes[i] if row_classes and row_classes[i] else ""
        attr = f' class="{cls}"' if cls else ""
        lines.append(f"<tr{attr}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    caption_html = f"<caption>{caption}</caption>\n" if caption else ""
    return (f'<table class="{css_class}">\n{caption_html}<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n" + "\n".join(lines) + "\n</tbody>\n</table>")


def _manifest_text(result: RunResult, key: str) -> str:
    """One manifest entry as display text (lists comma-joined, missing as a dash)."""
    value = result.manifest.get(key)
    if value is None or value == "":
        return MISSING
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool) and key == "runs":
        return f"{value:,}"
    if key == "wall_seconds" and isinstance(value, (int, float)):
        return f"{value:.1f} s"
    return str(value)


def runs_section(a: RunResult, b: RunResult, labels: tuple[str, str]) -> str:
    """Both runs' metadata side by side, and a sentence on whether the scenarios differ."""
    def horizon(result: RunResult) -> str:
        meta = result.scenario.meta
        return f"{meta.start}, {meta.horizon_months} months"

    items: list[tuple[str, str, str]] = [
        ("Scenario", a.scenario.meta.name, b.scenario.meta.name),
        ("Title", a.scenario.meta.title, b.scenario.meta.title),
        ("Start, horizon", horizon(a), horizon(b)),
        *((name, _manifest_text(a, key), _manifest_text(b, key)) for name, key in (
            ("Seed", "seed"), ("Worlds (runs)", "runs"), ("Sampling", "sampling"),
            ("Portfolios", "portfolios"), ("Scenario hash", "scenario_hash"),
            ("Created", "created"), ("Wall time", "wall_seconds"),
            ("axis_sim version", "package_version"))),
    ]
    rows = []
    classes = []
    for name, va, vb in items:
        cell_a, cell_b = esc(va), esc(vb)
        if name == "Scenario hash":
            cell_a = f'<code title="{esc(va)}">{esc(short(va, 17))}</code>'
            cell_b = f'<code title="{esc(vb)}">{esc(short(vb, 17))}</code>'
        rows.append([esc(name), cell_a, cell_b])
        classes.append("differs" if va != vb else "")
    hash_a, hash_b = a.manifest.get("scenario_hash"), b.manifest.get("scenario_hash")
    if a.scenario == b.scenario:
        note = ("Both runs use the same scenario, so the differences below come from the seed "
                "or the number of worlds: Monte Carlo noise, not a change of assumptions.")
    else:
        note = ("The scenarios differ (see <a href=\"#parameters\">Scenario differences</a>). "
                "Each run's differences from status quo are paired within the run; the two runs "
                "are separate samples of worlds, so a change between them also carries Monte "
                "Carlo noise.")
    if hash_a and hash_b and (hash_a == hash_b) != (a.scenario == b.scenario):
        note += " (The recorded scenario hashes disagree with the scenarios themselves.)"
    headers = ["", f"A: {esc(labels[0])}", f"B: {esc(labels[1])}"]
    return "\n".join([
        '<section id="runs">',
        "<h2>The two runs</h2>",
        f"<p>{note}</p>",
        _table(headers, rows, "meta", row_classes=classes),
        "</section>",
    ])


def outcomes_section(a: RunResult, b: RunResult, labels: tuple[str, str],
                     portfolios: Sequence[str], outcomes: Sequence[str]) -> str:
    """Per shared headline outcome, the side-by-side figure (levels and differences)."""
    parts = ['<section id="outcomes">', "<h2>Headline outcomes, A and B</h2>"]
    message = _nothing_shared(portfolios, outcomes)
    if message:
        parts += [f'<p class="plain">{message}</p>', "</section>"]
        return "\n".join(parts)
    if not any(p != STATUS_QUO for p in portfolios):
        parts.append('<p class="plain">The runs share no policy portfolio besides status quo, so '
                     "only status quo's levels are compared; there are no differences from "
                     "status quo to set side by side.</p>")
    only = _only_in_one(a, b)
    if only:
        parts.append(f'<p class="muted">{only}</p>')
    rows_a, rows_b = _comparison(a), _comparison(b)
    colours = _colours(portfolios)
    runs = [(labels[0], rows_a), (labels[1], rows_b)]
    for i, outcome in enumerate(outcomes):
        spec = a.scenario.outcomes[outcome]
        spec_b = b.scenario.outcomes[outcome]
        caption = (
            f"<strong>{esc(spec.better.capitalize())} is better.</strong> Circle: "
            f"A ({esc(labels[0])}); diamond: B ({esc(labels[1])}); colour: portfolio. "
            "Left: median over worlds at the horizon and its 5–95% range. Right: mean paired "
            "difference from status quo (same worlds under each portfolio within a run) and "
            f"its 90% confidence interval. Unit: {esc(spec.unit)}."
        )
        if (spec_b.unit, spec_b.better) != (spec.unit, spec.better):
            caption += (f" <strong>Note:</strong> run B defines this outcome differently "
                        f"({esc(spec_b.unit)}, {esc(spec_b.better)} is better).")
        fig = outcome_figure(outcome, spec, portfolios, runs, colours)
        parts += [f"<h3>{esc(spec.label)}</h3>", "<figure>", _figure_html(fig, f"fig-ab-{i}"),
                  f"<figcaption>{caption}</figcaption>", "</figure>"]
    parts.append("</section>")
    return "\n".join(parts)


def _nothing_shared(portfolios: Sequence[str], outcomes: Sequence[str]) -> str:
    """The plain sentence saying why there is nothing to compare, or "" if there is."""
    if not portfolios and not outcomes:
        return "The two runs share no portfolio and no headline outcome: nothing to compare."
    if not portfolios:
        return "The two runs share no portfolio, so their outcomes cannot be set side by side."
    if not outcomes:
        return ("The two runs share no headline outcome, so there is nothing to set side by "
                "side.")
    return ""


def _only_in_one(a: RunResult, b: RunResult) -> str:
    """A sentence listing portfolios only one run has (they are left out of the comparison)."""
    pa, pb = run_portfolios(a), run_portfolios(b)
    only_a = [p for p in pa if p not in set(pb)]
    only_b = [p for p in pb if p not in set(pa)]
    parts = []
    if only_a:
        parts.append(f"only in A: {', '.join(only_a)}")
    if only_b:
        parts.append(f"only in B: {', '.join(only_b)}")
    if not parts:
        return ""
    return esc("Portfolios left out because one run lacks them — " + "; ".join(parts) + ".")


def _verdict_html(verdict: str) -> str:
    """A verdict word with its colour class."""
    if not verdict:
        return MISSING
    return f'<span class="v-{esc(verdict.replace(" ", "-"))}">{esc(verdict)}</span>'


def changes_section(a: RunResult, b: RunResult, labels: tuple[str, str],
                    portfolios: Sequence[str], outcomes: Sequence[str]) -> str:
    """Per headline outcome, a table: each portfolio's difference from status quo in A and B,
    the verdicts, what changed, and B − A."""
    parts = ['<section id="changes">', "<h2>What changed</h2>"]
    message = _nothing_shared(portfolios, outcomes)
    records = change_rows(a, b)
    if message or not records:
        text = message or ("The runs share no policy portfolio besides status quo: there is no "
                           "difference from status quo to compare.")
        parts += [f'<p class="plain">{text}</p>', "</section>"]
        return "\n".join(parts)
    parts.append(
        '<p class="muted">"better"/"worse": the 90% confidence interval of the mean difference '
        'from status quo lies wholly on that side of zero; "unclear": it covers zero; "no '
        'effect": the portfolio never changed the outcome. '
        "B − A: change in the mean difference, with an approximate 90% interval that treats the "
        "runs as independent samples. Rows whose verdict changed are highlighted.</p>")
    headers = ["Portfolio", f"A: {esc(labels[0])}<br>mean [90% CI]", "Verdict A",
               f"B: {esc(labels[1])}<br>mean [90% CI]", "Verdict B", "Change",
               "B − A [≈90%]"]
    for outcome in outcomes:
        spec = a.scenario.outcomes[outcome]
        rows, classes = [], []
        for r in (r for r in records if r["outcome"] == outcome):
            ra, rb = r["a"] or {}, r["b"] or {}
            rows.append([
                f"<code>{esc(r['portfolio'])}</code>",
                esc(_interval(ra.get("diff_mean"), ra.get("diff_ci_low"),
                               ra.get("diff_ci_high"))),
                _verdict_html(r["verdict_a"]),
                esc(_interval(rb.get("diff_mean"), rb.get("diff_ci_low"),
                               rb.get("diff_ci_high"))),
                _verdict_html(r["verdict_b"]),
                esc(r["change"]),
                esc(_interval(r["shift"], r["shift_low"], r["shift_high"])),
            ])
            classes.append("" if r["change"] == "unchanged" else "changed")
        caption = (f'{esc(spec.label)} <span class="muted">({esc(spec.unit)}; '
                   f"{esc(spec.better)} is better)</span>")
        parts.append(_table(headers, rows, "changes num", caption, classes))
    parts.append("</section>")
    return "\n".join(parts)


def ranking_section(a: RunResult, b: RunResult, labels: tuple[str, str]) -> str:
    """The composite ranking of both runs side by side (every portfolio of either run)."""
    parts = ['<section id="ranking">', "<h2>Composite ranking</h2>"]
    usable = [not r.ranking.empty and {"portfolio", "rank"} <= set(r.ranking.columns)
              for r in (a, b)]
    if not all(usable):
        which = " and ".join(lab for lab, ok in zip(("A", "B"), usable, strict=True) if not ok)
        parts += [f'<p class="plain">No composite ranking to compare: run {which} has none.</p>',
                  "</section>"]
        return "\n".join(parts)
    by_a = {str(r["portfolio"]): r for r in a.ranking.to_dict("records")}
    by_b = {str(r["portfolio"]): r for r in b.ranking.to_dict("records")}
    order = list(dict.fromkeys([*by_a, *by_b]))
    notes = ["Scores are each run's own value over status quo (the scored outcomes on their "
             "swings, weighted by the swing weights; higher is better; status quo scores 0)."]
    weights_a = {o: (s.weight, s.swing) for o, s in a.scenario.outcomes.items()}
    weights_b = {o: (s.weight, s.swing) for o, s in b.scenario.outcomes.items()}
    if weights_a != weights_b:
        notes.append("The two scenarios weight the outcomes or draw their swings differently, so "
                     "their scores measure different things.")
    if set(by_a) != set(by_b):
        notes.append("The runs ranked different sets of portfolios, so ranks are not directly "
                     "comparable.")
    rows, classes = [], []
    for name in order:
        ra, rb = by_a.get(name), by_b.get(name)
        cells = [f"<code>{esc(name)}</code>"]
        for r in (ra, rb):
            if r is None:
                cells += [MISSING, MISSING]
            else:
                cells += [esc(f"{int(r['rank'])}"),
                          esc(_interval(r.get("score_mean"), r.get("score_ci_low"),
                                         r.get("score_ci_high")))]
        if ra is not None and rb is not None:
            moved = int(ra["rank"]) - int(rb["rank"])
            cells.append(esc("same" if moved == 0 else
                              f"up {moved}" if moved > 0 else f"down {-moved}"))
            classes.append("" if moved == 0 else "changed")
        else:
            cells.append(esc("only in A" if rb is None else "only in B"))
            classes.append("changed")
        rows.append(cells)
    headers = ["Portfolio", "Rank A", f"Score A ({esc(labels[0])})<br>mean [90% CI]", "Rank B",
               f"Score B ({esc(labels[1])})<br>mean [90% CI]", "Rank A → B"]
    parts += [f'<p class="muted">{" ".join(esc(n) for n in notes)}</p>',
              _table(headers, rows, "ranking num", row_classes=classes), "</section>"]
    return "\n".join(parts)


def _parameter_cell(parameter: Parameter | None) -> str:
    """A parameter's value and unit, distribution and source, as escaped HTML."""
    if parameter is None:
        return '<span class="muted">not defined</span>'
    return (f"{esc(f'{parameter.value:,.6g}')} {esc(parameter.unit)}<br>"
            f'<span class="muted">{esc(describe_distribution(parameter))}</span><br>'
            f'<span class="source">{esc(parameter.source)}</span>')


def parameters_section(a: RunResult, b: RunResult, labels: tuple[str, str]) -> str:
    """The parameters, then the other settings, that differ between the two scenarios."""
    parts = ['<section id="parameters">', "<h2>Scenario differences</h2>"]
    changes = parameter_changes(a.scenario, b.scenario)
    if changes:
        rows = [[f"<code>{esc(c.path)}</code>", esc(", ".join(c.aspects)),
                 _parameter_cell(c.a), _parameter_cell(c.b)] for c in changes]
        parts += [f"<h3>Parameters ({len(changes)} differ)</h3>",
                  _table(["Parameter", "Differs in", f"A: {esc(labels[0])}",
                          f"B: {esc(labels[1])}"], rows, "params")]
    else:
        parts.append('<p class="plain">The two scenarios define every parameter the same way '
                     "(value, unit, distribution and source).</p>")
    settings = setting_changes(a.scenario, b.scenario)
    if settings:
        rows = [[f"<code>{esc(path)}</code>",
                 esc(va) if va is not None else '<span class="muted">not defined</span>',
                 esc(vb) if vb is not None else '<span class="muted">not defined</span>']
                for path, va, vb in settings]
        parts += [f"<h3>Other settings ({len(settings)} differ)</h3>",
                  _table(["Setting", f"A: {esc(labels[0])}", f"B: {esc(labels[1])}"],
                         rows, "settings")]
    parts.append("</section>")
    return "\n".join(parts)


# --- page --------------------------------------------------------------------------------------

CSS = BASE_CSS + """
main { max-width: 1280px; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
.source { color: var(--muted); font-size: .85em; }
p.plain { font-size: 1.02rem; padding: .6rem .9rem; background: var(--bg-alt);
          border-left: 4px solid var(--rule); }
table.meta td:first-child { color: var(--muted); white-space: nowrap; }
tr.differs td:not(:first-child) { font-weight: 600; }
tr.changed { background: #fff6e0; }
.v-better { color: #007a55; font-weight: 600; }
.v-worse { color: #b3450f; font-weight: 600; }
.v-unclear { color: var(--muted); }
.v-no-effect { color: var(--muted); font-style: italic; }
@media (max-width: 900px) { main { padding: 1rem; } }
"""

PRINT_RESIZE_JS = """
(function () {
  function resizeAll() {
    document.querySelectorAll('.plotly-graph-div').forEach(function (el) {
      if (window.Plotly) { window.Plotly.Plots.resize(el); }
    });
  }
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
})();
"""


def render_run_comparison(a: RunResult, b: RunResult, *, label_a: str | None = None,
                          label_b: str | None = None) -> str:
    """The comparison of run A with run B as one self-contained HTML page (plotly.js inline).

    `label_a`/`label_b` name the runs on the page (e.g. "baseline", "ceasefire"); by default
    the scenario names, with the seeds added when both runs share a scenario name. Only
    portfolios and headline outcomes present in both runs are compared; when there are none,
    the page says so instead of drawing empty charts.
    """
    labels = _labels(a, b, label_a, label_b)
    portfolios = shared_portfolios(a, b)
    outcomes = shared_outcomes(a, b)
    title = f"{labels[0]} vs {labels[1]}"
    body = "\n".join([
        "<header>",
        f"<h1>Run comparison: {esc(labels[0])} <span class=\"muted\">vs</span> "
        f"{esc(labels[1])}</h1>",
        f'<p>A: {esc(a.scenario.meta.title)}<br>B: {esc(b.scenario.meta.title)}</p>',
        '<nav><a href="#runs">Runs</a><a href="#outcomes">Outcomes</a>'
        '<a href="#changes">What changed</a><a href="#ranking">Ranking</a>'
        '<a href="#parameters">Scenario differences</a></nav>',
        "</header>",
        runs_section(a, b, labels),
        outcomes_section(a, b, labels, portfolios, outcomes),
        changes_section(a, b, labels, portfolios, outcomes),
        ranking_section(a, b, labels),
        parameters_section(a, b, labels),
        "<footer>Generated by axis_sim "
        f"{esc(_manifest_text(a, 'package_version'))}. Self-contained: opens offline; "
        "plotly.js is embedded.</footer>",
    ])
    return "\n".join([
        html_head(f"{title} — axis_sim run comparison", CSS),
        "<main>",
        body,
        "</main>",
        f"<script>{PRINT_RESIZE_JS}</script>",
        "</body>",
        "</html>",
        "",
    ])


def write_run_comparison(a: RunResult, b: RunResult, path: Path | str, *,
                         label_a: str | None = None, label_b: str | None = None) -> Path:
    """Render the comparison page and write it atomically to `path`; returns the path."""
    return atomic_write_text(path, render_run_comparison(a, b, label_a=label_a,
                                                         label_b=label_b))
