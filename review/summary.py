"""The summary page's numbers for a range of days: conversations per day, top intents,
how often the assistant did not understand, red flags, and booking requests."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa

from clinic.bookings import booking_requests
from review import clock, conversations
from review.filters import LAST_DAY, Filters, last_days
from review.tables import events

DEFAULT_DAYS = 14
MAX_DAYS = 366  # a year at a time: one bar per day is no longer readable beyond that


def days_to_show(first: Optional[date], last: Optional[date]) -> Tuple[date, date, List[str]]:
    """The range the summary covers for the days asked for (either may be missing), at
    most MAX_DAYS long, and a message when it is not what was asked for."""
    notes: List[str] = []
    if first and last:
        if (last - first).days >= MAX_DAYS:
            first = last - timedelta(days=MAX_DAYS - 1)
            notes.append(f"The summary covers at most {MAX_DAYS} days at a time: showing {first} to {last}.")
    elif last:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    elif first:
        last = min(first + timedelta(days=DEFAULT_DAYS - 1), LAST_DAY)
    else:
        first, last = last_days(DEFAULT_DAYS)
    return first, last, notes


@dataclass
class Report:
    first_day: date
    last_day: date
    per_day: List[Tuple[date, int]] = field(default_factory=list)
    conversations: int = 0
    user_messages: int = 0
    fallback_messages: int = 0
    fallback_conversations: int = 0
    red_flag_conversations: int = 0
    human_conversations: int = 0
    top_intents: List[Tuple[str, int]] = field(default_factory=list)
    bookings: Dict[str, Dict[str, int]] = field(default_factory=dict)  # kind -> status -> n
    busiest_day: int = 1  # the scale of the per-day bars

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0


def build(engine, first_day: date, last_day: date) -> Report:
    """The numbers for first_day..last_day (see days_to_show: at most MAX_DAYS)."""
    if not 0 <= (last_day - first_day).days < MAX_DAYS:
        raise ValueError(f"A summary covers 1 to {MAX_DAYS} days.")
    report = Report(first_day, last_day)
    rows = conversations.find_all(engine, Filters(first_day=first_day, last_day=last_day))
    report.conversations = len(rows)
    report.fallback_conversations = sum(row.fallback for row in rows)
    report.red_flag_conversations = sum(row.red_flag for row in rows)
    report.human_conversations = sum(row.human for row in rows)

    started = Counter(clock.local(row.started).date() for row in rows)
    days = (last_day - first_day).days + 1
    report.per_day = [(first_day + timedelta(days=n), started[first_day + timedelta(days=n)]) for n in range(days)]
    report.busiest_day = max([n for _, n in report.per_day] + [1])

    start, end = clock.day_range(first_day, last_day)
    in_range = sa.and_(events.c.type_name == "user", events.c.timestamp >= start, events.c.timestamp < end)
    with engine.connect() as db:
        intents = Counter(
            dict(
                db.execute(
                    sa.select(events.c.intent_name, sa.func.count()).where(in_range).group_by(events.c.intent_name)
                ).all()
            )
        )
    report.user_messages = sum(intents.values())
    report.fallback_messages = intents.pop(conversations.FALLBACK_INTENT, 0)
    report.top_intents = intents.most_common(10)

    # UTC, as stored: SQLite compares datetimes as text, without their offsets.
    since, until = (datetime.fromtimestamp(t, timezone.utc) for t in (start, end))
    table = booking_requests
    with engine.connect() as db:
        for kind, status, count in db.execute(
            sa.select(table.c.kind, table.c.status, sa.func.count())
            .where(table.c.created_at >= since, table.c.created_at < until)
            .group_by(table.c.kind, table.c.status)
        ):
            report.bookings.setdefault(kind, {})[status] = count
    return report
