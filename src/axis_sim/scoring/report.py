"""The forecast-score report: a self-contained offline page, a terminal summary, and the files.

`render_score_html` builds one HTML page (plotly.js embedded once, no MathJax, nothing fetched
from the network): the overall scores with both reference forecasters, a reliability diagram of
the binary questions, every question worst first, and the numeric questions' predictive
intervals against the resolved values. Question texts, sources, notes and ids come from a
questions file and are untrusted: HTML-escaped on the page and escaped for plotly in charts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from axis_sim.io import atomic_write_text
from axis_sim.report.common import (
    PLOT_FONT,
    esc,
    figure_html,
    html_head,
    html_table,
    plot_text,
    short,
)
from axis_sim.report.formatting import MISSING, format_number, format_probability, is_missing
from axis_sim.scenario.schema import Scenario
from axis_sim.scoring.forecast import RELIABILITY_BINS, ScoreResult
from axis_sim.scoring.questions import QuestionSet

__all__ = [
    "HTML_FILE",
    "QUESTIONS_FILE",
    "SUMMARY_FILE",
    "render_score_html",
    "render_score_text",
    "write_score_report",
]

HTML_FILE = "score.html"
QUESTIONS_FILE = "questions.csv"
SUMMARY_FILE = "summary.json"
MODEL_COLOUR = "#0072B2"
RESOLVED_COLOUR = "#D55E00"
DIAGONAL_COLOUR = "#9aa1ad"


# --- number words ------------------------------------------------------------------------------


def _score(value: object) -> str:
    """A Brier, log or relative score: three decimals."""
    return MISSING if is_missing(value) else f"{float(value):.3f}"  # type: ignore[arg-type]


def _skill(value: object) -> str:
    """A skill score, signed: +0.42 beats the reference, −0.10 does worse."""
    if is_missing(value):
        return MISSING
    return f"{float(value):+.2f}".replace("-", "−")  # type: ignore[arg-type]


def _resolution(row: Any) -> str:
    """What happened: yes/no, or the resolved value."""
    if row.kind == "binary":
        return "yes" if row.resolution == 1 else "no"
    return format_number(row.resolution)


def _forecast(row: Any) -> str:
    """The model's forecast: a probability, or the median and 5–95% range."""
    if row.kind == "binary":
        return format_probability(row.forecast)
    return f"{format_number(row.p50)} [{format_number(row.p05)} – {format_number(row.p95)}]"


def _row_score(row: Any) -> str:
    """A question's score with its name."""
    if row.kind == "binary":
        return f"Brier {_score(row.brier)}"
    return f"CRPS {format_number(row.crps)} ({_score(row.relative_crps)} of the value)"


def _question_label(row: Any) -> str:
    """What the question asks of the model, e.g. `nuclear_test == 1 at 2024-06`."""
    condition = f" {row.condition}" if row.condition else ""
    return f"{row.outcome}{condition} at {row.month}"


# --- terminal ----------------------------------------------------------------------------------


