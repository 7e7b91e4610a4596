"""Drafts: what organisers changed in the console and reviewers approved, until a publish
makes it a version (issue 17, items 1, 2 and 4).

A draft is one topic in one language (its title, answer, "more", example questions; the
default language's draft may also carry the topic's sources and review dates), or one whole data
file (contacts.yml, places.yml, key_rates.yml, emergency.yml). It belongs to the organisation of
the account that started it: each organisation has at most one unpublished draft per part, and
another organisation's organisers cannot open or change it (a 404, like a case).

The two-person rule: only a `reviewer` whose languages include the draft's language may approve
it (a data file, or a topic's own lines, need a reviewer of the default language), and never an
edit they made themselves. Approval records who and when; a change after approval needs a new
one. A reviewer may also approve an answer as it stands (the text already published, which no
person has signed off yet). A publish writes each approved draft over the latest version: the
part becomes `status: reviewed` with `reviewed_by` (the reviewer's e-mail) and `reviewed_on`, so
the bot's draft note under that answer goes.

Plain functions over a Session; every change is audited with ids only (no content text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases.service import audit
from bot.db.base import utcnow
from bot.db.models import Account, ContentDraft, DraftState, Role
from bot.reach import ORGANISERS
from bot.studio import topic_edit, versions
from bot.studio.topic_edit import Review
from bot.studio.versions import VersionError

EDITORS = ORGANISERS | {Role.reviewer}
DATA_FILES = ("contacts.yml", "places.yml", "key_rates.yml", "emergency.yml")
PENDING = (DraftState.open, DraftState.approved)


class Refused(ValueError):
    """The account may not do this to this draft; `why` is one of the keys of WHY."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


WHY = {
    "role": "only a reviewer may approve",
    "language": "you do not review this language",
    "own": "you changed this draft yourself: another reviewer approves it",
    "state": "this draft is not waiting for review",
    "reach": "this draft belongs to another organisation",
    "contacts": "contacts of another organisation, or the list of organisations, changed",
}


@dataclass(frozen=True)
class Publishable:
    files: dict[str, bytes]          # path inside content/ -> its new bytes
    message: str                     # a summary line, then one line per draft
    ids: tuple[int, ...]             # the drafts it takes
    skipped: tuple[tuple[int, str], ...] = ()   # approved drafts left out, and why
    approvals: tuple[tuple[int, dt.datetime | None], ...] = ()   # each draft taken, as approved then


def topic_path(topic: str) -> str:
    return versions.checked_path(f"topics/{topic}.yml")


def review_languages(account: Account) -> frozenset[str]:
    return frozenset(code.strip() for code in (account.review_languages or "").split(",") if code.strip())


def may_edit(account: Account, draft: ContentDraft | None = None) -> bool:
    if not account.active or account.role not in EDITORS:
        return False
    return draft is None or account.role is Role.global_admin or draft.organisation_id == account.organisation_id


def may_see(account: Account, draft: ContentDraft) -> bool:
    """Reviewers see every organisation's drafts in their languages; editors their own's."""
    if account.role is Role.reviewer and account.active:
        return True
    return may_edit(account, draft)


def approval_refused(account: Account, draft: ContentDraft, default_language: str) -> str | None:
    if account.role is not Role.reviewer or not account.active:
        return "role"
    if draft.state is not DraftState.open:
        return "state"
    if needs_language(draft, default_language) not in review_languages(account):
        return "language"
    if account.id in (draft.created_by, draft.updated_by):
        return "own"
    return None


def needs_language(draft: ContentDraft, default_language: str) -> str:
    """The language a reviewer must read to approve this draft."""
    if draft.language is None or any(key in draft.body for key in topic_edit.TOPIC_FIELDS):
        return default_language if draft.language is None else draft.language
    return draft.language


def pending(session: Session, organisation: str | None = None) -> list[ContentDraft]:
    """Open and approved drafts (of one organisation, or every one), oldest first."""
    found = select(ContentDraft).where(ContentDraft.state.in_(PENDING)).order_by(ContentDraft.id)
    if organisation is not None:
        found = found.where(ContentDraft.organisation_id == organisation)
    return list(session.scalars(found))


def visible(session: Session, account: Account) -> list[ContentDraft]:
    """The drafts the account's drafts page lists."""
    if account.role is Role.reviewer:
        languages = review_languages(account)
        return [d for d in pending(session) if d.language is None or d.language in languages]
    if account.role is Role.global_admin:
        return pending(session)
    return pending(session, account.organisation_id) if may_edit(account) else []


