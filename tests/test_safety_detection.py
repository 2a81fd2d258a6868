"""The deterministic red-flag check (clinic/safety.py) on many real-sounding phrasings.

Each positive row names the flag a physio would want to see: the check must find it. Each
benign row is something runners say that is not urgent (or a red flag they deny): the
check must stay quiet, or the assistant would frighten people and its advice lose weight.
"""

import pytest

from clinic.safety import FLAG_NAMES, assess, detect_red_flags

POSITIVE = [
    # --- locking
    ("my knee keeps locking", "locking"),
    # a question without "?" that speaks of the user's own knee is still a report
    ("why does my knee keep locking", "locking"),
    ("my knee gives way unless I wear the brace, should I see someone?", "giving_way"),
    ("do I need a physio? it only locked twice today", "locking"),
    # contractions and the names runners give their operations
    ("after the crash my foot's gone cold and a bit blue", "circulation"),
    ("knee replacement 3 weeks ago, calf's tender", "after_procedure"),
    ("had a meniscus trim a week ago and the scar is oozing", "after_procedure"),
    ("acl rebuilt 2 weeks ago, the knee's hot and swollen", "after_procedure"),
    ("kneecap's popped out to the side and won't go back", "deformity"),
    ("my knee could lock at any moment, it has happened 3 times today", "locking"),
    ("i think it might have locked on my run", "locking"),
    ("i fell running on the trail and now my knee keeps giving way", "giving_way"),
    # the condition is not the red flag's own ("only when I run", "like if I squat")
    ("it hurts only when i run and then it locks, is that bad?", "locking"),
    ("my knee locks like if i squat, should i see someone?", "locking"),
    ("what does it mean when my knee gives way", "giving_way"),
    ("My knee locked up on me halfway round parkrun and I had to stop", "locking"),
    ("it lokcs every couple of days and I have to jiggle it free", "locking"),
    ("my knee gets stuck bent and I cant straighten it", "locking"),
    ("I can't fully straighten my leg since Sunday", "locking"),
    ("knee wont straighten properly after I twisted it", "locking"),
    ("it keeps catching and then locks in place", "locking"),
    ("no pain but it locks", "locking"),
    ("no pain it just locks sometimes", "locking"),
    ("It isn't sore. It locks.", "locking"),
    ("doesn't hurt much when it locks", "locking"),
    ("it never swells but it does lock", "locking"),
    ("it used to ache but now it locks", "locking"),
    ("it locks (no pain though)", "locking"),
    ("my knee doesn't hurt when I walk, but I can't straighten it", "locking"),
    ("MY KNEE LOCKED AGAIN!!", "locking"),
    ("my knee locks up at night and I have to wiggle it", "locking"),
    # --- giving way
    ("my knee buckles on the stairs", "giving_way"),
    ("the knee just gives way on me when I go down stairs", "giving_way"),
    ("my knee gave way twice on my run this morning", "giving_way"),
    ("knee keeps giveing way", "giving_way"),
    ("it gave out under me stepping off the kerb", "giving_way"),
    ("my knee gave out", "giving_way"),
    ("my left knee buckled when I landed from a jump", "giving_way"),
    ("knees buckling on the downhill bits", "giving_way"),
    ("my knee just went from underneath me", "giving_way"),
    ("my knee feels really unstable when I change direction", "giving_way"),
    ("the knee gave away going down the steps", "giving_way"),
    ("I don't have pain, my knee just gives way sometimes", "giving_way"),
    ("not painful at all, but it buckles", "giving_way"),
    ("I don't know why but it keeps giving way", "giving_way"),
    ("not sure if it's normal that my knee gives way on stairs", "giving_way"),
    ("without warning my knee gave way", "giving_way"),
    ("my knee keeps giving way - no idea why", "giving_way"),
    ("my knee went on me coming down the stairs", "giving_way"),
    ("I felt my knee go on the turn", "giving_way"),
    ("my knee locked last year, but now it gives way", "giving_way"),
    ("i want to book, my knee keeps giving way", "giving_way"),
    # --- cannot bear weight
    ("cant put weight on it", "cannot_bear_weight"),
    ("I cannot bear weight on my right leg", "cannot_bear_weight"),
    ("cant weight bear since the fall", "cannot_bear_weight"),
    ("I can't walk on it at all", "cannot_bear_weight"),
    ("i couldnt put my foot down after the tackle", "cannot_bear_weight"),
    ("unable to put any weight through my knee", "cannot_bear_weight"),
    ("it won't take my weight", "cannot_bear_weight"),
    ("I had to be carried off the pitch", "cannot_bear_weight"),
    ("i can barely stand on it", "cannot_bear_weight"),
    ("havent been able to walk properly since yesterday", "cannot_bear_weight"),
    ("it's not just sore, I can’t put weight on it", "cannot_bear_weight"),
    # --- fast or large swelling
    ("my knee swelled up like a balloon", "rapid_swelling"),
    ("my knee swelled up within an hour of my run", "rapid_swelling"),
    ("it ballooned overnight after the race", "rapid_swelling"),
    ("there's massive swelling around my kneecap", "rapid_swelling"),
    ("my knee is twice its normal size", "rapid_swelling"),
    ("the swelling came on really fast", "rapid_swelling"),
    ("my knee is so swollen I can't see my kneecap", "rapid_swelling"),
    ("it's hugely swollen and tight", "rapid_swelling"),
    ("massive knee swelling out of nowhere", "rapid_swelling"),
    ("my knee looks like a grapefruit", "rapid_swelling"),
    ("knee is realy swolen, way bigger than the other one", "rapid_swelling"),
    ("went flying on the ice and my knee is huge now", "rapid_swelling"),
    ("knee's huge", "rapid_swelling"),
    ("it's swollen to the size of a grapefruit", "rapid_swelling"),
    # --- a pop, or a fall or twist with swelling
    ("heard a pop", "pop_with_swelling"),
    ("i heard a loud pop when i turned and then it swelled", "pop_with_swelling"),
    ("felt something snap as I turned", "pop_with_swelling"),
    ("there was a crack and my knee went", "pop_with_swelling"),
    ("my knee went pop when i landed", "pop_with_swelling"),
    ("I heard it pop and now it's puffy", "pop_with_swelling"),
    ("I fell off my bike and my knee's swollen", "pop_with_swelling"),
    ("I slipped on ice, landed on my knee and it's come up swollen", "pop_with_swelling"),
    ("I tripped over a root and now there's swelling on my knee", "pop_with_swelling"),
    ("twisted my knee playing football and it's all swollen", "pop_with_swelling"),
    ("fell on the trail and my knee is a bit swollen", "pop_with_swelling"),
    ("hyperextended my knee and it swelled", "pop_with_swelling"),
    ("got knocked off my bike and my knee is swollen", "pop_with_swelling"),
    # --- deformity, kneecap out of place
    ("my knee looks deformed", "deformity"),
    ("my kneecap popped out", "deformity"),
    ("my kneecap is out of place", "deformity"),
    ("my kneecap slipped out to the side and back again", "deformity"),
    ("i think i dislocated my kneecap playing netball", "deformity"),
    ("my leg is at a weird angle below the knee", "deformity"),
    ("there's a bone sticking out", "deformity"),
    ("kneecap keeps popping out", "deformity"),
    ("I dislocated my kneecap last year, and today it popped out again", "deformity"),
    # --- infection
    ("my knee is hot, red and swollen and I feel feverish", "infection_signs"),
    ("my knee is red and warm to the touch", "infection_signs"),
    ("hot red knee and I've got the shivers", "infection_signs"),
    ("my knee is swollen and I've had a temperature since yesterday", "infection_signs"),
    ("the graze on my knee looks infected and there's pus", "infection_signs"),
    ("red streaks spreading up from the cut on my knee", "infection_signs"),
    # --- blood clot
    ("my calf is swollen and hot", "dvt_signs"),
    ("swollen calf and my ankle is puffy too", "dvt_signs"),
    ("one calf is bigger than the other since my flight", "dvt_signs"),
    ("im 3 weeks after my op and my calf is tight, swollen and painful", "dvt_signs"),
    ("I'm short of breath", "dvt_signs"),
    ("i'm struggling to breathe and my calf hurts", "dvt_signs"),
    ("I've got chest pain and feel breathless", "dvt_signs"),
    ("I get short of breath walking to the shops and my leg is swollen", "dvt_signs"),
    ("coughing up blood after my knee surgery", "dvt_signs"),
    # --- nerves
    ("pins and needles in my foot", "numbness"),
    ("my foot has gone numb after my run", "numbness"),
    ("tingling down the outside of my leg into my foot", "numbness"),
    ("I've got pins & needles in my toes", "numbness"),
    ("pins n needles in my foot wont go away", "numbness"),
    ("numbness on the front of my shin", "numbness"),
    ("I can't feel my toes properly", "numbness"),
    ("my foot keeps slapping and I can't lift my toes", "numbness"),
    ("numbess in my foot since I hurt my knee", "numbness"),
    ("can't move my toes since I hurt my knee", "numbness"),
    ("i cant wiggle my toes since the tackle", "numbness"),
    ("my foot's gone numb after the fall", "numbness"),
    ("tingling in my foot since the crash", "numbness"),
    ("pins and needles down to my foot after the fall", "numbness"),
    ("my foot feels dead", "numbness"),
    ("my toes don't move properly since I fell", "numbness"),
    # --- long, rambling messages with the red flag buried in them
    (
        "Hi there! So I've been running for about 3 years now, mostly 5k and 10k, and I started "
        "training for my first half marathon in September. Everything was going fine until about "
        "two weeks ago when I started getting a dull ache on the outside of my knee towards the end "
        "of my long runs. I rested for a few days and it seemed better. Then yesterday on a downhill "
        "section my knee suddenly buckled and I nearly went over. Is this IT band? What should I do?",
        "giving_way",
    ),
    (
        "Long story short: ran a marathon on sunday (PB!), legs were trashed as expected, quads sore, "
        "calves tight, couldn't manage stairs on monday. But today my right calf is noticeably swollen "
        "and warm compared to the left. Probably nothing but can I do a recovery jog?",
        "dvt_signs",
    ),
    (
        "i went for a run this morning, was a bit cold, wore my old shoes, and i think i need new "
        "ones. anyway knee feels ok, bit achy. oh and my foot has had pins and needles since "
        "lunchtime which is weird",
        "numbness",
    ),
    (
        "question about shoes really - I overpronate and my physio mentioned stability shoes. also "
        "not sure it matters but my knee has locked a couple of times this week when getting up "
        "from the sofa",
        "locking",
    ),
    (
        "Training for London. 40 miles a week, no injuries so far, no swelling, the usual niggles. "
        "Tempo run yesterday, felt fine, then today I can't put any weight on my left leg at all "
        "and I have no idea why. Should I just rest?",
        "cannot_bear_weight",
    ),
    # --- added for issue #12 (own wording; the issue's table is asserted separately below)
    ("my toes have gone white and icy since I fell", "circulation"),
    ("lower leg looks kind of blue and feels cold, no idea why", "circulation"),
    ("three days after my op the wound is oozing", "after_procedure"),
    ("got a steroid jab on friday and the knee is swollen and hot now", "after_procedure"),
    ("post op 2 weeks and my calf is really tender", "after_procedure"),
    ("my son is 11 and he's limping since the weekend", "child_hip_limp"),
    ("im 13 and my hip and knee hurt", "child_hip_limp"),
    ("aching knee that keeps me up at night, and I've had night sweats", "night_pain_unwell"),
    ("knee throbs in bed, and ive lost a stone without trying", "night_pain_unwell"),
    ("ive been shivery all day and my knee really hurts", "infection_signs"),
    ("my knee is warm and swollen", "infection_signs"),
    ("whacked it on a rock, deep cut and I can see bone", "deformity"),
]

