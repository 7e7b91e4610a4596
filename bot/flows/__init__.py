"""The multi-turn flows, one module each, found by their module-level `FLOW`.

Adding a flow is a module here and, for the answers that should offer it, one line in their
topic file (`offers: [name]`); `helpline train` declares its buttons to Rasa and the action
server dispatches to it by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from bot.flows.base import Context, Flow
from bot.replies import Offer

__all__ = ["Context", "Flow", "by_topic", "offers", "registry"]


@cache
def registry() -> dict[str, Flow]:
    """Every flow by name (the modules are imported on first use, not at import)."""
    found: dict[str, Flow] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        flow = getattr(importlib.import_module(f"{__name__}.{info.name}"), "FLOW", None)
        if flow is not None:
            if flow.name in found:
                raise ValueError(f"two flows are named {flow.name!r}")
            found[flow.name] = flow
    return found


def by_topic(topic_id: str | None) -> Flow | None:
    """The flow a topic's question starts, if any."""
    return next((f for f in registry().values() if topic_id is not None and f.topic == topic_id), None)


def offers() -> dict[str, Offer]:
    """The buttons answers may offer, by flow name (for `Responder.offers`)."""
    return {name: flow.offer for name, flow in registry().items() if flow.offer is not None}
