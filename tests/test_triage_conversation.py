"""Symptom triage through the real trained model and action server: typed and button
answers, each outcome, and the ways in and out of the questions."""
from tests.support.chat import button_payloads

WHERE = "Where on the knee"
HOW_LONG = "How long has it been hurting"
SWOLLEN = "Has the knee swollen up"
LOCKS = "lock (get stuck"
DAILY = "bother you outside running"
URGENT = "get your knee checked today"  # action_red_flag's same-day advice


def test_typed_answers_lead_to_self_care_with_a_time_frame(conversation):
    conversation.say("hi")
    reply = conversation.texts("my knee hurts on the outside of my knee after long runs")
    assert HOW_LONG in reply and WHERE not in reply  # the location was in the description
    assert SWOLLEN in conversation.texts("about 4 days")
    assert LOCKS in conversation.texts("no")
    assert DAILY in conversation.texts("no")
    advice = conversation.texts("no, only when i run")
    assert "IT band" in advice and "most commonly" in advice
    assert "1-2 weeks" in advice
    assert conversation.slot("triage_outcome") == "self_care"
    assert conversation.slot("triage_duration") == "under_1_week"


def test_button_answers_lead_to_a_physio_with_the_reasons_and_a_booking(conversation):
    conversation.say("hi")
    replies = conversation.say("my knee hurts when i run")
    assert '/inform{"pain_location": "below_kneecap"}' in button_payloads(replies)
    conversation.say('/inform{"pain_location": "below_kneecap"}')
    conversation.say('/inform{"triage_duration": "over_3_weeks"}')
    conversation.say('/inform{"triage_swelling": "none"}')
    conversation.say('/inform{"triage_instability": "no"}')
    replies = conversation.say('/inform{"triage_impact": "running_only"}')
    advice = "\n".join(m.get("text", "") for m in replies)
    assert "patellar tendon" in advice
    assert "more than three weeks" in advice and "physio" in advice
    assert "/book_appointment" in button_payloads(replies)
    assert conversation.slot("triage_outcome") == "physio"


def test_a_yes_to_locking_or_giving_way_gets_urgent_advice_at_once(conversation):
    conversation.say("hi")
    conversation.say("my knee hurts on the inside of the knee")
    conversation.say("since yesterday")
    conversation.say("no")
    reply = conversation.texts("yes")
    assert URGENT in reply and "locks or gives way" in reply
    assert DAILY not in reply  # no more questions
    assert conversation.slot("triage_outcome") == "urgent"


def test_big_swelling_typed_during_the_questions_gets_urgent_advice_and_is_not_an_answer(conversation):
    conversation.say("hi")
    assert HOW_LONG in conversation.texts("pain at the front of my knee when running")
    reply = conversation.texts("it suddenly swelled up like a balloon after i twisted it")
    assert "today" in reply or "emergency" in reply
    assert conversation.slot("triage_duration") is None
    assert conversation.tracker().active_loop_name is None
    assert HOW_LONG not in conversation.texts("what exercises can i do")


def test_a_knee_question_in_the_middle_is_answered_then_the_question_comes_back(conversation):
    conversation.say("hi")
    conversation.say("my knee hurts at the front of the knee")
    conversation.say("2 weeks")
    reply = conversation.texts("should i put ice on it?")
    assert "Ice" in reply or "ice" in reply
    assert SWOLLEN in reply
    assert LOCKS in conversation.texts("a little after runs")
    assert conversation.slot("triage_swelling") == "mild"


def test_not_sure_is_an_answer(conversation):
    conversation.say("hi")
    assert WHERE in conversation.texts("my knee hurts after running")
    assert HOW_LONG in conversation.texts("not sure")
    assert conversation.slot("pain_location") == "unsure"


def test_an_unreadable_answer_gets_a_hint_and_the_same_question(conversation):
    conversation.say("hi")
    conversation.say("my knee hurts on the outside of my knee")
    reply = conversation.texts("purple elephants")
    assert "didn't quite catch" in reply and HOW_LONG in reply


def test_never_mind_leaves_the_questions(conversation):
    conversation.say("hi")
    conversation.say("my knee hurts after running")
    assert "stopped the questions" in conversation.texts("never mind")
    assert conversation.tracker().active_loop_name is None
    assert WHERE not in conversation.texts("why do knees hurt after running")


def test_after_the_triage_the_exercises_fit_where_it_hurts(conversation):
    conversation.say("what is runner's knee?")  # a general question, not about their knee
    conversation.say("my knee hurts on the outside of my knee")
    for answer in ["3 days", "no", "no", "no"]:
        conversation.say(answer)
    reply = conversation.texts("what exercises should i do?")
    assert "outside of the knee" in reply and "clamshells" in reply
    assert "runner's knee" not in reply
