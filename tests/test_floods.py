"""Floods around cases (issue 15, item 3): how many cases may open per conversation, per client
address and per hour; how fast messages may go into an open case; how many urgent cases are
announced to the caseworkers' group. Casework runs on a real SQLite database with a fake Rasa;
the burst goes through the real gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import messages as m
from bot.cases import announcements
from bot.db.database import Database
from bot.db.engine import make_engine, make_sessions
from bot.db.models import AuditEvent, Case, CaseMessage, Sender
from bot.db.prepare import prepare_database
from bot.devtools.ports import free_port
from bot.duty_hours import parse_hours
from bot.gateway.app import create_app
from bot.gateway.casework import Casework
from bot.gateway.floods import client_key, floods
from bot.gateway.limits import SharedMessageLimit
from bot.gateway.live_replies import LiveReplies
from bot.gateway.relay import Relay
from bot.replies import CASE_END, CASE_OPEN_PRIVATE, Reply, Responder
from bot.settings import Settings
from tests.conftest import TEST_KEYS, TEST_SECRET, make_settings
from tests.console_client import serving


@dataclass
class FakeRasa:
    """What the bot noted in the conversation (only the slots matter here)."""

    slots: dict[str, Any] = field(default_factory=lambda: {"language": "ru"})

    async def send(self, sender: str, text: str, metadata: dict[str, Any] | None = None) -> list[Any]:
        return [{"text": f"answer: {text}"}]

    async def tracker(self, sender: str, *, events: bool = False) -> dict[str, Any]:
        return {"slots": self.slots, "events": []}


@dataclass
class Desk:
    """Casework on its own database (the user's side and the relay), and what it announced to
    the caseworkers' group."""

    casework: Casework
    relay: Relay
    rasa: FakeRasa
    announced: list[str]

    async def open(self, sender: str, client: str | None = None, channel: str = "web") -> list[Reply]:
        replies = await self.casework.intercept(sender, channel, text=None, payload_=CASE_OPEN_PRIVATE,
                                                language="ru", client=client)
        assert replies is not None
        return replies

    async def end(self, sender: str) -> None:
        await self.casework.intercept(sender, "web", text=None, payload_=CASE_END, language="ru")

    async def write(self, sender: str, text: str) -> list[Reply] | None:
        return await self.casework.intercept(sender, "web", text=text, payload_=None, language="ru")

    def count(self, *where: Any) -> int:
        with self.casework.database.sessions() as session:
            return int(session.scalar(select(func.count(Case.id)).where(*where)) or 0)

    def from_user(self, sender: str) -> list[str]:
        with self.casework.database.sessions() as session:
            return list(session.scalars(select(CaseMessage.body).join(Case).where(
                Case.conversation == sender, CaseMessage.sender == Sender.user).order_by(CaseMessage.id)))


@pytest.fixture
def desk(tmp_path: Path, responder: Responder, request: pytest.FixtureRequest) -> Iterator[Desk]:
    overrides = getattr(request, "param", {})
    yield from make_desk(tmp_path, responder, **overrides)


def make_desk(tmp_path: Path, responder: Responder, **overrides: object) -> Iterator[Desk]:
    settings = make_settings(tmp_path, **overrides)
    engine = make_engine(settings.database)
    prepare_database(settings, engine)
    rasa = FakeRasa()
    announced: list[str] = []
    database = Database(engine, make_sessions(engine))

    async def announce(text: str) -> None:
        announced.append(text)
    casework = Casework(settings=settings, database=database, replies=LiveReplies(responder), rasa=rasa,
                        hours=parse_hours(settings.casework_hours), keys=TEST_KEYS, announce=announce,
                        floods=floods(settings))
    relay = Relay(settings=settings, database=database, replies=LiveReplies(responder), keys=TEST_KEYS,
                  announce=announce)
    desk = Desk(casework, relay, rasa, announced)
    try:
        yield desk
    finally:
        engine.dispose()


def said(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def ru(responder: Responder, message: str) -> str:
    return responder.catalogues.gettext("ru", message)


# -- cases per conversation, per hour, per address -------------------------------------------

@pytest.mark.parametrize("desk", [{"cases_per_conversation_day": 3}], indirect=True)
async def test_one_conversation_opens_a_few_cases_a_day_and_is_told_kindly(desk: Desk, responder: Responder) -> None:
    for _ in range(3):
        assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:flooder"))
        assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:flooder"))   # the same case again
        await desk.end("web:flooder")
    refused = said(await desk.open("web:flooder"))
    assert ru(responder, m.CASE_LIMIT_CONVERSATION) in refused
    assert responder.emergency_text("ru", None) in refused and "112" in refused
    assert desk.count(Case.conversation == "web:flooder") == 3
    assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:someone-else"))


@pytest.mark.parametrize("desk", [{"cases_per_conversation_day": 2}], indirect=True)
async def test_a_case_opened_yesterday_no_longer_counts(desk: Desk, responder: Responder) -> None:
    for _ in range(2):
        await desk.open("web:returning")
        await desk.end("web:returning")
    with desk.casework.database.sessions.begin() as session:
        for case in session.scalars(select(Case).where(Case.conversation == "web:returning")):
            case.opened_at -= dt.timedelta(hours=25)
    assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:returning"))


@pytest.mark.parametrize("desk", [{"cases_per_hour": 4}], indirect=True)
async def test_each_channel_opens_at_most_so_many_cases_an_hour(desk: Desk, responder: Responder) -> None:
    for n in range(4):
        assert ru(responder, m.CASE_QUEUED) in said(await desk.open(f"web:person-{n}"))
    refused = said(await desk.open("web:person-4"))
    assert ru(responder, m.CASE_LIMIT_BUSY) in refused and "112" in refused
    assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:person-0"))   # an open case is still theirs
    assert desk.count() == 4
    # a flood on the web chat (a new conversation costs nothing there) leaves Telegram's budget alone
    assert ru(responder, m.CASE_QUEUED) in said(await desk.open("tg:someone", channel="telegram"))


async def test_the_counts_live_in_the_database(tmp_path: Path, responder: Responder) -> None:
    """Another gateway on the same database (or this one after a restart) sees the same count."""
    first = make_desk(tmp_path, responder, cases_per_conversation_day=1)
    second = make_desk(tmp_path, responder, cases_per_conversation_day=1)
    one, other = next(first), next(second)
    await one.open("web:twice")
    await one.end("web:twice")
    assert ru(responder, m.CASE_LIMIT_CONVERSATION) in said(await other.open("web:twice"))
    first.close()
    second.close()


@pytest.mark.parametrize("desk", [{"cases_per_address_hour": 3}], indirect=True)
async def test_one_client_address_opens_a_few_cases_an_hour(desk: Desk, responder: Responder) -> None:
    flooder = client_key(TEST_KEYS.secret, "203.0.113.7")
    for n in range(3):
        assert ru(responder, m.CASE_QUEUED) in said(await desk.open(f"web:burst-{n}", flooder))
    refused = said(await desk.open("web:burst-3", flooder))
    assert ru(responder, m.CASE_LIMIT_BUSY) in refused and "112" in refused
    assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:burst-0", flooder))  # theirs, not a new one
    assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:neighbour",
                                                                client_key(TEST_KEYS.secret, "203.0.113.8")))
    assert ru(responder, m.CASE_QUEUED) in said(await desk.open("web:telegram-like"))     # no address: not counted
    assert desk.count() == 5


