"""Print the causal graph for docs/model.md: `python -m axis_sim.model.diagram`.

The diagram is generated from the rules' declarations (`rules.py`) for the baseline's headline
outcomes; a test fails while the copy in docs/model.md differs from it.
"""

from __future__ import annotations

from pathlib import Path

from axis_sim.model.rules import mermaid
from axis_sim.scenario.loader import load_scenario

BASELINE = Path(__file__).resolve().parents[3] / "scenarios" / "baseline.yaml"


def baseline_diagram() -> str:
    """The Mermaid flowchart of the baseline's causal graph."""
    return mermaid(load_scenario(BASELINE).headline_outcomes)


if __name__ == "__main__":
    print(baseline_diagram(), end="")
