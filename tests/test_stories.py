"""The test stories in tests/stories/, checked against the trained model in-process
(what `rasa test core --stories tests/stories --fail-on-prediction-errors` does, without
loading a second model): every action the dialogue policies predict must match the story."""

import json
from pathlib import Path

import pytest

from components.action_server_down import ActionServerDownPolicy

STORIES = sorted((Path(__file__).parent / "stories").glob("*.yml"))


@pytest.mark.parametrize("stories", STORIES, ids=[path.stem for path in STORIES])
def test_dialogue_follows_the_test_stories(stories, agent, event_loop_session, tmp_path, monkeypatch):
    from rasa.core.test import test as run_test_stories

    # Stories list actions, not the messages they send, so to ActionServerDownPolicy every
    # custom action in a story looks like one that failed. That runtime guard is tested in
    # the booking tests; here the dialogue is checked as if the action server answered.
    monkeypatch.setattr(ActionServerDownPolicy, "failed_custom_action", staticmethod(lambda tracker, domain: None))
    event_loop_session.run_until_complete(
        run_test_stories(str(stories), agent, out_directory=str(tmp_path), disable_plotting=True)
    )
    report = json.loads((tmp_path / "story_report.json").read_text())["conversation_accuracy"]
    failed = (tmp_path / "failed_test_stories.yml").read_text()
    assert report["correct"] == report["total"] > 0, f"failed stories:\n{failed}"
