"""Unit tests of the session-start and fallback actions with rasa-sdk's tracker."""

from actions.fallback import ActionHandleFallback
from actions.session import ActionSessionStart
from tests.support.sdk import make_tracker, run_action


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_session_start_loads_clinic_and_sends_disclaimer_first():
    messages, events = run_action(ActionSessionStart(), make_tracker())
    assert events[0]["event"] == "session_started"
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
    slots = slot_events(events)
    assert slots["clinic_name"] == "Riverside Running Physio (example)"
    assert slots["clinic_phone"] == "+1 555 0100 200"
    assert messages[0]["response"] == "utter_disclaimer"


def test_session_start_carries_over_what_the_user_told_us():
    tracker = make_tracker(
        slots={"condition": "itbs", "pain_location": None, "clinic_name": "Old", "requested_slot": "booking_contact"}
    )
    _, events = run_action(ActionSessionStart(), tracker)
    slots = slot_events(events)
    assert slots["condition"] == "itbs"
    assert "pain_location" not in slots
    assert "requested_slot" not in slots  # no half-asked form question in a new session
    assert slots["clinic_name"] == "Riverside Running Physio (example)"  # re-read, not carried


def fallback_history(times):
    events = [{"event": "action", "name": "utter_greet"}]
    for _ in range(times):
        events += [
            {"event": "user", "text": "???"},
            {"event": "action", "name": "action_handle_fallback"},
            {"event": "rewind"},
        ]
    return events


def test_first_misunderstanding_asks_to_rephrase():
    messages, events = run_action(ActionHandleFallback(), make_tracker(events=fallback_history(0)))
    assert [m["response"] for m in messages] == ["utter_default"]
    assert events == [{"event": "rewind", "timestamp": None}]


def test_second_misunderstanding_in_a_row_offers_a_person():
    messages, _ = run_action(ActionHandleFallback(), make_tracker(events=fallback_history(1)))
    assert [m["response"] for m in messages] == ["utter_offer_human"]


def test_a_message_out_of_scope_counts_as_a_misunderstanding():
    events = [
        {"event": "action", "name": "utter_greet"},
        {"event": "user", "text": "weather?"},
        {"event": "action", "name": "utter_out_of_scope"},
        {"event": "action", "name": "action_listen"},
    ]
    messages, _ = run_action(ActionHandleFallback(), make_tracker(events=events))
    assert [m["response"] for m in messages] == ["utter_offer_human"]


def test_an_understood_message_starts_the_count_again():
    events = fallback_history(1) + [{"event": "action", "name": "utter_ask_causes"}]
    messages, _ = run_action(ActionHandleFallback(), make_tracker(events=events))
    assert [m["response"] for m in messages] == ["utter_default"]
