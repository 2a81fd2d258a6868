"""The tables the review tools read and write.

`events` mirrors the table Rasa's SQLTrackerStore writes (rasa/core/tracker_store.py,
SQLEvent) column for column, so the review app also starts on a database the assistant
has not written to yet. Everything else belongs to the review tools and is created
idempotently by `connect()`."""
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from clinic import bookings
from clinic.database import create_engine

metadata = sa.MetaData()

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

users = sa.Table(
    "review_users", metadata,
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
    "review_login_throttle", metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_failure", sa.DateTime(timezone=True)),
    sa.Column("lockouts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
)

# Server-side sessions: the browser holds a random token, we keep only its hash,
# so a session can be expired or revoked here whatever the cookie says.
sessions = sa.Table(
    "review_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
)

reviewed = sa.Table(
    "review_reviewed", metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("reviewed_by", sa.String(80), nullable=False),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
)

tags = sa.Table(
    "review_tags", metadata,
    sa.Column("conversation_id", sa.String(255), primary_key=True),
    sa.Column("tag", sa.String(40), primary_key=True),
    sa.Column("added_by", sa.String(80), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

notes = sa.Table(
    "review_notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("author", sa.String(80), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# One correction per user message (events.id); correcting again replaces it.
corrections = sa.Table(
    "review_corrections", metadata,
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
    "review_audit_log", metadata,
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
    "review_wanted_answers", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("done_by", sa.String(80)),
    sa.Column("done_at", sa.DateTime(timezone=True)),
)
wanted_messages = sa.Table(
    "review_wanted_messages", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("wanted_id", sa.Integer, sa.ForeignKey("review_wanted_answers.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
)

# Training runs started from the app, their side-by-side check, and activations.
model_runs = sa.Table(
    "review_model_runs", metadata,
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
    "review_activations", metadata,
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
    "review_corrections_used", metadata,
    sa.Column("event_id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
)

# Tables holding something about one conversation: what deleting a conversation clears.
PER_CONVERSATION = [reviewed, tags, notes, corrections, wanted_messages, corrections_used]


def connect(url=None) -> sa.engine.Engine:
    """An engine for `url` (default: the configured database), review tables in place."""
    engine = create_engine(make_url(url) if isinstance(url, str) else url)
    try:
        metadata.create_all(engine, checkfirst=True)
    except sa.exc.DBAPIError:
        # Another process (the Rasa server, a second review process) created a table
        # between our check and our CREATE; the second pass sees it and skips it.
        metadata.create_all(engine, checkfirst=True)
    bookings.ensure_tables(engine)  # so a fresh install lists no requests rather than failing
    return engine
