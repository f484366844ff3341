"""What every part of the dashboard shares: escaping, names, colours, figure layout, tables.

Escaping rules (the scenario file and every result table are untrusted text):

- `esc` for HTML text and quoted attributes (`html.escape`).
- `plot_text` for anything plotly draws (titles, ticks, hover text, annotations): plotly renders
  a subset of HTML tags there, so `<` and `&` are written as entities, which plotly.js shows as
  the literal characters.
- `json_for_script` for data embedded in `<script type="application/json">`: `<`, `>` and `&`
  become `\\u003c`, `\\u003e`, `\\u0026`, so nothing can close the script element.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline

from axis_sim.experiment.results import RunResult
from axis_sim.model.metrics import METRICS
from axis_sim.report.formatting import MISSING
from axis_sim.report.lazy import lazy_script
from axis_sim.report.table import BINARY_UNIT
from axis_sim.scenario.schema import STATUS_QUO, OutcomeSpec, Scenario

STATUS_QUO_COLOUR = "#7f7f7f"
# Okabe–Ito (colour-blind safe, without its grey and pale yellow), then Tableau 10 for overflow.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#9C755F", "#EDC948",
    # then CARTO Bold, so that up to 24 portfolios get distinct colours
    "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74", "#80BA5A",
    "#E68310", "#008695", "#CF1C90", "#F97B72", "#4B4B8F", "#17BECF",
)
PLOT_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
# Modebar buttons that send a chart to a server ("Share chart…" uploads it to Plotly's cloud;
# older plotly.js had "Edit in Chart Studio" and a "showLink" link): every page the project
# writes says nothing leaves the file, so none is offered. plotly.js ignores the keys it does
# not know (showLink, showEditInChartStudio are plotly.js 1-2 names), so all are set.
UPLOAD_BUTTONS: tuple[str, ...] = ("sendDataToCloud", "sendChartToCloud", "editInChartStudio")
PLOT_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": [
        "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "pan2d",
        *UPLOAD_BUTTONS,
    ],
}
TITLE_CHARS = 60  # figure titles are cut to this many characters; the page headings are not
SHORT_NAME_CHARS = 24  # longer portfolio names are abbreviated in ticks (in full in hover)


# --- text --------------------------------------------------------------------------------------


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def plot_text(value: object) -> str:
    """Text safe to put in a plotly title, label or annotation: its pseudo-HTML is neutralised.

    plotly.js turns `&lt;` back into a literal `<` when it draws, so the reader sees the text as
    written and no tag (`<a href>`, `<b>`, `<br>`) takes effect.
    """
    return html.escape(str(value), quote=False)


def short(value: object, limit: int = TITLE_CHARS) -> str:
    """Text cut to `limit` characters with an ellipsis (before escaping, so no entity is split)."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def html_head(title: str, css: str) -> str:
    """The start of a self-contained page, up to `<body>`: metadata, the escaped title, the
    stylesheet and plotly.js inline (nothing is fetched when the page opens)."""
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>", f"<style>{css}</style>",
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>', lazy_script(),
        "</head>", "<body>"])


