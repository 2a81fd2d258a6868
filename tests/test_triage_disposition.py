"""The disposition rule (clinic/disposition.py) and its words: the level from triage answers
and red flags, and the advice each level gives with the country's routes."""

import pytest

from clinic.disposition import (
    EMERGENCY,
    LEVELS,
    PHYSIO,
    QUESTIONS,
    SAME_DAY,
    SELF_CARE,
    SOON,
    Disposition,
    advice,
    decide,
    flag_finding,
    questions_to_ask,
)
from clinic.safety import detect_red_flags
from clinic.settings import CARE_ROUTES, care_routes

CALM = {
    "pain_location": "front",
    "triage_onset": "gradual",
    "triage_duration": "under_1_week",
    "triage_swelling": "none",
    "triage_instability": "no",
    "triage_impact": "running_only",
    "triage_night_pain": "no",
    "triage_unwell": "no",
    "triage_surgery": "no",
}


def level(**changes):
    return decide({**CALM, **changes}).level


def test_a_recent_mild_niggle_is_self_care_and_not_sure_changes_nothing():
    assert level() == SELF_CARE
    assert level(**{slot: "unsure" for slot in CALM}) == SELF_CARE


@pytest.mark.parametrize(
    "changes,expected",
    [
        # emergency
        ({"triage_onset": "injury", "triage_impact": "cannot_bear_weight"}, EMERGENCY),
        ({"triage_unwell": "fever", "triage_swelling": "mild"}, EMERGENCY),
        # same day
        ({"triage_impact": "cannot_bear_weight"}, SAME_DAY),
        ({"triage_instability": "locked"}, SAME_DAY),
        ({"triage_onset": "injury", "triage_instability": "yes"}, SAME_DAY),
        ({"triage_swelling": "major"}, SAME_DAY),
        ({"triage_unwell": "fever"}, SAME_DAY),
        ({"triage_surgery": "recent", "triage_swelling": "mild"}, SAME_DAY),
        ({"triage_age": "child", "triage_impact": "limping"}, SAME_DAY),
        ({"triage_age": "teen", "triage_impact": "limping"}, SAME_DAY),  # a growing hip until 18
        ({"triage_age": "teen"}, SELF_CARE),  # a 17-year-old's mild ache: not a child's growing knee
        ({"triage_onset": "injury", "triage_age": "older"}, SAME_DAY),  # Ottawa: X-ray from 55
        # An old injury (hurting over three weeks): giving way is soon, no Ottawa X-ray
        ({"triage_onset": "injury", "triage_instability": "yes", "triage_duration": "over_3_weeks"}, SOON),
        ({"triage_onset": "injury", "triage_age": "older", "triage_duration": "over_3_weeks"}, PHYSIO),
        # within days
        ({"triage_night_pain": "yes", "triage_unwell": "unwell"}, SOON),
        ({"triage_night_pain": "yes"}, SOON),
        ({"triage_instability": "yes"}, SOON),  # episodes that settle, no injury
        ({"triage_swelling": "recurring", "triage_duration": "over_3_weeks"}, SOON),
        # physio
        ({"triage_duration": "over_3_weeks"}, PHYSIO),
        ({"triage_swelling": "mild"}, PHYSIO),
        ({"triage_instability": "catches"}, PHYSIO),
        ({"triage_impact": "daily_life", "triage_duration": "1_to_3_weeks"}, PHYSIO),
        ({"triage_impact": "daily_life"}, SELF_CARE),  # stairs sore for days after a race
        ({"triage_age": "child"}, PHYSIO),  # a child's knee pain without a limp or hip pain
    ],
)
def test_each_finding_of_the_level_spec(changes, expected):
    assert level(**changes) == expected


def test_the_most_urgent_finding_wins_and_its_reasons_are_given():
    decision = decide({**CALM, "triage_duration": "over_3_weeks", "triage_swelling": "major"})
    assert decision.level == SAME_DAY
    assert decision.reasons and all("three weeks" not in r for r in decision.reasons)


