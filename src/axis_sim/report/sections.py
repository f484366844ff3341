"""The dashboard's sections as HTML fragments, in page order (the top bar, controls panel,
header and footer around them are in `dashboard_frame`).

Every section is a `<section id="...">`; per-outcome blocks carry `data-outcome`, per-portfolio
rows and blocks `data-portfolio`, so the controls can hide them. Every string from the scenario
or the results is escaped with `esc` (HTML) or `plot_text` (inside figures).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from axis_sim.experiment.compare import COMPOSITE
from axis_sim.report import decision, figures
from axis_sim.report.analysis import (
    distribution_kind,
    interval_from_model,
)
from axis_sim.report.common import (
    Page,
    better_phrase,
    comparison_rows,
    data_attr,
    esc,
    figure_block,
    html_table,
    portfolio_cell,
    portfolio_label,
    swatch,
    world_table,
)
from axis_sim.report.export import export_html
from axis_sim.report.figures import (
    difference_figure,
    distribution_figure,
    effect_heatmap,
    interaction_heatmap,
    level_figure,
    prim_tradeoff_figure,
    ranking_figure,
    salib_figure,
    tornado_figure,
    tradeoff_figure,
)
from axis_sim.report.formatting import MISSING, format_number, format_probability
from axis_sim.report.membership import membership_html
from axis_sim.report.story import story_section as render_story
from axis_sim.report.timeline import timeline_section
from axis_sim.report.waterfall import why_section
from axis_sim.scenario.distributions import describe as describe_distribution
from axis_sim.scenario.parameters import (
    conditions_text,
    flat_parameters,
    parameter_labels,
    plain_paths,
)
from axis_sim.scenario.schema import STATUS_QUO, Parameter, Scenario, month_index, month_label

SECTIONS: list[tuple[str, str]] = [
    ("decision", "Decision"),
    ("headline", "Headline comparison"),
    ("ranking", "Ranking"),
    ("tradeoffs", "Trade-offs"),
    ("distributions", "Distributions"),
    ("summary", "Summary table"),
    ("interactions", "Interactions"),
    ("sensitivity", "Sensitivity"),
    ("why", "Why it works"),
    ("failures", "Failure conditions"),
    ("story", "A world's story"),
    ("monthly", "Month by month"),
    ("assumptions", "Assumptions"),
]
TORNADO_LIMIT = 6  # tornado charts when the run has no single options: the best-ranked few
SALIB_LIMIT = 6


def _n(value: object) -> str:
    """A number, formatted and escaped."""
    return esc(format_number(value))


def _interval(mean: object, low: object, high: object) -> str:
    """`mean [low, high]`, formatted and escaped."""
    return f"{_n(mean)} [{_n(low)}, {_n(high)}]"


def _section(section_id: str, title: str, *parts: str, intro: str = "") -> str:
    """A `<section>` with its heading, an optional (escaped) intro paragraph and its parts."""
    lede = f'<p class="intro">{intro}</p>\n' if intro else ""
    body = "\n".join(p for p in parts if p)
    return f'<section id="{section_id}">\n<h2>{esc(title)}</h2>\n{lede}{body}\n</section>'


def _outcome_block(outcome: str, *parts: str) -> str:
    """A block of one headline outcome, hidden when its checkbox is cleared."""
    body = "\n".join(p for p in parts if p)
    return f'<div class="outcome-block"{data_attr("outcome", outcome)}>\n{body}\n</div>'


def single_options(page: Page) -> list[str]:
    """The run's portfolios that are one option alone, in run order."""
    return [p for p in page.portfolios if p in page.scenario.options]


# --- headline ----------------------------------------------------------------------------------


def headline_section(page: Page) -> str:
    """Per headline outcome: the level chart and the forest plot side by side."""
    blocks = []
    for i, outcome in enumerate(page.headline):
        spec = page.scenario.outcomes[outcome]
        # yes/no outcomes as chances, counts as means, levels as medians (figures.py)
        level_caption = figures.level_caption(page, outcome)
        diff_caption = figures.difference_caption(page, outcome)
        blocks.append(_outcome_block(
            outcome,
            f"<h3>{esc(spec.label)}</h3>",
            '<div class="pair">',
            figure_block(level_figure(page, outcome), f"fig-level-{i}", level_caption),
            figure_block(difference_figure(page, outcome), f"fig-diff-{i}", diff_caption),
            "</div>"))
    return _section("headline", "Headline comparison", *blocks,
                    intro="Each headline outcome at the horizon under every portfolio, and its "
                          "paired difference from status quo (the same simulated worlds with "
                          "and without the policy). Short names are explained in the controls "
                          "panel; hover over a point for the full name and the numbers.")


