"""Every script people write these languages in, folded to one Latin spelling, so that the
same word matches however it was typed: Russian, Uzbek, Tajik, Kyrgyz and Kazakh Cyrillic,
Uzbek Latin and Latin-letter Russian.

`LATIN_LETTERS` is the helpline's one Cyrillic-to-Latin folding (`CYRILLIC_TO_LATIN` is the
same as a `str.translate` table). Each letter becomes the
Latin its speakers write for it, without apostrophes or diacritics: ў → o (Uzbek Latin oʻ),
ғ → g (gʻ), қ → k, ҳ and х → h, ж and ҷ → j, ё → yo (Uzbek Latin and Russian
transliteration). It is lossy but keeps sounds apart; merging sounds people do not hear or
write apart (о as a, ё as е) is left to each matcher's own skeleton, such as `skeleton` here.

Used to match place names (bot/routing/places.py), employer names (bot/signal/employers.py),
dates' month names (bot/calc/dates.py) and to group unanswered questions
(bot/workbench/unanswered.py). The NLU components run in their own environment and keep a
copy of the table in nlu/helpline_nlu/folding.py; tests/test_folding.py fails when the two
differ.
"""

from __future__ import annotations

import re

LATIN_LETTERS: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "є": "e", "ґ": "g", "ї": "i",
    "ғ": "g", "ӣ": "i", "қ": "k", "ӯ": "u", "ҳ": "h", "ҷ": "j", "ў": "o",  # Tajik, Uzbek
    "ң": "n", "ө": "o", "ү": "u", "ә": "a", "ұ": "u", "һ": "h", "і": "i",  # Kyrgyz, Kazakh
}
CYRILLIC_TO_LATIN = str.maketrans(LATIN_LETTERS)

# Latin spellings of one sound, longest first
_LATIN_RULES = (("shch", "sh"), ("sch", "sh"), ("zh", "j"), ("dj", "j"), ("kh", "h"), ("x", "h"),
                ("q", "k"), ("w", "v"), ("ph", "f"), ("ck", "k"))
_LONE_C = re.compile(r"c(?!h)")
_DOUBLE_VOWELS = re.compile(r"([aeiu])\1+")  # Алма-Ата = Алмаата = Алмата


def skeleton(word: str) -> str:
    """A lower-case Latin word reduced to its skeleton: one spelling per sound, ye and yo as e
    (Орёл = Орел = Oryol), o as a, y as i (unstressed Russian vowels and Uzbek spellings),
    doubled vowels single."""
    for old, new in _LATIN_RULES:
        word = word.replace(old, new)
    word = _LONE_C.sub("k", word).replace("ye", "e").replace("yo", "e").replace("y", "i").replace("o", "a")
    return _DOUBLE_VOWELS.sub(r"\1", word)
