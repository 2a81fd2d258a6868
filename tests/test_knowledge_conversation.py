"""Knee questions answered through the real trained model and action server: the answer's
content, the condition said before, and the follow-up buttons."""

import re

import pytest

from clinic import intent_groups
from tests.support.chat import button_payloads

GENERIC_EXERCISES = "Planks"  # only in the general strength routine


def test_it_band_syndrome_is_explained_as_pain_on_the_outside_of_the_knee(conversation):
    reply = conversation.texts("what is IT band syndrome?")
    assert "outside of the knee" in reply
    assert "can't tell whether this is what you have" in reply
    assert conversation.slot("condition") == "itbs"


def test_exercises_after_jumpers_knee_are_the_tendon_ones(conversation):
    conversation.say("what is jumper's knee?")
    reply = conversation.texts("what exercises help with that?")
    assert "tendon" in reply.lower() and "Isometric" in reply
    assert GENERIC_EXERCISES not in reply


def test_the_condition_is_kept_for_rest_return_and_treatment_questions(conversation):
    conversation.say("what is runner's knee")
    assert "runner's knee" in conversation.texts("should i stop running or keep going?")
    assert "runner's knee" in conversation.texts("when can i start running again?")
    assert "runner's knee" in conversation.texts("what would a physio do for it?")


def test_without_a_condition_the_general_answer_is_given(conversation):
    reply = conversation.texts("what exercises can i do to strengthen my knees")
    assert "Glute bridges" in reply
    assert "jumper's knee" not in reply.lower() and "IT band" not in reply


def test_the_condition_overview_buttons_name_a_condition(conversation):
    replies = conversation.say("/ask_condition")
    payloads = button_payloads(replies)
    assert '/ask_condition{"condition": "pfps"}' in payloads  # braces survive templating
    assert "outside of the knee" in conversation.texts('/ask_condition{"condition": "itbs"}')
    assert conversation.slot("condition") == "itbs"


@pytest.mark.parametrize(
    "message", ["can i take ibuprofen for my knee pain?", "how much paracetamol should i take before a run"]
)
def test_painkiller_questions_get_no_dose_and_a_pharmacist(conversation, message):
    for _ in range(3):  # two wordings exist; neither may give a dose
        reply = conversation.texts(message)
        assert "pharmacist" in reply
        assert not re.search(r"\d\s*mg|\bmg\b", reply)


def test_out_of_scope_says_what_the_assistant_can_help_with(conversation):
    reply = conversation.texts("my ankle hurts after running")
    assert "knee" in reply and "+1 555 0100 200" in reply


KNOWLEDGE_INTENTS = intent_groups.groups()["knowledge_questions"]


def test_every_topic_is_answered_with_follow_up_buttons(conversation):
    conversation.say("hi")
    for intent in KNOWLEDGE_INTENTS:
        replies = conversation.say(f"/{intent}")
        assert replies and replies[-1].get("text"), intent
        assert 2 <= len(replies[-1].get("buttons") or []) <= 3, intent


# Typical phrasings: the answer must be the one for that topic (words found in every wording).
PHRASINGS = [
    ("why do my knees hurt after running", "core"),
    ("how much should i increase my mileage each week", "10%"),
    ("should i run with a higher cadence", "5-10%"),
    ("how should i warm up before a run", "leg swings"),
    ("how often should i replace my running shoes", "km"),
    ("what should i eat after a run to recover", "protein"),
    ("how can i prevent knee injuries", "strength"),
    ("what can i do instead of running while my knee heals", "Cycling"),
    ("should i wear a knee brace for running", "sleeve"),
    ("when should i see a physio about my knee", "2-3 weeks"),
]


@pytest.mark.parametrize("message,expected", PHRASINGS)
def test_typical_questions_get_the_answer_for_their_topic(conversation, message, expected):
    assert expected in conversation.texts(message)


def test_an_ok_after_an_answer_asks_what_else_and_a_no_thanks_is_fine(conversation):
    conversation.say("/ask_shoes")
    assert "anything else" in conversation.texts("sounds good").lower()
    reply = conversation.texts("nope").lower()
    assert "no problem" in reply or "any other questions" in reply
