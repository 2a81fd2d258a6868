"""The website chat widget in a real browser (headless Chromium) on the demo clinic page,
against the real servers started the way `make run` starts them (scripts/run.py: action
server, Rasa server with the origin-checked socket.io channel, demo page).

Screenshots of the main states go to tests/artifacts/screenshots/."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List

import pytest
import requests
from playwright.sync_api import expect

from channels.socketio import conversation_id
from clinic.settings import clinic_slots
from tests.support.browser import PHONE, BrowserTab, browser, tab  # noqa: F401 (fixtures)
from tests.support.domain import merged as merged_domain
from tests.support.processes import AssistantServers, free_port

pytestmark = pytest.mark.browser

REPLY_TIMEOUT = 60_000  # ms; the first reply after start-up loads the model's graph


# ---- what the assistant is expected to say: read from the domain, not copied here ----


def response_openings(name: str) -> List[str]:
    """The first line of each variation of a domain response, with the clinic's details
    filled in: enough to recognise the response without repeating its wording here."""
    responses = merged_domain()["responses"]
    assert name in responses, f"the domain has no {name}"
    slots = clinic_slots()
    return [
        re.sub(r"\{(\w+)\}", lambda m: slots.get(m.group(1), m.group(0)), variation["text"].strip().split("\n")[0])
        for variation in responses[name]
        if variation.get("text")
    ]


def assert_said(texts: List[str], response: str) -> None:
    said = "\n".join(texts)
    assert any(opening in said for opening in response_openings(response)), (
        f"expected {response}, the assistant said:\n{said}"
    )


# ---- the servers and a page object for the widget ---------------------------------------


@pytest.fixture(scope="module")
def servers(model_path, tmp_path_factory) -> Iterator[AssistantServers]:
    workdir = tmp_path_factory.mktemp("webchat")
    started = AssistantServers(workdir, env={"DATABASE_URL": f"sqlite:///{workdir / 'assistant.db'}"})
    # The clinic's setting, as in .env: only its own site (here the demo page) may connect.
    started.env["ALLOWED_ORIGINS"] = started.webchat_url
    started.start()
    yield started
    started.stop()


class ChatWidget:
    """The widget on a page, seen the way a visitor sees it."""

    def __init__(self, page) -> None:
        self.page = page
        self.root = page.locator("#clinic-chat")
        self.launcher = page.get_by_role("button", name="Chat with us")
        self.panel = page.get_by_role("dialog")
        self.input = page.get_by_role("textbox", name="Your message")
        self.status = self.root.locator(".status")
        self.typing = self.root.locator(".typing")

    def open(self) -> "ChatWidget":
        self.launcher.click()
        expect(self.panel).to_be_visible()
        return self

    def bot_messages(self):
        return self.root.locator(".message.bot .text")

    def bot_texts(self) -> List[str]:
        return self.bot_messages().all_inner_texts()

    def user_texts(self) -> List[str]:
        return self.root.locator(".message.user .text").all_inner_texts()

    def wait_for_replies(self, already: int, count: int = 1) -> List[str]:
        """Waits for `count` new bot messages after the `already` shown, and for the
        typing indicator to go (all of the answer shown); returns the new texts."""
        self.bot_messages().nth(already + count - 1).wait_for(timeout=REPLY_TIMEOUT)
        expect(self.typing).to_be_hidden(timeout=REPLY_TIMEOUT)
        return self.bot_texts()[already:]

    def say(self, text: str) -> List[str]:
        """Types a message, sends it with Enter and returns the answer's texts."""
        already = self.bot_messages().count()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_for_replies(already)

    def open_and_greet(self) -> List[str]:
        self.open()
        return self.wait_for_replies(0, count=2)  # the disclaimer, then the greeting

    def session_id(self) -> str:
        return self.page.evaluate("""() => {
            const key = Object.keys(sessionStorage).find(k => k.startsWith('clinic-chat:'));
            return JSON.parse(sessionStorage.getItem(key)).sessionId; }""")


def user_messages_stored(servers: AssistantServers, session_id: str) -> List[str]:
    """What the Rasa server stored as the user messages of the browser's session."""
    response = requests.get(
        f"{servers.url}/conversations/{conversation_id(session_id)}/tracker", params={"token": "test-token"}, timeout=30
    )
    response.raise_for_status()
    return [event["text"] for event in response.json()["events"] if event["event"] == "user"]


def demo_page(tab: BrowserTab, servers: AssistantServers, path: str = "/") -> ChatWidget:
    tab.page.goto(servers.webchat_url + path)
    return ChatWidget(tab.page)


