"""What a long-running process does with the objects it made while starting: it tells Python's
cycle collector to leave them alone.

A full collection walks every object the process holds. After start-up that is the imported
libraries, the content and (in Rasa) the model: hundreds of thousands of objects that live as
long as the process. Walking them all takes the event loop away from every conversation for
tens to hundreds of milliseconds, a few times a minute under load (BENCHMARKS.md, "Pauses of
the cycle collector"). `settle()` collects once and then freezes what is left
(`gc.freeze()`), so later collections only walk what was made since. Objects made at start-up
that become garbage later are still freed by reference counting; only such objects in a
reference cycle would stay, which is why a process that swaps a large part of itself (new
content, a new model) calls `settle()` again after the swap.

The gateway calls it at the end of its start-up, the action server before it serves and after
each content reload; Rasa's copy is nlu/helpline_nlu/heap.py (after each model load).
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect everything that is garbage now, then exempt every object that is left from
    later collections. Returns how many objects are exempt."""
    gc.unfreeze()            # what was exempt before is looked at again once (after a swap)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
