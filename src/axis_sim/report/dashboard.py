"""The self-contained HTML dashboard of a run: one file that opens from disk with no network.

The page is one application with one state (`assets.CONTROLS_JS`): a top bar (the controls
toggle, a search box for portfolios and outcomes, the sections menu, the weights' state) over
a collapsible controls panel (swing weights, portfolio and outcome checkboxes; open beside the
page on a wide screen, folded below 1280 px) and the sections. Weights, checkboxes, search,
selects and folded sections drive every element and live in the URL fragment, so a link or a
reload reproduces the view. Portfolios are in rank order everywhere (`rank_ordered`), and the
page keeps every ranking in the current order when a weight changes.

Sections, in order: the decision first (the bottom line; every portfolio best first at the
current weights with its value, ties, gains and costs in natural units; rank acceptability
over weight space, the Pareto set, exchange rates and double counting — `dashboard_decision`,
from a Jinja2 template); the headline comparison (level chart and forest plot per headline
outcome); the ranking with regret and the live re-ranking; trade-offs (a two-outcome scatter
and a portfolio × outcome heatmap); distributions over worlds; the summary table; interactions
of option pairs; sensitivity; failure conditions; a sample world's story; monthly fan charts;
the assumptions. The run's metadata is in the footer (`dashboard_frame`).

Modules: `common` (escaping, names, colours, shared layout), `analysis` (derived numbers),
`figures` (plotly figures), `sections` (HTML sections), `dashboard_frame` (top bar, controls
panel, header, footer), `dashboard_decision`, `assets` (CSS and the inline scripts), `lazy`
(charts drawn when scrolled to); this module assembles the page from `templates/dashboard.html`
and writes it.

Safety: the scenario file and the result tables are untrusted text. Everything taken from them
is passed through `html.escape` before it reaches the page, and through `plot_text` before it
reaches a plotly figure (plotly renders a subset of HTML tags in titles, labels and hover
text). Figure data is serialised by plotly's JSON encoder, which writes `<`, `>` and `/` as
`\\u003c`, `\\u003e` and `\\u002f`; the page's own data block is JSON with `<`, `>` and `&`
written as `\\u003c`, `\\u003e`, `\\u0026` — so no data can close a `<script>` block. plotly.js
is embedded once, inline; there is no CDN, MathJax, web font or other network reference.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from axis_sim.experiment.results import RunResult
from axis_sim.io import atomic_write_text
from axis_sim.report.analysis import weight_model
from axis_sim.report.assets import CONTROLS_JS, CSS, PRINT_RESIZE_JS
from axis_sim.report.common import (
    Page,
    html_head,
    json_for_script,
    portfolio_colours,
    portfolio_label,
    short_names,
)
from axis_sim.report.dashboard_decision import SHOWN_ROWS, decision_section
from axis_sim.report.dashboard_frame import (
    TOP_PORTFOLIOS,
    controls_html,
    footer_html,
    header_html,
    topbar_html,
)
from axis_sim.report.figures import better_corner, tradeoff_axis_title, tradeoff_points
from axis_sim.report.formatting import format_number, format_probability
from axis_sim.report.sections import (
    assumptions_section,
    distributions_section,
    failures_section,
    headline_section,
    interactions_section,
    monthly_section,
    parameter_rows,
    ranking_section,
    sensitivity_section,
    single_options,
    story_section,
    summary_section,
    tradeoff_defaults,
    tradeoffs_section,
)
from axis_sim.report.templates import markup, render
from axis_sim.scenario.distributions import describe as describe_distribution
from axis_sim.scenario.schema import STATUS_QUO

__all__ = [
    "DATA_ID",
    "dashboard_data",
    "describe_distribution",
    "format_number",
    "format_probability",
    "parameter_rows",
    "portfolio_colours",
    "rank_ordered",
    "render_dashboard",
    "write_dashboard",
]

DATA_ID = "dashboard-data"  # id of the page's <script type="application/json"> data block
# Sections folded when the page opens (a click on the heading, or the sections menu, opens
# them): always the assumptions; with many portfolios, the long per-portfolio sections too.
COLLAPSED = ["assumptions"]
COLLAPSED_MANY = ["distributions", "summary", "monthly"]
MANY = 12  # portfolios (status quo included) beyond which COLLAPSED_MANY start folded


def rank_ordered(result: RunResult) -> Page:
    """The page's context with its portfolios in rank order at the scenario's weights (status
    quo where it ranks), colours handed out in that order (the best-ranked get the most
    distinct ones) and short names made unique in that order. Without a ranking, run order."""
    page = Page.of(result)
    ranked = page.ranked()
    return replace(page, portfolios=ranked, colours=portfolio_colours(ranked),
                   shorts=short_names(result.scenario, ranked))


def dashboard_data(page: Page, model: dict[str, Any] | None) -> dict[str, Any]:
    """What the page's controls script needs, embedded as JSON.

    - `portfolios` (in rank order), `singles`, `ranked` (best first), `top`, `statusQuo`,
      `short`, `colours`, `labels`: names and how to draw them;
    - `outcomes`: headline outcome id → label (the search box matches them);
    - `defaultRank`: each portfolio's rank under the scenario's weights (`ranking.rank`);
    - `collapsed`: the sections folded when the page opens (`collapsed_sections`);
    - `weights`: `analysis.weight_model` (None without an outcomes table), with `mmd`, each
      scored outcome's minimal meaningful difference (None where the scenario states none):
      the page flags portfolios whose values differ by less than the value MMD as tied;
    - `tradeoff`: per headline outcome and portfolio [mean difference, CI low, CI high], the
      axis titles and which corner is "better on both".
    """
    result = page.result
    ranking = result.ranking
    default_rank: dict[str, int] = {}
    if not ranking.empty and {"portfolio", "rank"} <= set(ranking.columns):
        default_rank = {str(p): int(r) for p, r in zip(ranking["portfolio"], ranking["rank"],
                                                        strict=True)}
    tradeoff = None
    defaults = tradeoff_defaults(page)
    if defaults is not None:
        choices = defaults[0]
        specs = page.scenario.outcomes
        tradeoff = {
            "points": {o: tradeoff_points(page, o) for o in choices},
            "titles": {o: {"x": tradeoff_axis_title(page, o, "x"),
                           "y": tradeoff_axis_title(page, o, "y")} for o in choices},
            "better": {o: specs[o].better for o in choices},
            "corners": {f"{bx}-{by}": better_corner(bx, by)
                        for bx in ("lower", "higher") for by in ("lower", "higher")},
        }
    if model is not None:
        specs = page.scenario.outcomes
        model = {**model, "mmd": [specs[o].mmd.value if specs[o].mmd is not None else None
                                  for o in model["outcomes"]]}
    return {
        "statusQuo": STATUS_QUO,
        "portfolios": page.portfolios,
        "singles": single_options(page),
        "ranked": [p for p in page.ranked()],
        "top": TOP_PORTFOLIOS,
        "shownRows": SHOWN_ROWS,
        "short": page.shorts,
        "colours": page.colours,
        "labels": {p: portfolio_label(page.scenario, p) for p in page.portfolios},
        "outcomes": {o: page.scenario.outcomes[o].label for o in page.headline},
        "defaultRank": default_rank,
        "collapsed": collapsed_sections(page),
        "weights": model,
        "tradeoff": tradeoff,
    }


def collapsed_sections(page: Page) -> list[str]:
    """The sections folded when the page opens."""
    return COLLAPSED + (COLLAPSED_MANY if len(page.portfolios) > MANY else [])


def render_dashboard(result: RunResult) -> str:
    """The whole dashboard as one self-contained HTML string (plotly.js inline, once)."""
    page = rank_ordered(result)
    model = weight_model(result)
    meta = result.scenario.meta
    sections = "\n".join([
        decision_section(result, page, model),
        headline_section(page),
        ranking_section(page, model),
        tradeoffs_section(page),
        distributions_section(page),
        summary_section(page),
        interactions_section(page),
        sensitivity_section(page),
        failures_section(page),
        story_section(page),
        monthly_section(page),
        assumptions_section(page),
    ])
    return render(
        "dashboard.html",
        head=markup(html_head(f"{meta.title} — axis_sim dashboard", CSS)),
        topbar=markup(topbar_html(page, model)),
        controls=markup(controls_html(page, model)),
        header=markup(header_html(page)),
        sections=markup(sections),
        footer=markup(footer_html(page)),
        data_id=DATA_ID,
        data=markup(json_for_script(dashboard_data(page, model))),
        controls_js=markup(CONTROLS_JS),
        print_js=markup(PRINT_RESIZE_JS),
    )


def write_dashboard(result: RunResult, path: Path) -> Path:
    """Render the dashboard and write it atomically to `path`; returns the path written."""
    return atomic_write_text(path, render_dashboard(result))
