"""action_red_flag: urgent advice for the red flags in the user's message, at the level the
disposition rule (clinic/disposition.py) gives for everything known so far.

One message: what to do (the emergency number and department, care the same day, or a
GP or physio within days), why in plain words for each finding, that this is not a
diagnosis, and where to turn if unsure (the country's urgent route, never only the clinic).
It never suggests a routine booking instead, and never mentions medicines or doses.

When the level is below an emergency, a few questions follow (triage_form, only those
that could make it more urgent and are not answered yet), unless another form is going on.
"""
from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic.disposition import (EMERGENCY, SAME_DAY, Disposition, advice, decide, findings_in_words,
                                flag_finding, questions_to_ask)
from clinic.safety import assess, detect_red_flags
from clinic.settings import care_routes, clinic_slots
from actions.triage_answers import READERS, may_be_a_child

# Red flags seen in this conversation, "name:level:sign", so a later answer builds on them.
FLAGS_SLOT = "triage_flags"
LEVEL_SLOT = "triage_level"


def stored_findings(tracker: Tracker) -> List[Tuple[str, ...]]:
    """The red flags seen so far, and what the user's words say that no question asks."""
    flags = [tuple(str(entry).split(":")) for entry in tracker.get_slot(FLAGS_SLOT) or []]
    return flags + findings_in_words(recent_user_texts(tracker))


def recent_user_texts(tracker: Tracker, count: int = 12) -> List[str]:
    """What the user wrote lately (someone else's knee, a child's age...)."""
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][-count:]


def triage_answers(tracker: Tracker) -> Dict[Text, Any]:
    return {slot: tracker.get_slot(slot) for slot in READERS}


def advice_for(decision: Disposition, tracker: Tracker) -> str:
    defaults = clinic_slots()
    return advice(decision, care_routes(),
                  clinic_name=tracker.get_slot("clinic_name") or defaults["clinic_name"],
                  clinic_phone=tracker.get_slot("clinic_phone") or defaults["clinic_phone"])


def outcome_of(level: str) -> str:
    """The older three-way `triage_outcome` the review charts count."""
    return {EMERGENCY: "urgent", SAME_DAY: "urgent", "soon": "physio"}.get(level, level)


class ActionRedFlag(Action):
    def name(self) -> Text:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        flags = detect_red_flags(text)  # the same check as the Rasa server's RedFlagDetector
        answers = triage_answers(tracker)
        events: List[EventType] = []
        # An answer to a triage question that is itself a red flag ("can't walk on it at all")
        # is also read as the answer, so it is not asked again and combines with the others.
        requested = tracker.get_slot("requested_slot")
        if tracker.active_loop_name == "triage_form" and requested in READERS and not text.startswith("/"):
            value = READERS[requested][0](text)
            if value not in (None, "unclear_yes"):
                answers[requested] = value
                events.append(SlotSet(requested, value))
        if not flags and events and assess(text).negated:
            # A triage answer that only denies red flags ("no, it hasn't locked or given way"):
            # the answer, not an alarm (negated mentions never alarm); the form goes on.
            return events
        findings = [flag_finding(flag) for flag in flags]
        if not flags and not tracker.get_slot(FLAGS_SLOT):
            # The classifier's red flag in words the check does not know, or a button.
            findings = [("general", SAME_DAY, "classifier")]
        decision = decide(answers, findings + stored_findings(tracker))
        dispatcher.utter_message(text=advice_for(decision, tracker))
        seen = list(tracker.get_slot(FLAGS_SLOT) or [])
        seen += [entry for entry in (":".join(finding) for finding in findings) if entry not in seen]
        events += [SlotSet(FLAGS_SLOT, seen), SlotSet(LEVEL_SLOT, decision.level),
                   SlotSet("triage_outcome", outcome_of(decision.level))]
        if tracker.active_loop_name is None and self._questions_left(tracker, answers, decision, text):
            # Could it be more urgent? Ask what decides that (validate_triage_form picks them).
            dispatcher.utter_message(response="utter_triage_urgent_check")
            events.append(FollowupAction("triage_form"))
        return events

    @staticmethod
    def _questions_left(tracker: Tracker, answers: Dict[Text, Any], decision: Disposition,
                        text: str) -> List[str]:
        known = {slot: value if value is not None else READERS[slot][1](text)
                 for slot, value in answers.items()}
        texts = recent_user_texts(tracker) + [text]
        return questions_to_ask(decision, known, any(may_be_a_child(t) for t in texts))
