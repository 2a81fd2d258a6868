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

from clinic.disposition import (
    CHECK_SLOT,
    CHECK_TOPIC_SLOT,
    EMERGENCY,
    SAME_DAY,
    SOON,
    Disposition,
    advice,
    decide,
    findings_in_words,
    flag_finding,
    questions_to_ask,
)
from clinic.safety import assess, detect_red_flags, suspected_check
from clinic.settings import care_routes, clinic_slots
from clinic.text.triage_answers import READERS, may_be_a_child

# Red flags seen in this conversation, "name:level:sign", so a later answer builds on them.
FLAGS_SLOT = "triage_flags"
# The classifier's own red flag (no red-flag words the check knows) on a triage answer that
# the question's reader understood is taken as the answer below this confidence.
CONFIDENT_RED_FLAG = 0.9
LEVEL_SLOT = "triage_level"


def stored_findings(tracker: Tracker) -> List[Tuple[str, ...]]:
    """The red flags seen so far, and what the user's words say that no question asks."""
    flags = [tuple(str(entry).split(":")) for entry in tracker.get_slot(FLAGS_SLOT) or []]
    return flags + findings_in_words(recent_user_texts(tracker))


def recent_user_texts(tracker: Tracker, count: int = 12) -> List[str]:
    """What the user wrote lately (someone else's knee, a child's age...)."""
    return [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][-count:]


def triage_answers(tracker: Tracker) -> Dict[Text, Any]:
    """The triage answers, and the red-flag check's (CHECK_SLOT, about CHECK_TOPIC_SLOT)."""
    return {slot: tracker.get_slot(slot) for slot in list(READERS) + [CHECK_SLOT, CHECK_TOPIC_SLOT]}


def answer_values(domain: Dict[Text, Any]) -> Dict[Text, List[str]]:
    """Each triage question's possible answers: its slot's values in the domain."""
    slots = domain.get("slots", {})
    return {slot: [str(value) for value in slots.get(slot, {}).get("values", [])] for slot in READERS}


def advice_for(decision: Disposition, tracker: Tracker) -> str:
    defaults = clinic_slots()
    return advice(
        decision,
        care_routes(),
        clinic_name=tracker.get_slot("clinic_name") or defaults["clinic_name"],
        clinic_phone=tracker.get_slot("clinic_phone") or defaults["clinic_phone"],
    )


def outcome_of(level: str) -> str:
    """The older three-way `triage_outcome` the review charts count."""
    return {EMERGENCY: "urgent", SAME_DAY: "urgent", "soon": "physio"}.get(level, level)


class ActionRedFlag(Action):
    def name(self) -> Text:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        flags = detect_red_flags(text)  # the same check as the Rasa server's RedFlagDetector
        answers = triage_answers(tracker)
        events: List[EventType] = []
        # An answer to a triage question that is itself a red flag ("can't walk on it at all")
        # is also read as the answer, so it is not asked again and combines with the others.
        requested = tracker.get_slot("requested_slot")
        also_answered: List[EventType] = []
        if tracker.active_loop_name == "triage_form" and not text.startswith("/"):
            if requested in READERS:
                value = READERS[requested][0](text)
                if value not in (None, "unclear_yes"):
                    answers[requested] = value
                    events.append(SlotSet(requested, value))
            # The same words may answer other open questions too ("it swelled up like a
            # balloon after I twisted it"): those are not asked again.
            for slot, (_, in_description) in READERS.items():
                value = in_description(text) if slot != requested and answers.get(slot) is None else None
                if value is not None:
                    answers[slot] = value
                    also_answered.append(SlotSet(slot, value))
        # Only red flags (or their signs) the user rules out: "no swelling, it doesn't lock".
        assessment = assess(text)
        denied_only = not flags and bool(assessment.negated or assessment.denied_signs)
        confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
        if events and not flags and denied_only:
            # A triage answer that only denies red flags ("no, it hasn't locked or given way"):
            # the answer, not an alarm; the rule decides the level from it.
            return events + also_answered
        if events and not flags and confidence < CONFIDENT_RED_FLAG:
            # A triage answer the question's reader understands, which only the classifier
            # guessed to be a red flag (no red-flag words the check knows): the answer, and
            # one explicit yes/no check about the red flag its words come closest to, asked
            # next by the form (a yes raises the level: clinic.disposition.decide). The same
            # check is not asked twice in a triage. A confident classifier red flag still
            # alarms at once.
            topic = suspected_check(text)
            if tracker.get_slot(CHECK_SLOT) is None or tracker.get_slot(CHECK_TOPIC_SLOT) != topic:
                return events + also_answered + [SlotSet(CHECK_TOPIC_SLOT, topic), SlotSet(CHECK_SLOT, None)]
            return events + also_answered
        events += also_answered
        if denied_only and tracker.active_loop_name is None:
            # "No swelling, it doesn't lock, but it hurts on every run", "walloped it on a bench,
            # a bruise but no swelling": a description that only the classifier took for a red
            # flag, so the triage questions (which ask about every red flag), not an alarm.
            dispatcher.utter_message(response="utter_triage_intro")
            return [FollowupAction("triage_form")]
        findings = [flag_finding(flag) for flag in flags]
        # What the message itself answers counts for the level now, as it will for the
        # questions that follow ("landed on it and she won't stand on that leg": an injury and
        # not bearing weight, an emergency, even where no red-flag pattern names it).
        known = {
            slot: value if value is not None or text.startswith("/") or slot not in READERS else READERS[slot][1](text)
            for slot, value in answers.items()
        }
        if not flags and not tracker.get_slot(FLAGS_SLOT):
            # The classifier's red flag without one the check knows: a finding of the rule
            # at "soon" in the words explains it (night pain, settled locking...); otherwise
            # the same-day advice for red flags in general.
            described = decide(known, stored_findings(tracker))
            findings = [] if described.level == SOON else [("general", SAME_DAY, "classifier")]
        decision = decide(known, findings + stored_findings(tracker))
        dispatcher.utter_message(text=advice_for(decision, tracker))
        seen = list(tracker.get_slot(FLAGS_SLOT) or [])
        seen += [entry for entry in (":".join(finding) for finding in findings) if entry not in seen]
        events += [
            SlotSet(FLAGS_SLOT, seen),
            SlotSet(LEVEL_SLOT, decision.level),
            SlotSet("triage_outcome", outcome_of(decision.level)),
        ]
        if tracker.active_loop_name is None and self._questions_left(
            tracker, known, findings + stored_findings(tracker), answer_values(domain)
        ):
            # Could it be more urgent? Ask what decides that (validate_triage_form picks them).
            dispatcher.utter_message(response="utter_triage_urgent_check")
            stale_check = [SlotSet(slot, None) for slot in (CHECK_SLOT, CHECK_TOPIC_SLOT) if tracker.get_slot(slot)]
            events += stale_check + [FollowupAction("triage_form")]
        return events

    @staticmethod
    def _questions_left(
        tracker: Tracker, known: Dict[Text, Any], flags: List[Tuple[str, ...]], values: Dict[Text, List[str]]
    ) -> List[str]:
        texts = recent_user_texts(tracker)
        return questions_to_ask(known, flags, values, any(may_be_a_child(t) for t in texts))


