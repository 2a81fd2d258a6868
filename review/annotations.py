"""What staff add to a conversation (reviewed mark, tags, notes) and their intent and
entity corrections, exported as Rasa NLU training data.

Corrections are written with Rasa's own entity markup (`my [outer](pain_location) knee`)
and read and written with Rasa's own parser and YAML writer, so an export is exactly the
format of the files in data/nlu/."""

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
import yaml
from rasa.shared.nlu.training_data import entities_parser
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
from rasa.shared.nlu.training_data.formats.readerwriter import TrainingDataWriter
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic.settings import PROJECT_ROOT
from review import clock
from review.tables import corrections, notes, reviewed, tags

TAG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_NOTE = 4000
ENTITY_KEYS = ("start", "end", "value", "entity", "role", "group")


class AnnotationError(ValueError):
    """Staff input that cannot be stored; the message says what to change."""


# --- the domain's names ----------------------------------------------------------------


@lru_cache(maxsize=2)
def _domain(path: str, mtime: float) -> Tuple[List[str], List[str]]:
    domain = {"intents": [], "entities": []}
    for file in sorted(Path(path).glob("*.yml")):  # Rasa merges the files of domain/
        part = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for key in domain:
            domain[key] += part.get(key) or []

    def names(items):
        return sorted(next(iter(i)) if isinstance(i, dict) else str(i) for i in items or [])

    return names(domain.get("intents")), names(domain.get("entities"))


def domain_names() -> Tuple[List[str], List[str]]:
    """(intents, entities) declared in the domain: what a correction may use."""
    path = PROJECT_ROOT / "domain"
    return _domain(str(path), max(file.stat().st_mtime for file in path.glob("*.yml")))


# --- reviewed, tags, notes -------------------------------------------------------------


def set_reviewed(engine, conversation_id: str, username: str, done: bool = True) -> None:
    with engine.begin() as db:
        db.execute(reviewed.delete().where(reviewed.c.conversation_id == conversation_id))
        if done:
            db.execute(
                reviewed.insert().values(
                    conversation_id=conversation_id, reviewed_by=username, reviewed_at=clock.utcnow()
                )
            )


def clean_tag(raw: str) -> str:
    tag = (raw or "").strip().lower().replace(" ", "-")
    if not TAG_PATTERN.match(tag):
        raise AnnotationError(
            "A tag is one word of up to 40 letters, digits, - or _ (for example: wrong-intent, follow-up)."
        )
    return tag


def add_tag(engine, conversation_id: str, raw: str, username: str) -> str:
    tag = clean_tag(raw)
    with engine.begin() as db:
        exists = db.execute(
            sa.select(tags.c.tag).where(tags.c.conversation_id == conversation_id, tags.c.tag == tag)
        ).first()
        if not exists:
            db.execute(
                tags.insert().values(
                    conversation_id=conversation_id, tag=tag, added_by=username, added_at=clock.utcnow()
                )
            )
    return tag


def remove_tag(engine, conversation_id: str, tag: str) -> None:
    with engine.begin() as db:
        db.execute(tags.delete().where(tags.c.conversation_id == conversation_id, tags.c.tag == tag))


def all_tags(engine) -> List[str]:
    with engine.connect() as db:
        return list(db.execute(sa.select(tags.c.tag).distinct().order_by(tags.c.tag)).scalars())


def add_note(engine, conversation_id: str, body: str, username: str) -> None:
    body = (body or "").strip()
    if not body:
        raise AnnotationError("The note is empty.")
    if len(body) > MAX_NOTE:
        raise AnnotationError(f"A note can be at most {MAX_NOTE} characters (this one has {len(body)}).")
    with engine.begin() as db:
        db.execute(
            notes.insert().values(
                conversation_id=conversation_id, author=username, body=body, created_at=clock.utcnow()
            )
        )


