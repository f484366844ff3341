"""The after-action report and the per-team handouts.

The report (the facilitator's record, `<game>-after_action.md` and `.html`): a timeline of the
turns — the standing orders and when they changed, the matrix arguments with counters, odds and
rolls, the odds shown before each roll beside doing nothing, the roll, the umpire's rulings with
the model's own result they replaced, every briefing — then the turns taken back, the saved
lookaheads as what-ifs, and one chart per headline outcome: the game's world against the model's
envelope (many worlds run from the same start under the teams' own standing orders), with
decision and event markers.

A handout (`<game>-handout-<team>.md` and `.html`) holds only what that team was told: its
briefings, its own orders, its own arguments and the rolls shown to the room, its own
lookaheads — never another team's orders or covert doings, and no ground-truth chart.

Everything from the game (team names, rationales, reasons, arguments, briefings) and the
scenario is untrusted: the HTML comes from Jinja2 templates with autoescape (control characters
dropped first), the Markdown through `report.markdown`, chart text through `plot_text`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from axis_sim.experiment.sampling import default_parameters
from axis_sim.io import atomic_write_text
from axis_sim.model.metrics import record
from axis_sim.model.state import restore
from axis_sim.model.world import AxisModel
from axis_sim.report import markdown
from axis_sim.report.common import PLOT_CONFIG as COMMON_PLOT_CONFIG
from axis_sim.report.common import (
    UPLOAD_BUTTONS,
    figure_html,
    html_head,
    plot_text,
    scenario_outcome_kind,
)
from axis_sim.report.formatting import MISSING, format_number, format_probability, is_missing
from axis_sim.report.templates import markup, render
from axis_sim.scenario.schema import Scenario, month_label
from axis_sim.seminar import engine
from axis_sim.seminar.briefing import (
    FACILITATOR,
    PUBLIC,
    SECTIONS,
    decision_label,
    describe,
    model_had,
    percent_text,
    scheduled_names,
    value_text,
)
from axis_sim.seminar.engine import WATCHED_EVENTS, scenario_of
from axis_sim.seminar.game import Argument, Game, Order, Turn
from axis_sim.text import OUTPUT_CONTROL

__all__ = ["FACILITATOR", "QUANTILES", "comparison", "decision_label", "envelope",
           "handout", "played_path", "render_handout_html", "render_handout_markdown",
           "render_html", "render_markdown", "value_text", "write_handouts", "write_report"]

QUANTILES: dict[str, float] = {"p05": 0.05, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p95": 0.95}
REPORT_SUFFIX = "-after_action"  # <game file's stem>-after_action.md / .html
HANDOUT_SUFFIX = "-handout-"  # <game file's stem>-handout-<team>.md / .html
# The project's config (no upload buttons), keeping zoom and pan for the month-by-month paths.
PLOT_CONFIG = {**COMMON_PLOT_CONFIG, "modeBarButtonsToRemove": [
    "select2d", "lasso2d", "autoScale2d", *UPLOAD_BUTTONS]}
BAND_COLOUR = "0, 114, 178"  # Okabe–Ito blue, as rgb for translucent bands
PLAYED_COLOUR = "#D55E00"
DECISION_COLOUR = "#009E73"
EVENT_COLOUR = "#CC79A7"
# Events marked on the charts: the ones a room remembers.
MARKED_EVENTS = frozenset({"icbm_launch", "nuclear_test", "leader_summit", "lethal_incident",
                           "escalation_crisis", "china_naval_exercise", "ceasefire",
                           "intercept_success", "launchpad_strike", "cooperation_step",
                           "satellite_launch"})
BRIEFING_TITLES = {"happened": "What happened", "intelligence": "Intelligence",
                   "your_decisions": "Your decisions", "reactions": "Reactions",
                   "decisions_due": "Decisions due"}


# --- data --------------------------------------------------------------------------------------


def _plan(game: Game, scenario: Scenario) -> list[tuple[list[Order], int, int]]:
    """The orders in force turn by turn — the played turns', then the orders in force now to
    the horizon — as (orders, the turn's months, months to play): in the last stretch the
    coming turn's one-turn orders act once, then lapse to doctrine."""
    plan = [(list(t.orders), t.months, t.months) for t in game.turns]
    left = scenario.meta.horizon_months - game.month
    if left > 0:
        plan.append((list(game.orders), min(game.turn_months, left), left))
    return plan


def envelope(game: Game, worlds: int = 500) -> pd.DataFrame:
    """What the model expected: the game's starting world forked `worlds` times and run to the
    horizon under the teams' own standing orders (each played turn's orders for its months,
    then the orders in force now), default parameters, each world its own luck. The umpire's
    rulings are the game's, not the model's: they are left out.

    One row per headline outcome and month (0 = start month): `outcome`, `month`,
    `month_label`, `p05`, `p25`, `p50`, `p75`, `p95`, `mean` and `p_event` (the share of
    worlds where the outcome is above 0: for a yes/no outcome, the chance it has happened by
    then). Reproducible: the seed comes from the game's seed.
    """
    if worlds < 1:
        raise ValueError(f"worlds must be at least 1, got {worlds}")
    scenario = scenario_of(game)
    names = tuple(scenario.headline_outcomes)
    seed = zlib.crc32(f"{game.seed}:envelope".encode())
    model = AxisModel(scenario, default_parameters(scenario, worlds), seed=seed)
    restore(model, game.initial_state, world=0)
    first = model.month
    months: list[np.ndarray] = []
    for orders, length, steps in _plan(game, scenario):
        engine.put_in_force(model, orders, [])
        engine.play_orders(model, orders, [], length, steps,
                           each_month=lambda m: months.append(record(m, names)))
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


def _model_actors(game: Game) -> list[str]:
    scenario = scenario_of(game)
    return [a for a in scenario.actors if game.team_of(a) is None]


# --- the timeline's content ----------------------------------------------------------------------


def _order_row(scenario: Scenario, order: Order, status: str) -> dict[str, Any]:
    return {"team": order.team, "decision": order.decision,
            "label": decision_label(scenario, order.decision), "value": value_text(order.value),
            "per": "this turn only" if order.per == "turn" else "standing",
            "since": order.since_turn, "status": status,
            "rationale": order.rationale or "(no rationale given)",
            "exception": order.exception}


def order_changes(game: Game, turn_index: int, turns: list[Turn] | None = None
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The orders in force in a turn, each marked `new`, `changed` or `standing` against the
    turn before, and the orders withdrawn since (back to doctrine)."""
    turns = game.turns if turns is None else turns
    scenario = scenario_of(game)
    turn = turns[turn_index]
    before = {(o.team, o.decision): o for o in turns[turn_index - 1].orders} if turn_index else {}
    rows = []
    for o in turn.orders:
        old = before.get((o.team, o.decision))
        status = ("new" if old is None or o.per == "turn" else
                  "changed" if old.value != o.value else "unchanged")
        rows.append(_order_row(scenario, o, status))
    now = {(o.team, o.decision) for o in turn.orders}
    withdrawn = [_order_row(scenario, o, "withdrawn") for key, o in before.items()
                 if key not in now and o.per != "turn"]
    return rows, withdrawn


def _argument_row(a: Argument) -> dict[str, Any]:
    return {"team": a.team, "action": a.action, "arguments": list(a.arguments),
            "counters": [{"team": c.get("team", ""), "text": c.get("text", "")}
                         for c in a.counters],
            "event": WATCHED_EVENTS.get(a.event, a.event) if a.event else "",
            "model_odds": format_probability(a.model_odds) if a.model_odds is not None else "—",
            "odds": percent_text(a.odds) if a.odds is not None else "—",
            "roll": f"{a.roll:.2f}" if a.roll is not None else "—",
            "result": ("succeeds" if a.success else "fails") if a.success is not None
            else "not rolled"}


def _outcome_rows(scenario: Scenario, outcomes: dict[str, float]) -> list[list[str]]:
    rows = []
    for o in scenario.headline_outcomes:
        kind = scenario_outcome_kind(scenario, o)
        rows.append([scenario.outcomes[o].label, played_text(outcomes.get(o), kind),
                     "yes/no" if kind == "binary" else scenario.outcomes[o].unit])
    return rows


def _event_counts(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r["event"])] = counts.get(str(r["event"]), 0) + 1
    return counts


def replaced_result(scenario: Scenario, turn: Turn) -> dict[str, Any] | None:
    """What a ruling replaced: the model's own result beside the ruled one — headline outcomes
    that differ, and the events only one of the two runs had (None: no ruling, or the model's
    result was not kept)."""
    if not turn.rulings or turn.model_outcomes is None:
        return None
    outcomes = []
    for o in scenario.headline_outcomes:
        kind = scenario_outcome_kind(scenario, o)
        ruled, own = turn.outcomes.get(o), turn.model_outcomes.get(o)
        if ruled != own:
            outcomes.append([scenario.outcomes[o].label, played_text(ruled, kind),
                             played_text(own, kind)])
    ruled_counts = _event_counts(turn.events)
    model_counts = _event_counts(turn.model_events or [])
    events = [[kind.replace("_", " "), str(ruled_counts.get(kind, 0)),
               str(model_counts.get(kind, 0))]
              for kind in sorted(set(ruled_counts) | set(model_counts))
              if ruled_counts.get(kind, 0) != model_counts.get(kind, 0)]
    return {"outcomes": outcomes, "events": events}


def _briefing_view(briefing: dict[str, Any]) -> list[dict[str, Any]]:
    """A stored briefing as titled sections of sentences (empty sections left out); a
    version-1 briefing (plain lines) reads as its `happened` section."""
    sections = []
    for key in SECTIONS:
        items = briefing.get(key) or []
        texts = [str(i.get("text", "")) if isinstance(i, dict) else str(i) for i in items]
        if texts:
            sections.append({"title": BRIEFING_TITLES[key], "lines": texts})
    return sections


def _turn_view(game: Game, scenario: Scenario, turns: list[Turn], index: int, *,
               undone: bool = False) -> dict[str, Any]:
    """Everything the report shows of one turn (`undone`: a turn taken back)."""
    turn = turns[index]
    orders, withdrawn = order_changes(game, index, turns)
    odds = [{"event": WATCHED_EVENTS.get(k, k), "odds": format_probability(v),
             "doctrine": format_probability(turn.odds_doctrine[k])
             if k in turn.odds_doctrine else "—",
             "happened": ("yes" if turn.happened[k] else "no") if k in turn.happened else "—",
             "drivers": list(turn.drivers.get(k, []))}
            for k, v in turn.odds.items()]
    rulings = [{"kind": "chance event" if r.kind == "event" else "decision",
                "key": r.key,
                "label": (engine.chance_events().get(r.key, r.key) if r.kind == "event"
                          else decision_label(scenario, r.key)),
                "value": value_text(r.value),
                "model_value": model_had(r),
                "reason": r.reason} for r in turn.rulings]
    briefings = [{"who": who, "sections": _briefing_view(turn.briefings.get(who) or {})}
                 for who in (*game.teams, FACILITATOR, PUBLIC) if who in turn.briefings]
    return {"number": turn.number, "span": _span(scenario, turn), "undone": undone,
            "orders": orders,
            "withdrawn": withdrawn, "arguments": [_argument_row(a) for a in turn.arguments],
            "odds": odds, "rulings": rulings, "replaced": replaced_result(scenario, turn),
            "briefings": briefings, "outcomes": _outcome_rows(scenario, turn.outcomes)}


def _lookahead_views(game: Game, scenario: Scenario, team: str | None = None
                     ) -> list[dict[str, Any]]:
    """The saved lookaheads (a team's own only, if `team`), as what-if tables."""
    views = []
    for entry in game.lookaheads:
        if team is not None and entry.get("team") != team:
            continue
        rows = []
        for r in entry.get("rows", []):
            outcome = str(r.get("outcome", ""))
            spec = scenario.outcomes.get(outcome)  # type: ignore[call-overload]
            rows.append([str(r.get("candidate", "")), spec.label if spec else outcome,
                         format_number(r.get("mean")),
                         f"{format_number(r.get('diff_mean'))} "
                         f"[{format_number(r.get('diff_ci_low'))}, "
                         f"{format_number(r.get('diff_ci_high'))}]",
                         str(r.get("better", "")),
                         format_number(r.get("score")) if "score" in r else MISSING])
        views.append({"team": str(entry.get("team", "")), "turn": entry.get("turn", ""),
                      "rows": rows})
    return views


LOOKAHEAD_HEADER = ["candidate", "outcome", "mean at the horizon",
                    "change vs the first candidate [90%]", "the team wants it",
                    "gain on the team's aims"]


def report_context(game: Game) -> dict[str, Any]:
    """The report's content (every text untrusted), shared by the Markdown and the HTML."""
    scenario = scenario_of(game)
    meta = scenario.meta
    return {
        "title": meta.title, "scenario_name": meta.name, "scenario_file": game.scenario_file,
        "start": meta.start, "horizon": meta.horizon_months, "description": meta.description,
        "seed": game.seed, "turn_months": game.turn_months, "played": len(game.turns),
        "next_month": month_label(meta.start, game.month),
        "teams": [[t, ", ".join(a)] for t, a in game.teams.items()],
        "model_plays": ", ".join(_model_actors(game)) or "no actor",
        "turns": [_turn_view(game, scenario, game.turns, i) for i in range(len(game.turns))],
        "undone": [_turn_view(game, scenario, game.undone, i, undone=True)
                   for i in range(len(game.undone))],
        "pending": [_order_row(scenario, o, "in force") for o in game.orders],
        "lookaheads": _lookahead_views(game, scenario),
    }


# --- markers and charts --------------------------------------------------------------------------


def decision_markers(game: Game) -> list[dict[str, Any]]:
    """Where the standing orders changed: per turn with a change, its first month and the
    changes in words."""
    scenario = scenario_of(game)
    markers = []
    for i, turn in enumerate(game.turns):
        orders, withdrawn = order_changes(game, i)
        changes = [f"{o['team']}: {o['label']} = {o['value']} ({o['status']})" for o in orders
                   if o["status"] != "unchanged"]
        changes += [f"{o['team']}: {o['label']} withdrawn" for o in withdrawn]
        if changes:
            markers.append({"month": turn.first_month, "turn": turn.number,
                            "month_label": month_label(scenario.meta.start, turn.first_month),
                            "changes": changes})
    return markers


def event_markers(game: Game) -> list[dict[str, Any]]:
    """The events a room remembers (launches, the test, summits, incidents, new rungs), by
    month, each with its description."""
    scenario = scenario_of(game)
    by_month: dict[int, list[str]] = {}
    for turn in game.turns:
        names = scheduled_names(scenario, turn.events)
        for row, name in zip(turn.events, names, strict=True):
            if row["event"] in MARKED_EVENTS:
                by_month.setdefault(int(row["month"]), []).append(
                    describe(row, scenario, name))
    return [{"month": m, "month_label": month_label(scenario.meta.start, m), "events": texts}
            for m, texts in sorted(by_month.items())]


def path_caption(scenario: Scenario, outcome: str) -> str:
    """How to read one outcome's path chart (plain text)."""
    kind = scenario_outcome_kind(scenario, outcome)
    marks = (" Green lines: the standing orders changed (hover the ▼ for what); pink ◆ at the "
             "foot: events of note that month.")
    if kind == "binary":
        return ("Dashed line: the chance it has happened by each month in the model's worlds "
                "under the teams' standing orders; markers: whether it had happened in the game "
                "by the end of each turn (100% = yes, 0% = no)." + marks)
    centre = "mean" if kind == "count" else "median"
    return (f"Bands: 5–95% and 25–75% of the model's worlds under the teams' standing orders; "
            f"dashed: their {centre}. Line: the game's world, a marker at the end of each "
            "turn." + marks)


def _chart_text(value: object) -> str:
    """Text for a chart label or hover: control characters dropped, pseudo-HTML neutralised."""
    return plot_text(OUTPUT_CONTROL.sub("", str(value)))


def _add_markers(fig: go.Figure, decisions: list[dict[str, Any]],
                 events: list[dict[str, Any]], months: set[str]) -> None:
    """Decision lines with a ▼ at the top, event ◆ at the foot, each with its hover text."""
    for d in decisions:
        if d["month_label"] not in months:
            continue
        fig.add_shape(type="line", xref="x", yref="paper", x0=d["month_label"],
                      x1=d["month_label"], y0=0, y1=1,
                      line={"color": DECISION_COLOUR, "dash": "dot", "width": 1.5})
        fig.add_annotation(x=d["month_label"], xref="x", y=1.0, yref="paper", yanchor="bottom",
                           text="▼", showarrow=False, font={"color": DECISION_COLOUR},
                           hovertext=_chart_text(f"Turn {d['turn']} orders: "
                                                 + "; ".join(d["changes"])))
    for e in events:
        if e["month_label"] not in months:
            continue
        fig.add_annotation(x=e["month_label"], xref="x", y=0.0, yref="paper", yanchor="bottom",
                           text="◆", showarrow=False, font={"color": EVENT_COLOUR},
                           hovertext=_chart_text(" ".join(e["events"])))


def path_figure(scenario: Scenario, outcome: str, expected: pd.DataFrame,
                played: pd.DataFrame, decisions: list[dict[str, Any]] | None = None,
                events: list[dict[str, Any]] | None = None) -> go.Figure:
    """One headline outcome over months against the model's envelope, with markers.

    A yes/no outcome: the chance it has happened by each month (%), and the game's world as
    yes (100%) or no (0%) at each turn's end. Otherwise the envelope's 5–95% and 25–75% bands
    with its mean (a count) or median (a level), and the played path with a marker at each
    turn's end.
    """
    spec = scenario.outcomes[outcome]
    kind = scenario_outcome_kind(scenario, outcome)
    env = expected[expected["outcome"] == outcome].sort_values("month")
    path = played[played["outcome"] == outcome].sort_values("month")
    x = list(env["month_label"])
    fig = go.Figure()
    turns = [f"end of turn {t}" for t in path["turn"]]
    if kind == "binary":
        fig.add_trace(go.Scatter(
            x=x, y=100 * env["p_event"], mode="lines", name="model: chance it has happened",
            line={"color": f"rgb({BAND_COLOUR})", "dash": "dash", "width": 2.5},
            hovertemplate="by %{x}: %{y:.0f}%<extra>model</extra>"))
        happened = [100.0 if v > 0 else 0.0 for v in path["value"]]
        fig.add_trace(go.Scatter(
            x=list(path["month_label"]), y=happened, mode="markers",
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
        fig.add_trace(go.Scatter(x=x, y=env[centre], mode="lines", name=word,
                                 line={"color": f"rgb({BAND_COLOUR})", "dash": "dash"},
                                 hovertemplate="%{x}: %{y:,.4~r}<extra>" + word + "</extra>"))
        fig.add_trace(go.Scatter(
            x=list(path["month_label"]), y=path["value"],
            mode="lines+markers", name="played", line={"color": PLAYED_COLOUR, "width": 3},
            marker={"size": 9}, text=turns,
            hovertemplate="%{text}: %{y:,.4~r}<extra>played</extra>"))
        yaxis = {"title": {"text": _chart_text(spec.unit)}, "exponentformat": "none",
                 "separatethousands": True}
    _add_markers(fig, decisions or [], events or [], set(x))
    fig.update_layout(
        title={"text": _chart_text(spec.label)}, height=380,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        xaxis={"type": "category", "title": {"text": "month"}, "categoryorder": "array",
               "categoryarray": x},
        yaxis=yaxis, legend={"orientation": "h", "y": -0.25}, template="plotly_white")
    return fig


def _worlds_text(expected: pd.DataFrame) -> str:
    worlds = expected.attrs.get("worlds")
    return f"{worlds:,}" if worlds else "many"


def _ending_rows(game: Game, expected: pd.DataFrame) -> tuple[str, list[list[str]]]:
    table = comparison(game, expected)
    if table.empty:
        return "", []
    return str(table["month_label"].iloc[0]), [
        [r.label, "yes/no" if r.kind == "binary" else r.unit, played_text(r.played, r.kind),
         *expected_text(r), r.band] for r in table.itertuples()]


# --- Markdown ------------------------------------------------------------------------------------


def _md(text: object) -> str:
    """Text on one Markdown line (newlines folded); `markdown.document` escapes every line."""
    return " ".join(str(text).split())


def _md_table(header: list[str], rows: list[list[object]]) -> list[str]:
    def cell(text: object) -> str:
        return _md(text).replace("|", "\\|") or " "
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _md_orders(orders: list[dict[str, Any]], withdrawn: list[dict[str, Any]]) -> list[str]:
    if not orders and not withdrawn:
        return ["No orders: every actor followed the model's doctrine.", ""]
    lines = [f"- **{_md(o['team'])}**: {_md(o['label'])} = {_md(o['value'])} "
             f"(`{_md(o['decision'])}`; {o['per']}, {o['status']}) — “{_md(o['rationale'])}”"
             + (f" — exception approved: {_md(o['exception'])}" if o["exception"] else "")
             for o in orders]
    lines += [f"- **{_md(o['team'])}**: {_md(o['label'])} withdrawn (back to doctrine)"
              for o in withdrawn]
    return [*lines, ""]


def _md_arguments(arguments: list[dict[str, Any]]) -> list[str]:
    out = []
    for a in arguments:
        out.append(f"- **{_md(a['team'])}** argues: {_md(a['action'])} — odds "
                   f"{a['odds']} (model {a['model_odds']}), roll {a['roll']}: {a['result']}")
        out += [f"  - for: {_md(text)}" for text in a["arguments"]]
        out += [f"  - against ({_md(c['team'])}): {_md(c['text'])}" for c in a["counters"]]
    return [*out, ""]


def _md_briefing(sections: list[dict[str, Any]]) -> list[str]:
    out = []
    for s in sections:
        out += [f"*{s['title']}*", ""] + [f"- {_md(line)}" for line in s["lines"]] + [""]
    return out or ["(nothing)", ""]


def _md_turn(t: dict[str, Any], level: str = "###") -> list[str]:
    out = [f"{level} Turn {t['number']}: {_md(t['span'])}"
           + (" — taken back" if t.get("undone") else ""), "", "#### Orders in force", ""]
    out += _md_orders(t["orders"], t["withdrawn"])
    if t["arguments"]:
        out += ["#### Matrix arguments", "", *_md_arguments(t["arguments"])]
    out += ["#### Odds shown before the roll, and the roll", ""]
    out += (_md_table(["event this turn", "with the orders", "doing nothing", "happened"],
                      [[o["event"], o["odds"], o["doctrine"], o["happened"]]
                       for o in t["odds"]]) if t["odds"] else ["None recorded.", ""])
    drivers = [d for o in t["odds"] for d in o["drivers"]]
    out += [f"- {_md(d)}" for d in drivers] + ([""] if drivers else [])
    out += ["#### Umpire's rulings", ""]
    out += ([f"- {r['kind']} `{_md(r['key'])}` ({_md(r['label'])}) ruled {_md(r['value'])}; "
             f"the model had {_md(r['model_value'])} — reason: {_md(r['reason'])}"
             for r in t["rulings"]] or ["None."]) + [""]
    if t["replaced"]:
        out += ["**The model's own result, which the ruling replaced:**", ""]
        out += (_md_table(["outcome", "after the ruling", "the model's own"],
                          t["replaced"]["outcomes"]) if t["replaced"]["outcomes"] else [])
        out += (_md_table(["event", "after the ruling", "the model's own"],
                          t["replaced"]["events"]) if t["replaced"]["events"] else [])
    out += ["#### Briefings", ""]
    for b in t["briefings"]:
        out += [f"**{_md(b['who'])}** was told:", "", *_md_briefing(b["sections"])]
    out += ["#### Headline outcomes at the end of the turn", ""]
    return out + _md_table(["outcome", "value", "unit"], t["outcomes"])


def _md_lookaheads(views: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for v in views:
        out += [f"### {_md(v['team'])}, before turn {_md(v['turn'])}", ""]
        out += _md_table(LOOKAHEAD_HEADER, v["rows"])
    return out or ["None saved.", ""]


def render_markdown(game: Game, *, expected: pd.DataFrame | None = None) -> str:
    """The after-action minutes for the room, as Markdown.

    `expected` is the envelope (`envelope(game)`), computed here if not given.
    """
    c = report_context(game)
    expected = envelope(game) if expected is None else expected
    out = [f"# After-action report — {_md(c['title'])}", "",
           f"- Scenario: **{_md(c['scenario_name'])}** ({_md(c['scenario_file'])}), starting "
           f"{c['start']}, horizon {c['horizon']} months",
           f"- Seed {c['seed']}; turns of {c['turn_months']} months; {c['played']} turn(s) "
           f"played, next month {c['next_month']}", "", _md(c["description"]), "",
           "## Teams", ""]
    out += _md_table(["team", "plays"], c["teams"])
    out += [f"The model plays {_md(c['model_plays'])} by its doctrine.", "", "## Timeline", ""]
    if not c["turns"]:
        out += ["No turn has been played yet.", ""]
    for t in c["turns"]:
        out += _md_turn(t)
    if c["pending"]:
        out += ["### Orders in force for the next turn (not yet rolled)", ""]
        out += _md_orders(c["pending"], [])
    out += ["## Turns taken back", ""]
    for t in c["undone"]:
        out += _md_turn(t)
    if not c["undone"]:
        out += ["None.", ""]
    out += ["## What-ifs: saved lookaheads", "", *_md_lookaheads(c["lookaheads"])]
    out += ["## Where the game ended vs what the model expected", ""]
    when, rows = _ending_rows(game, expected)
    if not rows:
        out += ["No turn has been played yet.", ""]
    else:
        out += [f"At {when}, against {_worlds_text(expected)} worlds of the scenario run from "
                "the same start under the teams' standing orders:", ""]
        out += _md_table(["outcome", "unit", "played", "model expected", "model 5–95%",
                          "where"], rows)
    return markdown.document(out)


# --- HTML ----------------------------------------------------------------------------------------


CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1100px; padding: 1rem 2rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #666; } article.turn { border-left: 4px solid #0072B2; padding-left: 1rem;
  margin: 1.5rem 0; } article.undone { border-left-color: #999; }
details.briefing { margin: .3rem 0; } summary { font-weight: 600; }
.facilitator summary { color: #D55E00; } figure { margin: 1rem 0; }
.status-new, .status-changed { font-weight: 600; color: #009E73; }
.ruling { background: #fff6e6; }
@media print { details.briefing { display: block; } }
"""


def _clean(value: Any) -> Any:
    """`value` with control characters (NUL among them) dropped from every string in it; HTML
    this package built (`Markup`) is left as it is."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return OUTPUT_CONTROL.sub("", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def render_html(game: Game, *, expected: pd.DataFrame | None = None) -> str:
    """The after-action report as one self-contained offline HTML page (plotly.js inline once).

    `expected` is the envelope (`envelope(game)`), computed here if not given.
    """
    scenario = scenario_of(game)
    expected = envelope(game) if expected is None else expected
    context = report_context(game)
    played = played_path(game)
    decisions, events = decision_markers(game), event_markers(game)
    figures = []
    for i, outcome in enumerate(scenario.headline_outcomes):
        fig = path_figure(scenario, outcome, expected, played, decisions, events)
        spec = scenario.outcomes[outcome]
        figures.append({"html": markup(figure_html(fig, f"path-{i}", config=PLOT_CONFIG)),
                        "label": spec.label,
                        "unit": ("yes/no" if scenario_outcome_kind(scenario, outcome) == "binary"
                                 else spec.unit),
                        "caption": path_caption(scenario, outcome)})
    when, rows = _ending_rows(game, expected)
    head = markup(html_head(OUTPUT_CONTROL.sub("", f"{scenario.meta.title} — after-action report"),
                            CSS))
    return render("seminar_report.html", **_clean(context | {
        "head": head, "figures": figures, "worlds": _worlds_text(expected),
        "ending_when": when, "ending": rows, "decision_markers": decisions,
        "lookahead_header": LOOKAHEAD_HEADER}))


# --- handouts ------------------------------------------------------------------------------------


def handout(game: Game, team: str) -> dict[str, Any]:
    """What `team` was told, and only that: per turn its briefing, its own orders in force, its
    own matrix arguments (with the counters to them) and the rolls shown to the whole room;
    its own saved lookaheads. No ground truth, no other team's orders or covert doings."""
    if team not in game.teams:
        raise ValueError(f"unknown team {team!r}; teams: {', '.join(game.teams)}")
    scenario = scenario_of(game)
    turns = []
    for i, turn in enumerate(game.turns):
        orders, withdrawn = order_changes(game, i)
        turns.append({
            "number": turn.number, "span": _span(scenario, turn),
            "orders": [o for o in orders if o["team"] == team],
            "withdrawn": [o for o in withdrawn if o["team"] == team],
            "arguments": [_argument_row(a) for a in turn.arguments if a.team == team],
            "rolls": [{"team": a.team, "action": a.action,
                       "odds": percent_text(a.odds) if a.odds is not None else "—",
                       "roll": f"{a.roll:.2f}", "result": "succeeds" if a.success else "fails"}
                      for a in turn.arguments if a.roll is not None and a.team != team],
            "briefing": _briefing_view(turn.briefings.get(team) or {})})
    return {"team": team, "actors": ", ".join(game.teams[team]), "title": scenario.meta.title,
            "start": scenario.meta.start, "turns": turns,
            "orders": [_order_row(scenario, o, "in force") for o in game.orders
                       if o.team == team],
            "lookaheads": _lookahead_views(game, scenario, team)}


def render_handout_markdown(game: Game, team: str) -> str:
    """A team's handout as Markdown."""
    h = handout(game, team)
    out = [f"# {_md(h['title'])} — handout for {_md(h['team'])}", "",
           f"You played {_md(h['actors'])}. This is what your team was told, turn by turn.", ""]
    for t in h["turns"]:
        out += [f"## Turn {t['number']}: {_md(t['span'])}", "", "### Your orders in force", ""]
        out += _md_orders(t["orders"], t["withdrawn"])
        if t["arguments"]:
            out += ["### Your arguments", "", *_md_arguments(t["arguments"])]
        if t["rolls"]:
            out += ["### Rolls shown to the room", ""]
            out += [f"- {_md(r['team'])}: {_md(r['action'])} — odds {r['odds']}, roll "
                    f"{r['roll']}: {r['result']}" for r in t["rolls"]] + [""]
        out += ["### Your briefing", "", *_md_briefing(t["briefing"])]
    if not h["turns"]:
        out += ["No turn has been played yet.", ""]
    if h["orders"]:
        out += ["## Your orders in force now", "", *_md_orders(h["orders"], [])]
    out += ["## Your saved lookaheads", "", *_md_lookaheads(h["lookaheads"])]
    return markdown.document(out)


def render_handout_html(game: Game, team: str) -> str:
    """A team's handout as one self-contained HTML page (no charts, no scripts)."""
    h = handout(game, team)
    return render("seminar_report_handout.html", **_clean(h | {
        "css": CSS, "lookahead_header": LOOKAHEAD_HEADER}))


def _file_part(team: str, taken: set[str]) -> str:
    """A team name as a safe, unique part of a file name (names are free text)."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", team).strip("_")[:40] or "team"
    part, n = base, 2
    while part.lower() in taken:
        part, n = f"{base}-{n}", n + 1
    taken.add(part.lower())
    return part


# --- files -------------------------------------------------------------------------------------


def write_handouts(game: Game, folder: Path, name: str = "game") -> dict[str, tuple[Path, Path]]:
    """Write each team's handout, `<name>-handout-<team>.md` and `.html`, into `folder`
    (atomically); return team → (markdown, html)."""
    taken: set[str] = set()
    paths = {}
    for team in game.teams:
        stem = Path(folder) / f"{name}{HANDOUT_SUFFIX}{_file_part(team, taken)}"
        paths[team] = (
            atomic_write_text(stem.with_suffix(".md"), render_handout_markdown(game, team)),
            atomic_write_text(stem.with_suffix(".html"), render_handout_html(game, team)))
    return paths


def write_report(game: Game, folder: Path, name: str = "game", *, worlds: int = 500,
                 handouts: bool = True) -> tuple[Path, Path]:
    """Write `<name>-after_action.md` and `.html` into `folder` (atomically; `name` is the game
    file's stem, so two games in one folder keep their own reports), and with `handouts` each
    team's handout beside them (`write_handouts`); return the report's two paths. The envelope
    is computed once, from `worlds` worlds, and shared by both."""
    expected = envelope(game, worlds)
    stem = Path(folder) / f"{name}{REPORT_SUFFIX}"
    md = atomic_write_text(stem.with_suffix(".md"), render_markdown(game, expected=expected))
    page = atomic_write_text(stem.with_suffix(".html"), render_html(game, expected=expected))
    if handouts:
        write_handouts(game, folder, name)
    return md, page