BENIGN = [
    # runners' ordinary complaints
    "my knee is a bit swollen the next day after long runs",
    "slightly puffy around the kneecap after my long run",
    "I have a small bit of swelling behind the knee",
    "my knee clicks when I squat",
    "my knees crack going up stairs",
    "my kneecap pops a bit when I bend it but doesn't hurt",
    "my calves are really tight after hill sessions",
    "my calf is sore after speedwork",
    "I get out of breath on my tempo runs, is that normal",
    "I was so breathless at the end of the race",
    "my knee feels warm after a run",
    "my knee collapses inwards when I squat",
    "I can't walk down stairs without pain",
    "I can't walk far without my knee aching",
    "I can hardly walk downstairs the day after a marathon",
    "pain on the outside of my knee after 5k",
    "sharp pain below my kneecap when I jump",
    "my knee is stiff in the morning but loosens up",
    "my knee aches after long runs, what can I do",
    "it hurts on hills but I can run through it",
    "the swelling went down really quickly with rest",
    "I ice my knee until it goes numb",
    "my hands go numb in the cold on winter runs",
    "I can walk fine, it only hurts when I run",
    "I can still put weight on it no problem",
    # red flags the user denies
    "no swelling",
    "it doesn't lock",
    "never given way",
    "I ran 10k without any swelling",
    "not numb",
    "it doesn't lock or give way, it just aches",
    "my knee has never given way",
    "I've never had it lock",
    "no numbness or tingling",
    "there's no locking, clicking or swelling",
    "no swelling, locking or giving way",
    "swelling: no. locking: no. giving way: no.",
    "locking isn't a problem, it's more of a dull ache",
    "no pain, no swelling, no giving way, just stiffness",
    "it used to lock but it hasn't locked since I did the exercises",
    "there’s no numbness and it has never given way",
    "Is it normal for my knee to click without any pain?",
    # words that only look like red flags
    "I fell asleep with ice on my knee",
    "I fell behind on my training plan because my knee hurts",
    "I do a warm up before every run",
    "what shoes stop my knees caving in",
    "I can't stand running on treadmills",
    "should I buckle my knee brace tighter",
    "I want to lock in a booking for next week",
    "when do you lock up for the night",
    "toes go numb when running in new shoes",
    "knocked my knee on the table and it's a bit swollen",
    # history, not now
    "I dislocated my kneecap 3 years ago, now I want to get back to running",
    "my knee gave way once last year but it's been fine since",
    "I blew up at mile 20 of the marathon",
    "do I need to give way to cyclists on the path",
    "My physio said there is no damage to the ligaments",
    "can I book an appointment for tuesday",
    "",
    "   ",
    # long, rambling, and not urgent
    "so basically my knee hurts after runs, usually at the front, around the kneecap, worse going "
    "downstairs and after sitting for ages at my desk, no swelling, it doesn't give way, and I've "
    "been doing some squats which seem to help a bit. what else can I do?",
    "I've had knee pain on and off for ages, no swelling, no locking, nothing dramatic, but it's "
    "annoying and I want to know if I should see someone",
    # questions, hypotheticals, settled history (issue #12)
    "what does it mean when a knee locks?",
    "is giving way a sign of a ligament tear?",
    # a red flag named only as the condition for going ("only if it locks?", "unless it swells")
    "Knee aches a bit after long runs. At what point do I need a physio - only if it locks or gives way?",
    "should i see someone or wait unless it swells up",
    "had my ACL rebuilt in 2015, fine since",
    "new replacement insoles and my knee swells a little after long runs",
    "trimmed my toenails and my knee is a bit swollen",
    "i get pins and needles in my foot if i sit cross-legged for too long",
    "my knee is a bit sore, got my flu jab yesterday",
    # it only might happen: a worry, not a report
    "my knee felt like it might give way but it didn't, just tired legs i think",
    "i'm worried my knee could lock like my mate's did",
    # a negation inside the phrase, and a long-known symptom
    "both calves are tight after hill reps but my calves aren't swollen or hot",
    "I've had numb feet for years from diabetes, my knee just aches after runs",
    "had some mild knee pain after my 10k, do i only need a physio if it gives way?",
    "knee's a bit sore after runs. when do i need to worry, like if it locks?",
    # the same questions typed without a question mark, about knees in general
    "what does it mean when your knee locks",
    "why would a knee give way",
    "what causes a knee to swell up suddenly",
    "how come knees lock",
    "what if it locks??",
    "my physio said if it ever swells up or gives way I should come back",
    "I dislocated my kneecap in 2012, fine since",
    "had knee surgery years ago and it went fine",
    "had a cortisone injection 8 months ago which helped",
    "my feet get cold in winter runs",
    "I'm trying to lose weight by running at night",
    "my daughter is 14 and walking normally, her hip is fine",
    # a foot that is fine, dead legs, numbness denied, supposed or long ago
    "no numbness, I can wiggle my toes fine",
    "what if my foot goes numb?",
    "my foot went numb after a fall years ago",
    "my legs felt dead on the run",
    "dead legs after the marathon",
    "can I run if my toes go numb in cold weather?",
    "my toes went numb in the ice bath",
]

