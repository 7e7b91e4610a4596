"""Questions the bot did not understand, made safe to keep and grouped for organisers.

Kept text is scrubbed of phone, card and document numbers, e-mail addresses, Telegram
usernames and names where they can be detected (after "меня зовут", "mening ismim", "номи
ман", "менин атым", "my name is", and Russian full names with a patronymic). Amounts stay:
they are what a question is about. Grouping folds every script to Latin letters, so the same
question in Russian, Uzbek Latin and Cyrillic lands in one group.

Like bot/privacy/scrub.py, the name patterns take time in proportion to the text: an attempt
starts at a word boundary or an "@" and reads at most three words, and a run of letters or
spaces followed by something else is never given back. Organisers see the newest
`MAX_GROUPED` questions grouped; a grouping is kept (`grouped`) until the questions change."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.folding import CYRILLIC_TO_LATIN, skeleton
from bot.privacy.scrub import scrub

NAME = "[name]"
HANDLE = "[username]"
_WORD = r"[A-ZА-ЯЁЎҚҒҲӢӮҶҲҢӨҮа-яёa-zўқғҳӣӯҷңөүʻʼ'‘’-]++"
INTRODUCTIONS = re.compile(
    r"(?i)\b(меня зовут|моё имя|мое имя|моя фамилия|mening ismim|ismim|мени исмим|исмим|номи ман|номам|"
    r"менин атым|атым|my name is|i am called|menya zovut)\s++(" + _WORD + r")(\s++" + _WORD + r")?")
PATRONYMIC = re.compile(
    r"\b(?:[А-ЯЁ][а-яё]++\s++){1,2}[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)\b"
    r"|\b[А-ЯЁ][а-яё]+(?:ович|евич|овна|евна)\s++[А-ЯЁ][а-яё]++\b")
USERNAME = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}\b")
MAX_KEPT = 500


def scrub_question(text: str) -> str:
    """A message as organisers may see it: no numbers that identify, no names, amounts kept.
    Names go before the text is cut to `MAX_KEPT`, so that no name is cut in two and kept."""
    text = scrub(text.replace("\u2060", "").strip())
    text = USERNAME.sub(HANDLE, text)
    text = INTRODUCTIONS.sub(lambda m: f"{m.group(1)} {NAME}", text)
    return PATRONYMIC.sub(NAME, text)[:MAX_KEPT]


_APOSTROPHES = re.compile("['`´ʻʼ‘’]")


def fold(text: str) -> str:
    """Any script to the Latin skeleton place names are matched in (bot/folding.py):
    lower case, digits and spaces only."""
    latin = _APOSTROPHES.sub("", text.casefold()).translate(CYRILLIC_TO_LATIN)
    return " ".join(skeleton(word) for word in re.sub(r"[^a-z0-9]+", " ", latin).split())


def trigrams(text: str) -> Counter[str]:
    padded = f"  {fold(text)} "
    return Counter(padded[i:i + 3] for i in range(len(padded) - 2))


@dataclass(frozen=True)
class Question:
    id: int
    text: str
    language: str
    guess: str | None
    confidence: float | None


@dataclass(frozen=True)
class Group:
    questions: tuple[Question, ...]
    guess: str | None          # the bot's most frequent best guess in the group

    @property
    def languages(self) -> list[str]:
        return sorted({q.language for q in self.questions})

    @property
    def ids(self) -> list[int]:
        return [q.id for q in self.questions]


@dataclass(frozen=True)
class Grouping:
    groups: tuple[Group, ...]
    more: bool                 # older questions exist that were not grouped


SAME_GUESS = 0.25       # similar enough when the bot guessed the same topic for both
ANY_GUESS = 0.5         # similar enough whatever it guessed
# Grouped at once, on one page: the newest questions, at most this many and this much text (500
# questions of 100 characters; fewer when they are long, since the work grows with both).
MAX_GROUPED = 500
MAX_GROUPED_CHARS = 50_000


def grouped(questions: Sequence[Question]) -> Grouping:
    """The newest questions within `MAX_GROUPED` and `MAX_GROUPED_CHARS`, grouped in the order
    of their ids. The same questions (ids, texts, guesses) are grouped once: a page reload takes
    the grouping from a cache."""
    newest: list[Question] = []
    chars = 0
    for question in sorted(questions, key=lambda q: q.id, reverse=True)[:MAX_GROUPED]:
        chars += len(question.text)
        if newest and chars > MAX_GROUPED_CHARS:
            break
        newest.append(question)
    return Grouping(_grouped(tuple(reversed(newest))), more=len(questions) > len(newest))


@functools.lru_cache(maxsize=4)
def _grouped(questions: tuple[Question, ...]) -> tuple[Group, ...]:
    return tuple(group(questions))


@dataclass
class _Forming:
    questions: list[Question] = field(default_factory=list)
    square: int = 0                                # the profile's squared length
    guesses: Counter[str] = field(default_factory=Counter)
    guess: str | None = None

    def add(self, question: Question, square: int, dot: int) -> None:
        self.questions.append(question)
        self.square += 2 * dot + square            # |g + q|² = |g|² + 2 g·q + |q|²
        if question.guess:
            self.guesses[question.guess] += 1
            self.guess = self.guesses.most_common(1)[0][0]


def group(questions: Sequence[Question]) -> list[Group]:
    """Greedy grouping: each question joins the most similar group (cosine similarity of trigram
    profiles) above the threshold, else starts its own; the earlier group wins a tie. Largest
    groups first. Group profiles are kept as an index, trigram -> {group number: count}, so a
    question is compared only with the groups that share a trigram with it."""
    forming: list[_Forming] = []
    holding: defaultdict[str, dict[int, int]] = defaultdict(dict)
    for question in questions:
        profile = trigrams(question.text)
        square = sum(c * c for c in profile.values())
        number, dot = _most_similar(question, square, _dots(profile, holding), forming)
        if number == len(forming):
            forming.append(_Forming())
        for gram, count in profile.items():
            held = holding[gram]
            held[number] = held.get(number, 0) + count
        forming[number].add(question, square, dot)
    ordered = sorted(forming, key=lambda g: (-len(g.questions), g.questions[0].id))
    return [Group(tuple(g.questions), g.guess) for g in ordered]


def _dots(profile: Counter[str], holding: defaultdict[str, dict[int, int]]) -> dict[int, int]:
    """The dot product of `profile` with every group that shares a trigram with it."""
    dots: dict[int, int] = {}
    for gram, count in profile.items():
        for number, held in holding.get(gram, {}).items():
            dots[number] = dots.get(number, 0) + count * held
    return dots


def _most_similar(question: Question, square: int, dots: dict[int, int], forming: list[_Forming]) -> tuple[int, int]:
    """The number of the group `question` joins (a new one: len(forming)) and its dot product with it."""
    best, score = len(forming), 0.0
    for number in sorted(dots):
        candidate = forming[number]
        value = dots[number] / (square * candidate.square) ** 0.5
        needed = SAME_GUESS if question.guess and question.guess == candidate.guess else ANY_GUESS
        if value >= needed and value > score:
            best, score = number, value
    return best, dots.get(best, 0)
