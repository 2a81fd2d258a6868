"""Red flags in real conversations: the trained model (with the RedFlagDetector in its
pipeline), the rules and the real action server."""

import pytest

URGENT_TODAY = "Please stop running and get your knee checked today."
EMERGENCY = "Please get medical help now."
PHONE = "+1 555 0100 200"


def is_urgent_advice(text: str) -> bool:
    return URGENT_TODAY in text or EMERGENCY in text


def test_red_flag_as_first_message_gets_the_disclaimer_then_urgent_advice(conversation):
    # Channels show each paragraph of the advice as its own message.
    replies = [m.get("text", "") for m in conversation.say("my knee keeps giving way")]
    assert "not a diagnosis" in replies[0] and "Riverside" in replies[0]  # the disclaimer
    assert replies[1].startswith(URGENT_TODAY) and "hold it steady" in replies[1]
    assert "NHS 111" in "\n".join(replies) and PHONE in "\n".join(replies)
    assert conversation.latest_intent() == "report_red_flag"
    # Then only the questions that could make it an emergency, starting with how it began.
    assert "How did it start" in replies[-1]
    assert conversation.slot("triage_level") == "same_day"


def test_red_flag_buried_in_a_long_story(conversation):
    story = (
        "Hi, bit of a long one sorry. I've been running about three years, mostly parkrun and the "
        "odd 10k, and I'm building up for a half in the spring. My knees have always been fine "
        "apart from some aching at the front after long runs, which I put down to my old shoes. "
        "Last Sunday I was on a muddy trail, slipped on a root and landed awkwardly, and since "
        "then I honestly can't put any weight on my left leg without it buckling. I've been "
        "icing it and resting. Do you think new shoes would help, and when can I run again?"
    )
    reply = conversation.texts(story)
    assert EMERGENCY in reply  # can't bear weight after a fall: the emergency department
    assert "Call 999 or go to A&E now" in reply and PHONE in reply
    assert conversation.tracker().active_loop_name is None  # no questions after an emergency
    parsed = conversation.tracker().latest_message.parse_data
    flags = {flag["name"] for flag in parsed["red_flag_detector"]["red_flags"]}
    assert {"cannot_bear_weight", "giving_way"} <= flags


@pytest.mark.parametrize(
    "message",
    [
        "no swelling and it doesn't lock, it just aches at the front after long runs",
        "my knee has never given way, there's no numbness, it's just sore on the outside after 10k",
    ],
)
def test_a_denied_red_flag_does_not_trigger_the_advice(conversation, message):
    conversation.say("hi")
    reply = conversation.texts(message)
    assert reply  # some answer...
    assert not is_urgent_advice(reply)  # ...but not urgent-care advice
    assert conversation.latest_intent() != "report_red_flag"


def test_red_flag_after_a_normal_exchange_and_the_conversation_goes_on(conversation):
    conversation.say("hi")
    assert "Saturday: 09:00–13:00" in conversation.texts("when are you open?")
    reply = conversation.texts("also my calf is swollen and I'm a bit short of breath")
    assert reply.startswith(EMERGENCY)
    assert "blood clot in the lungs" in reply
    # After the advice the user can still ask something else.
    assert "12 Example Street" in conversation.texts("where is the clinic?")


def test_red_flag_in_a_booking_request_gets_the_advice_and_the_classifiers_intent_is_kept(conversation):
    reply = conversation.texts("i want to book an appointment, my knee keeps giving way")
    assert URGENT_TODAY in reply
    parsed = conversation.tracker().latest_message.parse_data
    assert parsed["intent"]["name"] == "report_red_flag"
    detector = parsed["red_flag_detector"]
    assert detector["action"] == "forced"
    # What the classifier itself said is kept for staff, and its ranking below the forced intent.
    assert detector["classifier_intent"]["name"] and detector["classifier_intent"]["confidence"] > 0
    assert len(parsed["intent_ranking"]) > 1
    assert [e["value"] for e in parsed["entities"] if e["entity"] == "red_flag"] == ["giving_way"]


@pytest.mark.parametrize(
    "message,level",
    [
        ("had a cortisone injection in my knee last week and now its hot and throbbing", "same_day"),
        ("had an arthroscopy 8 days ago and the scar is weeping and red", "same_day"),
        ("after the crash my foot is pale and cold", "emergency"),
        ("my knee pain is worse at night and ive been losing weight without dieting", "soon"),
        ("my 14 year old daughter is limping and says her knee and thigh ache", "same_day"),
    ],
)
def test_the_issues_missing_red_flags_get_advice_at_their_level(conversation, message, level):
    reply = conversation.texts(message)
    assert conversation.slot("triage_level") == level
    assert {"emergency": EMERGENCY, "same_day": URGENT_TODAY, "soon": "within the next few days"}[level] in reply


def test_a_question_about_locking_gets_an_answer_not_the_alarm(conversation):
    reply = conversation.texts("what does it mean when a knee locks?")
    assert reply and not is_urgent_advice(reply)
    assert conversation.slot("triage_level") is None
