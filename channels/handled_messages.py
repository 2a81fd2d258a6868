"""The platform message ids already handled, kept in the project database (shared by every
server replica, unlike process memory): a signed Twilio request that is replayed, by an
attacker who captured it or by a retry, is answered once (issue #10). Twilio's signature
has no timestamp, so the ids are kept for good; a row is a few dozen bytes per message."""

from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from clinic.database import project_engine
from clinic.schema import handled_messages


def first_delivery(channel: str, message_id: str, engine: Optional[Engine] = None) -> bool:
    """Record `message_id` as handled; False if it already was (by any replica)."""
    engine = engine or project_engine()
    try:
        with engine.begin() as connection:
            connection.execute(
                handled_messages.insert().values(
                    channel=channel,
                    message_id=message_id[:64],
                    received_at=datetime.now(timezone.utc).replace(tzinfo=None),
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True
