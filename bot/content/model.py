"""The content model: what organisers write in content/, as plain typed values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.content.jurisdiction import CountryLabel


@dataclass(frozen=True)
class Language:
    """A reply language. `base` is set for derived languages (uz_Cyrl from uz)."""

    code: str
    name: str
    script: str
    base: str | None = None
    transliterate: str | None = None
    fallback: str | None = None
    countries: Mapping[str, CountryLabel] = field(default_factory=dict)   # how answers name them
    articles: tuple[str, ...] = ()      # patterns of an article number ("ст. 157"), for bare citations
    international: tuple[str, ...] = ()  # marks of law that holds in both countries (EAEU Treaty, ILO)

    @property
    def family(self) -> str:
        """The language code without script: uz_Cyrl -> uz."""
        return self.code.split("_")[0]


@dataclass(frozen=True)
class Source:
    law: str
    jurisdiction: str
    url: str | None = None
    confidence: str | None = None


@dataclass(frozen=True)
class Claim:
    """A statement a person must check against an official source before launch."""

    claim: str
    why: str


@dataclass(frozen=True)
class Answer:
    """One topic in one language."""

    title: str
    text: str | None
    more: str | None
    examples: tuple[str, ...]
    status: str = "draft"
    reviewed_by: str | None = None
    reviewed_on: dt.date | None = None      # when the reviewer approved it (the console writes it)


@dataclass(frozen=True)
class Topic:
    id: str
    kind: str
    urgent: bool
    scope: str
    category: str | None
    sources: tuple[Source, ...] = ()
    reviewed: dt.date | None = None
    review_by: dt.date | None = None
    related: tuple[str, ...] = ()
    answers: dict[str, Answer] = field(default_factory=dict)
    verify: tuple[Claim, ...] = ()
    offers: tuple[str, ...] = ()     # flows (bot/flows/) whose button follows the answer: [deadline]

    def answer(self, language: str) -> Answer | None:
        return self.answers.get(language)


@dataclass(frozen=True)
class Category:
    id: str
    topics: tuple[str, ...]
    titles: dict[str, str]


@dataclass(frozen=True)
class EmergencyNumber:
    number: str
    service: str
    verified: bool


@dataclass(frozen=True)
class Library:
    """Everything in content/, with derived languages already filled in."""

    languages: dict[str, Language]
    topics: dict[str, Topic]
    categories: tuple[Category, ...]
    emergency: dict[str, tuple[EmergencyNumber, ...]]
    default_language: str = "ru"

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def category_of(self, topic_id: str) -> Category | None:
        return next((c for c in self.categories if topic_id in c.topics), None)