# --- ranking -----------------------------------------------------------------------------------


def _weights_sentence(page: Page) -> str:
    """"Munitions shipped 17%, Lethal incidents 17%, …": the normalised swing weights."""
    rows = decision.value_rows(page.result)
    if not rows or all(r["weight"] == "0%" for r in rows):
        return "No outcome has a weight in this scenario, so every score is 0."
    return "Swing weights: " + ", ".join(f"{esc(r['label'])} {esc(r['weight'])}"
                                         for r in rows) + "."


def ranking_table(page: Page) -> str:
    """Rank, value over status quo [90% CI], verdict, P(better), regret median / p90 / max, P(best),
    satisficing (when any outcome has a threshold)."""
    ranking = page.result.ranking
    satisficing = "satisficing" in ranking.columns and ranking["satisficing"].notna().any()
    headers = ["Rank", "Portfolio", "Value over status quo: mean [90% CI]", "Verdict",
               "P(better)", "Regret: median / 90th pct / max", "P(best)"]
    if satisficing:
        headers.append("Satisficing")
    rows, attrs = [], []
    for row in ranking.itertuples(index=False):
        name = str(row.portfolio)
        cells = [
            esc(row.rank),
            portfolio_cell(page.scenario, name, page.colours),
            _interval(row.score_mean, row.score_ci_low, row.score_ci_high),
            esc(getattr(row, "verdict", "") or MISSING),
            esc(format_probability(row.p_better)),
            f"{_n(row.regret_median)} / {_n(row.regret_p90)} / {_n(row.regret_max)}",
            esc(format_probability(row.p_best)),
        ]
        if satisficing:
            cells.append(esc(format_probability(row.satisficing)))
        rows.append(cells)
        attrs.append(data_attr("portfolio", name))
    return html_table(headers, rows, "ranking num", row_attrs=attrs)


def reweighted_table(page: Page, model: dict[str, Any]) -> str:
    """The table the weights re-rank: pre-filled with the scenario's weights (the page's script
    rewrites its body when a weight changes)."""
    scores = interval_from_model(model)
    order = {p: i for i, p in enumerate(page.ranked())}
    names = sorted(scores, key=lambda p: (-round(scores[p][0], 12), order.get(p, len(order))))
    rows, attrs = [], []
    for i, name in enumerate(names, 1):
        rows.append([esc(i), portfolio_cell(page.scenario, name, page.colours),
                     _interval(*scores[name]), '<span class="muted">–</span>'])
        attrs.append(data_attr("portfolio", name))
    headers = ["Rank", "Portfolio", "Mean value over status quo [90% CI]",
               "Change from the scenario's ranking"]
    table = html_table(headers, rows, "reweighted num", row_attrs=attrs)
    return table.replace('<table class="reweighted num">',
                         '<table class="reweighted num" id="reweighted-table">', 1)


