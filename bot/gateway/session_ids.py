"""Web chat session ids that only the gateway can make: a random part and its HMAC under the
gateway's secret key ("<random>.<tag>"). A browser cannot choose its own id, guess another
visitor's, or bring back an old-format one: anything that does not verify starts a new
conversation with a new id (never the one it named).

The conversation's pseudonym is made from the random part (`Keys.conversation("web", …)`), so
the raw id never reaches Rasa, the case tables or the logs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from bot.privacy.keys import Keys

RANDOM = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
TAG_CHARS = 22          # 128 bits of HMAC-SHA256, base64url without padding
PURPOSE = b"web session id"


def _tag(keys: Keys, body: str) -> str:
    key = hmac.new(keys.secret, PURPOSE, hashlib.sha256).digest()
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TAG_CHARS]


def sign(keys: Keys, body: str) -> str:
    """The session id for `body` (tests name their conversations with this)."""
    if not RANDOM.match(body):
        raise ValueError("a session id's random part is 8-64 characters of A-Z a-z 0-9 _ -")
    return f"{body}.{_tag(keys, body)}"


def issue(keys: Keys) -> str:
    return sign(keys, secrets.token_urlsafe(18))


def verified(keys: Keys, session_id: object) -> str | None:
    """The random part of an id this gateway's key signed, else None (compared in constant time)."""
    if not isinstance(session_id, str) or len(session_id) > 64 + 1 + TAG_CHARS:
        return None
    body, dot, tag = session_id.partition(".")
    if not dot or not RANDOM.match(body) or len(tag) != TAG_CHARS:
        return None
    return body if hmac.compare_digest(tag.encode(), _tag(keys, body).encode()) else None
