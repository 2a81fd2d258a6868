"""LinearIntentClassifier: logistic regression on the sentence features, in seconds.

Rasa's own LogisticRegressionClassifier concatenates the raw sentence features: word and
character n-gram counts (a long message has hundreds) beside a unit-length 384-dimensional
sentence embedding, so the counts drown the embedding and the fit stops before it converges.
This one scales each featurizer's sentence features to unit length first, so words,
character n-grams and meaning weigh alike whatever the message's length, and fits to
convergence. Measured against DIET and Rasa's classifier in `config.yml`.

Only sentence-level features are used (the LexicalSyntacticFeaturizer's are per token).
The model is stored as plain arrays (no pickle) through Rasa's ModelStorage.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "weights.npz"
META_FILE = "meta.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(IntentClassifier, GraphComponent):
    """Multinomial logistic regression over every featurizer's sentence features."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Inverse regularisation strength, chosen by cross-validation (config.yml).
            "C": 30.0,
            "max_iter": 2000,
            # 0 = every intent in `intent_ranking`.
            "ranking_length": 0,
            "random_seed": 42,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        origins: Optional[List[Text]] = None,
        dims: Optional[List[int]] = None,
        classes: Optional[List[Text]] = None,
        coef: Optional[np.ndarray] = None,
        intercept: Optional[np.ndarray] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # The featurizers whose sentence features are used, in a fixed order, with their widths.
        self.origins = origins or []
        self.dims = dims or []
        self.classes = classes or []
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _sentence_features(message: Message) -> Dict[Text, Any]:
        return {
            f.origin if isinstance(f.origin, str) else "+".join(f.origin): f.features
            for f in message.features
            if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
        }

    def _matrix(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        """One row per message: each featurizer's sentence vector scaled to unit length."""
        rows = []
        for message in messages:
            found = self._sentence_features(message)
            blocks = []
            for origin, dim in zip(self.origins, self.dims):
                vector = found.get(origin)
                if vector is None:  # e.g. an empty text: that featurizer added nothing
                    blocks.append(scipy.sparse.csr_matrix((1, dim)))
                    continue
                vector = scipy.sparse.csr_matrix(vector, dtype=np.float64)
                norm = np.sqrt(vector.multiply(vector).sum())
                blocks.append(vector / norm if norm > 0 else vector)
            rows.append(scipy.sparse.hstack(blocks))
        return scipy.sparse.vstack(rows).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            logger.debug(f"No intent examples: {self.__class__.__name__} is not trained.")
            return self._resource
        widths: Dict[Text, int] = {}
        for example in examples:
            for origin, vector in self._sentence_features(example).items():
                widths[origin] = vector.shape[-1]
        self.origins = sorted(widths)
        self.dims = [widths[o] for o in self.origins]
        # Balanced class weights: intents with few examples are not swamped by big ones.
        model = LogisticRegression(
            C=self.config["C"],
            max_iter=self.config["max_iter"],
            class_weight="balanced",
            solver="lbfgs",
            random_state=self.config["random_seed"],
        )
        model.fit(self._matrix(examples), [e.get(INTENT) for e in examples])
        self.classes = [str(c) for c in model.classes_]
        self.coef, self.intercept = model.coef_, model.intercept_
        self.persist()
        return self._resource

    def predict_proba(self, messages: List[Message]) -> np.ndarray:
        """Softmax over the intents, as scikit-learn's multinomial predict_proba."""
        scores = np.asarray(self._matrix(messages) @ self.coef.T) + self.intercept
        if len(self.classes) == 2:  # scikit-learn keeps one row for two classes: sigmoid
            scores = np.hstack([np.zeros_like(scores), scores])
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.coef is None or not messages:
            return messages
        for message, probabilities in zip(messages, self.predict_proba(messages)):
            ranking = [
                {"name": self.classes[i], "confidence": float(probabilities[i])} for i in np.argsort(-probabilities)
            ]
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, coef=self.coef, intercept=self.intercept)
            (directory / META_FILE).write_text(
                json.dumps({"origins": self.origins, "dims": self.dims, "classes": self.classes})
            )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                meta = json.loads((directory / META_FILE).read_text())
                with np.load(directory / WEIGHTS_FILE) as weights:
                    coef, intercept = weights["coef"], weights["intercept"]
        except ValueError:  # nothing was persisted: trained without intent examples
            logger.debug(f"{cls.__name__}: no trained model in {resource.name}.")
            return cls.create(config, model_storage, resource, execution_context)
        return cls(config, model_storage, resource, meta["origins"], meta["dims"], meta["classes"], coef, intercept)
