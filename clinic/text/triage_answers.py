"""Reading a runner's typed answers to the triage questions.

The question buttons send slot values directly; these functions read what people type
instead ("about 3 weeks", "nope", "just below the kneecap", "only when I run"). Each
`read_<question>` returns a slot value from the domain, or None when the answer can't be
read, and the form asks again. `UNCLEAR_YES` marks a bare "yes" to the swelling question,
which needs one more word (a little, or quickly and a lot) before it means anything.

When the triage starts, the message that described the pain may already answer a
question ("outside of my knee for 3 weeks, no swelling"). `*_in_description` read that
message more strictly: only clear statements count, the rest is asked.
"""

import re
from datetime import date
from typing import Callable, Iterable, List, Optional, Tuple

from clinic.safety import PROCEDURE, about_someone_else, is_history, is_hypothetical, names_an_earlier_year
from clinic.text.negation import is_negated
from clinic.text.yes_no import UNSURE, YES, is_no

UNCLEAR_YES = "unclear_yes"

_UNSURE = UNSURE
_YES = YES


def _normalise(text: str) -> str:
    """Lower case, straight apostrophes, and "doesn't" -> "doesnt" so negations are one word."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return re.sub(r"(\w)n't\b", r"\1nt", text)


def _mentions(pattern: "re.Pattern[str]", text: str) -> bool:
    """True if the pattern occurs at least once without a negation in front of it, and not
    in a question or hypothetical ("what if it locks?") or settled history ("gave way once
    years ago, fine since"). The negation's scope is the safety check's
    (clinic/text/negation.py)."""
    return any(
        not is_negated(text, match.start(), match.end())
        and not is_hypothetical(text, match.start(), match.end())
        and not is_history(text, match.start(), match.end())
        for match in pattern.finditer(text)
    )


def _negative(text: str) -> bool:
    """A no. Check `_UNSURE` first: "not sure" is not a no."""
    return is_no(text)


# --- where it hurts -----------------------------------------------------------------------
# Earliest mention wins; at the same position the more specific pattern (listed first) wins,
# so "behind the kneecap" is the front of the knee, not the back.
_LOCATIONS: List[Tuple[str, "re.Pattern[str]"]] = [
    ("front", re.compile(r"\b(behind|around|on|top of|above|over) (the |my )?(knee ?cap|patella)\b")),
    (
        "below_kneecap",
        re.compile(
            r"\b(below|under|underneath|beneath|bottom of|just under)\b|"
            r"\b(patellar? )?tendon\b"
        ),
    ),
    ("front", re.compile(r"\b(front|kneecap|knee cap|patella|anterior|top)\b")),
    ("behind", re.compile(r"\b(behind|back|rear|posterior|pit)\b")),
    ("outside", re.compile(r"\b(outside|outer|lateral|out side|outward|it ?band|itb)\b")),
    ("inside", re.compile(r"\b(inside|inner|medial|in side|inward)\b")),
]
_ALL_OVER = re.compile(
    r"\b(all over|everywhere|whole (knee|thing|joint)|all around|"
    r"deep inside|hard to pin|moves around|varies)\b"
)


def _earliest_location(text: str) -> Optional[str]:
    found = []
    for order, (value, pattern) in enumerate(_LOCATIONS):
        match = pattern.search(text)
        if match:
            found.append((match.start(), order, value))
    return min(found)[2] if found else None


def read_location(text: str) -> Optional[str]:
    text = _normalise(text)
    if _ALL_OVER.search(text):
        return "unsure"
    location = _earliest_location(text)
    if location:
        return location
    return "unsure" if _UNSURE.search(text) else None


_LOCATION_PHRASE = re.compile(
    r"\b((on|at|in|around) the (outside|inside|front|back)( of)?|"
    r"(outer|inner|lateral|medial|outside|inside) (side|part|edge|bit|knee)|"
    r"(front|back|outside|inside) of (the |my )?knee|"
    r"(below|under|underneath|beneath|behind|around|above) (the |my )?(knee ?cap|patella)|"
    r"behind (the |my )?knee)\b"
)


def location_in_description(text: str) -> Optional[str]:
    """Only a phrase about the knee counts: "when I run outside" says nothing about where."""
    text = _normalise(text)
    match = _LOCATION_PHRASE.search(text)
    return _earliest_location(match.group(0)) if match else None


# --- how long -----------------------------------------------------------------------------
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple": 2,
    "couple of": 2,
    "few": 3,
    "a few": 3,
    "several": 4,
}
_UNIT_DAYS = {"day": 1, "night": 1, "week": 7, "wk": 7, "fortnight": 14, "month": 30, "year": 365, "yr": 365}
_AMOUNT = (
    r"\b(?P<amount>\d+(?:\.\d+)?|a few|a couple of|a couple|couple of|couple|few|"
    + r"several|an|a|"
    + "|".join(w for w in _NUMBER_WORDS if " " not in w and len(w) > 2)
    + ")"
)
_SPAN = re.compile(
    _AMOUNT + r"(?:\s*(?:-|to|or)\s*(?P<upper>\d+))?\s*(?P<half>and a half\s+)?"
    r"(?:more\s+)?(?P<unit>day|night|week|wk|fortnight|month|year|yr)s?\b"
)
_LESS_THAN = re.compile(r"\b(less than|under|nearly|almost|not quite|not even)\s+$")
_MORE_THAN = re.compile(r"\b(more than|over|at least|longer than)\s+$")
_SPAN_CUE = re.compile(
    r"\b(for|past|last|over|nearly|almost|about|around|roughly|since|been|"
    r"approx(imately)?|maybe|like|under|than)\s+(the\s+)?(last\s+|past\s+)?$"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_VAGUE_LONG = re.compile(
    r"\b(ages|for months|for years|months now|years now|long time|"
    r"forever|on and off|chronic|a while now|since last year)\b"
)
_VAGUE_SHORT = re.compile(
    r"\b(today|yesterday|this morning|last night|tonight|this week|"
    r"since (the|my|this) (weekend|last run|run)|just (started|now)|"
    r"since the weekend|a day or two)\b"
)


def _days_from_spans(text: str, strict: bool) -> List[float]:
    days = []
    for match in _SPAN.finditer(text):
        before = text[: match.start()]
        if strict and not (_SPAN_CUE.search(before) or text[match.end() :].startswith(" ago")):
            continue
        amount = match.group("upper") or match.group("amount")
        if amount[0].isdigit():
            number = float(amount)
        else:
            number = _NUMBER_WORDS.get(amount[2:] if amount.startswith("a ") else amount, 1)
        if match.group("half"):
            number += 0.5
        span = number * _UNIT_DAYS[match.group("unit")]
        if _LESS_THAN.search(before):
            span *= 0.9  # "less than a week" is under a week
        elif _MORE_THAN.search(before):
            span *= 1.1  # "more than 3 weeks" is over three weeks
        days.append(span)
    return days


def _days_since_named_day(text: str, today: date, strict: bool = False) -> List[float]:
    """Days since "last week", "Saturday", "since March". Strict: only "since ..." counts
    ("I raced last week" does not say when the pain started)."""
    days = []
    since = r"\bsince " if strict else r"\b(since )?"
    if re.search(since + r"last week\b", text):
        days.append(7)
    if re.search(since + r"last month\b", text):
        days.append(30)
    for match in re.finditer(r"\bsince (last )?(" + "|".join(_WEEKDAYS) + r")\b", text):
        ago = (today.weekday() - _WEEKDAYS.index(match.group(2))) % 7 or 7
        days.append(ago + (7 if match.group(1) else 0))
    for match in re.finditer(r"\bsince (" + "|".join(_MONTHS) + r")\b", text):
        months = (today.month - 1 - _MONTHS.index(match.group(1))) % 12
        days.append(max(months * 30, 14))  # "since November" in late November: a few weeks
    return days


def _category(days: float) -> str:
    if days < 7:
        return "under_1_week"
    if days <= 21:
        return "1_to_3_weeks"
    return "over_3_weeks"


def read_duration(text: str, today: Optional[date] = None) -> Optional[str]:
    text = _normalise(text)
    days = _days_from_spans(text, strict=False) + _days_since_named_day(text, today or date.today())
    if days:
        return _category(max(days))  # "worse for 3 days, there for 2 months": 2 months
    if _VAGUE_LONG.search(text):
        return "over_3_weeks"
    if _VAGUE_SHORT.search(text):
        return "under_1_week"
    return "unsure" if _UNSURE.search(text) else None


_PAIN_WORDS = re.compile(
    r"\b(pain\w*|hurt\w*|ache\w*|aching|achy|sore\w*|niggl\w*|twinge\w*|"
    r"throb\w*|swell\w*|swollen|bother\w*|grumbl\w*)\b"
)


def duration_in_description(text: str, today: Optional[date] = None) -> Optional[str]:
    """Needs a cue: "for 3 weeks" counts, "I run 5 days a week" does not; and only in a
    sentence about the pain ("did my first hills in ages" or "my op 6 years ago" is not how
    long it has hurt)."""
    text = " ".join(
        sentence
        for sentence in re.split(r"(?<=[.!?\n])\s+", _normalise(text))
        if (_PAIN_WORDS.search(sentence) or _mentions(_INJURY, sentence))  # or when it was hurt
        and not is_history(sentence, 0, len(sentence))  # "years ago I had knee pain, fine since"
    )
    days = _days_from_spans(text, strict=True) + _days_since_named_day(text, today or date.today(), strict=True)
    if days:
        return _category(max(days))
    return "over_3_weeks" if _VAGUE_LONG.search(text) else None


# --- swelling -----------------------------------------------------------------------------
_SWELL = re.compile(r"\b(swell\w*|swollen|puff\w*|fluid|bigger than the other)\b")
_SWELL_MILD = re.compile(
    r"\b(a (little|bit|touch|tad)|little|slight\w*|mild\w*|puffy|puffiness|"
    r"not (much|a lot|massively|very|big|huge|that much)|after (my )?runs?|"
    r"after running|sometimes|occasionally|minor|barely|a tiny bit)\b"
)
_SWELL_MAJOR = re.compile(
    r"\b(a lot|lots|loads|massive\w*|huge\w*|big|really swollen|very swollen|"
    r"quick\w*|fast|rapid\w*|straight away|right away|immediately|"
    r"within (an hour|hours|minutes|a few hours)|balloon\w*|doubled)\b"
)


# Swelling that comes back after run after run, for weeks: a GP or physio within days; but a
# little swelling after runs is "mild" however it is told ("puffs up a bit after every long
# run" as "a little, after runs"): a physio booking.
_SWELL_RECURRING = re.compile(
    r"\b(every (single )?(run|time|long run)|after (every|each)|each time|"
    r"keeps? (coming|swelling)|comes? back|every week|all the time)\b"
)
_SWELL_SMALL = re.compile(r"\b(a (little|bit|touch|tad)|slight\w*|mild\w*|barely|a tiny bit|not (much|a lot))\b")


def _recurring(text: str) -> bool:
    return bool(_SWELL_RECURRING.search(text)) and not _SWELL_SMALL.search(text)


def read_swelling(text: str) -> Optional[str]:
    text = _normalise(text)
    if _mentions(_SWELL_MAJOR, text):  # "not a lot" is negated, and mild below
        return "major"
    if _SWELL.search(text) and _mentions(_SWELL, text) and _recurring(text):
        return "recurring"
    if _SWELL_MILD.search(text):
        return "mild"
    if _SWELL.search(text) and not _mentions(_SWELL, text):
        return "none"  # "it hasn't swollen"
    if re.match(r"\W*(yes|yeah|yep|yup|ya|yea|aye)\b", text):
        return UNCLEAR_YES  # "yes, not hot or red": swollen, but how much?
    if _UNSURE.search(text):
        return "unsure"
    if _negative(text):
        return "none"
    if _YES.search(text) or _SWELL.search(text):
        return UNCLEAR_YES
    return None


def swelling_in_description(text: str) -> Optional[str]:
    text = _normalise(text)
    if not _SWELL.search(text):
        return None
    if not _mentions(_SWELL, text):
        return "none"  # "no swelling", "it hasn't swollen"
    if _recurring(text) and not _mentions(_SWELL_MAJOR, text):
        return "recurring"
    if _SWELL_MILD.search(text):
        return "mild"
    return "major" if _mentions(_SWELL_MAJOR, text) else None


# --- locking, giving way, catching ---------------------------------------------------------
_GIVES_WAY = re.compile(
    r"\b(lock\w*|stuck|gives? way|giving way|gave way|gives? out|giving out|"
    r"gave out|buckl\w*|collaps\w*|goes from under me|jam\w*)\b"
)
# Noises a knee makes (painless ones are not a finding: _without_painless_noises below).
_NOISE = re.compile(r"\b(click\w*|crack\w*|creak\w*|crunch\w*|grind\w*|pops?|popping|clunk\w*)\b")
_CATCHES = re.compile(rf"{_NOISE.pattern}|\b(catch\w*|caught|snap\w*|wobbl\w*|unstable|weak)\b")


# Stuck now: it will not straighten (same day), unlike episodes that free themselves.
_LOCKED_NOW = re.compile(
    r"\b(stuck (now|bent|since)|still (stuck|locked)|locked (now|since|up now)|"
    r"(cant|cannot|wont) (\w+ )?(straighten|unbend)|out of place|hasnt gone back)\b"
)


def read_instability(text: str) -> Optional[str]:
    text = _normalise(text)
    quiet = _without_painless_noises(text)
    if _NOISE.search(text) and quiet != text and not (_CATCHES.search(quiet) or _GIVES_WAY.search(quiet)):
        return "no"  # "only painless clicking"
    if _mentions(_LOCKED_NOW, text):
        return "locked"
    if _mentions(_GIVES_WAY, text):
        return "yes"
    if _mentions(_CATCHES, text):
        return "catches"
    if _GIVES_WAY.search(text) or _CATCHES.search(text):
        return "no"  # only negated mentions: "it doesn't lock or give way"
    if _UNSURE.search(text):
        return "unsure"
    if _negative(text):
        return "no"
    # A plain "yes" to "does it lock or give way?" is taken at its word.
    return "yes" if _YES.search(text) else None


# Noises that don't hurt are not a finding ("clicks when I bend it, doesn't hurt", "cracks like
# knuckles, painless"): painless clicking and cracking are common in healthy knees.
_PAINLESS_CLICK = re.compile(
    r"\b((doesnt|dont|didnt|does not|did not|never) hurt|painless|no pain|not painful|without pain|pain ?free)\b"
)


def _without_painless_noises(text: str) -> str:
    return _NOISE.sub(" ", text) if _PAINLESS_CLICK.search(text) else text


def instability_in_description(text: str) -> Optional[str]:
    """Only what is stated: "it clicks" counts; "it doesn't lock" leaves giving way unasked."""
    text = _without_painless_noises(_normalise(text))
    if _mentions(_LOCKED_NOW, text):
        return "locked"
    if _mentions(_GIVES_WAY, text):
        return "yes"
    if _mentions(_CATCHES, text):
        return "catches"
    # Both denied ("it doesn't lock or give way", "no locking or giving way"): said.
    denied = {m.group(0)[:3] for m in _GIVES_WAY.finditer(text)}
    return "no" if "loc" in denied and denied & {"giv", "gav"} else None


# --- daily life ---------------------------------------------------------------------------
# In a story, walking, squatting, driving or standing up are often what set the ache off ("after
# a long walk", "squats at the gym", "stood up after a long drive"), not how it limits daily life:
# only these words say that; for the others the question is asked.
_DAILY_SAID = re.compile(
    r"\b(stairs?|steps|(?<!last )night|sleep\w*|in bed|at work|all the time|constant\w*|every ?day|daily|"
    r"day to day|at rest|kneel\w*|limp\w*)\b"
)
# Answering the question, any of these says it bothers them outside running.
_DAILY = re.compile(
    rf"{_DAILY_SAID.pattern}|\b(walk\w*|sitting|sit|desk|driv\w*|squat\w*|getting up|standing|cycling)\b"
)
_WORSE = re.compile(r"\b(worse|worsening|getting bad|more painful|more and more|spreading)\b")
_RUNNING_ONLY = re.compile(
    r"\b(only|just|mainly|mostly|purely)\b[\w' ]{0,12}\b(run\w*|jog\w*)\b|"
    r"\b(run\w*|jog\w*) only\b"
)


_NO_WEIGHT = re.compile(
    r"\b(cant|cannot|can not|unable to|wont|couldnt|not able to) (\w+ ){0,2}?"
    r"(put (any )?weight|bear weight|stand|walk|take (any )?weight)|"
    r"non weight bearing|carried (off|home)|crutches\b"
)
_LIMP = re.compile(r"\b(limp\w*|hobbl\w*)\b")


# "walking fine", "stairs are ok": daily life named, but not affected.
_FINE = re.compile(
    r"\b(walk\w*(?: around| about| home| to \w+(?: \w+)?)?|stairs?|steps|sleep\w*|standing|daily life|day to day)"
    r"(?:'s)?\s+"
    r"((is|are|s|normally|fine|ok|okay|)\s*)?((totally|completely|pretty|perfectly|quite)\s+)?"
    r"(fine|normal\w*|ok|okay|alright|all right|no problem\w*|good|grand)\b|"
    r"\bcan (still )?(walk|do stairs)( \w+)? (fine|ok|okay|normally|no problem)\b|"
    r"\bcan (still )?(walk|run|jog)( and (walk|run|jog))?\b|"
    r"\b(fine|ok|okay|no problem\w*) (at night|at rest|in bed|walking|on stairs)\b"
)


def read_impact(text: str) -> Optional[str]:
    fine = bool(_FINE.search(_normalise(text)))
    text = _FINE.sub(" ", _normalise(text))
    if _NO_WEIGHT.search(text) and not re.search(r"\b(stairs|far|long|fast|without pain)\b", text):
        return "cannot_bear_weight"
    if _mentions(_LIMP, text):
        return "limping"
    if _mentions(_DAILY, text) or _mentions(_WORSE, text):
        return "daily_life"
    if _RUNNING_ONLY.search(text) or fine:
        return "running_only"
    if _UNSURE.search(text):
        return "unsure"
    if _negative(text):
        return "running_only"
    return "daily_life" if _YES.search(text) else None


def impact_in_description(text: str) -> Optional[str]:
    text = _FINE.sub(" ", _normalise(text))
    if _NO_WEIGHT.search(text) and not re.search(r"\b(stairs|far|long|fast|without pain)\b", text):
        return "cannot_bear_weight"
    if _mentions(_LIMP, text):
        return "limping"
    if _mentions(_DAILY_SAID, text) or _mentions(_WORSE, text):
        return "daily_life"
    return "running_only" if _RUNNING_ONLY.search(text) else None


# --- how it started ------------------------------------------------------------------------
_INJURY = re.compile(
    r"\b(fell(?! (runners?|races?|racing))|fall|fallen|twist\w*|pop\w*|snap\w*|landed|landing|tripped|trip|"
    r"slipped|collid\w*|collision|crash\w*|tackl\w*|knock\w*|bang\w*|hit|kicked|came off|jarred|"
    r"went over|awkward\w*|(?<!old )(?<!previous )(?<!past )injur\w*|accident|whack\w*|clipped)\b"
)
_GRADUAL = re.compile(
    r"\b(gradual\w*|slowly|crept|creeping|came on|built up|building|over time|"
    r"out of (nowhere|the blue)|nothing happened|no (injury|fall|accident|trauma)|"
    r"overuse|(after|since) (a |my |the |his |her |starting |doing )?(\w+ ){0,3}?(run|runs|"
    r"race|session|reps|intervals|10k|5k|parkrun|marathon|training|hills?|speedwork|shoes)|"
    r"more (miles|running)|mileage|too much|just started|started (hurting|aching))\b"
)


def read_onset(text: str) -> Optional[str]:
    text = _normalise(text)
    if _mentions(_INJURY, text):
        return "injury"
    if _GRADUAL.search(text) or (_INJURY.search(text) and not _mentions(_INJURY, text)):
        return "gradual"  # "no injury", "didn't fall"
    if _UNSURE.search(text):
        return "unsure"
    return "gradual" if _negative(text) else None


def onset_in_description(text: str) -> Optional[str]:
    text = _normalise(text)
    if _mentions(_INJURY, text):
        return "injury"
    return "gradual" if _GRADUAL.search(text) else None


# --- night or rest pain --------------------------------------------------------------------
_NIGHT = re.compile(
    r"\b(night\w*|wakes?|waking|woke|sleep\w*|in bed|at rest|rest\w*|lying|sitting still|"
    r"even when|all the time|constant\w*)\b"
)
_NO_NIGHT = re.compile(
    r"\b(sleep\w* (fine|ok|okay|well)|fine at (night|rest)|only (when|on|during|after)|"
    r"just happened|n/?a)\b"
)


# An ache after sitting a long time (a film, a desk, a drive) is typical of kneecap pain, not
# the night or rest pain that needs checking within days.
_LONG_SITTING = re.compile(
    r"\b((after|when|from) (sitting|sat)( down)? (for )?(a )?(long|while|ages|hours?)|"
    r"(sitting|sat) (through|at|in) (a |the |my )?(film|movie|cinema|desk|car|meeting|flight|plane|train)|"
    r"(film|movie|cinema|desk|long drive|long flight|car journey)s?)\b"
)
_TRUE_NIGHT = re.compile(r"\b(night\w*|wakes?|waking|woke|in bed|sleep\w*|all the time|constant\w*|lying)\b")
# An ache in the evening or in bed after a run is the run's: night pain that matters wakes
# you or goes on at rest whatever you did.
_AFTER_A_RUN = re.compile(
    r"\b(after|following) (a |my |the |that |any )?(long |hard |big |hilly )?"
    r"(runs?|race|session|parkrun|workout|training)\b"
)
_WAKES = re.compile(
    r"\b(wakes?|waking|woke|keeps? me (up|awake)|cant sleep|all night|every night|constant\w*|all the time)\b"
)


def _ache_after_a_run(text: str) -> bool:
    return bool(_AFTER_A_RUN.search(text)) and not _mentions(_WAKES, text)


def read_night_pain(text: str) -> Optional[str]:
    text = _normalise(text)
    if _NO_NIGHT.search(text) or (_LONG_SITTING.search(text) and not _mentions(_TRUE_NIGHT, text)):
        return "no"
    if _ache_after_a_run(text):
        return "no"  # "a bit achy in bed after a long run"
    if _mentions(_NIGHT, text):
        return "yes"
    if _UNSURE.search(text):
        return "unsure"
    if _negative(text) or _NIGHT.search(text):
        return "no"
    return "yes" if _YES.search(text) else None


def night_pain_in_description(text: str) -> Optional[str]:
    """Said outright: "wakes me at night" is yes; "fine at night", "no pain at night" is no."""
    text = _normalise(text)
    if re.search(r"\b(sleep\w* (fine|ok|okay|well)|(fine|ok|okay) at (night|rest))\b", text):
        return "no"
    if not re.search(r"\b(at night|wakes? me|woke me|waking me|at rest|in bed|keeps me awake)\b", text):
        return None
    if _ache_after_a_run(text):
        return "no"  # "aches in bed after my long runs"
    return "yes" if _mentions(_NIGHT, text) else "no"


# --- fever, feeling unwell, weight loss ----------------------------------------------------
_FEVER = re.compile(r"\b(fever\w*|feverish|temperature|temp|shiver\w*|shaking|shakes|chills|rigors|hot and cold)\b")
_UNWELL = re.compile(
    r"\b(unwell|ill|poorly|run down|rough|weight|night sweats|sweat\w*|appetite|"
    r"off (my|his|her) food|tired|exhausted|drained|sick|nause\w*|queasy|dizzy|faint\w*|light ?headed|shaky|"
    r"lost (\w+ ){0,2}?\d*\s*(kg|kilos?|pounds|lbs|stone))\b"
)


def read_unwell(text: str) -> Optional[str]:
    text = _normalise(text)
    if _mentions(_FEVER, text):
        return "fever"
    if _mentions(_UNWELL, text):
        return "unwell"
    if _UNSURE.search(text):
        return "unsure"
    if _negative(text) or re.search(r"\b(fine|ok|okay|well|good|great|healthy)\b", text):
        return "no"
    return "unwell" if _YES.search(text) else None


def unwell_in_description(text: str) -> Optional[str]:
    text = _normalise(text)
    if _mentions(_FEVER, text) and re.search(r"\b(fever|temperature|shiver\w*|chills|rigors)\b", text):
        return "fever"
    return None


# --- a recent operation or injection -------------------------------------------------------
# The red-flag check's words for an operation or injection; answering the question, a bare
# "replacement" or "repair" is one too.
_PROCEDURE = re.compile(rf"\b(?:{PROCEDURE}|replacement|repair)\b")
_LONG_AGO = re.compile(
    r"\b((?<!this )years?|(\d+|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many) "
    r"months?)( ago| back)?\b|\blast year\b"
)
_NOT_RECENT = re.compile(r"\bnot (recently|lately|for (years|ages|a long time))\b|\bnothing recent\b")


def _long_ago(text: str) -> bool:
    """ "years ago", "in 2015", "the op was 2015" (a year before this one; this year is recent)."""
    return bool(_LONG_AGO.search(text) or _NOT_RECENT.search(text) or names_an_earlier_year(text, bare=True))


def read_surgery(text: str) -> Optional[str]:
    text = _normalise(text)
    if _mentions(_PROCEDURE, text):
        return "no" if _long_ago(text) else "recent"
    if _UNSURE.search(text):
        return "unsure"
    if _negative(text) or _PROCEDURE.search(text):
        return "no"
    return "recent" if _YES.search(text) else None


def surgery_in_description(text: str) -> Optional[str]:
    text = _normalise(text)
    if not any(not about_someone_else(text, m.start()) for m in _PROCEDURE.finditer(text)):
        return None  # none, or only someone else's ("my dad had a knee replacement")
    return "recent" if _mentions(_PROCEDURE, text) and not _long_ago(text) else "no"


# --- age group -----------------------------------------------------------------------------
_AGE = re.compile(
    r"\b(\d{1,2})\b(?!\s*(k|km|mins?|minutes|miles?|weeks?|days?|months?|hours?|hrs?|"
    r"times|%|kg)\b)"
)
_CHILD_WORDS = re.compile(
    r"\b(son|daughter|kid|kids|child|boy|girl|lad|teen|teenager|school|pe|"
    r"year \d|grandson|granddaughter|stepson|stepdaughter|he|she|his|her)\b"
)


# Under 16 a child (a growing knee: physio), 16 and 17 a teenager (like a child, a limp or hip
# pain is a growing hip: same day); from 55 an injured knee needs an X-ray the same day (the
# Ottawa knee rules). The buttons say the same.
CHILD_UNDER, TEEN_UNDER, OLDER_FROM = 16, 18, 55


def read_age(text: str) -> Optional[str]:
    text = _normalise(text)
    match = _AGE.search(text)
    if match:
        age = int(match.group(1))
        if age < CHILD_UNDER:
            return "child"
        return "teen" if age < TEEN_UNDER else ("older" if age >= OLDER_FROM else "adult")
    if re.search(r"\b(teen\w*|child|kid|young)\b", text):
        return "child"
    if re.search(r"\b(adult|grown up|grown-up)\b", text):
        return "adult"
    return "unsure" if _UNSURE.search(text) else None


def age_in_description(text: str) -> Optional[str]:
    """An age said outright ("I'm 64", "my 14 year old", "she's 13")."""
    text = _normalise(text)
    match = re.search(
        r"\b(?:i'?m|im|i am|aged?|she'?s|he'?s|is)\s+(\d{1,2})\b(?!\s*(?:k|km|mins?|minutes|"
        r"miles?|weeks?|days?|months?|hours?|times|%|kg|st)\b)|\b(\d{1,2})[- ]?(?:yr|year|y)s?"
        r"[- ]?(?:old|o|/o)\b",
        text,
    )
    if not match:
        return None
    return read_age(match.group(1) or match.group(2))


def may_be_a_child(text: str) -> bool:
    """Someone else's knee, or school words: ask the age group."""
    return bool(_CHILD_WORDS.search(_normalise(text)))


# --- what a message is about -----------------------------------------------------------------
# A message that corrects an earlier answer ("sorry, I meant 4 weeks, not days") is read for the
# question asked only if it speaks of that question's topic; the words of each topic:
_TOPICS = {
    "pain_location": re.compile(
        r"\b(front|back|behind|outside|inside|outer|inner|lateral|medial|below|under|kneecap|knee cap|patella"
        r"|it ?band|all over|everywhere)\b"
    ),
    "triage_duration": re.compile(
        _SPAN.pattern + "|" + _VAGUE_LONG.pattern + "|" + _VAGUE_SHORT.pattern + r"|\bsince\b|\bago\b"
    ),
    "triage_swelling": _SWELL,
    "triage_instability": re.compile(_GIVES_WAY.pattern + "|" + _CATCHES.pattern),
    "triage_impact": re.compile(
        "|".join(p.pattern for p in (_DAILY, _WORSE, _RUNNING_ONLY, _NO_WEIGHT, _LIMP)) + r"|\bweight\b"
    ),
    "triage_onset": re.compile(_INJURY.pattern + "|" + _GRADUAL.pattern + r"|\b(start\w*|began|begun)\b"),
    "triage_night_pain": _NIGHT,
    "triage_unwell": re.compile(_FEVER.pattern + "|" + _UNWELL.pattern),
    "triage_surgery": _PROCEDURE,
    "triage_age": re.compile(r"\b(\d{1,2}|teen\w*|child|kid|adult|years? old|yrs?|age)\b"),
}
_CORRECTION = re.compile(
    r"\b(actually|sorry|i meant|i mean|correction|wait|scratch that|on second thoughts?|thinking about it"
    r"|come to think of it|i was wrong|my bad|oops|typo|mistake|i said .{1,40}\b(but|it'?s|its|it is|it was)"
    r"|(not|rather than) (\w+ ){1,2}(but|i mean))\b"
)


def about(slot: str, text: str) -> bool:
    """Does the text speak of this question's topic at all?"""
    return bool(_TOPICS[slot].search(_normalise(text)))


def corrected_answers(text: str, answers: dict, asked: str) -> dict:
    """The earlier answers (slot -> value) a message corrects, with their new values: only
    when it says it corrects something ("actually", "sorry, I meant", "wait"...), and only
    what it clearly says about a question answered before, other than the one asked now."""
    if not _CORRECTION.search(_normalise(text)):
        return {}
    changed = {}
    for slot, (read_typed, read_described) in READERS.items():
        old = answers.get(slot)
        if slot == asked or old is None:
            continue
        new = read_described(text)
        if new is None and about(slot, text):
            new = read_typed(text)
        if new not in (None, UNCLEAR_YES, "unsure") and new != old:
            changed[slot] = new
    return changed


Reader = Callable[[str], Optional[str]]

# slot -> (read a typed answer, read the message that started the triage)
READERS: dict = {
    "pain_location": (read_location, location_in_description),
    "triage_duration": (read_duration, duration_in_description),
    "triage_swelling": (read_swelling, swelling_in_description),
    "triage_instability": (read_instability, instability_in_description),
    "triage_impact": (read_impact, impact_in_description),
    "triage_onset": (read_onset, onset_in_description),
    "triage_night_pain": (read_night_pain, night_pain_in_description),
    "triage_unwell": (read_unwell, unwell_in_description),
    "triage_surgery": (read_surgery, surgery_in_description),
    "triage_age": (read_age, age_in_description),
}


def answer_slots() -> Iterable[str]:
    return READERS.keys()
