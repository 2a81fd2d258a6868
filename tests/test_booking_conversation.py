"""Booking conversations through the trained model and the real servers.

The clinic's systems are real local stand-ins started here: a webhook receiver that
checks signatures and an SMTP server. The servers run as `make run` runs them, on a
database of this module's own, with a clinic file that delivers by webhook and email."""

import contextlib
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import yaml

from clinic import bookings
from clinic.database import create_engine
from clinic.settings import load_clinic
from tests.support.booking_targets import SmtpSink, WebhookReceiver, wait_until
from tests.support.chat import Conversation, button_payloads
from tests.support.processes import BIN, AssistantServers, ManagedProcess, free_port, wait_for_url

SECRET = "booking-test-secret"
LONDON = ZoneInfo("Europe/London")
TIME_QUESTION = "Which day and time would suit you?"
NAME_QUESTION = "What name should I put the booking under?"
CONTACT_QUESTION = "best phone number or email address"
REASON_QUESTION = "what would you like to be seen for?"


def texts(messages) -> str:
    return "\n".join(message.get("text") or "" for message in messages)


def write_clinic_file(folder: Path, webhook_url: str, smtp_port: int) -> Path:
    clinic = load_clinic()
    clinic["booking"] = {
        **clinic.get("booking", {}),
        "delivery": ["link", "webhook", "email"],
        "webhook": {"url": webhook_url, "timeout_seconds": 3},
        "email": {
            "to": "bookings@clinic.example.com",
            "from": "assistant@clinic.example.com",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            "starttls": False,
        },
        "retry": {"first_delay_seconds": 1, "max_delay_seconds": 2, "poll_seconds": 1},
    }
    path = folder / "clinic.yml"
    path.write_text(yaml.safe_dump(clinic, allow_unicode=True))
    return path


class Clinic:
    """The servers plus what reached the clinic's systems and its database."""

    def __init__(self, servers: AssistantServers, database: Path, webhook: WebhookReceiver, smtp: SmtpSink) -> None:
        self.servers, self.webhook, self.smtp = servers, webhook, smtp
        self.engine = create_engine(sa.engine.make_url(f"sqlite:///{database}"))

    def user(self) -> "User":
        return User(self, f"booking-{uuid.uuid4().hex[:10]}")

    def requests_of(self, sender: str):
        return bookings.list_requests(conversation_id=sender, engine=self.engine)

    def webhooks_for(self, request_id: int):
        return [hook for hook in self.webhook.received if json.loads(hook["body"])["request"]["id"] == request_id]

    def emails_for(self, request_id: int):
        return [mail for mail in self.smtp.inbox if f"#{request_id}:" in mail["message"]["Subject"]]


class User:
    def __init__(self, clinic: Clinic, sender: str) -> None:
        self.clinic, self.sender = clinic, sender

    def say(self, message: str):
        return self.clinic.servers.say(self.sender, message)

    def texts(self, message: str) -> str:
        return texts(self.say(message))


