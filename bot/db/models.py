"""Tables. Channel identifiers and message bodies are personal data: /forget and the
retention purge delete them (issue 6); nothing here is logged."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UtcDateTime, utcnow


class Role(enum.StrEnum):
    caseworker = "caseworker"
    supervisor = "supervisor"
    organiser = "organiser"
    admin = "admin"                  # an organisation's administrator: sees what its organisers see
    global_admin = "global_admin"    # the helpline's: sees every organisation's (bot/reach.py)
    reviewer = "reviewer"            # approves content drafts in its languages (bot/studio/drafts.py)


class DraftState(enum.StrEnum):
    open = "open"            # edited, awaiting a reviewer of its language
    approved = "approved"    # a reviewer approved it; the next publish takes it
    published = "published"  # part of a published version
    withdrawn = "withdrawn"  # its author (or an admin) dropped it


class JobState(enum.StrEnum):
    running = "running"
    done = "done"
    refused = "refused"      # a step refused (bot/studio/publish.py Refused): the live version stays
    failed = "failed"        # an unexpected error: the live version stays


class CaseState(enum.StrEnum):
    queued = "queued"        # waiting for a caseworker
    active = "active"        # a caseworker holds it
    closed = "closed"


class Sender(enum.StrEnum):
    user = "user"
    caseworker = "caseworker"
    system = "system"        # state changes told to the user, in their language
    note = "note"            # internal notes, never shown to the user
    transcript = "transcript"  # what the user wrote to the bot, copied with consent


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, native_enum=False, length=20, validate_strings=True)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_on: Mapped[dt.date | None]
    source: Mapped[str | None] = mapped_column(String(500))

    contacts: Mapped[list[Contact]] = relationship(back_populates="organisation", cascade="all, delete-orphan")


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    channels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    note: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_on: Mapped[dt.date | None]
    source: Mapped[str | None] = mapped_column(String(500))

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class Account(Base):
    """A caseworker, supervisor, organiser or admin of one organisation (a global admin too
    belongs to one, but sees every organisation's workbench rows)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # the second factor (bot/console/totp.py): the TOTP secret sealed with the app's key (set at
    # enrolment), when a first code switched it on (None: not yet), the last time step a code
    # was accepted for (a code is never taken twice)
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # an admin's reset (bot/console/accounts.py): a one-time password, to be changed at the next
    # login, that stops working at `password_expires_at`
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # a reviewer's languages (codes of content/languages.yml, comma-separated): the drafts it may
    # approve (bot/studio/drafts.py); empty for every other role
    review_languages: Mapped[str] = mapped_column(String(200), default="")


class Case(Base):
    __tablename__ = "support_case"
    __table_args__ = (Index("ix_case_queue", "organisation_id", "state", "urgent", "opened_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    channel: Mapped[str] = mapped_column(String(20))                 # telegram | web
    # "tg:<keyed hash>" | "web:<keyed hash>": never a chat id (bot/privacy/keys.py)
    conversation: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str | None] = mapped_column(String(200))           # sealed Telegram chat id
    topic: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(Text, default="")
    transcript_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[CaseState] = mapped_column(_enum(CaseState, "case_state"), default=CaseState.queued)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_activity_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    unclaimed_notice_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(40))
    closed_by: Mapped[str | None] = mapped_column(String(20))        # user | caseworker | timeout

    messages: Mapped[list[CaseMessage]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseMessage.id")
    assignee: Mapped[Account | None] = relationship()


class CaseMessage(Base):
    __tablename__ = "case_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("support_case.id", ondelete="CASCADE"), index=True)
    sender: Mapped[Sender] = mapped_column(_enum(Sender, "sender"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # to the user's channel

    case: Mapped[Case] = relationship(back_populates="messages")


class AuditEvent(Base):
    """Who opened, read and changed which case, and logins. No message text."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("support_case.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(200), default="")


class ConsoleSession(Base):
    """Server-side console sessions; the cookie holds a random token, the table its hash."""

    __tablename__ = "console_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # "in": logged in; "code": the password was right, the TOTP code is still to come; "wrong":
    # the password was wrong but the code is asked all the same, so the answer does not tell
    stage: Mapped[str] = mapped_column(String(10), default="in")


class AccountLink(Base):
    """A one-time link an admin passes on by hand (bot/console/invites.py): an invitation to a new
    account (`kind` "invite": its e-mail, role and organisation) or a password reset of an existing
    one ("reset": `account_id`). Only the token's hash is kept; a link works once, until `expires_at`."""

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))                    # invite | reset
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Lease(Base):
    """Work only one gateway may do at a time (the caseworker delivery loop and its timers).

    The holder renews `until`; another gateway takes over once it has passed."""

    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class UsageCount(Base):
    """Aggregate counts for the organisers' insight page: how many conversations, answers per
    topic, fallbacks, handoffs and referrals per organisation, by day, language and channel.
    No user, no text; kept beyond the retention period because nobody can be found in it."""

    __tablename__ = "usage_count"
    __table_args__ = (UniqueConstraint("day", "kind", "topic", "language", "channel", "organisation"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(20))          # conversation | answer | fallback | handoff | referral
    topic: Mapped[str] = mapped_column(String(64), default="")   # a topic id, or an organisation id for referral
    language: Mapped[str] = mapped_column(String(10), default="")
    channel: Mapped[str] = mapped_column(String(10), default="")
    # whose count it is (bot/workbench/record.py); "" for none, not NULL: it is part of the key
    # and NULLs are never equal in a unique constraint
    organisation: Mapped[str] = mapped_column(String(32), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class Unanswered(Base):
    """A message the bot did not understand, scrubbed of personal data, for organisers to
    review. `conversation` (a keyed pseudonym, never shown) lets /forget delete it; the
    retention purge deletes it after the retention period. `organisation_id` is the
    organisation the conversation was routed to (None: none), whose organisers review it."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    conversation: Mapped[str] = mapped_column(String(100), index=True)
    language: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    guess: Mapped[str | None] = mapped_column(String(64))         # the bot's best topic
    confidence: Mapped[float | None] = mapped_column(Float)
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    # open | assigned | candidate (for a new topic) | dismissed
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    topic: Mapped[str | None] = mapped_column(String(64))         # the topic an organiser assigned
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    handled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class EmployerReport(Base):
    """An employer or work site named by a user who agreed to have it counted (collective
    signal). One row per user and employer; `conversation` (a keyed pseudonym) is never shown
    and lets /forget delete the row; the retention purge deletes old rows. `channel` and
    `confirmed_at` say what the report cost to make: an alert counts only Telegram users and
    reports a caseworker confirmed from a case (bot/signal/reports.py); `organisation_id` is
    the organisation of that case, whose organisers see the report."""

    __tablename__ = "employer_report"
    __table_args__ = (UniqueConstraint("conversation", "employer_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    conversation: Mapped[str] = mapped_column(String(100), index=True)
    employer_key: Mapped[str] = mapped_column(String(200), index=True)   # normalised across scripts
    employer_name: Mapped[str] = mapped_column(String(200))              # as written, scrubbed
    topic: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10), default="")          # telegram | web | other
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)  # by a caseworker, from a case
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)


class LoginAttempt(Base):
    """Failed console logins, per account and per client address, shared by every gateway and
    kept across restarts (bot/console/throttle.py). `key_hash` is an HMAC of the normalised
    e-mail or of the address under the app's secret: never the address or the IP itself."""

    __tablename__ = "login_attempt"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)       # account | address
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)             # in the current window
    window_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    lockouts: Mapped[int] = mapped_column(Integer, default=0)             # blocks so far: the next lasts longer
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)   # idle rows are deleted


class ContentDraft(Base):
    """An edit to content/ that is not published yet (bot/studio/drafts.py): one topic in one
    language (its fields as JSON), or one whole data file (contacts.yml, places.yml, ...). It
    belongs to the organisation of the account that started it; a reviewer of its language
    approves it (who and when are kept), and the next publish writes it into a new version."""

    __tablename__ = "content_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(200))              # inside content/: topics/<id>.yml, contacts.yml
    topic: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))    # None: a whole data file
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    base_version: Mapped[str | None] = mapped_column(String(40))  # the live version it was made from
    state: Mapped[DraftState] = mapped_column(_enum(DraftState, "draft_state"), default=DraftState.open, index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    reviewed_on: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    published_version: Mapped[str | None] = mapped_column(String(40))


class StudioJob(Base):
    """A publish, restore or start of the studio running in the background (bot/studio/jobs.py):
    its step and progress lines, kept in the database so any gateway's console can show them."""

    __tablename__ = "studio_job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))               # publish | restore | init
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"), default=JobState.running, index=True)
    step: Mapped[str] = mapped_column(String(20), default="waiting")
    lines: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str | None] = mapped_column(String(40))      # restore: the version restored
    version: Mapped[str | None] = mapped_column(String(40))     # the version it made
    reason: Mapped[str | None] = mapped_column(Text)            # refused or failed: why
    started_by: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
