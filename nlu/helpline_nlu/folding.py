"""The helpline's one Cyrillic-to-Latin folding, for the NLU components (no Rasa imports).

A copy of `LATIN_LETTERS` in bot/folding.py, which explains the choices (ў → o as Uzbek
Latin oʻ, ё → yo, ж and ҷ → j, х and ҳ → h). This environment cannot import `bot`, so the
table is repeated here; tests/test_folding.py in the main suite reads this file and fails
when the copy differs. Change both together.
"""

from __future__ import annotations

LATIN_LETTERS: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "є": "e", "ґ": "g", "ї": "i",
    "ғ": "g", "ӣ": "i", "қ": "k", "ӯ": "u", "ҳ": "h", "ҷ": "j", "ў": "o",  # Tajik, Uzbek
    "ң": "n", "ө": "o", "ү": "u", "ә": "a", "ұ": "u", "һ": "h", "і": "i",  # Kyrgyz, Kazakh
}
CYRILLIC_TO_LATIN = str.maketrans(LATIN_LETTERS)
