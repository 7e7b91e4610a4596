"""A turn that fails inside Rasa answers nothing and logs neither what the user wrote nor who.

Rasa's REST channel logs a failed turn as `rest.message.received.failure` with the message
text, and a cancelled one (the gateway gave up waiting, HELPLINE_REQUEST_TIMEOUT) as
`rest.message.received.timeout`, also with the text; its traceback renderer adds the frames'
local variables, the conversation id among them. The people who write here may be
undocumented: their words must not reach a log (THREAT_MODEL.md). `install()` wraps
`Agent.handle_message`, which the channel calls, so that any failure, a lock not had in time
(helpline_nlu/lock_store.py) included, is logged here as the error's type and where it
happened (file, line, function; never a value), and the turn answers nothing: the gateway
then gives the user its apology with the emergency numbers.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from helpline_nlu.lock_store import LockTimeout

INSTALLED = "_helpline_quiet_turns"
FRAMES = 4           # the innermost frames named in the log line

log = logging.getLogger(__name__)


def where(trace: TracebackType | None) -> str:
    """The innermost frames as `file:line in function`, without source lines or values."""
    frames = traceback.extract_tb(trace)[-FRAMES:]
    return " < ".join(f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}" for frame in reversed(frames))


def install() -> None:
    """Idempotent (helpline_nlu/patches.py calls it)."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    if getattr(Agent, INSTALLED, None) is not None:
        return
    handle = Agent.handle_message

    async def handle_message(self: Agent, message: UserMessage) -> list[dict[str, Any]] | None:
        try:
            answer: list[dict[str, Any]] | None = await handle(self, message)
        except LockTimeout as error:          # its message names the wait, nothing of the user
            log.warning("turn failed: %s", error)
            return None
        except asyncio.CancelledError:        # the caller went away; Rasa's channel swallows it too
            log.warning("turn cancelled: the gateway stopped waiting")
            return None
        except Exception as error:            # a turn must fail quietly, whatever broke
            log.error("turn failed: %s at %s", type(error).__name__, where(error.__traceback__))
            return None
        return answer

    setattr(Agent, INSTALLED, handle)
    Agent.handle_message = handle_message
