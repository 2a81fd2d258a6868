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


# --- an own-pain story the classifier read as an intent that would not start the triage --------
def _detect(text, intent, confidence, described=0.1):
    from rasa.shared.nlu.training_data.message import Message

    from components.red_flags import RedFlagDetector

    ranking = [{"name": intent, "confidence": confidence}, {"name": "describe_symptoms", "confidence": described}]
    message = Message(
        data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking, "entities": []},
        output_properties={"intent", "intent_ranking", "entities"},
    )
    [processed] = RedFlagDetector(RedFlagDetector.get_default_config()).process([message])
    return processed.as_dict(only_output_properties=True)


@pytest.mark.parametrize("intent", ["stop", "goodbye", "bot_challenge", "out_of_scope", "nlu_fallback"])
def test_own_pain_read_as_an_intent_with_no_triage_rule_becomes_a_description(intent):
    parsed = _detect("had to stop my run because of my knee, it's been rubbish for weeks", intent, 0.7)
    assert parsed["intent"]["name"] == "describe_symptoms"
    assert parsed["intent_ranking"][0]["name"] == intent  # the classifier's own reading is kept
    assert [e["entity"] for e in parsed["entities"]] == ["own_pain"]


@pytest.mark.parametrize(
    "text",
    [
        "knee's fine these days, it's my achilles that's sore after runs",
        "not my knee this time, my hip aches after long runs",
        "how far should I run for my first marathon",
    ],
)
def test_out_of_scope_about_another_body_part_or_no_pain_stays_out_of_scope(text):
    assert _detect(text, "out_of_scope", 0.8)["intent"]["name"] == "out_of_scope"


def test_a_plain_stop_or_a_booking_with_own_pain_keeps_its_intent():
    assert _detect("stop", "stop", 0.99)["intent"]["name"] == "stop"
    parsed = _detect("my knee hurts, can i book an appointment", "book_appointment", 0.95)
    assert parsed["intent"]["name"] == "book_appointment"


def test_a_request_to_stop_that_mentions_the_knee_stays_a_stop():
    assert _detect("stop asking, my knee hurts too much", "stop", 0.8)["intent"]["name"] == "stop"
    assert _detect("enough questions, my knee is sore", "stop", 0.8)["intent"]["name"] == "stop"


# --- asking whether one's own knee needs a physio ------------------------------------------------
# The triage's questions are what answer "should I get my knee looked at?", so the general answer
# is followed by them (data/rules/triage.yml). Not for a supposed knee or a question with no knee.
ASKS_ABOUT_OWN_KNEE = [
    "do I need to see someone about my knee",
    "should i get my knee checked out by a physio or is it nothing",
    "is it worth getting my knees looked at, been running on them for years",
    "would a physio be able to help with my knee",
    # no body part named: in a knee assistant, the knee
    "should I get it checked? it's been aching on the outside for two weeks",
    "my mate says get it looked at if it swells. it hasn't, it's a dull ache since my long run",
]
NOT_ASKING_ABOUT_OWN_KNEE = [
    "when should I see a physio",
    "what if my knee locks, should i see someone",
    "when should a runner get their knee checked",
    "should I get it checked if my ankle hurts after runs",
    "when should I get it checked, if it ever swells?",
]


@pytest.mark.parametrize("text", ASKS_ABOUT_OWN_KNEE)
def test_asking_if_my_own_knee_needs_a_physio_is_answered_then_triaged(text):
    parsed = _detect(text, "ask_when_see_physio", 0.9)
    assert parsed["intent"]["name"] == "ask_when_see_physio"
    assert "own_pain" in [e["entity"] for e in parsed["entities"]]


@pytest.mark.parametrize("text", NOT_ASKING_ABOUT_OWN_KNEE)
def test_general_or_supposed_when_to_see_a_physio_questions_are_only_answered(text):
    assert "own_pain" not in [e["entity"] for e in _detect(text, "ask_when_see_physio", 0.9)["entities"]]


def test_my_knee_in_another_question_is_not_tagged_by_this_rule():
    assert "own_pain" not in [e["entity"] for e in _detect("is ice good for my knee", "ask_ice_heat", 0.9)["entities"]]


# --- someone at home, and pain going on since a date in the past ------------------------------
# A parent, partner or other family member the user looks after is triaged like a child (the
# age question asks "How old is the person with the knee pain?"); a friend's, a client's or a
# coach's knee is chat, not a consultation. Pain that has gone on since a past date is now.
FAMILY_OR_ONGOING = [
    "my dad's 68 and his knee has been aching after parkrun",
    "my wife's knee swells up a bit after her long runs, should she see someone?",
    "my husband keeps getting pain on the outside of his knee when he runs",
    "my mum has a sore knee since she started couch to 5k",
    "my partner's knee hurts going downstairs after runs",
    "my knee has been sore since the Berlin marathon in September 2025",
    "knee has been aching since my half last year",
    "I've had knee pain since 2024 and it's getting worse",
]
NOT_FAMILY_OR_ONGOING = [
    "my running buddy's knee hurts, what should I tell him?",
    "my coach says my knee pain is just tight quads",
    "my client has knee pain, what exercises would you suggest?",
    "my dad had knee surgery years ago",
    "my wife's knee was sore last year but she's fine now",
    "I hurt my knee in 2019, fine since",
]


@pytest.mark.parametrize("text", FAMILY_OR_ONGOING)
def test_family_and_ongoing_knee_trouble_is_recognised(text):
    assert describes_own_pain(text)