def ranking_section(page: Page, model: dict[str, Any] | None) -> str:
    """The ranking table, the score-and-regret chart, and the ranking under the reader's
    weights."""
    if page.result.ranking.empty or "portfolio" not in page.result.ranking.columns:
        return _section("ranking", "Ranking and robustness",
                        '<p class="muted no-data">This run has no ranking table.</p>')
    ranking_caption = (
        "<strong>Higher value is better; lower regret is better.</strong> Regret in a world: "
        "how far the portfolio's value falls behind the best portfolio in that world; a "
        "robust choice has low regret in most worlds, not only a high average.")
    parts = [
        ranking_table(page),
        membership_html(page),  # the option-by-portfolio dot matrix (report/membership.py)
        figure_block(ranking_figure(page), "fig-ranking", ranking_caption),
    ]
    if model is not None:
        parts += [
            '<h3 id="reweighted">Re-ranked with your weights</h3>',
            '<p class="muted">Change the weights in the controls panel. The mean value and '
            "its 90% interval are recomputed exactly from the same worlds; P(better), "
            "regret and P(best) need every world and are shown for the scenario's weights "
            "only (table above).</p>",
            reweighted_table(page, model),
        ]
    intro = (
        "A portfolio's value over status quo adds up, world by world, the change in each "
        "scored outcome's partial value (0 at its swing's worst plausible value, 1 at its "
        "best) times the outcome's swing weight, the weights normalised to sum 1: 0.01 is a "
        "hundredth of moving every scored outcome from worst to best. This is one weighting; "
        "the decision section ranks over all of them. Status quo scores 0. "
        f"{_weights_sentence(page)} Verdict: the score's 90% interval against its minimal "
        "meaningful difference. P(better): share of worlds where the value is above 0; "
        "P(best): share of worlds "
        "where the portfolio is the best of all; satisficing: share of worlds where every "
        "outcome with a threshold meets it.")
    return _section("ranking", "Ranking and robustness", *parts, intro=intro)


# --- trade-offs and distributions --------------------------------------------------------------


def tradeoff_defaults(page: Page) -> tuple[list[str], str, str] | None:
    """The outcomes offered on the trade-off axes and the default x and y."""
    choices = [o for o in page.headline if o in page.result.scenario.outcomes]
    if len(choices) < 2:
        choices = list(page.scenario.outcomes)
    if len(choices) < 2:
        return None
    x = "munitions_shipped" if "munitions_shipped" in choices else choices[0]
    y = "escalation_crises" if "escalation_crises" in choices else next(
        o for o in choices if o != x)
    if y == x:
        y = next(o for o in choices if o != x)
    return choices, x, y


def _select(select_id: str, label: str, options: Sequence[tuple[str, str]], chosen: str) -> str:
    """A labelled <select>; `options` are (value, text) pairs, escaped here."""
    items = "".join(
        f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(t)}</option>'
        for v, t in options)
    return (f'<label class="select" for="{select_id}">{esc(label)} '
            f'<select id="{select_id}">{items}</select></label>')


def tradeoffs_section(page: Page) -> str:
    """The trade-off scatter with outcome selects, and the portfolio × outcome heatmap."""
    parts = []
    defaults = tradeoff_defaults(page)
    if defaults is not None:
        choices, x, y = defaults
        options = [(o, page.scenario.outcomes[o].label) for o in choices]
        parts.append('<div class="select-row no-print">' + _select(
            "tradeoff-x", "Across (x):", options, x) + _select(
            "tradeoff-y", "Up (y):", options, y) + "</div>")
        caption = (
            "One point per portfolio: its mean paired difference from status quo on two "
            "outcomes, with 90% confidence intervals both ways; the grey diamond is status quo "
            "at (0, 0). Points in the \"better on both\" corner improve both outcomes; points "
            "elsewhere trade one for the other. Hover over a point for its name; with many "
            "portfolios, tick a few in the controls panel to compare them.")
        parts.append(figure_block(tradeoff_figure(page, x, y), "fig-tradeoff", caption))
    heat_caption = (
        "Each cell: the portfolio's mean paired difference from status quo as a share of the "
        "outcome's swing (its worst to best plausible value, as the value model counts it), "
        "signed so that blue is better and red worse; white is no change. Hover for the real "
        "difference, its 90% interval and its verdict against the MMD. Rows are in rank order "
        "at the scenario's weights.")
    parts.append("<h3>Every portfolio on every headline outcome</h3>")
    parts.append(figure_block(effect_heatmap(page), "fig-heatmap", heat_caption))
    return _section("tradeoffs", "Trade-offs", *parts,
                    intro="Which portfolios improve one outcome at the cost of another?")


DISTRIBUTION_CAPTIONS = {
    "box": "Box: the middle half of worlds; line inside: median; dashed line: mean; whiskers: "
           "5th to 95th percentile.",
    "binary": "A yes/no outcome: the share of worlds where it happens by the horizon, with its "
              "90% interval (Wilson).",
    "rare": "A count that is zero in most worlds: the share of worlds with at least one by the "
            "horizon, with its 90% interval (Wilson).",
    "levels": "An outcome with a few levels: the share of worlds at each level at the "
              "horizon (the number in each segment is the level).",
}


