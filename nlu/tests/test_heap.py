"""After a model load, what Rasa holds is exempt from the cycle collector, and what the previous
model left in reference cycles is collected (helpline_nlu/heap.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.agent import Agent

from helpline_nlu import heap


class Node:
    def __init__(self) -> None:
        self.me = self                  # a reference cycle: only the cycle collector frees it


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_settle_collects_cycles_then_exempts_what_is_left() -> None:
    gone = weakref.ref(Node())
    kept = Node()
    assert gone() is not None           # a cycle outlives its last name
    frozen = heap.settle()
    assert gone() is None
    assert frozen == gc.get_freeze_count() > 0
    assert all(kept is not seen for seen in gc.get_objects())     # exempt: not tracked by generation
    later = weakref.ref(Node())
    gc.collect()
    assert later() is None              # what is made afterwards is collected as usual


def test_a_settled_object_in_a_cycle_is_collected_after_the_next_settle() -> None:
    old = Node()
    heap.settle()
    dropped = weakref.ref(old)
    del old
    gc.collect()
    assert dropped() is not None        # frozen: the collector does not look at it
    heap.settle()                       # what a model load does
    assert dropped() is None


def test_every_model_load_settles_the_heap_once(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[tuple[Any, ...]] = []
    previous: list[weakref.ref[Node]] = []

    def load_model(self: Agent, *args: Any, **kwargs: Any) -> None:
        loads.append(args)
        previous.append(weakref.ref(Node()))         # the old model's cycles, dropped by the load

    monkeypatch.setattr(Agent, "load_model", load_model)
    heap.install()
    heap.install()                                   # idempotent: wrapped once
    wrapped = Agent.load_model
    assert wrapped is not load_model and wrapped.__wrapped__ is load_model
    gc.unfreeze()
    agent = object.__new__(Agent)
    agent.load_model("model.tar.gz")
    assert loads == [("model.tar.gz",)]
    assert previous[0]() is None
    assert gc.get_freeze_count() > 0