# Findings that need the emergency department / emergency number now, not only care today.
EMERGENCY = [
    "my kneecap popped out",
    "my knee looks the wrong shape",
    "tripped on a kerb and cant put any weight on it",
    "i can't stand on my leg at all after falling off the climbing wall",
    "my lower leg's gone cold and mottled since the tackle",
    "my knee is swollen and warm and i feel like i've got flu",
    "heard a pop when I twisted it and now I can't walk on it",
    "my knee just gave way and I can't put weight on it",
    "my calf is swollen and I'm short of breath",
    "chest pain since my knee operation",
    "my knee is red hot and swollen and i have a fever",
    "after the crash my foot is pale and cold",
    "my foot has gone blue and cold, I didn't hurt it",
    "got tackled and now i cant feel my foot",
    "came off my bike onto my knee and it won't bend at all",
    "my knee is hot and swollen and I've got a fever",
    "can't move my toes since I hurt my knee",
    "my foot's gone numb after the fall",
    "tingling and pins and needles in my foot since the crash",
    "foot feels dead since I twisted my knee",
]
SAME_DAY = [
    "my knee keeps locking",
    "my knee gives way",
    "I can barely walk since my run",
    "my calf is swollen and hot",
    "my knee is hot and red",
    "pins and needles in my foot",
    "heard a pop",
    "my knee swelled up like a balloon",
    "had an arthroscopy 8 days ago and the scar is weeping and red",
    "my 14 year old daughter is limping and says her knee and thigh ache",
    "temperature of 38.5 and my knee aches, it isn't red",
    "my knee is hot and swollen",
    "my foot feels dead and I don't know why",
    "i can't move my toes properly, no injury",
]


