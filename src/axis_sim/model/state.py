"""Save a model's state, restore it, or fork one world into many.

The seminar plays one world a turn at a time and saves it between commands; its lookahead forks
that world into thousands and runs them on from where the game stands. A snapshot holds every
per-world array of the model's components and each random stream's generator state, so a
restored model continues exactly as the original would have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from axis_sim.model.world import AxisModel

# The objects whose per-world arrays make up the state (levers are rebuilt every month).
COMPONENTS: tuple[str, ...] = ("us", "rok", "japan", "china", "russia", "dprk", "context",
                               "now", "trade", "crises")
MODEL_ARRAYS: tuple[str, ...] = ("summits", "intercept_attempts", "intercept_successes",
                                 "month_intercepts", "launchpad_strikes")


def _arrays(model: AxisModel) -> dict[str, np.ndarray]:
    found = {f"model.{name}": getattr(model, name) for name in MODEL_ARRAYS}
    for component in COMPONENTS:
        for name, value in vars(getattr(model, component)).items():
            if isinstance(value, np.ndarray) and value.shape[:1] == (model.worlds,):
                found[f"{component}.{name}"] = value
    return found


def snapshot(model: AxisModel) -> dict[str, Any]:
    """The model's state as plain data (lists and dicts), ready for JSON."""
    return {
        "month": model.month,
        "worlds": model.worlds,
        "arrays": {key: {"dtype": str(a.dtype), "data": a.tolist()}
                   for key, a in _arrays(model).items()},
        "streams": model.streams.state(),
    }


def restore(model: AxisModel, state: dict[str, Any], *, world: int | None = None,
            keep_streams: bool = True) -> None:
    """Put a snapshot into `model`, a fresh model built on the same scenario and portfolio.

    With `world`, that one world of the snapshot is copied into every world of `model` (a fork);
    otherwise the snapshot must have as many worlds as `model`. `keep_streams` restores the
    random streams too (to continue one game); a fork keeps the new model's own streams, so each
    forked world goes on with its own luck.
    """
    targets = _arrays(model)
    for key, saved in state["arrays"].items():
        value = np.asarray(saved["data"], dtype=saved["dtype"])
        if world is not None:
            value = np.repeat(value[world:world + 1], model.worlds, axis=0)
        elif value.shape[:1] != (model.worlds,):
            raise ValueError(f"snapshot has {value.shape[0]} worlds, model has {model.worlds}")
        component, name = key.split(".", 1)
        owner = model if component == "model" else getattr(model, component)
        if key not in targets:
            raise ValueError(f"snapshot holds {key!r}, which this model does not have")
        setattr(owner, name, value.copy())
    model.month = int(state["month"])
    model.running = model.month < model.horizon
    if keep_streams and world is None:
        model.streams.set_state(state["streams"])