def distributions_section(page: Page) -> str:
    """Per headline outcome: each portfolio's distribution over worlds (or probability)."""
    blocks = []
    frame = world_table(page.result, "outcomes")
    for i, outcome in enumerate(page.headline):
        spec = page.scenario.outcomes[outcome]
        kind = (distribution_kind(frame[outcome]) if outcome in frame.columns else "box")
        caption = f"<strong>{esc(better_phrase(spec))}.</strong> " + DISTRIBUTION_CAPTIONS[kind]
        caption += f" Unit: {esc(spec.unit)}."
        blocks.append(_outcome_block(
            outcome, f"<h3>{esc(spec.label)}</h3>",
            figure_block(distribution_figure(page, outcome), f"fig-dist-{i}", caption)))
    return _section("distributions", "Distributions", *blocks,
                    intro="How widely each headline outcome varies across the simulated worlds "
                          "under each portfolio, at the horizon.")


# --- summary -----------------------------------------------------------------------------------


def summary_table(page: Page) -> str:
    """Per headline outcome × portfolio: median [5%, 95%], mean difference [90% CI], its
    verdict against the MMD, P(better)."""
    headers = ["Portfolio", "At the horizon", "Difference from status quo: mean [90% CI]",
               "Verdict", "Per-world difference [5%, 95%]", "P(better)", "P(worse)"]
    parts: list[str] = []
    for outcome in page.headline:
        spec = page.scenario.outcomes[outcome]
        rows: list[list[str]] = []
        attrs: list[str] = []
        for row in comparison_rows(page.result, outcome, page.portfolios).itertuples(
                index=False):
            name = str(row.portfolio)
            level = esc(figures.summary_level(page, outcome, row))
            if name == STATUS_QUO:
                diff = spread = p_better = p_worse = '<span class="muted">reference</span>'
                verdict = ""
            else:
                diff = esc(f"{figures.summary_effect(page, outcome, row.diff_mean)} ["
                           f"{figures.summary_effect(page, outcome, row.diff_ci_low)}, "
                           f"{figures.summary_effect(page, outcome, row.diff_ci_high)}]")
                verdict = esc(getattr(row, "verdict", "") or MISSING)
                spread = (MISSING if spec.unit == "0/1"
                          else f"[{_n(row.diff_p05)}, {_n(row.diff_p95)}]")
                p_better = esc(format_probability(row.p_better))
                p_worse = esc(format_probability(getattr(row, "p_worse", None)))
            rows.append([portfolio_cell(page.scenario, name, page.colours), level, diff,
                         verdict, spread, p_better, p_worse])
            attrs.append(data_attr("portfolio", name))
        mmd = f"; MMD {format_number(spec.mmd.value)}" if spec.mmd is not None else ""
        caption = (f'{esc(spec.label)} <span class="muted">({esc(spec.unit)}; '
                   f"{esc(better_phrase(spec).lower())}{esc(mmd)})</span>")
        parts.append(_outcome_block(
            outcome, html_table(headers, rows, "summary num", caption, row_attrs=attrs)))
    return "\n".join(parts)


def summary_section(page: Page) -> str:
    return _section("summary", "Summary table", summary_table(page))


# --- interactions ------------------------------------------------------------------------------


VERDICT_CLASS = {"synergy": "syn", "interference": "int", "additive": "add",
                 "uncertain": "add"}