def json_for_script(data: object) -> str:
    """`data` as JSON that is safe inside `<script type="application/json">` (no `<`, `>`, `&`)."""
    text = json.dumps(_finite(data), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _finite(value: object) -> object:
    """NaN and infinities as None (JSON has no NaN), recursively; numpy scalars as Python."""
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # type: ignore[union-attr]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --- data access -------------------------------------------------------------------------------

WorldTableName = Literal["outcomes", "scores", "parameters"]
# Per-world charts of a run too large to hold (its tables live on disk) show this many worlds.
REPORT_WORLDS = 20_000


def world_table(result: RunResult, name: WorldTableName) -> pd.DataFrame:
    """One of the run's per-world tables (`outcomes`, `scores` or `parameters`).

    Every report reads these through here. A run whose per-world tables live on disk (a very
    large one) gives its first `REPORT_WORLDS` worlds, read once and kept on the result; its
    summary tables (comparison, ranking, monthly) still cover every world. So callers must stay
    right on any subset of worlds: align worlds by their ids, never assume ids are 0..n-1 or
    that every world is present.
    """
    if result.table_file(name) is None:
        return getattr(result, name)
    cache: dict[str, pd.DataFrame] = result.__dict__.setdefault("_report_samples", {})
    if name not in cache:
        cache[name] = result.worlds_of(name, REPORT_WORLDS)
    return cache[name]


def sampled_worlds(result: RunResult) -> int | None:
    """How many worlds the per-world charts show, when that is fewer than the run has."""
    return REPORT_WORLDS if result.table_file("outcomes") is not None else None


def key_is(column: pd.Series, value: str) -> pd.Series:
    """Which rows of a key column (portfolio, outcome, …) hold `value`, compared as text.

    A categorical column (the event log's: over a million rows) is compared through its few
    categories, which is far cheaper than turning every row into a string first.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        wanted = np.flatnonzero(column.cat.categories.astype(str) == value)
        return pd.Series(np.isin(column.cat.codes.to_numpy(), wanted), index=column.index)
    return column.astype(str) == value


def long_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with `portfolio`/`outcome` as columns, whether they came as index or columns."""
    if "portfolio" in frame.columns:
        return frame
    return frame.reset_index()


def run_portfolios(result: RunResult) -> list[str]:
    """Portfolio names in run order, status quo first, from whichever table has them."""
    names: list[str] = []
    outcomes = world_table(result, "outcomes")
    if "portfolio" in outcomes.columns and len(outcomes):
        names = list(dict.fromkeys(str(p) for p in outcomes["portfolio"].unique()))
    elif result.manifest.get("portfolios"):
        names = [str(p) for p in result.manifest["portfolios"]]
    elif "portfolio" in long_table(result.comparison).columns:
        names = list(dict.fromkeys(long_table(result.comparison)["portfolio"].astype(str)))
    if STATUS_QUO in names:
        names = [STATUS_QUO, *(n for n in names if n != STATUS_QUO)]
    return names


def comparison_rows(result: RunResult, outcome: str, portfolios: Sequence[str]) -> pd.DataFrame:
    """The comparison rows of one outcome, one per portfolio, in portfolio order."""
    table = long_table(result.comparison)
    if table.empty or "outcome" not in table.columns:
        return pd.DataFrame(columns=["portfolio", "outcome"])
    rows = table[table["outcome"].astype(str) == outcome].copy()
    rows["portfolio"] = rows["portfolio"].astype(str)
    rows = rows[rows["portfolio"].isin(set(portfolios))]
    order = {name: i for i, name in enumerate(portfolios)}
    rows["_order"] = rows["portfolio"].map(lambda p: order.get(p, len(order)))
    return rows.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def ranked_portfolios(result: RunResult, portfolios: Sequence[str]) -> list[str]:
    """`portfolios` best composite rank first when the run has a ranking, else in run order."""
    if result.ranking.empty or "portfolio" not in result.ranking.columns:
        return list(portfolios)
    order = [str(p) for p in result.ranking["portfolio"] if str(p) in set(portfolios)]
    return order + [p for p in portfolios if p not in set(order)]


def manifest_value(manifest: dict[str, Any], key: str) -> str:
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


# --- names and colours -------------------------------------------------------------------------


def portfolio_colours(portfolios: Sequence[str]) -> dict[str, str]:
    """One colour per portfolio, the same in every figure: status quo grey, others by run order."""
    colours: dict[str, str] = {}
    others = [p for p in portfolios if p != STATUS_QUO]
    for i, name in enumerate(others):
        colours[name] = PALETTE[i % len(PALETTE)]
    if STATUS_QUO in portfolios:
        colours[STATUS_QUO] = STATUS_QUO_COLOUR
    return colours


def rgba(hex_colour: str, alpha: float) -> str:
    """`#rrggbb` as an `rgba(...)` string with the given opacity (for bands)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def option_codes(scenario: Scenario) -> dict[str, str]:
    """A short upper-case code per option (`warn_beijing` → `WB`), unique within the scenario.

    Initials of the id's words; on a clash, the first three letters of each word; failing that,
    the id itself.
    """
    ids = list(scenario.options)

    def initials(name: str, width: int) -> str:
        return "".join(w[:width] for w in name.split("_") if w).upper()

    for width in (1, 3):
        codes = {name: initials(name, width) for name in ids}
        if len(set(codes.values())) == len(codes) and all(codes.values()):
            return codes
    return {name: name for name in ids}


def short_name(scenario: Scenario, name: str) -> str:
    """A portfolio name short enough for an axis tick: itself if short, else option codes.

    `warn_beijing+public_disclosure` → `WB+PD`; names that are not option combinations are cut
    with an ellipsis. The full name is always in the hover text and the portfolio key.
    """
    if len(name) <= SHORT_NAME_CHARS and "+" not in name:
        return name.replace("_", " ")  # words, not an identifier: "warn beijing"
    codes = option_codes(scenario)
    parts = name.split("+")
    if all(p in codes for p in parts):
        return "+".join(codes[p] for p in parts)
    return short(name, SHORT_NAME_CHARS)


def portfolio_label(scenario: Scenario, name: str) -> str:
    """Readable label of a portfolio: option labels joined by " + ", or the name itself."""
    if name == STATUS_QUO:
        return "No new policy"
    members = scenario.portfolios.get(name) or name.split("+")
    labels = [scenario.options[m].label if m in scenario.options else m for m in members]
    return " + ".join(labels)


def tick_label(scenario: Scenario, portfolio: str) -> str:
    """A portfolio as a category tick: its short name, safe for plotly."""
    return plot_text(short_name(scenario, portfolio))


def better_phrase(spec: OutcomeSpec) -> str:
    """"Lower is better" / "Higher is better"."""
    return f"{spec.better.capitalize()} is better"


def better_sign(spec: OutcomeSpec) -> float:
    """+1 where higher is better, −1 where lower is better."""
    return 1.0 if spec.better == "higher" else -1.0


OutcomeKind = Literal["binary", "count", "level"]


def scenario_outcome_kind(scenario: Scenario, outcome: str) -> OutcomeKind:
    """How an outcome is summarised in every chart and table the project draws:

    - "binary": a yes/no outcome (unit "0/1"): the chance it has happened (share of worlds),
      effects in percentage points — a median or a 5–95% band of 0s and 1s says nothing;
    - "count": a cumulative count (it only grows; the run reports the share of worlds where
      it has happened, `p_event`): its mean with an interval, and its distribution;
    - "level": anything else (an index, a stock, a ladder rung): median and range.
    """
    spec = scenario.outcomes.get(outcome)
    if spec is not None and spec.unit == BINARY_UNIT:
        return "binary"
    metric = METRICS.get(outcome)
    return "count" if metric is not None and metric.cumulative else "level"


def outcome_kind(result: RunResult, outcome: str) -> OutcomeKind:
    """`scenario_outcome_kind` of a run's outcome."""
    return scenario_outcome_kind(result.scenario, outcome)


def scenario_prose(scenario: Scenario, text: str) -> str:
    """Prose from the scenario (a description, a source) as a reader sees it: the parameter
    paths it mentions (`actors.DPRK.initial_stockpile`) replaced by their labels. Not escaped."""
    from axis_sim.scenario.parameters import parameter_labels, plain_paths

    return plain_paths(text, parameter_labels(scenario))


def unit_title(unit: str) -> str:
    """An axis title that is the outcome's unit, safe for plotly and short enough to fit."""
    return plot_text(short(unit, 50))


# --- figures -----------------------------------------------------------------------------------
#
# Figures are plain dicts in plotly's JSON schema, not `plotly.graph_objects`: the graph objects
# validate every property on every assignment, which took most of the dashboard's render time
# (tests/test_dashboard.py checks the dicts against the schema instead). The few things the
# graph objects did besides validating are done here: `base_layout` embeds the template itself
# (plotly.js knows no named templates) and `named_colorscale` spells out a colour scale.

Figure = dict[str, Any]  # {"data": [trace, ...], "layout": {...}}, ready for plotly's encoder

ROW_PITCH = 26  # pixels per portfolio row in the row-per-portfolio charts (one-line ticks)
ROW_BASE = 110  # pixels of title, axis and margins around those rows


def new_figure(*traces: dict[str, Any]) -> Figure:
    """A figure holding `traces` and an empty layout."""
    return {"data": list(traces), "layout": {}}


def _given(props: dict[str, Any]) -> dict[str, Any]:
    """`props` without the None values: an unset property, as the graph objects treat None."""
    return {k: v for k, v in props.items() if v is not None}


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """One trace of type `kind` ("scatter", "bar", "box", "heatmap") with the given properties."""
    return {"type": kind, **_given(props)}


def add_annotation(fig: Figure, **props: Any) -> None:
    """Append an annotation to the figure's layout."""
    fig["layout"].setdefault("annotations", []).append(_given(props))


def add_vline(fig: Figure, x: float, line: dict[str, Any], xref: str = "x",
              yref: str = "y") -> None:
    """A vertical line at `x` across the whole height of the plot area of axes `xref`/`yref`
    (what `go.Figure.add_vline` adds)."""
    fig["layout"].setdefault("shapes", []).append(
        {"type": "line", "x0": x, "x1": x, "xref": xref, "y0": 0, "y1": 1,
         "yref": f"{yref} domain", "line": line})


def update(target: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Merge `changes` into `target` recursively, as plotly's `update_layout` does: nested dicts
    are merged key by key, None unsets a key, anything else replaces what was there. Dicts are
    copied in, so `target` never shares them (the cached template among them). Returns
    `target`."""
    for key, value in changes.items():
        current = target.get(key)
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            update(current, value)
        else:
            target[key] = copy.deepcopy(value) if isinstance(value, dict) else value
    return target


def axis_names(layout: dict[str, Any], letter: str) -> list[str]:
    """The layout keys of every `letter` ("x" or "y") axis (`xaxis`, `xaxis2`, …); just the
    first when the layout has none yet, as `update_xaxes` creates it."""
    pattern = re.compile(rf"{letter}axis\d*")
    return [k for k in layout if pattern.fullmatch(k)] or [f"{letter}axis"]


def update_axes(fig: Figure, letter: str, changes: dict[str, Any],
                only: list[str] | None = None) -> None:
    """Merge `changes` into every `letter` axis of the figure, or into the axes `only` names."""
    layout = fig["layout"]
    for name in only if only is not None else axis_names(layout, letter):
        update(layout.setdefault(name, {}), changes)


@functools.cache
def _template(name: str) -> dict[str, Any]:
    """A plotly.py template as the JSON the graph objects embed in every figure's layout."""
    return pio.templates[name].to_plotly_json()


@functools.cache
def named_colorscale(name: str) -> tuple[tuple[float, str], ...]:
    """A plotly.py named colour scale as explicit stops, as the graph objects write it: plotly.js
    has different scales under some of the same names (its "RdBu" is not ColorBrewer's)."""
    return tuple((float(at), str(colour))
                 for at, colour in go.Heatmap(colorscale=name).colorscale)


def rows_height(count: int, base: int = ROW_BASE, minimum: int = 0) -> int:
    """Height of a chart with one row per portfolio (`base` pixels for title, axes and margins;
    never less than `minimum`)."""
    return max(minimum, base + ROW_PITCH * max(count, 1))


def base_layout(title: str, subtitle: str, height: int) -> dict[str, Any]:
    """Layout settings every figure shares: title, white template, system font, fixed height.

    `title` and `subtitle` must already be plotly-safe (see `plot_text`). The template dict is
    cached and shared: merge the result into a layout with `update` (which copies it).
    """
    return {
        "title": {"text": title, "subtitle": {"text": subtitle}, "x": 0.0, "xanchor": "left"},
        "template": _template("plotly_white"),
        "font": {"family": PLOT_FONT, "size": 13},
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 75, "b": 50},
        "hoverlabel": {"font": {"family": PLOT_FONT}},
    }


def row_layout_meta(count: int, base: int = ROW_BASE, minimum: int = 0) -> dict[str, Any]:
    """`layout.meta` of a row-per-portfolio chart: lets the page resize it when rows are hidden
    (height = max(minHeight, rowBase + rowPitch × rows shown), as `rows_height`)."""
    return {"rowPitch": ROW_PITCH, "rowBase": base, "minHeight": minimum, "rows": count}


def figure_html(fig: Figure | go.Figure, div_id: str,
                config: dict[str, Any] | None = None) -> str:
    """A figure as an HTML fragment that relies on the page's single inline plotly.js.

    Takes a figure dict (serialised as it is, without validation) or a `go.Figure` (other
    reports still build those). Every page the project writes renders its figures here, with
    `PLOT_CONFIG` or a `config` built from it (no upload buttons either way).
    """
    data = fig.to_plotly_json() if isinstance(fig, go.Figure) else fig
    with warnings.catch_warnings():
        # plotly.py knows only its own plotly.js's config keys; the no-upload keys of other
        # plotly.js versions (showLink, showEditInChartStudio) are set on purpose.
        warnings.filterwarnings("ignore", message=r"\s*Unrecognized config options")
        return pio.to_html(
            data,
            validate=False,
            config=PLOT_CONFIG if config is None else config,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            default_width="100%",
            default_height=f"{data['layout'].get('height')}px",
            div_id=div_id,
        )


def figure_block(fig: Figure | None, div_id: str, caption: str, attrs: str = "") -> str:
    """A <figure> with the plot and an (already-escaped) caption, or a note if there is no data.

    `attrs` are extra, already-escaped attributes for the <figure> element.
    """
    if fig is None:
        return f'<p class="muted no-data">No data for this chart. {caption}</p>'
    return (
        f"<figure{attrs}>\n{figure_html(fig, div_id)}\n"
        f"<figcaption>{caption}</figcaption>\n</figure>"
    )


# --- tables ------------------------------------------------------------------------------------


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    css_class: str,
    caption: str = "",
    row_attrs: Sequence[str] | None = None,
) -> str:
    """An HTML table from already-escaped header, cell and (optional) caption fragments.

    `row_attrs`, if given, holds one already-escaped attribute string per row (e.g.
    ` data-portfolio="x"`).
    """
    head = "".join(f"<th>{h}</th>" for h in headers)
    rows = list(rows)
    attrs = list(row_attrs) if row_attrs is not None else [""] * len(rows)
    body = "\n".join(
        f"<tr{attr}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
        for row, attr in zip(rows, attrs, strict=True)
    )
    caption_html = f"<caption>{caption}</caption>\n" if caption else ""
    return (
        f'<table class="{css_class}">\n{caption_html}<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def swatch(colour: str) -> str:
    """A small colour square (the colour is ours, never from the scenario)."""
    return f'<span class="swatch" style="background:{colour}"></span>'


def portfolio_cell(scenario: Scenario, name: str, colours: dict[str, str]) -> str:
    """A table cell naming a portfolio: swatch, id and readable label."""
    return (
        f"{swatch(colours.get(name, '#000'))}<code>{esc(name).replace('+', '+<wbr>')}</code><br>"
        f'<span class="muted">{esc(portfolio_label(scenario, name))}</span>'
    )


def data_attr(name: str, value: str) -> str:
    """` data-<name>="value"`, escaped."""
    return f' data-{name}="{esc(value)}"'


# --- the page's shared context -----------------------------------------------------------------


def short_names(scenario: Scenario, portfolios: Sequence[str]) -> dict[str, str]:
    """`short_name` of every portfolio, made unique (a clash gets ` (2)`, ` (3)`, …)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for name in portfolios:
        candidate = base = short_name(scenario, name)
        k = 2
        while candidate in used:
            candidate, k = f"{base} ({k})", k + 1
        used.add(candidate)
        names[name] = candidate
    return names


@dataclass
class Page:
    """What every section and figure of one dashboard needs: the run, its portfolios in run
    order (status quo first), their colours and short names, and the headline outcomes."""

    result: RunResult
    portfolios: list[str]
    colours: dict[str, str]
    shorts: dict[str, str]
    headline: list[str]

    @classmethod
    def of(cls, result: RunResult) -> Page:
        portfolios = run_portfolios(result)
        return cls(result=result, portfolios=portfolios,
                   colours=portfolio_colours(portfolios),
                   shorts=short_names(result.scenario, portfolios),
                   headline=result.scenario.headline_outcomes)

    @property
    def scenario(self) -> Scenario:
        return self.result.scenario

    def colour(self, name: str) -> str:
        return self.colours.get(name, STATUS_QUO_COLOUR)

    def tick(self, name: str) -> str:
        """The portfolio's tick label, plotly-safe."""
        return plot_text(self.shorts.get(name) or short_name(self.scenario, name))

    def hover_name(self, name: str) -> str:
        """The portfolio's full name (bold) and label, plotly-safe, for the top of a hover box."""
        label = portfolio_label(self.scenario, name)
        return f"<b>{plot_text(name)}</b><br>{plot_text(short(label, 80))}"

    def ranked(self) -> list[str]:
        return ranked_portfolios(self.result, self.portfolios)
