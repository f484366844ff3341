"""Every plotly figure of the dashboard. Each returns a `common.Figure` (a plain dict in
plotly's JSON schema), or None when the run has no data for it.

Conventions the page's controls rely on (see `assets.CONTROLS_JS`):

- a trace drawn for one portfolio carries `meta={"portfolio": name}`; an annotation drawn for
  one portfolio carries `name=name` — the portfolio checkboxes hide and show them;
- a heatmap carries `meta={"rows": [portfolio per row], "cols": [outcome per column]}`; the
  checkboxes filter its rows and columns;
- a chart with one row per portfolio carries `layout.meta` from `common.row_layout_meta`, so
  the page can shrink it when rows are hidden.

All text from the scenario or the results goes through `plot_text` (or `Page.tick` /
`Page.hover_name`, which use it).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from axis_sim.experiment.compare import COMPOSITE
from axis_sim.report.analysis import (
    Z90,
    box_stats,
    distribution_kind,
    small_scale_levels,
    swing_of,
    value_effects,
    wilson_interval,
)
from axis_sim.report.common import (
    ROW_BASE,
    STATUS_QUO_COLOUR,
    Figure,
    Page,
    add_annotation,
    add_vline,
    base_layout,
    better_phrase,
    comparison_rows,
    esc,
    key_is,
    named_colorscale,
    new_figure,
    outcome_kind,
    plot_text,
    rgba,
    row_layout_meta,
    rows_height,
    short,
    trace,
    unit_title,
    update,
    update_axes,
    world_table,
)
from axis_sim.report.formatting import (
    MISSING,
    format_number,
    format_probability,
    is_missing,
)
from axis_sim.scenario.parameters import derived_label_words
from axis_sim.scenario.schema import STATUS_QUO, month_label

BETTER_COLOUR = "#2166ac"  # blue: better than status quo (the diverging scales' positive end)
WORSE_COLOUR = "#d6604d"  # red-orange: worse
DIVERGING = "RdBu"  # plotly's red → white → blue; with zmid 0 and better positive, blue = better
ACTOR_COLOURS = {
    "US": "#1f4e99", "ROK": "#4c9be8", "Japan": "#b2182b", "China": "#d95f02",
    "Russia": "#7b3294", "DPRK": "#1b7837", "World": "#555555",
}
ACTOR_ORDER = ["US", "ROK", "Japan", "China", "Russia", "DPRK", "World"]
TRADEOFF_LABELS = 10  # more portfolios than this: names in the hover only (labels would pile up)
HEATMAP_BASE = 250  # title, the angled outcome labels below and margins
HEATMAP_MIN = 380
INTERACTION_SCALE_FLOOR = 1.0  # % of a swing: smaller interactions stay pale


def _dot(page: Page, name: str, colour: str, tick: str, centre: float, low: float, high: float,
         customdata: list[float], hover: str, *, thickness: float = 2.5,
         width: float = 5) -> dict[str, Any]:
    """One portfolio's dot at `centre` with an asymmetric bar from `low` to `high` on a row
    chart; `hover` follows the portfolio's name and reads `customdata`."""
    return trace(
        "scatter", x=[centre], y=[tick], mode="markers", name=plot_text(name),
        marker={"color": colour, "size": 10},
        error_x={"type": "data", "symmetric": False, "array": [high - centre],
                 "arrayminus": [centre - low], "thickness": thickness, "width": width,
                 "color": colour},
        customdata=[customdata], hovertemplate=page.hover_name(name) + hover + "<extra></extra>",
        showlegend=False, meta=_tag(name))


def _tag(name: str) -> dict[str, str]:
    """The `meta` of a trace drawn for portfolio `name`."""
    return {"portfolio": name}


def _num(value: object) -> float | None:
    """A float, or None for a missing value (plotly leaves a gap)."""
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


def _or(value: float | None, default: float) -> float:
    """`value`, or `default` when it is missing (an interval end the run did not produce)."""
    return default if value is None else value


def _fmt(value: object) -> str:
    """A number as the tables write it, plotly-safe."""
    return plot_text(format_number(value))


def _arrow(spec_better: str, axis: str = "x") -> str:
    """Which way is better along an axis."""
    if axis == "x":
        return "← better" if spec_better == "lower" else "better →"
    return "↓ better" if spec_better == "lower" else "↑ better"


def _row_figure(fig: Figure, title: str, subtitle: str, count: int,
                base: int = ROW_BASE, minimum: int = 0) -> None:
    """Layout of a chart with one row per portfolio (categories top to bottom)."""
    update(fig["layout"], base_layout(title, subtitle, rows_height(count, base, minimum)))
    update(fig["layout"], {"meta": row_layout_meta(count, base, minimum)})
    update_axes(fig, "y", {"autorange": "reversed", "type": "category", "automargin": True})


def _axis_key(axis_id: str) -> str:
    """The layout key of an axis id: "x2" → "xaxis2", "y" → "yaxis"."""
    return f"{axis_id[0]}axis{axis_id[1:]}"


def _subplots(rows: int, cols: int, titles: list[str], *, h_spacing: float,
              v_spacing: float = 0.0, share_x: bool = False, share_y: bool = False,
              title_size: int = 16) -> tuple[Figure, list[tuple[str, str]]]:
    """An empty figure with a rows × cols grid of plots laid out as `make_subplots` does (row 1
    at the top), and each cell's (x axis, y axis) ids for its traces, row by row.

    `share_x`: each column's plots match the bottom plot's x axis and only that one shows tick
    labels; `share_y`: each row's plots match the left plot's y axis, likewise. `titles` go
    above the cells in order, in plotly's subplot-title style (font size `title_size`).
    """
    width = (1.0 - h_spacing * (cols - 1)) / cols
    height = (1.0 - v_spacing * (rows - 1)) / rows

    def axis_id(letter: str, r: int, c: int) -> str:
        k = r * cols + c + 1
        return f"{letter}{k}" if k > 1 else letter

    fig = new_figure()
    layout = fig["layout"]
    cells = []
    for r in range(rows):
        # clamped: the sums can land a rounding error above 1, which plotly rejects
        y0 = min(1.0, (rows - 1 - r) * (height + v_spacing))
        for c in range(cols):
            x_id, y_id = axis_id("x", r, c), axis_id("y", r, c)
            x0 = c * (width + h_spacing)
            xaxis = {"anchor": y_id, "domain": [x0, min(1.0, x0 + width)]}
            yaxis = {"anchor": x_id, "domain": [y0, min(1.0, y0 + height)]}
            if share_x and r < rows - 1:
                xaxis.update(matches=axis_id("x", rows - 1, c), showticklabels=False)
            if share_y and c > 0:
                yaxis.update(matches=axis_id("y", r, 0), showticklabels=False)
            layout[_axis_key(x_id)], layout[_axis_key(y_id)] = xaxis, yaxis
            cells.append((x_id, y_id))
    for (x_id, y_id), text in zip(cells, titles, strict=False):
        x0, x1 = layout[_axis_key(x_id)]["domain"]
        add_annotation(fig, font={"size": title_size}, showarrow=False, text=text,
                       x=(x0 + x1) / 2.0, xanchor="center", xref="paper",
                       y=layout[_axis_key(y_id)]["domain"][1], yanchor="bottom", yref="paper")
    return fig, cells


