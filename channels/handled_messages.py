"""The platform message ids already handled, kept in the project database (shared by every
server replica, unlike process memory): a signed Twilio request that is replayed, by an
attacker who captured it or by a retry, is answered once (issue #10). Twilio's signature
has no timestamp, so the ids are kept for good; a row is a few dozen bytes per message."""
from datetime import datetime, timezone
from functools import lru_cache
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from clinic.database import create_engine

metadata = sa.MetaData()
handled_messages = sa.Table(
    "channel_handled_messages",
    metadata,
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("message_id", sa.String(64), primary_key=True),
    sa.Column("received_at", sa.DateTime, nullable=False),
)


@lru_cache(maxsize=1)
def _default_engine() -> Engine:
    engine = create_engine()
    metadata.create_all(engine, checkfirst=True)
    return engine


def first_delivery(channel: str, message_id: str, engine: Optional[Engine] = None) -> bool:
    """Record `message_id` as handled; False if it already was (by any replica)."""
    if engine is None:
        engine = _default_engine()
    else:
        metadata.create_all(engine, checkfirst=True)
    try:
        with engine.begin() as connection:
            connection.execute(handled_messages.insert().values(
                channel=channel, message_id=message_id[:64],
                received_at=datetime.now(timezone.utc).replace(tzinfo=None)))
    except sa.exc.IntegrityError:
        return False
    return True
