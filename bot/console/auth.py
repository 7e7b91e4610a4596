"""Console accounts and sessions: argon2 password hashes, server-side sessions whose cookie
holds a random token (the table keeps only its hash), a CSRF token per session, and a limit
on failed logins."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.cases.service import audit
from bot.db.base import utcnow
from bot.db.models import Account, ConsoleSession, Role

HASHER = PasswordHasher()
MIN_PASSWORD = 12


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps the time of an unknown e-mail like that of a wrong password."""
    return HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    return HASHER.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_account(session: Session, *, organisation: str, email: str, role: Role, password: str) -> Account:
    account = Account(organisation_id=organisation, email=email.strip().lower(), role=role,
                      password_hash=hash_password(password))
    session.add(account)
    session.flush()
    audit(session, account.id, None, "account.create", f"role={role.value}")
    return account


def authenticate(session: Session, email: str, password: str) -> Account | None:
    account = session.scalars(select(Account).where(Account.email == email.strip().lower())).first()
    try:
        HASHER.verify(account.password_hash if account else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        audit(session, account.id if account else None, None, "login.failed")
        return None
    if account is None or not account.active:
        return None
    if HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = HASHER.hash(password)
    account.last_login_at = utcnow()
    audit(session, account.id, None, "login")
    return account


def start_session(session: Session, account: Account, hours: float) -> str:
    """A new session; returns the cookie value (only its hash is stored). Expired sessions
    (anyone's) are deleted on the way."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    delete_expired_sessions(session, now)
    session.add(ConsoleSession(token_hash=_token_hash(token), account_id=account.id,
                               csrf_token=secrets.token_urlsafe(32), created_at=now,
                               expires_at=now + dt.timedelta(hours=hours)))
    return token


def current(session: Session, token: str | None) -> tuple[Account, ConsoleSession] | None:
    if not token:
        return None
    found = session.get(ConsoleSession, _token_hash(token))
    if found is None or found.expires_at <= utcnow():
        return None
    account = session.get(Account, found.account_id)
    if account is None or not account.active:
        return None
    return account, found


def delete_expired_sessions(session: Session, now: dt.datetime) -> int:
    """Sessions past their expiry (a login and the retention purge call this); how many."""
    result = session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))


def csrf_ok(console_session: ConsoleSession, given: str | None) -> bool:
    # bytes: compare_digest refuses non-ASCII str, and a forged form may carry anything
    return given is not None and hmac.compare_digest(console_session.csrf_token.encode(), given.encode())


@dataclass
class LoginLimiter:
    """At most `attempts` failed logins per key (e-mail and address) within `window` seconds."""

    attempts: int = 5
    window: float = 900.0
    failures: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def blocked(self, key: str) -> bool:
        recent = self.failures[key]
        while recent and recent[0] < time.monotonic() - self.window:
            recent.popleft()
        if not recent:
            del self.failures[key]
            return False
        return len(recent) >= self.attempts

    def failed(self, key: str) -> None:
        self.failures[key].append(time.monotonic())

    def succeeded(self, key: str) -> None:
        self.failures.pop(key, None)