def test_red_flags_in_words_combine_with_answers():
    flags = [flag_finding(f) for f in detect_red_flags("after the crash my foot is pale and cold")]
    assert decide(CALM, flags).level == EMERGENCY
    flags = [
        flag_finding(f)
        for f in detect_red_flags("my knee pain is worse at night and ive been losing weight without dieting")
    ]
    assert decide(CALM, flags).level == SOON
    settled = [
        flag_finding(f)
        for f in detect_red_flags("my knee gives way every couple of weeks when I turn, then it's fine again")
    ]
    assert decide(CALM, settled).level == SOON
    once = [flag_finding(f) for f in detect_red_flags("my knee buckled once on a step last week, no problems since")]
    assert decide(CALM, once).level == SOON
    # ...but one that gave way this morning, or since a twist yesterday, is same day
    for text in ("it gave way on the stairs this morning", "twisted it yesterday and now it gives way when I walk"):
        assert decide(CALM, [flag_finding(f) for f in detect_red_flags(text)]).level == SAME_DAY, text
    for text in (
        "it has given way a few times on descents sore for a day then it settles; right now it feels fine",
        "as a fell runner my knee jams every couple of weeks, I wiggle it and it clunks free, fine in between",
        "only sore when it jams, which is after long descents",  # a habit, not stuck now
        "old ACL tear, never fixed, it gives way on technical descents",  # a habit, years after
        "it has given way three times this month, each time fine again in a minute; right now it's moving fine",
        "now and then it gets stuck when I crouch and I wiggle it free, it's fine at the moment",
    ):
        assert decide(CALM, [flag_finding(f) for f in detect_red_flags(text)]).level == SOON, text


def ask(answers, flags=(), ask_age=False):
    from tests.support.domain import merged

    slots = merged()["slots"]
    return questions_to_ask(answers, flags, {slot: slots[slot]["values"] for slot in QUESTIONS}, ask_age)


def test_questions_only_those_that_can_still_change_the_level_and_are_open():
    assert ask({}, [("deformity", EMERGENCY, "kneecap")], ask_age=True) == []
    # Locked now after an injury (same day): what could make it an emergency (not bearing
    # weight; a fever, with a swollen knee).
    assert ask({"triage_onset": "injury"}, [("locking", SAME_DAY, "locks")]) == [
        "triage_swelling",
        "triage_impact",
        "triage_unwell",
    ]
    routine = ask({"pain_location": "front"})
    assert routine[0] == "triage_onset" and "pain_location" not in routine
    assert "triage_age" not in routine
    assert "triage_age" in ask({}, ask_age=True)
    assert ask({})[0] == "pain_location"  # at the routine levels it picks the explanation


def test_a_question_that_cannot_change_the_level_is_not_asked():
    # Over three weeks (physio), no swelling, no fever: a recent operation alone is physio too,
    # and how long is known; night pain, instability and daily life could still raise it.
    known = {
        "pain_location": "outside",
        "triage_onset": "gradual",
        "triage_duration": "over_3_weeks",
        "triage_swelling": "none",
        "triage_unwell": "no",
    }
    assert ask(known) == ["triage_instability", "triage_impact", "triage_night_pain"]
    # Self-care so far: a recent operation alone would make it physio, so it is asked.
    assert "triage_surgery" in ask({**known, "triage_duration": "under_1_week"})
    # A swelling not yet answered could combine with a recent operation (same day).
    assert "triage_surgery" in ask({**known, "triage_swelling": None})


ROUTES = CARE_ROUTES["GB"]


def words(level_name, reasons=None, **kwargs):
    return advice(Disposition(level_name, reasons or []), ROUTES, "Example Physio", "+1 555 0100", **kwargs)


def test_each_level_has_its_own_words_and_next_step():
    texts = {
        name: words(name, ["it has been hurting for more than about three weeks"] if name in (PHYSIO,) else None)
        for name in LEVELS
    }
    assert "Call 999 or go to A&E now" in texts[EMERGENCY]
    assert "checked today" in texts[SAME_DAY] and "NHS 111" in texts[SAME_DAY]
    assert "minor injuries unit" in texts[SAME_DAY]
    assert "within the next few days" in texts[SOON]
    assert "assessed by a physio" in texts[PHYSIO] and "three weeks" in texts[PHYSIO]
    assert "1-2 weeks" in texts[SELF_CARE] and "book a physio" in texts[SELF_CARE]
    assert len(set(texts.values())) == 5
    for text in texts.values():
        assert "not a diagnosis" in text
        assert "mg" not in text and "ibuprofen" not in text.lower()


