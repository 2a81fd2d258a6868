"""What patients ask that the assistant does not answer, grouped by meaning.

The messages it did not understand (nlu_fallback, or a fallback action ran after them),
answered as out of scope, or classified with a low confidence are embedded with the
project's sentence encoder (clinic/sentence_encoder.py) and grouped by scikit-learn's
agglomerative clustering: average cosine distance within a theme below DISTANCE. Themes
span this period and the one before it, so each shows its trend.

Messages staff have dealt with leave the page: those corrected (review_corrections, the
store the transcript's corrections use, so they go into the next training run) and those
filed under "the clinic should write an answer for this" (review_wanted_*)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Dict, Iterable, List, Optional, Tuple

import numpy as np
import sqlalchemy as sa

from review import annotations, clock, conversations, sanitize
from review.annotations import AnnotationError
from review.tables import corrections, events, wanted_answers, wanted_messages

UNANSWERED_INTENTS = {conversations.FALLBACK_INTENT, "out_of_scope"}
FALLBACK_ACTIONS = {"action_default_fallback", conversations.FALLBACK_ACTION}
LOW_CONFIDENCE = 0.6  # as the conversation list's "low confidence" filter
# Cosine distance (1 - similarity) under which messages are one theme. MiniLM gives
# rewordings of one question similarities of about 0.45-0.9 and unrelated questions below 0.25.
DISTANCE = 0.6
MAX_MESSAGES = 1500  # the newest; clustering is quadratic in memory
EXAMPLES = 5
DEFAULT_DAYS = 30


@dataclass
class Message:
    event_id: int
    conversation_id: str
    at: float
    text: str
    intent: Optional[str]
    confidence: Optional[float]
    recent: bool  # in the period shown (else in the one before)


@dataclass
class Theme:
    messages: List[Message]  # closest to the theme's centre first
    recent: int = 0
    previous: int = 0
    intents: List[Tuple[str, int]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.messages)

    @property
    def examples(self) -> List[Message]:
        return self.messages[:EXAMPLES]

    @property
    def trend(self) -> str:
        if self.recent > self.previous:
            return "up"
        return "down" if self.recent < self.previous else "same"


def periods(first: Optional[date], last: Optional[date]) -> Tuple[date, date, date]:
    """(start of the previous period, first day, last day): the period shown and one as
    long before it."""
    if not (first and last):
        today = clock.local(clock.utcnow()).date()
        first, last = today - timedelta(days=DEFAULT_DAYS - 1), today
    return first - (last - first) - timedelta(days=1), first, last


def _unanswered(turn: conversations.Turn, fallback_followed: bool) -> bool:
    return (
        fallback_followed
        or turn.intent in UNANSWERED_INTENTS
        or (turn.confidence is not None and turn.confidence < LOW_CONFIDENCE)
    )


def _handled_ids(db) -> set:
    done = set(db.execute(sa.select(corrections.c.event_id)).scalars())
    return done | set(db.execute(sa.select(wanted_messages.c.event_id)).scalars())


def unanswered_messages(engine, first: Optional[date] = None, last: Optional[date] = None) -> List[Message]:
    """The patient messages of both periods the assistant did not answer, not yet handled."""
    before, first, last = periods(first, last)
    start, split = clock.day_range(before, first - timedelta(days=1))
    _, end = clock.day_range(first, last)
    e = events.c
    with engine.connect() as db:
        rows = db.execute(
            sa.select(e.id, e.sender_id, e.type_name, e.action_name, e.timestamp, e.data)
            .where(
                e.timestamp >= start,
                e.timestamp < end,
                sa.or_(e.type_name == "user", sa.and_(e.type_name == "action", e.action_name.in_(FALLBACK_ACTIONS))),
            )
            .order_by(e.id)
        ).all()
        handled = _handled_ids(db)
    last_user: Dict[str, conversations.Turn] = {}
    followed = set()
    turns = []
    for row in rows:
        if row.type_name == "user":
            turn = conversations._user_turn(row.id, sanitize.event_data(row.data))
            last_user[row.sender_id] = turn
            turns.append((row, turn))
        elif row.sender_id in last_user:
            followed.add(last_user[row.sender_id].event_id)
    found = [
        Message(row.id, row.sender_id, row.timestamp, turn.text, turn.intent, turn.confidence, row.timestamp >= split)
        for row, turn in turns
        if turn.text.strip()
        and not turn.text.startswith("/")
        and row.id not in handled
        and _unanswered(turn, row.id in followed)
    ]
    return found[-MAX_MESSAGES:]


# Embeddings by text, kept for the life of the process (a page load encodes only new messages).
_vectors: Dict[str, np.ndarray] = {}
MAX_CACHED = 20000


def embed(texts: List[str]) -> np.ndarray:
    """Unit vectors (rows), one per text."""
    from clinic.sentence_encoder import DIMENSIONS, encode

    missing = [text for text in dict.fromkeys(texts) if text not in _vectors]
    if missing:
        if len(_vectors) + len(missing) > MAX_CACHED:
            _vectors.clear()
        _vectors.update(zip(missing, encode(missing)))
    return np.stack([_vectors[text] for text in texts]) if texts else np.zeros((0, DIMENSIONS))


def cluster(vectors: np.ndarray) -> np.ndarray:
    """A theme number per row: average-linkage agglomerative clustering on cosine distance."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    # scikit-learn 1.1 names the distance `affinity` (1.2 renamed it `metric`).
    return AgglomerativeClustering(
        n_clusters=None, affinity="cosine", linkage="average", distance_threshold=DISTANCE
    ).fit_predict(vectors)


