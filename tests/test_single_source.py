"""Each knee condition and pain location is defined once, in knowledge/conditions.yml: the
synonyms Rasa reads, the patterns spaCy's entity ruler matches and the booking's labels all
come from it, and the domain knows exactly those names."""
import json

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.booking import prefilled_reason
from clinic import conditions
from tests.support.sdk import make_tracker

NEW_CONDITION = """
  hamstring_tendinopathy:
    label: hamstring tendon pain
    phrases:
      - hamstring tendinopathy
      - hamstring tendon pain
"""


@pytest.fixture
def source(tmp_path, monkeypatch):
    """A copy of the definitions to change, read instead of the real one."""
    copy = tmp_path / "conditions.yml"
    copy.write_text(conditions.SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(conditions, "SOURCE", copy)
    conditions.definitions.cache_clear()
    yield copy
    conditions.definitions.cache_clear()


def test_the_synonyms_and_patterns_are_generated_from_the_definitions():
    assert conditions.out_of_step() == [], (
        "edit knowledge/conditions.yml, then run `make knowledge` (python -m clinic.conditions)")


def test_a_new_condition_reaches_the_synonyms_the_patterns_and_the_booking_labels(source, tmp_path):
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("\npain_locations:", NEW_CONDITION + "\npain_locations:"),
                      encoding="utf-8")

    synonyms = tmp_path / "synonyms.yml"
    synonyms.write_text(conditions.synonyms_yaml(), encoding="utf-8")
    assert load_data(str(synonyms)).entity_synonyms["hamstring tendon pain"] == "hamstring_tendinopathy"
    patterns = [json.loads(line) for line in conditions.patterns_jsonl().splitlines()]
    assert {"label": "condition", "pattern": "hamstring tendinopathy",
            "id": "hamstring_tendinopathy"} in patterns
    assert conditions.labels("conditions")["hamstring_tendinopathy"] == "hamstring tendon pain"


def test_the_name_itself_is_a_pattern_but_not_a_synonym_of_itself():
    synonyms = load_data(str(conditions.SYNONYMS)).entity_synonyms
    patterns = [json.loads(line) for line in conditions.PATTERNS.read_text(encoding="utf-8").splitlines()]
    assert {"label": "condition", "pattern": "pfps", "id": "pfps"} in patterns
    assert "pfps" not in synonyms and synonyms["runner's knee"] == "pfps"


def test_the_domain_has_a_slot_value_for_each_defined_condition_and_location(domain):
    slots = domain["slots"]
    assert slots["condition"]["values"] == list(conditions.definitions()["conditions"])
    # "unsure" is the triage's "I'm not sure where" button, not something the ruler tags.
    assert slots["pain_location"]["values"] == list(conditions.definitions()["pain_locations"]) + ["unsure"]


def test_a_booking_reason_names_the_condition_and_location_by_their_labels():
    tracker = make_tracker(slots={"condition": "itbs", "pain_location": "outside"})
    assert prefilled_reason(tracker) == "IT band pain; pain on the outside of the knee"
