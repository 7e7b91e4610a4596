"""A second factor for console accounts: time-based one-time codes (RFC 6238, 30-second steps,
six digits, the kind every authenticator app makes), optional for anyone, required for admins.

The secret is stored sealed (AES-GCM under a key derived from the app's secret, bound to its
account: a sealed secret copied to another row does not open) and never logged. Enrolment keeps
a new secret beside the account until a first code from the app confirms it. A code is taken
for its own step or one step either side (clocks drift), and only for a step later than the last
one taken, so a code seen over someone's shoulder cannot be used again. An admin who lost the
app is reset by another admin (bot/console/accounts.py) or on the command line
(`helpline user reset-totp`); so is everyone after HELPLINE_SECRET_KEY changes, since no sealed
secret opens then (the code step answers "wrong").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from bot.cases.service import audit
from bot.db.models import Account, Role
from bot.privacy.keys import Keys, SealError

ISSUER = "Helpline console"
STEP = 30                      # seconds
DIGITS = 6
DRIFT = 1                      # steps either side of now
REQUIRED = frozenset({Role.admin, Role.global_admin})


def _key(keys: Keys) -> bytes:
    return hmac.new(keys.secret, b"console totp", hashlib.sha256).digest()


def seal(keys: Keys, account_id: int, secret: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(keys)).encrypt(nonce, secret.encode(), f"totp:{account_id}".encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(keys: Keys, account_id: int, sealed: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(_key(keys)).decrypt(raw[:12], raw[12:], f"totp:{account_id}".encode()).decode()
    except (InvalidTag, ValueError) as error:
        raise SealError("this TOTP secret was not sealed with the current secret key for this account") from error


def enabled(account: Account) -> bool:
    return account.totp_enabled_at is not None and account.totp_secret is not None


def required(account: Account) -> bool:
    return account.role in REQUIRED


def uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads (typed in, or pasted)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).provisioning_uri(name=email, issuer_name=ISSUER)


def step_at(now: dt.datetime) -> int:
    return int(now.timestamp()) // STEP


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP).generate_otp(step)


def matching_step(secret: str, code: str, now: dt.datetime, after: int | None) -> int | None:
    """The step within the drift that `code` belongs to, if it is later than `after`."""
    given = "".join(code.split())
    if len(given) != DIGITS or not given.isascii() or not given.isdigit():
        return None
    near = range(step_at(now) - DRIFT, step_at(now) + DRIFT + 1)
    matches = [step for step in near if hmac.compare_digest(code_at(secret, step).encode(), given.encode())]
    return next((step for step in matches if after is None or step > after), None)


def start_enrolment(session: Session, keys: Keys, account: Account) -> str:
    """A new secret kept beside the account, not yet asked for at login; returns it."""
    if enabled(account):
        raise ValueError("this account already has a second factor; an admin resets it first")
    secret = pyotp.random_base32()
    account.totp_secret, account.totp_last_step = seal(keys, account.id, secret), None
    audit(session, account.id, None, "totp.enrol")
    return secret


def pending_secret(keys: Keys, account: Account) -> str | None:
    """The secret an enrolment is waiting to confirm (None: none started, already on, or sealed
    under a secret key that has changed since: then it starts again)."""
    if enabled(account) or account.totp_secret is None:
        return None
    try:
        return unseal(keys, account.id, account.totp_secret)
    except SealError:
        return None


def confirm_enrolment(session: Session, keys: Keys, account: Account, code: str, now: dt.datetime) -> bool:
    """Switch the second factor on if `code` is right for the waiting secret."""
    secret = pending_secret(keys, account)
    step = matching_step(secret, code, now, None) if secret is not None else None
    if step is None:
        audit(session, account.id, None, "totp.enrol_failed")
        return False
    account.totp_enabled_at, account.totp_last_step = now, step
    audit(session, account.id, None, "totp.on")
    return True


def take_code(session: Session, keys: Keys, account: Account, code: str, now: dt.datetime) -> bool:
    """A login's code: right, and for a step after the last one taken (claimed in the database,
    so two requests with one code cannot both pass)."""
    if not enabled(account):
        return False
    assert account.totp_secret is not None
    try:
        secret = unseal(keys, account.id, account.totp_secret)
    except SealError:
        return False
    step = matching_step(secret, code, now, account.totp_last_step)
    if step is None:
        return False
    claimed = session.execute(
        update(Account).where(Account.id == account.id,
                              or_(Account.totp_last_step.is_(None), Account.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    return getattr(claimed, "rowcount", 0) == 1


def clear(account: Account) -> None:
    """No second factor any more (the next login asks for none; an admin is sent to enrol)."""
    account.totp_secret = account.totp_enabled_at = account.totp_last_step = None
