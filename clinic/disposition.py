"""The disposition rule: from everything a runner has told us, how urgently and where
they should get their knee seen. One function (`decide`), written to be read and signed
by a physio; docs/safety.md gives it in plain words with its sources (NHS knee pain and
NHS 111 advice, NICE CKS on knee pain, septic arthritis, DVT and SUFE, the Ottawa knee
rules, sports-physio red-flag screening).

Five levels, most urgent first; the most urgent level any finding reaches wins:
- emergency: the emergency number or emergency department now;
- same_day:  a GP, urgent care or the urgent advice line today;
- soon:      a GP or physio within a few days;
- physio:    book a physio assessment;
- self_care: what to do, for how long, and what should change the plan.

The findings come from two places: red flags the deterministic check found in the user's
words (clinic.safety) and the triage answers (slot values, clinic/text/triage_answers.py).
`advice` turns a decision into the words both action_red_flag and the triage use.
"""

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from clinic.safety import RedFlag
from clinic.text.negation import is_negated

EMERGENCY, SAME_DAY, SOON, PHYSIO, SELF_CARE = "emergency", "same_day", "soon", "physio", "self_care"
LEVELS = (EMERGENCY, SAME_DAY, SOON, PHYSIO, SELF_CARE)  # most urgent first


@dataclass
class Disposition:
    level: str = SELF_CARE
    reasons: List[str] = field(default_factory=list)  # why, in plain words, most urgent first

    def at_least(self, level: str) -> bool:
        return LEVELS.index(self.level) <= LEVELS.index(level)


# Why each red flag matters: (its level, one plain sentence). Emergency variants first.
FLAG_REASONS: Dict[Tuple[str, str], str] = {
    (
        "deformity",
        EMERGENCY,
    ): "A knee or kneecap that looks out of place or the wrong shape, or a deep wound, needs to be seen "
    "in an emergency department straight away. Don't try to push it back yourself; keep the leg "
    "still and supported.",
    (
        "circulation",
        EMERGENCY,
    ): "A cold, pale or blue foot or leg can mean its blood supply is cut off, which can't wait.",
    (
        "dvt_signs",
        EMERGENCY,
    ): "Breathlessness or chest pain, especially with a painful or swollen calf, or after surgery or a "
    "long journey, can be a sign of a blood clot in the lungs. Don't wait to see if it settles.",
    (
        "dvt_signs",
        SAME_DAY,
    ): "A swollen, hot, red or tender calf can be a sign of a blood clot in the leg (DVT), which needs "
    "checking today, not in a few days.",
    (
        "infection_signs",
        EMERGENCY,
    ): "A hot, red or swollen knee together with a fever, shivers or feeling very unwell can be a sign "
    "of an infection in the joint, which needs treatment straight away.",
    (
        "infection_signs",
        SAME_DAY,
    ): "A hot, red or swollen knee, or a fever or shivers with a painful knee, needs checking today to "
    "rule out an infection.",
    (
        "cannot_bear_weight",
        EMERGENCY,
    ): "Not being able to put weight on your leg after an injury (a fall, a twist, a pop or the knee "
    "giving way) needs checking straight away, to rule out a broken bone or a serious ligament "
    "injury.",
    ("cannot_bear_weight", SAME_DAY): "Not being able to put weight on your leg needs checking today.",
    (
        "after_procedure",
        SAME_DAY,
    ): "After a recent operation or injection, a wound that weeps, reddens or opens, a knee that turns "
    "hot, red or swollen, a fever, or calf pain needs checking today, to rule out an infection or "
    "a clot.",
    (
        "child_hip_limp",
        SAME_DAY,
    ): "A child or teenager who limps, or has hip, groin or thigh pain with knee pain, should be seen "
    "by a doctor today: hip problems of growing bones often show up as knee pain.",
    (
        "pop_with_swelling",
        SAME_DAY,
    ): "A pop at the time of an injury, or swelling after a fall or twist, can mean an injury inside "
    "the knee, for example to a ligament or cartilage.",
    (
        "rapid_swelling",
        SAME_DAY,
    ): "Swelling that comes up quickly or is large can mean there is bleeding inside the joint.",
    (
        "locking",
        EMERGENCY,
    ): "A knee you can't move at all after an injury needs checking straight away for a fracture or dislocation.",
    ("locking", SAME_DAY): "A knee that is locked, stuck and won't straighten, can mean something is caught inside the "
    "joint.",
    ("locking", SOON): "A knee that keeps catching or locking, even if it frees itself, can mean something is catching "
    "inside the joint.",
    (
        "giving_way",
        SAME_DAY,
    ): "A knee that gives way after an injury can mean the structures that hold it steady are injured.",
    (
        "giving_way",
        SOON,
    ): "A knee that keeps giving way can mean the structures that hold it steady are not doing their job.",
    (
        "numbness",
        EMERGENCY,
    ): "Numbness, pins and needles or weakness in your foot after an injury (toes you can't move, a foot "
    "that feels dead) can mean a nerve or blood vessel is damaged, which can't wait.",
    (
        "numbness",
        SAME_DAY,
    ): "Numbness, tingling, pins and needles or weakness in your leg or foot can mean a nerve, or the "
    "blood supply, is being affected.",
    (
        "night_pain_unwell",
        SOON,
    ): "Pain at night or at rest together with weight loss, night sweats or feeling unwell should be "
    "checked by a doctor soon, to rule out causes other than running.",
}
# Findings that are not red flags of the contract but still decide a level.
EXTRA_REASONS = {
    "morning_stiffness": "Swelling with morning stiffness that lasts half an hour or more should be "
    "checked by a GP or physio within days, to rule out an inflammatory joint "
    "problem.",
    "not_settling": "it hasn't settled with rest, or comes back when you run again",
    "replaced_knee": "A replaced knee that starts to hurt or swell again, even years after the operation, "
    "should be checked by your GP or the surgical team within days.",
}
OTTAWA_AGE_REASON = (
    "After a fall, knock or twist at 55 or over, a knee is usually X-rayed the same day to rule out a "
    "broken bone, even when you can walk on it."
)
GENERAL_REASON = (
    "Some knee symptoms need checking quickly: a knee that locks, gives way or swells up fast, a pop, "
    "numbness or pins and needles, or not being able to put weight on it."
)


