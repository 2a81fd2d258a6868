"""Issue #10, the staff review app, attacked: conversations of every shape a patient (or
an attacker) can leave in the tracker store are shown and exported; summaries of absurd
ranges answer at once; login throttling holds under parallel attempts and tells nobody
which usernames exist; `next` cannot leave the site; exports cannot run formulas; the
command line cannot be made to run terminal escapes.

Flask's test client on a throwaway SQLite file and PostgreSQL database (no assistant:
the stored events are written here, in the shape Rasa's SQLTrackerStore writes them).
The red-flag conversation the real assistant records is in tests/test_review_data.py."""

import csv
import io
import json
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from review import audit, auth, clock, conversations, summary, throttle
from review.exports import spreadsheet_safe
from review.filters import Filters
from review.tables import connect, events
from review.web import create_app
from tests.support.databases import fresh_postgres_database
from tests.support.review import csrf_of, review_cli

PASSWORD = "a perfectly fine password"
KNEECAP = "my kneecap has popped out to the side and is stuck there"
HUGE = "my knee hurts " * 15000  # 210,000 characters
CONTROL = "ok\x00\x1b[2J\x1b]0;owned\x07\r\x9b31m\u202eevil\ud800 end"
HTML = "<img src=x onerror=alert(1)><script>alert('x')</script>"
FORMULAS = ["x;=cmd|' /C calc'!A0", "\uff1d1+1", "  @SUM(A1)", "-2+3"]


def user_event(text, entities=(), intent="describe_symptoms", confidence=0.9, **extra):
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "intent_ranking": [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": 0.05}],
    }
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": "rest", **extra}


def odd_conversations():
    """sender -> stored event data: what the list, transcripts and exports must survive."""
    return {
        # The red-flag check and the entity ruler both start at "kneecap".
        "overlap": [
            user_event(
                KNEECAP,
                intent="report_red_flag",
                confidence=1.0,
                entities=[
                    {
                        "entity": "pain_location",
                        "start": 3,
                        "end": 10,
                        "value": "kneecap",
                        "extractor": "EntityRulerExtractor",
                    },
                    {
                        "entity": "red_flag",
                        "start": 3,
                        "end": 25,
                        "value": "kneecap_dislocation",
                        "extractor": "RedFlagDetector",
                    },
                ],
            ),
            {"event": "action", "name": "action_red_flag", "policy": "RulePolicy", "confidence": 1.0},
            {"event": "bot", "text": "This needs urgent care."},
        ],
        "odd": [
            user_event(
                "pain",
                entities=[
                    {"entity": "pain_location", "start": "3", "end": None, "value": "x"},
                    {"entity": "pain_location", "start": 2, "end": 99, "value": "beyond"},
                    {"entity": "pain_location", "start": 3, "end": 1, "value": "backwards"},
                    {"entity": ["not", "a", "name"], "start": 0, "end": 2},
                    "not an entity",
                    {"entity": "condition", "start": True, "end": 2},
                ],
            ),
            {
                "event": "user",
                "parse_data": {"intent": "not a dict", "intent_ranking": "nope", "entities": {"a": 1}},
                "timestamp": 1e300,
            },
            {"event": "user", "text": 12345, "parse_data": {"intent": {"name": None, "confidence": "high"}}},
            user_event(HUGE),
            user_event(CONTROL),
            user_event(HTML),
            *[user_event(text) for text in FORMULAS],
            {"event": "mystery_event", "anything": [1, 2, 3]},
            {"event": "bot", "text": None, "data": {"buttons": "not a list"}},
            {"event": "slot", "name": {"odd": "name"}, "value": {"nested": ["value"]}},
            {"event": "action", "name": None, "confidence": "1.0"},
        ],
    }


def store(engine, sender, datas, at):
    rows = []
    for n, data in enumerate(datas):
        data = {"timestamp": at + n, **data}
        timestamp = data["timestamp"] if isinstance(data["timestamp"], float) and data["timestamp"] < 1e12 else at + n
        intent = data.get("parse_data", {}).get("intent")
        rows.append(
            {
                "sender_id": sender,
                "type_name": data["event"],
                "timestamp": timestamp,
                "intent_name": intent.get("name") if isinstance(intent, dict) else None,
                "action_name": data.get("name") if data["event"] == "action" else None,
                # What Rasa's SQLTrackerStore stores: json.dumps, so \u0000 and \ud800.
                "data": json.dumps(data),
            }
        )
    with engine.begin() as db:
        db.execute(events.insert(), rows)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('review-security') / 'review.db'}"
    else:
        with fresh_postgres_database(prefix="review_security") as url:
            yield url


