"""Yes, no and "not sure" in a runner's own words: one word list for the safety check
("locking: no") and the triage's typed answers ("nope", "yeah it does", "dunno")."""

import re

NO_WORDS = r"(?:no|nope|nah|not\s+really|never|none|nil|n/a|negative)"
YES = re.compile(
    r"\b(?:yes|yeah|yep|yup|ya|yea|aye|sure|definitely|it does|it has|it is|"
    r"sometimes|occasionally|now and then|once or twice)\b"
)
NO = re.compile(r"\b(?:no|nope|nah|not|never|none|neither|nothing)\b")
UNSURE = re.compile(
    r"\b(?:not (?:really |too |totally |entirely |100% )?sure|unsure|don'?t know|dont know|do not know|dunno|no idea"
    r"|idk|not certain|(?:can'?t|cant|cannot|can not|couldn'?t|couldnt|don'?t|dont|do not|really cant)"
    r" (?:really )?(?:say|tell|remember|recall|be sure)|hard to (?:say|tell)|difficult to (?:say|tell)|no clue"
    r"|not a clue|(?:haven'?t|havent) (?:got )?a clue|who knows|maybe|perhaps|possibly|no recollection"
    r"|(?:i )?forget|forgot)\b|\U0001f937"  # the last one is the shrug emoji
)


def is_unsure(text: str) -> bool:
    """ "not sure", "dunno", "no idea" (lower-case text)."""
    return bool(UNSURE.search(text))


def is_no(text: str) -> bool:
    """A no (lower-case text). Check `is_unsure` first: "not sure" is not a no."""
    return bool(NO.search(text))


def is_yes(text: str) -> bool:
    return bool(YES.search(text))
