"""When the action server (or a custom action) fails, say so instead of going silent.

Rasa logs a custom action that raised, or that it could not reach, as executed with no
events ("Bot will continue, but the actions events are lost") and carries on, so the
user would get no answer at all: no booking confirmation, no re-ask. This policy runs in
the Rasa server, which is still up. It notices a custom action or form that produced
nothing, predicts `utter_request_failed` (a domain response: it needs no action server),
and then waits for the user.

This relies on a house rule for custom actions: every run sends a message or returns an
event. All of the project's actions do."""

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.settings import clinic_slots

FAILURE_RESPONSE = "utter_request_failed"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class ActionServerDownPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above RulePolicy (6): a rule would otherwise just wait for the next message.
        return {"priority": 7}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "ActionServerDownPolicy":
        return cls(config, model_storage, resource, execution_context)

    @staticmethod
    def failed_custom_action(tracker: DialogueStateTracker, domain: Domain) -> Optional[Text]:
        """The custom action or form that just ran without producing anything."""
        if not tracker.events:
            return None
        last = tracker.events[-1]
        if not isinstance(last, ActionExecuted) or not last.action_name:
            return None
        name = last.action_name
        # user_actions also lists the responses (utter_*): those never call the action server.
        if name in domain.user_actions_and_forms and not name.startswith(("utter_", "validate_")):
            return name
        return None

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        latest = tracker.latest_action_name
        if latest == FAILURE_RESPONSE and FAILURE_RESPONSE in domain.action_names_or_texts:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities, is_no_user_prediction=True)
        if self.failed_custom_action(tracker, domain) and FAILURE_RESPONSE in domain.action_names_or_texts:
            probabilities[domain.index_for_action(FAILURE_RESPONSE)] = 1.0
            # The clinic's phone and email, in case the session start failed as well.
            try:
                slots = [
                    SlotSet(name, value)
                    for name, value in clinic_slots().items()
                    if name in ("clinic_phone", "clinic_email", "clinic_name")
                ]
            except Exception:  # a broken clinic file must not hide the apology
                slots = []
            return self._prediction(probabilities, optional_events=slots, is_no_user_prediction=True)
        return self._prediction(probabilities)