def test_not_sure_where_to_go_never_points_only_to_the_clinic():
    for open_now in (True, False, None):
        text = words(SAME_DAY, clinic_open=open_now)
        assert "If you're not sure where to go, contact NHS 111" in text
    assert "Example Physio" not in words(SAME_DAY, clinic_open=False)


@pytest.mark.parametrize(
    "country,number,route",
    [("GB", "999", "NHS 111"), ("NL", "112", "huisartsenpost"), ("US", "911", "urgent care center")],
)
def test_the_clinics_country_names_its_emergency_number_and_urgent_route(country, number, route):
    routes = care_routes({"country": country})
    text = advice(Disposition(SAME_DAY), routes, "X", "1") + advice(Disposition(EMERGENCY), routes, "X", "1")
    assert f"call {number}" in text.lower() and route in text


def test_a_clinic_can_override_a_route():
    routes = care_routes({"country": "GB", "urgent_care": {"urgent_line": "the Sampletown urgent line"}})
    assert routes["urgent_line"] == "the Sampletown urgent line" and routes["emergency_number"] == "999"


def test_a_fever_in_one_message_and_a_hot_swollen_knee_in_another_is_an_emergency():
    earlier = [flag_finding(f) for f in detect_red_flags("my knee is hot and swollen")]
    assert decide(CALM, earlier).level == SAME_DAY
    later = [flag_finding(f) for f in detect_red_flags("i've been shivery with a temperature")]
    assert decide(CALM, earlier + later).level == EMERGENCY
    assert decide({**CALM, "triage_unwell": "fever"}, earlier).level == EMERGENCY


def test_words_no_question_asks_about_still_count():
    from clinic.disposition import findings_in_words

    stiff = findings_in_words(["my knee is swollen and stiff every morning for about an hour"])
    assert decide(CALM, stiff).level == SOON
    rested = findings_in_words(["rested it for 3 weeks and it still hurts when I run"])
    assert decide(CALM, rested).level == PHYSIO
    assert findings_in_words(["bit stiff after my long run"]) == []
    replaced = findings_in_words(["my knee was replaced eight years ago and lately it aches and puffs up"])
    assert decide(CALM, replaced).level == SOON
    assert findings_in_words(["replaced my trainers last week and my knee hurts"]) == []


def test_a_minor_knock_settles_with_self_care_but_a_pop_or_any_other_finding_makes_it_physio():
    from clinic.disposition import findings_in_words

    knock = {**CALM, "triage_onset": "injury"}
    assert decide(knock).level == SELF_CARE
    assert decide(knock, findings_in_words(["twisted it on a kerb and felt a pop"])).level == PHYSIO
    assert decide({**knock, "triage_swelling": "mild"}).level == PHYSIO
    assert decide({**knock, "triage_duration": "1_to_3_weeks"}).level == PHYSIO
    assert decide({**knock, "triage_swelling": "unsure"}).level == PHYSIO  # not known to be minor
    # A pop with no injury (a painless noise) is not a finding.
    assert decide(CALM, findings_in_words(["my knee pops when I squat"])).level == SELF_CARE
    assert decide(knock, findings_in_words(["banged it on a table, it didn't pop, no swelling"])).level == SELF_CARE


def test_after_an_injury_the_age_is_asked_since_from_55_it_decides_an_x_ray():
    assert "triage_age" in ask({"triage_onset": "injury", "triage_swelling": "none"})
    assert "triage_age" not in ask({"triage_onset": "gradual", "triage_swelling": "none"})


@pytest.mark.parametrize(
    "typed,group",
    [("15", "child"), ("17", "teen"), ("she's 16", "teen"), ("18", "adult"), ("54", "adult"), ("55", "older")],
)
def test_age_groups_match_the_rule_and_ottawa_starts_at_55(typed, group):
    from clinic.text.triage_answers import read_age

    assert read_age(typed) == group


def test_feeling_unwell_is_asked_below_an_emergency_whatever_else_is_known():
    """Its typed answer is where breathlessness or chest pain come up (a red flag of the words)."""
    assert "triage_unwell" in ask(
        {"triage_onset": "gradual", "triage_swelling": "none"}, [("dvt_signs", SAME_DAY, "calf")]
    )
