"""The self-contained HTML dashboard of a run: one file that opens from disk with no network.

The page holds, in order: the scenario and run header; per headline outcome a chart of every
portfolio's level at the horizon, a forest plot of the paired difference from status quo and a
monthly fan chart; a summary table of the same numbers; and the assumptions (every parameter
with its source, the options' definitions, the events and named portfolios).

Safety: the scenario file is untrusted text. Everything taken from it is passed through
`html.escape` before it reaches the page, and through `_plot_text` before it reaches a plotly
figure (plotly renders a subset of HTML tags in titles, labels and annotations). Figure data is
serialised by plotly's JSON encoder, which writes `<`, `>` and `/` as `\\u003c`, `\\u003e` and
`\\u002f`, so no data can close a `<script>` block. plotly.js is embedded once, inline; there is
no CDN, MathJax, web font or other network reference.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
from plotly.subplots import make_subplots

from axis_sim.experiment.results import RunResult
from axis_sim.io import atomic_write_text
from axis_sim.report.formatting import MISSING, format_number, format_probability, is_missing
from axis_sim.scenario.distributions import describe as describe_distribution
from axis_sim.scenario.parameters import flat_parameters
from axis_sim.scenario.schema import (
    STATUS_QUO,
    OutcomeSpec,
    Parameter,
    Scenario,
    month_index,
    month_label,
)

__all__ = [
    "describe_distribution",
    "format_number",
    "format_probability",
    "parameter_rows",
    "portfolio_colours",
    "render_dashboard",
    "write_dashboard",
]

STATUS_QUO_COLOUR = "#7f7f7f"
# Okabe–Ito (colour-blind safe, without its grey and pale yellow), then Tableau 10 for overflow.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F", "#EDC948",
)
PLOT_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
PLOT_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "pan2d",
    ],
}
TITLE_CHARS = 60  # figure titles are cut to this many characters; the page headings are not


# --- text helpers ------------------------------------------------------------------------------


def _esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def _plot_text(value: object) -> str:
    """Text safe to put in a plotly title, label or annotation: its pseudo-HTML is neutralised.

    plotly.js turns `&lt;` back into a literal `<` when it draws, so the reader sees the text as
    written and no tag (`<a href>`, `<b>`, `<br>`) takes effect.
    """
    return html.escape(str(value), quote=False)


def _short(value: object, limit: int = TITLE_CHARS) -> str:
    """Text cut to `limit` characters with an ellipsis (before escaping, so no entity is split)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- data access -------------------------------------------------------------------------------


