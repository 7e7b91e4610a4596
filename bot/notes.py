"""What a dialogue step asks to be recorded for organisers, as plain values, beside `Outcome`
(bot/dialogue.py) that carries them. The action server records them (bot/workbench/record.py).
A note carries no identifier of the user: the recorder adds the conversation pseudonym where a
row must be deletable by /forget."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Referral:
    """Contacts of this organisation were offered to the user."""

    organisation: str


@dataclass(frozen=True)
class EmployerMention:
    """An employer or work site the user named and agreed to have counted."""

    employer: str
    topic: str | None = None
    country: str | None = None
    city: str | None = None


Note = Referral | EmployerMention