# --- headline ----------------------------------------------------------------------------------


def _worlds(page: Page) -> int:
    """How many worlds the run's summary tables (comparison, monthly) cover."""
    runs = page.result.manifest.get("runs")
    try:
        return max(int(runs), 0)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def _percent(value: float | None) -> float | None:
    """A share (0–1) as percent, None kept."""
    return None if value is None else 100.0 * value


def level_subtitle(kind: str) -> str:
    """What the level chart shows for an outcome of this kind (see `common.outcome_kind`)."""
    return {"binary": "Chance it has happened by the horizon, with 90% interval",
            "count": "At the horizon: mean (thick bar: its 90% CI) and 5–95% range over worlds",
            }.get(kind, "At the horizon: median and 5–95% range over worlds")


def level_caption(page: Page, outcome: str) -> str:
    """The level chart's caption (HTML-safe), by what the outcome is."""
    spec = page.scenario.outcomes[outcome]
    runs = _worlds(page)
    worlds = f"{runs:,} worlds" if runs else "the worlds"
    better = f"<strong>{esc(better_phrase(spec))}.</strong> "
    kind = outcome_kind(page.result, outcome)
    if kind == "binary":
        return (better + f"A yes/no outcome. Dot: the chance it has happened by the horizon "
                f"(share of {worlds}); bar: its 90% interval (Wilson); dotted line: status "
                "quo.")
    if kind == "count":
        return (better + f"Dot: mean over {worlds} at the horizon; thick bar: its 90% "
                "confidence interval; thin line: 5–95% of worlds; dotted line: status quo "
                f"mean. Unit: {esc(spec.unit)}.")
    return (better + f"Dot: median over {worlds} at the horizon; bar: 5–95% range; dotted "
            f"line: status quo median. Unit: {esc(spec.unit)}.")


def difference_caption(page: Page, outcome: str) -> str:
    """The difference chart's caption (HTML-safe), by what the outcome is."""
    spec = page.scenario.outcomes[outcome]
    direction = "left" if spec.better == "lower" else "right"
    text = (f"<strong>{esc(better_phrase(spec))}:</strong> points {direction} of zero improve "
            "on status quo. Same worlds under each portfolio (paired). ")
    if outcome_kind(page.result, outcome) == "binary":
        text += ("Dot: the change in the chance it happens by the horizon, in percentage "
                 "points; bar: its 90% confidence interval. ")
    else:
        text += ("Dot: mean difference; thick bar: 90% confidence interval of the mean; thin "
                 "line: 5–95% range of the per-world difference. ")
    return text + ("P(better) / P(worse): share of worlds where the portfolio does strictly "
                   "better / worse than status quo.")


def summary_level(page: Page, outcome: str, row: Any) -> str:
    """A portfolio's level in the summary table (plain text): the chance with its interval
    for a yes/no outcome, the mean [90% CI] for a count, the median [5%, 95%] otherwise."""
    kind = outcome_kind(page.result, outcome)
    if kind == "binary":
        p = _num(getattr(row, "p_event", None))
        p = _num(row.mean) if p is None else p
        if p is None:
            return MISSING
        worlds = _worlds(page)
        low, high = wilson_interval(p * worlds, worlds) if worlds else (p, p)
        return (f"{format_probability(p)} [{format_probability(low)}, "
                f"{format_probability(high)}]")
    if kind == "count":
        mean = _num(row.mean)
        if mean is None:
            return MISSING
        se = _or(_num(getattr(row, "se", None)), 0.0)
        return (f"mean {format_number(mean)} [{format_number(mean - Z90 * se)}, "
                f"{format_number(mean + Z90 * se)}]")
    return (f"{format_number(row.median)} [{format_number(row.p05)}, "
            f"{format_number(row.p95)}]")


def summary_effect(page: Page, outcome: str, value: object) -> str:
    """A difference from status quo in the summary table: percentage points for a yes/no
    outcome ("+2.1 pp"), natural units otherwise."""
    if _effect_scale(page, outcome) != 1.0 and not is_missing(value):
        return f"{format_number(100 * float(value))} pp"  # type: ignore[arg-type]
    return format_number(value)


def level_figure(page: Page, outcome: str) -> Figure | None:
    """Every portfolio at the horizon, drawn by what the outcome is (`common.outcome_kind`):

    - a yes/no outcome: the chance it has happened (the share of worlds, in %) with its 90%
      Wilson interval — never a median of 0s and 1s;
    - a count: its mean with the 90% confidence interval of the mean (thick) and the 5–95%
      range over worlds (thin);
    - a level: the median with the 5–95% range over worlds.
    """
    spec = page.scenario.outcomes[outcome]
    rows = comparison_rows(page.result, outcome, page.portfolios)
    if rows.empty:
        return None
    kind = outcome_kind(page.result, outcome)
    worlds = _worlds(page)
    fig = new_figure()
    reference = None
    for row in rows.itertuples(index=False):
        name = str(row.portfolio)
        colour = page.colour(name)
        tick = page.tick(name)
        if kind == "binary":
            p = _num(getattr(row, "p_event", None))
            p = _num(row.mean) if p is None else p
            if p is None:
                continue
            low, high = wilson_interval(p * worlds, worlds) if worlds else (p, p)
            centre, low, high = 100 * p, 100 * _or(_num(low), p), 100 * _or(_num(high), p)
            fig["data"].append(_dot(
                page, name, colour, tick, centre, low, high, [low, high],
                "<br>chance by the horizon %{x:.1f}%"
                "<br>90% interval %{customdata[0]:.1f}% to %{customdata[1]:.1f}%"))
            if name == STATUS_QUO:
                reference = centre
            continue
        if kind == "count":
            centre = _num(row.mean)
            if centre is None:
                continue
            se = _or(_num(getattr(row, "se", None)), 0.0)
            ci_low, ci_high = centre - Z90 * se, centre + Z90 * se
            p05, p95 = _or(_num(row.p05), centre), _or(_num(row.p95), centre)
            fig["data"].append(trace(
                "scatter", x=[p05, p95], y=[tick, tick], mode="lines",
                line={"color": rgba(colour, 0.55), "width": 1.5}, hoverinfo="skip",
                showlegend=False, meta=_tag(name)))
            fig["data"].append(_dot(
                page, name, colour, tick, centre, ci_low, ci_high, [ci_low, ci_high, p05, p95],
                "<br>mean %{x:,.4~r}<br>90% CI %{customdata[0]:,.4~r} to %{customdata[1]:,.4~r}"
                "<br>5–95% over worlds: %{customdata[2]:,.4~r} to %{customdata[3]:,.4~r}",
                thickness=6, width=0))
            if name == STATUS_QUO:
                reference = centre
            continue
        median, p05, p95 = float(row.median), float(row.p05), float(row.p95)
        fig["data"].append(_dot(
            page, name, colour, tick, median, p05, p95, [p05, p95],
            "<br>median %{x:,.4~r}<br>5%: %{customdata[0]:,.4~r}<br>95%: %{customdata[1]:,.4~r}"
        ))
        if name == STATUS_QUO and not is_missing(median):
            reference = median
    if reference is not None:
        add_vline(fig, reference, {"color": STATUS_QUO_COLOUR, "dash": "dot"})
    _row_figure(fig, plot_text(short(spec.label)), level_subtitle(kind), len(rows))
    if kind == "binary":
        update_axes(fig, "x", {"title": {"text": "chance by the horizon (%)"},
                               "ticksuffix": "%", "range": [-2, 102], "zeroline": False})
    else:
        update_axes(fig, "x", {"title": {"text": unit_title(spec.unit)}, "zeroline": False,
                               "exponentformat": "none", "separatethousands": True})
    return fig


