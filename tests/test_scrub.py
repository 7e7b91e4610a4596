"""Scrubbing on its own (issue 15): the same result as the patterns it replaced, on random and
on adversarial text; 64,000 adversarial characters scrubbed (what took the old e-mail pattern
19.5 s; timings are in BENCHMARKS.md, from scripts/bench-scrub, not asserted here); text over
the limit cut where no number or address is cut in two."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy.scrub import CUT, MAX_CHARS, capped, scrub

# The patterns as they were before issue 15 (8b0f25f), applied one after another with re.sub:
# the reference. Quadratic on a long run of word characters, so only used on short text.
_SEP = r"[\s\-()]{0,3}"
REFERENCE = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(?<![\w])(?:[A-ZА-ЯЁ]{1,2}|№)\s?\d{6,9}(?!\d)"), "[document]"),
    (re.compile(rf"(?<![\w])\+?\d(?:{_SEP}\d){{8,18}}(?![\w])"), "[number]"),
    (re.compile(r"(?<!\d)\d{3}-\d{2}-\d{2}(?!\d)"), "[number]"),
)


def reference(text: str) -> str:
    for pattern, placeholder in REFERENCE:
        text = pattern.sub(placeholder, text)
    return text


TRICKY = "a1@.+-() \n№AЖж_9,x٣ü\t"


@settings(max_examples=1000, deadline=None)
@given(text=st.text(st.sampled_from(TRICKY), max_size=60))
def test_the_same_as_before_on_random_text(text: str) -> None:
    assert scrub(text) == reference(text)


pieces = st.sampled_from(["a", "1", "@", ".", "+", "-", " ", "(", ")", "AA", "№", "ж", "_", "x.ru", "ivan",
                          "+7 916 123-45-67", "1234 5678 9012 3456", "FA 1234567", "a.b@c.de", "ü"])


@settings(max_examples=1000, deadline=None)
@given(parts=st.lists(pieces, max_size=30))
def test_the_same_as_before_on_words_numbers_and_addresses_run_together(parts: list[str]) -> None:
    text = "".join(parts)
    assert scrub(text) == reference(text)


def test_an_address_straight_after_another_is_taken_as_before() -> None:
    for text in ("a@b.c+d@e.f+g@h.i", "a@b.c.+x@y.z", "a@b.c@d.e", "x a@b.c+dd@x y", "a@b.c..d@e.f"):
        assert scrub(text) == reference(text), text
    assert scrub("a@b.c+d@e.f+g@h.i") == "[e-mail]" * 3


def _number_groups(n: int) -> str:
    """'1 ' * n: one [number] for each 19 digits, the rest too if it is 9 digits or more."""
    whole, rest = divmod(n, 19)
    return "[number] " * whole + ("[number] " if rest >= 9 else "1 " * rest)


# Adversarial text: a unit repeated n times, and what it becomes. Each expectation is checked
# against the reference at about 3,000 characters, then the scrubber is run at 64,000.
ADVERSARIAL: dict[str, tuple[str, Callable[[int], str], Callable[[int], str]]] = {
    "one long word": ("a", lambda n: "a" * n, lambda n: "a" * n),
    "one long word, then @": ("a", lambda n: "a" * n + "@", lambda n: "a" * n + "@"),
    "a@a.a again and again": ("a@a.a", lambda n: "a@a.a" * n, lambda n: "[e-mail]@" * (n // 2) + "a.a"),
    "many dots": (".", lambda n: "a" + "." * n + "@a.a", lambda n: "[e-mail]"),
    "dots between letters": ("a.", lambda n: "a." * n, lambda n: "a." * n),
    "a long run of digits": ("1", lambda n: "1" * n, lambda n: "1" * n),
    "digits spaced": ("1 ", lambda n: "1 " * n, _number_groups),
    "digits dashed": ("1-", lambda n: "1-" * n, lambda n: _number_groups(n).replace(" ", "-")),
    "mixed scripts, then @": ("иван.ivan_1ü", lambda n: "иван.ivan_1ü" * n + "@",
                              lambda n: "иван.ivan_1ü" * n + "@"),
    "mixed scripts, words": ("Иван Ivan ", lambda n: "Иван Ivan " * n, lambda n: "Иван Ivan " * n),
}


@pytest.mark.parametrize("case", ADVERSARIAL)
def test_adversarial_text_gives_the_same_result_as_before_at_3000_characters(case: str) -> None:
    unit, make, expected = ADVERSARIAL[case]
    n = 2 * (3_000 // len(unit) // 2)                    # even, as "a@a.a again and again" needs
    assert scrub(make(n)) == reference(make(n)) == expected(n)


@pytest.mark.parametrize("case", ADVERSARIAL)
def test_adversarial_text_of_64000_characters_is_scrubbed(case: str) -> None:
    unit, make, expected = ADVERSARIAL[case]
    n = 64_000 // len(unit)
    assert scrub(make(n), limit=len(make(n))) == expected(n)


def test_text_over_the_limit_is_cut_and_marked() -> None:
    words = "мне не платят, " * 2_000
    cleaned = scrub(words)
    assert cleaned.endswith(CUT) and len(cleaned) <= MAX_CHARS + len(CUT)
    assert words.startswith(cleaned[:-len(CUT)])
    assert scrub(words[:MAX_CHARS]) == words[:MAX_CHARS]                     # at the limit: whole


def test_a_number_or_address_at_the_limit_is_dropped_whole() -> None:
    text = "позвоните " + "+7 916 123-45-67" + " или пишите ivan.petrov@mail.ru сегодня"
    for limit in range(len(text)):
        cut = scrub(text, limit=limit)
        assert not any(ch.isdigit() for ch in cut) and "ivan" not in cut and "@" not in cut, cut
        kept = cut[:-len(CUT)].replace("[number]", "+7 916 123-45-67").replace("[e-mail]", "ivan.petrov@mail.ru")
        assert cut.endswith(CUT) and text.startswith(kept)


def test_a_cut_with_nowhere_safe_drops_the_run() -> None:
    assert scrub("1" * (MAX_CHARS + 5)) == CUT
    assert capped("слово " + "a" * 100, 50) == "слово" + CUT


words_without_digits = st.text(st.sampled_from("абвгжЖAbcxyz"), min_size=1, max_size=8)
identifiers = st.one_of(
    st.builds(lambda d, sep: "+7" + sep + sep.join(d[i:i + 3] for i in range(0, 10, 3)),
              st.text("0123456789", min_size=10, max_size=10), st.sampled_from([" ", "-", " - ", ""])),
    st.builds(lambda d, sep: sep.join(d[i:i + 4] for i in range(0, 16, 4)),
              st.text("0123456789", min_size=16, max_size=16), st.sampled_from([" ", "-", ""])),
    st.builds(lambda letters, d: letters + d, st.sampled_from(["AA", "FA ", "№", "№ ", "АА"]),
              st.text("0123456789", min_size=7, max_size=9)),
    st.builds(lambda user, host: f"{user}@{host}.ru", st.from_regex(r"[a-z][a-z.+_-]{0,10}[a-z]", fullmatch=True),
              st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
)


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.one_of(words_without_digits, identifiers), min_size=1, max_size=20),
       glue=st.sampled_from([" ", ", ", "\n", " (", ") "]), data=st.data())
def test_no_digit_or_address_survives_a_cut_anywhere(parts: list[str], glue: str, data: st.DataObject) -> None:
    text = glue.join(parts)
    whole = scrub(text, limit=len(text))
    limit = data.draw(st.integers(min_value=0, max_value=len(text)))
    cut = scrub(text, limit=limit)
    if not any(ch.isdigit() for ch in whole) and "@" not in whole:      # what scrubs clean whole, cut too
        assert not any(ch.isdigit() for ch in cut) and "@" not in cut, (text, limit, cut)