def test_an_address_is_kept_only_as_a_keyed_hash_of_what_one_client_holds() -> None:
    secret = TEST_SECRET.encode()
    one, same_64, other_64 = "2001:db8:1:2::10", "2001:db8:1:2:ffff::1", "2001:db8:1:3::10"
    assert client_key(secret, one) == client_key(secret, same_64) != client_key(secret, other_64)
    assert client_key(secret, "::ffff:203.0.113.7") == client_key(secret, "203.0.113.7")
    key = client_key(secret, "203.0.113.7")
    assert key is not None and "203" not in key and key != client_key(b"x" * 40, "203.0.113.7")
    assert client_key(secret, None) is None and client_key(secret, "") is None


# -- messages into an open case ---------------------------------------------------------------

@pytest.mark.parametrize("desk", [{"case_messages_per_minute": 5}], indirect=True)
async def test_messages_into_a_case_are_limited_and_the_user_is_told_which_one_was_not_delivered(
        desk: Desk, responder: Responder) -> None:
    await desk.open("web:fast")
    for n in range(5):
        assert await desk.write("web:fast", f"сообщение {n}") == []       # stored; the bot is quiet
    (refused,) = await desk.write("web:fast", "сообщение 5") or []
    assert refused.text == ru(responder, m.CASE_SLOW_DOWN).format(text="сообщение 5")
    assert refused.buttons[0].payload == CASE_END
    assert desk.from_user("web:fast") == [f"сообщение {n}" for n in range(5)]   # nothing lost silently
    long = "ж" * 5000
    (cut,) = await desk.write("web:fast", long) or []
    assert "ж" * 199 + "…" in cut.text and "ж" * 201 not in cut.text


# -- urgent cases: the queue and the caseworkers' group -----------------------------------------

@pytest.mark.parametrize("desk", [{"urgent_announcements": 2, "public_url": "https://helpline.example.org"}],
                         indirect=True)
