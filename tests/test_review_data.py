"""Staff review over a database the real assistant wrote (SQLite and PostgreSQL): the
filters, the transcript details, corrections exported as Rasa training data, the CSV and
JSON export, the summary, the CLI, retention and per-patient deletion.

The expected answers come from Rasa's own tracker API (and clinic.bookings), never from
the review code under test."""

import csv
import io
import json
from datetime import date, timedelta

import pytest
import requests

from clinic import bookings
from review import annotations, audit, clock, conversations, privacy, summary
from review.annotations import AnnotationError
from review.filters import Filters
from tests.support.review import ADMIN, TOKEN, csrf_of, login, post_form

# --- what Rasa recorded, read through its HTTP API --------------------------------------


def model_confidence(event) -> float:
    """How sure the model was: for nlu_fallback, its own best guess (second in the ranking)."""
    parse = event["parse_data"]
    if parse["intent"]["name"] == "nlu_fallback" and len(parse["intent_ranking"]) > 1:
        return parse["intent_ranking"][1]["confidence"]
    return parse["intent"]["confidence"]


def facts(events):
    users = [e for e in events if e["event"] == "user"]
    actions = {e["name"] for e in events if e["event"] == "action"}
    intents = {e["parse_data"]["intent"]["name"] for e in users}
    return {
        "exists": bool(users),
        "min_confidence": min((model_confidence(e) for e in users), default=None),
        "fallback": "nlu_fallback" in intents or "action_handle_fallback" in actions,
        "red_flag": "report_red_flag" in intents or "action_red_flag" in actions,
        "human": "request_human" in intents or "action_request_human" in actions,
        "intents": intents,
    }


def said(seeded, sender):
    """What the patient said, as far as Rasa knows. (Asking Rasa about a conversation it
    has forgotten starts a new, empty one: no patient messages.)"""
    return [e["text"] for e in seeded.tracker_events(sender) if e["event"] == "user"]


@pytest.fixture
def truth(review_seeded):
    """Script name -> facts, for the conversations Rasa still has."""
    found = {name: facts(review_seeded.tracker_events(sender)) for name, sender in review_seeded.senders.items()}
    return {name: fact for name, fact in found.items() if fact["exists"]}


def model_has_booking_form(seeded) -> bool:
    """Once the model knows the booking form, the seeded bookings must really be stored."""
    domain = requests.get(
        f"{seeded.servers.url}/domain", params={"token": TOKEN}, headers={"Accept": "application/json"}, timeout=30
    ).json()
    return "booking_form" in (domain.get("forms") or {})


@pytest.fixture
def engine(review_seeded):
    engine = review_seeded.engine()
    yield engine
    engine.dispose()


def found(engine, seeded, **filters):
    ids = {row.conversation_id for row in conversations.find_all(engine, Filters(**filters))}
    by_sender = {sender: name for name, sender in seeded.senders.items()}
    assert ids <= set(by_sender), "the list shows conversations nobody had"
    return {by_sender[cid] for cid in ids}


# --- the list and its filters ---------------------------------------------------------------


