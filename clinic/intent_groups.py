"""Which intents a form never takes as an answer, from their one definition in
knowledge/intent_groups.yml: groups that partition the domain's intents, and lists made of
groups. `make knowledge` (clinic/knowledge_files.py) writes the lists into the `not_intent`
slot mappings of domain/ that carry the list's name as a YAML anchor; actions/booking.py
reads `never_an_answer`."""

import re
import textwrap
from functools import lru_cache
from typing import Dict, List

import yaml

from clinic.settings import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "knowledge" / "intent_groups.yml"
# `not_intent: &name [...]`: the anchor names the list (aliases `*name` reuse it in the file).
_ANCHORED_LIST = re.compile(r"(?m)^(?P<indent> *)not_intent: &(?P<name>\w+) \[[^\]]*\]")
WIDTH = 100


@lru_cache()
def definitions() -> dict:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def groups() -> Dict[str, List[str]]:
    return definitions()["groups"]


def intent_list(name: str) -> List[str]:
    """The intents of a list: its groups in order, without its exceptions."""
    spec = definitions()["lists"][name]
    excluded = set(spec.get("except") or [])
    intents: List[str] = []
    for group in spec["groups"]:
        intents += [intent for intent in groups()[group] if intent not in excluded and intent not in intents]
    return intents


def lists() -> Dict[str, List[str]]:
    return {name: intent_list(name) for name in definitions()["lists"]}


def fill_lists(text: str) -> str:
    """A domain file's text with every anchored not_intent list written from its definition."""

    def written(match: re.Match) -> str:
        indent, name = match["indent"], match["name"]
        if name not in definitions()["lists"]:
            raise KeyError(f"not_intent: &{name}: no such list in {SOURCE.name}")
        lines = textwrap.wrap(", ".join(intent_list(name)), WIDTH - len(indent) - 2)
        return f"{indent}not_intent: &{name} [\n" + ",\n".join(f"{indent}  {line.rstrip(',')}" for line in lines) + "]"

    return _ANCHORED_LIST.sub(written, text)
