"""`make telegram-webhook URL=https://assistant.example.com`: tell Telegram where to
deliver the bot's messages (setWebhook), with the secret token that the server then
requires on every update (TELEGRAM_WEBHOOK_SECRET).

URL is the server's public https address; /webhooks/telegram/webhook is added when it
has no path. `--info` shows what Telegram has registered, `--delete` removes it.
Reads TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET from the environment or .env."""

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Dict
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels.telegram import (  # noqa: E402
    API_URL_VARIABLE,
    DEFAULT_API_URL,
    SECRET_FORMAT,
    VARIABLES,
)
from clinic.environment import load_environment  # noqa: E402

WEBHOOK_PATH = "/webhooks/telegram/webhook"
# The updates the assistant handles: messages, edited messages and button presses.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


class SetupError(Exception):
    """Something the person running the command must fix; printed without a traceback."""


def webhook_url(url: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme != "https" or not parsed.netloc:
        raise SetupError(
            f"Telegram only delivers to public https addresses, got {url!r} (e.g. URL=https://assistant.example.com)."
        )
    if parsed.path in ("", "/"):
        parsed = parsed._replace(path=WEBHOOK_PATH)
    return parsed.geturl()


def call(method: str, **params: Any) -> Any:
    token = os.environ.get(VARIABLES["access_token"], "").strip()
    if not token:
        raise SetupError(f"Set {VARIABLES['access_token']} (from @BotFather) first.")
    api = (os.environ.get(API_URL_VARIABLE) or DEFAULT_API_URL).rstrip("/")
    try:
        answer = requests.post(f"{api}/bot{token}/{method}", json=params, timeout=30).json()
    except (requests.RequestException, ValueError) as error:
        raise SetupError(f"Could not reach the Telegram Bot API at {api}: {error}")
    if not answer.get("ok"):
        raise SetupError(f"Telegram refused {method}: {answer.get('description', answer)}")
    return answer["result"]


def secret_token() -> str:
    secret = os.environ.get(VARIABLES["secret_token"], "").strip()
    if not SECRET_FORMAT.match(secret):
        raise SetupError(
            f"Set {VARIABLES['secret_token']} to a random value of letters, digits, _ and - "
            "(e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'); "
            "the server must have the same value."
        )
    return secret


def show(info: Dict[str, Any]) -> None:
    print(f"Registered webhook: {info.get('url') or '(none)'}")
    print(f"Updates waiting:    {info.get('pending_update_count', 0)}")
    if info.get("last_error_message"):
        print(f"Last delivery error: {info['last_error_message']}")


def main() -> int:
    load_environment()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="the server's public https address")
    parser.add_argument("--drop-pending", action="store_true", help="discard messages Telegram has queued for the bot")
    parser.add_argument("--info", action="store_true", help="show the registered webhook")
    parser.add_argument("--delete", action="store_true", help="remove the webhook")
    args = parser.parse_args()
    try:
        if args.delete:
            call("deleteWebhook", drop_pending_updates=args.drop_pending)
            print("Webhook removed: Telegram no longer sends updates to the assistant.")
        elif args.url:
            url = webhook_url(args.url)
            call(
                "setWebhook",
                url=url,
                secret_token=secret_token(),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=args.drop_pending,
            )
            print(f"Telegram now delivers the bot's messages to {url}")
        elif not args.info:
            parser.error("give the public URL, e.g. make telegram-webhook URL=https://assistant.example.com")
        show(call("getWebhookInfo"))
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
