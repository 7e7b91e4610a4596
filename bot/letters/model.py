"""Letters as plain typed values: what the worker told us, the templates, the rendered text.

Privacy: `LetterFacts` lives only in memory while one document is made. It has no name,
passport or phone field (the worker writes their name and signs by hand on the printout), and
its `repr` shows which fields are filled, never what they say, so it is safe in a log line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import KW_ONLY, dataclass
from decimal import Decimal
from typing import Literal, get_args

Kind = Literal["employer_claim", "inspectorate_complaint"]
Country = Literal["RU", "KZ"]
Style = Literal["header", "title", "body", "lines"]
Status = Literal["draft", "reviewed"]

KINDS: tuple[str, ...] = get_args(Kind)
COUNTRIES: tuple[str, ...] = get_args(Country)
STYLES: tuple[str, ...] = get_args(Style)
STATUSES: tuple[str, ...] = get_args(Status)

MAX_STORY_CHARS = 1500
MAX_SHORT_CHARS = 200


@dataclass(frozen=True, kw_only=True, repr=False)
class LetterFacts:
    """The worker's answers; every one may be skipped (None)."""

    kind: Kind
    country: Country = "RU"
    employer: str | None = None
    address: str | None = None          # the workplace address
    job: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None     # e.g. the day of dismissal
    amount_owed: Decimal | None = None  # in the country's currency (roubles, tenge)
    period: str | None = None           # free text, e.g. "March–April 2026"
    what_happened: str | None = None
    city: str | None = None

    def __post_init__(self) -> None:
        for name in ("employer", "address", "job", "period", "city"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_SHORT_CHARS:
                raise ValueError(f"{name} is longer than {MAX_SHORT_CHARS} characters")
        if self.what_happened is not None and len(self.what_happened) > MAX_STORY_CHARS:
            raise ValueError(f"what_happened is longer than {MAX_STORY_CHARS} characters")
        if self.amount_owed is not None and not (self.amount_owed.is_finite() and self.amount_owed >= 0):
            raise ValueError("amount_owed must be a positive amount")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")

    def __repr__(self) -> str:
        filled = [f.name for f in dataclasses.fields(self)
                  if f.name in FIELDS and getattr(self, f.name) not in (None, "")]
        return f"LetterFacts(kind={self.kind!r}, country={self.country!r}, filled={filled!r})"


FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(LetterFacts) if f.name not in ("kind", "country"))


@dataclass(frozen=True)
class TemplateParagraph:
    """One paragraph of the Russian document. It is left out when none of `needs` is filled
    (if `needs` is given) or when any of `unless` is filled."""

    id: str
    style: Style
    text: str
    needs: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterCopy:
    """The explanatory copy in one language: a note, a title, one text per paragraph id."""

    language: str
    status: Status
    title: str
    note: str
    paragraphs: dict[str, str]
    advice: str | None = None


@dataclass(frozen=True)
class LetterTemplate:
    kind: Kind
    country: Country
    status: Status
    title: str                      # the document's title (PDF metadata): no placeholders
    paragraphs: tuple[TemplateParagraph, ...]
    copies: dict[str, LetterCopy]   # by language code, derived languages included
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    style: Style
    text: str


@dataclass(frozen=True)
class RenderedLetter:
    """The Russian document to sign, and its copy in the worker's language."""

    title: str
    paragraphs_ru: tuple[Paragraph, ...]
    paragraphs_copy: tuple[Paragraph, ...]
    _: KW_ONLY
    language: str
    copy_title: str
    copy_note: str
    copy_status: Status
    copy_advice: str | None = None
