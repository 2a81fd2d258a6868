"""Reading typed triage answers, and the recommendation rule (no model needed)."""
from datetime import date
from pathlib import Path

import pytest
import yaml

from actions import triage_answers as answers
from actions.triage import PHYSIO, SELF_CARE, URGENT, in_words, recommend

TODAY = date(2026, 11, 22)  # a Sunday

# What a runner types -> the slot value. None: not readable, the question is asked again.
LOCATIONS = [
    ("the outside", "outside"), ("on the outer side", "outside"), ("lateral", "outside"),
    ("it's my IT band i think", "outside"), ("inside", "inside"), ("inner bit, medial", "inside"),
    ("front", "front"), ("around my kneecap", "front"), ("behind the kneecap", "front"),
    ("just below the kneecap", "below_kneecap"), ("under my knee cap", "below_kneecap"),
    ("the tendon", "below_kneecap"), ("behind the knee", "behind"), ("back of it", "behind"),
    ("outside and a bit at the front", "outside"), ("not sure", "unsure"),
    ("all over really", "unsure"), ("the whole knee", "unsure"), ("banana", None), ("", None),
]

DURATIONS = [
    ("2 days", "under_1_week"), ("a few days", "under_1_week"), ("since saturday", "under_1_week"),
    ("yesterday", "under_1_week"), ("less than a week", "under_1_week"),
    ("about a week", "1_to_3_weeks"), ("10 days", "1_to_3_weeks"), ("2-3 weeks", "1_to_3_weeks"),
    ("a couple of weeks", "1_to_3_weeks"), ("a fortnight", "1_to_3_weeks"),
    ("since last week", "1_to_3_weeks"), ("three weeks", "1_to_3_weeks"),
    ("more than 3 weeks", "over_3_weeks"), ("6 weeks", "over_3_weeks"),
    ("a couple of months", "over_3_weeks"), ("since march", "over_3_weeks"),
    ("on and off for a year", "over_3_weeks"), ("ages", "over_3_weeks"),
    ("worse for 3 days but there for 2 months", "over_3_weeks"),
    ("dunno", "unsure"), ("since my marathon", None), ("purple", None),
]

SWELLING = [
    ("no", "none"), ("nope", "none"), ("not swollen", "none"), ("it hasn't swollen at all", "none"),
    ("a little after runs", "mild"), ("a bit puffy", "mild"), ("not much", "mild"),
    ("no, just slightly after long runs", "mild"), ("a bit, not a lot", "mild"),
    ("yes a lot", "major"), ("it swelled up really quickly", "major"), ("huge", "major"),
    ("swelled up massively after my run", "major"),
    ("not sure", "unsure"),
    ("yes", answers.UNCLEAR_YES), ("it's swollen", answers.UNCLEAR_YES), ("hmm", None),
]

INSTABILITY = [
    ("no", "no"), ("never", "no"), ("it doesn't lock or give way", "no"),
    ("nope, neither", "no"),
    ("it clicks sometimes", "catches"), ("no but it clicks", "catches"),
    ("it doesn't lock but it catches now and then", "catches"), ("feels a bit wobbly", "catches"),
    ("yes", "yes"), ("yes sometimes", "yes"), ("it locked twice", "yes"),
    ("it gives way on stairs", "yes"), ("it doesn't lock but it does give way", "yes"),
    ("not sure", "unsure"), ("what", None),
]

IMPACT = [
    ("no, mainly when i run", "running_only"), ("only when running", "running_only"),
    ("no", "running_only"), ("not getting worse", "running_only"),
    ("yes", "daily_life"), ("stairs are bad", "daily_life"), ("it wakes me at night", "daily_life"),
    ("getting worse every week", "daily_life"), ("only running, not on stairs", "running_only"),
    ("hurts walking to work", "daily_life"), ("not sure", "unsure"), ("blue", None),
]


@pytest.mark.parametrize("text,expected", LOCATIONS)
def test_reads_where_it_hurts(text, expected):
    assert answers.read_location(text) == expected


@pytest.mark.parametrize("text,expected", DURATIONS)
def test_reads_how_long(text, expected):
    assert answers.read_duration(text, today=TODAY) == expected


