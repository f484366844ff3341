"""The dashboard's frame around its sections: the top bar (controls toggle, search, sections
menu, the weights' state), the header, the controls panel and the footer with the run's
metadata.

The controls panel and the top bar are the page's one state (see `assets.CONTROLS_JS`): the
portfolio and outcome checkboxes, the swing weights and the search box drive every section,
and the page writes them to its URL fragment so that a link (or a reload) reproduces the view.
Portfolios are listed in rank order (the page's script keeps that order when weights change).

Every string from the scenario or the results is escaped with `esc`.
"""

from __future__ import annotations

from typing import Any

from axis_sim.report.common import (
    Page,
    data_attr,
    esc,
    long_table,
    manifest_value,
    option_codes,
    portfolio_label,
    sampled_worlds,
    scenario_prose,
    short,
    swatch,
)
from axis_sim.report.formatting import format_number, significant
from axis_sim.report.sections import SECTIONS

TOP_PORTFOLIOS = 8  # the "Top 8" button of the portfolio checkboxes


def _weight_text(value: float) -> str:
    """A default weight as a person types it: 1, 0.4, 0.25 (never 1e-05)."""
    return significant(value, 6) if value else "0"


def topbar_html(page: Page, model: dict[str, Any] | None) -> str:
    """The bar that stays at the top: the controls toggle, the title, the search box, the
    sections menu and the weights' state."""
    links = "\n".join(f'<li><a href="#{sid}">{esc(title)}</a></li>' for sid, title in SECTIONS)
    weights = ("" if model is None else
               '<button type="button" class="weights-badge" id="weights-badge" aria-live="polite" '
               'title="Show the weights">Scenario weights</button>')
    return "\n".join([
        '<div class="topbar no-print" id="topbar">',
        '<button type="button" id="controls-toggle" aria-controls="controls" '
        'aria-expanded="true" title="Show or hide the controls">☰ Controls</button>',
        f'<span class="topbar-title" title="{esc(page.scenario.meta.title)}">'
        f"{esc(short(page.scenario.meta.title, 70))}</span>",
        '<label class="search"><span class="visually-hidden">Search portfolios and outcomes'
        '</span><input type="search" id="search" autocomplete="off" '
        'placeholder="Filter portfolios or outcomes…" aria-describedby="search-status">'
        "</label>",
        '<span class="search-status muted" id="search-status" role="status"></span>',
        '<details class="sections-menu" id="sections-menu"><summary>Sections</summary>',
        f'<div class="menu">\n<ul>\n{links}\n</ul>',
        '<div class="buttons"><button type="button" data-sections="expand">Expand all'
        '</button> <button type="button" data-sections="collapse">Collapse all</button></div>',
        "</div>\n</details>",
        weights,
        "</div>",
    ])


def header_html(page: Page) -> str:
    """The title and, folded, the scenario's description (the run's metadata is in the
    footer: the first screen is the decision)."""
    meta = page.scenario.meta
    return (
        f"<header>\n<h1>{esc(meta.title)}</h1>\n"
        '<details class="about"><summary>About this scenario</summary>\n'
        f'<p class="lede">{esc(scenario_prose(page.scenario, meta.description))}</p>\n'
        "</details>\n"
        "</header>"
    )


def controls_html(page: Page, model: dict[str, Any] | None) -> str:
    """The controls panel: the portfolios (in rank order) and outcomes to show, and the swing
    weights."""
    scenario = page.scenario
    boxes = []
    for rank, name in enumerate(page.ranked(), 1):
        title = f"{name} — {portfolio_label(scenario, name)}"
        boxes.append(
            f'<li{data_attr("box", name)}><label title="{esc(title)}">'
            f'<input type="checkbox" checked{data_attr("portfolio", name)}>'
            f'<span class="box-rank" aria-hidden="true">{rank}</span>'
            f"{swatch(page.colour(name))}"
            f'<span class="pname">{esc(page.shorts.get(name, name))}</span></label></li>')
    codes = option_codes(scenario)
    used = [o for o in scenario.options if any(codes[o] in page.shorts.get(p, "").split("+")
                                               for p in page.portfolios)]
    key = ""
    if used:
        key = ('<p class="muted key">Codes in short names: ' + "; ".join(
            f"<b>{esc(codes[o])}</b> = {esc(scenario.options[o].label)}" for o in used)
               + ".</p>")
    outcome_boxes = "\n".join(
        f'<li><label><input type="checkbox" checked{data_attr("outcome", o)}>'
        f"{esc(scenario.outcomes[o].label)}</label></li>" for o in page.headline)
    parts = [
        '<aside id="controls" aria-label="Dashboard controls">',
        '<div class="controls-head"><h2>Controls</h2>'
        '<button type="button" id="controls-close" aria-controls="controls" '
        'title="Hide the controls">×</button></div>',
        '<p class="muted">They apply to every chart and table on this page, and are kept in '
        "the page's address, so a link or a reload shows the same view. Nothing leaves the "
        "file.</p>",
        weights_controls(page, model),
        '<details open id="controls-portfolios">',
        f'<summary>Portfolios (<span id="portfolio-count">{len(page.portfolios)}</span> of '
        f"{len(page.portfolios)} shown)</summary>",
        '<p class="muted">In rank order at the current weights.</p>',
        '<div class="buttons">'
        '<button type="button" data-select="all">All</button>'
        '<button type="button" data-select="none">None</button>'
        '<button type="button" data-select="singles">Single options</button>'
        f'<button type="button" data-select="top">Top {TOP_PORTFOLIOS}</button></div>',
        f'<ul class="checks" id="portfolio-boxes">\n{chr(10).join(boxes)}\n</ul>',
        key,
        "</details>",
        '<details open id="controls-outcomes">',
        "<summary>Headline outcomes</summary>",
        f'<ul class="checks">\n{outcome_boxes}\n</ul>',
        "</details>",
        "</aside>",
    ]
    return "\n".join(p for p in parts if p)


