"""Bodies capped while they arrive (issue 15, item 1): the real gateway under uvicorn on a
loopback port, in front of a fake Rasa and the fake Bot API (Telegram in webhook mode). A chunked
body without Content-Length and a huge declared Content-Length are refused with 413 after at
most the route's limit; /api/chat refuses in the user's language, as it refuses anything else."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.devtools.fake_telegram import FakeTelegram, user_message
from bot.devtools.ports import free_port
from bot.gateway.app import BODY_LIMITS, CONSOLE_FORM_BYTES, create_app
from bot.gateway.body_limit import BodyLimits
from bot.gateway.telegram_webhook import MAX_UPDATE_BYTES, SECRET_HEADER
from bot.gateway.web_api import MAX_BODY_BYTES
from bot.settings import Settings
from tests.conftest import fake_telegram_settings, make_settings
from tests.console_client import serving
from tests.stub_rasa import stub_rasa

WEBHOOK_SECRET = "webhook-secret-for-the-body-limit-tests-01"
TOO_LONG_RU = "Сообщение слишком длинное"
MiB = 1 << 20


@dataclass
class Gateway:
    settings: Settings

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    rasa_port, telegram_port = free_port(), free_port()
    settings = make_settings(tmp_path_factory.mktemp("body-limit"), rasa_port=rasa_port,
                             **fake_telegram_settings(telegram_port),
                             telegram_webhook_url="https://helpline.example/telegram/webhook",
                             telegram_webhook_secret=WEBHOOK_SECRET)
    rasa = stub_rasa()
    with serving(rasa, rasa_port), serving(FakeTelegram().app(), telegram_port), \
            serving(create_app(settings), settings.gateway_port):
        yield Gateway(settings)


@dataclass
class Sent:
    """A chunked body of `total` bytes, counting what the client managed to hand to the socket."""

    total: int
    chunk: int = 64 * 1024
    handed: int = 0         # bytes handed to the socket so far

    def __iter__(self) -> Iterator[bytes]:
        while self.handed < self.total:
            self.handed += self.chunk
            yield b"x" * self.chunk


def flood(gateway: Gateway, path: str, body: Sent, **headers: str) -> int | None:
    """The answer to a body streamed as fast as the socket takes it; None when the gateway reset
    the connection first (it closes after a 413, and a client still sending may see a reset)."""
    with httpx.Client(base_url=gateway.base, timeout=30) as http:
        try:
            return http.post(path, content=body, headers={k.replace("_", "-"): v for k, v in headers.items()}
                             ).status_code
        except httpx.TransportError:
            return None


def chunked(gateway: Gateway, path: str, limit: int, **headers: str) -> bytes:
    """`limit` bytes in chunks, no Content-Length, then one byte more and never the last chunk:
    the answer comes without the end of the body. (The byte more comes alone, so the gateway has
    read everything when it refuses: closing with unread bytes would reset the connection.)"""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked",
             *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items())]
    with socket.create_connection(("127.0.0.1", gateway.settings.gateway_port), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        for start in range(0, limit, 16_384):
            size = min(16_384, limit - start)
            connection.sendall(f"{size:x}\r\n".encode() + b"x" * size + b"\r\n")
        time.sleep(0.3)
        connection.sendall(b"1\r\nx\r\n")
        return answer_to(connection)


def answer_to(connection: socket.socket) -> bytes:
    answer = b""
    while chunk := connection.recv(65536):        # the gateway closes after a 413
        answer += chunk
    return answer


def declare(gateway: Gateway, path: str, length: int, **headers: str) -> bytes:
    """Headers declaring `length` bytes, then a few bytes of body and a wait for the answer."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}",
             *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items())]
    with socket.create_connection(("127.0.0.1", gateway.settings.gateway_port), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b'{"text": "')
        return answer_to(connection)


