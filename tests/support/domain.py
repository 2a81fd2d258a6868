"""The assistant's domain as Rasa merges it from the files of domain/, loaded once per test
run. `merged()` is the dict the action server receives with every action call (what the
responses, slots and forms are); tests take it through the `domain` fixture (conftest.py)
or, in module-level helpers, from here."""

from functools import lru_cache

from clinic.settings import PROJECT_ROOT

DOMAIN_DIR = PROJECT_ROOT / "domain"


@lru_cache()
def load():
    """The merged rasa Domain (imported here so that importing this module stays cheap)."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(DOMAIN_DIR))


def merged() -> dict:
    """A fresh dict of the merged domain (intents, entities, slots, responses, forms, actions)."""
    return load().as_dict()


CONTRACT = PROJECT_ROOT.parent / "shared" / "intents.md"


def contract_intents() -> list:
    """The intent names of the contract (../shared/intents.md): the first cell of each table
    row above "## Entities". Tests that need it are skipped where the contract is absent."""
    import re

    import pytest

    if not CONTRACT.exists():
        pytest.skip(f"{CONTRACT} is not there")
    text = CONTRACT.read_text(encoding="utf-8").split("## Entities")[0]
    rows = [line.split("|")[1] for line in text.splitlines() if line.startswith("| `")]
    return [name for cell in rows for name in re.findall(r"`(\w+)`", cell)]
