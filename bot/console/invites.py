"""One-time links an admin passes on by hand (there is no mail server): an invitation to a new
account, and a password reset. The admin sees the link once; only its token's hash is kept
(`AccountLink`). A link works once, for LINK_VALID: the person opening it chooses a password (the
rules of a password change) and the link is used up in the same statement that checks it, so of
two requests with one link only one succeeds.

An invitation names an e-mail that has no account, a role the admin may grant and (a global
admin's) an organisation; accepting it makes the account. A reset link ends the account's
sessions when it is made and again when it is used; the old password works until then. Every
step is audited with the actor and `account=<id>` or `invite=<id>`: never a token or an e-mail.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.cases.service import audit
from bot.console.accounts import ADMINS, new_password_problem
from bot.console.auth import Database, _token_hash, end_sessions, is_address, normalise_email
from bot.console.passwords import Busy, PasswordChecks
from bot.db.base import utcnow
from bot.db.models import Account, AccountLink, Organisation, Role

LINK_VALID = dt.timedelta(hours=72)
KEPT = dt.timedelta(days=30)      # a used or expired link is deleted this long after it expired

Refused = Literal["email", "taken", "role", "organisation"]
State = Literal["open", "used", "expired", "unknown"]
Used = Literal["done", "short", "differ", "used", "expired", "unknown", "taken", "busy"]


def grantable(actor: Account) -> list[Role]:
    """The roles an admin may give: a global admin any, an organisation's admin any but global_admin."""
    if not actor.active or actor.role not in ADMINS:
        return []
    return [role for role in Role if actor.role is Role.global_admin or role is not Role.global_admin]


@dataclass(frozen=True)
class Made:
    token: str          # shown to the admin once, in the link
    link_id: int


def _new_link(session: Session, actor: Account, now: dt.datetime, **fields: object) -> Made:
    session.execute(delete(AccountLink).where(AccountLink.expires_at < now - KEPT))
    token = secrets.token_urlsafe(32)
    link = AccountLink(token_hash=_token_hash(token), created_by=actor.id, created_at=now,
                       expires_at=now + LINK_VALID, **fields)
    session.add(link)
    session.flush()
    return Made(token, link.id)


def invite(session: Session, actor: Account, *, email: str, role: Role, organisation: str,
           now: dt.datetime) -> Made | Refused:
    """An invitation from `actor` (an admin), replacing an unused one to the same address."""
    address = normalise_email(email)
    if not is_address(address):
        return "email"
    if role not in grantable(actor):
        return "role"
    if (actor.role is not Role.global_admin and organisation != actor.organisation_id) \
            or session.get(Organisation, organisation) is None:
        return "organisation"
    if session.scalars(select(Account.id).where(Account.email == address)).first() is not None:
        return "taken"
    session.execute(delete(AccountLink).where(AccountLink.kind == "invite", AccountLink.email == address,
                                              AccountLink.used_at.is_(None)))
    made = _new_link(session, actor, now, kind="invite", email=address, role=role, organisation_id=organisation)
    audit(session, actor.id, None, "invite.create",
          f"invite={made.link_id}; organisation={organisation}; role={role.value}")
    return made


def reset_link(session: Session, actor: Account, target: Account, now: dt.datetime) -> Made:
    """A password reset link for `target` (the caller checked the actor may manage it); an
    earlier unused one stops working, and the target's sessions end."""
    session.execute(delete(AccountLink).where(AccountLink.kind == "reset", AccountLink.account_id == target.id,
                                              AccountLink.used_at.is_(None)))
    made = _new_link(session, actor, now, kind="reset", email=target.email, role=target.role,
                     organisation_id=target.organisation_id, account_id=target.id)
    end_sessions(session, target.id)
    audit(session, actor.id, None, "password.reset_link", f"account={target.id}; link={made.link_id}")
    return made


def state(link: AccountLink | None, now: dt.datetime) -> State:
    if link is None:
        return "unknown"
    if link.used_at is not None:
        return "used"
    return "expired" if link.expires_at <= now else "open"


def find(session: Session, token: str) -> AccountLink | None:
    return session.scalars(select(AccountLink).where(AccountLink.token_hash == _token_hash(token))).first()


def look(session: Session, token: str) -> tuple[State, str | None]:
    """What the link page says: the link's state, and whether it is an "invite" or a "reset"."""
    link = find(session, token)
    return state(link, utcnow()), link.kind if link else None


def _take(session: Session, token: str, now: dt.datetime) -> AccountLink | State:
    """The link, used up now; or why it cannot be."""
    link = find(session, token)
    if state(link, now) != "open":
        return state(link, now)
    assert link is not None
    taken = session.execute(update(AccountLink).where(
        AccountLink.id == link.id, AccountLink.used_at.is_(None)).values(used_at=now)
        .returning(AccountLink.id)).first()
    return link if taken is not None else "used"


def settle(session: Session, token: str, password_hash: str, now: dt.datetime) -> Used:
    """Use the link: make the invited account, or set the reset account's password."""
    link = find(session, token)
    if link is not None and link.kind == "invite" and state(link, now) == "open" and session.scalars(
            select(Account.id).where(Account.email == link.email)).first() is not None:
        return "taken"
    taken = _take(session, token, now)
    if isinstance(taken, str):
        return "used" if taken == "open" else taken
    if taken.kind == "invite":
        account = Account(organisation_id=taken.organisation_id, email=taken.email, role=taken.role,
                          password_hash=password_hash)
        session.add(account)
        session.flush()
        audit(session, account.id, None, "invite.accept",
              f"account={account.id}; invite={taken.id}; role={taken.role.value}")
        return "done"
    target = session.get(Account, taken.account_id) if taken.account_id is not None else None
    if target is None or not target.active:
        return "unknown"
    target.password_hash, target.must_change_password, target.password_expires_at = password_hash, False, None
    end_sessions(session, target.id)
    audit(session, target.id, None, "password.reset_by_link", f"account={target.id}; link={taken.id}")
    return "done"


async def use(db: Database, checks: PasswordChecks, *, token: str, new: str, again: str) -> Used:
    """The link page's form: the password checked against the rules, the link found open, the
    password hashed (one of the login checks' turns) and the link used."""
    problem = new_password_problem("", new, again)
    if problem == "short" or problem == "differ":
        return problem
    found, _ = await db(lambda session: look(session, token))
    if found != "open":
        return found
    try:
        async with checks.turn():
            password_hash = await checks.hash(new)
    except Busy:
        return "busy"
    return await db(lambda session: settle(session, token, password_hash, utcnow()))
