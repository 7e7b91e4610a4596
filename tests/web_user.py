"""One person on the web chat, for end-to-end tests: a session id and `POST /api/chat`."""

from __future__ import annotations

from types import TracebackType

import httpx

from bot.gateway.session_ids import sign
from bot.processes import Stack
from tests.conftest import TEST_KEYS


def web_session(name: str) -> str:
    """The session id a test gateway would issue for the conversation `name` (signed with the
    test key): tests name conversations, `conversation_key("web", name)` finds them in the stores."""
    return sign(TEST_KEYS, name)


def gateway_url(stack: Stack) -> str:
    return f"http://{stack.settings.gateway_host}:{stack.settings.gateway_port}"


class WebUser:
    def __init__(self, base: str, session_id: str, *, timeout: float = 60) -> None:
        self.session_id = web_session(session_id)
        self.http = httpx.Client(base_url=base, timeout=timeout)

    def say(self, **body: str) -> list[dict[str, object]]:
        """A typed text (text=…) or a button press (payload=…); the messages that came back."""
        response = self.http.post("/api/chat", json={"session_id": self.session_id, **body})
        response.raise_for_status()
        result: list[dict[str, object]] = response.json()["messages"]
        return result

    def texts(self, **body: str) -> list[str]:
        return [str(message.get("text")) for message in self.say(**body)]

    def __enter__(self) -> WebUser:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.http.close()
