"""What an account does to itself and what an admin does to other accounts: change a password,
set a one-time password, take a second factor away, end every session. Every change is audited
(the actor's id, and the account changed as `account=<id>`; the command line acts as none).

Who may reset whom is one rule (`may_manage`): an admin resets the accounts of its own
organisation but not a global admin's, a global admin any account, nobody their own (they
change it, knowing the current one). A reset ends every session of the account changed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.service import audit
from bot.console import throttle, totp
from bot.console.auth import Database, end_sessions, normalise_email
from bot.console.passwords import MIN_PASSWORD, Busy, Checked, PasswordChecks
from bot.db.base import utcnow
from bot.db.models import Account, Role
from bot.privacy.keys import Keys

ONE_TIME_VALID = dt.timedelta(hours=72)      # a one-time password stops working after this
ADMINS = frozenset({Role.admin, Role.global_admin})

Changed = Literal["changed", "wrong", "blocked", "busy", "short", "same", "differ"]


def may_manage(actor: Account, target: Account) -> bool:
    if actor.id == target.id or not actor.active:
        return False
    if actor.role is Role.global_admin:
        return True
    return (actor.role is Role.admin and target.organisation_id == actor.organisation_id
            and target.role is not Role.global_admin)


def managed_by(session: Session, actor: Account) -> list[Account]:
    """The accounts an admin sees on the accounts page (its own among them), by e-mail."""
    if actor.role not in ADMINS:
        return []
    found = select(Account).order_by(Account.organisation_id, Account.email)
    if actor.role is not Role.global_admin:
        found = found.where(Account.organisation_id == actor.organisation_id)
    return list(session.scalars(found))


def new_password_problem(current: str, new: str, again: str) -> Changed | None:
    """The rules of account creation (at least MIN_PASSWORD characters), typed twice, and not
    the one it replaces."""
    if len(new) < MIN_PASSWORD:
        return "short"
    if new != again:
        return "differ"
    if new == current:
        return "same"
    return None


async def change_password(db: Database, checks: PasswordChecks, keys: Keys, *, account_id: int,
                          keep: str, current: str, new: str, again: str, address: str | None) -> Changed:
    """The account's own change: the current password is checked as a login is (the same limit,
    so a borrowed session cannot guess it), then every session of the account but `keep` (the
    token hash of the one it was changed in) ends."""
    problem = new_password_problem(current, new, again)
    if problem is not None:
        return problem

    def charge(session: Session) -> tuple[str, dict[str, str]] | Changed:
        account = session.get(Account, account_id)
        assert account is not None
        budgets = throttle.login_keys(keys.secret, normalise_email(account.email), address)
        if throttle.charge(session, budgets, utcnow()) is not None:
            return "blocked"
        return account.password_hash, budgets

    def settle(session: Session, checked: Checked, new_hash: str | None, budgets: dict[str, str]) -> Changed:
        account = session.get(Account, account_id)
        assert account is not None
        if not checked.ok or new_hash is None:
            audit(session, account.id, None, "password.change_failed")
            return "wrong"
        account.password_hash, account.must_change_password, account.password_expires_at = new_hash, False, None
        end_sessions(session, account.id, keep=keep)
        throttle.succeeded(session, budgets, utcnow())
        audit(session, account.id, None, "password.change")
        return "changed"
    try:
        async with checks.turn():
            found = await db(charge)
            if isinstance(found, str):
                return found
            stored, budgets = found
            checked = await checks.check(stored, current)
            new_hash = await checks.hash(new) if checked.ok else None
            return await db(lambda session: settle(session, checked, new_hash, budgets))
    except Busy:
        return "busy"


def _whom(actor: Account | None, target: Account) -> str:
    return f"account={target.id}" if actor else f"account={target.id}; command line"


def one_time_password() -> str:
    return secrets.token_urlsafe(12)      # 16 characters, 96 bits


def set_one_time_password(session: Session, actor: Account | None, target: Account, password_hash: str,
                          now: dt.datetime) -> None:
    """`target` logs in with the one-time password (hashed by the caller) within ONE_TIME_VALID
    and must change it first; its sessions end. `actor` None: the command line."""
    target.password_hash, target.must_change_password = password_hash, True
    target.password_expires_at = now + ONE_TIME_VALID
    end_sessions(session, target.id)
    audit(session, actor.id if actor else None, None, "password.reset", _whom(actor, target))


def end_all_sessions(session: Session, actor: Account | None, target: Account) -> None:
    """Log `target` out everywhere (a lost laptop) without changing anything else."""
    end_sessions(session, target.id)
    audit(session, actor.id if actor else None, None, "sessions.end", _whom(actor, target))


def reset_second_factor(session: Session, actor: Account | None, target: Account) -> None:
    """`target` has no second factor any more (an admin enrols again at the next login); its
    sessions end. `actor` None: the command line."""
    totp.clear(target)
    end_sessions(session, target.id)
    audit(session, actor.id if actor else None, None, "totp.reset", _whom(actor, target))


@dataclass(frozen=True)
class Reset:
    email: str
    password: str | None = None      # the one-time password, shown once


Change = Callable[[Session, Account | None, Account], None]


async def manage(db: Database, change: Change, *, actor_id: int, target_id: int) -> Reset | None:
    """`change(session, actor, target)` if the actor may manage the target; None if not."""
    def run(session: Session) -> Reset | None:
        actor, target = session.get(Account, actor_id), session.get(Account, target_id)
        if actor is None or target is None or not may_manage(actor, target):
            return None
        change(session, actor, target)
        return Reset(target.email)
    return await db(run)


async def reset_password(db: Database, checks: PasswordChecks, *, actor_id: int, target_id: int) -> Reset | None:
    """An admin's reset of another account's password; None if the actor may not (asked before
    the hash is made, so a refused reset takes none of the login checks)."""
    def allowed(session: Session) -> bool:
        actor, target = session.get(Account, actor_id), session.get(Account, target_id)
        return actor is not None and target is not None and may_manage(actor, target)
    if not await db(allowed):
        return None
    password = one_time_password()
    async with checks.turn():                 # `Busy` when every check is taken
        password_hash = await checks.hash(password)

    def change(session: Session, actor: Account | None, target: Account) -> None:
        set_one_time_password(session, actor, target, password_hash, utcnow())
    done = await manage(db, change, actor_id=actor_id, target_id=target_id)
    return Reset(done.email, password) if done else None
