"""Telegram, through Rasa's connector with what a clinic needs added:

- updates are accepted only with the secret token registered with the webhook
  (`make telegram-webhook`); Rasa's own check (a getMe call per update) proves nothing
  about who sent the update;
- settings come from the environment (see channels.settings): without them it is off;
- buttons become an inline keyboard, one button per row so that titles are not cut;
  long replies are split within Telegram's 4,096 characters;
- `/start` begins the conversation with the disclaimer and the greeting;
- only private chats are served, so a conversation is never shown to a group, and
  conversations are stored as `telegram:<chat id>`, distinct from every other channel;
- a message over the size limit gets a plain refusal and is not stored.
"""

import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer, check_token
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from aiogram.utils.exceptions import TelegramAPIError, ValidationError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput, TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.formatting import (
    TELEGRAM_LIMIT,
    TEXT_ONLY,
    Button,
    button_reference,
    payload_for_reference,
    split_message,
)
from channels.limits import TOO_LONG, limit_request_size, too_long
from channels.settings import channel_settings, disabled_blueprint, optional_setting

logger = logging.getLogger(__name__)

VARIABLES = {"access_token": "TELEGRAM_BOT_TOKEN", "secret_token": "TELEGRAM_WEBHOOK_SECRET"}
# Another Bot API server (a self-hosted one, or the tests' stand-in).
API_URL_VARIABLE, DEFAULT_API_URL = "TELEGRAM_API_URL", "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
SENDER_PREFIX = "telegram:"
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for a button's data
SEND_TIMEOUT_SECONDS = 10


def chat_id(sender_id: Text) -> Text:
    return sender_id[len(SENDER_PREFIX) :] if sender_id.startswith(SENDER_PREFIX) else sender_id


