"""Reading typed triage answers, and the recommendation rule (no model needed)."""

from datetime import date

import pytest

from clinic.text import triage_answers as answers

TODAY = date(2026, 11, 22)  # a Sunday

# What a runner types -> the slot value. None: not readable, the question is asked again.
LOCATIONS = [
    ("the outside", "outside"),
    ("on the outer side", "outside"),
    ("lateral", "outside"),
    ("it's my IT band i think", "outside"),
    ("inside", "inside"),
    ("inner bit, medial", "inside"),
    ("front", "front"),
    ("around my kneecap", "front"),
    ("behind the kneecap", "front"),
    ("just below the kneecap", "below_kneecap"),
    ("under my knee cap", "below_kneecap"),
    ("the tendon", "below_kneecap"),
    ("behind the knee", "behind"),
    ("back of it", "behind"),
    ("outside and a bit at the front", "outside"),
    ("not sure", "unsure"),
    ("all over really", "unsure"),
    ("the whole knee", "unsure"),
    ("banana", None),
    ("", None),
]

DURATIONS = [
    ("2 days", "under_1_week"),
    ("a few days", "under_1_week"),
    ("since saturday", "under_1_week"),
    ("yesterday", "under_1_week"),
    ("less than a week", "under_1_week"),
    ("about a week", "1_to_3_weeks"),
    ("10 days", "1_to_3_weeks"),
    ("2-3 weeks", "1_to_3_weeks"),
    ("a couple of weeks", "1_to_3_weeks"),
    ("a fortnight", "1_to_3_weeks"),
    ("since last week", "1_to_3_weeks"),
    ("three weeks", "1_to_3_weeks"),
    ("more than 3 weeks", "over_3_weeks"),
    ("6 weeks", "over_3_weeks"),
    ("a couple of months", "over_3_weeks"),
    ("since march", "over_3_weeks"),
    ("on and off for a year", "over_3_weeks"),
    ("ages", "over_3_weeks"),
    ("worse for 3 days but there for 2 months", "over_3_weeks"),
    ("dunno", "unsure"),
    ("since my marathon", None),
    ("purple", None),
]

SWELLING = [
    ("no", "none"),
    ("nope", "none"),
    ("not swollen", "none"),
    ("it hasn't swollen at all", "none"),
    ("a little after runs", "mild"),
    ("a bit puffy", "mild"),
    ("not much", "mild"),
    ("no, just slightly after long runs", "mild"),
    ("a bit, not a lot", "mild"),
    ("yes a lot", "major"),
    ("it swelled up really quickly", "major"),
    ("huge", "major"),
    ("swelled up massively after my run", "major"),
    ("not sure", "unsure"),
    ("yes", answers.UNCLEAR_YES),
    ("it's swollen", answers.UNCLEAR_YES),
    ("hmm", None),
]

INSTABILITY = [
    ("no", "no"),
    ("never", "no"),
    ("it doesn't lock or give way", "no"),
    ("nope, neither", "no"),
    ("it clicks sometimes", "catches"),
    ("no but it clicks", "catches"),
    ("it doesn't lock but it catches now and then", "catches"),
    ("feels a bit wobbly", "catches"),
    # Noises that don't hurt are common in healthy knees: not a finding.
    ("just painless clicking", "no"),
    ("it cracks a lot but doesn't hurt", "no"),
    ("it clicks and gives way, no pain", "yes"),
    ("yes", "yes"),
    ("yes sometimes", "yes"),
    ("it locked twice", "yes"),
    ("it gives way on stairs", "yes"),
    ("it's stuck now, won't straighten", "locked"),
    ("it jams sometimes but it's not stuck now", "yes"),
    ("it doesn't lock but it does give way", "yes"),
    ("not sure", "unsure"),
    ("what", None),
]

