"""Symptom triage: the questions, reading their answers, and the advice at the end.

The level of care is decided by one rule, `clinic.disposition.decide`, from the answers
and any red flags seen in the user's words; the advice text is `clinic.disposition.advice`,
the same words action_red_flag uses. Only the questions that can still change the level,
and that the user's own words have not answered yet, are asked
(`clinic.disposition.questions_to_ask`): once a finding needs the emergency department,
no more questions; at "same day", only those that could make it an emergency.
"""

import re
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
from clinic.disposition import (
    CHECK_SLOT,
    CHECK_TOPIC_SLOT,
    EMERGENCY,
    PHYSIO,
    SELF_CARE,
    SOON,
    decide,
    questions_to_ask,
)
from clinic.text.questions import reads_as_question
from clinic.text.stopping import MENTIONS_STOPPING
from clinic.text.triage_answers import READERS, UNCLEAR_YES, about, corrected_answers, may_be_a_child
from clinic.text.yes_no import NO, UNSURE as UNSURE_WORDS, YES

# Cleared when a runner describes their pain again (pain_location is kept: it is their knee).
EARLIER_ANSWERS = [slot for slot in READERS if slot != "pain_location"] + [
    "triage_outcome",
    LEVEL_SLOT,
    FLAGS_SLOT,
    CHECK_SLOT,
    CHECK_TOPIC_SLOT,
]


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
        answers.update({slot: tracker.get_slot(slot) for slot in (CHECK_SLOT, CHECK_TOPIC_SLOT)})
        ask_age = any(may_be_a_child(text) for text in recent_user_texts(tracker))
        still_open = questions_to_ask(answers, stored_findings(tracker), answer_values(domain), ask_age)
        # The red-flag check (a red flag only the classifier suspected in an answer) comes
        # first, below an emergency; answered ones stay listed (Rasa validates them); open
        # ones are asked in order.
        check = []
        if answers[CHECK_SLOT] is not None:
            check = [CHECK_SLOT]
        elif answers[CHECK_TOPIC_SLOT] and decide(answers, stored_findings(tracker)).level != EMERGENCY:
            check = [CHECK_SLOT]
        return check + [slot for slot in READERS if answers.get(slot) is not None] + still_open

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
    def _from_description(
        self, slot: str, tracker: Tracker, domain: DomainDict, dispatcher: CollectingDispatcher
    ) -> Dict[Text, Any]:
        if tracker.get_slot(slot) is not None:
            return {}
        if tracker.get_slot("requested_slot") == slot:
            if _guessed_leaving(tracker) and not _back_from_elsewhere(tracker):
                # "maybe" guessed as "stop": an answer (or an unclear one), not leaving the questions.
                return self._validate(slot, tracker.latest_message.get("text"), dispatcher, tracker, domain)
            guessed = _guessed_question_as_answer(slot, tracker)
            if guessed or not _back_from_elsewhere(tracker) or times_asked(tracker, slot) < 2:
                return guessed
            # Back from answering a question, a red flag or anything else instead of an answer,
            # for the second time: "not sure", and the questions go on (never a third time).
            dispatcher.utter_message(response="utter_triage_taken_as_unsure")
            return {slot: UNSURE}
        latest = triage_texts(tracker, not_answers(domain))[-1:]
        if not latest or latest[0] != (tracker.latest_message.get("text") or ""):
            return {}
        value = _said(slot, latest)
        return {slot: value} if value is not None else {}

    async def extract_pain_location(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot("pain_location") is not None:
            return {}
        return self._from_description("pain_location", tracker, domain, dispatcher)

    async def extract_triage_duration(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_duration", tracker, domain, dispatcher)

    async def extract_triage_swelling(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_swelling", tracker, domain, dispatcher)

    async def extract_triage_instability(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_instability", tracker, domain, dispatcher)

    async def extract_triage_impact(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_impact", tracker, domain, dispatcher)

    async def extract_triage_onset(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_onset", tracker, domain, dispatcher)

    async def extract_triage_night_pain(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_night_pain", tracker, domain, dispatcher)

    async def extract_triage_unwell(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_unwell", tracker, domain, dispatcher)

    async def extract_triage_surgery(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_surgery", tracker, domain, dispatcher)

    async def extract_triage_age(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._from_description("triage_age", tracker, domain, dispatcher)

    # --- answers ------------------------------------------------------------------------------
    def _validate(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """A typed answer read for its question. An answer the reader can't make out gets a hint
        and the question once more; the second time it is taken as "not sure" (a bare "yes,
        swollen" the second time: quickly or a lot), so no question is asked three times. A
        message that corrects an earlier answer ("sorry, I meant 4 weeks") changes that answer,
        and is read for the question asked only if it speaks of its topic."""
        if value is None:
            return {slot: None}
        if value in _slot_values(domain, slot):  # a button, or already read
            return {slot: value}
        text = str(value)
        corrected = corrected_answers(text, {s: tracker.get_slot(s) for s in READERS}, slot)
        if corrected and not about(slot, text):
            return {slot: None, **corrected}  # the question is asked again
        answer = READERS[slot][0](text)
        again = times_asked(tracker, slot) >= 2
        if answer == UNCLEAR_YES:
            if again:
                # "yes" again to "a little, or quickly or a lot?": the "Yes, quickly or a lot"
                # button's answer (the more urgent reading of a swelling the user insists on).
                return {slot: "major" if slot == "triage_swelling" else UNSURE, **corrected}
            dispatcher.utter_message(response="utter_triage_swelling_unclear")
            return {slot: None, **corrected}
        if answer is None:
            if again:
                dispatcher.utter_message(response="utter_triage_taken_as_unsure")
                return {slot: UNSURE, **corrected}
            dispatcher.utter_message(response="utter_triage_unclear")
        return {slot: answer, **corrected}

    async def extract_triage_red_flag_check(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if tracker.get_slot(CHECK_SLOT) is not None or tracker.get_slot("requested_slot") != CHECK_SLOT:
            return {}
        if _guessed_leaving(tracker) and not _back_from_elsewhere(tracker):
            return self.validate_triage_red_flag_check(tracker.latest_message.get("text"), dispatcher, tracker, domain)
        if _back_from_elsewhere(tracker) and times_asked(tracker, CHECK_SLOT) >= 2:
            dispatcher.utter_message(response="utter_triage_taken_as_unsure")
            return {CHECK_SLOT: UNSURE}
        return {}

    def validate_triage_red_flag_check(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        """Yes, no or not sure to the one red-flag check; a yes gets the advice of its level at
        once (the questions that could still raise it follow)."""
        if value is None:
            return {CHECK_SLOT: None}
        answer = str(value) if str(value) in ("yes", "no", UNSURE) else read_check(str(value))
        if answer is None:
            if times_asked(tracker, CHECK_SLOT) < 2:
                dispatcher.utter_message(response="utter_triage_unclear")
                return {CHECK_SLOT: None}
            dispatcher.utter_message(response="utter_triage_taken_as_unsure")
            answer = UNSURE
        if answer != "yes":
            return {CHECK_SLOT: answer}
        answers = {**triage_answers(tracker), CHECK_SLOT: answer}
        decision = decide(answers, stored_findings(tracker))
        dispatcher.utter_message(text=advice_for(decision, tracker))
        return {CHECK_SLOT: answer, LEVEL_SLOT: decision.level, "triage_outcome": outcome_of(decision.level)}

    def validate_pain_location(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("pain_location", value, dispatcher, tracker, domain)

    def validate_triage_duration(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_duration", value, dispatcher, tracker, domain)

    def validate_triage_swelling(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_swelling", value, dispatcher, tracker, domain)

    def validate_triage_instability(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_instability", value, dispatcher, tracker, domain)

    def validate_triage_impact(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_impact", value, dispatcher, tracker, domain)

    def validate_triage_onset(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_onset", value, dispatcher, tracker, domain)

    def validate_triage_night_pain(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_night_pain", value, dispatcher, tracker, domain)

    def validate_triage_unwell(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_unwell", value, dispatcher, tracker, domain)

    def validate_triage_surgery(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_surgery", value, dispatcher, tracker, domain)

    def validate_triage_age(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._validate("triage_age", value, dispatcher, tracker, domain)


# A question intent the classifier only guessed (below this confidence) for a message that
# reads as the answer to the question asked ("only when i run" as ask_running_form) is the
# answer; for a message that does not read as a question at all (no "?", no question word
# first), below CONFIDENT_QUESTION. A red flag, "stop", a booking or a person asked for keep
# their own rule (see _guessed_leaving for the last three).
GUESSED_QUESTION = 0.6
CONFIDENT_QUESTION = 0.9
ALWAYS_OWN_RULE = ("report_red_flag", "stop", "request_human", "book_appointment", "manage_appointment")


def _guessed_question_as_answer(slot: str, tracker: Tracker) -> Dict[Text, Any]:
    intent = tracker.latest_message.get("intent") or {}
    text = tracker.latest_message.get("text") or ""
    threshold = GUESSED_QUESTION if reads_as_question(text) else CONFIDENT_QUESTION
    if intent.get("name") in ALWAYS_OWN_RULE or (intent.get("confidence") or 0.0) >= threshold or text.startswith("/"):
        return {}
    value = READERS[slot][0](text)
    return {slot: value} if value not in (None, UNCLEAR_YES) else {}


# Leaving the questions ("stop", a booking, a person) that the classifier only guessed (below
# CONFIDENT_LEAVING), in a message without any word of it ("maybe" as stop, "since tuesday" as
# a booking): read as the answer, or as an answer not understood, so the triage goes on to its
# advice. With their words ("stop", "book", "a person") they always keep their own rule.
CONFIDENT_LEAVING = 0.9
_BOOK_WORDS = (
    r"book\w*|appointments?|appt|slots?|sessions?|visit|come\s+in|see\s+(?:a|the|your|someone|somebody)"
    r"|reschedul\w*|cancel\w*|move\s+(?:my|it|the)|change\s+(?:my|it|the)|available|availability|free"
)
_PERSON_WORDS = (
    r"human|person|someone|somebody|real|staff|talk|speak|call|phone|ring|agent|reception\w*|physio\w*"
    r"|team|contact|email"
)
LEAVING_WORDS = {
    "stop": MENTIONS_STOPPING,
    "book_appointment": re.compile(rf"\b(?:{_BOOK_WORDS})\b", re.IGNORECASE),
    "manage_appointment": re.compile(rf"\b(?:{_BOOK_WORDS})\b", re.IGNORECASE),
    "request_human": re.compile(rf"\b(?:{_PERSON_WORDS}|{_BOOK_WORDS})\b", re.IGNORECASE),
}


def _guessed_leaving(tracker: Tracker) -> bool:
    intent = tracker.latest_message.get("intent") or {}
    text = tracker.latest_message.get("text") or ""
    words = LEAVING_WORDS.get(intent.get("name") or "")
    return (
        words is not None
        and (intent.get("confidence") or 0.0) < CONFIDENT_LEAVING
        and not text.startswith("/")
        and not words.search(text)
    )


UNSURE = "unsure"
_SAYS_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|ya|yea|aye|y|definitely|it is|it does|i am|i do|i have)\b")
_SAYS_NO = re.compile(r"^\W*(?:no|nope|nah|n|not really|not at all|neither|none)\b")


def read_check(text: str) -> Any:
    """Yes, no or not sure to the red-flag check, in the user's words."""
    lowered = text.lower().replace("’", "'")
    if _SAYS_YES.search(lowered):
        return "yes"
    if UNSURE_WORDS.search(lowered):
        return UNSURE
    if _SAYS_NO.search(lowered) or NO.search(lowered):
        return "no"
    return "yes" if YES.search(lowered) else None


def times_asked(tracker: Tracker, slot: str) -> int:
    """How often this triage has asked the question (its utter_ask_<slot>), the current time
    included."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == "triage_form":
            break
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == f"utter_ask_{slot}":
            count += 1
    return count


def _back_from_elsewhere(tracker: Tracker) -> bool:
    """Is the form coming back after another action answered the user's message (a question,
    a red flag...), rather than reading the message just typed?"""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") != "triage_form":
            return event.get("name") != "action_listen"
    return False


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
        urgent_said = tracker.get_slot(FLAGS_SLOT) or tracker.get_slot(CHECK_SLOT) == "yes"
        if urgent_said and tracker.get_slot(LEVEL_SLOT) == decision.level:
            dispatcher.utter_message(response="utter_triage_advice_stands")
        else:
            if decision.level in (SOON, PHYSIO, SELF_CARE):
                dispatcher.utter_message(response="utter_triage_explanation")
            dispatcher.utter_message(text=advice_for(decision, tracker), buttons=_BUTTONS.get(decision.level, []))
        # The answers stay in their slots for staff to see; the next triage starts afresh (a
        # red-flag check never asked is dropped).
        events = [SlotSet(LEVEL_SLOT, decision.level), SlotSet("triage_outcome", outcome_of(decision.level))]
        if tracker.get_slot(CHECK_SLOT) is None and tracker.get_slot(CHECK_TOPIC_SLOT) is not None:
            events.append(SlotSet(CHECK_TOPIC_SLOT, None))
        return events


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