def render_score_text(result: ScoreResult, text: Callable[[object], str] = str) -> str:
    """The scores for the terminal: what was scored, the overall numbers against both
    references, any caveats, then one line per question, worst first.

    `text` writes the names taken from the questions file and the registry (for Markdown,
    `report.markdown.escape`); the rest is the project's own words and numbers."""
    s = result.summary
    lines = [
        f"Forecast score: {text(s.get('questions_name', 'questions'))} against scenario "
        f"{text(s.get('scenario_name', '?'))} ({text(s.get('portfolio', '?'))}, "
        f"{s.get('runs', '?')} worlds, "
        f"seed {s.get('seed', '?')})",
        "",
    ]
    if s["binary"]:
        lines += [
            f"Binary questions: {s['binary']}",
            f"  Brier      {_score(s['brier'])}   always 50%: {_score(s['brier_uniform'])}"
            f"   base rates: {_score(s['brier_base_rate'])}",
            f"  log score  {_score(s['log_score'])}   always 50%: "
            f"{_score(s['log_score_uniform'])}   base rates: {_score(s['log_score_base_rate'])}",
            f"  skill vs always 50%: Brier {_skill(s['brier_skill_uniform'])}, log "
            f"{_skill(s['log_skill_uniform'])};  vs base rates: Brier "
            f"{_skill(s['brier_skill_base_rate'])}, log {_skill(s['log_skill_base_rate'])}",
            *_sureness_lines(s),
        ]
    if s["numeric"]:
        lines += [
            f"Numeric questions: {s['numeric']}",
            f"  CRPS relative to the resolved value, mean: {_score(s['relative_crps_mean'])}",
            f"  resolved value inside the 50% interval: {format_probability(s['coverage_50'])}"
            + _count(s.get("coverage_50_count")) + " (calibrated: about 50%); inside the 90% "
            "interval: "
            f"{format_probability(s['coverage_90'])} (about 90%)"
            + _count(s.get("coverage_90_count")),
        ]
    lines += _family_lines(s)
    lines += [f"Note: {note}" for note in s.get("notes", [])]
    lines += ["", "Questions, worst first:"]
    table = [("id", "kind", "question", "model", "resolved", "score")]
    table += [(row.id, row.kind, short(_question_label(row), 44), _forecast(row),
               _resolution(row), _row_score(row))
              for row in result.questions.itertuples()]
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
                     .rstrip())
    return "\n".join(lines) + "\n"


# --- figures -----------------------------------------------------------------------------------


def reliability_figure(result: ScoreResult, bins: int = RELIABILITY_BINS) -> go.Figure | None:
    """Binned forecast probability against the share that resolved yes, with the diagonal of
    perfect calibration and the number of questions per bin underneath; None without binary
    questions."""
    table = result.reliability(bins)
    filled = table[table["count"] > 0]
    if filled.empty:
        return None
    centres = (table["bin_low"] + table["bin_high"]) / 2
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.74, 0.26],
                        vertical_spacing=0.06)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration",
                             line={"color": DIAGONAL_COLOUR, "dash": "dash"},
                             hoverinfo="skip"), row=1, col=1)
    size = 10 + 22 * (filled["count"] / filled["count"].max()) ** 0.5
    fig.add_trace(go.Scatter(
        x=filled["mean_forecast"], y=filled["observed_frequency"], mode="markers+text",
        name="model", marker={"color": MODEL_COLOUR, "size": size, "opacity": 0.85},
        text=[str(int(c)) for c in filled["count"]], textposition="middle right",
        customdata=filled[["bin_low", "bin_high", "count"]].to_numpy(),
        hovertemplate=("forecasts %{customdata[0]:.0%}–%{customdata[1]:.0%}: mean %{x:.0%}, "
                       "resolved yes %{y:.0%} of %{customdata[2]} question(s)<extra></extra>")),
        row=1, col=1)
    fig.add_trace(go.Bar(x=centres, y=table["count"], width=1 / bins * 0.9, name="questions",
                         marker={"color": MODEL_COLOUR, "opacity": 0.45}, showlegend=False,
                         hovertemplate="%{y} question(s)<extra></extra>"), row=2, col=1)
    fig.update_layout(
        template="plotly_white", height=520, font={"family": PLOT_FONT, "size": 13},
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
        title={"text": "Reliability of the binary forecasts", "x": 0.0, "xanchor": "left"},
        legend={"orientation": "h", "y": 1.06, "x": 1, "xanchor": "right"})
    fig.update_xaxes(range=[-0.02, 1.02], tickformat=".0%", row=1, col=1)
    fig.update_xaxes(range=[-0.02, 1.02], tickformat=".0%",
                     title={"text": "model probability (binned)"}, row=2, col=1)
    fig.update_yaxes(range=[-0.05, 1.1], tickformat=".0%",
                     title={"text": "share resolved yes"}, row=1, col=1)
    fig.update_yaxes(title={"text": "questions"}, rangemode="tozero", row=2, col=1)
    return fig