def _long(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with `portfolio`/`outcome` as columns, whether they came as index or columns."""
    if "portfolio" in frame.columns:
        return frame
    return frame.reset_index()


def _portfolios(result: RunResult) -> list[str]:
    """Portfolio names in run order, status quo first, from whichever table has them."""
    names: list[str] = []
    if "portfolio" in result.outcomes.columns and len(result.outcomes):
        names = result.portfolios
    elif result.manifest.get("portfolios"):
        names = [str(p) for p in result.manifest["portfolios"]]
    elif "portfolio" in _long(result.comparison).columns:
        names = list(dict.fromkeys(_long(result.comparison)["portfolio"].astype(str)))
    if STATUS_QUO in names:
        names = [STATUS_QUO, *(n for n in names if n != STATUS_QUO)]
    return names


def portfolio_colours(portfolios: Sequence[str]) -> dict[str, str]:
    """One colour per portfolio, the same in every figure: status quo grey, others by run order."""
    colours: dict[str, str] = {}
    others = [p for p in portfolios if p != STATUS_QUO]
    for i, name in enumerate(others):
        colours[name] = PALETTE[i % len(PALETTE)]
    if STATUS_QUO in portfolios:
        colours[STATUS_QUO] = STATUS_QUO_COLOUR
    return colours


def _rgba(hex_colour: str, alpha: float) -> str:
    """`#rrggbb` as an `rgba(...)` string with the given opacity (for bands)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _headline_outcomes(scenario: Scenario) -> list[str]:
    """Outcome ids marked `headline: true`, or every outcome if none is."""
    flagged = [name for name, spec in scenario.outcomes.items() if spec.headline]
    return flagged or list(scenario.outcomes)


def _comparison_rows(result: RunResult, outcome: str, portfolios: Sequence[str]) -> pd.DataFrame:
    """The comparison rows of one outcome, one per portfolio, in portfolio order."""
    table = _long(result.comparison)
    if table.empty or "outcome" not in table.columns:
        return pd.DataFrame(columns=["portfolio", "outcome"])
    rows = table[table["outcome"].astype(str) == outcome].copy()
    rows["portfolio"] = rows["portfolio"].astype(str)
    order = {name: i for i, name in enumerate(portfolios)}
    rows["_order"] = rows["portfolio"].map(lambda p: order.get(p, len(order)))
    return rows.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def _better_phrase(spec: OutcomeSpec) -> str:
    """"Lower is better" / "Higher is better"."""
    return f"{spec.better.capitalize()} is better"


def _unit_title(unit: str) -> str:
    """An axis title that is the outcome's unit, safe for plotly and short enough to fit."""
    return _plot_text(_short(unit, 50))


def _tick_label(portfolio: str) -> str:
    """A portfolio name as a category tick, safe for plotly, broken after each "+"."""
    return "+<br>".join(_plot_text(part) for part in portfolio.split("+"))


def _row_pitch(portfolios: Iterable[str]) -> int:
    """Pixels per category row, enough for the longest (multi-line) portfolio tick."""
    lines = max((p.count("+") + 1 for p in portfolios), default=1)
    return max(40, 18 + 14 * lines)


def _base_layout(title: str, subtitle: str, height: int) -> dict[str, Any]:
    """Layout settings every figure shares: title, white template, system font, fixed height.

    `title` and `subtitle` must already be plotly-safe (see `_plot_text`).
    """
    return {
        "title": {"text": title, "subtitle": {"text": subtitle}, "x": 0.0, "xanchor": "left"},
        "template": "plotly_white",
        "font": {"family": PLOT_FONT, "size": 13},
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 75, "b": 50},
        "hoverlabel": {"font": {"family": PLOT_FONT}},
    }


# --- figures -----------------------------------------------------------------------------------


def level_figure(
    result: RunResult, outcome: str, portfolios: Sequence[str], colours: dict[str, str]
) -> go.Figure | None:
    """Every portfolio's median at the horizon with its 5–95% range over worlds."""
    spec = result.scenario.outcomes[outcome]
    rows = _comparison_rows(result, outcome, portfolios)
    if rows.empty:
        return None
    fig = go.Figure()
    for row in rows.itertuples(index=False):
        name = str(row.portfolio)
        median, p05, p95 = float(row.median), float(row.p05), float(row.p95)
        fig.add_trace(
            go.Scatter(
                x=[median],
                y=[_tick_label(name)],
                mode="markers",
                name=_plot_text(name),
                marker={"color": colours.get(name, STATUS_QUO_COLOUR), "size": 11},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [p95 - median],
                    "arrayminus": [median - p05],
                    "thickness": 2.5,
                    "width": 6,
                    "color": colours.get(name, STATUS_QUO_COLOUR),
                },
                customdata=[[p05, p95]],
                hovertemplate="median %{x:.4g}<br>5%: %{customdata[0]:.4g}"
                "<br>95%: %{customdata[1]:.4g}",
                showlegend=False,
            )
        )
    status_quo = rows[rows["portfolio"] == STATUS_QUO]
    if not status_quo.empty and not is_missing(status_quo["median"].iloc[0]):
        fig.add_vline(
            x=float(status_quo["median"].iloc[0]), line={"color": STATUS_QUO_COLOUR, "dash": "dot"}
        )
    fig.update_layout(
        **_base_layout(
            _plot_text(_short(spec.label)),
            "At the horizon: median and 5–95% range over worlds",
            100 + _row_pitch(rows["portfolio"]) * len(rows),
        )
    )
    fig.update_xaxes(title_text=_unit_title(spec.unit), zeroline=False)
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def _padded_range(rows: pd.DataFrame, *always: float) -> list[float] | None:
    """An x range holding every difference column (and `always`), with 6% padding each side."""
    columns = ["diff_p05", "diff_p95", "diff_ci_low", "diff_ci_high", "diff_mean"]
    values = pd.to_numeric(rows[columns].stack(), errors="coerce").dropna().tolist()
    values += list(always)
    if not values:
        return None
    low, high = min(values), max(values)
    pad = 0.06 * (high - low) if high > low else 1.0
    return [low - pad, high + pad]