def current(session: Session, organisation: str, path: str, language: str | None) -> ContentDraft | None:
    """The organisation's unpublished draft of this part, if any."""
    found = select(ContentDraft).where(
        ContentDraft.organisation_id == organisation, ContentDraft.path == path,
        ContentDraft.state.in_(PENDING),
        ContentDraft.language.is_(None) if language is None else ContentDraft.language == language)
    return session.scalars(found.order_by(ContentDraft.id.desc())).first()


def get(session: Session, account: Account, draft_id: int) -> ContentDraft | None:
    draft = session.get(ContentDraft, draft_id)
    return draft if draft is not None and may_see(account, draft) else None


def save(session: Session, account: Account, *, path: str, topic: str | None, language: str | None,
         body: Mapping[str, Any], base_version: str | None, now: dt.datetime | None = None) -> ContentDraft:
    """Start or change the organisation's draft of this part. A change to an approved draft
    needs approval again."""
    if not may_edit(account):
        raise Refused("role")
    now = now or utcnow()
    draft = current(session, account.organisation_id, versions.checked_path(path), language)
    if draft is None:
        draft = ContentDraft(organisation_id=account.organisation_id, path=versions.checked_path(path), topic=topic,
                             language=language, body=dict(body), base_version=base_version,
                             state=DraftState.open, created_by=account.id, created_at=now,
                             updated_by=account.id, updated_at=now)
        session.add(draft)
        session.flush()
        audit(session, account.id, None, "draft_start", f"draft={draft.id}")
        return draft
    draft.body = {**draft.body, **body} if draft.language is not None else dict(body)
    draft.updated_by, draft.updated_at = account.id, now
    if draft.state is DraftState.approved:
        draft.state, draft.reviewed_by, draft.reviewed_on = DraftState.open, None, None
    audit(session, account.id, None, "draft_change", f"draft={draft.id}")
    return draft


def approve(session: Session, account: Account, draft: ContentDraft, default_language: str,
            now: dt.datetime | None = None) -> None:
    why = approval_refused(account, draft, default_language)
    if why is not None:
        raise Refused(why)
    draft.state, draft.reviewed_by, draft.reviewed_on = DraftState.approved, account.id, now or utcnow()
    audit(session, account.id, None, "draft_approve", f"draft={draft.id}")


def approve_as_it_stands(session: Session, account: Account, *, topic: str, language: str,
                         base_version: str | None, now: dt.datetime | None = None) -> ContentDraft:
    """A reviewer signs off the published text of one answer without changing it."""
    if account.role is not Role.reviewer or not account.active:
        raise Refused("role")
    if language not in review_languages(account):
        raise Refused("language")
    now = now or utcnow()
    draft = ContentDraft(organisation_id=account.organisation_id, path=topic_path(topic), topic=topic,
                         language=language, body={}, base_version=base_version, state=DraftState.approved,
                         created_by=account.id, created_at=now, updated_by=account.id, updated_at=now,
                         reviewed_by=account.id, reviewed_on=now)
    session.add(draft)
    session.flush()
    audit(session, account.id, None, "draft_approve", f"draft={draft.id} as_it_stands")
    return draft


def withdraw(session: Session, account: Account, draft: ContentDraft) -> None:
    if not may_edit(account, draft) or draft.state not in PENDING:
        raise Refused("reach" if not may_edit(account, draft) else "state")
    draft.state = DraftState.withdrawn
    audit(session, account.id, None, "draft_withdraw", f"draft={draft.id}")


def awaiting(session: Session) -> set[tuple[str, str]]:
    """(topic, language) of every open draft: the coverage board's "awaiting review"."""
    rows = session.execute(select(ContentDraft.topic, ContentDraft.language)
                           .where(ContentDraft.state == DraftState.open, ContentDraft.topic.is_not(None)))
    return {(topic, language) for topic, language in rows if topic and language}


def applied(text: str, draft: ContentDraft, review: Review | None) -> str:
    """A file's text with the draft written over it (`review` None: still a draft)."""
    if draft.language is None:
        return str(draft.body.get("text", ""))
    body = draft.body
    out = topic_edit.with_language(text, draft.language,
                                   {k: v for k, v in body.items() if k in topic_edit.LANGUAGE_FIELDS}, review)
    fields = {k: _topic_value(k, v) for k, v in body.items() if k in topic_edit.TOPIC_FIELDS}
    return topic_edit.with_topic_fields(out, fields) if fields else out


def _topic_value(key: str, value: Any) -> Any:
    """Dates are kept as text in the draft (JSON); the file gets them as YAML dates."""
    if key in ("reviewed", "review_by") and isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value             # left as typed: the check names it
    return value or None


