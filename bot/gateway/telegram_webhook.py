"""`POST /telegram/webhook`: updates pushed by Telegram when TELEGRAM_WEBHOOK_URL is set.

The secret header is compared in constant time; a wrong or missing secret gets 403. A body
that is not a valid update gets 400 and changes nothing. An update is handled before the 200
goes back, so Telegram re-sends it if the gateway stops halfway; an update this process has
already seen (a retry) gets 200 and is not answered again (`PerChatOrder`, per process).

The body is read only after the secret is checked, and never beyond `MAX_UPDATE_BYTES`
(bot/gateway/body_limit.py; 413 past it)."""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request
from starlette.responses import Response
from telegram import Update

from bot.gateway.state import GatewayState

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's largest update: a message of 4,096 UTF-16 units (JSON escapes each as 6 bytes:
# 24 KiB) with its entities, carrying a replied-to message, a quote and an external reply of the
# same size, or an inline keyboard of at most 100 buttons (64-byte data each): well under
# 200 KiB. 1 MiB leaves five times that, and only Telegram, which knows the secret, gets this far.
MAX_UPDATE_BYTES = 1_048_576


async def telegram_webhook(request: Request) -> Response:
    state: GatewayState = request.app.state.gateway
    telegram = request.app.state.telegram
    secret = state.settings.telegram_webhook_secret
    if telegram is None or state.settings.telegram_webhook_url is None or secret is None:
        return Response(status_code=404)
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        return Response(status_code=403)
    try:
        data = await request.json()
        update = Update.de_json(data, telegram.bot) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("malformed Telegram update refused (%s)", type(error).__name__)
        update = None
    if update is None:
        return Response(status_code=400)
    # Handled before Telegram gets its 200, so a message written to a caseworker is stored
    # before it is acknowledged; the per-chat order of the update processor still holds.
    await telegram.update_processor.process_update(update, telegram.process_update(update))
    return Response(status_code=200)
