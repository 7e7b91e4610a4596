"""Logging for the helpline's own processes: one format, the level from settings.

httpx logs every request URL at INFO, and Telegram's URLs contain the bot token, so httpx
and httpcore are held at WARNING whatever the level. Every record, tracebacks included, passes
through bot.privacy.scrub when it is made, before any handler sees it: uvicorn's and Sanic's
own handlers (uvicorn.error, sanic.error), which format with their own formatters and do not
reach the root logger, print scrubbed lines too. Phone numbers, e-mails and document numbers
never reach a log."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.privacy.scrub import scrub

QUIET = ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler")


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_PLAIN = logging.Formatter()


class ScrubbingFormatter(logging.Formatter):
    """Scrubs the message, tracebacks and stacks (not the time stamp, which looks like digits)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = scrub(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return scrub(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return scrub(super().formatStack(stack_info))


class ScrubbedRecord(logging.LogRecord):
    """A log record scrubbed when it is made, whatever handler and formatter print it: the
    message as formatted, string arguments (uvicorn's access formatter reads them one by one),
    the traceback (kept as exc_text, which standard formatters print instead of formatting the
    exception again) and the stack."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(self.msg, str):
            self.msg = scrub(self.msg)
        if isinstance(self.args, tuple):
            self.args = tuple(scrub(arg) if isinstance(arg, str) else arg for arg in self.args)
        if self.exc_info:
            self.exc_text = scrub(_PLAIN.formatException(self.exc_info))
        if self.stack_info:
            self.stack_info = scrub(self.stack_info)

    def getMessage(self) -> str:
        return scrub(super().getMessage())


def where(trace: TracebackType | None, frames: int = 4) -> str:
    """The innermost `frames` of a traceback as `file:line in function`: enough to find the bug,
    without the exception's message or any value (a message can quote what a user wrote)."""
    found = traceback.extract_tb(trace)[-frames:]
    return " < ".join(f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}" for frame in reversed(found))


def configure(level: str) -> None:
    logging.setLogRecordFactory(ScrubbedRecord)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
    for handler in root.handlers:
        if not isinstance(handler.formatter, ScrubbingFormatter):
            handler.setFormatter(ScrubbingFormatter(FORMAT))
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
