"""Requests for a person: "can someone call me?" (request_human) and "I need to move /
cancel my appointment" (manage_appointment). The user's own words become a request for
the staff; `handoff_form` first asks for a name and a contact when we don't have them."""

import logging
from abc import ABC, abstractmethod
from typing import List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.booking import BookingFieldsMixin, queue_delivery
from clinic import delivery
from clinic.bookings import create_request
from clinic.delivery.settings import booking_settings
from clinic.text.cancelling import cancels
from clinic.text.contact_details import display_contact

logger = logging.getLogger(__name__)

DEFAULT_MESSAGES = {
    "human": "Asked for someone from the team to get in touch.",
    "change": "Asked to move an appointment.",
    "cancel": "Asked to cancel an appointment.",
}


def users_words(tracker: Tracker, kind: str) -> str:
    """What the user said, for the staff; a button press has no words of its own."""
    text = (tracker.latest_message.get("text") or "").strip()
    return DEFAULT_MESSAGES[kind] if not text or text.startswith("/") else text[:1000]


class _StartHandoff(Action, ABC):
    """Record what the user asked for, then store it, or first ask for contact details."""

    kind = "human"

    @abstractmethod
    def name(self) -> Text:
        """Abstract, so that rasa-sdk registers only the subclasses."""

    def request_kind(self, tracker: Tracker) -> str:
        return self.kind

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = self.request_kind(tracker)
        events: List[EventType] = [
            SlotSet("handoff_kind", kind),
            SlotSet("handoff_message", users_words(tracker, kind)),
        ]
        if tracker.get_slot("booking_name") and tracker.get_slot("booking_contact"):
            tracker.add_slots(events)
            return events + await submit_handoff(dispatcher, tracker)
        dispatcher.utter_message(response=f"utter_handoff_intro_{kind}")
        return events + [FollowupAction("handoff_form")]


class ActionRequestHuman(_StartHandoff):
    kind = "human"

    def name(self) -> Text:
        return "action_request_human"


class ActionManageAppointment(_StartHandoff):
    def name(self) -> Text:
        return "action_manage_appointment"

    def request_kind(self, tracker: Tracker) -> str:
        return "cancel" if cancels(tracker.latest_message.get("text") or "") else "change"


async def submit_handoff(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    kind = tracker.get_slot("handoff_kind") or "human"
    contact = tracker.get_slot("booking_contact")
    try:
        request, created = create_request(
            tracker.sender_id,
            kind,
            name=tracker.get_slot("booking_name"),
            contact=contact,
            reason=tracker.get_slot("handoff_message") or DEFAULT_MESSAGES[kind],
            channel=tracker.get_latest_input_channel(),
            # The contact question says it is only used to answer this request.
            consent=True,
        )
        if created:
            queue_delivery(request)
    except SQLAlchemyError:
        logger.exception("Could not store the %s request of %s", kind, tracker.sender_id)
        dispatcher.utter_message(response="utter_request_failed")
        return [SlotSet("handoff_kind", None), SlotSet("handoff_message", None)]
    if created:
        delivery.kick()
    dispatcher.utter_message(
        response=f"utter_handoff_sent_{kind}",
        reference=request.id,
        contact=display_contact(contact, booking_settings().phone_region) if contact else "",
    )
    return [SlotSet("handoff_kind", None), SlotSet("handoff_message", None)]


class ActionSubmitHandoff(Action):
    def name(self) -> Text:
        return "action_submit_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return await submit_handoff(dispatcher, tracker)


class ValidateHandoffForm(BookingFieldsMixin, FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"
