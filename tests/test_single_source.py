"""Facts defined once in knowledge/ and generated or read everywhere else (`make knowledge`):
each knee condition and pain location (knowledge/conditions.yml: the synonyms Rasa reads, the
patterns spaCy's entity ruler matches, the slots' values and the booking's labels), and the
intent groups behind the forms' `not_intent` lists (knowledge/intent_groups.yml)."""

import json

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.loading import load_data

from actions.booking import NEVER_AN_ANSWER, prefilled_reason, unclaimed_answer
from clinic import conditions, intent_groups, knowledge_files
from tests.support.domain import DOMAIN_DIR, contract_intents
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


def test_the_generated_files_are_in_step_with_the_definitions():
    assert knowledge_files.out_of_step() == [], (
        "edit knowledge/, then run `make knowledge` (python -m clinic.knowledge_files)"
    )


def test_a_new_condition_reaches_the_synonyms_the_patterns_and_the_booking_labels(source, tmp_path):
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("\npain_locations:", NEW_CONDITION + "\npain_locations:"), encoding="utf-8")

    synonyms = tmp_path / "synonyms.yml"
    synonyms.write_text(conditions.synonyms_yaml(), encoding="utf-8")
    assert load_data(str(synonyms)).entity_synonyms["hamstring tendon pain"] == "hamstring_tendinopathy"
    patterns = [json.loads(line) for line in conditions.patterns_jsonl().splitlines()]
    assert {"label": "condition", "pattern": "hamstring tendinopathy", "id": "hamstring_tendinopathy"} in patterns
    assert conditions.labels("conditions")["hamstring_tendinopathy"] == "hamstring tendon pain"
    domain_file = DOMAIN_DIR / "conditions.yml"
    slots = yaml.safe_load(conditions.fill_slot_values(domain_file.read_text(encoding="utf-8")))["slots"]
    assert "hamstring_tendinopathy" in slots["condition"]["values"]


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


# --- intent groups ------------------------------------------------------------------------


def test_every_intent_of_the_domain_is_in_exactly_one_group(domain):
    grouped = [intent for members in intent_groups.groups().values() for intent in members]
    assert sorted(grouped) == sorted(set(grouped)), "an intent is in two groups"
    assert sorted(grouped) == sorted(domain["intents"]), (
        "a new intent goes into one group of knowledge/intent_groups.yml: may a form take it as an answer?"
    )


def test_every_contract_intent_is_in_the_domain_and_the_groups():
    grouped = {intent for members in intent_groups.groups().values() for intent in members}
    assert set(contract_intents()) <= grouped


def test_a_red_flag_stop_or_a_question_is_never_an_answer_to_a_form():
    questions = (
        intent_groups.groups()["knowledge_questions"]
        + intent_groups.groups()["clinic_questions"]
        + intent_groups.groups()["staff_requests"]
        + ["book_appointment", "bot_challenge"]
    )
    for name, intents in intent_groups.lists().items():
        assert {"report_red_flag", "stop"} <= set(intents), name
    for name in ("not_a_triage_answer", "not_a_booking_answer"):
        assert set(questions) <= set(intent_groups.intent_list(name)), name
    # The reason for a booking may name a condition or describe the pain.
    assert not {"ask_condition", "describe_symptoms"} & set(intent_groups.intent_list("not_a_booking_reason"))


def test_every_not_intent_of_the_domain_is_a_defined_list(domain):
    defined = [sorted(intents) for intents in intent_groups.lists().values()]
    found = [
        mapping["not_intent"]
        for slot in domain["slots"].values()
        for mapping in slot["mappings"]
        if "not_intent" in mapping
    ]
    assert len(found) == 15  # pain_location, 9 triage answers, the red-flag check, booking name, contact, time, reason
    for intents in found:
        assert sorted(intents) in defined, "a hand-written not_intent list: define it in knowledge/intent_groups.yml"


def test_an_intent_added_to_a_group_reaches_the_forms_and_the_booking(monkeypatch, tmp_path):
    definitions = yaml.safe_load(intent_groups.SOURCE.read_text(encoding="utf-8"))
    definitions["groups"]["clinic_questions"].append("ask_parking")
    copy = tmp_path / "intent_groups.yml"
    copy.write_text(yaml.safe_dump(definitions), encoding="utf-8")
    monkeypatch.setattr(intent_groups, "SOURCE", copy)
    intent_groups.definitions.cache_clear()
    try:
        generated = knowledge_files.generated()
        domain_dir = tmp_path / "domain"
        domain_dir.mkdir()
        for path, text in generated.items():
            if path.parent == DOMAIN_DIR:
                (domain_dir / path.name).write_text(text, encoding="utf-8")
        (domain_dir / "extra.yml").write_text('version: "3.1"\nintents: [ask_parking]\n', encoding="utf-8")
        slots = Domain.load(str(domain_dir)).as_dict()["slots"]
        for slot in ("pain_location", "triage_age", "booking_name", "booking_reason"):
            assert "ask_parking" in slots[slot]["mappings"][-1]["not_intent"], slot
    finally:
        intent_groups.definitions.cache_clear()


def test_a_red_flag_typed_when_the_booking_asks_for_a_contact_is_not_taken_as_one():
    assert NEVER_AN_ANSWER == set(intent_groups.intent_list("never_an_answer"))
    tracker = make_tracker(
        slots={"requested_slot": "booking_contact"}, text="my knee locked 07911 123456", intent="report_red_flag"
    )
    assert unclaimed_answer("booking_contact", tracker) is None
    tracker = make_tracker(slots={"requested_slot": "booking_contact"}, text="07911 123456", intent="ask_contact")
    assert unclaimed_answer("booking_contact", tracker) == "07911 123456"
