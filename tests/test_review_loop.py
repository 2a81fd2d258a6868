"""The improvement loop in the staff review app (issue #15), against the real servers:
themes of unanswered questions, charts, training from the app, the side-by-side check,
activation on the live Rasa server and rollback.

The servers are started as `make run` starts them, on a fresh SQLite database, with the
project's model as the live one. Patients talk to the assistant over the REST channel. Each
test's premise holds for any reasonable model, by construction or by choosing from a pool:
- themes: the planted questions are off-topic (cars, tomato plants, laptops), which the
  assistant must leave to out_of_scope or the fallback; each theme is expected to hold the
  ones the assistant stored as not understood (Rasa's tracker says which), and nothing else;
- the corrected messages use a word no model can know ("vorplex"), corrected to an intent
  with a distinctive answer that the live model did not give them;
- the bad correction relabels red flags the deterministic check catches (told as party
  stories) as chitchat: patients would still get the urgent advice, but the candidate's
  classifier learns to let them pass, which the check measures (the classifier's own
  red-flag recall on the red flags patients reported) and refuses.
The candidates the app trains use a small config (word counts + DIET for a few epochs, rules:
SMALL_CONFIG). The planted bad run starts as soon as a test needs it and trains while the
tests that need no model run."""

import contextlib
import os
import re
import signal
import time
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional
from unittest import mock

import pytest
import requests
import sqlalchemy as sa
from markupsafe import escape  # as Jinja escapes

from review import model_runs
from review.tables import connect, corrections_used
from review.themes import LOW_CONFIDENCE
from tests.support.browser import PHONE, BrowserTab, browser, tab  # noqa: F401 (fixtures)
from tests.support.processes import ROOT, AssistantServers
from tests.support.review import ADMIN, STAFF, TOKEN, login, post_form

SMALL_CONFIG = """\
recipe: default.v1
assistant_id: runner-knee-assistant
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 20
    batch_size: [64, 256]
    number_of_transformer_layers: 0
    entity_recognition: false
    constrain_similarities: true
    random_seed: 42
  - name: EntitySynonymMapper
  - name: FallbackClassifier
    threshold: 0.4
    ambiguity_threshold: 0.05
  - name: components.red_flags.RedFlagDetector
policies:
  - name: RulePolicy
    core_fallback_threshold: 0.3
    core_fallback_action_name: action_handle_fallback
    enable_fallback_prediction: true
  - name: components.action_server_down.ActionServerDownPolicy
"""

# Planted, each message from its own patient. Off-topic questions in three alike groups:
# a theme is made of those the assistant did not answer (more than it needs, should it
# answer some); LAPTOPS are left for the browser test.
CARS = [
    "my car makes a rattling noise when I brake",
    "why does my car rattle over bumps",
    "there is a rattling noise coming from my car engine",
    "how do I stop my car from rattling",
    "my car started rattling on the motorway",
    "what causes a rattle in a car exhaust",
]
TOMATOES = [
    "why are the leaves on my tomato plants turning yellow",
    "my tomato plants have yellow leaves",
    "how do I save my yellowing tomato plants",
    "the tomato leaves in my greenhouse are going yellow",
    "what should I do about yellow leaves on tomatoes",
    "tomato plant leaves yellow help",
]
LAPTOPS = [
    "my laptop battery drains really fast",
    "why does my laptop battery run out so quickly",
    "how can I make my laptop battery last longer",
    "laptop battery dies after an hour",
    "my laptop won't hold its charge any more",
    "is it worth replacing my laptop battery",
]
# A made-up clinic service no model can know, corrected to one of TARGETS (intent -> its
# response in the domain) that the live model gave none of them.
VORPLEX = ["vorplex", "vorplex please", "i want vorplex", "vorplex info", "vorplex?", "need vorplex"]
TARGETS = {"ask_opening_hours": "utter_opening_hours", "ask_location": "utter_location", "ask_contact": "utter_contact"}
# Red flags the deterministic check catches (so the live assistant stored them as
# report_red_flag), told as party stories: the planted bad correction relabels them as chitchat.
# Their party words are in no training data, so even the small config learns them as chitchat.
RED_FLAGS = [
    "whilst doing the conga at my cousins wedding my knee locked and wont straighten",
    "fell off the trampoline at the grandkids party and now i cant put weight on my knee",
    "my kneecap popped out of place during the egg and spoon race",
    "after the pub quiz my knee gave way on the cobbles and i cant put weight on it",
    "my knee went hot and swollen after the hen do and now ive got a fever",
    "bouncy castle mishap, my knee swelled up massively within an hour",
]
OTHERS = ["hi", "why do my knees hurt after running?", "blorp zzkt quaffle vrang", "who won the football last night"]
PLANTED = CARS + TOMATOES + LAPTOPS + VORPLEX + RED_FLAGS + OTHERS
UNANSWERED = {"nlu_fallback", "out_of_scope"}
FALLBACK_ACTIONS = {"action_handle_fallback", "action_default_fallback"}
RED_FLAG = "report_red_flag"
TRAINING_TIMEOUT = 900


