"""After Rasa loads a model, the objects it holds are exempt from the cycle collector.

A full collection walks every object the process holds: in Rasa, once the model is loaded,
about 480,000 (TensorFlow, sklearn, Rasa, the model). One such walk took 150-280 ms here, on
the one event loop that answers every conversation, and under load it came a few times a
minute (BENCHMARKS.md, "Pauses of the cycle collector"). `settle()` collects once and then
freezes what is left (`gc.freeze()`), so later collections walk only what was made since.

`install()` makes `Agent.load_model` settle the heap after every load: at start, and after a
new model replaces the old one (`PUT /model` or a model server), so that the old model's
objects are collected then and not kept exempt. The gateway and the action server do the same
at their start (bot/heap.py; this environment cannot import it)."""

from __future__ import annotations

import functools
import gc
from typing import Any

INSTALLED = "_helpline_settles_heap"


def settle() -> int:
    """Collect everything that is garbage now, then exempt every object that is left from
    later collections. Returns how many objects are exempt."""
    gc.unfreeze()            # the previous model's objects are looked at again, once
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def install() -> None:
    """Idempotent (helpline_nlu/patches.py)."""
    from rasa.core.agent import Agent

    if getattr(Agent.load_model, INSTALLED, False):
        return
    load_model = Agent.load_model

    @functools.wraps(load_model)
    def load_then_settle(self: Agent, *args: Any, **kwargs: Any) -> None:
        load_model(self, *args, **kwargs)
        settle()

    setattr(load_then_settle, INSTALLED, True)
    Agent.load_model = load_then_settle
