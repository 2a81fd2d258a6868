"""The triage actions run directly with rasa-sdk's tracker, the way Rasa calls them."""

from functools import lru_cache

from actions.triage import ActionStartTriage, ActionTriageAdvice, ValidateTriageForm
from clinic.text.triage_answers import READERS
from tests.support.domain import merged as merged_domain
from tests.support.sdk import make_tracker, run_action

ANSWERS = list(READERS)


@lru_cache()
def domain() -> dict:
    return merged_domain()


def form_run(text, candidates, requested=None, slots=None, starting=False, intent="inform"):
    """Events as Rasa's FormAction sends them: ..., the user message, (ActiveLoop when the
    form starts), the requested slot, the form action, then the slot candidates."""
    events = [{"event": "user", "text": text}]
    if starting:
        events.append({"event": "active_loop", "name": "triage_form"})
    events += [
        {"event": "slot", "name": "requested_slot", "value": requested},
        {"event": "action", "name": "triage_form"},
    ]
    events += [{"event": "slot", "name": name, "value": value} for name, value in candidates.items()]
    all_slots = {**{name: None for name in ANSWERS}, **(slots or {}), **candidates, "requested_slot": requested}
    tracker = make_tracker(slots=all_slots, events=events, text=text, intent=intent, active_loop="triage_form")
    messages, returned = run_action(ValidateTriageForm(), tracker, domain())
    return [m.get("response") for m in messages], {e["name"]: e["value"] for e in returned if e["event"] == "slot"}


def start(slots, entities=None):
    tracker = make_tracker(slots=slots, text="my knee hurts", intent="describe_symptoms", entities=entities)
    messages, events = run_action(ActionStartTriage(), tracker, domain())
    return [m["response"] for m in messages], {e["name"]: e["value"] for e in events}


def test_a_new_description_forgets_the_last_triage_and_a_condition_asked_about_in_general():
    messages, cleared = start(
        {
            "triage_duration": "under_1_week",
            "triage_impact": "daily_life",
            "triage_outcome": "self_care",
            "condition": "pfps",
            "pain_location": "outside",
        }
    )
    assert messages == ["utter_triage_intro"]
    assert cleared == {
        "triage_duration": None,
        "triage_impact": None,
        "triage_outcome": None,
        "condition": None,
    }  # pain_location stays: it is their knee


def test_a_condition_named_in_the_description_is_kept():
    _, cleared = start({"condition": "itbs"}, entities=[{"entity": "condition", "value": "itbs"}])
    assert cleared == {}


def test_the_describing_message_prefills_what_it_clearly_says():
    _, slots = form_run(
        "my knee has hurt on the outside for 6 weeks, no swelling",
        candidates={},
        starting=True,
        intent="describe_symptoms",
    )
    assert slots["pain_location"] == "outside"
    assert slots["triage_duration"] == "over_3_weeks"
    assert slots["triage_swelling"] == "none"
    assert "triage_impact" not in slots  # not said: asked


def test_a_location_already_known_is_kept_when_the_triage_starts():
    _, slots = form_run(
        "my knee hurts when i run",
        candidates={},
        slots={"pain_location": "behind"},
        starting=True,
        intent="describe_symptoms",
    )
    assert slots.get("pain_location", "behind") == "behind"


def test_a_typed_answer_is_read_into_the_slot_value():
    messages, slots = form_run("about 3 weeks", {"triage_duration": "about 3 weeks"}, requested="triage_duration")
    assert messages == []
    assert slots["triage_duration"] == "1_to_3_weeks"


def test_a_button_value_is_kept_as_it_is():
    _, slots = form_run(
        '/inform{"triage_impact": "daily_life"}', {"triage_impact": "daily_life"}, requested="triage_impact"
    )
    assert slots["triage_impact"] == "daily_life"


def test_an_unreadable_answer_gets_a_hint_and_the_question_again():
    messages, slots = form_run("banana", {"pain_location": "banana"}, requested="pain_location")
    assert messages == ["utter_triage_unclear"]
    assert slots["pain_location"] is None


