"""Number formats for plotly (d3-format strings) and month dates for time axes, shared by the
dashboard's timeline, waterfall and story modules. No scientific notation anywhere: plotly's
own tick labels are switched to plain digits with thousands separators."""

from __future__ import annotations

import calendar
from collections.abc import Iterable

import numpy as np

from axis_sim.scenario.schema import month_label

__all__ = ["PLAIN_AXIS", "d3_format", "month_date", "month_name", "rounded"]

# Axis settings for plain digits: never 1e+6 or 100µ.
PLAIN_AXIS = {"exponentformat": "none", "separatethousands": True}


def d3_format(values: Iterable[float]) -> str:
    """A d3 format with enough decimals for the magnitude of `values` (their largest absolute
    finite value), trailing zeros dropped: 12,345 · 12.3 · 1.23 · 0.123 · 0.0123 · 3."""
    array = np.abs(np.asarray([v for v in values], dtype=float))
    array = array[np.isfinite(array)]
    largest = float(array.max()) if array.size else 0.0
    if largest >= 100:
        return ",.0f"
    if largest >= 10:
        return ",.1~f"
    if largest >= 1 or largest == 0:
        return ",.2~f"
    decimals = min(8, 2 - int(np.floor(np.log10(largest))))
    return f",.{decimals}~f"


def month_date(start: str, offset: int) -> str:
    """The first day of the month `offset` months after `start` (YYYY-MM), as plotly's dates."""
    return f"{month_label(start, offset)}-01"


def month_name(start: str, offset: int) -> str:
    """"March 2024": the month `offset` months after `start` (YYYY-MM), in words."""
    year, month = month_label(start, offset).split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def rounded(values: Iterable[float], digits: int = 4) -> list[float | None]:
    """`values` to `digits` significant digits (NaN as None): what a chart can show, in a
    fraction of the bytes of full doubles."""
    out: list[float | None] = []
    for v in values:
        x = float(v)
        if not np.isfinite(x):
            out.append(None)
        elif x == 0:
            out.append(0.0)
        else:
            out.append(round(x, digits - 1 - int(np.floor(np.log10(abs(x))))))
    return out