# ---- the tests --------------------------------------------------------------------------


def test_greeting_disclaimer_knee_answer_and_quick_reply(servers, tab):
    widget = demo_page(tab, servers)
    expect(widget.launcher).to_be_visible()
    widget.root.wait_for(state="attached")
    # Record whether the typing dots ever show (they do between two answers in a row).
    tab.page.evaluate("""() => {
        const dots = document.querySelector('#clinic-chat').shadowRoot.querySelector('.typing');
        window.typingShown = false;
        new MutationObserver(() => { if (!dots.hidden) window.typingShown = true; })
            .observe(dots, {attributes: true});
    }""")

    greeting = widget.open_and_greet()
    assert_said(greeting[:1], "utter_disclaimer")
    assert_said(greeting[1:], "utter_greet")
    assert tab.page.evaluate("window.typingShown"), "no typing indicator between the two answers"
    expect(widget.input).to_be_focused()
    tab.screenshot("01-greeting")

    answer = widget.say("why do my knees hurt after running")
    assert_said(answer, "utter_ask_causes")
    # The answer's "- " lines are shown as a list.
    assert widget.root.locator(".message.bot ul li").count() >= 2
    tab.screenshot("02-knee-answer")

    # A quick reply sends its payload (an intent), shows its title and then goes away.
    already = widget.bot_messages().count()
    replies = widget.root.get_by_role("group", name="Suggested replies").get_by_role("button")
    first = replies.first
    title = first.inner_text()
    first.click()
    widget.wait_for_replies(already)
    assert widget.user_texts()[-1] == title
    expected_payload = next(b["payload"] for m in _bot_buttons(servers, widget) for b in m if b["title"] == title)
    assert user_messages_stored(servers, widget.session_id())[-1] == expected_payload
    assert tab.outside_requests == [], "the page must work without outside network"
    assert tab.page_errors == []


def _bot_buttons(servers: AssistantServers, widget: ChatWidget) -> List[List[dict]]:
    response = requests.get(
        f"{servers.url}/conversations/{conversation_id(widget.session_id())}/tracker",
        params={"token": "test-token"},
        timeout=30,
    )
    return [
        event["data"].get("buttons") or []
        for event in response.json()["events"]
        if event["event"] == "bot" and event.get("data")
    ]


def test_links_to_the_clinic_are_clickable(servers, tab):
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    answer = widget.say("what is your phone number and email address?")
    assert_said(answer, "utter_contact")
    slots = clinic_slots()
    email = widget.root.locator(f'a[href="mailto:{slots["clinic_email"]}"]')
    expect(email).to_have_text(slots["clinic_email"])
    phone = widget.root.locator(f'a[href="tel:{slots["clinic_phone"].replace(" ", "")}"]')
    expect(phone).to_have_text(slots["clinic_phone"])


def test_conversation_survives_reload_and_other_pages(servers, tab):
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    widget.say("what are your opening hours")
    session = widget.session_id()
    before = (widget.user_texts(), widget.bot_texts())

    tab.page.reload()
    widget = ChatWidget(tab.page)
    expect(widget.panel).to_be_visible()  # it stays open, too
    assert (widget.user_texts(), widget.bot_texts()) == before
    tab.screenshot("03-after-reload")

    tab.page.get_by_role("link", name="Services and prices").click()
    tab.page.wait_for_url("**/services")
    widget = ChatWidget(tab.page)
    expect(widget.panel).to_be_visible()
    assert (widget.user_texts(), widget.bot_texts()) == before
    answer = widget.say("where are you located?")
    assert_said(answer, "utter_location")
    tab.screenshot("04-other-page")

    # One conversation on the server, not one per page; no second greeting.
    assert widget.session_id() == session
    stored = user_messages_stored(servers, session)
    assert stored[-2:] == ["what are your opening hours", "where are you located?"]
    assert sum(text == "/greet" for text in stored) == 1


def test_html_typed_by_the_user_is_shown_as_text(servers, tab):
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    attack = "<img src=x onerror=alert(1)>"
    widget.say(attack)
    widget.say("<script>alert(2)</script> hello")

    assert widget.user_texts()[-2:] == [attack, "<script>alert(2)</script> hello"]
    assert widget.root.locator(".log img, .log script").count() == 0
    assert tab.page.locator("img").count() == 0
    tab.page.wait_for_timeout(500)  # an onerror handler would have run by now
    assert tab.dialogs == []
    assert attack in user_messages_stored(servers, widget.session_id())
    tab.screenshot("05-html-shown-as-text")


