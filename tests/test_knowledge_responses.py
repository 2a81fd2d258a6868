"""The curated answers in domain/, checked as data (no model needed): every knowledge
intent has an answer, every condition its variations, each answer its follow-up buttons, and
no answer ever gives a medicine dose or claims a diagnosis."""

import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from clinic import conditions, intent_groups
from tests.support.domain import merged as merged_domain

ROOT = Path(__file__).parents[1]
KNOWLEDGE_INTENTS = intent_groups.groups()["knowledge_questions"]
# Answers where the named condition changes the advice: one variation per condition.
CONDITION_AWARE = [
    "utter_ask_condition",
    "utter_ask_exercises",
    "utter_ask_rest",
    "utter_ask_return_to_running",
    "utter_ask_supports",
    "utter_ask_physio_treatment",
]
ANSWERS = [f"utter_{intent}" for intent in KNOWLEDGE_INTENTS] + ["utter_out_of_scope", "utter_chitchat"]
DOSE = re.compile(
    r"\b\d+\s*(mg|milligrams?|ml|g|grams?|tablets?|pills?|capsules?)\b|"
    r"\b(once|twice|three times) (a|per) day\b|\bevery \d+ hours\b",
    re.I,
)
# Any name patients use for a condition (knowledge/conditions.yml), and the words of a claim.
CONDITION_WORDS = (
    "("
    + "|".join(
        [re.escape(phrase) for item in conditions.definitions()["conditions"].values() for phrase in item["phrases"]]
        + [
            r"runner's",
            r"jumper's",
            r"patellar",
            r"a meniscus",
            r"a torn",
            r"osteo",
            r"a ligament",
            r"a sprain",
            r"tendin",
            r"a tear",
        ]
    )
    + ")"
)
DIAGNOSIS = re.compile(
    r"\byou (have|'ve got|have got|are suffering from) "
    + CONDITION_WORDS
    + r"|\b(it|this) (is|sounds like) (definitely |certainly )?"
    + CONDITION_WORDS,
    re.I,
)


@lru_cache()
def domain() -> dict:
    return merged_domain()


def variations(name):
    return domain()["responses"][name]


def condition_of(variation, slot="condition"):
    for constraint in variation.get("condition") or []:
        if constraint["name"] == slot:
            return constraint["value"]
    return None


def all_texts():
    for name, responses in domain()["responses"].items():
        for variation in responses:
            yield name, variation.get("text", "")


@pytest.mark.parametrize("name", ANSWERS)
def test_every_knowledge_intent_has_an_answer_used_by_a_rule(name):
    assert variations(name)
    rules = yaml.safe_load((ROOT / "data/rules/knowledge.yml").read_text())["rules"]
    assert any({"action": name} in rule["steps"] for rule in rules)


@pytest.mark.parametrize("name", ANSWERS)
def test_answers_without_a_condition_come_in_two_wordings(name):
    plain = [v for v in variations(name) if not v.get("condition")]
    assert len(plain) >= 2, "a runner asking twice should not get the same text"
    assert len({v["text"] for v in plain}) == len(plain)


@pytest.mark.parametrize("name", CONDITION_AWARE)
def test_condition_aware_answers_have_one_variation_per_condition(name):
    conditions = domain()["slots"]["condition"]["values"]
    covered = [condition_of(v) for v in variations(name) if condition_of(v)]
    assert sorted(covered) == sorted(conditions)


@pytest.mark.parametrize("name", ANSWERS)
def test_each_answer_ends_with_two_or_three_follow_up_buttons(name):
    intents = set(domain()["intents"])
    for variation in variations(name):
        buttons = variation.get("buttons") or []
        assert 2 <= len(buttons) <= 3, variation["text"][:60]
        for button in buttons:
            # "/intent" or '/intent{{"entity": "value"}}' (double braces survive templating)
            match = re.fullmatch(r"/(\w+)(\{\{.*\}\})?", button["payload"])
            assert match and match.group(1) in intents, button["payload"]
            assert len(button["payload"]) <= 64  # Telegram's limit for button data


def test_answers_are_chat_sized():
    for name in ANSWERS:
        for variation in variations(name):
            assert len(variation["text"]) <= 900, (name, variation["text"][:60])


def test_no_response_gives_a_medicine_dose():
    for name, text in all_texts():
        assert not DOSE.search(text), (name, DOSE.search(text).group(0))


def test_painkiller_answers_send_people_to_a_pharmacist_or_gp():
    for variation in variations("utter_ask_painkillers"):
        assert "pharmacist" in variation["text"] and "GP" in variation["text"]


def test_no_response_claims_a_diagnosis():
    for name, text in all_texts():
        assert not DIAGNOSIS.search(text), (name, DIAGNOSIS.search(text).group(0))


def test_named_conditions_are_explained_as_information_not_a_diagnosis():
    for variation in variations("utter_ask_condition"):
        if condition_of(variation):
            assert "I can't tell whether this is what you have" in variation["text"]


def test_location_variations_of_the_exercises_apply_only_without_a_named_condition():
    locations = domain()["slots"]["pain_location"]["values"]
    by_location = [v for v in variations("utter_ask_exercises") if condition_of(v, "pain_location")]
    assert sorted(condition_of(v, "pain_location") for v in by_location) == sorted(set(locations) - {"unsure"})
    assert all(any(c["name"] == "condition" and c["value"] is None for c in v["condition"]) for v in by_location)


def test_the_triage_explains_every_location_and_has_a_generic_explanation():
    explained = [condition_of(v, "pain_location") for v in variations("utter_triage_explanation")]
    assert sorted(filter(None, explained)) == sorted(set(domain()["slots"]["pain_location"]["values"]) - {"unsure"})
    assert None in explained
    for variation in variations("utter_triage_explanation"):
        assert re.search(r"\b(most commonly|often|can come from|usually)\b", variation["text"])
