"""Message limits and languages shared by several gateways, on the real Redis server; and
what happens when Redis cannot answer (the message goes through, the default language)."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from redis.asyncio import Redis

from bot.gateway.conversation import SharedLanguages
from bot.gateway.limits import SharedMessageLimit

REDIS = "redis://127.0.0.1:6379/6"
NOWHERE = "redis://127.0.0.1:1/0"       # nothing listens on port 1


@pytest.mark.redis
def test_two_gateways_share_one_count_per_conversation() -> None:
    async def run() -> None:
        first, second = Redis.from_url(REDIS), Redis.from_url(REDIS)
        prefix = f"test:{secrets.token_hex(4)}:"
        try:
            a, b = SharedMessageLimit(first, 4, prefix), SharedMessageLimit(second, 4, prefix)
            assert [await a.allow("tg:one"), await b.allow("tg:one"), await a.allow("tg:one")] == [True] * 3
            assert await b.allow("tg:one")                 # the fourth, through the other gateway
            assert not await a.allow("tg:one") and not await b.allow("tg:one")
            assert await b.allow("tg:two")                 # another conversation has its own count
            results = await asyncio.gather(*(a.allow("web:burst") for _ in range(10)))
            assert results.count(True) == 4                # concurrent messages: never more than the limit
            assert 0 < await first.ttl(prefix + "tg:one") <= 60   # forgotten after a minute
        finally:
            await first.aclose()
            await second.aclose()
    asyncio.run(run())


@pytest.mark.redis
def test_a_language_chosen_on_one_gateway_is_known_on_the_other_and_forgotten() -> None:
    async def run() -> None:
        first, second = Redis.from_url(REDIS), Redis.from_url(REDIS)
        prefix = f"test:{secrets.token_hex(4)}:"
        try:
            a, b = SharedLanguages(first, 3600, prefix), SharedLanguages(second, 3600, prefix)
            await a.note("web:x", '/choose_language{"language":"ky"}')
            await a.note("web:x", "/menu")                 # not a language choice: nothing changes
            assert await b.get("web:x", "ru") == "ky"
            assert 3500 < await first.ttl(prefix + "web:x") <= 3600
            await b.drop("web:x")                          # /forget on the other gateway
            assert await a.get("web:x", "ru") == "ru"
        finally:
            await first.aclose()
            await second.aclose()
    asyncio.run(run())


def test_without_redis_messages_go_through_in_the_default_language() -> None:
    async def run() -> None:
        down = Redis.from_url(NOWHERE, socket_connect_timeout=0.5)
        try:
            assert await SharedMessageLimit(down, 1).allow("tg:one")
            assert await SharedMessageLimit(down, 1).allow("tg:one")
            languages = SharedLanguages(down, 60)
            await languages.note("tg:one", '/choose_language{"language":"uz"}')
            assert await languages.get("tg:one", "ru") == "ru"
            await languages.drop("tg:one")
        finally:
            await down.aclose()
    asyncio.run(run())
