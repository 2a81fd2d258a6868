"""Whether a short message reads as a question ("where are you?"), not as an answer."""

import re

_QUESTION_START = re.compile(
    r"^(what|where|when|how|why|who|which|can|could|do|does|is|are|"
    r"should|will|would|shall|may|have|has)\b",
    re.IGNORECASE,
)


def reads_as_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.match(text.strip()))