def flag_level(flag: RedFlag) -> str:
    """The level one red flag reaches on its own."""
    if flag.emergency:
        return EMERGENCY
    if flag.name == "night_pain_unwell" or flag.settled:
        return SOON
    return SAME_DAY


def flag_finding(flag: RedFlag) -> Tuple[str, str, str]:
    """(flag name, level, sign): how a red flag is remembered (slot `triage_flags`)."""
    return flag.name, flag_level(flag), flag.sign


# Morning stiffness for half an hour or more (with swelling: possible inflammatory arthritis).
_MORNING_STIFF = re.compile(
    r"\bstiff\w*\b.{0,60}\b(?:morning|first\s+thing|when\s+i\s+(?:wake|get\s+up)|getting\s+up)\b"
    r"|\b(?:morning|first\s+thing)\b.{0,40}\bstiff",
    re.IGNORECASE,
)
_LONG_WHILE = re.compile(
    r"\b(?:[3-9]\d\s*min\w*|an?\s+hour|hours?|half\s+an\s+hour|best\s+part\s+of"
    r"|ages|for\s+a\s+while|45)\b",
    re.IGNORECASE,
)
_SWOLLEN_WORDS = re.compile(r"\b(?:swell\w*|swollen|puff\w*)\b", re.IGNORECASE)


