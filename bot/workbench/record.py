"""What the action server records for organisers after each dialogue step.

- Counts (table usage_count): a new conversation, an answer per topic, a fallback, a referral
  per organisation, by day, language and channel. Counted in memory and added to the database
  every few seconds, so a busy turn never waits on a write; at most those seconds of counts
  are lost if the process dies. No user and no text in them.
- Unanswered questions (table unanswered): typed text that fell to the fallback, was taken
  as out of scope, or was answered with low confidence, scrubbed (bot/workbench/unanswered.py), with the bot's best
  guess. Kept with the conversation pseudonym only so /forget can delete it.
- Employer mentions the user agreed to have counted (bot/signal).

Each question and count carries the organisation it was routed to, whose organisers see it
(bot/reach.py): for a referral the organisation referred to; for a handoff the
organisation the case was opened for (bot/gateway/casework.py gives it to `add_counts`); for
the rest the organisation the conversation came through (the `referrer` slot, set from the
deep link the user started with). Only an organisation in the database counts: an unknown
link code, or none, records the row for no organisation (the operator's).

Recording never breaks a turn: any failure is logged by kind and the turn goes on."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.db.models import Organisation, Unanswered, UsageCount
from bot.dialogue import Outcome, Turn
from bot.notes import EmployerMention, Referral
from bot.privacy.keys import channel_of
from bot.signal.reports import record_mention
from bot.workbench.unanswered import scrub_question

log = logging.getLogger(__name__)

ANSWERS = {"action_answer_topic", "action_answer_urgent"}
FALLBACKS = {"action_did_you_mean"}
OUTSIDE = {"out_of_scope"}     # answered "not something I can help with": a new topic, perhaps
LOW_CONFIDENCE = 0.5          # an answer given below this is shown to organisers too
Key = tuple[dt.date, str, str, str, str]      # day, kind, topic, language, channel
Routed = tuple[str, Key]                      # the organisation ("" for none) and the key


@dataclass(frozen=True)
class Observed:
    language: str
    channel: str
    counts: list[tuple[str, str, str]]            # (kind, topic or organisation, routed to or "")
    unanswered: Unanswered | None
    mentions: list[EmployerMention]


def observe(action: str, sender: str, turn: Turn, outcome: Outcome, confidence: float | None,
            now: dt.datetime) -> Observed:
    """The plain decision: what this step means for organisers."""
    came_through = turn.referrer or ""
    counts: list[tuple[str, str, str]] = []
    if outcome.slots.get("noticed") and not turn.noticed:
        counts.append(("conversation", "", came_through))
    # typed text while a flow waits for an answer (a city, an amount, a date) continues the flow:
    # it is neither a topic answered nor a question the bot failed
    flowing = turn.flow is not None and not turn.is_button
    if action in ANSWERS and turn.intent and not flowing:
        counts.append(("answer", turn.intent, came_through))
    if action in FALLBACKS and not flowing:
        counts.append(("fallback", "", came_through))
    counts += [("referral", note.organisation, note.organisation) for note in outcome.notes
               if isinstance(note, Referral)]
    language = str(outcome.slots.get("language") or turn.language or "")
    unsure = action in ANSWERS and (turn.intent in OUTSIDE or (confidence is not None and confidence < LOW_CONFIDENCE))
    kept = None
    text = scrub_question(turn.text) if not turn.is_button else ""
    if (action in FALLBACKS or unsure) and not flowing and any(ch.isalnum() for ch in text):
        guess = turn.intent if unsure else (turn.ranking[0] if turn.ranking else None)
        kept = Unanswered(created_at=now, conversation=sender, language=language, channel=channel_of(sender),
                          text=text, guess=guess, confidence=confidence, state="open",
                          organisation_id=came_through or None)
    mentions = [note for note in outcome.notes if isinstance(note, EmployerMention)]
    return Observed(language, channel_of(sender), counts, kept, mentions)




def known_organisations(session: Session, ids: Iterable[str]) -> set[str]:
    """Those of `ids` that are organisations in the database."""
    wanted = {i for i in ids if i}
    if not wanted:
        return set()
    return set(session.scalars(select(Organisation.id).where(Organisation.id.in_(wanted))))


def add_counts(session: Session, counts: Counter[Key], organisation: str = "") -> None:
    """Add to the day's counters of `organisation` ("" for none): an UPDATE, or an INSERT for a
    new one (another process may insert it first: then the UPDATE again)."""
    for (day, kind, topic, language, channel), n in counts.items():
        where = (UsageCount.day == day, UsageCount.kind == kind, UsageCount.topic == topic,
                 UsageCount.language == language, UsageCount.channel == channel,
                 UsageCount.organisation == organisation)
        for _ in range(2):
            result = session.execute(update(UsageCount).where(*where).values(count=UsageCount.count + n))
            if isinstance(result, CursorResult) and result.rowcount:
                break
            try:
                with session.begin_nested():
                    session.add(UsageCount(day=day, kind=kind, topic=topic, language=language, channel=channel,
                                           organisation=organisation, count=n))
                break
            except IntegrityError:
                continue


@dataclass
class Recorder:
    sessions: sessionmaker[Session]
    flush_seconds: float = 5.0
    pending: Counter[Routed] = field(default_factory=Counter)
    flusher: asyncio.Task[None] | None = None

    async def record(self, action: str, sender: str, turn: Turn, outcome: Outcome,
                     confidence: float | None) -> None:
        try:
            now = utcnow()
            seen = observe(action, sender, turn, outcome, confidence, now)
            for kind, topic, organisation in seen.counts:
                self.pending[(organisation, (now.date(), kind, topic, seen.language, seen.channel))] += 1
            if seen.unanswered is not None or seen.mentions:
                await asyncio.to_thread(self._keep, seen, sender, now)
            if self.flush_seconds <= 0:
                await self.flush()
            elif self.flusher is None or self.flusher.done():
                self.flusher = asyncio.get_running_loop().create_task(self._flush_later())
        except Exception as error:   # organisers' records must never cost the user an answer
            log.warning("could not record a turn for organisers (%s)", type(error).__name__)

    def _keep(self, seen: Observed, sender: str, now: dt.datetime) -> None:
        with self.sessions.begin() as session:
            if seen.unanswered is not None:
                routed = seen.unanswered.organisation_id
                if routed and routed not in known_organisations(session, [routed]):
                    seen.unanswered.organisation_id = None
                session.add(seen.unanswered)
            if seen.mentions:
                for mention in seen.mentions:
                    record_mention(session, sender, mention, now)

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.flush_seconds)
        await self.flush()

    async def flush(self) -> None:
        counts: Counter[Routed]
        counts, self.pending = self.pending, Counter()
        if not counts:
            return
        try:
            await asyncio.to_thread(self._write, counts)
        except SQLAlchemyError as error:
            self.pending.update(counts)       # kept for the next try
            log.warning("could not add usage counts (%s); will retry", type(error).__name__)

    def _write(self, counts: Counter[Routed]) -> None:
        with self.sessions.begin() as session:
            known = known_organisations(session, {organisation for organisation, _ in counts})
            routed: defaultdict[str, Counter[Key]] = defaultdict(Counter)
            for (organisation, key), n in counts.items():
                routed[organisation if organisation in known else ""][key] += n
            for organisation, keyed in routed.items():
                add_counts(session, keyed, organisation)


def confidence_of(message: dict[str, Any]) -> float | None:
    """The classifier's confidence in its best topic, from Rasa's parse data (past the
    fallback's own entry when the message fell to the fallback)."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    top = ranking[0] if ranking else (message.get("intent") or {})
    value = top.get("confidence")
    return float(value) if isinstance(value, int | float) else None