def difference_figure(
    result: RunResult, outcome: str, portfolios: Sequence[str], colours: dict[str, str]
) -> go.Figure | None:
    """Forest plot of the paired difference from status quo, annotated with P(better).

    Per portfolio: the mean difference (dot), its 90% confidence interval (thick bar) and the
    5–95% spread of the world-by-world difference (thin line). Status quo keeps its row (as the
    zero reference) so the rows line up with the level chart beside it.
    """
    spec = result.scenario.outcomes[outcome]
    all_rows = _comparison_rows(result, outcome, portfolios)
    rows = all_rows[all_rows["portfolio"] != STATUS_QUO]
    if rows.empty:
        return None
    fig = go.Figure()
    if (all_rows["portfolio"] == STATUS_QUO).any():
        fig.add_trace(
            go.Scatter(
                x=[0.0],
                y=[_tick_label(STATUS_QUO)],
                mode="markers",
                name=_plot_text(STATUS_QUO),
                marker={"color": STATUS_QUO_COLOUR, "size": 9, "symbol": "diamond"},
                hovertemplate="reference (difference 0)",
                showlegend=False,
            )
        )
        fig.add_annotation(
            x=1.0, xref="paper", xanchor="left", y=_tick_label(STATUS_QUO), yref="y",
            text="reference", showarrow=False, font={"size": 12, "color": STATUS_QUO_COLOUR},
        )
    for row in rows.itertuples(index=False):
        name = str(row.portfolio)
        label = _tick_label(name)
        colour = colours.get(name, STATUS_QUO_COLOUR)
        mean = float(row.diff_mean)
        fig.add_trace(
            go.Scatter(
                x=[float(row.diff_p05), float(row.diff_p95)],
                y=[label, label],
                mode="lines",
                line={"color": colour, "width": 1.5},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[float(row.diff_ci_low), float(row.diff_ci_high)],
                y=[label, label],
                mode="lines",
                line={"color": colour, "width": 9},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[mean],
                y=[label],
                mode="markers",
                name=_plot_text(name),
                marker={"color": "white", "size": 9, "line": {"color": colour, "width": 2.5}},
                customdata=[[
                    float(row.diff_ci_low), float(row.diff_ci_high),
                    float(row.diff_p05), float(row.diff_p95),
                ]],
                hovertemplate="mean difference %{x:.4g}"
                "<br>90% CI %{customdata[0]:.4g} to %{customdata[1]:.4g}"
                "<br>per-world 5–95%: %{customdata[2]:.4g} to %{customdata[3]:.4g}",
                showlegend=False,
            )
        )
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="left",
            y=label,
            yref="y",
            text=(
                f"P(better) {_plot_text(format_probability(row.p_better))}<br>"
                f'<span style="color:{STATUS_QUO_COLOUR}">P(worse) '
                f"{_plot_text(format_probability(getattr(row, 'p_worse', None)))}</span>"
            ),
            showarrow=False,
            align="left",
            font={"size": 11},
        )
    fig.add_vline(x=0, line={"color": "#333", "width": 1})
    arrow = "← lower is better" if spec.better == "lower" else "higher is better →"
    fig.update_layout(
        **_base_layout(
            _plot_text(_short(spec.label)),
            f"Paired difference from status quo ({arrow})",
            100 + _row_pitch(all_rows["portfolio"]) * len(all_rows),
        )
    )
    fig.update_layout(margin={"r": 105})
    fig.update_xaxes(
        title_text=_unit_title(spec.unit), zeroline=False, range=_padded_range(rows, 0.0)
    )
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def fan_figure(
    result: RunResult, outcome: str, portfolios: Sequence[str], colours: dict[str, str]
) -> go.Figure | None:
    """Monthly fan chart: one panel per portfolio with 5–95% and 25–75% bands and the median.

    Each panel repeats the status-quo median as a dashed grey line for reference.
    """
    spec = result.scenario.outcomes[outcome]
    monthly = _long(result.monthly)
    if monthly.empty or "outcome" not in monthly.columns:
        return None
    monthly = monthly[monthly["outcome"].astype(str) == outcome]
    present = [p for p in portfolios if p in set(monthly["portfolio"].astype(str))]
    if not present:
        return None
    by_portfolio = {
        name: frame.sort_values("month")
        for name, frame in monthly.groupby(monthly["portfolio"].astype(str))
    }
    cols = min(3, len(present))
    nrows = math.ceil(len(present) / cols)
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        shared_xaxes=True,
        shared_yaxes=True,
        subplot_titles=[_plot_text(_short(p)) for p in present],
        vertical_spacing=min(0.12, 0.5 / (nrows - 1)) if nrows > 1 else 0.08,
        horizontal_spacing=0.05,
    )
    reference = by_portfolio.get(STATUS_QUO)
    for i, name in enumerate(present):
        frame = by_portfolio[name]
        row, col = i // cols + 1, i % cols + 1
        x = [_plot_text(v) for v in frame["month_label"]]
        colour = colours.get(name, STATUS_QUO_COLOUR)
        for upper, lower, alpha in (("p95", "p05", 0.15), ("p75", "p25", 0.30)):
            fig.add_trace(
                go.Scatter(x=x, y=frame[upper], mode="lines", line={"width": 0},
                           hoverinfo="skip", showlegend=False),
                row=row, col=col,
            )
            fig.add_trace(
                go.Scatter(x=x, y=frame[lower], mode="lines", line={"width": 0},
                           fill="tonexty", fillcolor=_rgba(colour, alpha),
                           hoverinfo="skip", showlegend=False),
                row=row, col=col,
            )
        if reference is not None and name != STATUS_QUO:
            fig.add_trace(
                go.Scatter(
                    x=[_plot_text(v) for v in reference["month_label"]],
                    y=reference["p50"],
                    mode="lines",
                    name=_plot_text(STATUS_QUO),
                    line={"color": STATUS_QUO_COLOUR, "width": 1.5, "dash": "dash"},
                    hovertemplate="status quo median %{y:.4g}",
                    showlegend=False,
                ),
                row=row, col=col,
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=frame["p50"],
                mode="lines",
                name=_plot_text(name),
                line={"color": colour, "width": 2.5},
                customdata=frame[["p05", "p25", "p75", "p95"]].to_numpy(),
                hovertemplate="%{x}<br>median %{y:.4g}"
                "<br>25–75%: %{customdata[1]:.4g} to %{customdata[2]:.4g}"
                "<br>5–95%: %{customdata[0]:.4g} to %{customdata[3]:.4g}",
                showlegend=False,
            ),
            row=row, col=col,
        )
    fig.update_layout(**_base_layout(_plot_text(_short(spec.label)), "Month by month",
                                     135 + 230 * nrows))
    fig.update_layout(margin={"t": 100})
    fig.update_xaxes(nticks=6, showticklabels=True)
    fig.update_annotations(font={"size": 13})
    fig.update_yaxes(title_text=_plot_text(spec.unit), col=1)
    return fig


