"""Symptom triage through the real trained model and action server: typed and button
answers, the levels it ends at, and the ways in and out of the questions."""

from tests.support.chat import button_payloads

WHERE = "Where on the knee"
HOW_LONG = "How long has it been hurting"
SWOLLEN = "Has the knee swollen up"
LOCKS = "lock (get stuck"
DAILY = "bother you outside running"
STARTED = "How did it start"
NIGHT = "hurt at night"
UNWELL = "fever or shivers"
SURGERY = "operation or an injection"
URGENT = "get your knee checked today"  # the same-day advice


def test_typed_answers_lead_to_self_care_with_a_time_frame(conversation):
    conversation.say("hi")
    reply = conversation.texts("my knee hurts on the outside of my knee after long runs")
    # Where and how it started were in the description: not asked.
    assert HOW_LONG in reply and WHERE not in reply and STARTED not in reply
    assert SWOLLEN in conversation.texts("about 4 days")
    assert LOCKS in conversation.texts("no")
    assert DAILY in conversation.texts("no")
    assert NIGHT in conversation.texts("no, only when i run")
    assert UNWELL in conversation.texts("nope, sleeping fine")
    assert SURGERY in conversation.texts("no i feel fine")
    advice = conversation.texts("no")
    assert "IT band" in advice and "most commonly" in advice
    assert "1-2 weeks" in advice and "How old" not in advice  # no age question for an adult
    assert conversation.slot("triage_level") == "self_care"
    assert conversation.slot("triage_duration") == "under_1_week"


def test_button_answers_lead_to_a_physio_with_the_reasons_and_a_booking(conversation):
    conversation.say("hi")
    replies = conversation.say("my knee hurts when i run")
    assert '/inform{"pain_location": "below_kneecap"}' in button_payloads(replies)
    for payload in [
        '/inform{"pain_location": "below_kneecap"}',
        '/inform{"triage_onset": "gradual"}',
        '/inform{"triage_duration": "over_3_weeks"}',
        '/inform{"triage_swelling": "none"}',
        '/inform{"triage_instability": "no"}',
        '/inform{"triage_impact": "running_only"}',
        '/inform{"triage_night_pain": "no"}',
    ]:
        conversation.say(payload)
    # Over three weeks, no swelling, no fever: a recent operation would not change the level
    # (physio either way), so that question is not asked.
    replies = conversation.say('/inform{"triage_unwell": "no"}')
    advice = "\n".join(m.get("text", "") for m in replies)
    assert "patellar tendon" in advice
    assert "more than about three weeks" in advice and "assessed by a physio" in advice
    assert "/book_appointment" in button_payloads(replies)
    assert conversation.slot("triage_level") == "physio"


def test_a_knee_stuck_now_gets_same_day_advice_then_only_what_could_make_it_an_emergency(conversation):
    conversation.say("hi")
    conversation.say("my knee hurts on the inside of the knee")
    conversation.say("it came on gradually")
    conversation.say("since yesterday")
    conversation.say("no")
    reply = conversation.texts("yes it's stuck bent and i can't straighten it")
    assert URGENT in reply and "caught inside the joint" in reply and "NHS 111" in reply
    # Gradual, no swelling: not bearing weight would not make it an emergency (only after an
    # injury), so that is not asked; feeling unwell is (breathlessness, a fever...).
    assert DAILY not in reply and UNWELL in reply
    conversation.say("no, i feel fine")
    assert conversation.slot("triage_level") == "same_day"
    assert conversation.tracker().active_loop_name is None


def test_a_knee_stuck_after_an_injury_asks_only_what_could_make_it_an_emergency(conversation):
    conversation.say("my knee hurts on the inside of the knee")
    conversation.say("i twisted it at football")
    conversation.say("since yesterday")  # a recent injury or an old one decides the same-day rows
    conversation.say("no")  # swelling
    reply = conversation.texts("yes it's stuck bent and i can't straighten it")
    assert URGENT in reply and DAILY in reply  # can they bear weight? (after an injury: emergency)
    assert NIGHT not in conversation.texts("i can walk on it, just limping a bit")
    assert conversation.slot("triage_level") == "same_day"