def interactions_section(page: Page) -> str:
    """Option pairs × (composite and headline outcomes): interaction with CI and verdict."""
    table = page.result.interactions
    if table.empty or not {"pair", "outcome", "interaction_mean"} <= set(table.columns):
        return _section("interactions", "Interactions",
                        '<p class="muted no-data">No interactions in this run: it needs two '
                        "options run alone and together.</p>")
    present = set(table["outcome"].astype(str))
    outcomes = [o for o in [COMPOSITE, *page.headline] if o in present]
    lookup = {(str(r.pair), str(r.outcome)): r for r in table.itertuples(index=False)}
    pairs = list(dict.fromkeys(table["pair"].astype(str)))
    headers = ["Pair", *("Value over status quo" if o == COMPOSITE
                         else esc(page.scenario.outcomes[o].label) for o in outcomes)]
    rows, attrs = [], []
    for pair in pairs:
        cells = [swatch(page.colour(pair)) + " +<br>".join(
            f"<code>{esc(part)}</code>" for part in pair.split("+"))]
        for o in outcomes:
            r = lookup.get((pair, o))
            if r is None:
                cells.append(MISSING)
                continue
            verdict = str(getattr(r, "verdict", ""))
            cells.append(
                f'<span class="badge {VERDICT_CLASS.get(verdict, "add")}">{esc(verdict)}'
                f"</span><br>{_n(r.interaction_mean)}<br>"
                f'<span class="muted">[{_n(r.ci_low)}, {_n(r.ci_high)}]</span>')
        rows.append(cells)
        attrs.append(data_attr("portfolio", pair))
    caption = (
        "Blue cells: synergy (together the options do meaningfully better than the sum of "
        "each alone: the whole 90% interval beyond the outcome's minimal meaningful "
        "difference); red: interference; additive: the interval lies within ± the MMD; "
        "uncertain: neither. Colours in % of each outcome's swing (the value's full range for "
        "the value column).")
    return _section(
        "interactions", "Interactions",
        figure_block(interaction_heatmap(page, outcomes), "fig-interactions", caption),
        '<div class="table-scroll">'
        + html_table(headers, rows, "interactions num", row_attrs=attrs) + "</div>",
        intro="For each pair of options run alone and together: the effect of the pair minus "
              "the effects of each option alone (Δ(a+b) − Δ(a) − Δ(b), world by world), in the "
              "outcome's units, with its 90% confidence interval.")


# --- sensitivity -------------------------------------------------------------------------------


def _sensitivity_portfolios(page: Page, available: set[str], limit: int) -> list[str]:
    """Single options first (run order); if none, the best-ranked portfolios."""
    singles = [p for p in single_options(page) if p in available]
    if singles:
        return singles
    return [p for p in page.ranked() if p != STATUS_QUO and p in available][:limit]


def sensitivity_section(page: Page) -> str:
    """Tornado charts of the strongest drivers per single option; SALib indices if present."""
    labels = parameter_labels(page.scenario)
    drivers = page.result.drivers
    parts = []
    if not drivers.empty and {"portfolio", "outcome"} <= set(drivers.columns):
        available = set(drivers.loc[drivers["outcome"].astype(str) == COMPOSITE, "portfolio"]
                        .astype(str))
        figures = []
        for name in _sensitivity_portfolios(page, available, TORNADO_LIMIT):
            caption = (f"<code>{esc(name)}</code>: the uncertain assumptions its overall "
                       "effect (value over status quo) moves with most, by Spearman "
                       "rank correlation over worlds.")
            figures.append(figure_block(
                tornado_figure(page, name, labels), f"fig-tornado-{len(figures)}", caption,
                attrs=data_attr("portfolio", name)))
        if figures:
            parts.append('<div class="grid2">\n' + "\n".join(figures) + "\n</div>")
    if not parts:
        parts.append('<p class="muted no-data">No rank correlations in this run.</p>')
    salib = page.result.sensitivity
    if not salib.empty and "parameter" in salib.columns:
        outcome = (COMPOSITE if "outcome" not in salib.columns
                   or (salib["outcome"].astype(str) == COMPOSITE).any()
                   else str(salib["outcome"].iloc[0]))
        available = (set(salib["portfolio"].astype(str)) if "portfolio" in salib.columns
                     else set(page.portfolios))
        method = (str(salib["method"].iloc[0]) if "method" in salib.columns
                  else ("morris" if "mu_star" in salib.columns else "sobol"))
        figures = []
        for name in _sensitivity_portfolios(page, available, SALIB_LIMIT):
            caption = (f"<code>{esc(name)}</code>: SALib {esc(method)} indices of its effect; "
                       "longer bars matter more.")
            figures.append(figure_block(
                salib_figure(page, name, labels, outcome), f"fig-salib-{len(figures)}",
                caption, attrs=data_attr("portfolio", name)))
        if figures:
            parts.append("<h3>Global sensitivity (SALib)</h3>")
            parts.append('<div class="grid2">\n' + "\n".join(figures) + "\n</div>")
    return _section(
        "sensitivity", "Sensitivity", *parts,
        intro="Which uncertain assumptions decide whether each option works? A bar to the "
              "right (blue): the higher that assumption, the better the option does against "
              "status quo; to the left (orange): the worse. Correlation is not proof of cause."
    ) + "\n" + why_section(page)  # the channels of each option (report/waterfall.py)