def test_a_chunked_chat_body_is_refused_in_the_users_language_after_the_limit(gateway: Gateway) -> None:
    answer = chunked(gateway, "/api/chat", MAX_BODY_BYTES, content_type="application/json", accept_language="ru")
    head, _, content = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and b"connection: close" in head.lower()
    refusal = json.loads(content)
    assert refusal["error"] == 413 and TOO_LONG_RU in refusal["messages"][0]["text"]


def test_a_chat_body_streamed_without_end_is_cut_off_after_the_limit(gateway: Gateway) -> None:
    body = Sent(total=64 * MiB)
    answer = flood(gateway, "/api/chat", body, content_type="application/json")
    assert answer in (413, None)
    # the rest was never read: what the client could send is the limit plus socket buffers
    assert body.handed < 16 * MiB


def test_a_huge_declared_chat_body_is_refused_before_it_is_sent(gateway: Gateway) -> None:
    answer = declare(gateway, "/api/chat", 200 * MiB, content_type="application/json", accept_language="ru")
    head, _, content = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert TOO_LONG_RU in json.loads(content)["messages"][0]["text"]


def test_a_body_no_route_reads_is_not_read_either(gateway: Gateway) -> None:
    body = Sent(total=64 * MiB)
    assert flood(gateway, "/", body) in (405, None)     # the page takes GET only: 405 at once
    assert body.handed < 16 * MiB
    with httpx.Client(base_url=gateway.base, timeout=30) as http:    # a body read whole keeps the connection
        assert "connection" not in http.post("/api/chat", json={"text": "hi"}).headers


def test_the_longest_message_a_user_may_type_still_fits(gateway: Gateway) -> None:
    text = "ж" * 4000                   # escaped by JSON as \\u0436: 6 bytes a character
    response = httpx.post(f"{gateway.base}/api/chat", json={"text": text}, timeout=30)
    assert len(json.dumps({"text": text})) < MAX_BODY_BYTES
    assert response.status_code == 200, response.text


def test_a_console_form_past_its_limit_gets_a_plain_413(gateway: Gateway) -> None:
    answer = chunked(gateway, "/console/login", CONSOLE_FORM_BYTES, content_type="application/x-www-form-urlencoded")
    assert answer.startswith(b"HTTP/1.1 413") and b"content-type: text/plain" in answer.lower()
    body = Sent(total=32 * MiB)
    assert flood(gateway, "/console/login", body, content_type="application/x-www-form-urlencoded") in (413, None)
    assert body.handed < 16 * MiB
    answer = declare(gateway, "/console/login", 10 * MiB, content_type="application/x-www-form-urlencoded")
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_webhook_body_past_telegrams_largest_update_is_refused(gateway: Gateway) -> None:
    secret = {"x_telegram_bot_api_secret_token": WEBHOOK_SECRET}
    answer = declare(gateway, "/telegram/webhook", 2 * MiB, content_type="application/json", **secret)
    assert answer.startswith(b"HTTP/1.1 413")
    answer = chunked(gateway, "/telegram/webhook", MAX_UPDATE_BYTES, content_type="application/json", **secret)
    assert answer.startswith(b"HTTP/1.1 413")
    body = Sent(total=32 * MiB)
    assert flood(gateway, "/telegram/webhook", body, content_type="application/json",
                 **{SECRET_HEADER: WEBHOOK_SECRET}) in (413, None)
    assert body.handed < 16 * MiB
    # without the secret the body is never read at all
    assert declare(gateway, "/telegram/webhook", 2 * MiB).startswith(b"HTTP/1.1 403")


def test_a_real_update_still_reaches_the_bot(gateway: Gateway) -> None:
    update = {"update_id": 9001, **user_message(7001, text="ж" * 4096)}
    response = httpx.post(f"{gateway.base}/telegram/webhook", json=update, timeout=30,
                          headers={SECRET_HEADER: WEBHOOK_SECRET})
    assert response.status_code == 200