def _figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure as an HTML fragment that relies on the page's single inline plotly.js."""
    return pio.to_html(
        fig,
        config=PLOT_CONFIG,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        default_width="100%",
        default_height=f"{fig.layout.height}px",
        div_id=div_id,
    )


# --- tables ------------------------------------------------------------------------------------


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], css_class: str, caption: str = ""
) -> str:
    """An HTML table from already-escaped header, cell and (optional) caption fragments."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    caption_html = f"<caption>{caption}</caption>\n" if caption else ""
    return (
        f'<table class="{css_class}">\n{caption_html}<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def _portfolio_label(scenario: Scenario, name: str) -> str:
    """Readable label of a portfolio: option labels joined by " + ", or the name itself."""
    if name == STATUS_QUO:
        return "No new policy"
    members = scenario.portfolios.get(name) or name.split("+")
    labels = [scenario.options[m].label if m in scenario.options else m for m in members]
    return " + ".join(labels)


def summary_table(result: RunResult, portfolios: Sequence[str], colours: dict[str, str]) -> str:
    """Per headline outcome × portfolio: median [5%, 95%], mean difference [90% CI], P(better)."""
    headers = [
        "Portfolio",
        "Median [5%, 95%]",
        "Difference from status quo: mean [90% CI]",
        "Per-world difference [5%, 95%]",
        "P(better)",
        "P(worse)",
    ]
    parts: list[str] = []
    for outcome in _headline_outcomes(result.scenario):
        spec = result.scenario.outcomes[outcome]
        rows: list[list[str]] = []
        for row in _comparison_rows(result, outcome, portfolios).itertuples(index=False):
            name = str(row.portfolio)
            swatch = f'<span class="swatch" style="background:{colours.get(name, "#000")}"></span>'
            label = (
                f"{swatch}<code>{_esc(name)}</code><br>"
                f'<span class="muted">{_esc(_portfolio_label(result.scenario, name))}</span>'
            )
            level = (
                f"{_esc(format_number(row.median))} "
                f"[{_esc(format_number(row.p05))}, {_esc(format_number(row.p95))}]"
            )
            if name == STATUS_QUO:
                diff = spread = p_better = p_worse = '<span class="muted">reference</span>'
            else:
                diff = (
                    f"{_esc(format_number(row.diff_mean))} "
                    f"[{_esc(format_number(row.diff_ci_low))}, "
                    f"{_esc(format_number(row.diff_ci_high))}]"
                )
                spread = (
                    f"[{_esc(format_number(row.diff_p05))}, {_esc(format_number(row.diff_p95))}]"
                )
                p_better = _esc(format_probability(row.p_better))
                p_worse = _esc(format_probability(getattr(row, "p_worse", None)))
            rows.append([label, level, diff, spread, p_better, p_worse])
        caption = (
            f'{_esc(spec.label)} <span class="muted">({_esc(spec.unit)}; '
            f"{_esc(_better_phrase(spec).lower())})</span>"
        )
        parts.append(_table(headers, rows, "summary num", caption))
    return "\n".join(parts)


def parameter_rows(scenario: Scenario) -> Iterator[tuple[str, Parameter]]:
    """Every parameter of the scenario with its path, grouped context, actors, options, events.

    Paths are the run's own (`axis_sim.scenario.parameters.flat_parameters`): `context.x`,
    `actors.DPRK.x`, `options.<option>.x`, `events.<id>.probability`; they match the columns
    of `RunResult.parameters`.
    """
    section = {"context": 0, "actors": 1, "options": 2, "events": 3}
    flat = flat_parameters(scenario)
    for path in sorted(flat, key=lambda p: (section.get(p.split(".", 1)[0], 9), p)):
        yield path, flat[path][0]


def _drawn_range(result: RunResult, path: str) -> str:
    """The 5–95% range of a parameter's draws in this run, if the run recorded them."""
    if path not in result.parameters.columns:
        return MISSING
    values = pd.to_numeric(result.parameters[path], errors="coerce").dropna()
    if values.empty:
        return MISSING
    low, high = values.quantile(0.05), values.quantile(0.95)
    return f"{format_number(low)} – {format_number(high)}"