def _padded_range(rows: pd.DataFrame, *always: float, scale: float = 1.0,
                  spread: bool = True) -> list[float] | None:
    """An x range holding every difference column (and `always`), with 6% padding each side;
    differences times `scale`, the per-world spread left out unless `spread`."""
    columns = [c for c in (("diff_p05", "diff_p95") if spread else ())
               + ("diff_ci_low", "diff_ci_high", "diff_mean") if c in rows.columns]
    values = [scale * v for v in
              pd.to_numeric(rows[columns].stack(), errors="coerce").dropna().tolist()]
    values += list(always)
    if not values:
        return None
    low, high = min(values), max(values)
    pad = 0.06 * (high - low) if high > low else 1.0
    return [low - pad, high + pad]


def difference_subtitle(kind: str, better: str) -> str:
    """What the difference chart shows for an outcome of this kind."""
    if kind == "binary":
        return f"Change in the chance from status quo, percentage points ({_arrow(better)})"
    return f"Paired difference from status quo ({_arrow(better)})"


def difference_figure(page: Page, outcome: str) -> Figure | None:
    """Forest plot of the paired difference from status quo, annotated with P(better).

    Per portfolio: the mean difference (dot), its 90% confidence interval (thick bar) and the
    5–95% spread of the world-by-world difference (thin line). Status quo keeps its row (as the
    zero reference) so the rows line up with the level chart beside it. For a yes/no outcome
    the difference is in the chance, in percentage points, and the per-world spread (−1, 0 or
    +1 in each world) is not drawn.
    """
    spec = page.scenario.outcomes[outcome]
    all_rows = comparison_rows(page.result, outcome, page.portfolios)
    rows = all_rows[all_rows["portfolio"] != STATUS_QUO]
    if rows.empty:
        return None
    binary = outcome_kind(page.result, outcome) == "binary"
    scale = 100.0 if binary else 1.0

    def scaled(value: object) -> float | None:
        number = _num(value)
        return None if number is None else scale * number

    fig = new_figure()
    if (all_rows["portfolio"] == STATUS_QUO).any():
        fig["data"].append(trace(
            "scatter", x=[0.0], y=[page.tick(STATUS_QUO)], mode="markers",
            name=plot_text(STATUS_QUO),
            marker={"color": STATUS_QUO_COLOUR, "size": 9, "symbol": "diamond"},
            hovertemplate="status quo: the reference (difference 0)<extra></extra>",
            showlegend=False, meta=_tag(STATUS_QUO),
        ))
        add_annotation(
            fig, x=1.0, xref="paper", xanchor="left", y=page.tick(STATUS_QUO), yref="y",
            text="reference", showarrow=False, font={"size": 12, "color": STATUS_QUO_COLOUR},
            name=STATUS_QUO,
        )
    unit = " percentage points" if binary else ""
    for row in rows.itertuples(index=False):
        name = str(row.portfolio)
        label = page.tick(name)
        colour = page.colour(name)
        bars = [(row.diff_ci_low, row.diff_ci_high, 8)]  # CI of the mean
        if not binary:
            bars.insert(0, (row.diff_p05, row.diff_p95, 1.5))  # per-world spread
        for low, high, width in bars:
            fig["data"].append(trace(
                "scatter", x=[scaled(low), scaled(high)], y=[label, label], mode="lines",
                line={"color": colour, "width": width}, hoverinfo="skip", showlegend=False,
                meta=_tag(name),
            ))
        spread = ("" if binary else
                  "<br>per-world 5–95%: %{customdata[2]:,.4~r} to %{customdata[3]:,.4~r}")
        fig["data"].append(trace(
            "scatter", x=[scaled(row.diff_mean)], y=[label], mode="markers",
            name=plot_text(name),
            marker={"color": "white", "size": 9, "line": {"color": colour, "width": 2.5}},
            customdata=[[scaled(row.diff_ci_low), scaled(row.diff_ci_high),
                         scaled(row.diff_p05), scaled(row.diff_p95)]],
            hovertemplate=page.hover_name(name) + f"<br>mean difference %{{x:+,.4~r}}{unit}"
            "<br>90% CI %{customdata[0]:+,.4~r} to %{customdata[1]:+,.4~r}" + spread
            + "<extra></extra>",
            showlegend=False, meta=_tag(name),
        ))
        add_annotation(
            fig, x=1.0, xref="paper", xanchor="left", y=label, yref="y",
            text=(f"<b>{plot_text(format_probability(row.p_better))}</b> · "
                  f'<span style="color:{STATUS_QUO_COLOUR}">'
                  f"{plot_text(format_probability(getattr(row, 'p_worse', None)))}</span>"),
            showarrow=False, align="left", font={"size": 11}, name=name,
        )
    add_annotation(
        fig, x=1.0, xref="paper", xanchor="left", y=1.0, yref="paper", yanchor="bottom",
        text=f'P(better) · <span style="color:{STATUS_QUO_COLOUR}">P(worse)</span>',
        showarrow=False, align="left", font={"size": 10},
    )
    add_vline(fig, 0, {"color": "#333", "width": 1})
    _row_figure(fig, plot_text(short(spec.label)),
                difference_subtitle("binary" if binary else "other", spec.better),
                len(all_rows))
    update(fig["layout"], {"margin": {"r": 100}})
    title = ("percentage points (chance minus status quo's)" if binary
             else unit_title(spec.unit))
    update_axes(fig, "x", {"title": {"text": title}, "zeroline": False,
                           "exponentformat": "none", "separatethousands": True,
                           "range": _padded_range(rows, 0.0, scale=scale, spread=not binary)})
    if binary:
        update_axes(fig, "x", {"ticksuffix": " pp"})
    return fig


