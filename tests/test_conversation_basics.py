"""The first conversations, through the real trained model and action server."""

from tests.support.chat import button_payloads

CLINIC = "Riverside Running Physio (example)"


def test_first_reply_is_the_disclaimer_with_the_clinic_name(conversation):
    replies = conversation.say("hi")
    first = replies[0]["text"]
    assert CLINIC in first
    assert "not a diagnosis" in first
    assert "/book_appointment" in button_payloads(replies)


def test_disclaimer_comes_first_even_when_the_first_message_is_a_question(conversation):
    replies = conversation.say("when are you open?")
    assert "not a diagnosis" in replies[0]["text"]
    assert "Monday: 08:00–20:00" in replies[-1]["text"]


def test_disclaimer_is_not_repeated_within_a_conversation(conversation):
    conversation.say("hello")
    assert "not a diagnosis" not in conversation.texts("hello again")


def test_opening_hours_location_and_contact_come_from_the_clinic_file(conversation):
    conversation.say("hi")
    assert "Saturday: 09:00–13:00" in conversation.texts("what are your opening hours")
    location = conversation.texts("where is the clinic")
    assert "12 Example Street" in location and "parking" in location.lower()
    contact = conversation.texts("what's your phone number")
    assert "+1 555 0100 200" in contact and "hello@clinic.example.com" in contact


def test_bot_challenge_goodbye_and_thanks(conversation):
    conversation.say("hi")
    assert "automated assistant" in conversation.texts("am i talking to a bot?")
    assert conversation.texts("thanks!")  # any friendly reply
    assert conversation.say("bye")[-1]["text"]


def test_capabilities_list_knee_topics_and_booking(conversation):
    reply = conversation.texts("what can you help me with")
    assert "knee" in reply.lower() and "booking" in reply.lower()


def test_gibberish_gets_what_i_can_do_then_a_way_to_a_person(conversation):
    conversation.say("hi")
    # The model may read gibberish as "not understood" (rephrase) or as out of scope;
    # either way the user hears what the assistant is for...
    first = conversation.texts("qwzx plorf vlim").lower()
    assert "put it another way" in first or "help with" in first
    # ...and by the second misunderstanding is given a way to reach the team.
    second = conversation.texts("zzkrr blep wumpf")
    assert "+1 555 0100 200" in second


def test_empty_and_huge_messages_get_an_answer(conversation):
    assert conversation.say("hi")
    assert conversation.say("   ")  # whitespace-only: some reply, no crash
    long_message = "my knee hurts after running " * 400
    assert conversation.say(long_message)


def test_html_in_a_message_is_just_text(conversation):
    conversation.say("hi")
    replies = conversation.say("<script>alert(1)</script> what are your opening hours")
    assert all("<script>" not in (m.get("text") or "") for m in replies)
