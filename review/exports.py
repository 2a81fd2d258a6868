"""Conversations as CSV (one row per message or action, for a spreadsheet) and JSON
(one object per conversation, for other programs)."""

import csv
import io
import json
import re
from typing import Any, Dict, Iterator, List

from review import annotations, clock, conversations, sanitize
from review.filters import Filters

CSV_COLUMNS = ["conversation_id", "time", "channel", "speaker", "text", "intent", "confidence", "entities", "action"]
# A spreadsheet runs a cell starting with one of these (or their full-width forms) as a
# formula: patients' words must never become one (CSV injection). Spreadsheets also trim
# leading spaces, and one set up for another separator splits `x;=cmd|' /C calc'!A0` into
# `x` and a formula; so a cell with such a start, or such a start after a separator,
# gets a leading apostrophe, and every cell is quoted (no locale splits a quoted cell).
FORMULA = re.compile(r"(?:^|[,;|\t\r\n，；｜])\s*[=+\-@|;\t\r＝＋－＠｜；]")


def _turn_dict(turn: conversations.Turn) -> Dict[str, Any]:
    item: Dict[str, Any] = {"time": clock.iso(turn.at), "type": turn.kind}
    if turn.kind == "user":
        item.update(
            text=turn.text,
            intent=turn.intent,
            confidence=turn.confidence,
            intent_ranking=turn.runner_ups,
            entities=turn.entities,
            channel=turn.channel,
        )
        if turn.correction:
            item["corrected_intent"] = turn.correction["intent"]
    elif turn.kind == "bot":
        item.update(text=turn.text, buttons=turn.buttons)
    elif turn.kind == "action":
        item.update(name=turn.name, policy=turn.policy, confidence=turn.confidence)
    elif turn.kind == "slot":
        item.update(name=turn.name, value=turn.value)
    elif turn.kind == "active_loop":
        item.update(name=turn.name)
    return item


def _selected(engine, f: Filters) -> List[conversations.ConversationRow]:
    return sorted(conversations.find_all(engine, f), key=lambda row: row.started)


def as_json(engine, f: Filters) -> str:
    rows = _selected(engine, f)
    marks = annotations.marks_for(engine, [row.conversation_id for row in rows])
    items = []
    for row in rows:
        mark = marks[row.conversation_id]
        items.append(
            {
                "conversation_id": row.conversation_id,
                "channel": row.channel,
                "started": clock.iso(row.started),
                "last_active": clock.iso(row.last_active),
                "fallback": row.fallback,
                "red_flag": row.red_flag,
                "person_requested": row.human,
                "booking": row.booking,
                "reviewed": mark["reviewed"],
                "tags": mark["tags"],
                "notes": [{**note, "at": clock.iso(note["at"])} for note in mark["notes"]],
                "events": [_turn_dict(turn) for turn in conversations.transcript(engine, row.conversation_id)],
            }
        )
    document = {
        "exported_at": clock.iso(clock.utcnow()),
        "timezone": str(clock.clinic_timezone()),
        "from": f.first_day.isoformat() if f.first_day else None,
        "to": f.last_day.isoformat() if f.last_day else None,
        "conversations": items,
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def spreadsheet_safe(value: Any) -> str:
    text = sanitize.text(value)
    return "'" + text if FORMULA.search(text) else text


def csv_rows(engine, f: Filters) -> Iterator[List[str]]:
    yield CSV_COLUMNS
    for row in _selected(engine, f):
        for turn in conversations.transcript(engine, row.conversation_id):
            if turn.kind not in ("user", "bot", "action"):
                continue
            confidence = f"{turn.confidence:.3f}" if turn.confidence is not None else ""
            entities = (
                json.dumps(
                    [{"entity": e.get("entity"), "value": e.get("value")} for e in turn.entities], ensure_ascii=False
                )
                if turn.entities
                else ""
            )
            yield [
                spreadsheet_safe(v)
                for v in (
                    row.conversation_id,
                    clock.iso(turn.at),
                    turn.channel or row.channel or "",
                    turn.kind,
                    turn.text,
                    turn.intent or "",
                    confidence if turn.kind == "user" else "",
                    entities,
                    turn.name or "",
                )
            ]


def as_csv(engine, f: Filters) -> str:
    """With a byte-order mark, so that Excel reads the UTF-8 (accents, dashes) correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(csv_rows(engine, f))
    return buffer.getvalue()
