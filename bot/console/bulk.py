"""Closing several cases at once (issue 15: a flood of fake cases is closed in one action,
not one by one). Each case is closed by the rule for one case (bot/cases/service.py
`may_close`: the caseworker who claimed it, or a supervisor or admin of its organisation), the
user gets the usual closing message in their language, and each close and each refusal is
audited as for one case, with one more event for the whole action."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot import messages as m
from bot.cases import service
from bot.db.models import Account, Case, Sender

MAX_CASES = 200       # closed in one action at most


@dataclass(frozen=True)
class Closed:
    closed: int        # closed now
    refused: int       # the account may not close them (audited case by case)
    already: int       # closed before (by the user, the timer or a colleague)


def close_many(session: Session, account: Account, ids: Collection[int], outcome: str,
               say: Callable[[Case, str], str]) -> Closed | None:
    """Close the cases `ids` of the account's organisation with `outcome`; None, and nothing
    done, when any of them is another organisation's or does not exist (as for one case).
    `say(case, message)` is `message` in the case's language."""
    cases = [service.case_for(session, account, case_id) for case_id in sorted(set(ids))]
    if not cases or any(case is None for case in cases):
        return None
    closed = refused = already = 0
    for case in cases:
        assert case is not None
        if not service.may_close(account, case):
            service.refuse_close(session, account, case)
            refused += 1
        elif service.close(session, case, by="caseworker", outcome=outcome, account=account):
            service.add_message(session, case, Sender.system, say(case, m.CASE_ENDED))
            closed += 1
        else:
            already += 1
    service.audit(session, account.id, None, "case.bulk_close",
                  f"closed={closed} refused={refused} already={already} outcome={outcome}")
    return Closed(closed, refused, already)
