"""A new model rolled out to a real Rasa while conversations go on (bot/studio/rollout.py)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.devtools.ports import free_port
from bot.processes import Stack, running_stack
from bot.studio.rollout import RolloutError, roll_out
from tests.conftest import make_settings

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def own_rasa(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A Rasa of its own: a roll-out replaces the agent of the Rasa it is given."""
    with running_stack(make_settings(tmp_path_factory.mktemp("rollout")), model) as running:
        yield running


def served_model(rasa: str, token: str) -> str:
    return str(httpx.get(f"{rasa}/status", params={"token": token}, timeout=30).json()["model_file"])


def test_turns_during_a_roll_out_are_all_answered(own_rasa: Stack, model: Path, tmp_path: Path) -> None:
    settings = own_rasa.settings
    rasa, token = settings.rasa_url, settings.rasa_token.get_secret_value()
    new = tmp_path / "published.tar.gz"
    shutil.copyfile(model, new)
    answers: list[int] = []
    failures: list[str] = []
    done = threading.Event()

    def talk() -> None:
        with httpx.Client(timeout=60) as http:
            turn = 0
            while not done.is_set() or turn < 5:
                try:
                    reply = http.post(f"{rasa}/webhooks/rest/webhook",
                                      json={"sender": f"rollout-{turn % 3}", "message": "/menu"})
                    reply.raise_for_status()
                    answers.append(len(reply.json()))
                except httpx.HTTPError as error:
                    failures.append(type(error).__name__)
                turn += 1

    talker = threading.Thread(target=talk)
    talker.start()
    try:
        with httpx.Client() as client:
            roll_out(client, [rasa], token, new, previous=model)
    finally:
        done.set()
        talker.join()
    assert failures == []
    assert answers and all(count > 0 for count in answers)      # every turn got the menu
    assert served_model(rasa, token) == "published.tar.gz"
    reply = httpx.post(f"{rasa}/webhooks/rest/webhook", json={"sender": "rollout-0", "message": "/menu"},
                       timeout=60)
    assert reply.json(), "the conversation goes on with the new model"


def test_a_replica_that_fails_puts_the_others_back(own_rasa: Stack, model: Path, tmp_path: Path) -> None:
    settings = own_rasa.settings
    rasa, token = settings.rasa_url, settings.rasa_token.get_secret_value()
    before = tmp_path / "before.tar.gz"
    shutil.copyfile(model, before)
    with httpx.Client() as client:
        roll_out(client, [rasa], token, before, previous=model)
        assert served_model(rasa, token) == "before.tar.gz"
        new = tmp_path / "new.tar.gz"
        shutil.copyfile(model, new)
        gone = f"http://127.0.0.1:{free_port()}"
        with pytest.raises(RolloutError, match=f"{gone}: ConnectError; 1 replica\\(s\\) put back"):
            roll_out(client, [rasa, gone], token, new, previous=before)
    assert served_model(rasa, token) == "before.tar.gz"


def test_a_model_rasa_cannot_load_is_refused_and_nothing_changes(own_rasa: Stack, model: Path,
                                                                 tmp_path: Path) -> None:
    settings = own_rasa.settings
    rasa, token = settings.rasa_url, settings.rasa_token.get_secret_value()
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a model")
    was = served_model(rasa, token)
    with httpx.Client() as client, pytest.raises(RolloutError, match="refused the model: HTTP 400; 0 replica"):
        roll_out(client, [rasa], token, broken, previous=model)
    assert served_model(rasa, token) == was
