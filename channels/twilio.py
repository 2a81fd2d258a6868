"""WhatsApp through Twilio, through Rasa's Twilio connector with what a clinic needs added:

- requests are accepted only with a valid `X-Twilio-Signature`, checked against the
  public webhook URL the clinic configured (TWILIO_WEBHOOK_URL): behind a proxy the
  server sees another host than the one Twilio signed;
- settings come from the environment (see channels.settings): without them it is off;
- WhatsApp through Twilio has no buttons, so they become a numbered list, and a reply
  that is just a number picks that option. The options are read from the stored
  conversation, so any server replica understands the reply;
- a reply goes out as one message where it fits (Rasa's connector sends each paragraph
  separately, and WhatsApp may show them out of order), split within Twilio's 1,600
  characters otherwise, and without blocking the server (Rasa's uses the blocking client);
- each message is handled once: a replayed `MessageSid` is acknowledged and ignored
  (channels/handled_messages.py); a body that is not UTF-8 is a 400, after the signature
  check; a message over the size limit gets a plain refusal and is not stored.
"""

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput as RasaTwilioInput, TwilioOutput as RasaTwilioOutput
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from channels.formatting import (
    TEXT_ONLY,
    TWILIO_LIMIT,
    Button,
    number_reply,
    numbered_list,
    offered_buttons,
    split_message,
)
from channels.handled_messages import first_delivery
from channels.limits import TOO_LONG, limit_request_size, too_long
from channels.settings import channel_settings, disabled_blueprint, optional_setting

logger = logging.getLogger(__name__)

VARIABLES = {
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_number": "TWILIO_WHATSAPP_NUMBER",
    "webhook_url": "TWILIO_WEBHOOK_URL",
}
# Another address for Twilio's REST API (the tests' stand-in).
API_URL_VARIABLE, DEFAULT_API_URL = "TWILIO_API_URL", "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
SEND_TIMEOUT_SECONDS = 10  # Twilio itself gives up on the webhook after 15 s

# Twilio's HTTP client logs every request and its headers at INFO level.
_http_logger = logging.getLogger(f"{__name__}.http")
_http_logger.setLevel(logging.WARNING)


def whatsapp_address(number: Optional[Text]) -> Optional[Text]:
    """Twilio's address for a WhatsApp sender: "+14155238886" -> "whatsapp:+14155238886"."""
    if not number or number.startswith("whatsapp:"):
        return number
    return f"whatsapp:{number.replace(' ', '')}"


def twilio_form(request: Request) -> Tuple[RequestParameters, bool]:
    """The posted fields, with the empty ones: Twilio signs an empty Body too (a voice
    note has one), and Sanic's `request.form` leaves them out. A body that is not UTF-8
    is read leniently, so that its signature is checked first; the flag says which."""
    try:
        fields = parse_qs(request.body.decode("utf-8"), keep_blank_values=True, errors="strict")
        return RequestParameters(fields), True
    except UnicodeDecodeError:
        fields = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        return RequestParameters(fields), False


class TwilioOutput(RasaTwilioOutput):
    def __init__(
        self, account_sid: Text, auth_token: Text, twilio_number: Text, api_url: Text = DEFAULT_API_URL
    ) -> None:
        Client.__init__(self, account_sid, auth_token, http_client=AsyncTwilioHttpClient(logger=_http_logger))
        self.api.base_url = api_url
        self.twilio_number = twilio_number

    async def close(self) -> None:
        await self.http_client.close()

    async def _send_message(self, message_data: Dict[Text, Any]) -> Any:
        # Used by Rasa's send_image_url and send_custom_json too.
        try:
            return await asyncio.wait_for(self.messages.create_async(**message_data), SEND_TIMEOUT_SECONDS)
        except (TwilioRestException, aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.error("Twilio did not accept a reply to %s: %s", message_data.get("to"), error)
            return None

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_message(text, TWILIO_LIMIT):
            await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": part})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Button], **kwargs: Any
    ) -> None:
        await self.send_text_message(recipient_id, numbered_list(text, buttons))


class TwilioInput(RasaTwilioInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TwilioInput":
        return cls(channel_settings("WhatsApp (Twilio)", VARIABLES, credentials))

    def __init__(self, settings: Optional[Dict[Text, Text]]) -> None:
        settings = settings or {}
        super().__init__(
            settings.get("account_sid"),
            settings.get("auth_token"),
            whatsapp_address(settings.get("twilio_number")),
            debug_mode=False,
        )
        self.enabled = bool(settings)
        self.webhook_url = settings.get("webhook_url")
        self.api_url = optional_setting(API_URL_VARIABLE, DEFAULT_API_URL)

    def get_output_channel(self) -> TwilioOutput:
        return TwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_url)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.enabled:
            return disabled_blueprint("twilio_webhook")
        twilio_webhook = Blueprint("twilio_webhook", __name__)
        limit_request_size(twilio_webhook)
        validator = RequestValidator(self.auth_token)

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            form, is_utf8 = twilio_form(request)
            signature = request.headers.get(SIGNATURE_HEADER, "")
            if not validator.validate(self.webhook_url, form, signature):
                logger.warning(
                    "Refused a Twilio webhook request without a valid signature (from %s).",
                    request.remote_addr or request.ip,
                )
                return response.text("forbidden", status=403)
            if not is_utf8:
                return response.text("the form is not UTF-8", status=400)
            sender, message_sid = form.get("From"), form.get("MessageSid")
            if not sender or not message_sid:
                return response.text("no sender or no MessageSid", status=400)
            if not first_delivery("twilio", message_sid):
                logger.info("Ignored a repeated Twilio message %s.", message_sid)
                return response.empty()
            text = (form.get("Body") or "").strip()

            out_channel = self.get_output_channel()
            try:
                if not text:  # a photo, voice note, location...
                    await out_channel.send_text_message(sender, TEXT_ONLY)
                elif too_long(text):
                    await out_channel.send_text_message(sender, TOO_LONG)
                else:
                    text = await self._choice_payload(request, sender, text) or text
                    await on_new_message(
                        UserMessage(
                            text, out_channel, sender, input_channel=self.name(), metadata=self.get_metadata(request)
                        )
                    )
            finally:
                await out_channel.close()
            return response.empty()

        return twilio_webhook

    @staticmethod
    async def _choice_payload(request: Request, sender: Text, text: Text) -> Optional[Text]:
        """The payload of the option a reply like "2" picks from the latest numbered list."""
        number = number_reply(text)
        if number is None:
            return None
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
        buttons = offered_buttons(tracker.events if tracker else [])
        if not 1 <= number <= len(buttons):
            return None  # not one of the options: maybe an answer such as "10" o'clock
        button = buttons[number - 1]
        return str(button.get("payload") or button.get("title"))
