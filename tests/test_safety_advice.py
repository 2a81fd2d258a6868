"""action_red_flag (with rasa-sdk's Tracker and CollectingDispatcher) and the
RedFlagDetector NLU component (on Rasa Messages), without a trained model."""

import re

import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.safety import ActionRedFlag
from components.red_flags import RedFlagDetector
from tests.support.domain import merged
from tests.support.sdk import make_tracker, run_action

PHONE = "+1 555 0100 200"
CLINIC = "Riverside Running Physio (example)"
# Medicines or amounts: the advice must never contain any.
DRUGS_OR_DOSES = re.compile(
    r"\b(?:\d+\s*(?:mg|milligrams?|ml|g)\b|tablets?|pills?|dose|ibuprofen|paracetamol|acetaminophen"
    r"|aspirin|naproxen|painkillers?|anti-?inflammator\w*)",
    re.IGNORECASE,
)


def run_red_flag(text, slots=None, active_loop=None):
    slots = {"clinic_name": CLINIC, "clinic_phone": PHONE, **(slots or {})}
    return run_action(
        ActionRedFlag(),
        make_tracker(slots=slots, text=text, intent="report_red_flag", active_loop=active_loop),
        merged(),
    )


def advice_for(text, slots=None):
    messages, _ = run_red_flag(text, slots)
    return messages[0]["text"]


