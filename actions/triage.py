"""Symptom triage: the questions, reading their answers, and the advice at the end.

The level of care is decided by one rule, `clinic.disposition.decide`, from the answers
and any red flags seen in the user's words; the advice text is `clinic.disposition.advice`,
the same words action_red_flag uses. Only the questions that can still change the level,
and that the user's own words have not answered yet, are asked
(`clinic.disposition.questions_to_ask`): once a finding needs the emergency department,
no more questions; at "same day", only those that could make it an emergency.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safety import (
    FLAGS_SLOT,
    LEVEL_SLOT,
    advice_for,
    answer_values,
    outcome_of,
    recent_user_texts,
    stored_findings,
    triage_answers,
)
from clinic.text.triage_answers import READERS, UNCLEAR_YES, may_be_a_child
from clinic.disposition import PHYSIO, SELF_CARE, SOON, decide, questions_to_ask

# Cleared when a runner describes their pain again (pain_location is kept: it is their knee).
EARLIER_ANSWERS = [slot for slot in READERS if slot != "pain_location"] + ["triage_outcome", LEVEL_SLOT, FLAGS_SLOT]


class ActionStartTriage(Action):
    """A runner describes their own pain: forget an earlier triage's answers, and a
    condition from an earlier general question ("what is runner's knee?") unless they name
    one now, so the follow-ups fit this knee. Then the introduction; triage_form follows."""

    def name(self) -> Text:
        return "action_start_triage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        forget = [slot for slot in EARLIER_ANSWERS if tracker.get_slot(slot) is not None]
        named_now = any(entity.get("entity") == "condition" for entity in tracker.latest_message.get("entities") or [])
        if tracker.get_slot("condition") is not None and not named_now:
            forget.append("condition")
        dispatcher.utter_message(response="utter_triage_intro")
        return [SlotSet(slot, None) for slot in forget]


class ValidateTriageForm(FormValidationAction):
    """Reads typed answers, fills what the first description already said, and ends the
    questions as soon as an answer needs urgent care."""

    def name(self) -> Text:
        return "validate_triage_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        answers = self._answers(tracker, list(READERS), domain)
        ask_age = any(may_be_a_child(text) for text in recent_user_texts(tracker))
        still_open = questions_to_ask(answers, stored_findings(tracker), answer_values(domain), ask_age)
        # Answered ones stay listed (Rasa validates them); open ones are asked in order.
        return [slot for slot in READERS if answers.get(slot) is not None] + still_open

    def _answers(self, tracker: Tracker, slots: List[Text], domain: DomainDict) -> Dict[Text, Any]:
        """The answers so far, and what the user's words since the triage began clearly say."""
        answers = {slot: tracker.get_slot(slot) for slot in slots}
        texts = triage_texts(tracker, not_answers(domain))
        for slot in slots:
            if answers[slot] is None:
                answers[slot] = _said(slot, texts)
        return answers

    # --- what the user's own words already answer --------------------------------------------
    # The message that started the triage and every answer since may say more than the
    # question asked ("about 3 weeks, no swelling"): what they clearly say is filled in and
    # not asked. The question being answered is read by its own reader (validate_*), and a
    # pain_location already known (entity, earlier message) stays. A red flag, a question or
    # "stop" during the questions is no answer (the form's not_intent list): it must reach
    # its own rule (action_red_flag...), so nothing is read from it here.
    def _from_description(self, slot: str, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot(slot) is not None:
            return {}
        if tracker.get_slot("requested_slot") == slot:
            return _guessed_question_as_answer(slot, tracker)
        latest = triage_texts(tracker, not_answers(domain))[-1:]
        if not latest or latest[0] != (tracker.latest_message.get("text") or ""):
            return {}
        value = _said(slot, latest)
        return {slot: value} if value is not None else {}

    async def extract_pain_location(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("pain_location") is not None:
            return {}
        return self._from_description("pain_location", tracker, domain)

    async def extract_triage_duration(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_duration", tracker, domain)

    async def extract_triage_swelling(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_swelling", tracker, domain)

    async def extract_triage_instability(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_instability", tracker, domain)

    async def extract_triage_impact(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_impact", tracker, domain)

    async def extract_triage_onset(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_onset", tracker, domain)

    async def extract_triage_night_pain(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_night_pain", tracker, domain)

    async def extract_triage_unwell(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_unwell", tracker, domain)

    async def extract_triage_surgery(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_surgery", tracker, domain)

    async def extract_triage_age(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_age", tracker, domain)

    # --- answers ------------------------------------------------------------------------------
    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher, domain: DomainDict) -> Dict[Text, Any]:
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

    def validate_triage_onset(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_onset", value, dispatcher, domain)

    def validate_triage_night_pain(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_night_pain", value, dispatcher, domain)

    def validate_triage_unwell(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_unwell", value, dispatcher, domain)

    def validate_triage_surgery(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_surgery", value, dispatcher, domain)

    def validate_triage_age(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_age", value, dispatcher, domain)


# A question intent the classifier only guessed (below this confidence) for a message that
# reads as the answer to the question asked ("only when i run" as ask_running_form) is the
# answer. A red flag, "stop", a booking or a person asked for always keep their own rule.
GUESSED_QUESTION = 0.6
ALWAYS_OWN_RULE = ("report_red_flag", "stop", "request_human", "book_appointment", "manage_appointment")


def _guessed_question_as_answer(slot: str, tracker: Tracker) -> Dict[Text, Any]:
    intent = tracker.latest_message.get("intent") or {}
    text = tracker.latest_message.get("text") or ""
    if (
        intent.get("name") in ALWAYS_OWN_RULE
        or (intent.get("confidence") or 0.0) >= GUESSED_QUESTION
        or text.startswith("/")
    ):
        return {}
    value = READERS[slot][0](text)
    return {slot: value} if value not in (None, UNCLEAR_YES) else {}


def not_answers(domain: DomainDict) -> List[str]:
    """The intents never taken as a triage answer (the from_text mappings' not_intent)."""
    mappings = domain.get("slots", {}).get("triage_onset", {}).get("mappings", [])
    return next((m.get("not_intent", []) for m in mappings if m.get("type") == "from_text"), [])


def triage_texts(tracker: Tracker, not_answer: List[str]) -> List[str]:
    """What the user wrote since this triage began: the message that started it and every
    answer since (not button payloads, and not a red flag, question or "stop" in between)."""

    def intent(event: Dict[Text, Any]) -> str:
        return ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""

    texts: List[str] = []
    for index in range(len(tracker.events) - 1, -1, -1):
        event = tracker.events[index]
        if event.get("event") == "user":
            texts.append("" if intent(event) in not_answer else event.get("text") or "")
        elif event.get("event") == "active_loop" and event.get("name") == "triage_form":
            texts.append(
                next((e.get("text") or "" for e in reversed(tracker.events[:index]) if e.get("event") == "user"), "")
            )
            break
    else:
        texts = texts[:1]  # not started yet: the latest message starts it
    return [text for text in reversed(texts) if text and not text.startswith("/")]


def _said(slot: str, texts: List[str]) -> Any:
    """The first clear answer to a question in the texts (description readers: strict)."""
    return next((value for value in (READERS[slot][1](text) for text in texts) if value is not None), None)


def _slot_values(domain: DomainDict, slot: str) -> List[str]:
    return [str(value) for value in domain.get("slots", {}).get(slot, {}).get("values", [])]


class ActionTriageAdvice(Action):
    """The level's advice; for the non-urgent levels, what it commonly is (by where it
    hurts) first. After urgent advice already given at this level, just a short word."""

    def name(self) -> Text:
        return "action_triage_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        decision = decide(triage_answers(tracker), stored_findings(tracker))
        if tracker.get_slot(FLAGS_SLOT) and tracker.get_slot(LEVEL_SLOT) == decision.level:
            dispatcher.utter_message(response="utter_triage_advice_stands")
        else:
            if decision.level in (SOON, PHYSIO, SELF_CARE):
                dispatcher.utter_message(response="utter_triage_explanation")
            dispatcher.utter_message(text=advice_for(decision, tracker), buttons=_BUTTONS.get(decision.level, []))
        # The answers stay in their slots for staff to see; the next triage starts afresh.
        return [SlotSet(LEVEL_SLOT, decision.level), SlotSet("triage_outcome", outcome_of(decision.level))]


_BOOK = {"title": "Book an appointment", "payload": "/book_appointment"}
_BUTTONS: Dict[str, List[Dict[str, str]]] = {
    SOON: [_BOOK, {"title": "When to see a physio", "payload": "/ask_when_see_physio"}],
    PHYSIO: [
        _BOOK,
        {"title": "What a physio does", "payload": "/ask_physio_treatment"},
        {"title": "Exercises meanwhile", "payload": "/ask_exercises"},
    ],
    SELF_CARE: [
        {"title": "Exercises that help", "payload": "/ask_exercises"},
        {"title": "When to see a physio", "payload": "/ask_when_see_physio"},
        _BOOK,
    ],
}