# --- distributions -----------------------------------------------------------------------------


def distribution_figure(page: Page, outcome: str) -> Figure | None:
    """Each portfolio's distribution of the outcome over worlds at the horizon.

    A box (quartiles; whiskers at the 5th and 95th percentiles; the dashed line is the mean),
    or, for a 0/1 outcome, the probability that it happens with its 90% Wilson interval.
    Built from summary numbers, not one point per world, to keep the page small.
    """
    spec = page.scenario.outcomes[outcome]
    frame = world_table(page.result, "outcomes")
    if frame.empty or outcome not in frame.columns or "portfolio" not in frame.columns:
        return None
    by_portfolio = {str(name): values for name, values
                    in frame[outcome].groupby(frame["portfolio"], sort=False, observed=True)}
    present = [p for p in page.portfolios if p in by_portfolio]
    if not present:
        return None
    kind = distribution_kind(frame[outcome])
    if kind == "levels":
        return _levels_figure(page, outcome, {p: by_portfolio[p] for p in present},
                              small_scale_levels(frame[outcome]) or [])
    binary, rare = kind == "binary", kind == "rare"
    fig = new_figure()
    for name in present:
        values = by_portfolio[name]
        colour = page.colour(name)
        tick = page.tick(name)
        if binary or rare:
            numbers = pd.to_numeric(values, errors="coerce").dropna() > 0
            n = len(numbers)
            p = float(numbers.mean()) if n else float("nan")
            low, high = wilson_interval(float(numbers.sum()), n)
            what = "happens" if binary else "at least one"
            fig["data"].append(trace(
                "scatter", x=[p], y=[tick], mode="markers", marker={"color": colour, "size": 10},
                error_x={"type": "data", "symmetric": False, "array": [high - p],
                         "arrayminus": [p - low], "thickness": 2.5, "width": 5,
                         "color": colour},
                customdata=[[low, high, n]],
                hovertemplate=page.hover_name(name) + f"<br>{what} in %{{x:.1%}} of worlds"
                "<br>90% interval %{customdata[0]:.1%} to %{customdata[1]:.1%}"
                "<br>%{customdata[2]} worlds<extra></extra>",
                showlegend=False, meta=_tag(name),
            ))
            continue
        stats = box_stats(values)
        if stats is None:
            continue
        fig["data"].append(trace(
            "box", y=[tick], q1=[stats.q1], median=[stats.median], q3=[stats.q3],
            lowerfence=[stats.p05], upperfence=[stats.p95], mean=[stats.mean],
            orientation="h", boxpoints=False, fillcolor=rgba(colour, 0.35),
            line={"color": colour, "width": 1.5}, hoverinfo="skip", showlegend=False,
            meta=_tag(name),
        ))
        fig["data"].append(trace(
            "scatter", x=[stats.median], y=[tick], mode="markers",
            marker={"color": colour, "size": 14, "opacity": 0},
            customdata=[[stats.p05, stats.q1, stats.q3, stats.p95, stats.mean]],
            hovertemplate=page.hover_name(name) + "<br>median %{x:,.4~r}, mean "
            "%{customdata[4]:,.4~r}<br>middle half: %{customdata[1]:,.4~r} to "
            "%{customdata[2]:,.4~r}"
            "<br>5–95%: %{customdata[0]:,.4~r} to %{customdata[3]:,.4~r}<extra></extra>",
            showlegend=False, meta=_tag(name),
        ))
    if not fig["data"]:
        return None
    if binary or rare:
        subtitle = ("Share of worlds where it happens by the horizon, with 90% interval"
                    if binary else "Usually zero: share of worlds with at least one by the "
                    "horizon, with 90% interval")
        _row_figure(fig, plot_text(short(spec.label)), subtitle, len(present))
        update_axes(fig, "x", {"title": {"text": "share of worlds"}, "tickformat": ".0%",
                               "rangemode": "tozero"})
    else:
        subtitle = "At the horizon: box = middle half of worlds, whiskers = 5–95%, dashed = mean"
        _row_figure(fig, plot_text(short(spec.label)), subtitle, len(present))
        update_axes(fig, "x", {"title": {"text": unit_title(spec.unit)}, "zeroline": False})
    return fig


def _levels_figure(page: Page, outcome: str, by_portfolio: dict[str, pd.Series],
                   levels: list[float]) -> Figure:
    """Share of worlds at each level of a few-valued outcome: one stacked bar per portfolio
    (`by_portfolio`: its values over worlds, in row order), each segment labelled with its
    level (darker = higher)."""
    spec = page.scenario.outcomes[outcome]
    shades = [rgba("#08306b", 0.15 + 0.75 * i / max(len(levels) - 1, 1))
              for i in range(len(levels))]
    fig = new_figure()
    for name, column in by_portfolio.items():
        values = pd.to_numeric(column, errors="coerce").dropna()
        shares = [float((values == level).mean()) if len(values) else 0.0 for level in levels]
        bases = [float(sum(shares[:i])) for i in range(len(shares))]
        tick = page.tick(name)
        fig["data"].append(trace(
            "bar", x=shares, y=[tick] * len(levels), base=bases, orientation="h",
            marker={"color": shades, "line": {"color": page.colour(name), "width": 1}},
            text=[f"{level:g}" if share >= 0.06 else "" for level, share
                  in zip(levels, shares, strict=True)],
            textposition="inside", insidetextanchor="middle", textangle=0,
            textfont={"size": 10, "color": ["#1d2330" if i < len(levels) / 2 else "white"
                                            for i in range(len(levels))]},
            customdata=[f"{level:g}" for level in levels],
            hovertemplate=page.hover_name(name) + f"<br>{plot_text(short(spec.unit, 30))} "
            "%{customdata}: %{x:.1%} of worlds<extra></extra>",
            showlegend=False, meta=_tag(name),
        ))
    _row_figure(fig, plot_text(short(spec.label)),
                "At the horizon: share of worlds at each level (the number in each segment; "
                "darker = higher)", len(by_portfolio))
    update(fig["layout"], {"barmode": "overlay", "bargap": 0.25})
    update_axes(fig, "x", {"title": {"text": "share of worlds"}, "tickformat": ".0%",
                           "range": [0, 1]})
    return fig


# --- trade-offs --------------------------------------------------------------------------------


def _effect_scale(page: Page, outcome: str) -> float:
    """What a difference is multiplied by to be shown: 100 for a yes/no outcome (percentage
    points), else 1 (natural units)."""
    return 100.0 if outcome_kind(page.result, outcome) == "binary" else 1.0


