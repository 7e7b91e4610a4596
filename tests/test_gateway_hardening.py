"""The security audit of issue 15 (item 7), offline: the real gateway app on a loopback port, in
front of a fake Rasa that records every request and the fake Bot API (Telegram in webhook mode).
Repeated and edited Telegram updates, cross-site posts to /api/chat, HSTS, and who may close a case."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import messages
from bot.cases import service
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Account, AuditEvent, Case, CaseState, Role
from bot.devtools.fake_telegram import FakeTelegram, user_message
from bot.devtools.ports import free_port
from bot.gateway.app import create_app
from bot.gateway.transport_security import StrictTransportSecurity
from bot.replies import CASE_OPEN_PRIVATE, Responder
from bot.settings import Settings
from tests.conftest import conversation_key, fake_telegram_settings, make_settings
from tests.console_client import Console, add_caseworker, serving
from tests.web_user import web_session

SECRET = "X-Telegram-Bot-Api-Secret-Token"
PUBLIC = "https://helpline.example.org"
WEBHOOK_SECRET = "webhook-secret-for-the-hardening-tests-0001"


@dataclass
class FakeRasa:
    """Answers every message with one text; remembers every request that reached it."""

    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        body = await request.json() if request.method == "POST" else {}
        self.requests.append((request.url.path, body))
        if request.url.path == "/webhooks/rest/webhook":
            return JSONResponse([{"recipient_id": body["sender"], "text": f"answer: {body['message']}"}])
        if request.url.path.endswith("/tracker"):
            return JSONResponse({"slots": {}, "events": []})
        return JSONResponse({})

    def messages(self, sender: str) -> list[str]:
        return [str(body["message"]) for path, body in self.requests
                if path == "/webhooks/rest/webhook" and body["sender"] == sender]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.handle, methods=["GET", "POST"])])


@dataclass
class Gateway:
    settings: Settings
    rasa: FakeRasa
    telegram: FakeTelegram

    @property
    def base(self) -> str:
        return f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"

    def cases(self) -> list[Case]:
        engine = make_engine(self.settings.database)
        try:
            with make_sessions(engine)() as session:
                return list(session.scalars(select(Case)))
        finally:
            engine.dispose()

    def account_id(self, email: str) -> int:
        engine = make_engine(self.settings.database)
        try:
            with make_sessions(engine)() as session:
                return session.scalars(select(Account.id).where(Account.email == email)).one()
        finally:
            engine.dispose()

    def audit(self, action: str) -> list[AuditEvent]:
        engine = make_engine(self.settings.database)
        try:
            with make_sessions(engine)() as session:
                return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    rasa, telegram = FakeRasa(), FakeTelegram()
    rasa_port, telegram_port = free_port(), free_port()
    settings = make_settings(tmp_path_factory.mktemp("hardening"), rasa_port=rasa_port, public_url=PUBLIC,
                             **fake_telegram_settings(telegram_port),
                             telegram_webhook_url="https://helpline.example/telegram/webhook",
                             telegram_webhook_secret=WEBHOOK_SECRET)
    with serving(rasa.app(), rasa_port), serving(telegram.app(), telegram_port), \
            serving(create_app(settings), settings.gateway_port):
        yield Gateway(settings, rasa, telegram)


# -- Telegram: a repeated update and an edited message are not answered again -----------------

def webhook(gateway: Gateway, update_id: int, update: dict[str, Any]) -> None:
    response = httpx.post(f"{gateway.base}/telegram/webhook", json={"update_id": update_id, **update},
                          headers={SECRET: WEBHOOK_SECRET}, timeout=30)
    assert response.status_code == 200     # a repeat too: Telegram must stop re-sending it


def test_the_same_update_delivered_twice_is_answered_once(gateway: Gateway) -> None:
    chat = 6001
    question = user_message(chat, text="мне не платят зарплату")
    webhook(gateway, 500, question)
    webhook(gateway, 500, question)                               # a webhook retry
    webhook(gateway, 501, user_message(chat, text="и ещё вопрос"))  # after the repeat, in the chat's order
    sent = gateway.telegram.wait_sent(chat, 2)
    time.sleep(0.3)                                               # a late second answer would show now
    assert [s["text"] for s in gateway.telegram.sent(chat)] == [
        "answer: мне не платят зарплату", "answer: и ещё вопрос"] == [s["text"] for s in sent]
    assert gateway.rasa.messages(conversation_key("telegram", chat)) == ["мне не платят зарплату", "и ещё вопрос"]


def test_a_failing_update_is_logged_by_type_and_place_never_by_what_was_written(
        gateway: Gateway, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from bot.gateway import telegram_bot

    async def broken(*args: Any, text: str | None = None, **kwargs: Any) -> Any:
        raise RuntimeError(f"could not handle {text!r}")        # a message that quotes the user

    monkeypatch.setattr(telegram_bot, "converse", broken)
    chat = 6005
    with caplog.at_level("INFO"):
        webhook(gateway, 900, user_message(chat, text="хозяин забрал паспорт"))
        (apology,) = gateway.telegram.wait_sent(chat, 1)
    assert "112" in apology["text"]                                       # the apology, with the numbers
    failed = [r.getMessage() for r in caplog.records if "update failed" in r.getMessage()]
    assert len(failed) == 1
    assert failed[0].startswith("Telegram update failed: RuntimeError at test_gateway_hardening.py:")
    assert " in broken < telegram_bot.py:" in failed[0]                  # where, innermost first
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "паспорт" not in logged and "хозяин" not in logged


def test_an_edited_message_is_not_a_new_question(gateway: Gateway) -> None:
    chat = 6002
    asked = user_message(chat, text="уволили без оплаты")
    webhook(gateway, 510, asked)
    edited = {**asked["message"], "text": "уволили без оплаты и паспорт забрали", "edit_date": int(time.time())}
    webhook(gateway, 511, {"edited_message": edited})
    webhook(gateway, 512, user_message(chat, text="что делать"))
    gateway.telegram.wait_sent(chat, 2)
    time.sleep(0.3)
    assert [s["text"] for s in gateway.telegram.sent(chat)] == ["answer: уволили без оплаты", "answer: что делать"]
    assert gateway.rasa.messages(conversation_key("telegram", chat)) == ["уволили без оплаты", "что делать"]


def test_commands_and_group_mentions_are_answered_once_and_not_when_edited(
        gateway: Gateway, responder: Responder) -> None:
    chat, group = 6003, -6004
    command = user_message(chat, text="/menu")
    webhook(gateway, 520, command)
    webhook(gateway, 521, {"edited_message": {**command["message"], "text": "/help", "edit_date": 1}})
    mention = user_message(group, text="@helpline_test_bot помогите", chat_type="group", language_code="en",
                           entities=[{"type": "mention", "offset": 0, "length": 18}])
    webhook(gateway, 522, mention)
    webhook(gateway, 523, {"edited_message": {**mention["message"], "edit_date": 1}})
    webhook(gateway, 524, user_message(chat, text="спасибо"))
    assert len(gateway.telegram.wait_sent(chat, 2)) == 2 and gateway.telegram.wait_sent(group, 1)
    time.sleep(0.3)
    assert gateway.rasa.messages(conversation_key("telegram", chat)) == ["/menu", "спасибо"]
    assert [s["text"] for s in gateway.telegram.sent(group)] == [
        responder.catalogues.gettext("en", messages.GROUP_PRIVATE_ONLY)]


# -- /api/chat: JSON only, and only from the gateway's own origin -----------------------------

@pytest.mark.parametrize(("content_type", "origin", "status"), [
    ("text/plain", "https://evil.example", 403),              # the classic cross-site "simple" request
    ("text/plain;charset=UTF-8", None, 415),
    ("application/x-www-form-urlencoded", None, 415),
    ("application/json", "https://evil.example", 403),
    ("application/json", "null", 403),                        # a sandboxed frame or a file
    ("application/json", "http://helpline.example.org", 403),  # the public origin, but not over https
])
def test_a_cross_site_or_non_json_post_is_refused_before_rasa_and_the_database(
        gateway: Gateway, responder: Responder, content_type: str, origin: str | None, status: int) -> None:
    session_id = f"crosssite-{status}-{len(content_type)}-{len(origin or '')}"
    before = len(gateway.rasa.requests)
    headers = {"content-type": content_type, "accept-language": "ky-KG,ky;q=0.9",
               **({"origin": origin} if origin else {})}
    body = json.dumps({"session_id": web_session(session_id), "payload": CASE_OPEN_PRIVATE}).encode()
    response = httpx.post(f"{gateway.base}/api/chat", headers=headers, content=body, timeout=30)
    assert response.status_code == status
    assert response.json()["messages"][0]["text"] == responder.catalogues.gettext("ky", messages.NOT_UNDERSTOOD)
    assert len(gateway.rasa.requests) == before                 # Rasa never heard of it
    assert conversation_key("web", session_id) not in [c.conversation for c in gateway.cases()]


def test_the_web_chat_page_still_talks_to_the_api(gateway: Gateway) -> None:
    script = httpx.get(f"{gateway.base}/static/chat.js").text
    assert 'request("/api/chat", {' in script and '"Content-Type": "application/json"' in script   # with a timeout
    own = f"http://{gateway.settings.gateway_host}:{gateway.settings.gateway_port}"
    for origin in (own, PUBLIC, None):          # the page itself, behind a proxy that rewrites Host, no browser
        headers = {"origin": origin} if origin else {}
        response = httpx.post(f"{gateway.base}/api/chat",
                              json={"session_id": web_session("webpage-0001"), "text": "привет"},
                              headers=headers, timeout=30)
        assert response.status_code == 200, origin
        assert response.json()["messages"][0]["text"] == "answer: привет"
    assert gateway.rasa.messages(conversation_key("web", "webpage-0001")) == ["привет"] * 3


# -- HSTS ---------------------------------------------------------------------------------------

def test_hsts_on_requests_that_came_over_https(gateway: Gateway) -> None:
    # uvicorn trusts X-Forwarded-Proto from loopback: a TLS-ending proxy on the same machine
    https = httpx.get(f"{gateway.base}/", headers={"x-forwarded-proto": "https"})
    plain = httpx.get(f"{gateway.base}/")
    assert https.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in plain.headers     # secure cookies are off in this test
    console = httpx.get(f"{gateway.base}/console/login", headers={"x-forwarded-proto": "https"})
    assert console.headers["strict-transport-security"] == "max-age=31536000"


async def test_hsts_on_every_response_when_the_console_cookies_are_secure(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, console_secure_cookies=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://helpline") as http:
        response = await http.get("/static/chat.css")     # no lifespan needed for a static file
    assert response.status_code == 200
    assert response.headers["strict-transport-security"] == "max-age=31536000"


async def test_hsts_keeps_a_header_the_route_set_itself() -> None:
    async def page(request: Request) -> Response:
        return PlainTextResponse("x", headers={"Strict-Transport-Security": "max-age=60"})
    app = StrictTransportSecurity(Starlette(routes=[Route("/", page)]), always=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/")).headers.get_list("strict-transport-security") == ["max-age=60"]


# -- cases: only the caseworker who claimed a case (or a supervisor, an admin) closes it ------

@pytest.fixture(scope="module")
def colleagues(gateway: Gateway) -> dict[str, str]:
    people = {"holder": "holder@helpline.example", "colleague": "colleague@helpline.example",
              "supervisor": "lead@helpline.example"}
    add_caseworker(gateway.settings.database, people["holder"])
    add_caseworker(gateway.settings.database, people["colleague"])
    add_caseworker(gateway.settings.database, people["supervisor"], role=Role.supervisor)
    return people


def open_case(gateway: Gateway, conversation: str) -> int:
    engine = make_engine(gateway.settings.database)
    try:
        with make_sessions(engine).begin() as session:
            case, _ = service.open_case(session, service.Opening(
                conversation=conversation, channel="web", organisation_id="helpline", language="en"))
            return case.id
    finally:
        engine.dispose()


def state_of(gateway: Gateway, case_id: int) -> CaseState:
    (case,) = [c for c in gateway.cases() if c.id == case_id]
    return case.state


def signed_in(gateway: Gateway, email: str) -> Console:
    console = Console(gateway.base)
    assert console.login(email).status_code == 303
    return console


def test_a_caseworker_cannot_close_a_colleagues_case(gateway: Gateway, colleagues: dict[str, str]) -> None:
    holder, colleague = signed_in(gateway, colleagues["holder"]), signed_in(gateway, colleagues["colleague"])
    case_id = open_case(gateway, "web:close-rule-1")
    assert holder.act(case_id, "claim").status_code == 303
    refused = colleague.act(case_id, "close", outcome="no_response")
    assert refused.status_code == 403
    assert state_of(gateway, case_id) is CaseState.active
    (event,) = [e for e in gateway.audit("case.close_refused") if e.case_id == case_id]
    assert event.account_id == gateway.account_id(colleagues["colleague"])     # who tried, for the supervisor

    unclaimed = open_case(gateway, "web:close-rule-2")          # nobody holds it: claim it first
    assert colleague.act(unclaimed, "close", outcome="other").status_code == 403
    assert state_of(gateway, unclaimed) is CaseState.queued

    assert holder.act(case_id, "close", outcome="advice_given").status_code == 303
    assert state_of(gateway, case_id) is CaseState.closed


def test_a_supervisor_may_close_any_case_of_the_organisation(gateway: Gateway, colleagues: dict[str, str]) -> None:
    holder, supervisor = signed_in(gateway, colleagues["holder"]), signed_in(gateway, colleagues["supervisor"])
    case_id = open_case(gateway, "web:close-rule-3")
    assert holder.act(case_id, "claim").status_code == 303
    assert supervisor.act(case_id, "close", outcome="other").status_code == 303
    assert state_of(gateway, case_id) is CaseState.closed

