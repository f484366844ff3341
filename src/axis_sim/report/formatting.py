"""How result numbers are written, in the terminal table and the dashboard alike."""

from __future__ import annotations

import math

MISSING = "—"


def is_missing(value: object) -> bool:
    """True for None and NaN: a number the run did not produce."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def format_number(value: object) -> str:
    """A table-friendly rendering of a result number (the summary table uses exactly this).

    Thousands get separators and no decimals, tens one decimal, units two, smaller numbers three
    significant digits; a missing value is an em dash.
    """
    if is_missing(value):
        return MISSING
    x = float(value)  # type: ignore[arg-type]
    magnitude = abs(x)
    if magnitude == 0:
        return "0"
    if magnitude >= 1000:
        return f"{x:,.0f}"
    if magnitude >= 10:
        return f"{x:.1f}"
    if magnitude >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def format_probability(value: object) -> str:
    """A share of worlds as a percentage; never rounds a non-zero share to 0% or 100%."""
    if is_missing(value):
        return MISSING
    p = float(value)  # type: ignore[arg-type]
    if 0 < p < 0.01:
        return "<1%"
    if 0.99 < p < 1:
        return ">99%"
    return f"{p:.0%}"