def effect_unit(page: Page, outcome: str) -> str:
    """The unit a difference is shown in: "percentage points" for a yes/no outcome."""
    if outcome_kind(page.result, outcome) == "binary":
        return "percentage points"
    return page.scenario.outcomes[outcome].unit


def tradeoff_points(page: Page, outcome: str) -> dict[str, list[float | None]]:
    """Per portfolio: [mean paired difference, 90% CI low, high] on one outcome (in
    percentage points for a yes/no outcome)."""
    rows = comparison_rows(page.result, outcome, page.portfolios)
    scale = _effect_scale(page, outcome)

    def scaled(value: object) -> float | None:
        number = _num(value)
        return None if number is None else scale * number

    return {str(r.portfolio): [scaled(r.diff_mean), scaled(r.diff_ci_low),
                               scaled(r.diff_ci_high)]
            for r in rows.itertuples(index=False)}


def tradeoff_axis_title(page: Page, outcome: str, axis: str) -> str:
    """Axis title: outcome label, unit and which way is better (plotly-safe)."""
    spec = page.scenario.outcomes[outcome]
    return (f"{plot_text(short(spec.label, 45))}: change vs status quo "
            f"({unit_title(effect_unit(page, outcome))}) {_arrow(spec.better, axis)}")


def better_corner(better_x: str, better_y: str) -> dict[str, Any]:
    """Where the "better on both" corner of the trade-off chart is, in paper coordinates."""
    right, top = better_x == "higher", better_y == "higher"
    return {"x": 0.99 if right else 0.01, "xanchor": "right" if right else "left",
            "y": 0.99 if top else 0.01, "yanchor": "top" if top else "bottom"}


