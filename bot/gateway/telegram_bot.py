"""The Telegram channel (python-telegram-bot 22): handlers only translate updates into
`converse()` calls and replies into Telegram messages. Private chats only. An edited message is
not a new question and gets no second answer; inside an open case it reaches the caseworker as
a correction. The words under a photo or a file are read as the message, never the file."""

from __future__ import annotations

import logging
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
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
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
from bot.settings import Settings
from bot.splitting import split_text

log = logging.getLogger(__name__)

COMMANDS = {"menu": "/menu", "language": "/change_language", "help": "/menu",
            "human": "/handoff_human", "forget": "/privacy_forget", "end": CASE_END}
DESCRIPTIONS = {"start": m.CMD_START, "menu": m.CMD_MENU, "language": m.CMD_LANGUAGE,
                "human": m.CMD_HUMAN, "forget": m.CMD_FORGET, "help": m.CMD_HELP}
NEW = filters.UpdateType.MESSAGE       # not edited_message (nor channel or business messages)
PRIVATE = filters.ChatType.PRIVATE & NEW
EDITED = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE


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


def caption_of(message: Message) -> str | None:
    """The words under a photo or a file, read as the message (the file itself never is)."""
    if message.photo or message.document:
        return (message.caption or "").strip() or None
    return None


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


GATEWAY = "gateway"      # the key of the GatewayState in the application's bot_data


class Context(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """python-telegram-bot's context, with the gateway whose channel this is."""

    @property
    def gateway(self) -> GatewayState:
        state = self.bot_data[GATEWAY]       # set by `serve` before any update is handled
        assert isinstance(state, GatewayState)
        return state

    def sender(self) -> Sender:
        return Sender(self.bot, self.gateway.outbox)


TelegramApp = Application[ExtBot[Any], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]


async def answer(update: Update, context: Context, *, text: str | None = None, payload: str | None = None,
                 editable: Message | None = None, notice: str | None = None) -> None:
    """Every private message's one way: `converse()`, and its replies back to the chat, after
    the interface text `notice` if one is given."""
    assert update.effective_chat is not None
    state = context.gateway
    replies = await converse(state.rasa, state.responder, state.languages, sender=sender_of(state.keys, update),
                             text=text, payload=payload, hint=hint_of(update), casework=state.casework,
                             address=str(update.effective_chat.id), forgetter=state.forgetter,
                             limit=state.limit)
    if notice is not None:
        language = await state.languages.get(sender_of(state.keys, update),
                                              hinted_language(state.responder, hint_of(update)))
        replies = [Reply(state.responder.catalogues.gettext(language, notice)), *replies]
    await context.sender().send(update.effective_chat.id, replies, editable=editable)


async def on_start(update: Update, context: Context) -> None:
    deep_link = parse_start((context.args or [""])[0], context.gateway.responder.library.languages)
    await answer(update, context, payload=deep_link.payload())


async def on_command(update: Update, context: Context, *, payload: str) -> None:
    await answer(update, context, payload=payload)


async def on_text(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    await answer(update, context, text=update.effective_message.text or "")


async def on_button(update: Update, context: Context) -> None:
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
    await answer(update, context, payload=data, editable=pressed if on_menu else None)


async def on_media(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    caption = caption_of(message)
    if caption is not None:
        await answer(update, context, text=caption, notice=m.PICTURE_NOT_SEEN)
        return
    kind = media_kind(message)
    place = None
    if kind == "location":
        location = message.location or (message.venue.location if message.venue else None)
        place = coarse_place(location.latitude, location.longitude) if location else None
    await answer(update, context, payload=media_payload(kind, place))


async def on_edit(update: Update, context: Context) -> None:
    """An edited message: a correction for the caseworker inside an open case, else nothing."""
    message, state = update.effective_message, context.gateway
    assert message is not None and update.effective_chat is not None
    words = message.text or caption_of(message) or ""
    replies = await state.casework.correct(sender_of(state.keys, update), words)
    if replies:
        await context.sender().send(update.effective_chat.id, replies)


async def on_group(update: Update, context: Context) -> None:
    message, bot, state = update.effective_message, context.bot, context.gateway
    if message is None or not addressed(message, bot.username, bot.id):
        return
    language = hinted_language(state.responder, hint_of(update))
    gettext = state.responder.catalogues.gettext
    link = InlineKeyboardMarkup([[InlineKeyboardButton(
        gettext(language, m.BTN_PRIVATE_CHAT), url=f"https://t.me/{bot.username}?start={language}")]])
    await state.outbox.send(sender_of(state.keys, update), partial(
        bot.send_message, message.chat_id, gettext(language, m.GROUP_PRIVATE_ONLY), reply_markup=link))


async def on_error(update: object, context: Context) -> None:
    """Where an update failed (type and frames, never the message: it can quote the user), and
    the user's apology unless it was Telegram that failed."""
    error = context.error
    log.error("Telegram update failed: %s at %s", type(error).__name__,
              where(error.__traceback__ if error else None))
    if isinstance(update, Update) and update.effective_chat and not isinstance(error, TelegramError):
        state = context.gateway
        language = hinted_language(state.responder, hint_of(update))
        await context.sender().send(update.effective_chat.id, state.responder.unavailable(
            await state.languages.get(sender_of(state.keys, update), language)))


def build_application(settings: Settings) -> TelegramApp:
    """The Telegram application and its handlers; `serve` gives it the gateway."""
    assert settings.telegram_bot_token is not None
    application = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatOrder())
        .context_types(ContextTypes(context=Context))
        .build()
    )
    application.add_handler(CommandHandler("start", on_start, filters=PRIVATE))
    for name, payload in COMMANDS.items():
        application.add_handler(CommandHandler(name, partial(on_command, payload=payload), filters=PRIVATE))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & PRIVATE, on_text))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(PRIVATE & ~filters.TEXT, on_media))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & NEW, on_group))
    application.add_handler(MessageHandler(EDITED, on_edit))
    application.add_error_handler(on_error)
    return application


def serve(application: TelegramApp, state: GatewayState) -> None:
    """The gateway whose users this application answers (before it is started)."""
    application.bot_data[GATEWAY] = state


async def register_commands(application: TelegramApp, state: GatewayState) -> None:
    """setMyCommands in every language Telegram can name (2-letter codes), plus a default."""
    library = state.responder.library
    codes = [code for code in library.languages if "_" not in code]
    for code in [None, *codes]:
        language = code or library.default_language
        commands = [BotCommand(name, state.responder.catalogues.gettext(language, text))
                    for name, text in DESCRIPTIONS.items()]
        await application.bot.set_my_commands(commands, language_code=code)
