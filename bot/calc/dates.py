"""Reading the date people type when asked when their pay was due or was paid.

Every language's forms are tried whatever the conversation language, because people mix
languages, scripts and keyboards ("15-martda", "15 марта", "15 мaрта" with a Latin "a",
"15 marta"). Words are first folded to Latin (bot/folding.py: м → m, ҳ → h, ў → o, and q → k,
apostrophes dropped), so one table of names serves Cyrillic, Latin and mixed spellings.

A date after `today` is refused like an impossible one: a due or paid date cannot be in the
future, so the caller asks again. A day and month without a year mean the most recent such
date not after today (this year's or last year's).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

from bot.calc.deadlines import add_months
from bot.folding import LATIN_LETTERS

# The names people write, per language; alternatives separated by spaces. Each also covers
# its inflected forms: the name followed by one of _ENDINGS (марта, января, martda, марти).
_MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "ru": ("январь", "февраль", "март", "апрель", "май", "июнь",
           "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "ru_Latn": ("yanvar janvar ianvar", "fevral", "mart", "aprel", "may maj", "iyun ijun iun",  # Russian in Latin
                "iyul ijul iul", "avgust", "sentyabr sentjabr sentiabr", "oktyabr oktjabr oktiabr",
                "noyabr nojabr noiabr", "dekabr"),
    "uz": ("yanvar", "fevral", "mart", "aprel", "may", "iyun",
           "iyul", "avgust", "sentabr sentyabr", "oktabr oktyabr", "noyabr", "dekabr"),
    "uz_Cyrl": ("январ", "феврал", "март", "апрел", "май", "июн",
                "июл", "август", "сентабр сентябр", "октабр октябр", "ноябр", "декабр"),
    "tg": ("январ", "феврал", "март", "апрел", "май", "июн",
           "июл", "август", "сентябр", "октябр", "ноябр", "декабр"),
    "ky": ("январь", "февраль", "март", "апрель", "май", "июнь",
           "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"),
    "en": ("january", "february", "march", "april", "may", "june",
           "july", "august", "september", "october", "november", "december"),
}
# Abbreviations match only as they are ("15 мар 2026", "Mar 15"), never with an ending.
_ABBREVIATIONS = ("янв jan", "фев февр feb", "мар mar", "апр apr", "", "jun",
                  "jul", "авг aug", "сент sep sept", "окт oct", "ноя нояб nov", "дек dec")
# Case and possessive endings: ru genitive, uz/ky locative, dative, ablative, tg izofat.
_ENDINGS = ("", "a", "ya", "ja", "ia", "e", "i", "si", "ni", "da", "de", "ta", "te", "ga", "ka",
            "dan", "den", "tan", "gacha", "kacha", "ning", "nin")
# Words between a day, its month and its year: ordinal suffixes, "of", "year".
_FILLERS = frozenset(("th", "st", "nd", "rd", "of", "the", "go", "e", "ogo", "um", "umi", "yum", "yumi",
                      "chi", "inchi", "nchi", "g", "god", "goda", "godu", "yil", "yili", "yilning", "yilda",
                      "sol", "soli", "jil", "jili", "year"))

_TODAY_WORDS = {"segodnya": 0, "segodnja": 0, "today": 0, "bugun": 0, "imruz": 0,
                "vchera": 1, "yesterday": 1, "kecha": 1, "diruz": 1, "kechee": 1,
                "pozavchera": 2, "pareruz": 2}
_AGO = frozenset(("nazad", "ago", "oldin", "avval", "burun", "pesh", "kabl", "murun"))
_UNIT_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (   # matched as word beginnings
    ("day", ("den", "dn", "day", "kun", "ruz", "sut")),
    ("week", ("nedel", "week", "hafta", "apta")),
    ("month", ("mesya", "mesa", "month", "oy", "moh", "ay")),
    ("year", ("god", "let", "year", "yil", "sol", "jil")),
)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "odin": 1, "odnu": 1, "odna": 1, "bir": 1, "yak": 1,
                 "two": 2, "dva": 2, "dve": 2, "paru": 2, "ikki": 2, "du": 2, "eki": 2,
                 "three": 3, "tri": 3, "uch": 3, "se": 3,
                 "four": 4, "chetyre": 4, "tort": 4, "chor": 4,
                 "five": 5, "pyat": 5, "besh": 5, "panj": 5}

_FOLD = str.maketrans({**LATIN_LETTERS, "q": "k"})  # Uzbek Latin q is Cyrillic қ, folded to k
_APOSTROPHES = str.maketrans("", "", "'ʻʼ‘’`´")  # o'n, oʻn and to‘rt are one word each
# Latin letters that look Cyrillic, read as Cyrillic inside a word that has Cyrillic letters.
_HOMOGLYPHS = str.maketrans("abcehkmoptxy", "авсенкмортху")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"\d+|[^\W\d_]+")

_ISO = re.compile(r"(?<!\d)(\d{4})[./-](\d{1,2})[./-](\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[./\\-]\s*(\d{1,2})\s*[./\\-]\s*(\d{4}|\d{2})(?!\d)")
_DMY_SPACED = re.compile(r"(?<!\d)(\d{1,2})\s+(\d{1,2})\s+(\d{4})(?!\d)")
_DM = re.compile(r"(?<!\d)(\d{1,2})\s*[./]\s*(\d{1,2})(?![\d])")


def _plain(text: str) -> str:
    """Lower case, precomposed letters (у + combining macron → ӯ), stray accents (ру́з) dropped."""
    composed = unicodedata.normalize("NFC", text.lower())
    return "".join(char for char in composed if unicodedata.category(char) != "Mn")


def _fold(word: str) -> str:
    if _CYRILLIC.search(word):
        word = word.translate(_HOMOGLYPHS)
    return word.translate(_FOLD)


def _table(rows: tuple[str, ...]) -> dict[str, int]:
    return {_fold(name): month for month, row in enumerate(rows, 1) for name in row.split()}


_NAMES: dict[str, int] = {name: month for rows in _MONTH_NAMES.values() for name, month in _table(rows).items()}
_ABBREVIATED: dict[str, int] = _table(_ABBREVIATIONS)


def parse_date(text: str, *, today: dt.date, language: str | None = None, ahead: int = 0) -> dt.date | None:
    """The date in a reply such as "15.03.2026", "15-martda", "2 недели назад", or None.

    None also for an impossible date (31.02.2026) and for a date more than `ahead` days after
    `today` (0: no future date; a dismissal that is coming may be up to months ahead). A day
    and month without a year mean the latest such date within that limit. `language` is only
    a hint and does not narrow the search: people write in more than one language.
    """
    del language
    latest = today + dt.timedelta(days=ahead)
    lowered = _plain(text)
    tokens = [_fold(word) for word in _WORD.findall(lowered.translate(_APOSTROPHES))]
    found = _numeric(lowered) or _named(tokens, latest) or _day_month(lowered, latest) or _relative(tokens, today)
    return found if found is not None and found <= latest else None


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _without_year(month: int, day: int, latest: dt.date) -> dt.date | None:
    for year in (latest.year, latest.year - 1):
        found = _make(year, month, day)
        if found is not None and found <= latest:
            return found
    return None


def _numeric(text: str) -> dt.date | None:
    if match := _ISO.search(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DMY.search(text) or _DMY_SPACED.search(text):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
    else:
        return None
    return _make(year, month, day)


def _day_month(text: str, latest: dt.date) -> dt.date | None:
    match = _DM.search(text)
    return _without_year(int(match[2]), int(match[1]), latest) if match else None


def _named(tokens: list[str], latest: dt.date) -> dt.date | None:
    """A day next to a month name ("15 марта", "mart 15", "15th of March"), a year if one is near."""
    for index, token in enumerate(tokens):
        day_at = _first(_number_near(tokens, index, -1, _is_day), _number_near(tokens, index, +1, _is_day))
        month = None if day_at is None else _month_of(token)
        if day_at is None or month is None:
            continue
        first, last = sorted((index, day_at))
        year_at = _first(_number_near(tokens, last, +1, _is_year), _number_near(tokens, first, -1, _is_year))
        day = int(tokens[day_at])
        return _without_year(month, day, latest) if year_at is None else _make(int(tokens[year_at]), month, day)
    return None


def _is_day(token: str) -> bool:
    return token.isdecimal() and len(token) <= 2


def _is_year(token: str) -> bool:
    """Four digits that can be a year of work ("5 марта 1500 руб" has none)."""
    return token.isdecimal() and len(token) == 4 and 1990 <= int(token) <= 2100


def _first(*places: int | None) -> int | None:
    return next((place for place in places if place is not None), None)


def _number_near(tokens: list[str], index: int, step: int, fits: Callable[[str], bool]) -> int | None:
    """Where the number that `fits` stands next to `index`, past any fillers, if it does."""
    at = index + step
    while 0 <= at < len(tokens) and tokens[at] in _FILLERS:
        at += step
    return at if 0 <= at < len(tokens) and fits(tokens[at]) else None


def _month_of(token: str) -> int | None:
    if token in _ABBREVIATED:
        return _ABBREVIATED[token]
    stems = [token[: len(token) - len(ending)] for ending in _ENDINGS if token.endswith(ending)]
    for stem in stems:
        if stem in _NAMES:
            return _NAMES[stem]
    return _misspelt_month(stems)


def _misspelt_month(stems: list[str]) -> int | None:
    """The month whose long name is one typo away (two for names of six letters or more);
    the first letter must be right, which keeps this cheap on long messages."""
    best: dict[int, int] = {}
    for name, month in _NAMES.items():
        allowed = 2 if len(name) >= 6 else 1 if len(name) == 5 else 0
        for stem in stems:
            if allowed and stem[:1] == name[0] and abs(len(stem) - len(name)) <= 1:
                distance = _distance(stem, name)
                if distance <= allowed:
                    best[month] = min(distance, best.get(month, distance))
    if not best:
        return None
    closest = min(best.values())
    months = [month for month, distance in best.items() if distance == closest]
    return months[0] if len(months) == 1 else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _relative(tokens: list[str], today: dt.date) -> dt.date | None:
    """ "3 дня назад", "bir oy oldin", "2 ҳафта пеш", "a week ago"; "вчера", "bugun"."""
    for index, token in enumerate(tokens):
        if token not in _AGO:
            continue
        before = [word for word in tokens[max(index - 3, 0) : index] if word != "tomu"]  # тому назад
        unit = _unit_of(before[-1]) if before else None
        if unit is not None:
            return _back(today, unit, _count(before[-2]) if len(before) > 1 else 1)
    days = next((_TODAY_WORDS[token] for token in tokens if token in _TODAY_WORDS), None)
    return None if days is None else today - dt.timedelta(days=days)


def _unit_of(token: str) -> str | None:
    return next((unit for unit, stems in _UNIT_STEMS if token.startswith(stems)), None)


def _count(token: str) -> int | None:
    """A number of units: digits, a number word, or one when there is neither ("месяц назад")."""
    if token.isdecimal():
        return int(token) if len(token) <= 4 else None
    return _NUMBER_WORDS.get(token, 1)


def _back(today: dt.date, unit: str, count: int | None) -> dt.date | None:
    if count is None:
        return None
    try:
        if unit in ("month", "year"):
            return add_months(today, -count * (12 if unit == "year" else 1))
        return today - dt.timedelta(days=count * (7 if unit == "week" else 1))
    except (ValueError, OverflowError):
        return None