def test_a_message_that_cannot_be_sent_is_explained_and_kept(servers, tab):
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    hint = widget.root.locator(".hint")

    widget.input.fill("   ")
    widget.input.press("Enter")
    expect(hint).to_have_text("Please type a message first.")

    too_long = "my knee " * 150  # 1200 characters
    widget.input.fill(too_long)
    widget.input.press("Enter")
    expect(hint).to_contain_text("up to 1000")
    expect(widget.input).to_have_value(too_long)  # nothing lost
    assert widget.user_texts() == []

    widget.input.fill("my knee hurts when I run downhill")
    expect(hint).to_be_hidden()
    widget.input.press("Enter")
    expect(widget.root.locator(".message.user .text")).to_have_text(["my knee hurts when I run downhill"])


def test_clear_starts_a_new_conversation(servers, tab):
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    widget.say("what are your opening hours")
    first_session = widget.session_id()

    widget.root.get_by_role("button", name="Clear").click()
    greeting = widget.wait_for_replies(0, count=2)
    assert_said(greeting[:1], "utter_disclaimer")
    assert widget.user_texts() == []
    assert widget.session_id() != first_session
    tab.page.reload()
    assert ChatWidget(tab.page).user_texts() == []


def test_markup_in_a_bot_message_is_formatted_safely(servers, tab):
    """A bot message crafted to attack the page (as if a response or a repeated user
    answer contained it) is injected into the real socket.io connection."""
    sockets = []

    def pass_through(route):
        route.connect_to_server()
        sockets.append(route)

    tab.page.route_web_socket(re.compile(r"/socket\.io/"), pass_through)
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    assert sockets, "the widget should talk over a WebSocket"

    text = (
        "**Rest** and *ice* for now.\n- first point\n- second point\n"
        "Call +44 20 7946 0000, mail hello@clinic.example.com or see https://clinic.example.com/book.\n"
        "[Tap here](javascript:alert('link')) <script>alert('script')</script> <img src=x onerror=alert('img')>"
    )
    sockets[0].send("42" + json.dumps(["bot_uttered", {"text": text}]))
    message = widget.root.locator(".message.bot").last
    expect(message).to_contain_text("Tap here")

    expect(message.locator("strong")).to_have_text("Rest")
    expect(message.locator("em")).to_have_text("ice")
    expect(message.locator("li")).to_have_count(2)
    expect(message.locator('a[href="tel:+442079460000"]')).to_have_count(1)
    expect(message.locator('a[href="mailto:hello@clinic.example.com"]')).to_have_count(1)
    web = message.locator('a[href="https://clinic.example.com/book"]')
    expect(web).to_have_attribute("rel", "noopener noreferrer")
    expect(web).to_have_attribute("target", "_blank")
    assert message.locator("a").count() == 3  # javascript: never becomes a link
    expect(message).to_contain_text("<script>alert('script')</script>")
    assert message.locator("img, script").count() == 0
    message.get_by_text("Tap here").click()
    tab.page.wait_for_timeout(500)
    assert tab.dialogs == []
    tab.screenshot("06-bot-markup-shown-safely")


# A browser whose WebSocket connections fail, as behind a proxy that refuses them.
FAILING_WEBSOCKET = """window.WebSocket = class {
    constructor() {
        setTimeout(() => { this.onerror && this.onerror(new Event('error'));
                           this.onclose && this.onclose({code: 1006, reason: ''}); }, 10);
    }
    send() {}
    close() {}
};"""


def test_falls_back_to_long_polling_when_websockets_fail(servers, tab):
    """Long-polling is also what needs the server's CORS headers right."""
    tab.page.add_init_script(FAILING_WEBSOCKET)
    polls = []
    tab.page.on("request", lambda request: polls.append(request.url) if "transport=polling" in request.url else None)
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    answer = widget.say("what are your opening hours")
    assert_said(answer, "utter_opening_hours")
    assert polls, "the widget should have used long-polling"


