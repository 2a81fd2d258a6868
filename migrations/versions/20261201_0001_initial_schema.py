"""The schema as it stood when migrations began (issue #14).

On an empty database this creates every table. A database made before migrations (by the
servers' old `ensure_tables()`, or by Rasa's own tracker store) already has some or all of
them, with the clinic's rows: only the missing tables are created, and an `events` table
without `seq` gets it, numbered in id order per conversation, and its unique index. Either
way the database ends at this revision with nothing lost.

Like every revision, this is a frozen copy: later changes to clinic/schema.py go into new
revisions, never here.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)  # clinic.schema.UTCDateTime in the database


def _tables():
    """Every table, in creation order (a referenced table before the one referring to it)."""
    yield (
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float),
        sa.Column("intent_name", sa.String(255)),
        sa.Column("action_name", sa.String(255)),
        sa.Column("data", sa.Text),
        sa.Column("seq", sa.Integer),
    )
    yield (
        "booking_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("contact", sa.String(254)),
        sa.Column("preferred_time", UTC_TIME),
        sa.Column("reason", sa.Text),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("channel", sa.String(64)),
        sa.Column("consent_at", UTC_TIME),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("dedup_key", sa.String(64), nullable=False, unique=True),
        sa.CheckConstraint("kind IN ('booking', 'change', 'cancel', 'human')", name="booking_requests_kind"),
        sa.CheckConstraint("status IN ('new', 'contacted', 'booked', 'cancelled')", name="booking_requests_status"),
    )
    yield (
        "booking_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("booking_requests.id"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("locked_until", UTC_TIME),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("delivered_at", UTC_TIME),
        sa.UniqueConstraint("request_id", "method", name="booking_deliveries_once"),
    )
    yield (
        "channel_handled_messages",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    yield (
        "review_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
    )
    yield (
        "review_login_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure", sa.DateTime(timezone=True)),
        sa.Column("lockouts", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
    )
    yield (
        "review_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )
    yield (
        "review_reviewed",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("reviewed_by", sa.String(80), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
    )
    yield (
        "review_tags",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("tag", sa.String(40), primary_key=True),
        sa.Column("added_by", sa.String(80), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    yield (
        "review_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    yield (
        "review_corrections",
        sa.Column("event_id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("predicted_intent", sa.String(255)),
        sa.Column("intent", sa.String(255), nullable=False),
        sa.Column("entities", sa.Text, nullable=False),
        sa.Column("corrected_by", sa.String(80), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
    )
    yield (
        "review_audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("conversation_id", sa.String(255)),
        sa.Column("detail", sa.Text, nullable=False),
    )
    yield (
        "review_wanted_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_by", sa.String(80)),
        sa.Column("done_at", sa.DateTime(timezone=True)),
    )
    yield (
        "review_wanted_messages",
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
    yield (
        "review_model_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_by", sa.String(80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("workdir", sa.Text, nullable=False),
        sa.Column("model_path", sa.Text),
        sa.Column("base_model", sa.Text),
        sa.Column("corrections", sa.Text, nullable=False),
        sa.Column("comparison", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("pid", sa.Integer),
        sa.Column("heartbeat", sa.DateTime(timezone=True)),
    )
    yield (
        "review_activations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model_path", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.Column("activated_by", sa.String(80), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("numbers", sa.Text, nullable=False),
        sa.Column("servers", sa.Text, nullable=False),
    )
    yield (
        "review_corrections_used",
        sa.Column("event_id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
    )


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, *columns in _tables():
        if name not in existing:
            op.create_table(name, *columns)
    if "seq" not in {column["name"] for column in sa.inspect(op.get_bind()).get_columns("events")}:
        op.add_column("events", sa.Column("seq", sa.Integer))  # a table Rasa's own store wrote
    # Rows written without a seq (by Rasa's own store): number them in id order.
    op.execute(
        "UPDATE events SET seq = (SELECT COUNT(*) FROM events AS e "
        "WHERE e.sender_id = events.sender_id AND e.id <= events.id) WHERE seq IS NULL"
    )
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS events_sender_seq ON events (sender_id, seq)")


def downgrade() -> None:
    raise NotImplementedError(
        "The first revision is not undone: that would drop every table, the clinic's conversations with them."
    )