# Not getting better with rest, or back every time running restarts: a physio assessment.
_NOT_SETTLING = re.compile(
    r"\b(?:not|isn'?t|no|never)\s+(?:\w+\s+)?(?:improving|getting\s+(?:any\s+)?better|settl\w*)"
    r"|\bstill\s+(?:hurts|sore|aching|painful)\b.{0,40}\b(?:rest\w*|break|time\s+off)"
    r"|\brest\w*\b.{0,60}\bstill\s+(?:hurts|sore|aches|aching|painful)"
    r"|\b(?:comes?|came)\s+(?:straight\s+|right\s+)?back\s+every\s+time|every\s+time\s+i\s+(?:start|restart|go\s+back)",
    re.IGNORECASE,
)


# A knee replacement (any time ago) that hurts or swells again: loosening or a low-grade
# infection, for the surgical team within days.
_REPLACED_KNEE = re.compile(
    r"\b(?:(?:knee|joint)\s+replacements?|replaced\s+knee|knee\s+(?:was\s+|got\s+|been\s+|is\s+)?replaced"
    r"|had\s+(?:my|her|his|the|a)\s+knee\s+replaced|tkr|(?:total|partial)\s+knee)\b",
    re.IGNORECASE,
)
_HURTS_AGAIN = re.compile(rf"\b(?:hurt\w*|ache\w*|aching|pain\w*|sore)\b|{_SWOLLEN_WORDS.pattern}", re.IGNORECASE)


# A pop or snap felt or heard at the time of an injury: never a minor knock.
_POP = re.compile(
    r"\b(?:pop(?:ped|ping|s)?|snap(?:ped|ping|s)?)\b(?!\s+(?:to|into|in|out\s+to|round|over|by)\b)", re.IGNORECASE
)


def findings_in_words(texts: Iterable[str]) -> List[Tuple[str, str]]:
    """Findings no question asks about, from what the user wrote: long morning stiffness
    with swelling; pain that rest has not settled; a replaced knee that hurts again; a pop
    (which only keeps an injury from counting as a minor knock in `decide`)."""
    text = " ".join(texts)
    found = []
    # (also when it may be a parent's: the person asked about may be that parent)
    if _REPLACED_KNEE.search(text) and _HURTS_AGAIN.search(text):
        found.append(("replaced_knee", SOON))
    if any(not is_negated(text, m.start(), m.end()) for m in _POP.finditer(text)):  # not "didn't pop"
        found.append(("pop_heard", PHYSIO))
    if _MORNING_STIFF.search(text) and _LONG_WHILE.search(text) and _SWOLLEN_WORDS.search(text):
        found.append(("morning_stiffness", SOON))
    if _NOT_SETTLING.search(text):
        found.append(("not_settling", PHYSIO))
    return found


# A red flag only the intent classifier suspected in a triage answer (no red-flag words the
# check knows): the triage asks one yes/no question about it (slot CHECK_SLOT, about the topic
# in CHECK_TOPIC_SLOT, clinic.safety.suspected_check). A yes is that red flag.
CHECK_SLOT, CHECK_TOPIC_SLOT = "triage_red_flag_check", "triage_check_topic"


# The red-flag check's topics -> (flag, its level after an injury, its level otherwise).
CHECK_LEVELS = {
    "weight": ("cannot_bear_weight", EMERGENCY, SAME_DAY),
    "numbness": ("numbness", EMERGENCY, SAME_DAY),
    "giving_way": ("giving_way", SAME_DAY, SOON),
    "circulation": ("circulation", EMERGENCY, EMERGENCY),
    "breathing": ("dvt_signs", EMERGENCY, EMERGENCY),
    "calf": ("dvt_signs", SAME_DAY, SAME_DAY),
    "infection": ("infection_signs", SAME_DAY, SAME_DAY),
    "locking": ("locking", SAME_DAY, SAME_DAY),
}


def check_finding(topic: str, injury: bool) -> Tuple[str, str]:
    """(level, reason) of a yes to the red-flag check about `topic`."""
    if topic == "swelling":
        return SAME_DAY, FLAG_REASONS[("pop_with_swelling" if injury else "rapid_swelling", SAME_DAY)]
    if topic not in CHECK_LEVELS:
        return SAME_DAY, GENERAL_REASON
    flag, after_injury, otherwise = CHECK_LEVELS[topic]
    level = after_injury if injury else otherwise
    return level, FLAG_REASONS[(flag, level)]


