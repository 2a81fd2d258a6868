"""RedFlagDetector: the deterministic red-flag check (clinic.safety) on every message.

It runs after the classifiers and the FallbackClassifier. It may add urgency, never
remove it:
- a red flag found: the intent becomes `report_red_flag` with confidence 1.0 and each
  flag is added as a `red_flag` entity, whatever the classifier said ("i want to book,
  my knee keeps giving way" was `book_appointment`);
- a red flag only asked about ("what does locking mean?"): a `symptom_question` entity
  names it, so the answer can explain it (action_explain_symptom), intent unchanged (only
  with the intents whose rules explain it: `question_intents`);
- a description of the user's own knee pain (clinic.safety.describes_own_pain) gets an
  `own_pain` entity, so whatever question it also asks is answered and the triage follows
  (data/rules/triage.yml); the intent is unchanged, except that out of scope, the fallback
  and a few with no triage rule become `describe_symptoms` (`own_pain_replaces`). So does
  a message about "my knee" that
  the classifier reads as a question but also, at 0.3 or more, as a description
  (`own_pain_runner_up`): the question is answered, then the triage asks; and so does
  asking whether one's own knee needs a physio ("do I need to get my knee looked at?", or
  "should I get it checked, it's a mild ache since Monday" naming no body part:
  `own_knee_questions`), since the triage's questions are what answer it;
- otherwise the prediction is left alone. In particular a classifier's `report_red_flag`
  stands even when the check finds only denied mentions ("no swelling... it locks" may say
  more than the patterns see), and the detector never turns anything into `deny`.

The classifier's own prediction stays in `intent_ranking`, and what the detector did is
kept under `red_flag_detector` in the parse data, so staff can see both.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from clinic.safety import I_OR_MY, KNEE_WORD, Assessment, assess, describes_own_pain, is_hypothetical
from clinic.text.stopping import asks_to_stop

PARSE_DATA_KEY = "red_flag_detector"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagDetector(GraphComponent, IntentClassifier):
    """Forces the red-flag intent when the deterministic check finds an urgent symptom;
    never lowers the urgency of what the classifier predicted."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent": "report_red_flag",
            "entity": "red_flag",
            "question_entity": "symptom_question",
            "own_pain_entity": "own_pain",
            # The intents whose rules explain a symptom asked about (data/rules/safety.yml,
            # triage.yml). With another intent the entity would only keep the own-pain rules
            # ("...is it ok to keep running, what if it gives way?" -> ask_rest) from matching.
            "question_intents": ["ask_condition", "ask_when_see_physio"],
            # An own-pain story read as one of these intents is a description (the
            # classifier's reading stays first in intent_ranking): the first three have no rule
            # that starts the triage ("had to stop my run because of my knee" as `stop`); out of
            # scope and the fallback would say "I can't help with that" to a knee that hurts.
            # (`inform` stays: "just below the kneecap" answers the assistant's question.)
            "own_pain_intent": "describe_symptoms",
            "own_pain_replaces": ["stop", "goodbye", "bot_challenge", "out_of_scope", "nlu_fallback"],
            # A message about "my knee" that the classifier reads as a question but also, at
            # least this sure, as a description of the user's own knee: treated as both (the
            # answer, then the triage), since asking about a knee that is fine costs less than
            # missing one that is not. No message of the development sets (about 1,000) is
            # tagged by this alone at 0.25 or above.
            "own_pain_runner_up": 0.3,
            # "should I get my knee checked?": asking whether one's own knee needs care is
            # answered, then the triage asks what decides it (not for "what if my knee locks?").
            "own_knee_questions": ["ask_when_see_physio"],
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagDetector:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._process(message, assess(text))
        return messages

    def _process(self, message: Message, assessment: Assessment) -> None:
        red_flag_intent = self.component_config["intent"]
        predicted = copy.deepcopy(message.get(INTENT) or {})
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        action = None
        if assessment.flags:
            forced = {INTENT_NAME_KEY: red_flag_intent, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, forced, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [forced] + [r for r in ranking if r.get(INTENT_NAME_KEY) != red_flag_intent],
                add_to_output=True,
            )
            message.set(ENTITIES, (message.get(ENTITIES) or []) + self._entities(assessment), add_to_output=True)
            action = "forced"
        elif assessment.asked_about and predicted.get(INTENT_NAME_KEY) in self.component_config["question_intents"]:
            message.set(
                ENTITIES,
                (message.get(ENTITIES) or [])
                + [
                    {
                        ENTITY_ATTRIBUTE_TYPE: self.component_config["question_entity"],
                        ENTITY_ATTRIBUTE_VALUE: mention.name,
                        ENTITY_ATTRIBUTE_START: mention.start,
                        ENTITY_ATTRIBUTE_END: mention.end,
                        "confidence_entity": 1.0,
                        EXTRACTOR: self.__class__.__name__,
                    }
                    for mention in assessment.negated
                    if mention.asked and mention.name == assessment.asked_about[0]
                ][:1],
                add_to_output=True,
            )

        if not assessment.flags and (
            describes_own_pain(message.get(TEXT))
            or self._torn_towards_own_pain(message)
            or self._asks_about_own_knee(message, predicted)
        ):
            if predicted.get(INTENT_NAME_KEY) in self.component_config["own_pain_replaces"] and not asks_to_stop(
                message.get(TEXT)
            ):
                described = {
                    INTENT_NAME_KEY: self.component_config["own_pain_intent"],
                    PREDICTED_CONFIDENCE_KEY: predicted.get(PREDICTED_CONFIDENCE_KEY),
                }
                message.set(INTENT, described, add_to_output=True)
            message.set(
                ENTITIES,
                (message.get(ENTITIES) or [])
                + [
                    {
                        ENTITY_ATTRIBUTE_TYPE: self.component_config["own_pain_entity"],
                        ENTITY_ATTRIBUTE_VALUE: "yes",
                        ENTITY_ATTRIBUTE_START: 0,
                        ENTITY_ATTRIBUTE_END: len(message.get(TEXT)),
                        "confidence_entity": 1.0,
                        EXTRACTOR: self.__class__.__name__,
                    }
                ],
                add_to_output=True,
            )

        if assessment.flags or assessment.negated:
            message.set(
                PARSE_DATA_KEY,
                {
                    "action": action,  # "forced", or None (left alone)
                    "classifier_intent": predicted,
                    "red_flags": [
                        {"name": f.name, "sign": f.sign, "phrase": f.phrase, "emergency": f.emergency}
                        for f in assessment.flags
                    ],
                    "emergency": assessment.emergency,
                    "negated": sorted({m.name for m in assessment.negated}),
                    "asked_about": assessment.asked_about,
                },
                add_to_output=True,
            )

    def _torn_towards_own_pain(self, message: Message) -> bool:
        text = message.get(TEXT).lower()
        described = next(
            (
                r.get(PREDICTED_CONFIDENCE_KEY) or 0.0
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get(INTENT_NAME_KEY) == self.component_config["own_pain_intent"]
            ),
            0.0,
        )
        return described >= self.component_config["own_pain_runner_up"] and bool(
            KNEE_WORD.search(text) and I_OR_MY.search(text)
        )

    def _asks_about_own_knee(self, message: Message, predicted: Dict[Text, Any]) -> bool:
        if predicted.get(INTENT_NAME_KEY) not in self.component_config["own_knee_questions"]:
            return False
        text = message.get(TEXT).lower()
        knee = KNEE_WORD.search(text)
        if knee:
            return bool(I_OR_MY.search(text)) and not is_hypothetical(text, knee.start(), knee.end())
        # "...should I get it checked? It's just a mild ache since Monday's intervals": in a
        # knee assistant, pain told without naming a body part is the knee's.
        return describes_own_pain(message.get(TEXT), knee_implied=True)

    def _entities(self, assessment: Assessment) -> List[Dict[Text, Any]]:
        return [
            {
                ENTITY_ATTRIBUTE_TYPE: self.component_config["entity"],
                ENTITY_ATTRIBUTE_VALUE: flag.name,
                ENTITY_ATTRIBUTE_START: flag.start,
                ENTITY_ATTRIBUTE_END: flag.end,
                "confidence_entity": 1.0,
                EXTRACTOR: self.__class__.__name__,
            }
            for flag in assessment.flags
        ]
