"""A SQL tracker store whose save can neither skip nor duplicate an event.

Rasa's SQLTrackerStore.save counts the rows already stored and inserts the tracker's
events after that count: two turns that started from the same stored state make the
second skip its own first events (its user message included). Here every event row
carries `seq`, its position in the conversation, under a unique (sender_id, seq) index:

- retrieve notes on the tracker how many of its events are stored and the last seq;
- save inserts exactly the events added since then, numbered on from that seq, in one
  transaction;
- if another writer got there first the unique index refuses the rows, and save
  appends the same events after the other writer's instead of dropping them;
- if a commit's reply was lost in an outage and the rows are in fact stored, the retry
  recognises them and stores nothing twice.

The table is Rasa's `events` table (the staff review app reads it) plus the `seq`
column (clinic/schema.py); the first migration adds and back-fills `seq` in a database
that Rasa's own store wrote."""

import json
import logging
from typing import Iterable, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from clinic.outages import in_thread, with_retries
from clinic.schema import events

logger = logging.getLogger(__name__)

# Errors worth waiting out: the database is unreachable or restarting.
TRANSIENT = (sa.exc.OperationalError, sa.exc.InterfaceError)
# How often one save re-bases after other writers before giving up (never silently).
MAX_REBASES = 20

# On the tracker object: (events stored when it was read, last stored seq).
_STORED = "_clinic_stored"


class SequencedSQLTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(self, engine: sa.engine.Engine, domain=None, event_broker=None, **kwargs) -> None:
        self.engine = engine
        super().__init__(domain, event_broker, **kwargs)

    # --- reading ------------------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrieve(sender_id, all_sessions=False)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrieve(conversation_id, all_sessions=True)

    async def _retrieve(self, sender_id: Text, all_sessions: bool) -> Optional[DialogueStateTracker]:
        rows, last_seq = await with_retries(
            lambda: in_thread(self._read, sender_id, all_sessions), "database", TRANSIENT
        )
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(r) for r in rows], self.domain.slots)
        setattr(tracker, _STORED, (len(tracker.events), last_seq))
        return tracker

    def _read(self, sender_id: Text, all_sessions: bool) -> Tuple[List[str], int]:
        e = events.c
        with self.engine.connect() as db:
            last_seq = db.execute(
                sa.select(sa.func.coalesce(sa.func.max(e.seq), 0)).where(e.sender_id == sender_id)
            ).scalar()
            query = sa.select(e.data).where(e.sender_id == sender_id)
            if not all_sessions:
                session_start = (
                    sa.select(sa.func.max(e.seq))
                    .where(e.sender_id == sender_id, e.type_name == SessionStarted.type_name)
                    .scalar_subquery()
                )
                query = query.where(sa.or_(session_start.is_(None), e.seq >= session_start))
            rows = db.execute(query.order_by(e.seq, e.id)).scalars().all()
        return rows, last_seq

    async def keys(self) -> Iterable[Text]:
        def read() -> List[Text]:
            with self.engine.connect() as db:
                return db.execute(sa.select(events.c.sender_id).distinct()).scalars().all()

        return await with_retries(lambda: in_thread(read), "database", TRANSIENT)

    # --- writing ------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        stored = await with_retries(lambda: in_thread(self._append, tracker), "database", TRANSIENT)
        setattr(tracker, _STORED, stored)

    def _append(self, tracker: DialogueStateTracker) -> Tuple[int, int]:
        """Store the events added since the tracker was read; return the new (count, seq)."""
        known = getattr(tracker, _STORED, None)
        with self.engine.connect() as db:
            if known is None:  # not read through this store (a new or API-built tracker)
                known = (self._stored_in_latest_session(db, tracker.sender_id), self._last_seq(db, tracker.sender_id))
            count, base = known
            new: List[Event] = list(tracker.events)[count:]
            if not new:
                return known
            rows = [_row(tracker.sender_id, event) for event in new]
            for _ in range(MAX_REBASES):
                try:
                    with db.begin():
                        db.execute(events.insert(), [{**row, "seq": base + i} for i, row in enumerate(rows, 1)])
                    return len(tracker.events), base + len(rows)
                except sa.exc.IntegrityError:
                    if self._already_stored(db, tracker.sender_id, base, rows):
                        return len(tracker.events), base + len(rows)
                    # Another writer stored events first: ours go after theirs, none lost.
                    logger.warning("Concurrent write to conversation %s; appending after it", tracker.sender_id)
                    base = self._last_seq(db, tracker.sender_id)
        raise RuntimeError(f"conversation {tracker.sender_id}: too many concurrent writers")

    @staticmethod
    def _last_seq(db: sa.engine.Connection, sender_id: Text) -> int:
        return db.execute(
            sa.select(sa.func.coalesce(sa.func.max(events.c.seq), 0)).where(events.c.sender_id == sender_id)
        ).scalar()

    @staticmethod
    def _stored_in_latest_session(db: sa.engine.Connection, sender_id: Text) -> int:
        """Rasa's rule for a tracker we did not read: the latest session's events are stored."""
        e = events.c
        session_start = (
            sa.select(sa.func.max(e.seq))
            .where(e.sender_id == sender_id, e.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        return db.execute(
            sa.select(sa.func.count()).where(
                e.sender_id == sender_id, sa.or_(session_start.is_(None), e.seq >= session_start)
            )
        ).scalar()

    @staticmethod
    def _already_stored(db: sa.engine.Connection, sender_id: Text, base: int, rows: List[dict]) -> bool:
        """True when the rows after `base` are exactly ours: an earlier commit did land."""
        stored = (
            db.execute(
                sa.select(events.c.data)
                .where(events.c.sender_id == sender_id, events.c.seq > base, events.c.seq <= base + len(rows))
                .order_by(events.c.seq)
            )
            .scalars()
            .all()
        )
        return stored == [row["data"] for row in rows]


def _row(sender_id: Text, event: Event) -> dict:
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
