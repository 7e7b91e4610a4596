"""How many console logins may fail before more are refused, counted in the database (table
login_attempt): every gateway shares one count, and a restart keeps it.

Two budgets, each kept under a key that is an HMAC of its value under the app's secret (never
the e-mail or the IP itself):
* per account (the normalised e-mail, whether or not an account has it): 5 failures in 15
  minutes, then blocked for 15 minutes, 30, 60 … at most 4 hours; a successful login resets it;
* per client address (an IPv6 address's /64, which one client holds): 30 failures in 15 minutes,
  then blocked the same way, so a NAT'd office of caseworkers is not stopped by one person.
An attempt is charged before its password is checked, so checks running at the same time cannot
go past a budget; a successful one takes its charge back. Rows idle for a day are deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import LoginAttempt

MINUTE = dt.timedelta(minutes=1)
KEEP = dt.timedelta(days=1)      # a row idle this long is forgotten, and its lockouts with it


@dataclass(frozen=True)
class Budget:
    failures: int                  # allowed within `window`
    window: dt.timedelta
    first_block: dt.timedelta      # doubles with each block, up to `longest_block`
    longest_block: dt.timedelta

    def block(self, lockouts: int) -> dt.timedelta:
        return min(self.first_block * (1 << min(lockouts, 16)), self.longest_block)


BUDGETS = {"account": Budget(5, 15 * MINUTE, 15 * MINUTE, 240 * MINUTE),
           "address": Budget(30, 15 * MINUTE, 15 * MINUTE, 240 * MINUTE)}


@dataclass(frozen=True)
class Blocked:
    kind: str                      # account | address
    until: dt.datetime
    started: bool                  # this attempt started the block

    def minutes(self, now: dt.datetime) -> int:
        return max(1, math.ceil((self.until - now) / MINUTE))


def client_network(address: str | None) -> str:
    """What one client holds: an IPv4 address, an IPv6 address's /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or ""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def login_keys(secret: bytes, email: str, address: str | None) -> dict[str, str]:
    """The keys of a login's two budgets; `email` is already normalised."""
    key = hmac.new(secret, b"login throttle", hashlib.sha256).digest()

    def mac(kind: str, value: str) -> str:
        return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return {"account": mac("account", email), "address": mac("address", client_network(address))}


def charge(session: Session, keys: dict[str, str], now: dt.datetime) -> Blocked | None:
    """Count one attempt against every budget, or say which one refuses it (nothing counted then)."""
    rows = _locked_rows(session, keys, now)
    for row in rows:
        if row.blocked_until is not None and row.blocked_until > now:
            return Blocked(row.kind, row.blocked_until, started=False)
    for row in rows:
        if row.window_start + BUDGETS[row.kind].window <= now:
            row.failures, row.window_start = 0, now
    spent = [row for row in rows if row.failures >= BUDGETS[row.kind].failures]
    for row in spent:
        row.blocked_until = now + BUDGETS[row.kind].block(row.lockouts)
        row.lockouts, row.failures, row.window_start, row.updated_at = row.lockouts + 1, 0, now, now
    if spent:
        return Blocked(spent[0].kind, max(row.blocked_until or now for row in spent), started=True)
    for row in rows:
        row.failures, row.updated_at = row.failures + 1, now
    return None


def succeeded(session: Session, keys: dict[str, str], now: dt.datetime) -> None:
    """The right password: the account starts afresh, the address gets its charge back."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.kind == "account",
                                               LoginAttempt.key_hash == keys["account"]))
    session.execute(update(LoginAttempt).where(LoginAttempt.kind == "address",
                                               LoginAttempt.key_hash == keys["address"])
                    .values(failures=case((LoginAttempt.failures > 0, LoginAttempt.failures - 1), else_=0),
                            updated_at=now))


def _locked_rows(session: Session, keys: dict[str, str], now: dt.datetime) -> list[LoginAttempt]:
    """The budgets' rows, made if missing and locked for this transaction. The first statement
    writes, so SQLite takes its write lock before reading (no upgrade to fail later)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.updated_at < now - KEEP))
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(LoginAttempt).values([
        {"kind": kind, "key_hash": key, "failures": 0, "window_start": now, "blocked_until": None,
         "lockouts": 0, "updated_at": now} for kind, key in sorted(keys.items())]).on_conflict_do_nothing())
    wanted = or_(*(and_(LoginAttempt.kind == kind, LoginAttempt.key_hash == key) for kind, key in keys.items()))
    return list(session.scalars(select(LoginAttempt).where(wanted).order_by(LoginAttempt.kind)
                                .with_for_update().execution_options(populate_existing=True)))