IMPACT = [
    ("no, mainly when i run", "running_only"),
    ("only when running", "running_only"),
    ("no", "running_only"),
    ("not getting worse", "running_only"),
    ("yes", "daily_life"),
    ("stairs are bad", "daily_life"),
    ("it wakes me at night", "daily_life"),
    ("getting worse every week", "daily_life"),
    ("only running, not on stairs", "running_only"),
    ("hurts walking to work", "daily_life"),
    ("walking's fine, it's only on runs", "running_only"),
    ("not sure", "unsure"),
    ("blue", None),
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
    (
        "my knee hurts on the outside of my knee for 3 weeks, no swelling",
        {"pain_location": "outside", "triage_duration": "1_to_3_weeks", "triage_swelling": "none"},
    ),
    (
        "pain below my kneecap since march, worse on stairs",
        {"pain_location": "below_kneecap", "triage_duration": "over_3_weeks", "triage_impact": "daily_life"},
    ),
    ("I run 5 days a week outside and my knee hurts after long runs", {"triage_onset": "gradual"}),
    ("knee pain training for a 10k in 3 weeks", {}),
    (
        "it clicks and aches at the front of the knee for the past 2 months",
        {"pain_location": "front", "triage_duration": "over_3_weeks", "triage_instability": "catches"},
    ),
    ("my knee doesn't lock, it just aches", {}),
    # Both locking and giving way denied, or night pain denied: said, not asked again (issue #12).
    ("it aches, it doesn't lock or give way", {"triage_instability": "no"}),
    ("sore knee, no locking or giving way", {"triage_instability": "no"}),
    ("my knee aches after runs but it's fine at night", {"triage_night_pain": "no", "triage_onset": "gradual"}),
    ("knee aches after runs, no pain at night", {"triage_night_pain": "no", "triage_onset": "gradual"}),
    (
        "knee pain for about 10 days, a bit swollen after runs",
        {"triage_duration": "1_to_3_weeks", "triage_swelling": "mild", "triage_onset": "gradual"},
    ),
    ("banged it on a gate, walked to the station normally this morning", {"triage_onset": "injury"}),
    # Settled history is not today's knee ("once, years ago, fine since"); it is asked about.
    ("my knee gave way once playing netball years ago, fine since then", {}),
    ("knee grinds when i crouch, it doesn't hurt though", {}),
    ("sore knee for a week, walking's fine", {"triage_duration": "1_to_3_weeks"}),
    # A fell runner runs on fells; an "old injury" is history; "not stuck now" is not locked.
    ("fell runner, my knee aches after long descents", {}),
    ("my knee aches this week, could it be my old injury?", {}),
    ("my knee caught a few times last month but it's not stuck now", {"triage_instability": "catches"}),
    ("my knee hurts since doing hard hill reps at parkrun", {"triage_onset": "gradual"}),
    # a walk, squats or a drive that set the ache off are not daily life; stairs are
    ("my knee aches since a long walk on sunday, no swelling", {"triage_swelling": "none"}),
    ("started squats at the gym and my knee is a bit achy, no swelling", {"triage_swelling": "none"}),
    ("my knee hurts on the stairs since my long run", {"triage_impact": "daily_life", "triage_onset": "gradual"}),
    # an old, settled episode is not how long it has hurt; a crunch that didn't hurt is not catching
    ("I had knee pain years ago, sorted by a physio, fine for ages. Now a mild ache this week.", {}),
    ("my knee gave a loud crunch when i stood up, it didn't hurt though", {}),
    # someone else's operation is not the runner's (the question is asked)
    (
        "my knee has been sore for a month, my mum had a knee replacement, am i heading that way",
        {"triage_duration": "over_3_weeks"},
    ),
    # "last night" is when it happened, not pain at night
    (
        "banged into a table in the dark last night, bruised my knee, no swelling",
        {"triage_onset": "injury", "triage_swelling": "none"},
    ),
]


@pytest.mark.parametrize("text,expected", DESCRIPTIONS)
def test_the_describing_message_fills_only_what_it_clearly_says(text, expected):
    found = {slot: readers[1](text) for slot, readers in answers.READERS.items()}
    assert {slot: value for slot, value in found.items() if value is not None} == expected


def test_every_value_the_readers_give_is_a_value_of_the_slot_in_the_domain(domain):
    samples = {
        "pain_location": LOCATIONS,
        "triage_duration": DURATIONS,
        "triage_swelling": SWELLING,
        "triage_instability": INSTABILITY,
        "triage_impact": IMPACT,
        **{slot: table for slot, (_, table) in NEW_QUESTIONS.items()},
    }
    required = domain["forms"]["triage_form"]["required_slots"]
    assert sorted(required) == sorted([*answers.READERS, "triage_red_flag_check"])
    for slot, table in samples.items():
        allowed = {str(v) for v in domain["slots"][slot]["values"]}
        produced = {str(v) for _, v in table if v not in (None, answers.UNCLEAR_YES)}
        assert produced <= allowed, slot


