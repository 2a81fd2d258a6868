"""Telegram and WhatsApp (through Twilio), end to end: the real servers, started like
`make run` with the project's credentials.yml and the channels' environment variables,
receive real-format webhooks; local stand-ins for the Telegram Bot API and Twilio's REST
API record what the assistant sends back. Nothing here reaches the internet."""

import logging
import random
import subprocess
import threading
from urllib.parse import quote_plus

import pytest
import requests
import yaml

from channels.limits import MAX_MESSAGE_CHARS, TOO_LONG
from tests.support.domain import merged as merged_domain
from tests.support.platform_standins import (
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_SID,
    TWILIO_TOKEN,
    TelegramBotAPI,
    TwilioAPI,
    post_telegram_update,
    post_twilio_message,
    telegram_button_update,
    telegram_photo_update,
    telegram_text_update,
    twilio_signature,
    twilio_whatsapp_form,
)
from tests.support.processes import BIN, ROOT, AssistantServers

# Twilio signs the URL it was given in its console: the public one, in front of a proxy.
PUBLIC_TWILIO_URL = "https://assistant.clinic.example.com/webhooks/twilio/webhook"
DISCLAIMER = "not a diagnosis"
# The answer to a photo or voice note: ask for text, and never miss an emergency.
TEXT_ONLY = (
    "Sorry, I can only read text messages. Please type your question. If your knee "
    "locks, gives way, swells fast or you can't put weight on it, please get urgent "
    "medical help."
)
DOMAIN = merged_domain()
# A clinic with a very long insurance text, so that the prices reply needs splitting.
CLAIM_NOTES = [
    f"Claim note {n}: keep the invoice we give you and send it to your insurer with your policy number."
    for n in range(1, 61)
]


def response(name: str) -> dict:
    """A response as the domain defines it, so the tests follow edits of its wording."""
    return DOMAIN["responses"][name][0]


def options_list(buttons: list) -> str:
    numbered = "\n".join(f"{n}. {b['title']}" for n, b in enumerate(buttons, start=1))
    return f"\n\n{numbered}\n\nReply with a number to choose."


def number_of(payload: str, buttons: list) -> int:
    return [b["payload"] for b in buttons].index(payload) + 1


def channel_environment(telegram: TelegramBotAPI, twilio: TwilioAPI) -> dict:
    return {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": telegram.url,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER.replace("whatsapp:", ""),
        "TWILIO_WEBHOOK_URL": PUBLIC_TWILIO_URL,
        "TWILIO_API_URL": twilio.url,
    }


@pytest.fixture(scope="module")
def telegram():
    stand_in = TelegramBotAPI()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module")
def twilio():
    stand_in = TwilioAPI()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, model_path, telegram, twilio):
    workdir = tmp_path_factory.mktemp("channels")
    clinic = yaml.safe_load((ROOT / "clinic.yml").read_text())
    clinic["prices"]["insurance"] = " ".join(CLAIM_NOTES)
    (workdir / "clinic.yml").write_text(yaml.safe_dump(clinic, allow_unicode=True))
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'assistant.db'}",
        "CLINIC_CONFIG": str(workdir / "clinic.yml"),
        **channel_environment(telegram, twilio),
    }
    servers = AssistantServers(workdir, env=env).start()
    yield servers
    servers.stop()


def new_chat_id() -> int:
    return random.randint(10**8, 10**9)


def new_whatsapp_sender() -> str:
    return f"whatsapp:+44770{random.randint(10**6, 10**7 - 1)}"


def stored_events(servers: AssistantServers, conversation_id: str) -> list:
    # ":" and "+" are valid in a URL path, and Rasa matches the path as sent.
    response = requests.get(
        f"{servers.url}/conversations/{conversation_id}/tracker", params={"token": "test-token"}, timeout=30
    )
    response.raise_for_status()
    return response.json()["events"]


def user_texts(servers: AssistantServers, conversation_id: str) -> list:
    return [e["text"] for e in stored_events(servers, conversation_id) if e["event"] == "user"]


def telegram_says(servers: AssistantServers, update: dict, **kwargs) -> requests.Response:
    return post_telegram_update(f"{servers.url}/webhooks/telegram/webhook", update, **kwargs)