def test_an_answer_that_makes_it_an_emergency_gets_the_emergency_advice(conversation):
    conversation.say("my knee hurts on the front of the knee")
    # After an injury, how long it has hurt says whether it is a recent injury (the same-day
    # rows and the Ottawa age row are about those), so it is asked next.
    assert "How long has it been hurting?" in conversation.texts("I twisted it playing football")
    assert SWOLLEN in conversation.texts("2 days")
    conversation.say("no")
    conversation.say("no")
    reply = conversation.texts("i can't put any weight on it at all")
    assert "Please get medical help now." in reply and "Call 999 or go to A&E now" in reply
    assert conversation.slot("triage_level") == "emergency"
    assert conversation.tracker().active_loop_name is None


def test_a_child_is_asked_for_the_age_group_and_a_limping_teen_goes_the_same_day(conversation):
    conversation.say("my son's knee has been sore after football, at the front")
    for answer in ["no, nothing happened", "about a week", "no", "no", "yes he's limping a bit", "no", "no", "no"]:
        reply = conversation.texts(answer)
    assert "How old" in reply
    reply = conversation.texts("he's 12")
    assert URGENT in reply and "growing bones" in reply
    assert conversation.slot("triage_level") == "same_day"


def test_big_swelling_typed_during_the_questions_gets_urgent_advice_and_the_questions_go_on(conversation):
    conversation.say("hi")
    assert STARTED in conversation.texts("pain at the front of my knee when running")
    reply = conversation.texts("it suddenly swelled up like a balloon after i twisted it")
    assert URGENT in reply
    assert conversation.slot("triage_level") == "same_day"
    reply = conversation.texts("what exercises can i do")
    assert "strength" in reply and DAILY in reply  # answered, then the question comes back


def test_a_knee_question_in_the_middle_is_answered_then_the_question_comes_back(conversation):
    conversation.say("hi")
    assert STARTED in conversation.texts("my knee hurts at the front of the knee")
    conversation.say("it came on slowly")
    conversation.say("2 weeks")
    reply = conversation.texts("should i put ice on it?")
    assert "Ice" in reply or "ice" in reply
    assert SWOLLEN in reply
    assert LOCKS in conversation.texts('/inform{"triage_swelling": "mild"}')
    assert conversation.slot("triage_swelling") == "mild"


def test_not_sure_is_an_answer(conversation):
    conversation.say("hi")
    assert WHERE in conversation.texts("my knee hurts after running")
    assert STARTED in conversation.texts("not sure")
    assert conversation.slot("pain_location") == "unsure"


def test_an_unreadable_answer_gets_a_hint_and_the_same_question(conversation):
    conversation.say("hi")
    conversation.say("my knee hurts on the outside of my knee")
    reply = conversation.texts("42")
    assert "didn't quite catch" in reply and STARTED in reply


def test_never_mind_leaves_the_questions(conversation):
    conversation.say("hi")
    conversation.say("my knee hurts after running")
    assert "stopped the questions" in conversation.texts("never mind")
    assert conversation.tracker().active_loop_name is None
    assert WHERE not in conversation.texts("why do knees hurt after running")


def test_after_the_triage_the_exercises_fit_where_it_hurts(conversation):
    conversation.say("what is runner's knee?")  # a general question, not about their knee
    conversation.say("my knee hurts on the outside of my knee")
    for answer in ["it came on gradually", "3 days", "no", "no", "no", "no", "no", "no"]:
        conversation.say(answer)
    reply = conversation.texts("what exercises should i do?")
    assert "outside of the knee" in reply and "clamshells" in reply
    assert "runner's knee" not in reply
