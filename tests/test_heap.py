"""What a long-running process made while starting is exempt from the cycle collector, and what
a reload drops is collected (bot/heap.py; Rasa's copy: nlu/tests/test_heap.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.context import ActionContext
from bot import heap
from bot.devtools.ports import free_port
from bot.gateway.app import create_app
from tests.conftest import make_settings
from tests.console_client import serving
from tests.stub_rasa import stub_rasa


class Node:
    def __init__(self) -> None:
        self.me = self                  # a reference cycle: only the cycle collector frees it


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def frozen(thing: object) -> bool:
    """Exempt: in no generation the collector walks."""
    return gc.is_tracked(thing) and all(thing is not seen for seen in gc.get_objects())


def test_settle_collects_cycles_then_exempts_what_is_left() -> None:
    gone = weakref.ref(Node())
    kept = Node()
    assert gone() is not None
    assert heap.settle() == gc.get_freeze_count() > 0
    assert gone() is None and frozen(kept)
    later = weakref.ref(Node())
    gc.collect()
    assert later() is None              # what is made afterwards is collected as usual


def test_the_gateway_exempts_what_it_made_while_starting(tmp_path: Path) -> None:
    rasa_port = free_port()
    settings = make_settings(tmp_path, rasa_port=rasa_port)
    app = create_app(settings)
    with serving(stub_rasa(), rasa_port), serving(app, settings.gateway_port):
        assert gc.get_freeze_count() > 0
        assert frozen(app.state.gateway) and frozen(app.state.gateway.responder)


def test_the_action_server_settles_after_a_reload(tmp_path: Path) -> None:
    context = ActionContext.build(make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'h.db'}"))
    before = context.served
    old = weakref.ref(before)
    heap.settle()
    assert frozen(before)
    object.__setattr__(before, "me", before)       # the old content, in a reference cycle
    del before
    context.reload()
    assert old() is None                 # collected by the reload's settle, though it was exempt
    assert frozen(context.served)
