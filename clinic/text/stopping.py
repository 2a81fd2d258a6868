"""Words of a runner who wants to stop ("stop", "never mind", "no more questions"), in one list
for the NLU (components/red_flags.py) and the triage (actions/triage.py)."""

import re

# Leading a message, these ask to stop whatever follows ("stop, my knee hurts too much to answer");
# inside one they may not ("i stopped running", "cancel my parkrun entry").
_LEADING = r"stop|quit|cancel|never\s*mind|enough|forget\s+it"
# Anywhere in a message, any of these makes a guessed "stop" believable.
_ANYWHERE = (
    rf"{_LEADING}|stop\w*|cancel\w*|forget\s+(?:this|that|about)|leave\s+(?:it|me)|no\s+more"
    r"|(?:don'?t|do\s+not)\s+want|end|exit|bye|goodbye|later|skip\w*|done|finish\w*|shut\s+up|pause"
)

MENTIONS_STOPPING = re.compile(rf"\b(?:{_ANYWHERE})\b", re.IGNORECASE)
ASKS_TO_STOP = re.compile(
    rf"^\W*(?:{_LEADING})\b|\bstop\s+(?:asking|the\s+questions|this|it|please|now)\b"
    r"|\b(?:no\s+more|enough)\s+questions\b",
    re.IGNORECASE,
)


def asks_to_stop(text: str) -> bool:
    """Does the message ask to stop, whatever else it says?"""
    return bool(ASKS_TO_STOP.search(text or ""))
