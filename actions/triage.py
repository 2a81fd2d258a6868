"""Symptom triage: the questions' validation and the advice at the end.

`recommend` is the clinical rule, kept in one small function so a physio can read and sign
it off:
- urgent care: the knee swelled up quickly or a lot, or it locks or gives way
  (the rules in data/rules/triage.yml hand these to action_red_flag);
- see a physio: hurting for more than three weeks, swelling after runs, clicking or
  catching, or getting worse / bothering daily life;
- otherwise self-care, with a time frame (clearly better within 1-2 weeks of easing off).
Answers of "not sure" do not change the outcome on their own.
"""
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.triage_answers import READERS, UNCLEAR_YES

SELF_CARE, PHYSIO, URGENT = "self_care", "physio", "urgent"
# Cleared when a runner describes their pain again (pain_location is kept: it is their knee).
EARLIER_ANSWERS = ["triage_duration", "triage_swelling", "triage_instability", "triage_impact",
                   "triage_outcome"]

_URGENT_REASONS = {
    ("triage_swelling", "major"): "the knee swelled up quickly or a lot",
    ("triage_instability", "yes"): "the knee locks or gives way",
}
_PHYSIO_REASONS = {
    ("triage_duration", "over_3_weeks"): "it has been hurting for more than three weeks",
    ("triage_swelling", "mild"): "the knee swells",
    ("triage_instability", "catches"): "it clicks or catches",
    ("triage_impact", "daily_life"): "it is getting worse or bothers you outside running",
}


def recommend(answers: Dict[str, Any]) -> Tuple[str, List[str]]:
    """(outcome, reasons) for the triage answers: urgent, physio or self_care."""
    def reasons(table: Dict[Tuple[str, str], str]) -> List[str]:
        return [text for (slot, value), text in table.items() if answers.get(slot) == value]

    urgent = reasons(_URGENT_REASONS)
    if urgent:
        return URGENT, urgent
    physio = reasons(_PHYSIO_REASONS)
    if physio:
        return PHYSIO, physio
    return SELF_CARE, []


def needs_urgent_care(answers: Dict[str, Any]) -> bool:
    return recommend(answers)[0] == URGENT


def in_words(reasons: List[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    return reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]


class ActionStartTriage(Action):
    """A runner describes their own pain: forget an earlier triage's answers, and a
    condition from an earlier general question ("what is runner's knee?") unless they name
    one now, so the follow-ups fit this knee. Then the introduction; triage_form follows."""

    def name(self) -> Text:
        return "action_start_triage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        forget = [slot for slot in EARLIER_ANSWERS if tracker.get_slot(slot) is not None]
        named_now = any(entity.get("entity") == "condition"
                        for entity in tracker.latest_message.get("entities") or [])
        if tracker.get_slot("condition") is not None and not named_now:
            forget.append("condition")
        dispatcher.utter_message(response="utter_triage_intro")
        return [SlotSet(slot, None) for slot in forget]


class ValidateTriageForm(FormValidationAction):
    """Reads typed answers, fills what the first description already said, and ends the
    questions as soon as an answer needs urgent care."""

    def name(self) -> Text:
        return "validate_triage_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        # Locking or big swelling: no more questions, the advice comes straight away.
        answers = self._answers(tracker, domain_slots)
        if needs_urgent_care(answers):
            return [slot for slot in domain_slots if answers[slot] is not None]
        return domain_slots

    def _answers(self, tracker: Tracker, slots: List[Text]) -> Dict[Text, Any]:
        """The answers so far; when the triage starts, what the describing message says."""
        if self._starting(tracker):
            text = tracker.latest_message.get("text") or ""
            return {slot: READERS[slot][1](text) for slot in slots}
        return {slot: tracker.get_slot(slot) for slot in slots}

    # --- the message that started the triage ----------------------------------------------
    # Rasa also runs this action when the form starts: what the describing message clearly
    # says is filled in and not asked. A pain_location already known (entity, earlier
    # message) stays.
    @staticmethod
    def _starting(tracker: Tracker) -> bool:
        """The form was activated after the latest user message (not: answering a question)."""
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                return False
            if event.get("event") == "active_loop" and event.get("name") == "triage_form":
                return True
        return False

    def _from_description(self, slot: str, tracker: Tracker) -> Dict[Text, Any]:
        if not self._starting(tracker):
            return {}
        value = READERS[slot][1](tracker.latest_message.get("text") or "")
        return {slot: value} if value is not None else {}

    async def extract_pain_location(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("pain_location") is not None:
            return {}
        return self._from_description("pain_location", tracker)

    async def extract_triage_duration(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_duration", tracker)

    async def extract_triage_swelling(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_swelling", tracker)

    async def extract_triage_instability(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_instability", tracker)

    async def extract_triage_impact(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_impact", tracker)

    # --- answers ------------------------------------------------------------------------------
    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                  domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {slot: None}
        if value in _slot_values(domain, slot):  # a button, or already read
            return {slot: value}
        answer = READERS[slot][0](str(value))
        if answer == UNCLEAR_YES:
            dispatcher.utter_message(response="utter_triage_swelling_unclear")
            return {slot: None}
        if answer is None:
            dispatcher.utter_message(response="utter_triage_unclear")
        return {slot: answer}

    def validate_pain_location(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("pain_location", value, dispatcher, domain)

    def validate_triage_duration(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_duration", value, dispatcher, domain)

    def validate_triage_swelling(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_swelling", value, dispatcher, domain)

    def validate_triage_instability(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_instability", value, dispatcher, domain)

    def validate_triage_impact(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_impact", value, dispatcher, domain)


def _slot_values(domain: DomainDict, slot: str) -> List[str]:
    return [str(value) for value in domain.get("slots", {}).get(slot, {}).get("values", [])]


class ActionTriageAdvice(Action):
    """What it commonly is (by where it hurts), then the recommendation."""

    def name(self) -> Text:
        return "action_triage_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        answers = {slot: tracker.get_slot(slot) for slot in READERS}
        outcome, reasons = recommend(answers)
        if outcome == URGENT:
            # action_red_flag follows (rule) with the urgent-care advice itself.
            dispatcher.utter_message(response="utter_triage_urgent", triage_reason=in_words(reasons))
        else:
            dispatcher.utter_message(response="utter_triage_explanation")
            if outcome == PHYSIO:
                dispatcher.utter_message(response="utter_triage_see_physio",
                                         triage_reason=in_words(reasons))
            else:
                dispatcher.utter_message(response="utter_triage_self_care")
        # The answers stay in their slots: action_red_flag names the flags from them, and
        # staff see them. The next triage starts afresh (ActionStartTriage).
        return [SlotSet("triage_outcome", outcome)]
