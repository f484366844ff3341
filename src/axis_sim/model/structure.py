"""Structural uncertainties: where the evidence disagrees on how an actor responds, each rule
form is implemented and every world draws which one holds (a `choice` parameter, 0 or 1).

This table names the forms so that results can be split by them (`explain` reports each
channel's effect within each form as well as over all worlds).
"""

from __future__ import annotations

STRUCTURAL: dict[str, tuple[str, str]] = {
    "actors.China.warning_response": ("Beijing heeds", "Beijing defies"),
    "actors.Russia.listing_response": ("listings bite", "rerouted by sea"),
    "actors.DPRK.declaration_response": ("deterred", "provoked"),
}


def form_label(path: str, value: float) -> str:
    """The name of the rule form `value` of structural parameter `path`."""
    return STRUCTURAL[path][round(value)]
