"""Whose workbench rows an account may see and act on: the rule as data.

What the bot records for organisers carries the organisation it was routed to
(bot/workbench/record.py): an unanswered question and a count the organisation the conversation
came through (its deep link), a referral the organisation it names. Rows routed to no
organisation (no link, an unknown one, and every row recorded before organisations were
recorded) belong to the helpline's own operator organisation (`default_organisation` in the
settings, "helpline" unless changed).

- `organiser` and `admin`: the rows of their own organisation only; the operator
  organisation's also the rows routed to no organisation. An `admin` is its organisation's
  administrator, scoped like its organisers: accounts made `admin` before `global_admin`
  existed keep their organisation's scope.
- `global_admin`: every organisation's rows (the helpline's own administrators).
- any other role: none (the organisers' pages answer 403).

Employer alerts follow the same reach: by place, and a report a caseworker confirmed from a case
by the organisation of that case (bot/signal/reports.py).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, true
from sqlalchemy.orm import QueryableAttribute

from bot.db.models import Account, Role


class Span(enum.StrEnum):
    own = "own"              # the account's organisation (and unrouted rows for the operator)
    every = "every"          # every organisation's and unrouted rows


SPANS: Mapping[Role, Span] = {Role.organiser: Span.own, Role.admin: Span.own, Role.global_admin: Span.every}
ORGANISERS = frozenset(SPANS)      # the roles that may open the organisers' pages


@dataclass(frozen=True)
class Reach:
    organisation: str | None     # None: every organisation
    unrouted: bool               # also rows routed to no organisation

    def sees(self, organisation: str | None) -> bool:
        if not organisation:
            return self.unrouted
        return self.organisation is None or organisation == self.organisation

    def where(self, column: QueryableAttribute[Any]) -> ColumnElement[bool]:
        """A filter on an organisation column: rows routed to no organisation hold NULL
        (unanswered) or "" (usage_count, where the column is part of a unique key)."""
        if self.organisation is None:
            return true()
        mine = column == self.organisation
        return or_(mine, column.is_(None), column == "") if self.unrouted else mine


EVERYTHING = Reach(None, unrouted=True)


def reach_of(account: Account, operator: str) -> Reach | None:
    """What `account` reaches; `operator` is the helpline's own organisation. None: no
    organisers' rows at all."""
    span = SPANS.get(account.role)
    if span is None:
        return None
    if span is Span.every:
        return EVERYTHING
    return Reach(account.organisation_id, unrouted=account.organisation_id == operator)
