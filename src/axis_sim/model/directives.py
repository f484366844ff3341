"""Directives: decisions a human team takes in place of an actor's doctrine.

In a seminar, a team that plays an actor says what it does this turn; the model then skips that
actor's own (logit) choice for that decision and uses the team's. Each directive names one
decision point in the rules. Values are booleans, shares in [0, 1], or one of a few choices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from axis_sim.model.china import STANCES
from axis_sim.model.dprk import POSTURES


@dataclass(frozen=True)
class Directive:
    """One decision a team can take: its actor, its kind of value and what it means."""

    actor: str
    kind: str  # "bool", "share" or "choice"
    meaning: str
    choices: tuple[str, ...] = ()


DIRECTIVES: dict[str, Directive] = {
    "US.exercise": Directive("US", "bool", "hold an allied exercise this month"),
    "ROK.backing": Directive("ROK", "bool", "back trilateral cooperation fully (else hedge)"),
    "Japan.backing": Directive("Japan", "bool", "back trilateral cooperation fully (else hedge)"),
    "China.stance": Directive("China", "choice", "keep a distance from the axis, condone it, or "
                              "quietly squeeze the DPRK's economy", STANCES),
    "China.join_exercise": Directive("China", "bool",
                                     "join a naval exercise with Russia and the DPRK if asked"),
    "Russia.propose": Directive("Russia", "bool", "propose the next rung of cooperation"),
    "Russia.tech_transfer": Directive("Russia", "bool", "transfer military technology"),
    "Russia.un_shield": Directive("Russia", "bool",
                                  "block punitive Security Council action if one is proposed"),
    "DPRK.posture": Directive("DPRK", "choice", "posture this month", POSTURES),
    "DPRK.accept_ties": Directive("DPRK", "bool", "accept deeper ties with Moscow"),
    "DPRK.deliveries": Directive("DPRK", "share", "share of possible munitions shipments sent"),
    "DPRK.icbm_launch": Directive("DPRK", "bool", "launch an ICBM"),
    "DPRK.satellite_launch": Directive("DPRK", "bool", "attempt a satellite launch"),
    "DPRK.nuclear_test": Directive("DPRK", "bool", "conduct the seventh nuclear test"),
}


def check(key: str, value: object) -> object:
    """The directive's value in the form the model uses; ValueError naming what is allowed."""
    if key not in DIRECTIVES:
        raise ValueError(f"unknown decision {key!r}; allowed: {', '.join(DIRECTIVES)}")
    d = DIRECTIVES[key]
    if d.kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("yes", "true", "1"):
            return True
        if str(value).lower() in ("no", "false", "0"):
            return False
        raise ValueError(f"{key} takes yes or no, got {value!r}")
    if d.kind == "share":
        try:
            share = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            share = -1.0
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"{key} takes a share from 0 to 1, got {value!r}")
        return share
    if value not in d.choices:
        raise ValueError(f"{key} takes one of {', '.join(d.choices)}, got {value!r}")
    return value


def directed(directives: dict[str, object], key: str, default: np.ndarray) -> np.ndarray:
    """`default` (the doctrine's choice), unless a team's directive decides `key`."""
    if key not in directives:
        return default
    value = directives[key]
    d = DIRECTIVES[key]
    if d.kind == "choice":
        value = d.choices.index(str(value))
    return np.broadcast_to(np.asarray(value, dtype=default.dtype), default.shape).copy()
