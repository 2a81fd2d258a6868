"""Understand a preferred appointment time written in ordinary words ("next tuesday
morning", "sat 10am", "after work on thursday") and check it against the clinic's
opening hours, in the clinic's time zone.

The day is read by dateparser; times of day are read here first, because dateparser
misses phrases runners use ("after work", "half past 2", "around 10") and turns a bare
day into midnight, which we could not tell apart from a real time."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Dict, Optional, Tuple
from zoneinfo import ZoneInfo

import dateparser
from dateparser.search import search_dates

from clinic.settings import DAYS, OpeningSpan, opening_hours

# What people mean by a part of the day; clipped to the opening hours later.
PARTS_OF_DAY = [
    (r"\b(?:first thing|early morning)\b", time(8, 0)),
    (r"\bmorning\b", time(9, 0)),
    (r"\b(?:lunch ?time|lunch|midday|noon)\b", time(12, 0)),
    (r"\bafternoon\b", time(14, 0)),
    (r"\b(?:after work|evening|tonight|after (?:my )?(?:job|office))\b", time(18, 0)),
]
_HOUR = r"(1[0-2]|0?[1-9]|1[3-9]|2[0-3])"
_MERIDIEM = r"\s*(a\.?m\.?|p\.?m\.?)\b"
# The order matters: the most specific pattern wins.
TIME_PATTERNS = [
    ("half_past", re.compile(rf"\bhalf past {_HOUR}\b")),
    ("quarter_past", re.compile(rf"\bquarter past {_HOUR}\b")),
    ("quarter_to", re.compile(rf"\bquarter to {_HOUR}\b")),
    ("hm_meridiem", re.compile(rf"\b{_HOUR}[:.]([0-5]\d){_MERIDIEM}")),
    ("h_meridiem", re.compile(rf"\b{_HOUR}{_MERIDIEM}")),
    ("hm", re.compile(rf"\b{_HOUR}[:.]([0-5]\d)\b")),
    ("h_oclock", re.compile(rf"\b{_HOUR} ?o'?clock\b")),
    ("at_h", re.compile(rf"\b(?:at|around|about|from|after) {_HOUR}(?:ish)?\b(?![:./])")),
    ("h_ish", re.compile(rf"\b{_HOUR}ish\b")),
]
_NEXT_WEEKDAY = re.compile(r"\b(?:next|this|coming|on)\s+(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(\w*)\b")
# Words that carry no date but confuse dateparser's search.
_FILLER = re.compile(
    r"\b(change|move|make|set|put|the|time|day|date|appointment|booking|it|to|please|"
    r"could|can|i|do|would|like|prefer|maybe|ideally|how|about|what|works|work|for|me|"
    r"any ?time|is|fine|good|best|ok|okay|on|at|around|ish|or|and|a|an)\b"
)


@dataclass(frozen=True)
class TimeAnswer:
    """What a preferred-time answer said, and what (if anything) is wrong with it.

    `problem` is None when `when` is a usable time. Otherwise one of:
    unparsed, needs_time (a day without a time: `day` is set), past, closed_day,
    before_opening, after_closing, too_far."""

    when: Optional[datetime] = None
    day: Optional[date] = None
    problem: Optional[str] = None
    span: Optional[OpeningSpan] = None  # the opening hours of the day, for the re-ask


def _hour(value: str, meridiem: str = "") -> int:
    hour = int(value)
    meridiem = meridiem.replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif not meridiem and 1 <= hour <= 7:
        hour += 12  # nobody books a physio for 3 at night: "at 3" means 15:00
    return hour


def extract_time_of_day(text: str) -> Tuple[Optional[time], str]:
    """The clock time in `text` (or None), and the text without it."""
    for kind, pattern in TIME_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groups()
        if kind == "half_past":
            found = time(_hour(groups[0]), 30)
        elif kind == "quarter_past":
            found = time(_hour(groups[0]), 15)
        elif kind == "quarter_to":
            found = time((_hour(groups[0]) - 1) % 24, 45)
        elif kind == "hm_meridiem":
            found = time(_hour(groups[0], groups[2]), int(groups[1]))
        elif kind == "h_meridiem":
            found = time(_hour(groups[0], groups[1]), 0)
        elif kind == "hm":
            found = time(_hour(groups[0]), int(groups[1]))
        else:
            found = time(_hour(groups[0]), 0)
        return found, (text[: match.start()] + " " + text[match.end() :]).strip()
    for pattern, value in PARTS_OF_DAY:
        match = re.search(pattern, text)
        if match:
            return value, (text[: match.start()] + " " + text[match.end() :]).strip()
    return None, text


def extract_day(text: str, today: date, date_order: str = "DMY") -> Optional[date]:
    """The calendar day in `text`, read by dateparser relative to `today`."""
    says_next = bool(re.search(r"\bnext\s+(mon|tue|wed|thu|fri|sat|sun)", text))
    text = _NEXT_WEEKDAY.sub(lambda m: m.group(1) + m.group(2), text)
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime.combine(today, time(12, 0)),
        "DATE_ORDER": date_order,
        "REQUIRE_PARTS": [],
    }
    candidates = [text, _FILLER.sub(" ", text)]
    for candidate in candidates:
        candidate = re.sub(r"\s+", " ", candidate).strip(" ,.!?")
        if not candidate:
            continue
        parsed = dateparser.parse(candidate, languages=["en"], settings=settings)
        if not parsed:
            found = search_dates(candidate, languages=["en"], settings=settings)
            parsed = found[-1][1] if found else None
        if parsed:
            day = parsed.date()
            # On a Tuesday, "next tuesday" is a week away, not today.
            return day + timedelta(days=7) if says_next and day == today else day
    return None


def _clip_part_of_day(chosen: time, span: OpeningSpan) -> time:
    """ "Saturday morning" at a clinic opening at 09:00 means 09:00, not 08:00."""
    opens = time.fromisoformat(span.opens)
    return max(chosen, opens)


def interpret(
    text: str,
    now: datetime,
    clinic: Dict,
    pending_day: Optional[date] = None,
    appointment_minutes: int = 60,
    max_days_ahead: int = 90,
    date_order: str = "DMY",
) -> TimeAnswer:
    """Read a preferred time from `text`.

    `now` is the current moment (aware); `pending_day` is a day the user gave earlier
    without a time ("tuesday" then "10am"). Times are in the clinic's time zone."""
    zone = ZoneInfo(clinic["timezone"])
    local_now = now.astimezone(zone)
    cleaned = re.sub(r"\s+", " ", text.lower()).strip()
    clock, rest = extract_time_of_day(cleaned)
    day = extract_day(rest, local_now.date(), date_order) if rest else None
    if day is None and clock is not None:
        day = pending_day
    if day is None and clock is None:
        return TimeAnswer(problem="unparsed")

    hours = opening_hours(clinic)
    if day is None:  # a time alone: the next day on which that time is ahead of us
        day = local_now.date()
        if datetime.combine(day, clock, zone) <= local_now:
            day += timedelta(days=1)
    span = hours[DAYS[day.weekday()]]

    if day < local_now.date():
        return TimeAnswer(day=day, problem="past", span=span)
    if day > local_now.date() + timedelta(days=max_days_ahead):
        return TimeAnswer(day=day, problem="too_far", span=span)
    if span is None:
        return TimeAnswer(day=day, problem="closed_day")
    if clock is None:
        return TimeAnswer(day=day, problem="needs_time", span=span)

    is_part_of_day = not any(pattern.search(cleaned) for _, pattern in TIME_PATTERNS)
    if is_part_of_day:
        clock = _clip_part_of_day(clock, span)
    when = datetime.combine(day, clock, zone)
    opens = datetime.combine(day, time.fromisoformat(span.opens), zone)
    closes = datetime.combine(day, time.fromisoformat(span.closes), zone)
    if when <= local_now:
        return TimeAnswer(when=when, day=day, problem="past", span=span)
    if when < opens:
        return TimeAnswer(when=when, day=day, problem="before_opening", span=span)
    if when + timedelta(minutes=appointment_minutes) > closes:
        return TimeAnswer(when=when, day=day, problem="after_closing", span=span)
    return TimeAnswer(when=when, day=day, span=span)


def latest_start(span: OpeningSpan, appointment_minutes: int = 60) -> str:
    """The last start time that still ends before closing, as HH:MM."""
    closes = datetime.combine(date.today(), time.fromisoformat(span.closes))
    return (closes - timedelta(minutes=appointment_minutes)).strftime("%H:%M")


def describe(when: datetime) -> str:
    """'Tuesday 24 November at 10:00', in the zone `when` carries."""
    return f"{when:%A} {when.day} {when:%B} at {when:%H:%M}"


def describe_day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"
