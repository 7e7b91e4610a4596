"""Property tests over the normaliser, the language identifier and the topic classifier, which
see every message anyone types."""

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message

from helpline_nlu.classifier import NgramIntentClassifier
from helpline_nlu.language import LanguageIdentifier
from helpline_nlu.normalise import clean, fold, for_language_id, has_letters, romanise, script_of, words
from tests.test_components import _context, _data

ANY = st.text(max_size=3000)
CONTROL = "\u0000\u0007\u200b\u200e\u2060\ufeff\u202e"


@settings(max_examples=500, deadline=None)
@given(text=ANY)
def test_clean_is_bounded_idempotent_and_removes_invisible_characters(text: str) -> None:
    cleaned = clean(text)
    assert len(cleaned) <= 2000
    assert clean(cleaned) == cleaned
    assert not any(ch in cleaned for ch in CONTROL)
    assert cleaned == cleaned.strip() and "  " not in cleaned


@settings(max_examples=500, deadline=None)
@given(text=ANY)
def test_every_step_accepts_anything(text: str) -> None:
    for step in (fold, romanise, for_language_id, words, script_of, has_letters):
        step(text)
    assert fold(fold(text)) == fold(text)


@settings(max_examples=300, deadline=None)
@given(before=st.text(alphabet="abdefhijklmnoprstuvyz", min_size=1, max_size=8),
       after=st.text(alphabet="abdefhijklmnoprstuvyz", max_size=8),
       mark=st.sampled_from(list("'`´ʻʼ‘’ʹʾʿ′")))
def test_any_apostrophe_in_uzbek_latin_folds_the_same(before: str, after: str, mark: str) -> None:
    assert fold(f"{before}o{mark}{after}") == fold(f"{before}oʻ{after}")


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(categories=["Lu", "Ll", "Zs"]), max_size=200))
def test_letters_are_found_in_every_script(text: str) -> None:
    assert has_letters(text) == any(ch.isalpha() for ch in text)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[LanguageIdentifier, NgramIntentClassifier]:
    """The language identifier and topic classifier trained on the small set of test_components."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    lang_config = {**LanguageIdentifier.get_default_config()}
    identifier = LanguageIdentifier.load(lang_config, storage, LanguageIdentifier.create(
        lang_config, storage, Resource("lang"), _context()).train(_data()), _context())
    config = {**NgramIntentClassifier.get_default_config()}
    classifier = NgramIntentClassifier.load(config, storage, NgramIntentClassifier.create(
        config, storage, Resource("topics"), _context()).train(_data()), _context())
    return identifier, classifier


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=500))
def test_language_identification_and_topics_take_any_text(trained: Any, text: str) -> None:
    identifier, classifier = trained
    found = identifier.identify(text)
    assert found["code"] in (None, "ru", "uz", "tg", "en")
    assert 0.0 <= found["confidence"] <= 1.0
    assert found["code"] is None or has_letters(text)
    message = Message.build(text)
    classifier.process([message])
    intent = message.get("intent") or {}
    assert intent.get("name") in (None, "wages", "passport", "nlu_fallback")
