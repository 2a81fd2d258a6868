"""action_red_flag: urgent-care advice, tailored to the red flags in the user's message.

The advice is one message, in this order: what to do now (the emergency department and
the emergency number for the most serious findings, otherwise care the same day), why,
in plain words for each finding, then that this is not a diagnosis and the clinic's
phone number for anything that is not an emergency. It never suggests a routine booking
instead, and never mentions medicines or doses.

The texts are here rather than in domain.yml because they are put together from parts;
clinicians reviewing them will find every word in ADVICE and the functions below.
"""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from clinic.safety import FLAG_NAMES, RedFlag, detect_red_flags
from clinic.settings import clinic_slots, load_clinic

# Used when clinic.yml has no `emergency_number`.
ANY_EMERGENCY_NUMBER = "your local emergency number (999 in the UK, 911 in the US, 112 in the EU)"

# Why each finding matters, in plain words: (when it is an emergency, when it needs care today).
ADVICE: Dict[str, Dict[bool, str]] = {
    "deformity": {
        True: "A knee or kneecap that looks out of place or the wrong shape needs to be seen in an "
              "emergency department straight away. Don't try to push it back yourself; keep the leg "
              "still and supported.",
    },
    "cannot_bear_weight": {
        True: "Not being able to put weight on your leg after an injury (a fall, a twist, a pop or "
              "the knee giving way) needs checking straight away, to rule out a broken bone or a "
              "serious ligament injury.",
        False: "Not being able to put weight on your leg needs checking today.",
    },
    "dvt_signs": {
        True: "Breathlessness or chest pain, especially with a painful or swollen calf, or after "
              "surgery or a long journey, can be a sign of a blood clot in the lungs. Don't wait "
              "to see if it settles.",
        False: "A swollen, hot or red calf can be a sign of a blood clot in the leg (DVT), which "
               "needs checking today, not in a few days.",
    },
    "infection_signs": {
        True: "A hot, red or swollen knee together with a fever or feeling unwell can be a sign of "
              "an infection in the joint, which needs treatment straight away.",
        False: "A hot, red knee or an infected-looking wound needs checking today, to rule out "
               "an infection.",
    },
    "pop_with_swelling": {
        False: "A pop at the time of an injury, or swelling after a fall or twist, can mean an "
               "injury inside the knee, for example to a ligament or cartilage.",
    },
    "rapid_swelling": {
        False: "Swelling that comes up quickly or is large can mean there is bleeding inside the "
               "joint.",
    },
    "locking": {
        False: "A knee that locks, or gets stuck and won't straighten, can mean something is "
               "catching inside the joint.",
    },
    "giving_way": {
        False: "A knee that gives way can mean the structures that hold it steady are injured.",
    },
    "numbness": {
        False: "Numbness, tingling or pins and needles in your leg or foot can mean a nerve, or the "
               "blood supply, is being affected.",
    },
}

# When the classifier recognised a red flag that the deterministic check has no words for
# (or the user pressed a button): the advice covers every red flag.
GENERAL_REASON = (
    "Some knee symptoms need checking quickly: a knee that locks, gives way or swells up fast, "
    "a pop, numbness or pins and needles, or not being able to put weight on it."
)


def emergency_number() -> str:
    return str(load_clinic().get("emergency_number") or ANY_EMERGENCY_NUMBER)


def red_flag_advice(flags: List[RedFlag], clinic_name: str, clinic_phone: str,
                    emergency: Optional[str] = None) -> str:
    """The advice for these flags (most serious first, as detect_red_flags returns them)."""
    emergency = emergency or emergency_number()
    if any(flag.emergency for flag in flags):
        first = "Please get medical help now."
        reasons = [ADVICE[f.name][f.emergency] for f in flags if f.emergency]
        reasons += [ADVICE[f.name][False] for f in flags if not f.emergency and False in ADVICE[f.name]]
        what_to_do = (f"Call {emergency} or go to your nearest emergency department (A&E / ER) now. "
                      "Stop running, and don't drive yourself.")
    else:
        first = "Please stop running and get your knee checked today."
        reasons = [ADVICE[f.name][False] for f in flags] or [GENERAL_REASON]
        what_to_do = ("See a doctor today, or go to an urgent care centre or minor injuries unit; "
                      "please don't wait for a routine appointment. If you can't put weight on your "
                      "leg, it looks out of place, or you get a fever, breathlessness or chest pain, "
                      f"call {emergency} or go to the emergency department (A&E / ER) straight away.")
    closing = ("This is general advice based on what you wrote, not a diagnosis. If you're not "
               f"sure where to go, or for anything that isn't an emergency, call {clinic_name} on "
               f"{clinic_phone}. You can still ask me anything else.")
    return "\n\n".join([first + " " + " ".join(reasons), what_to_do, closing])


def flags_in_conversation(tracker: Tracker) -> List[RedFlag]:
    """The red flags of the latest message or, after a button press (no words to check),
    of the triage answers that led here (data/rules/triage.yml)."""
    flags = detect_red_flags(tracker.latest_message.get("text") or "")
    if flags:
        return flags
    names = []
    if tracker.get_slot("triage_swelling") == "major":
        names.append("rapid_swelling")
    if tracker.get_slot("triage_instability") == "yes":
        names += ["locking", "giving_way"]
    return [RedFlag(name, "answer", "", 0, 0) for name in FLAG_NAMES if name in names]


class ActionRedFlag(Action):
    def name(self) -> Text:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        # The same check as the Rasa server's RedFlagDetector, so the advice matches the flags.
        flags = flags_in_conversation(tracker)
        defaults = clinic_slots()
        dispatcher.utter_message(text=red_flag_advice(
            flags,
            clinic_name=tracker.get_slot("clinic_name") or defaults["clinic_name"],
            clinic_phone=tracker.get_slot("clinic_phone") or defaults["clinic_phone"],
        ))
        return []
