"""Booking handoff: `booking_form` collects a name, a contact, a preferred time and the
reason; the answers are checked here (validate_booking_form), summarised for a
confirmation that is also the consent to store the details (action_ask_booking_confirmed),
and stored and passed on to the clinic (action_submit_booking). See docs/booking.md."""

import logging
import re
from datetime import date, datetime, timezone
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.fallback import OFFER_HUMAN_AFTER
from clinic import conditions, delivery, intent_groups
from clinic.bookings import create_request
from clinic.delivery.settings import booking_settings
from clinic.settings import ClinicConfigError, load_clinic
from clinic.text.contact_details import check_contact, check_name, display_contact
from clinic.text.corrections import detect_correction
from clinic.text.preferred_time import describe, describe_day, interpret, latest_start
from clinic.text.questions import reads_as_question

logger = logging.getLogger(__name__)

FORM_SLOTS = ["booking_name", "booking_contact", "booking_time", "booking_reason"]
# Slots of one booking; name and contact are kept for the rest of the conversation.
PER_BOOKING_SLOTS = ["booking_time", "booking_day", "booking_reason", "booking_confirmed", "booking_retries"]

# How a booking's reason names what the user told us (knowledge/conditions.yml).
CONDITION_LABELS = conditions.labels("conditions")
LOCATION_LABELS = conditions.labels("pain_locations")


def now() -> datetime:
    return datetime.now(timezone.utc)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(load_clinic()["timezone"])


def prefilled_reason(tracker: Tracker) -> Optional[str]:
    """A reason built from what the user already told us: condition, location, symptoms."""
    parts = []
    condition = CONDITION_LABELS.get(tracker.get_slot("condition"))
    location = LOCATION_LABELS.get(tracker.get_slot("pain_location"))
    parts += [part for part in (condition, location) if part]
    for event in reversed(tracker.events):
        if (
            event.get("event") == "user"
            and (event.get("parse_data") or {}).get("intent", {}).get("name") == "describe_symptoms"
        ):
            parts.append(f"“{event.get('text', '').strip()}”")
            break
    return "; ".join(parts)[:500] if parts else None


# Intents that always have their own rule during a form, whatever the message looks like.
NEVER_AN_ANSWER = set(intent_groups.intent_list("never_an_answer"))


def unclaimed_answer(slot: Text, tracker: Tracker) -> Optional[str]:
    """The latest message, when it was meant for `slot` but the slot's mapping did not
    take it because the message was classified as another intent (an email address
    read as a question, say). Red flags, stop and requests for a person never are."""
    if tracker.get_slot("requested_slot") != slot or slot in tracker.slots_to_validate():
        return None
    message = tracker.latest_message or {}
    if (message.get("intent") or {}).get("name") in NEVER_AN_ANSWER:
        return None
    text = (message.get("text") or "").strip()
    return None if not text or text.startswith("/") else text


