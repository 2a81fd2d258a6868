"""Run a rasa-sdk action directly, with a real Tracker and CollectingDispatcher."""

import asyncio
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[dict]] = None,
    text: str = "",
    intent: str = "",
    entities: Optional[List[dict]] = None,
    active_loop: Optional[str] = None,
    sender: str = "unit-test",
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker(
        sender,
        slots or {},
        latest,
        events or [],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run_action(action: Action, tracker: Tracker, domain: Optional[dict] = None) -> Tuple[List[dict], List[dict]]:
    """Returns (messages the action sent, events it returned)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain or {}))
    return dispatcher.messages, events