def slots_set(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def assert_safe(advice):
    assert "not a diagnosis" in advice
    assert PHONE in advice
    assert not DRUGS_OR_DOSES.search(advice), DRUGS_OR_DOSES.search(advice)
    assert "book" not in advice.lower()  # a booking is never offered instead of urgent care
    assert "anything else" in advice  # the conversation can go on


@pytest.mark.parametrize(
    "text",
    [
        "my calf is swollen and I'm short of breath",
        "tripped over and now I can't put any weight on it",
        "my kneecap popped out",
        "my knee is red hot and swollen and I have a fever",
    ],
)
def test_emergencies_get_the_emergency_department_now(text):
    advice = advice_for(text)
    assert advice.startswith("Please get medical help now.")
    assert "Call 999 or go to A&E now" in advice  # clinic.yml: country GB
    assert_safe(advice)


def test_calf_with_breathlessness_explains_a_possible_clot():
    advice = advice_for("since my knee op my calf is swollen and I get breathless on the stairs")
    assert "blood clot in the lungs" in advice


@pytest.mark.parametrize(
    "text,reason",
    [
        ("my knee keeps locking", "caught inside the joint"),
        ("my knee gave way on the stairs", "hold it steady"),
        ("pins and needles in my foot since my run", "nerve"),
        ("my calf is hot and swollen", "blood clot in the leg (DVT)"),
        ("my knee swelled up like a balloon", "bleeding inside the joint"),
        ("I heard a pop when I turned", "ligament or cartilage"),
    ],
)
def test_other_red_flags_mean_stop_running_and_get_checked_today(text, reason):
    advice = advice_for(text)
    assert advice.startswith("Please stop running and get your knee checked today.")
    assert reason in advice
    assert "Please get medical help now" not in advice
    # ...where to go in the clinic's country, and when it becomes an emergency.
    assert "NHS 111" in advice and "minor injuries unit" in advice
    assert "can't put weight on your leg" in advice and "call 999" in advice
    assert_safe(advice)


def test_each_flag_at_the_level_given_is_explained_most_serious_first():
    advice = advice_for("it locks, it gives way and my calf is hot and swollen")
    assert advice.index("blood clot in the leg") < advice.index("caught inside")
    assert advice.index("caught inside") < advice.index("hold it steady")
    emergency = advice_for("it locks, and now my kneecap looks out of place")
    assert "out of place or the wrong shape" in emergency


def test_clinic_phone_comes_from_the_slot():
    advice = advice_for("my knee keeps locking", slots={"clinic_phone": "+44 1234 567890"})
    assert "+44 1234 567890" in advice and PHONE not in advice


def test_emergency_number_from_the_clinic_file(tmp_path, monkeypatch):
    from clinic.settings import config_path

    clinic_file = tmp_path / "clinic.yml"
    clinic_file.write_text(config_path().read_text() + '\nemergency_number: "999"\n')
    monkeypatch.setenv("CLINIC_CONFIG", str(clinic_file))
    advice = advice_for("my kneecap popped out")
    assert "Call 999 or go to A&E now" in advice
    assert "911" not in advice


def test_the_emergency_number_and_urgent_route_follow_the_clinics_country(tmp_path, monkeypatch):
    from clinic.settings import config_path

    clinic_file = tmp_path / "clinic.yml"
    clinic_file.write_text(config_path().read_text().replace("country: GB", "country: NL"))
    monkeypatch.setenv("CLINIC_CONFIG", str(clinic_file))
    assert "Call 112" in advice_for("my kneecap popped out")
    assert "huisartsenpost" in advice_for("my knee keeps locking")


def test_triage_button_answers_are_explained():
    """From the triage questions the latest message is a button payload, not words."""
    advice = advice_for(
        '/inform{"triage_instability": "yes"}', slots={"triage_instability": "yes", "triage_swelling": "major"}
    )
    assert "bleeding inside the joint" in advice and advice.startswith("Please stop running")


def test_below_an_emergency_the_questions_that_could_raise_it_follow():
    messages, events = run_red_flag("my knee keeps locking")
    assert messages[1]["response"] == "utter_triage_urgent_check"
    assert [e["name"] for e in events if e["event"] == "followup"] == ["triage_form"]
    assert slots_set(events)["triage_level"] == "same_day"
    assert slots_set(events)["triage_flags"] == ["locking:same_day:locks"]


def test_an_emergency_asks_nothing_more_and_a_booking_in_progress_goes_on():
    messages, events = run_red_flag("after the crash my foot is pale and cold")
    assert len(messages) == 1 and slots_set(events)["triage_level"] == "emergency"
    assert not [e for e in events if e["event"] == "followup"]
    _, events = run_red_flag("my knee keeps locking", active_loop="booking_form")
    assert not [e for e in events if e["event"] == "followup"]


def test_a_red_flag_answer_during_the_triage_is_also_the_answer_and_combines_with_the_others():
    messages, events = run_red_flag(
        "i can't put any weight on it at all",
        slots={"requested_slot": "triage_impact", "triage_onset": "injury"},
        active_loop="triage_form",
    )
    assert slots_set(events)["triage_impact"] == "cannot_bear_weight"
    assert slots_set(events)["triage_level"] == "emergency"
    assert messages[0]["text"].startswith("Please get medical help now.")


def test_red_flag_the_check_cannot_name_still_gets_urgent_advice():
    advice = advice_for("/report_red_flag")
    assert advice.startswith("Please stop running and get your knee checked today.")
    assert "locks, gives way or swells up fast" in advice
    assert_safe(advice)


# --- the NLU component ----------------------------------------------------------------------


def classified(text, intent, confidence=0.9, runner_up="describe_symptoms"):
    """A message as the classifiers and the FallbackClassifier leave it."""
    ranking = [{"name": intent, "confidence": confidence}, {"name": runner_up, "confidence": round(1 - confidence, 3)}]
    return Message(
        data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking, "entities": []},
        output_properties={"intent", "intent_ranking", "entities"},
    )


def detect(message):
    [processed] = RedFlagDetector(RedFlagDetector.get_default_config()).process([message])
    return processed.as_dict(only_output_properties=True)


def test_red_flag_overrides_another_intent_and_keeps_the_classifiers_prediction():
    parsed = detect(classified("i want to book, my knee keeps giving way", "book_appointment"))
    assert parsed["intent"] == {"name": "report_red_flag", "confidence": 1.0}
    assert [r["name"] for r in parsed["intent_ranking"][:2]] == ["report_red_flag", "book_appointment"]
    assert parsed["red_flag_detector"]["classifier_intent"]["name"] == "book_appointment"
    assert parsed["red_flag_detector"]["action"] == "forced"
    [entity] = parsed["entities"]
    assert (entity["entity"], entity["value"], entity["extractor"]) == ("red_flag", "giving_way", "RedFlagDetector")
    assert parsed["text"][entity["start"] : entity["end"]] == "giving way"