def test_each_route_has_its_limit() -> None:
    assert BODY_LIMITS.of("/api/chat") == MAX_BODY_BYTES
    assert BODY_LIMITS.of("/telegram/webhook") == MAX_UPDATE_BYTES
    assert BODY_LIMITS.of("/console/cases/7/reply") == BODY_LIMITS.of("/console") == CONSOLE_FORM_BYTES
    assert BODY_LIMITS.of("/consolex") == BODY_LIMITS.of("/healthz") == BODY_LIMITS.default
    assert BodyLimits(routes=[("/a", 1), ("/a/b", 2)], default=3).of("/a/b") == 1     # the first that fits


# -- bodies that trickle in ------------------------------------------------------------------

@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """The gateway with a body deadline of half a second (30 s in production)."""
    from bot.gateway import body_limit

    monkeypatch.setattr(body_limit, "BODY_SECONDS", 0.5)
    rasa_port = free_port()
    settings = make_settings(tmp_path_factory.mktemp("body-slow"), rasa_port=rasa_port)
    rasa = stub_rasa()
    with serving(rasa, rasa_port), serving(create_app(settings), settings.gateway_port):
        yield Gateway(settings)


def trickle(gateway: Gateway, path: str, content_type: str) -> tuple[bytes, float]:
    """Headers for a 100-byte body, then 10 bytes, then nothing: what came back, and when."""
    with socket.create_connection(("127.0.0.1", gateway.settings.gateway_port), timeout=10) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                           "Content-Length: 100\r\nAccept-Language: ru\r\n\r\n".encode() + b'{"text": "')
        started = time.monotonic()
        answer = answer_to(connection)
        return answer, time.monotonic() - started


def test_a_chat_body_that_trickles_in_is_refused_kindly_at_its_deadline(impatient: Gateway) -> None:
    answer, after = trickle(impatient, "/api/chat", "application/json")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408") and b"connection: close" in head.lower()
    assert "Извините" in json.loads(body)["messages"][0]["text"]      # the apology, in Russian
    assert 0.4 < after < 5


def test_a_console_body_that_trickles_in_gets_a_plain_408(impatient: Gateway) -> None:
    answer, after = trickle(impatient, "/console/login", "application/x-www-form-urlencoded")
    assert answer.startswith(b"HTTP/1.1 408") and after < 5


def test_the_deadline_is_generous_for_a_real_message() -> None:
    from bot.gateway import body_limit

    assert body_limit.BODY_SECONDS >= 30          # a 4,000-character message over 2G takes ~1 s


def test_once_the_body_is_whole_a_wait_for_the_client_leaving_has_no_deadline() -> None:
    """A response that listens for a disconnect while it streams (Starlette's FileResponse) reads
    again after the body: that read waits as long as the client stays, never BodyTooSlow."""
    import anyio

    from bot.gateway.body_limit import BodyLimit

    heard: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "http.request"          # the whole body
        heard.append((await receive())["type"])                      # then: wait for the client to go

    async def client() -> dict[str, Any]:
        if not heard and not sent:
            sent.append(1)
            return {"type": "http.request", "body": b"{}", "more_body": False}
        await anyio.sleep(0.3)                                       # longer than the deadline below
        return {"type": "http.disconnect"}

    async def ignore(message: Any) -> None:
        return None

    sent: list[int] = []
    scope = {"type": "http", "path": "/", "headers": [(b"content-length", b"2")]}
    anyio.run(BodyLimit(app, limits=BodyLimits(routes=[], default=100), seconds=0.1), scope, client, ignore)
    assert heard == ["http.disconnect"]


def test_a_content_length_of_other_digits_is_not_a_length() -> None:
    from bot.gateway.body_limit import declared_length

    assert declared_length({"type": "http", "headers": [(b"content-length", "²".encode())]}) is None
    assert declared_length({"type": "http", "headers": [(b"content-length", b" 12 ")]}) == 12
