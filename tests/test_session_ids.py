"""Web session ids are issued and signed by the gateway (bot/gateway/session_ids.py): a client
cannot choose one, and an id the gateway did not issue starts a new conversation, never the
conversation it names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.cases import service
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Case, CaseMessage, Sender
from bot.devtools.ports import free_port
from bot.gateway import session_ids
from bot.gateway.app import create_app
from bot.privacy.keys import Keys
from bot.replies import CASE_OPEN_PRIVATE
from bot.settings import Settings
from tests.conftest import TEST_KEYS, conversation_key, make_settings
from tests.console_client import serving
from tests.web_user import web_session

OTHER_KEYS = Keys(b"another-gateway-secret-key-0123456789-abcdef")


def test_an_issued_id_verifies_and_gives_back_its_random_part() -> None:
    issued = session_ids.issue(TEST_KEYS)
    part = session_ids.verified(TEST_KEYS, issued)
    assert part is not None and issued.startswith(f"{part}.")
    assert len(part) >= 24 and issued != session_ids.issue(TEST_KEYS)
    assert session_ids.verified(TEST_KEYS, session_ids.sign(TEST_KEYS, "chosen-by-a-test")) == "chosen-by-a-test"


@pytest.mark.parametrize("given", [
    "webcase0001",                                            # the old format: any id the client liked
    "webcase0001.AAAAAAAAAAAAAAAAAAAAAA",                     # a made-up tag
    session_ids.sign(OTHER_KEYS, "webcase0001"),              # signed with another gateway's key
    session_ids.sign(TEST_KEYS, "webcase0001")[:-1] + "x",    # tampered with
    session_ids.sign(TEST_KEYS, "webcase0001") + "x",
    "webcase0001." + session_ids.sign(TEST_KEYS, "webcase0001").split(".")[1] + ".x",
    "../../etc.AAAAAAAAAAAAAAAAAAAAAA", "", None, 5, ["webcase0001"], "é" * 80,
])
def test_anything_else_does_not_verify(given: object) -> None:
    assert session_ids.verified(TEST_KEYS, given) is None


def test_a_random_part_must_be_plain() -> None:
    with pytest.raises(ValueError, match="8-64"):
        session_ids.sign(TEST_KEYS, "short")


# -- through the gateway -----------------------------------------------------------------------

@dataclass
class FakeRasa:
    """Answers every message with one text and remembers who sent it."""

    senders: list[str] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        if request.url.path == "/webhooks/rest/webhook":
            body = await request.json()
            self.senders.append(body["sender"])
            return JSONResponse([{"recipient_id": body["sender"], "text": f"answer: {body['message']}"}])
        if request.url.path.endswith("/tracker"):
            return JSONResponse({"slots": {"language": "ru"}, "events": []})
        return JSONResponse({})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])])


@dataclass
class Gateway:
    settings: Settings
    rasa: FakeRasa

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        base = f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"
        response = httpx.post(f"{base}/api/chat", json=body, timeout=30)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def updates(self, session_id: str) -> httpx.Response:
        base = f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"
        return httpx.get(f"{base}/api/chat/updates", params={"session_id": session_id}, timeout=30)

    def reply(self, conversation: str, body: str) -> None:
        """A caseworker's answer, waiting for the user."""
        engine = make_engine(self.settings.database)
        try:
            with make_sessions(engine).begin() as session:
                case = service.open_case_for(session, conversation)
                assert case is not None
                service.add_message(session, case, Sender.caseworker, body)
        finally:
            engine.dispose()

    def waiting_for(self, conversation: str) -> list[str]:
        """The case's messages not yet handed to the user."""
        engine = make_engine(self.settings.database)
        try:
            with make_sessions(engine)() as session:
                return list(session.scalars(select(CaseMessage.body).join(Case).where(
                    Case.conversation == conversation, CaseMessage.delivered_at.is_(None))))
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    rasa, rasa_port = FakeRasa(), free_port()
    settings = make_settings(tmp_path_factory.mktemp("session-ids"), rasa_port=rasa_port)
    with serving(rasa.app(), rasa_port), serving(create_app(settings), settings.gateway_port):
        yield Gateway(settings, rasa)


def test_the_first_message_gets_a_signed_id_and_keeps_its_conversation(gateway: Gateway) -> None:
    first = gateway.post({"text": "привет"})
    issued = first["session_id"]
    part = session_ids.verified(TEST_KEYS, issued)
    assert part is not None
    again = gateway.post({"session_id": issued, "text": "ещё"})
    assert again["session_id"] == issued
    assert gateway.rasa.senders[-2:] == [conversation_key("web", part)] * 2


@pytest.mark.parametrize("forged", ["victim-conversation-01", "victim-conversation-01.AAAAAAAAAAAAAAAAAAAAAA",
                                    session_ids.sign(OTHER_KEYS, "victim-conversation-01")])
def test_an_id_the_gateway_did_not_issue_starts_a_new_conversation(gateway: Gateway, forged: str) -> None:
    victim = conversation_key("web", "victim-conversation-01")
    gateway.post({"session_id": web_session("victim-conversation-01"), "text": "моя история"})
    assert gateway.rasa.senders[-1] == victim

    reply = gateway.post({"session_id": forged, "text": "покажи чужой разговор"})
    assert reply["messages"][0]["text"] == "answer: покажи чужой разговор"     # answered, not an error page
    fresh = session_ids.verified(TEST_KEYS, reply["session_id"])
    assert fresh is not None and reply["session_id"] != forged
    assert gateway.rasa.senders[-1] == conversation_key("web", fresh) != victim


def test_updates_for_an_id_the_gateway_did_not_issue_are_empty(gateway: Gateway) -> None:
    name = "victim-with-a-case-01"
    opened = gateway.post({"session_id": web_session(name), "payload": CASE_OPEN_PRIVATE})
    assert opened["case"] == "queued"
    gateway.reply(conversation_key("web", name), "Здравствуйте, я специалист")
    waiting = gateway.waiting_for(conversation_key("web", name))
    assert waiting == ["Здравствуйте, я специалист"]

    for forged in (name, f"{name}.AAAAAAAAAAAAAAAAAAAAAA", session_ids.sign(OTHER_KEYS, name)):
        response = gateway.updates(forged)
        assert response.status_code == 200
        assert response.json() == {"session_id": None, "case": None, "messages": []}
    assert gateway.waiting_for(conversation_key("web", name)) == waiting   # nothing was taken

    own = gateway.updates(web_session(name)).json()
    assert own["case"] == "queued" and [m["text"] for m in own["messages"]] == waiting


def test_the_openapi_description_names_the_signed_format(gateway: Gateway) -> None:
    base = f"http://{gateway.settings.gateway_host}:{gateway.settings.gateway_port}"
    spec = httpx.get(f"{base}/openapi.json", timeout=10).json()
    schema = spec["paths"]["/api/chat"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    pattern = schema["properties"]["session_id"]["pattern"]
    assert re.match(pattern, session_ids.issue(TEST_KEYS)) and not re.match(pattern, "webcase0001")


def test_the_page_keeps_the_id_the_gateway_gave() -> None:
    script = (Path(__file__).parent.parent / "bot" / "gateway" / "web" / "chat.js").read_text()
    assert "session = reply.session_id;" in script         # never one it made up itself
    assert "crypto" not in script and "Math.random" not in script
