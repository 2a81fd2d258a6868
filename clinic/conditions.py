"""The knee conditions and pain locations, from their one definition in
knowledge/conditions.yml: names, booking labels and the phrases patients use.

`make knowledge` (clinic/knowledge_files.py) writes what Rasa and spaCy read from them:
data/nlu/synonyms.yml, spacy_pipeline/patterns.jsonl and the `condition` and `pain_location`
slots' values in domain/conditions.yml."""

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from clinic.settings import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "knowledge" / "conditions.yml"
SYNONYMS = PROJECT_ROOT / "data" / "nlu" / "synonyms.yml"
PATTERNS = PROJECT_ROOT / "spacy_pipeline" / "patterns.jsonl"
# Each section of the source and the entity (and slot) its names are values of.
ENTITIES = {"conditions": "condition", "pain_locations": "pain_location"}
# Slot values that are answers, not names the ruler tags: the triage's "not sure where" button.
EXTRA_VALUES = {"pain_location": ["unsure"]}
# A slot's `values: [...]` line in a domain file.
_SLOT_VALUES = r"(?m)^(  {slot}:\n(?:    (?!values:).*\n)*?    values: )\[[^\]]*\]"

SYNONYMS_HEADER = """version: "3.1"

# Normalised values for the entities tagged by spacy_pipeline/patterns.jsonl.
# tests/test_spacy_pipeline.py checks that both lists stay in step.
nlu:
"""


@lru_cache()
def definitions() -> Dict[str, Dict[str, dict]]:
    """{"conditions": {name: {"label": ..., "phrases": [...]}}, "pain_locations": {...}}"""
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def labels(section: str) -> Dict[str, str]:
    return {name: item["label"] for name, item in definitions()[section].items()}


def synonyms_yaml() -> str:
    """Rasa's synonyms: every phrase but the name itself normalises to the name."""
    blocks = []
    for section in ENTITIES:
        for name, item in definitions()[section].items():
            examples = "".join(f"    - {phrase}\n" for phrase in item["phrases"] if phrase != name)
            blocks.append(f"- synonym: {name}\n  examples: |\n{examples}")
    return SYNONYMS_HEADER + "\n".join(blocks)


def patterns_jsonl() -> str:
    """The entity ruler's patterns: every phrase, with the name as the entity's id."""
    return "".join(
        json.dumps({"label": entity, "pattern": phrase, "id": name}, ensure_ascii=False) + "\n"
        for section, entity in ENTITIES.items()
        for name, item in definitions()[section].items()
        for phrase in item["phrases"]
    )


def slot_values() -> Dict[str, list]:
    """The categorical slots' values: the defined names (and the triage's extra answers)."""
    return {entity: list(definitions()[section]) + EXTRA_VALUES.get(entity, []) for section, entity in ENTITIES.items()}


def fill_slot_values(text: str) -> str:
    """A domain file's text with the condition and pain_location slots' values written."""
    for slot, values in slot_values().items():
        text = re.sub(_SLOT_VALUES.format(slot=slot), lambda m: m[1] + f"[{', '.join(values)}]", text)
    return text


def generated() -> Dict[Path, str]:
    """The files generated whole from the definitions."""
    return {SYNONYMS: synonyms_yaml(), PATTERNS: patterns_jsonl()}
