"""Unit tests of what the booking form accepts: preferred times read in the clinic's time
zone against its opening hours (with a fixed "now"), names, contacts and corrections."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk.executor import CollectingDispatcher

from clinic.text.cancelling import cancels
from clinic.text.contact_details import check_contact, check_name, display_contact
from clinic.text.corrections import detect_correction
from clinic.text.preferred_time import interpret
from tests.support.sdk import make_tracker

LONDON = ZoneInfo("Europe/London")
CLINIC = {
    "timezone": "Europe/London",
    "opening_hours": {
        "monday": "08:00-20:00",
        "tuesday": "08:00-20:00",
        "wednesday": "08:00-20:00",
        "thursday": "08:00-20:00",
        "friday": "08:00-18:00",
        "saturday": "09:00-13:00",
        "sunday": "closed",
    },
}
# Sunday 22 November 2026, 15:00 in London (UTC in winter).
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=timezone.utc)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("next tuesday morning", local(2026, 11, 24, 9, 0)),
        ("sat 10am", local(2026, 11, 28, 10, 0)),
        ("after work on thursday", local(2026, 11, 26, 18, 0)),
        ("tomorrow at 3", local(2026, 11, 23, 15, 0)),  # "at 3" is 15:00, not 03:00
        ("wednesday at half past 2", local(2026, 11, 25, 14, 30)),
        ("tuesday 9.30", local(2026, 11, 24, 9, 30)),
        ("1 December at 11:30", local(2026, 12, 1, 11, 30)),
        ("24/11 at 9am", local(2026, 11, 24, 9, 0)),  # day first, as in the UK
        ("I could do next wed around 10", local(2026, 11, 25, 10, 0)),
        ("change the time to friday 3pm", local(2026, 11, 27, 15, 0)),
        ("saturday morning", local(2026, 11, 28, 9, 0)),  # clipped to opening at 09:00
        ("10am", local(2026, 11, 23, 10, 0)),  # the next 10:00 ahead of now
    ],
)
def test_ordinary_words_become_a_time_in_the_clinic_zone(text, expected):
    answer = interpret(text, NOW, CLINIC)
    assert answer.problem is None, answer
    assert answer.when == expected
    assert answer.when.utcoffset() is not None


def test_next_weekday_on_that_weekday_is_a_week_away():
    tuesday = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    assert interpret("next tuesday at 10am", tuesday, CLINIC).when == local(2026, 12, 1, 10, 0)
    assert interpret("today at 3pm", tuesday, CLINIC).when == local(2026, 11, 24, 15, 0)


def test_summer_times_carry_the_summer_offset():
    june = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)  # a Monday
    answer = interpret("wednesday 10am", june, CLINIC)
    assert answer.when.isoformat() == "2026-06-03T10:00:00+01:00"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("yesterday at 10am", "past"),
        ("today 2pm", "closed_day"),  # Sunday
        ("sunday 10am", "closed_day"),
        ("monday 7am", "before_opening"),
        ("friday 17:30", "after_closing"),  # a 60-minute appointment would end after 18:00
        ("saturday 12:30", "after_closing"),
        ("next tuesday", "needs_time"),
        ("1 june 2027 at 10am", "too_far"),
        ("whenever suits", "unparsed"),
        ("asdf", "unparsed"),
    ],
)
def test_unusable_times_say_what_is_wrong(text, problem):
    assert interpret(text, NOW, CLINIC).problem == problem


def test_past_time_today_is_refused():
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    assert interpret("today at 9am", monday_noon, CLINIC).problem == "past"
    assert interpret("today at 4pm", monday_noon, CLINIC).problem is None


def test_a_day_given_first_is_completed_by_a_time_alone():
    first = interpret("next tuesday", NOW, CLINIC)
    assert first.problem == "needs_time" and first.day == date(2026, 11, 24)
    second = interpret("10am", NOW, CLINIC, pending_day=first.day)
    assert second.when == local(2026, 11, 24, 10, 0)


def test_opening_hours_come_from_the_clinic_configuration():
    late_clinic = {**CLINIC, "opening_hours": {**CLINIC["opening_hours"], "sunday": "10:00-14:00"}}
    assert interpret("sunday 11am", NOW, late_clinic).when == local(2026, 11, 29, 11, 0)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Sam Jones", "Sam Jones"),
        ("my name is priya patel", "Priya Patel"),
        ("im james o'connor", "James O'Connor"),
        ("its for my son, oliver", "Oliver"),
        ("Anne-Marie Lefèvre", "Anne-Marie Lefèvre"),
    ],
)
def test_names_are_cleaned(text, name):
    assert check_name(text).value == name


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "07911 123456",
        "sam@example.com",
        "what time do you open?",
        "x",
        "",
        "I would like to book an appointment for next week please",
    ],
)
def test_non_names_are_refused(text):
    assert check_name(text).problem


@pytest.mark.parametrize(
    "text, value, kind",
    [
        ("sam.jones@example.com", "sam.jones@example.com", "email"),
        ("it's Sam@Example.COM thanks", "Sam@example.com", "email"),
        ("07911 123456", "+447911123456", "phone"),
        ("my number is +44 7911 123456", "+447911123456", "phone"),
        ("+1 202 555 0143", "+12025550143", "phone"),
    ],
)
def test_contacts_are_normalised(text, value, kind):
    checked = check_contact(text, "GB")
    assert (checked.value, checked.kind) == (value, kind)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("sam@", "bad_email"),
        ("sam@example", "bad_email"),
        ("07911 12345", "bad_phone"),
        ("123456", "bad_phone"),
        ("no thanks", "no_contact"),
    ],
)
def test_malformed_contacts_say_what_is_wrong(text, problem):
    assert check_contact(text, "GB").problem == problem


def test_phone_numbers_are_shown_the_way_people_write_them():
    assert display_contact("+447911123456", "GB") == "07911 123456"
    assert display_contact("+12025550143", "GB") == "+1 202-555-0143"


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("change the time to friday 3pm", "manage_appointment", ("booking_time", "friday 3pm")),
        ("actually my email is sam@example.org", "inform", ("booking_contact", "sam@example.org")),
        ("the phone number is wrong", "deny", ("booking_contact", None)),
        ("change my name", "inform", ("booking_name", None)),
        ("make it saturday 10am instead", "inform", ("booking_time", "make it saturday 10am instead")),
        ("yes", "affirm", None),
        ("/affirm", "affirm", None),
        ("how long will the appointment take?", "ask_appointment_info", None),
    ],
)
def test_corrections_name_the_detail_and_the_new_value(text, intent, expected):
    assert detect_correction(text, intent, NOW, CLINIC) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I need to cancel my appointment on friday",
        "can’t make it tuesday",
        "I cannot come on friday",
        "can we call it off",
    ],
)
def test_cancelling_an_appointment_is_a_staff_request_not_a_correction(text):
    assert cancels(text)
    assert detect_correction(text, "manage_appointment", NOW, CLINIC) is None


def test_a_day_that_does_not_suit_with_a_new_one_is_a_correction_not_a_cancellation():
    slot, value = detect_correction("can't come on tuesday, change it to friday", "inform", NOW, CLINIC)
    assert slot == "booking_time" and "friday" in value


@pytest.mark.parametrize(
    "text, kind",
    [
        ("I need to cancel my appointment on friday", "cancel"),
        ("I won't make my appointment tomorrow", "cancel"),
        ("can I move my appointment to next week", "change"),
        ("I'd like to change my appointment time", "change"),
    ],
)
def test_a_staff_request_to_cancel_or_move_is_told_apart_by_the_same_words(text, kind):
    from actions.handoff import ActionManageAppointment

    tracker = make_tracker(text=text, intent="manage_appointment")
    assert ActionManageAppointment().request_kind(tracker) == kind


def test_a_person_is_offered_after_two_unusable_answers_to_the_same_question():
    from actions.booking import ValidateBookingForm

    form, dispatcher = ValidateBookingForm(), CollectingDispatcher()
    first = form.validate_booking_name("123", dispatcher, make_tracker(), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_booking_name_invalid"]
    dispatcher = CollectingDispatcher()
    form.validate_booking_name("???", dispatcher, make_tracker(slots=first), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_booking_name_invalid", "utter_booking_offer_human"]


@pytest.mark.parametrize("text", ["next tuesday", "Tuesday morning", "tomorrow"])
def test_a_day_typed_for_the_name_is_not_a_name(text):
    assert check_name(text).problem


@pytest.mark.parametrize("text", ["Sun Li", "April May", "June Sato"])
def test_names_that_are_also_dates_still_count(text):
    assert check_name(text).value == text


@pytest.mark.parametrize(
    "text, taken",
    [
        ("Kim Park", {"booking_name": "Kim Park"}),  # a name read as a question about the location
        ("where are you", {}),
        ("is it near the park", {}),
        ("Kim Park?", {}),
    ],
)
def test_a_name_read_as_another_intent_is_taken_unless_it_reads_as_a_question(text, taken):
    import asyncio

    from actions.booking import ValidateBookingForm

    tracker = make_tracker(slots={"requested_slot": "booking_name"}, text=text, intent="ask_location")
    tracker.latest_message["intent"]["confidence"] = 0.6
    extracted = asyncio.run(ValidateBookingForm().extract_booking_name(CollectingDispatcher(), tracker, {}))
    assert extracted == taken
