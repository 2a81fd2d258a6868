"""Is a phrase negated? One scope for the red-flag check (clinic/safety.py) and the triage's
typed answers (clinic/text/triage_answers.py).

A cue ("no", "not", "never", "without", "doesn't", "used to"...) up to eight words before
the phrase negates it, unless something in between starts a new clause: "but", "when",
"now", "just", a full stop, a new subject ("no pain and it locks"), "and" before a verb ("it
doesn't hurt and locks"), or a comma that does not continue an "or" list ("no swelling,
locking or giving way" negates all three). "can't" and "won't" are not cues ("won't stop
swelling"), and "not sure", "no idea", "without warning" are not denials. A "no" right after
the phrase ("locking: no") and "... isn't a problem" negate it too.
"""

import re

from clinic.text.yes_no import NO_WORDS

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,;:.!?()\n]")
_NEGATIONS = {
    "no",
    "not",
    "never",
    "without",
    "nor",
    "neither",
    "none",
    "nothing",
    "zero",
    "nope",
    "dont",
    "doesnt",
    "didnt",
    "isnt",
    "wasnt",
    "arent",
    "werent",
    "hasnt",
    "havent",
    "hadnt",
    "wouldnt",
    "shouldnt",
    "aint",
}
# A cue followed by these does not negate what follows ("not sure if it locked").
_PSEUDO = {
    "only",
    "just",
    "sure",
    "know",
    "think",
    "stop",
    "stopped",
    "help",
    "matter",
    "doubt",
    "idea",
    "wait",
    "mind",
    "care",
    "remember",
    "tell",
    "worry",
    "worried",
    "certain",
    "warning",
    "reason",
    "apparent",
}
# Words that start a new clause and so end a negation's scope.
_BREAKS = {
    "but",
    "however",
    "though",
    "although",
    "yet",
    "except",
    "whereas",
    "while",
    "whilst",
    "because",
    "cause",
    "cos",
    "since",
    "so",
    "then",
    "until",
    "till",
    "unless",
    "if",
    "when",
    "whenever",
    "after",
    "before",
    "that",
    "which",
    "who",
    "why",
    "how",
    "what",
    "where",
    "now",
    "still",
    "apart",
    "instead",
    "also",
    "plus",
    "just",
    "only",
    "sometimes",
    "occasionally",
    "often",
    "always",
    "today",
    "yesterday",
    "suddenly",
    "recently",
    "lately",
}
_SUBJECTS = {"i", "i'm", "im", "i've", "ive", "it", "it's", "he", "she", "they", "we", "you", "there"}
# "and" before one of these starts a new statement ("it doesn't hurt and locks"); before a
# noun it continues the list ("no swelling and locking").
_VERBS_AFTER_AND = {
    "is",
    "was",
    "has",
    "had",
    "keeps",
    "kept",
    "gets",
    "got",
    "goes",
    "went",
    "feels",
    "felt",
    "looks",
    "seems",
    "hurts",
    "aches",
    "locks",
    "locked",
    "swells",
    "swelled",
    "buckles",
    "buckled",
    "gives",
    "gave",
    "collapses",
    "collapsed",
    "catches",
    "caught",
    "clicks",
    "clicked",
    "sticks",
    "stuck",
    "won't",
    "wont",
    "can't",
    "cant",
    "cannot",
}
# "never had it lock": after these verbs a pronoun is an object, not a new subject.
_OBJECT_VERBS = {
    "had",
    "have",
    "has",
    "felt",
    "feel",
    "noticed",
    "notice",
    "seen",
    "see",
    "known",
    "experienced",
    "let",
    "found",
    "got",
    "get",
    "ever",
}
_STRONG_PUNCTUATION = set(".;:!?()\n")
_MAX_SCOPE_WORDS = 8
# "locking: no", "giving way - never.", "locking isn't a problem" (but not "gives way - no idea why")
_POST_NEGATION = re.compile(
    rf"\s*(?:(?:[:\-=?]\s*)+{NO_WORDS}\s*(?:$|[.,;!?\n)])"
    r"|(?:(?:is|was|has|have|are)(?:n'?t|\s+not|\s+never)|'s\s+not|never)\s+(?:been\s+)?(?:an?\s+)?"
    r"(?:issue|problem|concern|thing|happened|occurred))"
)


def _is_cue(token: str, following: str) -> bool:
    if following in _PSEUDO:
        return False
    if token in ("hardly", "barely", "free") and following in ("any", "of"):
        return True
    if token == "used" and following == "to":  # "it used to lock": not any more
        return True
    # "won't" and "can't" are not cues: "won't stop swelling", "can't stop it giving way".
    return token.replace("'", "") in _NEGATIONS or (token.endswith("n't") and token not in ("won't", "can't"))


def is_negated(text: str, start: int, end: int) -> bool:
    """Is the phrase text[start:end] (lower-case text) negated by a cue before it in the same
    clause, or by a "no" right after it?"""
    if _POST_NEGATION.match(text, end):
        return True
    before = _TOKEN.findall(text[max(0, start - 200) : start])
    first_word = (_TOKEN.findall(text[start:end]) or [""])[0]
    after = _TOKEN.findall(text[end : end + 60])[:4]
    words, crossed_comma = 0, False
    for index in range(len(before) - 1, -1, -1):
        token = before[index]
        following = before[index + 1] if index + 1 < len(before) else first_word
        if token in _STRONG_PUNCTUATION:
            return False
        if token == ",":
            crossed_comma = True
            continue
        if _is_cue(token, following):
            # A comma continues the negation only in an "or" list: "no swelling, locking or giving way".
            return not crossed_comma or any(word in ("or", "nor") for word in before[index + 1 :] + after)
        if token in _BREAKS or (token == "and" and following in _VERBS_AFTER_AND):
            return False
        previous = before[index - 1] if index > 0 else ""
        if token in _SUBJECTS and previous not in _OBJECT_VERBS:
            return False
        words += 1
        if words > _MAX_SCOPE_WORDS:
            return False
    return False
