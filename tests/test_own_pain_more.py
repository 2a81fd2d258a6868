"""More ways runners tell their own knee trouble without the usual pain words (issue #12:
every own-pain opening starts the triage): formal messages, fragments of facts, a condition
that came back, slang for a knee that is not right. Written for this file before
`clinic.safety.describes_own_pain` was widened, in our own words (not taken from any
held-out, vignette or training file), with controls that must stay untagged."""

import pytest

from clinic.safety import describes_own_pain

OWN_TROUBLE = [
    "Left knee, outside, about 3 weeks now.",
    "right knee. front. since the marathon",
    "I was diagnosed with runner's knee last year and it's come back",
    "knee went funny on my run this morning",
    "my knee's gone weird since I upped my mileage",
    "Dear team, I have been experiencing discomfort in my left knee following my runs.",
    "experiencing some knee discomfort when running downhill",
    "I can only run about 2 miles before my knee stops me",
    "my knee won't let me run more than 20 minutes",
    "the ITB thing is back",
    "Runner's knee. Again.",
    "I'm struggling with my knee at the moment",
    "my knees have been rough since the ultra",
    "knee's shot after the trail race",
    "my knee is not good after running",
    "My knee doesn't feel 100%",
    "Had to stop my run halfway because of my knee",
    "knee feels off when I run downhill",
    "my left knee has been a problem since the half",
    "inner knee, 2 weeks, worse on stairs",
    "below the kneecap, started after hill repeats",
    "my knee is acting up again",
    "knee keeps letting me down on long runs",
    "my knee's been iffy for a fortnight",
    "there's something going on with my right knee when I run",
]

NOT_OWN_TROUBLE = [
    "my knee is fine now, thanks",
    "my knee's back to normal after the rest",
    "how do I know if I have runner's knee?",
    "what are the symptoms of IT band syndrome?",
    "my friend's knee gives her trouble",
    "I want to keep my knees healthy",
    "knee feels good today, no issues",
    "my knee doesn't hurt at all",
    "left knee surgery went well in 2019, fine since",
]


@pytest.mark.parametrize("text", OWN_TROUBLE)
def test_own_knee_trouble_in_other_words_is_recognised(text):
    assert describes_own_pain(text)


@pytest.mark.parametrize("text", NOT_OWN_TROUBLE)
def test_fine_knees_questions_and_others_are_not(text):
    assert not describes_own_pain(text)
