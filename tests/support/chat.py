"""Talk to the trained model in-process, the way a channel would."""

import asyncio
import uuid
from typing import List, Optional

from rasa.core.agent import Agent


class Conversation:
    """One user's conversation with an in-process agent.

    `say` returns the bot's messages (dicts with "text", maybe "buttons") for one message."""

    def __init__(self, agent: Agent, loop: asyncio.AbstractEventLoop, sender: Optional[str] = None) -> None:
        self.agent = agent
        self.loop = loop
        self.sender = sender or f"test-{uuid.uuid4().hex[:10]}"

    def say(self, text: str) -> List[dict]:
        return self.loop.run_until_complete(self.agent.handle_text(text, sender_id=self.sender))

    def texts(self, text: str) -> str:
        """All reply texts for one message, joined: handy for `in` assertions."""
        return "\n".join(m.get("text", "") for m in self.say(text))

    def tracker(self):
        return self.loop.run_until_complete(self.agent.tracker_store.retrieve(self.sender))

    def slot(self, name: str):
        return self.tracker().get_slot(name)

    def latest_intent(self) -> str:
        return self.tracker().latest_message.intent.get("name")


def button_payloads(messages: List[dict]) -> List[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]
