"""The parts of the assistant that are written in different files agree (no model needed):
every intent has a way to be answered, every clinic detail a response shows is filled when a
session starts, and every knee condition and pain location of knowledge/conditions.yml has
its answers, its label and its patterns."""

import re

import pytest
import spacy
from rasa.shared.core.events import UserUttered
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.loading import load_data

from actions.booking import prefilled_reason
from actions.session import ActionSessionStart
from clinic import conditions
from clinic.settings import PROJECT_ROOT
from tests.support.domain import DOMAIN_DIR, contract_intents
from tests.support.sdk import make_tracker, run_action

SECTIONS = list(conditions.ENTITIES.items())  # ("conditions", "condition"), ("pain_locations", ...)


@pytest.fixture(scope="module")
def rule_intents() -> set:
    """The intents that start or continue a rule, as Rasa reads data/rules."""
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(DOMAIN_DIR), training_data_paths=[str(PROJECT_ROOT / "data" / "rules")]
    )
    return {
        event.intent_name
        for step in importer.get_stories().story_steps
        for event in step.events
        if isinstance(event, UserUttered) and event.intent_name
    }


def form_intents(domain: dict) -> set:
    """The intents a form's slot mapping turns into a value (affirm/deny at the summary)."""
    return {
        mapping["intent"]
        for slot in domain["slots"].values()
        for mapping in slot["mappings"]
        if mapping.get("type") == "from_intent"
    }


def test_every_intent_is_handled_by_a_rule_or_a_form(domain, rule_intents):
    handled = rule_intents | form_intents(domain)
    assert set(domain["intents"]) - handled == set(), "add a rule in data/rules (or a form's mapping)"


def test_every_intent_of_the_contract_is_in_the_domain(domain):
    # Skipped in a clone without the contract beside it (../shared/intents.md).
    assert set(contract_intents()) - set(domain["intents"]) == set()


def test_every_clinic_slot_is_filled_when_a_session_starts(domain):
    messages, events = run_action(ActionSessionStart(), make_tracker())
    filled = {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
    clinic_slots = {name for name in domain["slots"] if name.startswith("clinic_")}
    assert clinic_slots and clinic_slots - set(filled) == set()
    for name in clinic_slots:
        assert isinstance(filled[name], str), name
    assert filled["clinic_name"] and filled["clinic_phone"] and filled["clinic_email"]
    assert messages[0]["response"] == "utter_disclaimer"  # shown first, with the clinic's name


def test_every_clinic_detail_a_response_shows_is_a_slot_filled_at_session_start(domain):
    filled = {
        event["name"] for event in run_action(ActionSessionStart(), make_tracker())[1] if event.get("event") == "slot"
    }
    for name, variations in domain["responses"].items():
        for variation in variations:
            for placeholder in re.findall(r"(?<!\{)\{(clinic_\w+)\}", variation.get("text") or ""):
                assert placeholder in domain["slots"] and placeholder in filled, (name, placeholder)


def keyed_responses(domain: dict, slot: str) -> dict:
    """response name -> the values of `slot` it has a conditional variation for."""
    keyed: dict = {}
    for name, variations in domain["responses"].items():
        for variation in variations:
            for condition in variation.get("condition") or []:
                if condition["name"] == slot and condition["value"] is not None:
                    keyed.setdefault(name, set()).add(condition["value"])
    return keyed


@pytest.mark.parametrize("section, slot", SECTIONS)
def test_every_defined_name_has_its_answers(domain, section, slot):
    """A response that varies by condition (or location) has a variation for each defined one."""
    names = set(conditions.definitions()[section])
    keyed = keyed_responses(domain, slot)
    assert keyed, f"no response varies by {slot}"
    for response, values in keyed.items():
        assert values == names, (response, "missing:", names - values, "unknown:", values - names)
    assert set(domain["slots"][slot]["values"]) - set(conditions.EXTRA_VALUES.get(slot, [])) == names


def test_the_six_condition_aware_answers_are_the_ones_the_docs_list(domain):
    assert sorted(keyed_responses(domain, "condition")) == sorted(
        [
            "utter_ask_condition",
            "utter_ask_exercises",
            "utter_ask_rest",
            "utter_ask_return_to_running",
            "utter_ask_supports",
            "utter_ask_physio_treatment",
        ]
    )


@pytest.mark.parametrize("section, slot", SECTIONS)
def test_every_defined_name_has_a_label_a_booking_shows(section, slot):
    for name, label in conditions.labels(section).items():
        assert label and label != name, name
        reason = prefilled_reason(make_tracker(slots={slot: name}))
        assert reason == label, name


@pytest.mark.parametrize("section, entity", SECTIONS)
def test_every_phrase_is_tagged_and_normalised_to_its_name(section, entity):
    """The assembled spaCy pipeline (make setup builds it from spacy_pipeline/) tags each
    phrase, and Rasa's synonyms turn it into the name the slot and the answers use."""
    nlp = spacy.load(PROJECT_ROOT / "build" / "spacy_pipeline")
    synonyms = load_data(str(conditions.SYNONYMS)).entity_synonyms
    for name, item in conditions.definitions()[section].items():
        assert item["phrases"], name
        for phrase in item["phrases"]:
            tagged = [(e.label_, e.ent_id_) for e in nlp(f"tell me about {phrase} please").ents]
            assert tagged == [(entity, name)], (phrase, tagged)
            assert phrase.lower() == name or synonyms.get(phrase.lower()) == name, phrase
