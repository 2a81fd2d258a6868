"""How replies are fitted to messaging apps (channels/formatting.py): long texts split at
natural boundaries within a limit, buttons as a numbered list, and a number reply read
back against the options of the stored conversation."""

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from channels.formatting import (
    TWILIO_LIMIT,
    button_reference,
    number_reply,
    numbered_list,
    offered_buttons,
    payload_for_reference,
    split_message,
    text_size,
)

BUTTONS = [
    {"title": "Book an appointment", "payload": "/book_appointment"},
    {"title": "Prices", "payload": "/ask_cost"},
]


def test_a_short_reply_is_one_message():
    assert split_message("  Our prices:\n- Assessment: £75\n\nSee you soon.  ", 1600) == [
        "Our prices:\n- Assessment: £75\n\nSee you soon."
    ]
    assert split_message("   ", 1600) == []


def test_a_long_reply_is_cut_between_paragraphs_first():
    first, second = "A" * 900 + ".", "B" * 900 + "."
    assert split_message(f"{first}\n\n{second}", TWILIO_LIMIT) == [first, second]


def test_a_long_paragraph_is_cut_between_sentences_and_loses_no_words():
    sentences = [f"Sentence {n} says something useful about knees." for n in range(100)]
    text = " ".join(sentences)
    parts = split_message(text, 500)
    assert len(parts) > 1
    assert all(text_size(part) <= 500 for part in parts)
    assert all(part.endswith("knees.") for part in parts)  # never in mid-sentence
    assert " ".join(parts) == text


def test_lines_of_a_list_stay_whole():
    lines = [f"- item {n}: a line of a bulleted list" for n in range(60)]
    parts = split_message("\n".join(lines), 300)
    assert all(text_size(part) <= 300 for part in parts)
    assert "\n".join(parts).split("\n") == lines


def test_a_word_longer_than_the_limit_is_cut_hard():
    link = "https://clinic.example.com/" + "x" * 2000
    parts = split_message(f"Book here: {link}", TWILIO_LIMIT)
    assert all(text_size(part) <= TWILIO_LIMIT for part in parts)
    assert "".join(parts).replace(" ", "") == f"Bookhere:{link}"


def test_emoji_count_as_the_platforms_count_them():
    # Twilio and Telegram count UTF-16 code units: 🏃 counts as two.
    assert text_size("🏃") == 2
    parts = split_message("🏃 " * 1000, TWILIO_LIMIT)
    assert len(parts) == 2 and all(text_size(part) <= TWILIO_LIMIT for part in parts)


def test_buttons_become_a_numbered_list_under_the_text():
    assert numbered_list("Anything else?", BUTTONS) == (
        "Anything else?\n\n1. Book an appointment\n2. Prices\n\nReply with a number to choose."
    )
    link = [{"title": "Book online", "url": "https://clinic.example.com/book"}]
    assert "1. Book online: https://clinic.example.com/book" in numbered_list("Go", link)


@pytest.mark.parametrize("reply, number", [("2", 2), (" 2. ", 2), ("2)", 2), ("#1", 1), ("Option 3", 3), ("10", 10)])
def test_a_reply_that_only_picks_a_number(reply, number):
    assert number_reply(reply) == number


@pytest.mark.parametrize("reply", ["2 weeks", "I ran 10k", "tomorrow at 2", "", "one", "2.5"])
def test_other_replies_are_not_a_choice(reply):
    assert number_reply(reply) is None


def test_the_options_are_those_of_the_latest_message_since_the_user_wrote():
    old = [{"title": "Old", "payload": "/greet"}]
    events = [
        BotUttered("Hello", {"buttons": old}),
        UserUttered("hi"),
        BotUttered("What we offer", {"buttons": BUTTONS}),
        BotUttered("(a message without buttons)"),
        ActionExecuted("action_listen"),
    ]
    assert offered_buttons(events) == BUTTONS
    # Once the user has written again, the earlier options no longer apply.
    assert offered_buttons(events + [UserUttered("thanks"), BotUttered("You're welcome")]) == []


def test_a_long_payload_is_found_again_by_its_reference():
    payload = '/inform{"preferred_time": "2026-11-24T09:30:00+00:00", "reason": "knee"}'
    offer = BotUttered("When suits you?", {"buttons": [{"title": "Tue 9:30", "payload": payload}]})
    events = [offer, UserUttered("hmm"), BotUttered("Anything else?")]
    reference = button_reference(payload)
    assert len(reference.encode()) <= 64
    assert payload_for_reference(reference, events) == payload
    assert payload_for_reference(button_reference("/something_else"), events) is None