def whatsapp_says(servers: AssistantServers, sender: str, text: str) -> requests.Response:
    """Post a message the way Twilio does, correctly signed."""
    form = twilio_whatsapp_form(sender, text)
    return post_twilio_message(
        f"{servers.url}/webhooks/twilio/webhook", form, twilio_signature(PUBLIC_TWILIO_URL, form)
    )


# --- Telegram -------------------------------------------------------------------------


def test_telegram_start_shows_the_disclaimer_then_the_greeting_with_a_keyboard(assistant, telegram):
    chat = new_chat_id()
    assert telegram_says(assistant, telegram_text_update(chat, "/start")).status_code == 200

    disclaimer, greeting = telegram.wait_for(lambda: telegram.sent_to(chat))[:2]
    assert DISCLAIMER in disclaimer["text"] and "Riverside Running Physio" in disclaimer["text"]
    assert greeting["text"] == response("utter_greet")["text"]
    # One button per row; pressing one sends its payload back.
    assert greeting["reply_markup"] == {
        "inline_keyboard": [
            [{"text": button["title"], "callback_data": button["payload"]}]
            for button in response("utter_greet")["buttons"]
        ]
    }
    assert len(telegram.sent_to(chat)) == 2
    assert user_texts(assistant, f"telegram:{chat}") == ["/greet"]

    # The user goes on in their own words, through the trained model.
    telegram_says(assistant, telegram_text_update(chat, "when are you open?"))
    assert "Monday" in telegram.sent_to(chat)[-1]["text"]
    assert not any(DISCLAIMER in m["text"] for m in telegram.sent_to(chat)[2:])

    # Pressing Start again begins anew, with the disclaimer again (once).
    telegram_says(assistant, telegram_text_update(chat, "/start"))
    again = telegram.sent_to(chat)[3:]
    assert [DISCLAIMER in m["text"] for m in again] == [True, False]
    assert again[1]["text"] == response("utter_greet")["text"]

    # /help, Telegram's other standard command, shows what the assistant can do.
    telegram_says(assistant, telegram_text_update(chat, "/help"))
    assert telegram.sent_to(chat)[-1]["text"] == response("utter_capabilities")["text"]


def test_telegram_button_press_is_answered_like_the_button(assistant, telegram):
    chat = new_chat_id()
    telegram_says(assistant, telegram_text_update(chat, "/ask_services"))
    keyboard = telegram.sent_to(chat)[-1]["reply_markup"]["inline_keyboard"]
    prices = number_of("/ask_cost", response("utter_services")["buttons"])
    assert keyboard[prices - 1] == [{"text": "Prices", "callback_data": "/ask_cost"}]

    press = telegram_button_update(chat, "/ask_cost")
    sent_before = len(telegram.sent_to(chat))
    assert telegram_says(assistant, press).status_code == 200
    assert "£75" in telegram.sent_to(chat)[sent_before]["text"]
    # The button's spinner is stopped.
    assert [c.params["callback_query_id"] for c in telegram.calls_to("answerCallbackQuery")][-1] == press[
        "callback_query"
    ]["id"]
    assert user_texts(assistant, f"telegram:{chat}")[-1] == "/ask_cost"