def test_every_conversation_is_listed_newest_first_and_paged(engine, review_seeded, truth):
    assert found(engine, review_seeded) == set(truth)

    pages = [conversations.find(engine, Filters(), page=n, size=3) for n in (1, 2, 3, 4)]
    assert pages[0].total == len(truth) and pages[0].pages == -(-len(truth) // 3)
    listed = [row for page in pages for row in page.rows][: len(truth)]
    assert len({row.conversation_id for row in listed}) == len(truth)
    assert [row.last_active for row in listed] == sorted((r.last_active for r in listed), reverse=True)
    first = next(row for row in listed if row.conversation_id == review_seeded.senders["causes"])
    assert first.first_message == "hi" and first.user_messages == 3 and first.channel == "rest"


def test_flag_filters_match_what_rasa_recorded(engine, review_seeded, truth):
    for flag in ("fallback", "red_flag", "human"):
        expected = {name for name, fact in truth.items() if fact[flag]}
        assert found(engine, review_seeded, **{flag: True}) == expected, flag
    # The seeded messages are chosen so that the red-flag and person flags really happen.
    # Gibberish may reach the fallback or be answered as out of scope, depending on the model
    # (a request to rephrase, or what the assistant can help with); never as anything else.
    gibberish = truth["gibberish"]["intents"]
    assert gibberish <= {"nlu_fallback", "out_of_scope"}, f"gibberish understood as {gibberish}"
    assert "red_flag" in {n for n, f in truth.items() if f["red_flag"]}, (
        "a message about a locking knee that gives way raised no red flag"
    )
    assert "human" in {n for n, f in truth.items() if f["human"]}


def test_low_confidence_filter_follows_the_threshold(engine, review_seeded, truth):
    confidences = sorted(fact["min_confidence"] for fact in truth.values())
    # Thresholds between the recorded confidences, so each one splits the list.
    for low, high in zip(confidences, confidences[1:]):
        if high - low < 1e-6:
            continue
        threshold = (low + high) / 2
        expected = {n for n, f in truth.items() if f["min_confidence"] < threshold}
        assert found(engine, review_seeded, low_confidence=True, threshold=threshold) == expected
    assert confidences[0] < 0.6, "no seeded message had a low confidence"


def test_intent_channel_and_date_filters(engine, review_seeded, truth):
    for intent in truth["causes"]["intents"] | truth["symptoms"]["intents"]:
        expected = {n for n, f in truth.items() if intent in f["intents"]}
        assert found(engine, review_seeded, intent=intent) == expected, intent
    assert found(engine, review_seeded, channel="rest") == set(truth)
    assert conversations.channels(engine) == ["rest"]
    assert found(engine, review_seeded, channel="telegram") == set()
    today = clock.local(clock.utcnow()).date()
    assert found(engine, review_seeded, first_day=today, last_day=today) == set(truth)
    assert (
        found(engine, review_seeded, first_day=today - timedelta(days=3), last_day=today - timedelta(days=1)) == set()
    )
    assert found(engine, review_seeded, first_day=today + timedelta(days=1)) == set()


def test_search_finds_what_the_patient_wrote(engine, review_seeded, truth):
    assert found(engine, review_seeded, search="zebedee") == {"search"}
    assert found(engine, review_seeded, search="ZEBEDEE quartermain") == {"search"}
    assert found(engine, review_seeded, search='"knee clicks"') == {"search"}
    assert found(engine, review_seeded, search="zebedee wibble") == set()  # all words must match
    assert found(engine, review_seeded, search="100%_") == set()  # wildcards are literal
    # The assistant's disclaimer is in every conversation; search looks at patients' words.
    assert found(engine, review_seeded, search="diagnosis") == set()


def test_reviewed_and_tag_filters(engine, review_seeded, truth):
    sender = review_seeded.senders["causes"]
    annotations.set_reviewed(engine, sender, "staff")
    annotations.add_tag(engine, sender, "Needs Data", "staff")
    try:
        assert found(engine, review_seeded, reviewed=True) == {"causes"}
        assert found(engine, review_seeded, reviewed=False) == set(truth) - {"causes"}
        assert found(engine, review_seeded, tag="needs-data") == {"causes"}
        assert "needs-data" in annotations.all_tags(engine)
        with pytest.raises(AnnotationError):
            annotations.add_tag(engine, sender, "not a <tag>!", "staff")
    finally:
        annotations.set_reviewed(engine, sender, "staff", done=False)
        annotations.remove_tag(engine, sender, "needs-data")


def test_booking_filter_matches_the_stored_requests(engine, review_seeded, truth):
    booked = {r.conversation_id for r in bookings.list_requests(kind="booking", engine=engine)}
    by_sender = {sender: name for name, sender in review_seeded.senders.items()}
    assert found(engine, review_seeded, booking=True) == {by_sender[c] for c in booked}
    if "erase" in truth and model_has_booking_form(review_seeded):
        assert "erase" in found(engine, review_seeded, booking=True), (
            "the seeded booking conversation stored no booking request"
        )


# --- the transcript ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["causes", "symptoms", "search"])
def test_transcript_shows_what_rasa_recorded(engine, review_seeded, name):
    sender = review_seeded.senders[name]
    events = review_seeded.tracker_events(sender)
    turns = conversations.transcript(engine, sender)

    users = [e for e in events if e["event"] == "user"]
    shown = [t for t in turns if t.kind == "user"]
    assert [t.text for t in shown] == [e["text"] for e in users]
    for turn, event in zip(shown, users):
        parse = event["parse_data"]
        assert turn.intent == parse["intent"]["name"]
        assert turn.confidence == pytest.approx(model_confidence(event))
        expected_runner_ups = [r["name"] for r in parse["intent_ranking"] if r["name"] != turn.intent][:3]
        assert [r["name"] for r in turn.runner_ups] == expected_runner_ups
        assert [(e["entity"], e["value"]) for e in turn.entities] == [
            (e["entity"], e["value"]) for e in parse["entities"]
        ]
        assert turn.channel == "rest"
    assert [t.text for t in turns if t.kind == "bot"] == [e["text"] for e in events if e["event"] == "bot"]
    assert [t.name for t in turns if t.kind == "action"] == [
        e["name"] for e in events if e["event"] == "action" and e["name"] != "action_listen"
    ]
    # Every reply the patient got over the REST channel is in the transcript. (Rasa's REST
    # channel sends each paragraph of a bot message as a reply of its own.)
    bot_texts = [t.text for t in turns if t.kind == "bot"]
    for replies in review_seeded.replies[name]:
        for reply in replies:
            assert any(reply.get("text") in text for text in bot_texts), reply.get("text")


def test_transcript_page_shows_the_details_as_text(review_seeded):
    session = login(review_seeded.servers.review_url)
    sender = review_seeded.senders["search"]
    page = session.get(f"{review_seeded.servers.review_url}/conversations/{sender}", timeout=30)
    assert page.status_code == 200
    event = [e for e in review_seeded.tracker_events(sender) if e["event"] == "user"][1]
    # Patients' words are shown as text, never run as markup.
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert event["parse_data"]["intent"]["name"] in page.text
    assert f"{model_confidence(event):.2f}" in page.text
    runner_up = [
        r for r in event["parse_data"]["intent_ranking"] if r["name"] != event["parse_data"]["intent"]["name"]
    ][0]
    assert runner_up["name"] in page.text

    symptoms = review_seeded.senders["symptoms"]
    page = session.get(f"{review_seeded.servers.review_url}/conversations/{symptoms}", timeout=30)
    entities = [
        e
        for ev in review_seeded.tracker_events(symptoms)
        if ev["event"] == "user"
        for e in ev["parse_data"]["entities"]
    ]
    assert ("pain_location", "outside") in {(e["entity"], e["value"]) for e in entities}
    assert "pain_location</strong> = outside" in page.text


def test_a_red_flag_with_overlapping_entities_is_opened_and_exported(review_seeded):
    sender = review_seeded.senders["kneecap"]
    event = next(e for e in review_seeded.tracker_events(sender) if e["event"] == "user")
    entities = event["parse_data"]["entities"]
    assert "red_flag" in {e["entity"] for e in entities}
    starts = [e["start"] for e in entities]
    assert len(starts) > len(set(starts)), f"no two entities start together any more: {entities}"

    session = login(review_seeded.servers.review_url)
    base = review_seeded.servers.review_url
    page = session.get(f"{base}/conversations/{sender}", timeout=30)
    assert page.status_code == 200
    for entity in entities:
        assert f"{entity['entity']}</strong> = {entity['value']}" in page.text
    today = clock.local(clock.utcnow()).date().isoformat()
    exported = session.get(
        f"{base}/export/conversations.json", params={"first_day": today, "last_day": today}, timeout=60
    )
    assert exported.status_code == 200
    conversation = next(c for c in exported.json()["conversations"] if c["conversation_id"] == sender)
    assert conversation["red_flag"] is True
    shown = next(e for e in conversation["events"] if e["type"] == "user")
    assert [(e["entity"], e["start"]) for e in shown["entities"]] == [(e["entity"], e["start"]) for e in entities]
    exported = session.get(
        f"{base}/export/conversations.csv", params={"first_day": today, "last_day": today}, timeout=60
    )
    assert exported.status_code == 200 and event["text"] in exported.content.decode("utf-8-sig")


def test_parallel_logins_never_check_more_passwords_than_the_limit(engine, review_seeded):
    from concurrent.futures import ThreadPoolExecutor

    from review import auth, throttle

    auth.create_user(engine, "parallel", "the right long password")
    base = review_seeded.servers.review_url

    def attempt(_):
        session = requests.Session()
        page = session.get(f"{base}/login", timeout=30)
        token = csrf_of(page.text)
        return session.post(
            f"{base}/login",
            timeout=60,
            allow_redirects=False,
            data={"csrf_token": token, "username": "parallel", "password": "a wrong guess"},
        )

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(attempt, range(16)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [401] * throttle.PER_ACCOUNT_AND_ADDRESS + [429] * (16 - throttle.PER_ACCOUNT_AND_ADDRESS)
    failed = [e for e in audit.recent(engine, 100, username="parallel") if e["action"] == "login_failed"]
    assert len(failed) == throttle.PER_ACCOUNT_AND_ADDRESS


# --- corrections -> Rasa NLU training data -------------------------------------------------


def test_corrections_export_is_valid_rasa_training_data(engine, review_seeded, tmp_path):
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    session = login(review_seeded.servers.review_url)
    base = review_seeded.servers.review_url
    sender = review_seeded.senders["symptoms"]
    event_id = next(t.event_id for t in conversations.transcript(engine, sender) if t.kind == "user")
    text = "I get pain on the outside of my knee after long runs"
    annotated = (
        'I get pain on the [outside](pain_location) of my [knee]{"entity": '
        '"condition", "value": "itbs"} after long runs'
    )
    page = f"/conversations/{sender}"

    # Refused, and nothing stored: changed words, an unknown entity, an unknown intent.
    for intent, markup in (
        ("describe_symptoms", "I get pain on my knee"),
        ("describe_symptoms", "[I](no_such_entity) get pain on the outside of my knee after long runs"),
        ("no_such_intent", text),
    ):
        response = post_form(
            session, base, page, "/annotate/correct", {"event_id": str(event_id), "intent": intent, "annotated": markup}
        )
        assert response.status_code == 302
        assert "Correction not saved" in session.get(base + response.headers["Location"]).text
    assert event_id not in annotations.corrections_for(engine, sender)

    response = post_form(
        session,
        base,
        page,
        "/annotate/correct",
        {"event_id": str(event_id), "intent": "describe_symptoms", "annotated": annotated},
    )
    assert response.status_code == 302
    stored = annotations.corrections_for(engine, sender)[event_id]
    assert stored["intent"] == "describe_symptoms" and stored["corrected_by"] == "staff"

    download = session.get(f"{base}/corrections/nlu.yml", timeout=30)
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    training = RasaYAMLReader().reads(download.text)
    example = next(m for m in training.intent_examples if m.get("text") == text)
    assert example.get("intent") == "describe_symptoms"
    assert {(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in example.get("entities")} == {
        ("pain_location", "outside", "outside"),
        ("condition", "itbs", "knee"),
    }

    # It is training data the project itself accepts next to data/nlu (domain checked).
    path = tmp_path / "corrections.yml"
    path.write_text(download.text)
    importer = TrainingDataImporter.load_from_dict(domain_path="domain", training_data_paths=[str(path)])
    nlu = importer.get_nlu_data()
    assert text in {m.get("text") for m in nlu.intent_examples}
    assert "describe_symptoms" in importer.get_domain().intents
    assert any(e["action"] == "export_nlu" for e in audit.recent(engine, 20))


# --- exports and summary ----------------------------------------------------------------


def test_csv_and_json_export_for_a_date_range(engine, review_seeded, truth):
    session = login(review_seeded.servers.review_url)
    base = review_seeded.servers.review_url
    today = clock.local(clock.utcnow()).date().isoformat()
    expected_texts = {
        e["text"]
        for name in truth
        for e in review_seeded.tracker_events(review_seeded.senders[name])
        if e["event"] == "user"
    }

    response = session.get(
        f"{base}/export/conversations.csv", params={"first_day": today, "last_day": today}, timeout=60
    )
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # Excel then reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    patient = [row for row in rows if row["speaker"] == "user"]
    texts = {row["text"].removeprefix("'") for row in patient}
    assert texts == expected_texts
    # A cell that a spreadsheet would run as a formula is defused.
    assert any(row["text"].startswith("'@home") for row in patient)
    assert all(float(row["confidence"]) >= 0 for row in patient)

    response = session.get(
        f"{base}/export/conversations.json", params={"first_day": today, "last_day": today}, timeout=60
    )
    document = response.json()
    assert {c["conversation_id"] for c in document["conversations"]} == {review_seeded.senders[name] for name in truth}
    red = next(c for c in document["conversations"] if c["conversation_id"] == review_seeded.senders["red_flag"])
    assert red["red_flag"] is True
    assert any(e["type"] == "user" and e["intent"] for e in red["events"])

    # Another range: nothing. No range: a clear refusal, not a file.
    yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    response = session.get(
        f"{base}/export/conversations.json", params={"first_day": yesterday, "last_day": yesterday}, timeout=60
    )
    assert response.json()["conversations"] == []
    response = session.get(f"{base}/export/conversations.csv", timeout=60)
    assert response.status_code == 400 and "first and last day" in response.text


def test_summary_counts(engine, review_seeded, truth):
    today = clock.local(clock.utcnow()).date()
    report = summary.build(engine, today - timedelta(days=6), today)
    assert report.conversations == len(truth)
    assert dict(report.per_day)[today] == len(truth) and len(report.per_day) == 7
    assert report.red_flag_conversations == sum(f["red_flag"] for f in truth.values())
    assert report.fallback_conversations == sum(f["fallback"] for f in truth.values())
    user_events = [
        e for name in truth for e in review_seeded.tracker_events(review_seeded.senders[name]) if e["event"] == "user"
    ]
    assert report.user_messages == len(user_events)
    assert report.fallback_messages == sum(e["parse_data"]["intent"]["name"] == "nlu_fallback" for e in user_events)
    stored = bookings.list_requests(engine=engine)
    assert sum(n for statuses in report.bookings.values() for n in statuses.values()) == len(stored)

    session = login(review_seeded.servers.review_url)
    page = session.get(f"{review_seeded.servers.review_url}/summary", timeout=30)
    assert page.status_code == 200 and "Top intents" in page.text


# --- the command line -------------------------------------------------------------------


def test_cli_list_show_and_export(review_seeded, truth):
    listed = review_seeded.cli("list", "--search", "zebedee")
    assert listed.returncode == 0, listed.stderr
    assert review_seeded.senders["search"] in listed.stdout
    assert review_seeded.senders["causes"] not in listed.stdout

    shown = review_seeded.cli("show", review_seeded.senders["causes"])
    assert shown.returncode == 0
    assert "PATIENT: why do my knees hurt after running?" in shown.stdout
    assert "intent " in shown.stdout and "runner-ups" in shown.stdout
    assert review_seeded.cli("show", "nobody-said-this").returncode == 1

    today = clock.local(clock.utcnow()).date().isoformat()
    exported = review_seeded.cli("export", "--from", today, "--to", today, "--format", "json")
    assert exported.returncode == 0
    assert len(json.loads(exported.stdout)["conversations"]) == len(truth)
    bad = review_seeded.cli("export", "--from", "22/11/2026", "--to", today)
    assert bad.returncode != 0 and "not a date" in bad.stderr


# --- privacy: retention and deletion (last: they delete data) ----------------------------


def test_retention_deletes_only_conversations_past_the_period(engine, review_seeded):
    old, recent = review_seeded.senders["old"], review_seeded.senders["recent"]
    old_row = conversations.summary_of(engine, old)
    recent_row = conversations.summary_of(engine, recent)
    assert old_row.last_active < recent_row.started
    annotations.add_note(engine, old, "patient wanted an appointment", "staff")
    requested = bookings.list_requests(conversation_id=old, engine=engine)
    assert requested or not model_has_booking_form(review_seeded)
    # "Now" is 30 days after a moment between the two conversations.
    now = (old_row.last_active + recent_row.started) / 2 + 30 * 86400

    assert privacy.expired_conversations(engine, 30, now=now) == [old]
    result = privacy.apply_retention(engine, 30, "scheduler", now=now)
    assert result.conversations == 1 and result.events > 0
    # A request staff have not answered yet survives until they have.
    assert result.kept_booking_requests == len(requested)
    kept = bookings.list_requests(conversation_id=old, engine=engine)
    assert [r.id for r in kept] == [r.id for r in requested]
    for request in kept:
        bookings.update_status(request.id, "contacted", engine=engine)
    assert privacy.apply_retention(engine, 30, "scheduler", now=now).booking_requests == len(kept)
    assert bookings.list_requests(conversation_id=old, engine=engine) == []

    assert said(review_seeded, old) == []  # Rasa has forgotten it too
    assert conversations.summary_of(engine, old) is None
    assert annotations.marks_for(engine, [old])[old]["notes"] == []
    assert conversations.summary_of(engine, recent) is not None
    assert [e["action"] for e in audit.recent(engine, 5)][:3] == ["retention", "retention", "retention_delete"]
    assert privacy.apply_retention(engine, 30, "scheduler", now=now).conversations == 0

    cli = review_seeded.cli("retention", "--days", "30")
    assert cli.returncode == 0 and "0 conversation(s)" in cli.stdout
    with pytest.raises(ValueError):
        privacy.apply_retention(engine, 0, "scheduler")


def test_an_admin_deletes_a_patients_conversation(engine, review_seeded):
    base = review_seeded.servers.review_url
    sender = review_seeded.senders["erase"]
    annotations.add_tag(engine, sender, "erasure-request", "staff")
    requested = bookings.list_requests(conversation_id=sender, engine=engine)
    page = f"/conversations/{sender}"

    # Staff without admin rights cannot; an admin must confirm.
    staff = login(base)
    refused = post_form(staff, base, page, "/delete", {"conversation_id": sender, "confirm": "DELETE"})
    assert refused.status_code == 403
    admin = login(base, ADMIN)
    unconfirmed = post_form(admin, base, page, "/delete", {"conversation_id": sender, "confirm": "yes"})
    assert unconfirmed.status_code == 302 and said(review_seeded, sender)

    deleted = post_form(admin, base, page, "/delete", {"conversation_id": sender, "confirm": "DELETE"})
    assert deleted.status_code == 302
    assert said(review_seeded, sender) == []
    assert conversations.summary_of(engine, sender) is None
    assert annotations.marks_for(engine, [sender])[sender]["tags"] == []
    assert requested or not model_has_booking_form(review_seeded)
    assert bookings.list_requests(conversation_id=sender, engine=engine) == []
    assert admin.get(f"{base}{page}", timeout=30).status_code == 404
    entry = next(e for e in audit.recent(engine, 20) if e["action"] == "delete_conversation")
    assert entry["username"] == ADMIN[0] and entry["conversation_id"] == sender
    # The assistant goes on working for that sender, from a clean slate.
    assert review_seeded.servers.say(sender, "hi")
    requests.get(f"{base}/healthz", timeout=10).raise_for_status()