def parameters_table(result: RunResult) -> str:
    """Every parameter: path, default value, unit, distribution, range drawn, source."""
    headers = ["Parameter", "Value", "Unit", "Distribution", "Drawn 5–95%", "Source"]
    rows = [
        [
            f"<code>{_esc(path)}</code>",
            _esc(f"{parameter.value:,.6g}"),
            _esc(parameter.unit),
            _esc(describe_distribution(parameter)),
            _esc(_drawn_range(result, path)),
            _esc(parameter.source),
        ]
        for path, parameter in parameter_rows(result.scenario)
    ]
    return _table(headers, rows, "params")


def options_table(scenario: Scenario) -> str:
    """The five options: label, start month, intensity, duration, description and source."""
    headers = ["Option", "Label", "Start", "Intensity", "Duration", "Description", "Source"]
    rows = []
    for name, spec in scenario.options.items():
        offset = month_index(scenario.meta.start, spec.start)
        start = month_label(scenario.meta.start, offset)
        duration = (
            "until the horizon" if spec.duration_months is None
            else f"{spec.duration_months} months"
        )
        rows.append([
            f"<code>{_esc(name)}</code>",
            _esc(spec.label),
            _esc(f"{start} (month {offset})"),
            _esc(f"{spec.intensity:g}"),
            _esc(duration),
            _esc(spec.description),
            _esc(spec.source),
        ])
    return _table(headers, rows, "options")