def test_a_bare_yes_to_swelling_asks_how_much():
    messages, slots = form_run("yes", {"triage_swelling": "yes"}, requested="triage_swelling")
    assert messages == ["utter_triage_swelling_unclear"]
    assert slots["triage_swelling"] is None


def test_an_emergency_answer_ends_the_questions_at_once():
    filled = {"pain_location": "inside", "triage_onset": "injury"}
    _, slots = form_run(
        "can't put any weight on it",
        {"triage_impact": "can't put any weight on it"},
        requested="triage_impact",
        slots=filled,
    )
    assert slots["triage_impact"] == "cannot_bear_weight"
    assert slots["requested_slot"] is None  # nothing else could change the advice


def test_at_same_day_only_the_questions_that_could_make_it_an_emergency_are_asked():
    form = ValidateTriageForm()
    answers = {**{name: None for name in ANSWERS}, "pain_location": "inside", "triage_swelling": "major"}
    tracker = make_tracker(
        slots=answers, events=[{"event": "user", "text": "a lot"}], text="a lot", active_loop="triage_form"
    )
    import asyncio

    required = asyncio.run(form.required_slots(ANSWERS, None, tracker, domain()))
    assert required == ["pain_location", "triage_swelling", "triage_onset", "triage_impact", "triage_unwell"]


def test_a_normal_answer_lets_the_form_ask_the_next_question():
    _, slots = form_run(
        "no",
        {"triage_instability": "no"},
        requested="triage_instability",
        slots={
            "pain_location": "front",
            "triage_onset": "gradual",
            "triage_duration": "under_1_week",
            "triage_swelling": "none",
        },
    )
    assert slots["triage_instability"] == "no"
    assert slots.get("requested_slot", "triage_impact") == "triage_impact"  # the next question


def advice(answers):
    tracker = make_tracker(slots={**{name: None for name in ANSWERS}, **answers})
    messages, events = run_action(ActionTriageAdvice(), tracker, domain())
    level = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "triage_level"]
    return messages, level


CALM = {
    "pain_location": "outside",
    "triage_onset": "gradual",
    "triage_duration": "under_1_week",
    "triage_swelling": "none",
    "triage_instability": "no",
    "triage_impact": "running_only",
    "triage_night_pain": "no",
    "triage_unwell": "no",
    "triage_surgery": "no",
}


def test_advice_self_care_explains_by_location_then_gives_a_time_frame():
    messages, level = advice(CALM)
    assert messages[0]["response"] == "utter_triage_explanation"
    assert "1-2 weeks" in messages[1]["text"] and "book a physio" in messages[1]["text"]
    assert "/book_appointment" in [b["payload"] for b in messages[1]["buttons"]]
    assert level == ["self_care"]


def test_advice_physio_names_the_reasons_and_offers_a_booking():
    messages, level = advice({**CALM, "triage_duration": "over_3_weeks", "triage_swelling": "mild"})
    assert "assessed by a physio" in messages[1]["text"]
    assert "more than about three weeks and the knee swells a little" in messages[1]["text"]
    assert "/book_appointment" in [b["payload"] for b in messages[1]["buttons"]]
    assert level == ["physio"]


def test_advice_same_day_is_the_urgent_advice_itself_without_a_booking():
    messages, level = advice({**CALM, "triage_instability": "locked"})
    [message] = messages
    assert message["text"].startswith("Please stop running and get your knee checked today.")
    assert not message.get("buttons")
    assert level == ["same_day"]


def test_after_urgent_advice_at_the_same_level_the_end_of_the_questions_just_confirms_it():
    tracker = make_tracker(
        slots={
            **{name: None for name in ANSWERS},
            **CALM,
            "triage_flags": ["locking:same_day:locks"],
            "triage_level": "same_day",
        }
    )
    messages, _ = run_action(ActionTriageAdvice(), tracker, domain())
    assert [m["response"] for m in messages] == ["utter_triage_advice_stands"]


