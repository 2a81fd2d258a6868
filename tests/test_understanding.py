"""Runners' own words through the real trained model (issue #11): each everyday description
of one's own knee pain starts the triage questions, and a general request for help with a
knee gets an opener that asks what is going on. The messages are the ones that fell through
before; none of them is in the training data."""

import pytest

from tests.support.chat import button_payloads

TRIAGE_QUESTIONS = (
    "Where on the knee",
    "How long has it been hurting",
    "Has the knee swollen up",
    "lock (get stuck",
    "bother you outside running",
)
FALLBACK_REPLY = "put it another way"

OWN_PAIN = [
    "my knee has been sore after every run this month",
    "knees have been aching on my runs lately",
    "ive had a sore knee for about six weeks from running",
    "knee pain on runs since march",
    "my knee swells a bit after runs",
    "my knee is killing me after parkrun",
    "my knee doesnt swell or lock, it just aches when i run",
]


@pytest.mark.parametrize("message", OWN_PAIN)
def test_a_description_of_ones_own_knee_pain_starts_the_triage_questions(conversation, message):
    conversation.say("hi")
    reply = conversation.texts(message)
    assert conversation.latest_intent() == "describe_symptoms"
    assert conversation.tracker().active_loop_name == "triage_form"
    assert any(question in reply for question in TRIAGE_QUESTIONS), reply
    assert FALLBACK_REPLY not in reply


@pytest.mark.parametrize("message", ["i want some advice about my knee", "can you help with my knee"])
def test_a_general_request_about_a_knee_asks_what_is_going_on(conversation, message):
    conversation.say("hi")
    replies = conversation.say(message)
    reply = "\n".join(m.get("text") or "" for m in replies)
    assert "what's going on" in reply and "where it hurts" in reply
    assert "/describe_symptoms" in button_payloads(replies)
    assert conversation.tracker().active_loop_name is None  # no questions forced on them
    # Answering the opener with a description starts the triage.
    reply = conversation.texts("it aches on the outside after long runs")
    assert conversation.tracker().active_loop_name == "triage_form"
    assert "How long has it been hurting" in reply


def test_the_sentence_encoder_puts_a_runners_words_near_what_they_mean():
    """The encoder works without Rasa (the review app clusters messages with it)."""
    import numpy as np

    from clinic.sentence_encoder import DIMENSIONS, encode

    knackered, hurts, price = encode(
        ["my knee is knackered after parkrun", "my knee hurts after running", "how much is a session"]
    )
    assert knackered.shape == (DIMENSIONS,)
    assert np.isclose(np.linalg.norm(knackered), 1.0, atol=1e-4)
    assert knackered @ hurts > 0.5 > knackered @ price


def test_the_classifier_ranks_every_intent_and_the_fallback_catches_a_weak_guess(agent, event_loop_session):
    """The intent classifier of the trained model (components/linear_intent_classifier.py,
    stored in and loaded from the model file) ranks every intent with probabilities."""
    from tests.support.domain import merged

    parsed = event_loop_session.run_until_complete(agent.parse_message("my knee hurts after running"))
    ranking = [r for r in parsed["intent_ranking"] if r["name"] != "nlu_fallback"]
    assert {r["name"] for r in ranking} == set(merged()["intents"]) - {"nlu_fallback"}
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert parsed["intent"]["name"] == ranking[0]["name"] == "describe_symptoms"


def test_the_linear_classifier_persists_and_loads(tmp_path):
    """Trained, stored through Rasa's model storage and loaded again, it gives the same
    probabilities; a message lacking one featurizer's features still gets a ranking."""
    import numpy as np
    import scipy.sparse
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from components.linear_intent_classifier import LinearIntentClassifier

    def message(text, words, meaning, intent=None):
        m = Message(data={TEXT: text, **({"intent": intent} if intent else {})})
        if words is not None:
            m.add_features(Features(scipy.sparse.coo_matrix([words]), FEATURE_TYPE_SENTENCE, TEXT, "words"))
        m.add_features(Features(np.array([meaning], dtype=float), FEATURE_TYPE_SENTENCE, TEXT, "meaning"))
        return m

    examples = [
        message(f"{intent} {i}", words, meaning, intent)
        for intent, words, meaning in (
            ("greet", [3, 0, 0], [1, 0]),
            ("book", [0, 2, 1], [0, 1]),
            ("stop", [0, 0, 4], [0.7, 0.7]),
        )
        for i in range(3)
    ]
    storage, resource = LocalModelStorage(tmp_path), Resource("linear")
    context = ExecutionContext(GraphSchema({}), node_name="linear")
    trained = LinearIntentClassifier.create({}, storage, resource, context)
    trained.train(TrainingData(training_examples=examples))
    loaded = LinearIntentClassifier.load({}, storage, resource, context)

    probe = [message("hello", [2, 0, 0], [0.9, 0.1]), message("", None, [0.1, 0.9])]
    assert np.allclose(trained.predict_proba(probe), loaded.predict_proba(probe))
    loaded.process(probe)
    assert probe[0].get("intent")["name"] == "greet"
    assert probe[1].get("intent")["name"] == "book"
    assert [len(m.get("intent_ranking")) for m in probe] == [3, 3]
