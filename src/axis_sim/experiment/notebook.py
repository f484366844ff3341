"""What a `RunResult` shows in a notebook: a short repr, an HTML summary, `plot` and `paired`.

A dataclass repr of a result prints every table (about 100,000 characters for a small run);
these say what the run was and where to look instead.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from axis_sim.experiment.compare import mean_interval, outcome_mmd, standard_error
from axis_sim.experiment.significance import verdict
from axis_sim.model.metrics import METRICS
from axis_sim.scenario.schema import STATUS_QUO

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from axis_sim.experiment.results import RunResult

# Tables listed in the repr, in the order a reader would look at them.
SHOWN = ("comparison", "ranking", "outcomes", "monthly", "parameters", "drivers", "failures")
HTML_PORTFOLIOS = 8  # portfolios shown in the HTML summary (best-ranked first)


def _size(result: RunResult, name: str) -> str:
    path = result.table_file(name)
    if path is not None:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        return f"{meta.num_rows:,}×{meta.num_columns} on disk"
    frame = getattr(result, name)
    return f"{len(frame):,}×{len(frame.columns)}"


def result_repr(result: RunResult) -> str:
    """One paragraph: scenario, worlds × portfolios × months, seed, time, table sizes."""
    m = result.manifest
    portfolios = result.portfolios
    names = ", ".join(portfolios[:6]) + (f", … (+{len(portfolios) - 6})"
                                         if len(portfolios) > 6 else "")
    tables = ", ".join(f"{name} {_size(result, name)}" for name in SHOWN)
    run_id = f" {m['run_id']}" if "run_id" in m else ""
    wall = m.get("wall_seconds")
    timing = f", {wall:.1f} s" if isinstance(wall, int | float) else ""
    return (f"<RunResult{run_id}: scenario {m.get('scenario_name', result.scenario.meta.name)!r}, "
            f"{m.get('runs', '?'):,} worlds × {len(portfolios)} portfolios × "
            f"{m.get('months', result.scenario.meta.horizon_months)} months, seed "
            f"{m.get('seed', '?')}{timing}; portfolios: {names}; tables: {tables}; "
            "see .comparison, .plot(outcome), .paired(a, b)>")


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "—"
    magnitude = abs(x)
    if magnitude >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def result_html(result: RunResult) -> str:
    """A compact HTML summary: what ran, then each headline outcome's paired difference from
    status quo (mean and 90% interval, verdict) for the best-ranked portfolios."""
    m, scenario = result.manifest, result.scenario
    portfolios = [p for p in result.portfolios if p != STATUS_QUO]
    if "portfolio" in result.ranking.columns and len(result.ranking):
        ranked = [p for p in result.ranking["portfolio"] if p in portfolios]
        portfolios = ranked + [p for p in portfolios if p not in ranked]
    shown, hidden = portfolios[:HTML_PORTFOLIOS], len(portfolios) - HTML_PORTFOLIOS
    comparison = result.comparison.set_index(["portfolio", "outcome"]) if len(
        result.comparison) else None
    head = "".join(f"<th>{escape(p)}</th>" for p in shown)
    rows = []
    for outcome in scenario.headline_outcomes:
        spec = scenario.outcomes[outcome]
        cells = []
        for p in shown:
            if comparison is None or (p, outcome) not in comparison.index:
                cells.append("<td>—</td>")
                continue
            row = comparison.loc[(p, outcome)]
            cells.append(f"<td title='{escape(str(row['verdict']))}'>{_fmt(row['diff_mean'])} "
                         f"<small>[{_fmt(row['diff_ci_low'])}, {_fmt(row['diff_ci_high'])}]"
                         f"</small><br><small>{escape(str(row['verdict']))}</small></td>")
        rows.append(f"<tr><th style='text-align:left'>{escape(spec.label)} "
                    f"<small>({escape(spec.unit)}, {spec.better} better)</small></th>"
                    f"{''.join(cells)}</tr>")
    more = f"<p><small>{hidden} more portfolios in <code>.comparison</code>.</small></p>" if (
        hidden > 0) else ""
    title = escape(scenario.meta.title)
    facts = (f"{m.get('runs', 0):,} worlds × {len(result.portfolios)} portfolios × "
             f"{m.get('months', scenario.meta.horizon_months)} months · seed {m.get('seed')} · "
             f"run id <code>{escape(str(m.get('run_id', '—')))}</code>")
    return (f"<div><strong>RunResult: {title}</strong><br><small>{facts}</small>"
            "<p>Paired difference from status quo at the horizon (mean [90% interval]):</p>"
            f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>{more}</div>")


# --- plot ----------------------------------------------------------------------------------------


def _check_outcome(result: RunResult, outcome: str) -> None:
    if outcome not in result.scenario.outcomes:
        import difflib

        close = difflib.get_close_matches(outcome, list(result.scenario.outcomes), n=1)
        raise ValueError(f"unknown outcome {outcome!r}"
                         + (f" (did you mean {close[0]!r}?)" if close else "")
                         + f"; allowed: {', '.join(result.scenario.outcomes)}")


def _check_portfolios(result: RunResult, names: list[str]) -> None:
    known = result.portfolios
    for name in names:
        if name not in known:
            raise ValueError(f"unknown portfolio {name!r}; this run has: {', '.join(known)}")


def plot(result: RunResult, outcome: str, *, kind: str = "monthly",
         portfolios: list[str] | None = None) -> go.Figure:
    """A plotly figure of `outcome` for each portfolio (default: all of the run's).

    `kind="monthly"`: by month, the mean over worlds — or for a yes/no outcome (one counted
    from the start) the chance it has happened — with the 5–95% band of worlds for levels and
    counts. `kind="horizon"`: the distribution over worlds at the horizon (box plots)."""
    import plotly.graph_objects as go

    _check_outcome(result, outcome)
    names = result.portfolios if portfolios is None else list(portfolios)
    _check_portfolios(result, names)
    spec = result.scenario.outcomes[outcome]
    figure = go.Figure()
    if kind == "monthly":
        monthly = result.monthly[result.monthly["outcome"] == outcome]
        chance = bool(METRICS[outcome].cumulative) and spec.unit in ("yes/no", "0/1")
        for name in names:
            rows = monthly[monthly["portfolio"] == name].sort_values("month")
            x = rows["month_label"].tolist()
            if not chance:
                figure.add_trace(go.Scatter(
                    x=x + x[::-1], y=rows["p95"].tolist() + rows["p05"].tolist()[::-1],
                    fill="toself", line={"width": 0}, opacity=0.15, hoverinfo="skip",
                    showlegend=False, legendgroup=name, name=f"{name} 5–95%"))
            figure.add_trace(go.Scatter(x=x, y=rows["p_event" if chance else "mean"],
                                        mode="lines", name=name, legendgroup=name))
        y_title = f"P({spec.label})" if chance else f"{spec.label} ({spec.unit}), mean"
        figure.update_layout(xaxis_title="month", yaxis_title=y_title)
    elif kind == "horizon":
        table = result.outcomes
        for name in names:
            figure.add_trace(go.Box(y=table.loc[table["portfolio"] == name, outcome],
                                    name=name, boxpoints=False))
        figure.update_layout(yaxis_title=f"{spec.label} ({spec.unit}) at the horizon")
    else:
        raise ValueError(f"unknown kind {kind!r}; allowed: monthly, horizon")
    figure.update_layout(title=f"{spec.label} — {spec.better} is better",
                         template="plotly_white", legend_title="portfolio")
    return figure


# --- paired --------------------------------------------------------------------------------------


def paired(result: RunResult, a: str, b: str = STATUS_QUO, *,
           outcomes: list[str] | None = None, worlds: bool = False) -> pd.DataFrame:
    """Portfolio `a` against portfolio `b` on the same worlds and draws.

    Per outcome (default: every outcome): `mean_a`, `mean_b`, `diff_mean` (a − b) with its
    90% confidence interval (`diff_ci_low`, `diff_ci_high`) and standard error, the 5–95%
    spread of the per-world difference (`diff_p05`, `diff_p95`), `p_better` and `p_worse`
    (share of worlds where a does strictly better or worse than b, by the outcome's `better`),
    the outcome's `mmd` and the `verdict` on a against b. `paired(p, "status_quo")` gives the
    same numbers as `comparison`'s rows for `p`. With `worlds=True`: one row per world and
    outcome, `world`, `outcome`, `a`, `b`, `diff`."""
    _check_portfolios(result, [a, b])
    names = list(result.scenario.outcomes) if outcomes is None else list(outcomes)
    for outcome in names:
        _check_outcome(result, outcome)
    table = result.outcomes
    left = table[table["portfolio"] == a].sort_values("world")
    right = table[table["portfolio"] == b].sort_values("world")
    if worlds:
        frames = [pd.DataFrame({"world": left["world"].to_numpy(), "outcome": outcome,
                                "a": left[outcome].to_numpy(), "b": right[outcome].to_numpy(),
                                "diff": left[outcome].to_numpy() - right[outcome].to_numpy()})
                  for outcome in names]
        return pd.concat(frames, ignore_index=True)
    rows = []
    for outcome in names:
        x, y = left[outcome].to_numpy(np.float64), right[outcome].to_numpy(np.float64)
        diff = x - y
        lower = result.scenario.outcomes[outcome].better == "lower"
        low, high = mean_interval(diff)
        mmd = outcome_mmd(result.scenario, outcome)
        rows.append({
            "a": a, "b": b, "outcome": outcome, "mean_a": x.mean(), "mean_b": y.mean(),
            "diff_mean": diff.mean(), "diff_ci_low": low, "diff_ci_high": high,
            "diff_se": standard_error(diff), "diff_p05": np.quantile(diff, 0.05),
            "diff_p95": np.quantile(diff, 0.95),
            "p_better": ((diff < 0) if lower else (diff > 0)).mean(),
            "p_worse": ((diff > 0) if lower else (diff < 0)).mean(), "mmd": mmd,
            "verdict": "" if a == b or not np.isfinite(mmd) else
            verdict(low, high, mmd, -1.0 if lower else 1.0)})
    return pd.DataFrame.from_records(rows)
