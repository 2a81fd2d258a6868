"""What to do when the assistant does not understand: ask to rephrase, then offer a person."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

# After this many misunderstandings in a row, stop asking to rephrase and offer the team.
OFFER_HUMAN_AFTER = 2
_IGNORED = {"action_listen", "action_handle_fallback"}


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """How many times this action ran since the assistant last did anything else."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "action":
            continue
        if event.get("name") == "action_handle_fallback":
            count += 1
        elif event.get("name") not in _IGNORED:
            break
    return count


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        # The event for this run is not in the tracker yet, hence the + 1.
        if (misunderstandings_in_a_row(tracker) + 1) % OFFER_HUMAN_AFTER == 0:
            dispatcher.utter_message(response="utter_offer_human")
        else:
            dispatcher.utter_message(response="utter_default")
        # Forget the misunderstood message so it does not steer the dialogue policies.
        return [UserUtteranceReverted()]
