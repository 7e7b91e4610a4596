"""The relay (bot/gateway/relay.py) on a real SQLite database with a fake Channel: caseworkers'
messages reach the channel in order, count as delivered only once the channel says so, and a
closed case forgets its sealed address after its last message; an unreadable address is not
sent to; only the holder of the lease runs a pass."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cases import service
from bot.db.database import Database
from bot.db.engine import make_engine, make_sessions
from bot.db.models import Case, CaseMessage, Sender
from bot.db.prepare import prepare_database
from bot.gateway.channels import Delivered
from bot.gateway.live_replies import LiveReplies
from bot.gateway.relay import Relay
from bot.privacy.keys import Keys
from bot.replies import CASE_END, Reply, Responder
from tests.conftest import TEST_KEYS, make_settings


@dataclass
class FakeChannel:
    """Takes every message; delivers it when the test says so."""

    sent: list[tuple[str, Reply]] = field(default_factory=list)
    waiting: list[Delivered] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "telegram"

    def accepts(self, address: str) -> bool:
        return address.isdigit()

    async def send(self, address: str, reply: Reply, delivered: Delivered) -> None:
        self.sent.append((address, reply))
        self.waiting.append(delivered)

    async def arrive(self) -> None:
        while self.waiting:
            await self.waiting.pop(0)()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    settings = make_settings(tmp_path)
    engine = make_engine(settings.database)
    prepare_database(settings, engine)
    try:
        yield Database(engine, make_sessions(engine))
    finally:
        engine.dispose()


def relay_on(database: Database, tmp_path: Path, responder: Responder, channel: FakeChannel) -> Relay:
    return Relay(settings=make_settings(tmp_path), database=database, replies=LiveReplies(responder),
                 keys=TEST_KEYS, channel=channel)


def open_case(database: Database, address: str, *, keys: Keys = TEST_KEYS) -> int:
    with database.sessions.begin() as session:
        case, _ = service.open_case(session, service.Opening(
            conversation=f"tg:{address}", channel="telegram", organisation_id="helpline", language="ru",
            address=keys.seal(address)))
        return case.id


def write(database: Database, case_id: int, sender: Sender, body: str) -> None:
    with database.sessions.begin() as session:
        case = session.get(Case, case_id)
        assert case is not None
        service.add_message(session, case, sender, body)


def undelivered(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(session.scalars(select(CaseMessage.body).where(CaseMessage.delivered_at.is_(None))))


async def test_messages_reach_the_channel_in_order_and_count_once_it_took_them(
        database: Database, tmp_path: Path, responder: Responder) -> None:
    channel = FakeChannel()
    relay = relay_on(database, tmp_path, responder, channel)
    case_id = open_case(database, "7001")
    write(database, case_id, Sender.caseworker, "first")
    write(database, case_id, Sender.system, "second")
    assert await relay.one_pass(False)
    assert [(address, reply.text) for address, reply in channel.sent] == [("7001", "first"), ("7001", "second")]
    assert channel.sent[0][1].buttons[0].payload == CASE_END and channel.sent[1][1].buttons == ()
    await relay.deliver()                                     # in flight: not sent twice
    assert len(channel.sent) == 2 and undelivered(database) == ["first", "second"]
    await channel.arrive()
    assert undelivered(database) == [] and relay.in_flight == set()


async def test_a_closed_case_forgets_its_address_after_its_last_message(
        database: Database, tmp_path: Path, responder: Responder) -> None:
    channel = FakeChannel()
    relay = relay_on(database, tmp_path, responder, channel)
    case_id = open_case(database, "7002")
    write(database, case_id, Sender.system, "the end")
    with database.sessions.begin() as session:
        case = session.get(Case, case_id)
        assert case is not None and service.close(session, case, by="caseworker", outcome="other")
    await relay.deliver()
    with database.sessions() as session:
        assert session.get(Case, case_id).address is not None        # type: ignore[union-attr]
    await channel.arrive()
    with database.sessions() as session:
        assert session.get(Case, case_id).address is None            # type: ignore[union-attr]


async def test_an_unreadable_address_is_not_sent_to(database: Database, tmp_path: Path, responder: Responder) -> None:
    channel = FakeChannel()
    relay = relay_on(database, tmp_path, responder, channel)
    other_key = open_case(database, "7003", keys=Keys(b"another secret key, not the gateway's own!"))
    not_a_chat = open_case(database, "someone")
    write(database, other_key, Sender.caseworker, "sealed with another key")
    write(database, not_a_chat, Sender.caseworker, "not this channel's address")
    await relay.deliver()
    assert channel.sent == [] and undelivered(database) == []       # nobody to send them to


async def test_only_the_lease_holder_runs_a_pass(database: Database, tmp_path: Path, responder: Responder) -> None:
    first, second = FakeChannel(), FakeChannel()
    one = relay_on(database, tmp_path, responder, first)
    other = relay_on(database, tmp_path, responder, second)
    write(database, open_case(database, "7004"), Sender.caseworker, "once")
    assert await one.one_pass(False) and not await other.one_pass(False)
    assert len(first.sent) == 1 and second.sent == []
