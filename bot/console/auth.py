"""Console accounts and sessions: argon2 password hashes (bot/console/passwords.py), server-side
sessions whose cookie holds a random token (the table keeps only its hash), a CSRF token per
session, and logins limited in the database (bot/console/throttle.py) and in each process.

An account with a second factor (bot/console/totp.py) logs in in two steps. After the e-mail
and password it always gets the code step, right password or wrong (a waiting session of stage
"code" or "wrong", one code, five minutes), and only then hears "wrong": the password alone
tells nothing. The password step is charged to the login limit and keeps its charge until the
code is right, so every code tried costs one attempt. A logged-in account may still be held: it
must change a one-time password first, or (an admin) switch a second factor on; until then
`current` finds no session for it and only the account pages (`session_of`) serve it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.cases.service import audit
from bot.console import throttle, totp
from bot.console.passwords import Busy, Checked, PasswordChecks, dummy_hash, hash_password
from bot.db.base import utcnow
from bot.db.models import Account, ConsoleSession, Role
from bot.privacy.forget import delete_expired_sessions
from bot.privacy.keys import Keys

T = TypeVar("T")
CODE_STEP = dt.timedelta(minutes=5)      # how long a password step waits for its code
Hold = Literal["password", "totp"]


class Database(Protocol):
    """Runs a function in a transaction on a worker thread (`Database.run`, bot/db/database.py)."""

    def __call__(self, work: Callable[[Session], T]) -> Awaitable[T]: ...


def normalise_email(email: str) -> str:
    """The one spelling of an address, for storing, finding and limiting: NFKC (fullwidth letters
    become plain ones), case folded, and without any whitespace or invisible format character
    (none belongs in an address, at its ends or inside)."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", email).casefold())
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_address(address: str) -> bool:
    """Whether a normalised address looks like one: one "@" with something on each side, at most 254."""
    return 3 <= len(address) <= 254 and address.count("@") == 1 and not address.startswith("@") \
        and not address.endswith("@")


def add_account(session: Session, *, organisation: str, email: str, role: Role, password: str) -> Account:
    address = normalise_email(email)
    if not is_address(address):
        raise ValueError(f"{address!r} is not an e-mail address")
    account = Account(organisation_id=organisation, email=address, role=role, password_hash=hash_password(password))
    session.add(account)
    session.flush()
    audit(session, account.id, None, "account.create", f"role={role.value}")
    return account


@dataclass(frozen=True)
class Stored:
    """What a login checks the password against: the account's hash, or a dummy one."""

    account_id: int | None
    password_hash: str


def stored_for(session: Session, email: str) -> Stored:
    account = session.scalars(select(Account).where(Account.email == normalise_email(email))).first()
    return Stored(account.id, account.password_hash) if account else Stored(None, dummy_hash())


def password_accepts(session: Session, stored: Stored, checked: Checked) -> Account | None:
    """The account if the password was right, the account active and a one-time password not
    expired (its hash renewed if it was made with other parameters); failures audited."""
    account = session.get(Account, stored.account_id) if stored.account_id is not None else None
    if not checked.ok:
        audit(session, stored.account_id, None, "login.failed")
        return None
    if account is None or not account.active:
        return None
    if account.password_expires_at is not None and account.password_expires_at <= utcnow():
        audit(session, account.id, None, "login.failed", "one-time password expired")
        return None
    if checked.new_hash is not None:
        account.password_hash = checked.new_hash
    return account


def logged_in(session: Session, account: Account) -> None:
    account.last_login_at = utcnow()
    audit(session, account.id, None, "login")


def hold(account: Account) -> Hold | None:
    """What a logged-in account must do before anything else: change a one-time password, or
    (an admin) switch a second factor on."""
    if account.must_change_password:
        return "password"
    if totp.required(account) and not totp.enabled(account):
        return "totp"
    return None


@dataclass(frozen=True)
class Login:
    outcome: Literal["in", "code", "wrong", "blocked", "busy", "again"]
    token: str | None = None          # the new session's cookie ("in"), or the waiting one's ("code")
    minutes: int = 0                  # how long until another try ("blocked")
    hold: Hold | None = None          # what the account must do first ("in")