def test_the_tables_are_big_enough_and_cover_every_flag():
    assert len(POSITIVE) >= 80 and len(BENIGN) >= 40
    assert {name for _, name in POSITIVE} == set(FLAG_NAMES)


@pytest.mark.parametrize("text,flag", POSITIVE, ids=[t[:50] for t, _ in POSITIVE])
def test_red_flag_is_found(text, flag):
    found = detect_red_flags(text)
    assert flag in [f.name for f in found], f"{flag!r} not found in {text!r}: {found}"


@pytest.mark.parametrize("text", BENIGN, ids=[t[:50] or "empty" for t in BENIGN])
def test_benign_or_negated_message_is_not_a_red_flag(text):
    assert detect_red_flags(text) == []


@pytest.mark.parametrize("text", EMERGENCY)
def test_most_serious_findings_are_emergencies(text):
    assert assess(text).emergency, detect_red_flags(text)


@pytest.mark.parametrize("text", SAME_DAY)
def test_other_findings_need_care_today_not_the_emergency_department(text):
    flags = detect_red_flags(text)
    assert flags and not assess(text).emergency, flags


def test_flag_points_at_the_users_own_words():
    text = "Had a good week but yesterday my knee GAVE WAY on the stairs."
    [flag] = detect_red_flags(text)
    assert (flag.name, flag.phrase) == ("giving_way", "GAVE WAY")
    assert text[flag.start : flag.end] == flag.phrase


