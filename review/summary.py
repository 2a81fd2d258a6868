"""The summary page's numbers for a range of days: conversations per day, top intents,
how often the assistant did not understand, red flags, and booking requests."""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Dict, List, Tuple

import sqlalchemy as sa

from review import clock, conversations
from review.filters import Filters
from clinic.bookings import booking_requests
from review.tables import events


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

    @property
    def busiest_day(self) -> int:
        return max([n for _, n in self.per_day] + [1])

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0


def build(engine, first_day: date, last_day: date) -> Report:
    report = Report(first_day, last_day)
    rows = conversations.find_all(engine, Filters(first_day=first_day, last_day=last_day))
    report.conversations = len(rows)
    report.fallback_conversations = sum(row.fallback for row in rows)
    report.red_flag_conversations = sum(row.red_flag for row in rows)
    report.human_conversations = sum(row.human for row in rows)

    started = Counter(clock.local(row.started).date() for row in rows)
    days = (last_day - first_day).days + 1
    report.per_day = [(first_day + timedelta(days=n), started[first_day + timedelta(days=n)])
                      for n in range(days)]

    start, end = clock.day_range(first_day, last_day)
    in_range = sa.and_(events.c.type_name == "user", events.c.timestamp >= start,
                       events.c.timestamp < end)
    with engine.connect() as db:
        intents = Counter(dict(db.execute(
            sa.select(events.c.intent_name, sa.func.count())
            .where(in_range).group_by(events.c.intent_name)).all()))
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
                .group_by(table.c.kind, table.c.status)):
            report.bookings.setdefault(kind, {})[status] = count
    return report