def decide(answers: Mapping[str, Any], flags: Iterable[Tuple[str, ...]] = ()) -> Disposition:
    """The level from the triage answers (slot name -> value) and the red flags seen in the
    conversation ((flag name, level, sign), also in earlier messages). Read it top to bottom:
    each line is one finding from the level spec."""
    a = answers.get
    flags = list(flags)
    # A pop in the user's words only tells a knock from an injury worth a look (below).
    pop_heard = any(flag[0] == "pop_heard" for flag in flags)
    flags = [flag for flag in flags if flag[0] != "pop_heard"]
    signs = {flag[2] for flag in flags if len(flag) > 2}
    injury = a("triage_onset") == "injury"
    # Hurting for more than three weeks since: an old injury, not the acute one the same-day
    # rows (and the Ottawa rules) are about; not known counts as recent.
    recent_injury = injury and a("triage_duration") != "over_3_weeks"
    swollen = a("triage_swelling") in ("mild", "recurring", "major")
    found: List[Tuple[str, str]] = [
        (flag[1], FLAG_REASONS.get((flag[0], flag[1])) or EXTRA_REASONS.get(flag[0]) or GENERAL_REASON)
        for flag in flags
    ]

    def finding(level: str, reason: str) -> None:
        found.append((level, reason))

    # A yes to the one red-flag check asked when only the classifier suspected a red flag.
    checked = a(CHECK_TOPIC_SLOT) if a(CHECK_SLOT) == "yes" else None
    if checked:
        finding(*check_finding(checked, injury))
    # --- emergency
    if injury and a("triage_impact") == "cannot_bear_weight":
        finding(EMERGENCY, FLAG_REASONS[("cannot_bear_weight", EMERGENCY)])
    # A fever (answer) with a hot, red or swollen knee (answer or words): a septic joint.
    hot_knee = swollen or checked == "infection" or bool(signs & {"hot_red", "hot_swollen", "infected"})
    if (a("triage_unwell") == "fever" or "fever_pain" in signs) and hot_knee:
        finding(EMERGENCY, FLAG_REASONS[("infection_signs", EMERGENCY)])
    # --- same day
    if a("triage_impact") == "cannot_bear_weight" and not injury:
        finding(SAME_DAY, FLAG_REASONS[("cannot_bear_weight", SAME_DAY)])
    if a("triage_instability") == "locked":
        finding(SAME_DAY, FLAG_REASONS[("locking", SAME_DAY)])
    if recent_injury and a("triage_instability") in ("yes", "episodes"):
        finding(SAME_DAY, FLAG_REASONS[("giving_way", SAME_DAY)])
    if a("triage_swelling") == "major":
        finding(SAME_DAY, FLAG_REASONS[("pop_with_swelling" if injury else "rapid_swelling", SAME_DAY)])
    if a("triage_unwell") == "fever":
        finding(SAME_DAY, FLAG_REASONS[("infection_signs", SAME_DAY)])
    if a("triage_surgery") == "recent" and (swollen or a("triage_unwell") == "fever"):
        finding(SAME_DAY, FLAG_REASONS[("after_procedure", SAME_DAY)])
    if a("triage_age") in ("child", "teen") and a("triage_impact") == "limping":
        finding(SAME_DAY, FLAG_REASONS[("child_hip_limp", SAME_DAY)])
    # The Ottawa knee rules: from 55, an injured knee is X-rayed.
    if recent_injury and a("triage_age") == "older":
        finding(SAME_DAY, OTTAWA_AGE_REASON)
    # --- within a few days
    if a("triage_night_pain") == "yes" and a("triage_unwell") == "unwell":
        finding(SOON, FLAG_REASONS[("night_pain_unwell", SOON)])
    if a("triage_night_pain") == "yes":
        finding(SOON, "Pain that wakes you at night or aches at rest should be checked within a few days.")
    if a("triage_instability") in ("yes", "episodes") and not recent_injury:
        finding(SOON, FLAG_REASONS[("giving_way", SOON)])
    if a("triage_swelling") == "recurring":
        finding(SOON, "Swelling that keeps coming back after runs needs a proper look within a few days.")
    # --- physio assessment
    if a("triage_duration") == "over_3_weeks":
        finding(PHYSIO, "it has been hurting for more than about three weeks")
    if a("triage_swelling") == "mild":
        finding(PHYSIO, "the knee swells a little")
    if a("triage_instability") == "catches":
        finding(PHYSIO, "it clicks or catches")
    # (Sore on stairs for a few days after a race is normal; for longer, worth a look.)
    if a("triage_impact") == "limping" or (
        a("triage_impact") == "daily_life" and a("triage_duration") != "under_1_week"
    ):
        finding(PHYSIO, "it is getting worse or bothers you outside running")
    # A minor knock or twist (no swelling, steady, walking normally, days old, no pop) settles with
    # self-care, as NHS advice on knee injuries says; anything more is worth a physio's look.
    minor = (
        a("triage_swelling") == "none"
        and a("triage_instability") == "no"
        and a("triage_impact") == "running_only"
        and a("triage_duration") == "under_1_week"
        and not pop_heard
    )
    if injury and not minor:
        finding(PHYSIO, "it started with an injury")
    if a("triage_age") == "child":
        finding(PHYSIO, "a growing knee is best checked by a physio rather than managed alone")
    if a("triage_surgery") == "recent":
        finding(PHYSIO, "you had an operation or injection in that knee recently")

    if not found:
        return Disposition(SELF_CARE, [])
    level = min((level for level, _ in found), key=LEVELS.index)
    reasons = []
    for finding_level, reason in sorted(found, key=lambda f: LEVELS.index(f[0])):
        if finding_level == level and reason not in reasons:
            reasons.append(reason)
    return Disposition(level, reasons)


