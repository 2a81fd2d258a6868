"""The project's own spaCy pipeline: built from the checked-in config, it tags knee
conditions and pain locations, and every pattern normalises through a synonym."""

import json
from pathlib import Path

import pytest
import spacy
from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = [
    json.loads(line) for line in (ROOT / "spacy_pipeline/patterns.jsonl").read_text().splitlines() if line.strip()
]


@pytest.fixture(scope="module")
def nlp():
    return spacy.load(ROOT / "build/spacy_pipeline")


def test_pipeline_is_blank_english_with_lemmatizer_and_ruler(nlp):
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["lemmatizer", "entity_ruler"]
    assert [t.lemma_ for t in nlp("running ran knees")] == ["run", "run", "knee"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("what is runners knee", [("runners knee", "condition", "pfps")]),
        ("sharp pain on the outside of my knee at 5k", [("outside of my knee", "pain_location", "outside")]),
        ("is my ITB to blame", [("ITB", "condition", "itbs")]),
        ("ache below the kneecap after hills", [("below the kneecap", "pain_location", "below_kneecap")]),
        ("I went back outside for a run", []),  # plain words are not locations
    ],
)
def test_entity_ruler_tags_conditions_and_locations(nlp, text, expected):
    assert [(e.text, e.label_, e.ent_id_) for e in nlp(text).ents] == expected


def test_every_pattern_normalises_to_its_id_through_the_synonyms():
    synonyms = load_data(str(ROOT / "data/nlu/synonyms.yml")).entity_synonyms
    for pattern in PATTERNS:
        text, value = pattern["pattern"].lower(), pattern["id"]
        assert text == value or synonyms.get(text) == value, pattern
