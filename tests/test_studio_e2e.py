"""The studio end to end on the real parts: `helpline studio init`, a publish that trains a new
model and rolls it out to a running Rasa, the action server following the link, and a restore
(bot/studio/cli.py, publish.py, rollout.py; actions/live_content.py)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.processes import running_stack
from bot.settings import Settings
from bot.studio import cli as studio
from bot.studio import live, publish, versions
from bot.studio.versions import Author
from tests.conftest import make_settings
from tests.studio_content import first_answer_line

pytestmark = pytest.mark.rasa

ORGANISER = Author("Organiser", "organiser@union.example")
TOPIC = "topics/wages_unpaid.yml"
NEW_ANSWER = "Новый ответ от организаторов: зарплату обязаны выплатить полностью."


def turn(settings: Settings, sender: str, message: str) -> list[dict[str, Any]]:
    reply = httpx.post(f"{settings.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                       timeout=120)
    reply.raise_for_status()
    answer: list[dict[str, Any]] = reply.json()
    return answer


def wages_answer(settings: Settings, sender: str) -> str:
    """What a new conversation in Russian is told about unpaid wages (the country said if asked)."""
    turn(settings, sender, '/choose_language{"language":"ru"}')
    said = turn(settings, sender, "/wages_unpaid")
    buttons = [b for m in said for b in m.get("buttons") or [] if '"RU"' in str(b.get("payload"))]
    if buttons:
        said += turn(settings, sender, str(buttons[0]["payload"]))
    return "\n".join(str(m.get("text") or "") for m in said)


def answered_within(settings: Settings, sender: str, wanted: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        text = wages_answer(settings, f"{sender}-{time.monotonic_ns()}")
        if wanted in text or time.monotonic() > deadline:
            return text
        time.sleep(0.5)


def test_publish_and_restore_on_a_running_helpline(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(Settings().content_dir, content)
    settings = make_settings(tmp_path / "var", content_dir=content)
    first = studio.init(settings, ORGANISER, say=lambda line: None)
    root, repository = settings.studio_dir, studio.repository_of(settings)
    assert live.served(root) == first.id and publish.model_of(root, first.id).exists()
    serving = settings.model_copy(update={"content_dir": live.live_path(root), "content_watch_seconds": 0.2})
    text = versions.read(repository, first.id, TOPIC).decode()
    old = first_answer_line(text)
    changed = {TOPIC: text.replace(old, NEW_ANSWER, 1).encode()}
    with running_stack(serving, publish.model_of(root, first.id)):
        assert NEW_ANSWER not in wages_answer(serving, "before")
        running = "running-conversation"
        turn(serving, running, '/choose_language{"language":"ru"}')
        with httpx.Client() as client:
            published = publish.publish(repository, root, first.id, changed, author=ORGANISER,
                                        message="wages_unpaid: a new Russian answer",
                                        steps=studio.steps(serving, client))
        assert live.served(root) == published.id
        status = httpx.get(f"{serving.rasa_url}/status", params={"token": serving.rasa_token.get_secret_value()},
                           timeout=30).json()
        assert status["model_file"] == f"{published.id}.tar.gz"        # the replica has the new model
        assert NEW_ANSWER in answered_within(serving, "after", NEW_ANSWER)
        assert turn(serving, running, "/menu"), "the conversation that was running goes on"
        assert studio.listed(serving)[0].startswith(f"* {published.short}")
        back = studio.restore(serving, first.id, ORGANISER, say=lambda line: None)
        assert live.served(root) == back.id
        restored = answered_within(serving, "restored", old)
        assert old in restored and NEW_ANSWER not in restored