# --- the words -------------------------------------------------------------------------------


def _sentence_list(reasons: List[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    return reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]


def _why(reasons: List[str]) -> str:
    """Red-flag reasons are sentences; the milder ones are clauses after "Because"."""
    if not reasons:
        return ""
    if all(reason[:1].isupper() for reason in reasons):
        return " ".join(reasons)
    clauses = [r for r in reasons if not r[:1].isupper()]
    sentences = [r for r in reasons if r[:1].isupper()]
    return " ".join(sentences + [f"Because {_sentence_list(clauses)}, it is worth having it checked."])


def advice(
    decision: Disposition,
    routes: Mapping[str, str],
    clinic_name: str,
    clinic_phone: str,
    clinic_open: Optional[bool] = None,
) -> str:
    """The advice for a level, with the country's emergency number and urgent routes."""
    emergency, department = routes["emergency_number"], routes["emergency_department"]
    line, urgent_care = routes["urgent_line"], routes["urgent_care"]
    why = _why(decision.reasons)
    escalate = (
        f"If you can't put weight on your leg, it looks out of place, your foot turns cold, pale "
        f"or numb, or you get a fever with a hot swollen knee, breathlessness or chest pain, call "
        f"{emergency} or go to {department} straight away."
    )
    if decision.level == EMERGENCY:
        parts = [
            f"Please get medical help now. {why}",
            f"Call {emergency} or go to {department} now. Stop running, and don't drive yourself.",
        ]
    elif decision.level == SAME_DAY:
        parts = [
            f"Please stop running and get your knee checked today. {why or GENERAL_REASON}",
            f"See a GP today, go to {urgent_care}, or contact {line}; please don't wait for a "
            f"routine appointment. {escalate}",
        ]
    elif decision.level == SOON:
        parts = [
            f"Please see a GP or a physio within the next few days, not weeks. {why}",
            "It isn't an emergency, but it needs a proper check soon; ease off running until then. "
            f"If it suddenly gets worse, the knee locks or swells up quickly, or you feel feverish, "
            f"get it checked today ({line}). {escalate}",
        ]
    elif decision.level == PHYSIO:
        parts = [
            f"I'd recommend having it assessed by a physio rather than managing it on your own. {why}",
            "A physio can find out what is going on and give you a plan. Meanwhile run only as much "
            "as stays comfortable, keep active with low-impact exercise, and avoid what flares it. "
            "If the knee locks, gives way, swells up quickly or you can't put weight on it, get it "
            "checked the same day.",
        ]
    else:
        parts = [
            "From what you've told me, it's reasonable to start with self-care:\n"
            "- Run less for now (shorter, flatter, easier) or take a few days off\n"
            "- Stay active with cycling, swimming or walking if they're pain-free\n"
            "- Start gentle strengthening, and ice after activity if it helps",
            "It should be clearly better within 1-2 weeks of easing off. If it isn't, gets worse, "
            "or starts to bother you in daily life, please book a physio; if it locks, gives way, "
            "swells up quickly or you can't put weight on it, get it checked the same day.",
        ]
    closing = "This is general advice based on what you wrote, not a diagnosis."
    if decision.at_least(SOON):
        # Not sure where to go: the urgent route always, the clinic only as well, never alone.
        closing += f" If you're not sure where to go, contact {line}"
        closing += (
            f"; for anything that isn't urgent, {clinic_name} is on {clinic_phone}."
            if clinic_open is not False
            else "."
        )
    if decision.at_least(SAME_DAY):
        closing += " You can still ask me anything else."
    return "\n\n".join(parts + [closing])


# --- which questions decide the level --------------------------------------------------------
# In the order they are asked. Age only when the user may be a child (or writes for someone).
QUESTIONS = [
    "pain_location",
    "triage_onset",
    "triage_duration",
    "triage_swelling",
    "triage_instability",
    "triage_impact",
    "triage_night_pain",
    "triage_unwell",
    "triage_surgery",
    "triage_age",
]
# Where it hurts decides no level; it picks what the non-urgent advice says it commonly is.
EXPLAINED_AT = (PHYSIO, SELF_CARE)
# Asked below an emergency whatever the answers so far: the typed answer to "any fever,
# shivers or feeling unwell?" is where breathlessness, chest pain or a fever with a hot
# knee come up, red flags of the words (emergency) that no slot value holds.
ALWAYS_BELOW_EMERGENCY = ("triage_unwell",)


def questions_to_ask(
    answers: Mapping[str, Any], flags: Iterable[Tuple[str, ...]], values: Mapping[str, Iterable[str]], ask_age: bool
) -> List[str]:
    """The questions still open (no answer yet) whose answer could still change the level, in
    the order they are asked. `values`: each question's possible answers (the slot values).
    A question matters if one of its answers changes the level decided from what is known,
    on its own or together with an answer to one other open question (the rule's findings
    combine at most two answers, e.g. a recent operation and a swollen knee)."""
    flags = list(flags)
    if decide(answers, flags).level == EMERGENCY:
        return []  # nothing is more urgent
    # The age is asked when it may be a child, or after an injury (55 or over: Ottawa).
    ask_age = ask_age or answers.get("triage_onset") == "injury"
    open_slots = [slot for slot in QUESTIONS if answers.get(slot) is None and (slot != "triage_age" or ask_age)]
    cache: Dict[Tuple, str] = {}

    def level(**extra: str) -> str:
        key = tuple(sorted(extra.items()))
        if key not in cache:
            cache[key] = decide({**answers, **extra}, flags).level
        return cache[key]

    def matters(slot: str) -> bool:
        if slot == "pain_location":
            return level() in EXPLAINED_AT
        if slot in ALWAYS_BELOW_EMERGENCY:
            return True
        for value in values.get(slot, ()):
            if level(**{slot: value}) != level():
                return True
            for other in open_slots:
                if other != slot and any(
                    level(**{other: answer, slot: value}) != level(**{other: answer})
                    for answer in values.get(other, ())
                ):
                    return True
        return False

    return [slot for slot in open_slots if matters(slot)]