class BookingFieldsMixin:
    """Validation of the details shared by the booking and the handoff forms."""

    async def extract_booking_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # A short name-like answer is the name even if it was read as another intent
        # ("Kim Park" as a question about the location), unless it reads as a question.
        text = unclaimed_answer("booking_name", tracker)
        confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0
        if (
            text
            and confidence < 0.9
            and len(text.split()) <= 4
            and not reads_as_question(text)
            and check_name(text).value
        ):
            return {"booking_name": text}
        return {}

    async def extract_booking_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # Something with an @ or a run of digits, given when we asked for a contact, is one.
        text = unclaimed_answer("booking_contact", tracker)
        if text and ("@" in text or sum(char.isdigit() for char in text) >= 6):
            return {"booking_contact": text}
        return {}

    def refuse(
        self, slot: Text, response: Text, dispatcher: CollectingDispatcher, tracker: Tracker, **values: Any
    ) -> Dict[Text, Any]:
        """Explain what is wrong with an answer, ask again, and offer a person when
        the same question has failed OFFER_HUMAN_AFTER times."""
        retries = dict(tracker.get_slot("booking_retries") or {})
        retries[slot] = retries.get(slot, 0) + 1
        dispatcher.utter_message(response=response, **values)
        if retries[slot] == OFFER_HUMAN_AFTER:
            dispatcher.utter_message(response="utter_booking_offer_human")
        return {slot: None, "booking_retries": retries}

    def accept(self, slot: Text, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        retries = dict(tracker.get_slot("booking_retries") or {})
        retries.pop(slot, None)
        return {slot: value, "booking_retries": retries or None}

    def validate_booking_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:  # a reset (action_start_booking), not an answer
            return {"booking_name": None}
        checked = check_name(str(value))
        if checked.problem:
            return self.refuse("booking_name", "utter_booking_name_invalid", dispatcher, tracker)
        return self.accept("booking_name", checked.value, tracker)

    def validate_booking_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:  # a reset (action_start_booking), not an answer
            return {"booking_contact": None}
        checked = check_contact(str(value), booking_settings().phone_region)
        if checked.problem:
            response = {"bad_email": "utter_booking_email_invalid", "bad_phone": "utter_booking_phone_invalid"}.get(
                checked.problem, "utter_booking_contact_missing"
            )
            return self.refuse("booking_contact", response, dispatcher, tracker)
        return self.accept("booking_contact", checked.value, tracker)


class ValidateBookingForm(BookingFieldsMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_booking_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        correction = None
        requested = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # "change the time to ..." is a correction at the summary, and in the middle of
        # the booking too (where it tends to be classified as manage_appointment).
        if requested == "booking_confirmed" or intent == "manage_appointment":
            correction = detect_correction(tracker.latest_message.get("text"), intent, now(), load_clinic())
        if not correction:
            return await super().run(dispatcher, tracker, domain)
        slot, value = correction
        events: List[EventType] = [SlotSet("booking_confirmed", None)]
        if value is None:  # "change the time": ask that question again
            return events + [SlotSet(slot, None)]
        result = getattr(self, f"validate_{slot}")(value, dispatcher, tracker, domain)
        return events + [SlotSet(key, result_value) for key, result_value in result.items()]

    async def extract_booking_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # When the form starts, fill the reason from what the user already told us.
        if tracker.get_slot("requested_slot") is None and not tracker.get_slot("booking_reason"):
            reason = prefilled_reason(tracker)
            if reason:
                return {"booking_reason": reason}
        return {}

    async def extract_booking_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # A day or time (not a question) given when we asked for one is the answer.
        text = unclaimed_answer("booking_time", tracker)
        if text and "?" not in text and interpret(text, now(), load_clinic()).problem != "unparsed":
            return {"booking_time": text}
        return {}

    def validate_booking_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:  # a reset (action_start_booking), not an answer
            return {"booking_time": None}
        settings = booking_settings()
        clinic = load_clinic()
        stored = _parse_iso(value)
        text = stored.astimezone(clinic_zone()).strftime("%A %d %B %Y %H:%M") if stored else str(value)
        pending = tracker.get_slot("booking_day")
        answer = interpret(
            text,
            now(),
            clinic,
            pending_day=date.fromisoformat(pending) if pending else None,
            appointment_minutes=settings.appointment_minutes,
            max_days_ahead=settings.max_days_ahead,
            date_order=settings.date_order,
        )
        if answer.problem is None:
            result = self.accept("booking_time", answer.when.isoformat(), tracker)
            return {**result, "booking_day": None}
        day = describe_day(answer.day) if answer.day else ""
        values: Dict[str, Any] = {"day": day, "weekday": f"{answer.day:%A}" if answer.day else ""}
        if answer.span:
            values.update(
                opens=answer.span.opens,
                closes=answer.span.closes,
                last_start=latest_start(answer.span, settings.appointment_minutes),
            )
        if answer.problem == "too_far":
            values["max_days"] = settings.max_days_ahead
        result = self.refuse("booking_time", f"utter_booking_time_{answer.problem}", dispatcher, tracker, **values)
        # Remember a day given without a time, so "10am" next completes it.
        result["booking_day"] = answer.day.isoformat() if answer.problem == "needs_time" else pending
        return result

    def validate_booking_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if value is None:  # a reset (action_start_booking), not an answer
            return {"booking_reason": None}
        reason = re.sub(r"\s+", " ", str(value)).strip()
        if len(reason) < 3 or reason.lower() in {"yes", "no", "ok", "okay", "idk", "nothing"}:
            return self.refuse("booking_reason", "utter_booking_reason_invalid", dispatcher, tracker)
        return self.accept("booking_reason", reason[:1000], tracker)

    def validate_booking_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        # "No" leads to "what would you like to change?" (action_ask_booking_confirmed).
        return {"booking_confirmed": True if value is True else None}


def _parse_iso(value: Any) -> Optional[datetime]:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def queue_delivery(request) -> None:
    """Queue a stored request for the clinic's webhook/email. A broken delivery setting
    must not lose the request: it is stored, and the staff see it in the review app."""
    try:
        delivery.queue(request)
    except ClinicConfigError:
        logger.exception("Request %s is stored but cannot be queued for delivery", request.id)


def booking_summary(tracker: Tracker) -> Dict[str, str]:
    """The details as the user should read them back."""
    when = _parse_iso(tracker.get_slot("booking_time"))
    contact = tracker.get_slot("booking_contact")
    return {
        "name": tracker.get_slot("booking_name") or "",
        "contact": display_contact(contact, booking_settings().phone_region) if contact else "",
        "when": describe(when.astimezone(clinic_zone())) if when else "",
        "reason": tracker.get_slot("booking_reason") or "",
    }


class ActionStartBooking(Action):
    """Before the form: forget a previous booking's details and say what happens next,
    with the clinic's online booking as an alternative when it has one."""

    def name(self) -> Text:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        settings = booking_settings()
        if "link" in settings.delivery:
            dispatcher.utter_message(
                response="utter_booking_intro_with_link",
                buttons=[{"title": "Book online", "url": settings.booking_link}],
            )
        else:
            dispatcher.utter_message(response="utter_booking_intro")
        return [SlotSet(slot, None) for slot in PER_BOOKING_SLOTS]


class ActionAskBookingTime(Action):
    """Ask for the day and time, or only the time when a day is already known."""

    def name(self) -> Text:
        return "action_ask_booking_time"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        pending = tracker.get_slot("booking_day")
        dispatcher.utter_message(response="utter_ask_booking_time_of_day" if pending else "utter_ask_booking_time")
        return []


class ActionAskBookingConfirmed(Action):
    """The summary to confirm, or after a "no", the question what to change."""

    def name(self) -> Text:
        return "action_ask_booking_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        latest = tracker.latest_message or {}
        said_no = (latest.get("intent") or {}).get("name") == "deny" and tracker.get_slot(
            "requested_slot"
        ) == "booking_confirmed"
        if said_no:
            dispatcher.utter_message(response="utter_booking_what_to_change")
        else:
            dispatcher.utter_message(response="utter_booking_summary", **booking_summary(tracker))
        return []


class ActionSubmitBooking(Action):
    """Store the confirmed request, queue it for the clinic, and tell the user what next.

    Running it twice for the same details (a double "yes") stores one request."""

    def name(self) -> Text:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if not tracker.get_slot("booking_confirmed") or not tracker.get_slot("booking_time"):
            dispatcher.utter_message(response="utter_booking_nothing_to_send")
            return []
        summary = booking_summary(tracker)
        try:
            request, created = create_request(
                tracker.sender_id,
                "booking",
                name=tracker.get_slot("booking_name"),
                contact=tracker.get_slot("booking_contact"),
                preferred_time=_parse_iso(tracker.get_slot("booking_time")),
                reason=tracker.get_slot("booking_reason"),
                channel=tracker.get_latest_input_channel(),
                consent=True,  # the confirmation question asks for it explicitly
            )
            if created:
                queue_delivery(request)
        except SQLAlchemyError:
            logger.exception("Could not store the booking request of %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_request_failed")
            return [SlotSet("booking_confirmed", None)]
        if created:
            delivery.kick()
            dispatcher.utter_message(response="utter_booking_sent", reference=request.id, **summary)
        else:
            dispatcher.utter_message(response="utter_booking_already_sent", reference=request.id)
        return [SlotSet("booking_reference", str(request.id))]


class ActionCancelBooking(Action):
    """The user confirmed they want to stop: forget the half-filled details."""

    def name(self) -> Text:
        return "action_cancel_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_booking_cancelled")
        slots = FORM_SLOTS + PER_BOOKING_SLOTS + ["handoff_kind", "handoff_message"]
        return [SlotSet(slot, None) for slot in dict.fromkeys(slots)]


class ActionBookingDigression(Action):
    """A question in the middle of the booking or handoff form: answer it with the
    assistant's usual response for that intent; the form then asks its question again."""

    def name(self) -> Text:
        return "action_booking_digression"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if (
            intent == "describe_symptoms"
            and tracker.active_loop_name == "booking_form"
            and not tracker.get_slot("booking_reason")
        ):
            # Symptoms told in the middle of a booking are the reason for the visit.
            dispatcher.utter_message(response="utter_booking_reason_noted")
            return [SlotSet("booking_reason", tracker.latest_message.get("text", "")[:1000])]
        responses = domain.get("responses") or {}
        candidates = [f"utter_{intent}"]
        if intent.startswith("ask_"):
            candidates.append(f"utter_{intent[len('ask_') :]}")  # utter_opening_hours...
        response = next((name for name in candidates if name in responses), None)
        dispatcher.utter_message(response=response or "utter_booking_continue_first")
        return []