@pytest.mark.parametrize("text", NOT_FAMILY_OR_ONGOING)
def test_friends_clients_and_settled_history_are_not(text):
    assert not describes_own_pain(text)


# --- knee conditions and parts named without the word "knee" ------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "my Baker's cyst has been playing up since I upped my mileage",
        "pes anserine bursitis flaring up again after hill reps",
        "my son's Osgood-Schlatter is really sore after football",
        "my PCL is sore after the trail race",
        "the fat pad under my patella is aching",
        "plica syndrome acting up on long runs",
        "my LCL has been tender since I rolled it on a trail",
    ],
)
def test_a_knee_condition_named_without_the_word_knee_is_own_knee_trouble(text):
    assert describes_own_pain(text)


@pytest.mark.parametrize(
    "text",
    ["what is a Baker's cyst?", "can Osgood-Schlatter come back in adults?", "my achilles is sore after hills"],
)
def test_questions_about_those_conditions_and_other_body_parts_are_not(text):
    assert not describes_own_pain(text)


# --- sensations, lumps, injuries and diagnoses told in a word of their own ----------------------
@pytest.mark.parametrize(
    "text",
    [
        "I get a pulling feeling behind my knee on runs",
        "there is a lump behind my knee",
        "feels like something is loose in my knee",
        "I think I tore my meniscus",
        "I think I have ITBS",
        "runners knee flare up",
        "I have osteoarthritis in my knee and want to keep running",
        "Right knee - lateral - 3/52",
        "sprained my knee at netball last week",
    ],
)
def test_sensations_lumps_injuries_and_diagnoses_are_own_knee_trouble(text):
    assert describes_own_pain(text)


@pytest.mark.parametrize(
    "text",
    [
        "do runners get arthritis in their knees?",
        "what is a meniscus tear?",
        "my friend tore her meniscus",
    ],
)
def test_general_questions_about_those_and_others_are_not(text):
    assert not describes_own_pain(text)


@pytest.mark.parametrize(
    "text", ["what should I do if my knee hurts after running?", "what to do if my knee aches on long runs"]
)
def test_what_to_do_if_my_knee_hurts_is_a_story_not_a_supposition(text):
    # The red-flag check keeps "what should I do if my knee buckles?" quiet
    # (tests/test_safety_phrasings.py); for one's own pain it is usually happening now.
    assert describes_own_pain(text)


@pytest.mark.parametrize("text", ["my kness hurt after running", "knie pain since 2 weeks", "my knwe aches on runs"])
def test_typos_of_knee_are_the_knee(text):
    assert describes_own_pain(text)


# --- two negatives that make a positive --------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "I can't run without pain in my knee",
        "can't get through a run without my knee aching",
        "not able to run more than 5k without knee pain",
        "I never get through a long run without my knee hurting",
        "no run goes by without knee pain",
        "my knee never stops aching",
        "it never fully settles, my knee",
        "my knee has not been right since the marathon",
        "my knee has never been the same since my fall",
    ],
)
def test_pain_said_with_two_negatives_is_own_knee_trouble(text):
    assert describes_own_pain(text)


@pytest.mark.parametrize(
    "text",
    [
        "I ran 10k without any knee pain",
        "my knee doesn't hurt without a reason",
        "never had knee pain",
        "no swelling and I can run without pain in my knee",
        "never had knee trouble, I run without any pain",
    ],
)
def test_a_single_denial_is_still_a_denial(text):
    assert not describes_own_pain(text)


# Wanting one's own knee seen is a sign it is troubling the user, and a knee "bad" or "worse"
# is trouble; written before widening the check (lead, 2026-12-01).
@pytest.mark.parametrize(
    "text",
    [
        "should i get my knee checked out",
        "how long should I wait before seeing a physio about my knee",
        "i think i need to see a physio about my knee",
        "my knees been bad for 3 weeks. worth seeing a physio?",
        "do I need to get my knee looked at",
        "my knee is getting worse",
        "I'd like someone to have a look at my left knee",
    ],
)
def test_wanting_my_knee_seen_or_my_knee_being_bad_is_own_knee_trouble(text):
    assert describes_own_pain(text)


@pytest.mark.parametrize(
    "text",
    [
        "do you see knee patients?",
        "how much is a physio appointment for a knee?",
        "my physio checked my knee last year and it was fine",
        "running is bad for your knees, right?",
        "is it bad to run on concrete for my knees",
        "when should someone see a physio about knee pain?",
    ],
)
def test_general_questions_about_seeing_someone_or_bad_knees_are_not(text):
    assert not describes_own_pain(text)


# --- the classifier torn between a question and a description of one's own knee ----------------
def test_a_question_the_classifier_also_reads_as_my_own_story_is_answered_then_triaged():
    # Words the own-pain check does not know ("playing silly beggars"), a painkiller question
    # first, and the classifier 0.4 sure it is a description: the answer, then the triage.
    parsed = _detect("my knee has been playing silly beggars, should I take ibuprofen", "ask_painkillers", 0.55, 0.4)
    assert parsed["intent"]["name"] == "ask_painkillers"
    assert [e["entity"] for e in parsed["entities"]] == ["own_pain"]


@pytest.mark.parametrize(
    "text,described",
    [
        ("should runners take ibuprofen for knee pain", 0.4),  # nobody's own knee
        ("my knee has been playing silly beggars, should I take ibuprofen", 0.15),  # barely a description
        ("my physio gave me a leaflet on painkillers", 0.4),  # no knee
    ],
)
def test_a_general_question_or_a_faint_reading_gets_no_triage(text, described):
    assert _detect(text, "ask_painkillers", 0.55, described)["entities"] == []
