"""Reading conversations out of Rasa's tracker store: the filtered list and the transcript.

A conversation is everything one sender id said and was told (Rasa's `sender_id`), and it
counts once the patient has typed something. The per-message details Rasa keeps only in
the event's JSON (`data`: confidence, intent ranking, entities, channel) are read with the
database's JSON functions, so filtering and paging happen in SQL on SQLite and PostgreSQL."""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from clinic.bookings import booking_requests
from review import annotations, sanitize
from review.filters import Filters
from review.tables import events, reviewed, tags

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTION = "action_handle_fallback"
RED_FLAG_INTENT = "report_red_flag"
RED_FLAG_ACTION = "action_red_flag"
HUMAN_INTENT = "request_human"
HUMAN_ACTION = "action_request_human"
# Shown in the transcript: what the patient and the assistant said and did.
SHOWN_EVENTS = {"user", "bot", "action", "slot", "active_loop", "session_started"}
PAGE_SIZE = 25


# PostgreSQL refuses to read anything out of a JSON document that holds the escape of a
# NUL or of a UTF-16 surrogate (Python writes both: a patient can send them), so one such
# message would break every list query; SQLite's JSON functions end a string at a NUL, so
# the words after it could not be searched. Replacing each with the escape of U+FFFD keeps
# the document valid whatever precedes it (same length, same leading backslash); only emoji
# (escaped as surrogate pairs) read as U+FFFD in what PostgreSQL searches.
PG_UNREADABLE_ESCAPE = r"\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})"


def _readable(engine: sa.engine.Engine, column):
    if engine.dialect.name == "postgresql":
        return sa.cast(sa.func.regexp_replace(column, PG_UNREADABLE_ESCAPE, r"\\ufffd", "g"), sa.JSON)
    return sa.func.replace(column, r"\u0000", r"\ufffd")


def _sqlite_path(path) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def json_value(engine: sa.engine.Engine, column, *path):
    """The value at `path` (keys and list indexes) inside a JSON text column, as text."""
    if engine.dialect.name == "postgresql":
        return sa.func.json_extract_path_text(_readable(engine, column), *map(str, path))
    return sa.func.json_extract(_readable(engine, column), _sqlite_path(path))


def json_number(engine: sa.engine.Engine, column, *path):
    """The number at `path`, or NULL when something else is there."""
    if engine.dialect.name == "postgresql":
        found = sa.func.json_typeof(sa.func.json_extract_path(_readable(engine, column), *map(str, path)))
        return sa.case((found == "number", sa.cast(json_value(engine, column, *path), sa.Float)))
    found = sa.func.json_type(_readable(engine, column), _sqlite_path(path))
    return sa.case((found.in_(["real", "integer"]), sa.cast(json_value(engine, column, *path), sa.Float)))


def _confidence(engine):
    """How sure the model was of a user message's intent. When the FallbackClassifier
    replaced it with nlu_fallback, the model's own top intent is second in the ranking."""
    data = events.c.data
    return sa.case(
        (
            events.c.intent_name == FALLBACK_INTENT,
            json_number(engine, data, "parse_data", "intent_ranking", 1, "confidence"),
        ),
        else_=json_number(engine, data, "parse_data", "intent", "confidence"),
    )


def _flag(condition):
    return sa.func.max(sa.case((condition, 1), else_=0))


def _summaries(engine):
    """One row per conversation with the facts the list shows and filters on."""
    e = events.c
    is_user = e.type_name == "user"
    return (
        sa.select(
            e.sender_id.label("conversation_id"),
            sa.func.min(e.timestamp).label("started"),
            sa.func.max(e.timestamp).label("last_active"),
            sa.func.sum(sa.case((is_user, 1), else_=0)).label("user_messages"),
            sa.func.min(sa.case((is_user, _confidence(engine)))).label("min_confidence"),
            sa.func.max(sa.case((is_user, json_value(engine, e.data, "input_channel")))).label("channel"),
            _flag(sa.or_(e.intent_name == FALLBACK_INTENT, e.action_name == FALLBACK_ACTION)).label("fallback"),
            _flag(sa.or_(e.intent_name == RED_FLAG_INTENT, e.action_name == RED_FLAG_ACTION)).label("red_flag"),
            _flag(sa.or_(e.intent_name == HUMAN_INTENT, e.action_name == HUMAN_ACTION)).label("human"),
        )
        .group_by(e.sender_id)
        .subquery("conversations")
    )


def _event_exists(conversation_id, *conditions):
    return sa.exists().where(events.c.sender_id == conversation_id, *conditions)


def _like(term: str) -> str:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _booked_among(ids: List[str]):
    """Which of these conversations left a booking request."""
    return (
        sa.select(booking_requests.c.conversation_id)
        .distinct()
        .where(booking_requests.c.conversation_id.in_(ids), booking_requests.c.kind == "booking")
    )


def _booking_made(conversation_id):
    return sa.exists().where(
        booking_requests.c.conversation_id == conversation_id, booking_requests.c.kind == "booking"
    )


