"""The triage actions run directly with rasa-sdk's tracker, the way Rasa calls them."""
from functools import lru_cache
from pathlib import Path

import yaml

from actions.triage import ActionStartTriage, ActionTriageAdvice, ValidateTriageForm
from tests.support.sdk import make_tracker, run_action

ANSWERS = ["pain_location", "triage_duration", "triage_swelling", "triage_instability", "triage_impact"]


@lru_cache()
def domain() -> dict:
    return yaml.safe_load((Path(__file__).parents[1] / "domain.yml").read_text())


def form_run(text, candidates, requested=None, slots=None, starting=False, intent="inform"):
    """Events as Rasa's FormAction sends them: ..., the user message, (ActiveLoop when the
    form starts), the requested slot, the form action, then the slot candidates."""
    events = [{"event": "user", "text": text}]
    if starting:
        events.append({"event": "active_loop", "name": "triage_form"})
    events += [{"event": "slot", "name": "requested_slot", "value": requested},
               {"event": "action", "name": "triage_form"}]
    events += [{"event": "slot", "name": name, "value": value} for name, value in candidates.items()]
    all_slots = {**{name: None for name in ANSWERS}, **(slots or {}), **candidates,
                 "requested_slot": requested}
    tracker = make_tracker(slots=all_slots, events=events, text=text, intent=intent,
                           active_loop="triage_form")
    messages, returned = run_action(ValidateTriageForm(), tracker, domain())
    return [m.get("response") for m in messages], {e["name"]: e["value"] for e in returned
                                                   if e["event"] == "slot"}


def start(slots, entities=None):
    tracker = make_tracker(slots=slots, text="my knee hurts", intent="describe_symptoms",
                           entities=entities)
    messages, events = run_action(ActionStartTriage(), tracker, domain())
    return [m["response"] for m in messages], {e["name"]: e["value"] for e in events}


def test_a_new_description_forgets_the_last_triage_and_a_condition_asked_about_in_general():
    messages, cleared = start({"triage_duration": "under_1_week", "triage_impact": "daily_life",
                               "triage_outcome": "self_care", "condition": "pfps",
                               "pain_location": "outside"})
    assert messages == ["utter_triage_intro"]
    assert cleared == {"triage_duration": None, "triage_impact": None, "triage_outcome": None,
                       "condition": None}  # pain_location stays: it is their knee


def test_a_condition_named_in_the_description_is_kept():
    _, cleared = start({"condition": "itbs"}, entities=[{"entity": "condition", "value": "itbs"}])
    assert cleared == {}


def test_the_describing_message_prefills_what_it_clearly_says():
    _, slots = form_run("my knee has hurt on the outside for 6 weeks, no swelling",
                        candidates={}, starting=True, intent="describe_symptoms")
    assert slots["pain_location"] == "outside"
    assert slots["triage_duration"] == "over_3_weeks"
    assert slots["triage_swelling"] == "none"
    assert "triage_impact" not in slots  # not said: asked


def test_a_location_already_known_is_kept_when_the_triage_starts():
    _, slots = form_run("my knee hurts when i run", candidates={}, slots={"pain_location": "behind"},
                        starting=True, intent="describe_symptoms")
    assert slots.get("pain_location", "behind") == "behind"


def test_a_typed_answer_is_read_into_the_slot_value():
    messages, slots = form_run("about 3 weeks", {"triage_duration": "about 3 weeks"},
                               requested="triage_duration")
    assert messages == []
    assert slots["triage_duration"] == "1_to_3_weeks"


def test_a_button_value_is_kept_as_it_is():
    _, slots = form_run('/inform{"triage_impact": "daily_life"}', {"triage_impact": "daily_life"},
                        requested="triage_impact")
    assert slots["triage_impact"] == "daily_life"


def test_an_unreadable_answer_gets_a_hint_and_the_question_again():
    messages, slots = form_run("banana", {"pain_location": "banana"}, requested="pain_location")
    assert messages == ["utter_triage_unclear"]
    assert slots["pain_location"] is None


def test_a_bare_yes_to_swelling_asks_how_much():
    messages, slots = form_run("yes", {"triage_swelling": "yes"}, requested="triage_swelling")
    assert messages == ["utter_triage_swelling_unclear"]
    assert slots["triage_swelling"] is None


def test_a_yes_to_locking_or_giving_way_ends_the_questions_at_once():
    filled = {"pain_location": "inside", "triage_duration": "under_1_week", "triage_swelling": "none"}
    _, slots = form_run("yes", {"triage_instability": "yes"}, requested="triage_instability",
                        slots=filled)
    assert slots["triage_instability"] == "yes"
    assert slots["requested_slot"] is None  # triage_impact is not asked


def test_a_normal_answer_lets_the_form_ask_the_next_question():
    _, slots = form_run("no", {"triage_instability": "no"}, requested="triage_instability",
                        slots={"pain_location": "front", "triage_duration": "under_1_week",
                               "triage_swelling": "none"})
    assert slots["triage_instability"] == "no"
    assert "requested_slot" not in slots  # Rasa asks the next one (triage_impact)


def advice(answers):
    tracker = make_tracker(slots={**{name: None for name in ANSWERS}, **answers})
    messages, events = run_action(ActionTriageAdvice(), tracker, domain())
    outcome = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "triage_outcome"]
    return messages, outcome


def test_advice_self_care_explains_by_location_then_gives_a_time_frame():
    messages, outcome = advice({"pain_location": "outside", "triage_duration": "under_1_week",
                                "triage_swelling": "none", "triage_instability": "no",
                                "triage_impact": "running_only"})
    assert [m["response"] for m in messages] == ["utter_triage_explanation", "utter_triage_self_care"]
    assert outcome == ["self_care"]


def test_advice_physio_names_the_reasons():
    messages, outcome = advice({"pain_location": "front", "triage_duration": "over_3_weeks",
                                "triage_swelling": "mild", "triage_instability": "no",
                                "triage_impact": "running_only"})
    assert [m["response"] for m in messages] == ["utter_triage_explanation", "utter_triage_see_physio"]
    assert messages[1]["triage_reason"] == (
        "it has been hurting for more than three weeks and the knee swells")
    assert outcome == ["physio"]


def test_advice_urgent_leaves_the_advice_to_action_red_flag_and_keeps_the_answers():
    messages, outcome = advice({"pain_location": "inside", "triage_duration": "under_1_week",
                                "triage_swelling": "none", "triage_instability": "yes"})
    assert [m["response"] for m in messages] == ["utter_triage_urgent"]
    assert "locks or gives way" in messages[0]["triage_reason"]
    assert outcome == ["urgent"]


def test_a_describing_message_that_says_it_gives_way_goes_straight_to_the_advice():
    _, slots = form_run("my knee gives way on the inside of the knee when i run", candidates={},
                        starting=True, intent="describe_symptoms")
    assert slots["triage_instability"] == "yes"
    assert slots["requested_slot"] is None
