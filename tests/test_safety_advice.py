"""action_red_flag (with rasa-sdk's Tracker and CollectingDispatcher) and the
RedFlagDetector NLU component (on Rasa Messages), without a trained model."""
import re

import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.safety import ActionRedFlag
from components.red_flags import RedFlagDetector
from tests.support.sdk import make_tracker, run_action

PHONE = "+1 555 0100 200"
CLINIC = "Riverside Running Physio (example)"
# Medicines or amounts: the advice must never contain any.
DRUGS_OR_DOSES = re.compile(
    r"\b(?:\d+\s*(?:mg|milligrams?|ml|g)\b|tablets?|pills?|dose|ibuprofen|paracetamol|acetaminophen"
    r"|aspirin|naproxen|painkillers?|anti-?inflammator\w*)", re.IGNORECASE)


def advice_for(text, slots=None):
    slots = {"clinic_name": CLINIC, "clinic_phone": PHONE, **(slots or {})}
    messages, events = run_action(ActionRedFlag(), make_tracker(slots=slots, text=text,
                                                                intent="report_red_flag"))
    assert events == []
    [message] = messages
    return message["text"]


def assert_safe(advice):
    assert "not a diagnosis" in advice
    assert PHONE in advice
    assert not DRUGS_OR_DOSES.search(advice), DRUGS_OR_DOSES.search(advice)
    assert "book" not in advice.lower()  # a booking is never offered instead of urgent care
    assert "anything else" in advice  # the conversation can go on


@pytest.mark.parametrize("text", [
    "my calf is swollen and I'm short of breath",
    "tripped over and now I can't put any weight on it",
    "my kneecap popped out",
    "my knee is red hot and swollen and I have a fever",
])
def test_emergencies_get_the_emergency_department_now(text):
    advice = advice_for(text)
    assert advice.startswith("Please get medical help now.")
    assert "emergency department" in advice and "now" in advice
    assert "999 in the UK" in advice  # no emergency_number in clinic.yml: every common one
    assert_safe(advice)


def test_calf_with_breathlessness_explains_a_possible_clot():
    advice = advice_for("since my knee op my calf is swollen and I get breathless on the stairs")
    assert "blood clot in the lungs" in advice


@pytest.mark.parametrize("text,reason", [
    ("my knee keeps locking", "catching inside the joint"),
    ("my knee gave way on the stairs", "hold it steady"),
    ("pins and needles in my foot since my run", "nerve"),
    ("my calf is hot and swollen", "blood clot in the leg (DVT)"),
    ("my knee swelled up like a balloon", "bleeding inside the joint"),
    ("I heard a pop when I turned", "ligament or cartilage"),
])
def test_other_red_flags_mean_stop_running_and_get_checked_today(text, reason):
    advice = advice_for(text)
    assert advice.startswith("Please stop running and get your knee checked today.")
    assert reason in advice
    assert "Please get medical help now" not in advice
    # ...and say when it becomes an emergency.
    assert "can't put weight on your leg" in advice and "emergency department" in advice
    assert_safe(advice)


def test_each_flag_in_the_message_is_explained_most_serious_first():
    advice = advice_for("it locks, it gives way, and now my kneecap looks out of place")
    assert advice.index("out of place or the wrong shape") < advice.index("catching inside")
    assert advice.index("catching inside") < advice.index("hold it steady")


def test_clinic_phone_comes_from_the_slot():
    advice = advice_for("my knee keeps locking", slots={"clinic_phone": "+44 1234 567890"})
    assert "+44 1234 567890" in advice and PHONE not in advice


def test_emergency_number_from_the_clinic_file(tmp_path, monkeypatch):
    from clinic.settings import config_path

    clinic_file = tmp_path / "clinic.yml"
    clinic_file.write_text(config_path().read_text() + '\nemergency_number: "999"\n')
    monkeypatch.setenv("CLINIC_CONFIG", str(clinic_file))
    advice = advice_for("my kneecap popped out")
    assert "Call 999 or go to your nearest emergency department" in advice
    assert "911" not in advice


def test_triage_button_answers_are_explained():
    """From the triage questions the latest message is a button payload, not words."""
    advice = advice_for('/inform{"triage_instability": "yes"}',
                        slots={"triage_instability": "yes", "triage_swelling": "major"})
    assert "catching inside the joint" in advice and "bleeding inside the joint" in advice


def test_red_flag_the_check_cannot_name_still_gets_urgent_advice():
    advice = advice_for("/report_red_flag")
    assert advice.startswith("Please stop running and get your knee checked today.")
    assert "locks, gives way or swells up fast" in advice
    assert_safe(advice)


# --- the NLU component ----------------------------------------------------------------------

def classified(text, intent, confidence=0.9, runner_up="describe_symptoms"):
    """A message as the classifiers and the FallbackClassifier leave it."""
    ranking = [{"name": intent, "confidence": confidence},
               {"name": runner_up, "confidence": round(1 - confidence, 3)}]
    return Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking,
                         "entities": []},
                   output_properties={"intent", "intent_ranking", "entities"})


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
    assert (entity["entity"], entity["value"], entity["extractor"]) == (
        "red_flag", "giving_way", "RedFlagDetector")
    assert parsed["text"][entity["start"]:entity["end"]] == "giving way"


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
    parsed = detect(classified("my knee doesnt swell or lock, it just aches when i run",
                               "describe_symptoms", confidence=0.16, runner_up="deny"))
    assert parsed["intent"] == {"name": "describe_symptoms", "confidence": 0.16}
    assert [r["name"] for r in parsed["intent_ranking"]] == ["describe_symptoms", "deny"]
    assert parsed["entities"] == []


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