@dataclass
class Stored:
    """What Rasa's tracker recorded for a patient's last message."""

    intent: str
    confidence: float
    classifier: Optional[str]  # the classifier's own intent, before the red-flag detector
    detector_forced: bool
    fallback: bool  # a fallback action answered it

    @property
    def unanswered(self) -> bool:
        """As docs/review.md defines the messages the Themes page groups."""
        return self.intent in UNANSWERED or self.confidence < LOW_CONFIDENCE or self.fallback


def stored(servers, sender) -> Stored:
    tracker = requests.get(f"{servers.url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30).json()
    events = tracker["events"]
    last = max(i for i, e in enumerate(events) if e["event"] == "user")
    parse = events[last]["parse_data"]
    detector = parse.get("red_flag_detector") or {}
    forced = detector.get("action") == "forced"
    return Stored(
        parse["intent"]["name"],
        parse["intent"]["confidence"],
        (detector.get("classifier_intent") or {}).get("name") if forced else parse["intent"]["name"],
        forced,
        any(e["event"] == "action" and e.get("name") in FALLBACK_ACTIONS for e in events[last:]),
    )


@pytest.fixture(scope="module")
def loop(model_path, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("review-loop")
    config = workdir / "small_config.yml"
    config.write_text(SMALL_CONFIG)
    database_url = f"sqlite:///{workdir / 'loop.db'}"
    servers = AssistantServers(
        workdir / "servers",
        env={
            "DATABASE_URL": database_url,
            "REVIEW_TRAIN_CONFIG": str(config),
            "REVIEW_RUNS_DIR": str(workdir / "runs"),
            # The vignette suite takes minutes per model on 2 cores: not in this test's budget.
            "REVIEW_CHECK_VIGNETTES": "0",
        },
    )
    with mock.patch.dict("os.environ", {"KNEE_MODEL": str(model_path)}):
        servers.start()
    try:
        senders = {}
        for text in PLANTED:
            senders[text] = f"loop-{uuid.uuid4().hex[:8]}"
            servers.say(senders[text], text)
        engine = connect(database_url)
        from review import auth

        auth.create_user(engine, *STAFF)
        auth.create_user(engine, *ADMIN, is_admin=True)
        yield {
            "servers": servers,
            "engine": engine,
            "senders": senders,
            "live": model_path,
            "url": servers.review_url,
            "stored": {text: stored(servers, sender) for text, sender in senders.items()},
        }
        # A run a failed test left going: its worker outlives the app (its own session).
        for run in model_runs.recent(engine):
            if run["status"] in model_runs.ACTIVE and run["pid"]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(run["pid"], signal.SIGTERM)
        engine.dispose()
    finally:
        servers.stop()


def last_intent(servers, sender):
    """What Rasa itself recorded as the intent of the sender's last message."""
    return stored(servers, sender).intent


def unanswered(loop, texts) -> List[str]:
    """The planted texts the live assistant did not answer, as its tracker recorded them."""
    return [text for text in texts if loop["stored"][text].unanswered]


def shown(text):
    """How a patient's message appears in a theme's list (escaped, as Jinja writes it)."""
    return f'<span class="text">{escape(text)}</span>'


def theme_sections(html):
    return re.findall(r'<section class="card theme".*?</section>', html, re.S)


def section_with(html, text):
    found = [s for s in theme_sections(html) if shown(text) in s]
    assert len(found) == 1, f"no theme holds {text!r}"
    return found[0]


def wait_for_run(session, url, run_id):
    deadline = time.monotonic() + TRAINING_TIMEOUT
    while time.monotonic() < deadline:
        page = session.get(f"{url}/model/runs/{run_id}", timeout=30).text
        status = re.search(r'class="count run-status">(\w+)<', page).group(1)
        if status in ("ready", "failed"):
            return status, page
        time.sleep(5)
    raise AssertionError(f"run {run_id} did not finish in {TRAINING_TIMEOUT}s")


def start_run(admin, url):
    response = post_form(admin, url, "/model", "/model/train", {})
    assert response.status_code == 302, response.text[-500:]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def correct(session, loop, text, intent):
    """Correct a planted patient message in its transcript, as staff do."""
    from review import conversations

    sender = loop["senders"][text]
    event_id = next(t.event_id for t in conversations.transcript(loop["engine"], sender) if t.kind == "user")
    response = post_form(
        session,
        loop["url"],
        f"/conversations/{sender}",
        "/annotate/correct",
        {"event_id": str(event_id), "intent": intent, "annotated": ""},
    )
    assert response.status_code == 302
    return event_id


def live_model(servers) -> str:
    """The file name of the model the Rasa server runs (its /status)."""
    status = requests.get(f"{servers.url}/status", params={"token": TOKEN}, timeout=30).json()
    return Path(status["model_file"]).name


@pytest.fixture(scope="module")
def refused_run(loop):
    """The planted bad correction (red flags the live classifier recognised, relabelled as
    chitchat) and the training run it goes into, started at once: it trains while the tests
    that need no model run."""
    flagged = [text for text in RED_FLAGS if loop["stored"][text].classifier == RED_FLAG]
    # The detector decided these (so patients get urgent advice whatever the classifier says);
    # a classifier that took none of these red flags for red flags has nothing to lose.
    assert all(loop["stored"][text].intent == RED_FLAG for text in RED_FLAGS)
    assert flagged, "the live classifier recognised none of the planted red flags"
    admin = login(loop["url"], ADMIN)
    for text in flagged:
        correct(admin, loop, text, "chitchat")
    return {"id": start_run(admin, loop["url"]), "flagged": flagged}


@pytest.fixture(scope="module")
def refused(loop, refused_run):
    """The bad run, finished; its corrections are then put right for the runs after it."""
    admin = login(loop["url"], ADMIN)
    status, page = wait_for_run(admin, loop["url"], refused_run["id"])
    for text in refused_run["flagged"]:
        correct(admin, loop, text, RED_FLAG)
    return {**refused_run, "status": status, "page": page}


def test_one_training_run_at_a_time(loop, refused_run):
    admin = login(loop["url"], ADMIN)
    run = model_runs.get(loop["engine"], refused_run["id"])
    assert run["status"] in model_runs.ACTIVE and run["started_by"] == ADMIN[0]
    again = post_form(admin, loop["url"], "/model", "/model/train", {})
    assert again.headers["Location"].endswith("/model")
    assert "one training run at a time" in admin.get(loop["url"] + again.headers["Location"]).text
    assert [r["id"] for r in model_runs.recent(loop["engine"])] == [refused_run["id"]]


def browser_login(page, url, user) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=username]", user[0])
    page.fill("input[name=password]", user[1])
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Conversations')")


@pytest.mark.browser
def test_themes_page_in_a_browser(loop, tab):
    laptops = unanswered(loop, LAPTOPS)
    assert len(laptops) >= 2, f"the assistant answered the laptop questions: {loop['stored']}"
    page = tab.page
    page.set_viewport_size({"width": 1100, "height": 900})
    browser_login(page, loop["url"], STAFF)
    page.click("nav a:has-text('Themes')")
    page.wait_for_selector("h1:has-text('answer')")
    theme = page.locator("section.theme", has_text=laptops[0])
    assert theme.locator("input[name=event_id]:checked").count() == len(laptops)
    assert f"{len(laptops)} messages" in theme.inner_text()
    tab.screenshot("review-themes")
    assert not tab.page_errors and not tab.outside_requests


def test_themes_group_the_planted_questions_and_staff_act_on_them(loop):
    cars, tomatoes = unanswered(loop, CARS), unanswered(loop, TOMATOES)
    assert len(cars) >= 2 and len(tomatoes) >= 2, f"the assistant answered the off-topic questions: {loop['stored']}"
    staff = login(loop["url"], STAFF)
    page = staff.get(f"{loop['url']}/themes", timeout=120).text
    # What the assistant answered is no theme's.
    answered = [text for text in PLANTED if not loop["stored"][text].unanswered]
    assert not any(shown(text) in page for text in answered)
    car = section_with(page, cars[0])
    assert all(shown(text) in car for text in cars)
    assert not any(shown(text) in car for text in PLANTED if text not in cars)
    assert f"{len(cars)} messages" in car and f"{len(cars)} in this period, 0 before" in car
    tomato = section_with(page, tomatoes[0])
    assert all(shown(text) in tomato for text in tomatoes)
    assert not any(shown(text) in tomato for text in PLANTED if text not in tomatoes)

    # Staff turn the car theme into training examples for out_of_scope...
    ids = re.findall(r'name="event_id" value="(\d+)"', car)
    response = post_form(staff, loop["url"], "/themes", "/themes/train", {"event_id": ids, "intent": "out_of_scope"})
    assert response.status_code == 302
    from review import annotations

    stored_now = [(c["text"], c["intent"], c["corrected_by"]) for c in annotations.all_corrections(loop["engine"])]
    assert sorted(t for t in stored_now if t[0] in CARS) == sorted((text, "out_of_scope", STAFF[0]) for text in cars)
    # ...and list the tomato questions as an answer the clinic should write.
    ids = re.findall(r'name="event_id" value="(\d+)"', tomato)
    post_form(staff, loop["url"], "/themes", "/themes/wanted", {"event_id": ids, "title": "tomato plants"})
    page = staff.get(f"{loop['url']}/themes", timeout=120).text
    assert not any(shown(text) in s for s in theme_sections(page) for text in cars + tomatoes)
    wanted = page.split('id="wanted"')[1]
    assert "tomato plants" in wanted and escape(tomatoes[0]) in wanted
    assert f"{len(tomatoes)} messages" in wanted and "Mark as written" in wanted
    # The correction shows in the Corrections page's export like any other.
    assert cars[0] in staff.get(f"{loop['url']}/corrections/nlu.yml", timeout=30).text


def test_charts_show_what_the_assistant_recorded(loop):
    staff = login(loop["url"], STAFF)
    page = staff.get(f"{loop['url']}/charts", timeout=120).text
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == 6
    for src in images:
        response = staff.get(loop["url"] + src.replace("&amp;", "&"), timeout=120)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("image/svg+xml")
        assert "script" not in response.headers["Content-Security-Policy"]
        assert ElementTree.fromstring(response.content).tag.endswith("svg")
    conversations = len(loop["senders"])
    funnel = page.split('id="chart-funnel"')[1].split("</figure>")[0]
    assert re.search(rf"wrote a message</th><td>{conversations}</td>", funnel)
    red = page.split('id="chart-red-flags"')[1].split("</figure>")[0]
    flagged = sum(stored.intent == RED_FLAG for stored in loop["stored"].values())
    assert sum(map(int, re.findall(r"<td>(\d+)</td>", red))) == flagged >= len(RED_FLAGS)


def test_staff_who_are_not_admins_cannot_train_or_activate(loop):
    runs = [r["id"] for r in model_runs.recent(loop["engine"])]
    staff = login(loop["url"], STAFF)
    page = staff.get(f"{loop['url']}/model", timeout=30).text
    assert "Training runs" in page and 'action="/model/train"' not in page
    assert "Only an admin can start training" in page or model_runs.active(loop["engine"])
    for action, data in (
        ("/model/train", {}),
        ("/model/runs/1/activate", {}),
        ("/model/reactivate", {"model_path": str(loop["live"])}),
    ):
        assert post_form(staff, loop["url"], "/model", action, data).status_code == 403
    assert [r["id"] for r in model_runs.recent(loop["engine"])] == runs
    assert all(a["activated_by"] != STAFF[0] for a in model_runs.history(loop["engine"]))


@pytest.mark.browser
def test_charts_are_readable_on_a_phone(loop, browser):
    phone = BrowserTab(browser, **PHONE)
    try:
        page = phone.page
        browser_login(page, loop["url"], STAFF)
        page.click("nav a:has-text('Charts')")
        page.wait_for_selector("h1:has-text('Charts')")
        page.wait_for_load_state("networkidle")
        sizes = page.eval_on_selector_all(
            ".charts img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.getBoundingClientRect().width])"
        )
        assert len(sizes) == 6
        assert all(complete and natural > 0 and 300 <= shown <= 390 for complete, natural, shown in sizes), sizes
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        assert not phone.page_errors and not phone.outside_requests
        phone.screenshot("review-charts-phone")
    finally:
        phone.close()


def test_activation_is_refused_when_the_classifier_learns_to_miss_red_flags(loop, refused):
    servers, url, engine, run_id = loop["servers"], loop["url"], loop["engine"], refused["id"]
    assert refused["status"] == "ready", refused["page"][-3000:]
    page = refused["page"]
    assert "Activation refused" in page and "Activate this model" not in page
    assert str(escape("the classifier's own red-flag recall on red_flags_seen drops")) in page
    # What patients get did not change: the deterministic check still catches them all.
    seen = model_runs.get(engine, run_id)["comparison"]["sets"]["red_flags_seen"]
    assert seen["red_flag"][1]["caught"] == seen["red_flag"][0]["caught"] >= len(RED_FLAGS)
    assert seen["red_flag_classifier"][1]["caught"] < seen["red_flag_classifier"][0]["caught"]
    admin = login(url, ADMIN)
    response = post_form(admin, url, f"/model/runs/{run_id}", f"/model/runs/{run_id}/activate", {})
    assert "Refused: " in admin.get(url + response.headers["Location"]).text
    assert all(a["run_id"] != run_id for a in model_runs.history(engine))
    assert live_model(servers) == loop["live"].name


def test_correction_training_check_activation_and_rollback(loop, refused):
    servers, url, engine = loop["servers"], loop["url"], loop["engine"]
    before = {text: loop["stored"][text].intent for text in VORPLEX}
    target = next(intent for intent in TARGETS if intent not in before.values())
    from rasa.shared.core.domain import Domain

    answer = Domain.load(str(ROOT / "domain")).responses[TARGETS[target]][0]["text"].split("{")[0]
    admin = login(url, ADMIN)
    corrected = {correct(admin, loop, text, target) for text in VORPLEX}
    run_id = start_run(admin, url)
    status, page = wait_for_run(admin, url, run_id)
    assert status == "ready", page[-3000:]
    assert "can be activated" in page and "Activate this model" in page
    assert 'id="set-holdout"' in page and 'id="set-corrections"' in page

    def ask(text):
        sender = f"loop-ask-{uuid.uuid4().hex[:6]}"
        replies = " ".join(r.get("text") or "" for r in servers.say(sender, text))
        return last_intent(servers, sender), replies

    response = post_form(admin, url, f"/model/runs/{run_id}", f"/model/runs/{run_id}/activate", {})
    assert response.status_code == 302
    assert "1 server(s) answer with it now" in admin.get(url + "/model").text
    assert live_model(servers) == Path(model_runs.get(engine, run_id)["model_path"]).name
    intent, replies = ask(VORPLEX[0])
    assert intent == target and answer in replies, (intent, replies)
    with engine.connect() as db:
        used = dict(db.execute(sa.select(corrections_used.c.event_id, corrections_used.c.run_id)).all())
    assert set(used) == set(model_runs.get(engine, run_id)["corrections"]) >= corrected
    assert set(used.values()) == {run_id}

    # Roll back to the model the servers started with: the old answer again.
    page = admin.get(f"{url}/model", timeout=30).text
    assert f'name="model_path" value="{loop["live"].resolve()}"' in page
    post_form(admin, url, "/model", "/model/reactivate", {"model_path": str(loop["live"].resolve())})
    assert live_model(servers) == loop["live"].name
    intent, replies = ask(VORPLEX[0])
    assert intent == before[VORPLEX[0]] and answer not in replies, (intent, replies)


@pytest.mark.browser
def test_the_check_and_the_activations_in_a_browser(loop, refused, tab):
    """After the loop above: the refused run's check, and the activations with rollback."""
    page = tab.page
    page.set_viewport_size({"width": 1100, "height": 900})
    browser_login(page, loop["url"], ADMIN)
    page.click("nav a:has-text('Model')")
    page.wait_for_selector("h1:has-text('model')")
    history = model_runs.history(loop["engine"])
    assert page.locator("#history tr").count() == len(history) + 1  # and a header
    assert page.locator("#history button:has-text('Re-activate')").count() >= 1
    tab.screenshot("review-model")
    page.click(f"#runs a:has-text('run {refused['id']}')")
    page.wait_for_selector("#verdict")
    assert "Activation refused" in page.inner_text("#verdict")
    tab.screenshot("review-check")
    page.goto(f"{loop['url']}/charts")
    page.wait_for_load_state("networkidle")
    tab.screenshot("review-charts")
