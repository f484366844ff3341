"""Portfolios: which policy options are in force together.

A portfolio is named by `status_quo`, an option id (`sanctions_listing`), a named portfolio from
the scenario's `portfolios:` section, or options joined by `+` (`warn_beijing+public_disclosure`).
`all` expands to every one of the 32 subsets of the five options (and of any user-defined
option the scenario adds).
"""

from __future__ import annotations

import difflib
from itertools import combinations

from axis_sim.scenario.schema import OPTIONS, PORTFOLIO_SEPARATOR, STATUS_QUO, Scenario

ALL = "all"


def portfolio_name(options: tuple[str, ...]) -> str:
    """The canonical name of a set of options: `status_quo`, or ids joined by `+`."""
    return PORTFOLIO_SEPARATOR.join(options) if options else STATUS_QUO


def option_ids(scenario: Scenario | None = None) -> tuple[str, ...]:
    """The options a portfolio may name: the five built-in ones, then the user-defined options
    of `scenario` in the order it lists them."""
    if scenario is None:
        return OPTIONS
    return (*OPTIONS, *(o for o in scenario.options if o not in OPTIONS))


def all_subsets(options: tuple[str, ...] = OPTIONS) -> dict[str, tuple[str, ...]]:
    """Every subset of the options, smallest first, in the analysis' order."""
    subsets = [c for k in range(len(options) + 1) for c in combinations(options, k)]
    return {portfolio_name(s): s for s in subsets}


def resolve_portfolios(scenario: Scenario, names: list[str]) -> dict[str, tuple[str, ...]]:
    """Map each requested portfolio name to its options; status quo always comes first.

    Raises ValueError naming the unknown portfolio and what is allowed.
    """
    resolved: dict[str, tuple[str, ...]] = {STATUS_QUO: ()}
    options = option_ids(scenario)
    for raw in names:
        name = raw.strip()
        if name == ALL:
            resolved.update(all_subsets(options))
        elif name == STATUS_QUO:
            continue
        elif name in scenario.portfolios:
            resolved[name] = tuple(o for o in options if o in scenario.portfolios[name])
        else:
            parts = name.split(PORTFOLIO_SEPARATOR)
            unknown = [p for p in parts if p not in options]
            if unknown:
                allowed = [STATUS_QUO, ALL, *options, *scenario.portfolios]
                hint = difflib.get_close_matches(unknown[0], allowed, n=1)
                raise ValueError(
                    f"unknown portfolio or option {unknown[0]!r}"
                    + (f" (did you mean {hint[0]!r}?)" if hint else "")
                    + f"; allowed: {', '.join(allowed)}, or options joined by '+'"
                )
            if len(set(parts)) != len(parts):
                raise ValueError(f"portfolio {name!r} names an option twice")
            resolved[name] = tuple(o for o in options if o in parts)
    return resolved
