"""Check and normalise what a patient gives as their name and contact details.

Email addresses are checked with email-validator (syntax only: no DNS look-ups while
someone waits for a reply); phone numbers with phonenumbers (Google's libphonenumber),
national numbers being read in the clinic's country."""

import re
from dataclasses import dataclass
from typing import Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email

_EMAIL_LIKE = re.compile(r"\S+@\S*")
_RELATIVE = (
    r"son|daughter|wife|husband|partner|child|kid|friend|mum|mom|dad|mother|father|"
    r"brother|sister"
)
_NAME_PREFIX = re.compile(
    r"^(?:(?:hi|hello|hey)[,!. ]+)?(?:"
    rf"(?:it's |its |it is )?for my (?:{_RELATIVE})[, ]+(?:called |named )?|"
    r"(?:my|his|her|their) name is\s+|(?:my )?name's\s+|name is\s+|the name is\s+|"
    r"i am\s+|i'm\s+|im\s+|it's\s+|its\s+|it is\s+|this is\s+|call me\s+|"
    r"i'm called\s+|under the name\s+|under\s+)",
    re.IGNORECASE,
)
# Replies that are words, not names ("yes" to "what's your name?").
NOT_NAMES = {
    "yes",
    "yeah",
    "yep",
    "no",
    "nope",
    "ok",
    "okay",
    "sure",
    "thanks",
    "thank you",
    "hi",
    "hello",
    "hey",
    "bye",
    "goodbye",
    "stop",
    "cancel",
    "help",
    "what",
    "why",
    "maybe",
    "idk",
    "dunno",
    "none",
    "nothing",
    "test",
    "anonymous",
    "skip",
}
# "next tuesday" typed where the name was asked is not a name.
_TIME_WORDS = re.compile(
    r"\b(today|tomorrow|tonight|next|morning|afternoon|evening|weekend|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?$")


@dataclass(frozen=True)
class Checked:
    """A cleaned value, or the reason it was refused (`problem`)."""

    value: Optional[str] = None
    kind: Optional[str] = None  # "email" or "phone" for contacts
    problem: Optional[str] = None


def check_name(text: str) -> Checked:
    """A person's name: letters, spaces, hyphens and apostrophes, up to 6 words."""
    name = _NAME_PREFIX.sub("", (text or "").strip()).strip(" .,!")
    if len(name) < 2:
        return Checked(problem="empty" if not name else "not_a_name")
    if any(char.isdigit() for char in name) or "@" in name:
        return Checked(problem="not_a_name")
    if len(name) > 100 or len(name.split()) > 6 or not _NAME_CHARS.match(name):
        return Checked(problem="not_a_name")
    # Keep the person's own capitalisation unless they typed it all in one case.
    if name.lower() in NOT_NAMES or _TIME_WORDS.search(name):
        return Checked(problem="not_a_name")
    if name.islower() or name.isupper():
        name = name.title()  # "o'connor-smith" -> "O'Connor-Smith"
    return Checked(value=name)


def check_contact(text: str, region: str = "GB") -> Checked:
    """An email address or a phone number found in `text`.

    Phone numbers come back in E.164 (+447911123456), email addresses normalised."""
    text = (text or "").strip()
    email = _EMAIL_LIKE.search(text)
    if email:
        candidate = email.group(0).strip(".,;:!?()<>\"'")
        try:
            valid = validate_email(candidate, check_deliverability=False)
        except EmailNotValidError:
            return Checked(problem="bad_email")
        return Checked(value=valid.normalized, kind="email")
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        number = match.number
        if phonenumbers.is_valid_number(number):
            return Checked(value=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), kind="phone")
        return Checked(problem="bad_phone")
    if sum(char.isdigit() for char in text) >= 5:
        return Checked(problem="bad_phone")
    return Checked(problem="no_contact")


def display_contact(value: str, region: str = "GB") -> str:
    """A stored contact the way people write it: +44 7911 123456, or the email."""
    if "@" in value:
        return value
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
