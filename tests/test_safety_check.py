"""The red-flag check (issue #12): a triage answer that only the intent classifier calls a red
flag (no red-flag words the deterministic check knows, confidence below CONFIDENT_RED_FLAG)
is taken as the answer AND followed by one explicit yes/no question about the red flag its
words come closest to; a yes raises the level at once. With rasa-sdk's Tracker, no model."""

import pytest

from actions.safety import CONFIDENT_RED_FLAG, ActionRedFlag
from actions.triage import ActionTriageAdvice, ValidateTriageForm, read_check
from clinic.disposition import CHECK_SLOT, CHECK_TOPIC_SLOT, decide
from clinic.safety import suspected_check
from tests.support.domain import merged
from tests.support.sdk import make_tracker, run_action

CLINIC = {"clinic_name": "Riverside Running Physio (example)", "clinic_phone": "+1 555 0100 200"}


def slots_set(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def guessed_red_flag(text, requested, confidence=0.6, slots=None):
    tracker = make_tracker(
        slots={**CLINIC, "requested_slot": requested, **(slots or {})},
        text=text,
        intent="report_red_flag",
        active_loop="triage_form",
    )
    tracker.latest_message["intent"]["confidence"] = confidence
    return run_action(ActionRedFlag(), tracker, merged())


def test_a_guessed_red_flag_on_a_readable_answer_is_the_answer_and_sets_up_one_check():
    messages, events = guessed_red_flag("it's mostly when i walk a lot", "triage_impact")
    assert messages == []  # no alarm yet: the check is asked next
    assert slots_set(events) == {"triage_impact": "daily_life", CHECK_TOPIC_SLOT: "weight", CHECK_SLOT: None}


def test_a_confident_classifier_red_flag_still_alarms_at_once():
    messages, events = guessed_red_flag("it's mostly when i walk a lot", "triage_impact", CONFIDENT_RED_FLAG)
    assert messages and "today" in messages[0]["text"]
    assert CHECK_TOPIC_SLOT not in slots_set(events)


def test_the_same_check_is_not_asked_twice_in_a_triage():
    slots = {CHECK_TOPIC_SLOT: "weight", CHECK_SLOT: "no"}
    messages, events = guessed_red_flag("about the same when i walk", "triage_impact", slots=slots)
    assert messages == [] and CHECK_TOPIC_SLOT not in slots_set(events)
    # A different suspicion gets its own check.
    messages, events = guessed_red_flag("about 2 weeks, it felt a bit hot", "triage_duration", slots=slots)
    assert slots_set(events)[CHECK_TOPIC_SLOT] == "infection" and slots_set(events)[CHECK_SLOT] is None


@pytest.mark.parametrize(
    "text,topic",
    [
        ("a bit short of breath lately", "breathing"),
        ("my toes look a funny colour", "circulation"),
        ("kind of tingly down there", "numbness"),
        ("my calf's a bit tight", "calf"),
        ("feels warm sometimes", "infection"),
        ("hard to stand for long", "weight"),
        ("sometimes it sort of catches", "locking"),
        ("it went a bit funny on the stairs", "giving_way"),
        ("puffy after runs", "swelling"),
        ("about 2 weeks", "general"),
    ],
)
def test_the_check_asks_about_the_red_flag_the_words_come_closest_to(text, topic):
    assert suspected_check(text) == topic


def form_tracker(slots, text="", intent="inform", events=None):
    return make_tracker(
        slots={**CLINIC, **slots}, text=text, intent=intent, active_loop="triage_form", events=events or []
    )


def test_the_check_is_asked_before_the_other_questions():
    slots = {"pain_location": "front", "triage_onset": "gradual", CHECK_TOPIC_SLOT: "locking", CHECK_SLOT: None}
    tracker = form_tracker({**slots, "requested_slot": "triage_duration"})
    domain = merged()
    required = asyncio_run(ValidateTriageForm().required_slots([], None, tracker, domain))
    assert required[0] == CHECK_SLOT and "triage_duration" in required


def asyncio_run(coroutine):
    import asyncio

    return asyncio.run(coroutine)


@pytest.mark.parametrize(
    "topic,onset,level",
    [
        ("weight", "injury", "emergency"),
        ("weight", "gradual", "same_day"),
        ("circulation", "gradual", "emergency"),
        ("breathing", "gradual", "emergency"),
        ("numbness", "injury", "emergency"),
        ("numbness", "gradual", "same_day"),
        ("locking", "gradual", "same_day"),
        ("swelling", "injury", "same_day"),
        ("infection", "gradual", "same_day"),
        ("calf", "gradual", "same_day"),
        ("giving_way", "injury", "same_day"),
        ("giving_way", "gradual", "soon"),
        ("general", "gradual", "same_day"),
    ],
)
def test_a_yes_to_the_check_reaches_the_level_of_that_red_flag(topic, onset, level):
    answers = {"triage_onset": onset, CHECK_TOPIC_SLOT: topic}
    assert decide({**answers, CHECK_SLOT: "yes"}).level == level
    assert decide({**answers, CHECK_SLOT: "no"}).level not in ("emergency", "same_day", "soon")
    assert decide({**answers, CHECK_SLOT: "unsure"}).level not in ("emergency", "same_day", "soon")


def test_an_infection_check_yes_with_a_fever_is_an_emergency():
    answers = {CHECK_TOPIC_SLOT: "infection", CHECK_SLOT: "yes", "triage_unwell": "fever"}
    assert decide(answers).level == "emergency"


def validate_check(text, topic, slots=None):
    slots = {"triage_onset": "injury", CHECK_TOPIC_SLOT: topic, "requested_slot": CHECK_SLOT, **(slots or {})}
    tracker = form_tracker(slots, text=text)
    dispatcher_messages = []
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = ValidateTriageForm().validate_triage_red_flag_check(text, dispatcher, tracker, merged())
    dispatcher_messages = dispatcher.messages
    return dispatcher_messages, result


def test_a_yes_to_the_check_gets_the_advice_at_once():
    messages, result = validate_check("yes it is", "weight")
    assert result[CHECK_SLOT] == "yes" and result["triage_level"] == "emergency"
    assert "Please get medical help now." in messages[0]["text"]
    messages, result = validate_check("yeah", "locking", {"triage_onset": "gradual"})
    assert result["triage_level"] == "same_day" and "today" in messages[0]["text"]


@pytest.mark.parametrize(
    "text,value",
    [
        ("no", "no"),
        ("nope not at all", "no"),
        ("no it's fine", "no"),
        ("not sure", "unsure"),
        ("maybe", "unsure"),
        ("yes", "yes"),
        ("yeah a bit", "yes"),
        ("it is", "yes"),
    ],
)
def test_the_check_is_read_in_the_users_words(text, value):
    assert read_check(text) == value


def test_no_or_not_sure_to_the_check_gives_no_alarm():
    for text, value in [("no", "no"), ("dunno", "unsure")]:
        messages, result = validate_check(text, "weight")
        assert messages == [] and result == {CHECK_SLOT: value}


def test_an_unreadable_check_answer_gets_a_hint_then_is_not_sure():
    messages, result = validate_check("purple", "weight")
    assert result == {CHECK_SLOT: None} and messages[0]["response"] == "utter_triage_unclear"
    asked_twice = [
        {"event": "active_loop", "name": "triage_form"},
        {"event": "bot", "text": "?", "metadata": {"utter_action": "utter_ask_triage_red_flag_check"}},
        {"event": "bot", "text": "?", "metadata": {"utter_action": "utter_ask_triage_red_flag_check"}},
    ]
    tracker = form_tracker(
        {"triage_onset": "injury", CHECK_TOPIC_SLOT: "weight", "requested_slot": CHECK_SLOT},
        text="purple",
        events=asked_twice,
    )
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = ValidateTriageForm().validate_triage_red_flag_check("purple", dispatcher, tracker, merged())
    assert result == {CHECK_SLOT: "unsure"}


def test_the_advice_at_the_end_does_not_repeat_the_checks_urgent_advice():
    slots = {"triage_onset": "gradual", CHECK_TOPIC_SLOT: "locking", CHECK_SLOT: "yes", "triage_level": "same_day"}
    messages, _ = run_action(ActionTriageAdvice(), make_tracker(slots={**CLINIC, **slots}), merged())
    assert [m.get("response") for m in messages] == ["utter_triage_advice_stands"]
