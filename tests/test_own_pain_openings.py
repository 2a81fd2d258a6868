"""Openings of a consultation in many voices reach advice through the real trained model (issue
#12: every own-pain opening starts the triage, and the triage ends with a level). Written in
our own words for this file before running them; not taken from any held-out, vignette or
training file. Each is answered calmly until the advice."""

import pytest

from tests.test_triage_every_path import CALM, assert_ends_with_advice, run_triage

OPENINGS = [
    # formal or email-like
    "Hello, I am a 52-year-old recreational runner. For the past month I have had an ache on the inside of "
    "my right knee after runs.",
    "Good morning. I would be grateful for some advice regarding my left knee, which has become painful "
    "during my weekly long run.",
    # older runners, told by themselves or family
    "I'm 71 and still doing parkrun but my knees have started to complain on the hills",
    "my dad is 66 and his knee has been sore after his runs for a few weeks",
    "my mother does a lot of walking and running and her right knee aches in the evenings now",
    # fragments and facts
    "knee. outside. 5k in.",
    "front of knee, 10 days, worse downhill",
    "medial knee ache since the marathon",
    # venting, slang, texting
    "ugh my knee is being a total pain again, so fed up",
    "knee's rubbish, can't get past 8k without it moaning",
    "sooo my knee hates me after that trail race lol",
    "knee playing silly buggers again",
    # learners' English
    "my knee have pain in front when i running more than 5 km",
    "I feel pain on knee outside part after I run long time",
    # with a question
    "my knee aches when I run, do I need new trainers?",
    "started getting pain under my kneecap, is it ok to run through it?",
    "my knee gets sore after long runs, could it be my running form?",
    "is it normal for the outside of my knee to hurt after 10 miles? it has for 2 weeks",
    # the knee only implied, with a "should I get it checked?" (2026-12-08)
    "My coach told me to get it looked at if it ever locks or swells. It hasn't, it's only a dull ache "
    "since Saturday's hill reps.",
    "should i get it checked? its been sore on the outside for two weeks after my runs",
    # a child, for a parent
    "my 10 year old says his knee hurts after football practice",
    "our daughter's knee has been aching since she joined the running club",
]


@pytest.mark.parametrize("opening", OPENINGS)
def test_an_opening_in_any_voice_reaches_advice(conversation, opening):
    def answer(question, times):
        return "she's 10" if question == "triage_age" and "10 year old" in opening else CALM[question]

    asked = run_triage(conversation, opening, answer)
    tracker = conversation.tracker()
    assert asked or tracker.get_slot("triage_level"), f"no triage: {conversation.latest_intent()}"
    assert_ends_with_advice(conversation, asked)