def events_table(scenario: Scenario) -> str:
    """Scheduled events (summits, forums, exercises), or nothing if the scenario has none."""
    if not scenario.events:
        return ""
    headers = ["Event", "Name", "Kind", "First month", "Repeats", "Probability", "Source"]
    rows = [
        [
            f"<code>{_esc(e.id)}</code>",
            _esc(e.name),
            _esc(e.kind.replace("_", " ")),
            _esc(e.month),
            _esc(f"every {e.every_months} months" if e.every_months else "once"),
            _esc(f"{e.probability.value:g} ({describe_distribution(e.probability)})"),
            _esc(e.source),
        ]
        for e in scenario.events
    ]
    return "<h3>Scheduled events</h3>\n" + _table(headers, rows, "events")


def portfolios_table(scenario: Scenario) -> str:
    """Named portfolios and their options, or nothing if the scenario defines none."""
    if not scenario.portfolios:
        return ""
    rows = [
        [f"<code>{_esc(name)}</code>", _esc(", ".join(members))]
        for name, members in scenario.portfolios.items()
    ]
    return "<h3>Named portfolios</h3>\n" + _table(["Portfolio", "Options"], rows, "portfolios")


# --- page --------------------------------------------------------------------------------------

CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --rule: #d9dde5; --bg-alt: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 .4rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-top: .6rem;
     border-top: 2px solid var(--rule); }
h3 { font-size: 1.08rem; margin: 1.6rem 0 .4rem; }
p.lede { font-size: 1.05rem; max-width: 60rem; white-space: pre-wrap; }
.muted { color: var(--muted); font-size: .9em; }
nav { font-size: .92rem; margin: .8rem 0; }
nav a { margin-right: 1rem; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
          gap: .3rem 1.5rem; margin: .8rem 0; padding: .8rem 1rem; background: var(--bg-alt);
          border-radius: 6px; }
dl.meta div { display: flex; gap: .5rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; }
figure { margin: .6rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .55rem; text-align: left;
         vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; }
