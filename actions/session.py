"""Session start: load the clinic's identity into slots and show the disclaimer."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic.settings import clinic_slots


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        # Carry over what the user told us in the previous session (condition, location...),
        # but not a half-asked form question: a new session starts with no form running.
        events += [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and not name.startswith("clinic_") and name != "requested_slot"
        ]
        # Re-read the clinic file each session so a clinic's edits show up without a restart.
        events += [SlotSet(name, value) for name, value in clinic_slots().items()]
        # The disclaimer must be the first thing a user sees in every conversation.
        dispatcher.utter_message(response="utter_disclaimer", **clinic_slots())
        events.append(ActionExecuted("action_listen"))
        return events
