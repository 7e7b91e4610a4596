"""One key per employer or work site, whoever wrote its name and in whichever script.

«ООО "СтройМонтаж"», "OOO Stroymontazh", "строймонтаж", "Stroymontaj" and «ТОО Строй-Монтаж»
give one key. Cyrillic (Russian, Uzbek, Tajik, Kyrgyz and Kazakh letters) becomes Latin;
spellings people do not hear apart are folded (ж = zh = j = dj, х = kh = x = h, ц = ts = c,
й = y = i, о = a, double letters); legal forms (ООО, ТОО, MChJ, LLC …) and punctuation go.
A key groups reports for counting; it is not a proof that two names are one employer.
"""

from __future__ import annotations

import re
import unicodedata

from bot.folding import CYRILLIC_TO_LATIN
from bot.privacy.scrub import PATTERNS, scrub

MAX_NAME_CHARS = 80    # the name shown to organisers
MAX_KEY_CHARS = 100
MIN_KEY_CHARS = 3

_LATIN = str.maketrans({"ş": "sh", "ç": "ch", "ğ": "g", "ı": "i", "ñ": "n", "ŋ": "n", "ä": "a", "ö": "o",
                        "ü": "u", "ø": "o", "æ": "ae", "ß": "ss"})
_APOSTROPHES = re.compile("['`´ʻʼ‘’ʹ]")
_PLACEHOLDERS = re.compile("|".join(re.escape(placeholder) for _, placeholder in PATTERNS))
_WORD = re.compile(r"[^\W_]+")
# The order matters: longer spellings first, vowels last. A lone Latin c is read as people
# read it: ts before e, i, y (Cement = Цемент), else k (Telecom = Телеком).
_FOLDS = (("shch", "sh"), ("sch", "sh"), ("dzh", "j"), ("zh", "j"), ("dj", "j"), ("kh", "h"), ("x", "h"),
          ("gh", "g"), ("q", "k"), ("ck", "k"), ("w", "v"), ("ph", "f"), ("tz", "ts"))
_SOFT_C = re.compile(r"c(?=[eiy])")
_HARD_C = re.compile(r"c(?!h)")
_VOWELS = (("ye", "e"), ("yo", "e"), ("y", "i"), ("o", "a"))
_DOUBLES = re.compile(r"([^\W\d_])\1+")

# Legal forms as written, in every script people use (Latin look-alikes of Cyrillic too).
# Not "ак": Kyrgyz and Kazakh "Ак" (white) starts many names; the Kazakh form is "АҚ".
_LEGAL_WORDS = frozenset((
    "ооо", "ooo", "000", "оао", "oao", "зао", "zao", "ао", "ao", "пао", "pao", "нао", "nao", "ип", "ip", "чп",
    "тоо", "too", "ақ", "жшс", "осоо", "osoo", "жчк", "мчж", "mchj", "ятт", "yatt", "хк", "xk", "qk", "чдмм",
    "ҷдмм", "jdmm", "chdmm", "ҷск", "ҷсп", "llc", "ltd", "inc", "jsc", "cjsc", "ojsc", "pjsc", "gmbh", "corp",
    "гк", "gk", "фгуп", "гуп", "муп", "ано", "нко",
))
# Spelled-out forms and generic words, as stems matched at the start of consecutive words.
_LEGAL_PHRASES: tuple[tuple[str, ...], ...] = (
    ("обществ", "с", "ограниченн", "ответственност"), ("товариществ", "с", "ограниченн", "ответственност"),
    ("открыт", "акционерн", "обществ"), ("закрыт", "акционерн", "обществ"), ("публичн", "акционерн", "обществ"),
    ("акционерн", "обществ"), ("индивидуальн", "предпринимател"),
    ("masuliyati", "cheklangan", "jamiyat"), ("масъулияти", "чекланган", "жамият"),
    ("aksiyadorlik", "jamiyat"), ("yakka", "tartibdagi", "tadbirkor"), ("xususiy", "korxona"),
    ("ҷамъияти", "дорои", "масъулияти", "маҳдуд"), ("жоопкерчилиги", "чектелген", "коом"),
    ("жауапкершілігі", "шектеулі", "серіктестік"), ("limited", "liability", "company"),
    ("компани",), ("kompaniya",), ("company",), ("фирм",), ("firma",), ("ширкат",),
)
# Answers that name nobody: "I do not know", "no", "the employer", in the helpline's languages.
_MEANINGLESS = (
    "не знаю", "незнаю", "не помню", "нет", "неизвестно", "no", "net", "none", "unknown", "dont know",
    "i dont know", "skip", "пропустить", "работодатель", "employer", "хозяин", "начальник", "бригадир",
    "частник", "bilmayman", "bilmadim", "bilmiman", "билмайман", "yoq", "yo‘q", "йўқ", "nomalum", "номаълум",
    "ish beruvchi", "намедонам", "нест", "корфармо", "маълум нест", "билбейм", "жок", "белгисиз",
    "иш берүүчү", "білмеймін", "жоқ",
)
# ... also with more words after them: "не знаю название", "bilmayman nomini".
_UNKNOWN = ("не знаю", "не помню", "dont know", "bilmayman", "bilmadim", "намедонам", "билбейм")


def employer_key(name: str) -> str | None:
    """The key `name` is counted under, or None when it names no employer."""
    key = _key(_PLACEHOLDERS.sub(" ", scrub(unicodedata.normalize("NFKC", name), limit=1000)))
    if len(key) < MIN_KEY_CHARS or sum(ch.isalpha() for ch in key) < 2 or key in _MEANINGLESS_KEYS \
            or key.startswith(_UNKNOWN_KEYS):
        return None
    return key


def display_name(name: str) -> str:
    """The name as written, without phone numbers, e-mails or document numbers, on one line."""
    return " ".join(scrub(unicodedata.normalize("NFKC", name), limit=1000).split())[:MAX_NAME_CHARS]


def _key(text: str) -> str:
    words = _WORD.findall(_APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold()))
    latin = [_latin(word) for word in words if word not in _LEGAL_WORDS]
    return _fold("".join(_drop_phrases(latin)))[:MAX_KEY_CHARS]


def _latin(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.translate(CYRILLIC_TO_LATIN).translate(_LATIN))
    return "".join(ch for ch in word if ch.isalnum() and not unicodedata.combining(ch))


def _fold(text: str) -> str:
    for old, new in _FOLDS:
        text = text.replace(old, new)
    text = _HARD_C.sub("k", _SOFT_C.sub("ts", text))
    for old, new in _VOWELS:
        text = text.replace(old, new)
    return _DOUBLES.sub(r"\1", text)


def _drop_phrases(words: list[str]) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(words):
        size = _phrase_at(words, i)
        if size:
            i += size
        else:
            kept.append(words[i])
            i += 1
    return kept


def _phrase_at(words: list[str], i: int) -> int:
    for stems in _PHRASE_STEMS:
        span = words[i:i + len(stems)]
        if len(span) == len(stems) and all(_fold(w).startswith(s) for w, s in zip(span, stems, strict=True)):
            return len(stems)
    return 0


_PHRASE_STEMS = tuple(tuple(_fold(_latin(stem)) for stem in phrase) for phrase in _LEGAL_PHRASES)
_MEANINGLESS_KEYS = frozenset(_key(phrase) for phrase in _MEANINGLESS)
_UNKNOWN_KEYS = tuple(_key(phrase) for phrase in _UNKNOWN)