async def test_urgent_cases_are_all_queued_first_but_only_a_few_announced(
        desk: Desk, tmp_path: Path, responder: Responder) -> None:
    desk.rasa.slots = {"language": "ru", "urgent": True}
    for n in range(3):
        await desk.open(f"web:urgent-{n}")
    beside = make_desk(tmp_path, responder, urgent_announcements=2)     # another gateway, the same database
    other = next(beside)
    other.rasa.slots = desk.rasa.slots
    await other.open("web:urgent-3")
    await other.open("web:urgent-4")
    assert desk.count(Case.urgent.is_(True)) == 5
    assert len(desk.announced) == 2 and all(a.startswith("⚠ Urgent case #") for a in desk.announced)
    assert other.announced == []                                       # one budget for every gateway
    await desk.relay.summarise_announcements()
    assert len(desk.announced) == 2                                    # no room yet
    with desk.casework.database.sessions.begin() as session:           # ten minutes on
        for event in session.scalars(select(AuditEvent).where(AuditEvent.action.like("group.%"))):
            event.at -= dt.timedelta(minutes=11)
    await desk.relay.summarise_announcements()
    await other.relay.summarise_announcements()
    assert desk.announced[-1] == ("⚠ 3 more urgent case(s) were opened and not announced one by one\n"
                                  "https://helpline.example.org/console")
    assert len(desk.announced) == 3 and other.announced == []          # said once
    beside.close()


async def test_urgency_is_what_the_bot_recorded_never_what_the_client_sends(desk: Desk) -> None:
    """Only the action server sets the `urgent` slot, when it has answered a topic flagged urgent
    in topics.yml (bot/dialogue.py; a custom slot mapping, so no payload entity can fill it). The
    case-open payload is matched exactly: one that carries more is not a case opening at all."""
    forged = '/case_open{"transcript":"no","urgent":"true"}'
    assert await desk.casework.intercept("web:forger", "web", text=None, payload_=forged, language="ru") is None
    await desk.open("web:forger")
    desk.rasa.slots = {"language": "ru", "urgent": True}       # the bot answered an urgent topic
    await desk.open("web:in-danger")
    assert desk.count(Case.urgent.is_(True)) == 1 and desk.count(Case.conversation == "web:forger") == 1
    assert desk.count(Case.urgent.is_(True), Case.conversation == "web:in-danger") == 1
    assert len(desk.announced) == 1


async def test_announcements_keep_to_their_window(desk: Desk) -> None:
    for n in range(8):
        await desk.open(f"web:case-{n}")
    with desk.casework.database.sessions.begin() as session:
        ids = list(session.scalars(select(Case.id).order_by(Case.id)))
        t = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
        minute = dt.timedelta(minutes=1)
        told = [announcements.announce_or_hold(session, ids[n], 2, t + n * minute / 60) for n in range(4)]
        assert told == [True, True, False, False]
        assert announcements.summary_due(session, 2, t + 5 * minute) == 0          # no room yet
        assert not announcements.announce_or_hold(session, ids[4], 2, t + 11 * minute)   # the summary first
        assert announcements.summary_due(session, 2, t + 11 * minute) == 3
        assert announcements.summary_due(session, 2, t + 11 * minute) == 0         # once
        assert announcements.announce_or_hold(session, ids[5], 2, t + 11 * minute + minute / 60)
        assert not announcements.announce_or_hold(session, ids[6], 2, t + 12 * minute)  # the window is full
        assert announcements.summary_due(session, 2, t + 22 * minute) == 1


# -- settings -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "value"), [
    ("cases_per_conversation_day", 0), ("cases_per_address_hour", 0), ("cases_per_hour", 0),
    ("case_messages_per_minute", 2), ("urgent_announcements", 0), ("cases_per_hour", 10**9)])
def test_limits_out_of_bounds_stop_the_start(tmp_path: Path, name: str, value: int) -> None:
    with pytest.raises(ValidationError, match=name):
        make_settings(tmp_path, **{name: value})


def test_the_defaults() -> None:
    defaults = {name: Settings.model_fields[name].default for name in (
        "cases_per_conversation_day", "cases_per_address_hour", "cases_per_hour", "case_messages_per_minute",
        "urgent_announcements", "case_polls_per_minute")}
    assert defaults == {"cases_per_conversation_day": 3, "cases_per_address_hour": 10, "cases_per_hour": 100,
                        "case_messages_per_minute": 30, "urgent_announcements": 5, "case_polls_per_minute": 60}


# -- the burst from the audit, through the gateway ----------------------------------------------

async def rasa_answer(request: Request) -> Response:
    if request.url.path.endswith("/tracker"):
        return JSONResponse({"slots": {"language": "ru", "urgent": True}, "events": []})
    body = await request.json()
    return JSONResponse([{"recipient_id": body["sender"], "text": "answer"}])


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Settings]:
    rasa_port = free_port()
    settings = make_settings(tmp_path, rasa_port=rasa_port, cases_per_address_hour=10, case_polls_per_minute=60)
    rasa = Starlette(routes=[Route("/{path:path}", rasa_answer, methods=["GET", "POST"])])
    with serving(rasa, rasa_port), serving(create_app(settings), settings.gateway_port):
        yield settings


