"""`rasa test` story tests: every topic in every language, plus the hand-written flows."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from bot.rasa_env import ensure_env, rasa_env
from bot.replies import Responder
from bot.training.compile import HANDWRITTEN_META, action_for
from tests.conftest import ROOT

pytestmark = pytest.mark.rasa
META_ACTIONS = {"greet": "action_greet", "menu": "action_show_menu",
                "change_language": "action_choose_language"}


def topic_stories(responder: Responder) -> dict[str, object]:
    stories = []
    for topic in responder.library.topics.values():
        action = META_ACTIONS[topic.id] if topic.id in HANDWRITTEN_META else action_for(topic)
        for code, answer in topic.answers.items():
            stories.append({"story": f"{topic.id} in {code}", "steps": [
                {"user": answer.examples[0], "intent": topic.id}, {"action": action}]})
    return {"version": "3.1", "stories": stories}


def test_story_tests_pass(model: Path, responder: Responder, tmp_path: Path) -> None:
    stories = tmp_path / "stories"
    stories.mkdir()
    generated = topic_stories(responder)
    (stories / "test_topics.yml").write_text(yaml.safe_dump(generated, allow_unicode=True))
    (stories / "test_flows.yml").write_text((ROOT / "tests/stories/test_flows.yml").read_text())
    rasa = ensure_env(ROOT / "nlu")
    result = subprocess.run(
        [str(rasa), "test", "core", "--model", str(model), "--stories", str(stories),
         "--out", str(tmp_path / "results"), "--fail-on-prediction-errors", "--no-plot"],
        cwd=tmp_path, env=rasa_env(), capture_output=True, text=True)
    failed = tmp_path / "results" / "failed_test_stories.yml"
    details = failed.read_text()[:3000] if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details
    assert len(generated["stories"]) >= 37 * 6  # type: ignore[arg-type]