def test_several_flags_come_most_serious_first_once_each():
    text = "it locks, it locked again today, and my kneecap slipped out to the side"
    assert [f.name for f in detect_red_flags(text)] == ["deformity", "locking"]


def test_denied_red_flags_are_reported_as_negated():
    result = assess("no swelling and it doesn't lock")
    assert result.flags == []
    assert {m.name for m in result.negated} == {"locking"}


# The messages of issue #12's table: what a clinician expects.
ISSUE_TABLE = [
    ("had a cortisone injection in my knee last week and now its hot and throbbing", "after_procedure", False),
    ("had an arthroscopy 8 days ago and the scar is weeping and red", "after_procedure", False),
    ("after the crash my foot is pale and cold", "circulation", True),
    ("my knee pain is worse at night and ive been losing weight without dieting", "night_pain_unwell", False),
    ("my 14 year old daughter is limping and says her knee and thigh ache", "child_hip_limp", False),
]


@pytest.mark.parametrize("text,flag,emergency", ISSUE_TABLE)
def test_the_issues_missing_red_flags_are_found(text, flag, emergency):
    found = assess(text)
    assert flag in [f.name for f in found.flags] and found.emergency == emergency, found


def test_a_question_about_locking_is_not_a_report_but_a_real_one_in_the_same_message_is():
    assert detect_red_flags("what does it mean when a knee locks?") == []
    found = detect_red_flags("what does it mean when a knee locks? mine's stuck bent since this morning")
    assert [f.name for f in found] == ["locking"]


