"""What to do when the assistant does not understand: ask to rephrase, then offer a person."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

# After this many failures in a row (messages not understood, or unusable answers to one
# booking question), offer the team. Two, not three: someone misunderstood twice is rarely
# helped by a third try, and may be in pain or short of time; the offer only adds a way out
# (they can keep trying), so making it early costs nothing. Used by actions/booking.py too.
OFFER_HUMAN_AFTER = 2
# A message read as out of scope was not understood either, as far as the user can tell.
_MISUNDERSTOOD = {"action_handle_fallback", "utter_out_of_scope"}


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """How many messages in a row the assistant could not help with, before this one."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "action" or event.get("name") == "action_listen":
            continue
        if event.get("name") not in _MISUNDERSTOOD:
            break
        count += 1
    return count


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        # The event for this run is not in the tracker yet, hence the + 1.
        if (misunderstandings_in_a_row(tracker) + 1) % OFFER_HUMAN_AFTER == 0:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_default")
        # Forget the misunderstood message so it does not steer the dialogue policies.
        return [UserUtteranceReverted()]