def tradeoff_figure(page: Page, x_outcome: str, y_outcome: str) -> Figure | None:
    """One point per portfolio: mean paired effect on two outcomes, 90% CIs both ways."""
    xs, ys = tradeoff_points(page, x_outcome), tradeoff_points(page, y_outcome)
    names = [p for p in page.portfolios if p != STATUS_QUO and p in xs and p in ys]
    if not names:
        return None
    labelled = len(names) <= TRADEOFF_LABELS
    fig = new_figure()
    fig["data"].append(trace(
        "scatter", x=[0.0], y=[0.0], mode="markers+text", text=[page.tick(STATUS_QUO)],
        textposition="bottom center", textfont={"size": 10, "color": STATUS_QUO_COLOUR},
        marker={"color": STATUS_QUO_COLOUR, "size": 11, "symbol": "diamond"},
        hovertemplate="status quo: the reference (0, 0)<extra></extra>", showlegend=False,
        meta=_tag(STATUS_QUO),
    ))
    for name in names:
        (mx, xl, xh), (my, yl, yh) = xs[name], ys[name]
        if mx is None or my is None:
            continue
        colour = page.colour(name)
        fig["data"].append(trace(
            "scatter", x=[mx], y=[my], mode="markers+text" if labelled else "markers",
            text=[page.tick(name)],
            textposition="top center", textfont={"size": 10, "color": colour},
            marker={"color": colour, "size": 10, "line": {"color": "white", "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": [_or(xh, mx) - mx],
                     "arrayminus": [mx - _or(xl, mx)], "color": rgba(colour, 0.6),
                     "thickness": 1.5, "width": 3},
            error_y={"type": "data", "symmetric": False, "array": [_or(yh, my) - my],
                     "arrayminus": [my - _or(yl, my)], "color": rgba(colour, 0.6),
                     "thickness": 1.5, "width": 3},
            customdata=[[xl, xh, yl, yh]],
            hovertemplate=page.hover_name(name)
            + "<br>x: %{x:,.4~r} [90% CI %{customdata[0]:,.4~r}, %{customdata[1]:,.4~r}]"
            "<br>y: %{y:,.4~r} [90% CI %{customdata[2]:,.4~r}, %{customdata[3]:,.4~r}]"
            "<extra></extra>",
            showlegend=False, meta=_tag(name),
        ))
    x_spec, y_spec = page.scenario.outcomes[x_outcome], page.scenario.outcomes[y_outcome]
    update(fig["layout"], base_layout(
        "Trade-offs between two outcomes",
        "Mean paired difference from status quo with 90% confidence intervals", 620))
    add_annotation(fig, xref="paper", yref="paper", text="better on both", showarrow=False,
                   font={"color": BETTER_COLOUR, "size": 12},
                   **better_corner(x_spec.better, y_spec.better))
    zero_line = {"zeroline": True, "zerolinecolor": "#333", "zerolinewidth": 1}
    update_axes(fig, "x", {"title": {"text": tradeoff_axis_title(page, x_outcome, "x")},
                           **zero_line})
    update_axes(fig, "y", {"title": {"text": tradeoff_axis_title(page, y_outcome, "y")},
                           **zero_line})
    return fig


def effect_heatmap(page: Page) -> Figure | None:
    """Portfolio × headline outcome, coloured by the mean paired difference as a share of the
    outcome's swing (the value model's units), signed so that better than status quo is blue;
    the hover gives the real difference and its verdict against the MMD."""
    columns = world_table(page.result, "outcomes").columns
    outcomes = [o for o in page.headline if o in columns]
    effects = value_effects(page.result, outcomes)
    rows = [p for p in page.ranked() if p != STATUS_QUO and p in effects.index]
    if not rows or not outcomes:
        return None
    comparison = {o: comparison_rows(page.result, o, rows).set_index("portfolio")
                  for o in outcomes}
    z, hover = [], []
    for name in rows:
        z_row, hover_row = [], []
        for o in outcomes:
            spec = page.scenario.outcomes[o]
            value = effects.loc[name, o]
            z_row.append(None if is_missing(value) else round(100 * float(value), 3))
            text = f"{page.hover_name(name)}<br>{plot_text(short(spec.label, 60))}"
            if name in comparison[o].index:
                row = comparison[o].loc[name]
                k = _effect_scale(page, o)
                text += (f"<br>difference {_fmt(k * row['diff_mean'])} "
                         f"{plot_text(effect_unit(page, o))} "
                         f"[90% CI {_fmt(k * row['diff_ci_low'])}, "
                         f"{_fmt(k * row['diff_ci_high'])}]")
                if str(row.get("verdict", "")):
                    text += f"<br>verdict: {plot_text(row['verdict'])}"
            if not is_missing(value):
                text += f"<br>= {100 * float(value):+.1f}% of the swing"
            hover_row.append(text)
        z.append(z_row)
        hover.append(hover_row)
    finite = [abs(v) for r in z for v in r if v is not None]
    return _diverging_heatmap(
        page, z, rows, outcomes, [page.scenario.outcomes[o].label for o in outcomes], hover,
        top=max(finite, default=0.0) or 1.0, cell="%{z:+.1f}", blue="better",
        title="Every portfolio on every headline outcome",
        subtitle="Mean paired difference from status quo, as % of the outcome's swing (worst to "
                 "best plausible); blue = better, red = worse")


def _diverging_heatmap(page: Page, z: list[list[float | None]], rows: list[str],
                       cols: list[str], labels: list[str], hover: list[list[str]], *,
                       top: float, cell: str, blue: str, title: str, subtitle: str,
                       text: list[list[str]] | None = None) -> Figure:
    """Rows × columns of values in % of a swing on a diverging scale centred on 0 (±`top`),
    blue meaning `blue`; `cell` is the text template written in each cell."""
    fig = new_figure(trace(
        "heatmap",
        z=z, x=[plot_text(short(label, 26)) for label in labels], y=[page.tick(p) for p in rows],
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        texttemplate=cell, textfont={"size": 10}, colorscale=named_colorscale(DIVERGING),
        zmid=0, zmin=-top, zmax=top, xgap=1, ygap=1,
        colorbar={"title": {"text": f"% of swing<br>blue = {blue}"}, "thickness": 12},
        meta={"rows": rows, "cols": cols}, **({} if text is None else {"text": text}),
    ))
    _row_figure(fig, title, subtitle, len(rows), base=HEATMAP_BASE, minimum=HEATMAP_MIN)
    update_axes(fig, "x", {"tickangle": -30, "automargin": True})
    return fig


# --- ranking -----------------------------------------------------------------------------------


def ranking_figure(page: Page) -> Figure | None:
    """Composite score (mean, 90% CI, 5–95% over worlds) and regret (median, 90th percentile,
    maximum), one row per portfolio in rank order."""
    ranking = page.result.ranking
    if ranking.empty or "portfolio" not in ranking.columns:
        return None
    ranking = ranking[ranking["portfolio"].astype(str).isin(set(page.portfolios))]
    if ranking.empty:
        return None
    fig, ((score_x, score_y), (regret_x, regret_y)) = _subplots(
        1, 2, ["Value over status quo (higher is better)", "Regret (lower is better)"],
        h_spacing=0.04, share_y=True)
    for row in ranking.itertuples(index=False):
        name = str(row.portfolio)
        tick, colour = page.tick(name), page.colour(name)
        low, high = getattr(row, "score_p05", None), getattr(row, "score_p95", None)
        if not is_missing(low) and not is_missing(high):
            fig["data"].append(trace(
                "scatter", x=[float(low), float(high)], y=[tick, tick], mode="lines",
                line={"color": rgba(colour, 0.5), "width": 1.5}, hoverinfo="skip",
                showlegend=False, meta=_tag(name), xaxis=score_x, yaxis=score_y))
        mean = float(row.score_mean)
        fig["data"].append(trace(
            "scatter", x=[mean], y=[tick], mode="markers", marker={"color": colour, "size": 10},
            error_x={"type": "data", "symmetric": False,
                     "array": [_or(_num(row.score_ci_high), mean) - mean],
                     "arrayminus": [mean - _or(_num(row.score_ci_low), mean)],
                     "thickness": 4, "width": 0, "color": colour},
            customdata=[[_num(row.score_ci_low), _num(row.score_ci_high), _num(low),
                         _num(high), int(row.rank)]],
            hovertemplate=page.hover_name(name) + "<br>rank %{customdata[4]}"
            "<br>mean value %{x:.4f} [90% CI %{customdata[0]:.4f}, %{customdata[1]:.4f}]"
            "<br>5–95% over worlds: %{customdata[2]:.4f} to %{customdata[3]:.4f}<extra></extra>",
            showlegend=False, meta=_tag(name), xaxis=score_x, yaxis=score_y,
        ))
        regrets = [_num(row.regret_median), _num(row.regret_p90), _num(row.regret_max)]
        fig["data"].append(trace(
            "scatter", x=regrets, y=[tick] * 3, mode="lines+markers",
            line={"color": colour, "width": 2},
            marker={"color": colour, "size": [10, 8, 9],
                    "symbol": ["circle", "diamond", "x-thin-open"],
                    "line": {"color": colour, "width": 2}},
            text=["median", "90th percentile", "maximum"],
            hovertemplate=page.hover_name(name) + "<br>regret %{text}: %{x:.4f}<extra></extra>",
            showlegend=False, meta=_tag(name), xaxis=regret_x, yaxis=regret_y,
        ))
    add_vline(fig, 0, {"color": "#333", "width": 1}, xref=score_x, yref=score_y)
    _row_figure(fig, "Ranking and regret",
                "Value: dot = mean, thick bar = 90% CI, thin line = 5–95% of worlds. Regret: "
                "dot = median, ◆ = 90th percentile, × = worst world", len(ranking),
                base=ROW_BASE + 50, minimum=300)
    update(fig["layout"], {"margin": {"t": 110}})
    update_axes(fig, "x", {"title": {"text": "value over status quo (1 = every scored outcome "
                                             "from worst to best)"}},
                only=[_axis_key(score_x)])
    update_axes(fig, "x", {"title": {"text": "regret (value behind the best)"},
                           "rangemode": "tozero"}, only=[_axis_key(regret_x)])
    return fig


# --- interactions ------------------------------------------------------------------------------


def interaction_heatmap(page: Page, outcomes: list[str]) -> Figure | None:
    """Option pair × outcome: the interaction Δ(a+b) − Δ(a) − Δ(b), coloured in % of the
    outcome's swing (the value's full range for the composite), signed so that synergy
    (together better than the sum of the parts) is blue; cells say synergy or interference
    only beyond the MMD."""
    table = page.result.interactions
    if table.empty or not {"pair", "outcome", "interaction_mean"} <= set(table.columns):
        return None
    pairs = list(dict.fromkeys(table["pair"].astype(str)))
    swings = {o: swing_of(page.scenario, o) for o in outcomes if o != COMPOSITE}
    cols = [o for o in outcomes if o == COMPOSITE or swings.get(o) is not None]
    lookup = {(str(r.pair), str(r.outcome)): r for r in table.itertuples(index=False)}
    z, text, hover = [], [], []
    for pair in pairs:
        z_row, text_row, hover_row = [], [], []
        for o in cols:
            row = lookup.get((pair, o))
            if row is None:
                z_row.append(None)
                text_row.append("")
                hover_row.append("")
                continue
            if o == COMPOSITE:
                value = 100 * float(row.interaction_mean)
                label, unit = "Value over status quo", "value"
            else:
                spec = page.scenario.outcomes[o]
                worst, best = swings[o]  # type: ignore[misc]
                value = 100 * float(row.interaction_mean) / (best - worst)
                label, unit = spec.label, effect_unit(page, o)
            verdict = str(getattr(row, "verdict", ""))
            z_row.append(round(value, 4))
            text_row.append({"synergy": "synergy", "interference": "interf."}.get(verdict, ""))
            k = 1.0 if o == COMPOSITE else _effect_scale(page, o)
            hover_row.append(
                f"{page.hover_name(pair)}<br>{plot_text(short(label, 60))}"
                f"<br>together − sum of parts: {_fmt(k * float(row.interaction_mean))} "
                f"{plot_text(unit)}"
                f"<br>90% CI {_fmt(k * float(row.ci_low))} to {_fmt(k * float(row.ci_high))}"
                f"<br>verdict: {plot_text(verdict)}")
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)
    finite = [abs(v) for r in z for v in r if v is not None]
    top = max([*finite, INTERACTION_SCALE_FLOOR])
    labels = ["Value over status quo" if o == COMPOSITE else page.scenario.outcomes[o].label
              for o in cols]
    return _diverging_heatmap(
        page, z, pairs, cols, labels, hover, top=top, cell="%{text}", blue="synergy",
        text=text, title="Do options work better together?",
        subtitle="Together minus the sum of each alone, in % of the outcome's swing; "
                 "blue = synergy, red = interference (labelled only beyond the MMD)")