def weights_controls(page: Page, model: dict[str, Any] | None) -> str:
    """Text inputs for the swing weights of the value model (scenario defaults); the page's
    script refuses anything that is not a number of 0 or more, in place, with a message."""
    if model is None:
        return ""
    rows = []
    for k, outcome in enumerate(model["outcomes"]):
        spec = page.scenario.outcomes[outcome]
        swing = spec.swing
        note = ("" if swing is None else
                f' <span class="muted">({esc(format_number(swing.worst))} → '
                f"{esc(format_number(swing.best))})</span>")
        value = _weight_text(model["defaults"][k])
        rows.append(
            f'<tr><td><label for="weight-{k}">{esc(spec.label)}</label>{note}'
            f'<div class="weight-error" id="weight-error-{k}" role="alert" hidden></div></td>'
            f'<td><input type="text" inputmode="decimal" class="weight" id="weight-{k}" '
            f'autocomplete="off" size="5" value="{esc(value)}"{data_attr("outcome", outcome)}'
            f'{data_attr("default", value)} aria-describedby="weight-error-{k}"></td></tr>')
    return "\n".join([
        '<details open id="controls-weights">',
        "<summary>Swing weights</summary>",
        '<p class="muted">How much moving each outcome from its worst to its best plausible '
        "value (in brackets) counts, relative to the others (the scenario's weights to start "
        "with; they are normalised to sum 1). Change them to re-rank every table and chart; "
        "a weight must be a number of 0 or more.</p>",
        f'<table class="weights">\n<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>',
        '<button type="button" id="weights-reset">Reset to scenario weights</button>',
        '<p class="weights-state muted" id="weights-state">Scenario weights.</p>',
        '<ol class="weights-top" id="weights-top"></ol>',
        '<p><a href="#reweighted">Full re-ranked table →</a></p>',
        "</details>",
    ])


def footer_html(page: Page) -> str:
    """The run's metadata (scenario, worlds, seed, sampling, versions, hash) and how it was
    made, at the foot of the page."""
    result = page.result
    meta = result.scenario.meta
    manifest = result.manifest
    last = None
    monthly = long_table(result.monthly)
    if "month_label" in monthly.columns and len(monthly):
        last = str(monthly["month_label"].max())
    horizon = f"{meta.horizon_months} months" + (f" (last month {last})" if last else "")
    items = [
        ("Scenario", manifest.get("scenario_name") or meta.name),
        ("Start month", meta.start),
        ("Horizon", horizon),
        ("Worlds (runs)", manifest_value(manifest, "runs")),
        ("Seed", manifest_value(manifest, "seed")),
        ("Sampling", manifest_value(manifest, "sampling")),
        ("Chunk size", manifest_value(manifest, "chunk_size")),
        ("Created", manifest_value(manifest, "created")),
        ("Wall time", manifest_value(manifest, "wall_seconds")),
        ("axis_sim version", manifest_value(manifest, "package_version")),
        ("Scenario hash", short(manifest_value(manifest, "scenario_hash"), 17)),
        ("Portfolios", f"{len(page.portfolios)} (status quo included)"),
    ]
    dl = "\n".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in items)
    notes = []
    sample = sampled_worlds(result)
    if sample is not None:
        notes.append("charts of individual worlds (distributions, trade-off spreads, live "
                     f"re-weighting) use the first {sample:,}")
    analysed, runs = manifest.get("analysis_worlds"), manifest.get("runs")
    if isinstance(analysed, int) and isinstance(runs, int) and analysed < runs:
        notes.append(f"drivers and failure conditions are fitted on the first {analysed:,}")
    note = "" if not notes else (
        f'<p class="note" id="sample-note">Tables, intervals, rankings and monthly bands use all '
        f"{esc(manifest_value(manifest, 'runs'))} worlds; {esc('; '.join(notes))}.</p>\n")
    return (
        '<footer id="run-metadata">\n<h2>About this run</h2>\n'
        f'<dl class="meta">\n{dl}\n</dl>\n{note}'
        f"<p>Generated by axis_sim {esc(manifest_value(manifest, 'package_version'))}. "
        "Self-contained: opens offline; plotly.js is embedded.</p>\n</footer>"
    )