# The questions that decide the level (issue #12): typed answers in runners' words.
NEW_QUESTIONS = {
    "triage_onset": (
        answers.read_onset,
        [
            ("twisted it at football", "injury"),
            ("fell on it on a trail", "injury"),
            ("heard a pop when I turned", "injury"),
            ("came on slowly, no injury", "gradual"),
            ("nope, nothing happened, it just started hurting", "gradual"),
            ("didn't fall or anything", "gradual"),
            ("not sure", "unsure"),
            ("hmm", None),
        ],
    ),
    "triage_night_pain": (
        answers.read_night_pain,
        [
            ("yes it wakes me up most nights", "yes"),
            ("aches when i'm resting on the sofa", "yes"),
            ("no, sleeps fine", "no"),
            ("nope, sleeping fine", "no"),
            ("nope", "no"),
            ("only when I run", "no"),
            ("dunno", "unsure"),
        ],
    ),
    "triage_unwell": (
        answers.read_unwell,
        [
            ("had a temperature last night", "fever"),
            ("shivery and hot", "fever"),
            ("lost weight without trying and feel run down", "unwell"),
            ("night sweats", "unwell"),
            ("bit shaky and feel sick", "unwell"),
            ("yeah feeling dizzy and queasy", "unwell"),
            ("feverish since yesterday", "fever"),
            ("no, i feel fine", "no"),
            ("not sick at all", "no"),
            ("no fever", "no"),
            ("not sure", "unsure"),
        ],
    ),
    "triage_surgery": (
        answers.read_surgery,
        [
            ("had a steroid injection 2 weeks ago", "recent"),
            ("arthroscopy last month", "recent"),
            ("not recently, the operation was back in 2016", "no"),
            ("had a knee op 2019", "no"),
            ("surgery in january this year", "recent"),
            ("no", "no"),
            ("surgery years ago, fine since", "no"),
            ("cortisone jab 8 months ago", "no"),
        ],
    ),
    "triage_age": (
        answers.read_age,
        [
            ("I'm 34", "adult"),
            ("she's 14", "child"),
            ("he is 9", "child"),
            ("64", "older"),
            ("a teenager", "child"),
            ("not sure", "unsure"),
        ],
    ),
}
# Typed answers that decide between levels in the older questions too.
MORE = [
    (answers.read_impact, "can't put any weight on it", "cannot_bear_weight"),
    (answers.read_impact, "i'm limping a bit", "limping"),
    (answers.read_instability, "it's stuck bent and i can't straighten it", "locked"),
    (answers.read_swelling, "it swells up after every run and goes down in a day or two", "recurring"),
    (answers.read_swelling, "it puffs up a bit after every long run, gone by the morning", "mild"),
    # aching after a long sit is kneecap pain, not night or rest pain
    (answers.read_night_pain, "only when I've sat through a long film", "no"),
    (answers.read_night_pain, "yes after sitting at my desk for hours", "no"),
    (answers.read_night_pain, "yes it aches after sitting at my desk and it wakes me at night", "yes"),
    (answers.read_night_pain, "yes, aches at rest", "yes"),
    # an ache after a run is the run's; night pain that matters wakes you or never lets up
    (answers.read_night_pain, "a bit achy in bed after a long run", "no"),
    (answers.read_night_pain, "yes after my long runs it wakes me up", "yes"),
    (answers.read_night_pain, "yes, every night, even after rest days", "yes"),
]


@pytest.mark.parametrize(
    "slot,text,expected",
    [(slot, text, expected) for slot, (_, table) in NEW_QUESTIONS.items() for text, expected in table],
)
def test_reads_the_questions_that_decide_the_level(slot, text, expected):
    assert NEW_QUESTIONS[slot][0](text) == expected


def test_an_operation_this_year_is_recent_one_in_an_earlier_year_is_not():
    this_year = date.today().year
    assert answers.read_surgery(f"had a knee op in {this_year}") == "recent"
    assert answers.read_surgery(f"had a knee op in {this_year - 3}") == "no"


@pytest.mark.parametrize("reader,text,expected", MORE, ids=[m[1] for m in MORE])
def test_reads_what_separates_urgent_from_routine(reader, text, expected):
    assert reader(text) == expected


def test_someone_elses_knee_or_school_words_make_the_age_question_worth_asking():
    assert answers.may_be_a_child("my daughter's knee hurts after netball")
    assert not answers.may_be_a_child("my knee hurts after my long run")
    assert answers.age_in_description("my 14 year old has knee pain") == "child"
    assert answers.age_in_description("I'm 64 and my knee aches") == "older"
    assert answers.age_in_description("I ran 10k") is None


# --- "not sure" in many words, and corrections of an earlier answer (issue #12) ---------------
@pytest.mark.parametrize(
    "text",
    ["maybe", "no idea", "i don't remember", "can't recall", "not a clue", "i honestly couldn't tell you", "🤷"],
)
def test_not_sure_in_many_words_is_unsure_for_every_question(text):
    for slot, (read, _) in answers.READERS.items():
        assert read(text) == "unsure", (slot, text)


@pytest.mark.parametrize(
    "text,earlier,asked,changed",
    [
        (
            "sorry i meant 4 weeks, not 4 days",
            {"triage_duration": "under_1_week"},
            "triage_swelling",
            {"triage_duration": "over_3_weeks"},
        ),
        (
            "actually it started when i slipped on a kerb",
            {"triage_onset": "gradual"},
            "triage_impact",
            {"triage_onset": "injury"},
        ),
        (
            "wait, it's on the outside not the inside",
            {"pain_location": "inside"},
            "triage_onset",
            {"pain_location": "outside"},
        ),
        # No word of correcting, or nothing said about an earlier answer: nothing changes.
        ("4 weeks", {"triage_duration": "under_1_week"}, "triage_swelling", {}),
        ("sorry, no swelling", {"triage_duration": "under_1_week"}, "triage_swelling", {}),
    ],
)
def test_a_correction_changes_the_earlier_answer_it_speaks_of(text, earlier, asked, changed):
    assert answers.corrected_answers(text, earlier, asked) == changed
