"""One negation scope (clinic/text/negation.py) for the red-flag check and the triage's typed
answers: what one calls denied, the other does too."""

import pytest

from clinic.safety import detect_red_flags
from clinic.text.negation import is_negated
from clinic.text.triage_answers import read_instability, read_swelling


def negated(text, phrase):
    start = text.index(phrase)
    return is_negated(text, start, start + len(phrase))


@pytest.mark.parametrize(
    "text,phrase,expected",
    [
        ("no swelling", "swelling", True),
        ("it doesn't lock", "lock", True),
        ("no swelling, locking or giving way", "giving way", True),
        ("i don't have swelling and locking", "locking", True),  # "and" continues a list of nouns
        ("it doesn't hurt and locks", "locks", False),  # "and" before a verb: a new statement
        ("no pain and it locks", "locks", False),  # a new subject
        ("no pain but it locks", "locks", False),
        ("not sure if it locks", "locks", False),
        ("locking: no", "locking", True),
        ("it used to lock", "lock", True),
    ],
)
def test_the_scope_of_a_negation(text, phrase, expected):
    assert negated(text, phrase) == expected


def test_the_safety_check_and_the_triage_answers_agree():
    # A red flag after "and" + verb is reported by both; a denied list is denied by both.
    assert [f.name for f in detect_red_flags("it doesn't hurt and locks")] == ["locking"]
    assert read_instability("it doesn't hurt and locks") == "yes"
    assert detect_red_flags("i don't have swelling and locking") == []
    assert read_instability("i don't have swelling and locking") == "no"
    assert read_swelling("no swelling and it doesn't lock") == "none"
