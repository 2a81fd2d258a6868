"""The review app's doors: login on every page and export, CSRF tokens on every form,
Argon2 password hashes, lockout, expiring sessions, security headers, clear answers to
bad input. Flask's test client on a throwaway SQLite database: no assistant needed."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from review import audit, auth, clock, throttle
from review.tables import connect, sessions, tags
from review.web import SECURITY_HEADERS, create_app
from tests.support.review import csrf_of, review_cli

PASSWORD = "a perfectly fine password"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('review-web') / 'review.db'}"


@pytest.fixture(scope="module")
def engine(database_url):
    engine = connect(database_url)
    auth.create_user(engine, "nora", PASSWORD)
    auth.create_user(engine, "ada", PASSWORD, is_admin=True)
    yield engine
    engine.dispose()


@pytest.fixture
def app(engine):
    return create_app(engine, key="test-secret")


def log_in(client, username="nora", password=PASSWORD, next_page=""):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password, "next": next_page}
    )


@pytest.fixture
def staff(app):
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


def test_every_page_and_export_needs_a_login(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("views.login", "views.healthz", "static"):
            continue
        # "1" fits every route argument, also the ones converted to int.
        url = rule.build({name: "1" for name in rule.arguments}, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/login?next="), (method, url)
            checked += 1
    assert checked >= 15
    # The redirect carries no data, and the CSV export really is behind it.
    response = client.get("/export/conversations.csv?first_day=2026-01-01&last_day=2026-12-31")
    assert response.status_code == 302 and b"conversation_id" not in response.data


def test_forms_without_the_right_csrf_token_are_refused(app, engine, staff):
    page = staff.get("/")
    assert page.status_code == 200
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
        response = staff.post("/annotate/tag", data={"conversation_id": "c1", "tag": "x", **data})
        assert response.status_code == 400
        assert "not sent from this site" in response.text
    # A real token from someone else's session does not work either.
    other = app.test_client()
    log_in(other, "ada")
    response = staff.post(
        "/annotate/tag", data={"conversation_id": "c1", "tag": "x", "csrf_token": csrf_of(other.get("/").text)}
    )
    assert response.status_code == 400
    with engine.connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(tags)).scalar() == 0
    # Logging out is a form too.
    assert staff.post("/logout").status_code == 400
    assert staff.get("/").status_code == 200


def test_login_form_needs_its_token(app):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "nora", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(engine):
    user = auth.find_user(engine, "nora")
    assert user["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in user["password_hash"]
    with pytest.raises(auth.AccountError):
        auth.create_user(engine, "short", "2short")
    with pytest.raises(auth.AccountError):
        auth.create_user(engine, "nora", PASSWORD)  # taken


def test_wrong_passwords_are_refused_alike_and_pause_logins(app, engine):
    auth.create_user(engine, "lars", PASSWORD)
    client = app.test_client()
    unknown = log_in(client, "nobody", PASSWORD)
    wrong = log_in(client, "lars", "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong username or password." in unknown.text and "Wrong username or password." in wrong.text
    assert client.get("/").status_code == 302
    for _ in range(throttle.PER_ACCOUNT_AND_ADDRESS - 1):
        log_in(client, "lars", "still wrong")
    paused = log_in(client, "lars", PASSWORD)
    assert paused.status_code == 429 and "paused" in paused.text
    assert [e["action"] for e in audit.recent(engine, 3, username="lars")] == [
        "login_paused",
        "login_failed",
        "login_failed",
    ]
    auth.set_password(engine, "lars", "a brand new password")
    assert log_in(client, "lars", "a brand new password").status_code == 302


def test_sessions_expire_and_logging_out_ends_them(app, engine):
    client = app.test_client()
    log_in(client)
    assert client.get("/").status_code == 200

    def age_sessions(**values):
        with engine.begin() as db:
            db.execute(sessions.update().values(**values))

    age_sessions(last_seen=clock.utcnow() - auth.idle_timeout() - timedelta(minutes=1))
    response = client.get("/summary")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert "session has ended" in client.get(response.headers["Location"]).text

    log_in(client)
    # Busy all along, but logged in for longer than a working day.
    age_sessions(created_at=clock.utcnow() - auth.max_session() - timedelta(minutes=1))
    assert client.get("/").status_code == 302

    log_in(client)
    cookie = client.get_cookie("review_session").value
    live_sessions = sa.select(sa.func.count()).select_from(sessions)
    with engine.connect() as db:
        before = db.execute(live_sessions).scalar()
    assert client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)}).status_code == 302
    with engine.connect() as db:
        assert db.execute(live_sessions).scalar() == before - 1
    client.set_cookie("review_session", cookie)  # someone kept a copy of the old cookie
    assert client.get("/").status_code == 302


def test_security_headers_and_cookie_flags(app, staff):
    for response in (app.test_client().get("/login"), staff.get("/"), staff.get("/summary")):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
    cookie = log_in(app.test_client()).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_only_goes_back_to_pages_of_this_app(app):
    assert log_in(app.test_client(), next_page="/summary").headers["Location"] == "/summary"
    for outside in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert log_in(app.test_client(), next_page=outside).headers["Location"] == "/"


def test_admin_pages_are_for_admins(app, staff):
    assert staff.get("/audit").status_code == 403
    admin = app.test_client()
    log_in(admin, "ada")
    page = admin.get("/audit")
    assert page.status_code == 200 and "login" in page.text


def test_bad_input_gets_a_clear_answer(staff):
    page = staff.get("/?first_day=22/11/2026&threshold=7&page=abc&reviewed=maybe")
    assert page.status_code == 200
    assert "is not a date like" in page.text and "between 0 and 1" in page.text
    swapped = staff.get("/?first_day=2026-11-22&last_day=2026-11-01")
    assert "were swapped" in swapped.text
    missing = staff.get("/conversations/no-such-conversation")
    assert missing.status_code == 404 and "no conversation with this id" in missing.text
    assert staff.get("/export/conversations.xml").status_code == 404
    no_range = staff.get("/export/conversations.json")
    assert no_range.status_code == 400 and "first and last day" in no_range.text
    token = csrf_of(staff.get("/").text)
    assert (
        staff.post("/annotate/correct", data={"csrf_token": token, "event_id": "abc", "intent": "greet"}).status_code
        == 404
    )
    assert (
        staff.post("/requests/status", data={"csrf_token": token, "request_id": "1", "status": "lost"}).status_code
        == 400
    )
    assert (
        staff.post(
            "/requests/status", data={"csrf_token": token, "request_id": "999", "status": "contacted"}
        ).status_code
        == 404
    )


def test_accounts_are_made_with_a_command(database_url, engine):
    made = review_cli(database_url, "create-user", "Mia", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.returncode == 0 and "Created staff account mia" in made.stdout
    again = review_cli(database_url, "create-user", "mia", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 2 and "already an account" in again.stderr
    short = review_cli(database_url, "create-user", "tom", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert auth.authenticate(engine, "mia", PASSWORD)["username"] == "mia"
    assert any(e["action"] == "create_user" and e["detail"] == "mia" for e in audit.recent(engine))


def test_corrections_export_before_any_correction_is_an_empty_training_file(staff):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    response = staff.get("/corrections/nlu.yml")
    assert response.status_code == 200
    assert 'attachment; filename="review_corrections_' in response.headers["Content-Disposition"]
    assert RasaYAMLReader().reads(response.text).intent_examples == []