tbody tr:nth-child(even) { background: #fafbfc; }
table.num td:not(:first-child) { font-variant-numeric: tabular-nums; white-space: nowrap; }
td code, th code { font-size: .88em; overflow-wrap: anywhere; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px;
          margin-right: .4em; vertical-align: -.05em; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } main { padding: 1rem; } }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav, .modebar-container { display: none !important; }
  .pair { grid-template-columns: 1fr; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  table, tr, figure { break-inside: avoid; page-break-inside: avoid; }
  tbody tr:nth-child(even) { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""

# Re-lay the figures out when the page is printed (the paper is narrower than the window).
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


def _manifest_value(manifest: dict[str, Any], key: str) -> str:
    """One manifest entry as display text (lists comma-joined, missing as a dash)."""
    value = manifest.get(key)
    if value is None or value == "":
        return MISSING
    if isinstance(value, (list, tuple)):
        if len(value) > 8:
            return f"{len(value)} (listed in the summary table)"
        return ", ".join(str(v) for v in value)
    if key == "wall_seconds" and isinstance(value, (int, float)):
        return f"{value:.1f} s"
    if key in {"runs", "chunk_size"} and isinstance(value, int):
        return f"{value:,}"
    return str(value)


def header_html(result: RunResult) -> str:
    """Title, description, time frame and run metadata."""
    meta = result.scenario.meta
    manifest = result.manifest
    last = None
    if "month_label" in _long(result.monthly).columns and len(result.monthly):
        last = str(_long(result.monthly)["month_label"].max())
    horizon = f"{meta.horizon_months} months" + (f" (last month {last})" if last else "")
    items = [
        ("Scenario", manifest.get("scenario_name") or meta.name),
        ("Start month", meta.start),
        ("Horizon", horizon),
        ("Worlds (runs)", _manifest_value(manifest, "runs")),
        ("Seed", _manifest_value(manifest, "seed")),
        ("Sampling", _manifest_value(manifest, "sampling")),
        ("Chunk size", _manifest_value(manifest, "chunk_size")),
        ("Created", _manifest_value(manifest, "created")),
        ("Wall time", _manifest_value(manifest, "wall_seconds")),
        ("axis_sim version", _manifest_value(manifest, "package_version")),
        ("Scenario hash", _short(_manifest_value(manifest, "scenario_hash"), 17)),
        ("Portfolios", _manifest_value(manifest, "portfolios")),
    ]
    dl = "\n".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in items)
    return (
        f"<header>\n<h1>{_esc(meta.title)}</h1>\n"
        f'<p class="lede">{_esc(meta.description)}</p>\n'
        f'<dl class="meta">\n{dl}\n</dl>\n'
        '<nav><a href="#headline">Headline comparison</a><a href="#summary">Summary table</a>'
        '<a href="#monthly">Month by month</a><a href="#assumptions">Assumptions</a></nav>\n'
        "</header>"
    )


def _figure_block(fig: go.Figure | None, div_id: str, caption: str) -> str:
    """A <figure> with the plot and an (already-escaped) caption, or a note if there is no data."""
    if fig is None:
        return f'<p class="muted">No data for this chart. {caption}</p>'
    return f"<figure>\n{_figure_html(fig, div_id)}\n<figcaption>{caption}</figcaption>\n</figure>"


def headline_section(
    result: RunResult, portfolios: Sequence[str], colours: dict[str, str]
) -> str:
    """Per headline outcome: the level chart and the forest plot side by side."""
    runs = _manifest_value(result.manifest, "runs")
    parts = ['<section id="headline">\n<h2>Headline comparison</h2>']
    for i, outcome in enumerate(_headline_outcomes(result.scenario)):
        spec = result.scenario.outcomes[outcome]
        better = _esc(_better_phrase(spec))
        direction = "left" if spec.better == "lower" else "right"
        level_caption = (
            f"<strong>{better}.</strong> Dot: median over {_esc(runs)} worlds at the horizon; "
            f"bar: 5–95% range; dotted line: status quo median. Unit: {_esc(spec.unit)}."
        )
        diff_caption = (
            f"<strong>{better}:</strong> points {direction} of zero improve on status quo. "
            "Same worlds under each portfolio (paired). Dot: mean difference; thick bar: 90% "
            "confidence interval of the mean; thin line: 5–95% range of the per-world "
            "difference. P(better) / P(worse): share of worlds where the portfolio does "
            "strictly better / worse than status quo."
        )
        parts.append(f"<h3>{_esc(spec.label)}</h3>")
        parts.append('<div class="pair">')
        parts.append(_figure_block(level_figure(result, outcome, portfolios, colours),
                                   f"fig-level-{i}", level_caption))
        parts.append(_figure_block(difference_figure(result, outcome, portfolios, colours),
                                   f"fig-diff-{i}", diff_caption))
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


FAN_LIMIT = 9


def _fan_portfolios(result: RunResult, portfolios: Sequence[str]) -> list[str]:
    """At most FAN_LIMIT panels: status quo first, then by composite rank when there is one."""
    if len(portfolios) <= FAN_LIMIT:
        return list(portfolios)
    order = (list(result.ranking["portfolio"]) if not result.ranking.empty
             else list(portfolios))
    rest = [p for p in order if p != STATUS_QUO and p in portfolios]
    return [STATUS_QUO, *rest[: FAN_LIMIT - 1]]


def monthly_section(
    result: RunResult, portfolios: Sequence[str], colours: dict[str, str]
) -> str:
    """Per headline outcome: the monthly fan chart of status quo and the best-ranked portfolios."""
    shown = _fan_portfolios(result, portfolios)
    parts = ['<section id="monthly">\n<h2>Month by month</h2>']
    if len(shown) < len(portfolios):
        parts.append(f"<p>Status quo and the {len(shown) - 1} best-ranked portfolios; every "
                     "portfolio's monthly quantiles are in <code>monthly.csv</code>.</p>")
    for i, outcome in enumerate(_headline_outcomes(result.scenario)):
        spec = result.scenario.outcomes[outcome]
        caption = (
            f"<strong>{_esc(_better_phrase(spec))}.</strong> Line: median over worlds; dark "
            "band: 25–75%; light band: 5–95%; dashed grey: status quo median. "
            f"Unit: {_esc(spec.unit)}."
        )
        parts.append(f"<h3>{_esc(spec.label)}</h3>")
        parts.append(_figure_block(fan_figure(result, outcome, shown, colours),
                                   f"fig-fan-{i}", caption))
    parts.append("</section>")
    return "\n".join(parts)


def assumptions_section(result: RunResult) -> str:
    """Every parameter with its source, the options, the events and the named portfolios."""
    return "\n".join([
        '<section id="assumptions">\n<h2>Assumptions</h2>',
        '<p class="muted">Every number the model uses. "Value" is the default (used where no '
        'draw is made); "Distribution" is the uncertainty sampled over worlds; "Drawn" is the '
        "range actually sampled in this run.</p>",
        "<h3>Parameters</h3>",
        parameters_table(result),
        "<h3>Policy options</h3>",
        options_table(result.scenario),
        events_table(result.scenario),
        portfolios_table(result.scenario),
        "</section>",
    ])


def render_dashboard(result: RunResult) -> str:
    """The whole dashboard as one self-contained HTML string (plotly.js inline, once)."""
    portfolios = _portfolios(result)
    colours = portfolio_colours(portfolios)
    meta = result.scenario.meta
    body = "\n".join([
        header_html(result),
        headline_section(result, portfolios, colours),
        f'<section id="summary">\n<h2>Summary table</h2>\n'
        f"{summary_table(result, portfolios, colours)}\n</section>",
        monthly_section(result, portfolios, colours),
        assumptions_section(result),
        f"<footer>Generated by axis_sim "
        f"{_esc(_manifest_value(result.manifest, 'package_version'))}. "
        "Self-contained: opens offline; plotly.js is embedded.</footer>",
    ])
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(meta.title)} — axis_sim dashboard</title>",
        f"<style>{CSS}</style>",
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>',
        "</head>",
        "<body>",
        "<main>",
        body,
        "</main>",
        f"<script>{PRINT_RESIZE_JS}</script>",
        "</body>",
        "</html>",
        "",
    ])


def write_dashboard(result: RunResult, path: Path) -> Path:
    """Render the dashboard and write it atomically to `path`; returns the path written."""
    return atomic_write_text(path, render_dashboard(result))
