"""Staff use the review app in a real browser (Debian's Chromium, headless), against the
app `scripts/run.py` started on a database the assistant wrote: log in, filter to
low-confidence conversations, open one, correct an intent, download the training data.
A page without a login, and a forged form, are refused."""

import pytest
import sqlalchemy as sa

from review import annotations
from review.tables import tags
from tests.support.browser import browser, tab  # noqa: F401 (fixtures)
from tests.support.review import STAFF

pytestmark = pytest.mark.browser


def model_confidence(event) -> float:
    parse = event["parse_data"]
    if parse["intent"]["name"] == "nlu_fallback" and len(parse["intent_ranking"]) > 1:
        return parse["intent_ranking"][1]["confidence"]
    return parse["intent"]["confidence"]


def log_in(page, base: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url  # every page needs a login
    page.fill("input[name=username]", STAFF[0])
    page.fill("input[name=password]", STAFF[1])
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Conversations')")


def test_staff_correct_a_low_confidence_message_and_download_training_data(review_seeded, tab, tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    base, page = review_seeded.servers.review_url, tab.page
    lowest = {
        name: min(model_confidence(e) for e in review_seeded.tracker_events(sender) if e["event"] == "user")
        for name, sender in review_seeded.senders.items()
        if any(e["event"] == "user" for e in review_seeded.tracker_events(sender))
    }
    threshold = round(min(lowest["gibberish"] + 0.01, 1.0), 2)
    expected = {review_seeded.senders[n] for n, c in lowest.items() if c < threshold}

    log_in(page, base)
    page.check("input[name=low_confidence]")
    page.fill("input[name=threshold]", str(threshold))
    page.click("button:has-text('Apply filters')")
    page.wait_for_selector("table.conversations")
    links = page.locator("table.conversations td.preview a")
    listed = {
        href.split("/conversations/")[1] for href in (links.nth(i).get_attribute("href") for i in range(links.count()))
    }
    assert listed == expected
    tab.screenshot("review-low-confidence")

    gibberish = review_seeded.senders["gibberish"]
    page.click(f"td.preview a[href='/conversations/{gibberish}']")
    page.wait_for_selector("article.turn.user")
    first = page.locator("article.turn.user").first
    assert "blorp zzkt quaffle vrang" in first.locator("p.text").inner_text()
    first.locator("summary:has-text('Correct intent')").click()
    first.locator("select[name=intent]").select_option("out_of_scope")
    first.locator("button:has-text('Save correction')").click()
    page.wait_for_selector("p.flash:has-text('Saved: this message is “out_of_scope”')")
    tab.screenshot("review-transcript-corrected")

    page.click("nav >> text=Corrections")
    with page.expect_download() as download_info:
        page.click("text=Download NLU training data (YAML)")
    path = tmp_path / "corrections.yml"
    download_info.value.save_as(path)
    training = RasaYAMLReader().read(path)
    corrected = {m.get("text"): m.get("intent") for m in training.intent_examples}
    assert corrected["blorp zzkt quaffle vrang"] == "out_of_scope"
    assert not tab.page_errors and not tab.outside_requests


def test_no_login_and_forged_forms_are_refused(review_seeded, tab):
    base, page = review_seeded.servers.review_url, tab.page
    sender = review_seeded.senders["causes"]

    # Without a login: an export link and a transcript lead to the login page, no data.
    for path in (
        "/export/conversations.csv?first_day=2026-01-01&last_day=2030-12-31",
        f"/conversations/{sender}",
        "/corrections/nlu.yml",
    ):
        page.goto(f"{base}{path}")
        assert "/login" in page.url and page.locator("h1").inner_text() == "Staff log in"

    log_in(page, base)
    engine = review_seeded.engine()

    def tagged(tag):
        with engine.connect() as db:
            return (
                db.execute(sa.select(tags.c.tag).where(tags.c.conversation_id == sender, tags.c.tag == tag)).first()
                is not None
            )

    # A page on another port of this machine (same site, so the browser sends the
    # staff member's cookie along) submits a form to the app: no token, refused.
    evil = f"http://127.0.0.1:{review_seeded.servers.port + 1}/prize"
    page.route(
        evil,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f"""
        <form method="post" action="{base}/annotate/tag">
          <input name="conversation_id" value="{sender}"><input name="tag" value="forged">
          <button>Win</button></form>""",
        ),
    )
    page.goto(evil)
    page.click("text=Win")
    page.wait_for_load_state()
    assert "not sent from this site" in page.content()
    assert not tagged("forged")

    # The app's own form with its token tampered with: refused too.
    page.goto(f"{base}/conversations/{sender}")
    page.eval_on_selector("form[action='/annotate/tag'] input[name=csrf_token]", "input => input.value = 'tampered'")
    page.fill("input[name=tag]", "tampered")
    page.click("button:has-text('Add tag')")
    assert "not sent from this site" in page.content()
    assert not tagged("tampered")

    # And the real form works, so the refusals above are about the token.
    page.goto(f"{base}/conversations/{sender}")
    page.fill("input[name=tag]", "genuine")
    page.click("button:has-text('Add tag')")
    page.wait_for_selector("p.flash:has-text('Tagged “genuine”')")
    assert tagged("genuine")
    annotations.remove_tag(engine, sender, "genuine")
    engine.dispose()