async def log_in(db: Database, checks: PasswordChecks, keys: Keys, *, email: str, password: str,
                 address: str | None, hours: float) -> Login:
    """A console login from `address`: refused while its account or address is blocked, or while
    every password check of this process is taken; else checked, counted and audited."""
    email = normalise_email(email)
    budgets = throttle.login_keys(keys.secret, email, address)

    def charge(session: Session) -> Stored | Login:
        now = utcnow()
        blocked = throttle.charge(session, budgets, now)
        stored = stored_for(session, email)
        if blocked is None:
            return stored
        if blocked.started:
            audit(session, stored.account_id, None, "login.blocked", blocked.kind)
        return Login("blocked", minutes=blocked.minutes(now))

    def settle(session: Session, stored: Stored, checked: Checked) -> Login:
        found = session.get(Account, stored.account_id) if stored.account_id is not None else None
        account = password_accepts(session, stored, checked)
        if found is not None and totp.enabled(found):
            return Login("code", token=start_code_step(session, found, right=account is not None))
        if account is None:
            return Login("wrong")
        logged_in(session, account)
        throttle.succeeded(session, budgets, utcnow())
        return Login("in", token=start_session(session, account, hours), hold=hold(account))
    try:
        async with checks.turn():
            found = await db(charge)
            if isinstance(found, Login):
                return found
            checked = await checks.check(found.password_hash, password)
            return await db(lambda session: settle(session, found, checked))
    except Busy:
        return Login("busy")


def start_code_step(session: Session, account: Account, *, right: bool) -> str:
    """A session waiting for the code, whether the password was `right` or not."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(ConsoleSession(token_hash=_token_hash(token), account_id=account.id,
                               csrf_token=secrets.token_urlsafe(32), created_at=now,
                               expires_at=now + CODE_STEP, stage="code" if right else "wrong"))
    return token


def waiting(session: Session, token: str | None) -> ConsoleSession | None:
    """The session waiting for its code (one of stage "code" or "wrong": they look the same)."""
    found = session.get(ConsoleSession, _token_hash(token)) if token else None
    if found is None or found.stage == "in" or found.expires_at <= utcnow():
        return None
    return found


async def enter_code(db: Database, keys: Keys, *, token: str | None, code: str, address: str | None,
                     hours: float) -> Login:
    """The code step: the waiting session is used up whatever the code; the account is in if its
    password was right and the code is right and new."""
    def settle(session: Session) -> Login:
        now = utcnow()
        # used up by its first statement, a write: of two requests with one token only one finds
        # it, and SQLite takes its write lock before anything is read
        used = session.execute(delete(ConsoleSession).where(
            ConsoleSession.token_hash == _token_hash(token or ""), ConsoleSession.stage != "in")
            .returning(ConsoleSession.account_id, ConsoleSession.stage, ConsoleSession.expires_at)).first()
        if used is None or used.expires_at <= now:
            return Login("again")
        account = session.get(Account, used.account_id)
        if used.stage != "code" or account is None or not account.active:
            return Login("wrong")
        if not totp.take_code(session, keys, account, code, now):
            audit(session, account.id, None, "login.failed", "code")
            return Login("wrong")
        logged_in(session, account)
        throttle.succeeded(session, throttle.login_keys(keys.secret, account.email, address), now)
        return Login("in", token=start_session(session, account, hours), hold=hold(account))
    return await db(settle)


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


def session_of(session: Session, token: str | None) -> tuple[Account, ConsoleSession] | None:
    """The logged-in account and its session, held or not (the account pages)."""
    if not token:
        return None
    found = session.get(ConsoleSession, _token_hash(token))
    if found is None or found.stage != "in" or found.expires_at <= utcnow():
        return None
    account = session.get(Account, found.account_id)
    if account is None or not account.active:
        return None
    return account, found


def current(session: Session, token: str | None) -> tuple[Account, ConsoleSession] | None:
    """The logged-in account and its session, unless the account is held (every other page)."""
    found = session_of(session, token)
    return found if found is not None and hold(found[0]) is None else None


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _token_hash(token)))


def end_sessions(session: Session, account_id: int, *, keep: str | None = None) -> None:
    """Every session of the account ends (but the one whose token hash is `keep`): after a
    password change or a reset."""
    ended = delete(ConsoleSession).where(ConsoleSession.account_id == account_id)
    if keep is not None:
        ended = ended.where(ConsoleSession.token_hash != keep)
    session.execute(ended)


def csrf_ok(console_session: ConsoleSession, given: str | None) -> bool:
    # bytes: compare_digest refuses non-ASCII str, and a forged form may carry anything
    return given is not None and hmac.compare_digest(console_session.csrf_token.encode(), given.encode())


@dataclass
class LoginLimiter:
    """This process's part of the login limit: its password checks, made on the first login
    (the failures themselves are counted in the database, for every gateway at once)."""

    checks: PasswordChecks | None = None

    def password_checks(self, size: int) -> PasswordChecks:
        if self.checks is None:
            self.checks = PasswordChecks(size)
        return self.checks
