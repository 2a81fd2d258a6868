"""The audit log: who did what, when. Patients' words never go into it, only ids and
counts, so it can be kept after the conversations themselves are deleted."""

from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from review import clock
from review.tables import audit_log


def record(engine, username: str, action: str, conversation_id: Optional[str] = None, detail: str = "") -> None:
    with engine.begin() as db:
        db.execute(
            audit_log.insert().values(
                at=clock.utcnow(), username=username, action=action, conversation_id=conversation_id, detail=detail
            )
        )


def recent(engine, limit: int = 200, username: str = "", action: str = "") -> List[Dict[str, Any]]:
    query = audit_log.select().order_by(audit_log.c.id.desc()).limit(limit)
    if username:
        query = query.where(audit_log.c.username == username)
    if action:
        query = query.where(audit_log.c.action == action)
    with engine.connect() as db:
        return [{**row, "at": clock.as_utc(row["at"])} for row in db.execute(query).mappings()]


def actions(engine) -> List[str]:
    with engine.connect() as db:
        return list(db.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars())