def test_a_later_answer_that_raises_the_level_gets_the_new_advice():
    tracker = make_tracker(
        slots={
            **{name: None for name in ANSWERS},
            **CALM,
            "triage_unwell": "fever",
            "triage_swelling": "mild",
            "triage_flags": ["infection_signs:same_day:hot_swollen"],
            "triage_level": "same_day",
        }
    )
    messages, _ = run_action(ActionTriageAdvice(), tracker, domain())
    assert messages[0]["text"].startswith("Please get medical help now.")


def test_a_describing_message_that_says_it_is_stuck_asks_only_what_could_make_it_an_emergency():
    _, slots = form_run(
        "my knee is stuck bent since this morning, on the inside",
        candidates={},
        starting=True,
        intent="describe_symptoms",
    )
    assert slots["triage_instability"] == "locked"
    assert slots.get("requested_slot") in (None, "triage_onset")


def test_an_answer_that_says_more_fills_those_questions_too():
    """A question already answered in the user's words is not asked again."""
    _, slots = form_run(
        "about 3 weeks, no swelling and only when i run",
        {"triage_duration": "about 3 weeks"},
        requested="triage_duration",
    )
    assert slots["triage_duration"] == "1_to_3_weeks"
    assert slots["triage_swelling"] == "none" and slots["triage_impact"] == "running_only"
    assert slots["requested_slot"] == "pain_location"  # the next open question


def test_a_red_flag_or_a_question_during_the_questions_is_not_read_as_answers():
    """It must reach its own rule (action_red_flag, the answer): the form takes nothing from it."""
    text = "it suddenly swelled up like a balloon"
    events = [
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "report_red_flag"}}},
        {"event": "slot", "name": "requested_slot", "value": "triage_onset"},
        {"event": "action", "name": "triage_form"},
    ]
    tracker = make_tracker(
        slots={**{name: None for name in ANSWERS}, "requested_slot": "triage_onset"},
        events=events,
        text=text,
        intent="report_red_flag",
        active_loop="triage_form",
    )
    _, returned = run_action(ValidateTriageForm(), tracker, domain())
    assert "triage_swelling" not in {e["name"] for e in returned if e["event"] == "slot"}


def test_a_question_intent_only_guessed_for_a_readable_answer_is_the_answer():
    def run(intent, confidence, text="only when i run"):
        events = [
            {"event": "user", "text": text},
            {"event": "slot", "name": "requested_slot", "value": "triage_impact"},
            {"event": "action", "name": "triage_form"},
        ]
        tracker = make_tracker(
            slots={**{name: None for name in ANSWERS}, "requested_slot": "triage_impact"},
            events=events,
            text=text,
            intent=intent,
            active_loop="triage_form",
        )
        tracker.latest_message["intent"]["confidence"] = confidence
        _, returned = run_action(ValidateTriageForm(), tracker, domain())
        return {e["name"]: e["value"] for e in returned if e["event"] == "slot"}

    assert run("ask_running_form", 0.42)["triage_impact"] == "running_only"
    assert "triage_impact" not in run("ask_running_form", 0.95)  # a real question: answered by its rule
    # Not worded as a question at all: the answer up to 0.9; worded as one, its own rule from 0.6.
    assert run("ask_running_form", 0.7)["triage_impact"] == "running_only"
    assert "triage_impact" not in run("ask_running_form", 0.7, "is it bad if it's only when i run?")
    # "stop" or a booking only guessed, with none of their words: the answer, the triage goes on.
    assert run("stop", 0.42)["triage_impact"] == "running_only"
    assert run("book_appointment", 0.6)["triage_impact"] == "running_only"
    # With their words, or confident, they keep their own rule (the form is left).
    assert "triage_impact" not in run("stop", 0.42, "stop, only when i run")
    assert "triage_impact" not in run("stop", 0.95)
    assert "triage_impact" not in run("book_appointment", 0.6, "can i book, only when i run")
