"""Runners' own words through the real trained model (issue #11): each everyday description
of one's own knee pain starts the triage questions, and a general request for help with a
knee gets an opener that asks what is going on. The messages are the ones that fell through
before; none of them is in the training data."""
import pytest

from tests.support.chat import button_payloads

TRIAGE_QUESTIONS = ("Where on the knee", "How long has it been hurting", "Has the knee swollen up",
                    "lock (get stuck", "bother you outside running")
FALLBACK_REPLY = "put it another way"

OWN_PAIN = [
    "my knee has been sore after every run this month",
    "knees have been aching on my runs lately",
    "ive had a sore knee for about six weeks from running",
    "knee pain on runs since march",
    "my knee swells a bit after runs",
    "my knee is killing me after parkrun",
    "my knee doesnt swell or lock, it just aches when i run",
]


@pytest.mark.parametrize("message", OWN_PAIN)
def test_a_description_of_ones_own_knee_pain_starts_the_triage_questions(conversation, message):
    conversation.say("hi")
    reply = conversation.texts(message)
    assert conversation.latest_intent() == "describe_symptoms"
    assert conversation.tracker().active_loop_name == "triage_form"
    assert any(question in reply for question in TRIAGE_QUESTIONS), reply
    assert FALLBACK_REPLY not in reply


@pytest.mark.parametrize("message", ["i want some advice about my knee",
                                     "can you help with my knee"])
def test_a_general_request_about_a_knee_asks_what_is_going_on(conversation, message):
    conversation.say("hi")
    replies = conversation.say(message)
    reply = "\n".join(m.get("text") or "" for m in replies)
    assert "what's going on" in reply and "where it hurts" in reply
    assert "/describe_symptoms" in button_payloads(replies)
    assert conversation.tracker().active_loop_name is None  # no questions forced on them
    # Answering the opener with a description starts the triage.
    reply = conversation.texts("it aches on the outside after long runs")
    assert conversation.tracker().active_loop_name == "triage_form"
    assert "How long has it been hurting" in reply


def test_the_sentence_encoder_puts_a_runners_words_near_what_they_mean():
    """The encoder works without Rasa (the review app clusters messages with it)."""
    import numpy as np

    from clinic.sentence_encoder import DIMENSIONS, encode

    knackered, hurts, price = encode(["my knee is knackered after parkrun",
                                      "my knee hurts after running", "how much is a session"])
    assert knackered.shape == (DIMENSIONS,)
    assert np.isclose(np.linalg.norm(knackered), 1.0, atol=1e-4)
    assert knackered @ hurts > 0.5 > knackered @ price
