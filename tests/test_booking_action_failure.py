"""ActionServerDownPolicy decides from the tracker alone: a custom action or form that
produced nothing failed, so the user gets `utter_request_failed`, then the bot listens.
(The real servers failing are in test_booking_conversation.py.)"""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.action_server_down import ActionServerDownPolicy

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [affirm]
slots:
  clinic_phone: {type: text, mappings: [{type: custom}]}
  booking_name: {type: text, mappings: [{type: custom}]}
forms:
  booking_form: {required_slots: [booking_name]}
responses:
  utter_request_failed: [{text: "Sorry, call {clinic_phone}."}]
  utter_greet: [{text: "Hi"}]
actions: [action_submit_booking]
""")


@pytest.fixture
def policy(tmp_path):
    return ActionServerDownPolicy.create(
        ActionServerDownPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("action_server_down"),
        ExecutionContext(graph_schema=None),
    )


def predicted(policy, *events):
    tracker = DialogueStateTracker.from_events(
        "someone", [ActionExecuted("action_listen"), UserUttered("yes", {"name": "affirm"}), *events]
    )
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    if max(prediction.probabilities) == 0:
        return None, prediction
    return DOMAIN.action_names_or_texts[prediction.max_confidence_index], prediction


@pytest.mark.parametrize("name", ["action_submit_booking", "booking_form"])
def test_a_custom_action_or_form_that_produced_nothing_gets_the_apology(policy, name):
    action, prediction = predicted(policy, ActionExecuted(name))
    assert action == "utter_request_failed"
    assert prediction.is_no_user_prediction  # it must win over the form's own rule
    assert prediction.policy_priority > 6  # and over RulePolicy
    # The clinic's phone comes along, in case the session start failed too.
    assert any(isinstance(event, SlotSet) and event.key == "clinic_phone" for event in prediction.optional_events)


def test_after_the_apology_the_bot_waits_for_the_user(policy):
    action, _ = predicted(
        policy,
        ActionExecuted("action_submit_booking"),
        ActionExecuted("utter_request_failed"),
        BotUttered("Sorry, call 555."),
    )
    assert action == "action_listen"  # not the form again, which would fail again


@pytest.mark.parametrize(
    "events",
    [
        [ActionExecuted("action_submit_booking"), BotUttered("Thanks!")],
        [ActionExecuted("action_submit_booking"), SlotSet("booking_name", "Sam")],
        [ActionExecuted("utter_greet")],  # a response, not a custom action
        [ActionExecutionRejected("booking_form")],  # a rejected form is no failure
        [],  # a user message
    ],
)
def test_actions_that_did_something_are_left_alone(policy, events):
    assert predicted(policy, *events)[0] is None
