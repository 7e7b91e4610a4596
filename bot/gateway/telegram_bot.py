"""The Telegram channel (python-telegram-bot 22): handlers only translate updates into
`converse()` calls and replies into Telegram messages. Private chats only, new messages only:
an edited message is not a new question and gets no second answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.error import BadRequest, TelegramError
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
from bot.gateway.conversation import coarse_place, converse, hinted_language, is_payload, media_payload, parse_start
from bot.gateway.delivery import Outbox
from bot.gateway.state import GatewayState
from bot.gateway.telegram_order import PerChatOrder
from bot.gateway.telegram_text import joined, keyboard, replaceable
from bot.logs import where
from bot.privacy.keys import Keys
from bot.replies import CASE_END, Document, Reply
from bot.splitting import split_text

log = logging.getLogger(__name__)

COMMANDS = {"menu": "/menu", "language": "/change_language", "help": "/menu",
            "human": "/handoff_human", "forget": "/privacy_forget", "end": CASE_END}
DESCRIPTIONS = {"start": m.CMD_START, "menu": m.CMD_MENU, "language": m.CMD_LANGUAGE,
                "human": m.CMD_HUMAN, "forget": m.CMD_FORGET, "help": m.CMD_HELP}
NEW = filters.UpdateType.MESSAGE       # not edited_message (nor channel or business messages)
PRIVATE = filters.ChatType.PRIVATE & NEW


def sender_of(keys: Keys, update: Update) -> str:
    """The conversation's key: a keyed hash of the chat id, never the id itself."""
    assert update.effective_chat is not None
    return keys.conversation("telegram", update.effective_chat.id)


def hint_of(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user else None


def media_kind(message: Message) -> str:
    """Only the kind of a non-text message goes further, never its content."""
    if message.voice or message.video_note or message.audio or message.video:
        return "voice"
    if message.location or message.venue:
        return "location"
    if message.contact:
        return "contact"
    return "other"


def addressed(message: Message, username: str | None, bot_id: int) -> bool:
    """In a group: a command, an @mention of the bot, or a reply to one of its messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    text = message.text or message.caption or ""
    if text.startswith("/"):
        command = text.split()[0]
        return "@" not in command or command.lower().endswith(f"@{(username or '').lower()}")
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    return username is not None and f"@{username.lower()}" in (m.lower() for m in mentions)


class Sender:
    """Puts replies into one chat: through the outbox, and by editing the menu a button was
    pressed on when the user is moving between menus."""

    def __init__(self, bot: Bot, outbox: Outbox) -> None:
        self.bot, self.outbox = bot, outbox

    async def send(self, chat_id: int, replies: list[Reply], *, editable: Message | None = None) -> None:
        chat = f"tg:{chat_id}"
        for item in joined(replies):
            if item.document is not None:
                await self.outbox.send(chat, partial(self._send_document, chat_id, item.document))
            pieces = split_text(item.text) if item.text.strip() else []
            if not pieces and item.buttons:
                pieces = ["⬇️"]
            for index, piece in enumerate(pieces):
                markup = keyboard(item.buttons) if index == len(pieces) - 1 else None
                if editable is not None:
                    target, editable = editable, None
                    if await self._edit(target, piece, markup):
                        continue
                await self.outbox.send(chat, partial(self.bot.send_message, chat_id, piece, reply_markup=markup))

    async def _send_document(self, chat_id: int, document: Document) -> None:
        await self.bot.send_document(chat_id, InputFile(document.data, filename=document.filename))

    async def _edit(self, message: Message, text: str, markup: InlineKeyboardMarkup | None) -> bool:
        try:
            await message.edit_text(text, reply_markup=markup)
        except BadRequest as error:
            # the same menu pressed twice: nothing to change; otherwise send a new message
            return "not modified" in str(error).lower()
        except TelegramError as error:
            log.info("menu not edited (%s); sending a new message", type(error).__name__)
            return False
        return True


def build_application(state: GatewayState) -> Application[Any, Any, Any, Any, Any, Any]:
    settings = state.settings
    assert settings.telegram_bot_token is not None
    application = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatOrder())
        .build()
    )
    sender = Sender(application.bot, state.outbox)
    library = state.responder.library

    async def send(update: Update, *, text: str | None = None, payload: str | None = None,
                   editable: Message | None = None) -> None:
        assert update.effective_chat is not None
        replies = await converse(state.rasa, state.responder, state.languages, sender=sender_of(state.keys, update),
                                 text=text, payload=payload, hint=hint_of(update), casework=state.casework,
                                 address=str(update.effective_chat.id), forgetter=state.forgetter,
                                 limit=state.limit)
        await sender.send(update.effective_chat.id, replies, editable=editable)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        deep_link = parse_start((context.args or [""])[0], library.languages)
        await send(update, payload=deep_link.payload())

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
        if not is_payload(data):
            return
        pressed = query.message if isinstance(query.message, Message) else None
        on_menu = pressed is not None and replaceable(pressed.text, pressed.reply_markup)
        await send(update, payload=data, editable=pressed if on_menu else None)

    async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        kind = media_kind(message)
        place = None
        if kind == "location":
            location = message.location or (message.venue.location if message.venue else None)
            place = coarse_place(location.latitude, location.longitude) if location else None
        await send(update, payload=media_payload(kind, place))

    async def in_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, bot = update.effective_message, context.bot
        if message is None or not addressed(message, bot.username, bot.id):
            return
        language = hinted_language(state.responder, hint_of(update))
        gettext = state.responder.catalogues.gettext
        link = InlineKeyboardMarkup([[InlineKeyboardButton(
            gettext(language, m.BTN_PRIVATE_CHAT), url=f"https://t.me/{bot.username}?start={language}")]])
        await state.outbox.send(sender_of(state.keys, update), partial(
            bot.send_message, message.chat_id, gettext(language, m.GROUP_PRIVATE_ONLY), reply_markup=link))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("Telegram update failed: %s at %s", type(error).__name__,
                  where(error.__traceback__ if error else None))
        if isinstance(update, Update) and update.effective_chat and not isinstance(
                context.error, TelegramError):
            language = hinted_language(state.responder, hint_of(update))
            await sender.send(update.effective_chat.id, state.responder.unavailable(
                await state.languages.get(sender_of(state.keys, update), language)))

    async def case_message(chat_id: int, item: Reply, delivered: Callable[[], Awaitable[None]]) -> None:
        """A caseworker's message: marked delivered only once Telegram accepted every piece."""
        pieces = split_text(item.text) or [" "]

        async def send() -> None:
            for index, piece in enumerate(pieces):
                markup = keyboard(item.buttons) if index == len(pieces) - 1 else None
                await application.bot.send_message(chat_id, piece, reply_markup=markup)
            await delivered()
        await state.outbox.send(f"tg:{chat_id}", send)

    async def announce(text: str) -> None:
        group = settings.caseworker_chat_id
        if group is not None:
            await state.outbox.send(f"tg:{group}", partial(application.bot.send_message, group, text))

    if state.casework is not None:
        state.casework.telegram = case_message
        if settings.caseworker_chat_id is not None:
            state.casework.announce = announce

    application.add_handler(CommandHandler("start", start, filters=PRIVATE))
    for name, payload in COMMANDS.items():
        application.add_handler(CommandHandler(name, command(payload), filters=PRIVATE))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & PRIVATE, text))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(PRIVATE & ~filters.TEXT, not_text))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & NEW, in_group))
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
