"""The action server and the gateway follow the published content version
(actions/live_content.py, bot/gateway/live_replies.py)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions import live_content
from actions.context import ActionContext
from bot.devtools.ports import free_port
from bot.gateway import live_replies
from bot.gateway.app import create_app
from bot.processes import Stack, start_actions
from bot.settings import Settings
from bot.studio import live, versions
from bot.studio.versions import Author
from tests.conftest import make_settings
from tests.console_client import serving
from tests.stub_rasa import stub_rasa
from tests.studio_content import first_answer_line

ORGANISER = Author("Organiser", "organiser@union.example")
TOPIC = "topics/wages_unpaid.yml"
NEW_ANSWER = "Новый ответ от организаторов: зарплату обязаны выплатить полностью."


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path, str]:
    """A content repository with the shipped content live, and a second version whose Russian
    answer to wages_unpaid is new (not live yet)."""
    seed = tmp_path / "seed"
    shutil.copytree(Settings().content_dir, seed)
    repository, root = tmp_path / "content.git", tmp_path / "served"
    first = versions.create(repository, seed, author=ORGANISER, message="shipped")
    live.put_live(repository, first.id, root)
    text = versions.read(repository, first.id, TOPIC).decode()
    old = first_answer_line(text)
    second = versions.change(repository, first.id, {TOPIC: text.replace(old, NEW_ANSWER, 1).encode()},
                             author=ORGANISER, message="new answer")
    return repository, root, second.id


def ru_answer(context: ActionContext) -> str:
    return context.served.content.library.topics["wages_unpaid"].answers["ru"].text or ""


def test_only_a_published_link_is_watched(published: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, root, _ = published
    linked = ActionContext.build(make_settings(tmp_path, content_dir=live.live_path(root)))
    watch = live_content.watch_for(linked)
    assert watch is not None and watch.seen == live.served(root) == linked.served.folder.name
    plain = ActionContext.build(make_settings(tmp_path))
    assert live_content.watch_for(plain) is None


async def test_the_next_turn_reads_the_version_put_live(published: tuple[Path, Path, str], tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    repository, root, second = published
    context = ActionContext.build(make_settings(tmp_path, content_dir=live.live_path(root)))
    watch = live_content.watch_for(context)
    assert watch is not None and NEW_ANSWER not in ru_answer(context)
    following = asyncio.create_task(live_content.follow(context, watch, 0.02))
    try:
        live.put_live(repository, second, root)
        for _ in range(500):
            if NEW_ANSWER in ru_answer(context):
                break
            await asyncio.sleep(0.02)
        assert NEW_ANSWER in ru_answer(context)
        assert context.served.folder == live.folder(root, second)
        broken = versions.change(repository, second, {TOPIC: b"id: wages_unpaid\nanswers: [\n"},
                                 author=ORGANISER, message="broken")
        with caplog.at_level(logging.INFO, logger="bot.studio.live"):
            live.put_live(repository, broken.id, root)
            for _ in range(500):
                if "not loaded" in caplog.text:
                    break
                await asyncio.sleep(0.02)
        assert f"content version {broken.id[:10]} not loaded" in caplog.text
        assert "answers: [" not in caplog.text
        assert NEW_ANSWER in ru_answer(context)              # the version in use stays
    finally:
        following.cancel()


def answer_turn(settings: Settings) -> str:
    tracker: dict[str, Any] = {
        "sender_id": "live-content", "slots": {"language": "ru", "country": "RU"},
        "latest_message": {"text": "/wages_unpaid", "intent": {"name": "wages_unpaid", "confidence": 1.0},
                           "intent_ranking": [], "entities": [], "metadata": {}},
        "events": [], "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    }
    body = {"next_action": "action_answer_topic", "sender_id": "live-content", "tracker": tracker,
            "domain": {}, "version": "3.6.21"}
    response = httpx.post(settings.action_url, json=body, timeout=30)
    response.raise_for_status()
    return "\n".join(str(r.get("text") or "") for r in response.json()["responses"])


def test_a_running_action_server_answers_from_the_new_version(published: tuple[Path, Path, str],
                                                              tmp_path: Path) -> None:
    repository, root, second = published
    settings = make_settings(tmp_path, content_dir=live.live_path(root), content_watch_seconds=0.2)
    stack = Stack(settings)
    try:
        start_actions(stack)
        stack.wait_ready()
        assert NEW_ANSWER not in answer_turn(settings)
        live.put_live(repository, second, root)
        deadline = time.monotonic() + 30
        while NEW_ANSWER not in answer_turn(settings) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert NEW_ANSWER in answer_turn(settings)
    finally:
        stack.stop()


def test_the_gateway_swaps_its_replies_when_the_link_moves(published: tuple[Path, Path, str],
                                                           tmp_path: Path) -> None:
    repository, root, second = published
    rasa_port = free_port()
    settings = make_settings(tmp_path, rasa_port=rasa_port, content_dir=live.live_path(root),
                             content_watch_seconds=0.05)
    app = create_app(settings)

    def text() -> str:
        return app.state.gateway.responder.library.topics["wages_unpaid"].answers["ru"].text or ""

    with serving(stub_rasa(), rasa_port), serving(app, settings.gateway_port):
        state = app.state.gateway
        assert NEW_ANSWER not in text()
        live.put_live(repository, second, root)
        deadline = time.monotonic() + 30
        while NEW_ANSWER not in text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert NEW_ANSWER in text()
        assert state.casework.responder is state.responder        # every part reads the one reference
    plain = make_settings(tmp_path / "plain", rasa_port=rasa_port)
    assert live_replies.watch_for(plain.content_dir, live_replies.LiveReplies(app.state.gateway.responder)) is None