def interval_figure(row: Any) -> go.Figure:
    """One numeric question: the model's 5–95% and 25–75% ranges and median over worlds,
    against the resolved value."""
    name = plot_text(short(row.id, 40))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[row.p05, row.p95], y=[name, name], mode="lines",
                             line={"color": MODEL_COLOUR, "width": 6}, opacity=0.35,
                             name="model 5–95%", hoverinfo="x"))
    fig.add_trace(go.Scatter(x=[row.p25, row.p75], y=[name, name], mode="lines",
                             line={"color": MODEL_COLOUR, "width": 14}, opacity=0.6,
                             name="model 25–75%", hoverinfo="x"))
    fig.add_trace(go.Scatter(x=[row.p50], y=[name], mode="markers", name="model median",
                             marker={"color": "#fff", "size": 11, "symbol": "line-ns",
                                     "line": {"color": "#1d2330", "width": 3}},
                             hovertemplate="median %{x}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[row.resolution], y=[name], mode="markers", name="resolved",
                             marker={"color": RESOLVED_COLOUR, "size": 14, "symbol": "diamond"},
                             hovertemplate="resolved %{x}<extra></extra>"))
    fig.update_layout(
        template="plotly_white", height=170, font={"family": PLOT_FONT, "size": 13},
        margin={"l": 10, "r": 20, "t": 10, "b": 40}, showlegend=True,
        legend={"orientation": "h", "y": -0.45},
        xaxis={"title": {"text": plot_text(short(row.outcome, 60))}, "zeroline": False},
        yaxis={"automargin": True, "showticklabels": False})
    return fig


# --- page --------------------------------------------------------------------------------------


CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1150px; padding: 1rem 2rem 3rem; color: #1d2330;
       line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; border-top: 2px solid #d9dde5; padding-top: .6rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border-bottom: 1px solid #d9dde5; padding: .35rem .55rem; text-align: left;
         vertical-align: top; }
