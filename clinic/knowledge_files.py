"""`make knowledge`: write the files generated from knowledge/ (docs/knowledge.md).

knowledge/conditions.yml gives data/nlu/synonyms.yml, spacy_pipeline/patterns.jsonl and the
`condition` / `pain_location` slot values in domain/ (clinic/conditions.py);
knowledge/intent_groups.yml gives the forms' `not_intent` lists in domain/
(clinic/intent_groups.py). `--check` only says whether the files are in step
(tests/test_single_source.py runs it)."""

import argparse
import sys
from pathlib import Path
from typing import Dict, List

from clinic import conditions, intent_groups
from clinic.settings import PROJECT_ROOT

DOMAIN_DIR = PROJECT_ROOT / "domain"


def generated() -> Dict[Path, str]:
    """Every generated file's text: whole files, and the domain files with their generated
    parts rewritten (everything else in them is written by hand)."""
    files = conditions.generated()
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        files[path] = intent_groups.fill_lists(conditions.fill_slot_values(text))
    return files


def out_of_step() -> List[Path]:
    return [path for path, text in generated().items() if not path.exists() or path.read_text(encoding="utf-8") != text]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files out of step")
    args = parser.parse_args()
    files = generated()
    stale = out_of_step()
    for path in stale:
        if args.check:
            print(
                f"{path.relative_to(PROJECT_ROOT)} is out of step with knowledge/: run `make knowledge`.",
                file=sys.stderr,
            )
        else:
            path.write_text(files[path], encoding="utf-8")
            print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    if not stale:
        print("The files generated from knowledge/ are in step.")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