# --- sensitivity -------------------------------------------------------------------------------


def _capital(text: str) -> str:
    """`text` with its first letter upper-case (parameter labels start with a path word)."""
    return text[:1].upper() + text[1:]


def _unique_labels(paths: list[str], labels: dict[str, tuple[str, str]]) -> list[str]:
    """A readable label per parameter path (never the path: `parameter_labels` gives one for
    every parameter); where two labels would clash, each says which actor, option or event
    it belongs to."""
    texts = [_capital(labels.get(p, (derived_label_words(p), ""))[0]) for p in paths]
    return [f"{t} ({p.split('.')[1] if p.count('.') >= 2 else p.split('.')[0]})"
            if texts.count(t) > 1 else t for p, t in zip(paths, texts, strict=True)]


def tornado_figure(page: Page, portfolio: str, labels: dict[str, tuple[str, str]],
                   outcome: str = COMPOSITE, top: int = 8) -> Figure | None:
    """The parameters the portfolio's effect hinges on: Spearman's rho between each uncertain
    parameter and the per-world effect, the `top` strongest, strongest on top."""
    drivers = page.result.drivers
    if drivers.empty or not {"portfolio", "outcome", "parameter", "rho"} <= set(drivers.columns):
        return None
    rows = drivers[(drivers["portfolio"].astype(str) == portfolio)
                   & (drivers["outcome"].astype(str) == outcome) & drivers["rho"].notna()]
    if rows.empty:
        return None
    order = "rank" if "rank" in rows.columns else "rho"
    rows = (rows.sort_values(order) if order == "rank"
            else rows.reindex(rows["rho"].abs().sort_values(ascending=False).index)).head(top)
    paths = [str(p) for p in rows["parameter"]]
    names = _unique_labels(paths, labels)
    rho = [float(v) for v in rows["rho"]]
    p_values = ([_num(v) for v in rows["p_value"]] if "p_value" in rows.columns
                else [None] * len(rows))
    units = [labels.get(p, ("", ""))[1] for p in paths]
    fig = new_figure(trace(
        "bar", x=rho, y=[plot_text(short(n, 42)) for n in names], orientation="h",
        marker={"color": [BETTER_COLOUR if v > 0 else WORSE_COLOUR for v in rho]},
        customdata=[[plot_text(n), plot_text(u), pv]
                    for n, u, pv in zip(names, units, p_values, strict=True)],
        hovertemplate="<b>%{customdata[0]}</b><br>unit: %{customdata[1]}"
        "<br>rank correlation %{x:+.2f}, p = %{customdata[2]:.2~r}<extra></extra>",
        showlegend=False, meta=_tag(portfolio),
    ))
    extent = min(1.0, max(abs(v) for v in rho) * 1.15 + 0.02)
    title = plot_text(short(page.scenario.options[portfolio].label
                            if portfolio in page.scenario.options else portfolio, 50))
    subtitle = ("Blue: a higher value makes the option do better; orange: worse"
                if outcome == COMPOSITE else plot_text(short(outcome, 60)))
    update(fig["layout"], base_layout(title, subtitle, 120 + 30 * len(rho)))
    update_axes(fig, "x", {"title": {"text": "rank correlation with its effect"},
                           "range": [-extent, extent], "zeroline": True, "zerolinecolor": "#333"})
    update_axes(fig, "y", {"autorange": "reversed", "automargin": True})
    return fig


def salib_figure(page: Page, portfolio: str, labels: dict[str, tuple[str, str]],
                 outcome: str, top: int = 10) -> Figure | None:
    """SALib indices of one portfolio's effect on one outcome: Morris μ* (± its confidence,
    with σ) or Sobol' first- and total-order indices, the `top` largest."""
    table = page.result.sensitivity
    if table.empty or "parameter" not in table.columns:
        return None
    rows = table
    if "portfolio" in rows.columns:
        rows = rows[rows["portfolio"].astype(str) == portfolio]
    if "outcome" in rows.columns:
        rows = rows[rows["outcome"].astype(str) == outcome]
    if rows.empty:
        return None
    morris = "mu_star" in rows.columns and rows["mu_star"].notna().any()
    key = "mu_star" if morris else "ST"
    if key not in rows.columns:
        return None
    rows = rows[rows[key].notna()].sort_values(key, ascending=False).head(top)
    if rows.empty:
        return None
    paths = [str(p) for p in rows["parameter"]]
    names = _unique_labels(paths, labels)
    y = [plot_text(short(n, 42)) for n in names]
    fig = new_figure()

    def bar(column: str, conf: str, name: str, colour: str) -> None:
        errors = rows[conf].fillna(0).tolist() if conf in rows.columns else None
        fig["data"].append(trace(
            "bar", x=rows[column].tolist(), y=y, orientation="h", name=name,
            marker={"color": colour},
            error_x={"type": "data", "array": errors, "color": "#444"} if errors else None,
            customdata=[plot_text(n) for n in names],
            hovertemplate=f"%{{customdata}}<br>{name}: %{{x:.3~r}}<extra></extra>",
            meta=_tag(portfolio),
        ))

    if morris:
        bar("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)", BETTER_COLOUR)
        if "sigma" in rows.columns:
            fig["data"].append(trace(
                "scatter", x=rows["sigma"].tolist(), y=y, mode="markers", name="σ (interactions)",
                marker={"symbol": "diamond", "color": WORSE_COLOUR, "size": 9},
                customdata=[plot_text(n) for n in names],
                hovertemplate="%{customdata}<br>σ: %{x:.3~r}<extra></extra>",
                meta=_tag(portfolio)))
        axis = "Morris μ* (effect units per design step)"
    else:
        bar("S1", "S1_conf", "first order S1", BETTER_COLOUR)
        bar("ST", "ST_conf", "total order ST", WORSE_COLOUR)
        update(fig["layout"], {"barmode": "group"})
        axis = "Sobol' index (share of the effect's variance)"
    title = plot_text(short(page.scenario.options[portfolio].label
                            if portfolio in page.scenario.options else portfolio, 50))
    what = "overall (composite score)" if outcome == COMPOSITE else plot_text(
        short(page.scenario.outcomes[outcome].label if outcome in page.scenario.outcomes
              else outcome, 50))
    update(fig["layout"], base_layout(title, f"Global sensitivity of its effect: {what}",
                                      150 + 28 * len(rows) * (1 if morris else 2)))
    update(fig["layout"], {"legend": {"orientation": "h", "y": -0.15, "x": 0}})
    update_axes(fig, "x", {"title": {"text": axis}, "rangemode": "tozero"})
    update_axes(fig, "y", {"autorange": "reversed", "automargin": True})
    return fig