def test_usable_with_the_keyboard_alone(servers, tab):
    widget = demo_page(tab, servers)
    widget.root.wait_for(state="attached")
    for _ in range(20):  # Tab through the page's links to the chat button
        tab.page.keyboard.press("Tab")
        if widget.launcher.evaluate("button => button.getRootNode().activeElement === button"):
            break
    else:
        pytest.fail("the chat button cannot be reached with Tab")
    tab.page.keyboard.press("Enter")
    widget.wait_for_replies(0, count=2)
    expect(widget.input).to_be_focused()

    tab.page.keyboard.type("is it okay to keep running with sore knees")
    already = widget.bot_messages().count()
    tab.page.keyboard.press("Enter")
    widget.wait_for_replies(already)
    assert widget.user_texts()[-1] == "is it okay to keep running with sore knees"

    # Escape closes the chat and gives the focus back to its button.
    tab.page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    assert widget.launcher.evaluate("button => button.getRootNode().activeElement === button")


def test_usable_on_a_phone_sized_screen(servers, browser):  # noqa: F811
    phone = BrowserTab(browser, **PHONE)
    try:
        widget = demo_page(phone, servers)
        widget.launcher.tap()
        expect(widget.panel).to_be_visible()
        widget.wait_for_replies(0, count=2)
        # The open chat fills the screen, without sideways scrolling or zooming on focus.
        box = widget.panel.bounding_box()
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
        assert float(widget.input.evaluate("el => getComputedStyle(el).fontSize")[:-2]) >= 16
        answer = widget.say("what exercises help runner's knee?")
        assert answer
        last = widget.root.locator(".message.bot").last.bounding_box()
        assert last["x"] >= 0 and last["x"] + last["width"] <= 390
        phone.screenshot("07-phone")
    finally:
        phone.close()


class _ForeignSite(BaseHTTPRequestHandler):
    """Another website that embeds the clinic's widget: its origin is not allowed."""

    body = b""

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


def test_socketio_refuses_origins_the_clinic_did_not_allow(servers, tab):
    polling = f"{servers.url}/socket.io/?EIO=4&transport=polling"
    refused = requests.get(polling, headers={"Origin": "https://other-site.example"}, timeout=10)
    assert refused.status_code == 400
    allowed = requests.get(polling, headers={"Origin": servers.webchat_url}, timeout=10)
    assert allowed.status_code == 200
    # Exactly one CORS header (two make browsers drop the response).
    assert allowed.headers["Access-Control-Allow-Origin"] == servers.webchat_url

    port = free_port()
    _ForeignSite.body = (
        f"<!doctype html><title>Other site</title><h1>Someone else's site</h1>"
        f'<script src="{servers.webchat_url}/webchat/webchat.js" '
        f'data-server-url="{servers.url}"></script>'
    ).encode()
    site = ThreadingHTTPServer(("127.0.0.1", port), _ForeignSite)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        tab.page.goto(f"http://127.0.0.1:{port}/")
        widget = ChatWidget(tab.page).open()
        expect(widget.status).to_contain_text("Can't reach the assistant", timeout=15_000)
        tab.page.wait_for_timeout(1000)
        assert widget.bot_messages().count() == 0
        tab.screenshot("08-foreign-origin-refused")
    finally:
        site.shutdown()
        site.server_close()


@pytest.mark.parametrize(
    "stored_id", ["../../etc/passwd", {"$ne": None}, "x" * 500], ids=["path", "object", "too-long"]
)
def test_a_malformed_session_id_gets_a_new_conversation(servers, tab, stored_id):
    """Whatever a browser's storage holds (or a client sends), the server makes a new id."""
    saved = {"sessionId": stored_id, "open": False, "messages": []}
    tab.page.add_init_script(
        f"sessionStorage.setItem({json.dumps('clinic-chat:' + servers.url)}, {json.dumps(json.dumps(saved))})"
    )
    widget = demo_page(tab, servers)
    greeting = widget.open_and_greet()
    assert_said(greeting[:1], "utter_disclaimer")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", widget.session_id())  # issued by the server


def test_reconnects_after_a_server_restart(servers, tab):
    """Last in this file: it restarts the module's servers."""
    widget = demo_page(tab, servers)
    widget.open_and_greet()
    servers.stop()
    expect(widget.status).to_contain_text("Reconnecting", timeout=30_000)

    # What the visitor types meanwhile is kept and sent once the assistant is back.
    widget.input.fill("what are your opening hours")
    widget.input.press("Enter")
    expect(widget.root.locator(".pending")).to_have_text("Waiting for connection…")
    tab.screenshot("09-reconnecting")

    servers.start()
    answer = widget.wait_for_replies(2)
    assert_said(answer, "utter_opening_hours")
    expect(widget.root.locator(".pending")).to_have_count(0)
    expect(widget.status).to_be_hidden()
    assert user_messages_stored(servers, widget.session_id()).count("what are your opening hours") == 1
    tab.screenshot("10-reconnected")