# A question about a red-flag symptom ("what does it mean when a knee locks?"): what it is,
# then what to do if it is happening now. Flags without an entry get the general line.
SYMPTOM_EXPLANATIONS: Dict[str, str] = {
    "locking": 'A knee "locks" when it gets stuck, usually bent, and won\'t straighten fully until '
    "something shifts. It can mean a torn piece of cartilage (the meniscus) or a loose "
    "fragment is catching inside the joint. A click or catch that frees itself at once is "
    "much less worrying.",
    "giving_way": '"Giving way" means the knee suddenly buckles or feels as if it will collapse, often '
    "when turning or on stairs. After an injury it can mean a ligament (such as the ACL) "
    "or the meniscus is damaged; without an injury it is more often weak thigh muscles or "
    "a painful kneecap.",
    "rapid_swelling": "Swelling that comes up within minutes or a few hours of an injury usually means "
    "bleeding inside the joint, for example from a ligament tear; swelling that builds "
    "slowly over a day is more often irritation of the joint lining.",
    "pop_with_swelling": "A pop or snap at the moment of an injury, especially with swelling afterwards, "
    "can mean a ligament or cartilage injury inside the knee.",
    "cannot_bear_weight": "Not being able to put weight on the leg after an injury can mean a broken bone "
    "or a serious ligament injury; that is why it is one of the signs doctors check.",
    "numbness": "Numbness or pins and needles in the leg or foot means a nerve, or the blood supply, is "
    "being affected, which is different from ordinary knee pain.",
}


class ActionExplainSymptom(Action):
    """Explains a red-flag symptom the user asks about, with the action to take if it is
    happening to them now; never the alarm itself."""

    def name(self) -> Text:
        return "action_explain_symptom"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        from clinic.safety import RedFlag  # noqa: PLC0415 (only for the level of the flag)

        names = [
            e.get("value")
            for e in tracker.latest_message.get("entities") or []
            if e.get("entity") == "symptom_question"
        ]
        name = names[0] if names else "locking"
        level = flag_finding(RedFlag(name, "asked", "", 0, 0))[1]
        routes = care_routes()
        if level == EMERGENCY:
            now = f"call {routes['emergency_number']} or go to {routes['emergency_department']} straight away"
        elif level == SAME_DAY:
            now = (
                f"please stop running and get it checked today: see a GP, go to {routes['urgent_care']} "
                f"or contact {routes['urgent_line']}"
            )
        else:
            now = "please see a GP or a physio within the next few days"
        explanation = SYMPTOM_EXPLANATIONS.get(name, "That is one of the symptoms worth getting checked quickly.")
        dispatcher.utter_message(
            text=f"{explanation}\n\nIf this is happening to you now, {now}. "
            "This is general information, not a diagnosis."
        )
        return []
