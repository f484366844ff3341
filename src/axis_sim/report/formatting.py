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
    significant digits; a whole number has no decimals (a count of 3 is "3", not "3.00"); a
    missing value is an em dash.
    """
    if is_missing(value):
        return MISSING
    x = float(value)  # type: ignore[arg-type]
    magnitude = abs(x)
    if magnitude == 0:
        return "0"
    if x.is_integer():
        return f"{x:,.0f}"
    if magnitude >= 1000:
        return f"{x:,.0f}"
    if magnitude >= 10:
        return f"{x:.1f}"
    if magnitude >= 1:
        return f"{x:.2f}"
    return significant(x, 3)


def significant(x: float, digits: int) -> str:
    """`x` to `digits` significant digits in plain decimals: never scientific notation (a
    person reads 0.0000123, not 1.23e-05), trailing zeros dropped."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    places = digits - 1 - math.floor(math.log10(abs(x)))
    x = round(x, places)  # 55,556 to two digits is 56,000
    text = f"{x:,.{max(0, places)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def resolution(mmd: float) -> float:
    """The rounding step for an effect whose minimal meaningful difference is `mmd`: a power
    of ten at most a tenth of it (300,000 rounds → 10,000; 0.02 → 0.001), so a printed effect
    carries the digits that could matter and no more."""
    return 10.0 ** math.floor(math.log10(mmd / 10))


def format_effect(value: object, mmd: float, signed: bool = False) -> str:
    """An effect in natural units rounded to the digits that matter given the MMD
    (`resolution`): `format_effect(-270_123.4, 300_000)` → "-270,000"; without a usable MMD, as
    `format_number`. Never scientific notation; a value that rounds to 0 is "0"."""
    if is_missing(value):
        return MISSING
    x = float(value)  # type: ignore[arg-type]
    if not (math.isfinite(mmd) and mmd > 0):
        text = format_number(x)
        return f"+{text}" if signed and x > 0 else text
    step = resolution(mmd)
    decimals = max(0, -math.floor(math.log10(step)))
    rounded = round(x / step) * step
    text = f"{rounded:,.{decimals}f}"
    if set(text) <= set("-0.,"):
        return "0"
    return f"+{text}" if signed and rounded > 0 else text


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
