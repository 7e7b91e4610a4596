"""Questions the bot did not understand, made safe to keep and grouped for organisers.

Kept text is scrubbed of phone, card and document numbers, e-mail addresses, Telegram
usernames and names where they can be detected (after "меня зовут", "mening ismim", "номи
ман", "менин атым", "my name is", and Russian full names with a patronymic). Amounts stay:
they are what a question is about. Grouping folds every script to Latin letters, so the same
question in Russian, Uzbek Latin and Cyrillic lands in one group."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.content.latin import CYRILLIC_TO_LATIN, skeleton
from bot.privacy.scrub import scrub

NAME = "[name]"
_WORD = r"[A-ZА-ЯЁЎҚҒҲӢӮҶҲҢӨҮа-яёa-zўқғҳӣӯҷңөүʻʼ'‘’-]+"
INTRODUCTIONS = re.compile(
    r"(?i)\b(меня зовут|моё имя|мое имя|моя фамилия|mening ismim|ismim|мени исмим|исмим|номи ман|номам|"
    r"менин атым|атым|my name is|i am called|menya zovut)\s+(" + _WORD + r")(\s+" + _WORD + r")?")
PATRONYMIC = re.compile(
    r"\b(?:[А-ЯЁ][а-яё]+\s+){1,2}[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)\b"
    r"|\b[А-ЯЁ][а-яё]+(?:ович|евич|овна|евна)\s+[А-ЯЁ][а-яё]+\b")
USERNAME = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}\b")
MAX_KEPT = 500


def scrub_question(text: str) -> str:
    """A message as organisers may see it: no numbers that identify, no names, amounts kept."""
    text = scrub(text.replace("\u2060", "").strip())[:MAX_KEPT]
    text = USERNAME.sub("[username]", text)
    text = INTRODUCTIONS.sub(lambda m: f"{m.group(1)} {NAME}", text)
    return PATRONYMIC.sub(NAME, text)


_APOSTROPHES = re.compile("['`´ʻʼ‘’]")


def fold(text: str) -> str:
    """Any script to the Latin skeleton place names are matched in (bot/content/latin.py):
    lower case, digits and spaces only."""
    latin = _APOSTROPHES.sub("", text.casefold()).translate(CYRILLIC_TO_LATIN)
    return " ".join(skeleton(word) for word in re.sub(r"[^a-z0-9]+", " ", latin).split())


def trigrams(text: str) -> Counter[str]:
    padded = f"  {fold(text)} "
    return Counter(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Cosine similarity of two trigram profiles."""
    if not a or not b:
        return 0.0
    dot = sum(count * b[gram] for gram, count in a.items())
    norm = (sum(c * c for c in a.values()) * sum(c * c for c in b.values())) ** 0.5
    return dot / norm if norm else 0.0


@dataclass(frozen=True)
class Question:
    id: int
    text: str
    language: str
    guess: str | None
    confidence: float | None


@dataclass
class Group:
    questions: list[Question] = field(default_factory=list)
    profile: Counter[str] = field(default_factory=Counter)

    @property
    def guess(self) -> str | None:
        """The bot's most frequent best guess in the group."""
        guesses = Counter(q.guess for q in self.questions if q.guess)
        return guesses.most_common(1)[0][0] if guesses else None

    @property
    def languages(self) -> list[str]:
        return sorted({q.language for q in self.questions})

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.questions]


SAME_GUESS = 0.25       # similar enough when the bot guessed the same topic for both
ANY_GUESS = 0.5         # similar enough whatever it guessed


def group(questions: Sequence[Question]) -> list[Group]:
    """Greedy grouping: each question joins the most similar group above the threshold, else
    starts its own. Largest groups first."""
    groups: list[Group] = []
    for question in questions:
        profile = trigrams(question.text)
        best, score = None, 0.0
        for candidate in groups:
            value = similarity(profile, candidate.profile)
            needed = SAME_GUESS if question.guess and question.guess == candidate.guess else ANY_GUESS
            if value >= needed and value > score:
                best, score = candidate, value
        if best is None:
            best = Group()
            groups.append(best)
        best.questions.append(question)
        best.profile.update(profile)
    return sorted(groups, key=lambda g: (-len(g.questions), g.questions[0].id))