def inline_keyboard(buttons: List[Button]) -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardMarkup()
    for button in buttons:
        if button.get("url"):
            keyboard.row(InlineKeyboardButton(button["title"], url=button["url"]))
            continue
        payload = str(button.get("payload") or button["title"])
        # A longer payload would make Telegram refuse the whole message.
        if len(payload.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            payload = button_reference(payload)
        keyboard.row(InlineKeyboardButton(button["title"], callback_data=payload))
    return keyboard


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: Text, api_url: Text = DEFAULT_API_URL) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url), timeout=SEND_TIMEOUT_SECONDS)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(chat_id(recipient_id), message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_message(text, TELEGRAM_LIMIT):
            await self._send(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Button], **kwargs: Any
    ) -> None:
        parts = split_message(text, TELEGRAM_LIMIT) or ["Please choose:"]
        for part in parts[:-1]:
            await self._send(recipient_id, part)
        await self._send(recipient_id, parts[-1], reply_markup=inline_keyboard(buttons))

    async def _send(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        # A user who blocked the bot must not make the update fail: Telegram would
        # deliver it again and again. The conversation itself is already stored.
        try:
            await self.send_message(recipient_id, text, **kwargs)
        except TelegramAPIError as error:
            logger.error("Telegram did not deliver a reply to chat %s: %s", recipient_id, error)


class TelegramInput(RasaTelegramInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        settings = channel_settings("Telegram", VARIABLES, credentials)
        if settings:
            try:
                check_token(settings["access_token"])
            except ValidationError:
                raise RasaException(
                    "TELEGRAM_BOT_TOKEN is not a bot token from @BotFather (it looks like 123456789:AAE...)."
                )
            if not SECRET_FORMAT.match(settings["secret_token"]):
                raise RasaException(
                    "TELEGRAM_WEBHOOK_SECRET may only contain letters, digits, '_' and '-' (1 to 256 characters)."
                )
        return cls(settings)

    def __init__(self, settings: Optional[Dict[Text, Text]]) -> None:
        settings = settings or {}
        super().__init__(settings.get("access_token"), verify=None, webhook_url=None, debug_mode=False)
        self.enabled = bool(settings)
        self.secret_token = settings.get("secret_token", "")
        self.api_url = optional_setting(API_URL_VARIABLE, DEFAULT_API_URL)

    def get_output_channel(self) -> TelegramOutput:
        # Unlike Rasa's, registering the webhook is not done here but by
        # `make telegram-webhook`, which also sets the secret token.
        return TelegramOutput(self.access_token, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.enabled:
            return disabled_blueprint("telegram_webhook")
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        limit_request_size(telegram_webhook)
        out_channel = self.get_output_channel()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._has_secret_token(request):
                logger.warning(
                    "Refused a Telegram webhook request without the right secret token (from %s).",
                    request.remote_addr or request.ip,
                )
                return response.text("forbidden", status=403)
            if not isinstance(request.json, dict):
                return response.text("expected a Telegram Update", status=400)
            message, text = await self._message_and_text(Update(**request.json), out_channel)
            if message is None:
                return response.text("success")  # an update kind the assistant ignores
            if message.chat.type != "private":
                logger.info(
                    "Ignored a Telegram message from a %s chat: the assistant only talks one to one.", message.chat.type
                )
                return response.text("success")
            if not text or too_long(text):
                await out_channel.send_text_message(message.chat.id, TOO_LONG if text else TEXT_ONLY)
                return response.text("success")

            sender_id = f"{SENDER_PREFIX}{message.chat.id}"
            await self._show_typing(out_channel, message.chat.id)
            for user_text in await self._user_texts(request, sender_id, text):
                await on_new_message(
                    UserMessage(
                        user_text,
                        out_channel,
                        sender_id,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            return response.text("success")

        @telegram_webhook.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            await out_channel.session.close()  # (Bot.close is deprecated in aiogram 2.15)

        return telegram_webhook

    def _has_secret_token(self, request: Request) -> bool:
        received = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(received.encode(), self.secret_token.encode())

    @staticmethod
    async def _message_and_text(
        update: Update, out_channel: TelegramOutput
    ) -> Tuple[Optional[Message], Optional[Text]]:
        """The chat message an update belongs to, and what the user said or pressed."""
        query = update.callback_query
        if query:
            try:  # stops the spinner on the pressed button
                await out_channel.answer_callback_query(query.id)
            except TelegramAPIError as error:
                logger.warning("Could not answer a Telegram button press: %s", error)
            return query.message, query.data
        message = update.message or update.edited_message
        return message, (message.text or message.caption) if message else None

    @staticmethod
    async def _show_typing(out_channel: TelegramOutput, chat: int) -> None:
        try:
            await out_channel.send_chat_action(chat, "typing")
        except TelegramAPIError:
            pass  # only a courtesy

    async def _user_texts(self, request: Request, sender_id: Text, text: Text) -> List[Text]:
        """What to hand to Rasa for one Telegram message: Telegram's commands become
        the intents they stand for, a shortened button payload is looked up."""
        command = text.split(maxsplit=1)[0].split("@")[0].lower() if text.startswith("/") else ""
        if command == "/start":
            if await self._session_is_active(request, sender_id):
                # Pressing Start again begins anew: a new session shows the disclaimer.
                return ["/session_start", "/greet"]
            return ["/greet"]  # Rasa starts the session (and shows the disclaimer) itself
        if command == "/help":
            return ["/ask_capabilities"]
        if text.startswith("#"):
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
            payload = payload_for_reference(text, tracker.events if tracker else [])
            if payload:
                return [payload]
        return [text]

    @staticmethod
    async def _session_is_active(request: Request, sender_id: Text) -> bool:
        """Whether the next message continues a session instead of starting one
        (the same test as Rasa's MessageProcessor._update_tracker_session)."""
        processor = request.app.ctx.agent.processor
        tracker = await processor.tracker_store.retrieve(sender_id)
        return bool(tracker and tracker.applied_events() and not processor._has_session_expired(tracker))
