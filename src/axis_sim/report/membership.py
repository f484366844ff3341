"""What each portfolio holds: an option-by-portfolio dot matrix beside the ranking.

One column per portfolio in rank order (status quo where it ranks), one row per option; a dark
dot where the portfolio holds the option, joined top to bottom as UpSet plots do, so 32
portfolios are told apart by their dots rather than by 32 colours. Above the dots, each
portfolio's value over status quo as a small bar (blue above zero, red below); below, its short
name. Every cell carries `data-portfolio`, so the controls hide a portfolio's column with its
rows elsewhere; the section's script (`templates/membership.html`) puts the columns in the order
of the ranking under the reader's weights when they change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from axis_sim.report.common import Page, option_codes, portfolio_label
from axis_sim.report.formatting import format_number
from axis_sim.report.templates import render
from axis_sim.scenario.schema import STATUS_QUO

__all__ = ["BAR_PIXELS", "Column", "matrix_columns", "members", "membership_html"]

BAR_PIXELS = 36  # height of the largest value bar


@dataclass(frozen=True)
class Column:
    """One portfolio's column: rank, names, value bar and, per option row, its cell."""

    portfolio: str
    rank: int
    short: str
    title: str
    value: str  # the value over status quo, formatted ("" without a ranking)
    bar: int  # bar height in pixels
    sign: str  # "pos", "neg" or "zero"
    cells: tuple[str, ...]  # per option: "in", or "out", with link classes for the joins


def members(page: Page, portfolio: str) -> set[str]:
    """The options a portfolio holds (none for status quo)."""
    if portfolio == STATUS_QUO:
        return set()
    return set(page.scenario.portfolios.get(portfolio) or portfolio.split("+"))


def matrix_columns(page: Page) -> list[Column]:
    """The columns in rank order (the scenario's weights), with their cells and bars."""
    options = list(page.scenario.options)
    ranking = page.result.ranking
    scores: dict[str, float] = {}
    ranks: dict[str, int] = {}
    if not ranking.empty and {"portfolio", "score_mean"} <= set(ranking.columns):
        for i, row in enumerate(ranking.itertuples(index=False), start=1):
            scores[str(row.portfolio)] = float(row.score_mean)
            ranks[str(row.portfolio)] = int(getattr(row, "rank", i))
    order = page.ranked()
    finite = [abs(v) for v in scores.values() if math.isfinite(v)]
    largest = max(finite) if finite else 0.0
    columns = []
    for position, name in enumerate(order, start=1):
        held = members(page, name)
        rows = [k for k, option in enumerate(options) if option in held]
        first, last = (min(rows), max(rows)) if rows else (-1, -1)
        cells = []
        for k, option in enumerate(options):
            classes = ["in" if option in held else "out"]
            if first < k < last:
                classes.append("link-through")
            elif k == first and last > first:
                classes.append("link-down")
            elif k == last and last > first:
                classes.append("link-up")
            cells.append(" ".join(classes))
        value = scores.get(name, math.nan)
        bar = 0 if not largest or not math.isfinite(value) else round(
            BAR_PIXELS * abs(value) / largest)
        label = portfolio_label(page.scenario, name)
        columns.append(Column(
            portfolio=name, rank=ranks.get(name, position),
            short=page.shorts.get(name, name),
            title=f"{name}: {label}",
            value="" if not math.isfinite(value) else format_number(value),
            bar=bar, sign="zero" if not bar else ("pos" if value > 0 else "neg"),
            cells=tuple(cells)))
    return columns


def membership_html(page: Page) -> str:
    """The dot matrix (nothing when the run has a single portfolio)."""
    if len(page.portfolios) < 2:
        return ""
    codes = option_codes(page.scenario)
    options = [(o, spec.label, codes[o]) for o, spec in page.scenario.options.items()]
    return render("membership.html", columns=matrix_columns(page), options=options,
                  bar_pixels=BAR_PIXELS)
