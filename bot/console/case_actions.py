"""What a caseworker does to one case from its page: claim, release, reply, note, employer and
close, one small function each on a Session (the caller commits). Each says whether it changed
anything; the route (bot/console/views.py) turns that into 200 or 409."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot import messages as m
from bot.cases import service
from bot.console.pages import C_
from bot.db.base import utcnow
from bot.db.models import Account, Case, CaseState, Sender
from bot.notes import EmployerMention
from bot.signal.employers import employer_key
from bot.signal.reports import record_mention

MAX_BODY = 4000
OUTCOMES = {"advice_given": C_("Advice given"), "referred_union": C_("Referred to a union"),
            "referred_inspectorate": C_("Referred to the labour inspectorate"),
            "no_response": C_("User stopped answering"), "other": C_("Other")}


@dataclass(frozen=True)
class Form:
    """The fields an action reads from the case page's form."""

    body: str = ""                 # a reply, a note or an employer's name (at most MAX_BODY)
    outcome: str = "other"         # how a closed case ended (one of OUTCOMES)
    agreed: bool = False           # the user agreed to count their employer


@dataclass(frozen=True)
class Act:
    """One account doing one thing to one case, in one transaction."""

    session: Session
    account: Account
    case: Case
    form: Form
    gettext: Callable[[str, str], str]      # (language, message): what the user reads

    def say(self, message: str) -> None:
        """A message from the helpline to the user, in the case's language."""
        service.add_message(self.session, self.case, Sender.system, self.gettext(self.case.language, message))


def claim(act: Act) -> bool:
    if not service.claim(act.session, act.account, act.case):
        return False
    act.say(m.CASE_JOINED)
    return True


def release(act: Act) -> bool:
    if not service.release(act.session, act.account, act.case):
        return False
    act.say(m.CASE_RELEASED)
    return True


def reply(act: Act) -> bool:
    """Only the caseworker holding an active case writes to its user."""
    case = act.case
    if not (act.form.body and case.state is CaseState.active and case.assigned_to == act.account.id):
        return False
    service.add_message(act.session, case, Sender.caseworker, act.form.body, author=act.account)
    service.audit(act.session, act.account.id, case.id, "case.reply")
    return True


def note(act: Act) -> bool:
    """A note for colleagues: stored as delivered, so it never reaches the user."""
    if not act.form.body:
        return False
    service.add_message(act.session, act.case, Sender.note, act.form.body, author=act.account, delivered=True)
    service.audit(act.session, act.account.id, act.case.id, "case.note")
    return True


def employer(act: Act) -> bool:
    """The collective signal from a case: the caseworker asked, the user agreed, and the report
    counts as confirmed. No place: the caseworker never sees where the user works; the report
    reaches the organisation the case was routed to instead (bot/signal/reports.py)."""
    case = act.case
    if not act.form.agreed or case.conversation.startswith("forgotten:"):
        return False
    mention = EmployerMention(act.form.body[:200], case.topic, None, None)
    if employer_key(mention.employer) is None:
        return False
    record_mention(act.session, case.conversation, mention, utcnow(), confirmed_for=case.organisation_id)
    service.audit(act.session, act.account.id, case.id, "case.employer")
    return True


def close(act: Act) -> bool:
    """With an outcome; who may close is asked before (`may_act`)."""
    if act.form.outcome not in OUTCOMES or not service.close(
            act.session, act.case, by="caseworker", outcome=act.form.outcome, account=act.account):
        return False
    act.say(m.CASE_ENDED)
    return True


ACTIONS: dict[str, Callable[[Act], bool]] = {
    "claim": claim, "release": release, "reply": reply, "note": note, "employer": employer, "close": close}


def may_act(session: Session, account: Account, case: Case, name: str) -> bool:
    """Only the caseworker who claimed a case, or a supervisor or admin, closes it; a refusal is
    audited (and committed)."""
    if name == "close" and not service.may_close(account, case):
        service.refuse_close(session, account, case)
        return False
    return True
