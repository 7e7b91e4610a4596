"""Logging for the helpline's own processes: one format, the level from settings.

httpx logs every request URL at INFO, and Telegram's URLs contain the bot token, so httpx
and httpcore are held at WARNING whatever the level. Every line, tracebacks included, passes
through bot.privacy.scrub: phone numbers, e-mails and document numbers never reach a log."""

from __future__ import annotations

import logging
from typing import Any

from bot.privacy.scrub import scrub

QUIET = ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler")


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ScrubbingFormatter(logging.Formatter):
    """Scrubs the message, tracebacks and stacks (not the time stamp, which looks like digits)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = scrub(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return scrub(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return scrub(super().formatStack(stack_info))


def configure(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
    for handler in root.handlers:
        if not isinstance(handler.formatter, ScrubbingFormatter):
            handler.setFormatter(ScrubbingFormatter(FORMAT))
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
