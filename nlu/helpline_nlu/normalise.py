"""Plain text normalisation shared by the NLU components (no Rasa imports).

Workers type on cheap phones with whatever keyboard they have: Tajik and Kyrgyz letters
typed as their nearest Russian ones, Uzbek oʻ/gʻ written with any apostrophe or none,
Russian in Latin letters.  The functions here map all of those variants onto common
forms so that character n-grams of "ҳақ", "хак" and "haq" overlap.

Three letter tables, each for its own job:

* `romanise` (character n-grams across scripts) uses the helpline's one Cyrillic-to-Latin
  folding, `helpline_nlu.folding` (ў → o as Uzbek Latin oʻ, ё → yo), then merges Latin
  spellings of one sound.
* `fold` (word and stem features) stays in Cyrillic: `_RUSSIAN_KEYBOARD` maps Tajik, Kyrgyz,
  Uzbek and Kazakh letters to the Russian letter people type when their keyboard lacks them
  (ў → у, ҳ → х, ё → е).  It is a keyboard substitution, not a transliteration, so it differs
  from the Latin folding on purpose.
* `latinise` (extra training examples for the language identifier) writes Cyrillic the way
  each language's speakers type it in Latin (Russian ж → zh, ы → y, Tajik ғ → gh), keeping the
  spellings that tell languages apart, which a folding would merge.
"""

from __future__ import annotations

import re
import unicodedata

from helpline_nlu.folding import CYRILLIC_TO_LATIN

# Every apostrophe-like character people use for Uzbek oʻ, gʻ and the tutuq belgisi.
APOSTROPHES = "'`´ʻʼ‘’ʹʾʿ′"
_APOSTROPHE_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")

# Letters of Tajik, Kyrgyz, Uzbek Cyrillic and Kazakh as typed on a Russian keyboard.
_RUSSIAN_KEYBOARD = str.maketrans(
    {
        "ҳ": "х", "қ": "к", "ҷ": "ч", "ӣ": "и", "ӯ": "у", "ғ": "г",
        "ң": "н", "ө": "о", "ү": "у", "ў": "у", "ё": "е", "һ": "х",
        "ә": "а", "і": "и", "ұ": "у", "ї": "и", "є": "е",
    }
)

# Coarse Latin spelling variants: kh/x/h, q/k, zh/j, w/v, ts/c.
_LATIN_FOLDS = (("kh", "h"), ("x", "h"), ("q", "k"), ("zh", "j"), ("w", "v"), ("c", "s"))

# How people write their Cyrillic languages in Latin letters (informal chat translit): realistic
# typing for training the language identifier, not a folding (see the module docstring).
_LATINISE_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ҳ": "h", "қ": "q", "ҷ": "j", "ӣ": "i", "ӯ": "u", "ғ": "gh", "ң": "ng", "ө": "o", "ү": "u",
}
_LATINISE = {
    "ru": str.maketrans({**_LATINISE_COMMON, "ж": "zh"}),
    "tg": str.maketrans({**_LATINISE_COMMON, "ж": "j"}),
    "ky": str.maketrans({**_LATINISE_COMMON, "ж": "j"}),
}

_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+", re.UNICODE)

MAX_CHARS = 2000


def clean(text: str) -> str:
    """NFC, no control or zero-width characters, single spaces, at most MAX_CHARS."""
    text = unicodedata.normalize("NFC", text or "")[: MAX_CHARS * 2]
    text = _CONTROL_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()[:MAX_CHARS]


def unify_apostrophes(text: str) -> str:
    """All apostrophe variants become "'" (Uzbek oʻ typed as o`, o', o‘ ...)."""
    return _APOSTROPHE_RE.sub("'", text)


def for_language_id(text: str) -> str:
    """Lower-cased cleaned text that keeps the letters telling languages apart."""
    return unify_apostrophes(clean(text)).lower()


def _lowered(text: str) -> str:
    """Cleaned, lower-case, without apostrophes ("o ' x" loses its apostrophe, not a space)."""
    return _SPACE_RE.sub(" ", _APOSTROPHE_RE.sub("", clean(text).lower())).strip()


def fold(text: str) -> str:
    """Lower-case, drop apostrophes and fold special letters to the Russian keyboard."""
    return _lowered(text).translate(_RUSSIAN_KEYBOARD)


def romanise(text: str) -> str:
    """A coarse Latin skeleton of any Cyrillic or Latin text, for cross-script n-grams."""
    latin = _lowered(text).translate(CYRILLIC_TO_LATIN)
    for old, new in _LATIN_FOLDS:
        latin = latin.replace(old, new)
    return latin


def words(text: str) -> list[str]:
    """Word tokens of the text (letters and digits), apostrophes already removed."""
    return _WORD_RE.findall(text)


def script_of(text: str) -> str | None:
    """"Cyrl" or "Latn" by majority of letters, None when the text has no letters."""
    cyr = lat = 0
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("CYRILLIC"):
            cyr += 1
        elif name.startswith("LATIN"):
            lat += 1
    if cyr == lat == 0:
        return None
    return "Cyrl" if cyr >= lat else "Latn"


def has_letters(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or symbols)."""
    return any(ch.isalnum() for ch in text)


def latinise(text: str, language: str) -> str | None:
    """The text as a speaker of `language` would type it in Latin letters, if we know how."""
    table = _LATINISE.get(language)
    if table is None or script_of(text) != "Cyrl":
        return None
    return text.lower().translate(table)
