"""Property tests over the normaliser, which sees every message anyone types."""

from hypothesis import given, settings
from hypothesis import strategies as st

from helpline_nlu.normalise import clean, fold, for_language_id, has_letters, romanise, script_of, words

ANY = st.text(max_size=3000)
CONTROL = "\u0000\u0007\u200b\u200e\u2060\ufeff\u202e"


@settings(max_examples=500, deadline=None)
@given(text=ANY)
def test_clean_is_bounded_idempotent_and_removes_invisible_characters(text):
    cleaned = clean(text)
    assert len(cleaned) <= 2000
    assert clean(cleaned) == cleaned
    assert not any(ch in cleaned for ch in CONTROL)
    assert cleaned == cleaned.strip() and "  " not in cleaned


@settings(max_examples=500, deadline=None)
@given(text=ANY)
def test_every_step_accepts_anything(text):
    for step in (fold, romanise, for_language_id, words, script_of, has_letters):
        step(text)
    assert fold(fold(text)) == fold(text)


@settings(max_examples=300, deadline=None)
@given(before=st.text(alphabet="abdefhijklmnoprstuvyz", min_size=1, max_size=8),
       after=st.text(alphabet="abdefhijklmnoprstuvyz", max_size=8),
       mark=st.sampled_from(list("'`´ʻʼ‘’ʹʾʿ′")))
def test_any_apostrophe_in_uzbek_latin_folds_the_same(before, after, mark):
    assert fold(f"{before}o{mark}{after}") == fold(f"{before}oʻ{after}")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(categories=["Lu", "Ll", "Zs"]), max_size=200))
def test_letters_are_found_in_every_script(text):
    assert has_letters(text) == any(ch.isalpha() for ch in text)