# --- failures ----------------------------------------------------------------------------------


def failures_section(page: Page) -> str:
    """Where each single option fails, as plain sentences grouped by option and outcome."""
    table = page.result.failures
    if table.empty or not {"portfolio", "sentence"} <= set(table.columns):
        return _section("failures", "Failure conditions",
                        '<p class="muted no-data">No failure conditions found: no option '
                        "fails in a region of the assumptions that stands out.</p>")
    order = {name: i for i, name in enumerate([*page.scenario.options, *page.portfolios])}
    labels = parameter_labels(page.scenario)
    groups = []
    for name in sorted(set(table["portfolio"].astype(str)), key=lambda p: order.get(p, 999)):
        mine = table[table["portfolio"].astype(str) == name]
        label = (page.scenario.options[name].label if name in page.scenario.options
                 else portfolio_label(page.scenario, name))
        items = []
        outcomes = list(dict.fromkeys(mine["outcome"].astype(str))) if "outcome" in mine else [""]
        outcomes.sort(key=lambda o: (o != COMPOSITE, 0))
        for outcome in outcomes:
            rows = mine[mine["outcome"].astype(str) == outcome] if outcome else mine
            if outcome == COMPOSITE:
                what = "Overall (value over status quo)"
            elif outcome in page.scenario.outcomes:
                what = page.scenario.outcomes[outcome].label
            else:
                what = outcome
            sentences = []
            for r in rows.itertuples(index=False):
                stats = " · ".join(
                    f"{esc(k)} {esc(format_probability(getattr(r, k)))}"
                    for k in ("support", "density", "coverage") if hasattr(r, k))
                p_value = getattr(r, "p_value", None)
                if p_value is not None and not pd.isna(p_value):
                    stats += " · " + esc("p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}")
                conditions = conditions_text(getattr(r, "conditions", "") or "", labels)
                detail = (f'<br><span class="muted small">{stats}'
                          + (f" · {esc(conditions)}" if conditions else "")
                          + "</span>")
                sentences.append(f"<li>{esc(r.sentence)}{detail}</li>")
            items.append(f"<h4>{esc(what)}</h4>\n<ul>\n{chr(10).join(sentences)}\n</ul>")
        tradeoff = prim_tradeoff_figure(page, name)
        chart = ("" if tradeoff is None else figure_block(
            tradeoff, f"fig-prim-{name}", "PRIM's peeling trajectory: each step trims the box to "
            "raise density (share failing inside) at the cost of coverage (share of all "
            "failures inside); the star is the box reported, chosen where coverage × excess "
            "density is largest, and reported only if it beats the overall failure rate on "
            "worlds held out from the search."))
        groups.append(
            f'<div class="failure-group"{data_attr("portfolio", name)}>\n'
            f"<h3>{swatch(page.colour(name))}{esc(label)} <code>{esc(name)}</code></h3>\n"
            + "\n".join(items) + chart + "\n</div>")
    return _section(
        "failures", "Failure conditions", *groups,
        intro="In which kinds of worlds does a portfolio fail? For each single option and the "
              "best-ranked combinations, and each outcome it usually improves: regions of the "
              "assumptions that can affect it (never another option's parameters) where it "
              "fails to beat status quo significantly more often than overall (PRIM, tested on "
              "worlds held out from the search). Support: share of all worlds in the "
              "region; density: share of the region's worlds where it fails; coverage: share of "
              "all failures that fall in the region.")


# --- a world's story ---------------------------------------------------------------------------


def story_section(page: Page) -> str:
    """Any sample world under any portfolio as dated sentences, beside status quo's story of the
    same world (`report/story.py`)."""
    return render_story(page)


# --- monthly -----------------------------------------------------------------------------------

def monthly_section(page: Page) -> str:
    """Per headline outcome: the portfolios' overlaid timelines (`report/timeline.py`); and
    the page's CSV and PNG export buttons (`report/export.py`: one script for the whole page,
    which waits for it to load)."""
    return timeline_section(page) + "\n" + export_html(page)


