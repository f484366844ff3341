"""The after-action report: what the room decided, what the model rolled, and how the played
world compares with what the model expected.

Two renderings of the same content: Markdown minutes (`<game>-after_action.md`) and a
self-contained offline HTML page (`<game>-after_action.html`, plotly.js embedded once) with one
chart per headline outcome, the played path drawn against the Monte Carlo envelope of the
scenario's worlds under pure doctrine. Everything that comes from the game file (team names,
rationales, reasons, injects, scenario text) is untrusted: HTML-escaped on the page, and escaped
for plotly in charts.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from axis_sim.experiment.sampling import default_parameters
from axis_sim.io import atomic_write_text
from axis_sim.model.directives import DIRECTIVES
from axis_sim.model.metrics import record
from axis_sim.model.state import restore
from axis_sim.model.world import AxisModel
from axis_sim.report import markdown
from axis_sim.report.common import PLOT_CONFIG as COMMON_PLOT_CONFIG
from axis_sim.report.common import (
    UPLOAD_BUTTONS,
    esc,
    figure_html,
    html_head,
    plot_text,
    scenario_outcome_kind,
)
from axis_sim.report.formatting import MISSING, format_number, format_probability, is_missing
from axis_sim.scenario.schema import Scenario, month_label
from axis_sim.seminar.engine import WATCHED_EVENTS, scenario_of
from axis_sim.seminar.game import OPTION_PREFIX, Game, Move, Turn
from axis_sim.seminar.injects import FACILITATOR

QUANTILES: dict[str, float] = {"p05": 0.05, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p95": 0.95}
REPORT_SUFFIX = "-after_action"  # <game file's stem>-after_action.md / .html
# The project's config (no upload buttons), keeping zoom and pan for the month-by-month paths.
PLOT_CONFIG = {**COMMON_PLOT_CONFIG, "modeBarButtonsToRemove": [
    "select2d", "lasso2d", "autoScale2d", *UPLOAD_BUTTONS]}
BAND_COLOUR = "0, 114, 178"  # Okabe–Ito blue, as rgb for translucent bands
PLAYED_COLOUR = "#D55E00"


# --- data --------------------------------------------------------------------------------------


def envelope(game: Game, worlds: int = 500) -> pd.DataFrame:
    """What the model expected: the game's starting world forked `worlds` times, run to the
    horizon under pure doctrine (no team moves, default parameters, each world its own luck).

    One row per headline outcome and month (0 = start month): `outcome`, `month`,
    `month_label`, `p05`, `p25`, `p50`, `p75`, `p95`, `mean` and `p_event` (the share of
    worlds where the outcome is above 0: for a yes/no outcome, the chance it has happened by
    then). Reproducible: the seed comes from the game's seed, so the same game always gets the
    same envelope.
    """
    if worlds < 1:
        raise ValueError(f"worlds must be at least 1, got {worlds}")
    scenario = scenario_of(game)
    names = tuple(scenario.headline_outcomes)
    seed = zlib.crc32(f"{game.seed}:envelope".encode())
    model = AxisModel(scenario, default_parameters(scenario, worlds), seed=seed)
    restore(model, game.initial_state, world=0)
    first = model.month
    months = []
    while model.running:
        model.step()
        months.append(record(model, names))
    columns = ["outcome", "month", "month_label", *QUANTILES, "mean", "p_event"]
    if not months:
        frame = pd.DataFrame(columns=columns)
        frame.attrs["worlds"] = worlds
        return frame
    history = np.stack(months, axis=1)  # (outcomes, months, worlds)
    bands = np.quantile(history, list(QUANTILES.values()), axis=2)  # (Q, outcomes, months)
    means, happened = history.mean(axis=2), (history > 0).mean(axis=2)
    rows = []
    for i, name in enumerate(names):
        for t in range(history.shape[1]):
            month = first + t
            rows.append({"outcome": name, "month": month,
                         "month_label": month_label(scenario.meta.start, month),
                         **{q: float(bands[k, i, t]) for k, q in enumerate(QUANTILES)},
                         "mean": float(means[i, t]), "p_event": float(happened[i, t])})
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame.attrs["worlds"] = worlds
    return frame


def played_path(game: Game) -> pd.DataFrame:
    """The game world's headline outcomes at the end of each played turn.

    One row per turn and headline outcome: `turn`, `outcome`, `label` (the outcome's label),
    `month` (the turn's last month, 0 = start month), `month_label`, `value`.
    """
    scenario = scenario_of(game)
    rows = []
    for turn in game.turns:
        month = _last_month(turn)
        for name in scenario.headline_outcomes:
            rows.append({"turn": turn.number, "outcome": name,
                         "label": scenario.outcomes[name].label, "month": month,
                         "month_label": month_label(scenario.meta.start, month),
                         "value": float(turn.outcomes.get(name, float("nan")))})
    return pd.DataFrame.from_records(
        rows, columns=["turn", "outcome", "label", "month", "month_label", "value"])


def comparison(game: Game, expected: pd.DataFrame) -> pd.DataFrame:
    """Where the game ended against the envelope at the last played month: per headline
    outcome `outcome`, `label`, `unit`, `kind` (`report.common.scenario_outcome_kind`),
    `month_label`, `played`, `p05`, `p50`, `p95`, `mean`, `p_event`, `band` (which part of the
    envelope the played value falls in; for a yes/no outcome, whether it happened and in what
    share of the model's worlds it had)."""
    scenario = scenario_of(game)
    columns = ["outcome", "label", "unit", "kind", "month_label", "played", "p05", "p50", "p95",
               "mean", "p_event", "band"]
    if not game.turns:
        return pd.DataFrame(columns=columns)
    last = game.turns[-1]
    month = _last_month(last)
    rows = []
    for name in scenario.headline_outcomes:
        spec = scenario.outcomes[name]
        at = expected[(expected["outcome"] == name) & (expected["month"] == month)]
        played = float(last.outcomes.get(name, float("nan")))
        q = {k: float(at[k].iloc[0]) if len(at) else float("nan") for k in QUANTILES}
        extra = {k: float(at[k].iloc[0]) if len(at) and k in at.columns else float("nan")
                 for k in ("mean", "p_event")}
        kind = scenario_outcome_kind(scenario, name)
        band = (_chance_band(played, extra["p_event"]) if kind == "binary"
                else _band(played, q))
        rows.append({"outcome": name, "label": spec.label, "unit": spec.unit, "kind": kind,
                     "month_label": month_label(scenario.meta.start, month), "played": played,
                     "p05": q["p05"], "p50": q["p50"], "p95": q["p95"], **extra,
                     "band": band})
    return pd.DataFrame.from_records(rows, columns=columns)


def _chance_band(played: float, chance: float) -> str:
    """Where a yes/no outcome of the game stands against the model's chance of it."""
    if np.isnan(played) or np.isnan(chance):
        return MISSING
    if played > 0:
        return f"it happened, as in {format_probability(chance)} of worlds"
    return f"it has not happened, as in {format_probability(1 - chance)} of worlds"


def outcome_name(label: str, unit: str, kind: str) -> str:
    """An outcome in a table row: its label and unit ("yes/no" for a yes/no outcome)."""
    return f"{label} ({'yes/no' if kind == 'binary' else unit})"


def played_text(value: object, kind: str) -> str:
    """A played value: "yes"/"no" for a yes/no outcome, else the number."""
    if kind == "binary" and not is_missing(value):
        return "yes" if float(value) > 0 else "no"  # type: ignore[arg-type]
    return format_number(value)


def expected_text(row: Any) -> tuple[str, str]:
    """What the model expected at the game's last month, as (centre, range): the chance for a
    yes/no outcome (no range), the mean and 5–95% for a count, the median and 5–95% for a
    level."""
    spread = f"{format_number(row.p05)} – {format_number(row.p95)}"
    if row.kind == "binary":
        return f"{format_probability(row.p_event)} chance", MISSING
    if row.kind == "count":
        return f"mean {format_number(row.mean)}", spread
    return f"median {format_number(row.p50)}", spread


def _band(value: float, q: dict[str, float]) -> str:
    """Which part of the envelope `value` falls in, in words."""
    if any(np.isnan(v) for v in (value, *q.values())):
        return MISSING
    if q["p05"] == q["p95"]:
        return "as in 90% of worlds or more" if value == q["p50"] else (
            "higher than in 95% of worlds" if value > q["p95"] else "lower than in 95% of worlds")
    if value < q["p05"]:
        return "lower than in 95% of worlds"
    if value > q["p95"]:
        return "higher than in 95% of worlds"
    if q["p25"] <= value <= q["p75"]:
        return "middle half of worlds"
    return "low (5–25%)" if value < q["p25"] else "high (75–95%)"


def _last_month(turn: Turn) -> int:
    """The last month a turn covered (its outcomes are read at the end of it)."""
    return turn.first_month + turn.months - 1


def _span(scenario: Scenario, turn: Turn) -> str:
    start = month_label(scenario.meta.start, turn.first_month)
    end = month_label(scenario.meta.start, _last_month(turn))
    months = f"{turn.months} month{'s' if turn.months != 1 else ''}"
    return f"{start} – {end} ({months})" if start != end else f"{start} ({months})"


def decision_label(scenario: Scenario, decision: str) -> str:
    """What a decision key means, in words (an option's label, or a directive's meaning)."""
    if decision.startswith(OPTION_PREFIX):
        option = scenario.options.get(decision.removeprefix(OPTION_PREFIX))  # type: ignore[call-overload]
        return f"{option.label} (intensity)" if option else decision
    directive = DIRECTIVES.get(decision)
    return f"{directive.actor}: {directive.meaning}" if directive else decision


def value_text(value: object) -> str:
    """A move's or ruling's value as the room would say it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _turn_rows(scenario: Scenario, turn: Turn, headline: list[str]) -> list[list[object]]:
    """The headline outcomes at the end of a turn: label, value ("yes"/"no" for a yes/no
    outcome), unit."""
    rows: list[list[object]] = []
    for o in headline:
        kind = scenario_outcome_kind(scenario, o)
        rows.append([scenario.outcomes[o].label, played_text(turn.outcomes.get(o), kind),
                     "yes/no" if kind == "binary" else scenario.outcomes[o].unit])
    return rows


def _model_actors(game: Game) -> list[str]:
    scenario = scenario_of(game)
    return [a for a in scenario.actors if game.team_of(a) is None]


# --- Markdown ----------------------------------------------------------------------------------


def _md(text: object) -> str:
    """Text on one Markdown line (newlines folded); `render_markdown` escapes every line for
    Markdown (`report.markdown.document`)."""
    return " ".join(str(text).split())


def _cell(text: object) -> str:
    """Text for a Markdown table cell (one line, pipes escaped)."""
    return _md(text).replace("|", "\\|") or " "


def _md_table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _md_moves(scenario: Scenario, moves: list[Move]) -> list[str]:
    if not moves:
        return ["No moves: every actor followed the model's doctrine.", ""]
    lines = []
    for m in moves:
        why = f" — “{_md(m.rationale)}”" if m.rationale.strip() else " — (no rationale given)"
        lines.append(f"- **{_md(m.team)}**: `{m.decision}` = {_md(value_text(m.value))} "
                     f"({_md(decision_label(scenario, m.decision))}){why}")
    return [*lines, ""]


def render_markdown(game: Game, *, expected: pd.DataFrame | None = None) -> str:
    """The after-action minutes for the room, as Markdown.

    `expected` is the envelope (`envelope(game)`), computed here if not given.
    """
    scenario = scenario_of(game)
    expected = envelope(game) if expected is None else expected
    meta = scenario.meta
    headline = scenario.headline_outcomes
    out = [f"# After-action report — {_md(meta.title)}", "",
           f"- Scenario: **{_md(meta.name)}** ({_md(game.scenario_file)}), starting "
           f"{meta.start}, horizon {meta.horizon_months} months",
           f"- Seed {game.seed}; turns of {game.turn_months} months; "
           f"{len(game.turns)} turn(s) played, next month "
           f"{month_label(meta.start, game.month)}", "",
           _md(meta.description), "", "## Teams", ""]
    out += _md_table(["team", "plays"], [[t, ", ".join(a)] for t, a in game.teams.items()])
    out += [f"The model plays {', '.join(_model_actors(game)) or 'no actor'} by its doctrine.",
            "", "## Timeline", ""]
    if not game.turns:
        out += ["No turn has been played yet.", ""]
    for turn in game.turns:
        out += [f"### Turn {turn.number}: {_span(scenario, turn)}", "", "#### Moves", ""]
        out += _md_moves(scenario, turn.moves)
        out += ["#### Odds shown before the roll", ""]
        if turn.odds:
            out += _md_table(["event this turn", "chance"],
                             [[WATCHED_EVENTS.get(k, k), format_probability(v)]
                              for k, v in turn.odds.items()])
        else:
            out += ["None recorded.", ""]
        out += ["#### Facilitator's overrides", ""]
        out += ([f"- `{o.decision}` = {_md(value_text(o.value))} "
                 f"({_md(decision_label(scenario, o.decision))}) — reason: {_md(o.reason)}"
                 for o in turn.overrides] or ["None."])
        out += ["", "#### Injects", ""]
        for team in game.teams:
            out += [f"**{_md(team)}** was told:", ""]
            out += [f"- {_md(line)}" for line in turn.injects.get(team, [])] or ["- (nothing)"]
            out += [""]
        out += ["**Facilitator's full account:**", ""]
        out += ([f"- {_md(line)}" for line in turn.injects.get(FACILITATOR, [])]
                or ["- Nothing happened."])
        out += ["", "#### Headline outcomes at the end of the turn", ""]
        out += _md_table(["outcome", "value", "unit"], _turn_rows(scenario, turn, headline))
    if game.pending:
        out += ["### Moves pending for the next turn (not yet rolled)", ""]
        out += _md_moves(scenario, game.pending)
    out += ["## Where the game ended vs what the model expected", ""]
    table = comparison(game, expected)
    if table.empty:
        out += ["No turn has been played yet.", ""]
    else:
        out += [f"At {table['month_label'].iloc[0]}, against {_worlds_text(expected)} worlds of "
                "the scenario run from the same start under the model's doctrine alone:", ""]
        out += _md_table(["outcome", "played", "model expected", "model 5–95%", "where"],
                         [[outcome_name(r.label, r.unit, r.kind),
                           played_text(r.played, r.kind), *expected_text(r), r.band]
                          for r in table.itertuples()])
    # Titles, labels, rationales, rulings and injects are untrusted: every line is escaped.
    return markdown.document(out)


def _worlds_text(expected: pd.DataFrame) -> str:
    worlds = expected.attrs.get("worlds")
    return f"{worlds:,}" if worlds else "many"


# --- HTML --------------------------------------------------------------------------------------



def _html_table(header: list[str], rows: list[list[object]], numeric: set[int] | None = None
                ) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{esc(c)}</td>' if i in numeric else f"<td>{esc(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_moves(scenario: Scenario, moves: list[Move]) -> str:
    if not moves:
        return "<p class=\"muted\">No moves: every actor followed the model's doctrine.</p>"
    return _html_table(["team", "decision", "value", "rationale"],
                       [[m.team, decision_label(scenario, m.decision) + f" [{m.decision}]",
                         value_text(m.value), m.rationale or "(no rationale given)"]
                        for m in moves])


def _html_list(lines: list[str], empty: str) -> str:
    if not lines:
        return f'<p class="muted">{esc(empty)}</p>'
    return "<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>"


def _html_turn(game: Game, scenario: Scenario, turn: Turn, headline: list[str]) -> str:
    parts = [f'<article class="turn" id="turn-{turn.number}">',
             f"<h3>Turn {turn.number}: {esc(_span(scenario, turn))}</h3>",
             "<h4>Moves</h4>", _html_moves(scenario, turn.moves),
             "<h4>Odds shown before the roll</h4>"]
    parts.append(_html_table(["event this turn", "chance"],
                             [[WATCHED_EVENTS.get(k, k), format_probability(v)]
                              for k, v in turn.odds.items()], {1})
                 if turn.odds else '<p class="muted">None recorded.</p>')
    parts.append("<h4>Facilitator's overrides</h4>")
    parts.append(_html_table(["decision", "ruling", "reason"],
                             [[decision_label(scenario, o.decision) + f" [{o.decision}]",
                               value_text(o.value), o.reason] for o in turn.overrides])
                 if turn.overrides else '<p class="muted">None.</p>')
    parts.append("<h4>Injects</h4>")
    for team in game.teams:
        parts.append(f'<details class="inject" open><summary>{esc(team)} was told</summary>'
                     f"{_html_list(turn.injects.get(team, []), '(nothing)')}</details>")
    parts.append('<details class="inject facilitator" open><summary>Facilitator\'s full account'
                 f"</summary>{_html_list(turn.injects.get(FACILITATOR, []), 'Nothing happened.')}"
                 "</details>")
    parts.append("<h4>Headline outcomes at the end of the turn</h4>")
    parts.append(_html_table(["outcome", "value", "unit"],
                             _turn_rows(scenario, turn, headline), {1}))
    parts.append("</article>")
    return "\n".join(parts)


def path_caption(scenario: Scenario, outcome: str) -> str:
    """How to read one outcome's path chart (plain text)."""
    kind = scenario_outcome_kind(scenario, outcome)
    if kind == "binary":
        return ("Dashed line: the chance it has happened by each month in the model's worlds; "
                "markers: whether it had happened in the game by the end of each turn (100% "
                "= yes, 0% = no).")
    centre = "mean" if kind == "count" else "median"
    return (f"Bands: 5–95% and 25–75% of the model's worlds; dashed: their {centre}. Line: "
            "the game's world, a marker at the end of each turn.")


def path_figure(scenario: Scenario, outcome: str, expected: pd.DataFrame,
                played: pd.DataFrame) -> go.Figure:
    """One headline outcome over months against the model's envelope.

    A yes/no outcome: the chance it has happened by each month (%), and the game's world as
    yes (100%) or no (0%) at each turn's end — never a median or band of 0s and 1s. Otherwise
    the envelope's 5–95% and 25–75% bands with its mean (a count) or median (a level), and
    the played path with a marker at each turn's end.
    """
    spec = scenario.outcomes[outcome]
    kind = scenario_outcome_kind(scenario, outcome)
    env = expected[expected["outcome"] == outcome].sort_values("month")
    path = played[played["outcome"] == outcome].sort_values("month")
    x = [plot_text(v) for v in env["month_label"]]
    fig = go.Figure()
    turns = [f"end of turn {t}" for t in path["turn"]]
    if kind == "binary":
        chance = env["p_event"] if "p_event" in env.columns else env["p50"]
        fig.add_trace(go.Scatter(
            x=x, y=100 * chance, mode="lines", name="model: chance it has happened",
            line={"color": f"rgb({BAND_COLOUR})", "dash": "dash", "width": 2.5},
            hovertemplate="by %{x}: %{y:.0f}%<extra>model</extra>"))
        happened = [100.0 if v > 0 else 0.0 for v in path["value"]]
        fig.add_trace(go.Scatter(
            x=[plot_text(v) for v in path["month_label"]], y=happened, mode="markers",
            name="game: happened (100%) or not (0%)",
            marker={"color": PLAYED_COLOUR, "size": 11, "symbol": "diamond"},
            text=[f"{t}: {'happened' if h else 'not yet'}" for t, h in zip(turns, happened,
                                                                           strict=True)],
            hovertemplate="%{text}<extra>played</extra>"))
        yaxis = {"title": {"text": "chance by then (%)"}, "ticksuffix": "%",
                 "range": [-4, 104]}
    else:
        centre, word = ("mean", "model mean") if kind == "count" else ("p50", "model median")
        for low, high, alpha, name in (("p05", "p95", 0.15, "model 5–95%"),
                                       ("p25", "p75", 0.30, "model 25–75%")):
            fig.add_trace(go.Scatter(x=x, y=env[high], mode="lines", line={"width": 0},
                                     hoverinfo="skip", showlegend=False, name=name))
            fig.add_trace(go.Scatter(x=x, y=env[low], mode="lines", line={"width": 0},
                                     fill="tonexty", fillcolor=f"rgba({BAND_COLOUR}, {alpha})",
                                     name=name, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=x, y=env[centre if centre in env.columns else "p50"],
                                 mode="lines", name=word,
                                 line={"color": f"rgb({BAND_COLOUR})", "dash": "dash"},
                                 hovertemplate="%{x}: %{y:,.4~r}<extra>" + word + "</extra>"))
        fig.add_trace(go.Scatter(
            x=[plot_text(v) for v in path["month_label"]], y=path["value"],
            mode="lines+markers", name="played", line={"color": PLAYED_COLOUR, "width": 3},
            marker={"size": 9}, text=turns,
            hovertemplate="%{text}: %{y:,.4~r}<extra>played</extra>"))
        yaxis = {"title": {"text": plot_text(spec.unit)}, "exponentformat": "none",
                 "separatethousands": True}
    fig.update_layout(
        title={"text": plot_text(spec.label)}, height=360,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        xaxis={"type": "category", "title": {"text": "month"}, "categoryorder": "array",
               "categoryarray": x},
        yaxis=yaxis, legend={"orientation": "h", "y": -0.25}, template="plotly_white")
    return fig


def _figure_html(fig: go.Figure, div_id: str) -> str:
    return figure_html(fig, div_id, config=PLOT_CONFIG)


CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 1rem 2rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #666; } article.turn { border-left: 4px solid #0072B2; padding-left: 1rem;
  margin: 1.5rem 0; } details.inject { margin: .3rem 0; } summary { font-weight: 600; }
.facilitator summary { color: #D55E00; } figure { margin: 1rem 0; }
@media print { details.inject { display: block; } }
"""


def render_html(game: Game, *, expected: pd.DataFrame | None = None) -> str:
    """The after-action report as one self-contained offline HTML page (plotly.js inline once).

    `expected` is the envelope (`envelope(game)`), computed here if not given.
    """
    scenario = scenario_of(game)
    expected = envelope(game) if expected is None else expected
    meta = scenario.meta
    headline = scenario.headline_outcomes
    played = played_path(game)
    header = (f"<header><h1>After-action report — {esc(meta.title)}</h1>"
              f"<p>Scenario <strong>{esc(meta.name)}</strong> ({esc(game.scenario_file)}), "
              f"starting {esc(meta.start)}, horizon {meta.horizon_months} months. Seed "
              f"{game.seed}; turns of {game.turn_months} months; {len(game.turns)} turn(s) "
              f"played, next month {esc(month_label(meta.start, game.month))}.</p>"
              f"<p>{esc(meta.description)}</p></header>")
    teams = ('<section id="teams"><h2>Teams</h2>'
             + _html_table(["team", "plays"], [[t, ", ".join(a)] for t, a in game.teams.items()])
             + f"<p>The model plays {esc(', '.join(_model_actors(game)) or 'no actor')} by its "
               "doctrine.</p></section>")
    timeline = ['<section id="timeline"><h2>Timeline</h2>']
    timeline += [_html_turn(game, scenario, t, headline) for t in game.turns] or [
        '<p class="muted">No turn has been played yet.</p>']
    if game.pending:
        timeline += ["<h3>Moves pending for the next turn (not yet rolled)</h3>",
                     _html_moves(scenario, game.pending)]
    timeline.append("</section>")
    figures = ['<section id="paths"><h2>The played path against the model\'s envelope</h2>',
               f"<p>The model's envelope: the scenario run {esc(_worlds_text(expected))} times "
               "from the same start under the model's doctrine alone. Yes/no outcomes are "
               "drawn as the chance they have happened by each month; counts with their "
               "mean, levels with their median, both with the 5–95% and 25–75% bands of "
               "worlds. The game's world is marked at the end of each turn.</p>"]
    for i, outcome in enumerate(headline):
        fig = path_figure(scenario, outcome, expected, played)
        spec = scenario.outcomes[outcome]
        unit = ("yes/no" if scenario_outcome_kind(scenario, outcome) == "binary"
                else spec.unit)
        figures.append(f'<figure>{_figure_html(fig, f"path-{i}")}<figcaption>'
                       f"{esc(spec.label)} ({esc(unit)}). "
                       f"{esc(path_caption(scenario, outcome))}</figcaption></figure>")
    figures.append("</section>")
    table = comparison(game, expected)
    ending = ['<section id="outcome"><h2>Where the game ended vs what the model expected</h2>']
    if table.empty:
        ending.append('<p class="muted">No turn has been played yet.</p>')
    else:
        ending.append(f"<p>At {esc(table['month_label'].iloc[0])}:</p>")
        ending.append(_html_table(
            ["outcome", "unit", "played", "model expected", "model 5–95%", "where"],
            [[r.label, "yes/no" if r.kind == "binary" else r.unit,
              played_text(r.played, r.kind), *expected_text(r), r.band]
             for r in table.itertuples()], {2, 3, 4}))
    ending.append("</section>")
    return "\n".join([
        html_head(f"{meta.title} — after-action report", CSS), header, teams,
        "\n".join(timeline), "\n".join(figures),
        "\n".join(ending),
        "<footer class=\"muted\">Generated by axis_sim's seminar. Self-contained: opens "
        "offline; plotly.js is embedded.</footer>",
        "</body>", "</html>", ""])


# --- files -------------------------------------------------------------------------------------


def write_report(game: Game, folder: Path, name: str = "game", *,
                 worlds: int = 500) -> tuple[Path, Path]:
    """Write `<name>-after_action.md` and `.html` into `folder` (atomically; `name` is the game
    file's stem, so two games in one folder keep their own reports); return the two paths. The
    envelope is computed once, from `worlds` worlds, and shared by both."""
    expected = envelope(game, worlds)
    stem = Path(folder) / f"{name}{REPORT_SUFFIX}"
    md = atomic_write_text(stem.with_suffix(".md"), render_markdown(game, expected=expected))
    page = atomic_write_text(stem.with_suffix(".html"), render_html(game, expected=expected))
    return md, page
