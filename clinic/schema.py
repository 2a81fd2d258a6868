"""Every table of the project's database, in one MetaData: the conversations (`events`),
the booking requests and their delivery outbox, the Twilio messages already handled, and
the staff review tools' tables.

This module describes the newest schema; `migrations/` (Alembic) brings a database to it,
and a test checks that the two agree. How to change a table: docs/deployment.md,
"Changing the schema"."""

from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa

KINDS = ("booking", "change", "cancel", "human")
STATUSES = ("new", "contacted", "booked", "cancelled")

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware timestamp on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite has no zones, so values are stored
    as UTC and given their zone back when read. Naive datetimes are refused: a preferred
    time without a zone is ambiguous, and that ambiguity is exactly how appointments get
    booked an hour off."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# --- conversations (clinic/tracker_store.py) --------------------------------------------
# Rasa's own `events` table (SQLTrackerStore's SQLEvent), column for column, plus `seq`:
# the event's position in its conversation, unique per conversation.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
    sa.Column("seq", sa.Integer),
    sa.Index("events_sender_seq", "sender_id", "seq", unique=True),
)

# --- requests for the clinic's staff (clinic/bookings.py, clinic/delivery/outbox.py) ----
booking_requests = sa.Table(
    "booking_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200)),
    # An email address or a phone number (E.164, e.g. +447911123456), as validated.
    sa.Column("contact", sa.String(254)),
    sa.Column("preferred_time", UTCDateTime),
    # Why they want to come (bookings) or what they asked for, in their words (the rest).
    sa.Column("reason", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, server_default="new"),
    # The channel the conversation came through (rest, socketio, telegram...).
    sa.Column("channel", sa.String(64)),
    # When the user agreed to their contact details being stored; None if not asked.
    sa.Column("consent_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Same conversation + same details = same request: a double "yes" stores one row.
    sa.Column("dedup_key", sa.String(64), nullable=False, unique=True),
    sa.CheckConstraint(f"kind IN {KINDS}", name="booking_requests_kind"),
    sa.CheckConstraint(f"status IN {STATUSES}", name="booking_requests_status"),
)

# The outbox: one row per request and outbound method (webhook, email).
booking_deliveries = sa.Table(
    "booking_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey(booking_requests.c.id), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    # What is sent, frozen when the request was made.
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime, nullable=False),
    sa.Column("locked_until", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("delivered_at", UTCDateTime),
    sa.UniqueConstraint("request_id", "method", name="booking_deliveries_once"),
)

# --- channels (channels/handled_messages.py) --------------------------------------------
# Platform message ids already answered: a replayed Twilio request is answered once.
handled_messages = sa.Table(
    "channel_handled_messages",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("message_id", sa.String(64), primary_key=True),
    sa.Column("received_at", sa.DateTime, nullable=False),
)

# --- the staff review tools (review/) ---------------------------------------------------
users = sa.Table(
    "review_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # No longer used (login throttling is in review_login_throttle); kept so that
    # databases created before still match.
    sa.Column("failed_logins", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
)

# Wrong passwords per (typed username, client address) and per client address:
# see review/throttle.py.
login_throttle = sa.Table(
    "review_login_throttle",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_failure", sa.DateTime(timezone=True)),
    sa.Column("lockouts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
)

# Server-side sessions: the browser holds a random token, we keep only its hash,
# so a session can be expired or revoked here whatever the cookie says.
sessions = sa.Table(
    "review_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
)

reviewed = sa.Table(
    "review_reviewed",
    metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("reviewed_by", sa.String(80), nullable=False),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
)

tags = sa.Table(
    "review_tags",
    metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Column("added_by", sa.String(80), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

notes = sa.Table(
    "review_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# One correction per user message (events.id); correcting again replaces it.
corrections = sa.Table(
    "review_corrections",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("predicted_intent", sa.String(255)),
    sa.Column("intent", sa.String(255), nullable=False),
    sa.Column("entities", sa.Text, nullable=False, default="[]"),  # JSON, Rasa's entity dicts
    sa.Column("corrected_by", sa.String(80), nullable=False),
    sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
)

audit_log = sa.Table(
    "review_audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("conversation_id", sa.String(255)),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

# --- the improvement loop (review/themes.py, review/model_runs.py) ---
# "The clinic should write an answer for this": a title staff wrote, and the patient
# messages it stands for (by event id: their words stay only in `events`).
wanted_answers = sa.Table(
    "review_wanted_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("done_by", sa.String(80)),
    sa.Column("done_at", sa.DateTime(timezone=True)),
)
wanted_messages = sa.Table(
    "review_wanted_messages",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column(
        "wanted_id",
        sa.Integer,
        sa.ForeignKey("review_wanted_answers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
)

# Training runs started from the app, their side-by-side check, and activations.
model_runs = sa.Table(
    "review_model_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # queued -> training -> checking -> ready | failed; "ready" runs can be activated.
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("started_by", sa.String(80), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("workdir", sa.Text, nullable=False),
    sa.Column("model_path", sa.Text),
    sa.Column("base_model", sa.Text),  # the live model it was compared with
    sa.Column("corrections", sa.Text, nullable=False, default="[]"),  # JSON event ids
    sa.Column("comparison", sa.Text),  # JSON, review.model_check
    sa.Column("error", sa.Text),
    sa.Column("pid", sa.Integer),
    sa.Column("heartbeat", sa.DateTime(timezone=True)),
)
activations = sa.Table(
    "review_activations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("model_path", sa.Text, nullable=False),
    sa.Column("run_id", sa.Integer),  # None: a model that was not trained from the app
    sa.Column("activated_by", sa.String(80), nullable=False),
    sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("numbers", sa.Text, nullable=False, default="{}"),  # JSON summary of the check
    sa.Column("servers", sa.Text, nullable=False, default="[]"),  # JSON: url -> result
)
# Corrections that went into an activated model (by the corrected message's event id).
corrections_used = sa.Table(
    "review_corrections_used",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
)