@pytest.mark.parametrize("text,expected", SWELLING)
def test_reads_swelling(text, expected):
    assert answers.read_swelling(text) == expected


@pytest.mark.parametrize("text,expected", INSTABILITY)
def test_reads_locking_and_giving_way(text, expected):
    assert answers.read_instability(text) == expected


@pytest.mark.parametrize("text,expected", IMPACT)
def test_reads_daily_impact(text, expected):
    assert answers.read_impact(text) == expected


# The describing message counts only clear statements.
DESCRIPTIONS = [
    ("my knee hurts on the outside of my knee for 3 weeks, no swelling",
     {"pain_location": "outside", "triage_duration": "1_to_3_weeks", "triage_swelling": "none"}),
    ("pain below my kneecap since march, worse on stairs",
     {"pain_location": "below_kneecap", "triage_duration": "over_3_weeks",
      "triage_impact": "daily_life"}),
    ("I run 5 days a week outside and my knee hurts after long runs", {}),
    ("knee pain training for a 10k in 3 weeks", {}),
    ("it clicks and aches at the front of the knee for the past 2 months",
     {"pain_location": "front", "triage_duration": "over_3_weeks", "triage_instability": "catches"}),
    ("my knee doesn't lock, it just aches", {}),
    ("knee pain for about 10 days, a bit swollen after runs",
     {"triage_duration": "1_to_3_weeks", "triage_swelling": "mild"}),
]


@pytest.mark.parametrize("text,expected", DESCRIPTIONS)
def test_the_describing_message_fills_only_what_it_clearly_says(text, expected):
    found = {slot: readers[1](text) for slot, readers in answers.READERS.items()}
    assert {slot: value for slot, value in found.items() if value is not None} == expected


def test_every_value_the_readers_give_is_a_value_of_the_slot_in_the_domain():
    domain = yaml.safe_load((Path(__file__).parents[1] / "domain.yml").read_text())
    samples = {"pain_location": LOCATIONS, "triage_duration": DURATIONS,
               "triage_swelling": SWELLING, "triage_instability": INSTABILITY,
               "triage_impact": IMPACT}
    required = domain["forms"]["triage_form"]["required_slots"]
    assert sorted(required) == sorted(answers.READERS)
    for slot, table in samples.items():
        allowed = {str(v) for v in domain["slots"][slot]["values"]}
        produced = {str(v) for _, v in table if v not in (None, answers.UNCLEAR_YES)}
        assert produced <= allowed, slot


# --- the recommendation -----------------------------------------------------------------------
def test_a_recent_mild_niggle_is_self_care():
    assert recommend({"triage_duration": "under_1_week", "triage_swelling": "none",
                      "triage_instability": "no", "triage_impact": "running_only"}) == (SELF_CARE, [])


def test_not_sure_answers_alone_do_not_change_the_outcome():
    outcome, _ = recommend({"pain_location": "unsure", "triage_duration": "unsure",
                            "triage_swelling": "unsure", "triage_instability": "unsure",
                            "triage_impact": "unsure"})
    assert outcome == SELF_CARE


@pytest.mark.parametrize("slot,value", [
    ("triage_duration", "over_3_weeks"), ("triage_swelling", "mild"),
    ("triage_instability", "catches"), ("triage_impact", "daily_life")])
def test_persisting_swelling_catching_or_daily_impact_means_see_a_physio(slot, value):
    outcome, reasons = recommend({"triage_duration": "1_to_3_weeks", slot: value})
    assert outcome == PHYSIO and len(reasons) == 1


@pytest.mark.parametrize("slot,value", [("triage_swelling", "major"), ("triage_instability", "yes")])
def test_big_swelling_or_locking_and_giving_way_is_urgent_whatever_else(slot, value):
    outcome, reasons = recommend({"triage_duration": "over_3_weeks", "triage_impact": "daily_life",
                                  slot: value})
    assert outcome == URGENT
    assert reasons and all("three weeks" not in reason for reason in reasons)


def test_reasons_read_as_a_sentence():
    assert in_words(["a"]) == "a"
    assert in_words(["a", "b", "c"]) == "a, b and c"