def _conditions(engine, s, f: Filters) -> List[Any]:
    cid = s.c.conversation_id
    conditions: List[Any] = [s.c.user_messages > 0]
    start, end = f.time_range()
    if start is not None:
        conditions.append(s.c.last_active >= start)
    if end is not None:
        conditions.append(s.c.started < end)
    if f.channel:
        conditions.append(
            _event_exists(
                cid, events.c.type_name == "user", json_value(engine, events.c.data, "input_channel") == f.channel
            )
        )
    if f.intent:
        conditions.append(_event_exists(cid, events.c.intent_name == f.intent))
    if f.low_confidence:
        conditions.append(s.c.min_confidence < f.threshold)
    for wanted, column in ((f.fallback, s.c.fallback), (f.red_flag, s.c.red_flag), (f.human, s.c.human)):
        if wanted:
            conditions.append(column == 1)
    if f.booking:
        conditions.append(_booking_made(cid))
    if f.reviewed is not None:
        is_reviewed = sa.exists().where(reviewed.c.conversation_id == cid)
        conditions.append(is_reviewed if f.reviewed else ~is_reviewed)
    if f.tag:
        conditions.append(sa.exists().where(tags.c.conversation_id == cid, tags.c.tag == f.tag))
    text = sa.func.lower(json_value(engine, events.c.data, "text"))
    for term in f.search_terms():
        conditions.append(_event_exists(cid, events.c.type_name == "user", text.like(_like(term), escape="\\")))
    return conditions


@dataclass
class ConversationRow:
    conversation_id: str
    started: float
    last_active: float
    user_messages: int
    min_confidence: Optional[float]
    channel: Optional[str]
    fallback: bool
    red_flag: bool
    human: bool
    booking: bool = False
    reviewed: bool = False
    first_message: str = ""
    tags: List[str] = field(default_factory=list)


@dataclass
class Page:
    rows: List[ConversationRow]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _row(found) -> ConversationRow:
    flags = {name: bool(found[name]) for name in ("fallback", "red_flag", "human")}
    return ConversationRow(**{**found, **flags})


def _matching(engine, f: Filters):
    s = _summaries(engine)
    query = sa.select(s).where(*_conditions(engine, s, f))
    return query, query.order_by(s.c.last_active.desc(), s.c.conversation_id)