def test_one_client_cannot_open_forty_cases_in_a_burst(gateway: Settings, responder: Responder) -> None:
    base = f"http://{gateway.gateway_host}:{gateway.gateway_port}"

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            return list(await asyncio.gather(*(
                http.post("/api/chat", json={"payload": CASE_OPEN_PRIVATE}) for _ in range(40))))
    replies = asyncio.run(burst())
    assert all(r.status_code == 200 for r in replies)
    queued = [r for r in replies if r.json()["case"] == "queued"]
    refused = [r for r in replies if r.json()["case"] is None]
    assert len(queued) == 10 and len(refused) == 30
    default = responder.library.default_language
    text = refused[0].json()["messages"][0]["text"]
    assert responder.catalogues.gettext(default, m.CASE_LIMIT_BUSY) in text and "112" in text
    engine = make_engine(gateway.database)
    try:
        with make_sessions(engine)() as session:
            assert session.scalar(select(func.count(Case.id))) == 10
    finally:
        engine.dispose()


def test_the_page_asking_for_replies_in_a_loop_is_slowed_and_told_to_keep_asking(gateway: Settings) -> None:
    base = f"http://{gateway.gateway_host}:{gateway.gateway_port}"
    with httpx.Client(base_url=base, timeout=60) as http:
        opened = http.post("/api/chat", json={"payload": CASE_OPEN_PRIVATE}).json()
        assert opened["case"] == "queued"
        answers = [http.get("/api/chat/updates", params={"session_id": opened["session_id"]}) for _ in range(65)]
    assert [r.status_code for r in answers[:60]] == [200] * 60
    assert {r.status_code for r in answers[60:]} == {429}
    assert answers[-1].json() == {"session_id": opened["session_id"], "case": "unknown", "messages": []}


async def slow_tracker(request: Request) -> Response:
    if request.url.path.endswith("/tracker"):
        await asyncio.sleep(0.5)                  # Rasa busy: the burst waits here, all at once
    return await rasa_answer(request)


def test_a_burst_that_passed_the_first_look_while_rasa_was_asked_is_stopped_when_the_case_opens(
        tmp_path: Path) -> None:
    rasa_port = free_port()
    settings = make_settings(tmp_path, rasa_port=rasa_port, cases_per_hour=5)
    rasa = Starlette(routes=[Route("/{path:path}", slow_tracker, methods=["GET", "POST"])])
    base = f"http://{settings.gateway_host}:{settings.gateway_port}"

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            return list(await asyncio.gather(*(
                http.post("/api/chat", json={"payload": CASE_OPEN_PRIVATE}) for _ in range(30))))
    with serving(rasa, rasa_port), serving(create_app(settings), settings.gateway_port):
        replies = asyncio.run(burst())
    queued = [r for r in replies if r.json()["case"] == "queued"]
    assert all(r.status_code == 200 for r in replies)
    assert len(queued) == 5                        # the ceiling: opened one at a time, each counted


# -- several gateways: the per-address and in-case counts in Redis ------------------------------

@pytest.mark.redis
async def test_two_gateways_share_the_address_and_case_message_counts(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, cases_per_address_hour=3, case_messages_per_minute=5,
                             shared_state_url="redis://127.0.0.1:6379/6")
    first, second = Redis.from_url("redis://127.0.0.1:6379/6"), Redis.from_url("redis://127.0.0.1:6379/6")
    address = f"198.51.100.{secrets.randbelow(250)}"
    key = client_key(secrets.token_bytes(32), address)
    assert key is not None
    try:
        a, b = floods(settings, first), floods(settings, second)
        assert [await a.addresses.allow(key), await b.addresses.allow(key), await a.addresses.allow(key)] == [True] * 3
        assert not await b.addresses.allow(key)
        assert 3500 < await first.ttl(f"helpline:case-address:{key}") <= 3600      # counted for an hour
        assert address not in str(await first.keys("helpline:case-address:*"))
        sender = f"web:{secrets.token_hex(8)}"
        assert [await x.messages.allow(sender) for x in (a, b, a, b, a, b)] == [True] * 5 + [False]
    finally:
        await first.aclose()
        await second.aclose()


@pytest.mark.redis
def test_a_gateway_with_redis_keeps_its_case_limits_there(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, rasa_port=free_port(), shared_state_url="redis://127.0.0.1:6379/6")
    app = create_app(settings)
    with serving(app, settings.gateway_port):
        shared = app.state.gateway.casework.floods
        assert isinstance(shared.addresses, SharedMessageLimit) and isinstance(shared.messages, SharedMessageLimit)
