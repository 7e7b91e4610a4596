"""An unanswered question becomes a training example only once a person has checked it (issue
15). A worker's words written into content/ leave /forget and the retention purge behind, so
the organiser who assigns them reads each text as it will be saved, may edit it, and confirms
that nothing in it identifies a person (a name, phone, address, employer, document number …).
The scrubber then runs again on the text as saved: a text it would still change (a number, a
name it can detect) or that keeps a placeholder such as "[number]" is refused, with what to do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.privacy.scrub import CUT, PATTERNS
from bot.workbench.unanswered import HANDLE, MAX_KEPT, NAME, scrub_question

PLACEHOLDERS = tuple(dict.fromkeys([*(placeholder for _, placeholder in PATTERNS), NAME, HANDLE, CUT]))


class Refusal(enum.StrEnum):
    unconfirmed = "unconfirmed"      # the organiser did not confirm the check
    placeholder = "placeholder"      # "[number]", "[name]" … left in the text
    identifying = "identifying"      # the scrubber still finds a number, an address or a name
    too_long = "too_long"


@dataclass(frozen=True)
class Vetted:
    text: str                        # as it will be saved: one line, "" for left out
    refusal: Refusal | None = None
    placeholder: str = ""            # the placeholders found, in the order they stand, for the message

    @property
    def kept(self) -> bool:
        return self.refusal is None and bool(self.text)


def vet(given: str, *, confirmed: bool) -> Vetted:
    """What the organiser's `given` text may become. An empty text leaves the question out of
    the examples (nothing to check)."""
    text = " ".join(given.split())
    if not text:
        return Vetted("")
    if len(text) > MAX_KEPT:
        return Vetted(text, Refusal.too_long)
    found = sorted((p for p in PLACEHOLDERS if p in text), key=text.index)
    if found:
        return Vetted(text, Refusal.placeholder, ", ".join(found))
    if scrub_question(text) != text:
        return Vetted(text, Refusal.identifying)
    if not confirmed:
        return Vetted(text, Refusal.unconfirmed)
    return Vetted(text)