# --- a world's story ---------------------------------------------------------------------------


def _event_words(event: str) -> str:
    return event.replace("_", " ")


def story_figure(page: Page, world: int, portfolio: str = STATUS_QUO) -> Figure | None:
    """One sample world's event log under one portfolio: month on x, one lane per actor and
    kind of event (grouped by actor), one marker per kind of event and month (its size grows
    with the count), hover text with the details."""
    events = page.result.events
    needed = {"portfolio", "world", "month", "actor", "event"}
    if events.empty or not needed <= set(events.columns):
        return None
    rows = events[key_is(events["portfolio"], portfolio)
                  & (events["world"].astype(int) == int(world))]
    if rows.empty:
        return None
    value = pd.to_numeric(rows.get("value", 1.0), errors="coerce")
    rows = rows.assign(actor=rows["actor"].astype(str), event=rows["event"].astype(str),
                       value=value, one=value == 1)
    grouped = (rows.groupby(["actor", "event", "month"], sort=False)
               .agg(count=("event", "size"), total=("value", "sum"), ones=("one", "all"))
               .reset_index())
    rank = {a: i for i, a in enumerate(ACTOR_ORDER)}
    first = {key: i for i, key in enumerate(dict.fromkeys(zip(rows["actor"], rows["event"],
                                                               strict=True)))}
    lanes = sorted(first, key=lambda k: (rank.get(k[0], len(rank)), k[0], first[k]))
    lane_label = {k: plot_text(f"{k[0]} · {_event_words(k[1])}") for k in lanes}
    start = page.scenario.meta.start
    fig = new_figure()
    for actor in sorted(set(grouped["actor"]), key=lambda a: (rank.get(a, len(rank)), a)):
        mine = grouped[grouped["actor"] == actor]
        hover = []
        for r in mine.itertuples(index=False):
            text = (f"{plot_text(month_label(start, int(r.month)))} · {plot_text(actor)}"
                    f"<br>{plot_text(_event_words(r.event))}")
            if r.count > 1:
                text += f" ×{int(r.count)}"
            if not r.ones and not is_missing(r.total):
                text += f"<br>amount {_fmt(r.total)}"
            hover.append(text)
        fig["data"].append(trace(
            "scatter", x=mine["month"].astype(int).tolist(),
            y=[lane_label[(actor, e)] for e in mine["event"]],
            mode="markers", name=plot_text(actor),
            marker={"color": ACTOR_COLOURS.get(actor, "#333"), "line": {"width": 0},
                    "size": [7 + 2.5 * min(int(c) - 1, 4) for c in mine["count"]],
                    "opacity": 0.85},
            text=hover, hovertemplate="%{text}<extra></extra>",
        ))
    months = page.scenario.meta.horizon_months
    ticks = list(range(0, months, 3 if months <= 48 else 6))
    title = ("Status quo" if portfolio == STATUS_QUO
             else plot_text(short(portfolio, 60)))
    update(fig["layout"], base_layout(
        f"World {int(world)} under {title}",
        "Each marker: events of one kind in one month (bigger = several)",
        130 + 22 * len(lanes)))
    update(fig["layout"], {"legend": {"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right",
                                      "yanchor": "bottom"}, "margin": {"t": 95}})
    update_axes(fig, "x", {"title": {"text": "month"}, "tickvals": ticks,
                           "ticktext": [plot_text(month_label(start, t)) for t in ticks],
                           "range": [-0.7, months - 0.3]})
    update_axes(fig, "y", {"type": "category", "categoryorder": "array",
                           "categoryarray": [lane_label[k] for k in lanes],
                           "autorange": "reversed", "automargin": True})
    return fig


def prim_tradeoff_figure(page: Page, portfolio: str) -> Figure | None:
    """PRIM's peeling trajectory for each of the portfolio's failure boxes: coverage (share of
    all failures inside) against density (share of the box's worlds that fail), one line per
    box from the whole space (coverage 1) to the smallest box, the chosen box marked. Moving
    left buys a purer box at the price of explaining fewer failures."""
    import json

    table = page.result.failures
    if table.empty or not {"portfolio", "trajectory"} <= set(table.columns):
        return None
    rows = table[table["portfolio"].astype(str) == portfolio]
    traces = []
    for number, r in enumerate(rows.itertuples(index=False), start=1):
        try:
            steps = json.loads(str(r.trajectory))
        except ValueError:
            continue
        if not steps:
            continue
        outcome = str(getattr(r, "outcome", ""))
        name = ("overall" if outcome == COMPOSITE else
                page.scenario.outcomes[outcome].label if outcome in page.scenario.outcomes
                else outcome)
        label = plot_text(short(f"box {number}: {name}", 48))
        traces.append(trace(
            "scatter", x=[s["coverage"] for s in steps], y=[s["density"] for s in steps],
            mode="lines+markers", name=label, marker={"size": 5},
            hovertemplate="coverage %{x:.0%}, density %{y:.0%}<extra>" + label + "</extra>",
        ))
        chosen = getattr(r, "chosen_step", None)
        if chosen is not None and not is_missing(chosen) and 0 <= int(chosen) < len(steps):
            step = steps[int(chosen)]
            traces.append(trace(
                "scatter", x=[step["coverage"]], y=[step["density"]], mode="markers",
                marker={"size": 12, "symbol": "star", "color": "#222"}, showlegend=False,
                hovertemplate="chosen: coverage %{x:.0%}, density %{y:.0%}<extra>"
                + label + "</extra>",
            ))
    if not traces:
        return None
    fig = new_figure(*traces)
    update(fig["layout"], base_layout("Coverage against density as PRIM peels",
                                      "Star: the box reported", 320))
    update_axes(fig, "x", {"title": {"text": "coverage (share of all failures inside)"},
                           "tickformat": ".0%", "range": [0, 1.02]})
    update_axes(fig, "y", {"title": {"text": "density (share failing inside)"},
                           "tickformat": ".0%", "range": [0, 1.02]})
    return fig
