"""The Telegram channel (python-telegram-bot 22): handlers only translate updates into
`converse()` calls and replies into Telegram messages. Private chats only."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import messages as m
from bot.gateway.conversation import converse, is_payload
from bot.gateway.state import GatewayState
from bot.gateway.telegram_text import keyboard, split_text
from bot.replies import Reply

log = logging.getLogger(__name__)

COMMANDS = {"menu": "/menu", "language": "/change_language", "help": "/menu",
            "human": "/handoff_human", "forget": "/privacy_forget"}
DESCRIPTIONS = {"start": m.CMD_START, "menu": m.CMD_MENU, "language": m.CMD_LANGUAGE,
                "human": m.CMD_HUMAN, "forget": m.CMD_FORGET, "help": m.CMD_HELP}
PRIVATE = filters.ChatType.PRIVATE


def sender_of(update: Update) -> str:
    assert update.effective_chat is not None
    return f"tg:{update.effective_chat.id}"


def hint_of(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None


async def reply(update: Update, replies: list[Reply]) -> None:
    chat = update.effective_chat
    assert chat is not None
    for item in replies:
        pieces = split_text(item.text) or [" "]
        for index, piece in enumerate(pieces):
            markup = keyboard(item.buttons) if index == len(pieces) - 1 else None
            await chat.send_message(piece, reply_markup=markup)


def build_application(state: GatewayState) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = state.settings
    assert settings.telegram_bot_token is not None
    application = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )

    async def send(update: Update, *, text: str | None = None, payload: str | None = None) -> None:
        replies = await converse(state.rasa, state.responder, state.languages, sender=sender_of(update),
                                 text=text, payload=payload, hint=hint_of(update))
        await reply(update, replies)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        argument = (context.args or [""])[0]
        if argument in state.responder.library.languages:
            await send(update, payload=f'/choose_language{{"language":"{argument}"}}')
        else:
            await send(update, payload="/greet")

    def command(payload: str) -> Any:
        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await send(update, payload=payload)
        return handle

    async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await send(update, text=update.effective_message.text or "")

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        if update.effective_chat is None or update.effective_chat.type != "private":
            return  # never carry a user's conversation into a group
        data = query.data if isinstance(query.data, str) else ""
        if is_payload(data):
            await send(update, payload=data)

    async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = state.languages.get(sender_of(update), state.responder.library.default_language)
        await reply(update, [Reply(state.responder.catalogues.gettext(language, m.ONLY_TEXT))])

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.warning("Telegram update failed: %s", type(context.error).__name__)
        if isinstance(update, Update) and update.effective_chat and not isinstance(
                context.error, TelegramError):
            await reply(update, state.responder.unavailable(state.responder.library.default_language))

    application.add_handler(CommandHandler("start", start, filters=PRIVATE))
    for name, payload in COMMANDS.items():
        application.add_handler(CommandHandler(name, command(payload), filters=PRIVATE))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & PRIVATE, text))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(PRIVATE & ~filters.TEXT, not_text))
    application.add_error_handler(on_error)
    return application


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any],
                            state: GatewayState) -> None:
    """setMyCommands in every language Telegram can name (2-letter codes), plus a default."""
    library = state.responder.library
    codes = [code for code in library.languages if "_" not in code]
    for code in [None, *codes]:
        language = code or library.default_language
        commands = [BotCommand(name, state.responder.catalogues.gettext(language, text))
                    for name, text in DESCRIPTIONS.items()]
        await application.bot.set_my_commands(commands, language_code=code)
