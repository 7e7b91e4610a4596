"""An admin's changes to an account's standing: its role, and whether it is active. Audited with
the actor and `account=<id>` and what changed.

Reach (`may_change`): an organisation's admin changes the accounts of its own organisation but
not a global admin's, a global admin any account; both their own too, with one limit for
everybody: no change leaves an organisation without an active admin (admin or global_admin).
Deactivating ends the account's sessions; an inactive account cannot log in.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cases.service import audit
from bot.console.accounts import ADMINS
from bot.console.auth import end_sessions
from bot.console.invites import grantable
from bot.db.models import Account, Role

Outcome = Literal["done", "same", "role", "last_admin", "languages"]


def may_change(actor: Account, target: Account) -> bool:
    if not actor.active or actor.role not in ADMINS:
        return False
    if actor.role is Role.global_admin:
        return True
    return target.organisation_id == actor.organisation_id and target.role is not Role.global_admin


def _leaves_no_admin(session: Session, target: Account, role: Role, active: bool) -> bool:
    """Whether `target` taking `role` and `active` leaves its organisation, which has an active
    admin now, without one."""
    if not (target.active and target.role in ADMINS) or (active and role in ADMINS):
        return False
    others = session.scalar(select(func.count()).select_from(Account).where(
        Account.organisation_id == target.organisation_id, Account.active.is_(True),
        Account.role.in_(list(ADMINS)), Account.id != target.id))
    return not others


def set_role(session: Session, actor: Account, target: Account, role: Role) -> Outcome:
    """The caller checked `may_change(actor, target)`."""
    if role not in grantable(actor):
        return "role"
    if role is target.role:
        return "same"
    if _leaves_no_admin(session, target, role, target.active):
        return "last_admin"
    before, target.role = target.role, role
    audit(session, actor.id, None, "account.role", f"account={target.id}; role={before.value}->{role.value}")
    return "done"


def set_active(session: Session, actor: Account, target: Account, active: bool) -> Outcome:
    """Deactivate (its sessions end) or reactivate; the caller checked `may_change(actor, target)`."""
    if active is target.active:
        return "same"
    if _leaves_no_admin(session, target, target.role, active):
        return "last_admin"
    target.active = active
    if not active:
        end_sessions(session, target.id)
    audit(session, actor.id, None, "account.reactivate" if active else "account.deactivate", f"account={target.id}")
    return "done"


def set_review_languages(session: Session, actor: Account, target: Account, codes: list[str],
                         known: Collection[str]) -> Outcome:
    """The languages a reviewer approves drafts in (bot/studio/drafts.py); codes of
    content/languages.yml that are written, not derived. The caller checked
    `may_change(actor, target)`."""
    if target.role is not Role.reviewer:
        return "role"
    chosen = sorted(set(codes))
    if any(code not in known for code in chosen):
        return "languages"
    value = ",".join(chosen)
    if value == (target.review_languages or ""):
        return "same"
    target.review_languages = value
    audit(session, actor.id, None, "account.review_languages", f"account={target.id}; languages={value or '-'}")
    return "done"