def test_red_flag_overrides_the_fallback_intent():
    parsed = detect(classified("ugh. buckled again", "nlu_fallback", confidence=0.45))
    assert parsed["intent"]["name"] == "report_red_flag"
    assert parsed["red_flag_detector"]["red_flags"][0]["name"] == "giving_way"


def test_emergency_is_visible_in_the_parse_data():
    parsed = detect(classified("my calf is swollen and i'm short of breath", "report_red_flag"))
    assert parsed["red_flag_detector"]["emergency"] is True
    assert [e["value"] for e in parsed["entities"]] == ["dvt_signs"]


def test_the_detector_never_lowers_the_classifiers_red_flag():
    """Denied mentions are no reason to overrule the classifier: it may see more than the
    patterns ("no swelling and it doesn't lock, but it went from under me twice")."""
    parsed = detect(classified("no swelling and it doesn't lock, it just aches", "report_red_flag"))
    assert parsed["intent"] == {"name": "report_red_flag", "confidence": 0.9}
    assert parsed["red_flag_detector"]["action"] is None
    assert parsed["red_flag_detector"]["negated"] == ["locking"]


def test_a_denied_red_flag_never_becomes_deny():
    """Issue #11: "doesn't swell" in a plain description used to end as `deny`."""
    parsed = detect(
        classified(
            "my knee doesnt swell or lock, it just aches when i run",
            "describe_symptoms",
            confidence=0.16,
            runner_up="deny",
        )
    )
    assert parsed["intent"] == {"name": "describe_symptoms", "confidence": 0.16}
    assert [r["name"] for r in parsed["intent_ranking"]] == ["describe_symptoms", "deny"]
    assert [e["entity"] for e in parsed["entities"]] == ["own_pain"]  # no red_flag


def test_the_classifier_alone_can_still_report_a_red_flag():
    """Wording the patterns do not know: the classifier's red flag stands."""
    parsed = detect(classified("my knee feels like it's going to fall apart", "report_red_flag"))
    assert parsed["intent"]["name"] == "report_red_flag"
    assert "red_flag_detector" not in parsed


def test_ordinary_messages_are_left_alone():
    message = classified("what shoes should I buy", "ask_shoes", confidence=0.97)
    parsed = detect(message)
    assert parsed["intent"] == {"name": "ask_shoes", "confidence": 0.97}
    assert "red_flag_detector" not in parsed and parsed["entities"] == []


def test_a_triage_answer_that_only_denies_red_flags_is_an_answer_not_an_alarm():
    messages, events = run_red_flag(
        "nope, it hasn't locked or given way", slots={"requested_slot": "triage_instability"}, active_loop="triage_form"
    )
    assert messages == []
    assert slots_set(events) == {"triage_instability": "no"}


def test_a_question_about_a_symptom_is_tagged_not_forced():
    parsed = detect(classified("what does it mean when a knee locks?", "ask_condition"))
    assert parsed["intent"]["name"] == "ask_condition"
    assert [(e["entity"], e["value"]) for e in parsed["entities"]] == [("symptom_question", "locking")]


def test_a_question_about_a_symptom_gets_an_explanation_and_what_to_do_if_it_is_happening_now():
    from actions.safety import ActionExplainSymptom

    tracker = make_tracker(
        text="what does it mean when a knee locks?",
        intent="ask_condition",
        entities=[{"entity": "symptom_question", "value": "locking"}],
    )
    [message], events = run_action(ActionExplainSymptom(), tracker)
    assert "meniscus" in message["text"] and "If this is happening to you now" in message["text"]
    assert "NHS 111" in message["text"] and not message["text"].startswith("Please stop running")
    assert events == []


def test_the_classifiers_red_flag_explained_by_night_pain_is_advice_within_days():
    messages, events = run_red_flag("my knee pain wakes me up most nights now, a deep ache")
    assert messages[0]["text"].startswith("Please see a GP or a physio within the next few days")
    assert slots_set(events)["triage_level"] == "soon"