def find(engine, f: Filters, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """One page of the conversations matching the filters, most recently active first."""
    query, ordered = _matching(engine, f)
    with engine.connect() as db:
        total = db.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar()
        number = max(1, min(page, -(-total // size)))
        found = db.execute(ordered.limit(size).offset((number - 1) * size)).mappings().all()
    rows = [_row(found_row) for found_row in found]
    _add_details(engine, rows)
    return Page(rows, total, number, size)


def find_all(engine, f: Filters) -> List[ConversationRow]:
    """Every conversation matching the filters (for exports and the summary)."""
    with engine.connect() as db:
        rows = [_row(found_row) for found_row in db.execute(_matching(engine, f)[1]).mappings()]
    for start in range(0, len(rows), 500):  # keeps the IN lists of the details short
        _add_details(engine, rows[start : start + 500])
    return rows


def _add_details(engine, rows: List[ConversationRow]) -> None:
    """What the list shows beside the summary: first message, tags, reviewed, booking."""
    if not rows:
        return
    ids = [row.conversation_id for row in rows]
    by_id = {row.conversation_id: row for row in rows}
    with engine.connect() as db:
        for sender_id, data in db.execute(
            sa.select(events.c.sender_id, events.c.data)
            .where(events.c.sender_id.in_(ids), events.c.type_name == "user")
            .order_by(events.c.id)
        ):
            row = by_id[sender_id]
            row.first_message = row.first_message or sanitize.text(sanitize.event_data(data).get("text"))
        booked = set(db.execute(_booked_among(ids)).scalars())
    marks = annotations.marks_for(engine, ids)
    for row in rows:
        row.booking = row.conversation_id in booked
        row.tags = marks[row.conversation_id]["tags"]
        row.reviewed = marks[row.conversation_id]["reviewed"]


def channels(engine) -> List[str]:
    """The channels patients have written from, for the filter's choices."""
    channel = json_value(engine, events.c.data, "input_channel")
    with engine.connect() as db:
        found = db.execute(sa.select(channel).where(events.c.type_name == "user").distinct())
        return sorted(value for (value,) in found if value)


# --- the transcript -------------------------------------------------------------------


@dataclass
class Turn:
    """One line of the transcript: a user or bot message, an action, a slot or form change."""

    event_id: int
    kind: str
    at: Optional[float]
    text: str = ""
    intent: Optional[str] = None
    confidence: Optional[float] = None
    runner_ups: List[Dict[str, Any]] = field(default_factory=list)
    entities: List[Dict[str, Any]] = field(default_factory=list)
    channel: Optional[str] = None
    name: Optional[str] = None  # action, slot or form name
    value: Any = None  # slot value
    policy: Optional[str] = None
    buttons: List[Dict[str, Any]] = field(default_factory=list)
    annotated: str = ""  # the text with its entities in Rasa's training data markup
    correction: Optional[Dict[str, Any]] = None

    def words(self, entity: Dict[str, Any]) -> Optional[str]:
        """The words an entity was found in (None when its offsets do not fit the text)."""
        if entity.get("start") is None:
            return None
        return self.text[entity["start"] : entity["end"]]


# Whatever the stored JSON holds (an old Rasa version, a custom component, a hand-edited
# row), a transcript shows it: names become strings, numbers floats or None, and entity
# offsets that do not fit the text are dropped (the entity itself is still shown).


def _name(value: Any) -> Optional[str]:
    return None if value is None else sanitize.text(value)


def _dicts(value: Any) -> List[Dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _entity(entity: Dict[str, Any], text: str) -> Dict[str, Any]:
    start, end = entity.get("start"), entity.get("end")
    fits = all(isinstance(n, int) and not isinstance(n, bool) for n in (start, end)) and 0 <= start < end <= len(text)
    return {
        **entity,
        "entity": _name(entity.get("entity")),
        "start": start if fits else None,
        "end": end if fits else None,
    }


def _user_turn(event_id: int, data: Dict[str, Any]) -> Turn:
    parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    predicted = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    intent = _name(predicted.get("name"))
    ranking = [
        {**r, "name": _name(r["name"]), "confidence": sanitize.number(r.get("confidence"))}
        for r in _dicts(parse.get("intent_ranking"))
        if r.get("name")
    ]
    confidence = sanitize.number(predicted.get("confidence"))
    runner_ups = [r for r in ranking if r["name"] != intent]
    if intent == FALLBACK_INTENT and runner_ups:
        confidence = runner_ups[0]["confidence"]  # the model's own best guess
    text = sanitize.text(data.get("text"))
    entities = [_entity(e, text) for e in _dicts(parse.get("entities"))]
    return Turn(
        event_id,
        "user",
        sanitize.number(data.get("timestamp")),
        text=text,
        intent=intent,
        confidence=confidence,
        runner_ups=runner_ups[:3],
        entities=entities,
        channel=_name(data.get("input_channel")),
        annotated=annotations.annotate(text, entities),
    )


def _turn(event_id: int, type_name: str, data: Dict[str, Any]) -> Optional[Turn]:
    at = sanitize.number(data.get("timestamp"))
    name = _name(data.get("name"))
    if type_name == "user":
        return _user_turn(event_id, data)
    if type_name == "bot":
        extra = data.get("data") if isinstance(data.get("data"), dict) else {}
        return Turn(event_id, "bot", at, text=sanitize.text(data.get("text")), buttons=_dicts(extra.get("buttons")))
    if type_name == "action":
        if name == "action_listen":
            return None
        return Turn(
            event_id,
            "action",
            at,
            name=name,
            policy=_name(data.get("policy")),
            confidence=sanitize.number(data.get("confidence")),
        )
    if type_name == "slot":
        # The clinic_* slots are the clinic's own details, refreshed every session.
        if (name or "").startswith("clinic_"):
            return None
        return Turn(event_id, "slot", at, name=name, value=data.get("value"))
    if type_name == "active_loop":
        return Turn(event_id, "active_loop", at, name=name)
    if type_name == "session_started":
        return Turn(event_id, "session_started", at)
    return None


def transcript(engine, conversation_id: str) -> List[Turn]:
    """The conversation in order; empty when there is no such conversation."""
    with engine.connect() as db:
        found = db.execute(
            sa.select(events.c.id, events.c.type_name, events.c.data)
            .where(events.c.sender_id == conversation_id, events.c.type_name.in_(SHOWN_EVENTS))
            .order_by(events.c.id)
        ).all()
    turns = [_turn(event_id, type_name, sanitize.event_data(data)) for event_id, type_name, data in found]
    turns = [turn for turn in turns if turn is not None]
    corrections = annotations.corrections_for(engine, conversation_id)
    for turn in turns:
        turn.correction = corrections.get(turn.event_id)
    return turns


def summary_of(engine, conversation_id: str) -> Optional[ConversationRow]:
    """The list row of one conversation (flags, times), or None if it does not exist."""
    s = _summaries(engine)
    with engine.connect() as db:
        row = db.execute(sa.select(s).where(s.c.conversation_id == conversation_id)).mappings().first()
    if row is None:
        return None
    result = _row(row)
    _add_details(engine, [result])
    return result


def user_message(engine, event_id: int) -> Optional[Dict[str, Any]]:
    """A stored user message (for corrections): its conversation, text and prediction."""
    with engine.connect() as db:
        row = db.execute(
            sa.select(events.c.sender_id, events.c.intent_name, events.c.data).where(
                events.c.id == event_id, events.c.type_name == "user"
            )
        ).first()
    if row is None:
        return None
    return {
        "conversation_id": row.sender_id,
        "intent": row.intent_name,
        "text": sanitize.text(sanitize.event_data(row.data).get("text")),
    }