def test_telegram_long_reply_is_split_at_sentences_within_4096_characters(assistant, telegram):
    chat = new_chat_id()
    telegram_says(assistant, telegram_text_update(chat, "/ask_cost"))
    parts = [m["text"] for m in telegram.sent_to(chat)[1:]]  # after the disclaimer

    # Whole paragraphs first (the price list), then the long one at sentence ends.
    assert len(parts) == 3
    assert all(len(part.encode("utf-16-le")) // 2 <= 4096 for part in parts)
    assert parts[0].startswith("Our prices:\n")
    assert parts[0].endswith("Sports massage (45 min): £50")
    assert all(part.endswith("policy number.") for part in parts[1:])
    assert [n for part in parts for n in CLAIM_NOTES if n in part] == CLAIM_NOTES  # all, in order


def test_telegram_refuses_updates_without_the_secret_token(assistant, telegram):
    chat = new_chat_id()
    forged = telegram_text_update(chat, "I want to book an appointment")
    assert telegram_says(assistant, forged, secret=None).status_code == 403
    assert telegram_says(assistant, forged, secret="guessed-secret").status_code == 403
    assert telegram_says(assistant, forged, secret=TELEGRAM_SECRET[:-1]).status_code == 403

    assert telegram.sent_to(chat) == []
    assert user_texts(assistant, f"telegram:{chat}") == []
    assert not any("book an appointment" in str(e.get("text")) for e in stored_events(assistant, f"telegram:{chat}"))


def test_telegram_photo_gets_a_text_only_answer_and_groups_are_ignored(assistant, telegram):
    chat = new_chat_id()
    assert telegram_says(assistant, telegram_photo_update(chat)).status_code == 200
    assert telegram.sent_to(chat)[-1]["text"] == TEXT_ONLY
    assert user_texts(assistant, f"telegram:{chat}") == []
    # A photo with a caption: the caption is read.
    captioned = telegram_photo_update(chat)
    captioned["message"]["caption"] = "/ask_contact"
    telegram_says(assistant, captioned)
    assert "hello@clinic.example.com" in telegram.sent_to(chat)[-1]["text"]

    group = -new_chat_id()
    update = telegram_text_update(group, "my knee hurts when I run", chat_type="group")
    assert telegram_says(assistant, update).status_code == 200
    assert telegram.sent_to(group) == []
    assert user_texts(assistant, f"telegram:{group}") == []


# --- WhatsApp through Twilio ----------------------------------------------------------


def test_whatsapp_buttons_become_a_numbered_list_and_a_number_picks_the_option(assistant, twilio):
    sender = new_whatsapp_sender()
    assert whatsapp_says(assistant, sender, "/ask_services").status_code == 204

    disclaimer, services = twilio.wait_for(lambda: twilio.sent_to(sender))
    assert DISCLAIMER in disclaimer
    buttons = response("utter_services")["buttons"]
    assert services.endswith("- Return-to-running plans" + options_list(buttons))
    assert all(c.params["From"] == TWILIO_NUMBER for c in twilio.calls_to("Messages"))

    whatsapp_says(assistant, sender, str(number_of("/ask_cost", buttons)))
    assert twilio.sent_to(sender)[2].startswith("Our prices:\n- Initial assessment (60 min): £75")
    events = [e for e in stored_events(assistant, sender) if e["event"] == "user"]
    assert events[-1]["text"] == "/ask_cost"
    assert events[-1]["parse_data"]["intent"]["name"] == "ask_cost"

    # The prices reply offered no options: a later number is kept as the user wrote it.
    whatsapp_says(assistant, sender, "7")
    assert user_texts(assistant, sender)[-1] == "7"


def test_whatsapp_long_reply_is_split_at_sentences_within_1600_characters(assistant, twilio):
    sender = new_whatsapp_sender()
    whatsapp_says(assistant, sender, "/ask_cost")
    parts = twilio.sent_to(sender)[1:]  # after the disclaimer

    assert len(parts) >= 5
    assert all(len(part.encode("utf-16-le")) // 2 <= 1600 for part in parts)
    assert parts[0].startswith("Our prices:\n")
    assert parts[0].endswith("Sports massage (45 min): £50")
    assert all(part.endswith("policy number.") for part in parts[1:])
    assert [n for part in parts for n in CLAIM_NOTES if n in part] == CLAIM_NOTES


def test_whatsapp_refuses_requests_not_signed_by_twilio(assistant, twilio):
    sender = new_whatsapp_sender()
    url = f"{assistant.url}/webhooks/twilio/webhook"
    form = twilio_whatsapp_form(sender, "please cancel my appointment")
    forgeries = {
        "no signature": None,
        "signed with another auth token": twilio_signature(PUBLIC_TWILIO_URL, form, "guess"),
        # What a naive check behind a proxy would compute: the URL the server sees.
        "signed for another URL": twilio_signature(url, form),
        "signature of another message": twilio_signature(PUBLIC_TWILIO_URL, twilio_whatsapp_form(sender, "hi")),
    }
    for name, signature in forgeries.items():
        assert post_twilio_message(url, form, signature).status_code == 403, name

    assert twilio.sent_to(sender) == []
    assert user_texts(assistant, sender) == []
    # A genuine message from the same user is then answered normally.
    assert whatsapp_says(assistant, sender, "hi").status_code == 204
    assert DISCLAIMER in twilio.wait_for(lambda: twilio.sent_to(sender))[0]


def test_whatsapp_voice_note_gets_a_text_only_answer(assistant, twilio):
    sender = new_whatsapp_sender()
    form = twilio_whatsapp_form(
        sender, "", NumMedia="1", MediaContentType0="audio/ogg", MediaUrl0="https://api.twilio.com/2010-04-01/Media/ME1"
    )
    response = post_twilio_message(
        f"{assistant.url}/webhooks/twilio/webhook", form, twilio_signature(PUBLIC_TWILIO_URL, form)
    )
    assert response.status_code == 204
    assert twilio.sent_to(sender) == [TEXT_ONLY]
    assert user_texts(assistant, sender) == []


def test_a_number_reply_picks_from_the_options_stored_with_the_conversation(assistant, twilio):
    """Options are read from the conversation store, which server replicas share, not
    from process memory: here a list of options that another replica sent is written to
    the store through the HTTP API; this server never sent it, yet understands "2"."""
    sender = new_whatsapp_sender()
    whatsapp_says(assistant, sender, "hi")
    assert twilio.sent_to(sender)[-1].endswith(options_list(response("utter_greet")["buttons"]))
    options = [
        {"title": "Opening hours", "payload": "/ask_opening_hours"},
        {"title": "Where we are", "payload": "/ask_location"},
    ]
    requests.post(
        f"{assistant.url}/conversations/{sender}/tracker/events",
        params={"token": "test-token"},
        timeout=30,
        json=[
            {"event": "bot", "text": "What would you like to know?", "data": {"buttons": options}},
            {"event": "action", "name": "action_listen"},
        ],
    ).raise_for_status()

    whatsapp_says(assistant, sender, "2")
    assert "12 Example Street" in twilio.sent_to(sender)[-1]
    assert user_texts(assistant, sender) == ["hi", "/ask_location"]


def signed_raw_twilio_post(
    servers: AssistantServers, body: bytes, signed_form: dict, signed: bool = True
) -> requests.Response:
    """A form body sent byte for byte (not necessarily UTF-8), signed for `signed_form`."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:
        headers["X-Twilio-Signature"] = twilio_signature(PUBLIC_TWILIO_URL, signed_form)
    return requests.post(f"{servers.url}/webhooks/twilio/webhook", data=body, headers=headers, timeout=60)


def test_whatsapp_replayed_message_is_handled_once(assistant, twilio):
    """Twilio's signature has no timestamp: a captured request stays valid. Replayed, to
    this server or another replica (the ids are kept in the shared database), it is
    acknowledged and ignored."""
    sender = new_whatsapp_sender()
    form = twilio_whatsapp_form(sender, "/ask_contact")
    signature = twilio_signature(PUBLIC_TWILIO_URL, form)
    url = f"{assistant.url}/webhooks/twilio/webhook"
    assert post_twilio_message(url, form, signature).status_code == 204
    replies = len(twilio.wait_for(lambda: twilio.sent_to(sender)))
    for _ in range(2):
        assert post_twilio_message(url, form, signature).status_code == 204
    assert user_texts(assistant, sender) == ["/ask_contact"]
    assert len(twilio.sent_to(sender)) == replies
    # The next message of the same user is a new MessageSid, answered as usual.
    assert whatsapp_says(assistant, sender, "/ask_location").status_code == 204
    assert user_texts(assistant, sender) == ["/ask_contact", "/ask_location"]


def test_whatsapp_body_that_is_not_utf8_is_a_400_after_the_signature_check(assistant, twilio):
    sender = new_whatsapp_sender()
    form = twilio_whatsapp_form(sender, "caf\ufffd")  # what the server reads leniently
    body = (
        "&".join(f"{key}={quote_plus(value)}" for key, value in form.items() if key != "Body").encode()
        + b"&Body=caf\xe9"
    )  # Latin-1, not UTF-8
    assert signed_raw_twilio_post(assistant, body, form, signed=False).status_code == 403
    answer = signed_raw_twilio_post(assistant, body, form)
    assert answer.status_code == 400 and "UTF-8" in answer.text
    assert twilio.sent_to(sender) == []
    assert user_texts(assistant, sender) == []


def test_messages_over_the_size_limit_get_a_plain_refusal_and_are_not_stored(assistant, telegram, twilio):
    long_text = "my knee hurts " * (MAX_MESSAGE_CHARS // 14 + 1)
    chat = new_chat_id()
    assert telegram_says(assistant, telegram_text_update(chat, long_text)).status_code == 200
    assert [m["text"] for m in telegram.sent_to(chat)] == [TOO_LONG]
    assert user_texts(assistant, f"telegram:{chat}") == []

    sender = new_whatsapp_sender()
    assert whatsapp_says(assistant, sender, long_text).status_code == 204
    assert twilio.sent_to(sender) == [TOO_LONG]
    assert user_texts(assistant, sender) == []


def test_rest_cannot_take_over_a_whatsapp_patients_booking(assistant, twilio):
    """Issue #10: a REST caller using a WhatsApp patient's sender id was answered with her
    name, email and reason, and could change and confirm her booking."""
    sender = new_whatsapp_sender()
    for text in ("I'd like to book an appointment", "Jane Runner"):
        whatsapp_says(assistant, sender, text)
    before, sent = stored_events(assistant, sender), twilio.sent_to(sender)
    assert "Jane Runner" in user_texts(assistant, sender)

    for text in ("what name did I give you?", "/affirm", "/deny"):
        taken = assistant.rest({"sender": sender, "message": text})
        assert taken.status_code == 400
        assert "Jane" not in taken.text and "sender" in taken.json()["error"]
    assert stored_events(assistant, sender) == before
    assert twilio.sent_to(sender) == sent


def test_cors_only_for_the_allowed_origins_without_credentials_for_others(assistant):
    """Without ALLOWED_ORIGINS (as here) only the demo page: `rasa run --cors` used to fall
    back to "*", echoing any page's Origin with credentials allowed."""
    for origin in ("https://evil.example", "null"):
        answer = requests.options(
            f"{assistant.url}/webhooks/rest/webhook",
            timeout=10,
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        assert "Access-Control-Allow-Origin" not in answer.headers, origin
        assert "Access-Control-Allow-Credentials" not in answer.headers, origin
    allowed = requests.options(
        f"{assistant.url}/webhooks/rest/webhook",
        timeout=10,
        headers={"Origin": assistant.webchat_url, "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers.get("Access-Control-Allow-Origin") == assistant.webchat_url


# --- Both channels --------------------------------------------------------------------


def test_interleaved_users_on_both_channels_only_get_their_own_replies(assistant, telegram, twilio):
    # The same digits as a Telegram chat id and a WhatsApp number are different users.
    digits = random.randint(10**10, 10**11)
    users = {
        ("telegram", digits): ("/ask_opening_hours", "Monday"),
        ("telegram", new_chat_id()): ("/ask_location", "12 Example Street"),
        ("whatsapp", f"whatsapp:+{digits}"): ("/ask_contact", "hello@clinic.example.com"),
        ("whatsapp", new_whatsapp_sender()): ("/ask_appointment_info", "shorts"),
    }

    def converse(channel, user, question):
        for text in ("hi", question):
            if channel == "telegram":
                assert telegram_says(assistant, telegram_text_update(user, text)).ok
            else:
                assert whatsapp_says(assistant, user, text).ok

    threads = [threading.Thread(target=converse, args=(*user, question)) for user, (question, _) in users.items()]
    [thread.start() for thread in threads]
    [thread.join(timeout=120) for thread in threads]

    markers = [marker for _, marker in users.values()]
    for (channel, user), (question, marker) in users.items():
        stand_in = telegram if channel == "telegram" else twilio
        received = "\n".join(m["text"] if isinstance(m, dict) else m for m in stand_in.sent_to(user))
        assert received.count(DISCLAIMER) == 1, (user, received)
        assert marker in received, (user, received)
        assert not [other for other in markers if other != marker and other in received], user
        conversation = f"telegram:{user}" if channel == "telegram" else user
        assert user_texts(assistant, conversation) == ["hi", question]


def test_the_server_log_says_both_channels_are_on(assistant):
    log = assistant.runner.log()
    assert "Telegram channel is on." in log
    assert "WhatsApp (Twilio) channel is on." in log


# --- A channel without its variables --------------------------------------------------


def test_a_channel_without_its_variables_is_off(monkeypatch, caplog, telegram, twilio):
    """Built from the project's credentials.yml the way `rasa run` builds it: without the
    variables, no webhook route is registered (a 404) and one log line says why."""
    from rasa.core.channels.channel import register
    from rasa.core.run import create_http_input_channels
    from sanic import Sanic

    def webhook_routes(name: str) -> list:
        app = Sanic(name)
        register(create_http_input_channels(None, str(ROOT / "credentials.yml")), app, route="/webhooks/")
        return sorted(r.path for r in app.router.routes if r.path.startswith(("webhooks/telegram", "webhooks/twilio")))

    for variable in channel_environment(telegram, twilio):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", TWILIO_SID)  # one of four: still off
    with caplog.at_level(logging.INFO, logger="channels"):
        assert webhook_routes(f"off-{new_chat_id()}") == []
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("channels")]
    assert [line for line in lines if line.startswith("Telegram")] == [
        "Telegram channel is off: set TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET to turn it on (see docs/channels.md)."
    ]
    assert [line for line in lines if line.startswith("WhatsApp")] == [
        "WhatsApp (Twilio) channel is off: TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER, "
        "TWILIO_WEBHOOK_URL not set, although other WhatsApp (Twilio) variables are "
        "(see docs/channels.md)."
    ]

    for variable, value in channel_environment(telegram, twilio).items():
        monkeypatch.setenv(variable, value)
    assert webhook_routes(f"on-{new_chat_id()}") == [
        "webhooks/telegram",
        "webhooks/telegram/webhook",
        "webhooks/twilio",
        "webhooks/twilio/webhook",
    ]


def test_a_setting_written_in_credentials_yml_takes_precedence(monkeypatch):
    from channels.settings import channel_settings

    monkeypatch.setenv("CLINIC_TEST_TOKEN", "from-the-environment")
    monkeypatch.setenv("CLINIC_TEST_URL", "https://env.example.com")
    variables = {"token": "CLINIC_TEST_TOKEN", "url": "CLINIC_TEST_URL"}
    assert channel_settings("Test", variables, {"url": "https://yml.example.com"}) == {
        "token": "from-the-environment",
        "url": "https://yml.example.com",
    }
    monkeypatch.delenv("CLINIC_TEST_TOKEN")
    assert channel_settings("Test", variables, {"url": "https://yml.example.com"}) is None


# --- Registering the Telegram webhook -------------------------------------------------


def run_webhook_command(telegram: TelegramBotAPI, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_API_URL": telegram.url,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
    }
    return subprocess.run(
        [str(BIN / "python"), "scripts/telegram_webhook.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_webhook_command_registers_the_public_url_with_the_secret(telegram):
    done = run_webhook_command(telegram, "https://assistant.clinic.example.com")
    assert done.returncode == 0, done.stderr
    registered = telegram.calls_to("setWebhook")[-1].params
    assert registered == {
        "url": "https://assistant.clinic.example.com/webhooks/telegram/webhook",
        "secret_token": TELEGRAM_SECRET,
        "allowed_updates": ["message", "edited_message", "callback_query"],
        "drop_pending_updates": False,
    }
    assert "Registered webhook: https://assistant.clinic.example.com/webhooks/telegram/webhook" in done.stdout


def test_the_webhook_command_explains_what_is_wrong(monkeypatch):
    from scripts.telegram_webhook import SetupError, secret_token, webhook_url

    assert webhook_url("https://a.example.com/") == ("https://a.example.com/webhooks/telegram/webhook")
    assert webhook_url("https://a.example.com/bot/hook") == "https://a.example.com/bot/hook"
    with pytest.raises(SetupError, match="only delivers to public https addresses"):
        webhook_url("http://localhost:5005")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "has spaces and !")
    with pytest.raises(SetupError, match="Set TELEGRAM_WEBHOOK_SECRET to a random value"):
        secret_token()


def test_make_telegram_webhook_runs_the_command():
    dry_run = subprocess.run(
        ["make", "-n", "telegram-webhook", "URL=https://a.example.com"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert 'scripts/telegram_webhook.py "https://a.example.com"' in dry_run.stdout