@pytest.mark.parametrize(
    "text",
    [
        "no swelling, it doesn't lock, but it hurts on every run",
        # Only the signs of a red flag ruled out (2026-12-08): a scary-sounding but calm story.
        "banged my knee on the car door yesterday, big bruise but no swelling and it bends fine",
        "both calves tight after hill sprints, could it be a clot? they aren't swollen or hot or red",
    ],
)
def test_the_classifiers_red_flag_on_a_description_that_only_denies_them_starts_the_questions(text):
    messages, events = run_red_flag(text)
    assert [m["response"] for m in messages] == ["utter_triage_intro"]
    assert [e["name"] for e in events if e["event"] == "followup"] == ["triage_form"]


@pytest.mark.parametrize(
    "text",
    ["no swelling but it's gone hot and red", "it isn't swollen but I can't put any weight on it since I fell"],
)
def test_a_red_flag_beside_a_denied_sign_still_gets_the_advice(text):
    messages, _ = run_red_flag(text)
    assert messages and messages[0].get("response") != "utter_triage_intro" and messages[0]["text"]


@pytest.mark.parametrize(
    "text,own",
    [
        ("New running shoes last week and since then my knee aches on runs. Should I take them back?", True),
        ("knee pain on runs since march", True),
        ("my daughter's knee aches after football", True),
        ("under the kneecap. it's just a mild ache", True),
        ("what shoes should I buy", False),
        ("why do knees ache after running?", False),
        ("my knee doesn't hurt, I just want new shoes", False),
    ],
)
def test_a_story_about_the_users_own_knee_pain_is_tagged_whatever_the_intent(text, own):
    parsed = detect(classified(text, "ask_shoes"))
    assert parsed["intent"]["name"] == "ask_shoes"
    assert ("own_pain" in [e["entity"] for e in parsed["entities"]]) == own


def test_a_red_flag_during_the_triage_also_answers_the_other_questions_it_speaks_to():
    _, events = run_red_flag(
        "it suddenly swelled up like a balloon after i twisted it",
        slots={"requested_slot": "triage_onset"},
        active_loop="triage_form",
    )
    assert slots_set(events)["triage_onset"] == "injury"  # the question asked
    assert slots_set(events)["triage_swelling"] == "major"  # not asked again


def test_what_the_message_itself_answers_counts_for_the_level():
    """No red-flag pattern names crutches, but an injury and not bearing weight is the rule's
    emergency: the classifier's red flag gets that level, not the general same-day advice."""
    messages, events = run_red_flag("twisted my knee skiing yesterday and now I'm on crutches")
    assert messages[0]["text"].startswith("Please get medical help now.")
    assert slots_set(events)["triage_level"] == "emergency"


def test_a_symptom_asked_about_with_another_intent_leaves_the_own_pain_rules_free_to_match():
    """Only the intents whose rules explain a symptom get `symptom_question`; with another one
    the own-pain story is answered and triaged (the rules match the entities exactly)."""
    text = "ive had a niggle in my knee for a week, is it ok to keep running or what if it gives way"
    parsed = detect(classified(text, "ask_rest"))
    assert [e["entity"] for e in parsed["entities"]] == ["own_pain"]
    parsed = detect(classified(text, "ask_when_see_physio"))
    assert [e["entity"] for e in parsed["entities"]] == ["symptom_question", "own_pain"]


def test_a_guessed_red_flag_on_a_readable_triage_answer_is_the_answer_a_confident_one_alarms():
    def answer(confidence):
        tracker = make_tracker(
            slots={"clinic_name": CLINIC, "clinic_phone": PHONE, "requested_slot": "triage_impact"},
            text="only when i run, walking around is fine",
            intent="report_red_flag",
            active_loop="triage_form",
        )
        tracker.latest_message["intent"]["confidence"] = confidence
        return run_action(ActionRedFlag(), tracker, merged())

    messages, events = answer(0.6)
    # The answer, and one explicit yes/no check asked next (tests/test_safety_check.py).
    assert messages == [] and slots_set(events) == {
        "triage_impact": "running_only",
        "triage_check_topic": "weight",
        "triage_red_flag_check": None,
    }
    messages, events = answer(0.95)
    assert messages[0]["text"].startswith("Please stop running") and slots_set(events)["triage_level"] == "same_day"