def themes(engine, first: Optional[date] = None, last: Optional[date] = None, min_size: int = 2) -> List[Theme]:
    """Themes of at least `min_size` messages, biggest in the period shown first."""
    messages = unanswered_messages(engine, first, last)
    vectors = embed([m.text for m in messages])
    labels = cluster(vectors)
    found = []
    for label in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == label)
        if len(members) < min_size:
            continue
        centre = vectors[members].mean(axis=0)
        order = members[np.argsort(-(vectors[members] @ centre), kind="stable")]
        picked = [messages[i] for i in order]
        found.append(
            Theme(
                picked,
                recent=sum(m.recent for m in picked),
                previous=sum(not m.recent for m in picked),
                intents=Counter(m.intent for m in picked).most_common(3),
            )
        )
    return sorted(found, key=lambda t: (-t.recent, -t.size, t.messages[0].event_id))


# --- what staff do with a theme ----------------------------------------------------------


def _messages(engine, event_ids: Iterable[int]) -> List[Tuple[int, dict]]:
    found = []
    for event_id in dict.fromkeys(event_ids):
        message = conversations.user_message(engine, event_id)
        if message is None:
            raise AnnotationError("A message of this theme no longer exists (deleted?). Reload the page and try again.")
        found.append((event_id, message))
    if not found:
        raise AnnotationError("Tick at least one message of the theme.")
    return found


def train_as(engine, event_ids: Iterable[int], intent: str, username: str) -> int:
    """Each ticked message becomes a correction to `intent` (training data of the next run)."""
    found = _messages(engine, event_ids)
    for event_id, message in found:
        annotations.correct(engine, event_id, message, intent, "", username)
    return len(found)


def want_answer(engine, event_ids: Iterable[int], title: str, username: str) -> int:
    """File the ticked messages under "the clinic should write an answer for this"."""
    title = " ".join((title or "").split())
    if not 3 <= len(title) <= 200:
        raise AnnotationError(
            "Say in a few words (3 to 200 characters) what the clinic should answer, e.g. “gift vouchers”."
        )
    found = _messages(engine, event_ids)
    with engine.begin() as db:
        wanted_id = db.execute(
            wanted_answers.insert().values(title=title, created_by=username, created_at=clock.utcnow())
        ).inserted_primary_key[0]
        for event_id, message in found:
            db.execute(wanted_messages.delete().where(wanted_messages.c.event_id == event_id))
            db.execute(
                wanted_messages.insert().values(
                    event_id=event_id, wanted_id=wanted_id, conversation_id=message["conversation_id"]
                )
            )
    return wanted_id


def mark_answer_written(engine, wanted_id: int, username: str, done: bool = True) -> None:
    with engine.begin() as db:
        db.execute(
            wanted_answers.update()
            .where(wanted_answers.c.id == wanted_id)
            .values(done_by=username if done else None, done_at=clock.utcnow() if done else None)
        )


@dataclass
class WantedAnswer:
    id: int
    title: str
    created_by: str
    created_at: object
    done_by: Optional[str]
    examples: List[str]
    count: int


def wanted(engine) -> List[WantedAnswer]:
    """The answers staff asked the clinic to write, open ones first, with example messages
    (read from the conversations: a deleted conversation takes its words with it)."""
    with engine.connect() as db:
        rows = db.execute(
            wanted_answers.select().order_by(wanted_answers.c.done_at.isnot(None), wanted_answers.c.id.desc())
        ).all()
        members = db.execute(
            sa.select(wanted_messages.c.wanted_id, events.c.data)
            .join(events, events.c.id == wanted_messages.c.event_id)
            .order_by(events.c.id)
        ).all()
    texts: Dict[int, List[str]] = {}
    for wanted_id, data in members:
        texts.setdefault(wanted_id, []).append(sanitize.text(sanitize.event_data(data).get("text")))
    return [
        WantedAnswer(
            row.id,
            row.title,
            row.created_by,
            clock.as_utc(row.created_at),
            row.done_by,
            texts.get(row.id, [])[:EXAMPLES],
            len(texts.get(row.id, [])),
        )
        for row in rows
    ]