def test_a_present_or_future_year_does_not_make_a_symptom_history():
    from datetime import date

    year = date.today().year
    assert detect_red_flags("I dislocated my kneecap in 2012") == []
    assert [f.name for f in detect_red_flags(f"my kneecap dislocated in {year}")] == ["deformity"]
    assert [f.name for f in detect_red_flags(f"knee gave way in {year + 1} training camp")] == ["giving_way"]


def test_a_teenager_of_16_or_17_who_limps_is_a_child_for_the_hip_red_flag():
    """A slipped growth plate can still show up at 16 or 17."""
    for text in ("my 17 year old son is limping after football and his hip aches", "she's 16 and limping, thigh aches"):
        assert [f.name for f in assess(text).flags] == ["child_hip_limp"], text


@pytest.mark.parametrize(
    "text",
    [
        "cut my knee on a rock, it's gaping open a bit",
        "the cut on my knee is gaping",
        "fell on glass and my knee won't stop bleeding",
    ],
)
def test_a_gaping_or_bleeding_wound_is_an_open_wound_for_the_emergency_department(text):
    assert [(f.name, f.sign, f.emergency) for f in assess(text).flags] == [("deformity", "open_wound", True)]


@pytest.mark.parametrize(
    "text", ["grazed my knee, it isn't gaping, just scraped", "small cut on my knee, bleeding stopped"]
)
def test_a_small_cut_or_graze_is_not(text):
    assert not assess(text).flags
