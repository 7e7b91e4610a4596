"""Conversation keys that cannot be turned back into a Telegram id, and sealed addresses that
only the gateway can open.

Rasa's tracker store, the case tables and the logs see `tg:<keyed hash>` / `web:<keyed hash>`,
never a chat id or a browser's session id. Where the gateway must reach the user again (a
caseworker's reply on Telegram), the chat id is stored sealed (AES-GCM). Both keys derive from
one secret (HELPLINE_SECRET_KEY, or a key file made on first start for the laptop default).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIXES = {"telegram": "tg", "web": "web"}     # channel -> its conversation keys' prefix
_CHANNELS = {f"{prefix}:": channel for channel, prefix in PREFIXES.items()}


def channel_of(conversation: str, default: str = "other") -> str:
    """The channel a conversation key belongs to (telegram, web), from its prefix."""
    prefix, colon, _ = conversation.partition(":")
    return _CHANNELS.get(prefix + colon, default)
MIN_SECRET_CHARS = 32


class SealError(ValueError):
    """A sealed value that this key did not seal (another key, or tampered with)."""


@dataclass(frozen=True)
class Keys:
    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the secret key must have at least {MIN_SECRET_CHARS} characters")

    def _derive(self, purpose: str) -> bytes:
        return hmac.new(self.secret, purpose.encode(), hashlib.sha256).digest()

    def conversation(self, channel: str, raw: str | int) -> str:
        """The key of a conversation: stable for the same chat, unlinkable without the secret."""
        digest = hmac.new(self._derive("conversation"), f"{channel}:{raw}".encode(), hashlib.sha256)
        return f"{PREFIXES[channel]}:{digest.hexdigest()[:40]}"

    def seal(self, value: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self._derive("address")).encrypt(nonce, value.encode(), b"address")
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def unseal(self, token: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(token.encode())
            return AESGCM(self._derive("address")).decrypt(raw[:12], raw[12:], b"address").decode()
        except (InvalidTag, ValueError) as error:
            raise SealError("this value was not sealed with the current secret key") from error


def load_keys(secret: str | None, key_file: Path) -> Keys:
    """Keys from the configured secret, else from `key_file` (made on first use, mode 0600).

    Losing the key file orphans nothing dangerous: old conversation keys stop matching, so the
    bot starts fresh with everyone, and sealed addresses of open cases can no longer be read."""
    if secret:
        return Keys(secret.encode())
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        made = key_file.with_name(f".{key_file.name}.{os.getpid()}")
        descriptor = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(made, key_file)          # atomic: the first process to start wins
        except FileExistsError:
            pass
        finally:
            made.unlink()
    return Keys(key_file.read_text().strip().encode())
