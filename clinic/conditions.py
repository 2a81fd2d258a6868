"""The knee conditions and pain locations, from their one definition in
knowledge/conditions.yml: names, booking labels and the phrases patients use.

`python -m clinic.conditions` (`make knowledge`) writes what Rasa and spaCy read from them,
data/nlu/synonyms.yml and spacy_pipeline/patterns.jsonl; `--check` only says whether those
files are in step (tests/test_single_source.py runs it)."""
import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Dict, List

import yaml

from clinic.settings import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "knowledge" / "conditions.yml"
SYNONYMS = PROJECT_ROOT / "data" / "nlu" / "synonyms.yml"
PATTERNS = PROJECT_ROOT / "spacy_pipeline" / "patterns.jsonl"
# Each section of the source and the entity (and slot) its names are values of.
ENTITIES = {"conditions": "condition", "pain_locations": "pain_location"}

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
        for name, item in definitions()[section].items() for phrase in item["phrases"])


def generated() -> Dict[Path, str]:
    return {SYNONYMS: synonyms_yaml(), PATTERNS: patterns_jsonl()}


def out_of_step() -> List[Path]:
    return [path for path, text in generated().items()
            if not path.exists() or path.read_text(encoding="utf-8") != text]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files out of step")
    args = parser.parse_args()
    stale = out_of_step()
    for path in stale:
        if args.check:
            print(f"{path.relative_to(PROJECT_ROOT)} is out of step with "
                  f"{SOURCE.relative_to(PROJECT_ROOT)}: run `make knowledge`.", file=sys.stderr)
        else:
            path.write_text(generated()[path], encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    if not stale:
        print(f"{SYNONYMS.relative_to(PROJECT_ROOT)} and {PATTERNS.relative_to(PROJECT_ROOT)} are in step.")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