# --- assumptions -------------------------------------------------------------------------------


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


def _drawn_range(parameters: pd.DataFrame, path: str) -> str:
    """The 5–95% range of a parameter's draws in this run (`parameters`, the run's table), if
    the run recorded them."""
    if path not in parameters.columns:
        return MISSING
    values = pd.to_numeric(parameters[path], errors="coerce").dropna()
    if values.empty:
        return MISSING
    low, high = values.quantile(0.05), values.quantile(0.95)
    return f"{format_number(low)} – {format_number(high)}"


def parameters_table(page: Page) -> str:
    """Every parameter: its label (the path in the scenario file on hover), default value,
    unit, distribution, range drawn, source (paths it mentions as labels)."""
    headers = ["Parameter", "Value", "Unit", "Distribution", "Drawn 5–95%", "Source"]
    drawn = world_table(page.result, "parameters")  # once: it may be read from disk
    labels = parameter_labels(page.scenario)
    rows = [
        [f'<span title="{esc(path)}">{esc(labels[path][0])}</span>',
         esc(format_number(parameter.value)), esc(parameter.unit),
         esc(describe_distribution(parameter)), esc(_drawn_range(drawn, path)),
         esc(plain_paths(parameter.source, labels))]
        for path, parameter in parameter_rows(page.scenario)
    ]
    return html_table(headers, rows, "params")


def options_table(scenario: Scenario) -> str:
    """The five options: label, start month, intensity, duration, description and source."""
    headers = ["Option", "Label", "Start", "Intensity", "Duration", "Description", "Source"]
    labels = parameter_labels(scenario)
    rows = []
    for name, spec in scenario.options.items():
        offset = month_index(scenario.meta.start, spec.start)
        start = month_label(scenario.meta.start, offset)
        duration = ("until the horizon" if spec.duration_months is None
                    else f"{spec.duration_months} months")
        rows.append([f"<code>{esc(name)}</code>", esc(spec.label),
                     esc(f"{start} (month {offset})"), esc(f"{spec.intensity:g}"),
                     esc(duration), esc(plain_paths(spec.description, labels)),
                     esc(plain_paths(spec.source, labels))])
    return html_table(headers, rows, "options")


def events_table(scenario: Scenario) -> str:
    """Scheduled events (summits, forums, exercises), or nothing if the scenario has none."""
    if not scenario.events:
        return ""
    headers = ["Event", "Kind", "First month", "Repeats", "Probability", "Source"]
    labels = parameter_labels(scenario)
    rows = [
        [f'<span title="{esc(e.name if e.label else e.id)}">{esc(e.display_label)}</span>',
         esc(e.kind.replace("_", " ")),
         esc(e.month), esc(f"every {e.every_months} months" if e.every_months else "once"),
         esc(f"{format_number(e.probability.value)} "
             f"({describe_distribution(e.probability)})"),
         esc(plain_paths(e.source, labels))]
        for e in scenario.events
    ]
    return "<h3>Scheduled events</h3>\n" + html_table(headers, rows, "events")


def portfolios_table(scenario: Scenario) -> str:
    """Named portfolios and their options, or nothing if the scenario defines none."""
    if not scenario.portfolios:
        return ""
    rows = [[f"<code>{esc(name)}</code>", esc(", ".join(members))]
            for name, members in scenario.portfolios.items()]
    return "<h3>Named portfolios</h3>\n" + html_table(["Portfolio", "Options"], rows,
                                                      "portfolios")


def assumptions_section(page: Page) -> str:
    """Every parameter with its source, the options, the events and the named portfolios."""
    return "\n".join([
        '<section id="assumptions">\n<h2>Assumptions</h2>',
        '<p class="muted">Every number the model uses. "Value" is the default (used where no '
        'draw is made); "Distribution" is the uncertainty sampled over worlds; "Drawn" is the '
        "range actually sampled in this run.</p>",
        "<h3>Parameters</h3>",
        parameters_table(page),
        "<h3>Policy options</h3>",
        options_table(page.scenario),
        events_table(page.scenario),
        portfolios_table(page.scenario),
        "</section>",
    ])
