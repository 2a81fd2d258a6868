"""Is this message the user's own (or their child's) knee trouble, now? (issue #12, #11 item 3)

`clinic.safety.describes_own_pain` decides whether RedFlagDetector tags `own_pain`, and so
whether the triage starts when the classifier picked another intent (data/rules/triage.yml).
The phrasings below were written for this test from how runners talk (fragments, UK/US
slang, texting, non-native English, stories with a question attached, negations of other
symptoms) before the function was changed, not taken from any held-out or vignette file.
The controls are general questions, other people's or settled stories, hypotheticals and
knees that are fine: tagging them would start a triage nobody asked for.
"""

import pytest

from clinic.safety import describes_own_pain

OWN_PAIN = [
    # --- fragments
    "knee pain",
    "sore knee",
    "bad knee",
    "knee pain again",
    "knee. again.",
    "achy knees after runs",
    "left knee sore",
    "dodgy knee",
    "knee niggle",
    "patella pain",
    "pain around my kneecap",
    "kneecap pain when running downhill",
    "IT band pain",
    "ITB flaring up again",
    "tight IT band, outside of my knee",
    "the back of my knee",
    "back of the knee aches after long runs",
    "outside of my knee",
    "inside of my knee sore",
    "under the kneecap, sharp",
    "right knee hurts on stairs",
    "knees ache after runs",
    "sore knee since sunday's long run",
    "patellar tendon pain",
    "pain below my kneecap when I jump",
    "runner's knee I think",
    # --- playing up, gone, feels weird
    "knee's been playing up",
    "my knee's gone again",
    "my knee is acting up",
    "my knee has been giving me grief",
    "knee is giving me gyp",
    "my knee flared up on my tempo run",
    "my knee feels weird",
    "my knee feels off",
    "knee doesn't feel right",
    "my knee is not right since the half",
    "my knee feels stiff",
    "knee feels tight after running",
    "my knee is clicky and sore",
    "my knee is really creaky",
    "my knees are knackered",
    "my knee is wrecked after the marathon",
    "my knee is killing me",
    "my knee is bothering me",
    "ive got this niggle in my knee",
    "I've got a twinge in my knee",
    "twinges in my left knee on downhills",
    "my knee throbs after parkrun",
    "dull ache in my knee",
    "sharp pain in my knee when I squat",
    "burning pain on the outside of my knee",
    "stabbing pain behind my kneecap",
    "my knee is tender to touch",
    "my knee feels bruised inside",
    "having trouble with my knee",
    "I have knee problems",
    "knee issues since I started running",
    "I hurt my knee",
    "I think I've injured my knee",
    "tweaked my knee on a trail run",
    "strained my knee yesterday",
    # --- UK / US, races and apps
    "my knee's been grumbling since parkrun",
    "knee's a bit knackered after the Great North Run",
    "my knee started aching on week 5 of couch to 5k",
    "Strava says 60k this week and my knee says no",
    "my knee is sore after the marathon block",
    "knee started hurting at mile 8 of my long run",
    "my knee hurts after my PT session",
    "knee's been achy since I switched sneakers",
    # --- a child
    "my son's knee hurts",
    "my daughter's knees ache after netball",
    "my kid has knee pain after football",
    "my 12 year old says his knee hurts when he runs",
    "my son keeps complaining about his knee",
    "our daughter has a sore knee from cross country",
    # --- non-native English
    "my knee is paining",
    "I have pain in knee",
    "knee is hurting since two weeks",
    "when I do running the knee makes pain",
    "I am having knee pain from 3 days",
    "pain is coming in my knee after run",
    "my knee giving pain while climbing stairs",
    "knee paining after jogging",
    "I feel pain on my knee when I run long",
    # --- texting
    "knee hurts rn",
    "ngl my knee is killing me",
    "kneee hurts",
    "my kne hurts",
    "knee sore 2day",
    "knee is sooo sore",
    "my knees r aching",
    "knee pain w/ running",
    "ugh knee hurts again",
    "knee's been meh lately, bit achy",
    "tbh my knee has been sore af since sat",
    # --- with a question attached
    "my knee hurts after running, should i stop?",
    "knee's sore after my long run, ice or heat?",
    "my knee aches on the stairs, is it runner's knee?",
    "can I still run? mine's been aching for a week, the knee I mean",
    "my knee hurts when I run, what shoes should I get?",
    "is it normal that my knee aches after every run?",
    "why does my knee hurt after running?",
    "what can I do about my sore knee?",
    "how long should I rest my knee? it hurts on the outside",
    "my knee has been sore for a month, when should I see a physio?",
    "should I take painkillers for my knee pain?",
    "can you help with my knee? it hurts",
    "why is my kneecap sore after hills",
    # --- negations of other things
    "knee doesn't swell, just aches",
    "no swelling but my knee hurts",
    "my knee isn't swollen, it just hurts on the outside",
    "not swollen, not locking, my knee is just sore",
    "it doesn't give way, my knee just aches when I run",
    "my knee doesn't click, it aches",
    "no injury, my knee just started hurting",
    "didn't fall or anything, knee just hurts",
    # --- long stories
    "Been running about 3 years, upped my mileage for a half, and now the outside of my knee "
    "aches from about 5k in. Stretching doesn't help. Any ideas?",
    "So I did my first trail race on Saturday, lots of downhill, and since then my knees are "
    "really sore, especially going downstairs.",
    "I started couch to 5k six weeks ago and I was loving it but my right knee has started to hurt "
    "at the front, is that normal?",
    "My knee was fine until last week, now it hurts every time I run",
    "had knee pain in 2019 and it's back again now",
    "I used to run pain free, but now my knee hurts",
    "my knee pain came back after my run today",
    "Hi, I have had knee pain since last year and it's getting worse",
]