def marks_for(engine, ids: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    """conversation id -> {"reviewed": bool, "reviewed_by", "reviewed_at", "tags", "notes"}."""
    ids = list(ids)
    result = {
        cid: {"reviewed": False, "reviewed_by": None, "reviewed_at": None, "tags": [], "notes": []} for cid in ids
    }
    with engine.connect() as db:
        for row in db.execute(reviewed.select().where(reviewed.c.conversation_id.in_(ids))):
            result[row.conversation_id].update(
                reviewed=True, reviewed_by=row.reviewed_by, reviewed_at=clock.as_utc(row.reviewed_at)
            )
        for row in db.execute(tags.select().where(tags.c.conversation_id.in_(ids)).order_by(tags.c.tag)):
            result[row.conversation_id]["tags"].append(row.tag)
        for row in db.execute(notes.select().where(notes.c.conversation_id.in_(ids)).order_by(notes.c.id)):
            result[row.conversation_id]["notes"].append(
                {"author": row.author, "body": row.body, "at": clock.as_utc(row.created_at)}
            )
    return result


# --- corrections ------------------------------------------------------------------------


def annotate(text: str, entities: List[Dict[str, Any]]) -> str:
    """`text` in Rasa's training data markup, e.g. "my [outer](pain_location) knee".

    The markup cannot nest or overlap, but extractors can: the red-flag check marks
    "kneecap has popped out" where the entity ruler marks "kneecap". Where spans overlap,
    the one that starts first (the shorter at the same start) is marked; the others, and
    entities whose offsets do not fit the text, are left out of the markup only (the
    transcript still lists every entity)."""
    spans, end = [], 0
    for e in sorted(_with_offsets(text, entities), key=lambda e: (e["start"], e["end"])):
        if e["start"] >= end:
            spans.append({k: e[k] for k in ENTITY_KEYS if e.get(k) is not None})
            end = e["end"]
    return TrainingDataWriter.generate_message({"text": text, "entities": spans})


def _with_offsets(text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    def fits(e):
        start, end = e.get("start"), e.get("end")
        return (
            isinstance(e.get("entity"), str)
            and type(start) is int
            and type(end) is int
            and 0 <= start < end <= len(text)
        )

    return [e for e in entities or [] if isinstance(e, dict) and fits(e)]


def parse_correction(text: str, intent: str, annotated: str) -> List[Dict[str, Any]]:
    """The entities staff marked in `annotated`, checked against the original text and
    the domain. Raises AnnotationError with what to fix."""
    known_intents, known_entities = domain_names()
    if intent not in known_intents:
        raise AnnotationError(f"“{intent}” is not an intent in the domain.")
    annotated = (annotated or "").strip() or text
    if annotated == text:
        return []  # nothing marked (and no markup characters in the text to misread)
    message = entities_parser.parse_training_example(annotated, intent)
    if message.get("text") != text:
        raise AnnotationError(
            "The words must stay exactly as the patient wrote them; only add or remove "
            "entity marks like [outer](pain_location)."
        )
    entities = [{k: e[k] for k in ENTITY_KEYS if e.get(k) is not None} for e in message.get("entities") or []]
    unknown = sorted({e["entity"] for e in entities} - set(known_entities))
    if unknown:
        raise AnnotationError(
            f"Not an entity in the domain: {', '.join(unknown)}. Known entities: {', '.join(known_entities)}."
        )
    return entities


def correct(
    engine, event_id: int, message: Dict[str, Any], intent: str, annotated: str, username: str
) -> Dict[str, Any]:
    """Store the right intent (and entities) for one user message; replaces an earlier one."""
    entities = parse_correction(message["text"], intent, annotated)
    row = {
        "event_id": event_id,
        "conversation_id": message["conversation_id"],
        "text": message["text"],
        "predicted_intent": message["intent"],
        "intent": intent,
        "entities": json.dumps(entities),
        "corrected_by": username,
        "corrected_at": clock.utcnow(),
    }
    with engine.begin() as db:
        db.execute(corrections.delete().where(corrections.c.event_id == event_id))
        db.execute(corrections.insert().values(**row))
    return row


def _correction(row) -> Dict[str, Any]:
    entities = json.loads(row.entities or "[]")
    return {
        "event_id": row.event_id,
        "conversation_id": row.conversation_id,
        "text": row.text,
        "predicted_intent": row.predicted_intent,
        "intent": row.intent,
        "entities": entities,
        "annotated": annotate(row.text, entities),
        "corrected_by": row.corrected_by,
        "corrected_at": clock.as_utc(row.corrected_at),
    }


def corrections_for(engine, conversation_id: str) -> Dict[int, Dict[str, Any]]:
    with engine.connect() as db:
        found = db.execute(corrections.select().where(corrections.c.conversation_id == conversation_id))
        return {row.event_id: _correction(row) for row in found}


def all_corrections(engine, since: Optional[datetime] = None) -> List[Dict[str, Any]]:
    query = corrections.select().order_by(corrections.c.corrected_at.desc())
    if since is not None:
        query = query.where(corrections.c.corrected_at >= since)
    with engine.connect() as db:
        return [_correction(row) for row in db.execute(query)]


def nlu_yaml(found: List[Dict[str, Any]], comment: str = "") -> str:
    """Corrections as a Rasa NLU training data file. A text corrected more than once
    appears once, with its latest intent (`found` is newest first)."""
    latest: Dict[str, Dict[str, Any]] = {}
    for correction in found:
        latest.setdefault(correction["text"], correction)
    examples = [
        Message(data={"text": c["text"], "intent": c["intent"], "entities": c["entities"]})
        for c in sorted(latest.values(), key=lambda c: (c["intent"], c["text"]))
    ]
    # Rasa's writer gives an empty string for no examples; an explicit empty file is clearer.
    body = RasaYAMLWriter().dumps(TrainingData(training_examples=examples)) or 'version: "3.1"\nnlu: []\n'
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    return header + body