th { background: #f5f7fa; }
table.numbers { width: auto; } table.numbers td:not(:first-child) {
  font-variant-numeric: tabular-nums; text-align: right; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-size: .88em; overflow-wrap: anywhere; }
.muted { color: #5b6475; font-size: .9em; }
ul.notes { background: #fff8e6; border-left: 4px solid #E69F00; padding: .5rem 1rem .5rem 2rem; }
figure { margin: .6rem 0 1rem; } figcaption { color: #5b6475; font-size: .9rem; }
"""


def render_score_html(result: ScoreResult, scenario: Scenario, questions: QuestionSet) -> str:
    """The score report as one self-contained offline HTML page (plotly.js inline once)."""
    s = result.summary
    title = f"Forecast score — {questions.name}"
    header = (
        f"<header><h1>{esc(title)}</h1>"
        f"<p>The worlds of scenario <strong>{esc(scenario.meta.name)}</strong> "
        f"({esc(scenario.meta.title)}) under <code>{esc(s.get('portfolio', ''))}</code>, "
        f"{esc(s.get('runs', ''))} worlds, seed {esc(s.get('seed', ''))}, starting "
        f"{esc(scenario.meta.start)}, checked against {len(result.questions)} resolved "
        f"question(s) from <code>{esc(questions.file)}</code>.</p>"
        + (f"<p>{esc(questions.meta.description)}</p>"
           if questions.meta is not None and questions.meta.description else "")
        + "</header>")
    parts = [html_head(title, CSS), header, summary_section(result),
             reliability_section(result), _questions_section(result),
             _numeric_section(result),
             '<footer class="muted">Generated by axis_sim. Self-contained: opens offline; '
             "plotly.js is embedded.</footer>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _interval(s: dict[str, Any], key: str, skill: bool = False) -> str:
    low, high = s.get("intervals", {}).get(key, (None, None))
    if low is None or high is None:
        return "–"
    show = _skill if skill else _score
    return f"[{show(low)}, {show(high)}]"


def _count(pair: list[int] | None) -> str:
    return f" ({pair[0]} of {pair[1]})" if pair else ""


def _sureness_lines(s: dict[str, Any]) -> list[str]:
    """How sure the binary scores are: bootstrap intervals, decomposition, yes/no split."""
    lines = [
        f"  90% intervals over resampled questions: Brier {_interval(s, 'brier')}, log "
        f"{_interval(s, 'log_score')}; skill vs 50% Brier "
        f"{_interval(s, 'brier_skill_uniform', True)}, vs base rates Brier "
        f"{_interval(s, 'brier_skill_base_rate', True)}",
    ]
    persistence = s.get("persistence")
    if persistence:
        lines.append(f"  vs persistence (the previous window's rate; {persistence['questions']} "
                     f"questions give it): its Brier {_score(persistence['brier'])}, the model's "
                     f"{_score(persistence['model_brier'])}, skill "
                     f"{_skill(persistence['brier_skill'])}")
    d = s.get("decomposition")
    if d:
        lines.append(f"  Brier = reliability {_score(d['reliability'])} − resolution "
                     f"{_score(d['resolution'])} + uncertainty {_score(d['uncertainty'])}"
                     f" (residual {_score(d['residual'])})")
    for label, part in s.get("by_resolution", {}).items():
        lines.append(f"  questions that resolved {label} ({part['binary']}): Brier "
                     f"{_score(part['brier'])}, always 50% {_score(part['brier_uniform'])}, base "
                     f"rates {_score(part['brier_base_rate'])}")
    return lines


def _family_lines(s: dict[str, Any]) -> list[str]:
    """Scores by outcome family: binary Brier against both references, numeric CRPS."""
    families = s.get("by_family", {})
    if not families:
        return []
    lines = ["By outcome family:"]
    for family, part in families.items():
        text = f"  {family}: "
        bits = []
        if part.get("binary"):
            bits.append(f"{part['binary']} binary, Brier {_score(part['brier'])} (50% "
                        f"{_score(part['brier_uniform'])}, base rates "
                        f"{_score(part['brier_base_rate'])})")
        if part.get("numeric"):
            bits.append(f"{part['numeric']} numeric, CRPS/value "
                        f"{_score(part['relative_crps_mean'])}")
        lines.append(text + "; ".join(bits))
    return lines


def summary_section(result: ScoreResult, key: str = "") -> str:
    """The overall scores against both reference forecasters, and any caveats; `key` keeps
    the section's id unique when a page shows several."""
    s = result.summary
    out = [f'<section id="summary{"-" + key if key else ""}"><h2>Summary</h2>']
    if s["binary"]:
        out.append(f"<p>{s['binary']} binary question(s). The model's probability is the share "
                   "of worlds meeting the question's condition at the end of its month. Lower "
                   "scores are better; a skill above 0 beats the reference forecaster.</p>")
        rows = [
            ["model", _score(s["brier"]), _score(s["log_score"]), "", ""],
            ["always 50%", _score(s["brier_uniform"]), _score(s["log_score_uniform"]),
             _skill(s["brier_skill_uniform"]), _skill(s["log_skill_uniform"])],
            [f"base rates ({s['base_rate_given']} given, {s['base_rate_missing']} at 50%)",
             _score(s["brier_base_rate"]), _score(s["log_score_base_rate"]),
             _skill(s["brier_skill_base_rate"]), _skill(s["log_skill_base_rate"])],
        ]
        out.append(html_table(
            ["forecaster", "Brier", "log score", "model's Brier skill against it",
             "model's log skill against it"],
            [[esc(c) for c in r] for r in rows], "numbers"))
        out.append("<p>How sure these numbers are:</p><ul>" + "".join(
            f"<li>{esc(line.strip())}</li>" for line in _sureness_lines(s)) + "</ul>")
    if s["numeric"]:
        out.append(f"<p>{s['numeric']} numeric question(s): the worlds' values at the month are "
                   "the model's predictive distribution.</p>")
        rows = [
            ["mean CRPS relative to the resolved value", _score(s["relative_crps_mean"])],
            ["resolved value inside the central 50% interval (calibrated: about 50%)",
             format_probability(s["coverage_50"])],
            ["resolved value inside the central 90% interval (calibrated: about 90%)",
             format_probability(s["coverage_90"])],
        ]
        out.append(html_table(["", "value"], [[esc(c) for c in r] for r in rows], "numbers"))
    families = _family_lines(s)
    if families:
        out.append(f"<h3>{esc(families[0].rstrip(':'))}</h3><ul>" + "".join(
            f"<li>{esc(line.strip())}</li>" for line in families[1:]) + "</ul>")
    if s.get("notes"):
        out.append('<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in s["notes"])
                   + "</ul>")
    out.append("</section>")
    return "\n".join(out)


def reliability_section(result: ScoreResult, key: str = "") -> str:
    """The reliability diagram with its caption; `key` keeps element ids unique when a page
    shows several (the backtest: one per origin and pool)."""
    fig = reliability_figure(result)
    suffix = f"-{key}" if key else ""
    out = [f'<section id="reliability{suffix}"><h2>Reliability</h2>']
    if fig is None:
        out.append('<p class="muted">No binary questions, so no reliability diagram.</p>')
    else:
        figure = figure_html(fig, f"reliability-figure{suffix}")
        out.append(f"<figure>{figure}<figcaption>Binary questions "
                   f"grouped into {RELIABILITY_BINS} bins of the model's probability: each "
                   "marker is a bin's mean probability against the share of its questions that "
                   "resolved yes, labelled with how many questions it holds (bars below). A "
                   "calibrated forecaster's markers lie on the dashed diagonal; with few "
                   "questions per bin, expect scatter.</figcaption></figure>")
    out.append("</section>")
    return "\n".join(out)


def _questions_section(result: ScoreResult) -> str:
    """Every question, worst scored first."""
    rows = []
    for rank, row in enumerate(result.questions.itertuples(), start=1):
        text = (f"{esc(row.text)}<br><code>{esc(row.id)}</code> "
                f'<span class="muted">{esc(_question_label(row))}</span>')
        source = f"{esc(row.source)}<br><span class=\"muted\">resolved {esc(row.resolved_on)}"
        source += f"; {esc(row.note)}</span>" if row.note else "</span>"
        rows.append([str(rank), text, esc(row.kind), f'<span class="num">{esc(_forecast(row))}'
                     "</span>", esc(_resolution(row)), esc(_row_score(row)), source])
    table = html_table(["#", "question", "kind", "model", "resolved", "score", "source"], rows,
                       "questions")
    return ('<section id="questions"><h2>Questions, worst scored first</h2>'
            "<p>Binary questions rank by their Brier score, numeric ones by their CRPS relative "
            "to the resolved value (to the ensemble's mean size when it resolved at 0). Model: "
            "the probability (binary) or the median and 5–95% range over worlds (numeric).</p>"
            f"{table}</section>")


def _numeric_section(result: ScoreResult) -> str:
    """One predictive-interval chart per numeric question."""
    numeric = result.numeric()
    out = ['<section id="numeric"><h2>Numeric questions: predictive interval and outcome</h2>']
    if numeric.empty:
        out.append('<p class="muted">No numeric questions.</p>')
    for i, row in enumerate(numeric.itertuples()):
        inside = ("inside the 50% interval" if row.in_50 else
                  "inside the 90% but not the 50% interval" if row.in_90 else
                  "outside the 90% interval")
        out.append(
            f"<h3>{esc(row.text)}</h3>"
            f"<figure>{figure_html(interval_figure(row), f'numeric-figure-{i}')}<figcaption>"
            f"<code>{esc(row.id)}</code>: {esc(row.outcome)} at {esc(row.month)}. Resolved "
            f"{esc(format_number(row.resolution))}, {esc(inside)}; "
            f"{esc(format_probability(row.pit))} of worlds came in below it. "
            f"CRPS {esc(format_number(row.crps))}.</figcaption></figure>")
    out.append("</section>")
    return "\n".join(out)


# --- files -------------------------------------------------------------------------------------


def write_score_report(result: ScoreResult, scenario: Scenario, questions: QuestionSet,
                       folder: str | Path) -> Path:
    """Write `score.html`, `questions.csv` and `summary.json` into `folder` (created if need
    be), each atomically; return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / HTML_FILE, render_score_html(result, scenario, questions))
    atomic_write_text(folder / QUESTIONS_FILE, result.questions.to_csv(index=False))
    summary = json.dumps(json_ready(result.summary), indent=2, ensure_ascii=False,
                         allow_nan=False)
    atomic_write_text(folder / SUMMARY_FILE, summary + "\n")
    return folder


def json_ready(value: Any) -> Any:
    """NaN and infinities as None, numpy scalars as Python numbers, recursively."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
