"""What each rule reads and writes, declared next to the rule: the model's causal graph.

Every monthly rule carries `@rule(writes={target: sources}, records={tally: sources})`:
`writes` maps each lever or state variable the rule sets to the state, levers and option
parameters its new value depends on; `records` maps each tally the rule only counts for
reporting (an outcome reads it, no rule does) to what it depends on. Metrics declare the state
they read (`metrics.py`). From those declarations `graph()` builds the read/write graph; a test
fails if any option parameter, lever or state variable has no path to a headline outcome, and
`docs/model.md` draws the same graph (`mermaid()`), so the picture cannot drift from the code.

Names: `options.<option>.<parameter>` for option parameters, `levers.<name>` for this month's
policy levers, `<component>.<name>` for state (`us.cohesion`, `trade.friction`, `now.summit`),
`outcome.<name>` for reported outcomes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


@dataclass(frozen=True)
class Rule:
    """One monthly rule's declaration: which node depends on which."""

    name: str
    writes: Mapping[str, tuple[str, ...]]
    records: Mapping[str, tuple[str, ...]]
    function: Callable[..., object]

    def edges(self) -> Iterable[tuple[str, str]]:
        """(source, target) for every declared dependency, tallies included."""
        for targets in (self.writes, self.records):
            for target, sources in targets.items():
                for source in sources:
                    yield source, target


RULES: dict[str, Rule] = {}


def rule(*, writes: Mapping[str, Iterable[str]] | None = None,
         records: Mapping[str, Iterable[str]] | None = None) -> Callable[[F], F]:
    """Declare what the decorated rule writes (and tallies), and from what."""

    def register(function: F) -> F:
        name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__qualname__}"
        RULES[name] = Rule(name, {k: tuple(v) for k, v in (writes or {}).items()},
                           {k: tuple(v) for k, v in (records or {}).items()}, function)
        return function

    return register


def option_parameter_nodes() -> list[str]:
    """Every option parameter the model reads, as graph nodes."""
    from axis_sim.model.options import OPTION_CLASSES

    return [f"options.{o}.{p}" for o, cls in OPTION_CLASSES.items() for p in cls.PARAMETERS]


def graph() -> dict[str, set[str]]:
    """Adjacency: node → the nodes whose value it feeds (rules, then outcomes)."""
    import axis_sim.model.world  # noqa: F401  (registers every rule)
    from axis_sim.model.metrics import METRICS

    edges: dict[str, set[str]] = {}
    for r in RULES.values():
        for source, target in r.edges():
            edges.setdefault(source, set()).add(target)
    for name, metric in METRICS.items():
        for source in metric.reads:
            edges.setdefault(source, set()).add(f"outcome.{name}")
    return edges


def state_nodes() -> set[str]:
    """Every lever and state variable some rule writes (tallies excluded)."""
    import axis_sim.model.world  # noqa: F401

    return {target for r in RULES.values() for target in r.writes}


def tally_nodes() -> set[str]:
    """Every tally some rule records for reporting."""
    import axis_sim.model.world  # noqa: F401

    return {target for r in RULES.values() for target in r.records}


def reaches(edges: dict[str, set[str]], start: str, goals: set[str]) -> bool:
    """True if a path leads from `start` to any of `goals`."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node in goals:
            return True
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def dead_nodes(headline: Iterable[str]) -> list[str]:
    """Option parameters, levers and state variables with no path to a headline outcome."""
    edges = graph()
    goals = {f"outcome.{o}" for o in headline}
    nodes = [*option_parameter_nodes(), *sorted(state_nodes())]
    return [n for n in nodes if not reaches(edges, n, goals)]


def mermaid(headline: Iterable[str]) -> str:
    """The causal graph as a Mermaid flowchart: option parameters → levers → state → headline
    outcomes (tallies and other outcomes are passed through, not drawn, so it stays readable)."""
    edges = graph()
    goals = {f"outcome.{o}" for o in headline}
    keep = {*option_parameter_nodes(), *state_nodes(), *goals}
    ids = {node: f"n{i}" for i, node in enumerate(sorted(keep))}
    lines = ["flowchart LR"]
    groups = {"options.": "Option parameters", "levers.": "Levers", "outcome.": "Headline outcomes"}
    for prefix, title in groups.items():
        members = sorted(n for n in keep if n.startswith(prefix))
        lines.append(f"  subgraph {prefix.rstrip('.')}[\"{title}\"]")
        lines += [f"    {ids[n]}[\"{n.removeprefix(prefix)}\"]" for n in members]
        lines.append("  end")
    lines += [f"  {ids[n]}[\"{n}\"]" for n in sorted(keep)
              if not any(n.startswith(p) for p in groups)]
    for source in sorted(keep):
        for target in sorted(_kept_successors(edges, source, keep)):
            lines.append(f"  {ids[source]} --> {ids[target]}")
    return "\n".join(lines) + "\n"


def _kept_successors(edges: dict[str, set[str]], start: str, keep: set[str]) -> set[str]:
    """Kept nodes reached from `start` directly or through nodes left out (tallies)."""
    found, seen, todo = set(), {start}, list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        if node in keep:
            found.add(node)
        else:
            todo.extend(edges.get(node, ()))
    return found - {start}

