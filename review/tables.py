"""The tables the review tools read and write, and `connect()`.

Every table is defined once, in clinic/schema.py (with the conversations and the booking
requests); this module names the ones the review tools use, and what deleting a
conversation clears."""

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from clinic.database import migrate
from clinic.schema import (
    activations,
    audit_log,
    corrections,
    corrections_used,
    events,
    login_throttle,
    model_runs,
    notes,
    reviewed,
    sessions,
    tags,
    users,
    wanted_answers,
    wanted_messages,
)

__all__ = [
    "activations",
    "audit_log",
    "corrections",
    "corrections_used",
    "events",
    "login_throttle",
    "model_runs",
    "notes",
    "reviewed",
    "sessions",
    "tags",
    "users",
    "wanted_answers",
    "wanted_messages",
    "PER_CONVERSATION",
    "connect",
]

# Tables holding something about one conversation: what deleting a conversation clears.
PER_CONVERSATION = [reviewed, tags, notes, corrections, wanted_messages, corrections_used]


def connect(url=None) -> sa.engine.Engine:
    """An engine for `url` (default: the configured database), migrated to the newest schema."""
    return migrate(make_url(url) if isinstance(url, str) else url)