@pytest.fixture(scope="module")
def clinic(model_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("booking-servers")
    webhook = WebhookReceiver(SECRET).start()
    smtp = SmtpSink().start()
    database = folder / "assistant.db"
    servers = AssistantServers(
        folder / "run",
        env={
            "CLINIC_CONFIG": str(write_clinic_file(folder, webhook.url, smtp.port)),
            "BOOKING_WEBHOOK_SECRET": SECRET,
            "DATABASE_URL": f"sqlite:///{database}",
        },
    )
    try:
        servers.start()
        yield Clinic(servers, database, webhook, smtp)
    finally:
        servers.stop()
        webhook.stop()
        smtp.stop()


def test_booking_with_a_correction_and_a_question_reaches_the_clinic(clinic):
    user = clinic.user()
    first = user.say("can I book for my knee?")
    assert NAME_QUESTION in texts(first)
    # The clinic's online booking is offered as a button next to the questions.
    assert any(
        button.get("url") == load_clinic()["booking_link"]
        for message in first
        for button in message.get("buttons") or []
    )

    assert CONTACT_QUESTION in user.texts("Sam Jones")
    reply = user.texts("sam.jones@example")
    assert "email address doesn't look complete" in reply
    assert TIME_QUESTION in user.texts("sam.jones@example.com")

    # A knee question in the middle is answered, then the form asks again.
    digression = user.say("should I rest my knee or keep running?")
    assert len(digression) >= 2 and TIME_QUESTION in digression[-1]["text"]
    assert TIME_QUESTION not in digression[0]["text"] and "didn't quite get that" not in texts(digression)

    assert "closed on Sundays" in user.texts("sunday at 10am")
    assert REASON_QUESTION in user.texts("next tuesday at 10am")
    summary = user.texts("pain at the front of my knee after long runs")
    assert "Sam Jones" in summary and "sam.jones@example.com" in summary
    assert "Tuesday" in summary and "10:00" in summary and "front of my knee" in summary
    assert "agree" in summary  # consent is asked together with the confirmation

    corrected = user.texts("change the time to wednesday 11am")
    assert "Wednesday" in corrected and "11:00" in corrected and "Tuesday" not in corrected
    assert clinic.requests_of(user.sender) == []  # nothing stored before the "yes"

    sent = user.texts("yes")
    assert "reference" in sent and "within one working day" in sent
    [request] = clinic.requests_of(user.sender)
    assert (request.kind, request.status, request.name) == ("booking", "new", "Sam Jones")
    assert request.contact == "sam.jones@example.com"
    assert request.reason == "pain at the front of my knee after long runs"
    assert request.consent_at is not None and request.channel == "rest"
    when = request.preferred_time.astimezone(LONDON)
    assert (when.strftime("%A"), when.hour, when.minute) == ("Wednesday", 11, 0)
    assert timedelta(0) < when - datetime.now(timezone.utc) < timedelta(days=8)
    assert str(request.id) in sent

    assert wait_until(lambda: clinic.webhooks_for(request.id) and clinic.emails_for(request.id))
    [hook] = clinic.webhooks_for(request.id)
    assert hook["signature_valid"]
    assert json.loads(hook["body"])["request"]["contact"] == "sam.jones@example.com"
    [mail] = clinic.emails_for(request.id)
    assert "Sam Jones" in mail["message"].get_content()

    # A second "yes" (a double click) sends nothing new.
    assert "already with the team" in user.texts("yes")
    assert len(clinic.requests_of(user.sender)) == 1
    wait_until(lambda: len(clinic.webhooks_for(request.id)) > 1, timeout=3)
    assert len(clinic.webhooks_for(request.id)) == 1 and len(clinic.emails_for(request.id)) == 1


def test_bad_answers_are_asked_again_then_a_person_is_offered_and_stop_stores_nothing(clinic):
    user = clinic.user()
    assert NAME_QUESTION in user.texts("I'd like to book an appointment")
    assert "didn't catch a name" in user.texts("12345")
    assert CONTACT_QUESTION in user.texts("Jo Bloggs")
    assert "phone number doesn't look right" in user.texts("07911 12345")
    second = user.say("jo@")
    assert "email address doesn't look complete" in texts(second)
    assert "/request_human" in button_payloads(second)  # after two failures: a person (OFFER_HUMAN_AFTER)
    third = user.say("sam at example dot com")
    assert "I need a phone number or an email address" in texts(third)
    assert "/request_human" not in button_payloads(third)  # offered once, not after every failure
    assert TIME_QUESTION in user.texts("07911 123456")
    assert "already passed" in user.texts("yesterday at 10am")
    assert "We open at 08:00" in user.texts("monday at 7am")
    assert "last appointment starts at 17:00" in user.texts("friday at 17:30")

    assert "cancel this booking request" in user.texts("stop")
    assert "Nothing has been sent or stored" in user.texts("yes")
    assert clinic.requests_of(user.sender) == []


def test_a_red_flag_during_the_booking_gets_urgent_advice_and_is_not_an_answer(clinic):
    import requests

    user = clinic.user()
    assert NAME_QUESTION in user.texts("book me in please")
    reply = user.say("my knee keeps locking and I can't straighten it")
    assert "caught inside the joint" in texts(reply)  # action_red_flag's advice for locking
    assert NAME_QUESTION in reply[-1]["text"]  # then the booking carries on
    tracker = requests.get(
        f"{clinic.servers.url}/conversations/{user.sender}/tracker", params={"token": "test-token"}, timeout=30
    ).json()
    assert tracker["slots"]["booking_name"] is None


def test_stop_then_carry_on_keeps_the_answers(clinic):
    user = clinic.user()
    user.say("I want to book a physio appointment")
    user.say("Ann Lee")
    assert "cancel this booking request" in user.texts("never mind")
    assert CONTACT_QUESTION in user.texts("no")  # back where we were, name kept
    assert TIME_QUESTION in user.texts("ann.lee@example.com")


def test_staff_requests_store_the_users_words_and_say_when_the_clinic_answers(clinic):
    user = clinic.user()
    reply = user.texts("can someone from the clinic call me back please")
    assert "What's your name?" in reply
    assert "best phone number or email" in user.texts("Jo Bloggs")
    done = user.texts("07911 123456")
    assert "within one working day" in done and "07911 123456" in done
    [human] = clinic.requests_of(user.sender)
    assert (human.kind, human.name, human.contact) == ("human", "Jo Bloggs", "+447911123456")
    assert human.reason == "can someone from the clinic call me back please"

    # Name and contact are known now: a cancellation is passed on straight away.
    cancel = user.texts("I need to cancel my appointment on friday")
    assert "cancellation" in cancel and "within one working day" in cancel
    kinds = {request.kind: request for request in clinic.requests_of(user.sender)}
    assert kinds["cancel"].reason == "I need to cancel my appointment on friday"
    assert wait_until(lambda: clinic.webhooks_for(kinds["cancel"].id))


# --- failures: the action server or the database -------------------------------------


@contextlib.contextmanager
def action_server(env):
    port = free_port()
    server = ManagedProcess(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        env=env,
        log_name="booking-actions",
    )
    try:
        wait_for_url(f"http://127.0.0.1:{port}/health", server.process, timeout=120)
        yield server, f"http://127.0.0.1:{port}/webhook"
    finally:
        server.stop()


@contextlib.contextmanager
def agent_using(agent, url):
    """The shared in-process agent, talking to another action server for a while."""
    from rasa.utils.endpoints import EndpointConfig

    original = agent.processor.action_endpoint
    agent.processor.action_endpoint = EndpointConfig(url)
    try:
        yield
    finally:
        agent.processor.action_endpoint = original


def fill_booking(conversation: Conversation) -> str:
    conversation.say("I'd like to book an appointment")
    conversation.say("Sam Jones")
    conversation.say("07911 123456")
    conversation.say("next tuesday at 10am")
    return conversation.texts("runner's knee")


def test_database_down_or_action_server_down_gets_a_plain_answer(agent, event_loop_session, tmp_path):
    closed_port = free_port()  # nothing listens there: the database is "down"
    broken_db = {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:{closed_port}/test"}
    clinic = load_clinic()
    with action_server(broken_db) as (server, url), agent_using(agent, url):
        user = Conversation(agent, event_loop_session)
        assert "Shall I send it to the team?" in fill_booking(user)
        failed = user.texts("yes")
        assert "couldn't pass on your request" in failed
        assert clinic["phone"] in failed and clinic["email"] in failed

        # Now the action server itself goes away in the middle of a booking.
        other = Conversation(agent, event_loop_session)
        assert "Shall I send it to the team?" in fill_booking(other)
        server.stop()
        down = other.texts("yes")
        assert "couldn't pass on your request" in down and clinic["phone"] in down
        # ...and the assistant keeps answering rather than going silent.
        assert "couldn't pass on your request" in other.texts("hello?")