def reviewer_name(session: Session, draft: ContentDraft) -> str:
    account = session.get(Account, draft.reviewed_by) if draft.reviewed_by is not None else None
    return account.email if account is not None else "unknown reviewer"


def publishable(session: Session, repository: Path, head: str) -> Publishable | None:
    """Every approved draft written over version `head`, in the order they were approved; a
    data-file draft whose file changed since it was made is left out (its text would undo that
    change): it must be made again."""
    drafts = sorted((d for d in pending(session) if d.state is DraftState.approved),
                    key=lambda d: (d.reviewed_on or d.updated_at, d.id))
    if not drafts:
        return None
    files: dict[str, bytes] = {}
    taken: list[ContentDraft] = []
    skipped: list[tuple[int, str]] = []
    for draft in drafts:
        try:
            before = files.get(draft.path) or versions.read(repository, head, draft.path)
        except VersionError:
            skipped.append((draft.id, f"{draft.path} is not in the latest version"))
            continue
        if draft.language is None and draft.base_version and draft.base_version != head:
            try:
                changed = versions.read(repository, draft.base_version, draft.path) != \
                    versions.read(repository, head, draft.path)
            except VersionError:
                changed = True
            if changed:
                skipped.append((draft.id, f"{draft.path} changed since this draft was made"))
                continue
        review = Review(reviewer_name(session, draft), (draft.reviewed_on or utcnow()).date())
        try:
            files[draft.path] = applied(before.decode("utf-8"), draft, review).encode("utf-8")
        except (topic_edit.EditError, UnicodeDecodeError) as error:
            skipped.append((draft.id, str(error)[:200]))
            continue
        taken.append(draft)
    if not taken:
        return None
    return Publishable(files, _message(session, taken), tuple(d.id for d in taken), tuple(skipped),
                       tuple((d.id, d.reviewed_on) for d in taken))


def _message(session: Session, drafts: Sequence[ContentDraft]) -> str:
    parts = sorted({f"{d.topic or d.path} ({d.language})" if d.language else d.path for d in drafts})
    lines = [f"{len(drafts)} approved change{'s' if len(drafts) != 1 else ''}: {', '.join(parts)}"[:200], ""]
    for draft in drafts:
        author = session.get(Account, draft.updated_by) if draft.updated_by is not None else None
        what = ", ".join(sorted(draft.body)) if draft.language is not None else "whole file"
        lines.append(f"- {draft.path} [{draft.language or 'file'}] {what or 'approved as it stands'}; "
                     f"edited by {author.email if author else 'unknown'}, approved by {reviewer_name(session, draft)}"
                     f" on {(draft.reviewed_on or utcnow()):%Y-%m-%d} (draft {draft.id})")
    return "\n".join(lines)


def mark_published(session: Session, taken: Publishable, version_id: str) -> None:
    """The drafts `taken` are in version `version_id`, except one changed or approved again
    while the version was made: its newer text is not in it, so it stays for the next publish."""
    approved = dict(taken.approvals)
    marked = 0
    for draft in session.scalars(select(ContentDraft).where(ContentDraft.id.in_(list(taken.ids)))):
        if draft.state is DraftState.approved and _same_moment(draft.reviewed_on, approved.get(draft.id)):
            draft.state, draft.published_version = DraftState.published, version_id
            marked += 1
    audit(session, None, None, "draft_publish", f"version={version_id[:10]} drafts={marked}")


def _same_moment(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    """Equal instants, whether or not a database gave them back without their zone."""
    if a is None or b is None:
        return a is b
    return a.replace(tzinfo=a.tzinfo or dt.UTC) == b.replace(tzinfo=b.tzinfo or dt.UTC)


def foreign_contacts(before: str, after: str, organisation: str | None) -> list[str]:
    """Contact ids of other organisations that an edit of contacts.yml adds, changes or removes
    (and `organisations` if that list changed); `organisation` None (a global admin) may change
    any. Unreadable YAML is left to the check, which names the line."""
    if organisation is None:
        return []
    try:
        old, new = yaml.safe_load(before) or {}, yaml.safe_load(after) or {}
    except yaml.YAMLError:
        return []
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    changed = ["organisations"] if old.get("organisations") != new.get("organisations") else []

    def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {str(c.get("id")): c for c in data.get("contacts") or [] if isinstance(c, dict)}

    olds, news = by_id(old), by_id(new)
    for contact_id in sorted(set(olds) | set(news)):
        a, b = olds.get(contact_id), news.get(contact_id)
        if a == b:
            continue
        owners = {str(c.get("organisation")) for c in (a, b) if c is not None}
        if owners != {organisation}:
            changed.append(contact_id)
    return changed