@pytest.fixture(scope="module")
def engine(database_url):
    engine = connect(database_url)
    auth.create_user(engine, "nora", PASSWORD)
    auth.create_user(engine, "ada", PASSWORD, is_admin=True)
    now = time.time() - 600
    for sender, datas in odd_conversations().items():
        store(engine, sender, datas, now)
    yield engine
    engine.dispose()


@pytest.fixture
def app(engine):
    return create_app(engine, key="test-secret")


ADDRESSES = iter(f"192.0.2.{n}" for n in range(1, 250))


def client_from(app, address=None):
    """A browser at its own client address (so throttling tests do not meet each other)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or next(ADDRESSES)
    return client


def log_in(client, username="nora", password=PASSWORD, next_page=""):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password, "next": next_page}
    )


@pytest.fixture
def staff(app):
    client = client_from(app)
    assert log_in(client).status_code == 302
    return client


def today():
    return clock.local(clock.utcnow()).date().isoformat()


# --- every stored conversation is shown and exported -------------------------------------


def test_conversations_of_any_shape_are_listed_and_searchable(engine, staff):
    page = staff.get("/")
    assert page.status_code == 200
    assert "/conversations/overlap" in page.text and "/conversations/odd" in page.text
    # PostgreSQL reads the JSON of every event here; \u0000 and a lone surrogate included.
    assert {r.conversation_id for r in conversations.find_all(engine, Filters(search="kneecap"))} == {"overlap"}
    assert {r.conversation_id for r in conversations.find_all(engine, Filters(search="evil"))} == {"odd"}
    assert staff.get("/?search=onerror&low_confidence=1").status_code == 200
    assert staff.get("/summary").status_code == 200


def test_a_red_flag_with_overlapping_entities_is_shown_and_correctable(engine, staff):
    page = staff.get("/conversations/overlap")
    assert page.status_code == 200
    assert "red_flag</strong> = kneecap_dislocation (“kneecap has popped out”)" in page.text
    assert "pain_location</strong> = kneecap (“kneecap”)" in page.text
    # The correction form starts from markup Rasa can read (one of the overlapping spans).
    user = next(t for t in conversations.transcript(engine, "overlap") if t.kind == "user")
    assert user.annotated == "my [kneecap](pain_location) has popped out to the side and is stuck there"
    response = staff.post(
        "/annotate/correct",
        data={
            "csrf_token": csrf_of(page.text),
            "event_id": str(user.event_id),
            "intent": "report_red_flag",
            "annotated": user.annotated,
        },
    )
    assert response.status_code == 302
    assert "Saved" in staff.get(response.headers["Location"]).text


def test_odd_events_are_shown_as_text(staff):
    page = staff.get("/conversations/odd")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(&#39;x&#39;)" in page.text
    assert page.text.count("my knee hurts my knee hurts") > 0  # the huge message is there
    assert "evil\ufffd end" in page.text  # a lone surrogate cannot be sent as UTF-8: replaced
    assert "12345" in page.text  # a number where the text should be
    assert "pain_location</strong> = beyond</li>" in page.text  # offsets past the text: no words


def test_odd_conversations_export_as_csv_and_json(staff):
    range_ = {"first_day": today(), "last_day": today()}
    response = staff.get("/export/conversations.csv", query_string=range_)
    assert response.status_code == 200
    body = response.data.decode("utf-8-sig")
    csv.field_size_limit(len(body))  # the huge message is one cell
    rows = list(csv.DictReader(io.StringIO(body)))
    texts = [row["text"] for row in rows if row["speaker"] == "user"]
    assert KNEECAP in texts and HUGE in texts and HTML in texts
    assert any(text.startswith("ok\ufffd\x1b[2J") for text in texts)
    # Every formula, at the start or after a separator, full-width or after spaces: defused.
    for formula in FORMULAS:
        assert "'" + formula in texts, formula
    # Every cell quoted: a spreadsheet set up for ';' does not split `x;=cmd...` either.
    first_line = body.splitlines()[0]
    assert first_line.startswith('"conversation_id","time"')

    response = staff.get("/export/conversations.json", query_string=range_)
    assert response.status_code == 200
    document = json.loads(response.data)
    overlap = next(c for c in document["conversations"] if c["conversation_id"] == "overlap")
    assert overlap["red_flag"] is True
    assert {e["entity"] for e in overlap["events"][0]["entities"]} == {"red_flag", "pain_location"}


def test_the_formula_guard():
    for cell in (
        "=1+1",
        "+1",
        "-1",
        "@x",
        "|x",
        ";x",
        "\uff0b1",
        "\uff20x",
        "\uff5cx",
        "\uff1bx",
        "\t=1",
        " =1",
        "a,=1",
        "a; +1",
        "a\t@x",
        "a|=1",
        "a\n=1",
    ):
        assert spreadsheet_safe(cell) == "'" + cell, repr(cell)
    for cell in ("knee pain", "pain - worse after 5k", "2026-11-30T10:00:00+00:00", "0.93", ""):
        assert spreadsheet_safe(cell) == cell


def test_content_type_names_its_charset_once(app, staff):
    responses = [
        client_from(app).get("/login"),
        staff.get("/"),
        staff.get("/conversations/odd"),
        staff.get("/summary"),
        staff.get("/conversations/nobody"),
        staff.get("/corrections/nlu.yml"),
    ]
    for fmt in ("csv", "json"):
        responses.append(
            staff.get(f"/export/conversations.{fmt}", query_string={"first_day": today(), "last_day": today()})
        )
    for response in responses:
        assert response.headers["Content-Type"].lower().count("charset") == 1, response.headers["Content-Type"]


def test_the_command_line_shows_escapes_instead_of_running_them(database_url, engine):
    shown = review_cli(database_url, "show", "odd")
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\x9b" not in shown.stdout and "\r" not in shown.stdout
    assert "\u202e" not in shown.stdout and "\x07" not in shown.stdout
    assert "PATIENT: ok\ufffd\\x1b[2J\\x1b]0;owned\\x07\\r\\x9b31m\\u202eevil\ufffd end" in shown.stdout
    listed = review_cli(database_url, "list", "--search", "evil")
    assert listed.returncode == 0 and "\x1b" not in listed.stdout and "odd" in listed.stdout


# --- dates and ranges -----------------------------------------------------------------------


def test_dates_out_of_range_get_a_message_not_an_error(staff):
    for url in ("/?last_day=9999-12-31", "/?first_day=0001-01-01", "/summary?last_day=9999-12-31"):
        page = staff.get(url)
        assert page.status_code == 200, url
        assert "is outside 2000-01-01 to 2999-12-31; it was ignored" in page.text, url
    export = staff.get("/export/conversations.csv?first_day=0001-01-01&last_day=9999-12-31")
    assert export.status_code == 400 and "it was ignored" in export.text


def test_a_summary_of_centuries_shows_at_most_a_year_at_once(engine, staff):
    started = time.monotonic()
    page = staff.get("/summary?first_day=2000-01-01&last_day=2999-12-31")
    assert page.status_code == 200
    assert "at most 366 days at a time: showing 2998-12-31 to 2999-12-31" in page.text
    assert page.text.count("<progress") == summary.MAX_DAYS
    assert time.monotonic() - started < 30  # it held a CPU core for hours before
    with pytest.raises(ValueError):
        summary.build(engine, clock.utcnow().date() - timedelta(days=400), clock.utcnow().date())
    page = staff.get(f"/summary?first_day={today()}")
    assert page.status_code == 200 and page.text.count("<progress") == summary.DEFAULT_DAYS


# --- login throttling -----------------------------------------------------------------------


@pytest.fixture
def password_checks(monkeypatch):
    """How many passwords were checked (Argon2 runs), thread-safely."""
    counted = {"n": 0}
    lock = threading.Lock()
    real = auth._verify

    def counting(password_hash, password):
        with lock:
            counted["n"] += 1
        return real(password_hash, password)

    monkeypatch.setattr(auth, "_verify", counting)
    return counted


def test_parallel_attempts_never_check_more_passwords_than_the_limit(engine, password_checks):
    auth.create_user(engine, "victim", PASSWORD)
    barrier = threading.Barrier(16)
    answers, lock = [], threading.Lock()

    def attempt():
        barrier.wait()
        try:
            auth.authenticate(engine, "victim", "a wrong guess", "198.51.100.1")
        except auth.LoginError as refused:
            with lock:
                answers.append(str(refused))

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 16
    assert password_checks["n"] == throttle.PER_ACCOUNT_AND_ADDRESS
    assert answers.count(auth.WRONG) == throttle.PER_ACCOUNT_AND_ADDRESS
    assert answers.count(auth.PAUSED) == 16 - throttle.PER_ACCOUNT_AND_ADDRESS
    with pytest.raises(auth.LoginError, match="paused"):  # even the right password, for now
        auth.authenticate(engine, "victim", PASSWORD, "198.51.100.1")


def test_unknown_and_real_usernames_are_answered_alike(app, engine, password_checks):
    auth.create_user(engine, "lena", PASSWORD)
    seen = {}
    for name in ("lena", "no-such-person"):
        client = client_from(app)
        before = password_checks["n"]
        answers = [log_in(client, name, "wrong password") for _ in range(7)]
        seen[name] = (
            [(a.status_code, a.text.count("Wrong username or password"), a.text.count("paused")) for a in answers],
            password_checks["n"] - before,
        )
    # Same answers, and the same work behind them (an Argon2 check for each of the first
    # five, none while paused): neither what is said nor how long it takes tells them apart.
    assert seen["lena"] == seen["no-such-person"]
    assert seen["lena"][0] == [(401, 1, 0)] * 5 + [(429, 0, 1)] * 2 and seen["lena"][1] == 5


def test_a_stranger_cannot_lock_an_admin_out_and_pauses_are_short(app, engine, monkeypatch):
    offset = {"t": timedelta(0)}
    real_now = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real_now() + offset["t"])
    stranger = client_from(app, "203.0.113.66")
    for _ in range(throttle.PER_ACCOUNT_AND_ADDRESS):
        assert log_in(stranger, "ada", "guess").status_code == 401
    assert log_in(stranger, "ada", "guess").status_code == 429
    # The admin, at her own desk, is not locked out.
    assert log_in(client_from(app, "198.51.100.200"), "ada").status_code == 302
    # The stranger's pause is a minute, then grows: 2 minutes after the next five.
    offset["t"] = timedelta(seconds=61)
    for _ in range(throttle.PER_ACCOUNT_AND_ADDRESS):
        assert log_in(stranger, "ada", "guess").status_code == 401
    offset["t"] = timedelta(seconds=61 + 61)
    assert log_in(stranger, "ada", PASSWORD).status_code == 429
    offset["t"] = timedelta(seconds=61 + 121)
    assert log_in(stranger, "ada", PASSWORD).status_code == 302
    pauses = [e["detail"] for e in audit.recent(engine, 50, action="login_paused") if "203.0.113.66" in e["detail"]]
    assert [p.rsplit("paused ", 1)[1] for p in pauses] == ["2 min", "1 min"]


def test_one_address_cannot_try_every_username_and_the_audit_log_stays_bounded(app, engine):
    sprayer = client_from(app, "203.0.113.99")
    names = [f"name{n}" for n in range(throttle.PER_ADDRESS // throttle.PER_ACCOUNT_AND_ADDRESS)]
    for name in names:
        for _ in range(throttle.PER_ACCOUNT_AND_ADDRESS):
            assert log_in(sprayer, name, "guess").status_code == 401
    assert log_in(sprayer, "someone-else", "guess").status_code == 429
    assert log_in(client_from(app), "nora").status_code == 302  # others are not affected

    def failures_logged():
        return sum("203.0.113.99" in e["detail"] for e in audit.recent(engine, 10_000, action="login_failed"))

    assert failures_logged() == throttle.PER_ADDRESS
    for _ in range(50):
        log_in(sprayer, "nora", "guess")
    assert failures_logged() == throttle.PER_ADDRESS  # refusals while paused are not logged
    with engine.connect() as db:
        rows = db.execute(sa.text("SELECT count(*) FROM review_login_throttle")).scalar()
    assert rows < 100


def test_a_password_reset_ends_the_pause(app, engine):
    auth.create_user(engine, "olaf", PASSWORD)
    client = client_from(app)
    for _ in range(throttle.PER_ACCOUNT_AND_ADDRESS + 1):
        log_in(client, "olaf", "guess")
    assert log_in(client, "olaf").status_code == 429
    auth.set_password(engine, "olaf", "another fine password")
    assert log_in(client, "olaf", "another fine password").status_code == 302


# --- after login, only pages of this site ---------------------------------------------------

OUTSIDE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "https:evil.example",
    "/\x00/evil.example",
    "/\\/evil.example",
    "http:/\\evil.example",
    "//[evil",
]


def test_next_never_leaves_the_site(app, database_url):
    from review.views import _safe_next

    if database_url.startswith("postgresql"):
        pytest.skip("the same on every database")
    # In the browser: /login?next=/%09/evil.example, then the form posts it back.
    client = client_from(app)
    page = client.get("/login?next=/%09/evil.example")
    response = client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": "nora", "password": PASSWORD, "next": "/\t/evil.example"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = log_in(client_from(app), next_page="/\n/evil.example")  # was a 500
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with app.test_request_context():
        for target in OUTSIDE:
            assert _safe_next(target) == "/", repr(target)
        assert _safe_next("/conversations/odd?x=1#event-2") == "/conversations/odd?x=1#event-2"
        assert _safe_next("/sum\tmary") == "/summary"
