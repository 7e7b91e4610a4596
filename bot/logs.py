"""Logging for the helpline's own processes: one format, the level from settings.

httpx logs every request URL at INFO, and Telegram's URLs contain the bot token, so httpx
and httpcore are held at WARNING whatever the level."""

from __future__ import annotations

import logging

QUIET = ("httpx", "httpcore", "telegram.ext.ExtBot", "apscheduler")


def configure(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