NOT_OWN_PAIN = [
    # --- general questions
    "why do knees hurt after running?",
    "what causes knee pain in runners?",
    "is knee pain common in marathon runners?",
    "how do I prevent knee pain?",
    "does running ruin your knees?",
    "what is IT band syndrome?",
    "what does patella pain mean?",
    "can you tell me about runner's knee?",
    "what are good exercises for strong knees?",
    "a lot of runners get sore knees, right?",
    "knee pain in runners is usually overuse, isn't it?",
    "do people with sore knees need special shoes?",
    "should runners with knee pain take a rest day?",
    # --- someone else, or long ago
    "my friend's knee hurt after her marathon last year",
    "my husband had knee surgery years ago",
    "I had knee pain in 2012, fine since",
    "knee pain in 2012, fine since",
    "I had knee pain years ago but it's fine now",
    "my knee hurt during the marathon in 2019",
    "my sister's knee was sore after her run last week but she is fine now",
    "my running buddy says his knee aches, what should I tell him?",
    # --- fine now
    "my knee was fine today",
    "my knee felt great on my run",
    "my knee felt fine on the run, no pain at all",
    "my knee doesn't hurt, I just want new shoes",
    "no knee pain, just want a training plan",
    "my knee pain is gone",
    "my knee stopped hurting last week",
    "my knee hasn't hurt since I changed shoes",
    "my knee is much better now, thanks",
    "knee pain used to bother me but not anymore",
    "never had knee pain, how do I keep it that way?",
    "my knees are fine thanks",
    "my knees are fine, my hamstring is sore",
    "my ankle hurts, my knee is fine",
    "my knee feels good after the physio exercises",
    # --- hypotheticals and plans
    "what if my knee starts hurting during the race?",
    "in case my knee gets sore on race day what should I do",
    "I want to make sure my knees don't start hurting",
    "I'm worried my knees will hurt when I start running",
    "I want to protect my knees before my first marathon",
    # --- not about pain
    "book me an appointment for my knee",
    "my coach says my knees cave in when I run",
    "I need new knee sleeves",
    "what time do you open?",
    "hi",
]


def test_the_lists_are_big_enough():
    assert len(OWN_PAIN) >= 120 and len(NOT_OWN_PAIN) >= 40


@pytest.mark.parametrize("text", OWN_PAIN)
def test_own_knee_trouble_is_recognised(text):
    assert describes_own_pain(text)


@pytest.mark.parametrize("text", NOT_OWN_PAIN)
def test_questions_others_history_and_fine_knees_are_not(text):
    assert not describes_own_pain(text)
